"""The command line: its language (``--lang``, ``KIT_LANG``, ``LANG``/``LC_ALL``) and
``samskaping serve`` printing its address only once the server answers there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from kit.cli import cli_lang, main
from kit.i18n import lang_from_environ, t

from .conftest import ROOT, free_port, samskaping_command

WRITTEN = {
    "nb": "Malen er lagret",
    "nn": "Malen er lagra",
    "en": "The template is saved",
}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "nb"),
        ({"LANG": "C.UTF-8"}, "nb"),
        ({"LANG": "POSIX"}, "nb"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "nn_NO.UTF-8"}, "nn"),
        ({"LANG": "nb_NO.UTF-8"}, "nb"),
        ({"LANG": "no_NO.UTF-8"}, "nb"),
        ({"LANG": "de_DE.UTF-8"}, "nb"),  # a language the kit lacks: bokmål
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "nn_NO.UTF-8"}, "nn"),  # LC_ALL wins
        ({"LANG": "nn_NO.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "de:en"}, "en"),  # gettext's preference list
        ({"LANG": "C", "LANGUAGE": "en"}, "nb"),  # gettext ignores LANGUAGE under C
        ({"LANG": "en_US.UTF-8", "KIT_LANG": "nn"}, "nn"),
    ],
)
def test_language_from_the_environment(environ, expected):
    assert lang_from_environ(environ) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "en", "template", "x.csv"], "en"),
        (["template", "x.csv", "--lang", "nn"], "nn"),
        (["template", "--lang=en", "x.csv"], "en"),
        (["template", "x.csv"], "nn"),  # the environment's
        (["template", "--", "--lang=en"], "nn"),  # after -- it is a file name
    ],
)
def test_language_option_beats_the_environment(argv, expected):
    assert cli_lang(argv, {"LANG": "nn_NO.UTF-8"}) == expected


@pytest.mark.parametrize(
    ("env", "argv", "lang"),
    [
        ({}, [], "nb"),
        ({"LANG": "en_US.UTF-8"}, [], "en"),
        ({"LANG": "nn_NO.UTF-8"}, [], "nn"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "nb_NO.UTF-8"}, [], "en"),
        ({"LANG": "en_US.UTF-8"}, ["--lang", "nb"], "nb"),
        ({}, ["--lang", "nn"], "nn"),
    ],
)
def test_commands_speak_the_chosen_language(tmp_path, monkeypatch, capsys, env, argv, lang):
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    path = tmp_path / "mine.csv"
    assert main(["template", str(path), *argv]) == 0
    out = capsys.readouterr().out
    assert out.startswith(WRITTEN[lang]), out
    assert out.strip() == t("cases_template_written", lang, path=path)


def test_help_is_in_the_chosen_language():
    env = dict(os.environ, LANG="en_US.UTF-8")
    out = subprocess.run(
        [*samskaping_command(), "serve", "--help"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0 and t("cli_port_help", "en") in out.stdout
    assert "--lang {nb,nn,en}" in out.stdout
    out = subprocess.run(
        [*samskaping_command(), "--lang", "nn", "serve", "--help"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert t("cli_port_help", "nn") in out.stdout


def test_unknown_language_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--lang", "de", "check-cases", "--library"])
    assert info.value.code == 2
    assert "--lang" in capsys.readouterr().err


def _port_listens(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.server
def test_serve_prints_the_address_once_it_answers_and_stops_on_sigterm(tmp_path):
    """The line with the address comes only when a request to it is answered (fetched at once,
    no retry); a SIGTERM to the command alone (not its process group) stops the server too."""
    port = free_port()
    env = dict(os.environ, KIT_DB_URL=f"sqlite:///{tmp_path / 'answers.sqlite3'}")
    proc = subprocess.Popen(
        [*samskaping_command(), "serve", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        cwd=ROOT,
        env=env,
    )
    ready = t("cli_serving", "nb", url=f"http://127.0.0.1:{port}/")
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.rstrip("\n") == ready:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as resp:
                    assert resp.status == 200
                break
        assert ready in lines, "\n".join(lines)
        assert lines.index(t("cli_starting", "nb", port=port)) < lines.index(ready)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while _port_listens(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _port_listens(port), "the server outlived the command"
    finally:
        if proc.poll() is None or _port_listens(port):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.mark.server
def test_serve_that_fails_to_start_says_so(tmp_path):
    """A server that exits before it answers: one line saying so, and the command fails."""
    env = dict(
        os.environ,
        KIT_DB_URL=f"sqlite:///{tmp_path / 'answers.sqlite3'}",
        KIT_NOTEBOOKS_DIR=str(tmp_path / "no-such-folder"),
    )
    out = subprocess.run(
        [*samskaping_command(), "serve", "--port", str(free_port()), "--no-browser"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        start_new_session=True,
    )
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].startswith("Serveren stoppet før den svarte")
    assert "Appene er klare" not in out.stdout
