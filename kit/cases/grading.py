"""An answer judged against a case's key (pure): right, partial or wrong, and its points.

The exercise (:mod:`kit.classify`) and the live room's exports (:mod:`kit.live`) judge answers
the same way, so the rule is written once, beside the case.

An answer is right (both parts as the key: one point), partial or wrong (no point). Partial
(:data:`PARTIAL_POINTS`) is the one answer the model itself makes half right: samproduksjon on
level 3 for a case keyed verdisamskaping. Verdisamskaping happens as a result of samproduksjon
on level 3, so the learner has seen the delivery together with non-traditional actors; the key
is sharper because the service recipient's experienced and judged value is the point of the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kit.cases.case import Answer, Case
from kit.core.i18n import t

#: The outcomes of an answer, best first.
OUTCOMES: tuple[str, ...] = ("right", "partial", "wrong")


Outcome = Literal["right", "partial", "wrong"]


#: The points of each outcome.
POINTS: dict[str, float] = {"right": 1.0, "partial": 0.5, "wrong": 0.0}


PARTIAL_POINTS = POINTS["partial"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, part by part."""

    case: Case
    answer: Answer

    @property
    def process_ok(self) -> bool:
        return self.answer.process == self.case.process

    @property
    def level_ok(self) -> bool:
        return self.answer.level == self.case.level

    @property
    def correct(self) -> bool:
        return self.process_ok and self.level_ok

    @property
    def partial(self) -> bool:
        """Samproduksjon on level 3 for a verdisamskaping case: half of it seen, half a point."""
        return (
            self.case.process == "verdisamskaping"
            and self.case.level == 3
            and (self.answer.process, self.answer.level) == ("samproduksjon", 3)
        )

    @property
    def outcome(self) -> Outcome:
        """``right`` (both parts as the key), ``partial`` (see :attr:`partial`) or ``wrong``."""
        if self.correct:
            return "right"
        return "partial" if self.partial else "wrong"

    @property
    def points(self) -> float:
        """1 for right, :data:`PARTIAL_POINTS` for partial, 0 for wrong."""
        return POINTS[self.outcome]


def check(case: Case, answer: Answer) -> Feedback:
    """Judge an answer against the case's key."""
    return Feedback(case=case, answer=answer)


def outcome_label(feedback: Feedback, lang: str) -> str:
    """ "right", "partial (half a point)" or "wrong", in ``lang``."""
    return t("outcome_" + feedback.outcome, lang)


def partial_answers(case: Case) -> tuple[Answer, ...]:
    """Every answer that earns partial credit on ``case`` (for a page that judges by itself,
    like the phones after a reveal)."""
    from kit.cases.case import ALLOWED_LEVELS

    every = (Answer(p, lv) for p, levels in ALLOWED_LEVELS.items() for lv in levels)
    return tuple(a for a in every if check(case, a).outcome == "partial")
