"""``./run`` heals itself: a venv that cannot work is rebuilt with a message saying why, the first
install shows its progress, and ``./run samskaping ARGS`` runs every ``samskaping`` command.

Each test runs the real ``./run`` in a copy of the project in a temporary folder, with
``KIT_VENV`` pointing at a venv there. The rebuild tests stop at the install step (pip may use no
index, so it fails within seconds: what they prove is the diagnosis and a sound new venv); one
test goes all the way, from a broken venv to a working ``samskaping`` (about a minute).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

#: What `pip install -e .` and the commands need from the project.
PROJECT = ("run", "pyproject.toml", "README.md", "LICENSE", "kit", "data", "notebooks", "docs")
#: The interpreter behind this test run (not its venv).
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
PYENV = Path("/root/.pyenv/versions")


@pytest.fixture
def project(tmp_path) -> Path:
    copy = tmp_path / "kit-copy"
    copy.mkdir()
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


def run(project: Path, venv: Path, *args: str, offline: bool = True, **env: str):
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KIT_"))
    }
    environ.update(KIT_VENV=str(venv), PYTHON=BASE_PYTHON)
    environ.update(env)
    if offline:
        # pip finds nothing to install from, so the install step fails at once
        empty = project.parent / "no-packages"
        empty.mkdir(exist_ok=True)
        environ.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(empty))
    return subprocess.run(
        [str(project / "run"), *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=project.parent,
        timeout=900,
    )


def assert_sound(venv: Path) -> None:
    """A venv the kit can use: a Python that runs, new enough, with pip."""
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys, pip; print(sys.version_info >= (3, 10))"],
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "True", out.stderr


def make_venv(path: Path, *options: str, python: str = BASE_PYTHON) -> None:
    subprocess.run([python, "-m", "venv", *options, str(path)], check=True)


def no_bin_python(venv: Path) -> None:
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n")


def python_gone(venv: Path) -> None:
    no_bin_python(venv)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to("/nowhere/python3")


def python_too_old(venv: Path) -> None:
    no_bin_python(venv)
    (venv / "bin").mkdir()
    fake = venv / "bin" / "python"
    fake.write_text("#!/bin/sh\necho 3.8\n")
    fake.chmod(0o755)


def without_pip(venv: Path) -> None:
    make_venv(venv, "--without-pip")


def moved(venv: Path) -> None:
    elsewhere = venv.parent / "made-elsewhere"
    make_venv(elsewhere)
    elsewhere.rename(venv)


BROKEN = {
    "no bin/python": (no_bin_python, "it has no bin/python"),
    "python gone": (python_gone, "its bin/python does not run"),
    "python too old": (python_too_old, "it was made with Python 3.8"),
    "no pip": (without_pip, "it has no pip"),
    "moved": (moved, "it was moved or copied from another folder"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_venv_is_rebuilt_with_the_reason(project, tmp_path, kind):
    breaker, reason = BROKEN[kind]
    venv = tmp_path / "venv"
    breaker(venv)
    out = run(project, venv, "samskaping", "--help")
    assert f"run: {venv} is broken: {reason}" in out.stderr, out.stderr
    assert "Rebuilding it" in out.stderr
    assert f"[1/2] Making the virtual environment {venv}" in out.stderr
    assert "[2/2] Installing the kit" in out.stderr
    assert_sound(venv)
    # the install could not finish here (no index): it is not marked done, and the command fails
    assert out.returncode != 0
    assert not (venv / ".installed-base").exists()


@pytest.mark.skipif(
    not any(PYENV.glob("3.1[0-9].*/bin/python3")), reason="no second Python under pyenv"
)
def test_a_venv_of_another_python_than_PYTHON_is_rebuilt(project, tmp_path):
    venv = tmp_path / "venv"
    make_venv(venv)
    mine = os.path.realpath(BASE_PYTHON)
    other = next(
        str(p) for p in sorted(PYENV.glob("3.1[0-9].*/bin/python3")) if os.path.realpath(p) != mine
    )
    out = run(project, venv, "samskaping", "--help", PYTHON=other)
    assert f"{venv} is broken: it was made with {mine}, not with PYTHON={other}" in out.stderr
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert other.split("/versions/")[1].startswith(version)


def test_a_too_old_PYTHON_is_refused_before_anything_is_made(project, tmp_path):
    old = tmp_path / "python3.8"
    old.write_text("#!/bin/sh\necho 3.8\n")
    old.chmod(0o755)
    venv = tmp_path / "venv"
    out = run(project, venv, "serve", PYTHON=str(old))
    assert out.returncode == 1
    assert f"{old} is Python 3.8; the kit needs 3.10 or newer" in out.stderr
    assert not venv.exists()


def test_a_folder_that_is_no_venv_is_left_alone(project, tmp_path):
    venv = tmp_path / "my-things"
    venv.mkdir()
    (venv / "notes.txt").write_text("keep me")
    out = run(project, venv, "samskaping", "--help")
    assert out.returncode == 1
    assert "does not look like a virtual environment, so it is left alone" in out.stderr
    assert (venv / "notes.txt").read_text() == "keep me"


def test_usage_lists_samskaping():
    out = subprocess.run([str(ROOT / "run")], capture_output=True, text=True)
    assert out.returncode == 2
    assert "./run samskaping COMMAND [ARGS]" in out.stdout


def test_from_a_broken_venv_to_working_commands(project, tmp_path):
    """The whole way: a venv without pip is rebuilt, the install shows pip's progress, then
    every README command runs through ./run samskaping; a second run installs nothing."""
    venv = tmp_path / "venv"
    without_pip(venv)
    out = run(project, venv, "samskaping", "check-cases", "--library", offline=False)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"{venv} is broken: it has no pip. Rebuilding it" in out.stderr
    # progress: pip's own lines, not a silent wait
    progress = out.stdout + out.stderr
    assert "Successfully installed" in progress and "samskaping-kit" in progress
    assert "run: Ready. Every samskaping command works through ./run" in out.stderr
    assert any(re.match(r"OK: \d+ ", line) for line in out.stdout.splitlines()), out.stdout
    assert (venv / ".installed-base").exists()

    work = tmp_path / "work"
    work.mkdir()
    mine = work / "mine.csv"
    again = run(project, venv, "samskaping", "--lang", "en", "template", str(mine))
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""  # nothing rebuilt, nothing installed
    assert again.stdout.startswith(f"The template is saved in {mine}")
    check = run(project, venv, "samskaping", "check-cases", str(mine), LANG="nn_NO.UTF-8")
    assert check.returncode == 0 and check.stdout.startswith("OK: 1 case"), check.stdout
    purge = run(
        project,
        venv,
        "samskaping",
        "purge-answers",
        "--days",
        "30",
        KIT_DB_URL=f"sqlite:///{work / 'answers.sqlite3'}",
    )
    assert purge.returncode == 0 and purge.stdout.startswith("Slettet 0 økt"), purge.stdout
