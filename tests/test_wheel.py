"""The built wheel is the whole kit: installed into a fresh venv, ``samskaping serve`` run from an
unrelated folder serves every app, the participant page and its assets.

The wheel is built with pip (hatchling, as pyproject.toml says) and installed with its
dependencies into a venv of its own (no system site-packages, no PYTHONPATH, the working
directory a temporary folder), so nothing can come from the repository checkout; the test
asserts that ``kit`` and its content are imported from the new venv. About a minute, most of it
pip installing the dependencies.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from .conftest import APP_NOTEBOOKS, ROOT, Server, free_port
from .test_serve import APPS

pytestmark = pytest.mark.server

#: What `samskaping serve` reads besides the code, as paths inside the wheel.
NEEDED_IN_WHEEL = (
    *(f"kit/_notebooks/{nb}" for nb in APP_NOTEBOOKS),
    "kit/_data/model.yaml",
    "kit/_data/cases.yaml",
    "kit/_data/fasilitatorguide.md",
    "kit/_data/kommuneplaner_eksempel.csv",
    *(f"kit/_data/i18n/{lang}/core.yaml" for lang in ("nb", "nn", "en")),
    "kit/server/share/jupyter/voila/templates/samskaping/index.html.j2",
    "kit/server/share/jupyter/voila/templates/samskaping/conf.json",
    "kit/server/share/jupyter/kernels/samskaping/kernel.json",
    "kit/live/static/delta.html",
    "kit/live/static/delta.js",
    "kit/live/static/delta.css",
    "kit/live/static/common.js",  # put in front of each kernel-less page's script
    "kit/live/static/head.html",  # and their shared head
    "kit/live/static/top.html",  # the participants' pages' heading and language form
    "kit/live/static/code.html",  # and the join code's field
    "kit/live/static/participant.css",  # and their shared style
    "kit/live/static/screen.html",  # the big screen (presentation mode)
    "kit/live/static/screen.js",
    "kit/live/static/screen.css",
    # the workshop's participant page (/verksted) and the agenda it shows
    "kit/workshop/static/verksted.html",
    "kit/workshop/static/verksted.js",
    "kit/workshop/static/verksted.css",
    "kit/_data/workshop.yaml",
    "kit/server/share/jupyter/voila/templates/samskaping/static/kit.css",
    "kit/_docs/hurtigstart.md",  # the course leaders' quick start, linked from the start page
)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert out.returncode == 0, f"{cmd} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)])
    (path,) = dist.glob("samskaping_kit-*.whl")
    return path


def clean_env(venv: Path) -> dict[str, str]:
    """This process's environment without anything that could lead back to the repository or
    the test venv: no PYTHONPATH, no KIT_*/JUPYTER_* overrides, PATH without the test venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KIT_", "JUPYTER_", "PYTHON", "VIRTUAL_ENV"))
    }
    test_bin = str(Path(sys.executable).parent)
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != test_bin]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *rest])
    return env


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """A fresh venv with the wheel (and its dependencies) installed: (venv, a cwd, env)."""
    base = tmp_path_factory.mktemp("installed")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    env = clean_env(venv)
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        env=env,
        cwd=base,
        timeout=900,
    )
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return venv, elsewhere, env


def test_the_wheel_carries_what_serve_needs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED_IN_WHEEL if n not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    # every case file and every language's texts, as in the repository
    for folder in ("data/cases", "data/i18n/nb", "data/i18n/nn", "data/i18n/en"):
        for path in (ROOT / folder).glob("*.yaml"):
            assert f"kit/_{path.relative_to(ROOT).as_posix()}" in names


def test_installed_kit_comes_from_the_wheel(installed):
    venv, cwd, env = installed
    code = (
        "import kit, kit.core.paths as p; "
        "print(kit.__file__); print(p.data_dir()); print(p.notebooks_dir()); "
        "print(kit.load_model().level(2).name.nb)"
    )
    out = _run([str(venv / "bin" / "python"), "-c", code], cwd=cwd, env=env).stdout.splitlines()
    for path in out[:3]:
        assert Path(path).resolve().is_relative_to(venv.resolve()), out
        assert not Path(path).resolve().is_relative_to(ROOT), out
    assert out[3] == "Tjenesteutvikling og oppgavefordeling"


def test_installed_commands_work_from_any_folder(installed):
    venv, cwd, env = installed
    script = str(venv / "bin" / "samskaping")
    out = _run([script, "check-cases", "--library"], cwd=cwd, env=env)
    assert re.match(r"OK: \d+ ", out.stdout), out.stdout
    _run([script, "template", "mine-case.csv"], cwd=cwd, env=env)
    out = _run([script, "check-cases", "mine-case.csv"], cwd=cwd, env=env)
    assert out.stdout.startswith("OK: 1 "), out.stdout


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=120) as resp:
        return resp.status, resp.read().decode("utf-8")


def test_installed_serve_serves_every_app(installed):
    venv, cwd, env = installed
    srv = Server(
        free_port(),
        cwd / "serve.log",
        command=[str(venv / "bin" / "samskaping")],
        cwd=cwd,
        env=env,
    )
    try:
        srv.wait_ready(timeout=120)
        for notebook in APP_NOTEBOOKS:
            status, page = fetch(f"{srv.url}voila/render/{notebook}")
            assert status == 200, notebook
            assert f"<title>{APPS[notebook]}</title>" in page, notebook
            # the app's one cell ran in a kernel of the installed kit and displayed its widget
            assert "application/vnd.jupyter.widget-view+json" in page, notebook
            assert "There was an error" not in page and "Traceback" not in page, notebook
        status, page = fetch(f"{srv.url}delta")
        assert status == 200 and '<script type="module">' in page and "kit-config" in page
        status, page = fetch(f"{srv.url}verksted")  # the workshop's page, from the wheel too
        assert status == 200 and '<script type="module">' in page and "kit-party" in page
        for asset in ("delta.js", "delta.css"):
            status, body = fetch(f"{srv.url}live-static/{asset}")
            assert status == 200 and len(body) > 200, asset
        assert "Traceback" not in srv.log()
    finally:
        srv.stop()
