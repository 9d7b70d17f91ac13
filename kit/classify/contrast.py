"""The contrast-pair round of the exercise ("Kontrastpar") as pure logic: the pairs of a round,
and a session that takes both cases of a pair side by side, answered together, then both keys
and what differs.

Research on learning from contrasting cases (and the source's own Tuesday-lunch contrast) says
the sharpest device is two near-identical cases that differ only in the deciding cue. The pairs
are the case set's (:func:`kit.cases.pairs.find_pairs`); the answers are judged as in the
one-case round (:func:`kit.cases.grading.check`), so the summary, its chart, the download and
"practise the ones I got wrong" work on a pair round's answers unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from kit.cases.case import TIERS, Answer, Case
from kit.cases.grading import Feedback, check
from kit.cases.pairs import ContrastPair, find_pairs
from kit.classify.exercise import ALL, MIXED, Score, score


@dataclass(frozen=True)
class PairSelection:
    """The pairs of one round and what was asked for (as :class:`~kit.classify.exercise.
    Selection` for cases)."""

    pairs: tuple[ContrastPair, ...]  #: in the order the round shows them
    tier: str  #: a tier, or MIXED
    count: int | str  #: a number of pairs, or ALL
    available: int  #: the pairs of ``tier`` in the set chosen from

    @property
    def short(self) -> bool:
        """Fewer pairs of the tier than asked for (but some): the round takes all of them."""
        return self.count != ALL and 0 < self.available < int(self.count)


def select_pairs(
    cases: Sequence[Case], tier: str = MIXED, count: int | str = ALL, seed: int | None = None
) -> PairSelection:
    """The pairs of a round: the contrast pairs of ``cases`` whose tier (the harder case's) is
    ``tier`` (any for :data:`MIXED`); with ``seed``, in a random order and each pair's two cases
    on a random side (which case is on the left tells nothing); the first ``count`` of them."""
    if tier != MIXED and tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if count != ALL and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError(f"a round has a positive number of pairs or ALL, not {count!r}")
    pool = tuple(p for p in find_pairs(cases) if tier == MIXED or p.tier == tier)
    ordered = list(pool)
    if seed is not None:
        rng = random.Random(seed)
        rng.shuffle(ordered)
        ordered = [p.swapped() if rng.random() < 0.5 else p for p in ordered]
    chosen = ordered if count == ALL else ordered[: int(count)]
    return PairSelection(tuple(chosen), tier, count, len(pool))


@dataclass(frozen=True)
class PairFeedback:
    """The verdicts on both cases of a pair."""

    pair: ContrastPair
    first: Feedback
    second: Feedback

    @property
    def feedbacks(self) -> tuple[Feedback, Feedback]:
        return (self.first, self.second)

    @property
    def correct(self) -> int:
        """How many of the two are right, process and level."""
        return self.first.correct + self.second.correct


class PairSession:
    """One pass through a round's pairs: the current pair, both answers, the score.

    Its answers are the cases' :class:`Feedback` in order (:attr:`feedbacks`), so the one-case
    round's summary reads a pair round as it reads its own; ``total`` counts cases, as there.
    """

    def __init__(self, pairs: Sequence[ContrastPair]) -> None:
        if not pairs:
            raise ValueError("a pair round needs at least one pair")
        self.pairs: tuple[ContrastPair, ...] = tuple(pairs)
        self.index = 0
        self.verdicts: list[PairFeedback] = []
        self.stopped = False

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(c for p in self.pairs for c in p.cases)

    @property
    def total(self) -> int:
        """The round's cases (two a pair)."""
        return 2 * len(self.pairs)

    @property
    def pair_total(self) -> int:
        return len(self.pairs)

    @property
    def current(self) -> ContrastPair | None:
        return None if self.finished else self.pairs[self.index]

    @property
    def feedbacks(self) -> list[Feedback]:
        return [f for v in self.verdicts for f in v.feedbacks]

    @property
    def answered(self) -> int:
        """Cases answered (two a pair)."""
        return 2 * len(self.verdicts)

    @property
    def checked(self) -> bool:
        """True once the current pair has been answered."""
        return len(self.verdicts) > self.index

    @property
    def finished(self) -> bool:
        return self.stopped or self.index >= len(self.pairs)

    @property
    def last(self) -> bool:
        return not self.finished and self.index == len(self.pairs) - 1

    def stop(self) -> None:
        """End the pass now with the pairs answered so far."""
        self.stopped = True

    def answer(self, first: Answer, second: Answer) -> PairFeedback:
        """Record the answers to the current pair's two cases (once) and return the verdicts."""
        pair = self.current
        if pair is None:
            raise RuntimeError("the session is finished")
        if self.checked:
            return self.verdicts[self.index]
        verdict = PairFeedback(pair, check(pair.first, first), check(pair.second, second))
        self.verdicts.append(verdict)
        return verdict

    def advance(self) -> ContrastPair | None:
        if self.finished:
            raise RuntimeError("the session is finished")
        if not self.checked:
            raise RuntimeError("answer the current pair first")
        self.index += 1
        return self.current

    def score(self) -> Score:
        return score(self.feedbacks)

    def wrong_cases(self) -> tuple[Case, ...]:
        return tuple(f.case for f in self.feedbacks if not f.correct)
