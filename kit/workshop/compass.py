"""The initiative's compass as a workshop attaches it (pure): the questions an answer may belong
to, with their option keys, from ``data/compass.yaml`` (see :mod:`kit.compass.compass`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kit.compass.compass import load_compass


def compass_questions() -> dict[str, tuple[str, ...]]:
    """The compass's questions in order, each with its option keys (what an answer may be)."""
    return {q.id: q.keys for q in load_compass().questions}


def stored_answers(stored: Any) -> tuple[tuple[str, str], ...]:
    """The stored answers that still fit the compass (its data file may have changed since),
    in the compass's order; anything else reads as no answer."""
    if not isinstance(stored, Mapping):
        return ()
    questions = compass_questions()
    return tuple(
        (q, stored[q])
        for q in questions
        if isinstance(stored.get(q), str) and stored[q] in questions[q]
    )
