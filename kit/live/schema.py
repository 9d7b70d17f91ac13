"""Tables, schema versioning and engine setup for :mod:`kit.live.store` (SQLAlchemy Core, no ORM).

Voilà runs every visitor in a kernel of its own, so the store's database is shared by many
processes: SQLite by default (one file in the per-user data folder, WAL journal, a busy timeout on
every connection, write transactions that take the lock up front), or any PostgreSQL server for
a room spread over several machines.

The workshop (:mod:`kit.workshop.store`) keeps its tables here too (``kit_workshop*``): one
database, one schema version and one migration path for everything the server stores, one
``purge``, and one space of join codes shared by sessions and workshops (:func:`code_taken`).
"""

from __future__ import annotations

import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, StaticPool

from kit.core import config

#: The schema this code writes. Raise it (and add a migration step) whenever a table changes.
#: 1: sessions, participants, answers, reveals. 2: presenter keys, idle time, the case shown to
#: everyone, rounds (answers per round in ``kit_votes``, reveals and rounds in ``kit_case_state``).
#: 3: questions besides cases (their responses in ``kit_responses``), the session's settings.
#: 4: workshops (``kit_workshops`` and the tables of their participants, proposals, responses,
#: parking lot and clause outcomes); the step from 3 only creates these tables.
#: 5: ``kit_workshops.settings`` (JSON: the initiative's compass answers, the clause timer).
SCHEMA_VERSION = 5

#: Bounds on what a participant's kernel may send (longer input is refused, not truncated).
CODE_LENGTH = 6
TOKEN_LENGTH = 32
KEY_HASH_LENGTH = 64
CASE_ID_MAX = 80
LANG_MAX = 16
VALUE_MAX = 200

#: How long SQLite waits for the write lock before giving up on one attempt (milliseconds).
BUSY_TIMEOUT_MS = 10_000

DB_FILENAME = "responses.sqlite3"
APP_NAME = "samskaping-kit"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored and returned in UTC, timezone-aware on every backend.

    SQLite keeps no time zone, PostgreSQL's ``timestamptz`` does; both come back aware here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store keeps UTC timestamps only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


metadata = MetaData()

schema_table = Table(
    "kit_schema",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("id = 1", name="kit_schema_one_row"),
)

sessions = Table(
    "kit_sessions",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("lang", String(LANG_MAX), nullable=False),
    # The presenter's case set as JSON, so kernels that never saw the file can show the cases.
    Column("cases", Text, nullable=False),
    # Bumped by every answer written; copied into kit_votes.seq (a cheap change marker).
    Column("last_seq", Integer, nullable=False, default=0),
    # SHA-256 of the presenter key (the key itself stays in the presenter's browser).
    Column("key_hash", String(KEY_HASH_LENGTH), nullable=True),
    # Last join, answer or presenter action: a session idle for long closes by itself.
    Column("last_active", UTCDateTime, nullable=True),
    # The case the presenter shows to everyone (phones follow it), or none.
    Column("current_case", String(CASE_ID_MAX), nullable=True),
    # Bumped by every change phones follow (reveal, round, current case, closing).
    Column("state_seq", Integer, nullable=False, default=0, server_default="0"),
    # The presenter's settings as JSON (the word cloud's banned words, results while voting,
    # the countdown); none until one is changed.
    Column("settings", Text, nullable=True),
)


def _session_key() -> Column:
    """The session a row belongs to, first part of the row's key (deleted with the session)."""
    return Column(
        "session_code",
        String(CODE_LENGTH),
        ForeignKey("kit_sessions.code", ondelete="CASCADE"),
        primary_key=True,
    )


participants = Table(
    "kit_participants",
    metadata,
    # A random token and nothing else: no name, no address, no device data.
    Column("token", String(TOKEN_LENGTH), primary_key=True),
    Column(
        "session_code",
        String(CODE_LENGTH),
        ForeignKey("kit_sessions.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("joined_at", UTCDateTime, nullable=False),
    # Rate limit, counted here so that it holds whichever kernel the participant talks to.
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_count", Integer, nullable=False, default=0),
)

answers = Table(
    "kit_votes",
    metadata,
    _session_key(),
    Column(
        "participant_token",
        String(TOKEN_LENGTH),
        ForeignKey("kit_participants.token", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("case_id", String(CASE_ID_MAX), primary_key=True),
    # 1: the first vote; 2: the re-vote after discussion (peer instruction).
    Column("round", Integer, primary_key=True, default=1),
    Column("process", String(32), nullable=False),
    Column("level", Integer, nullable=True),
    Column("answered_at", UTCDateTime, nullable=False),
    Column("seq", Integer, nullable=False),
    Index("kit_votes_session_seq", "session_code", "seq"),
)

#: An open answer, a scale point or a poll option ("value"), to a question of the session.
#: A participant gives up to a few open answers to a question (one row each) and one scale
#: or poll answer (replaced by a new one). ``hidden``: the presenter took it off the cloud.
responses = Table(
    "kit_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "session_code",
        String(CODE_LENGTH),
        ForeignKey("kit_sessions.code", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "participant_token",
        String(TOKEN_LENGTH),
        ForeignKey("kit_participants.token", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("item_id", String(CASE_ID_MAX), nullable=False),
    Column("value", String(VALUE_MAX), nullable=False),
    Column("hidden", Integer, nullable=False, default=0, server_default="0"),
    Column("answered_at", UTCDateTime, nullable=False),
    Column("seq", Integer, nullable=False),
    Index("kit_responses_item", "session_code", "item_id"),
    Index("kit_responses_person", "participant_token", "item_id"),
)

case_state = Table(
    "kit_case_state",
    metadata,
    _session_key(),
    Column("case_id", String(CASE_ID_MAX), primary_key=True),
    Column("round", Integer, nullable=False, default=1),
    Column("revealed_at", UTCDateTime, nullable=True),
)


# Per-client counters, so the limits hold across every server process sharing the database: new
# participants (``client``: a salted hash of the client's address; the salt is random per
# database, the address is never kept) and requests that named a code no session or workshop has
# (a hash of "probe " and the address). Rows older than a few minutes are deleted as new ones come.
client_windows = Table(
    "kit_client_windows",
    metadata,
    Column("client", String(64), primary_key=True),
    Column("window_start", UTCDateTime, nullable=False, index=True),
    Column("joins", Integer, nullable=False, default=0),
)

secrets_table = Table(
    "kit_secrets",
    metadata,
    Column("purpose", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
)


# --------------------------------------------------------------------------------- workshops
# Samarbeidsverkstedet (kit.workshop): a workshop, its anonymous participants and what they say.
# The text columns are as long as the bounds of kit/workshop/model.py (characters; the model
# refuses longer text before anything is written, tests/test_workshop_store.py compares them).

#: A clause id, a party id or a response choice (kit.workshop.model: ``[a-z][a-z0-9_-]{0,39}``).
WS_ID_MAX = 40
WS_INITIATIVE_MAX = 120
WS_NOTE_MAX = 400
WS_PROPOSAL_MAX = 600
WS_REASON_MAX = 400
WS_NAME_MAX = 60
WS_PARKING_MAX = 400
WS_WORDING_MAX = 2000
WS_OWNER_MAX = 120
#: A date kept as ``YYYY-MM-DD``.
WS_DATE_LENGTH = 10
#: The workshop's agenda as JSON (clause ids, the facilitator's own clauses, parties expected).
WS_AGENDA_MAX = 16384
#: The workshop's settings as JSON (the compass answers, the clause timer).
WS_SETTINGS_MAX = 4096

workshops = Table(
    "kit_workshops",
    metadata,
    # From the same alphabet as kit_sessions.code; no code is both (see code_taken).
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    # Last join, proposal, response or facilitator action: idle for long, it closes by itself.
    Column("last_active", UTCDateTime, nullable=False),
    Column("lang", String(LANG_MAX), nullable=False),
    Column("initiative", String(WS_INITIATIVE_MAX), nullable=False),
    Column("note", String(WS_NOTE_MAX), nullable=True),
    Column("held", String(WS_DATE_LENGTH), nullable=True),
    Column("agenda", Text, nullable=False),
    # SHA-256 of the facilitator key (the key itself stays in the facilitator's browser).
    Column("key_hash", String(KEY_HASH_LENGTH), nullable=False),
    # The clause the facilitator shows to everyone (phones follow it), or none.
    Column("current_clause", String(WS_ID_MAX), nullable=True),
    # Bumped by every change phones follow (a proposal, the current clause, the agenda, an
    # outcome, closing).
    Column("state_seq", Integer, nullable=False, default=0),
    # Bumped by every write (joins, responses and parking points too): the facilitator's
    # screen follows it; proposals and parking points are numbered with it.
    Column("last_seq", Integer, nullable=False, default=0),
    Column("evaluation", String(WS_DATE_LENGTH), nullable=True),
    Column("evaluation_by", String(WS_OWNER_MAX), nullable=True),
    # JSON, written by the facilitator only: the initiative's compass answers attached to the
    # draft, the timer on a clause.
    Column("settings", Text, nullable=True),
)


def _workshop_key() -> Column:
    """The workshop a row belongs to, first part of the row's key (deleted with it)."""
    return Column(
        "workshop_code",
        String(CODE_LENGTH),
        ForeignKey("kit_workshops.code", ondelete="CASCADE"),
        primary_key=True,
    )


def _speaker() -> Column:
    return Column(
        "participant_token",
        String(TOKEN_LENGTH),
        ForeignKey("kit_workshop_participants.token", ondelete="CASCADE"),
        nullable=False,
    )


workshop_participants = Table(
    "kit_workshop_participants",
    metadata,
    # A random token; the party the participant speaks for; a name only if they gave one.
    Column("token", String(TOKEN_LENGTH), primary_key=True),
    Column(
        "workshop_code",
        String(CODE_LENGTH),
        ForeignKey("kit_workshops.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("party", String(WS_ID_MAX), nullable=False),
    Column("name", String(WS_NAME_MAX), nullable=True),
    Column("joined_at", UTCDateTime, nullable=False),
    # Rate limit, counted here so that it holds whichever server process the phone talks to.
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_count", Integer, nullable=False, default=0),
)

workshop_proposals = Table(
    "kit_workshop_proposals",
    metadata,
    _workshop_key(),
    # The workshop's last_seq when it was made: the proposal's id is "p<number>".
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("clause", String(WS_ID_MAX), nullable=False),
    Column("party", String(WS_ID_MAX), nullable=False),
    Column("text", String(WS_PROPOSAL_MAX), nullable=False),
    _speaker(),
    Column("name", String(WS_NAME_MAX), nullable=True),
    Column("made_at", UTCDateTime, nullable=False),
)

workshop_responses = Table(
    "kit_workshop_responses",
    metadata,
    Column("workshop_code", String(CODE_LENGTH), primary_key=True),
    Column("proposal", Integer, primary_key=True, autoincrement=False),
    # One response per participant and proposal (a second one replaces the first).
    Column(
        "participant_token",
        String(TOKEN_LENGTH),
        ForeignKey("kit_workshop_participants.token", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("party", String(WS_ID_MAX), nullable=False),
    Column("choice", String(WS_ID_MAX), nullable=False),
    Column("reason", String(WS_REASON_MAX), nullable=True),
    Column("name", String(WS_NAME_MAX), nullable=True),
    # The workshop's last_seq when it was given: the responses' order.
    Column("seq", Integer, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["workshop_code", "proposal"],
        ["kit_workshop_proposals.workshop_code", "kit_workshop_proposals.number"],
        ondelete="CASCADE",
    ),
)

workshop_parking = Table(
    "kit_workshop_parking",
    metadata,
    _workshop_key(),
    # The workshop's last_seq when it was sent: the point's id is "k<number>".
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("party", String(WS_ID_MAX), nullable=False),
    Column("text", String(WS_PARKING_MAX), nullable=False),
    _speaker(),
    Column("clause", String(WS_ID_MAX), nullable=True),
    Column("name", String(WS_NAME_MAX), nullable=True),
    Column("parked_at", UTCDateTime, nullable=False),
)

workshop_outcomes = Table(
    "kit_workshop_outcomes",
    metadata,
    _workshop_key(),
    Column("clause", String(WS_ID_MAX), primary_key=True),
    Column("status", String(WS_ID_MAX), nullable=False),
    Column("wording", String(WS_WORDING_MAX), nullable=True),
    Column("owner", String(WS_OWNER_MAX), nullable=True),
    Column("due", String(WS_DATE_LENGTH), nullable=True),
    Column("settled_at", UTCDateTime, nullable=False),
)

#: A workshop's rows, children first (the order a purge deletes them in).
WORKSHOP_TABLES = (
    workshop_responses,
    workshop_proposals,
    workshop_parking,
    workshop_outcomes,
    workshop_participants,
)


def lock_codes(conn: Connection) -> None:
    """Let one transaction at a time draw a join code (PostgreSQL: an advisory lock until the
    transaction ends; SQLite's BEGIN IMMEDIATE already serializes every writer), so a session
    and a workshop made at the same moment cannot both take one code."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(727362)"))


def code_taken(conn: Connection, code: str) -> bool:
    """Whether a session or a workshop has this join code (call :func:`lock_codes` first)."""
    for table in (sessions, workshops):
        if conn.execute(select(table.c.code).where(table.c.code == code)).first() is not None:
            return True
    return False


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------------------- engine


def default_url() -> str:
    """``KIT_DB_URL``, else a SQLite file in the per-user data folder (``KIT_DATA_HOME`` overrides).

    One file per user account, so every kernel that user's server starts finds the same room.
    """
    url = config.DB_URL.get()
    if url:
        return url
    path = config.DATA_HOME.get()
    if path is None:
        import platformdirs  # only needed for the default location

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / DB_FILENAME}"


def _normalize_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.0 would pick psycopg2; the kit depends on psycopg 3.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, *, shared: bool = False) -> Engine:
    """An engine tuned for many processes sharing one database.

    ``shared``: the engine of a long-running server process serving many participants at
    once from a few threads (a small pool of connections kept open), rather than a kernel's.
    """
    parsed = _normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:")
        if in_memory:  # one process only; handy for quick experiments
            engine = create_engine(
                parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        elif shared:
            _create_private(Path(database))
            engine = create_engine(
                parsed,
                pool_size=8,
                max_overflow=8,
                connect_args={"check_same_thread": False},
            )
        else:
            _create_private(Path(database))
            # NullPool: a connection per operation, nothing held open between a kernel's calls.
            engine = create_engine(parsed, poolclass=NullPool)
        _tune_sqlite(engine, wal=not in_memory)
        return engine
    if backend == "postgresql":
        # A kernel needs one pooled connection (plus short-lived overflow); a server process
        # serving hundreds of phones from a thread pool keeps a few more.
        size, overflow = (8, 8) if shared else (1, 4)
        return create_engine(
            parsed,
            pool_size=size,
            max_overflow=overflow,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
    raise ValueError(
        f"unsupported database {backend!r}: the store runs on SQLite or PostgreSQL "
        "(postgresql+psycopg://user:password@host/db)"
    )


def _create_private(path: Path) -> None:
    """Create a missing SQLite file readable and writable by its owner only (0600): it holds a
    room's answers. SQLite gives its -wal and -shm files the same permissions. A missing
    folder is not created here: that is the caller's mistake to report."""
    if path.exists() or not path.parent.is_dir():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # SQLite will report why it cannot open the file
    os.close(fd)


def _tune_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock at BEGIN. A deferred transaction that reads first and
        # then writes can fail at once with "database is locked", whatever the busy timeout.
        immediate = conn.get_execution_options().get("kit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: One lock per SQLite engine: the threads of one process take turns at writing here, woken
#: the moment the writer before them is done, instead of each polling SQLite's file lock with
#: its busy handler's sleeps (1, 2, 5, 10 ... ms), which left the lock idle under a burst of
#: joins. Other processes on the same file still meet the busy timeout.
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None  # PostgreSQL locks rows, and waiters are woken by the server
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(engine)
        if lock is None:
            lock = _WRITE_LOCKS[engine] = threading.RLock()
        return lock


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write (SQLite: BEGIN IMMEDIATE, one writing
    thread of the process at a time)."""
    lock = _write_lock(engine)
    if lock is None:
        with engine.connect() as conn:
            conn.execution_options(kit_write=True)
            with conn.begin():
                yield conn
        return
    with lock, engine.connect() as conn:
        conn.execution_options(kit_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a read-only transaction (a consistent snapshot for multi-query reads)."""
    with engine.connect() as conn, conn.begin():
        yield conn


# ---------------------------------------------------------------------------------- retrying

T = TypeVar("T")

_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_transient(exc: OperationalError) -> bool:
    """A lock or conflict that is worth trying again, as opposed to a broken database."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return any(m in message for m in _BUSY_MESSAGES)


def with_retry(
    func: Callable[[], T],
    *,
    attempts: int = 6,
    budget: float = 15.0,
    base_delay: float = 0.05,
    max_delay: float = 2.0,
    on_give_up: Callable[[OperationalError], Exception] | None = None,
) -> T:
    """Run ``func`` (a whole transaction) again after a transient lock error.

    SQLite's busy timeout already waits inside one attempt; this loop covers what it cannot
    (a lock that SQLite reports at once, a PostgreSQL deadlock or serialization failure).
    Full jitter keeps many kernels from retrying in step. No new attempt starts after
    ``budget`` seconds, so a person on a phone is not left waiting for minutes.
    """
    started = time.monotonic()
    for attempt in range(attempts):
        try:
            return func()
        except OperationalError as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts - 1 or time.monotonic() - started > budget:
                if on_give_up is not None:
                    raise on_give_up(exc) from exc
                raise
            time.sleep(random.uniform(0, min(max_delay, base_delay * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


# -------------------------------------------------------------------------------- versioning


def stored_version(conn: Connection) -> int | None:
    """The schema version recorded in the database, or None for a database without one."""
    if not inspect(conn).has_table(schema_table.name):
        return None
    return conn.execute(select(schema_table.c.version).where(schema_table.c.id == 1)).scalar()


def ensure_schema(conn: Connection, too_new: Callable[[int], Exception]) -> int:
    """Create missing tables and record the version; refuse a database written by newer code.

    Runs inside a write transaction; on PostgreSQL an advisory lock keeps kernels that start at
    the same moment from creating the tables twice (SQLite's BEGIN IMMEDIATE does the same).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(727361)"))  # any fixed number
    version = stored_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise too_new(version)
    if version == 1:
        _migrate_1_to_2(conn)
    if version is not None and version < 3:
        conn.execute(text("ALTER TABLE kit_sessions ADD COLUMN settings TEXT"))
    if version == 4:  # 4 -> 5; an older database gets the column with the table just below
        conn.execute(text("ALTER TABLE kit_workshops ADD COLUMN settings TEXT"))
    # Version 3 -> 4 (the workshops) adds tables only: creating the missing ones is the step.
    metadata.create_all(conn, checkfirst=True)
    if version == 1:
        _copy_1_to_2(conn)
    if (
        conn.execute(
            select(secrets_table.c.purpose).where(secrets_table.c.purpose == "salt")
        ).first()
        is None
    ):
        import secrets

        conn.execute(secrets_table.insert().values(purpose="salt", value=secrets.token_hex(16)))
    if version is None:
        conn.execute(
            schema_table.insert().values(id=1, version=SCHEMA_VERSION, updated_at=utcnow())
        )
    elif version < SCHEMA_VERSION:
        conn.execute(
            schema_table.update()
            .where(schema_table.c.id == 1)
            .values(version=SCHEMA_VERSION, updated_at=utcnow())
        )
    return SCHEMA_VERSION


def _migrate_1_to_2(conn: Connection) -> None:
    """Version 1 -> 2, part one: the new columns of ``kit_sessions``."""
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    for ddl in (
        f"ADD COLUMN key_hash VARCHAR({KEY_HASH_LENGTH})",
        f"ADD COLUMN last_active {stamp}",
        f"ADD COLUMN current_case VARCHAR({CASE_ID_MAX})",
        "ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0",
    ):
        conn.execute(text(f"ALTER TABLE kit_sessions {ddl}"))
    conn.execute(text("UPDATE kit_sessions SET last_active = created_at"))


def _copy_1_to_2(conn: Connection) -> None:
    """Version 1 -> 2, part two: answers become round-1 votes, reveals become case states."""
    conn.execute(
        text(
            "INSERT INTO kit_votes (session_code, participant_token, case_id, round, process, "
            "level, answered_at, seq) SELECT session_code, participant_token, case_id, 1, "
            "process, level, answered_at, seq FROM kit_answers"
        )
    )
    conn.execute(
        text(
            "INSERT INTO kit_case_state (session_code, case_id, round, revealed_at) "
            "SELECT session_code, case_id, 1, revealed_at FROM kit_reveals"
        )
    )
    conn.execute(text("DROP TABLE kit_answers"))
    conn.execute(text("DROP TABLE kit_reveals"))
