"""The facilitator's workshop without widgets (kit/workshop/controller.py) over a real SQLite
store, and the HTML of its screen (kit/workshop/app_html.py).

Participants are plain store calls here (their page is tested in test_workshop_web.py and in
Chromium); the app that shows this is tested in test_workshop_widgets.py.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from html import escape

import docx
import pytest
from sqlalchemy import text

from kit.core import visitor
from kit.core.i18n import t
from kit.live.store import NotOwner, SessionClosed, Store, TooManyRooms, UnknownCode, new_code
from kit.workshop import app_html as ah
from kit.workshop.controller import KEEP_CLOSED, WorkshopController
from kit.workshop.model import CUSTOM_CLAUSES_MAX, WorkshopError, load_agenda
from kit.workshop.store import WorkshopStore
from tests.factories import make_case
from tests.test_store import FakeClock
from tests.test_workshop_agreement import docx_text, flat, html_text, markdown_as_html

#: Markup and a formula a participant may type; it must stay text everywhere.
HOSTILE = "<img src=x onerror=\"alert('x')\"><script>alert(1)</script> & =SUM(A1) **fet**"
AGREED = "Biblioteket gir rom, frivilligsentralen leksehjelperne, to kvelder i uka."
REASON = "Ungdomsskoleelevene trenger det mest, ikke bare 5.-7. klasse."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path, clock):
    with Store(f"sqlite:///{tmp_path}/w.db", clock=clock, rate_limit=(10**6, 10.0)) as s:
        yield s


@pytest.fixture
def ws(store) -> WorkshopStore:
    return WorkshopStore(store)


@pytest.fixture
def started(store):
    """A controller with a workshop on the default agenda, in bokmål."""
    c = WorkshopController(store)
    c.start(c.draft(), "Leksehjelp på biblioteket", "nb")
    return c


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def talk(ws: WorkshopStore, code: str) -> dict[str, str]:
    """A municipal unit proposes, a recipient objects with a reason, the voluntary side and
    the leadership agree, the recipient parks a point: the recipient is outnumbered."""
    unit = ws.join(code, party="unit", name="Kari").speaker.token
    rec = ws.join(code, party="recipient").speaker.token
    org = ws.join(code, party="organisation").speaker.token
    lead = ws.join(code, party="leadership").speaker.token
    made = ws.propose(code, unit, "purpose", "Leksehjelp for 5.-7. klasse")
    ws.respond(code, rec, made.id, "object", REASON)
    ws.respond(code, org, made.id, "agree")
    ws.respond(code, lead, made.id, "live_with")
    ws.park(code, rec, "Hvem kjører barna hjem?", "purpose")
    return {"unit": unit, "recipient": rec, "organisation": org, "proposal": made.id}


# ---------------------------------------------------------------------------- the agenda


def test_the_draft_agenda_trims_and_extends_before_the_start(store, ws):
    c = WorkshopController(store)
    draft = c.draft()
    agenda = load_agenda()
    assert draft.kept() == [cl.id for cl in agenda.clauses]
    assert draft.toggle("statutory") is False
    assert draft.toggle("contact") is False
    assert draft.toggle("contact") is True  # back again
    own = draft.add("  Transport   hjem ", "Hvem kjører barna?", 2)
    assert (own.title, own.question, own.level) == ("Transport hjem", "Hvem kjører barna?", 2)
    draft.add("Lokaler", "", 1)
    listed = draft.clauses()
    assert [cl.level for cl in listed] == sorted(cl.level for cl in listed)
    assert [cl.title.nb for cl in listed if cl.custom] == ["Lokaler", "Transport hjem"]
    code, key = c.start(draft, "Leksehjelp", "nb")
    w = ws.workshop_state(code)
    ids = [cl.id for cl in w.clauses]
    assert "statutory" not in ids and "contact" in ids
    level2 = [cl for cl in w.clauses if cl.level == 2]
    assert [cl.id for cl in level2][-1] == "egen-1" and level2[-1].title.nb == "Transport hjem"
    assert w.clause("egen-2").question.nb == "Lokaler"  # no question: the title asks
    assert ws.owns(code, key)


def test_a_workshop_of_own_clauses_only(store, ws):
    c = WorkshopController(store)
    draft = c.draft()
    for clause in load_agenda().clauses:
        draft.toggle(clause.id)
    with pytest.raises(WorkshopError) as refused:
        c.start(draft, "Tomt", "nb")
    assert refused.value.key == "no_clauses"
    assert count(store, "kit_workshops") == 0  # nothing stored
    draft.add("Vårt eget punkt", "Hva gjør vi?", 3)
    code, _key = c.start(draft, "Bare egne", "nb")
    assert [(cl.id, cl.title.nb) for cl in ws.workshop_state(code).clauses] == [
        ("egen-1", "Vårt eget punkt")
    ]


@pytest.mark.parametrize(
    ("title", "question", "level", "key", "field"),
    [
        ("", "Spørsmål", 1, "empty", "title"),
        ("x" * 101, None, 1, "too_long", "title"),
        ("Tittel", "y" * 301, 1, "too_long", "question"),
        ("Tittel", None, 4, "unknown_level", "level"),
        ("Tit\u200btel", None, 1, "bad_text", "title"),
    ],
)
def test_an_own_clause_that_breaks_a_rule_is_refused_in_words(
    store, title, question, level, key, field
):
    draft = WorkshopController(store).draft()
    with pytest.raises(WorkshopError) as refused:
        draft.add(title, question, level)
    assert (refused.value.key, refused.value.field) == (key, field)
    assert draft.own == []
    message = ah.error_message(refused.value, "nn")
    assert message and "{" not in message and "workshop_" not in message


def test_at_most_so_many_own_clauses(store):
    draft = WorkshopController(store).draft()
    for i in range(CUSTOM_CLAUSES_MAX):
        draft.add(f"Punkt {i}", None, 1 + i % 3)
    with pytest.raises(WorkshopError) as refused:
        draft.add("Ett for mye", None, 1)
    assert refused.value.key == "too_many"
    draft.remove(0)
    draft.add("Nå går det", None, 1)
    assert len(draft.own) == CUSTOM_CLAUSES_MAX


@pytest.mark.parametrize("initiative", ["", "   ", "x" * 121])
def test_a_workshop_needs_a_named_initiative(store, initiative):
    c = WorkshopController(store)
    with pytest.raises(WorkshopError) as refused:
        c.start(c.draft(), initiative, "nb")
    assert refused.value.field == "initiative"
    assert c.code is None and count(store, "kit_workshops") == 0


# ------------------------------------------------------------------------- key and resume


def test_resume_with_the_key_and_refuse_a_wrong_one(store, ws, started):
    code, key = started.code, started.key
    other = ws.create_workshop("Et annet tiltak", "en")
    unknown = new_code()
    later = WorkshopController(store)
    forget = later.find_resumable(
        [(code, key), (other.code, "forged-" + key), (unknown, key), ("bad!", key)]
    )
    assert [i.code for i in later.resumable] == [code]
    assert forget == [other.code, unknown, "bad!"]  # the browser forgets these
    later.resume(code, key)
    assert (later.code, later.key) == (code, key)
    assert later.board().workshop.initiative == "Leksehjelp på biblioteket"
    with pytest.raises(NotOwner):
        WorkshopController(store).resume(code, "x" * 32)
    with pytest.raises(NotOwner):
        WorkshopController(store).resume(code, None)
    with pytest.raises(NotOwner):
        WorkshopController(store).resume(other.code, key)  # a key of another workshop


def test_closed_workshops_are_offered_for_a_week(store, ws, clock, started):
    code, key = started.code, started.key
    started.close()
    fresh = WorkshopController(store)
    assert fresh.find_resumable([(code, key)], now=clock.now) == []
    assert [(i.code, i.open) for i in fresh.resumable] == [(code, False)]
    late = clock.now + KEEP_CLOSED + timedelta(minutes=1)
    assert fresh.find_resumable([(code, key)], now=late) == [code]
    assert fresh.resumable == []


def test_open_workshops_come_first_then_the_newest(store, ws, clock, started):
    older = (started.code, started.key)
    clock.advance(minutes=5)
    closed = ws.create_workshop("Stengt", "nb")
    ws.close_workshop(closed.code, closed.key)
    clock.advance(minutes=5)
    newest = ws.create_workshop("Nyest", "nb")
    c = WorkshopController(store)
    c.find_resumable([older, (closed.code, closed.key), (newest.code, newest.key)], clock.now)
    assert [i.code for i in c.resumable] == [newest.code, older[0], closed.code]
    c.end_listed(newest.code, newest.key)
    assert ws.info(newest.code).open is False
    assert [i.open for i in c.resumable] == [False, True, False]
    with pytest.raises(NotOwner):
        c.end_listed(older[0], None)


# ---------------------------------------------------------------------------- the board


def test_the_board_groups_proposals_by_party_and_keeps_the_recipient_in_sight(ws, started):
    said = talk(ws, started.code)
    other = ws.join(started.code, party="volunteer").speaker.token
    ws.propose(started.code, other, "purpose", "To kvelder i uka")
    board = started.board()
    assert board.clause.id == "purpose" and board.index == 0
    assert board.people == 5
    assert list(board.by_party) == ["unit", "volunteer"]  # the agenda's order
    assert [p.text for p in board.by_party["unit"]] == ["Leksehjelp for 5.-7. klasse"]
    picture = board.picture
    assert picture.outnumbered and [r.reason for r in picture.recipient_objections] == [REASON]
    assert picture.silent_groups == ()
    # the screen says it in words: an alert with the reason, before the table
    shown = ah.picture_html(board, "nb")
    assert shown.index(t("workshop_agreement_outnumbered", "nb")) < shown.index("<table")
    assert escape(REASON) in shown and "role='note'" in shown
    row = ah.agenda_row_html(board.workshop, board.clause, None, True, "nb")
    assert t("workshop_app_flag_recipient", "nb", n=1) in row
    # the next clause has nobody's word: both watched groups are flagged, in words
    started.step(1)
    quiet = started.board()
    assert quiet.clause.id == "roles" and quiet.by_party == {}
    assert set(quiet.picture.silent_groups) == {"recipients", "voluntary"}
    words = ah.picture_html(quiet, "en")
    for group in ("recipients", "voluntary"):
        assert escape(t(f"workshop_agreement_silent_{group}", "en")) in words
    # in the agenda a clause nobody has spoken on says "not discussed", without alarms ...
    row = ah.agenda_row_html(quiet.workshop, quiet.clause, None, False, "nn")
    assert t("workshop_app_status_none", "nn") in row and "⚠" not in row
    # ... and once the municipality alone has spoken, the silence of the others is flagged
    ws.propose(started.code, said["unit"], "roles", "Kommunen stiller med lokaler")
    spoken = started.board()
    row = ah.agenda_row_html(spoken.workshop, spoken.clause, None, True, "nn")
    assert t("workshop_app_flag_silent_recipients", "nn") in row
    assert t("workshop_app_flag_silent_voluntary", "nn") in row
    assert said["proposal"] in {p.id for p in board.workshop.proposals}


def test_the_board_follows_the_phones_clause_and_the_facilitators_steps(ws, started):
    started.show_on_phones("mode")
    assert ws.info(started.code).current_clause == "mode"
    assert started.board().clause.id == "mode"  # first look: where the phones are
    started.step(-1)
    assert started.board().clause.id == "roles"
    started.select("value")
    last = started.board()
    assert last.clause.id == "value" and last.index == last.total - 1
    started.step(1)
    assert started.board().clause.id == "value"  # stays on the last
    started.show_on_phones(None)
    assert ws.info(started.code).current_clause is None
    with pytest.raises(WorkshopError):
        started.show_on_phones("no-such-clause")


def test_poll_says_when_anything_changed(ws, started):
    started.board()
    assert started.poll() is False
    token = ws.join(started.code, party="unit").speaker.token
    assert started.poll() is True
    started.board()
    assert started.poll() is False
    ws.park(started.code, token, "Et punkt")
    assert started.poll() is True


# --------------------------------------------------------------------- writing it down


def test_settle_agreed_and_open(ws, started):
    code = started.code
    with pytest.raises(WorkshopError) as refused:
        started.settle("purpose", "agreed", "   ")
    assert (refused.value.key, refused.value.field) == ("empty", "wording")
    with pytest.raises(WorkshopError) as refused:
        started.settle("purpose", "maybe", AGREED)
    assert refused.value.key == "bad_status"
    with pytest.raises(WorkshopError) as refused:
        started.settle("roles", "open", owner="Kari", due="1. april")
    assert refused.value.key == "bad_date"
    assert ws.workshop_state(code).outcomes == ()
    started.settle("purpose", "agreed", AGREED)
    started.settle("roles", "open", None, "Frivilligsentralen", date(2027, 4, 1))
    w = ws.workshop_state(code)
    assert w.outcome("purpose").wording == AGREED
    roles = w.outcome("roles")
    assert (roles.status, roles.owner, roles.due) == (
        "open",
        "Frivilligsentralen",
        date(2027, 4, 1),
    )
    started.settle("purpose", "open", AGREED, "Biblioteket")  # a later outcome replaces it
    assert ws.workshop_state(code).outcome("purpose").status == "open"
    board = started.board()
    assert board.outcome is not None and board.outcome.owner == "Biblioteket"


def test_the_evaluation_date(ws, started):
    with pytest.raises(WorkshopError) as refused:
        started.plan_evaluation(None, "Styringsgruppa")
    assert (refused.value.key, refused.value.field) == ("empty", "evaluation")
    with pytest.raises(WorkshopError) as refused:
        started.plan_evaluation("neste høst")
    assert refused.value.key == "bad_date"
    started.plan_evaluation(date(2027, 9, 1), "Styringsgruppa")
    w = ws.workshop_state(started.code)
    assert (w.evaluation, w.evaluation_by) == (date(2027, 9, 1), "Styringsgruppa")
    assert "01.09.2027" in ah.evaluation_html(w, "nb") and "Styringsgruppa" in ah.evaluation_html(
        w, "nb"
    )


def test_close_stops_the_phones_not_the_facilitator(ws, started):
    said = talk(ws, started.code)
    started.close()
    started.close()  # twice is harmless
    board = started.board()
    assert board.closed
    assert t("workshop_app_closed", "nb") in ah.stats_html(board, "nb")
    with pytest.raises(SessionClosed):
        ws.propose(started.code, said["unit"], "purpose", "For sent")
    with pytest.raises(SessionClosed):
        ws.join(started.code, party="unit")
    started.settle("purpose", "agreed", AGREED)  # the draft can still be finished
    assert AGREED in started.download("md").data.decode("utf-8").replace("\\", "")


def test_a_vanished_workshop_says_so(store, ws, started):
    with store.engine.begin() as conn:
        for table in ("kit_workshop_participants", "kit_workshops"):
            conn.execute(text(f"DELETE FROM {table}"))
    with pytest.raises(UnknownCode) as gone:
        started.board()
    assert ah.error_message(gone.value, "nb") == t("workshop_store_unknown_code", "nb")


# ----------------------------------------------------------------------- the downloads


@pytest.fixture
def settled(ws, started):
    """A workshop with three agreed clauses, an open one, an objection and a parked point."""
    code = started.code
    talk(ws, code)
    started.settle("purpose", "agreed", AGREED)
    started.settle("mode", "agreed", "Samskaping: partene utvikler tilbudet sammen.")
    started.settle("tasks", "agreed", "Biblioteket har ansvaret for lokalene.")
    started.settle("roles", "open", owner="Frivilligsentralen", due="2027-04-01")
    started.plan_evaluation("2027-09-01", "Styringsgruppa")
    return started


def readable(kind: str, data: bytes) -> str:
    """The draft's text as its reader sees it."""
    if kind == "docx":
        return flat(docx_text(data))
    if kind == "html":
        return html_text(data.decode("utf-8"))[0]
    return html_text(markdown_as_html(data.decode("utf-8")))[0]


@pytest.mark.parametrize("kind", ["docx", "html", "md"])
def test_downloads_hold_every_agreed_clause_the_objection_and_the_parties(settled, ws, kind):
    made = settled.download(kind)
    assert made.filename == f"utkast-samarbeidsavtale-{settled.code}.{kind}"
    words = readable(kind, made.data)
    w = ws.workshop_state(settled.code)
    for outcome in w.outcomes:
        if outcome.status == "agreed":
            assert flat(outcome.wording) in words, outcome.clause
    assert REASON in words
    for party in ("unit", "recipient", "organisation", "leadership"):
        assert w.party(party).label.nb in words, party
    assert "Frivilligsentralen" in words and "01.04.2027" in words  # the open clause's owner
    assert "01.09.2027" in words and "Styringsgruppa" in words
    assert "Leksehjelp på biblioteket" in words
    assert t("workshop_agreement_title", "nb") in words


def test_the_docx_is_a_word_document(settled):
    made = settled.download("docx")
    assert made.mime.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(made.data))
    assert document.core_properties.title.endswith("Leksehjelp på biblioteket")


def test_the_draft_is_in_the_workshops_language(store, ws):
    c = WorkshopController(store)
    c.start(c.draft(), "Homework help", "en")
    made = c.download("html")
    assert made.filename.startswith("draft-cooperation-agreement-")
    assert "<html lang='en'>" in made.data.decode("utf-8")
    with pytest.raises(ValueError):
        c.download("pdf")


# ------------------------------------------------------------------------- hostile text


def test_hostile_text_stays_text_on_the_screen_and_in_every_download(store, ws):
    c = WorkshopController(store)
    draft = c.draft()
    draft.add(HOSTILE[:100], HOSTILE, 2)
    c.start(draft, HOSTILE[:120], "nb")
    code = c.code
    unit = ws.join(code, party="unit", name="<b>Ola</b>").speaker.token
    rec = ws.join(code, party="recipient").speaker.token
    made = ws.propose(code, unit, "purpose", HOSTILE)
    ws.respond(code, rec, made.id, "object", HOSTILE)
    ws.park(code, rec, HOSTILE, "purpose")
    c.settle("purpose", "agreed", HOSTILE)
    c.settle("egen-1", "open", owner=HOSTILE[:120])
    board = c.board()
    w = board.workshop
    screen = "".join(
        [
            ah.title_html(w, "nb"),
            ah.stats_html(board, "nb"),
            ah.clause_html(board, "nb"),
            ah.picture_html(board, "nb"),
            ah.parking_html(w, "nb"),
            ah.editor_heading_html(board, "nb"),
            *(ah.proposal_html(w, p, "nb") for p in w.proposals),
            *(ah.agenda_row_html(w, cl, None, False, "nb") for cl in w.clauses),
            *(ah.setup_clause_html(cl, True, "nb") for cl in draft.clauses()),
        ]
    )
    for bad in ("<img", "<script", "<b>Ola"):
        assert bad not in screen, bad
    assert escape(HOSTILE) in screen and "&lt;b&gt;Ola&lt;/b&gt;" in screen
    for kind in ("docx", "html", "md"):
        data = c.download(kind).data
        words = readable(kind, data)
        assert flat(HOSTILE) in words, kind
        if kind == "html":
            page = data.decode("utf-8")
            assert "<img" not in page and "<script" not in page
        if kind == "md":
            rendered = markdown_as_html(data.decode("utf-8"))
            assert "<img" not in rendered and "<script" not in rendered
        if kind == "docx":
            xml = docx.Document(io.BytesIO(data)).element.xml
            assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_error_messages_name_the_rule_in_every_language():
    for lang in ("nb", "nn", "en"):
        for exc in (
            WorkshopError("empty", "wording"),
            WorkshopError("bad_date", "due"),
            NotOwner("x"),
            UnknownCode("x"),
            SessionClosed("x"),
            TooManyRooms("x"),
        ):
            message = ah.error_message(exc, lang)
            assert message and "{" not in message, (lang, exc)


def test_the_participant_address(monkeypatch):
    monkeypatch.delenv("KIT_PUBLIC_URL", raising=False)
    monkeypatch.setenv("SERVER_NAME", "127.0.0.1")
    monkeypatch.setenv("SERVER_PORT", "9999")
    monkeypatch.setenv("SCRIPT_NAME", "/kurs/voila/render/09_samarbeidsverksted.ipynb")
    assert ah.participant_url("ACD347") == "http://127.0.0.1:9999/kurs/verksted?kode=ACD347"
    assert ah.short_url() == "127.0.0.1:9999/kurs/verksted"
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://10.1.2.3:8866")
    assert ah.participant_url("ACD347") == "http://10.1.2.3:8866/verksted?kode=ACD347"
    panel = ah.join_html("ACD347", "nb")
    assert "verksted?kode=ACD347" in panel and "<svg role='img'" in panel
    assert ah.loopback_warning_html("ACD347", "nb") == ""
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://127.0.0.1:8866")
    assert t("live_loopback_title", "nb") in ah.loopback_warning_html("ACD347", "nb")


def test_the_resume_list_says_which_workshop_and_if_it_has_ended(ws, started):
    info = ws.info(started.code)
    line = ah.resume_item_html(info, "nb")
    assert "Leksehjelp på biblioteket" in line and started.code in line
    started.close()
    closed = ah.resume_item_html(ws.info(started.code), "en")
    assert "(ended)" in closed
    assert isinstance(info.created_at, datetime) and info.created_at.tzinfo is not None
    assert info.created_at.tzinfo == timezone.utc or info.created_at.utcoffset() == timedelta(0)


def test_start_counts_the_workshop_for_the_client_the_server_told_the_kernel(
    store, tmp_path, monkeypatch
):
    """As the presenter's: a client's workshops count with its sessions; the refusal is said
    in words in every language."""
    connection = tmp_path / "kernel-2.json"
    monkeypatch.setenv("KIT_KERNEL_FILE", str(connection))
    visitor.write_client(connection, "10.0.0.9")
    store.room_limit = 2
    store.create_session([make_case("c1")], client="10.0.0.9")  # the presenter's, same address
    c = WorkshopController(store)
    c.start(c.draft(), "Leksehjelp", "nb")
    before = count(store, "kit_workshops")
    with pytest.raises(TooManyRooms) as refused:
        c.start(c.draft(), "Én til", "nb")
    assert count(store, "kit_workshops") == before  # nothing written
    for lang in ("nb", "nn", "en"):
        assert ah.error_message(refused.value, lang) == t("workshop_store_too_many_rooms", lang)
    visitor.remove_client(connection)  # a kernel nobody told: not counted
    c.start(c.draft(), "Uten adresse", "nb")
    assert count(store, "kit_workshops") == before + 1
