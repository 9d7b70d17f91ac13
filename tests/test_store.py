"""The live-session store (kit.live.store) on SQLite.

The behaviour tests live in :class:`StoreBehaviour`, which ``test_store_postgres.py`` runs again
against a real PostgreSQL server: only the ``db_url`` and ``fresh_db_url`` fixtures differ.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

import kit.live.store
from kit.live import schema as store_schema
from kit.cases import Case
from kit.live.store import (
    CODE_ALPHABET,
    SchemaTooNew,
    Store,
    StoreBusy,
    StoreError,
    new_code,
    normalize_code,
)
from kit.text import Text

LOOK_ALIKES = "0O1IL2Z5S8BUV"
HOSTILE = (
    "<script>alert('x')</script> '; DROP TABLE kit_answers; -- \"quoted\" \\ back\\slash "
    "{braces} $text \x00 nul \t tab \n newline \u202eRTL\u202c 🙂 \ud800 lone surrogate æøå"
)


def make_case(case_id: str, process: str = "samskaping", level: int | None = 1, **kw) -> Case:
    return Case(
        id=case_id,
        title=Text(f"Tittel {case_id}", en=f"Title {case_id}", nn=f"Tittel {case_id} (nn)"),
        text=Text(f"Tekst {case_id}", en=f"Text {case_id}"),
        process=process,
        level=level,
        explanation=Text("Fordi", en="Because", nn="Av di"),
        **kw,
    )


CASES = (
    make_case("c1"),
    make_case("c2", "samproduksjon", 3),
    make_case("c3", "ingen", None),
    make_case("c4", "verdisamskaping", 3),
)


class FakeClock:
    """A clock the test moves by hand (the rate limit is about time)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def other_code(*taken: str) -> str:
    """A well-formed join code that no session has."""
    while True:
        code = new_code()
        if code not in taken:
            return code


# Each row: what to change in a valid submit, and the key the refusal must carry.
INVALID_SUBMITS = [
    ("unknown code", {"code": "unknown"}, "unknown_code"),
    ("malformed code", {"code": "ABC"}, "unknown_code"),
    ("code with a look-alike", {"code": "ACDEF0"}, "unknown_code"),
    ("code too long", {"code": "ACDEFGH"}, "too_long"),
    ("huge code", {"code": "A" * 10_000}, "too_long"),
    ("closed session", {"code": "closed"}, "session_closed"),
    ("unknown token", {"token": "0" * 32}, "unknown_participant"),
    ("malformed token", {"token": "not-a-token"}, "unknown_participant"),
    ("upper-case token", {"token": "A" * 32}, "unknown_participant"),
    ("token too long", {"token": "a" * 33}, "too_long"),
    ("token from another session", {"token": "other"}, "wrong_session"),
    ("case not in session", {"case_id": "c99"}, "invalid_answer"),
    ("case of another session", {"case_id": "x1"}, "invalid_answer"),
    ("case id too long", {"case_id": "c" * 81}, "too_long"),
    ("case id not text", {"case_id": 1}, "invalid_answer"),
    ("unknown process", {"process": "Samskaping"}, "invalid_answer"),
    ("empty process", {"process": ""}, "invalid_answer"),
    ("process None", {"process": None}, "invalid_answer"),
    ("level 0", {"level": 0}, "invalid_answer"),
    ("level 4", {"level": 4}, "invalid_answer"),
    ("level as text", {"level": "1"}, "invalid_answer"),
    ("level True", {"level": True}, "invalid_answer"),
    ("level 1.0", {"level": 1.0}, "invalid_answer"),
]


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
        code = store.create_session(CASES)
        other = store.create_session([make_case("x1")])
        closed = store.create_session(CASES)
        store.close_session(closed)
        return {
            "code": code,
            "tokens": [store.join(code), store.join(code)],
            "other": other,
            "other_token": store.join(other),
            "closed": closed,
        }

    # -- the happy path

    def test_create_join_submit_counts(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        assert re.fullmatch(r"[0-9a-f]{32}", a) and a != b
        store.submit(code, a, "c1", "samskaping", 1)
        store.submit(code, b, "c1", "samskaping", 2)
        store.submit(code, a, "c2", "ingen", None)

        assert store.participant_count(code) == 2
        counts = store.counts(code)
        assert list(counts) == ["c1", "c2", "c3", "c4"]  # every case, in the session's order
        c1 = counts["c1"]
        assert c1.answers == 2
        assert c1.processes == {
            "samskaping": 2,
            "samproduksjon": 0,
            "verdisamskaping": 0,
            "ingen": 0,
        }
        assert c1.levels == {1: 1, 2: 1, 3: 0, None: 0}
        assert c1.by_answer == {("samskaping", 1): 1, ("samskaping", 2): 1}
        assert c1.top_process == "samskaping" and c1.dispute == 0
        assert counts["c2"].levels[None] == 1 and counts["c2"].processes["ingen"] == 1
        assert counts["c3"].answers == 0 and counts["c3"].top_process is None

    def test_session_info_and_close(self, store, room):
        code, token = room["code"], room["tokens"][0]
        info = store.session_info(code)
        assert (info.code, info.lang, info.open, info.closed_at) == (code, "nb", True, None)
        assert info.created_at.tzinfo is not None
        assert abs(datetime.now(timezone.utc) - info.created_at) < timedelta(minutes=5)
        store.submit(code, token, "c1", "samskaping", 1)

        store.close_session(code)
        store.close_session(code)  # twice is harmless
        info = store.session_info(code)
        assert info.open is False and info.closed_at >= info.created_at
        with pytest.raises(StoreError) as exc:
            store.join(code)
        assert exc.value.key == "session_closed"
        with pytest.raises(StoreError) as exc:
            store.submit(code, token, "c2", "samskaping", 1)
        assert exc.value.key == "session_closed"
        assert store.counts(code)["c1"].answers == 1  # results stay readable

    def test_lang_is_kept(self, store):
        assert store.session_info(store.create_session(CASES, lang="nn")).lang == "nn"

    def test_one_answer_per_case_per_participant_latest_counts(self, store, room):
        code, token = room["code"], room["tokens"][0]
        store.submit(code, token, "c1", "samskaping", 1)
        store.submit(code, token, "c1", "samproduksjon", 3)
        store.submit(code, token, "c1", "ingen", None)
        answers = store.answers(code)
        assert [(a.case_id, a.process, a.level) for a in answers] == [("c1", "ingen", None)]
        c1 = store.counts(code)["c1"]
        assert c1.answers == 1 and c1.processes["ingen"] == 1 and c1.processes["samskaping"] == 0
        with store.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT count(*) FROM kit_answers WHERE session_code = :c"), {"c": code}
            ).scalar_one()
        assert rows == 1

    def test_answers_for_export_hide_the_token(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        store.submit(code, a, "c1", "samskaping", 1)
        store.submit(code, b, "c1", "ingen", None)
        store.submit(code, a, "c2", "samproduksjon", 3)
        rows = store.answers(code)
        assert [(r.case_id, r.process, r.level) for r in rows] == [
            ("c1", "samskaping", 1),
            ("c1", "ingen", None),
            ("c2", "samproduksjon", 3),
        ]
        assert rows[0].participant == rows[2].participant != rows[1].participant
        for row in rows:
            assert a not in row.participant and b not in row.participant
            assert row.answered_at.tzinfo is not None
        assert a not in repr(rows) and b not in repr(rows)

    def test_revision_changes_with_every_answer(self, store, room):
        code, (a, b) = room["code"], room["tokens"]
        assert store.revision(code) == (0, 0)
        store.submit(code, a, "c1", "samskaping", 1)
        assert store.revision(code) == (1, 1)
        store.submit(code, a, "c1", "samskaping", 2)  # changed answer: same count, new marker
        assert store.revision(code) == (1, 2)
        store.submit(code, b, "c1", "samskaping", 2)
        assert store.revision(code) == (2, 3)
        assert store.revision(room["other"]) == (0, 0)  # sessions do not mix
        before = store.revision(code)
        with pytest.raises(StoreError):
            store.submit(code, a, "c99", "samskaping", 1)
        assert store.revision(code) == before  # a refused answer changes nothing
        with pytest.raises(StoreError) as exc:
            store.revision(other_code(code, room["other"], room["closed"]))
        assert exc.value.key == "unknown_code"

    def test_disputed_most_disputed_first(self, store):
        code = store.create_session(CASES)
        tokens = [store.join(code) for _ in range(4)]
        plan = {
            "c1": ["samskaping", "samskaping", "ingen", "ingen"],  # 1/2, 4 answers
            "c2": ["samproduksjon", "samproduksjon", "samproduksjon", "ingen"],  # 1/4
            "c3": ["ingen", "ingen", "ingen"],  # everyone agrees: not disputed
            "c4": ["verdisamskaping", "ingen"],  # 1/2, 2 answers
        }
        for case_id, processes in plan.items():
            for token, process in zip(tokens, processes, strict=False):
                level = {"samskaping": 1, "ingen": None}.get(process, 3)
                store.submit(code, token, case_id, process, level)
        assert store.disputed(code) == ["c1", "c4", "c2"]
        counts = store.counts(code)
        assert counts["c1"].dispute == counts["c4"].dispute == 0.5
        assert counts["c2"].dispute == 0.25 and counts["c3"].dispute == 0

    def test_reveal(self, store, room):
        code = room["code"]
        assert store.revealed(code) == set()
        store.reveal(code, "c2")
        store.reveal(code, "c2")  # twice is harmless
        store.reveal(code, "c3")
        assert store.revealed(code) == {"c2", "c3"}
        assert store.revealed(room["other"]) == set()
        with pytest.raises(StoreError) as exc:
            store.reveal(code, "x1")  # a case of another session
        assert exc.value.key == "invalid_answer"
        store.reveal(room["closed"], "c1")  # showing the key after closing is normal
        assert store.revealed(room["closed"]) == {"c1"}

    # -- refusals

    @pytest.mark.parametrize(
        ("change", "key"), [row[1:] for row in INVALID_SUBMITS], ids=[r[0] for r in INVALID_SUBMITS]
    )
    def test_submit_refusals(self, store, room, change, key):
        args = {
            "code": room["code"],
            "token": room["tokens"][0],
            "case_id": "c1",
            "process": "samskaping",
            "level": 1,
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
        assert store.revision(room["code"]) == (0, 0)
        assert store.revision(room["other"]) == (0, 0)

    @pytest.mark.parametrize(
        ("code", "key"),
        [("unknown", "unknown_code"), ("ACD", "unknown_code"), ("B" * 6, "unknown_code")]
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
        token = store.join(typed)
        store.submit(typed, token, "c1", "samskaping", 1)
        assert store.participant_count(code) == 3

    @pytest.mark.parametrize("reader", ["session_info", "session_cases", "counts", "answers"])
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
            code = kernel_a.create_session(CASES)
            token, other = kernel_a.join(code), kernel_b.join(code)
            kernel_a.submit(code, token, "c1", "samskaping", 1)
            kernel_b.submit(code, token, "c2", "samskaping", 1)  # another kernel, same count
            clock.advance(9)
            kernel_a.submit(code, token, "c3", "samskaping", 1)
            with pytest.raises(StoreError) as exc:
                kernel_b.submit(code, token, "c4", "samskaping", 1)
            assert exc.value.key == "rate_limited"
            kernel_b.submit(code, other, "c4", "samskaping", 1)  # others are not held back
            clock.advance(1)  # a new window
            kernel_b.submit(code, token, "c4", "samskaping", 1)
            assert kernel_a.counts(code)["c4"].answers == 2

    def test_default_rate_limit_trips_past_30_in_10_seconds(self, db_url):
        with Store(db_url, clock=FakeClock()) as store:
            code = store.create_session(CASES)
            token = store.join(code)
            for i in range(30):
                store.submit(code, token, CASES[i % 4].id, "samskaping", 1)
            with pytest.raises(StoreError) as exc:
                store.submit(code, token, "c1", "ingen", None)
            assert exc.value.key == "rate_limited"

    # -- codes

    def test_join_codes_use_the_alphabet_and_are_unique(self, store):
        assert not set(LOOK_ALIKES) & set(CODE_ALPHABET)
        assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 23
        codes = [store.create_session(CASES[:1]) for _ in range(150)]
        assert len(set(codes)) == len(codes)
        for code in codes:
            assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)

    def test_a_taken_code_is_drawn_again(self, store, monkeypatch):
        taken = store.create_session(CASES)
        fresh = other_code(taken)
        draws = iter([taken, taken, fresh])
        monkeypatch.setattr(kit.live.store, "new_code", lambda: next(draws))
        assert store.create_session(CASES) == fresh
        assert len(store.session_cases(taken)) == len(store.session_cases(fresh)) == 4

    # -- cases travel between kernels

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
            code = presenter.create_session(cases)
        with Store(db_url) as participant:  # another kernel: knows nothing but the code
            rebuilt = participant.session_cases(code)
            assert rebuilt == cases
            assert rebuilt[0].title.nn == "Tittel c1 (nn)" and rebuilt[0].title.en == "Title c1"
            assert rebuilt[2].text.languages == ("nb",)
            assert rebuilt[2].title.get("nn") == HOSTILE
            assert rebuilt[2].explanation.nb == HOSTILE * 50
            token = participant.join(code)
            participant.submit(code, token, cases[2].id, "ingen", None)
            assert participant.counts(code)[cases[2].id].answers == 1

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
        assert store_schema.SCHEMA_VERSION == 1

    def test_newer_schema_refused(self, fresh_db_url):
        with Store(fresh_db_url) as store:
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE kit_schema SET version = version + 1"))
        with pytest.raises(SchemaTooNew) as exc:
            Store(fresh_db_url)
        assert exc.value.key == "schema_too_new"
        assert "update samskaping-kit" in str(exc.value)

    def test_opening_again_keeps_the_data(self, db_url):
        with Store(db_url) as first:
            code = first.create_session(CASES)
            first.submit(code, first.join(code), "c1", "ingen", None)
        with Store(db_url) as second:
            assert second.counts(code)["c1"].answers == 1

    def test_tables_hold_nothing_about_the_person(self, store):
        tables = inspect(store.engine).get_table_names()
        kit_tables = sorted(t for t in tables if t.startswith("kit_"))
        assert kit_tables == [
            "kit_answers",
            "kit_participants",
            "kit_reveals",
            "kit_schema",
            "kit_sessions",
        ]
        personal = {"ip", "addr", "address", "name", "user", "username", "email", "mail"}
        personal |= {"agent", "ua", "phone", "device", "host", "mac", "browser", "location"}
        for table in kit_tables:
            for column in inspect(store.engine).get_columns(table):
                words = set(column["name"].lower().split("_"))
                assert not words & personal, (table, column["name"])
        columns = {c["name"] for c in inspect(store.engine).get_columns("kit_participants")}
        assert columns == {"token", "session_code", "joined_at", "window_start", "window_count"}

    def test_one_answer_per_case_is_a_database_constraint(self, store):
        key = inspect(store.engine).get_pk_constraint("kit_answers")["constrained_columns"]
        assert sorted(key) == ["case_id", "participant_token", "session_code"]


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
        ("3 4 6 7 9 x", "34679X"),
    ],
)
def test_normalize_code(typed, code):
    assert normalize_code(typed) == code


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
        ("ACDEFGH", "too_long"),
        ("A" * 65, "too_long"),
    ],
)
def test_normalize_code_refuses(typed, key):
    with pytest.raises(StoreError) as exc:
        normalize_code(typed)
    assert exc.value.key == key


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
        code = store.create_session(CASES)
        token = store.join(code)
        blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")  # another kernel holds the write lock
        threading.Timer(0.7, blocker.commit).start()
        started = time.monotonic()
        store.submit(code, token, "c1", "samskaping", 1)
        assert time.monotonic() - started >= 0.5
        blocker.close()
        assert store.revision(code) == (1, 1)


def test_in_memory_url_works_for_a_single_process():
    with Store("sqlite://") as store:
        code = store.create_session(CASES)
        store.submit(code, store.join(code), "c1", "samskaping", 1)
        assert store.revision(code) == (1, 1)


def test_unsupported_backend_is_refused():
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        store_schema.make_engine("mysql://u:p@localhost/db")


def test_plain_postgresql_url_uses_psycopg3():
    pytest.importorskip("psycopg")
    engine = store_schema.make_engine("postgresql://kit:kit@127.0.0.1:1/none")
    assert engine.dialect.driver == "psycopg"
    assert engine.pool.size() == 1  # one connection per kernel
    engine.dispose()


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


def test_store_module_imports_no_ui_or_pandas():
    code = (
        "import sys, kit.live.store; "
        "print(','.join(m for m in ('ipywidgets','IPython','altair','pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_store_files_open_with_plain_sqlite(tmp_path):
    """A course leader can inspect the file with any SQLite tool."""
    with Store(f"sqlite:///{tmp_path}/r.db") as store:
        code = store.create_session(CASES)
        store.submit(code, store.join(code), "c1", "samskaping", 2)
    engine = create_engine(f"sqlite:///{tmp_path}/r.db")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT case_id, process, level FROM kit_answers")).one()
    engine.dispose()
    assert tuple(row) == ("c1", "samskaping", 2)


def test_purge_deletes_old_sessions_with_everything_in_them(tmp_path):
    from kit.cli import main
    from kit.live.store import UnknownCode

    now = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    url = f"sqlite:///{tmp_path}/purge.db"
    cases = [Case("c1", Text("T"), Text("t"), "ingen", None, Text("f"))]
    with Store(url, clock=lambda: now[0]) as store:
        old = store.create_session(cases)
        token = store.join(old)
        store.submit(old, token, "c1", "ingen", None)
        store.reveal(old, "c1")
        now[0] += timedelta(days=40)
        new = store.create_session(cases)
        assert store.purge(timedelta(days=30)) == 1
        with pytest.raises(UnknownCode):
            store.session_info(old)
        assert store.session_info(new).open
        with store.engine.connect() as conn:
            for table in ("kit_answers", "kit_participants", "kit_reveals"):
                rows = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                assert rows == 0, table
    assert main(["purge-answers", "--days", "0", "--db", url]) == 0
    with Store(url) as store:
        with pytest.raises(UnknownCode):
            store.session_info(new)
    assert main(["purge-answers", "--days", "-1", "--db", url]) == 2
