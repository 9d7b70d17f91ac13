"""Questions besides the cases in a live session: open text (a word cloud), a scale, a poll.

Pure: the question type, the ready-made questions of ``data/questions.yaml``, how a phone's
response is checked, and a session's items (cases, contrast pairs and questions, in the
presenter's order) as the store keeps them. No database, no web, no widgets.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, Union

from kit.cases.case import Case, cases_from_json, cases_to_json
from kit.cases.pairs import ContrastPair, flat_cases
from kit.core.i18n import LANGUAGES
from kit.core.text import Text
from kit.core.yamlio import ContentError, ContentFile, Reader

#: The kinds of question, in the order the presenter lists them.
KINDS: tuple[str, ...] = ("open", "scale", "poll")
#: A scale runs from 1 to this.
SCALE_POINTS = 5
#: An open answer is a word or a short phrase: longer input is refused, not cut.
OPEN_MAX = 40
#: How many open answers one participant may give to one question.
OPEN_ENTRIES = 3
#: A poll has at least two options and at most this many.
POLL_MAX = 8
#: Every question id starts with this, so a question never takes a case's id.
QUESTION_PREFIX = "q-"


class ResponseError(ValueError):
    """A phone's response does not fit the question; ``reason`` is an i18n key suffix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Question:
    """A question the room answers (no key: there is no right answer)."""

    id: str
    kind: str
    prompt: Text
    options: tuple[Text, ...] = ()  #: a poll's options
    low: Text | None = None  #: a scale's label at 1
    high: Text | None = None  #: a scale's label at SCALE_POINTS
    level: int | None = None  #: the model level it belongs to, if any
    source: bool = False  #: the source's own wording (else the kit's question)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown question kind {self.kind!r}")
        if not self.id.startswith(QUESTION_PREFIX):
            raise ValueError(f"a question id starts with {QUESTION_PREFIX!r}: {self.id!r}")
        if self.kind == "poll" and not 2 <= len(self.options) <= POLL_MAX:
            raise ValueError(f"a poll has 2 to {POLL_MAX} options")
        if self.kind == "scale" and (self.low is None or self.high is None):
            raise ValueError("a scale needs labels for both ends")

    def title(self, lang: str) -> str:
        return self.prompt.get(lang)

    def phone_json(self) -> dict[str, Any]:
        """What a phone shows (every language: the phone picks)."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "prompt": dict(self.prompt.as_dict()),
            "source": self.source,
        }
        if self.kind == "poll":
            out["options"] = [dict(o.as_dict()) for o in self.options]
        if self.kind == "scale":
            assert self.low is not None and self.high is not None
            out["points"] = SCALE_POINTS
            out["low"] = dict(self.low.as_dict())
            out["high"] = dict(self.high.as_dict())
        if self.kind == "open":
            out["max"] = OPEN_MAX
            out["entries"] = OPEN_ENTRIES
        return out

    def check(self, value: object) -> str:
        """The response as stored, or ResponseError: open text stripped and bounded, a scale
        point "1".."5", a poll option's index "0".."n-1"."""
        if self.kind == "open":
            if not isinstance(value, str):
                raise ResponseError("empty")
            text = " ".join(unicodedata.normalize("NFC", value).split())
            if not text:
                raise ResponseError("empty")
            if len(text) > OPEN_MAX:
                raise ResponseError("too_long")
            if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
                raise ResponseError("bad_text")
            return text
        bound = SCALE_POINTS if self.kind == "scale" else len(self.options)
        first = 1 if self.kind == "scale" else 0
        if isinstance(value, bool) or not isinstance(value, int):
            raise ResponseError("choose")
        if not first <= value < first + bound:
            raise ResponseError("choose")
        return str(value)


#: What a live session holds, in the presenter's order: a case, a contrast pair (its two cases
#: shown side by side, answered one by one) or a question.
Item: TypeAlias = Union[Case, ContrastPair, Question]  # noqa: UP007 (evaluated at run time)


@dataclass(frozen=True)
class QuestionBank:
    questions: tuple[Question, ...]
    banned: Mapping[str, tuple[str, ...]]  #: per language, the default banned words

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


def _question(r: Reader, node: Any, where: str) -> Question:
    kind = r.choice(node, "kind", where, KINDS)
    level = node.get("level")
    if level is not None and level not in (1, 2, 3):
        raise r.fail(f"{where}.level", "must be 1, 2 or 3")
    source = node.get("source", False)
    if not isinstance(source, bool):
        raise r.fail(f"{where}.source", "must be true or false")
    try:
        return Question(
            id=r.string(node, "id", where),
            kind=kind,
            prompt=r.text_field(node, "prompt", where),
            options=r.texts(node, "options", where) if kind == "poll" else (),
            low=r.text_field(node, "low", where) if kind == "scale" else None,
            high=r.text_field(node, "high", where) if kind == "scale" else None,
            level=level,
            source=source,
        )
    except ContentError:
        raise
    except ValueError as exc:
        raise r.fail(where, str(exc)) from None


def parse_questions(raw: Any, path: Path) -> QuestionBank:
    r = Reader(path)
    top = r.top(raw)
    questions = tuple(
        _question(r, node, f"questions[{i}]")
        for i, node in enumerate(r.items(top, "questions", ""))
    )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise r.fail("questions", "question ids must be unique")
    banned_node = r.get(top, "banned", "")
    if not isinstance(banned_node, dict):
        raise r.fail("banned", "expected a list of words per language")
    banned: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        words = banned_node.get(lang, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise r.fail(f"banned.{lang}", "must be a list of words")
        banned[lang] = tuple(words)
    return QuestionBank(questions, banned)


_QUESTIONS = ContentFile("questions.yaml", parse_questions)


def load_questions(path: str | Path | None = None) -> QuestionBank:
    """The ready-made questions (``data/questions.yaml``) or a copy at ``path``."""
    return _QUESTIONS.load(path)


# -- a session's items as the store keeps them


def _text(value: Mapping[str, str] | None) -> Text | None:
    return Text(**value) if value else None


def question_json(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "kind": q.kind,
        "prompt": dict(q.prompt.as_dict()),
        "options": [dict(o.as_dict()) for o in q.options],
        "low": dict(q.low.as_dict()) if q.low else None,
        "high": dict(q.high.as_dict()) if q.high else None,
        "level": q.level,
        "source": q.source,
    }


def question_from_json(data: Mapping[str, Any]) -> Question:
    prompt = _text(data["prompt"])
    assert prompt is not None
    return Question(
        id=data["id"],
        kind=data["kind"],
        prompt=prompt,
        options=tuple(Text(**o) for o in data.get("options") or ()),
        low=_text(data.get("low")),
        high=_text(data.get("high")),
        level=data.get("level"),
        source=bool(data.get("source")),
    )


def items_to_json(items: Sequence[Item]) -> str:
    """A session's items: every case as :func:`cases_to_json` writes them, a pair's two
    included (so a reader that knows only cases still finds them), its questions and pairs
    (by their cases' ids) beside them, and the order of the items."""
    questions = [i for i in items if isinstance(i, Question)]
    pairs = [i for i in items if isinstance(i, ContrastPair)]
    data = json.loads(cases_to_json(flat_cases(items)))
    if questions:
        data["questions"] = [question_json(q) for q in questions]
    if pairs:
        data["pairs"] = [{"id": p.id, "cases": [p.first.id, p.second.id]} for p in pairs]
    if questions or pairs:
        data["order"] = [i.id for i in items]
    return json.dumps(data, ensure_ascii=True)


def items_from_json(raw: str) -> tuple[Item, ...]:
    """The items in the presenter's order (a payload with cases only: the cases)."""
    cases = cases_from_json(raw)
    data = json.loads(raw)
    questions = [question_from_json(q) for q in data.get("questions") or ()]
    order = data.get("order")
    if not order:
        return (*cases, *questions)
    by_id: dict[str, Item] = {c.id: c for c in cases}
    for entry in data.get("pairs") or ():
        first, second = entry["cases"]
        if first in by_id and second in by_id:
            pair = ContrastPair(by_id[first], by_id[second])  # type: ignore[arg-type]
            by_id[pair.id] = pair
    by_id.update((q.id, q) for q in questions)
    return tuple(by_id[i] for i in order if i in by_id)


def check_items(items: Sequence[Item]) -> tuple[Item, ...]:
    """The items of a new session, or ValueError: at least one, ids unique, and no case twice
    (alone and in a pair, or in two pairs)."""
    items = tuple(items)
    if not items:
        raise ValueError("a session needs at least one case or question")
    ids = [i.id for i in items]
    cases = [c.id for c in flat_cases(items)]
    if len(set(ids)) != len(ids) or len(set(cases)) != len(cases):
        raise ValueError("case and question ids must be unique within a session")
    return items
