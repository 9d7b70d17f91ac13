"""A case to classify: the domain object of the exercise, and its JSON forms (pure; no file
reading here): what a phone sees before the reveal, the key it sees after, and the whole case
set as the live store keeps it.

Reading and validating case files (YAML, CSV, XLSX) lives in :mod:`kit.cases.casefile`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kit.core.i18n import LANGUAGES, has_text, t
from kit.core.text import Text
from kit.model.model import LEVELS, PROCESSES

#: The level each process belongs to in the model (the loader enforces it).
ALLOWED_LEVELS: dict[str, tuple[int | None, ...]] = {
    "samskaping": (1, 2),
    "samproduksjon": (3,),
    "verdisamskaping": (3,),
    "ingen": (None,),
}
#: How hard a case is to classify, easiest first (MODEL.md "Difficulty"); a case without one is
#: ``lett``.
TIERS: tuple[str, ...] = ("lett", "middels", "vanskelig")
DEFAULT_TIER = TIERS[0]

__all__ = [
    "ALLOWED_LEVELS",
    "Answer",
    "InvalidAnswerError",
    "DEFAULT_TIER",
    "LEVELS",
    "PROCESSES",
    "TIERS",
    "Case",
    "cases_from_json",
    "cases_to_json",
    "domain_label",
    "find_marked",
]


def find_marked(text: str, marked: str) -> tuple[int, int] | None:
    """Where ``marked`` occurs in ``text`` as (start, end), or None.

    The words must match exactly and in order; only the whitespace between them may differ
    (a line break in a spreadsheet cell, a folded YAML line), so the check stays "verbatim"
    for the reader. The first occurrence counts.
    """
    words = marked.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text)
    return found.span() if found else None


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
    tier: str = DEFAULT_TIER  #: vanskelighet: lett, middels or vanskelig
    facilitator: Text | None = None  #: a note for the course leader (what is at stake), if any
    chain: str | None = None  #: kjede: the id shared by the cases of one chain, if any
    #: markert: the sentence of the text the learner classifies; in each language it occurs
    #: verbatim in ``text`` in that language (the loader checks)
    marked: Text | None = None
    #: forskjell: what differs from its contrast partner (the deciding cue), shown once both
    #: cases of the pair are answered; written on one of the two cases (see kit.cases.pairs)
    difference: Text | None = None

    def marked_parts(self, lang: str) -> tuple[str, str, str] | None:
        """The text in ``lang`` as (before, marked part, after); None without a marked part.

        The marked part falls back to bokmål exactly where the text does, so text and marked
        part are always in the same language.
        """
        if self.marked is None:
            return None
        text = self.text.get(lang)
        span = find_marked(text, self.marked.get(lang if lang in self.text.languages else "nb"))
        if span is None:
            return None
        start, end = span
        return text[:start], text[start:end], text[end:]

    def marked_json(self, languages: tuple[str, ...] = ("nb", "nn", "en")) -> dict[str, list[str]]:
        """:meth:`marked_parts` per language, for a page that renders them itself (each part as
        text; the middle one marked); empty without a marked part."""
        out: dict[str, list[str]] = {}
        for lang in languages:
            parts = self.marked_parts(lang)
            if parts is not None:
                out[lang] = list(parts)
        return out

    def phone_json(self) -> dict[str, Any]:
        """The case as a phone may see it before the reveal: no process, level or explanation."""
        return {
            "id": self.id,
            "title": dict(self.title.as_dict()),
            "text": dict(self.text.as_dict()),
            "domain": {lang: domain_label(self.domain, lang) for lang in LANGUAGES},
            # A chain case: the text in three parts per language, the middle one to classify.
            "marked": self.marked_json(LANGUAGES),
        }

    def key_json(self) -> dict[str, Any]:
        """The case's key once revealed, as the phones show it."""
        return {
            "process": self.process,
            "level": self.level,
            "explanation": dict(self.explanation.as_dict()),
        }

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}")
        if self.process not in PROCESSES:
            raise ValueError(f"unknown process {self.process!r}")
        if self.level not in ALLOWED_LEVELS[self.process]:
            raise ValueError(f"{self.process} cannot be at level {self.level}")


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"$text": dict(value.as_dict())}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$text" in value:
        return Text(**value["$text"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def cases_to_json(cases: Sequence[Case]) -> str:
    """The case set as JSON, every field and every language of every text kept."""
    payload = [
        {f.name: _encode(getattr(case, f.name)) for f in dataclasses.fields(Case)} for case in cases
    ]
    # ensure_ascii: lone surrogates or control characters in a teacher's file survive as escapes.
    return json.dumps({"v": 1, "cases": payload}, ensure_ascii=True)


def cases_from_json(raw: str) -> tuple[Case, ...]:
    known = {f.name for f in dataclasses.fields(Case)}
    data = json.loads(raw)
    return tuple(
        Case(**{k: _decode(v) for k, v in item.items() if k in known}) for item in data["cases"]
    )


class InvalidAnswerError(ValueError):
    """Raised by :meth:`Answer.checked`; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Answer:
    """One answer to a case: a process and its level (``None``: "no level", for ``ingen``).

    The one type the exercise, the practice and the live room pass around, instead of
    ``(process, level)`` pairs with 0 standing for "no level". Always valid: a bad process or
    level raises InvalidAnswerError (a ValueError) naming the field.
    """

    process: str
    level: int | None

    def __post_init__(self) -> None:
        if not isinstance(self.process, str) or self.process not in PROCESSES:
            raise InvalidAnswerError(f"unknown process {self.process!r}", "process")
        # bool is an int in Python; True must not pass for level 1.
        if self.level is not None and (type(self.level) is not int or self.level not in LEVELS):
            raise InvalidAnswerError(f"level must be 1, 2, 3 or None, not {self.level!r}", "level")

    @classmethod
    def checked(cls, process: object, level: object) -> Answer:
        """An answer from untrusted input (a phone, a widget), or InvalidAnswerError."""
        return cls(process, level)  # type: ignore[arg-type]  # __post_init__ checks both

    @classmethod
    def from_choice(cls, process: str, level_choice: int) -> Answer:
        """From radio buttons whose "no level" option has the value 0."""
        return cls.checked(process, level_choice or None)

    @property
    def level_choice(self) -> int:
        """The value of the level radio buttons (0 for "no level")."""
        return self.level or 0
