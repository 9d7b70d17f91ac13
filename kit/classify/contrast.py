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

from kit.cases.case import Answer, Case
from kit.cases.grading import Feedback, check
from kit.cases.pairs import ContrastPair, find_pairs
from kit.classify.exercise import ALL, MIXED, Chosen, Pass, check_choice


class PairSelection(Chosen[ContrastPair]):
    """The pairs of one round, as :func:`select_pairs` chose them."""

    @property
    def pairs(self) -> tuple[ContrastPair, ...]:
        return self.items


def select_pairs(
    cases: Sequence[Case], tier: str = MIXED, count: int | str = ALL, seed: int | None = None
) -> PairSelection:
    """The pairs of a round: the contrast pairs of ``cases`` whose tier (the harder case's) is
    ``tier`` (any for :data:`MIXED`); with ``seed``, in a random order and each pair's two cases
    on a random side (which case is on the left tells nothing); the first ``count`` of them."""
    check_choice(tier, count)
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


class PairSession(Pass[ContrastPair, PairFeedback]):
    """One pass through a round's pairs: the current pair, both answers, the score.

    Its answers are the cases' :class:`Feedback` in order (:attr:`feedbacks`), so the one-case
    round's summary reads a pair round as it reads its own; ``total`` counts cases, as there.
    """

    def __init__(self, pairs: Sequence[ContrastPair]) -> None:
        if not pairs:
            raise ValueError("a pair round needs at least one pair")
        super().__init__(pairs)

    @property
    def pairs(self) -> tuple[ContrastPair, ...]:
        return self.items

    @property
    def verdicts(self) -> list[PairFeedback]:
        return self.done

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(c for p in self.items for c in p.cases)

    @property
    def feedbacks(self) -> list[Feedback]:
        return [f for v in self.done for f in v.feedbacks]

    @property
    def total(self) -> int:
        """The round's cases (two a pair)."""
        return 2 * len(self.items)

    @property
    def pair_total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        """Cases answered (two a pair)."""
        return 2 * len(self.done)

    def answer(self, first: Answer, second: Answer) -> PairFeedback:
        """Record the answers to the current pair's two cases (once) and return the verdicts."""
        return self._record(
            lambda pair: PairFeedback(pair, check(pair.first, first), check(pair.second, second))
        )
