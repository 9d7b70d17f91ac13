"""The three-level co-creation model as typed, immutable objects loaded from ``data/model.yaml``.

Pure layer: no ipywidgets, IPython or altair. ``load_model()`` refuses a malformed file with a
:class:`~kit.core.yamlio.ContentError` that names the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.core.text import Text
from kit.core.yamlio import ContentError, ContentFile, Reader

MODES: tuple[str, ...] = ("samskaping", "samproduksjon")
PROCESSES: tuple[str, ...] = ("samskaping", "samproduksjon", "verdisamskaping", "ingen")
#: The levels an answer can name; ``None`` is "no level" (the process ``ingen``).
LEVELS: tuple[int | None, ...] = (1, 2, 3, None)
LEVEL_FIELDS: tuple[str, ...] = (
    "actors",
    "purpose",
    "expectations",
    "how",
    "tasks",
    "continuous",
)
FLOW_DIRECTIONS: tuple[str, ...] = ("down", "up", "across")


@dataclass(frozen=True)
class Concept:
    """A term the learner must tell apart from the others (e.g. samskaping vs samproduksjon)."""

    key: str
    term: Text
    definition: Text


@dataclass(frozen=True)
class Level:
    """One level of the model with every field of the source's table."""

    number: int
    name: Text
    subtitle: Text
    mode: str  #: "samskaping" or "samproduksjon"
    actors: tuple[Text, ...]
    purpose: tuple[Text, ...]
    expectations: tuple[Text, ...]  #: expectations to clarify (forventningsavklaringer)
    how: tuple[Text, ...]
    tasks: tuple[Text, ...]
    continuous: tuple[Text, ...]  #: continuous work (kontinuerlig)

    def field(self, name: str) -> tuple[Text, ...]:
        """One of LEVEL_FIELDS by name, for tables that loop over the fields."""
        if name not in LEVEL_FIELDS:
            raise KeyError(name)
        return getattr(self, name)


@dataclass(frozen=True)
class Flow:
    """A flow between levels: the frame goes down, feedback goes up, evaluation spans all."""

    key: str
    direction: str  #: "down", "up" or "across"
    levels: tuple[int, ...]
    label: Text
    description: Text


@dataclass(frozen=True)
class Process:
    """One of the source's three co-creation processes."""

    number: int
    kind: str  #: samskaping, samproduksjon or verdisamskaping
    levels: tuple[int, ...]
    text: Text


@dataclass(frozen=True)
class Cocreatable:
    """An answer to "what can be co-created?" (after Engen & Jenhaug 2025)."""

    title: Text
    text: Text


@dataclass(frozen=True)
class Reference:
    """A bibliographic reference the kit cites."""

    authors: str
    year: int
    title: str
    book: str
    pages: str
    publisher: str
    doi: str

    def citation(self) -> str:
        """APA-style citation as the source gives it."""
        return (
            f"{self.authors} ({self.year}). {self.title}. I {self.book} (s. {self.pages}). "
            f"{self.publisher}. https://doi.org/{self.doi}"
        )


@dataclass(frozen=True)
class Source:
    """The presentation the model comes from."""

    title: str
    author: str
    organisation: str
    date: str


@dataclass(frozen=True)
class Model:
    """Everything the kit teaches about the model, in one object."""

    source: Source
    concepts: tuple[Concept, ...]
    levels: tuple[Level, ...]
    flows: tuple[Flow, ...]
    processes: tuple[Process, ...]
    value_judge: Text  #: who judges the value of the cooperation
    premises: tuple[Text, ...]
    purposes: tuple[Text, ...]  #: why a model at all
    cocreatable: tuple[Cocreatable, ...]
    reference: Reference

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.number == number:
                return level
        raise KeyError(f"no level {number}")

    def concept(self, key: str) -> Concept:
        for concept in self.concepts:
            if concept.key == key:
                return concept
        raise KeyError(f"no concept {key!r}")

    def flow(self, key: str) -> Flow:
        for flow in self.flows:
            if flow.key == key:
                return flow
        raise KeyError(f"no flow {key!r}")


def _level_numbers(r: Reader, node: Any, where: str, numbers: list[int]) -> tuple[int, ...]:
    """A flow's or a process's ``levels``: numbers of levels the model has."""
    levels = tuple(r.items(node, "levels", where))
    if any(n not in numbers for n in levels):
        raise r.fail(f"{where}.levels", f"unknown level in {list(levels)}")
    return levels


def parse_model(raw: Any, path: Path) -> Model:
    """Build a Model from parsed YAML; every problem names ``path`` and the field."""
    r = Reader(path)
    raw = r.top(raw)
    src = r.get(raw, "source", "")
    source = Source(
        title=r.string(src, "title", "source"),
        author=r.string(src, "author", "source"),
        organisation=r.string(src, "organisation", "source"),
        date=r.string(src, "date", "source"),
    )
    concepts = tuple(
        Concept(
            key=r.string(c, "key", f"concepts[{i}]"),
            term=r.text_field(c, "term", f"concepts[{i}]"),
            definition=r.text_field(c, "definition", f"concepts[{i}]"),
        )
        for i, c in enumerate(r.items(raw, "concepts", ""))
    )
    levels = []
    for i, node in enumerate(r.items(raw, "levels", "")):
        where = f"levels[{i}]"
        fields = {name: r.texts(node, name, where) for name in LEVEL_FIELDS}
        levels.append(
            Level(
                number=r.integer(node, "number", where),
                name=r.text_field(node, "name", where),
                subtitle=r.text_field(node, "subtitle", where),
                mode=r.choice(node, "mode", where, MODES),
                **fields,
            )
        )
    numbers = [level.number for level in levels]
    if sorted(numbers) != list(range(1, len(levels) + 1)):
        raise ContentError(f"{path}: levels: numbers must be 1..{len(levels)}, got {numbers}")
    flows = []
    for i, node in enumerate(r.items(raw, "flows", "")):
        where = f"flows[{i}]"
        flows.append(
            Flow(
                key=r.string(node, "key", where),
                direction=r.choice(node, "direction", where, FLOW_DIRECTIONS),
                levels=_level_numbers(r, node, where, numbers),
                label=r.text_field(node, "label", where),
                description=r.text_field(node, "description", where),
            )
        )
    processes = []
    for i, node in enumerate(r.items(raw, "processes", "")):
        where = f"processes[{i}]"
        processes.append(
            Process(
                number=r.integer(node, "number", where),
                kind=r.choice(node, "kind", where, PROCESSES[:3]),
                levels=_level_numbers(r, node, where, numbers),
                text=r.text_field(node, "text", where),
            )
        )
    cocreatable = tuple(
        Cocreatable(
            title=r.text_field(c, "title", f"cocreatable[{i}]"),
            text=r.text_field(c, "text", f"cocreatable[{i}]"),
        )
        for i, c in enumerate(r.items(raw, "cocreatable", ""))
    )
    ref = r.get(raw, "reference", "")
    reference = Reference(
        authors=r.string(ref, "authors", "reference"),
        year=r.integer(ref, "year", "reference"),
        title=r.string(ref, "title", "reference"),
        book=r.string(ref, "book", "reference"),
        pages=r.string(ref, "pages", "reference"),
        publisher=r.string(ref, "publisher", "reference"),
        doi=r.string(ref, "doi", "reference"),
    )
    return Model(
        source=source,
        concepts=concepts,
        levels=tuple(sorted(levels, key=lambda lv: lv.number)),
        flows=tuple(flows),
        processes=tuple(processes),
        value_judge=r.text_field(raw, "value_judge", ""),
        premises=r.texts(raw, "premises", ""),
        purposes=r.texts(raw, "purposes", ""),
        cocreatable=cocreatable,
        reference=reference,
    )


_MODEL = ContentFile("model.yaml", parse_model)


def load_model(path: str | Path | None = None) -> Model:
    """Load the model from ``path`` (default: ``data/model.yaml``)."""
    return _MODEL.load(path)
