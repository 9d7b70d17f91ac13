"""The order a round serves its cases in (pure): shuffled, and no case answerable by elimination
from the one just before it.

A chain (:attr:`Case.chain`) tells one story through the levels, its parts in story order in
the file; met in that order, each part can be guessed from the one before (anchoring, then
co-design, then delivery). A contrast pair's two cases have different keys by design; met one
right after the other, the second is half answered. So in a shuffled round no chain part comes
right after the part before it in the story, and no case right after its contrast partner.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from kit.cases.case import Case

__all__ = ["shuffle_cases"]


def shuffle_cases(cases: Sequence[Case], rng: random.Random) -> tuple[Case, ...]:
    """``cases`` in a random order from ``rng`` in which no chain part comes right after the
    part before it in its story (story order: the order of ``cases``) and no case right after
    its contrast partner, wherever the set allows it (a set of one chain's two parts always
    does: the later part first)."""
    items = list(cases)
    rng.shuffle(items)
    step: dict[str, tuple[str, int]] = {}
    parts: dict[str, int] = {}
    for case in cases:
        if case.chain:
            step[case.id] = (case.chain, parts.get(case.chain, 0))
            parts[case.chain] = parts.get(case.chain, 0) + 1

    def clash(before: Case, after: Case) -> bool:
        """Whether ``after`` right after ``before`` gives it away."""
        a, b = step.get(before.id), step.get(after.id)
        if a is not None and b is not None and a[0] == b[0] and b[1] == a[1] + 1:
            return True
        return bool(before.pair and before.pair == after.id) or after.pair == before.id

    out: list[Case] = []
    while items:
        fits = next((i for i, c in enumerate(items) if not out or not clash(out[-1], c)), None)
        if fits is not None:
            out.append(items.pop(fits))
            continue
        # the last case left clashes with the one before it: it goes where it fits
        case = items.pop()
        place = next(
            (
                p
                for p in range(len(out))
                if (p == 0 or not clash(out[p - 1], case)) and not clash(case, out[p])
            ),
            len(out),
        )
        out.insert(place, case)
    return tuple(out)
