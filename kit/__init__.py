"""samskaping-kit: teach co-creation between municipalities and the voluntary sector.

The public API is re-exported here. Importing ``kit`` loads no widgets, pandas or altair: each
app class (``from kit import Klassifisering``) is imported from its feature package on first use,
so a light app does not load the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kit.cases.case import Case
from kit.cases.casefile import CaseFileError, CaseReport, load_cases, read_cases
from kit.core.i18n import DEFAULT_LANG, LANGUAGES, Text, normalize_lang, t
from kit.core.yamlio import ContentError
from kit.model.model import Concept, Flow, Level, Model, Process, load_model

if TYPE_CHECKING:
    from kit.classify.app import Klassifisering
    from kit.compass.app import Kompass
    from kit.concepts.app import Begreper, Lysbilder
    from kit.guide.app import Fasilitatorguide
    from kit.guide.start import Start
    from kit.live.presenter import Presentator
    from kit.model.app import Modellen
    from kit.plans.app import Kommuneplaner
    from kit.workshop.app import Samarbeidsverksted

#: The apps, one class each, and the module that holds it.
APPS = {
    "Start": "kit.guide.start",
    "Begreper": "kit.concepts.app",
    "Modellen": "kit.model.app",
    "Klassifisering": "kit.classify.app",
    "Kompass": "kit.compass.app",
    "Presentator": "kit.live.presenter",
    "Kommuneplaner": "kit.plans.app",
    "Lysbilder": "kit.concepts.app",
    "Fasilitatorguide": "kit.guide.app",
    "Samarbeidsverksted": "kit.workshop.app",
}


def __getattr__(name: str) -> Any:
    if name in APPS:
        return getattr(importlib.import_module(APPS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Case",
    "CaseFileError",
    "CaseReport",
    "DEFAULT_LANG",
    "LANGUAGES",
    "Concept",
    "ContentError",
    "Flow",
    "Level",
    "Model",
    "Process",
    "Text",
    "load_cases",
    "load_model",
    "normalize_lang",
    "read_cases",
    "t",
    # the apps (imported on first use)
    "Begreper",
    "Fasilitatorguide",
    "Klassifisering",
    "Kommuneplaner",
    "Kompass",
    "Lysbilder",
    "Modellen",
    "Presentator",
    "Samarbeidsverksted",
    "Start",
]
__version__ = "0.1.0"
