"""A contrast pair in a live session: one item of the plan, its two cases answered on the
phones one by one, revealed and re-voted together, both keys and what differs on the phones, the
big screen and the report (kit.live: questions, store, hub, controller, screen, plan, picker,
presenter)."""

from __future__ import annotations

import json

import pytest

from kit import Presentator
from kit.cases.case import Answer
from kit.cases.casefile import load_cases
from kit.cases.pairs import ContrastPair, find_pairs
from kit.core.i18n import t
from kit.core.text import Text
from kit.live.controller import SessionController
from kit.live.hub import state_json
from kit.live.picker import SHOWN_RESULTS
from kit.live.plan import SessionPlan, item_pool, plan_to_yaml, read_plan, resolve
from kit.live.plan_html import count_text
from kit.live.questions import check_items, items_from_json, items_to_json, load_questions
from kit.live.report_html import report_document
from kit.live.screen import control, screen_json, screen_view
from kit.live.screen_html import screen_html
from kit.live.store import InvalidAnswer, RoundLimit, Store
from tests.factories import make_case

LIBRARY = load_cases()
QUESTION = load_questions().questions[0]
DIFFERENCE = Text("Hvem som planla.", en="Who planned.", nn="Kven som planla.")
A = make_case("a", "samproduksjon", 3, pair="b", difference=DIFFERENCE)
B = make_case("b", "samskaping", 2, pair="a")
C = make_case("c", "ingen", None)
PAIR = ContrastPair(A, B)
ITEMS = (C, PAIR, QUESTION)
UNLIMITED = (1_000_000, 10.0)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/pairs.sqlite3", rate_limit=UNLIMITED) as s:
        yield s


@pytest.fixture
def made(store):
    return store.create_session(ITEMS)


# ---------------------------------------------------------------- the session's items


def test_a_pair_keeps_its_place_and_cases_in_the_stored_items():
    raw = items_to_json(ITEMS)
    data = json.loads(raw)
    # a reader that knows only cases still finds the pair's cases
    assert [c["id"] for c in data["cases"]] == ["c", "a", "b"]
    assert data["order"] == ["c", "par:a", QUESTION.id]
    back = items_from_json(raw)
    assert back == ITEMS
    assert back[1].difference == DIFFERENCE


def test_a_case_alone_and_in_a_pair_is_refused():
    with pytest.raises(ValueError):
        check_items((A, PAIR))
    with pytest.raises(ValueError):
        check_items((PAIR, ContrastPair(B, C)))


# ---------------------------------------------------------------- the store


def test_phones_answer_each_case_of_a_pair_and_it_is_shown_as_one_item(store, made):
    store.show_case(made.code, made.key, PAIR.id)
    assert store.state(made.code).current_case == PAIR.id
    me = store.join(made.code).token
    store.submit(made.code, me, "a", Answer("samproduksjon", 3))
    store.submit(made.code, me, "b", Answer("samproduksjon", 3))
    results = store.results(made.code)
    assert list(results) == ["c", "a", "b"]
    assert results["a"].current.answers == results["b"].current.answers == 1
    with pytest.raises(InvalidAnswer):
        store.submit(made.code, me, PAIR.id, Answer("ingen", None))  # the pair is no case
    with pytest.raises(InvalidAnswer):
        store.show_case(made.code, made.key, "par:zz")


def test_a_pairs_reveal_shows_both_keys_and_the_difference_at_once(store, made):
    store.reveal(made.code, made.key, PAIR.id)
    state = store.state(made.code)
    assert state.revealed == {PAIR.id, "a", "b"}
    keys = state_json(state, ITEMS)["keys"]
    assert keys["a"]["process"] == "samproduksjon" and keys["b"]["level"] == 2
    assert keys[PAIR.id] == {"difference": dict(DIFFERENCE.as_dict())}
    assert "c" not in keys


def test_before_the_reveal_the_phones_get_no_key_or_difference(store, made):
    state = store.state(made.code)
    assert state_json(state, ITEMS)["keys"] == {}
    phone = json.dumps([i.phone_json() for i in ITEMS])
    assert "Hvem som planla" not in phone and "Forklaring" not in phone


def test_a_pairs_revote_is_of_both_cases_and_refused_whole(store, made):
    assert store.start_round(made.code, made.key, PAIR.id) == 2
    rounds = store.state(made.code).rounds
    assert rounds["a"] == rounds["b"] == 2
    with pytest.raises(RoundLimit):
        store.start_round(made.code, made.key, PAIR.id)
    other = store.create_session(ITEMS)
    store.reveal(other.code, other.key, "b")  # one case's key shown alone
    with pytest.raises(RoundLimit):
        store.start_round(other.code, other.key, PAIR.id)
    assert store.state(other.code).rounds == {}  # neither case went on to a second round


# ---------------------------------------------------------------- the controller and dashboard


def test_the_controller_sends_reveals_and_revotes_a_paired_case_as_its_pair(store):
    session = SessionController(store)
    code, _key = session.start(ITEMS, "nb")
    assert [c.id for c in session.cases] == ["c", "a", "b"]
    assert session.target("b") == PAIR.id and session.target("c") == "c"
    session.show_case("b")
    assert store.state(code).current_case == PAIR.id
    session.start_round("a")
    assert store.state(code).rounds == {PAIR.id: 2, "a": 2, "b": 2}
    session.reveal("a")
    assert {"a", "b", PAIR.id} <= store.state(code).revealed
    me = store.join(code).token
    store.submit(code, me, "b", Answer("samskaping", 2))
    _header, rows = session.export_rows("nb")
    assert [r[0] for r in rows] == ["b"] and rows[0][-1] == t("outcome_right", "nb")


def test_the_presenters_cards_say_the_pair_and_act_on_it(store):
    p = Presentator(lang="nb", cases=LIBRARY, store=store, refresh_seconds=60)
    try:
        p.start_session(ITEMS)
        p.stop_polling()
        card = p.cards["a"]
        assert t("live_pair_with", "nb", title=B.title.nb) in card.text.value
        card.show_button.click()
        assert p.state.current_case == PAIR.id
        assert p.cards["a"].show_button.disabled and p.cards["b"].show_button.disabled
        assert t("live_now_showing", "nb") in p.cards["b"].text.value
        p.cards["b"].reveal_button.click()
        assert p.cards["a"].reveal_button.disabled
        assert "Hvem som planla." in p.cards["a"].text.value
        assert p.cards["c"].reveal_button.disabled is False
    finally:
        p.stop_polling()


# ---------------------------------------------------------------- the big screen and the report


def test_the_big_screen_shows_both_cases_then_both_keys_and_the_difference(store, made):
    control(store, made.code, made.key, ITEMS, "goto", {"index": 1})
    me = store.join(made.code).token
    store.submit(made.code, me, "a", Answer("samskaping", 2))
    view = screen_view(store, made.code, ITEMS, "nb", "http://x/delta", "x/delta")
    html = screen_html(view)
    assert t("screen_pair_of", "nb", n=1, total=1) in html
    assert t("pair_case", "nb", side="A", title=A.title.nb) in html
    assert t("pair_case", "nb", side="B", title=B.title.nb) in html
    assert "Hvem som planla." not in html and "kit-screen-key" not in html
    assert t("screen_results_hidden", "nb") in html
    data = screen_json(view, store.settings(made.code), (0, 0, 0, 0))
    assert data["case"] and data["can_revote"]
    control(store, made.code, made.key, ITEMS, "reveal", {})
    html = screen_html(screen_view(store, made.code, ITEMS, "en", "http://x/delta", "x/delta"))
    assert html.count("kit-screen-key") == 2 and "Who planned." in html
    assert A.explanation.en in html and B.explanation.en in html
    assert A.text.en not in html  # at the reveal the keys take the texts' place
    assert html.count("kit-bar-key") == 2  # each case's process marked
    assert t("pair_difference", "en") in html


def test_a_pair_is_revoted_from_the_big_screen(store, made):
    control(store, made.code, made.key, ITEMS, "goto", {"index": 1})
    control(store, made.code, made.key, ITEMS, "revote", {})
    assert store.state(made.code).rounds["a"] == 2


def test_the_report_lists_the_pair_with_both_keys_and_the_difference(store, made):
    me = store.join(made.code).token
    store.submit(made.code, me, "a", Answer("samproduksjon", 3))
    html = report_document(
        code=made.code,
        created=None,
        people=1,
        items=ITEMS,
        case_results=store.results(made.code),
        question_results={QUESTION.id: (store.question_results(made.code)[QUESTION.id], ())},
        revealed=set(),
        banned=(),
        lang="nb",
    )
    section = html[html.index(PAIR.title("nb")) :]
    assert t("screen_pair_of", "nb", n=1, total=1) in html
    assert t("pair_case", "nb", side="B", title=B.title.nb) in section
    assert "Hvem som planla." in section and t("report_key_not_shown", "nb") in section
    assert section.count("kit-screen-key") == 2


# ---------------------------------------------------------------- the plan and its builder


def test_a_plan_names_a_pair_by_its_id_and_keeps_a_case_once():
    pool = item_pool([A, B, C], [PAIR], [QUESTION])
    found = resolve(SessionPlan("x", ("c", "par:a", "a", QUESTION.id)), pool)
    assert found.items == ITEMS and found.overlapping == ("a",)
    assert any("a" in line for line in found.lines("nb"))
    saved = read_plan(plan_to_yaml(SessionPlan("x", found.ids)), "plan.yaml")
    assert saved.items == ("c", "par:a", QUESTION.id)
    assert count_text(found.items, "nb") == t(
        "splan_count_pairs", "nb", n=3, cases=1, pairs=1, questions=1
    )


def test_the_plan_builder_lists_and_adds_pairs_and_refuses_a_case_twice():
    p = Presentator(lang="nb", cases=LIBRARY)
    builder = p.picker
    pairs = find_pairs(LIBRARY)
    # at most SHOWN_RESULTS rows, in the library's order
    assert [r["key"] for r in builder.pair_rows.rows] == [x.id for x in pairs][:SHOWN_RESULTS]
    pair = pairs[0]
    assert builder.add(pair.id)
    assert builder.selected() == (pair,)
    assert not builder.add(pair.first.id)  # its case is in the plan already
    assert builder.message.value and "✘" in builder.message.value
    rows = {r["key"]: r for r in builder.pair_rows.rows}
    assert rows[pair.id]["actions"][0]["off"]
    builder.search("tirsdagslunsj")
    assert [r["key"] for r in builder.pair_rows.rows] == [find_pairs(LIBRARY)[0].id]
    builder.search("", tier="vanskelig")
    hard = [x.id for x in pairs if x.tier == "vanskelig"]
    assert [r["key"] for r in builder.pair_rows.rows] == hard[:SHOWN_RESULTS]
    if not hard:
        assert t("splan_pairs_none", "nb") == builder.pair_rows.empty
