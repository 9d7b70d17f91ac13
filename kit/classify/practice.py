"""Adaptive practice ("øv på det jeg blander"): cases aimed at the distinctions a learner mixes up.

Pure logic, no widgets: :class:`kit.classify.app.Klassifisering` drives a :class:`Practice`.

A *distinction* is a pair of answer keys the model asks learners to tell apart (samskaping on
level 1 or 2, samskaping or samproduksjon, ...). A learner *confused* a distinction when a case
keyed on one side was answered with the other side, in either direction. Practice picks cases
whose key lies on a side of a confused distinction, both sides in turn, starting at the tier
where the learner went wrong; once the learner gets :data:`STEP` in a row right at that tier (or
harder), the distinction moves up a tier, and :data:`STEP` in a row at ``vanskelig`` masters it.

>>> from kit.cases.case import Answer
>>> from kit.cases.grading import check
>>> from kit.core.text import Text
>>> c = Case("a", Text("T"), Text("t"), "samskaping", 1, Text("f"))
>>> [d.id for d in confused_by(check(c, Answer("samskaping", 2)))]
['s1_s2']
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kit.cases.case import ALLOWED_LEVELS, TIERS, Case
from kit.cases.grading import Feedback
from kit.core.i18n import t

#: Right answers in a row (at the distinction's tier or harder) that move it up a tier.
STEP = 2
#: At most this many cases per distinction in one practice set, and this many cases in all.
PER_DISTINCTION = 4
SET_SIZE = 10


@dataclass(frozen=True)
class Side:
    """One side of a distinction: a process, and its level unless any level will do."""

    process: str
    level: int | None = None
    any_level: bool = False

    def holds(self, process: str, level: int | None) -> bool:
        return process == self.process and (self.any_level or level == self.level)


@dataclass(frozen=True)
class Distinction:
    """Two answer keys a learner should tell apart; ``id`` names its texts
    (``practice_distinction_<id>``)."""

    id: str
    a: Side
    b: Side

    def side_of(self, process: str, level: int | None) -> str | None:
        """``"a"``, ``"b"`` or None: where a key lies in this distinction."""
        if self.a.holds(process, level):
            return "a"
        if self.b.holds(process, level):
            return "b"
        return None

    def covers(self, case: Case) -> bool:
        return self.side_of(case.process, case.level) is not None


#: The distinctions practised, in the order the summary shows them.
DISTINCTIONS: tuple[Distinction, ...] = (
    Distinction("s1_s2", Side("samskaping", 1), Side("samskaping", 2)),
    Distinction("s2_p3", Side("samskaping", 2), Side("samproduksjon", 3)),
    Distinction("p3_v3", Side("samproduksjon", 3), Side("verdisamskaping", 3)),
    Distinction("ingen_s", Side("ingen"), Side("samskaping", any_level=True)),
    Distinction("ingen_p", Side("ingen"), Side("samproduksjon", 3)),
)
BY_ID: dict[str, Distinction] = {d.id: d for d in DISTINCTIONS}


def distinction_label(distinction_id: str, lang: str) -> str:
    return t("practice_distinction_" + distinction_id, lang)


def tier_label(tier: str, lang: str) -> str:
    return t("tier_" + tier, lang)


def answer_key(process: str, level: int | None) -> tuple[str, int | None]:
    """An answer read as a key of the model: a level the process cannot have is set to the one
    it must have (samproduksjon on level 2 reads as samproduksjon on level 3), and samskaping on
    level 3 reads as samskaping on level 2, the nearest one. Samskaping with no level keeps none
    (it counts only where samskaping's level does not matter)."""
    allowed = ALLOWED_LEVELS[process]
    if level in allowed:
        return process, level
    if len(allowed) == 1:
        return process, allowed[0]
    return process, (2 if level == 3 else None)


def confused_by(feedback: Feedback) -> tuple[Distinction, ...]:
    """The distinctions this answer mixed up: the key on one side, the answer on the other."""
    case, answer = feedback.case, feedback.answer
    given = answer_key(answer.process, answer.level)
    found = []
    for d in DISTINCTIONS:
        key_side = d.side_of(case.process, case.level)
        given_side = d.side_of(*given)
        if key_side and given_side and key_side != given_side:
            found.append(d)
    return tuple(found)


def confusions(feedbacks: Iterable[Feedback]) -> dict[str, list[Feedback]]:
    """Distinction id -> the answers that mixed it up, in :data:`DISTINCTIONS` order."""
    found: dict[str, list[Feedback]] = {}
    for fb in feedbacks:
        for d in confused_by(fb):
            found.setdefault(d.id, []).append(fb)
    return {d.id: found[d.id] for d in DISTINCTIONS if d.id in found}


def _rank(tier: str) -> int:
    return TIERS.index(tier)


def start_tier(feedbacks: Iterable[Feedback]) -> str:
    """The easiest tier among the cases the learner got wrong (``lett`` when there are none)."""
    tiers = [fb.case.tier for fb in feedbacks]
    return min(tiers, key=_rank) if tiers else TIERS[0]


@dataclass(frozen=True)
class DistinctionProgress:
    """How far the learner has come with one distinction (practice answers only)."""

    distinction: str
    tier: str  #: the tier practice picks from now
    attempts: int = 0
    right: int = 0
    streak: int = 0  #: right in a row at ``tier`` or harder
    mastered: bool = False  #: STEP in a row right at the hardest tier


@dataclass(frozen=True)
class Notice:
    """Something the learner should be told about a practice set: a text key, maybe naming a
    distinction."""

    key: str
    distinction: str | None = None

    def text(self, lang: str) -> str:
        if self.distinction is None:
            return t(self.key, lang)
        return t(self.key, lang, distinction=distinction_label(self.distinction, lang))


@dataclass(frozen=True)
class PracticeSet:
    """The cases of one practice round, the distinction each one is aimed at, and notices.

    Never empty without a notice saying why.
    """

    cases: tuple[Case, ...]
    aims: dict[str, str] = field(default_factory=dict)  #: case id -> distinction id
    notices: tuple[Notice, ...] = ()

    def __post_init__(self) -> None:
        if not self.cases and not self.notices:
            raise ValueError("an empty practice set needs a notice saying why")


class Practice:
    """The practice state over rounds: confused distinctions, their progress, cases used.

    ``pool`` is the cases practice may pick (duplicates by id are dropped, first kept); its order
    is the story order of chain cases. ``feedbacks`` are the first round's answers.
    """

    def __init__(
        self,
        pool: Sequence[Case],
        feedbacks: Iterable[Feedback],
        rng: random.Random | int | None = None,
        step: int = STEP,
    ) -> None:
        seen: dict[str, Case] = {}
        for case in pool:
            seen.setdefault(case.id, case)
        self.pool: tuple[Case, ...] = tuple(seen.values())
        self.rng = rng if isinstance(rng, random.Random) else random.Random(rng)
        self.step = step
        self._progress: dict[str, DistinctionProgress] = {}
        self.used: set[str] = set()  #: case ids picked for practice so far
        self.answered: set[str] = set()  #: case ids answered in any round
        self.rounds = 0  #: practice rounds recorded
        self._note(list(feedbacks))

    # -- state ---------------------------------------------------------------------------------
    def _note(self, feedbacks: list[Feedback]) -> None:
        """Add the distinctions these answers confused (at the tier they went wrong on)."""
        self.answered.update(fb.case.id for fb in feedbacks)
        for did, wrong in confusions(feedbacks).items():
            if did not in self._progress:
                self._progress[did] = DistinctionProgress(did, start_tier(wrong))

    @property
    def confused(self) -> tuple[str, ...]:
        """The distinctions the learner has mixed up so far, in :data:`DISTINCTIONS` order."""
        return tuple(d.id for d in DISTINCTIONS if d.id in self._progress)

    def progress(self) -> tuple[DistinctionProgress, ...]:
        return tuple(self._progress[did] for did in self.confused)

    def record(self, feedbacks: Iterable[Feedback], plan: PracticeSet | None = None) -> None:
        """Take in a finished round: an answer aimed at a distinction counts for it (a right one
        at its tier or harder adds to the streak, a wrong one ends it); any new confusion adds
        a distinction."""
        items = list(feedbacks)
        aims = plan.aims if plan is not None else {}
        for fb in items:
            did = aims.get(fb.case.id)
            if did is None or did not in self._progress:
                continue
            p = self._progress[did]
            attempts, right, streak, tier = p.attempts + 1, p.right, p.streak, p.tier
            mastered = p.mastered
            if fb.correct:
                right += 1
                if _rank(fb.case.tier) >= _rank(tier) and not mastered:
                    streak += 1
                    if streak >= self.step:
                        streak = 0
                        if _rank(tier) + 1 < len(TIERS):
                            tier = TIERS[_rank(tier) + 1]
                        else:
                            mastered = True
            else:
                streak = 0
            self._progress[did] = DistinctionProgress(did, tier, attempts, right, streak, mastered)
        if plan is not None:
            self.rounds += 1
        self._note(items)

    # -- picking -------------------------------------------------------------------------------
    def next_set(self) -> PracticeSet:
        """The next practice round: for each confused distinction not yet mastered, cases on
        both sides of it at its tier (then the nearest tiers) not practised before."""
        if not self._progress:
            return PracticeSet((), notices=(Notice("practice_none_confused"),))
        active = [p for p in self.progress() if not p.mastered]
        if not active:
            return PracticeSet((), notices=(Notice("practice_all_mastered"),))
        per = max(self.step, min(PER_DISTINCTION, SET_SIZE // len(active)))
        picks: dict[str, list[Case]] = {}
        notices = []
        for p in active:
            chosen = self._pick(BY_ID[p.distinction], p.tier, per)
            if chosen:
                picks[p.distinction] = chosen
            else:
                notices.append(Notice("practice_none_left", p.distinction))
        # one case of each distinction in turn, so a short round still touches every one
        cases: list[Case] = []
        aims: dict[str, str] = {}
        for i in range(per):
            for did, chosen in picks.items():
                if i < len(chosen):
                    cases.append(chosen[i])
                    aims[chosen[i].id] = did
        return PracticeSet(story_order(cases, self.pool), aims, tuple(notices))

    def _pick(self, d: Distinction, tier: str, n: int) -> list[Case]:
        """Up to ``n`` unused cases of ``d``, the two sides in turn: from ``tier``, then the
        harder tiers, then the easier ones; cases the learner has not met before come first."""
        here = _rank(tier)
        order = list(TIERS[here:]) + list(reversed(TIERS[:here]))
        chosen: list[Case] = []
        for level in order:
            sides: dict[str, list[Case]] = {"a": [], "b": []}
            for case in self.pool:
                side = d.side_of(case.process, case.level)
                if side and case.tier == level and case.id not in self.used:
                    sides[side].append(case)
            for cases in sides.values():
                self.rng.shuffle(cases)
                cases.sort(key=lambda c: c.id in self.answered)  # stable: new ones first
            while len(chosen) < n and (sides["a"] or sides["b"]):
                for key in ("a", "b"):
                    if sides[key] and len(chosen) < n:
                        case = sides[key].pop(0)
                        chosen.append(case)
                        self.used.add(case.id)
            if len(chosen) >= n:
                break
        return chosen


def story_order(cases: Sequence[Case], pool: Sequence[Case]) -> tuple[Case, ...]:
    """``cases`` with the members of each chain put back in the order ``pool`` has them (the
    story runs from anchoring to feedback), on the places the chain's members already hold."""
    index = {c.id: i for i, c in enumerate(pool)}
    items = list(cases)
    chains: dict[str, list[int]] = {}
    for place, case in enumerate(items):
        if case.chain:
            chains.setdefault(case.chain, []).append(place)
    for places in chains.values():
        members = sorted((items[p] for p in places), key=lambda c: index.get(c.id, len(index)))
        for place, member in zip(places, members, strict=True):
            items[place] = member
    return tuple(items)


def progress_rows(progress: Iterable[DistinctionProgress]) -> list[dict[str, object]]:
    """One record per distinction for :mod:`kit.classify.charts` (ids, not labels)."""
    return [
        {
            "distinction": p.distinction,
            "attempts": p.attempts,
            "right": p.right,
            "tier": p.tier,
            "mastered": p.mastered,
        }
        for p in progress
    ]
