"""Where the kit's content lives.

Content (the model, texts, cases) is kept in the repository's top-level ``data/`` folder so that
course leaders can read and edit it. An installed wheel carries a copy as ``kit/_data``.
``KIT_DATA_DIR`` points elsewhere (tests, a course leader's own copy).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder holding model.yaml, i18n/ and the other content files."""
    override = os.environ.get("KIT_DATA_DIR")
    if override:
        return Path(override)
    repo_data = PACKAGE_DIR.parent / "data"
    if repo_data.is_dir():
        return repo_data
    return PACKAGE_DIR / "_data"


def notebooks_dir() -> Path:
    """The folder with the apps (notebooks) that ``samskaping serve`` serves."""
    override = os.environ.get("KIT_NOTEBOOKS_DIR")
    if override:
        return Path(override)
    return PACKAGE_DIR.parent / "notebooks"


def share_dir() -> Path:
    """The ``share/jupyter`` folder with the kit's Voilà template."""
    return PACKAGE_DIR / "share" / "jupyter"
