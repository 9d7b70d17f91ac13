"""``./run`` heals itself: a venv that cannot work is rebuilt with a message saying why, the first
install shows its progress, and ``./run samskaping ARGS`` runs every ``samskaping`` command. Its
messages follow the language of the command line (``KIT_LANG``, else the locale; bokmål by
default), from ``data/i18n/<lang>/run.tsv``.

Each test runs the real ``./run`` in a copy of the project in a temporary folder, with
``KIT_VENV`` pointing at a venv there (the quick ones that stop before anything is made run the
repository's own ``./run``, still with ``KIT_VENV`` in a temporary folder). The rebuild tests stop at the install step (pip may use no
index, so it fails within seconds: what they prove is the diagnosis and a sound new venv); one
test goes all the way, from a broken venv to a working ``samskaping`` (about a minute).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kit.core.i18n import LANGUAGES, lang_from_environ, t

from .conftest import ROOT, free_port
from .test_cli import ENVIRONMENTS, LANG_ENV
from .test_nynorsk import BOKMAL, hits

#: What `pip install -e .` and the commands need from the project.
PROJECT = ("run", "pyproject.toml", "README.md", "LICENSE", "kit", "data", "notebooks", "docs")
#: The interpreter behind this test run (not its venv).
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
PYENV = Path("/root/.pyenv/versions")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def run_texts(lang: str) -> dict[str, str]:
    """``data/i18n/<lang>/run.tsv`` as ./run reads it: ``key<TAB>text`` a line, ``#`` comments."""
    found: dict[str, str] = {}
    path = ROOT / "data" / "i18n" / lang / "run.tsv"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, tab, text = line.partition("\t")
        assert tab and re.fullmatch(r"[a-z_]+", key) and text.strip(), f"{path}:{number}: {line!r}"
        assert key not in found, f"{path}:{number}: {key} twice"
        found[key] = text
    return found


def said(out: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines ./run wrote on stderr, without bash's warnings about a locale this machine lacks
    (``LC_ALL=nn_NO.UTF-8`` where it is not installed)."""
    return [line for line in out.stderr.splitlines() if "setlocale: " not in line]


def run_text(lang: str, key: str, **values: str) -> str:
    """A message of ./run in ``lang``, its ``{name}`` placeholders filled."""
    return PLACEHOLDER.sub(lambda m: values[m[1]], run_texts(lang)[key])


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
    environ = {k: v for k, v in environ.items() if v != ""}  # "" unsets a variable
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


def shebang(script: Path) -> str:
    """The interpreter on the #! line of a venv's script."""
    return script.read_text().splitlines()[0].removeprefix("#!").split()[0]


#: Each way of breaking a venv, the language it is checked in (every language is checked) and
#: the reason ./run gives, from the broken venv.
BROKEN = {
    "no bin/python": (no_bin_python, "nb", lambda venv: run_text("nb", "problem_no_python")),
    "python gone": (
        python_gone,
        "nn",
        lambda venv: run_text("nn", "problem_python_gone", target="/nowhere/python3"),
    ),
    "python too old": (
        python_too_old,
        "en",
        lambda venv: run_text("en", "problem_python_old", version="3.8"),
    ),
    "no pip": (without_pip, "nn", lambda venv: run_text("nn", "problem_no_pip")),
    "moved": (
        moved,
        "en",
        lambda venv: run_text(
            "en", "problem_moved", script="pip", python=shebang(venv / "bin" / "pip")
        ),
    ),
}


@pytest.mark.install
@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_venv_is_rebuilt_with_the_reason(project, tmp_path, kind):
    breaker, lang, reason = BROKEN[kind]
    venv = tmp_path / "venv"
    breaker(venv)
    broken = run_text(lang, "venv_broken", venv=str(venv), problem=reason(venv))
    out = run(project, venv, "samskaping", "--help", **LANG_ENV[lang])
    lines = said(out)
    assert f"run: {broken}" in lines, out.stderr
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    making = run_text(lang, "making_venv", venv=str(venv), version=version, path=BASE_PYTHON)
    assert f"run: {making}" in lines, out.stderr
    installing = run_text(lang, "installing", step="[2/2] ", venv=str(venv))
    assert f"run: {installing}" in lines, out.stderr
    assert lines.index(f"run: {broken}") < lines.index(f"run: {making}")
    assert_sound(venv)
    # the install could not finish here (no index): it is not marked done, and the command fails
    assert out.returncode != 0
    assert not (venv / ".installed-base").exists()


@pytest.mark.install
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
    reason = run_text(
        "nb", "problem_other_python", have=mine, given=other, want=os.path.realpath(other)
    )
    assert f"run: {run_text('nb', 'venv_broken', venv=str(venv), problem=reason)}" in out.stderr
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert other.split("/versions/")[1].startswith(version)


def old_python(folder: Path) -> Path:
    """A "Python 3.8": ./run stops at it before it makes anything."""
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "python3.8"
    old.write_text("#!/bin/sh\necho 3.8\n")
    old.chmod(0o755)
    return old


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_too_old_PYTHON_is_refused_before_anything_is_made(project, tmp_path, lang):
    old = old_python(tmp_path)
    venv = tmp_path / "venv"
    out = run(project, venv, "serve", PYTHON=str(old), **LANG_ENV[lang])
    assert out.returncode == 1
    expected = run_text(lang, "python_too_old", python=str(old), version="3.8")
    assert said(out) == [f"run: {expected}"]
    assert not venv.exists()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_PYTHON_that_does_not_run_is_named(tmp_path, lang):
    venv = tmp_path / "venv"
    gone = tmp_path / "no-such-python"
    out = run(ROOT, venv, "serve", offline=False, PYTHON=str(gone), **LANG_ENV[lang])
    assert out.returncode == 1
    assert said(out) == [f"run: {run_text(lang, 'python_missing', python=str(gone))}"]
    assert not venv.exists()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_folder_that_is_no_venv_is_left_alone(project, tmp_path, lang):
    venv = tmp_path / "my-things"
    venv.mkdir()
    (venv / "notes.txt").write_text("keep me")
    out = run(project, venv, "samskaping", "--help", **LANG_ENV[lang])
    assert out.returncode == 1
    problem = run_text(lang, "problem_no_python")
    assert said(out) == [f"run: {run_text(lang, 'not_a_venv', venv=str(venv), problem=problem)}"]
    assert (venv / "notes.txt").read_text() == "keep me"


USAGE_KEYS = (
    "usage_serve",
    "usage_samskaping",
    "usage_lab",
    "usage_test",
    "usage_ruff",
    "usage_mypy",
    "usage_lint_imports",
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_usage_lists_samskaping(tmp_path, lang):
    out = run(ROOT, tmp_path / "venv", offline=False, **LANG_ENV[lang])
    assert out.returncode == 2
    assert out.stdout == "".join(run_text(lang, key) + "\n" for key in USAGE_KEYS)
    command = {"nb": "KOMMANDO [ARGUMENTER]", "nn": "KOMMANDO [ARGUMENT]", "en": "COMMAND [ARGS]"}
    assert f"./run samskaping {command[lang]}" in out.stdout


@pytest.mark.parametrize(("environ", "lang"), ENVIRONMENTS)
def test_run_speaks_the_language_of_the_command_line(tmp_path, environ, lang):
    """The same rule as ``samskaping`` (kit.core.i18n.lang_from_environ), before any Python runs."""
    assert lang_from_environ(environ) == lang
    old = old_python(tmp_path)
    env = {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "", **environ}
    out = run(ROOT, tmp_path / "venv", "serve", offline=False, PYTHON=str(old), **env)
    assert out.returncode == 1
    expected = run_text(lang, "python_too_old", python=str(old), version="3.8")
    assert said(out) == [f"run: {expected}"]


def test_a_missing_text_falls_back_to_english_then_to_its_key(project, tmp_path):
    old = old_python(tmp_path)
    venv = tmp_path / "venv"

    def refused(lang: str) -> list[str]:
        out = run(project, venv, "serve", PYTHON=str(old), **LANG_ENV[lang])
        assert out.returncode == 1  # the text is missing, not the check
        return said(out)

    def without(path: Path, key: str) -> list[str]:
        return [line for line in path.read_text().splitlines() if not line.startswith(key + "\t")]

    nn_file = project / "data" / "i18n" / "nn" / "run.tsv"
    en_file = project / "data" / "i18n" / "en" / "run.tsv"
    values = {"python": str(old), "version": "3.8"}
    nynorsk = f"run: {run_text('nn', 'python_too_old', **values)}"
    english = f"run: {run_text('en', 'python_too_old', **values)}"
    line = next(line for line in nn_file.read_text().splitlines() if "python_too_old" in line)
    nn_file.write_text("\n".join([*without(nn_file, "python_too_old"), line]))  # no last newline
    assert refused("nn") == [nynorsk]
    nn_file.write_text("\n".join(without(nn_file, "python_too_old")) + "\n")
    assert refused("nn") == [english]
    nn_file.unlink()
    assert refused("nn") == [english]
    en_file.write_text("\n".join(without(en_file, "python_too_old")) + "\n")
    assert refused("nn") == ["run: python_too_old"]
    assert refused("en") == ["run: python_too_old"]
    assert not venv.exists()


def test_values_are_put_in_as_they_are(tmp_path):
    """A value holding a placeholder, "&", a backslash or "$(...)" is printed, never read again
    nor run."""
    odd = tmp_path / "R&D \\1 {version} $(touch pwned) `touch pwned2`"
    old = old_python(odd)
    out = run(ROOT, tmp_path / "venv", "serve", offline=False, PYTHON=str(old), **LANG_ENV["en"])
    expected = run_text("en", "python_too_old", python=str(old), version="3.8")
    assert said(out) == [f"run: {expected}"]
    assert "{version}" in out.stderr and "R&D \\1" in out.stderr
    assert not list(tmp_path.rglob("pwned*")) and not list(ROOT.glob("pwned*"))


def _calls(script: str) -> list[tuple[str, set[str]]]:
    """Every ``say KEY name=...`` and ``msg KEY name=...`` of ./run: the key, the names."""
    calls = []
    for line in script.splitlines():
        found = re.search(r"\b(?:say|msg) ([a-z_]+)\b(.*)", line.split(" #")[0])
        if found:
            calls.append((found[1], set(re.findall(r"(?:^|\s)([a-z]+)=", found[2]))))
    return calls


def test_every_message_of_run_is_in_every_language():
    script = (ROOT / "run").read_text(encoding="utf-8")
    calls = _calls(script)
    assert len(calls) >= 15, calls  # the parser still finds them
    loop = re.search(r"for key in ((?:usage_\w+ ?)+); do", script)
    assert loop and tuple(loop[1].split()) == USAGE_KEYS
    used = {key for key, _ in calls} | set(USAGE_KEYS)
    tables = {lang: run_texts(lang) for lang in ("nb", "nn", "en")}
    for lang, table in tables.items():
        assert sorted(used - set(table)) == [], f"{lang} lacks texts ./run uses"
        assert sorted(set(table) - used) == [], f"{lang} has texts ./run does not use"
    for key, names in calls:
        for lang, table in tables.items():
            assert set(PLACEHOLDER.findall(table[key])) == names, f"{lang}:{key}: {names}"
    nb, nn, en = tables["nb"], tables["nn"], tables["en"]
    assert hits(BOKMAL, ((f"run.tsv:{k}", v) for k, v in nn.items())) == []
    for key in used - {"problem_no_python"}:  # "det har ingen bin/python" is both
        assert len({nb[key], nn[key], en[key]}) == 3, f"{key} is not translated"


@pytest.mark.install
def test_from_a_broken_venv_to_working_commands(project, tmp_path):
    """The whole way: a venv without pip is rebuilt, the install shows pip's progress, then
    every README command runs through ./run samskaping; a second run installs nothing."""
    venv = tmp_path / "venv"
    without_pip(venv)
    out = run(project, venv, "samskaping", "check-cases", "--library", offline=False)
    assert out.returncode == 0, out.stderr[-3000:]
    broken = run_text("nb", "venv_broken", venv=str(venv), problem=run_text("nb", "problem_no_pip"))
    assert f"run: {broken}" in out.stderr.splitlines()
    # progress: pip's own lines, not a silent wait
    progress = out.stdout + out.stderr
    assert "Successfully installed" in progress and "samskaping-kit" in progress
    assert f"run: {run_text('nb', 'ready', venv=str(venv))}" in out.stderr.splitlines()
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


# ------------------------------------------------------------- what a newcomer ran into


@pytest.fixture(scope="module")
def kit_venv(tmp_path_factory) -> Path:
    """A venv ./run accepts as installed (a sound Python with pip, the install stamp) whose
    ``samskaping`` runs this kit's real command line with the interpreter of this test run, and
    whose ``jupyter`` says how it was started: ./run's own behaviour, without installing."""
    venv = tmp_path_factory.mktemp("kit-venv") / "venv"
    make_venv(venv)
    python = venv / "bin" / "python"
    scripts = {
        "samskaping": f"os.execv({sys.executable!r}, "
        f"[{sys.executable!r}, '-m', 'kit.server.cli', *sys.argv[1:]])",
        "jupyter": "print(os.getcwd()); print(*sys.argv[1:], sep='\\n')",
    }
    for name, body in scripts.items():
        script = venv / "bin" / name
        script.write_text(f"#!{python}\nimport os, sys\n{body}\n")
        script.chmod(0o755)
    (venv / ".installed-base").touch()
    return venv


def run_from(folder: Path, venv: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``ROOT/run ARGS`` started from ``folder`` by a relative path, as a course leader types it."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KIT_"))
    }
    environ.update(KIT_VENV=str(venv), PYTHON=BASE_PYTHON, LANG="C.UTF-8", **env)
    command = os.path.relpath(ROOT / "run", folder)
    return subprocess.run(
        [command, *args], capture_output=True, text=True, env=environ, cwd=folder, timeout=300
    )


def test_file_names_are_read_where_the_command_was_typed(kit_venv, tmp_path):
    """`../kit/run samskaping template minfil.csv` writes into the folder it was typed in, and
    check-cases finds a file there; the messages name the command that works from there."""
    work = tmp_path / "work"
    work.mkdir()
    out = run_from(work, kit_venv, "samskaping", "template", "minfil.csv")
    assert out.returncode == 0, out.stderr
    assert (work / "minfil.csv").is_file()
    assert not (ROOT / "minfil.csv").exists()
    command = f"{os.path.relpath(ROOT / 'run', work)} samskaping"
    assert out.stdout.strip().endswith(f"{command} check-cases minfil.csv"), out.stdout
    check = run_from(work, kit_venv, "samskaping", "check-cases", "minfil.csv")
    assert check.returncode == 0 and check.stdout.startswith("OK: 1 "), check.stdout + check.stderr
    both = run_from(work, kit_venv, "samskaping", "check-cases", "minfil.csv", "--library")
    assert both.returncode == 2 and f"({command} check-cases FIL)" in both.stderr, both.stderr


def test_serve_reads_its_paths_where_the_command_was_typed(kit_venv, tmp_path):
    """A relative --db file of `./run serve` is the one in the folder the command was typed in
    (here a file that is no database: serve refuses it before starting anything), and a port
    already taken is explained with the command that works from there."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "svar.db").write_text("not a database\n" * 200)
    out = run_from(work, kit_venv, "serve", "--port", str(free_port()), "--db", "sqlite:///svar.db")
    assert out.returncode == 2
    assert t("live_err_store_not_database", "nb") in out.stderr, out.stderr
    assert not (ROOT / "svar.db").exists()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_from(work, kit_venv, "serve", "--port", str(port))
    assert out.returncode == 2
    command = f"{os.path.relpath(ROOT / 'run', work)} samskaping"
    assert f"{command} serve --port 8870" in out.stderr, out.stderr


def test_lab_starts_jupyterlab_on_the_notebooks_on_this_machine_only(kit_venv, tmp_path):
    out = run_from(tmp_path, kit_venv, "lab", "--no-browser")
    assert out.returncode == 0, out.stderr
    cwd, *argv = out.stdout.splitlines()
    assert Path(cwd) == ROOT
    assert argv == [
        "lab",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.root_dir=notebooks",
        "--no-browser",
    ]
    assert (ROOT / "notebooks").is_dir()


def test_the_test_run_says_why_tests_were_skipped(tmp_path):
    """The suite's settings (pyproject.toml) print each skip's reason, and the reasons of the
    tests that need something this machine may lack say how to get it."""
    (tmp_path / "test_needs.py").write_text(
        "from tests.conftest import PG_HOWTO\nimport pytest\n\n"
        "def test_postgres():\n    pytest.skip(PG_HOWTO)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
        ]
        + ["-p", "no:cacheprovider", str(tmp_path / "test_needs.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "CI"},
        timeout=120,
    )
    assert out.returncode == 0, out.stdout
    assert "SKIPPED [1]" in out.stdout and "source .ci/postgres.sh" in out.stdout, out.stdout
    assert (ROOT / ".ci" / "postgres.sh").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fast", "-q"], ["-n", "auto", "--fast", "-q"]),  # the quick tier on every core
        (["--fast", "-n", "3"], ["--fast", "-n", "3"]),  # the caller chose the workers
        (["--fast", "-n0"], ["--fast", "-n0"]),
        (["--fast", "-p", "no:xdist"], ["--fast", "-p", "no:xdist"]),
        (["-q", "tests/test_run.py"], ["-q", "tests/test_run.py"]),  # the whole suite: one process
    ],
)
def test_the_fast_tier_runs_on_every_core_unless_told_otherwise(kit_venv, tmp_path, args, expected):
    """`./run test --fast` hands pytest `-n auto` (pytest-xdist); `./run test` does not. A
    stand-in `pytest` module on PYTHONPATH prints the arguments it was given."""
    fake = tmp_path / "fake"
    (fake / "pytest").mkdir(parents=True)
    (fake / "pytest" / "__init__.py").write_text("")
    (fake / "pytest" / "__main__.py").write_text("import sys\nprint(*sys.argv[1:], sep='\\n')\n")
    (kit_venv / ".installed-test").touch()  # newer than pyproject.toml: nothing to install
    out = run_from(tmp_path, kit_venv, "test", *args, PYTHONPATH=str(fake))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == expected
