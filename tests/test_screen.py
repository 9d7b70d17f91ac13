"""Presentation mode: the big screen's view and controls (kit.live.screen), its HTML
(kit.live.screen_html) and its API on the live server (kit.live.handlers)."""

from __future__ import annotations

import threading
import time

import pytest

from kit.cases.casefile import load_cases
from kit.core.i18n import t
from kit.live.questions import load_questions
from kit.live.screen import _timer, control, screen_view
from kit.live.screen_html import screen_html
from kit.live.store import InvalidAnswer, NotOwner, RoundLimit, Store
from tests.live_server import LiveServer, Phone

CASES = {c.id: c for c in load_cases()}
BANK = {q.id: q for q in load_questions().questions}
ITEMS = (
    BANK["q-ord-samarbeid"],
    CASES["tirsdagslunsj"],
    CASES["tirsdagslunsj-codesign"],
    BANK["q-skala-niva1"],
)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/screen.sqlite3", shared=True) as s:
        yield s


@pytest.fixture
def made(store):
    return store.create_session(ITEMS)


def view(store, made, lang="nb"):
    return screen_view(store, made.code, ITEMS, lang, "http://x/delta?kode=" + made.code, "x/delta")


def test_the_start_screen_says_how_to_join(store, made):
    html = screen_html(view(store, made))
    assert made.code in html and "x/delta" in html and "<svg" in html
    assert t("screen_waiting", "nb") in html


def test_next_and_previous_walk_the_items_and_stop_at_the_ends(store, made):
    for expected in ["q-ord-samarbeid", "tirsdagslunsj", "tirsdagslunsj-codesign", "q-skala-niva1"]:
        control(store, made.code, made.key, ITEMS, "next", {})
        assert store.state(made.code).current_case == expected
    control(store, made.code, made.key, ITEMS, "next", {})  # at the end: stays
    assert store.state(made.code).current_case == "q-skala-niva1"
    control(store, made.code, made.key, ITEMS, "prev", {})
    assert store.state(made.code).current_case == "tirsdagslunsj-codesign"
    control(store, made.code, made.key, ITEMS, "goto", {"index": 0})
    control(store, made.code, made.key, ITEMS, "prev", {})  # at the start: stays
    assert store.state(made.code).current_case == "q-ord-samarbeid"


def test_results_are_hidden_while_voting_until_shown_and_after_the_reveal(store, made):
    control(store, made.code, made.key, ITEMS, "goto", {"index": 1})
    me = store.join(made.code).token
    from kit.cases.case import Answer

    store.submit(made.code, me, "tirsdagslunsj", Answer("samskaping", 2))
    hidden = screen_html(view(store, made))
    assert t("screen_results_hidden", "nb") in hidden and "kit-bar-count" not in hidden
    assert t("live_answers", "nb", n=1) in hidden  # the count shows while hidden
    control(store, made.code, made.key, ITEMS, "results", {"on": True})
    shown = screen_html(view(store, made))
    assert "kit-bar-count" in shown and "kit-bar-key" not in shown  # no key before the reveal
    control(store, made.code, made.key, ITEMS, "results", {"on": False})
    control(store, made.code, made.key, ITEMS, "reveal", {})
    revealed = screen_html(view(store, made))
    assert (
        "kit-bar-key" in revealed and CASES["tirsdagslunsj"].explanation.get("nb")[:40] in revealed
    )


def test_a_revote_shows_both_rounds_side_by_side(store, made):
    control(store, made.code, made.key, ITEMS, "goto", {"index": 2})
    control(store, made.code, made.key, ITEMS, "revote", {})
    control(store, made.code, made.key, ITEMS, "results", {"on": True})
    html = screen_html(view(store, made))
    assert "kit-rounds-2" in html and t("live_round_n", "nb", n=2) in html
    with pytest.raises(RoundLimit):
        control(store, made.code, made.key, ITEMS, "revote", {})
    control(store, made.code, made.key, ITEMS, "goto", {"index": 0})
    with pytest.raises(RoundLimit):  # a question has no re-vote
        control(store, made.code, made.key, ITEMS, "revote", {})


def test_the_word_cloud_on_the_screen_leaves_out_banned_and_hidden_answers(store, made):
    control(store, made.code, made.key, ITEMS, "goto", {"index": 0})
    tokens = [store.join(made.code).token for _ in range(4)]
    for token, word in zip(tokens, ["Dugnad", "dugnaden", "faen", "<img src=x>"], strict=True):
        store.respond(made.code, token, "q-ord-samarbeid", word)
    xss = next(r for r in store.responses(made.code) if r.value.startswith("<"))
    store.hide_response(made.code, made.key, xss.id)
    control(store, made.code, made.key, ITEMS, "reveal", {})
    html = screen_html(view(store, made))
    words = html[html.index("<ul class='kit-cloud'") : html.index("</ul>")]
    assert ">dugnad<" in words and "(2)" in words
    assert "faen" not in words and "img" not in words


def test_the_screen_needs_the_presenter_key(store, made):
    with pytest.raises(NotOwner):
        control(store, made.code, "not-the-key", ITEMS, "next", {})
    with pytest.raises(InvalidAnswer):
        control(store, made.code, made.key, ITEMS, "explode", {})
    assert store.state(made.code).current_case is None


def test_the_countdown_starts_pauses_extends_and_stops():
    started = _timer({}, "start", 60, now=1000.0)
    assert started == {"ends": 1060.0, "total": 60}
    paused = _timer({"timer": started}, "pause", None, now=1020.0)
    assert paused == {"left": 40.0, "total": 60}
    longer = _timer({"timer": paused}, "add", None, now=1500.0)
    assert longer["left"] == 70.0
    resumed = _timer({"timer": longer}, "resume", None, now=2000.0)
    assert resumed["ends"] == 2070.0
    assert _timer({"timer": resumed}, "off", None, now=2001.0) is None
    for bad in (0, -5, 10**6, "60", True):
        with pytest.raises(InvalidAnswer):
            _timer({}, "start", bad, now=0.0)
    with pytest.raises(InvalidAnswer):
        _timer({}, "pause", None, now=0.0)  # nothing to pause


# ------------------------------------------------------------------------------ over HTTP


@pytest.fixture
def live(store):
    srv = LiveServer(store)
    try:
        yield srv
    finally:
        srv.stop()


def screen(phone: Phone, code: str, key: str, since=None):
    return phone.post(f"api/live/session/{code}/screen", {"key": key, "since": since})


def test_the_screen_api_refuses_a_wrong_key_and_serves_the_right_one(live, made):
    browser = Phone(live, "10.9.0.1")
    refused = screen(browser, made.code, "guess")
    assert refused.status == 403 and refused.json["error"] == "not_owner"
    served = screen(browser, made.code, made.key)  # positive control
    assert served.status == 200 and made.code in served.json["html"]
    moved = browser.post(
        f"api/live/session/{made.code}/control", {"key": made.key, "action": "next"}
    )
    assert moved.status == 200
    page = browser.request("GET", f"skjerm?kode={made.code}")
    assert page.status == 200 and "screen" in page.text


def test_an_answer_reaches_a_waiting_screen_within_a_second(live, store, made):
    browser = Phone(live, "10.9.0.2")
    control(store, made.code, made.key, ITEMS, "goto", {"index": 1})
    first = screen(browser, made.code, made.key).json
    phone = Phone(live, "10.9.0.3")
    phone.join(made.code)
    second = screen(browser, made.code, made.key, first["rev"]).json  # the join
    got: dict = {}

    def wait() -> None:
        got["reply"] = screen(browser, made.code, made.key, second["rev"])
        got["at"] = time.monotonic()

    waiting = threading.Thread(target=wait)
    waiting.start()
    time.sleep(0.5)
    assert "reply" not in got  # held: nothing changed
    sent = time.monotonic()
    assert phone.answer(made.code, "tirsdagslunsj", "samskaping", 2).status == 200
    waiting.join(10)
    assert got["reply"].json["rev"] != second["rev"]
    assert got["at"] - sent < 1.0
    assert t("live_answers", "nb", n=1) in got["reply"].json["html"]


def test_guessing_screen_keys_is_limited_like_failed_joins(live, made):
    from kit.live.hub import FAILED_JOINS_PER_MINUTE

    browser = Phone(live, "10.9.0.4")
    statuses = [
        screen(browser, made.code, f"guess{i}").status for i in range(FAILED_JOINS_PER_MINUTE + 2)
    ]
    assert statuses[:FAILED_JOINS_PER_MINUTE] == [403] * FAILED_JOINS_PER_MINUTE
    assert statuses[-1] == 429
    other = Phone(live, "10.9.0.5")
    assert screen(other, made.code, made.key).status == 200  # another client is not locked out
