"""The content of the built-in case library (issue 19): contrast pairs at middels and vanskelig
that differ only in the deciding cue, and cases of one class that do not share a wording
template. These read the library's data; the data model itself is tested elsewhere
(tests/test_case_library.py, tests/test_pairs.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kit.cases.casefile import load_cases
from kit.cases.pairs import find_pairs

from .test_nynorsk import BOKMAL

HARDER = {"middels", "vanskelig"}


def key(case) -> str:
    """The key as a short label: ``samskaping-2``, ``ingen``."""
    return case.process if case.level is None else f"{case.process}-{case.level}"


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def hard_pairs():
    """The pairs whose two cases are both middels or vanskelig."""
    return [p for p in find_pairs(load_cases()) if {p.first.tier, p.second.tier} <= HARDER]


def test_at_least_twenty_contrast_pairs_at_middels_and_vanskelig():
    pairs = hard_pairs()
    assert len(pairs) >= 20
    tiers = Counter(p.tier for p in pairs)
    assert tiers["vanskelig"] >= 10 and tiers["middels"] >= 5, tiers


def test_the_pairs_cover_every_contrast():
    """Co-creation against co-production, co-production against value co-creation, co-creation
    against value co-creation, a process against none, and level 1 against level 2."""
    contrasts = {frozenset((key(p.first), key(p.second))) for p in hard_pairs()}
    for a, b in [
        ("samskaping-2", "samproduksjon-3"),
        ("samproduksjon-3", "verdisamskaping-3"),
        ("samskaping-2", "verdisamskaping-3"),
        ("samskaping-2", "ingen"),
        ("samproduksjon-3", "ingen"),
        ("verdisamskaping-3", "ingen"),
        ("samskaping-1", "ingen"),
        ("samskaping-1", "samskaping-2"),
    ]:
        assert frozenset((a, b)) in contrasts, (a, b)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_two_texts_of_a_pair_share_most_of_their_words(lang):
    """Near-identical texts: at least 60 % of the shorter text's words are in the other."""
    thin = []
    for pair in hard_pairs():
        a, b = words(pair.first.text.get(lang)), words(pair.second.text.get(lang))
        share = len(a & b) / min(len(a), len(b))
        if share < 0.6:
            thin.append(f"{pair.first.id}: {share:.2f}")
    assert thin == []


def test_every_pair_says_what_differs_in_three_languages():
    """Each pair of the library has its forskjell in bokmål, nynorsk and English, and each
    explanation of a new pair names the partner."""
    missing = []
    for pair in find_pairs(load_cases()):
        diff = pair.difference
        if diff is None or not {"nn", "en"} <= set(diff.languages):
            missing.append(pair.first.id)
            continue
        if diff.nn == diff.nb or diff.en == diff.nb or BOKMAL.search(diff.nn):
            missing.append(f"{pair.first.id}: not written anew in nn/en")
    assert missing == []
    for pair in hard_pairs():
        for case in pair.cases:
            assert "parcase" in case.explanation.nb.lower(), case.id
            assert "parcase" in case.explanation.get("nn").lower(), case.id
            assert "paired case" in case.explanation.en, case.id


def test_value_co_creation_cases_do_not_share_an_opening():
    """No two value co-creation cases open with the same three words, and none keeps the old
    template ("[recipients] sier at det som betyr mest ...")."""
    cases = [c for c in load_cases() if c.process == "verdisamskaping" and not c.chain]
    openings = Counter(" ".join(c.text.nb.lower().split()[:3]) for c in cases)
    assert [o for o, n in openings.items() if n > 1] == []
    assert [c.id for c in cases if "det som betyr mest" in c.text.nb] == []


def test_co_design_cases_do_not_sit_down_together():
    """The source's phrase for co-design ("setter seg sammen") is not the library's template."""
    phrases = re.compile(
        r"setter seg (?:ned )?sammen|set seg (?:ned )?saman|sit down together", re.I
    )
    found = []
    for case in load_cases():
        if (case.process, case.level) != ("samskaping", 2):
            continue
        for lang in ("nb", "nn", "en"):
            part = case.marked.get(lang) if case.marked is not None else case.text.get(lang)
            if phrases.search(part):
                found.append(f"{case.id} ({lang})")
    assert found == []
