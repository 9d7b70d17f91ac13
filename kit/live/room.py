"""The pure logic of a live room: answers, counts, ranking, rounds, reveal state and export rows.

No database, no web, no widgets: the store (:mod:`kit.live.store`), the participant page
(:mod:`kit.live.handlers`) and the presenter app all use these types, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from kit.cases.case import Answer
from kit.model.model import LEVELS, PROCESSES

#: A case is voted on at most twice: vote, discuss with a neighbour, vote again (peer
#: instruction). The second round shows beside the first on the dashboard.
MAX_ROUNDS = 2


@dataclass(frozen=True)
class CaseCounts:
    """What the room answered for one case in one round (every option listed, zeros too)."""

    case_id: str
    answers: int
    processes: dict[str, int]
    levels: dict[int | None, int]
    by_answer: dict[Answer, int]  #: non-zero only
    round: int = 1

    @classmethod
    def tally(cls, case_id: str, pairs: Mapping[Answer, int], round: int = 1) -> CaseCounts:
        processes = dict.fromkeys(PROCESSES, 0)
        levels: dict[int | None, int] = dict.fromkeys(LEVELS, 0)
        for answer, n in pairs.items():
            processes[answer.process] = processes.get(answer.process, 0) + n
            levels[answer.level] = levels.get(answer.level, 0) + n
        return cls(case_id, sum(pairs.values()), processes, levels, dict(pairs), round)

    @property
    def top_process(self) -> str | None:
        """The most common process answer (first in PROCESSES order on a tie)."""
        if not self.answers:
            return None
        return max(PROCESSES, key=lambda p: self.processes[p])

    @property
    def dispute(self) -> Fraction:
        """1 - the share of the most common process: 0 when the room agrees."""
        if not self.answers:
            return Fraction(0)
        return 1 - Fraction(max(self.processes.values()), self.answers)

    def share(self, process: str) -> Fraction:
        return Fraction(self.processes[process], self.answers) if self.answers else Fraction(0)


@dataclass(frozen=True)
class CaseResult:
    """A case's rounds, oldest first (one entry per round started, answered or not)."""

    case_id: str
    rounds: tuple[CaseCounts, ...]

    @property
    def current(self) -> CaseCounts:
        return self.rounds[-1]

    @property
    def first(self) -> CaseCounts:
        return self.rounds[0]

    def shift(self) -> list[tuple[str, Fraction, Fraction]]:
        """(process, share in round 1, share in the last round) for every process whose share
        changed; empty with one round."""
        if len(self.rounds) < 2:
            return []
        a, b = self.first, self.current
        return [(p, a.share(p), b.share(p)) for p in PROCESSES if a.share(p) != b.share(p)]


def results(
    case_ids: Sequence[str], rounds: Mapping[str, int], pairs: Iterable[tuple]
) -> dict[str, CaseResult]:
    """Per case (in ``case_ids`` order), its rounds' counts.

    ``rounds``: the round each case is in (1 if absent); ``pairs``: rows of
    ``(case_id, round, process, level, n)`` as the store groups them.
    """
    grouped: dict[tuple[str, int], dict[Answer, int]] = {}
    for case_id, rnd, process, level, n in pairs:
        grouped.setdefault((case_id, rnd), {})[Answer(process, level)] = n
    out = {}
    for case_id in case_ids:
        last = max(1, min(MAX_ROUNDS, rounds.get(case_id, 1)))
        out[case_id] = CaseResult(
            case_id,
            tuple(
                CaseCounts.tally(case_id, grouped.get((case_id, r), {}), r)
                for r in range(1, last + 1)
            ),
        )
    return out


def ranking(case_ids: Sequence[str], counts: Mapping[str, CaseCounts]) -> list[str]:
    """The dashboard's order: cases the room disagrees on first, most disputed first (ties:
    more answers first, then the session's order), then the rest in the session's order.

    The one ranking of the kit: the presenter app and the store both use it.
    """
    index = {case_id: i for i, case_id in enumerate(case_ids)}
    hot = sorted(
        (i for i in case_ids if counts[i].dispute > 0),
        key=lambda i: (-counts[i].dispute, -counts[i].answers, index[i]),
    )
    chosen = set(hot)
    return hot + [i for i in case_ids if i not in chosen]


@dataclass(frozen=True)
class RoomState:
    """What a phone follows: open or not, which case the presenter shows, each case's round,
    which keys are revealed. ``version`` changes whenever any of it does. ``born``: when the
    session was made (not sent to phones): a code purged and drawn again is another session,
    for what a server keeps per code."""

    open: bool
    version: int
    current_case: str | None = None
    rounds: dict[str, int] = field(default_factory=dict)
    revealed: frozenset[str] = frozenset()
    born: datetime | None = field(default=None, compare=False)

    def round_of(self, case_id: str) -> int:
        return self.rounds.get(case_id, 1)

    def as_json(self) -> dict:
        return {
            "open": self.open,
            "version": self.version,
            "current": self.current_case,
            "rounds": dict(self.rounds),
            "revealed": sorted(self.revealed),
        }


@dataclass(frozen=True)
class StoredAnswer:
    """One answer for export: who gave it is a pseudonym (hash of the token), never the token."""

    case_id: str
    answer: Answer
    answered_at: datetime
    participant: str
    round: int = 1

    @property
    def process(self) -> str:
        return self.answer.process

    @property
    def level(self) -> int | None:
        return self.answer.level


def export_rows(
    answers: Iterable[StoredAnswer],
    titles: Mapping[str, str],
    process_label: Callable[[str], str],
    level_label: Callable[[int | None], str],
    key: Callable[[str, Answer], Sequence[object]] | None = None,
) -> list[list[object]]:
    """Rows of the answers export (case, title, process, level, round, time, pseudonym, then
    what ``key(case_id, answer)`` adds: the case's key and the verdict); the labels come from
    the caller's language (``process_label(p)``, ``level_label(level)``)."""
    return [
        [
            a.case_id,
            titles.get(a.case_id, a.case_id),
            process_label(a.process),
            level_label(a.level),
            a.round,
            a.answered_at.strftime("%Y-%m-%d %H:%M:%S"),
            a.participant,
            *(key(a.case_id, a.answer) if key is not None else ()),
        ]
        for a in answers
    ]


# ------------------------------------------------------------------------ questions' results


@dataclass(frozen=True)
class StoredResponse:
    """One response to a question, for the dashboard, the report and the export."""

    id: int
    item_id: str
    value: str
    hidden: bool
    answered_at: datetime
    participant: str


@dataclass(frozen=True)
class QuestionResult:
    """What the room answered to one question: ``counts`` per scale point (1..5) or poll
    option (0..n-1), zeros too; ``entries``: an open question's answers, oldest first."""

    question_id: str
    kind: str
    answers: int
    counts: dict[int, int]
    entries: tuple[StoredResponse, ...] = ()

    @property
    def mean(self) -> Fraction | None:
        """A scale's average (None without answers)."""
        if self.kind != "scale" or not self.answers:
            return None
        return Fraction(sum(k * n for k, n in self.counts.items()), self.answers)


def question_results(questions: Sequence[Any], stored: Iterable[StoredResponse]) -> dict[str, Any]:
    """Per question (in ``questions`` order) its :class:`QuestionResult`."""
    from kit.live.questions import SCALE_POINTS

    by_item: dict[str, list[StoredResponse]] = {}
    for response in stored:
        by_item.setdefault(response.item_id, []).append(response)
    out: dict[str, Any] = {}
    for q in questions:
        given = by_item.get(q.id, [])
        if q.kind == "open":
            out[q.id] = QuestionResult(q.id, q.kind, len(given), {}, tuple(given))
            continue
        keys = range(1, SCALE_POINTS + 1) if q.kind == "scale" else range(len(q.options))
        counts = dict.fromkeys(keys, 0)
        for response in given:
            point = int(response.value)
            if point in counts:
                counts[point] += 1
        out[q.id] = QuestionResult(q.id, q.kind, sum(counts.values()), counts)
    return out
