"""The facilitator's app (kit.workshop.app) driven without a browser, over a real SQLite store.

Participants are plain store calls here (their page is tested in test_workshop_web.py and, in
Chromium, in test_browser_workshop*.py).
"""

from __future__ import annotations

import base64
import io
import re
from datetime import date
from html import escape

import docx
import pytest
from ipywidgets.widgets.widget import _instances

from kit import Samarbeidsverksted
from kit.core import visitor
from kit.core.i18n import t
from kit.core.ui.countdown import Countdown, clock_text
from kit.core.ui.keeper import KeyKeeper
from kit.live.store import Store, StoreBusy, new_code
from kit.workshop.app import KEYS_STORAGE
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore
from tests.factories import make_case

from .conftest import wait_for
from .test_store import FakeClock
from .test_workshop_agreement import docx_text

HOSTILE = "<img src=x onerror=\"alert('x')\"><script>alert(1)</script> & **fet**"
REASON = "Ungdomsskoleelevene trenger det mest."


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/w.db", rate_limit=(10**6, 10.0)) as s:
        yield s


@pytest.fixture
def ws(store) -> WorkshopStore:
    return WorkshopStore(store)


@pytest.fixture
def app(store):
    """A facilitator with a workshop on the default agenda; the poller stopped (tests
    refresh by hand)."""
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
    a.initiative.value = "Leksehjelp på biblioteket"
    a.start_button.click()
    a.stop_polling()
    assert a.code is not None, a.start_message.value
    yield a
    a.stop_polling()


def data_url(value: str) -> tuple[str, str, bytes]:
    found = re.search(r"download='([^']+)' href='data:([^;]+);base64,([^']+)'", value)
    assert found, value
    return found.group(1), found.group(2), base64.b64decode(found.group(3))


def reload(store: Store, stored: list[dict], lang: str = "nb") -> Samarbeidsverksted:
    """The facilitator's page loaded again: a fresh app, the browser sends what it kept."""
    a = Samarbeidsverksted(lang=lang, store=store, refresh_seconds=60)
    a.keeper.stored = stored
    a.keeper.loaded = True
    return a


def talk(ws: WorkshopStore, code: str) -> dict[str, str]:
    unit = ws.join(code, party="unit", name="Kari").speaker.token
    rec = ws.join(code, party="recipient").speaker.token
    org = ws.join(code, party="organisation").speaker.token
    made = ws.propose(code, unit, "purpose", "Leksehjelp for 5.-7. klasse")
    second = ws.propose(code, org, "purpose", "To kvelder i uka")
    ws.respond(code, rec, made.id, "object", REASON)
    ws.respond(code, org, made.id, "agree")
    ws.park(code, rec, "Hvem kjører barna hjem?", "purpose")
    return {"unit": unit, "recipient": rec, "first": made.id, "second": second.id}


# ------------------------------------------------------------------------------ the setup


def test_the_setup_shapes_the_agenda_and_starts(store, ws):
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
    try:
        agenda = load_agenda()
        assert a.agenda_rows.row_keys() == [c.id for c in agenda.clauses]
        assert t("workshop_app_kept", "nb", n=len(agenda.clauses)) in a.agenda_heading.value
        # take a clause out: it says so in words and offers to put it back
        assert a.agenda_rows.act("statutory", "toggle")
        gone = next(r for r in a.agenda_rows.rows if r["key"] == "statutory")
        assert t("workshop_app_left_out", "nb") in gone["html"]
        assert gone["actions"][0]["label"] == t("workshop_app_take_in", "nb")
        assert a.agenda_rows.focus_request["key"] == "statutory"  # the focus stays on it
        # an own clause without a title is refused in words; then one is added
        a.own.title.value = " "
        assert a.own.add() is False
        assert "role='alert'" in a.own.message.value
        assert escape(t("workshop_err_empty", "nb", field=t("workshop_field_title", "nb"))) in (
            a.own.message.value
        )
        a.own.title.value = "Transport hjem"
        a.own.question.value = "Hvem kjører barna hjem om kvelden?"
        a.own.level.value = 2
        assert a.own.add() is True
        assert a.own.title.value == "" and "Transport hjem" in a.own.message.value
        assert "own-0" in a.agenda_rows.row_keys()
        # no initiative: refused in words, nothing stored
        a.start_button.click()
        assert a.code is None and "role='alert'" in a.start_message.value
        assert escape(t("workshop_field_initiative", "nb")) in a.start_message.value
        a.initiative.value = "Leksehjelp <b>på</b> biblioteket"
        a.start_button.click()
        code = a.code
        assert code and ws.owns(code, a.key)
        assert a.keeper.storage == KEYS_STORAGE
        assert a.keeper.stored == [{"code": code, "key": a.key}]
        w = ws.workshop_state(code)
        assert "statutory" not in [c.id for c in w.clauses]
        assert w.clause("egen-1").title.nb == "Transport hjem"
        # the screen: how to join, and the initiative as text
        assert code in a.join_panel.value and "<svg role='img'" in a.join_panel.value
        assert f"verksted?kode={code}" in a.join_panel.value
        assert "&lt;b&gt;på&lt;/b&gt;" in a.title.value
        assert t("live_participants", "nb", n=0) in a.stats.value
    finally:
        a.stop_polling()


def test_the_screen_follows_participants(store, ws):
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=0.05)
    try:
        a.initiative.value = "Leksehjelp"
        a.start_button.click()
        code = a.code
        said = talk(ws, code)
        assert wait_for(lambda: t("live_participants", "nb", n=3) in a.stats.value)
        assert wait_for(lambda: t("workshop_app_parked_n", "nb", n=1) in a.stats.value)
        # proposals grouped by party, in the agenda's order; the others hidden
        shown = [p for p, s in a.sections.items() if s.layout.display != "none"]
        assert shown == ["unit", "organisation"]
        unit = a.sections["unit"]
        assert unit.rows.row_keys() == [said["first"]]
        assert "(Kari)" in unit.rows.rows[0]["html"]
        assert escape(REASON) in unit.rows.rows[0]["html"]
        assert (
            t("workshop_agreement_objection_from", "nb", party="Tjenestemottaker eller pårørende")
            in (unit.rows.rows[0]["html"])
        )
        assert a.sections["organisation"].rows.row_keys() == [said["second"]]
        # the recipient's objection: in the picture and flagged in the agenda, in words
        assert escape(REASON) in a.picture.value
        first_row = a.agenda.rows[0]
        assert t("workshop_app_flag_recipient", "nb", n=1) in first_row["html"]
        assert "Hvem kjører barna hjem?" in a.parking.value
    finally:
        a.stop_polling()


def test_merge_wording_settle_and_the_editor_is_not_overwritten(ws, app):
    code = app.code
    said = talk(ws, code)
    app.refresh()
    app.sections["unit"].rows.act(said["first"], "use")
    app.sections["organisation"].rows.act(said["second"], "use")
    assert app.wording.value == "Leksehjelp for 5.-7. klasse\nTo kvelder i uka"
    app.wording.value = "Leksehjelp for 5.-10. klasse, to kvelder i uka"
    # a participant writes while the facilitator types: the editor keeps what is typed
    ws.propose(code, said["unit"], "purpose", "Et tredje forslag")
    app.refresh()
    assert app.wording.value == "Leksehjelp for 5.-10. klasse, to kvelder i uka"
    # no status chosen: said in words
    assert app.save_outcome() is False
    assert "role='alert'" in app.editor_message.value
    app.status.value = "agreed"
    assert app.save_outcome() is True
    outcome = ws.workshop_state(code).outcome("purpose")
    assert (outcome.status, outcome.wording) == (
        "agreed",
        "Leksehjelp for 5.-10. klasse, to kvelder i uka",
    )
    assert t("workshop_app_status_agreed", "nb") in app.agenda.rows[0]["html"]
    # an open clause with who follows it up and by when
    app.step(1)
    assert app.wording.value == "" and app.status.value is None
    app.status.value = "open"
    app.owner.value = "Frivilligsentralen"
    app.due.value = date(2027, 4, 1)
    assert app.save_outcome() is True
    roles = ws.workshop_state(code).outcome("roles")
    assert (roles.status, roles.owner, roles.due) == (
        "open",
        "Frivilligsentralen",
        date(2027, 4, 1),
    )
    # back to the first clause: its saved outcome comes back into the editor
    app.select("purpose")
    assert app.wording.value.startswith("Leksehjelp for 5.-10.") and app.status.value == "agreed"
    # an agreed clause needs its wording
    app.wording.value = "  "
    assert app.save_outcome() is False
    assert escape(t("workshop_field_wording", "nb")) in app.editor_message.value


def test_show_a_clause_on_the_phones_and_let_them_move_freely(ws, app):
    assert app.free_button.disabled
    app.step(1)
    app.show_button.click()
    assert ws.info(app.code).current_clause == "roles"
    assert app.show_button.disabled and not app.free_button.disabled
    assert t("live_now_showing", "nb") in app.clause_text.value
    title = load_agenda().clause("roles").title.nb
    assert title in app.control_message.value
    app.free_button.click()
    assert ws.info(app.code).current_clause is None


# ------------------------------------------------------------------------- the clause timer


def test_the_countdown_widget_says_the_time_paused_and_over():
    cd = Countdown(cls="kit-test")
    assert not cd.active and cd.text(0.0) == "" and "kit-test" in cd._dom_classes
    # the browser's part: a role=timer not read out as it ticks, a polite region for the end
    assert 'role", "timer"' in cd._esm and '"aria-live", "off"' in cd._esm
    assert '"aria-live", "polite"' in cd._esm and "setInterval(tick" in cd._esm
    cd.paused_text, cd.done_text = "(pause)", "Tiden er ute"
    cd.show(now=1000.0, ends=1125.0)
    assert (cd.now, cd.ends, cd.left, cd.active, cd.paused) == (1000.0, 1125.0, None, True, False)
    assert cd.text(1000.0) == "2:05" and cd.text(1124.2) == "0:01"  # whole seconds, rounded up
    assert cd.text(1125.0) == cd.text(2000.0) == "0:00 · Tiden er ute"
    cd.show(now=1050.0, left=75.0)
    assert (cd.ends, cd.left, cd.paused) == (None, 75.0, True)
    assert cd.text(9999.0) == "1:15 (pause)"  # a paused countdown does not move
    cd.show(now=1060.0, ends=1100.0, left=5.0)  # running wins: no paused time beside it
    assert (cd.ends, cd.left) == (1100.0, None)
    cd.clear()
    assert not cd.active and cd.now == 1060.0
    assert [clock_text(s) for s in (0, 0.1, 59.9, 60, 61, 600, 3600)] == [
        "0:00",
        "0:01",
        "1:00",
        "1:00",
        "1:01",
        "10:00",
        "60:00",
    ]


def timer_buttons(app) -> dict[str, bool]:
    """Which of the countdown's buttons can be pressed now."""
    return {op: not b.disabled for op, b in app.timer_buttons.items()}


def test_the_facilitator_times_the_clause_on_screen(tmp_path):
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/t.db", clock=clock) as store:
        ws = WorkshopStore(store)
        app = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
        try:
            app.initiative.value = "Leksehjelp"
            app.start_button.click()
            app.stop_polling()
            code, start = app.code, clock.now.timestamp()
            agenda = load_agenda()
            purpose, mode = agenda.clause("purpose").title.nb, agenda.clause("roles").title.nb
            # no countdown: only a start, and it says so
            assert timer_buttons(app) == dict.fromkeys(("pause", "resume", "add", "off"), False) | {
                "start": True
            }
            assert app.timer_buttons["start"].description == t("workshop_app_timer_start", "nb")
            assert t("workshop_app_timer_none", "nb") in app.timer_heading.value
            assert not app.countdown.active
            assert app.timer_length.value == 5 * 60
            assert app.timer_length.description == t("workshop_app_timer_length", "nb")
            assert [label for label, _ in app.timer_length.options][:2] == ["2 min", "3 min"]
            assert app.timer_buttons["add"].description == "+30 s"
            assert app.countdown.label == t("workshop_app_timer_label", "nb")
            assert app.countdown.done_text == t("workshop_app_timer_done", "nb")
            # two minutes on the clause on screen
            app.timer_length.value = 2 * 60
            app.timer_buttons["start"].click()
            timer = ws.info(code).timer
            assert (timer.clause, timer.total, timer.ends) == ("purpose", 120, start + 120)
            assert (app.countdown.ends, app.countdown.now, app.countdown.left) == (
                start + 120,
                start,
                None,
            )
            assert app.countdown.text(start) == "2:00"
            assert timer_buttons(app) == {
                "start": True,
                "pause": True,
                "resume": False,
                "add": True,
                "off": True,
            }
            assert app.timer_buttons["start"].description == t("workshop_app_timer_restart", "nb")
            said = t("workshop_app_timer_started", "nb", n=2, title=purpose)
            assert escape(said) in app.timer_message.value
            assert t("workshop_app_timer_running", "nb") in app.agenda.rows[0]["html"]
            assert t("workshop_app_timer_running", "nb") not in app.agenda.rows[1]["html"]
            # pause after 20 s: the time left stands; resume and more time
            clock.advance(20)
            app.timer_buttons["pause"].click()
            assert (app.countdown.ends, app.countdown.left) == (None, 100.0)
            assert app.countdown.text(clock.now.timestamp() + 500) == "1:40 (pause)"
            assert timer_buttons(app)["resume"] and not timer_buttons(app)["pause"]
            assert t("workshop_app_timer_on_pause", "nb") in app.agenda.rows[0]["html"]
            app.timer_buttons["add"].click()
            assert app.countdown.left == 130.0
            app.timer_buttons["resume"].click()
            assert app.countdown.ends == clock.now.timestamp() + 130
            assert timer_buttons(app)["pause"] and not timer_buttons(app)["resume"]
            # the next clause has none: it says where the countdown is, and a start moves it
            app.step(1)
            assert not app.countdown.active
            assert timer_buttons(app) == dict.fromkeys(("pause", "resume", "add", "off"), False) | {
                "start": True
            }
            assert (
                escape(t("workshop_app_timer_elsewhere", "nb", title=purpose))
                in app.timer_heading.value
            )
            app.timer_buttons["start"].click()
            assert ws.info(code).timer.clause == "roles"
            assert app.countdown.text(clock.now.timestamp()) == "2:00"
            app.step(-1)
            assert not app.countdown.active
            assert escape(t("workshop_app_timer_elsewhere", "nb", title=mode)) in (
                app.timer_heading.value
            )
            app.step(1)
            # another language: the same widgets, their words and the length chosen kept
            app.language.value = "en"
            assert app.countdown.paused_text == "(paused)" and app.countdown.active
            assert app.timer_buttons["off"].description == t("workshop_app_timer_off", "en")
            assert app.timer_length.value == 2 * 60
            app.timer_buttons["off"].click()
            assert ws.info(code).timer is None and not app.countdown.active
            assert escape(t("workshop_app_timer_stopped", "en")) in app.timer_message.value
            # a closed workshop counts nothing down: every button off
            app.timer_buttons["start"].click()
            app.session.close()
            app.refresh()
            assert ws.info(code).timer is None and not app.countdown.active
            assert not any(timer_buttons(app).values()) and app.timer_length.disabled
        finally:
            app.stop_polling()


def test_a_refused_countdown_is_said_in_words(ws, app):
    app.timer_buttons["start"].click()
    ws.close_workshop(app.code, app.key)  # closed elsewhere: the screen has not seen it yet
    assert app.timer("resume") is False
    assert "role='alert'" in app.timer_message.value
    assert escape(t("workshop_store_closed", "nb")) in app.timer_message.value


def test_the_agenda_changes_while_the_workshop_runs(ws, app):
    code = app.code
    said = talk(ws, code)
    app.refresh()
    agenda = load_agenda()
    purpose = agenda.clause("purpose").title.nb
    assert app.remove_button.description == t("workshop_app_remove", "nb", title=purpose)
    assert app.put_back_row.layout.display == "none"  # every default clause is on it
    # taking the clause on screen out asks first, and says what goes with it
    app.remove_button.click()
    assert app.remove_confirm.layout.display is None
    question = app.remove_question.value
    assert "data-kit-focus" in question and purpose in question
    assert t("workshop_app_remove_consequence", "nb", proposals=2, responses=2) in question
    app.remove_no.click()
    assert app.remove_confirm.layout.display == "none"
    assert "purpose" in [c.id for c in ws.workshop_state(code).clauses]
    app.remove_button.click()
    app.remove_yes.click()
    w = ws.workshop_state(code)
    assert "purpose" not in [c.id for c in w.clauses] and w.proposals == ()
    assert [p.text for p in w.parking] == ["Hvem kjører barna hjem?"]  # it stays
    assert purpose in app.change_message.value
    assert app.session.board_seen.clause.id == "roles"  # the screen moved on
    assert "purpose" not in app.agenda.row_keys()
    # ... and back, empty, in its level
    assert app.put_back_row.layout.display is None
    assert app.put_back.options == ((purpose, "purpose"),)
    app.put_back.value = "purpose"
    app.put_back_button.click()
    assert app.agenda.row_keys()[0] == "purpose"
    assert app.session.board_seen.clause.id == "purpose"
    assert t("workshop_app_put_back_done", "nb", title=purpose, n=1) in app.change_message.value
    assert app.put_back_row.layout.display == "none"
    # a clause of one's own: refused in words without a title, then added and shown
    app.own_live.title.value = ""
    assert app.own_live.add() is False and "role='alert'" in app.own_live.message.value
    app.own_live.title.value = "Transport <b>hjem</b>"
    app.own_live.level.value = 3
    assert app.own_live.add() is True
    w = ws.workshop_state(code)
    own = next(c for c in w.clauses if c.custom)
    assert own.title.nb == "Transport <b>hjem</b>" and own.level == 3
    assert app.session.board_seen.clause.id == own.id
    assert "Transport &lt;b&gt;hjem&lt;/b&gt;" in app.clause_text.value
    # a participant can speak to it at once
    ws.propose(code, said["unit"], own.id, "Frivillige kjører")
    assert ws.workshop_state(code).proposals_for(own.id)[0].text == "Frivillige kjører"
    # the last clause cannot go
    for clause in w.clauses[1:]:
        ws.remove_clause(code, app.key, clause.id)
    app.refresh()
    assert app.remove_button.disabled
    # a closed workshop takes no changes
    app.session.close()
    app.refresh()
    assert app.remove_button.disabled and app.own_live.layout.display == "none"


def test_the_compass_is_attached_to_the_draft(store, ws, app):
    code = app.code
    assert t("workshop_app_compass_none", "nb") in app.compass_message.value
    assert app.compass_box.layout.display == "none" and not app.compass_toggle.pressed
    app.compass_toggle.click()
    assert app.compass_box.layout.display is None and app.compass_toggle.pressed
    assert app.compass_toggle.description == t("workshop_app_compass_hide", "nb")
    groups = app.compass_groups
    assert groups["runs"].description.startswith("3. ")
    groups["runs"].value = "sammen"
    groups["developed"].value = "sammen"
    groups["recipients"].value = "ja"
    groups["value_judge"].value = "mottakere"
    groups["participants"].value = "frivillige"
    w = ws.workshop_state(code)
    assert dict(w.compass) == {
        "participants": "frivillige",
        "runs": "sammen",
        "developed": "sammen",
        "recipients": "ja",
        "value_judge": "mottakere",
    }
    state = app.compass_message.value
    assert t("workshop_app_compass_attached", "nb", n=5, total=len(groups)) in state
    assert "Verdisamskaping, Nivå 3" in state
    # the draft carries it
    app.download_buttons["md"].click()
    _name, _mime, data = data_url(app.download_links.value)
    assert t("workshop_agreement_compass", "nb") in data.decode()
    # a reload shows the stored answers, and a language switch keeps them
    again = reload(store, [{"code": code, "key": app.key}])
    try:
        assert again.resume(code)
        again.refresh()
        assert again.compass_groups["runs"].value == "sammen"
        again.language.value = "en"
        assert again.compass_groups["runs"].value == "sammen"
        assert again.compass_groups["runs"].labels[0].startswith("Yes")
        assert dict(ws.workshop_state(code).compass)["runs"] == "sammen"  # nothing re-saved
        # taking it out of the draft
        again.compass_clear.click()
        assert ws.workshop_state(code).compass == ()
        assert all(g.value is None for g in again.compass_groups.values())
        assert t("workshop_app_compass_none", "en") in again.compass_message.value
    finally:
        again.stop_polling()


def test_the_evaluation_date(ws, app):
    app.evaluation_save.click()
    assert "role='alert'" in app.evaluation_message.value
    app.evaluation_date.value = date(2027, 9, 1)
    app.evaluation_by.value = "Styringsgruppa"
    app.evaluation_save.click()
    w = ws.workshop_state(app.code)
    assert (w.evaluation, w.evaluation_by) == (date(2027, 9, 1), "Styringsgruppa")
    assert "01.09.2027" in app.evaluation_text.value


def test_downloads_at_any_time(ws, app):
    talk(ws, app.code)
    app.refresh()
    app.status.value = "agreed"
    app.wording.value = "Leksehjelp to kvelder i uka."
    app.save_outcome()
    for kind, ext in (("docx", "docx"), ("html", "html"), ("md", "md")):
        app.download_buttons[kind].click()
        name, mime, data = data_url(app.download_links.value)
        assert name == f"utkast-samarbeidsavtale-{app.code}.{ext}"
        if kind == "docx":
            words = docx_text(data)
            assert mime.endswith("wordprocessingml.document")
            docx.Document(io.BytesIO(data))
        else:
            words = data.decode("utf-8").replace("\\", "")
        assert "Leksehjelp to kvelder i uka." in words, kind
        assert REASON in words and "Tjenestemottaker eller pårørende" in words


def test_closing_asks_first(ws, app):
    said = talk(ws, app.code)
    app.close_button.click()
    assert app.close_confirm.layout.display is None
    assert t("workshop_app_close_question", "nb") in app.close_question.value
    app.close_no.click()
    assert app.close_confirm.layout.display == "none" and ws.info(app.code).open
    app.close_button.click()
    app.close_yes.click()
    assert ws.info(app.code).open is False
    assert t("workshop_app_closed", "nb") in app.stats.value
    assert app.join_panel.layout.display == "none"  # nobody can join a closed workshop
    assert app.close_button.disabled and app.show_button.disabled
    assert app.keeper.claims() == [(app.code, app.key)]  # kept: the draft is still there
    app.status.value = "agreed"
    app.wording.value = "Ferdig skrevet etter at verkstedet stengte."
    assert app.save_outcome() is True
    assert said["first"] in app.sections["unit"].rows.row_keys()


# ------------------------------------------------------------------------- reloads and keys


def test_a_reload_offers_the_workshop_and_resumes_it(store, ws, app):
    code, key = app.code, app.key
    said = talk(ws, code)
    app.refresh()
    other = ws.create_workshop("Et annet tiltak", "nb")
    b = reload(
        store,
        [
            {"code": code, "key": key},
            {"code": other.code, "key": "forged-" + key},
            {"code": new_code(), "key": key},
        ],
    )
    try:
        assert b.resume_rows.row_keys() == [code]
        assert b.keeper.claims() == [(code, key)]  # the rest is forgotten in the browser
        offered = b.resume_rows.actions_of(code)
        assert offered["resume"]["label"] == t("workshop_app_resume", "nb", code=code)
        assert "close" in offered
        assert "Leksehjelp på biblioteket" in b.resume_rows.rows[0]["html"]
        assert t("workshop_app_resume_heading", "nb") in b.resume_heading.value
        b.resume_rows.act(code, "resume")
        b.stop_polling()
        assert (b.code, b.key) == (code, key)
        assert b.stats.value == app.stats.value
        assert b.sections["unit"].rows.row_keys() == [said["first"]]
        b.status.value = "open"
        assert b.save_outcome()  # the key still works
    finally:
        b.stop_polling()


def test_a_forged_key_is_not_offered_and_a_direct_resume_is_refused(store, app):
    b = reload(store, [{"code": app.code, "key": "x" * 32}])
    assert b.resume_rows.rows == [] and b.keeper.stored == []
    assert b.resume_rows.layout.display == "none"
    b.keeper.stored = [{"code": app.code, "key": "x" * 32}]
    assert b.resume(app.code) is False
    assert b.code is None
    assert escape(t("workshop_store_not_owner", "nb")) in b.start_message.value


def test_a_closed_workshop_is_offered_for_its_draft(store, ws, app):
    ws.close_workshop(app.code, app.key)
    b = reload(store, [{"code": app.code, "key": app.key}])
    offered = b.resume_rows.actions_of(app.code)
    assert set(offered) == {"resume"}
    assert offered["resume"]["label"] == t("workshop_app_results", "nb", code=app.code)
    b.resume_rows.act(app.code, "resume")
    b.stop_polling()
    b.download("docx")
    assert "kit-download" in b.download_links.value


def test_closing_a_listed_workshop(store, ws, app):
    b = reload(store, [{"code": app.code, "key": app.key}])
    b.resume_rows.act(app.code, "close")
    assert ws.info(app.code).open is False
    assert set(b.resume_rows.actions_of(app.code)) == {"resume"}


def test_the_presenter_and_the_facilitator_keep_their_keys_apart():
    from kit.live.presenter import KeyKeeper as PresenterKeeper

    assert PresenterKeeper().storage == "samskaping:presenter-sessions"
    assert KeyKeeper(storage=KEYS_STORAGE).storage != PresenterKeeper().storage


# ----------------------------------------------------------------------------- in place


def test_refreshes_and_language_switches_do_not_grow_the_widgets(ws, app):
    code = app.code
    parties = ("unit", "recipient", "volunteer", "organisation")
    tokens = [ws.join(code, party=parties[i % 4]).speaker.token for i in range(12)]
    clauses = [c.id for c in ws.workshop_state(code).clauses][:5]
    app.refresh()
    before = len(_instances)
    langs = ("nn", "en", "nb")
    for i in range(60):  # every participant proposes once on each of five clauses
        ws.propose(code, tokens[i % 12], clauses[i // 12], f"Forslag {i}")
        if i % 12 == 0:
            ws.park(code, tokens[i % 12], f"Punkt {i}")
        app.refresh()
        if i % 10 == 9:
            app.language.value = langs[(i // 10) % 3]
        if i % 7 == 0:
            app.step(1 if i % 2 else -1)
    assert len(_instances) == before, len(_instances) - before
    assert t("workshop_app_save", app.lang) == app.save_button.description


def test_language_switches_before_the_start_do_not_grow_the_widgets(store):
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
    a.language.value = "en"
    before = len(_instances)
    for i in range(12):
        a.language.value = ("nn", "en", "nb")[i % 3]
    assert len(_instances) == before
    assert a.start_button.description == t("workshop_app_start", a.lang)
    assert a.own.level.labels == [t("level_n", a.lang, n=n) for n in (1, 2, 3)]


def test_the_start_turns_the_setup_into_the_screen_without_leaving_widgets(store):
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
    setup = a.agenda_rows
    a.initiative.value = "Leksehjelp"
    a.start_button.click()
    a.stop_polling()
    assert setup.comm is None  # closed with the rest of the setup
    assert a.keeper in a.body.children and a.keeper.comm is not None


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_stays_text_on_the_screen(ws, app):
    code = app.code
    unit = ws.join(code, party="unit", name="<b>Ola</b>").speaker.token
    rec = ws.join(code, party="recipient").speaker.token
    made = ws.propose(code, unit, "purpose", HOSTILE)
    ws.respond(code, rec, made.id, "object", HOSTILE)
    ws.park(code, rec, HOSTILE, "purpose")
    app.refresh()
    values = [
        app.picture.value,
        app.parking.value,
        app.clause_text.value,
        *(r["html"] for r in app.sections["unit"].rows.rows),
        *(r["html"] for r in app.agenda.rows),
    ]
    joined = "".join(values)
    assert "<img" not in joined and "<script" not in joined and "<b>Ola" not in joined
    assert escape(HOSTILE) in joined
    # a proposal's text becomes the wording as text (a value, not markup)
    app.sections["unit"].rows.act(made.id, "use")
    assert app.wording.value == HOSTILE
    name = app.sections["unit"].rows.rows[0]["actions"][0]["name"]
    assert name.startswith(t("workshop_app_use", "nb"))  # set as an attribute, never as HTML


# ---------------------------------------------------------------------------- failures


def test_a_store_failure_during_refresh_shows_a_message(app, monkeypatch):
    def busy():
        raise StoreBusy("busy")

    monkeypatch.setattr(app.session, "board", busy)
    app.refresh()
    assert escape(t("live_err_store_busy", "nb")) in app.stats.value
    assert "role='alert'" in app.stats.value


def test_the_poller_reports_a_store_failure_and_recovers(store, ws, monkeypatch):
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=0.05)
    try:
        a.initiative.value = "Leksehjelp"
        a.start_button.click()
        real = a.session.poll
        monkeypatch.setattr(a.session, "poll", lambda: (_ for _ in ()).throw(StoreBusy("x")))
        assert wait_for(lambda: t("live_err_store_busy", "nb") in a.stats.value)
        monkeypatch.setattr(a.session, "poll", real)
        ws.join(a.code, party="unit")
        assert wait_for(lambda: t("live_participants", "nb", n=1) in a.stats.value)
    finally:
        a.stop_polling()


def test_a_bad_public_address_is_said_and_no_workshop_starts(store, monkeypatch):
    monkeypatch.setenv("KIT_PUBLIC_URL", "ftp://nope")
    a = Samarbeidsverksted(lang="nb", store=store, refresh_seconds=60)
    a.initiative.value = "Leksehjelp"
    a.start_button.click()
    assert a.code is None and "role='alert'" in a.start_message.value


def test_too_many_workshops_from_one_address_are_said_in_words(store, tmp_path, monkeypatch):
    """Past the limit on rooms per client, a start is refused in the facilitator's words and
    nothing starts; the agenda shaped so far stays for a later start."""
    connection = tmp_path / "kernel-4.json"
    monkeypatch.setenv("KIT_KERNEL_FILE", str(connection))
    visitor.write_client(connection, "10.0.0.12")
    store.room_limit = 1
    store.create_session([make_case("c1")], client="10.0.0.12")  # a session counts too
    a = Samarbeidsverksted(lang="en", store=store, refresh_seconds=60)
    a.initiative.value = "Homework help"
    a.start_button.click()
    a.stop_polling()
    assert a.code is None and "role='alert'" in a.start_message.value
    assert escape(t("workshop_store_too_many_rooms", "en")) in a.start_message.value
    assert a.initiative.value == "Homework help"
