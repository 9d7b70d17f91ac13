"""The presenter slides as data: which slides, in which order (pure; loaded from YAML).

Most slide content comes from the model and the concepts lesson; ``data/lysbilder.yaml`` only
orders the slides and holds the discussion questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader

KINDS = (
    "title",
    "premises",
    "concepts",
    "contrast",
    "cocreatable",
    "diagram",
    "level",
    "processes",
    "purposes",
    "discussion",
)


@dataclass(frozen=True)
class Slide:
    kind: str
    level: int | None = None
    pair: str | None = None
    title: Text | None = None
    questions: tuple[Text, ...] = ()


def parse_slides(raw: Any, path: Path) -> tuple[Slide, ...]:
    r = Reader(path)
    raw = r.top(raw)
    slides = []
    for i, node in enumerate(r.items(raw, "slides", "")):
        where = f"slides[{i}]"
        kind = r.choice(node, "kind", where, KINDS)
        if kind == "level":
            level = r.integer(node, "level", where)
            if level not in (1, 2, 3):
                raise r.fail(f"{where}.level", "must be 1, 2 or 3")
            slides.append(Slide(kind, level=level))
        elif kind == "contrast":
            slides.append(Slide(kind, pair=r.string(node, "pair", where)))
        elif kind == "discussion":
            slides.append(
                Slide(
                    kind,
                    title=r.text_field(node, "title", where),
                    questions=r.texts(node, "questions", where),
                )
            )
        else:
            slides.append(Slide(kind))
    return tuple(slides)


_LYSBILDER = ContentFile("lysbilder.yaml", parse_slides)


def load_slides(path: str | Path | None = None) -> tuple[Slide, ...]:
    """Load ``data/lysbilder.yaml`` (or a copy at ``path``)."""
    return _LYSBILDER.load(path)
