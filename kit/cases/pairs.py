"""Contrast pairs: two cases that tell the same story but differ in the deciding cue (who
decides, at which stage, whose experience shapes the offer), so their keys differ (pure).

A case file writes a pair with the column ``par``: the id of the other case. Writing it on one
of the two is enough; when both write one, they must name each other. The optional column
``forskjell`` (with ``forskjell_nn`` and ``forskjell_en``) says in a sentence or two what
differs and why it decides; it is written on one of the two cases (on both, it must be the same
text) and shown once both cases are answered. Without it, the two explanations are shown.

:func:`find_pairs` gives the pairs of a case set; :func:`pair_problems` the warnings a case
file's pairs earn (a pair that cannot form is no error: its cases are still cases).
Klassifiser's pair rounds and the live room's pair items both stand on these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from kit.cases.case import TIERS, Case
from kit.core.i18n import LANGUAGES, t
from kit.core.tables import Problem
from kit.core.text import Text

__all__ = [
    "PAIR_PREFIX",
    "SIDES",
    "ContrastPair",
    "PairPlace",
    "find_pairs",
    "flat_cases",
    "pair_id",
    "pair_problems",
]

#: How the two cases of a pair are named where they are shown, left (or on top) first.
SIDES: tuple[str, str] = ("A", "B")
#: Every pair's id starts with this, so it never takes a case's or a question's id.
PAIR_PREFIX = "par:"
#: The longest pair id (the live store's id column, kit.live.schema.CASE_ID_MAX).
PAIR_ID_MAX = 80


def pair_id(a: str, b: str) -> str:
    """The id of the pair of cases ``a`` and ``b``, the same in either order: ``par:`` and the
    first id in sort order, or a digest of both when that would be too long for the store."""
    first, second = sorted((a, b))
    plain = PAIR_PREFIX + first
    if len(plain) <= PAIR_ID_MAX:
        return plain
    digest = hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:32]
    return PAIR_PREFIX + digest


@dataclass(frozen=True)
class ContrastPair:
    """Two cases with different keys, shown side by side; ``first`` on the left (or on top)."""

    first: Case
    second: Case

    def __post_init__(self) -> None:
        if self.first.id == self.second.id:
            raise ValueError("a pair is two different cases")

    @property
    def id(self) -> str:
        return pair_id(self.first.id, self.second.id)

    @property
    def cases(self) -> tuple[Case, Case]:
        return (self.first, self.second)

    @property
    def difference(self) -> Text | None:
        """What differs (``forskjell``), from whichever case carries it."""
        return self.first.difference or self.second.difference

    @property
    def tier(self) -> str:
        """The harder of the two cases' tiers: a pair is as hard as its harder case."""
        return max((self.first.tier, self.second.tier), key=TIERS.index)

    @property
    def domain(self) -> str:
        return self.first.domain

    def swapped(self) -> ContrastPair:
        """The same pair, the other case first."""
        return ContrastPair(self.second, self.first)

    def title(self, lang: str) -> str:
        """The pair's name in a list: both titles."""
        return t(
            "pair_title", lang, first=self.first.title.get(lang), second=self.second.title.get(lang)
        )

    def phone_json(self) -> dict[str, Any]:
        """The pair as a phone sees it before the reveal: both cases without their keys, and no
        difference (it would give the keys away)."""
        return {
            "id": self.id,
            "kind": "pair",
            "title": {lang: self.title(lang) for lang in LANGUAGES},
            "cases": [self.first.phone_json(), self.second.phone_json()],
        }

    def difference_text(self, lang: str) -> str:
        """What differs, in ``lang``; without a ``forskjell``, a pointer to the explanations."""
        said = self.difference
        return said.get(lang) if said is not None else t("pair_difference_none", lang)

    def key_json(self) -> dict[str, Any]:
        """What the phones get at the pair's reveal, besides each case's key: the difference."""
        difference = self.difference
        return {"difference": dict(difference.as_dict()) if difference else None}


def find_pairs(cases: Iterable[Case]) -> tuple[ContrastPair, ...]:
    """The contrast pairs of ``cases``, in the order their first case comes.

    Case A and case B make a pair when A names B in ``par``, B names A or nobody, and their keys
    (process and level) differ. A case is in one pair at most: the first that forms.
    """
    items = tuple(cases)
    by_id = {c.id: c for c in items}
    named_by: dict[str, list[Case]] = {}
    for case in items:
        if case.pair:
            named_by.setdefault(case.pair, []).append(case)
    taken: set[str] = set()
    pairs: list[ContrastPair] = []
    for case in items:
        if case.id in taken:
            continue
        named = [by_id[case.pair]] if case.pair in by_id else []
        candidates = named + ([] if case.pair else named_by.get(case.id, []))
        partner = next((p for p in candidates if p.id not in taken and _fits(case, p)), None)
        if partner is not None:
            taken.update((case.id, partner.id))
            pairs.append(ContrastPair(case, partner))
    return tuple(pairs)


def _fits(a: Case, b: Case) -> bool:
    """Whether ``a`` and ``b`` make a pair: one names the other, neither names a third case,
    and their keys differ."""
    names = b.id == a.pair or a.id == b.pair
    faithful = a.pair in (None, b.id) and b.pair in (None, a.id)
    differ = (a.process, a.level) != (b.process, b.level)
    return a.id != b.id and names and faithful and differ


def flat_cases(items: Iterable[object]) -> tuple[Case, ...]:
    """The cases of a session's items, in order: a case itself, a pair's two cases in its
    place; anything else (a question) left out."""
    out: list[Case] = []
    for item in items:
        if isinstance(item, Case):
            out.append(item)
        elif isinstance(item, ContrastPair):
            out.extend(item.cases)
    return tuple(out)


class PairPlace(NamedTuple):
    """Where a case's pair columns are in its file, for the warnings."""

    file: str
    row: int
    par: str  #: the column ``par`` as the file spells it
    difference: str  #: the column ``forskjell`` as the file spells it


def pair_problems(cases: Sequence[Case], places: Mapping[str, PairPlace]) -> list[Problem]:
    """The warnings about the pairs of the sound ``cases`` of a file or a library: a case that
    names itself, names a case that names another, names a case another already paired with,
    or is paired with a case of the same key; two different differences in one pair; a
    difference on a case without a pair. A ``par`` naming no case at all is the reader's own
    warning (the case may be one with problems). ``places``: each case's id -> its place."""
    by_id = {c.id: c for c in cases}
    pairs = find_pairs(cases)
    paired = {c.id: p for p in pairs for c in p.cases}
    claimed: dict[str, str] = {}  # a case that names nobody -> the first case naming it
    out: list[Problem] = []

    def warn(case: Case, column: str, key: str, **params: Any) -> None:
        place = places[case.id]
        name = place.par if column == "par" else place.difference
        out.append(Problem(place.file, place.row, name, key, params))

    index = {c.id: n for n, c in enumerate(cases)}
    for case in cases:
        partner = by_id.get(case.pair) if case.pair else None
        if case.pair == case.id:
            warn(case, "par", "cases_pair_self", value=case.id)
        elif partner is not None and partner.pair not in (None, case.id):
            warn(case, "par", "cases_pair_not_mutual", value=partner.id, other=partner.pair)
        elif partner is not None and (case.process, case.level) == (
            partner.process,
            partner.level,
        ):
            if partner.pair != case.id or index[case.id] < index[partner.id]:
                warn(case, "par", "cases_pair_same_key", value=partner.id)
        elif partner is not None and partner.pair is None:
            first = claimed.setdefault(partner.id, case.id)
            if first != case.id:
                warn(case, "par", "cases_pair_taken", value=partner.id, other=first)
        if case.difference is not None and case.id not in paired:
            warn(case, "forskjell", "cases_difference_without_pair")
    for pair in pairs:
        one, two = pair.first.difference, pair.second.difference
        if one is not None and two is not None and one != two:
            warn(pair.second, "forskjell", "cases_pair_two_differences", value=pair.first.id)
    return out
