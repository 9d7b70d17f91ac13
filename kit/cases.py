"""A case to classify: the domain object of the exercise (pure; no file reading here).

Reading and validating case files (YAML, CSV, XLSX) lives in :mod:`kit.casefile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import has_text, t
from .model import PROCESSES
from .text import Text

#: The level each process belongs to in the model (the loader enforces it).
ALLOWED_LEVELS: dict[str, tuple[int | None, ...]] = {
    "samskaping": (1, 2),
    "samproduksjon": (3,),
    "verdisamskaping": (3,),
    "ingen": (None,),
}
LEVELS: tuple[int | None, ...] = (1, 2, 3, None)

__all__ = ["ALLOWED_LEVELS", "LEVELS", "PROCESSES", "Case", "domain_label"]


def domain_label(domain: str, lang: str) -> str:
    """A domain's display name: translated for the library's domains, as written otherwise."""
    if not domain:
        return t("domain_unknown", lang)
    key = "domain_" + domain.strip().lower().replace(" ", "_")
    return t(key, lang) if has_text(key, lang) else domain


@dataclass(frozen=True)
class Case:
    """A short, constructed situation and its answer key."""

    id: str
    title: Text
    text: Text
    process: str  #: samskaping, samproduksjon, verdisamskaping or ingen
    level: int | None  #: 1, 2, 3, or None for "ingen"
    explanation: Text  #: why, pointing to the model
    domain: str = ""  #: område, e.g. "eldreomsorg"; may be empty in a teacher's file
    pair: str | None = None  #: id of its contrast partner, if any

    def __post_init__(self) -> None:
        if self.process not in PROCESSES:
            raise ValueError(f"unknown process {self.process!r}")
        if self.level not in ALLOWED_LEVELS[self.process]:
            raise ValueError(f"{self.process} cannot be at level {self.level}")
