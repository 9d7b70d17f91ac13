"""Pure logic of the classification exercise: check, score, confusion, session."""

from __future__ import annotations

import csv
import io
from functools import partial
from itertools import pairwise

import pytest

from kit.cases.case import Answer, Case
from kit.cases.casefile import load_cases
from kit.cases.grading import check
from kit.cases.html import case_text_html
from kit.classify.exercise import (
    ALL,
    MIXED,
    Session,
    confusion,
    points_label,
    results_csv,
    score,
    select_cases,
    shuffled,
)
from kit.core.text import Text
from tests.factories import make_case

case = partial(
    make_case, title=Text("T {id}", "T {id} en"), text="tekst", explanation=Text("fordi", "because")
)


CASES = (
    case("a", "samskaping", 1),
    case("b", "samskaping", 2),
    case("c", "samproduksjon", 3),
    case("d", "verdisamskaping", 3),
    case("e", "ingen", None),
)


@pytest.mark.parametrize(
    ("the_case", "answer", "process_ok", "level_ok"),
    [
        (CASES[0], Answer("samskaping", 1), True, True),
        (CASES[0], Answer("samskaping", 2), True, False),
        (CASES[2], Answer("samskaping", 3), False, True),
        (CASES[2], Answer("verdisamskaping", 2), False, False),
        (CASES[4], Answer("ingen", None), True, True),
        (CASES[4], Answer("ingen", 1), True, False),
    ],
)
def test_check_per_part(the_case, answer, process_ok, level_ok):
    fb = check(the_case, answer)
    assert (fb.process_ok, fb.level_ok, fb.correct) == (
        process_ok,
        level_ok,
        process_ok and level_ok,
    )


def test_answer_rejects_unknown_values():
    with pytest.raises(ValueError):
        Answer("samarbeid", 1)
    with pytest.raises(ValueError):
        Answer("samskaping", 4)


def test_case_rejects_contradiction():
    with pytest.raises(ValueError, match="cannot be at level"):
        case("x", "samproduksjon", 2)


def test_score_and_by_process():
    fbs = [
        check(CASES[0], Answer("samskaping", 1)),  # right
        check(CASES[1], Answer("samproduksjon", 3)),  # wrong, wrong
        check(CASES[2], Answer("samproduksjon", 2)),  # process right, level wrong
        check(CASES[4], Answer("ingen", None)),  # right
    ]
    s = score(fbs)
    assert (s.answered, s.correct, s.process_correct, s.level_correct) == (4, 2, 3, 2)
    assert s.by_process == {"samskaping": (1, 2), "samproduksjon": (1, 1), "ingen": (1, 1)}


def test_confusion_counts_every_pair():
    fbs = [
        check(CASES[0], Answer("samproduksjon", 3)),
        check(CASES[1], Answer("samproduksjon", 3)),
        check(CASES[2], Answer("samproduksjon", 3)),
    ]
    rows = confusion(fbs)
    assert len(rows) == 16
    got = {(r["expected"], r["given"]): r["count"] for r in rows}
    assert got[("samskaping", "samproduksjon")] == 2
    assert got[("samproduksjon", "samproduksjon")] == 1
    assert sum(got.values()) == 3


def test_shuffle_is_seeded_and_complete():
    a = shuffled(CASES, 7)
    assert a == shuffled(CASES, 7)
    assert sorted(c.id for c in a) == sorted(c.id for c in CASES)
    assert shuffled(CASES, None) == CASES
    assert any(shuffled(CASES, s) != CASES for s in range(5))


def test_session_walks_through_and_collects_wrong():
    session = Session(CASES[:3])
    assert session.current == CASES[0] and not session.checked
    with pytest.raises(RuntimeError):
        session.advance()
    session.answer(Answer("samskaping", 1))
    again = session.answer(Answer("ingen", None))  # a second answer does not overwrite
    assert again.correct and session.checked
    session.advance()
    session.answer(Answer("samproduksjon", 3))
    session.advance()
    session.answer(Answer("samproduksjon", 3))
    assert session.advance() is None and session.finished
    assert session.wrong_cases() == (CASES[1],)
    with pytest.raises(RuntimeError):
        session.answer(Answer("ingen", None))


def test_session_stopped_early_keeps_the_answers_so_far():
    session = Session(CASES)
    session.answer(Answer("samskaping", 1))
    session.advance()
    session.answer(Answer("ingen", None))  # answered, not advanced: counts
    session.stop()
    assert session.finished and session.stopped_early and session.current is None
    assert session.answered == 2 and session.score().answered == 2
    assert session.wrong_cases() == (CASES[1],)
    for late in (lambda: session.answer(Answer("ingen", None)), session.advance):
        with pytest.raises(RuntimeError):
            late()
    assert session.answered == 2 and session.index == 1
    # stopped before answering the current case: that case is left out
    other = Session(CASES)
    other.answer(Answer("samskaping", 1))
    other.advance()
    other.stop()
    assert other.answered == 1 and [f.case for f in other.feedbacks] == [CASES[0]]
    # nothing answered: an empty result, not an error
    empty = Session(CASES)
    empty.stop()
    assert empty.answered == 0 and empty.score().answered == 0 and empty.stopped_early


def test_a_session_run_to_the_end_is_not_stopped_early():
    session = Session(CASES[:2])
    assert session.last is False
    session.answer(Answer("samskaping", 1))
    session.advance()
    assert session.last is True
    session.answer(Answer("samskaping", 2))
    session.stop()  # "finish" on the last case, once it is answered
    assert session.finished and not session.stopped_early and session.last is False
    assert Session(CASES[:1]).stopped_early is False


def test_session_needs_cases():
    with pytest.raises(ValueError):
        Session([])


def test_results_csv_readable_by_excel_norway():
    fbs = [check(CASES[0], Answer("samskaping", 2)), check(CASES[4], Answer("ingen", None))]
    text = results_csv(fbs, "nb")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "id" and len(rows) == 3
    assert rows[1] == [
        "a",
        "T a",
        "Samskaping",
        "Samskaping",
        "Nivå 2",
        "Nivå 1",
        "nei",
        "feil",
        "0",
    ]
    assert rows[2][-3:] == ["ja", "riktig", "1"] and rows[2][4] == "Ikke noe nivå"
    assert "Co-creation (samskaping)" in results_csv(fbs, "en")


# ---------------------------------------------------------------- partial credit

VERDI = CASES[3]  # verdisamskaping, level 3
SAMPRO = CASES[2]  # samproduksjon, level 3


@pytest.mark.parametrize(
    ("the_case", "answer", "outcome", "points"),
    [
        (VERDI, Answer("samproduksjon", 3), "partial", 0.5),
        # positive and negative controls around it
        (VERDI, Answer("verdisamskaping", 3), "right", 1.0),
        (VERDI, Answer("samproduksjon", 2), "wrong", 0.0),
        (VERDI, Answer("samskaping", 3), "wrong", 0.0),
        (VERDI, Answer("ingen", None), "wrong", 0.0),
        (SAMPRO, Answer("verdisamskaping", 3), "wrong", 0.0),  # not the other way round
        (SAMPRO, Answer("samproduksjon", 3), "right", 1.0),
        (CASES[1], Answer("samproduksjon", 3), "wrong", 0.0),
    ],
)
def test_partial_credit_only_for_samproduksjon_on_a_verdisamskaping_case(
    the_case, answer, outcome, points
):
    fb = check(the_case, answer)
    assert (fb.outcome, fb.points, fb.partial) == (outcome, points, outcome == "partial")
    assert fb.correct == (outcome == "right")


def test_score_counts_points_and_partial_answers():
    fbs = [
        check(VERDI, Answer("samproduksjon", 3)),  # half a point
        check(SAMPRO, Answer("samproduksjon", 3)),  # right
        check(CASES[0], Answer("samskaping", 2)),  # wrong
        check(VERDI, Answer("verdisamskaping", 3)),  # right
    ]
    s = score(fbs)
    assert (s.answered, s.correct, s.partial, s.points) == (4, 2, 1, 2.5)
    # the process counts stay strict: samproduksjon is not the process of a verdisamskaping case
    assert s.by_process["verdisamskaping"] == (1, 2)
    assert score([]).points == 0


def test_partial_answer_is_practised_again():
    session = Session([VERDI, SAMPRO])
    session.answer(Answer("samproduksjon", 3))
    session.advance()
    session.answer(Answer("samproduksjon", 3))
    assert session.score().points == 1.5
    assert session.wrong_cases() == (VERDI,)


@pytest.mark.parametrize(
    ("lang", "outcome", "points"),
    [("nb", "halvt poeng", "0,5"), ("nn", "halvt poeng", "0,5"), ("en", "half a point", "0.5")],
)
def test_results_csv_shows_the_partial_outcome(lang, outcome, points):
    fbs = [check(VERDI, Answer("samproduksjon", 3)), check(SAMPRO, Answer("ingen", None))]
    rows = list(csv.reader(io.StringIO(results_csv(fbs, lang)), delimiter=";"))
    assert len(rows[0]) == len(rows[1]) == 9
    assert rows[1][0] == "d" and rows[1][-2:] == [outcome, points]
    no = {"nb": "nei", "nn": "nei", "en": "no"}[lang]
    assert rows[1][-3] == no  # not fully right
    assert rows[2][-1] == "0"


def test_points_label():
    assert [points_label(p, "nb") for p in (0, 1.0, 2.5)] == ["0", "1", "2,5"]
    assert points_label(2.5, "en") == "2.5" and points_label(3.0, "en") == "3"


# ---------------------------------------------------------------- chains and marked parts


chain_case = partial(
    make_case, process="ingen", level=None, title="{id}", text="tekst", explanation="fordi"
)


def _gives_away(before, after, story) -> bool:
    """``after`` is the chain part right after ``before`` in ``story``, or its pair partner."""
    if before.chain and before.chain == after.chain:
        return story.index(after.id) == story.index(before.id) + 1
    return before.pair == after.id or after.pair == before.id


def test_a_shuffle_never_serves_a_chain_part_right_after_the_one_before_it():
    chain = [chain_case(f"k{i}", chain="kjede-1") for i in range(4)]
    others = [chain_case(f"o{i}") for i in range(8)]
    # the set holds the chain in story order, its middle parts side by side
    cases = [chain[0], *others[:4], chain[1], chain[2], *others[4:], chain[3]]
    story = [c.id for c in chain]
    orders = []
    for seed in range(200):
        out = shuffled(cases, seed)
        assert sorted(c.id for c in out) == sorted(c.id for c in cases)
        assert not any(_gives_away(a, b, story) for a, b in pairwise(out)), seed
        orders.append(tuple(c.id for c in out if c.chain))
    # the parts come in many orders, story order as seldom as a shuffle gives it (1 in 24)
    assert len(set(orders)) > 12
    assert orders.count(tuple(story)) < 200 / 8


def test_a_chain_of_two_alone_is_served_later_part_first():
    cases = [chain_case("k0", chain="k"), chain_case("k1", chain="k")]
    assert {tuple(c.id for c in shuffled(cases, seed)) for seed in range(20)} == {("k1", "k0")}


def test_a_shuffle_keeps_contrast_partners_apart():
    a = chain_case("a", pair="b")
    b = chain_case("b")
    cases = [a, b, *(chain_case(f"o{i}") for i in range(3))]
    for seed in range(100):
        out = [c.id for c in shuffled(cases, seed)]
        assert abs(out.index("a") - out.index("b")) > 1, seed


def test_the_whole_library_never_serves_chain_parts_in_a_row():
    cases = load_cases()
    chains = {}
    for case in cases:
        if case.chain:
            chains.setdefault(case.chain, []).append(case.id)
    assert len(chains) >= 2
    story = [i for ids in chains.values() for i in ids]
    in_order = 0
    for seed in range(30):
        out = select_cases(cases, MIXED, ALL, seed).cases
        assert len(out) == len(cases)
        assert not any(_gives_away(a, b, story) for a, b in pairwise(out)), seed
        for ids in chains.values():
            served = [c.id for c in out if c.chain and c.id in ids]
            in_order += served == ids
    # a seeded shuffle: a chain's parts in story order only by chance
    assert in_order < 30 * len(chains) / 2


#: a case of a chain whose ``text`` has a ``marked`` part (both given by the test)
marked_case = partial(
    make_case, "m", "samskaping", 2, title="Tittel", explanation="fordi", chain="k"
)


def test_case_text_html_marks_and_escapes():
    case = marked_case(
        text=Text(
            "Først <b>ramme</b>. Så setter de seg sammen & lager tilbudet. Til slutt drift.",
            nn="Fyrst ramme. Så set dei seg saman og lagar tilbodet. Til slutt drift.",
        ),
        marked=Text(
            "Så setter de seg sammen & lager tilbudet.",
            nn="Så set dei seg saman og lagar tilbodet.",
        ),
    )
    assert case_text_html(case, "nb") == (
        "Først &lt;b&gt;ramme&lt;/b&gt;. <mark>Så setter de seg sammen &amp; lager tilbudet.</mark>"
        " Til slutt drift."
    )
    assert case_text_html(case, "nn") == (
        "Fyrst ramme. <mark>Så set dei seg saman og lagar tilbodet.</mark> Til slutt drift."
    )
    # English is missing: text and marked part fall back to bokmål together
    assert case_text_html(case, "en") == case_text_html(case, "nb")
    # positive control: a case without a marked part is the escaped text alone
    plain = make_case("p", "ingen", None, title="T", text="a <i>b</i>", explanation="f")
    assert case_text_html(plain, "nb") == "a &lt;i&gt;b&lt;/i&gt;"


def test_marked_part_may_differ_in_whitespace_only():
    case = marked_case(text="En to\ntre fire.", marked=Text("to tre"))
    assert case_text_html(case, "nb") == "En <mark>to\ntre</mark> fire."
    other = marked_case(text="En to tre fire.", marked=Text("to fire"))
    assert case_text_html(other, "nb") == "En to tre fire."  # not found: no mark


def test_case_rejects_unknown_tier():
    with pytest.raises(ValueError, match="tier"):
        Case("x", Text("T"), Text("t"), "ingen", None, Text("f"), tier="umulig")


@pytest.mark.parametrize(
    ("lang", "relation", "judge"),
    [
        ("nb", "som et resultat av samproduksjon på nivå 3", "tjenestemottakeren som opplever"),
        ("nn", "som eit resultat av samproduksjon på nivå 3", "tenestemottakaren som opplever"),
        ("en", "as a result of co-production at level 3", "service recipient who experiences"),
    ],
)
def test_concepts_explain_how_the_two_level_3_processes_relate(lang, relation, judge):
    """The concepts lesson says why samproduksjon is half of a verdisamskaping answer."""
    from kit.concepts.lessons import load_lesson
    from kit.core.i18n import t

    (pair,) = [p for p in load_lesson().contrasts if p.id == "leksehjelp"]
    assert {pair.a.process, pair.b.process} == {"samproduksjon", "verdisamskaping"}
    point = " ".join(pair.point.get(lang).split())
    assert lang in pair.point.languages
    assert relation in point and judge in point
    # the exercise's reason says the same
    assert relation in " ".join(t("klass_fb_partial_reason", lang).split())


# ---------------------------------------------------------------- choosing a round's cases

#: 4 lett, 3 middels, 2 vanskelig, in that order
TIERED = (
    *(make_case(f"l{i}", "ingen", None, tier="lett") for i in range(4)),
    *(make_case(f"m{i}", "ingen", None, tier="middels") for i in range(3)),
    *(make_case(f"v{i}", "ingen", None, tier="vanskelig") for i in range(2)),
)


def ids(cases) -> list[str]:
    return [c.id for c in cases]


def test_the_defaults_select_what_a_round_took_before():
    """Every tier and every case: the set in the order the seed gives, as Session did alone."""
    for seed in (None, 1, 2):
        sel = select_cases(TIERED, seed=seed)
        assert sel.cases == shuffled(TIERED, seed) == Session(TIERED, seed).cases
        assert (sel.tier, sel.count, sel.available, sel.short) == (MIXED, ALL, 9, False)


def test_select_one_tier_and_a_number_of_cases():
    sel = select_cases(TIERED, "lett", 3)
    assert ids(sel.cases) == ["l0", "l1", "l2"]  # no seed: the set's order
    assert (sel.available, sel.short) == (4, False)
    mixed = select_cases(TIERED, MIXED, 5)
    assert ids(mixed.cases) == ["l0", "l1", "l2", "l3", "m0"] and mixed.available == 9
    # with a seed: the first N of the seeded order, the same for the same seed
    for seed in range(10):
        sel = select_cases(TIERED, "middels", 2, seed)
        assert ids(sel.cases) == ids(shuffled(TIERED[4:7], seed))[:2]
        assert sel == select_cases(TIERED, "middels", 2, seed)
    picks = {ids(select_cases(TIERED, MIXED, 3, seed).cases)[0] for seed in range(20)}
    assert len(picks) > 3  # positive control: a seed picks different cases


def test_a_tier_with_fewer_cases_than_asked_gives_all_of_them():
    sel = select_cases(TIERED, "vanskelig", 5, seed=3)
    assert sorted(ids(sel.cases)) == ["v0", "v1"]
    assert sel.short and sel.available == 2 and sel.count == 5
    exact = select_cases(TIERED, "vanskelig", 2)
    assert not exact.short and len(exact.cases) == 2  # just enough is not short
    assert not select_cases(TIERED, "vanskelig", ALL).short


def test_a_tier_without_cases_gives_an_empty_selection():
    only_easy = TIERED[:4]
    sel = select_cases(only_easy, "vanskelig", 10, seed=1)
    assert sel.cases == () and sel.available == 0 and not sel.short
    assert select_cases((), MIXED, ALL).cases == ()


def test_a_round_of_n_takes_chain_parts_but_not_one_right_after_the_other():
    chain = [chain_case(f"k{i}", chain="kjede-1", tier="vanskelig") for i in range(3)]
    others = [chain_case(f"o{i}", tier="vanskelig") for i in range(6)]
    cases = [chain[0], *others[:3], chain[1], *others[3:], chain[2]]
    story = [c.id for c in chain]
    for seed in range(20):
        taken = select_cases(cases, "vanskelig", 4, seed).cases
        assert len(taken) == 4
        assert not any(_gives_away(a, b, story) for a, b in pairwise(taken))


@pytest.mark.parametrize(
    ("tier", "count"), [("umulig", ALL), (MIXED, 0), (MIXED, -5), (MIXED, "ti"), (MIXED, True)]
)
def test_select_rejects_an_unknown_choice(tier, count):
    with pytest.raises(ValueError):
        select_cases(TIERED, tier, count)
