"""The participants' side (kit.live.web): the page, the JSON API and the long-polled state.

The Tornado handlers run in this process on a free port of 127.0.0.1 (an event loop in a thread
of its own, as ``samskaping serve`` runs them), over a SQLite store in ``tmp_path``; the test
talks to them with plain HTTP. ``X-Real-IP`` (trusted from a loopback peer) stands for the
phone's address, so the per-client limits can be tested with many "phones".
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from html import escape
from urllib.parse import quote

import pytest

from kit.cases.case import Answer
from kit.core.i18n import t, texts
from kit.core.text import Text
from kit.live import handlers as live_handlers
from kit.live import hub as live_hub
from kit.live import page as live_page
from kit.live.store import (
    NoFolder,
    NotADatabase,
    SchemaTooNew,
    Store,
    StoreReadOnly,
    StoreUnavailable,
    new_code,
)
from tests.factories import make_case
from tests.live_server import LiveServer, Phone, Reply

from .conftest import wait_for, woken_together

PWN = "</script><script>window.__pwned=1</script>"
SECRET = "Forklaringen som er hemmelig til fasiten vises"


#: the cases of a room here: samproduksjon 3, the secret in every explanation
room_case = partial(
    make_case,
    process="samproduksjon",
    level=3,
    title=Text("Tittel {id}", en="Title {id}", nn="Tittel {id} nn"),
    explanation=Text(f"{SECRET} {{id}}", en="Because {id}"),
)
CASES = (room_case("c1"), room_case("c2", process="ingen", level=None), room_case("c3"))


def other_code(*taken: str) -> str:
    """A well-formed join code that no session has."""
    while True:
        code = new_code()
        if code not in taken:
            return code


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/live.sqlite3", shared=True) as store:
        yield store


@pytest.fixture
def live(store):
    """The participant side on a free port (named apart from conftest's `server`, which is a
    whole `samskaping serve`)."""
    srv = LiveServer(store)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def session(store):
    return store.create_session(CASES, lang="nn")


#: Every refusal a phone can be shown has a text (live_err_<key>).
ERROR_KEYS = {key[len("live_err_") :] for key in texts("nb") if key.startswith("live_err_")}


def assert_refusal(reply: Reply, status: int, key: str | None = None) -> dict:
    """A refusal as a phone gets it: the status, JSON with a known key and a message."""
    assert reply.status == status, (reply.status, reply.body)
    data = reply.json
    assert set(data) == {"error", "message"}, data
    assert data["error"] in ERROR_KEYS, data
    if key is not None:
        assert data["error"] == key, data
    assert data["message"] and "Traceback" not in reply.text and 'File "' not in reply.text
    return data


# ------------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_page_follows_the_language(live, session, lang):
    phone = Phone(live)
    reply = phone.open_page(f"?kode={session.code}&lang={lang}")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    page = reply.text
    assert f'<html lang="{lang}">' in page
    assert f"<title>{escape(t('app_title_delta', lang))}</title>" in page
    assert escape(t("delta_join", lang)) in page
    assert f"<option value='{lang}' selected>" in page
    config = page_config(page)
    assert config["lang"] == lang and config["code"] == session.code
    assert config["api"] == "/api/live/session/"
    assert config["texts"]["delta_send"] == t("delta_send", lang)
    assert phone.xsrf, "the page sets the _xsrf cookie its script sends back"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(("asked", "lang"), [("", "nb"), ("en-GB", "en"), ("xx", "nb")])
def test_the_page_language_falls_back(live, asked, lang):
    page = Phone(live).open_page(f"?lang={asked}").text
    assert f'<html lang="{lang}">' in page


def test_the_page_takes_the_code_as_people_type_it(live, session):
    code = session.code
    page = Phone(live).open_page(f"?kode={code[:3].lower()}-{code[3:].lower()}").text
    assert page_config(page)["code"] == code
    assert page_config(Phone(live).open_page(f"?code={code}").text)["code"] == code


def page_config(page: str) -> dict:
    """The inert JSON the page's script reads; it must parse up to the first </script>."""
    match = re.search(r'<script type="application/json" id="kit-config">(.*?)</script>', page, re.S)
    assert match, page
    return json.loads(match.group(1))


def test_a_hostile_code_in_the_address_stays_text(live):
    page = Phone(live).open_page(f"?kode={quote(PWN)}&lang={quote(PWN)}").text
    assert "__pwned" not in page and "<script>window" not in page
    assert page.count("<script") == 2  # the config and the module, nothing injected
    config = page_config(page)
    assert config["code"] == "" and config["lang"] == "nb"
    assert 'value="&lt;/script&gt;&lt;sc"' in page  # what was typed: escaped, cut at 12


def test_a_hostile_case_title_is_escaped(live, store):
    hostile = store.create_session(
        [
            room_case("c1", title=Text(PWN, en="Title {id}", nn="Tittel {id} nn")),
            room_case(f"x{PWN}"[:80]),
        ],
        lang="nb",
    )
    page = Phone(live).open_page(f"?kode={hostile.code}").text
    assert "__pwned" not in page  # the page itself carries no case text
    phone = Phone(live)
    reply = phone.join(hostile.code)
    assert reply.status == 200
    assert "</script>" not in reply.text and "</" not in reply.text  # "<\/" in JSON
    data = reply.json
    assert data["cases"][0]["title"]["nb"] == PWN  # data, not markup: the script sets textContent
    assert data["cases"][1]["id"] == f"x{PWN}"[:80]
    state = phone.state(hostile.code)
    assert "</" not in state.text


# --------------------------------------------------------------------------------- joining


def test_join_needs_the_xsrf_header(live, store, session):
    code = session.code
    phone = Phone(live)
    phone.open_page(f"?kode={code}")
    assert_refusal(phone.join(code, xsrf=False), 403, "xsrf")
    assert store.participant_count(code) == 0
    no_cookie = phone.request(
        "POST",
        f"api/live/session/{code}/join",
        b"{}",
        {"X-XSRFToken": phone.xsrf, "Content-Type": "application/json"},
    )
    assert_refusal(no_cookie, 403, "xsrf")
    other = Phone(live)
    other.open_page()
    forged = phone.request(
        "POST",
        f"api/live/session/{code}/join",
        b"{}",
        {"Cookie": f"_xsrf={phone.xsrf}", "X-XSRFToken": other.xsrf},
    )
    assert_refusal(forged, 403, "xsrf")
    assert store.participant_count(code) == 0
    reply = phone.join(code)  # positive control: cookie and header together
    assert reply.status == 200
    assert store.participant_count(code) == 1


def test_answer_needs_the_xsrf_header(live, store, session):
    phone = Phone(live)
    assert phone.join(session.code).status == 200
    assert_refusal(phone.answer(session.code, "c1", "ingen", None, xsrf=False), 403, "xsrf")
    assert store.revision(session.code)[0] == 0
    assert phone.answer(session.code, "c1", "ingen", None).status == 200
    assert store.revision(session.code)[0] == 1


def test_join_tells_the_phone_everything_but_the_keys(live, store, session):
    phone = Phone(live)
    reply = phone.join(session.code.lower())
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "no-store"
    data = reply.json
    assert data["code"] == session.code and data["lang"] == "nn"
    assert data["resumed"] is False and re.fullmatch(r"[0-9a-f]{32}", data["token"])
    assert [c["id"] for c in data["cases"]] == ["c1", "c2", "c3"]
    for case in data["cases"]:
        assert set(case) == {"id", "title", "text", "domain", "marked"}
    assert data["cases"][0]["title"] == {"nb": "Tittel c1", "nn": "Tittel c1 nn", "en": "Title c1"}
    assert data["answers"] == {}
    assert data["state"] == {
        "open": True,
        "version": 0,
        "current": None,
        "rounds": {},
        "revealed": [],
        "keys": {},
    }
    assert SECRET not in reply.text and "samproduksjon" not in reply.text


def test_join_with_the_stored_token_resumes(live, store, session):
    code = session.code
    phone = Phone(live)
    first = phone.join(code).json
    assert phone.answer(code, "c1", "samskaping", 2).json == {"ok": True, "round": 1}
    store.start_round(code, session.key, "c1")
    assert phone.answer(code, "c1", "ingen", None).json == {"ok": True, "round": 2}
    for _ in range(10):  # reloads
        again = phone.join(code, first["token"])
        assert again.status == 200
        data = again.json
        assert data["token"] == first["token"] and data["resumed"] is True
    assert data["answers"] == {
        "c1": {"1": {"process": "samskaping", "level": 2}, "2": {"process": "ingen", "level": None}}
    }
    assert data["state"]["rounds"] == {"c1": 2}
    assert store.participant_count(code) == 1


@pytest.mark.parametrize("token", ["other", "0" * 32, "garbage", 42, None, ["x"]])
def test_join_with_a_foreign_or_garbage_token_is_a_new_participant(live, store, session, token):
    other = store.create_session(CASES)
    theirs = store.join(other.code).token
    phone = Phone(live)
    sent = theirs if token == "other" else token
    reply = phone.post(f"api/live/session/{session.code}/join", {"token": sent})
    assert reply.status == 200
    data = reply.json
    assert data["resumed"] is False and data["token"] != sent and data["answers"] == {}
    assert store.participant_count(session.code) == 1
    assert store.participant_count(other.code) == 1


@pytest.mark.parametrize(
    ("code", "status", "key"),
    [
        ("ZZZZZZ", 404, "unknown_code"),  # look-alikes are not in the alphabet
        ("AC", 404, "unknown_code"),
        ("ACDEFGHJ", 400, "too_long"),
        ("unknown", 404, "unknown_code"),
    ],
)
def test_join_refusals(live, store, session, code, status, key):
    code = other_code(session.code) if code == "unknown" else code
    assert_refusal(Phone(live).join(code), status, key)
    assert store.participant_count(session.code) == 0


def test_join_a_closed_session(live, store, session):
    phone = Phone(live)
    assert phone.join(session.code).status == 200
    store.close_session(session.code, session.key)
    assert_refusal(Phone(live).join(session.code), 400, "session_closed")
    assert_refusal(phone.join(session.code, phone.token), 400, "session_closed")
    assert_refusal(phone.answer(session.code, "c1", "ingen", None), 400, "session_closed")


# ------------------------------------------------------------------------------- answering


BAD_ANSWERS = [
    ("unknown process", {"process": "Samskaping"}, "invalid_answer"),
    ("no process", {"process": None}, "invalid_answer"),
    ("process a number", {"process": 1}, "invalid_answer"),
    ("level 4", {"level": 4}, "invalid_answer"),
    ("level 0", {"level": 0}, "invalid_answer"),
    ("level as text", {"level": "1"}, "invalid_answer"),
    ("level true", {"level": True}, "invalid_answer"),
    ("level 1.5", {"level": 1.5}, "invalid_answer"),
    ("level a list", {"level": [1]}, "invalid_answer"),
    ("unknown case", {"case_id": "c99"}, "invalid_answer"),
    ("case a number", {"case_id": 1}, "invalid_answer"),
    ("no case", {"case_id": None}, "invalid_answer"),
    ("case id too long", {"case_id": "c" * 81}, "too_long"),
    ("unknown token", {"token": "0" * 32}, "unknown_participant"),
    ("garbage token", {"token": "not-a-token"}, "unknown_participant"),
    ("no token", {"token": None}, "unknown_participant"),
    ("token a number", {"token": 7}, "unknown_participant"),
    ("token too long", {"token": "a" * 33}, "too_long"),
    ("token of another session", {"token": "other"}, "wrong_session"),
]


@pytest.mark.parametrize(
    ("change", "key"), [r[1:] for r in BAD_ANSWERS], ids=[r[0] for r in BAD_ANSWERS]
)
def test_answer_validation(live, store, session, change, key):
    other = store.create_session(CASES)
    phone = Phone(live)
    phone.join(session.code)
    data = {"token": phone.token, "case_id": "c1", "process": "samskaping", "level": 1}
    data.update(change)
    if data["token"] == "other":
        data["token"] = store.join(other.code).token
    reply = phone.post(f"api/live/session/{session.code}/answer", data)
    assert_refusal(reply, 400, key)
    assert store.revision(session.code)[0] == 0
    assert phone.answer(session.code, "c1", "samskaping", 1).status == 200  # positive control
    assert store.counts(session.code)["c1"].by_answer == {Answer("samskaping", 1): 1}


@pytest.mark.parametrize(
    "raw", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"token": ', b"null"]
)
def test_bodies_that_are_not_a_json_object(live, store, session, raw):
    phone = Phone(live)
    phone.join(session.code)
    for path in ("join", "answer"):
        reply = phone.post(f"api/live/session/{session.code}/{path}", None, raw=raw)
        assert_refusal(reply, 400)
    assert store.participant_count(session.code) == 1


def test_bodies_over_4096_bytes_are_refused(live, store, session):
    assert live_handlers.MAX_BODY == 4096
    phone = Phone(live)
    phone.open_page()

    def padded(size: int, **fields) -> bytes:
        body = json.dumps({**fields, "pad": ""}).encode()
        return json.dumps({**fields, "pad": "x" * (size - len(body))}).encode()

    join = f"api/live/session/{session.code}/join"
    assert_refusal(phone.post(join, None, raw=padded(4097)), 400, "too_long")
    assert store.participant_count(session.code) == 0
    reply = phone.post(join, None, raw=padded(4096))  # exactly the limit: fine
    assert reply.status == 200
    phone.token = reply.json["token"]
    answer = dict(token=phone.token, case_id="c1", process="ingen", level=None)
    url = f"api/live/session/{session.code}/answer"
    assert_refusal(phone.post(url, None, raw=padded(10_000, **answer)), 400, "too_long")
    assert store.revision(session.code)[0] == 0
    assert phone.post(url, None, raw=padded(4096, **answer)).status == 200


def test_answer_to_an_unknown_code(live, store, session):
    phone = Phone(live)
    phone.join(session.code)
    assert_refusal(phone.answer(other_code(session.code), "c1", "ingen", None), 404, "unknown_code")
    assert_refusal(phone.answer("ZZZZZZ", "c1", "ingen", None), 404, "unknown_code")
    assert store.revision(session.code)[0] == 0


#: The store's failures whose own texts are the course leader's (the --db address, a file to
#: write to, a kit to update).
LEADER_FAILURES = [StoreUnavailable, StoreReadOnly, NoFolder, NotADatabase, SchemaTooNew]


@pytest.mark.parametrize("failure", LEADER_FAILURES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_store_failure_is_503_in_the_participants_words(
    live, store, session, monkeypatch, failure, lang
):
    def broken(*_a, **_k):
        raise failure("disk gone")

    monkeypatch.setattr(store, "enter_many", broken)
    monkeypatch.setattr(store, "submit", broken)
    phone = Phone(live)
    phone.open_page()
    for reply in (
        phone.post(f"api/live/session/{session.code}/join?lang={lang}", {}),
        phone.post(
            f"api/live/session/{session.code}/answer?lang={lang}",
            {"token": "x" * 20, "case_id": "c1", "process": "ingen", "level": None},
        ),
    ):
        data = assert_refusal(reply, 503, "room_unreachable")
        assert data["message"] == t("live_err_room_unreachable", lang)
        assert "disk gone" not in reply.text
        for leader_text in (t("live_err_" + failure.key, lang), "--db"):
            assert leader_text not in reply.text


def test_the_big_screen_gets_the_course_leaders_text(live, store, session, monkeypatch):
    """The positive control of the above: the presenter's screen says what to mend."""

    def broken(*_a, **_k):
        raise StoreUnavailable("disk gone")

    monkeypatch.setattr(store, "revision", broken)
    reply = Phone(live).post(
        f"api/live/session/{session.code}/screen?lang=en", {"key": session.key, "since": None}
    )
    data = assert_refusal(reply, 503, "store_unavailable")
    assert data["message"] == t("live_err_store_unavailable", "en")


def test_the_phones_page_carries_no_course_leader_text(live, session):
    page = Phone(live).open_page(f"?kode={session.code}").text
    errors = page_config(page)["texts"]["errors"]
    assert errors["room_unreachable"] == t("live_err_room_unreachable", "nb")
    for key in ("store_unavailable", "store_read_only", "store_no_folder", "schema_too_new"):
        assert key not in errors
        assert t("live_err_" + key, "nb") not in page


def test_an_unexpected_error_is_json_without_a_traceback(live, store, session, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("a bug with a secret /home/path")

    monkeypatch.setattr(store, "enter_many", broken)
    reply = Phone(live).join(session.code)
    assert reply.status == 500
    assert reply.json["error"] == "store_error"
    assert "secret" not in reply.text and "Traceback" not in reply.text


def test_messages_follow_the_lang_parameter(live, session):
    phone = Phone(live)
    phone.open_page()
    reply = phone.post("api/live/session/ZZZZZZ/join?lang=en", {})
    assert reply.json["message"] == t("live_err_unknown_code", "en")


# ----------------------------------------------------------------------------- rate limits


def test_join_rate_limit_per_client(live, store, session):
    code = session.code
    phone = Phone(live, ip="10.1.1.1")
    tokens = []
    for _ in range(live_hub.JOINS_PER_MINUTE):
        reply = phone.join(code)
        assert reply.status == 200
        tokens.append(reply.json["token"])
    assert_refusal(phone.join(code), 429, "rate_limited")
    assert store.participant_count(code) == live_hub.JOINS_PER_MINUTE
    resumed = phone.join(code, tokens[3])  # a reload with a valid token still gets in
    assert resumed.status == 200 and resumed.json["resumed"] is True
    assert Phone(live, ip="10.1.1.2").join(code).status == 200  # another phone is not held
    assert store.participant_count(code) == live_hub.JOINS_PER_MINUTE + 1


def test_join_rate_limit_holds_for_a_token_that_does_not_resume(live, store, session):
    phone = Phone(live, ip="10.1.1.3")
    for _ in range(live_hub.JOINS_PER_MINUTE):
        assert phone.join(session.code).status == 200
    reply = phone.post(f"api/live/session/{session.code}/join", {"token": "0" * 32})
    assert reply.status == 429
    assert store.participant_count(session.code) == live_hub.JOINS_PER_MINUTE


def test_failed_join_limit_per_client_and_code(live, store, session):
    phone = Phone(live, ip="10.2.2.2")
    wrong = other_code(session.code)
    for _ in range(live_hub.FAILED_JOINS_PER_MINUTE):
        assert_refusal(phone.join(wrong), 404, "unknown_code")
    # the next try of that code is refused before it is even looked at; the right code is not
    # (more in tests/test_live_web_limits.py)
    assert_refusal(phone.join(wrong), 429, "wrong_codes")
    assert phone.join(session.code).status == 200
    assert_refusal(Phone(live, ip="10.2.2.3").join(wrong), 404, "unknown_code")
    assert store.participant_count(session.code) == 1


def test_the_sliding_limit_forgets_old_events():
    limit = live_hub.SlidingLimit(2, window=60, max_keys=3)
    limit.hit("a", now=0)
    limit.hit("a", now=1)
    assert not limit.allowed("a", now=59)
    assert limit.allowed("a", now=60.5)  # the first hit is a minute old
    for key in "bcd":
        limit.hit(key, now=61)
        limit.hit(key, now=61)
    assert limit.allowed("a", now=61)  # forgotten: at most max_keys clients are kept
    assert not limit.allowed("d", now=61)


# ---------------------------------------------------------------------- the long-polled state


def test_state_answers_at_once_for_an_old_version(live, store, session):
    store.reveal(session.code, session.key, "c1")
    phone = Phone(live)
    for since in (None, -1, 0, "junk"):
        started = time.monotonic()
        reply = phone.state(session.code, since)
        assert reply.status == 200
        assert time.monotonic() - started < 5  # no hold: the phone is behind
        assert reply.json["version"] == 1 and reply.json["revealed"] == ["c1"]


def test_state_is_held_until_a_reveal(live, store, session, monkeypatch):
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 20.0)  # so only the reveal can end the wait
    phone = Phone(live)
    version = phone.join(session.code).json["state"]["version"]
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(phone.state, session.code, version)
        assert wait_for(lambda: live.waiting(session.code) == 1)
        assert not pending.done()
        store.reveal(session.code, session.key, "c2")
        revealed_at = time.monotonic()
        reply = pending.result(timeout=live_hub.WATCH_INTERVAL + 5)
        waited = time.monotonic() - revealed_at
    assert waited < live_hub.WATCH_INTERVAL + 2.0, waited
    data = reply.json
    assert data["version"] > version and data["revealed"] == ["c2"]
    assert data["keys"]["c2"]["process"] == "ingen" and data["keys"]["c2"]["level"] is None


def test_state_is_held_for_poll_hold_when_nothing_changes(live, store, session, monkeypatch):
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 1.0)
    phone = Phone(live)
    version = phone.join(session.code).json["state"]["version"]
    started = time.monotonic()
    reply = phone.state(session.code, version)
    held = time.monotonic() - started
    assert reply.status == 200 and reply.json["version"] == version
    assert 1.0 <= held < 1.0 + live_hub.WATCH_INTERVAL + 2.0, held
    assert live.waiting(session.code) == 0  # nothing left behind


def test_many_waiting_phones_are_woken_together(live, store, session, monkeypatch):
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 20.0)
    phones = [Phone(live, ip=f"10.3.0.{i}") for i in range(6)]
    versions = [p.join(session.code).json["state"]["version"] for p in phones]
    replies = woken_together(
        live,
        session.code,
        phones,
        versions,
        lambda: store.show_case(session.code, session.key, "c3"),
        timeout=live_hub.WATCH_INTERVAL + 5,
    )
    assert {r.json["current"] for r in replies} == {"c3"}


def test_phones_woken_together_share_one_read_of_the_state(live, store, session, monkeypatch):
    """A reveal wakes every waiting phone; they share one read of the room's state (a reveal
    to 1,000 phones was 1,000 reads in the store's threads), and each gets the reveal."""
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 20.0)
    real = store.state
    reads: list[str] = []

    def slow_state(code):
        reads.append(code)
        time.sleep(0.3)  # the other phones wake while this read runs
        return real(code)

    phones = [Phone(live, ip=f"10.4.0.{i}") for i in range(12)]
    versions = [p.join(session.code).json["state"]["version"] for p in phones]
    monkeypatch.setattr(store, "state", slow_state)
    replies = woken_together(
        live,
        session.code,
        phones,
        versions,
        lambda: store.reveal(session.code, session.key, "c2"),
        timeout=live_hub.WATCH_INTERVAL + 10,
    )
    assert [r.json["revealed"] for r in replies] == [["c2"]] * len(phones)
    assert len({r.json["version"] for r in replies}) == 1
    assert 1 <= len(reads) <= 2, reads  # one read for the twelve (not twelve)
    # a phone on its own (no read under way) reads for itself
    reads.clear()
    newest = replies[0].json["version"]
    assert Phone(live, ip="10.4.1.1").state(session.code, -1).json["version"] == newest
    assert reads == [session.code]


def test_joins_that_arrive_together_are_written_together(live, store, session, monkeypatch):
    """While a transaction of joins runs, the joins that arrive wait for the next and go in
    it: a burst of 24 phones takes a few transactions, not 24; every phone is joined once,
    and a lone join afterwards goes at once, alone."""
    real = store.enter_many
    batches: list[int] = []
    first = threading.Event()

    def slow_enter_many(joins):
        batches.append(len(joins))
        if len(batches) == 1:
            first.set()
            time.sleep(0.5)  # the burst arrives while the first transaction runs
        return real(joins)

    monkeypatch.setattr(store, "enter_many", slow_enter_many)
    phones = [Phone(live, ip=f"10.5.0.{i}") for i in range(25)]
    with ThreadPoolExecutor(len(phones)) as pool:
        lead = pool.submit(phones[0].join, session.code)
        assert first.wait(10)
        rest = [pool.submit(p.join, session.code) for p in phones[1:]]
        replies = [lead.result(timeout=30)] + [f.result(timeout=30) for f in rest]
    assert [r.status for r in replies] == [200] * len(phones)
    assert len({r.json["token"] for r in replies}) == len(phones)
    assert store.participant_count(session.code) == len(phones)
    assert sum(batches) == len(phones) and batches[0] == 1
    assert len(batches) <= 4, batches  # the 24 waited for the first, then went together
    batches.clear()
    assert Phone(live, ip="10.5.1.1").join(session.code).status == 200
    assert batches == [1]


def test_the_key_is_not_sent_before_the_reveal(live, store, session):
    phone = Phone(live)
    joined = phone.join(session.code)
    before = phone.state(session.code)
    for reply in (joined, before):
        assert SECRET not in reply.text
        assert "explanation" not in reply.text and "samproduksjon" not in reply.text
    assert before.json["keys"] == {} and before.json["revealed"] == []
    store.reveal(session.code, session.key, "c1")
    after = phone.state(session.code)
    assert after.json["revealed"] == ["c1"]
    assert after.json["keys"] == {
        "c1": {
            "process": "samproduksjon",
            "level": 3,
            "explanation": {"nb": f"{SECRET} c1", "en": "Because c1"},
            "partial": [],
        }
    }
    assert f"{SECRET} c2" not in after.text  # only the revealed case's key
    rejoined = phone.join(session.code, phone.token).json
    assert rejoined["state"]["keys"].keys() == {"c1"}


def test_state_of_an_unknown_or_malformed_code(live):
    assert_refusal(Phone(live).state("ZZZZZZ"), 404, "unknown_code")
    assert_refusal(Phone(live).state("ACDEFGHJ"), 400, "too_long")


def test_state_shows_rounds_and_closing(live, store, session):
    phone = Phone(live)
    phone.join(session.code)
    store.start_round(session.code, session.key, "c2")
    store.close_session(session.code, session.key)
    data = phone.state(session.code).json
    assert data["rounds"] == {"c2": 2} and data["open"] is False


# ------------------------------------------------------------------------- other routes


def test_the_old_participant_address_redirects(live, session):
    phone = Phone(live)
    reply = phone.request("GET", f"voila/render/delta.ipynb?kode={session.code}&lang=en")
    assert reply.status == 302
    assert reply.headers["Location"] == f"/delta?kode={session.code}&lang=en"
    bare = phone.request("GET", "voila/render/delta.ipynb")
    assert bare.status == 302 and bare.headers["Location"] == "/delta"
    hostile = phone.request("GET", f"voila/render/delta.ipynb?kode={quote(PWN)}")
    location = hostile.headers["Location"]
    assert location.startswith("/delta?kode=") and "<" not in location and "//" not in location


def test_the_page_holds_its_style_and_script(live, session):
    """One request a phone: the page carries participant.css, delta.css and delta.js inside
    it, as the files are, and asks for nothing else (no src or href but the empty icon)."""
    page = Phone(live).open_page(f"?kode={session.code}").text
    shared = live_page.STATIC.joinpath("participant.css").read_text(encoding="utf-8")
    style = shared + "\n" + live_page.STATIC.joinpath("delta.css").read_text(encoding="utf-8")
    script = live_page.STATIC.joinpath("delta.js").read_text(encoding="utf-8")
    common = live_page.STATIC.joinpath("common.js").read_text(encoding="utf-8")
    tokens = live_page.design_tokens()
    assert tokens.startswith(":root {") and "--kit-color-accent:" in tokens
    assert f"<style>{tokens}\n{style}</style>" in page
    # every token the page uses is defined in the block before it
    used = set(re.findall(r"var\((--kit-[a-z0-9-]+)\)", style))
    defined = set(re.findall(r"(--kit-[a-z0-9-]+):", tokens))
    assert used and used <= defined, used - defined
    assert f'<script type="module">{common}\n{script}</script>' in page
    assert re.findall(r'(?:src|href)="([^"]*)"', page) == ["data:;base64,="]


def test_inlined_assets_must_not_close_their_element(monkeypatch):
    """A script that says '</script>' would end its element inside the page: refused; the
    kit's own files pass (positive control)."""
    real = live_page.STATIC

    class Text:
        def __init__(self, text: str) -> None:
            self.text = text

        def read_text(self, encoding: str) -> str:
            return self.text

    class Folder:
        def joinpath(self, name: str):
            if name == "delta.js":
                return Text("console.log('</script><script>alert(1)')")
            return real.joinpath(name)

    live_page.inline_assets.cache_clear()
    monkeypatch.setattr(live_page, "STATIC", Folder())
    try:
        with pytest.raises(ValueError, match="must not contain"):
            live_page.page_assets()
        monkeypatch.setattr(live_page, "STATIC", real)
        live_page.inline_assets.cache_clear()
        style, script = live_page.page_assets()
        assert "kit-" in style and "kit-config" in script
    finally:
        live_page.inline_assets.cache_clear()


def test_static_files_of_the_page(live):
    phone = Phone(live)
    for name, kind in (("delta.js", "javascript"), ("delta.css", "text/css")):
        reply = phone.request("GET", f"live-static/{name}")
        assert reply.status == 200 and kind in reply.headers["Content-Type"]
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert phone.request("GET", "live-static/../store.py").status in (403, 404)
    assert phone.request("GET", "live-static/%2e%2e/store.py").status in (403, 404)


def test_routes_under_a_base_url(store, session):
    srv = LiveServer(store, base_url="/kurs/")
    try:
        phone = Phone(srv)
        page = phone.open_page(f"?kode={session.code}").text
        config = page_config(page)
        assert config["api"] == "/kurs/api/live/session/"
        assert "/kurs/live-static/" not in page and "live-static" not in page  # all inside
        assert phone.join(session.code).status == 200
        redirect = phone.request("GET", f"voila/render/delta.ipynb?kode={session.code}")
        assert redirect.headers["Location"] == f"/kurs/delta?kode={session.code}"
    finally:
        srv.stop()


def test_the_presenter_links_to_this_page(monkeypatch):
    from kit.live.presenter import participant_url

    monkeypatch.setenv("KIT_PUBLIC_URL", "http://10.1.2.3:8866/kurs")
    assert participant_url("ACD347") == "http://10.1.2.3:8866/kurs/delta?kode=ACD347"


def test_a_phone_up_to_date_is_held_while_another_session_is_watched(
    live, store, session, monkeypatch
):
    """Two rooms on one live: the watcher keeps running for room B's phones while room A
    changes with none of A's phones waiting; A's next up-to-date request must still be held."""
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 3.0)
    room_b = store.create_session(CASES)
    a, b = Phone(live, ip="10.4.0.1"), Phone(live, ip="10.4.0.2")
    version_a = a.join(session.code).json["state"]["version"]
    version_b = b.join(room_b.code).json["state"]["version"]
    with ThreadPoolExecutor(2) as pool:
        b_waits = pool.submit(b.state, room_b.code, version_b)  # keeps the watcher running
        assert wait_for(lambda: live.waiting(room_b.code) == 1)
        a_waits = pool.submit(a.state, session.code, version_a)
        assert wait_for(lambda: live.waiting(session.code) == 1)
        store.reveal(session.code, session.key, "c1")  # wakes A
        version_a = a_waits.result(timeout=5).json["version"]
        store.reveal(session.code, session.key, "c2")  # while none of A's phones waits
        version_a = a.state(session.code).json["version"]  # A catches up at once
        started = time.monotonic()
        reply = a.state(session.code, version_a)  # up to date: must be held
        held = time.monotonic() - started
        b_waits.result(timeout=10)
    assert reply.json["version"] == version_a
    assert held >= 2.5, f"answered after {held:.2f} s instead of being held"


def test_a_phone_behind_the_watcher_is_answered_at_once():
    """The race in one event loop: another phone's wait keeps the watcher going and it has seen
    version 6; this phone read version 5 just before the change and now waits from 5."""

    class OneVersion:
        def state_version(self, code):
            return 6, True

    room = live_hub.Hub(OneVersion, workers=1)

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        room._versions["ACDEFG"] = 6  # what the watcher saw and woke the others with
        other = asyncio.ensure_future(room.wait_change("ACDEFG", 6, 3.0))
        await asyncio.sleep(2 * live_hub.WATCH_INTERVAL)
        started = loop.time()
        await room.wait_change("ACDEFG", 5, 2.0)
        waited = loop.time() - started
        other.cancel()
        for _ in range(100):  # let the watcher see nobody waits and end
            if not room._watching:
                break
            await asyncio.sleep(live_hub.WATCH_INTERVAL / 5)
        return waited

    try:
        waited = _run_in_thread(scenario())
    finally:
        room.pool.shutdown(wait=True)
    assert waited < 1.0, f"held {waited:.2f} s although version 6 is newer than 5"


def test_a_later_phone_with_a_newer_version_does_not_hide_the_change():
    """A phone waits from version 5; the room moves to 6; before the watcher looks again,
    another phone starts waiting from 6. The first must still be woken by the watcher's next
    look, not held to the end of its wait."""

    class Moving:
        version = 5
        reads = 0

        def state_version(self, code):
            Moving.reads += 1
            return Moving.version, True

    room = live_hub.Hub(Moving, workers=1)

    async def scenario() -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        first = asyncio.ensure_future(room.wait_change("ACDEFG", 5, 3.0))
        while Moving.reads == 0:  # the watcher has seen 5
            await asyncio.sleep(live_hub.WATCH_INTERVAL / 10)
        Moving.version = 6
        second = asyncio.ensure_future(room.wait_change("ACDEFG", 6, 3.0))
        await first
        waited = loop.time() - started
        held = not second.done()  # the phone that is up to date is still held
        second.cancel()
        for _ in range(100):
            if not room._watching:
                break
            await asyncio.sleep(live_hub.WATCH_INTERVAL / 5)
        return waited, held

    try:
        waited, held = _run_in_thread(scenario())
    finally:
        room.pool.shutdown(wait=True)
    assert held
    assert waited < 2.0, f"held {waited:.2f} s although the room moved from 5 to 6"


def test_a_chain_case_reaches_the_phone_with_its_marked_part_and_no_key():
    from kit.cases.casefile import load_cases

    chain = next(c for c in load_cases() if c.chain)
    plain = next(c for c in load_cases() if not c.chain)
    data = chain.phone_json()
    before, marked, after = data["marked"]["nb"]
    assert before + marked + after == chain.text.get("nb")
    assert marked == chain.marked_parts("nb")[1]
    assert set(data["marked"]) == {"nb", "nn", "en"}
    assert not {"process", "level", "explanation"} & set(data)
    assert plain.phone_json()["marked"] == {}  # positive control


def _run_in_thread(coro):
    """asyncio.run in its own thread (a browser test's Playwright loop may be running here)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_store_threads_hand_back_results_errors_and_batches():
    """Results and exceptions reach the awaiting coroutine; calls that end while the loop is
    busy wake it once between them, not once each (run_in_executor wakes it 200 times)."""
    threads = live_hub.StoreThreads(4)

    async def main() -> tuple[list, int]:
        loop = asyncio.get_running_loop()
        wakes = 0
        real = loop.call_soon_threadsafe

        def counted(*args, **kwargs):
            nonlocal wakes
            wakes += 1
            return real(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        futures = [threads.submit(lambda i=i: i * i) for i in range(200)]
        time.sleep(0.5)  # the loop is busy while every call ends
        results = await asyncio.gather(*futures)

        def broken() -> None:
            raise StoreUnavailable("disk gone")

        with pytest.raises(StoreUnavailable, match="disk gone"):
            await threads.submit(broken)
        return results, wakes

    try:
        results, wakes = _run_in_thread(main())
    finally:
        threads.shutdown()
    assert results == [i * i for i in range(200)]
    assert 1 <= wakes <= 5, wakes  # one for the batch (and the one for the error)


# ------------------------------------------------------------------- questions beside the cases


@pytest.fixture
def asked(store):
    """A session of a case, an open question, a scale and a poll (from data/questions.yaml)."""
    from kit.live.questions import load_questions

    bank = {q.id: q for q in load_questions().questions}
    items = (
        CASES[0],
        bank["q-ord-hull"],
        bank["q-skala-niva1"],
        bank["q-niva1-samproduksjon-samskaping"],
    )
    return store.create_session(items, lang="nb"), items


def respond(phone: Phone, code: str, item_id: str, value) -> Reply:
    data = {"token": phone.token, "item_id": item_id, "value": value}
    return phone.post(f"api/live/session/{code}/answer", data)


def test_a_phone_gets_the_questions_in_order_and_answers_them(live, store, asked):
    made, items = asked
    phone = Phone(live)
    joined = phone.join(made.code).json
    assert [c["id"] for c in joined["cases"]] == [i.id for i in items]
    assert [c.get("kind") for c in joined["cases"]] == [None, "open", "scale", "poll"]
    assert joined["responses"] == {}
    reply = respond(phone, made.code, "q-ord-hull", "  Tillit ")
    assert reply.status == 200 and reply.json["mine"] == ["Tillit"]
    assert respond(phone, made.code, "q-skala-niva1", 4).json["mine"] == ["4"]
    assert respond(phone, made.code, "q-niva1-samproduksjon-samskaping", 1).status == 200
    again = Phone(live)
    again.xsrf = phone.xsrf
    back = again.join(made.code, phone.token).json  # a reload: the responses come back
    assert back["responses"] == {
        "q-ord-hull": ["Tillit"],
        "q-skala-niva1": ["4"],
        "q-niva1-samproduksjon-samskaping": ["1"],
    }
    results = store.question_results(made.code)
    assert results["q-skala-niva1"].counts[4] == 1


@pytest.mark.parametrize(
    ("item_id", "value", "key"),
    [
        ("q-ord-hull", "x" * 41, "response_too_long"),
        ("q-ord-hull", "", "response_empty"),
        ("q-ord-hull", {"a": 1}, "response_empty"),
        ("q-skala-niva1", 9, "response_choose"),
        ("q-skala-niva1", "4", "response_choose"),
        ("q-niva1-samproduksjon-samskaping", 4, "response_choose"),
        ("q-unknown", "x", "invalid_answer"),
        ("c1", "x", "invalid_answer"),
    ],
)
def test_a_response_that_does_not_fit_gets_its_message(live, asked, item_id, value, key):
    made, _items = asked
    phone = Phone(live)
    phone.join(made.code)
    reply = respond(phone, made.code, item_id, value)
    assert reply.status == 400
    assert reply.json["error"] == key
    assert reply.json["message"] == t(f"live_err_{key}", "nb")
    assert key in ERROR_KEYS


def test_xss_in_an_open_answer_stays_data(live, store, asked):
    made, _items = asked
    phone = Phone(live)
    phone.join(made.code)
    payload = "<img src=x onerror=alert(1)>"
    assert respond(phone, made.code, "q-ord-hull", payload).status == 200
    back = phone.join(made.code, phone.token)
    # JSON that is never read as a page (the phones put it in textContent: a browser test)
    assert back.headers["Content-Type"].startswith("application/json")
    assert back.headers["X-Content-Type-Options"] == "nosniff"
    assert back.json["responses"]["q-ord-hull"] == [payload]


def test_the_key_carries_the_answers_that_earn_partial_credit(live, store):
    from kit.cases.casefile import load_cases

    value_case = next(c for c in load_cases() if c.process == "verdisamskaping")
    made = store.create_session((value_case, CASES[0]))
    store.reveal(made.code, made.key, value_case.id)
    store.reveal(made.code, made.key, "c1")
    keys = Phone(live).state(made.code).json["keys"]
    assert keys[value_case.id]["partial"] == [{"process": "samproduksjon", "level": 3}]
    assert keys["c1"]["partial"] == []


def test_a_stopped_event_loop_does_not_keep_another_loops_results():
    """A store call made from a loop that then stops (a start-up task run on a loop of its
    own) must not keep the results of calls from the loop that serves from being handed
    back."""
    threads = live_hub.StoreThreads(1)
    release = threading.Event()
    first = asyncio.new_event_loop()

    async def submit_slow() -> None:
        threads.submit(release.wait, 5)  # ends after this loop has stopped

    async def one_call() -> int:
        return await asyncio.wait_for(threads.submit(lambda: 42), 5)

    def in_a_thread(work):  # each loop runs in a thread with no loop of its own yet
        found: list = []
        runner = threading.Thread(target=lambda: found.append(work()))
        runner.start()
        runner.join(timeout=30)
        return found[0] if found else None

    try:
        # the first loop stops with the call still running
        in_a_thread(lambda: first.run_until_complete(submit_slow()))
        release.set()
        time.sleep(0.2)  # the call ends and asks the stopped loop to take its result
        second = asyncio.new_event_loop()
        try:
            assert in_a_thread(lambda: second.run_until_complete(one_call())) == 42
        finally:
            second.close()
    finally:
        first.close()
        threads.shutdown(wait=True)
