"""samskaping-kit: teach co-creation between municipalities and the voluntary sector.

The public API is re-exported here. Importing ``kit`` loads no widgets, pandas or altair:
the apps import ``kit.widgets`` themselves.
"""

from .casefile import CaseFileError, CaseReport, load_cases, read_cases
from .cases import Case
from .i18n import DEFAULT_LANG, LANGUAGES, Text, normalize_lang, t
from .model import Concept, Flow, Level, Model, Process, load_model
from .yamlio import ContentError

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
]
__version__ = "0.1.0"
