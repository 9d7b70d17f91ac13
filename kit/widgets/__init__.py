"""The apps as widget classes: one class per app, each a container that displays itself.

Import from here in notebooks: ``from kit.widgets import Begreper; Begreper()``. Classes are
imported on first use, so a light app does not load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "App": "base",
    "PageSync": "base",
    "Start": "start",
    "Begreper": "concepts",
    "Modellen": "explorer",
    "Klassifisering": "classify",
    "Kompass": "compass",
    "Presentator": "presenter",
    "Kommuneplaner": "plans",
    "Lysbilder": "slides",
    "Fasilitatorguide": "guide",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
