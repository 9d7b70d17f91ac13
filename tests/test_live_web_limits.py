"""Limits that never lock out a room, and what a serving process keeps per code (issue 17).

The live room's and the workshop's routes run in this process on a free port of 127.0.0.1
(tests/live_server.py) over a SQLite store in ``tmp_path``. Requests come from a loopback peer,
which stands for a reverse proxy on this machine: its ``X-Real-IP`` is each phone's address.

- unknown codes: every request naming a well-formed code that no session or workshop has counts in
  one bucket per address (join, state, answer; the workshop's join, state and writes), past which
  that address is refused for every code it has not used, a real one too, unless the request
  carries a participant's token of the code;
- failed joins count per address *and* code, and a success clears them;
- the forwarded address is believed only from a trusted proxy and only in the header configured;
- a body of JSON nested too deep is a 400 with a message, not a 500 with a traceback;
- a code purged by ``samskaping purge-answers`` (another process) and drawn again is another
  session or workshop for a server that kept the old one's cases, view and versions.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from tornado.httputil import HTTPHeaders

import kit.live.store
import kit.workshop.store
from kit.core.i18n import t
from kit.core.text import Text
from kit.live import handlers as live_handlers
from kit.live import hub as live_hub
from kit.live.handlers import client_key
from kit.live.schema import utcnow
from kit.live.store import JoinCode, NotOwner, Store, UnknownCode
from kit.workshop.store import WorkshopStore
from tests.factories import make_case
from tests.live_server import Phone, Reply
from tests.test_live_web import assert_refusal, other_code, page_config
from tests.test_workshop_web import Visitor, WorkshopServer, refusal

from .conftest import ROOT, wait_for

LIMIT = live_hub.CODE_PROBES_PER_MINUTE
STREAK = live_hub.FAILED_JOINS_PER_MINUTE

old_case = partial(make_case, process="samproduksjon", level=3, title=Text("Gammel sak {id}"))
new_case = partial(make_case, process="ingen", level=None, title=Text("Ny sak {id}"))
OLD_CASES = (old_case("c1"), old_case("c2"))
NEW_CASES = (new_case("n1"), new_case("n2"))


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path}/limits.sqlite3"


@pytest.fixture
def store(db_url):
    """The serving process's store (the server's hub uses this one)."""
    with Store(db_url, shared=True) as store:
        yield store


@pytest.fixture
def live(store):
    """The live room's and the workshop's routes on one hub, as ``samskaping serve`` has them."""
    srv = WorkshopServer(store)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def session(store):
    return store.create_session(OLD_CASES, lang="nb")


def probe(phone: Phone, i: int, code: str) -> Reply:
    """The i-th guess of a code: a join, a state or an answer in turn."""
    if i % 3 == 0:
        return phone.join(code)
    if i % 3 == 1:
        return phone.state(code)
    return phone.answer(code, "c1", "ingen", None)


def retry_after(reply: Reply) -> int:
    seconds = int(reply.headers["Retry-After"])
    assert 0 < seconds <= 60, seconds
    return seconds


# ------------------------------------------------------------------------ unknown codes


def test_a_token_holder_joins_after_50_wrong_codes_from_its_address(live, store, session):
    code = session.code
    elsewhere = store.create_session(OLD_CASES)  # a real room never used from that address
    holder = Phone(live, ip="10.7.0.1")  # joined on mobile data, then came to the venue's Wi-Fi
    assert holder.join(code).status == 200
    token = holder.token

    prober = Phone(live, ip="10.7.7.7")  # the venue's NAT address
    prober.token = "0" * 32
    statuses = []
    for i in range(50):  # join, state and answer in turn: one bucket
        reply = probe(prober, i, other_code(code, elsewhere.code))
        statuses.append(reply.status)
    assert statuses[:LIMIT] == [404] * LIMIT
    assert statuses[LIMIT:] == [429] * (50 - LIMIT)
    refused = assert_refusal(reply, 429, "wrong_codes")
    assert refused["message"] == t("live_err_wrong_codes", "nb")
    retry_after(reply)

    # positive controls: from that address, a real code without a token of it is refused
    # exactly as an unknown one (guessing learns nothing), and nobody new gets in
    newcomer = Phone(live, ip="10.7.7.7")
    joined = newcomer.join(code)
    assert_refusal(joined, 429, "wrong_codes")
    retry_after(joined)
    assert joined.json == refused
    assert newcomer.state(code).json == refused
    assert prober.answer(code, "c1", "ingen", None).json == refused  # a made-up token
    assert store.participant_count(code) == 1

    # the phone holding its token, now behind that address: resumes, answers, follows
    holder.ip = "10.7.7.7"
    back = holder.join(code, token)
    assert back.status == 200, back.body
    assert back.json["resumed"] is True and back.json["token"] == token
    assert holder.answer(code, "c1", "samproduksjon", 3).status == 200
    assert holder.state(code).status == 200
    assert store.participant_count(code) == 1

    # once the room's code is used from the address, it stays open to it: a latecomer joins;
    # another real code, never used from there, is still refused, and so are unknown ones
    assert Phone(live, ip="10.7.7.7").join(code).status == 200
    assert_refusal(Phone(live, ip="10.7.7.7").join(elsewhere.code), 429, "wrong_codes")
    assert_refusal(prober.state(other_code(code, elsewhere.code)), 429, "wrong_codes")
    assert store.participant_count(elsewhere.code) == 0

    # another address is not held back
    other = Phone(live, ip="10.7.0.2")
    assert other.join(elsewhere.code).status == 200
    assert_refusal(other.state(other_code(code, elsewhere.code)), 404, "unknown_code")


def test_probing_state_and_answer_is_limited_and_real_codes_still_work(live, store, session):
    prober = Phone(live, ip="10.9.9.9")
    prober.token = "0" * 32
    for i in range(LIMIT):
        wrong = other_code(session.code)
        reply = prober.state(wrong) if i % 2 else prober.answer(wrong, "c1", "ingen", None)
        assert_refusal(reply, 404, "unknown_code")
    assert_refusal(prober.state(other_code(session.code)), 429, "wrong_codes")
    assert_refusal(prober.answer(other_code(session.code), "c1", "ingen", None), 429, "wrong_codes")
    assert_refusal(prober.state(session.code), 429, "wrong_codes")  # the real one the same

    phone = Phone(live, ip="10.9.9.10")  # positive control: the room goes on
    assert phone.join(session.code).status == 200
    assert phone.answer(session.code, "c1", "samproduksjon", 3).status == 200
    assert phone.state(session.code).json["open"] is True
    assert_refusal(phone.state(other_code(session.code)), 404, "unknown_code")
    assert store.counts(session.code)["c1"].answers == 1


def test_a_malformed_code_tells_nothing_and_is_not_counted(live, session):
    prober = Phone(live, ip="10.9.8.1")
    for _ in range(LIMIT + 5):
        assert_refusal(prober.state("ZZZZZZ"), 404, "unknown_code")  # not in the alphabet
        assert_refusal(prober.join("ACDEFGHJ"), 400, "too_long")
    assert prober.join(session.code).status == 200


def test_the_page_tells_nothing_of_a_code_and_is_never_refused(live, store, session):
    wrong = other_code(session.code)
    for page in ("delta", "verksted", "skjerm"):
        real = Phone(live).request("GET", f"{page}?kode={session.code}").text
        made_up = Phone(live).request("GET", f"{page}?kode={wrong}").text
        assert made_up.replace(wrong, session.code) == real, page
    prober = Phone(live, ip="10.9.7.1")
    for _ in range(LIMIT):
        prober.state(other_code(session.code))
    assert_refusal(prober.state(other_code(session.code)), 429, "wrong_codes")
    reply = prober.open_page(f"?kode={session.code}")  # a reload in the room still works
    assert reply.status == 200 and page_config(reply.text)["code"] == session.code


# ----------------------------------------------------------------------------- failed joins


def test_a_mistyped_code_never_holds_back_the_rooms_code(live, store, session):
    phone = Phone(live, ip="10.8.8.8")
    typo = other_code(session.code)
    for _ in range(STREAK):
        assert_refusal(phone.join(typo), 404, "unknown_code")
    data = assert_refusal(phone.join(typo), 429, "wrong_codes")  # that code, from there
    assert data["message"] == t("live_err_wrong_codes", "nb")
    assert phone.join(session.code).status == 200  # the room's own code: not held back
    assert_refusal(Phone(live, ip="10.8.8.9").join(typo), 404, "unknown_code")  # per address
    assert store.participant_count(session.code) == 1


def test_a_success_clears_the_streak_of_failed_joins(live, store, db_url, session, monkeypatch):
    phone = Phone(live, ip="10.8.1.1")
    early = other_code(session.code)
    for _ in range(STREAK - 1):  # a code typed before the session had it
        assert_refusal(phone.join(early), 404, "unknown_code")
    monkeypatch.setattr(kit.live.store, "new_code", lambda: JoinCode(early))
    assert store.create_session(NEW_CASES).code == early
    assert phone.join(early).status == 200  # under the streak: in, and the streak is gone
    with Store(db_url, clock=lambda: utcnow() + timedelta(days=2)) as later:
        assert later.purge(timedelta(days=1)) == 2  # the code is no session's again
    for _ in range(STREAK):  # a whole streak again, not the one left before the success
        assert_refusal(phone.join(early), 404, "unknown_code")
    assert_refusal(phone.join(early), 429, "wrong_codes")  # positive control: it counts


def test_the_presenter_key_is_never_refused_and_clears_wrong_ones(live, session):
    def screen(phone: Phone, key: str) -> Reply:
        return phone.post(f"api/live/session/{session.code}/screen", {"key": key, "since": None})

    browser = Phone(live, ip="10.8.2.2")  # a guesser and the presenter behind one address
    for round_ in range(2):
        for i in range(STREAK - 1):
            assert_refusal(screen(browser, f"guess{round_}-{i}"), 403, "not_owner")
        assert screen(browser, session.key).status == 200  # clears the wrong ones
    for i in range(STREAK):
        assert_refusal(screen(browser, f"guess-{i}"), 403, "not_owner")
    assert_refusal(screen(browser, "guess-last"), 429, "rate_limited")  # the streak counts
    assert screen(browser, session.key).status == 200  # the key still gets in


# -------------------------------------------------------------------- the workshop's side


def test_the_workshop_shares_the_bucket_and_lets_its_token_holders_in(live, store):
    ws = WorkshopStore(store)
    shop = ws.create_workshop("Leksehjelp", "nb", parties=["unit", "recipient"])
    holder = Visitor(live, ip="10.6.0.1")
    assert holder.join(shop.code, party="unit").status == 200

    prober = Visitor(live, ip="10.6.6.6")
    prober.token = "0" * 32
    for i in range(LIMIT):  # the live room's state and the workshop's, one bucket
        wrong = other_code(shop.code)
        if i % 2:
            refusal(prober.state(wrong), 404, "unknown_code")
        else:
            assert_refusal(Phone(live, ip="10.6.6.6").state(wrong), 404, "unknown_code")
    for reply in (
        prober.state(other_code(shop.code)),
        prober.join(other_code(shop.code), party="unit"),
        prober.send(other_code(shop.code), "park", text="Gjett"),
        prober.join(shop.code, party="unit"),  # the real workshop: the same
        prober.state(shop.code),
    ):
        data = refusal(reply, 429, "wrong_codes")
        assert data["message"] == t("live_err_wrong_codes", "nb")
    assert ws.participant_count(shop.code) == 1

    holder.ip = "10.6.6.6"  # the participant holding its token, behind that address
    back = holder.join(shop.code, token=holder.token)
    assert back.status == 200 and back.json["resumed"] is True
    assert holder.send(shop.code, "park", text="Mitt punkt").status == 200
    assert holder.state(shop.code).status == 200
    assert Visitor(live, ip="10.6.0.2").state(other_code(shop.code)).status == 404


# ---------------------------------------------------------------------- forwarded address


def fake_request(peer: str, *headers: tuple[str, str]) -> SimpleNamespace:
    """What client_key reads of a request: the peer's address and the headers."""
    parsed = HTTPHeaders()
    for name, value in headers:
        parsed.add(name, value)
    return SimpleNamespace(remote_ip=peer, headers=parsed)


SPOOFED = ("X-Real-IP", "198.51.100.66")  # the client's own claim, passed on untouched


def test_only_the_configured_header_of_a_trusted_proxy_counts(monkeypatch):
    monkeypatch.delenv("KIT_FORWARDED_HEADER", raising=False)
    monkeypatch.delenv("KIT_TRUSTED_PROXIES", raising=False)
    # the default: X-Real-IP, as the documented nginx sets it, from a proxy on this machine
    assert client_key(fake_request("127.0.0.1", ("X-Real-IP", "203.0.113.7"))) == "203.0.113.7"
    assert client_key(fake_request("::1", ("X-Real-IP", "2001:DB8::1"))) == "2001:db8::1"
    appended = ("X-Forwarded-For", "10.0.0.1, 203.0.113.7")
    assert client_key(fake_request("127.0.0.1", appended)) == "127.0.0.1"  # not configured
    # a peer that is no trusted proxy: its headers are not believed
    assert client_key(fake_request("192.0.2.10", ("X-Real-IP", "203.0.113.7"))) == "192.0.2.10"
    monkeypatch.setenv("KIT_TRUSTED_PROXIES", "192.0.2.10")  # positive control: named, it is
    assert client_key(fake_request("192.0.2.10", ("X-Real-IP", "203.0.113.7"))) == "203.0.113.7"
    assert client_key(fake_request("192.0.2.11", ("X-Real-IP", "203.0.113.7"))) == "192.0.2.11"

    # a proxy that sets only X-Forwarded-For: the entry it appended counts, nothing else
    monkeypatch.setenv("KIT_FORWARDED_HEADER", "x-forwarded-for")
    through = fake_request("192.0.2.10", SPOOFED, appended)
    assert client_key(through) == "203.0.113.7"
    two_lines = fake_request("127.0.0.1", SPOOFED, ("X-Forwarded-For", "10.0.0.1"), appended)
    assert client_key(two_lines) == "203.0.113.7"
    assert client_key(fake_request("127.0.0.1", SPOOFED)) == "127.0.0.1"
    assert client_key(fake_request("192.0.2.99", appended)) == "192.0.2.99"  # not a proxy

    monkeypatch.setenv("KIT_FORWARDED_HEADER", "none")  # no header at all
    assert client_key(fake_request("127.0.0.1", SPOOFED, appended)) == "127.0.0.1"


def test_a_spoofed_x_real_ip_through_a_proxy_that_sets_x_forwarded_for_is_ignored(
    live, session, monkeypatch
):
    """The test's loopback peer is the proxy; it appended 203.0.113.7 to X-Forwarded-For and
    passed on the X-Real-IP the client chose, a new one for each request."""
    monkeypatch.setenv("KIT_FORWARDED_HEADER", "X-Forwarded-For")
    prober = Phone(live)

    def probe(n: int, forwarded: str) -> Reply:
        headers = {"X-Real-IP": f"10.99.{n // 250}.{n % 250}", "X-Forwarded-For": forwarded}
        return prober.request(
            "GET", f"api/live/session/{other_code(session.code)}/state", None, headers
        )

    for n in range(LIMIT):
        assert_refusal(probe(n, f"10.{n}.0.1, 203.0.113.7"), 404, "unknown_code")
    assert_refusal(probe(LIMIT, "203.0.113.7"), 429, "wrong_codes")  # one client, all along
    assert_refusal(probe(LIMIT + 1, "203.0.113.8"), 404, "unknown_code")  # another one
    # positive control: with the default header, each request's X-Real-IP is its client
    monkeypatch.delenv("KIT_FORWARDED_HEADER")
    assert_refusal(probe(LIMIT + 2, "203.0.113.7"), 404, "unknown_code")


# ------------------------------------------------------------------------------ nested JSON


def test_json_nested_too_deep_is_a_400_with_a_message_and_no_traceback(
    live, store, session, caplog, monkeypatch
):
    caplog.set_level(logging.INFO)
    phone = Phone(live)
    assert phone.join(session.code).status == 200
    visitor = Visitor(live)
    shop = WorkshopStore(store).create_workshop("Tiltak", "nb", parties=["unit"])
    assert visitor.join(shop.code, party="unit").status == 200
    for depth in (1500, 2000):
        deep = b"[" * depth + b"]" * depth
        inside = b'{"token": ' + deep + b"}"
        for raw in (deep, inside):
            assert len(raw) <= live_handlers.MAX_BODY
            for path in ("join", "answer"):
                reply = phone.post(f"api/live/session/{session.code}/{path}", None, raw=raw)
                data = assert_refusal(reply, 400, "bad_request")
                assert data["message"] == t("live_err_bad_request", "nb")
            for path in ("join", "propose", "park"):
                reply = visitor.post(f"api/workshop/{shop.code}/{path}", None, raw=raw)
                data = refusal(reply, 400, "bad_request")
                assert data["message"] == t("workshop_store_bad_request", "nb")
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert logged == []
    assert phone.answer(session.code, "c1", "ingen", None).status == 200  # the room goes on

    # positive control: a failure the handlers do not expect is logged with its traceback,
    # in this log, from the server's thread
    def broken(*_a, **_k):
        raise RuntimeError("not expected")

    monkeypatch.setattr(store, "enter_many", broken)
    assert Phone(live).join(session.code).status == 500
    assert wait_for(lambda: any(r.exc_info for r in caplog.records))


# ---------------------------------------------------------- a purged code drawn again


def purge_in_another_process(db_url: str) -> None:
    """``samskaping purge-answers --days 0``: everything made before now goes."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kit.server.cli", "purge-answers", "--days", "0", "--db", db_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def show_first(phone: Phone, code: str, key: str) -> Reply:
    """The big screen's key to the first item (the control API: the session's items)."""
    return phone.post(
        f"api/live/session/{code}/control", {"key": key, "action": "goto", "index": 0}
    )


def test_a_purged_code_drawn_again_shows_its_new_cases(live, store, db_url, monkeypatch):
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 300.0)  # each wait ends by a change
    with Store(db_url) as presenter:  # the presenter's kernel: a process of its own
        old = presenter.create_session(OLD_CASES, lang="nn")
    code = old.code
    # another room's phone waits all along: the server keeps watching while this code changes
    with Store(db_url, clock=lambda: utcnow() + timedelta(days=1)) as presenter:
        watched = presenter.create_session(OLD_CASES)  # made "tomorrow": no purge takes it
    keeper = Phone(live, ip="10.5.0.9")
    keeper.timeout = 300.0  # its one request is held until the end of the test
    keeper_version = keeper.join(watched.code).json["state"]["version"]

    with ThreadPoolExecutor(2) as pool:
        owned = [(watched.code, watched.key), (code, old.key)]
        try:
            keeping = pool.submit(keeper.state, watched.code, keeper_version)
            assert wait_for(lambda: live.waiting(watched.code) == 1)

            phone = Phone(live, ip="10.5.0.1")  # the old session, as the server keeps it
            joined = phone.join(code).json
            assert [c["id"] for c in joined["cases"]] == ["c1", "c2"] and joined["lang"] == "nn"
            assert phone.answer(code, "c1", "samproduksjon", 3).status == 200
            waiting = pool.submit(phone.state, code, joined["state"]["version"])
            assert wait_for(lambda: live.waiting(code) == 1)
            with Store(db_url) as presenter:
                presenter.reveal(code, old.key, "c1")
            assert waiting.result(timeout=30).json["keys"].keys() == {"c1"}
            assert show_first(phone, code, old.key).status == 200
            screen = phone.post(f"api/live/session/{code}/screen", {"key": old.key, "since": None})
            assert "Gammel sak c1" in screen.json["html"]

            purge_in_another_process(db_url)  # the server runs on, its hub and store as they were
            monkeypatch.setattr(kit.live.store, "new_code", lambda: JoinCode(code))
            with Store(db_url) as presenter:
                new = presenter.create_session(NEW_CASES, lang="en")
            owned.append((code, new.key))
            assert new.code == code

            again = Phone(live, ip="10.5.0.2")
            data = again.join(code).json
            assert [c["id"] for c in data["cases"]] == ["n1", "n2"]
            assert "Gammel sak" not in again.join(code, again.token).text
            assert data["lang"] == "en" and data["state"]["version"] == 0
            came_back = phone.join(code, phone.token).json  # the old token went with the purge
            assert came_back["resumed"] is False and came_back["answers"] == {}
            assert again.answer(code, "n1", "ingen", None).status == 200
            assert_refusal(again.answer(code, "c1", "samproduksjon", 3), 400, "invalid_answer")
            # up to date at version 0: held, although the server saw version 1 of the old session
            held = pool.submit(again.state, code, 0)
            assert wait_for(lambda: live.waiting(code) == 1)
            with Store(db_url) as presenter:
                presenter.reveal(code, new.key, "n1")
            keys = held.result(timeout=30).json["keys"]
            assert keys.keys() == {"n1"} and keys["n1"]["process"] == "ingen"
            assert show_first(again, code, new.key).status == 200
            screen = again.post(f"api/live/session/{code}/screen", {"key": new.key, "since": None})
            assert "Ny sak n1" in screen.json["html"] and "Gammel sak" not in screen.json["html"]
            assert store.counts(code)["n1"].answers == 1  # the server's own store, too
            assert live.waiting(watched.code) == 1  # the watcher ran all along
            with Store(db_url) as presenter:
                presenter.close_session(watched.code, watched.key)  # lets the keeper go
            assert keeping.result(timeout=30).json["open"] is False
        finally:  # whatever failed, every phone still waiting is let go
            with Store(db_url) as presenter:
                for held_code, key in owned:
                    try:
                        presenter.close_session(held_code, key)
                    except (NotOwner, UnknownCode):
                        pass


def test_a_purged_workshop_code_drawn_again_shows_the_new_workshop(
    live, store, db_url, monkeypatch
):
    with Store(db_url) as facilitator:
        first = WorkshopStore(facilitator).create_workshop("Gammelt tiltak", "nb", parties=["unit"])
    code = first.code
    visitor = Visitor(live, ip="10.5.1.1")
    assert visitor.join(code, party="unit").status == 200
    assert visitor.send(code, "propose", clause="purpose", text="Gammelt forslag").status == 200
    seen = visitor.state(code).json
    assert "Gammelt forslag" in str(seen)
    version = seen["version"]

    purge_in_another_process(db_url)
    monkeypatch.setattr(kit.workshop.store, "new_code", lambda: JoinCode(code))
    with Store(db_url) as facilitator:
        second = WorkshopStore(facilitator).create_workshop("Nytt tiltak", "nb", parties=["unit"])
    assert second.code == code
    with Store(db_url) as elsewhere:  # its phones' joins and proposal went to another process
        ws = WorkshopStore(elsewhere)
        token = ws.join(code, party="unit").speaker.token
        ws.propose(code, token, "purpose", "Nytt forslag")
    other = Visitor(live, ip="10.5.1.2")
    now = other.state(code).json
    assert now["version"] == version  # the version the server kept the old view at
    assert "Nytt forslag" in str(now) and "Gammelt" not in str(now)
    joined = other.join(code, party="unit").json
    assert "Nytt forslag" in str(joined["workshop"]) and "Gammelt" not in str(joined)
