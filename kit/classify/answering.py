"""The controls a learner answers a case with, used by the exercise.

The HTML of a case and of the progress line is in :mod:`kit.classify.html` (re-exported here
for older imports).
"""

from __future__ import annotations

from kit.cases.case import LEVELS
from kit.classify.html import case_html, progress_html
from kit.core.i18n import t
from kit.core.ui.controls import ChoiceGroup
from kit.model.labels import level_label, process_label
from kit.model.model import PROCESSES

__all__ = [
    "case_html",
    "level_choice",
    "level_options",
    "process_choice",
    "process_options",
    "progress_html",
]


def process_options(lang: str) -> list[tuple[str, str]]:
    return [(process_label(p, lang), p) for p in PROCESSES]


def level_options(lang: str) -> list[tuple[str, int]]:
    """The levels; "no level" has the value 0."""
    return [(level_label(lv, lang), lv or 0) for lv in LEVELS]


def process_choice(lang: str) -> ChoiceGroup:
    """The process as a labelled radio group of answer cards (native radio inputs)."""
    return ChoiceGroup(process_options(lang), description=t("klass_process_label", lang))


def level_choice(lang: str) -> ChoiceGroup:
    """The level as a labelled radio group of answer cards; "no level" has the value 0."""
    return ChoiceGroup(level_options(lang), description=t("klass_level_label", lang))
