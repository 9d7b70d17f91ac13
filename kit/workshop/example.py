"""The sample workshop (``data/workshop_example.yaml``), so a course leader sees what a workshop
ends with before running one (pure).

The file is read once into :class:`Example` (texts in nb, nn and en); :meth:`Example.workshop`
builds the workshop in one language through the same rules as a live one
(:class:`kit.workshop.model.Workshop`): a text over its bound, an unknown party or an objection
without a reason is a :class:`~kit.core.yamlio.ContentError` naming the file and the entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader
from kit.workshop.compass import compass_questions
from kit.workshop.model import Agenda, Workshop, WorkshopError, load_agenda, new_workshop


@dataclass(frozen=True)
class _Entry:
    """One step of the sample, with where it stands in the file."""

    where: str
    node: dict[str, Any]


@dataclass(frozen=True)
class Example:
    path: Path
    note: Text
    initiative: Text
    held: date | None
    parties: tuple[str, ...]
    custom: tuple[_Entry, ...]
    proposals: tuple[_Entry, ...]
    responses: tuple[_Entry, ...]
    parking: tuple[_Entry, ...]
    outcomes: tuple[_Entry, ...]
    evaluation: _Entry | None
    compass: dict[str, Any]  #: the initiative's compass answers, attached to the draft

    def workshop(self, lang: str, agenda: Agenda | None = None) -> Workshop:
        """The sample as a workshop held in ``lang``."""
        r = Reader(self.path)

        def text(entry: _Entry, key: str) -> str | None:
            node = entry.node.get(key)
            return r.text(node, f"{entry.where}.{key}").get(lang) if node is not None else None

        def field(entry: _Entry, key: str) -> str:
            return r.string(entry.node, key, entry.where)

        @contextmanager
        def rules(where: str) -> Iterator[None]:
            try:
                yield
            except WorkshopError as exc:
                raise r.fail(f"{where}.{exc.field}" if where else exc.field, exc.key) from None

        with rules(""):
            w = new_workshop(
                self.initiative.get(lang),
                lang,
                self.parties,
                held=self.held,
                note=self.note.get(lang),
                agenda=agenda or load_agenda(),
            )
        for e in self.custom:
            with rules(e.where):
                w = w.with_custom_clause(text(e, "title"), text(e, "question"), e.node.get("level"))
        keys: dict[str, str] = {}
        for e in self.proposals:
            key = field(e, "key")
            if key in keys:
                raise r.fail(f"{e.where}.key", "used twice")
            with rules(e.where):
                w = w.propose(
                    field(e, "clause"),
                    field(e, "party"),
                    text(e, "text"),
                    field(e, "by"),
                    text(e, "name"),
                )
            keys[key] = w.proposals[-1].id
        for e in self.responses:
            to = field(e, "to")
            if to not in keys:
                raise r.fail(f"{e.where}.to", f"no proposal with the key {to!r}")
            with rules(e.where):
                w = w.respond(
                    keys[to],
                    field(e, "party"),
                    field(e, "choice"),
                    field(e, "by"),
                    text(e, "reason"),
                    text(e, "name"),
                )
        for e in self.parking:
            with rules(e.where):
                w = w.park(
                    field(e, "party"),
                    text(e, "text"),
                    field(e, "by"),
                    e.node.get("clause"),
                    text(e, "name"),
                )
        for e in self.outcomes:
            with rules(e.where):
                w = w.settle(
                    field(e, "clause"),
                    field(e, "status"),
                    text(e, "wording"),
                    text(e, "owner"),
                    e.node.get("due"),
                )
        if self.evaluation is not None:
            with rules(self.evaluation.where):
                w = w.plan_evaluation(self.evaluation.node.get("date"), text(self.evaluation, "by"))
        if self.compass:
            with rules("compass"):
                w = w.with_compass(self.compass, compass_questions())
        return w


def _entries(r: Reader, top: dict[str, Any], key: str) -> tuple[_Entry, ...]:
    nodes = top.get(key) or []
    if not isinstance(nodes, list):
        raise r.fail(key, "must be a list")
    out = []
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise r.fail(f"{key}[{i}]", "expected a mapping")
        out.append(_Entry(f"{key}[{i}]", node))
    return tuple(out)


def parse_example(raw: Any, path: Path) -> Example:
    r = Reader(path)
    top = r.top(raw)
    if top.get("schema") != 1:
        raise r.fail("schema", "must be 1")
    parties = r.items(top, "parties", "")
    if not all(isinstance(p, str) for p in parties):
        raise r.fail("parties", "must be a list of party ids")
    held = top.get("held")
    if held is not None and not isinstance(held, date):
        raise r.fail("held", "must be a date (YYYY-MM-DD)")
    evaluation = top.get("evaluation")
    if evaluation is not None and not isinstance(evaluation, dict):
        raise r.fail("evaluation", "expected a mapping")
    compass = top.get("compass") or {}
    if not isinstance(compass, dict):
        raise r.fail("compass", "expected a mapping of question ids to option keys")
    return Example(
        path=path,
        note=r.text_field(top, "note", ""),
        initiative=r.text_field(top, "initiative", ""),
        held=held,
        parties=tuple(parties),
        custom=_entries(r, top, "custom_clauses"),
        proposals=_entries(r, top, "proposals"),
        responses=_entries(r, top, "responses"),
        parking=_entries(r, top, "parking"),
        outcomes=_entries(r, top, "outcomes"),
        evaluation=_Entry("evaluation", evaluation) if evaluation is not None else None,
        compass=compass,
    )


_EXAMPLE = ContentFile("workshop_example.yaml", parse_example)


def load_example(path: str | Path | None = None) -> Example:
    """The sample workshop (``data/workshop_example.yaml``) or a copy at ``path``."""
    return _EXAMPLE.load(path)


def example_workshop(lang: str, path: str | Path | None = None) -> Workshop:
    """The sample as a workshop held in ``lang``; a broken file is a ContentError."""
    return load_example(path).workshop(lang)
