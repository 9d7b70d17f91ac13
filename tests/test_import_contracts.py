"""The import contracts in pyproject.toml (`./run lint-imports`, CI runs it) catch what they say.

Each test copies the package and pyproject.toml to a temporary folder, breaks one rule there and
runs import-linter on the copy: the contract that names the rule must break, naming the import.
The unmodified copy keeps every contract (the positive control: a violation below is found in
the copy, not in the checkout).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser from PyPI (the test extra installs it there only)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = {
    c["id"]: c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
}
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "kit", tmp_path / "kit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(project: Path) -> tuple[int, str, dict[str, str]]:
    """import-linter's exit code and report on ``project``, and each contract's verdict."""
    out = subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
    )
    report = out.stdout + out.stderr
    verdicts = {
        name: verdict
        for name, verdict in re.findall(r"^(.+?) (KEPT|BROKEN)\b", report, flags=re.MULTILINE)
    }
    return out.returncode, report, verdicts


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_every_contract_is_kept_by_the_package_as_it_is(project):
    code, report, verdicts = lint(project)
    assert code == 0, report
    assert verdicts == {name: "KEPT" for name in CONTRACTS.values()}, report


VIOLATIONS = [
    # (file, line added, the contract that must break, the import it must name)
    ("core/text.py", "import ipywidgets", "ui-libraries", "kit.core.text -> ipywidgets"),
    ("model/model.py", "import altair", "ui-libraries", "kit.model.model -> altair"),
    ("live/store.py", "from tornado import web", "ui-libraries", "kit.live.store -> tornado"),
    ("model/labels.py", "import anywidget", "ui-libraries", "kit.model.labels -> anywidget"),
    ("live/hub.py", "from tornado import ioloop", "ui-libraries", "kit.live.hub -> tornado"),
    ("live/controller.py", "import traitlets", "ui-libraries", "kit.live.controller -> traitlets"),
    # a module no contract lists: pure by its name
    ("plans/numbers.py", "import altair", "ui-libraries", "kit.plans.numbers -> altair"),
    (
        "model/html.py",
        "from IPython.display import HTML",
        "no-ipython",
        "kit.model.html -> IPython",
    ),
    (
        "cases/case.py",
        "from kit.core.ui.controls import ChoiceGroup",
        "pure-modules",
        "kit.cases.case -> kit.core.ui.controls",
    ),
    (
        "live/page.py",
        "from kit.live.handlers import handlers",
        "pure-modules",
        "kit.live.page -> kit.live.handlers",
    ),
    (
        "classify/html.py",
        "from kit.classify.charts import confusion_chart",
        "pure-modules",
        "kit.classify.html -> kit.classify.charts",
    ),
    ("core/paths.py", "import kit.model.model", "layers", "kit.core.paths -> kit.model.model"),
    ("model/model.py", "import kit.cases.case", "layers", "kit.model.model -> kit.cases.case"),
    ("cases/case.py", "import kit.live.room", "layers", "kit.cases.case -> kit.live.room"),
    ("plans/plans.py", "import kit.server.serve", "layers", "kit.plans.plans -> kit.server.serve"),
    (
        "compass/compass.py",
        "import kit.classify.exercise",
        "apps",
        "kit.compass.compass -> kit.classify.exercise",
    ),
    ("plans/app.py", "from kit.live import charts", "apps", "kit.plans.app -> kit.live.charts"),
    (
        "live/presenter_html.py",
        "import kit.classify.exercise",
        "apps",
        "kit.live.presenter_html -> kit.classify.exercise",
    ),
    (
        "concepts/lessons.py",
        "import kit.guide.start_html",
        "apps",
        "kit.concepts.lessons -> kit.guide.start_html",
    ),
]


@pytest.mark.parametrize(("file", "line", "contract", "named"), VIOLATIONS)
def test_a_broken_rule_breaks_its_contract(project, file, line, contract, named):
    target = project / "kit" / file
    if not target.exists():  # a new module
        target.write_text('"""A new module."""\n', encoding="utf-8")
    add_line(target, line)
    code, report, verdicts = lint(project)
    assert code != 0, report
    assert verdicts[CONTRACTS[contract]] == "BROKEN", report
    broken = report[report.index("Broken contracts") :]
    assert CONTRACTS[contract] in broken and named in broken, report


def test_an_app_may_build_on_the_shared_features(project):
    """The cases, the model and the live room's ground."""
    add_line(project / "kit" / "compass" / "compass.py", "import kit.live.store, kit.live.hub")
    add_line(project / "kit" / "plans" / "plans.py", "import kit.cases.case, kit.model.model")
    code, report, verdicts = lint(project)
    assert code == 0, report
    assert verdicts == {name: "KEPT" for name in CONTRACTS.values()}, report


def test_a_new_feature_must_be_given_its_layer(project):
    """The layers contract is exhaustive: a package it does not place breaks it."""
    (project / "kit" / "newfeature").mkdir()
    (project / "kit" / "newfeature" / "__init__.py").write_text('"""New."""\n', encoding="utf-8")
    code, report, verdicts = lint(project)
    assert code != 0, report
    assert verdicts[CONTRACTS["layers"]] == "BROKEN", report
    assert "kit.newfeature" in report[report.index("Broken contracts") :], report
