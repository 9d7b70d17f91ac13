"""The live-session store (kit.live.store, schema v2) on SQLite.

The behaviour tests live in :class:`StoreBehaviour`, which ``test_store_postgres.py`` runs again
against a real PostgreSQL server: only the ``db_url`` and ``fresh_db_url`` fixtures differ.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, create_engine, func, inspect, select, text
from sqlalchemy.exc import OperationalError

import kit.live.store
from kit.cases.case import Answer, Case, cases_to_json
from kit.core.text import Text
from kit.live import room as live_room
from kit.live import schema as store_schema
from kit.live.questions import Question
from kit.live.store import (
    CODE_ALPHABET,
    InvalidAnswer,
    JoinCode,
    Joined,
    NewSession,
    NotOwner,
    RateLimited,
    RoundLimit,
    SchemaTooNew,
    SessionClosed,
    Store,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    TooLong,
    TooManyRooms,
    UnknownCode,
    key_hash,
    new_code,
)
from tests.factories import make_case

LOOK_ALIKES = "0O1IL2Z5S8BUV"
HOSTILE = (
    "<script>alert('x')</script> '; DROP TABLE kit_votes; -- \"quoted\" \\ back\\slash "
    "{braces} $text \x00 nul \t tab \n newline \u202eRTL\u202c 🙂 \ud800 lone surrogate æøå"
)
S1, S2, P3, V3, NONE = (
    Answer("samskaping", 1),
    Answer("samskaping", 2),
    Answer("samproduksjon", 3),
    Answer("verdisamskaping", 3),
    Answer("ingen", None),
)
TABLES = [
    "kit_case_state",
    "kit_client_windows",
    "kit_participants",
    "kit_responses",
    "kit_schema",
    "kit_secrets",
    "kit_sessions",
    "kit_votes",
    "kit_workshop_outcomes",
    "kit_workshop_parking",
    "kit_workshop_participants",
    "kit_workshop_proposals",
    "kit_workshop_responses",
    "kit_workshops",
]
#: The one place a name may be kept: a workshop participant who chose to sign (optional, never
#: asked for; kit.workshop.store), and what they signed with it.
SIGNED = {
    ("kit_workshop_participants", "name"),
    ("kit_workshop_proposals", "name"),
    ("kit_workshop_responses", "name"),
    ("kit_workshop_parking", "name"),
}


OPEN_Q = Question("q-open", "open", Text("Hva?", "What?"))
SCALE_Q = Question(
    "q-scale", "scale", Text("Hvor?", "How far?"), low=Text("Lite"), high=Text("Mye")
)
POLL_Q = Question("q-poll", "poll", Text("Hvilken?", "Which?"), options=(Text("A"), Text("B")))

CASES = (
    make_case("c1"),
    make_case("c2", "samproduksjon", 3),
    make_case("c3", "ingen", None),
    make_case("c4", "verdisamskaping", 3),
)


class FakeClock:
    """A clock the test moves by hand (rate limit, idle close and purge are about time)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **delta: float) -> None:
        self.now += timedelta(seconds=seconds, **delta)


def other_code(*taken: str) -> str:
    """A well-formed join code that no session has."""
    while True:
        code = new_code()
        if code not in taken:
            return code


def snapshot(store: Store, code: str) -> tuple:
    """Everything a refused call must leave unchanged."""
    return store.state(code), store.revision(code), store.session_info(code)


# Each row: what to change in a valid submit, and the key the refusal must carry.
INVALID_SUBMITS = [
    ("unknown code", {"code": "unknown"}, "unknown_code"),
    ("malformed code", {"code": "ABC"}, "unknown_code"),
    ("code with a look-alike", {"code": "ACDEF0"}, "unknown_code"),
    ("code not text", {"code": 123456}, "unknown_code"),
    ("code too long", {"code": "ACDEFGH"}, "too_long"),
    ("huge code", {"code": "A" * 10_000}, "too_long"),
    ("closed session", {"code": "closed"}, "session_closed"),
    ("unknown token", {"token": "0" * 32}, "unknown_participant"),
    ("malformed token", {"token": "not-a-token"}, "unknown_participant"),
    ("upper-case token", {"token": "A" * 32}, "unknown_participant"),
    ("token None", {"token": None}, "unknown_participant"),
    ("token not text", {"token": 12}, "unknown_participant"),
    ("token too long", {"token": "a" * 33}, "too_long"),
    ("token from another session", {"token": "other"}, "wrong_session"),
    ("case not in session", {"case_id": "c99"}, "invalid_answer"),
    ("case of another session", {"case_id": "x1"}, "invalid_answer"),
    ("case id too long", {"case_id": "c" * 81}, "too_long"),
    ("case id not text", {"case_id": 1}, "invalid_answer"),
    ("case id None", {"case_id": None}, "invalid_answer"),
    ("unknown process", {"answer": ("Samskaping", 1)}, "invalid_answer"),
    ("empty process", {"answer": ("", 1)}, "invalid_answer"),
    ("process None", {"answer": (None, 1)}, "invalid_answer"),
    ("level 0", {"answer": ("samskaping", 0)}, "invalid_answer"),
    ("level 4", {"answer": ("samskaping", 4)}, "invalid_answer"),
    ("level as text", {"answer": ("samskaping", "1")}, "invalid_answer"),
    ("level True", {"answer": ("samskaping", True)}, "invalid_answer"),
    ("level 1.0", {"answer": ("samskaping", 1.0)}, "invalid_answer"),
    ("answer not a pair", {"answer": "samskaping"}, "invalid_answer"),
    ("answer of three", {"answer": ("samskaping", 1, 1)}, "invalid_answer"),
    ("answer None", {"answer": None}, "invalid_answer"),
]

# Presenter keys that must not open a session: name -> the key, made from the room fixture.
BAD_KEYS = {
    "another session's key": lambda room: room["other_key"],
    "random key": lambda room: "x" * 32,
    "empty": lambda room: "",
    "None": lambda room: None,
    "too long": lambda room: room["key"] + "k" * 65,
    "not text": lambda room: 12345,
    "the hash instead of the key": lambda room: key_hash(room["key"]),
    "the key in upper case": lambda room: room["key"].upper(),
}
PRESENTER_ACTIONS = {
    "close_session": lambda s, code, key: s.close_session(code, key),
    "reveal": lambda s, code, key: s.reveal(code, key, "c1"),
    "start_round": lambda s, code, key: s.start_round(code, key, "c1"),
    "show_case": lambda s, code, key: s.show_case(code, key, "c1"),
    "show_case None": lambda s, code, key: s.show_case(code, key, None),
}


# ------------------------------------------------------------------------ a version 1 database


def v1_ddl(dialect: str) -> list[str]:
    """The tables of schema version 1 (``git show 3d0ba1c:kit/store_schema.py``), as raw SQL."""
    ts = "TIMESTAMP WITH TIME ZONE" if dialect == "postgresql" else "DATETIME"
    return [
        f"CREATE TABLE kit_schema (id INTEGER NOT NULL, version INTEGER NOT NULL, "
        f"updated_at {ts} NOT NULL, PRIMARY KEY (id), "
        "CONSTRAINT kit_schema_one_row CHECK (id = 1))",
        f"CREATE TABLE kit_sessions (code VARCHAR(6) NOT NULL, created_at {ts} NOT NULL, "
        f"closed_at {ts}, lang VARCHAR(16) NOT NULL, cases TEXT NOT NULL, "
        "last_seq INTEGER NOT NULL, PRIMARY KEY (code))",
        f"CREATE TABLE kit_participants (token VARCHAR(32) NOT NULL, "
        f"session_code VARCHAR(6) NOT NULL, joined_at {ts} NOT NULL, "
        f"window_start {ts} NOT NULL, window_count INTEGER NOT NULL, PRIMARY KEY (token), "
        "FOREIGN KEY(session_code) REFERENCES kit_sessions (code) ON DELETE CASCADE)",
        "CREATE INDEX ix_kit_participants_session_code ON kit_participants (session_code)",
        "CREATE TABLE kit_answers (session_code VARCHAR(6) NOT NULL, "
        "participant_token VARCHAR(32) NOT NULL, case_id VARCHAR(80) NOT NULL, "
        f"process VARCHAR(32) NOT NULL, level INTEGER, answered_at {ts} NOT NULL, "
        "seq INTEGER NOT NULL, PRIMARY KEY (session_code, participant_token, case_id), "
        "FOREIGN KEY(session_code) REFERENCES kit_sessions (code) ON DELETE CASCADE, "
        "FOREIGN KEY(participant_token) REFERENCES kit_participants (token) ON DELETE CASCADE)",
        "CREATE INDEX kit_answers_session_seq ON kit_answers (session_code, seq)",
        "CREATE TABLE kit_reveals (session_code VARCHAR(6) NOT NULL, "
        f"case_id VARCHAR(80) NOT NULL, revealed_at {ts} NOT NULL, "
        "PRIMARY KEY (session_code, case_id), "
        "FOREIGN KEY(session_code) REFERENCES kit_sessions (code) ON DELETE CASCADE)",
    ]


V1_START = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
# (code, lang, closed, answers as (token, case, process, level), revealed cases)
V1_SESSIONS = [
    (
        "ACDEFG",
        "nn",
        False,
        [
            ("a" * 32, "c1", "samskaping", 1),
            ("a" * 32, "c2", "ingen", None),
            ("b" * 32, "c1", "samproduksjon", 3),
        ],
        ["c2"],
    ),
    ("HJKMNP", "en", True, [("c" * 32, "c3", "verdisamskaping", 2)], ["c1", "c3"]),
    ("QRTWXY", "nb", False, [], []),
]


def build_v1_database(url: str) -> dict[str, int]:
    """A database as schema version 1 left it, written with raw SQL; returns each session's
    last answer sequence number."""
    engine = create_engine(url)
    stamp = store_schema.UTCDateTime()

    def sql(statement: str):
        names = re.findall(r":(at\w*)", statement)
        return text(statement).bindparams(*(bindparam(n, type_=stamp) for n in set(names)))

    last: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            for ddl in v1_ddl(engine.dialect.name):
                conn.execute(text(ddl))
            conn.execute(sql("INSERT INTO kit_schema VALUES (1, 1, :at)"), {"at": V1_START})
            seq = 0
            for n, (code, lang, closed, answers, revealed) in enumerate(V1_SESSIONS):
                created = V1_START + timedelta(minutes=n)
                conn.execute(
                    sql(
                        "INSERT INTO kit_sessions VALUES (:code, :at, :at_closed, :lang, :cases, 0)"
                    ),
                    {
                        "code": code,
                        "at": created,
                        "at_closed": created + timedelta(hours=1) if closed else None,
                        "lang": lang,
                        "cases": cases_to_json(CASES),
                    },
                )
                for token in sorted({a[0] for a in answers}):
                    conn.execute(
                        sql("INSERT INTO kit_participants VALUES (:tok, :code, :at, :at, 0)"),
                        {"tok": token, "code": code, "at": created},
                    )
                for token, case_id, process, level in answers:
                    seq += 1
                    conn.execute(
                        sql(
                            "INSERT INTO kit_answers VALUES "
                            "(:code, :tok, :case_id, :process, :level, :at, :seq)"
                        ),
                        {
                            "code": code,
                            "tok": token,
                            "case_id": case_id,
                            "process": process,
                            "level": level,
                            "at": created + timedelta(seconds=seq),
                            "seq": seq,
                        },
                    )
                    conn.execute(
                        text("UPDATE kit_sessions SET last_seq = :seq WHERE code = :code"),
                        {"seq": seq, "code": code},
                    )
                    last[code] = seq
                for case_id in revealed:
                    conn.execute(
                        sql("INSERT INTO kit_reveals VALUES (:code, :case_id, :at)"),
                        {"code": code, "case_id": case_id, "at": created + timedelta(minutes=5)},
                    )
    finally:
        engine.dispose()
    return last


class StoreBehaviour:
    """What the store promises, on any backend."""

    @pytest.fixture
    def db_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def fresh_db_url(self) -> str:
        """A database no store has touched yet."""
        raise NotImplementedError

    @pytest.fixture
    def store(self, db_url):
        with Store(db_url) as store:
            yield store

    @pytest.fixture
    def room(self, store):
        """A session with four cases and two participants, plus a closed and another session."""
        main = store.create_session(CASES)
        other = store.create_session([make_case("x1")])
        closed = store.create_session(CASES)
        store.close_session(closed.code, closed.key)
        return {
            "code": main.code,
            "key": main.key,
            "tokens": [store.join(main.code).token, store.join(main.code).token],
            "other": other.code,
            "other_key": other.key,
            "other_token": store.join(other.code).token,
            "closed": closed.code,
            "closed_key": closed.key,
        }

    # -- the happy path

    def test_create_join_submit_counts(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        assert re.fullmatch(r"[0-9a-f]{32}", a) and a != b
        assert store.submit(code, a, "c1", S1) == 1  # the round the answer went to
        assert store.submit(code, b, "c1", S2) == 1
        assert store.submit(code, a, "c2", NONE) == 1

        assert store.participant_count(code) == 2
        counts = store.counts(code)
        assert list(counts) == ["c1", "c2", "c3", "c4"]  # every case, in the session's order
        c1 = counts["c1"]
        assert c1.answers == 2 and c1.round == 1
        assert c1.processes == {
            "samskaping": 2,
            "samproduksjon": 0,
            "verdisamskaping": 0,
            "ingen": 0,
        }
        assert c1.levels == {1: 1, 2: 1, 3: 0, None: 0}
        assert c1.by_answer == {S1: 1, S2: 1}
        assert c1.top_process == "samskaping" and c1.dispute == 0
        assert counts["c2"].levels[None] == 1 and counts["c2"].processes["ingen"] == 1
        assert counts["c3"].answers == 0 and counts["c3"].top_process is None

    def test_create_session_returns_code_and_key(self, store):
        made = store.create_session(CASES)
        assert isinstance(made, NewSession)
        assert len(made.code) == 6 and set(made.code) <= set(CODE_ALPHABET)
        assert len(made.key) >= 32 and made.key != made.code
        assert store.owns(made.code, made.key)
        assert store.create_session(CASES).key != made.key

    def test_a_plain_tuple_is_an_answer_too(self, store, room):
        code, token = room["code"], room["tokens"][0]
        store.submit(code, token, "c1", ("ingen", None))
        assert store.counts(code)["c1"].by_answer == {NONE: 1}

    def test_session_info_and_close(self, store, room):
        code, key, token = room["code"], room["key"], room["tokens"][0]
        info = store.session_info(code)
        assert (info.code, info.lang, info.open, info.closed_at) == (code, "nb", True, None)
        assert info.created_at.tzinfo is not None
        assert abs(datetime.now(timezone.utc) - info.created_at) < timedelta(minutes=5)
        store.submit(code, token, "c1", S1)

        version = store.state(code).version
        store.close_session(code, key)
        store.close_session(code, key)  # twice is harmless
        info = store.session_info(code)
        assert info.open is False and info.closed_at >= info.created_at
        state = store.state(code)
        assert state.open is False and state.version > version  # phones learn of it
        assert store.state_version(code) == (state.version, False)
        with pytest.raises(SessionClosed):
            store.join(code)
        with pytest.raises(SessionClosed):
            store.join(code, token)  # a returning participant neither
        with pytest.raises(StoreError) as exc:
            store.submit(code, token, "c2", S1)
        assert exc.value.key == "session_closed"
        assert store.counts(code)["c1"].answers == 1  # results stay readable
        assert store.my_answers(code, token) == {("c1", 1): S1}

    def test_lang_is_kept(self, store):
        assert store.session_info(store.create_session(CASES, lang="nn").code).lang == "nn"

    @pytest.mark.parametrize("lang", ["", "x" * 17, None, 7])
    def test_bad_language_is_refused(self, store, lang):
        with pytest.raises(ValueError):
            store.create_session(CASES, lang=lang)

    def test_one_answer_per_case_per_round_latest_counts(self, store, room):
        code, token = room["code"], room["tokens"][0]
        store.submit(code, token, "c1", S1)
        store.submit(code, token, "c1", P3)
        store.submit(code, token, "c1", NONE)
        answers = store.answers(code)
        assert [(a.case_id, a.answer, a.round) for a in answers] == [("c1", NONE, 1)]
        c1 = store.counts(code)["c1"]
        assert c1.answers == 1 and c1.processes["ingen"] == 1 and c1.processes["samskaping"] == 0
        with store.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT count(*) FROM kit_votes WHERE session_code = :c"), {"c": code}
            ).scalar_one()
        assert rows == 1
        assert store.my_answers(code, token) == {("c1", 1): NONE}

    def test_answers_for_export_hide_the_token(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        store.submit(code, a, "c1", S1)
        store.submit(code, b, "c1", NONE)
        store.submit(code, a, "c2", P3)
        rows = store.answers(code)
        assert [(r.case_id, r.process, r.level, r.round) for r in rows] == [
            ("c1", "samskaping", 1, 1),
            ("c1", "ingen", None, 1),
            ("c2", "samproduksjon", 3, 1),
        ]
        assert rows[0].participant == rows[2].participant != rows[1].participant
        assert re.fullmatch(r"[0-9a-f]{16}", rows[0].participant)
        for row in rows:
            assert a not in row.participant and b not in row.participant
            assert row.answered_at.tzinfo is not None
        assert a not in repr(rows) and b not in repr(rows)

    def test_revision_changes_with_every_answer_join_and_state(self, store, room):
        code, key, (a, b) = room["code"], room["key"], room["tokens"]
        assert store.revision(code) == (0, 0, 2, 0)  # (answers, last seq, people, state)
        store.submit(code, a, "c1", S1)
        assert store.revision(code) == (1, 1, 2, 0)
        store.submit(code, a, "c1", S2)  # changed answer: same count, new marker
        assert store.revision(code) == (1, 2, 2, 0)
        store.submit(code, b, "c1", S2)
        assert store.revision(code) == (2, 3, 2, 0)
        store.join(code)
        assert store.revision(code) == (2, 3, 3, 0)
        store.join(code, a)  # a reload is not a new participant
        assert store.revision(code) == (2, 3, 3, 0)
        store.reveal(code, key, "c2")
        assert store.revision(code)[:3] == (2, 3, 3) and store.revision(code)[3] > 0
        assert store.revision(code)[3] == store.state(code).version
        assert store.revision(room["other"]) == (0, 0, 1, 0)  # sessions do not mix
        before = store.revision(code)
        with pytest.raises(StoreError):
            store.submit(code, a, "c99", S1)
        assert store.revision(code) == before  # a refused answer changes nothing
        with pytest.raises(UnknownCode):
            store.revision(other_code(code, room["other"], room["closed"]))

    def test_ranking_most_disputed_first(self, store):
        made = store.create_session(CASES)
        code = made.code
        tokens = [store.join(code).token for _ in range(4)]
        plan = {
            "c1": [S1, S1, NONE, NONE],  # 1/2, 4 answers
            "c2": [P3, P3, P3, NONE],  # 1/4
            "c3": [NONE, NONE, NONE],  # everyone agrees: not disputed
            "c4": [V3, NONE],  # 1/2, 2 answers
        }
        for case_id, answers in plan.items():
            for token, answer in zip(tokens, answers, strict=False):
                store.submit(code, token, case_id, answer)
        counts = store.counts(code)
        assert live_room.ranking([c.id for c in CASES], counts) == ["c1", "c4", "c2", "c3"]
        assert counts["c1"].dispute == counts["c4"].dispute == 0.5
        assert counts["c2"].dispute == 0.25 and counts["c3"].dispute == 0

    def test_reveal(self, store, room):
        code, key = room["code"], room["key"]
        assert store.revealed(code) == set() and store.state(code).revealed == frozenset()
        store.reveal(code, key, "c2")
        version = store.state(code).version
        store.reveal(code, key, "c2")  # twice is harmless, and changes nothing
        assert store.state(code).version == version
        store.reveal(code, key, "c3")
        assert store.revealed(code) == {"c2", "c3"}
        assert store.state(code).revealed == frozenset({"c2", "c3"})
        assert store.revealed(room["other"]) == set()
        with pytest.raises(InvalidAnswer):
            store.reveal(code, key, "x1")  # a case of another session
        with pytest.raises(InvalidAnswer):
            store.reveal(code, key, 1)
        store.reveal(room["closed"], room["closed_key"], "c1")  # the key after closing: normal
        assert store.revealed(room["closed"]) == {"c1"}
        assert store.state(room["closed"]).open is False

    # -- presenter keys

    @pytest.mark.parametrize("action", PRESENTER_ACTIONS, ids=list(PRESENTER_ACTIONS))
    @pytest.mark.parametrize("bad", BAD_KEYS, ids=list(BAD_KEYS))
    def test_presenter_actions_need_the_key(self, store, room, action, bad):
        code = room["code"]
        key = BAD_KEYS[bad](room)
        before = snapshot(store, code)
        with pytest.raises(NotOwner) as exc:
            PRESENTER_ACTIONS[action](store, code, key)
        assert exc.value.key == "not_owner"
        assert snapshot(store, code) == before
        assert store.owns(code, key) is False
        # positive control: the right key does it
        PRESENTER_ACTIONS[action](store, code, room["key"])
        assert snapshot(store, code) != before

    @pytest.mark.parametrize("action", PRESENTER_ACTIONS, ids=list(PRESENTER_ACTIONS))
    def test_presenter_actions_on_an_unknown_code(self, store, room, action):
        with pytest.raises(UnknownCode):
            PRESENTER_ACTIONS[action](store, other_code(room["code"]), room["key"])

    def test_owns_and_owned_sessions(self, db_url):
        clock = FakeClock()
        with Store(db_url, clock=clock) as store:
            first = store.create_session(CASES)
            clock.advance(60)
            second = store.create_session(CASES)
            clock.advance(60)
            closed = store.create_session(CASES)
            store.close_session(closed.code, closed.key)
            theirs = store.create_session(CASES)
            assert store.owns(first.code, first.key)
            assert store.owns(first.code.lower(), first.key)  # typed codes are cleaned
            assert not store.owns(first.code, second.key)
            assert not store.owns(other_code(first.code), first.key)
            assert not store.owns("garbage!", first.key)
            assert not store.owns("A" * 100, first.key)
            assert not store.owns(first.code, "k" * 1000)
            claims = [
                (first.code, first.key),
                (theirs.code, first.key),  # a forged claim: not the key of that session
                (second.code, second.key),
                ("nonsense", "nonsense"),
                (other_code(first.code, second.code), first.key),
                (closed.code, closed.key),
            ]
            owned = store.owned_sessions(claims)
            assert [s.code for s in owned] == [closed.code, second.code, first.code]  # newest
            assert [s.open for s in owned] == [False, True, True]
            assert store.owned_sessions([]) == []
            many = [(first.code, "wrong")] * 50 + [(second.code, second.key)]
            assert store.owned_sessions(many) == []  # at most 50 claims are looked at

    def test_the_key_is_stored_as_a_hash_only(self, store):
        made = store.create_session(CASES)
        with store.engine.connect() as conn:
            row = conn.execute(
                text("SELECT * FROM kit_sessions WHERE code = :c"), {"c": made.code}
            ).one()
        values = [str(v) for v in row._mapping.values()]
        assert not any(made.key in v for v in values)
        assert row._mapping["key_hash"] == hashlib.sha256(made.key.encode()).hexdigest()

    # -- participants come back

    def test_rejoining_with_the_token_is_the_same_participant(self, store, room):
        code, key = room["code"], room["key"]
        me = store.join(code)
        assert isinstance(me, Joined) and me.resumed is False
        store.submit(code, me.token, "c1", S2)
        store.start_round(code, key, "c1")
        store.submit(code, me.token, "c1", NONE)
        people = store.participant_count(code)
        for _ in range(10):  # reloads, or the code typed again on the same phone
            again = store.join(code, me.token)
            assert again == Joined(me.token, True)
        assert store.join(code.lower(), me.token).resumed  # as people type the code
        assert store.participant_count(code) == people
        assert store.my_answers(code, me.token) == {("c1", 1): S2, ("c1", 2): NONE}
        assert store.results(code)["c1"].first.answers == 1

    @pytest.mark.parametrize(
        "token", ["other", "0" * 32, "not-a-token", "A" * 32, "a" * 33, "a" * 10_000, "", 17]
    )
    def test_a_foreign_or_garbage_token_gets_a_new_participant(self, store, room, token):
        code = room["code"]
        token = room["other_token"] if token == "other" else token
        before = store.participant_count(code)
        joined = store.join(code, token)
        assert joined.resumed is False and joined.token != token
        assert re.fullmatch(r"[0-9a-f]{32}", joined.token)
        assert store.participant_count(code) == before + 1
        assert store.my_answers(code, joined.token) == {}
        if token == room["other_token"]:  # the other session keeps its participant
            assert store.participant_count(room["other"]) == 1

    def test_my_answers_are_only_mine(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        store.submit(code, a, "c1", S1)
        store.submit(code, b, "c2", P3)
        assert store.my_answers(code, a) == {("c1", 1): S1}
        assert store.my_answers(code, b) == {("c2", 1): P3}
        assert store.my_answers(room["other"], a) == {}
        with pytest.raises(StoreError):
            store.my_answers(code, "not-a-token")
        with pytest.raises(UnknownCode):
            store.my_answers(other_code(code), a)

    # -- rounds

    def test_a_second_round_is_kept_apart_from_the_first(self, store, room):
        code, key, (a, b) = room["code"], room["key"], room["tokens"]
        store.submit(code, a, "c1", S1)
        store.submit(code, b, "c1", NONE)
        store.submit(code, a, "c2", P3)
        version = store.state(code).version
        assert store.start_round(code, key, "c1") == 2
        state = store.state(code)
        assert state.rounds == {"c1": 2} and state.round_of("c1") == 2 and state.round_of("c2") == 1
        assert state.version > version
        assert store.counts(code)["c1"].answers == 0  # the current round starts empty
        assert store.submit(code, a, "c1", NONE) == 2
        assert store.submit(code, a, "c1", NONE) == 2  # again: replaces within round 2
        assert store.submit(code, a, "c2", S1) == 1  # other cases stay in round 1

        c1 = store.results(code)["c1"]
        assert [r.round for r in c1.rounds] == [1, 2]
        assert c1.first.by_answer == {S1: 1, NONE: 1}
        assert c1.current.by_answer == {NONE: 1}
        assert c1.shift() == [
            ("samskaping", 0.5, 0),
            ("ingen", 0.5, 1),
        ]
        assert store.counts(code)["c1"].round == 2 and store.counts(code)["c1"].answers == 1
        assert len(store.results(code)["c2"].rounds) == 1
        assert store.my_answers(code, a) == {("c1", 1): S1, ("c1", 2): NONE, ("c2", 1): S1}
        assert store.revision(code)[0] == 4  # every round's answers are kept

        rows = live_room.export_rows(
            store.answers(code), {"c1": "T1", "c2": "T2"}, str, lambda lv: str(lv)
        )
        assert sorted((r[0], r[2], r[4]) for r in rows) == [
            ("c1", "ingen", 1),
            ("c1", "ingen", 2),
            ("c1", "samskaping", 1),
            ("c2", "samskaping", 1),
        ]

    def test_a_case_has_at_most_two_rounds_and_none_after_its_key(self, store, room):
        code, key = room["code"], room["key"]
        assert store.start_round(code, key, "c1") == 2
        version = store.state(code).version
        with pytest.raises(RoundLimit) as exc:
            store.start_round(code, key, "c1")
        assert exc.value.key == "round_limit"
        store.reveal(code, key, "c1")  # the key after the re-vote: fine
        store.reveal(code, key, "c2")
        with pytest.raises(RoundLimit):
            store.start_round(code, key, "c2")  # the key would decide the re-vote
        state = store.state(code)
        assert state.rounds == {"c1": 2} and state.version > version
        assert state.revealed == frozenset({"c1", "c2"})
        with pytest.raises(InvalidAnswer):
            store.start_round(code, key, "x1")

    def test_show_case_sends_every_phone_to_it(self, store, room):
        code, key = room["code"], room["key"]
        assert store.state(code).current_case is None
        v0 = store.state(code).version
        store.show_case(code, key, "c3")
        state = store.state(code)
        assert state.current_case == "c3" and state.version > v0
        assert store.state_version(code) == (state.version, True)
        store.show_case(code, key, None)
        assert store.state(code).current_case is None
        assert store.state(code).version > state.version
        for wrong in ("x1", "c99", "c" * 81):
            with pytest.raises(StoreError):
                store.show_case(code, key, wrong)
        assert store.state(code).current_case is None
        assert store.state(room["other"]).current_case is None

    def test_answers_do_not_change_the_state_version(self, store, room):
        code, (a, _b) = room["code"], room["tokens"]
        version = store.state_version(code)
        store.submit(code, a, "c1", S1)
        store.join(code)
        assert store.state_version(code) == version

    # -- idle sessions close by themselves

    def test_an_idle_session_closes(self, db_url):
        clock = FakeClock()
        with Store(db_url, idle_timeout=timedelta(minutes=30), clock=clock) as store:
            made = store.create_session(CASES)
            code = made.code
            token = store.join(code).token
            clock.advance(minutes=29)
            assert store.state(code).open
            store.submit(code, token, "c1", S1)  # activity: the clock starts again
            clock.advance(minutes=29)
            assert store.session_info(code).open
            store.join(code, token)
            clock.advance(minutes=29)
            assert store.state(code).open
            clock.advance(minutes=2)
            assert store.state(code).open is False
            assert store.state_version(code)[1] is False
            assert store.session_info(code).open is False
            with pytest.raises(SessionClosed):
                store.join(code)
            with pytest.raises(SessionClosed):
                store.join(code, token)
            with pytest.raises(SessionClosed):
                store.submit(code, token, "c2", S1)
            assert store.counts(code)["c1"].answers == 1  # still readable
            assert [s.open for s in store.owned_sessions([(code, made.key)])] == [False]
            store.close_session(code, made.key)  # ending it by hand still works
            assert store.session_info(code).closed_at is not None

    def test_idle_timeout_comes_from_the_environment(self, db_url, monkeypatch):
        monkeypatch.setenv("KIT_SESSION_IDLE_HOURS", "2")
        clock = FakeClock()
        with Store(db_url, clock=clock) as store:
            assert store.idle_timeout == timedelta(hours=2)
            code = store.create_session(CASES).code
            clock.advance(hours=1, minutes=59)
            assert store.state(code).open
            clock.advance(minutes=2)
            assert not store.state(code).open

    # -- refusals

    @pytest.mark.parametrize(
        ("change", "key"), [row[1:] for row in INVALID_SUBMITS], ids=[r[0] for r in INVALID_SUBMITS]
    )
    def test_submit_refusals(self, store, room, change, key):
        args = {
            "code": room["code"],
            "token": room["tokens"][0],
            "case_id": "c1",
            "answer": S1,
        }
        args.update(change)
        if args["code"] == "unknown":
            args["code"] = other_code(room["code"], room["other"], room["closed"])
        elif args["code"] == "closed":
            args["code"] = room["closed"]
        if args["token"] == "other":
            args["token"] = room["other_token"]
        with pytest.raises(StoreError) as exc:
            store.submit(**args)
        assert exc.value.key == key
        assert store.revision(room["code"])[:2] == (0, 0)
        assert store.revision(room["other"])[:2] == (0, 0)
        store.submit(room["code"], room["tokens"][0], "c1", S1)  # positive control
        assert store.revision(room["code"])[:2] == (1, 1)

    @pytest.mark.parametrize(
        ("code", "key"),
        [("unknown", "unknown_code"), ("ACD", "unknown_code"), ("B" * 6, "unknown_code")]
        + [("", "unknown_code"), (None, "unknown_code"), (123456, "unknown_code")]
        + [("ACDEFGH", "too_long"), ("closed", "session_closed")],
    )
    def test_join_refusals(self, store, room, code, key):
        code = {"unknown": other_code(room["code"]), "closed": room["closed"]}.get(code, code)
        with pytest.raises(StoreError) as exc:
            store.join(code)
        assert exc.value.key == key

    def test_join_accepts_a_code_as_people_type_it(self, store, room):
        code = room["code"]
        typed = f"  {code[:3].lower()}-{code[3:].lower()} "
        token = store.join(typed).token
        store.submit(typed, token, "c1", S1)
        assert store.participant_count(code) == 3

    @pytest.mark.parametrize(
        "reader",
        [
            "session_info",
            "session_cases",
            "counts",
            "results",
            "answers",
            "state",
            "state_version",
            "revealed",
            "participant_count",
            "revision",
        ],
    )
    def test_readers_refuse_an_unknown_code(self, store, room, reader):
        with pytest.raises(StoreError) as exc:
            getattr(store, reader)(other_code(room["code"], room["other"], room["closed"]))
        assert exc.value.key == "unknown_code"

    def test_rate_limit_is_counted_in_the_database(self, db_url):
        clock = FakeClock()
        with (
            Store(db_url, rate_limit=(3, 10), clock=clock) as kernel_a,
            Store(db_url, rate_limit=(3, 10), clock=clock) as kernel_b,
        ):
            code = kernel_a.create_session(CASES).code
            token, other = kernel_a.join(code).token, kernel_b.join(code).token
            kernel_a.submit(code, token, "c1", S1)
            kernel_b.submit(code, token, "c2", S1)  # another process, same count
            clock.advance(9)
            kernel_a.submit(code, token, "c3", S1)
            with pytest.raises(StoreError) as exc:
                kernel_b.submit(code, token, "c4", S1)
            assert exc.value.key == "rate_limited"
            kernel_b.submit(code, other, "c4", S1)  # others are not held back
            clock.advance(1)  # a new window
            kernel_b.submit(code, token, "c4", S1)
            assert kernel_a.counts(code)["c4"].answers == 2

    def test_default_rate_limit_trips_past_30_in_10_seconds(self, db_url):
        with Store(db_url, clock=FakeClock()) as store:
            code = store.create_session(CASES).code
            token = store.join(code).token
            for i in range(30):
                store.submit(code, token, CASES[i % 4].id, S1)
            with pytest.raises(StoreError) as exc:
                store.submit(code, token, "c1", NONE)
            assert exc.value.key == "rate_limited"
            assert store.counts(code)["c1"].by_answer == {S1: 1}

    # -- codes

    def test_join_codes_use_the_alphabet_and_are_unique(self, store):
        assert not set(LOOK_ALIKES) & set(CODE_ALPHABET)
        assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 23
        codes = [store.create_session(CASES[:1]).code for _ in range(150)]
        assert len(set(codes)) == len(codes)
        for code in codes:
            assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)

    def test_a_taken_code_is_drawn_again(self, store, monkeypatch):
        taken = store.create_session(CASES).code
        fresh = other_code(taken)
        draws = iter([taken, taken, fresh])
        monkeypatch.setattr(kit.live.store, "new_code", lambda: next(draws))
        made = store.create_session(CASES)
        assert made.code == fresh
        assert len(store.session_cases(taken)) == len(store.session_cases(fresh)) == 4
        assert store.owns(fresh, made.key) and not store.owns(taken, made.key)

    # -- cases travel between processes

    def test_session_cases_round_trip(self, db_url):
        cases = (
            make_case("c1", domain="eldreomsorg", pair="c2"),
            make_case("c2", "ingen", None, domain="", pair="c1"),
            Case(
                id="hostile-" + "x" * 72,  # exactly 80 characters
                title=Text(HOSTILE, en=HOSTILE, nn=HOSTILE),
                text=Text("Bare bokmål"),
                process="verdisamskaping",
                level=3,
                explanation=Text(HOSTILE * 50),
                domain=HOSTILE,
            ),
        )
        with Store(db_url) as presenter:
            code = presenter.create_session(cases).code
        with Store(db_url) as server:  # another process: knows nothing but the code
            rebuilt = server.session_cases(code)
            assert rebuilt == cases
            assert rebuilt[0].title.nn == "Tittel c1 (nn)" and rebuilt[0].title.en == "Title c1"
            assert rebuilt[2].text.languages == ("nb",)
            assert rebuilt[2].title.get("nn") == HOSTILE
            assert rebuilt[2].explanation.nb == HOSTILE * 50
            token = server.join(code).token
            server.submit(code, token, cases[2].id, NONE)
            assert server.counts(code)[cases[2].id].answers == 1

    def test_create_session_checks_its_cases(self, store):
        with pytest.raises(ValueError):
            store.create_session([])
        with pytest.raises(ValueError):
            store.create_session([make_case("c1"), make_case("c1")])
        with pytest.raises(StoreError) as exc:
            store.create_session([make_case("c" * 81)])
        assert exc.value.key == "too_long"

    # -- schema

    def test_schema_version_recorded(self, store):
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, version FROM kit_schema")).all()
        assert [tuple(r) for r in rows] == [(1, store_schema.SCHEMA_VERSION)]
        assert store_schema.SCHEMA_VERSION == 5

    def test_newer_schema_refused(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE kit_schema SET version = version + 1"))
        with pytest.raises(SchemaTooNew) as exc:
            Store(fresh_db_url)
        assert exc.value.key == "schema_too_new"
        assert isinstance(exc.value, StoreError)
        assert "update samskaping-kit" in str(exc.value)

    def test_opening_again_keeps_the_data(self, db_url):
        with Store(db_url) as first:
            made = first.create_session(CASES)
            first.submit(made.code, first.join(made.code).token, "c1", NONE)
            first.reveal(made.code, made.key, "c2")
        with Store(db_url) as second:
            assert second.counts(made.code)["c1"].answers == 1
            assert second.revealed(made.code) == {"c2"}
            assert second.owns(made.code, made.key)

    def test_tables_hold_nothing_about_the_person(self, store):
        tables = inspect(store.engine).get_table_names()
        kit_tables = sorted(t for t in tables if t.startswith("kit_"))
        assert kit_tables == TABLES
        personal = {"ip", "addr", "address", "name", "user", "username", "email", "mail"}
        personal |= {"agent", "ua", "phone", "device", "host", "mac", "browser", "location"}
        for table in kit_tables:
            for column in inspect(store.engine).get_columns(table):
                if (table, column["name"]) in SIGNED:
                    assert column["nullable"], (table, column["name"])  # anonymous by default
                    continue
                words = set(column["name"].lower().split("_"))
                assert not words & personal, (table, column["name"])
        columns = {c["name"] for c in inspect(store.engine).get_columns("kit_participants")}
        assert columns == {"token", "session_code", "joined_at", "window_start", "window_count"}

    def test_one_answer_per_case_and_round_is_a_database_constraint(self, store):
        key = inspect(store.engine).get_pk_constraint("kit_votes")["constrained_columns"]
        assert sorted(key) == ["case_id", "participant_token", "round", "session_code"]

    def test_version_1_database_is_migrated(self, fresh_db_url):
        last_seq = build_v1_database(fresh_db_url)
        with Store(fresh_db_url, clock=lambda: V1_START + timedelta(minutes=10)) as store:
            with store.engine.connect() as conn:
                version = conn.execute(text("SELECT version FROM kit_schema")).scalar_one()
                tables = sorted(t for t in inspect(conn).get_table_names() if t.startswith("kit_"))
            assert version == store_schema.SCHEMA_VERSION == 5
            assert tables == TABLES  # kit_answers and kit_reveals are gone
            for code, lang, closed, answers, revealed in V1_SESSIONS:
                info = store.session_info(code)
                assert (info.lang, info.open) == (lang, not closed)
                stored = store.answers(code)
                assert sorted((a.case_id, a.process, a.level, a.round) for a in stored) == sorted(
                    (case_id, process, level, 1) for _tok, case_id, process, level in answers
                )
                assert all(a.answered_at.tzinfo is not None for a in stored)
                state = store.state(code)
                assert state.revealed == frozenset(revealed)
                assert state.rounds == {} and state.current_case is None
                assert store.revision(code)[:2] == (len(answers), last_seq.get(code, 0))
                assert store.participant_count(code) == len({a[0] for a in answers})
                for token in {a[0] for a in answers}:
                    mine = store.my_answers(code, token)
                    assert mine == {(c, 1): Answer(p, lv) for t, c, p, lv in answers if t == token}
            assert store.session_cases("ACDEFG") == CASES
            # the migrated open session carries on: old participants resume, answers go on
            assert store.join("ACDEFG", "a" * 32) == Joined("a" * 32, True)
            assert store.submit("ACDEFG", "a" * 32, "c3", NONE) == 1
            assert store.counts("ACDEFG")["c1"].by_answer == {S1: 1, P3: 1}
            # the sequence goes on from the old one
            assert store.revision("ACDEFG")[1] == last_seq["ACDEFG"] + 1
            # no presenter key was kept in version 1: nobody owns the old sessions
            assert not store.owns("ACDEFG", "")
        with Store(fresh_db_url) as again:  # a second open does not migrate twice
            assert len(again.answers("ACDEFG")) == 4

    def test_a_database_of_the_first_v2_code_gets_the_later_tables(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            made = store.create_session(CASES)
            with store.engine.begin() as conn:  # what the v2 code of commit 8bf2b12 wrote
                conn.execute(text("DROP TABLE kit_client_windows"))
                conn.execute(text("DROP TABLE kit_secrets"))
        with Store(fresh_db_url) as store:
            assert not store.join(made.code, client="10.1.2.3").resumed

    def test_purge_deletes_old_sessions_with_everything_in_them(self, fresh_db_url):
        clock = FakeClock()
        with Store(fresh_db_url, clock=clock) as store:
            old = store.create_session(CASES)
            token = store.join(old.code).token
            store.submit(old.code, token, "c1", NONE)
            store.reveal(old.code, old.key, "c1")
            store.start_round(old.code, old.key, "c2")
            clock.advance(days=40)
            new = store.create_session(CASES)
            store.submit(new.code, store.join(new.code).token, "c1", S1)
            assert store.purge(timedelta(days=30)) == 1
            with pytest.raises(UnknownCode):
                store.session_info(old.code)
            assert store.session_info(new.code).open
            assert store.counts(new.code)["c1"].answers == 1
            with store.engine.connect() as conn:
                for table in ("kit_votes", "kit_participants", "kit_case_state"):
                    rows = conn.execute(
                        text(f"SELECT count(*) FROM {table} WHERE session_code = :c"),
                        {"c": old.code},
                    ).scalar_one()
                    assert rows == 0, table
            assert store.purge(timedelta(days=30)) == 0

    # -- what a serving process keeps per code, and the unknown-code limit

    def test_a_purged_code_drawn_again_is_another_session_for_a_store_that_kept_it(
        self, fresh_db_url, monkeypatch
    ):
        """The serving process's store keeps a session's case ids and questions per code;
        purged by another process and drawn again, the code is the new session's."""
        clock = FakeClock()
        with Store(fresh_db_url, clock=clock) as serving, Store(fresh_db_url, clock=clock) as other:
            old = other.create_session(CASES)
            me = serving.join(old.code).token
            assert serving.submit(old.code, me, "c1", S1) == 1  # kept: c1 ... c4
            assert list(serving.results(old.code)) == ["c1", "c2", "c3", "c4"]
            clock.advance(days=40)
            assert other.purge(timedelta(days=30)) == 1
            monkeypatch.setattr(kit.live.store, "new_code", lambda: JoinCode(old.code))
            new = other.create_session([make_case("n1"), OPEN_Q])
            assert new.code == old.code
            you = serving.join(new.code).token
            assert serving.submit(new.code, you, "n1", S2) == 1
            with pytest.raises(InvalidAnswer):
                serving.submit(new.code, you, "c1", S1)
            assert list(serving.results(new.code)) == ["n1"]
            assert serving.respond(new.code, you, OPEN_Q.id, "ja") == ["ja"]
            assert list(serving.question_results(new.code)) == [OPEN_Q.id]
            assert serving.state(new.code).born == serving.session_info(new.code).created_at
            assert serving.session_items_at(new.code)[1][0].id == "n1"

    def test_holds_knows_a_participants_token_of_the_code_only(self, store, room):
        code, token = room["code"], room["tokens"][0]
        assert store.holds(code, token)
        assert not store.holds(room["other"], token)  # another session's
        assert not store.holds(code, "0" * 32)  # nobody's
        for bad in (None, 7, "not-a-token", "a" * 33):
            assert not store.holds(code, bad)
        assert not store.holds(other_code(code, room["other"]), token)  # no such session
        assert not store.holds("ZZ", token)  # not a code

    def test_unknown_codes_are_counted_per_client_across_stores(self, fresh_db_url):
        """One bucket per client for every store (server process) on the database, apart from
        the client's new participants; a window that has run out starts again."""
        clock = FakeClock()
        with (
            Store(fresh_db_url, clock=clock, join_limit=(2, 60.0)) as one,
            Store(fresh_db_url, clock=clock, join_limit=(2, 60.0)) as two,
        ):
            made = one.create_session(CASES)
            counted = [(one, two)[i % 2].count_probe("10.4.4.4", 5, 60.0) for i in range(6)]
            assert counted == [False] * 5 + [True]
            assert one.count_probe("10.4.4.4", 5, 60.0)  # still over, on either store
            assert not two.count_probe("10.4.4.5", 5, 60.0)  # another client
            one.join(made.code, client="10.4.4.4")  # its joins are counted apart
            two.join(made.code, client="10.4.4.4")
            with pytest.raises(RateLimited):
                one.join(made.code, client="10.4.4.4")
            clock.advance(seconds=61)
            assert not two.count_probe("10.4.4.4", 5, 60.0)  # a new window

    # -- the sessions one client creates (KIT_ROOMS_PER_HOUR)

    def test_the_31st_session_a_client_creates_in_an_hour_is_refused(self, fresh_db_url):
        """One bucket per client for every store on the database (a kernel each): the 31st
        creation in the hour is refused before anything is written, and not counted; another
        client, and creations that name no client, are not held back; an hour after the
        first creation the window has run out."""
        clock = FakeClock()
        with (
            Store(fresh_db_url, clock=clock, room_limit=30) as one,
            Store(fresh_db_url, clock=clock, room_limit=30) as two,
        ):
            for i in range(30):
                (one, two)[i % 2].create_session(CASES, client="10.5.5.5")
                clock.advance(minutes=1)
            written = session_count(one)
            for store in (one, two, one):
                with pytest.raises(TooManyRooms) as refused:
                    store.create_session(CASES, client="10.5.5.5")
                assert refused.value.key == "too_many_rooms"
                assert isinstance(refused.value, RateLimited)
            assert session_count(one) == written == 30  # nothing written
            two.create_session(CASES, client="10.5.5.6")  # another client
            for _ in range(5):
                one.create_session(CASES)  # no client: never counted
            clock.advance(minutes=29, seconds=59)  # the first creation was 59:59 ago
            with pytest.raises(TooManyRooms):
                two.create_session(CASES, client="10.5.5.5")
            clock.advance(seconds=1)  # an hour after the first: a new window
            for i in range(30):  # the refusals were not counted: a whole allowance again
                (one, two)[i % 2].create_session(CASES, client="10.5.5.5")
            with pytest.raises(TooManyRooms):
                one.create_session(CASES, client="10.5.5.5")
            assert session_count(one) == 30 + 1 + 5 + 30

    def test_no_room_limit_lets_a_client_create_on(self, db_url):
        """The positive control: with the limit 0 (and from a client that another store holds
        to 1) every creation goes through."""
        client = f"10.7.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        with Store(db_url, room_limit=0) as free, Store(db_url, room_limit=1) as held:
            made = [free.create_session(CASES, client=client) for _ in range(35)]
            assert len({m.code for m in made}) == 35
            held.create_session(CASES, client=client + "1")
            with pytest.raises(TooManyRooms):
                held.create_session(CASES, client=client + "1")

    def test_the_room_limit_follows_its_setting(self, db_url, monkeypatch):
        client = f"10.8.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        with Store(db_url) as store:
            monkeypatch.setenv("KIT_ROOMS_PER_HOUR", "2")  # read when a creation is counted
            for _ in range(2):
                store.create_session(CASES, client=client)
            with pytest.raises(TooManyRooms):
                store.create_session(CASES, client=client)
            monkeypatch.setenv("KIT_ROOMS_PER_HOUR", "0")
            store.create_session(CASES, client=client)
            monkeypatch.setenv("KIT_ROOMS_PER_HOUR", "many")
            with pytest.raises(StoreError) as bad:
                store.create_session(CASES, client=client)
            assert bad.value.key == "bad_setting"
            store.create_session(CASES)  # no client: the setting is not even read

    def test_a_client_key_too_long_is_refused(self, store):
        with pytest.raises(TooLong):
            store.create_session(CASES, client="x" * 129)


# The store's own bugs, kept visible (see the report that came with these tests).


def test_an_idle_session_stays_closed_after_a_presenter_action(tmp_path):
    clock = FakeClock()
    with Store(
        f"sqlite:///{tmp_path}/r.db", idle_timeout=timedelta(minutes=30), clock=clock
    ) as store:
        made = store.create_session(CASES)
        clock.advance(minutes=31)
        with pytest.raises(SessionClosed):
            store.join(made.code)  # meant to mark the session closed
        store.reveal(made.code, made.key, "c1")  # the presenter shows a key the next morning
        assert store.state(made.code).open is False
        with pytest.raises(SessionClosed):
            store.join(made.code)

    # -- questions beside the cases (schema 3)

    def test_questions_are_kept_in_the_presenters_order(self, store):
        items = (CASES[0], OPEN_Q, CASES[1], SCALE_Q, POLL_Q)
        made = store.create_session(items)
        assert store.session_items(made.code) == items
        assert store.session_cases(made.code) == (CASES[0], CASES[1])
        assert list(store.results(made.code)) == ["c1", "c2"]
        assert list(store.question_results(made.code)) == [OPEN_Q.id, SCALE_Q.id, POLL_Q.id]

    def test_a_question_id_may_not_repeat_a_case_id(self, store):
        with pytest.raises(ValueError, match="unique"):
            store.create_session([OPEN_Q, OPEN_Q])

    def test_open_answers_up_to_the_limit_scale_and_poll_replace(self, store):
        from kit.live.questions import OPEN_ENTRIES

        made = store.create_session((CASES[0], OPEN_Q, SCALE_Q, POLL_Q))
        me = store.join(made.code).token
        for i in range(OPEN_ENTRIES):
            assert len(store.respond(made.code, me, OPEN_Q.id, f"ord {i}")) == i + 1
        with pytest.raises(InvalidAnswer) as refused:
            store.respond(made.code, me, OPEN_Q.id, "one more")
        assert refused.value.key == "response_entries"
        assert store.respond(made.code, me, SCALE_Q.id, 2) == ["2"]
        assert store.respond(made.code, me, SCALE_Q.id, 5) == ["5"]
        assert store.respond(made.code, me, POLL_Q.id, 1) == ["1"]
        results = store.question_results(made.code)
        assert results[SCALE_Q.id].counts == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
        assert results[POLL_Q.id].counts == {0: 0, 1: 1}
        assert [e.value for e in results[OPEN_Q.id].entries] == ["ord 0", "ord 1", "ord 2"]
        assert store.my_responses(made.code, me) == {
            OPEN_Q.id: ["ord 0", "ord 1", "ord 2"],
            SCALE_Q.id: ["5"],
            POLL_Q.id: ["1"],
        }
        again = store.enter(made.code, me)  # a reloaded phone gets its responses back
        assert again.responses == store.my_responses(made.code, me)

    @pytest.mark.parametrize(
        ("which", "value", "reason"),
        [
            ("open", "", "empty"),
            ("open", "   ", "empty"),
            ("open", None, "empty"),
            ("open", "x" * 41, "too_long"),
            ("open", "a\u202eb", "bad_text"),
            ("scale", 0, "choose"),
            ("scale", 6, "choose"),
            ("scale", "3", "choose"),
            ("scale", True, "choose"),
            ("poll", 2, "choose"),
            ("poll", -1, "choose"),
        ],
    )
    def test_a_response_that_does_not_fit_is_refused_with_its_reason(
        self, store, which, value, reason
    ):
        question = {"open": OPEN_Q, "scale": SCALE_Q, "poll": POLL_Q}[which]
        made = store.create_session((question,))
        me = store.join(made.code).token
        with pytest.raises(InvalidAnswer) as refused:
            store.respond(made.code, me, question.id, value)
        assert refused.value.key == f"response_{reason}"
        assert store.responses(made.code) == []

    def test_a_response_to_a_case_or_an_unknown_question_is_refused(self, store):
        made = store.create_session((CASES[0], OPEN_Q))
        me = store.join(made.code).token
        for item_id in ("c1", "q-unknown"):
            with pytest.raises(InvalidAnswer):
                store.respond(made.code, me, item_id, "ord")
        with pytest.raises(InvalidAnswer):  # and a vote on a question
            store.submit(made.code, me, OPEN_Q.id, S1)
        assert store.respond(made.code, me, OPEN_Q.id, "ord") == ["ord"]  # positive control

    def test_responses_count_against_the_participants_rate_limit(self, db_url):
        with Store(db_url, rate_limit=(2, 60.0)) as store:
            made = store.create_session((SCALE_Q,))
            me = store.join(made.code).token
            store.respond(made.code, me, SCALE_Q.id, 1)
            store.respond(made.code, me, SCALE_Q.id, 2)
            with pytest.raises(RateLimited):
                store.respond(made.code, me, SCALE_Q.id, 3)

    def test_the_presenter_hides_an_open_answer_and_only_the_presenter(self, store):
        made = store.create_session((OPEN_Q,))
        me = store.join(made.code).token
        store.respond(made.code, me, OPEN_Q.id, "fint")
        store.respond(made.code, me, OPEN_Q.id, "stygt")
        ugly = store.responses(made.code)[1]
        before = store.revision(made.code)
        with pytest.raises(NotOwner):
            store.hide_response(made.code, "not-the-key", ugly.id)
        store.hide_response(made.code, made.key, ugly.id)
        assert [r.hidden for r in store.responses(made.code)] == [False, True]
        assert store.revision(made.code) != before  # dashboards redraw
        store.hide_response(made.code, made.key, ugly.id, hidden=False)
        assert [r.hidden for r in store.responses(made.code)] == [False, False]
        other = store.create_session((OPEN_Q,))
        with pytest.raises(InvalidAnswer):  # another session's answer is not this one's
            store.hide_response(other.code, other.key, ugly.id)

    def test_settings_are_the_presenters_and_bounded(self, store):
        made = store.create_session((OPEN_Q,))
        assert store.settings(made.code) == {}
        version = store.state(made.code).version
        assert store.change_settings(made.code, made.key, banned=["dust"]) == {"banned": ["dust"]}
        store.change_settings(made.code, made.key, results=True)
        assert store.settings(made.code) == {"banned": ["dust"], "results": True}
        assert store.state(made.code).version > version  # screens following the room see it
        with pytest.raises(NotOwner):
            store.change_settings(made.code, "wrong", results=False)
        with pytest.raises(TooLong):
            store.change_settings(made.code, made.key, banned=["x" * 40] * 300)
        assert store.settings(made.code)["results"] is True

    def test_a_question_is_shown_and_revealed_but_never_revoted(self, store):
        made = store.create_session((CASES[0], OPEN_Q))
        store.show_case(made.code, made.key, OPEN_Q.id)
        store.reveal(made.code, made.key, OPEN_Q.id)
        state = store.state(made.code)
        assert state.current_case == OPEN_Q.id and OPEN_Q.id in state.revealed
        with pytest.raises(RoundLimit):
            store.start_round(made.code, made.key, OPEN_Q.id)
        assert store.start_round(made.code, made.key, "c1") == 2  # a case still can

    def test_purge_takes_the_responses_too(self, db_url):
        clock = FakeClock()
        with Store(db_url, clock=clock) as store:
            made = store.create_session((OPEN_Q,))
            me = store.join(made.code).token
            store.respond(made.code, me, OPEN_Q.id, "borte")
            clock.advance(days=40)
            assert store.purge(timedelta(days=30)) >= 1
            with store.engine.connect() as conn:
                left = conn.execute(text("SELECT count(*) FROM kit_responses")).scalar_one()
            assert left == 0

    def test_a_version_2_database_gets_questions(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            made = store.create_session(CASES)
            me = store.join(made.code).token
            store.submit(made.code, me, "c1", S1)
            with store.engine.begin() as conn:  # as the version 2 code left it
                conn.execute(text("DROP TABLE kit_responses"))
                conn.execute(text("ALTER TABLE kit_sessions DROP COLUMN settings"))
                conn.execute(text("UPDATE kit_schema SET version = 2"))
        with Store(fresh_db_url) as store:
            with store.engine.connect() as conn:
                version = conn.execute(text("SELECT version FROM kit_schema")).scalar_one()
                assert version == store_schema.SCHEMA_VERSION
            assert store.counts(made.code)["c1"].answers == 1
            assert store.settings(made.code) == {}
            asked = store.create_session((OPEN_Q,))
            me = store.join(asked.code).token
            assert store.respond(asked.code, me, OPEN_Q.id, "ja") == ["ja"]


class TestSQLiteStore(StoreBehaviour):
    @pytest.fixture
    def db_url(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path}/r.db"

    @pytest.fixture
    def fresh_db_url(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path}/fresh.db"


# ------------------------------------------------------------------------- SQLite specifics


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ACDEFG", "ACDEFG"),
        (" acdefg\n", "ACDEFG"),
        ("acd-efg", "ACDEFG"),
        ("ACD EFG", "ACDEFG"),
        ("ACD\u2013EFG", "ACDEFG"),  # en dash, as phones like to "correct"
        ("ACD_EFG", "ACDEFG"),
        ("3 4 6 7 9 x", "34679X"),
    ],
)
def test_join_code_parse(typed, code):
    parsed = JoinCode.parse(typed)
    assert parsed == code and type(parsed) is JoinCode
    assert JoinCode.parse(parsed) is parsed  # parsed once: a JoinCode passes through as it is


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ACDEF0", "unknown_code"),
        ("ACDEFO", "unknown_code"),  # O is not mapped to anything: refused
        ("acdefs", "unknown_code"),
        ("ACDEF", "unknown_code"),
        ("", "unknown_code"),
        ("ÅCDEFG", "unknown_code"),
        ("ＡＣＤＥＦＧ", "unknown_code"),  # full-width letters
        (None, "unknown_code"),
        ("ACDEFGH", "too_long"),
        ("A" * 65, "too_long"),
    ],
)
def test_normalize_code_refuses(typed, key):
    with pytest.raises(StoreError) as exc:
        JoinCode.parse(typed)
    assert exc.value.key == key


@pytest.mark.parametrize(("raw", "hours"), [("", 12), ("2", 2), (" 0.5 ", 0.5)])
def test_idle_timeout_default(monkeypatch, raw, hours):
    monkeypatch.setenv("KIT_SESSION_IDLE_HOURS", raw)
    assert kit.live.store.idle_timeout_default() == timedelta(hours=hours)


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "nan"])
def test_a_bad_idle_timeout_is_refused_by_name(tmp_path, monkeypatch, raw):
    """Not a silent 12 hours: the store refuses, and the message names the setting."""
    monkeypatch.setenv("KIT_SESSION_IDLE_HOURS", raw)
    with pytest.raises(StoreError) as exc:
        Store(f"sqlite:///{tmp_path / 'answers.sqlite3'}")
    assert exc.value.key == "bad_setting"
    assert "KIT_SESSION_IDLE_HOURS" in str(exc.value)
    with Store(f"sqlite:///{tmp_path / 'answers.sqlite3'}", idle_timeout=timedelta(hours=1)):
        pass  # a timeout given in code needs no setting


def test_a_bad_kit_db_url_is_a_bad_url(monkeypatch):
    monkeypatch.setenv("KIT_DB_URL", "mysql://localhost/kit")
    with pytest.raises(StoreError) as exc:
        Store()
    assert exc.value.key == "store_bad_url"


def test_default_location_is_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DB_URL", raising=False)
    monkeypatch.setenv("KIT_DATA_HOME", str(tmp_path / "data"))
    with Store() as store:
        store.create_session(CASES)
    assert (tmp_path / "data" / "responses.sqlite3").is_file()


def test_default_folder_is_per_user(monkeypatch):
    import platformdirs

    monkeypatch.delenv("KIT_DB_URL", raising=False)
    monkeypatch.delenv("KIT_DATA_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: "/nonexistent/x")
    monkeypatch.setattr(store_schema.Path, "mkdir", lambda *a, **k: None)
    assert store_schema.default_url() == "sqlite:////nonexistent/x/responses.sqlite3"


def test_kit_db_url_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("KIT_DB_URL", f"sqlite:///{tmp_path}/elsewhere.db")
    with Store() as store:
        store.create_session(CASES)
    assert (tmp_path / "elsewhere.db").is_file()
    assert not (tmp_path / "data").exists()


def test_every_connection_is_tuned_for_many_processes(tmp_path):
    with Store(f"sqlite:///{tmp_path}/r.db") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_writer_waits_for_the_lock_instead_of_failing(tmp_path):
    path = tmp_path / "r.db"
    with Store(f"sqlite:///{path}") as store:
        code = store.create_session(CASES).code
        token = store.join(code).token
        blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        threading.Timer(0.7, blocker.commit).start()
        started = time.monotonic()
        store.submit(code, token, "c1", S1)
        assert time.monotonic() - started >= 0.5
        blocker.close()
        assert store.revision(code)[:2] == (1, 1)


def test_a_lock_held_past_every_retry_is_store_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(store_schema, "BUSY_TIMEOUT_MS", 20)
    path = tmp_path / "r.db"
    with Store(f"sqlite:///{path}") as store:
        code = store.create_session(CASES).code
        token = store.join(code).token
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusy) as exc:
                store.submit(code, token, "c1", S1)
            assert exc.value.key == "store_busy"
        finally:
            blocker.rollback()
            blocker.close()
        store.submit(code, token, "c1", S1)  # the lock is gone: it works again
        assert store.revision(code)[:2] == (1, 1)


def test_in_memory_url_works_for_a_single_process():
    with Store("sqlite://") as store:
        code = store.create_session(CASES).code
        store.submit(code, store.join(code).token, "c1", S1)
        assert store.revision(code) == (1, 1, 1, 0)


def test_unsupported_backend_is_refused():
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        store_schema.make_engine("mysql://u:p@localhost/db")


@pytest.mark.parametrize(
    "url", ["mysql://u:p@localhost/db", "not a url", "postgresql+nodriver://h/d"]
)
def test_store_with_a_bad_url_is_a_store_error(url):
    with pytest.raises(StoreError):
        Store(url)


def test_plain_postgresql_url_uses_psycopg3():
    pytest.importorskip("psycopg", reason="psycopg is not installed (./run test installs it)")
    engine = store_schema.make_engine("postgresql://kit:kit@127.0.0.1:1/none")
    assert engine.dialect.driver == "psycopg"
    assert engine.pool.size() == 1  # one connection per kernel
    engine.dispose()
    shared = store_schema.make_engine("postgresql://kit:kit@127.0.0.1:1/none", shared=True)
    assert shared.pool.size() == 8  # a server process answering many phones
    shared.dispose()


def test_unreachable_postgresql_is_store_unavailable():
    pytest.importorskip("psycopg", reason="psycopg is not installed (./run test installs it)")
    with pytest.raises(StoreUnavailable):
        Store("postgresql+psycopg://kit:kit@127.0.0.1:1/none?connect_timeout=2")


def _locked() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


def test_retry_after_a_lock_then_success(monkeypatch):
    monkeypatch.setattr(store_schema.time, "sleep", lambda s: None)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "ok"

    assert store_schema.with_retry(flaky) == "ok"
    assert len(calls) == 3


def test_retry_gives_up_with_store_busy(monkeypatch):
    delays = []
    monkeypatch.setattr(store_schema.time, "sleep", delays.append)

    def always_locked():
        raise _locked()

    with pytest.raises(StoreBusy) as exc:
        store_schema.with_retry(always_locked, attempts=4, on_give_up=lambda e: StoreBusy(str(e)))
    assert exc.value.key == "store_busy"
    assert len(delays) == 3 and all(d >= 0 for d in delays)


def test_retry_stops_after_its_time_budget(monkeypatch):
    """No new attempt after ``budget`` seconds: a phone must not hang for minutes."""
    ticks = iter(range(0, 1000, 10))  # every look at the clock is 10 s later
    monkeypatch.setattr(store_schema.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(store_schema.time, "sleep", lambda s: None)
    calls = []

    def always_locked():
        calls.append(1)
        raise _locked()

    with pytest.raises(OperationalError):
        store_schema.with_retry(always_locked, attempts=100, budget=15)
    assert len(calls) == 2


def test_other_database_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(store_schema.time, "sleep", lambda s: pytest.fail("retried"))

    def broken():
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    with pytest.raises(OperationalError):
        store_schema.with_retry(broken)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("attempt to write a readonly database", StoreReadOnly),
        ("cannot execute INSERT in a read-only transaction", StoreReadOnly),
        ("unable to open database file", StoreUnavailable),
        ("file is not a database", StoreUnavailable),
        ("connection refused", StoreUnavailable),
    ],
)
def test_failures_are_named(message, kind):
    exc = OperationalError("X", {}, sqlite3.OperationalError(message))
    assert isinstance(kit.live.store.failure(exc), kind)


def test_store_module_loads_no_pandas():
    """What the store loads at run time, its libraries' imports included (that it imports no UI
    library is an import contract in pyproject.toml, checked by ./run lint-imports)."""
    code = "import sys, kit.live.store; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_store_files_open_with_plain_sqlite(tmp_path):
    """A course leader can inspect the file with any SQLite tool."""
    with Store(f"sqlite:///{tmp_path}/r.db") as store:
        made = store.create_session(CASES)
        token = store.join(made.code).token
        store.submit(made.code, token, "c1", S2)
        store.start_round(made.code, made.key, "c1")
        store.submit(made.code, token, "c1", NONE)
        store.reveal(made.code, made.key, "c1")
    conn = sqlite3.connect(tmp_path / "r.db")
    try:
        rows = conn.execute(
            "SELECT case_id, round, process, level FROM kit_votes ORDER BY round"
        ).fetchall()
        states = conn.execute("SELECT case_id, round FROM kit_case_state").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert rows == [("c1", 1, "samskaping", 2), ("c1", 2, "ingen", None)]
    assert states == [("c1", 2)]


# -------------------------------------------------------------------- files and failures


def _modes(folder) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


def test_a_new_sqlite_file_is_private(tmp_path):
    old = os.umask(0)  # even with the loosest umask
    try:
        with Store(f"sqlite:///{tmp_path}/r.db") as store:
            made = store.create_session(CASES)
            with store.engine.connect() as conn:  # hold a connection: -wal and -shm exist
                conn.exec_driver_sql("SELECT count(*) FROM kit_sessions").scalar()
                store.join(made.code)
                modes = _modes(tmp_path)
    finally:
        os.umask(old)
    assert modes["r.db"] == 0o600
    assert {"r.db-wal", "r.db-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "r.db"
    with Store(f"sqlite:///{path}"):
        pass
    path.chmod(0o640)  # the course leader shared it with a group on purpose
    with Store(f"sqlite:///{path}") as store:
        store.create_session(CASES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_presenter_key_is_not_in_the_database_file(tmp_path):
    path = tmp_path / "r.db"
    keys = []
    with Store(f"sqlite:///{path}") as store:
        for _ in range(3):
            made = store.create_session(CASES)
            keys.append(made.key)
            store.reveal(made.code, made.key, "c1")
            store.start_round(made.code, made.key, "c2")
            store.show_case(made.code, made.key, "c2")
            assert store.owns(made.code, made.key)
        with store.engine.connect() as conn:  # the write-ahead log too, while it exists
            conn.exec_driver_sql("SELECT 1").scalar()
            raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    raw += path.read_bytes()
    for key in keys:
        assert key.encode() not in raw
        assert key_hash(key).encode() in raw  # positive control: we read the right bytes


def _bad_databases(tmp_path) -> dict[str, tuple[str, type]]:
    """name -> (URL, the StoreError it must give at open or at the first write)."""
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    good = tmp_path / "good.sqlite3"
    with Store(f"sqlite:///{good}") as store:
        store.create_session(CASES)
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    return {
        "missing folder": (f"sqlite:///{tmp_path}/no/such/folder/r.db", StoreUnavailable),
        "a folder, not a file": (f"sqlite:///{tmp_path}", StoreUnavailable),
        "not a database": (f"sqlite:///{junk}", StoreUnavailable),
        "read-only file": (f"sqlite:///file:{good}?mode=ro&uri=true", StoreReadOnly),
        "read-only empty file": (f"sqlite:///file:{empty}?mode=ro&uri=true", StoreReadOnly),
    }


BAD_DB_NAMES = [
    "missing folder",
    "a folder, not a file",
    "not a database",
    "read-only file",
    "read-only empty file",
]


@pytest.mark.parametrize("name", BAD_DB_NAMES)
def test_a_bad_database_is_a_store_error(tmp_path, name):
    url, kind = _bad_databases(tmp_path)[name]
    with pytest.raises(StoreError) as exc:
        with Store(url) as store:
            store.create_session(CASES)
    # a read-only file may already fail to open (SQLite cannot set it up) or at the first write
    accepted = (StoreReadOnly, StoreUnavailable) if kind is StoreReadOnly else kind
    assert isinstance(exc.value, accepted), repr(exc.value)
    assert not (tmp_path / "no").exists()  # a missing folder is not made


def test_a_read_only_database_can_still_be_read(tmp_path):
    path = tmp_path / "r.db"
    with Store(f"sqlite:///{path}") as store:
        made = store.create_session(CASES)
        token = store.join(made.code).token
        store.submit(made.code, token, "c1", S1)
    with Store(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        assert store.counts(made.code)["c1"].answers == 1
        for write in (
            lambda: store.join(made.code),
            lambda: store.submit(made.code, token, "c2", S1),
            lambda: store.reveal(made.code, made.key, "c1"),
        ):
            with pytest.raises(StoreReadOnly) as exc:
                write()
            assert exc.value.key == "store_read_only"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files anyway")
def test_a_read_only_file_by_permissions(tmp_path):  # pragma: no cover - not as root
    path = tmp_path / "r.db"
    with Store(f"sqlite:///{path}") as store:
        code = store.create_session(CASES).code
    path.chmod(0o400)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises((StoreReadOnly, StoreUnavailable)):
            with Store(f"sqlite:///{path}") as store:
                store.join(code)
    finally:
        tmp_path.chmod(0o700)


# ------------------------------------------------------------------------ the command line


@pytest.fixture
def no_exec(monkeypatch):
    """``samskaping serve`` must stop before it replaces itself with Voilà."""
    from kit.server import cli

    calls = []

    def fake_execve(path, argv, env):
        calls.append((argv, env))
        raise SystemExit("execve")

    monkeypatch.setattr(cli.os, "execve", fake_execve)
    monkeypatch.setattr(cli, "_prepare_charts", lambda lang: None)
    monkeypatch.setenv("KIT_LANG", "en")
    return calls


@pytest.mark.parametrize(
    "name",
    BAD_DB_NAMES,
)
def test_serve_refuses_a_bad_database_with_one_line(tmp_path, capsys, no_exec, name):
    from kit.core.i18n import t
    from kit.server.cli import main
    from tests.conftest import free_port

    url, _kind = _bad_databases(tmp_path)[name]
    code = main(["serve", "--db", url, "--no-browser", "--port", str(free_port())])
    out, err = capsys.readouterr()
    assert code == 2
    assert no_exec == []  # no server started
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "sqlalchemy" not in err.lower()
    prefix = t("cli_db_failed", "en", reason="")
    assert lines[0].startswith(prefix) and len(lines[0]) > len(prefix) + 10
    assert out == ""


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/db", "not a url"])
def test_serve_refuses_a_malformed_url_with_one_line(capsys, no_exec, url):
    from kit.server.cli import main
    from tests.conftest import free_port

    assert main(["serve", "--db", url, "--no-browser", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert no_exec == [] and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_serve_with_a_good_database_goes_on_to_voila(tmp_path, capsys, no_exec):
    """Positive control: the exit 2 above comes from the database check."""
    from kit.server.cli import main
    from tests.conftest import free_port

    url = f"sqlite:///{tmp_path}/r.db"
    with pytest.raises(SystemExit, match="execve"):
        main(["serve", "--db", url, "--no-browser", "--port", str(free_port())])
    [(argv, env)] = no_exec
    assert env["KIT_DB_URL"] == url
    assert "kit.server.app" in argv
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", BAD_DB_NAMES)
def test_purge_answers_with_a_bad_database_prints_a_message(tmp_path, capsys, name, monkeypatch):
    from kit.core.i18n import texts
    from kit.server.cli import main

    monkeypatch.setenv("KIT_LANG", "en")
    url, _kind = _bad_databases(tmp_path)[name]
    # --days 0: the session in the read-only file is old enough, so purging must write
    code = main(["purge-answers", "--days", "0", "--db", url])
    err = capsys.readouterr().err
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    known = {text for key, text in texts("en").items() if key.startswith("live_err_")}
    assert lines[0] in known


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/db", "not a url"])
def test_purge_answers_with_a_malformed_url_prints_a_message(capsys, monkeypatch, url):
    from kit.server.cli import main

    monkeypatch.setenv("KIT_LANG", "en")
    assert main(["purge-answers", "--days", "30", "--db", url]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_purge_answers_through_the_command_line(tmp_path, capsys, monkeypatch):
    from kit.core.i18n import t
    from kit.server.cli import main

    monkeypatch.setenv("KIT_LANG", "en")
    now = [datetime.now(timezone.utc) - timedelta(days=40)]
    url = f"sqlite:///{tmp_path}/purge.db"
    with Store(url, clock=lambda: now[0]) as store:
        old = store.create_session(CASES)
        store.submit(old.code, store.join(old.code).token, "c1", NONE)
        now[0] = datetime.now(timezone.utc)
        new = store.create_session(CASES)
    assert main(["purge-answers", "--days", "30", "--db", url]) == 0
    assert capsys.readouterr().out.strip().splitlines() == [
        t("cli_purged", "en", n=1, days=30),
        t("workshop_cli_purged", "en", n=0, days=30),
    ]
    with Store(url) as store:
        with pytest.raises(UnknownCode):
            store.session_info(old.code)
        assert store.session_info(new.code).open
    assert main(["purge-answers", "--days", "0", "--db", url]) == 0
    with Store(url) as store:
        with pytest.raises(UnknownCode):
            store.session_info(new.code)
    assert main(["purge-answers", "--days", "-1", "--db", url]) == 2
    conn = sqlite3.connect(tmp_path / "purge.db")
    try:
        assert conn.execute("SELECT count(*) FROM kit_votes").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM kit_participants").fetchone() == (0,)
    finally:
        conn.close()


# --------------------------------------------------------------- the join limit per client


def test_join_limit_is_shared_by_every_store_on_one_database(tmp_path):
    """Two server processes (two Store objects) count one client's new participants together;
    a client over the limit still comes back as itself; another client is not affected."""
    url = f"sqlite:///{tmp_path}/r.db"
    clock = FakeClock()
    with (
        Store(url, join_limit=(4, 60.0), clock=clock) as one,
        Store(url, join_limit=(4, 60.0), clock=clock) as two,
    ):
        made = one.create_session(CASES)
        first = one.join(made.code, client="10.1.2.3")
        for store in (two, one, two):
            store.join(made.code, client="10.1.2.3")
        for store in (one, two):
            with pytest.raises(RateLimited):
                store.join(made.code, client="10.1.2.3")
        assert two.join(made.code, first.token, client="10.1.2.3") == Joined(first.token, True)
        assert not one.join(made.code, client="10.9.9.9").resumed  # positive control
        assert one.participant_count(made.code) == 5
        clock.advance(seconds=61)
        assert not two.join(made.code, client="10.1.2.3").resumed  # a new window
    raw = (tmp_path / "r.db").read_bytes()
    assert b"10.1.2.3" not in raw and b"10.9.9.9" not in raw  # only salted hashes are kept


def test_a_join_window_starts_again_when_the_clock_goes_back(tmp_path):
    """The counter (one upsert) restarts a window that lies in the future, as after a clock
    set back; the full window before it is what refuses the third join."""
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(2, 60.0), clock=clock) as store:
        made = store.create_session(CASES)
        store.join(made.code, client="10.1.2.3")
        store.join(made.code, client="10.1.2.3")
        with pytest.raises(RateLimited):
            store.join(made.code, client="10.1.2.3")
        clock.advance(seconds=-120)
        store.join(made.code, client="10.1.2.3")
        store.join(made.code, client="10.1.2.3")
        with pytest.raises(RateLimited):  # the new window counts from 1 again
            store.join(made.code, client="10.1.2.3")
        assert store.participant_count(made.code) == 4


def test_a_refused_join_is_not_counted(tmp_path):
    """Over the limit, the attempt is not counted: when the window has run out the
    client gets its full allowance again, not what the refusals left."""
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(2, 60.0), clock=clock) as store:
        made = store.create_session(CASES)
        for _ in range(2):
            store.join(made.code, client="10.1.2.3")
        for _ in range(5):
            with pytest.raises(RateLimited):
                store.join(made.code, client="10.1.2.3")
        with store.engine.connect() as conn:
            counted = conn.execute(store_schema.client_windows.select()).one()
        assert counted.joins == 2


def test_client_windows_long_run_out_are_swept(tmp_path):
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(30, 60.0), clock=clock) as store:
        made = store.create_session(CASES, lang="nb")
        for i in range(5):
            store.join(made.code, client=f"10.0.0.{i}")
        clock.advance(minutes=6)
        store.join(made.code, client="10.0.1.1")
        with store.engine.connect() as conn:
            left = conn.execute(store_schema.client_windows.select()).all()
        assert len(left) == 1  # the five old windows are gone, the new one is there


def test_a_sweep_of_join_windows_leaves_the_room_counters_of_the_hour(tmp_path):
    """Joins sweep the counters older than five of their windows (minutes); a client's count of
    created sessions lives an hour, so it is left until then, and goes after."""
    clock = FakeClock()
    url = f"sqlite:///{tmp_path}/r.db"
    with Store(url, join_limit=(30, 60.0), room_limit=2, clock=clock) as store:
        made = store.create_session(CASES, client="10.3.3.3")
        store.create_session(CASES, client="10.3.3.3")
        store.join(made.code, client="10.0.0.1")
        clock.advance(minutes=6)
        store.join(made.code, client="10.0.1.1")  # sweeps the join of six minutes ago
        with store.engine.connect() as conn:
            left = conn.execute(store_schema.client_windows.select()).all()
        assert len(left) == 2 and sum(r.client.startswith("r") for r in left) == 1
        with pytest.raises(TooManyRooms):  # still counted
            store.create_session(CASES, client="10.3.3.3")
        clock.advance(minutes=55)
        store.join(made.code, client="10.0.2.1")  # an hour and a minute after: swept
        with store.engine.connect() as conn:
            left = conn.execute(store_schema.client_windows.select()).all()
        assert [r.client.startswith("r") for r in left] == [False]
        store.create_session(CASES, client="10.3.3.3")
        kept = store.room_client("10.3.3.3")
    raw = (tmp_path / "r.db").read_bytes()
    assert b"10.3.3.3" not in raw  # only a salted hash of the address is kept ...
    assert kept is not None and kept.encode() in raw  # ... which the file's bytes do show


def session_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(store_schema.sessions)).scalar_one()


def last_active(store: Store, code: str) -> datetime:
    with store.engine.connect() as conn:
        table = store_schema.sessions
        return conn.execute(
            table.select().with_only_columns(table.c.last_active).where(table.c.code == code)
        ).scalar_one()


def test_joins_in_a_burst_write_the_activity_time_once_a_minute(tmp_path):
    """A join within TOUCH_EVERY of the last recorded activity leaves it; a later one moves
    it, so the idle clock stays at most a minute behind and a session in use stays open."""
    clock = FakeClock()
    idle = timedelta(hours=1)
    with Store(f"sqlite:///{tmp_path}/r.db", clock=clock, idle_timeout=idle) as store:
        made = store.create_session(CASES)
        started = last_active(store, made.code)
        clock.advance(seconds=30)
        store.join(made.code)
        assert last_active(store, made.code) == started
        clock.advance(seconds=31)
        store.join(made.code)
        assert last_active(store, made.code) == clock.now
        clock.advance(minutes=59, seconds=30)
        store.join(made.code)  # 59.5 minutes after the last recorded activity: still open
        clock.advance(minutes=59, seconds=30)
        assert store.state(made.code).open


def test_joins_without_a_client_are_not_limited(tmp_path):
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(2, 60.0)) as store:
        made = store.create_session(CASES)
        for _ in range(5):
            store.join(made.code)
        assert store.participant_count(made.code) == 5


# --------------------------------------------------------------- joins written together


def test_joins_written_together_each_get_their_own_answer(tmp_path):
    """enter_many: a room's burst in one transaction. In order, each join gets what it entered
    or why it was refused; a refusal (an unknown or closed code, a client over its limit) holds
    back no other join of the batch, and is not written or counted."""
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(2, 60.0), clock=clock) as store:
        room = store.create_session(CASES)
        other = store.create_session(CASES)
        closed = store.create_session(CASES)
        store.close_session(closed.code, closed.key)
        back = store.join(room.code)
        store.submit(room.code, back.token, CASES[0].id, Answer("samskaping", 2))
        results = store.enter_many(
            [
                (room.code, None, "10.0.0.1"),
                (room.code, back.token, None),  # a phone coming back, with its answer
                ("ZZZZZZ", None, "10.0.0.2"),  # no such session
                (closed.code, None, "10.0.0.3"),
                (other.code, None, "10.0.0.1"),  # the client's second new participant
                (room.code, None, "10.0.0.1"),  # and its third: over the limit of 2
                (room.code, "not-a-token", None),  # a malformed token: a new participant
            ]
        )
        kinds = [type(r).__name__ for r in results]
        assert kinds == [
            "Entered",
            "Entered",
            "UnknownCode",
            "SessionClosed",
            "Entered",
            "RateLimited",
            "Entered",
        ]
        assert results[1].joined == Joined(back.token, True)
        assert results[1].answers == {(CASES[0].id, 1): Answer("samskaping", 2)}
        assert not results[0].joined.resumed and not results[6].joined.resumed
        tokens = {results[i].joined.token for i in (0, 4, 6)}
        assert len(tokens) == 3 and back.token not in tokens
        assert results[0].state == store.state(room.code)
        assert store.participant_count(room.code) == 3  # back, the first new one, the last
        assert store.participant_count(other.code) == 1
        assert store.participant_count(closed.code) == 0
        with store.engine.connect() as conn:
            counted = conn.execute(store_schema.client_windows.select()).all()
        assert sorted(row.joins for row in counted) == [2]  # 10.0.0.1's refusal not counted


def test_enter_is_one_join_written_alone(tmp_path):
    """enter() is enter_many of one: the same refusals raised."""
    with Store(f"sqlite:///{tmp_path}/r.db", join_limit=(1, 60.0)) as store:
        made = store.create_session(CASES)
        assert not store.enter(made.code, client="10.0.0.1").joined.resumed
        with pytest.raises(RateLimited):
            store.enter(made.code, client="10.0.0.1")
        with pytest.raises(UnknownCode):
            store.enter("ZZZZZZ")
