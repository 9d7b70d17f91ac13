"""The command line: its language (``--lang``, ``KIT_LANG``, ``LANG``/``LC_ALL``), argparse's
own words (usage, group titles, ``-h``, its error messages) in that language too, and
``samskaping serve`` printing its address only once the server answers there."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from kit.core import invocation
from kit.core.i18n import LANGUAGES, lang_from_environ, t, texts
from kit.server import cli as cli_module
from kit.server.cli import _ARGPARSE_ERRORS, _parser, argparse_message, cli_lang, main

from .conftest import ROOT, free_port, samskaping_command

WRITTEN = {
    "nb": "Malen er lagret",
    "nn": "Malen er lagra",
    "en": "The template is saved",
}


#: Environments and the language they give the command line and ./run (tests/test_run.py).
ENVIRONMENTS = [
    ({}, "nb"),
    ({"LANG": "C.UTF-8"}, "nb"),
    ({"LANG": "POSIX"}, "nb"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en"}, "en"),
    ({"LANG": "nn_NO.UTF-8"}, "nn"),
    ({"LANG": "nn"}, "nn"),
    ({"LANG": "nb_NO.UTF-8"}, "nb"),
    ({"LANG": "no_NO.UTF-8"}, "nb"),
    ({"LANG": "de_DE.UTF-8"}, "nb"),  # a language the kit lacks: bokmål
    ({"LANG": "en_GB.UTF-8", "LC_ALL": "nn_NO.UTF-8"}, "nn"),  # LC_ALL wins
    ({"LANG": "nn_NO.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8", "LANGUAGE": "de:en"}, "en"),  # gettext's preference list
    ({"LANG": "de_DE.UTF-8", "LANGUAGE": "de:nb_NO:en"}, "nb"),
    ({"LANG": "C", "LANGUAGE": "en"}, "nb"),  # gettext ignores LANGUAGE under C
    ({"LANG": "en_US.UTF-8", "KIT_LANG": "nn"}, "nn"),
    ({"LANG": "nn_NO.UTF-8", "KIT_LANG": "EN-gb"}, "en"),
    ({"LANG": "en_US.UTF-8", "KIT_LANG": "de"}, "nb"),  # KIT_LANG names none: bokmål
]
#: The locale that makes the command (and ./run) speak each language.
LANG_ENV = {
    "nb": {"LANG": "nb_NO.UTF-8"},
    "nn": {"LANG": "nn_NO.UTF-8"},
    "en": {"LANG": "en_GB.UTF-8"},
}


@pytest.mark.parametrize(("environ", "expected"), ENVIRONMENTS)
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
    assert out.strip() == t("cases_template_written", lang, path=path, command="samskaping")


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


#: argparse's English words, which must not show in bokmål or nynorsk.
ARGPARSE_ENGLISH = re.compile(
    r"usage:|options:|positional arguments|show this help|error:|required|invalid|unrecognized"
    r"|expected|ambiguous|ignored|choose from|\bargument (?:--|[A-Z])"
)


def samskaping(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
    """The real command, in a locale of ``lang`` (and no --lang)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "KIT_LANG"))}
    env.update(LANG_ENV[lang])
    return subprocess.run(
        [*samskaping_command(), *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("command", [[], ["serve"], ["check-cases"]])
def test_argparse_words_in_the_help_follow_the_language(lang, command):
    out = samskaping(*command, "--help", lang=lang)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    help_text = out.stdout
    prog = " ".join(["samskaping", *command])
    assert help_text.startswith(f"{t('cli_usage', lang)} {prog} [-h] [--lang {{nb,nn,en}}]")
    assert f"\n{t('cli_options', lang)}:\n" in help_text
    help_line = next(line for line in help_text.splitlines() if "-h, --help" in line)
    assert help_line.split("-h, --help", 1)[1].strip() == t("cli_help", lang)
    if command != ["serve"]:  # serve has no positional argument
        assert f"\n{t('cli_positionals', lang)}:\n" in help_text
    if lang != "en":
        assert ARGPARSE_ENGLISH.findall(help_text) == [], help_text


def test_the_help_option_follows_lang_on_the_line_too():
    out = samskaping("serve", "--lang", "nn", "--help", lang="en")
    assert out.stdout.startswith(t("cli_usage", "nn") + " samskaping serve")
    assert t("cli_help", "nn") in out.stdout and t("cli_help", "en") not in out.stdout


#: The commands' choices, as the kit lists them (argparse quotes them or not, by version).
COMMANDS = "serve, check-cases, export, template, purge-answers, verksted"
ARGPARSE_ERRORS = {
    "missing required argument": (
        ["purge-answers"],
        "samskaping purge-answers",
        lambda lang: t("cli_error_required", lang, arguments="--days"),
    ),
    "missing command": (
        [],
        "samskaping",
        lambda lang: t("cli_error_required", lang, arguments=t("cli_metavar_command", lang)),
    ),
    "invalid choice": (
        ["nosuch"],
        "samskaping",
        lambda lang: t(
            "cli_error_argument",
            lang,
            argument=t("cli_metavar_command", lang),
            message=t("cli_error_invalid_choice", lang, value="'nosuch'", choices=COMMANDS),
        ),
    ),
    "invalid language": (
        ["check-cases", "--lang=de"],
        "samskaping check-cases",
        # --lang=de names no language the kit has: the message is in bokmål, whatever LANG says
        lambda lang: t(
            "cli_error_argument",
            "nb",
            argument="--lang",
            message=t("cli_error_invalid_choice", "nb", value="'de'", choices="nb, nn, en"),
        ),
    ),
    "invalid int": (
        ["serve", "--port", "x"],
        "samskaping serve",
        lambda lang: t(
            "cli_error_argument",
            lang,
            argument="--port",
            message=t("cli_error_invalid_value", lang, type=t("cli_type_int", lang), value="'x'"),
        ),
    ),
    "invalid float": (
        ["serve", "--kernel-connect-timeout", "soon"],
        "samskaping serve",
        lambda lang: t(
            "cli_error_argument",
            lang,
            argument="--kernel-connect-timeout",
            message=t(
                "cli_error_invalid_value", lang, type=t("cli_type_float", lang), value="'soon'"
            ),
        ),
    ),
    "unrecognized arguments": (
        ["serve", "extra", "--nosuch"],
        "samskaping",
        lambda lang: t("cli_error_unrecognized", lang, arguments="extra --nosuch"),
    ),
    "expected one argument": (
        ["serve", "--port"],
        "samskaping serve",
        lambda lang: t(
            "cli_error_argument", lang, argument="--port", message=t("cli_error_expected_one", lang)
        ),
    ),
    "ambiguous option": (
        ["serve", "--p", "8870"],
        "samskaping serve",
        lambda lang: t(
            "cli_error_ambiguous",
            lang,
            option="--p",
            matches="--port, --public-url, --preheat, --preheat-app",
        ),
    ),
    "value for a flag": (
        ["serve", "--no-browser=yes"],
        "samskaping serve",
        lambda lang: t(
            "cli_error_argument",
            lang,
            argument="--no-browser",
            message=t("cli_error_ignored_value", lang, value="'yes'"),
        ),
    ),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", list(ARGPARSE_ERRORS))
def test_argparse_errors_follow_the_language(lang, case):
    """Usage and error on stderr, exit status 2, as argparse's own; the words in ``lang``."""
    argv, prog, expected = ARGPARSE_ERRORS[case]
    out = samskaping(*argv, lang=lang)
    assert out.returncode == 2 and out.stdout == "", out
    lines = out.stderr.rstrip("\n").splitlines()
    said = "nb" if case == "invalid language" else lang
    assert lines[0].startswith(f"{t('cli_usage', said)} {prog} "), out.stderr
    assert lines[-1] == t("cli_error", said, prog=prog, message=expected(lang)), out.stderr
    if said != "en":
        assert ARGPARSE_ENGLISH.findall(out.stderr) == [], out.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_option_translates_argparse_errors_too(lang):
    out = samskaping("purge-answers", "--lang", lang, lang="en" if lang != "en" else "nn")
    assert out.returncode == 2
    expected = t("cli_error_required", lang, arguments="--days")
    assert out.stderr.splitlines()[-1] == t(
        "cli_error", lang, prog="samskaping purge-answers", message=expected
    )


@pytest.mark.parametrize(
    "message",
    [
        "invalid choice: 'x' (choose from 'nb', 'nn', 'en')",  # Python 3.10 to 3.12.6, 3.13.0
        "invalid choice: 'x' (choose from nb, nn, en)",  # later patch releases
    ],
)
def test_invalid_choice_reads_the_same_on_every_python(message):
    for lang in LANGUAGES:
        expected = t("cli_error_invalid_choice", lang, value="'x'", choices="nb, nn, en")
        assert argparse_message(message, lang) == expected


@pytest.mark.parametrize(
    "message",
    [
        "something argparse may say one day",
        "invalid Path value: 'x'",  # a type the kit has no name for
    ],
)
def test_an_unknown_argparse_message_is_shown_as_argparse_wrote_it(capsys, message):
    for lang in LANGUAGES:
        assert argparse_message(message, lang) == message
        around = f"argument --file: {message}"
        assert argparse_message(around, lang) == t(
            "cli_error_argument", lang, argument="--file", message=message
        )
        with pytest.raises(SystemExit) as info:
            _parser(lang).error(message)
        assert info.value.code == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.splitlines()[-1] == t("cli_error", lang, prog="samskaping", message=message)


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        for sub in (action.choices or {}).values() if isinstance(action.choices, dict) else ():
            yield from _actions(sub)


def test_every_key_of_the_command_line_is_in_every_language():
    """Every key kit/server/cli.py names, those of argparse's messages and of the option types, in
    bokmål, nynorsk and English itself (not by falling back to bokmål)."""
    source = (ROOT / "kit" / "server" / "cli.py").read_text(encoding="utf-8")
    # ("tier_" + tier and the like are the start of a key the code completes: left out here)
    keys = {k for k in re.findall(r"\bt\(\s*\"(\w+)\"", source) if not k.endswith("_")}
    keys |= set(re.findall(r"\badd\(\"[\w-]+\", \"(\w+)\"\)", source))
    keys |= {key for key, _ in _ARGPARSE_ERRORS}
    types = {a.type.__name__ for a in _actions(_parser("nb")) if a.type is not None}
    assert types == {"int", "float"}  # the types the parser uses: each needs a name
    keys |= {f"cli_type_{name}" for name in types}
    assert {"cli_usage", "cli_options", "cli_positionals", "cli_help", "cli_error"} <= keys
    for lang in LANGUAGES:
        missing = sorted(keys - set(texts(lang)))
        assert missing == [], f"{lang} lacks {missing}"


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
    no retry); a SIGTERM to the command alone (not its process group) stops the server too.
    The terminal shows the start, where the log is, and the one address: the server's own
    messages (Voilà's address among them) are in the log."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, KIT_DB_URL=f"sqlite:///{tmp_path / 'answers.sqlite3'}")
    proc = subprocess.Popen(
        [*samskaping_command(), "serve", "--port", str(port), "--no-browser", "--log", str(log)],
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
        assert lines == [
            t("cli_starting", "nb", port=port),
            t("cli_serve_log", "nb", log=log),
            ready,
        ]
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert proc.stdout.read() == ""  # nothing more on the terminal, stopping included
        assert f"http://127.0.0.1:{port}/" in log.read_text()
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
    """A server that exits before it answers: one line saying so and where the log is (by
    default in the user's log folder: XDG_STATE_HOME on Linux), and the command fails."""
    port = free_port()
    env = dict(
        os.environ,
        KIT_DB_URL=f"sqlite:///{tmp_path / 'answers.sqlite3'}",
        KIT_NOTEBOOKS_DIR=str(tmp_path / "no-such-folder"),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    out = subprocess.run(
        [*samskaping_command(), "serve", "--port", str(port), "--no-browser"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        start_new_session=True,
    )
    assert out.returncode != 0
    log = tmp_path / "state" / "samskaping-kit" / "log" / f"serve-{port}.log"
    assert out.stderr.strip().splitlines() == [t("cli_serve_exited", "nb", log=log)]
    assert t("cli_serve_log", "nb", log=log) in out.stdout.splitlines()
    assert "Appene er klare" not in out.stdout
    assert "Traceback" in log.read_text()  # the reason, for whoever reads the log


def test_serve_says_so_when_its_log_cannot_be_written(tmp_path):
    (tmp_path / "a-file").write_text("")
    log = tmp_path / "a-file" / "serve.log"
    env = dict(os.environ, KIT_DB_URL=f"sqlite:///{tmp_path / 'answers.sqlite3'}")
    out = subprocess.run(
        [*samskaping_command(), "serve", "--port", str(free_port()), "--log", str(log)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip().startswith(f"Kan ikke skrive loggen {log} (")
    assert "Traceback" not in out.stderr


# ------------------------------------------------------------- what a newcomer ran into


def test_messages_name_the_command_that_works(capsys, monkeypatch):
    """Installed, the command is `samskaping`; started through ./run (which sets KIT_RUN to the
    way it was typed), the messages say `./run samskaping ...`."""
    monkeypatch.delenv("KIT_RUN", raising=False)
    monkeypatch.setenv("KIT_LANG", "nb")
    assert main(["check-cases", "mine.csv", "--library"]) == 2
    assert "Oppgi enten en fil (samskaping check-cases FIL)" in capsys.readouterr().err
    monkeypatch.setenv("KIT_RUN", "./run")
    assert main(["check-cases", "mine.csv", "--library"]) == 2
    assert "(./run samskaping check-cases FIL)" in capsys.readouterr().err
    assert (
        invocation.samskaping_command({"KIT_RUN": "../my kit/run"}) == "'../my kit/run' samskaping"
    )
    assert invocation.samskaping_command({}) == "samskaping"


#: Runs the command line in a Python where psycopg cannot be imported (as without the extra).
WITHOUT_PSYCOPG = (
    "import sys; sys.modules['psycopg'] = None; from kit.server.cli import main; "
    "sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize("command", ["serve", "purge-answers"])
def test_postgres_without_psycopg_says_how_to_install_it(tmp_path, command):
    url = "postgresql://kit:kit@127.0.0.1:9/kit"
    args = ["--port", str(free_port()), "--db", url] if command == "serve" else ["--days", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
    env.update(LANG="en_US.UTF-8", KIT_DB_URL=url)
    out = subprocess.run(
        [sys.executable, "-c", WITHOUT_PSYCOPG, command, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert out.returncode in (1, 2)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert t("live_err_store_no_driver", "en") in lines[0]
    install = t("cli_postgres_install", "en", install=cli_module.postgres_install_command())
    assert lines[0].endswith(install)
    # this kit is a clone installed with pip install -e: its own folder's extra, this Python
    assert f"-m pip install -e {shlex.quote(f'{ROOT}[postgres]')}" in install
    assert sys.executable in install


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """`samskaping check-cases --library | head`: the reader is gone (here before the first
    line), the command stops without a traceback, with the status a shell gives SIGPIPE."""
    read, write = os.pipe()
    os.close(read)
    try:
        out = subprocess.run(
            [*samskaping_command(), "check-cases", "--library"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    assert out.stderr == ""
    assert out.returncode == cli_module.BROKEN_PIPE_STATUS
