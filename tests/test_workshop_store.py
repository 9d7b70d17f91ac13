"""Workshops in the live room's database (kit/workshop/store.py, tables in kit/live/schema.py).

The behaviour tests live in :class:`WorkshopStoreBehaviour`; ``test_store_postgres.py`` runs
them again against a real PostgreSQL server (only the ``db_url`` and ``fresh_db_url`` fixtures
differ). Every refusal is checked by its key and for leaving the stored state as it was.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import String, func, inspect, select, text

import kit.live.store
import kit.workshop.store
from kit.core.timer import TIMER_MAX, TIMER_STEP
from kit.live import schema as db
from kit.live.store import (
    JoinCode,
    NotOwner,
    RateLimited,
    SessionClosed,
    Store,
    StoreError,
    TooLong,
    TooManyRooms,
    UnknownCode,
    UnknownParticipant,
    WrongSession,
)
from kit.workshop import model
from kit.workshop.agreement import agreement_markdown
from kit.workshop.model import (
    NAME_MAX,
    PARKING_MAX,
    PARKING_PER_PARTICIPANT,
    PROPOSAL_MAX,
    PROPOSALS_PER_CLAUSE,
    REASON_MAX,
    WorkshopError,
)
from kit.workshop.store import ClauseTimer, WorkshopStore
from tests.factories import make_case
from tests.test_store import FakeClock, other_code

HOSTILE = "<script>alert('x')</script> '; DROP TABLE kit_workshops; -- {braces} $text æøå 🙂"
WORKSHOP_TABLES = (
    "kit_workshops",
    "kit_workshop_participants",
    "kit_workshop_proposals",
    "kit_workshop_responses",
    "kit_workshop_parking",
    "kit_workshop_outcomes",
)

#: Every option key of the compass's questions before issue 19 added options to them (none was
#: renamed or removed), as a workshop's settings may hold them.
OLD_COMPASS_KEYS = {
    "participants": ("kommune_alene", "frivilligheten_alene", "organisasjoner", "frivillige"),
    "developed": ("sammen", "innspill", "kommunen", "frivilligheten", "ramme"),
    "runs": ("sammen", "frivilligheten", "kommunen", "kjop", "ikke_i_drift"),
    "decides": ("kommunen", "sammen", "frivilligheten", "mottakerne"),
    "recipients": ("ja", "nei"),
    "value_judge": ("kommunen", "frivillige", "mottakere", "ingen"),
    "terms": ("frivilligheten", "avklart", "kommunen"),
    "statutory": ("nei", "grenseland", "ja"),
    "framework": ("politikk", "kommunens_plan", "avtale", "nei"),
    "anchoring": ("begge", "kommunen", "frivilligheten", "nei"),
    "feedback": ("ja", "delvis", "nei"),
    "evaluation": ("jevnlig", "av_og_til", "nei"),
}


def count_rows(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


class WorkshopStoreBehaviour:
    """What the workshop store promises, on any backend."""

    @pytest.fixture
    def db_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def fresh_db_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    def store(self, db_url, clock):
        with Store(db_url, clock=clock, rate_limit=(1000, 10.0)) as store:
            yield store

    @pytest.fixture
    def ws(self, store) -> WorkshopStore:
        return WorkshopStore(store)

    @pytest.fixture
    def shop(self, ws):
        """A workshop with a municipal unit, a volunteer and a recipient, and another one."""
        made = ws.create_workshop("Leksehjelp på biblioteket", "nb", parties=["unit"])
        other = ws.create_workshop("Et annet tiltak", "en")
        return {
            "code": made.code,
            "key": made.key,
            "unit": ws.join(made.code, party="unit").speaker.token,
            "volunteer": ws.join(made.code, party="volunteer", name="Kari").speaker.token,
            "recipient": ws.join(made.code, party="recipient").speaker.token,
            "other": other.code,
            "other_key": other.key,
            "other_token": ws.join(other.code, party="unit").speaker.token,
        }

    def snapshot(self, ws: WorkshopStore, code: str) -> tuple:
        """Everything a refused call must leave as it was."""
        return ws.info(code), ws.workshop_state(code), ws.participant_count(code)

    def test_holds_knows_a_participants_token_of_the_workshop_only(self, ws, store, shop):
        code = shop["code"]
        assert ws.holds(code, shop["unit"])
        assert not ws.holds(shop["other"], shop["unit"])  # another workshop's
        assert not ws.holds(code, "0" * 32)  # nobody's
        for bad in (None, 7, "not-a-token", "a" * 33):
            assert not ws.holds(code, bad)
        session = store.create_session([make_case("c1")])
        phone = store.join(session.code).token
        assert not ws.holds(session.code, phone)  # a session's code and token: no workshop's
        assert store.holds(session.code, phone)

    # -- the happy path

    def test_a_workshop_from_proposal_to_agreement(self, ws, shop):
        code, key = shop["code"], shop["key"]
        made = ws.propose(code, shop["unit"], "purpose", "Leksehjelp for barn i 5.-7. klasse")
        assert made.id.startswith("p") and made.party == "unit" and made.name is None
        signed = ws.propose(code, shop["volunteer"], "purpose", "Leksehjelp to kvelder i uka")
        assert signed.name == "Kari"
        ws.respond(code, shop["recipient"], made.id, "object", "Ungdomsskolen trenger det mest")
        ws.respond(code, shop["volunteer"], made.id, "live_with")
        ws.park(code, shop["recipient"], "Transport hjem om kvelden?", "purpose")
        ws.settle(code, key, "purpose", "agreed", "Leksehjelp for 5.-10. klasse, to kvelder")
        ws.settle(code, key, "roles", "open", owner="Frivilligsentralen", due="2025-04-01")
        ws.plan_evaluation(code, key, "2025-09-01", "Styringsgruppa")

        w = ws.workshop_state(code)
        assert w.initiative == "Leksehjelp på biblioteket" and w.lang == "nb"
        assert [p.text for p in w.proposals_for("purpose")] == [
            "Leksehjelp for barn i 5.-7. klasse",
            "Leksehjelp to kvelder i uka",
        ]
        assert {(r.party, r.choice, r.reason) for r in w.responses} == {
            ("recipient", "object", "Ungdomsskolen trenger det mest"),
            ("volunteer", "live_with", None),
        }
        assert [(p.party, p.text, p.clause) for p in w.parking] == [
            ("recipient", "Transport hjem om kvelden?", "purpose")
        ]
        assert w.outcome("purpose").wording == "Leksehjelp for 5.-10. klasse, to kvelder"
        assert w.outcome("roles").due == date(2025, 4, 1)
        assert (w.evaluation, w.evaluation_by) == (date(2025, 9, 1), "Styringsgruppa")
        picture = w.response_picture("purpose")
        assert [o.reason for o in picture.recipient_objections] == [
            "Ungdomsskolen trenger det mest"
        ]
        # the draft agreement is made from the stored state
        md = agreement_markdown(w)
        for said in ("Leksehjelp for 5.-10. klasse, to kvelder", "Ungdomsskolen trenger det mest"):
            assert said in md
        assert "Frivilligsentralen" in md and "Styringsgruppa" in md

    def test_the_state_holds_pseudonyms_never_tokens(self, ws, shop):
        code = shop["code"]
        ws.propose(code, shop["unit"], "purpose", "Et forslag")
        ws.park(code, shop["unit"], "Et parkert punkt")
        w = ws.workshop_state(code)
        tokens = {shop["unit"], shop["volunteer"], shop["recipient"]}
        said = [p.participant for p in (*w.proposals, *w.parking)]
        assert said and not set(said) & tokens
        assert said[0] == said[1] == kit.live.store.pseudonym(shop["unit"])

    def test_a_new_store_on_the_same_database_sees_everything(self, db_url, ws, shop):
        code = shop["code"]
        ws.propose(code, shop["recipient"], "mode", HOSTILE)
        with Store(db_url) as other:
            again = WorkshopStore(other)
            assert again.workshop_state(code) == ws.workshop_state(code)
            assert again.owns(code, shop["key"])
            assert again.workshop_state(code).proposals[0].text == HOSTILE

    def test_a_reload_is_the_same_participant_with_what_they_said(self, ws, shop):
        code, me = shop["code"], shop["volunteer"]
        mine = ws.propose(code, me, "tasks", "Frivillige tar leksehjelpen, biblioteket rommet")
        theirs = ws.propose(code, shop["unit"], "tasks", "Biblioteket har en kontaktperson")
        ws.respond(code, me, theirs.id, "agree")
        ws.park(code, me, "Hvem betaler kaffen?")
        before = ws.participant_count(code)
        again = ws.join(code, token=me)
        assert again.speaker.resumed and again.speaker.token == me
        assert (again.speaker.party, again.speaker.name) == ("volunteer", "Kari")
        assert again.mine.proposals == (mine.id,)
        assert list(again.mine.responses) == [theirs.id]
        assert again.mine.responses[theirs.id].choice == "agree"
        assert [p.text for p in again.mine.parking] == ["Hvem betaler kaffen?"]
        assert ws.mine(code, me) == again.mine
        assert ws.participant_count(code) == before
        # a token of another workshop, or none that is well formed, is a new participant
        assert not ws.join(code, token=shop["other_token"], party="unit").speaker.resumed
        assert not ws.join(code, token="x" * 500, party="unit").speaker.resumed

    def test_a_participant_may_change_party_and_name(self, ws, shop):
        code, me = shop["code"], shop["volunteer"]
        first = ws.propose(code, me, "purpose", "Som frivillig")
        moved = ws.join(code, token=me, party="organisation", name=None)
        assert moved.speaker.resumed and moved.speaker.party == "organisation"
        assert moved.speaker.name is None
        second = ws.propose(code, me, "purpose", "Som organisasjon")
        w = ws.workshop_state(code)
        assert [(p.party, p.name) for p in w.proposals] == [
            ("volunteer", "Kari"),
            ("organisation", None),
        ]
        assert (first.party, second.party) == ("volunteer", "organisation")

    def test_a_second_response_replaces_the_first(self, ws, shop):
        code = shop["code"]
        made = ws.propose(code, shop["unit"], "purpose", "Forslag")
        ws.respond(code, shop["recipient"], made.id, "object", "Nei")
        ws.respond(code, shop["recipient"], made.id, "agree")
        w = ws.workshop_state(code)
        assert [(r.choice, r.reason) for r in w.responses] == [("agree", None)]

    def test_the_facilitator_shapes_the_agenda(self, ws, shop):
        code, key = shop["code"], shop["key"]
        made = ws.propose(code, shop["unit"], "statutory", "Taushetsplikt gjelder alle")
        ws.respond(code, shop["recipient"], made.id, "agree")
        ws.park(code, shop["recipient"], "Om taushetsplikt", "statutory")
        ws.settle(code, key, "statutory", "open")
        ws.show_clause(code, key, "statutory")
        ws.remove_clause(code, key, "statutory")
        w = ws.workshop_state(code)
        assert "statutory" not in [c.id for c in w.clauses]
        assert w.proposals == () and w.responses == () and w.outcome("statutory") is None
        assert [(p.text, p.clause) for p in w.parking] == [("Om taushetsplikt", None)]
        assert ws.info(code).current_clause is None
        ws.add_clause(code, key, "statutory")
        added = ws.add_custom_clause(code, key, "Kaffe og " + HOSTILE, None, 2)
        assert added.id == "egen-1" and added.custom
        w = ws.workshop_state(code)
        ids = [c.id for c in w.clauses]
        assert "statutory" in ids and "egen-1" in ids
        assert w.clause("egen-1").title.get("nn") == "Kaffe og " + HOSTILE
        assert [c.level for c in w.clauses] == sorted(c.level for c in w.clauses)
        ws.propose(code, shop["volunteer"], "egen-1", "Vi tar med kaffe")
        assert ws.workshop_state(code).proposals_for("egen-1")[0].text == "Vi tar med kaffe"

    def test_the_facilitator_attaches_the_compass(self, db_url, ws, shop):
        code, key = shop["code"], shop["key"]
        before = ws.info(code)
        ws.attach_compass(code, key, {"runs": "sammen", "developed": None, "recipients": "ja"})
        assert ws.workshop_state(code).compass == (("runs", "sammen"), ("recipients", "ja"))
        after = ws.info(code)
        assert after.version == before.version  # phones do not follow it
        assert after.revision == before.revision + 1
        with Store(db_url) as again:  # another process on the same database
            assert WorkshopStore(again).workshop_state(code).compass == (
                ("runs", "sammen"),
                ("recipients", "ja"),
            )
        assert "Frivillige med i driften" in agreement_markdown(ws.workshop_state(code))
        for bad in ({"runs": "kanskje"}, {"nope": "ja"}, {"runs": ["sammen"]}):
            with pytest.raises(WorkshopError) as exc:
                ws.attach_compass(code, key, bad)
            assert exc.value.key == "bad_compass"
        with pytest.raises(NotOwner):
            ws.attach_compass(code, "x" * 32, {"runs": "kommunen"})
        assert dict(ws.workshop_state(code).compass)["runs"] == "sammen"  # nothing changed
        ws.attach_compass(code, key, {})
        assert ws.workshop_state(code).compass == ()
        assert "Frivillige med i driften" not in agreement_markdown(ws.workshop_state(code))

    # -- the clause timer

    def test_the_facilitator_times_a_clause(self, ws, shop, clock):
        code, key = shop["code"], shop["key"]
        start = clock.now.timestamp()
        before = ws.info(code)
        assert before.timer is None
        made = ws.set_timer(code, key, "purpose", "start", 300)
        assert made == ClauseTimer("purpose", 300, ends=start + 300)
        started = ws.info(code)
        assert started.timer == made and started.timer.running
        assert started.version == before.version + 1  # the phones follow it
        clock.advance(60)
        paused = ws.set_timer(code, key, "purpose", "pause")
        assert paused == ClauseTimer("purpose", 300, left=240.0) and not paused.running
        assert ws.info(code).version == started.version + 1
        clock.advance(600)  # a paused countdown does not run down
        assert ws.info(code).timer.seconds_left(clock.now.timestamp()) == 240.0
        longer = ws.set_timer(code, key, "purpose", "add")
        assert (longer.left, longer.total) == (240.0 + TIMER_STEP, 300 + TIMER_STEP)
        resumed = ws.set_timer(code, key, "purpose", "resume")
        assert resumed.ends == clock.now.timestamp() + 240 + TIMER_STEP
        clock.advance(10_000)  # run out: it shows zero, nothing else happens
        assert ws.info(code).timer.seconds_left(clock.now.timestamp()) == 0.0
        assert ws.info(code).open
        ws.propose(code, shop["unit"], "purpose", "Etter tiden")  # still taken
        assert ws.set_timer(code, key, "purpose", "off") is None
        assert ws.info(code).timer is None
        # the settings keep it beside the compass, and each leaves the other alone
        ws.attach_compass(code, key, {"runs": "sammen"})
        ws.set_timer(code, key, "mode", "start", 120)
        assert ws.workshop_state(code).compass == (("runs", "sammen"),)
        ws.attach_compass(code, key, {"runs": "kommunen"})
        assert ws.info(code).timer.clause == "mode"

    def test_a_clause_timer_on_another_clause_replaces_it(self, ws, shop, clock):
        code, key = shop["code"], shop["key"]
        ws.set_timer(code, key, "purpose", "start", 300)
        moved = ws.set_timer(code, key, "mode", "start", 120)
        assert ws.info(code).timer == moved and moved.clause == "mode"
        # the other clause has none now: nothing to pause there, and stopping it stops nothing
        with pytest.raises(WorkshopError) as exc:
            ws.set_timer(code, key, "purpose", "pause")
        assert exc.value.key == "no_timer"
        version = ws.info(code).version
        assert ws.set_timer(code, key, "purpose", "off") == moved
        assert ws.info(code).timer == moved
        assert ws.info(code).version == version  # nothing changed: no phone wakes
        assert ws.set_timer(code, key, "mode", "off") is None
        assert ws.info(code).version == version + 1

    @pytest.mark.parametrize(
        ("op", "seconds", "clause", "key", "field"),
        [
            ("start", 0, "purpose", "timer_seconds", "timer"),
            ("start", -60, "purpose", "timer_seconds", "timer"),
            ("start", TIMER_MAX + 1, "purpose", "timer_seconds", "timer"),
            ("start", "300", "purpose", "timer_seconds", "timer"),
            ("start", 1.5, "purpose", "timer_seconds", "timer"),
            ("start", True, "purpose", "timer_seconds", "timer"),
            ("start", None, "purpose", "timer_seconds", "timer"),
            ("resume", None, "mode", "no_timer", "timer"),
            ("add", None, "mode", "no_timer", "timer"),
            ("ring", None, "purpose", "timer_op", "timer"),
            ("start", 60, "nowhere", "unknown_clause", "clause"),
            ("start", 60, "x" * 41, "unknown_clause", "clause"),
            ("start", 60, None, "unknown_clause", "clause"),
        ],
    )
    def test_a_clause_timer_refuses_with_a_key(self, ws, shop, op, seconds, clause, key, field):
        code = shop["code"]
        ws.set_timer(code, shop["key"], "purpose", "start", 60)
        before = self.snapshot(ws, code)
        with pytest.raises(WorkshopError) as exc:
            ws.set_timer(code, shop["key"], clause, op, seconds)
        assert (exc.value.key, exc.value.field) == (key, field)
        if key == "timer_seconds":
            assert exc.value.limit == TIMER_MAX // 60
        assert self.snapshot(ws, code) == before

    def test_only_the_facilitator_sets_a_clause_timer(self, ws, shop):
        code = shop["code"]
        before = self.snapshot(ws, code)
        for key in (shop["other_key"], "x" * 32, "", None):
            with pytest.raises(NotOwner):
                ws.set_timer(code, key, "purpose", "start", 60)
        assert self.snapshot(ws, code) == before
        assert ws.set_timer(code, shop["key"], "purpose", "start", 60) is not None  # control

    def test_removing_a_clause_takes_its_timer(self, ws, shop):
        code, key = shop["code"], shop["key"]
        ws.set_timer(code, key, "mode", "start", 60)
        ws.remove_clause(code, key, "purpose")  # another clause: the countdown stays
        assert ws.info(code).timer.clause == "mode"
        version = ws.info(code).version
        ws.remove_clause(code, key, "mode")
        assert ws.info(code).timer is None
        assert ws.info(code).version == version + 1  # the phones hear of it
        ws.add_clause(code, key, "mode")  # back on the agenda, without a countdown
        assert ws.info(code).timer is None

    def test_closing_takes_the_timer_and_starts_none(self, ws, shop):
        code, key = shop["code"], shop["key"]
        ws.set_timer(code, key, "purpose", "start", 60)
        ws.close_workshop(code, key)
        assert ws.info(code).timer is None and not ws.info(code).open
        for op, seconds in (("start", 60), ("resume", None), ("add", None)):
            with pytest.raises(SessionClosed):
                ws.set_timer(code, key, "purpose", op, seconds)
        assert ws.set_timer(code, key, "purpose", "off") is None  # stopping is harmless
        assert ws.info(code).timer is None

    def test_a_timer_not_written_by_the_store_reads_as_none(self, store, ws, shop):
        for raw in (
            '{"timer": {"clause": "purpose", "ends": "soon", "total": 60}}',
            '{"timer": {"ends": 5.0, "total": 60}}',
            '{"timer": {"clause": "purpose", "left": 5.0, "total": true}}',
            '{"timer": [1, 2]}',
        ):
            with store.engine.begin() as conn:
                conn.execute(
                    text("UPDATE kit_workshops SET settings = :s WHERE code = :c"),
                    {"s": raw, "c": shop["code"]},
                )
            assert ws.info(shop["code"]).timer is None, raw
        # and a start writes a good one over it
        made = ws.set_timer(shop["code"], shop["key"], "purpose", "start", 60)
        assert ws.info(shop["code"]).timer == made

    def test_compass_answers_stored_by_the_earlier_questions_still_load(self, store, ws, shop):
        """Each answer the compass could store before its options grew loads as it was (with
        "vet ikke" too); an option key that is gone reads as no answer."""

        def stored(answers: dict) -> dict:
            with store.engine.begin() as conn:
                conn.execute(
                    text("UPDATE kit_workshops SET settings = :s WHERE code = :c"),
                    {"s": json.dumps({"compass": answers}), "c": shop["code"]},
                )
            return dict(ws.workshop_state(shop["code"]).compass)

        rounds = max(len(keys) for keys in OLD_COMPASS_KEYS.values()) + 1
        for i in range(rounds):
            old = {
                q: (*keys, "vet_ikke")[i % (len(keys) + 1)] for q, keys in OLD_COMPASS_KEYS.items()
            }
            assert stored(old) == old, i
        assert stored({"runs": "gone", "developed": "sammen"}) == {"developed": "sammen"}

    def test_a_settings_column_that_is_not_an_object_reads_as_none(self, store, ws, shop):
        with store.engine.begin() as conn:
            for raw in ("[1, 2]", "not json"):
                conn.execute(
                    text("UPDATE kit_workshops SET settings = :s WHERE code = :c"),
                    {"s": raw, "c": shop["code"]},
                )
                assert ws._load(conn, ws._row(conn, shop["code"])).compass == ()

    def test_a_workshop_on_some_clauses_with_parties_held_and_note(self, ws):
        made = ws.create_workshop(
            "Besøksvenn", "nn", ["recipient", "unit"], ["mode", "purpose"], "2025-03-01", "Øving"
        )
        w = ws.workshop_state(made.code)
        assert [c.id for c in w.clauses] == ["purpose", "mode"]
        assert w.parties == ("unit", "recipient")
        assert (w.lang, w.held, w.note) == ("nn", date(2025, 3, 1), "Øving")

    # -- versions: what phones and the facilitator follow

    def test_what_phones_follow_and_what_only_the_facilitator_does(self, ws, shop):
        code, key = shop["code"], shop["key"]
        start = ws.info(code)
        made = ws.propose(code, shop["unit"], "purpose", "Forslag")
        after = ws.info(code)
        assert after.version == start.version + 1 and after.revision > start.revision
        ws.respond(code, shop["recipient"], made.id, "agree")
        ws.park(code, shop["recipient"], "Senere")
        quiet = ws.info(code)
        assert quiet.version == after.version and quiet.revision == after.revision + 2
        ws.show_clause(code, key, "mode")
        shown = ws.info(code)
        assert shown.version == quiet.version + 1 and shown.current_clause == "mode"
        assert ws.state_version(code) == (shown.version, True)
        ws.show_clause(code, key, None)
        assert ws.info(code).current_clause is None

    # -- refusals

    @pytest.mark.parametrize(
        ("call", "key", "field"),
        [
            (lambda ws, s: ws.propose(s["code"], s["unit"], "purpose", ""), "empty", "text"),
            (lambda ws, s: ws.propose(s["code"], s["unit"], "purpose", None), "empty", "text"),
            (lambda ws, s: ws.propose(s["code"], s["unit"], "purpose", 12), "empty", "text"),
            (
                lambda ws, s: ws.propose(s["code"], s["unit"], "purpose", "x" * (PROPOSAL_MAX + 1)),
                "too_long",
                "text",
            ),
            (
                lambda ws, s: ws.propose(s["code"], s["unit"], "purpose", "a\u202eb"),
                "bad_text",
                "text",
            ),
            (
                lambda ws, s: ws.propose(s["code"], s["unit"], "nope", "x"),
                "unknown_clause",
                "clause",
            ),
            (lambda ws, s: ws.propose(s["code"], s["unit"], None, "x"), "unknown_clause", "clause"),
            (
                lambda ws, s: ws.propose(s["code"], s["unit"], "c" * 500, "x"),
                "unknown_clause",
                "clause",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], "p999", "agree"),
                "unknown_proposal",
                "proposal",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], "k1", "agree"),
                "unknown_proposal",
                "proposal",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], 5, "agree"),
                "unknown_proposal",
                "proposal",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], s["p"], "maybe"),
                "unknown_response",
                "choice",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], s["p"], None),
                "unknown_response",
                "choice",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], s["p"], "object"),
                "reason_needed",
                "reason",
            ),
            (
                lambda ws, s: ws.respond(s["code"], s["unit"], s["p"], "object", "  \n "),
                "reason_needed",
                "reason",
            ),
            (
                lambda ws, s: ws.respond(
                    s["code"], s["unit"], s["p"], "object", "x" * (REASON_MAX + 1)
                ),
                "too_long",
                "reason",
            ),
            (lambda ws, s: ws.park(s["code"], s["unit"], ""), "empty", "text"),
            (
                lambda ws, s: ws.park(s["code"], s["unit"], "x" * (PARKING_MAX + 1)),
                "too_long",
                "text",
            ),
            (lambda ws, s: ws.park(s["code"], s["unit"], "x", "nope"), "unknown_clause", "clause"),
            (lambda ws, s: ws.join(s["code"]), "unknown_party", "party"),
            (lambda ws, s: ws.join(s["code"], party="king"), "unknown_party", "party"),
            (lambda ws, s: ws.join(s["code"], party=7), "unknown_party", "party"),
            (
                lambda ws, s: ws.join(s["code"], party="unit", name="x" * (NAME_MAX + 1)),
                "too_long",
                "name",
            ),
            (lambda ws, s: ws.join(s["code"], party="unit", name="\x00"), "bad_text", "name"),
            (lambda ws, s: ws.settle(s["code"], s["key"], "purpose", "agreed"), "empty", "wording"),
            (
                lambda ws, s: ws.settle(s["code"], s["key"], "purpose", "done", "x"),
                "bad_status",
                "status",
            ),
            (
                lambda ws, s: ws.settle(s["code"], s["key"], "purpose", "open", due="1. april"),
                "bad_date",
                "due",
            ),
            (lambda ws, s: ws.show_clause(s["code"], s["key"], "nope"), "unknown_clause", "clause"),
            (lambda ws, s: ws.plan_evaluation(s["code"], s["key"], None), "empty", "evaluation"),
            (
                lambda ws, s: ws.add_clause(s["code"], s["key"], "purpose"),
                "duplicate_clause",
                "clause",
            ),
            (
                lambda ws, s: ws.add_custom_clause(s["code"], s["key"], "T", None, 4),
                "unknown_level",
                "level",
            ),
        ],
    )
    def test_the_models_rules_refuse_with_their_key(self, ws, shop, call, key, field):
        shop["p"] = ws.propose(shop["code"], shop["volunteer"], "purpose", "Et forslag").id
        before = self.snapshot(ws, shop["code"])
        with pytest.raises(WorkshopError) as exc:
            call(ws, shop)
        assert (exc.value.key, exc.value.field) == (key, field)
        assert self.snapshot(ws, shop["code"]) == before

    def test_counts_per_participant_are_bounded(self, ws, shop):
        code, me = shop["code"], shop["unit"]
        for i in range(PROPOSALS_PER_CLAUSE):
            ws.propose(code, me, "purpose", f"Forslag {i}")
        with pytest.raises(WorkshopError) as exc:
            ws.propose(code, me, "purpose", "Ett til")
        assert (exc.value.key, exc.value.field, exc.value.limit) == (
            "too_many",
            "proposal",
            PROPOSALS_PER_CLAUSE,
        )
        ws.propose(code, me, "mode", "På et annet punkt går det")  # the bound is per clause
        ws.propose(code, shop["recipient"], "purpose", "Og for en annen deltaker")
        for i in range(PARKING_PER_PARTICIPANT):
            ws.park(code, me, f"Punkt {i}")
        with pytest.raises(WorkshopError) as exc:
            ws.park(code, me, "Ett til")
        assert (exc.value.key, exc.value.field) == ("too_many", "parking")

    def test_participants_per_workshop_are_bounded(self, ws, shop, monkeypatch):
        monkeypatch.setattr(kit.workshop.store, "PARTICIPANTS_MAX", 4)
        code = shop["code"]
        ws.join(code, party="partner")  # the fourth
        with pytest.raises(WorkshopError) as exc:
            ws.join(code, party="partner")
        assert (exc.value.key, exc.value.field, exc.value.limit) == ("full", "participants", 4)
        assert ws.join(code, token=shop["unit"]).speaker.resumed  # coming back is not new

    @pytest.mark.parametrize(
        ("token", "kind"),
        [
            ("0" * 32, UnknownParticipant),
            ("not-a-token", UnknownParticipant),
            ("A" * 32, UnknownParticipant),
            (None, UnknownParticipant),
            (12, UnknownParticipant),
            ("a" * 33, TooLong),
        ],
    )
    def test_a_write_needs_a_participant_of_the_workshop(self, ws, shop, token, kind):
        before = self.snapshot(ws, shop["code"])
        for call in (
            lambda: ws.propose(shop["code"], token, "purpose", "x"),
            lambda: ws.park(shop["code"], token, "x"),
            lambda: ws.respond(shop["code"], token, "p1", "agree"),
        ):
            with pytest.raises(kind):
                call()
        assert self.snapshot(ws, shop["code"]) == before

    def test_a_token_of_another_workshop_is_refused(self, ws, shop):
        with pytest.raises(WrongSession):
            ws.propose(shop["code"], shop["other_token"], "purpose", "x")
        with pytest.raises(WrongSession):
            ws.mine(shop["code"], shop["other_token"])

    @pytest.mark.parametrize(
        ("code", "kind"), [("ACD", UnknownCode), ("A" * 99, TooLong), (5, UnknownCode)]
    )
    def test_a_code_that_is_not_one_is_refused(self, ws, code, kind):
        with pytest.raises(kind):
            ws.join(code, party="unit")

    def test_an_unknown_code_is_refused(self, ws, shop):
        code = other_code(shop["code"], shop["other"])
        for call in (
            lambda: ws.join(code, party="unit"),
            lambda: ws.workshop_state(code),
            lambda: ws.info(code),
            lambda: ws.propose(code, shop["unit"], "purpose", "x"),
        ):
            with pytest.raises(UnknownCode):
                call()
        assert not ws.owns(code, shop["key"])

    def test_a_session_code_is_not_a_workshop(self, ws, store):
        session = store.create_session([make_case("c1")])
        with pytest.raises(UnknownCode):
            ws.join(session.code, party="unit")

    @pytest.mark.parametrize(
        "bad",
        ["another", "random", "", None, "long", 12345, "hash", "upper"],
    )
    def test_only_the_facilitator_key_changes_the_workshop(self, ws, shop, bad):
        key = {
            "another": shop["other_key"],
            "random": "x" * 32,
            "": "",
            None: None,
            "long": shop["key"] + "k" * 65,
            12345: 12345,
            "hash": kit.live.store.key_hash(shop["key"]),
            "upper": shop["key"].upper(),
        }[bad]
        code = shop["code"]
        before = self.snapshot(ws, code)
        for call in (
            lambda: ws.close_workshop(code, key),
            lambda: ws.show_clause(code, key, "purpose"),
            lambda: ws.settle(code, key, "purpose", "agreed", "Enige"),
            lambda: ws.plan_evaluation(code, key, "2025-09-01"),
            lambda: ws.remove_clause(code, key, "purpose"),
            lambda: ws.add_custom_clause(code, key, "Ny", None, 1),
            lambda: ws.set_timer(code, key, "purpose", "start", 60),
        ):
            with pytest.raises(NotOwner):
                call()
        assert not ws.owns(code, key)
        assert self.snapshot(ws, code) == before
        assert ws.owns(code, shop["key"])  # the positive control

    def test_the_key_is_kept_hashed(self, ws, shop, store):
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM kit_workshops")).all()
        flat = " ".join(str(v) for row in rows for v in row)
        assert shop["key"] not in flat
        assert kit.live.store.key_hash(shop["key"]) in flat

    # -- limits in time

    def test_writes_are_rate_limited_per_participant(self, db_url, clock):
        with Store(db_url, clock=clock, rate_limit=(3, 10.0)) as store:
            ws = WorkshopStore(store)
            code = ws.create_workshop("Tiltak", "nb").code
            me = ws.join(code, party="unit").speaker.token
            you = ws.join(code, party="recipient").speaker.token
            for i in range(3):
                ws.park(code, me, f"Punkt {i}")
            made = ws.propose(code, you, "purpose", "Den andre deltakeren skriver fortsatt")
            with pytest.raises(RateLimited):
                ws.respond(code, me, made.id, "agree")
            clock.advance(11)
            ws.respond(code, me, made.id, "agree")

    def test_new_participants_are_limited_per_client_with_the_sessions(self, db_url, clock):
        with Store(db_url, clock=clock, join_limit=(2, 60.0)) as store:
            ws = WorkshopStore(store)
            code = ws.create_workshop("Tiltak", "nb").code
            session = store.create_session([make_case("c1")])
            store.join(session.code, client="10.9.9.9")  # the live room's join counts too
            first = ws.join(code, party="unit", client="10.9.9.9").speaker.token
            with pytest.raises(RateLimited):
                ws.join(code, party="unit", client="10.9.9.9")
            assert ws.join(code, token=first, client="10.9.9.9").speaker.resumed
            ws.join(code, party="unit", client="10.9.9.10")  # another client
            clock.advance(61)
            ws.join(code, party="unit", client="10.9.9.9")

    def test_workshops_and_sessions_share_one_bucket_of_rooms_per_client(self, fresh_db_url, clock):
        """A client's workshops count with its sessions against one limit an hour; over it a
        workshop is refused before anything is written; another client, and a creation with no
        client, are not held back; the window runs out an hour after the first creation."""
        with Store(fresh_db_url, clock=clock, room_limit=3) as store:
            ws = WorkshopStore(store)
            store.create_session([make_case("c1")], client="10.6.6.6")
            ws.create_workshop("Første", "nb", client="10.6.6.6")
            clock.advance(minutes=10)
            store.create_session([make_case("c1")], client="10.6.6.6")
            with pytest.raises(TooManyRooms) as refused:
                ws.create_workshop("For mange", "nb", client="10.6.6.6")
            assert refused.value.key == "too_many_rooms"
            with pytest.raises(TooManyRooms):
                store.create_session([make_case("c1")], client="10.6.6.6")
            assert workshop_count(store) == 1  # nothing written
            ws.create_workshop("En annen adresse", "nb", client="10.6.6.7")
            ws.create_workshop("Uten adresse", "nb")
            clock.advance(minutes=50)  # an hour after the first creation
            ws.create_workshop("Neste time", "nb", client="10.6.6.6")
            assert workshop_count(store) == 4
        with Store(fresh_db_url, clock=clock, room_limit=0) as store:  # the positive control
            ws = WorkshopStore(store)
            for i in range(5):
                ws.create_workshop(f"Fritt {i}", "nb", client="10.6.6.6")

    def test_a_closed_workshop_takes_nothing_new_but_stays_readable(self, ws, shop):
        code, key = shop["code"], shop["key"]
        made = ws.propose(code, shop["unit"], "purpose", "Før slutt")
        version = ws.info(code).version
        ws.close_workshop(code, key)
        ws.close_workshop(code, key)  # twice is harmless
        info = ws.info(code)
        assert not info.open and info.closed_at is not None and info.version > version
        for call in (
            lambda: ws.join(code, party="unit"),
            lambda: ws.join(code, token=shop["unit"]),
            lambda: ws.propose(code, shop["unit"], "purpose", "Etter slutt"),
            lambda: ws.respond(code, shop["recipient"], made.id, "agree"),
            lambda: ws.park(code, shop["unit"], "Etter slutt"),
        ):
            with pytest.raises(SessionClosed):
                call()
        assert [p.text for p in ws.workshop_state(code).proposals] == ["Før slutt"]
        # the facilitator may still finish the draft
        ws.settle(code, key, "purpose", "agreed", "Skrevet etter verkstedet")

    def test_an_idle_workshop_closes(self, ws, shop, store, clock):
        code = shop["code"]
        clock.advance(seconds=store.idle_timeout.total_seconds() - 60)
        ws.park(code, shop["unit"], "Fortsatt aktiv")
        clock.advance(seconds=store.idle_timeout.total_seconds() - 60)
        assert ws.info(code).open  # activity keeps it open
        clock.advance(seconds=120)
        assert not ws.info(code).open
        with pytest.raises(SessionClosed):
            ws.propose(code, shop["unit"], "purpose", "For sent")
        ws.settle(code, shop["key"], "purpose", "open")  # the facilitator's action closes it
        assert ws.info(code).closed_at is not None
        clock.advance(seconds=1)
        assert not ws.info(code).open  # and it stays closed

    # -- codes and purging

    def test_sessions_and_workshops_never_share_a_code(self, ws, store, monkeypatch):
        free: list[str] = []
        while len(free) < 3:  # codes no session or workshop of this database has
            code = kit.live.store.new_code()
            if code not in free and not store.run_read(lambda c, x=code: db.code_taken(c, x)):
                free.append(code)
        first, second, third = free
        drawn = iter([first, first, second, second, third])
        monkeypatch.setattr(kit.live.store, "new_code", lambda: JoinCode(next(drawn)))
        monkeypatch.setattr(kit.workshop.store, "new_code", lambda: JoinCode(next(drawn)))
        assert store.create_session([make_case("c1")]).code == first
        assert ws.create_workshop("Tiltak", "nb").code == second  # drew first, then second
        assert store.create_session([make_case("c1")]).code == third  # drew second, then third

    def test_purge_takes_old_workshops_with_everything_in_them(self, fresh_db_url):
        clock = FakeClock()
        with Store(fresh_db_url, clock=clock) as store:
            ws = WorkshopStore(store)
            old = ws.create_workshop("Gammelt tiltak", "nb")
            me = ws.join(old.code, party="unit").speaker.token
            you = ws.join(old.code, party="recipient").speaker.token
            made = ws.propose(old.code, me, "purpose", "Gammelt forslag")
            ws.respond(old.code, you, made.id, "object", "Gammel grunn")
            ws.park(old.code, you, "Gammelt punkt")
            ws.settle(old.code, old.key, "purpose", "open")
            session = store.create_session([make_case("c1")])
            clock.advance(days=40)
            young = ws.create_workshop("Nytt tiltak", "nb").code
            ws.join(young, party="unit")
            assert store.purge_counts(timedelta(days=30)) == (1, 1)
            for gone in (lambda: ws.info(old.code), lambda: store.session_info(session.code)):
                with pytest.raises(UnknownCode):
                    gone()
            assert ws.info(young).open and ws.participant_count(young) == 1
            for table in WORKSHOP_TABLES[1:]:
                with store.engine.connect() as conn:
                    left = conn.execute(
                        text(f"SELECT count(*) FROM {table} WHERE workshop_code = :c"),
                        {"c": old.code},
                    ).scalar_one()
                assert left == 0, table
            assert store.purge_counts(timedelta(days=30)) == (0, 0)

    # -- schema

    def test_the_workshop_tables_are_in_the_schema(self, store):
        assert db.SCHEMA_VERSION == 5
        present = set(inspect(store.engine).get_table_names())
        assert set(WORKSHOP_TABLES) <= present

    def test_a_version_3_database_gets_the_workshop_tables(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            session = store.create_session([make_case("c1")])
            store.submit(session.code, store.join(session.code).token, "c1", ("ingen", None))
            with store.engine.begin() as conn:  # as the version 3 code left it
                for table in reversed(WORKSHOP_TABLES):
                    conn.execute(text(f"DROP TABLE {table}"))
                conn.execute(text("UPDATE kit_schema SET version = 3"))
        with Store(fresh_db_url) as store:
            with store.engine.connect() as conn:
                assert conn.execute(text("SELECT version FROM kit_schema")).scalar_one() == 5
            assert store.counts(session.code)["c1"].answers == 1
            ws = WorkshopStore(store)
            code = ws.create_workshop("Etter oppgraderingen", "nb").code
            me = ws.join(code, party="unit").speaker.token
            assert ws.propose(code, me, "purpose", "Det virker").text == "Det virker"

    def test_a_version_4_database_gets_the_settings_column(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            ws = WorkshopStore(store)
            made = ws.create_workshop("Før oppgraderingen", "nb")
            me = ws.join(made.code, party="unit").speaker.token
            ws.propose(made.code, me, "purpose", "Det som ble sagt før")
            with store.engine.begin() as conn:  # as the version 4 code left it
                conn.execute(text("ALTER TABLE kit_workshops DROP COLUMN settings"))
                conn.execute(text("UPDATE kit_schema SET version = 4"))
        with Store(fresh_db_url) as store:
            with store.engine.connect() as conn:
                assert conn.execute(text("SELECT version FROM kit_schema")).scalar_one() == 5
            ws = WorkshopStore(store)
            assert [p.text for p in ws.workshop_state(made.code).proposals] == [
                "Det som ble sagt før"
            ]
            ws.attach_compass(made.code, made.key, {"runs": "sammen"})
            assert ws.workshop_state(made.code).compass == (("runs", "sammen"),)


def workshop_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(db.workshops)).scalar_one()


class TestSQLiteWorkshopStore(WorkshopStoreBehaviour):
    @pytest.fixture
    def db_url(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path}/w.db"

    @pytest.fixture
    def fresh_db_url(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path}/fresh.db"


# ------------------------------------------------------------------------ without a database


def test_the_columns_hold_what_the_model_allows():
    """A text the model takes fits its column (PostgreSQL's VARCHAR(n) counts characters)."""
    bounds = {
        ("kit_workshops", "initiative"): model.INITIATIVE_MAX,
        ("kit_workshops", "note"): model.NOTE_MAX,
        ("kit_workshops", "evaluation_by"): model.OWNER_MAX,
        ("kit_workshop_participants", "name"): model.NAME_MAX,
        ("kit_workshop_proposals", "text"): model.PROPOSAL_MAX,
        ("kit_workshop_proposals", "name"): model.NAME_MAX,
        ("kit_workshop_responses", "reason"): model.REASON_MAX,
        ("kit_workshop_parking", "text"): model.PARKING_MAX,
        ("kit_workshop_outcomes", "wording"): model.WORDING_MAX,
        ("kit_workshop_outcomes", "owner"): model.OWNER_MAX,
    }
    for (table, column), bound in bounds.items():
        kind = db.metadata.tables[table].c[column].type
        assert isinstance(kind, String) and kind.length >= bound, (table, column)
    for table in ("kit_workshop_proposals", "kit_workshop_parking", "kit_workshop_outcomes"):
        assert db.metadata.tables[table].c.clause.type.length >= 40  # the model's id pattern
    assert db.metadata.tables["kit_workshop_participants"].c.party.type.length >= 40


def test_a_stored_agenda_survives_a_changed_data_file(tmp_path):
    """A default clause the agenda no longer has is left out, with what was said on it."""
    with Store(f"sqlite:///{tmp_path}/a.db") as store:
        ws = WorkshopStore(store)
        made = ws.create_workshop("Tiltak", "nb", clauses=["purpose", "mode"])
        me = ws.join(made.code, party="unit").speaker.token
        ws.propose(made.code, me, "mode", "Samskaping")
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE kit_workshops SET agenda = :a"),
                {"a": '{"clauses": [{"id": "purpose"}, {"id": "gone"}], "parties": ["king"]}'},
            )
        w = ws.workshop_state(made.code)
        assert [c.id for c in w.clauses] == ["purpose"] and w.proposals == () and w.parties == ()


def test_store_errors_are_store_errors():
    assert issubclass(SessionClosed, StoreError) and issubclass(NotOwner, StoreError)
