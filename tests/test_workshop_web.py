"""The workshop's participant side over HTTP (kit/workshop/handlers.py, kit/workshop/page.py).

The live room's and the workshop's routes run together on one hub, as ``samskaping serve`` mounts
them (kit/server/app.py), on a free port of 127.0.0.1 over a SQLite store in ``tmp_path``; the
test talks to them with plain HTTP. ``X-Real-IP`` (trusted from a loopback peer) stands for the
phone's address.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from html import escape
from urllib.parse import quote

import pytest

from kit.core.i18n import t
from kit.live import handlers as live_handlers
from kit.live import hub as live_hub
from kit.live.store import Store
from kit.workshop import handlers as workshop_handlers
from kit.workshop.model import PROPOSAL_MAX, PROPOSALS_PER_CLAUSE, load_agenda
from kit.workshop.store import WorkshopStore
from tests.factories import make_case
from tests.live_server import LiveServer, Phone, Reply
from tests.test_live_web import PWN
from tests.test_store import FakeClock

from .conftest import wait_for, woken_together


def WorkshopServer(store: Store, base_url: str = "/") -> LiveServer:  # noqa: N802 - a server
    """The live room's and the workshop's routes on one hub, as ``samskaping serve`` mounts them."""
    return LiveServer(store, base_url, (live_handlers.handlers, workshop_handlers.handlers))


class Visitor(Phone):
    """One participant's browser on the workshop page."""

    def open_page(self, query: str = "") -> Reply:
        reply = self.request("GET", f"verksted{query}")
        for header in reply.headers.get_all("Set-Cookie") or []:
            match = re.match(r"_xsrf=([^;]+)", header)
            if match:
                self.xsrf = match.group(1)
        return reply

    def join(self, code: str, token: str | None = None, lang: str = "nb", **data) -> Reply:
        kw = {"xsrf": data.pop("xsrf")} if "xsrf" in data else {}
        if token is not None:
            data["token"] = token
        reply = self.post(f"api/workshop/{code}/join?lang={lang}", data, **kw)
        if reply.status == 200:
            self.token = reply.json["token"]
        return reply

    def send(self, code: str, what: str, lang: str = "nb", xsrf: bool = True, **data) -> Reply:
        return self.post(
            f"api/workshop/{code}/{what}?lang={lang}", {"token": self.token, **data}, xsrf=xsrf
        )

    def state(self, code: str, since: int | str | None = None, lang: str = "nb") -> Reply:
        query = f"?lang={lang}" + ("" if since is None else f"&since={since}")
        return self.request("GET", f"api/workshop/{code}/state{query}")


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/ws.sqlite3", shared=True) as store:
        yield store


@pytest.fixture
def ws(store) -> WorkshopStore:
    return WorkshopStore(store)


@pytest.fixture
def server(store):
    srv = WorkshopServer(store)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def shop(ws):
    return ws.create_workshop("Leksehjelp på biblioteket", "nb", parties=["unit", "recipient"])


def refusal(reply: Reply, status: int, key: str, field: str | None = None) -> dict:
    """A refusal as the page gets it: the status and JSON with the key, the field, a message."""
    assert reply.status == status, (reply.status, reply.body)
    data = reply.json
    assert set(data) == {"error", "field", "message"}, data
    assert data["error"] == key, data
    if field is not None:
        assert data["field"] == field, data
    assert data["message"] and "Traceback" not in reply.text and 'File "' not in reply.text
    return data


def page_config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kit-config">(.*?)</script>', page, re.S)
    assert match, page
    return json.loads(match.group(1))


# ------------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_page_follows_the_language(server, shop, lang):
    visitor = Visitor(server)
    reply = visitor.open_page(f"?kode={shop.code}&lang={lang}")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/html")
    page = reply.text
    assert f'<html lang="{lang}">' in page
    assert f"<title>{escape(t('verksted_title', lang))}</title>" in page
    assert escape(t("verksted_party_legend", lang)) in page
    for party in load_agenda().parties:  # the party choice works before the script has run
        assert f"value='{party.id}' required>{escape(party.label.get(lang))}</label>" in page
    config = page_config(page)
    assert config["lang"] == lang and config["code"] == shop.code
    assert config["api"] == "/api/workshop/"
    assert config["texts"]["verksted_propose_send"] == t("verksted_propose_send", lang)
    assert config["texts"]["limits"]["proposal"] == PROPOSAL_MAX
    assert visitor.xsrf, "the page sets the _xsrf cookie its script sends back"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_is_one_request_with_nothing_from_elsewhere(server):
    page = Visitor(server).open_page().text
    assert page.count("<script") == 2 and " src=" not in page
    assert '<link rel="stylesheet"' not in page and "http://" not in page
    assert "https://" not in page
    assert "--kit-color-accent" in page  # the apps' design tokens, inlined


def test_a_hostile_code_in_the_address_stays_text(server):
    page = Visitor(server).open_page(f"?kode={quote(PWN)}&lang={quote(PWN)}").text
    assert "__pwned" not in page and "<script>window" not in page
    assert page.count("<script") == 2
    config = page_config(page)
    assert config["code"] == "" and config["lang"] == "nb"


# --------------------------------------------------------------------------------- joining


def test_join_needs_the_xsrf_header(server, ws, shop):
    visitor = Visitor(server)
    visitor.open_page(f"?kode={shop.code}")
    refusal(visitor.join(shop.code, party="unit", xsrf=False), 403, "xsrf")
    no_cookie = visitor.request(
        "POST",
        f"api/workshop/{shop.code}/join",
        b'{"party": "unit"}',
        {"X-XSRFToken": visitor.xsrf, "Content-Type": "application/json"},
    )
    refusal(no_cookie, 403, "xsrf")
    other = Visitor(server)
    other.open_page()
    forged = visitor.request(
        "POST",
        f"api/workshop/{shop.code}/join",
        b'{"party": "unit"}',
        {"Cookie": f"_xsrf={visitor.xsrf}", "X-XSRFToken": other.xsrf},
    )
    refusal(forged, 403, "xsrf")
    assert ws.participant_count(shop.code) == 0
    assert visitor.join(shop.code, party="unit").status == 200  # positive control
    assert ws.participant_count(shop.code) == 1


def test_join_sends_the_workshop_in_the_pages_language(server, shop):
    visitor = Visitor(server)
    reply = visitor.join(shop.code.lower(), lang="nn", party="recipient", name="Ola")
    assert reply.status == 200
    data = reply.json
    assert re.fullmatch(r"[0-9a-f]{32}", data["token"]) and data["resumed"] is False
    assert (data["code"], data["party"], data["name"]) == (shop.code, "recipient", "Ola")
    assert data["mine"] == {"proposals": [], "responses": {}, "parking": []}
    workshop = data["workshop"]
    assert workshop["open"] and workshop["initiative"] == "Leksehjelp på biblioteket"
    agenda = load_agenda()
    assert [c["id"] for c in workshop["clauses"]] == [c.id for c in agenda.clauses]
    mode = next(c for c in workshop["clauses"] if c["id"] == "mode")
    assert mode["title"] == agenda.clause("mode").title.get("nn")
    assert mode["question"] == agenda.clause("mode").question.get("nn")
    assert mode["source"] is True and mode["proposals"] == []
    level3 = next(lv for lv in workshop["levels"] if lv["number"] == 3)
    assert level3["expectations"] == [q.get("nn") for q in agenda.level(3).expectations]
    assert "token" not in json.dumps(workshop) and "participant" not in json.dumps(workshop)


def test_join_needs_a_party_unless_it_resumes(server, ws, shop):
    visitor = Visitor(server)
    data = refusal(visitor.join(shop.code, lang="en"), 400, "unknown_party", "party")
    assert data["message"] == t("workshop_err_unknown_party", "en")
    refusal(visitor.join(shop.code, party="<b>king</b>"), 400, "unknown_party", "party")
    data = refusal(visitor.join(shop.code, party="unit", name="x" * 61, lang="nn"), 400, "too_long")
    assert data["field"] == "name" and "60" in data["message"]
    assert ws.participant_count(shop.code) == 0
    token = visitor.join(shop.code, party="unit").json["token"]
    again = visitor.join(shop.code, token=token)
    assert again.status == 200 and again.json["resumed"] is True and again.json["token"] == token
    assert again.json["party"] == "unit"
    assert ws.participant_count(shop.code) == 1


@pytest.mark.parametrize(
    ("code", "status", "key"),
    [("ZZZZZZ", 404, "unknown_code"), ("ACDEFGHJK", 400, "too_long"), ("AA", 404, "unknown_code")],
)
def test_join_refusals(server, code, status, key):
    refusal(Visitor(server).join(code, party="unit"), status, key)


def test_a_session_code_is_no_workshop(server, store):
    session = store.create_session([make_case("c1")])
    data = refusal(Visitor(server).join(session.code, party="unit"), 404, "unknown_code")
    assert data["message"] == t("workshop_store_unknown_code", "nb")


# ------------------------------------------------------------------- speaking, over HTTP


def test_propose_respond_park_and_come_back(server, ws, shop):
    code = shop.code
    unit, recipient = Visitor(server, ip="10.0.0.1"), Visitor(server, ip="10.0.0.2")
    unit.join(code, party="unit")
    recipient.join(code, party="recipient", name="Aud")
    made = unit.send(code, "propose", clause="purpose", text="Leksehjelp for 5.-7. klasse")
    assert made.status == 200
    proposal = made.json["proposal"]
    assert proposal["party"] == "unit" and proposal["text"] == "Leksehjelp for 5.-7. klasse"
    answered = recipient.send(
        code, "respond", proposal=proposal["id"], choice="object", reason="Også ungdomsskolen"
    )
    assert answered.status == 200
    assert answered.json["response"] == {
        "proposal": proposal["id"],
        "choice": "object",
        "reason": "Også ungdomsskolen",
    }
    parked = recipient.send(code, "park", text="Transport hjem?", clause="purpose")
    assert parked.status == 200 and parked.json["point"]["clause"] == "purpose"
    assert recipient.send(code, "park", text="Om ingen punkt", clause=None).status == 200

    w = ws.workshop_state(code)
    assert [(r.party, r.choice, r.reason, r.name) for r in w.responses] == [
        ("recipient", "object", "Også ungdomsskolen", "Aud")
    ]
    assert [(p.text, p.clause) for p in w.parking] == [
        ("Transport hjem?", "purpose"),
        ("Om ingen punkt", None),
    ]
    # a reload: the same participant, with everything they said
    back = Visitor(server, ip="10.0.0.2").join(code, token=recipient.token).json
    assert back["resumed"] and back["name"] == "Aud"
    assert back["mine"]["responses"] == {proposal["id"]: answered.json["response"]}
    assert [p["text"] for p in back["mine"]["parking"]] == ["Transport hjem?", "Om ingen punkt"]
    purpose = next(c for c in back["workshop"]["clauses"] if c["id"] == "purpose")
    assert purpose["proposals"] == [proposal]
    mine = Visitor(server).join(code, token=unit.token).json["mine"]
    assert mine["proposals"] == [proposal["id"]]


@pytest.mark.parametrize("what", ["propose", "respond", "park"])
def test_writes_need_the_xsrf_header(server, ws, shop, what):
    code = shop.code
    visitor = Visitor(server)
    visitor.join(code, party="unit")
    other = Visitor(server)
    other.join(code, party="recipient")
    pid = other.send(code, "propose", clause="purpose", text="Et forslag").json["proposal"]["id"]
    data = {
        "propose": {"clause": "purpose", "text": "Mitt forslag"},
        "respond": {"proposal": pid, "choice": "agree"},
        "park": {"text": "Et punkt"},
    }[what]
    before = ws.info(code).revision
    refusal(visitor.send(code, what, xsrf=False, **data), 403, "xsrf")
    assert ws.info(code).revision == before
    assert visitor.send(code, what, **data).status == 200  # positive control
    assert ws.info(code).revision == before + 1


def test_the_rules_refuse_in_the_pages_language(server, ws, shop):
    code = shop.code
    visitor = Visitor(server)
    visitor.join(code, party="volunteer")
    data = refusal(
        visitor.send(code, "propose", lang="nn", clause="purpose", text="x" * (PROPOSAL_MAX + 1)),
        400,
        "too_long",
        "text",
    )
    assert data["message"] == t(
        "workshop_err_too_long", "nn", field=t("workshop_field_text", "nn"), limit=PROPOSAL_MAX
    )
    refusal(visitor.send(code, "propose", clause="nope", text="x"), 400, "unknown_clause")
    refusal(visitor.send(code, "propose", clause="purpose", text="   "), 400, "empty", "text")
    for i in range(PROPOSALS_PER_CLAUSE):
        assert visitor.send(code, "propose", clause="mode", text=f"Forslag {i}").status == 200
    refusal(visitor.send(code, "propose", clause="mode", text="Ett til"), 400, "too_many")
    pid = ws.workshop_state(code).proposals[0].id
    refusal(
        visitor.send(code, "respond", lang="en", proposal=pid, choice="object"),
        400,
        "reason_needed",
        "reason",
    )
    refusal(visitor.send(code, "respond", proposal=pid, choice="maybe"), 400, "unknown_response")
    refusal(
        visitor.send(code, "respond", proposal="p99999", choice="agree"), 400, "unknown_proposal"
    )
    refusal(visitor.send(code, "park", text=["not", "text"]), 400, "empty", "text")
    stranger = Visitor(server)
    stranger.token = "0" * 32
    data = refusal(stranger.send(code, "park", text="Hei"), 400, "unknown_participant")
    assert data["message"] == t("workshop_store_unknown_participant", "nb")


def test_bodies_are_bounded_and_must_be_json(server, shop):
    visitor = Visitor(server)
    visitor.join(shop.code, party="unit")
    path = f"api/workshop/{shop.code}/propose"
    for raw in (b"{not json", b"[1, 2]", b"[" * 1500 + b"]" * 1500):
        data = refusal(visitor.post(path, None, raw=raw), 400, "bad_request")
        assert data["message"] == t("workshop_store_bad_request", "nb")
    huge = json.dumps({"token": visitor.token, "clause": "purpose", "text": "x" * 5000}).encode()
    refusal(visitor.post(path, None, raw=huge), 400, "too_long")


def test_a_closed_workshop_says_so(server, ws, shop):
    visitor = Visitor(server)
    visitor.join(shop.code, party="unit")
    ws.close_workshop(shop.code, shop.key)
    data = refusal(visitor.send(shop.code, "park", text="For sent"), 409, "session_closed")
    assert data["message"] == t("workshop_store_closed", "nb")
    state = visitor.state(shop.code)
    assert state.status == 200 and state.json["open"] is False


# ----------------------------------------------------------------------------- rate limits


def test_writes_are_rate_limited_per_participant(server, store, shop):
    store.rate_limit = (3, 60.0)
    visitor = Visitor(server)
    visitor.join(shop.code, party="unit")
    for i in range(3):
        assert visitor.send(shop.code, "park", text=f"Punkt {i}").status == 200
    data = refusal(visitor.send(shop.code, "park", text="Ett til"), 429, "rate_limited")
    assert data["message"] == t("live_err_rate_limited", "nb")
    other = Visitor(server, ip="10.0.0.9")  # another participant is not held
    other.join(shop.code, party="recipient")
    assert other.send(shop.code, "park", text="Mitt punkt").status == 200


def test_new_participants_are_limited_per_client(server, ws, shop):
    server.hub.store.join_limit = (3, 60.0)  # the hub sets a room's size; a small one here
    visitor = Visitor(server, ip="10.4.4.4")
    tokens = [visitor.join(shop.code, party="unit").json["token"] for _ in range(3)]
    refusal(visitor.join(shop.code, party="unit"), 429, "rate_limited")
    assert visitor.join(shop.code, token=tokens[1]).json["resumed"]  # a reload still gets in
    assert Visitor(server, ip="10.4.4.5").join(shop.code, party="unit").status == 200
    assert ws.participant_count(shop.code) == 4


def test_failed_joins_are_limited_per_client_and_code(server, ws, shop):
    visitor = Visitor(server, ip="10.5.5.5")
    wrong = "ACDEFG" if shop.code != "ACDEFG" else "ACDEFH"
    for _ in range(live_hub.FAILED_JOINS_PER_MINUTE):
        refusal(visitor.join(wrong, party="unit"), 404, "unknown_code")
    data = refusal(visitor.join(wrong, party="unit"), 429, "wrong_codes")
    assert data["message"] == t("live_err_wrong_codes", "nb")
    assert visitor.join(shop.code, party="unit").status == 200  # the workshop's own code
    refusal(Visitor(server, ip="10.5.5.6").join(wrong, party="unit"), 404, "unknown_code")
    assert ws.participant_count(shop.code) == 1


# ---------------------------------------------------------------------- the long-polled state


def test_state_answers_at_once_for_an_old_version(server, shop):
    visitor = Visitor(server)
    for since in (None, -1, "junk"):
        started = time.monotonic()
        reply = visitor.state(shop.code, since)
        assert reply.status == 200 and time.monotonic() - started < 5
        assert reply.json["version"] == 0 and reply.json["current"] is None


def test_state_wakes_on_a_new_proposal(server, shop, monkeypatch):
    monkeypatch.setattr(workshop_handlers, "POLL_HOLD", 20.0)  # only the proposal ends the wait
    code = shop.code
    watcher, writer = Visitor(server, ip="10.6.0.1"), Visitor(server, ip="10.6.0.2")
    version = watcher.join(code, party="recipient").json["workshop"]["version"]
    writer.join(code, party="unit")
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(watcher.state, code, version, "en")
        assert wait_for(lambda: server.waiting(code) == 1)
        assert not pending.done()
        writer.send(code, "propose", clause="roles", text="Biblioteket stiller rom")
        sent = time.monotonic()
        reply = pending.result(timeout=live_hub.WATCH_INTERVAL + 5)
        waited = time.monotonic() - sent
    assert waited < live_hub.WATCH_INTERVAL + 2.0, waited
    data = reply.json
    assert data["version"] > version
    roles = next(c for c in data["clauses"] if c["id"] == "roles")
    assert [p["text"] for p in roles["proposals"]] == ["Biblioteket stiller rom"]
    assert roles["title"] == load_agenda().clause("roles").title.get("en")


def test_state_wakes_when_the_facilitator_moves(server, ws, shop, monkeypatch):
    monkeypatch.setattr(workshop_handlers, "POLL_HOLD", 20.0)
    visitors = [Visitor(server, ip=f"10.7.0.{i}") for i in range(4)]
    versions = [v.join(shop.code, party="unit").json["workshop"]["version"] for v in visitors]
    replies = woken_together(
        server,
        shop.code,
        visitors,
        versions,
        lambda: ws.show_clause(shop.code, shop.key, "tasks"),
        timeout=live_hub.WATCH_INTERVAL + 5,
    )
    assert {r.json["current"] for r in replies} == {"tasks"}


def test_state_is_held_when_nothing_changes(server, shop, monkeypatch):
    monkeypatch.setattr(workshop_handlers, "POLL_HOLD", 1.0)
    visitor = Visitor(server)
    version = visitor.join(shop.code, party="unit").json["workshop"]["version"]
    started = time.monotonic()
    reply = visitor.state(shop.code, version)
    held = time.monotonic() - started
    assert reply.status == 200 and reply.json["version"] == version
    assert 1.0 <= held < 1.0 + live_hub.WATCH_INTERVAL + 2.0, held
    assert server.waiting(shop.code) == 0


def test_a_response_or_a_parking_point_wakes_no_phone(server, ws, shop):
    """Only what phones show changes the version phones follow."""
    visitor = Visitor(server)
    visitor.join(shop.code, party="unit")
    pid = visitor.send(shop.code, "propose", clause="purpose", text="Et forslag").json
    version = visitor.state(shop.code).json["version"]
    other = Visitor(server, ip="10.8.0.1")
    other.join(shop.code, party="recipient")
    other.send(shop.code, "respond", proposal=pid["proposal"]["id"], choice="agree")
    other.send(shop.code, "park", text="Senere")
    assert visitor.state(shop.code).json["version"] == version


def test_state_of_an_unknown_or_malformed_code(server):
    refusal(Visitor(server).state("ZZZZZZ"), 404, "unknown_code")
    refusal(Visitor(server).state("ACDEFGHJ"), 400, "too_long")


# ------------------------------------------------------------------------------ hostile text


def test_hostile_text_stays_text_in_the_api(server, ws, shop):
    code = shop.code
    visitor = Visitor(server)
    visitor.join(code, party="unit", name=PWN[:60])
    made = visitor.send(code, "propose", clause="purpose", text=PWN)
    assert made.status == 200 and "</" not in made.text
    assert made.json["proposal"]["text"] == PWN  # data, not markup: the page sets textContent
    visitor.send(code, "respond", proposal=made.json["proposal"]["id"], choice="object", reason=PWN)
    visitor.send(code, "park", text=PWN)
    for reply in (
        visitor.state(code),
        Visitor(server).join(code, token=visitor.token),
    ):
        assert reply.status == 200
        # JSON, never sniffed as HTML, and no "</" that could end a script element it sat in
        assert reply.headers["Content-Type"].startswith("application/json")
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert "</" not in reply.text
        assert PWN in json.dumps(reply.json)
    page = Visitor(server).open_page(f"?kode={code}").text
    assert "__pwned" not in page  # the page itself carries nothing anyone typed
    assert ws.workshop_state(code).proposals[0].text == PWN


# --------------------------------------------------------------------------- the clause timer


def test_phones_get_the_clause_timer_with_the_servers_time(tmp_path):
    """The countdown comes with the workshop, and the server's time with every answer (kept
    views too), so a phone whose clock is off still counts down right: here the server's clock
    is a fake one in 2025, far from the phone's."""
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/clock.sqlite3", shared=True, clock=clock) as store:
        srv = WorkshopServer(store)
        try:
            ws = WorkshopStore(store)
            shop = ws.create_workshop("Leksehjelp", "nb")
            start = clock.now.timestamp()
            visitor = Visitor(srv, ip="10.8.1.1")
            joined = visitor.join(shop.code, party="unit").json["workshop"]
            assert joined["timer"] is None and joined["now"] == start
            ws.set_timer(shop.code, shop.key, "mode", "start", 120)
            clock.advance(30)
            data = visitor.state(shop.code, joined["version"]).json
            assert data["version"] == joined["version"] + 1
            assert data["timer"] == {"clause": "mode", "ends": start + 120, "total": 120}
            assert data["timer"]["ends"] - data["now"] == 90  # what the phone shows: 1:30
            clock.advance(15)  # the same version again: the view is kept, its time is not
            again = visitor.state(shop.code).json
            assert again["version"] == data["version"] and again["now"] == start + 45
            ws.set_timer(shop.code, shop.key, "mode", "pause")
            paused = visitor.state(shop.code, data["version"], lang="en").json
            assert paused["timer"] == {"clause": "mode", "left": 75.0, "total": 120}
            ws.set_timer(shop.code, shop.key, "mode", "off")
            assert visitor.state(shop.code, paused["version"]).json["timer"] is None
            # the page has the texts it says the countdown with
            texts = page_config(visitor.open_page(f"?kode={shop.code}&lang=nn").text)["texts"]
            for key in ("verksted_timer_left", "verksted_timer_paused", "verksted_timer_done"):
                assert texts[key] == t(key, "nn")
        finally:
            srv.stop()


def test_state_wakes_when_the_facilitator_starts_a_timer(server, ws, shop, monkeypatch):
    monkeypatch.setattr(workshop_handlers, "POLL_HOLD", 20.0)  # only the countdown ends the wait
    visitor = Visitor(server, ip="10.8.0.1")
    version = visitor.join(shop.code, party="unit").json["workshop"]["version"]
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(visitor.state, shop.code, version)
        assert wait_for(lambda: server.waiting(shop.code) == 1)
        assert not pending.done()
        ws.set_timer(shop.code, shop.key, "purpose", "start", 120)
        reply = pending.result(timeout=live_hub.WATCH_INTERVAL + 15)
    data = reply.json
    assert data["version"] == version + 1
    assert data["timer"]["clause"] == "purpose" and data["timer"]["total"] == 120
    assert 0 < data["timer"]["ends"] - data["now"] <= 120
