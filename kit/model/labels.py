"""The one place that names a process or a level in a language (pure).

Every app, chart, export and the participant page calls these, so "samskaping", "Nivå 2" and
"Ikke noe nivå" are spelled by one key each in ``data/i18n``.
"""

from __future__ import annotations

from kit.core.i18n import t
from kit.model.model import LEVELS, PROCESSES


def process_label(process: str, lang: str) -> str:
    """Display name of a process key (samskaping, samproduksjon, verdisamskaping, ingen)."""
    return t(f"process_{process}", lang)


def level_label(level: int | None, lang: str) -> str:
    """ "Nivå 2", or "Ikke noe nivå" for a case on no level (``None`` or 0)."""
    return t("level_n", lang, n=level) if level else t("level_none", lang)


def process_labels(lang: str) -> dict[str, str]:
    """Every process key and its display name, in the model's order."""
    return {p: process_label(p, lang) for p in PROCESSES}


def process_options(lang: str) -> list[tuple[str, str]]:
    return [(process_label(p, lang), p) for p in PROCESSES]


def level_options(lang: str) -> list[tuple[str, int]]:
    """The levels; "no level" has the value 0."""
    return [(level_label(lv, lang), lv or 0) for lv in LEVELS]
