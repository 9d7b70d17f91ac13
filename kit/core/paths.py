"""Where the kit's content lives.

Content (the model, texts, cases) is kept in the repository's top-level ``data/`` folder so that
course leaders can read and edit it, and the apps in ``notebooks/``. An installed wheel carries a
copy of both inside the package, as ``kit/_data`` and ``kit/_notebooks``; a copy inside the
package always wins, so an installed kit never picks up a stray ``data/`` folder that happens to
lie next to it in ``site-packages``. ``KIT_DATA_DIR`` and ``KIT_NOTEBOOKS_DIR`` point elsewhere
(tests, a course leader's own copy; :mod:`kit.core.config`).
"""

from __future__ import annotations

from pathlib import Path

from kit.core import config

#: The ``kit`` package folder (this file is ``kit/core/paths.py``).
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _packaged_or_repo(packaged: str, repo: str) -> Path:
    inside = PACKAGE_DIR / packaged
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / repo


def data_dir() -> Path:
    """The folder holding model.yaml, i18n/ and the other content files."""
    override = config.DATA_DIR.get()
    if override:
        return override
    return _packaged_or_repo("_data", "data")


def notebooks_dir() -> Path:
    """The folder with the apps (notebooks) that ``samskaping serve`` serves."""
    override = config.NOTEBOOKS_DIR.get()
    if override:
        return override
    return _packaged_or_repo("_notebooks", "notebooks")


def share_dir() -> Path:
    """The ``share/jupyter`` folder with the kit's Voilà template."""
    return PACKAGE_DIR / "server" / "share" / "jupyter"


#: Where Voilà serves the apps' style sheet, below its base URL: the static folder of the kit's
#: Voilà template (Voilà's own route for a template's static files, in ``samskaping serve`` and
#: in Jupyter Server's Voilà extension alike).
STYLE_SHEET_URL = "voila/templates/samskaping/static/kit.css"


def style_sheet() -> Path:
    """The apps' style sheet (design tokens first), ``kit.css`` in the kit's Voilà template:
    the page links it, and an app outside Voilà (JupyterLab) carries it inline."""
    return share_dir() / "voila" / "templates" / "samskaping" / "static" / "kit.css"
