"""Lesson content of the concepts app: contrast pairs and check questions, with pure checking.

Loaded from ``data/begreper.yaml``. No widgets here: the app calls :func:`check_choice` and shows
the :class:`Feedback` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader
from kit.model.model import PROCESSES


@dataclass(frozen=True)
class Example:
    """One side of a contrast pair."""

    text: Text
    process: str  #: samskaping, samproduksjon, verdisamskaping or ingen
    level: int | None
    from_source: bool  #: True for the source's own example, False for a constructed one


@dataclass(frozen=True)
class ContrastPair:
    """The same setting twice, with a different process: the difference made visible."""

    id: str
    title: Text
    a: Example
    b: Example
    point: Text


@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class CheckQuestion:
    """A multiple-choice question with one right answer and an explanation."""

    id: str
    question: Text
    options: tuple[Option, ...]
    answer: str
    explanation: Text

    def option(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)


@dataclass(frozen=True)
class Feedback:
    """What the learner is told after answering."""

    correct: bool
    chosen: str | None
    answer: Option
    explanation: Text


@dataclass(frozen=True)
class Lesson:
    contrasts: tuple[ContrastPair, ...]
    questions: tuple[CheckQuestion, ...]


def check_choice(question: CheckQuestion, chosen: str | None) -> Feedback:
    """Judge one answer. ``chosen`` is an option key, or None when nothing was picked."""
    if chosen is not None and chosen not in {o.key for o in question.options}:
        raise ValueError(f"{chosen!r} is not an option of question {question.id!r}")
    return Feedback(
        correct=chosen == question.answer,
        chosen=chosen,
        answer=question.option(question.answer),
        explanation=question.explanation,
    )


def _example(r: Reader, node: Any, where: str) -> Example:
    process = r.choice(node, "process", where, PROCESSES)
    level = node.get("level") if isinstance(node, dict) else None
    if level is not None and level not in (1, 2, 3):
        raise r.fail(f"{where}.level", "must be 1, 2, 3 or empty")
    return Example(
        text=r.text_field(node, "text", where),
        process=process,
        level=level,
        from_source=bool(node.get("source", False)),
    )


def parse_lesson(raw: Any, path: Path) -> Lesson:
    """Build the lesson from parsed YAML; problems name the file and the field."""
    r = Reader(path)
    raw = r.top(raw)
    contrasts = []
    for i, node in enumerate(r.items(raw, "contrasts", "")):
        where = f"contrasts[{i}]"
        contrasts.append(
            ContrastPair(
                id=r.string(node, "id", where),
                title=r.text_field(node, "title", where),
                a=_example(r, r.get(node, "a", where), f"{where}.a"),
                b=_example(r, r.get(node, "b", where), f"{where}.b"),
                point=r.text_field(node, "point", where),
            )
        )
    questions = []
    for i, node in enumerate(r.items(raw, "questions", "")):
        where = f"questions[{i}]"
        options = tuple(
            Option(
                key=r.string(o, "key", f"{where}.options[{j}]"),
                label=r.text_field(o, "label", f"{where}.options[{j}]"),
            )
            for j, o in enumerate(r.items(node, "options", where))
        )
        answer = r.string(node, "answer", where)
        if answer not in {o.key for o in options}:
            raise r.fail(f"{where}.answer", f"{answer!r} is not one of the option keys")
        questions.append(
            CheckQuestion(
                id=r.string(node, "id", where),
                question=r.text_field(node, "question", where),
                options=options,
                answer=answer,
                explanation=r.text_field(node, "explanation", where),
            )
        )
    return Lesson(contrasts=tuple(contrasts), questions=tuple(questions))


_BEGREPER = ContentFile("begreper.yaml", parse_lesson)


def load_lesson(path: str | Path | None = None) -> Lesson:
    """Load the concepts lesson (default: ``data/begreper.yaml``)."""
    return _BEGREPER.load(path)
