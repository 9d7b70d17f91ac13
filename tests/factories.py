"""Cases for tests, made one way: :func:`make_case`.

A test gives what its check depends on (the process and level, a hostile title, a marked part, a
tier or chain) and takes the rest from the defaults; a test module whose cases share texts keeps
them once, as a ``functools.partial`` of :func:`make_case`.
"""

from __future__ import annotations

from kit.cases.case import Case
from kit.core.text import Text

#: The texts of a case unless a test gives its own: all three languages, each title its own.
TITLE = Text("Tittel {id}", en="Title {id}", nn="Tittel {id} (nn)")
TEXT = Text("Tekst {id}", en="Text {id}")
EXPLANATION = Text("Fordi", en="Because", nn="Av di")


def case_text(value: Text | str, case_id: str) -> Text:
    """``value`` as a :class:`Text` (a string is bokmål only), with ``{id}`` in each language
    replaced by ``case_id``."""
    text = value if isinstance(value, Text) else Text(value)
    return Text(**{lang: v.replace("{id}", case_id) for lang, v in text.as_dict().items()})


def make_case(
    case_id: str = "c1",
    process: str = "samskaping",
    level: int | None = 1,
    *,
    title: Text | str = TITLE,
    text: Text | str = TEXT,
    explanation: Text | str = EXPLANATION,
    **fields: object,
) -> Case:
    """A :class:`Case` with these fields; ``fields`` are the rest of Case's (domain, pair, tier,
    chain, marked, facilitator)."""
    return Case(
        id=case_id,
        title=case_text(title, case_id),
        text=case_text(text, case_id),
        process=process,
        level=level,
        explanation=case_text(explanation, case_id),
        **fields,
    )
