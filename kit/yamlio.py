"""Reading the kit's YAML content files with messages that name the file and the place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ContentError(ValueError):
    """A content file in data/ is missing, unreadable or malformed.

    The message names the file and the field, so a course leader who edited it can mend it.
    """


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a ContentError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{path}{where}: invalid YAML: {problem}") from None
