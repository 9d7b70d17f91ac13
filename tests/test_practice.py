"""Adaptive practice (pure): confusions per distinction, aimed picks, tiers that move up."""

from __future__ import annotations

from functools import partial

import pytest

from kit.cases.case import TIERS, Answer, Case
from kit.cases.grading import check
from kit.classify.practice import (
    DISTINCTIONS,
    STEP,
    Practice,
    PracticeSet,
    answer_key,
    confused_by,
    confusions,
    progress_rows,
    start_tier,
    story_order,
)
from kit.core.i18n import t
from tests.factories import make_case
from tests.regions import table_region_labels

#: a case of a library (tier lett unless given, no chain unless given)
case = partial(make_case, title="T {id}", text="tekst", explanation="fordi")


KEYS = {
    "s1": ("samskaping", 1),
    "s2": ("samskaping", 2),
    "p3": ("samproduksjon", 3),
    "v3": ("verdisamskaping", 3),
    "ingen": ("ingen", None),
}


def library(per_tier: int = 4) -> tuple[Case, ...]:
    """``per_tier`` cases of every key at every tier: ids like ``s1-middels-2``."""
    return tuple(
        case(f"{name}-{tier}-{i}", *key, tier=tier)
        for name, key in KEYS.items()
        for tier in TIERS
        for i in range(per_tier)
    )


def key_of(c: Case) -> str:
    return next(name for name, key in KEYS.items() if key == (c.process, c.level))


def right(c: Case):
    return check(c, Answer(c.process, c.level))


def wrong_as(c: Case, process: str, level: int | None):
    return check(c, Answer(process, level))


# ---------------------------------------------------------------- which distinctions were mixed


@pytest.mark.parametrize(
    ("key", "given", "expected"),
    [
        ("s1", ("samskaping", 2), ["s1_s2"]),
        ("s2", ("samskaping", 1), ["s1_s2"]),  # either direction
        ("s2", ("samproduksjon", 3), ["s2_p3"]),
        ("p3", ("samskaping", 2), ["s2_p3"]),
        ("p3", ("samskaping", 3), ["s2_p3"]),  # samskaping on level 3 reads as level 2
        ("p3", ("verdisamskaping", 3), ["p3_v3"]),
        ("v3", ("samproduksjon", 3), ["p3_v3"]),  # the half-point answer is still a mix-up
        ("v3", ("samproduksjon", 2), ["p3_v3"]),  # a level samproduksjon cannot have
        ("ingen", ("samskaping", 1), ["ingen_s"]),
        ("ingen", ("samskaping", None), ["ingen_s"]),
        ("s2", ("ingen", None), ["ingen_s"]),
        ("s1", ("ingen", 1), ["ingen_s"]),
        ("ingen", ("samproduksjon", 3), ["ingen_p"]),
        ("p3", ("ingen", None), ["ingen_p"]),
        # right answers and mix-ups outside the distinctions confuse none of them
        ("s1", ("samskaping", 1), []),
        ("p3", ("samproduksjon", 2), []),  # level only, and samproduksjon has one level
        ("s1", ("verdisamskaping", 3), []),
        ("v3", ("ingen", None), []),
        ("s1", ("samskaping", None), []),  # samskaping, level unknown: not level 1 vs 2
    ],
)
def test_confused_by(key, given, expected):
    fb = check(case("x", *KEYS[key]), Answer(*given))
    assert [d.id for d in confused_by(fb)] == expected


@pytest.mark.parametrize(
    ("process", "level", "read"),
    [
        ("samskaping", 1, ("samskaping", 1)),
        ("samskaping", 3, ("samskaping", 2)),
        ("samskaping", None, ("samskaping", None)),
        ("samproduksjon", 1, ("samproduksjon", 3)),
        ("verdisamskaping", None, ("verdisamskaping", 3)),
        ("ingen", 2, ("ingen", None)),
    ],
)
def test_answer_key(process, level, read):
    assert answer_key(process, level) == read


def test_confusions_group_by_distinction_in_fixed_order():
    fbs = [
        wrong_as(case("a", *KEYS["v3"]), "samproduksjon", 3),
        wrong_as(case("b", *KEYS["s1"]), "samskaping", 2),
        right(case("c", *KEYS["s2"])),
        wrong_as(case("d", *KEYS["s2"]), "samskaping", 1),
    ]
    found = confusions(fbs)
    assert list(found) == ["s1_s2", "p3_v3"]
    assert [fb.case.id for fb in found["s1_s2"]] == ["b", "d"]
    assert confusions([right(case("e", *KEYS["p3"]))]) == {}


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        (["vanskelig"], "vanskelig"),
        (["vanskelig", "middels"], "middels"),
        (["middels", "lett", "vanskelig"], "lett"),
        ([], "lett"),
    ],
)
def test_start_tier_is_the_easiest_one_gone_wrong(tiers, expected):
    fbs = [
        wrong_as(case(f"c{i}", *KEYS["s1"], tier=tr), "samskaping", 2) for i, tr in enumerate(tiers)
    ]
    assert start_tier(fbs) == expected


def test_every_distinction_has_two_disjoint_sides():
    for d in DISTINCTIONS:
        for name, key in KEYS.items():
            sides = [d.a.holds(*key), d.b.holds(*key)]
            assert sides.count(True) <= 1, (d.id, name)


# ---------------------------------------------------------------- picking the practice set


@pytest.mark.parametrize(
    ("key", "given", "tier", "sides"),
    [
        ("s1", ("samskaping", 2), "lett", {"s1", "s2"}),
        ("p3", ("verdisamskaping", 3), "middels", {"p3", "v3"}),
        ("ingen", ("samskaping", 2), "vanskelig", {"ingen", "s1", "s2"}),
        ("ingen", ("samproduksjon", 3), "middels", {"ingen", "p3"}),
        ("s2", ("samproduksjon", 3), "lett", {"s2", "p3"}),
    ],
)
def test_picks_are_aimed_at_the_confusion_at_its_tier(key, given, tier, sides):
    first = [wrong_as(case("first", *KEYS[key], tier=tier), *given), right(case("ok", *KEYS["v3"]))]
    practice = Practice(library(), first, rng=3)
    plan = practice.next_set()
    assert plan.cases and not plan.notices
    assert {key_of(c) for c in plan.cases} <= sides
    assert {c.tier for c in plan.cases} == {tier}
    # both sides of the distinction come up, not just the key the learner got wrong
    assert len({key_of(c) for c in plan.cases}) >= 2
    assert set(plan.aims.values()) == {confused_by(first[0])[0].id}
    assert set(plan.aims) == {c.id for c in plan.cases}


def test_two_distinctions_share_the_set():
    first = [
        wrong_as(case("a", *KEYS["s1"]), "samskaping", 2),
        wrong_as(case("b", *KEYS["ingen"]), "samproduksjon", 3),
    ]
    plan = Practice(library(), first, rng=1).next_set()
    aims = [plan.aims[c.id] for c in plan.cases]
    assert sorted(set(aims)) == ["ingen_p", "s1_s2"]
    assert aims.count("s1_s2") == aims.count("ingen_p") == 4
    assert len({c.id for c in plan.cases}) == len(plan.cases)  # no case twice


def test_seed_makes_the_picks_reproducible():
    first = [wrong_as(case("a", *KEYS["p3"]), "samskaping", 2)]

    def picks(seed):
        practice = Practice(library(8), first, rng=seed)
        return [[c.id for c in practice.next_set().cases] for _ in range(3)]

    assert picks(5) == picks(5)
    assert len({tuple(map(tuple, picks(s))) for s in range(6)}) > 1  # positive control


@pytest.mark.parametrize("seed", range(5))
def test_cases_are_not_repeated_and_new_ones_come_first(seed):
    lib = library(4)
    first = [wrong_as(lib[0], "samskaping", 2), right(lib[1])]  # s1-lett-0 and s1-lett-1
    practice = Practice(lib, first, rng=seed)
    plan = practice.next_set()
    # two s1 and two s2 cases at lett; of the s1 ones the two the learner has not met
    assert sorted(c.id for c in plan.cases if c.id.startswith("s1-")) == [
        "s1-lett-2",
        "s1-lett-3",
    ]
    again = practice.next_set()
    assert not {c.id for c in plan.cases} & {c.id for c in again.cases}
    # the seen ones come back only once the new ones at the tier are used up
    assert {c.id for c in again.cases if c.id.startswith("s1-")} == {"s1-lett-0", "s1-lett-1"}


def test_chains_keep_their_story_order():
    chain = [case(f"k-{i}", *KEYS["s1" if i % 2 else "s2"], chain="k") for i in range(1, 5)]
    lib = (*chain, *(case(f"x{i}", *KEYS["s1"]) for i in range(6)))
    first = [wrong_as(case("a", *KEYS["s1"]), "samskaping", 2)]
    for seed in range(10):
        plan = Practice(lib, first, rng=seed).next_set()
        ids = [c.id for c in plan.cases if c.chain]
        assert ids == sorted(ids)
    shuffled_chain = [chain[2], case("y", *KEYS["s2"]), chain[0]]
    assert [c.id for c in story_order(shuffled_chain, lib)] == ["k-1", "y", "k-3"]


# ---------------------------------------------------------------- the tier moves up


def answer_set(practice: Practice, plan: PracticeSet, correct: bool = True) -> None:
    """Answer every case right, or every one wrong (samskaping 1: for the level 3 cases used
    here a wrong answer that mixes up no other distinction)."""
    fbs = [right(c) if correct else wrong_as(c, "samskaping", 1) for c in plan.cases]
    practice.record(fbs, plan)


@pytest.mark.parametrize(
    ("outcomes", "tier", "streak", "mastered"),
    [
        ([True], "lett", 1, False),
        ([True, True], "middels", 0, False),
        ([True, False, True], "lett", 1, False),
        ([True, True, True, True], "vanskelig", 0, False),
        ([True] * 6, "vanskelig", 0, True),
        ([False, False], "lett", 0, False),
        ([True, True, False, True], "middels", 1, False),
    ],
)
def test_tier_moves_up_after_step_right_in_a_row(outcomes, tier, streak, mastered):
    assert STEP == 2  # the table is written for two in a row
    first = [wrong_as(case("a", *KEYS["s1"]), "samskaping", 2)]
    practice = Practice(library(), first, rng=0)
    for ok in outcomes:
        (p,) = practice.progress()
        # one case at the distinction's current tier, aimed at it
        c = next(c for c in practice.pool if c.tier == p.tier and key_of(c) == "s2")
        plan = PracticeSet((c,), {c.id: "s1_s2"})
        practice.record([right(c) if ok else wrong_as(c, "samskaping", 1)], plan)
    (p,) = practice.progress()
    assert (p.tier, p.streak, p.mastered) == (tier, streak, mastered)
    assert (p.attempts, p.right) == (len(outcomes), sum(outcomes))


def test_rounds_move_up_and_the_next_set_is_harder():
    first = [wrong_as(case("a", *KEYS["p3"]), "verdisamskaping", 3)]
    practice = Practice(library(), first, rng=4)
    plan = practice.next_set()
    assert {c.tier for c in plan.cases} == {"lett"}
    answer_set(practice, plan)
    (p,) = practice.progress()
    assert (p.tier, p.attempts, p.right) == ("middels", 4, 4)
    plan = practice.next_set()
    assert {c.tier for c in plan.cases} == {"middels"}
    answer_set(practice, plan, correct=False)
    (p,) = practice.progress()
    assert (p.tier, p.attempts, p.right, p.streak) == ("middels", 8, 4, 0)  # no move down
    assert practice.rounds == 2


def test_right_answers_below_the_tier_do_not_count_towards_it():
    first = [wrong_as(case("a", *KEYS["s1"], tier="middels"), "samskaping", 2)]
    practice = Practice(library(), first, rng=0)
    easy = [c for c in practice.pool if c.tier == "lett" and key_of(c) == "s1"][:3]
    practice.record(
        [right(c) for c in easy], PracticeSet(tuple(easy), {c.id: "s1_s2" for c in easy})
    )
    (p,) = practice.progress()
    assert (p.tier, p.streak, p.right) == ("middels", 0, 3)


def test_a_new_mix_up_in_practice_adds_its_distinction():
    first = [wrong_as(case("a", *KEYS["s1"]), "samskaping", 2)]
    practice = Practice(library(), first, rng=0)
    plan = practice.next_set()
    fbs = [wrong_as(c, "samproduksjon", 3) if key_of(c) == "s2" else right(c) for c in plan.cases]
    practice.record(fbs, plan)
    assert practice.confused == ("s1_s2", "s2_p3")
    s1_s2, s2_p3 = practice.progress()
    assert s1_s2.attempts == len(plan.cases) and s2_p3.attempts == 0


# ---------------------------------------------------------------- never empty without a message


def test_no_confusion_gives_a_message_not_an_empty_round():
    plan = Practice(library(), [right(case("a", *KEYS["s1"]))]).next_set()
    assert plan.cases == () and [n.key for n in plan.notices] == ["practice_none_confused"]
    assert "blandet ikke" in plan.notices[0].text("nb")


def test_a_distinction_without_cases_left_is_named():
    lib = (case("s1-only", *KEYS["s1"]), case("p", *KEYS["p3"]), case("v", *KEYS["v3"]))
    first = [
        wrong_as(case("a", *KEYS["ingen"]), "samskaping", 2),  # no ingen case in the library
        wrong_as(case("b", *KEYS["ingen"]), "samproduksjon", 3),
    ]
    practice = Practice(lib, first, rng=0)
    plan = practice.next_set()
    assert {c.id for c in plan.cases} == {"s1-only", "p"}
    assert plan.notices == ()
    plan = practice.next_set()  # everything used now
    assert plan.cases == ()
    assert [(n.key, n.distinction) for n in plan.notices] == [
        ("practice_none_left", "ingen_s"),
        ("practice_none_left", "ingen_p"),
    ]
    text = plan.notices[0].text("en")
    assert "no cases left" in text and "None of these or co-creation" in text


def test_a_round_with_cases_also_names_the_distinction_that_ran_out():
    lib = (case("s1", *KEYS["s1"]), case("s2", *KEYS["s2"]), case("p", *KEYS["p3"]))
    first = [
        wrong_as(case("a", *KEYS["s1"]), "samskaping", 2),
        wrong_as(case("b", *KEYS["p3"]), "verdisamskaping", 3),
    ]
    practice = Practice(lib, first, rng=0)
    practice.next_set()
    assert practice.used == {"s1", "s2", "p"}
    lib2 = (*lib, case("s1b", *KEYS["s1"], tier="vanskelig"))
    practice.pool = lib2
    plan = practice.next_set()
    assert [c.id for c in plan.cases] == ["s1b"]  # nearest tier with a case left
    assert [(n.key, n.distinction) for n in plan.notices] == [("practice_none_left", "p3_v3")]


def test_all_mastered_says_so():
    first = [wrong_as(case("a", *KEYS["s1"], tier="vanskelig"), "samskaping", 2)]
    practice = Practice(library(), first, rng=0)
    answer_set(practice, practice.next_set())
    (p,) = practice.progress()
    assert p.mastered
    plan = practice.next_set()
    assert plan.cases == () and [n.key for n in plan.notices] == ["practice_all_mastered"]


def test_an_empty_practice_set_needs_a_notice():
    with pytest.raises(ValueError, match="notice"):
        PracticeSet(())


# ---------------------------------------------------------------- the chart and its table


ROWS = [
    {"distinction": "s1_s2", "attempts": 4, "right": 3, "tier": "middels", "mastered": False},
    {"distinction": "p3_v3", "attempts": 6, "right": 6, "tier": "vanskelig", "mastered": True},
]


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        (
            "nb",
            "Samskaping på nivå 1 eller nivå 2: 3 av 4 helt riktige, nå på vanskelighet middels.",
            "Samproduksjon eller verdisamskaping: 6 av 6 helt riktige, mestret",
        ),
        (
            "nn",
            "Samskaping på nivå 1 eller nivå 2: 3 av 4 heilt rette, no på vanskegrad middels.",
            "Samproduksjon eller verdisamskaping: 6 av 6 heilt rette, meistra",
        ),
        (
            "en",
            "Co-creation at level 1 or level 2: 3 of 4 fully right, now at difficulty medium.",
            "Co-production or value co-creation: 6 of 6 fully right, mastered",
        ),
    ],
)
def test_progress_chart_has_a_description_and_a_table(lang, first, second):
    from kit.classify import charts

    spec = charts.practice_progress_chart(ROWS, lang).to_dict()
    assert spec["description"].startswith(first) and second in spec["description"]
    assert spec["description"] == charts.practice_progress_summary(ROWS, lang)
    bars, labels = (layer["data"]["values"] for layer in spec["layer"])
    assert [b["count"] for b in bars] == [3, 1, 6, 0]
    assert [lab["label"].split(" ")[0] for lab in labels] == ["3", "6"]
    table = charts.practice_progress_table(ROWS, lang)
    assert table_region_labels(table) == [t("practice_progress_title", lang)]
    assert table.count("<tr>") == 3 and "<th scope='row'>" in table
    assert "<td>4</td><td>3</td>" in table and "<td>6</td><td>6</td>" in table


def test_progress_rows_and_empty_progress():
    from kit.classify import charts

    first = [wrong_as(case("a", *KEYS["s1"]), "samskaping", 2)]
    rows = progress_rows(Practice(library(), first).progress())
    assert rows == [
        {"distinction": "s1_s2", "attempts": 0, "right": 0, "tier": "lett", "mastered": False}
    ]
    assert charts.practice_progress_summary(rows, "nb") == (
        "Samskaping på nivå 1 eller nivå 2: blandet i siste runde, ikke øvd på ennå"
        " (starter på vanskelighet lett)."
    )
    labels = charts.practice_progress_chart(rows, "en").to_dict()["layer"][1]["data"]["values"]
    assert labels[0]["label"] == "not practised yet · easy"
    assert charts.practice_progress_summary([], "nb") == "Ingen øvingssvar ennå."
    assert charts.practice_progress_chart([], "en").to_dict()["description"]


def test_doctests():
    import doctest

    import kit.classify.practice

    assert doctest.testmod(kit.classify.practice).failed == 0
