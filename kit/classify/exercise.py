"""The classification exercise as pure logic: choose a round's cases, check an answer, score,
confusion, a session.

No widgets here: :class:`kit.classify.app.Klassifisering` drives a :class:`Session` and shows
what it returns. Randomness comes in as a seed. An answer is judged by
:func:`kit.cases.grading.check` (right, partial or wrong).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kit.cases.case import TIERS, Answer, Case
from kit.cases.grading import Feedback, check, outcome_label
from kit.cases.order import shuffle_cases
from kit.core.exports import csv_bytes
from kit.core.i18n import t
from kit.model.labels import level_label, process_label
from kit.model.model import PROCESSES


@dataclass(frozen=True)
class Score:
    """Running or final score."""

    answered: int
    correct: int  #: both parts right
    process_correct: int
    level_correct: int
    #: per expected process: (right process, cases with that process)
    by_process: dict[str, tuple[int, int]] = field(default_factory=dict)
    partial: int = 0  #: answers with partial credit
    points: float = 0.0  #: 1 per right answer, PARTIAL_POINTS per partial one


def score(feedbacks: Iterable[Feedback]) -> Score:
    items = list(feedbacks)
    by_process = {}
    for process in PROCESSES:
        mine = [f for f in items if f.case.process == process]
        if mine:
            by_process[process] = (sum(f.process_ok for f in mine), len(mine))
    return Score(
        answered=len(items),
        correct=sum(f.correct for f in items),
        process_correct=sum(f.process_ok for f in items),
        level_correct=sum(f.level_ok for f in items),
        by_process=by_process,
        partial=sum(f.partial for f in items),
        points=sum(f.points for f in items),
    )


def confusion(feedbacks: Iterable[Feedback]) -> list[dict[str, object]]:
    """What was taken for what: one row per (expected, given) process pair, zeros included."""
    counts = Counter((f.case.process, f.answer.process) for f in feedbacks)
    return [
        {"expected": expected, "given": given, "count": counts.get((expected, given), 0)}
        for expected in PROCESSES
        for given in PROCESSES
    ]


def shuffled(cases: Sequence[Case], seed: int | None) -> tuple[Case, ...]:
    """The cases in a random order given by ``seed`` (None keeps the order).

    No chain part (:attr:`Case.chain`) comes right after the part before it in the story, and
    no case right after its contrast partner (:func:`kit.cases.order.shuffle_cases`): met in
    story order, a chain's parts could be answered by elimination.
    """
    if seed is None:
        return tuple(cases)
    return shuffle_cases(cases, random.Random(seed))


#: The round sizes a learner chooses among before starting; :data:`ALL` takes every case.
ALL = "all"
COUNTS: tuple[int | str, ...] = (5, 10, 20, ALL)
#: The difficulty choice: one tier of :data:`kit.cases.case.TIERS`, or :data:`MIXED` (every tier).
MIXED = "mixed"
TIER_CHOICES: tuple[str, ...] = (MIXED, *TIERS)


ItemT = TypeVar("ItemT")
DoneT = TypeVar("DoneT")


@dataclass(frozen=True)
class Chosen(Generic[ItemT]):
    """The items of one round (cases, or contrast pairs), as chosen, and what was asked for."""

    items: tuple[ItemT, ...]  #: in the order the round shows them
    tier: str  #: a tier, or MIXED
    count: int | str  #: a number of items, or ALL
    available: int  #: the items of ``tier`` in the set chosen from

    @property
    def short(self) -> bool:
        """Fewer items of the tier than asked for (but some): the round takes all of them."""
        return self.count != ALL and 0 < self.available < int(self.count)


class Selection(Chosen[Case]):
    """The cases of one round, as :func:`select_cases` chose them."""

    @property
    def cases(self) -> tuple[Case, ...]:
        return self.items


def check_choice(tier: str, count: int | str) -> None:
    """ValueError unless ``tier`` is a tier or MIXED and ``count`` a positive number or ALL."""
    if tier != MIXED and tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if count != ALL and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError(f"a round has a positive number of cases or pairs or ALL, not {count!r}")


def select_cases(
    cases: Sequence[Case], tier: str = MIXED, count: int | str = ALL, seed: int | None = None
) -> Selection:
    """The cases of a round: those of ``tier`` (every tier for :data:`MIXED`), in the order
    :func:`shuffled` gives them with ``seed`` (None keeps the set's order), the first ``count``
    of them (all of them for :data:`ALL`, or when there are fewer).

    The defaults (every tier, every case) give what a round took before the choice existed:
    ``shuffled(cases, seed)``. A round of N cases may take some of a chain's cases and not
    others, in any order but story order one right after the other.
    """
    check_choice(tier, count)
    pool = tuple(c for c in cases if tier == MIXED or c.tier == tier)
    ordered = shuffled(pool, seed)
    chosen = ordered if count == ALL else ordered[: int(count)]
    return Selection(chosen, tier, count, len(pool))


class Pass(Generic[ItemT, DoneT]):
    """One pass through a round's items, one at a time (a case, or a contrast pair): the
    current item, the verdicts given, where it ends, the score.

    The pass ends after the last item, or earlier when the learner stops it (:meth:`stop`); its
    result is the answers given until then. A subclass says what a verdict is (:meth:`answer`)
    and which case verdicts it holds (:attr:`feedbacks`).
    """

    def __init__(self, items: Sequence[ItemT]) -> None:
        self.items: tuple[ItemT, ...] = tuple(items)
        self.index = 0
        #: the verdict on each item answered, in order
        self.done: list[DoneT] = []
        self.stopped = False

    @property
    def feedbacks(self) -> list[Feedback]:
        """Every case's verdict, in order (what the summary counts)."""
        raise NotImplementedError

    @property
    def current(self) -> ItemT | None:
        return None if self.finished else self.items[self.index]

    @property
    def checked(self) -> bool:
        """True once the current item has been answered."""
        return len(self.done) > self.index

    @property
    def finished(self) -> bool:
        return self.stopped or self.index >= len(self.items)

    @property
    def last(self) -> bool:
        """True while the current item is the last one."""
        return not self.finished and self.index == len(self.items) - 1

    def stop(self) -> None:
        """End the pass now, with the answers given so far (an unanswered current item is left
        out); nothing is answered or advanced to after this."""
        self.stopped = True

    def _record(self, judge: Callable[[ItemT], DoneT]) -> DoneT:
        """The current item's verdict, made by ``judge`` once (asked again: the same one)."""
        item = self.current
        if item is None:
            raise RuntimeError("the session is finished")
        if self.checked:
            return self.done[self.index]
        verdict = judge(item)
        self.done.append(verdict)
        return verdict

    def advance(self) -> ItemT | None:
        """Go to the next item after the current one was answered."""
        if self.finished:
            raise RuntimeError("the session is finished")
        if not self.checked:
            raise RuntimeError("answer the current item first")
        self.index += 1
        return self.current

    def score(self) -> Score:
        return score(self.feedbacks)

    def wrong_cases(self) -> tuple[Case, ...]:
        """Cases with any part wrong, for "practise the ones I got wrong"."""
        return tuple(f.case for f in self.feedbacks if not f.correct)


class Session(Pass[Case, Feedback]):
    """One pass through a set of cases, one case at a time."""

    def __init__(self, cases: Sequence[Case], seed: int | None = None) -> None:
        if not cases:
            raise ValueError("a session needs at least one case")
        super().__init__(shuffled(cases, seed))

    @property
    def cases(self) -> tuple[Case, ...]:
        return self.items

    @property
    def feedbacks(self) -> list[Feedback]:
        return self.done

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return len(self.done)

    @property
    def stopped_early(self) -> bool:
        """True when the learner ended the pass before answering every case."""
        return self.stopped and self.answered < self.total

    def answer(self, answer: Answer) -> Feedback:
        """Record the answer to the current case (once) and return the verdict."""
        return self._record(lambda case: check(case, answer))


def points_label(points: float, lang: str) -> str:
    """Points as the language writes them: ``2``, ``2,5`` (nb, nn) or ``2.5`` (en)."""
    if float(points).is_integer():
        return str(int(points))
    text = f"{points:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def results_table(feedbacks: Iterable[Feedback], lang: str) -> tuple[list[str], list[list[str]]]:
    """The learner's results as a header and one row per case, for :mod:`kit.core.exports`."""
    header = [
        t("csv_case_id", lang),
        t("csv_title", lang),
        t("csv_your_process", lang),
        t("csv_key_process", lang),
        t("csv_your_level", lang),
        t("csv_key_level", lang),
        t("csv_correct", lang),
        t("csv_outcome", lang),
        t("csv_points", lang),
    ]
    rows = [
        [
            f.case.id,
            f.case.title.get(lang),
            process_label(f.answer.process, lang),
            process_label(f.case.process, lang),
            level_label(f.answer.level, lang),
            level_label(f.case.level, lang),
            t("csv_yes", lang) if f.correct else t("csv_no", lang),
            outcome_label(f, lang),
            points_label(f.points, lang),
        ]
        for f in feedbacks
    ]
    return header, rows


def results_csv_bytes(feedbacks: Iterable[Feedback], lang: str) -> bytes:
    """The results file the learner downloads: ``;``-separated, UTF-8 with BOM, CRLF, and a
    case id or title from a course leader's file that looks like a formula kept as text."""
    return csv_bytes(*results_table(feedbacks, lang))


def results_csv(feedbacks: Iterable[Feedback], lang: str) -> str:
    """The learner's results as CSV text (``;``-separated, as Norwegian Excel expects)."""
    return results_csv_bytes(feedbacks, lang).decode("utf-8-sig")
