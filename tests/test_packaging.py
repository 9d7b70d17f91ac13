"""Packaging: pyproject.toml and environment.yml agree; `import kit` stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser from PyPI (the test extra installs it there only)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[<>=!~\[ ;]", r.strip(), maxsplit=1)[0].lower().replace("_", "-")
        for r in requirements
    }


def test_environment_yml_lists_the_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_names = names(conda) - {"python", "pip"}
    assert conda_names == names(project["dependencies"])
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part  # installs the kit itself


def test_console_script_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["samskaping"] == "kit.server.cli:main"


def test_import_kit_loads_no_heavy_libraries():
    code = (
        "import sys, kit; kit.load_model(); "
        "print(','.join(m for m in ('ipywidgets','IPython','altair','pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_one_pinned_ruff_everywhere():
    """The test extra (what CI's `./run ruff` uses), the dev extra and pre-commit pin one ruff."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    pins = {r for group in ("test", "dev") for r in extras[group] if r.startswith("ruff")}
    assert len(pins) == 1 and re.fullmatch(r"ruff==\d+\.\d+\.\d+", next(iter(pins)))
    version = next(iter(pins)).split("==")[1]
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    revs = [r["rev"] for r in hooks["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert revs == [f"v{version}"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./run ruff check ." in ci and "./run ruff format --check ." in ci
    assert ci.index("./run ruff format --check .") < ci.index("\n./run test")


def test_type_and_import_checkers_are_pinned_and_run_before_the_tests():
    """CI's `./run mypy` and `./run lint-imports` use exact versions from the test extra (with
    every stub package mypy reads), configured in pyproject.toml, before the tests."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    test_extra = pyproject["project"]["optional-dependencies"]["test"]
    for tool in ("mypy", "import-linter", "grimp", "types-pyyaml"):
        pins = [r for r in test_extra if names([r]) == {tool}]
        assert len(pins) == 1, (tool, pins)
        assert re.fullmatch(r"[\w.-]+==\d+(\.\d+)+", pins[0]), pins[0]
    stubs = [r for r in test_extra if r.lower().startswith("types-")]
    assert stubs and all(re.fullmatch(r"types-[\w.-]+==\d+(\.\d+)+", r) for r in stubs), stubs
    assert pyproject["tool"]["mypy"]["files"] == ["kit"]
    assert pyproject["tool"]["importlinter"]["root_package"] == "kit"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("./run mypy", "./run lint-imports"):
        assert f"\n{command}\n" in ci, command
        assert ci.index(f"\n{command}\n") < ci.index("\n./run test"), command


def test_the_fast_tier_leaves_out_the_slow_kinds_only():
    """``--fast`` deselects browser, server, PostgreSQL, install, LibreOffice, process and
    LMS-validator tests and keeps the rest."""
    files = [
        "tests/test_run.py",
        "tests/test_store_postgres.py",
        "tests/test_serve.py",
        "tests/test_workshop_pdf.py",
        "tests/test_store_concurrency.py",
        "tests/test_lms_validators.py",
    ]

    def collected(*extra: str) -> set[str]:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
            + list(extra)
            + files,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        return {line for line in out.splitlines() if "::" in line}

    everything, fast = collected(), collected("--fast")
    left_out = everything - fast
    assert fast and fast < everything  # some kept, some left out
    assert any("test_from_a_broken_venv_to_working_commands" in t for t in left_out)
    assert any("test_store_postgres.py" in t for t in left_out)
    assert any("test_serve.py" in t for t in left_out)
    assert any("test_workshop_pdf.py::test_libreoffice_" in t for t in left_out)
    assert not any("test_workshop_pdf.py" in t for t in fast)  # LibreOffice or a browser each
    assert any("test_sixty_processes_answer_into_one_sqlite_file" in t for t in left_out)
    assert any("test_qti21_items_run_by_an_independent_qti_engine" in t for t in left_out)
    assert any("test_qti12_assessments_valid_against_the_qti_dtd" in t for t in fast)  # kept
    assert any("test_usage_lists_samskaping" in t for t in fast)  # positive control: kept
