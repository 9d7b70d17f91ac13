"""Pure logic of the classification exercise: check, score, confusion, session."""

from __future__ import annotations

import csv
import io
from functools import partial

import pytest

from kit.cases.case import Answer, Case
from kit.cases.grading import check
from kit.cases.html import case_text_html
from kit.classify.exercise import Session, confusion, points_label, results_csv, score, shuffled
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


def test_shuffle_keeps_a_chain_in_story_order():
    chain = [chain_case(f"k{i}", chain="kjede-1") for i in range(4)]
    others = [chain_case(f"o{i}") for i in range(8)]
    cases = [chain[0], *others[:4], chain[1], chain[2], *others[4:], chain[3]]
    orders = set()
    for seed in range(20):
        out = shuffled(cases, seed)
        assert sorted(c.id for c in out) == sorted(c.id for c in cases)
        assert [c.id for c in out if c.chain] == ["k0", "k1", "k2", "k3"]
        orders.add(tuple(c.id for c in out))
    # positive control: the shuffle still shuffles, chain members included in where they land
    assert len(orders) > 10
    assert len({tuple(i for i, c in enumerate(o) if c.startswith("k")) for o in orders}) > 5


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
