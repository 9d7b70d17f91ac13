"""The shared store behind a live classroom session: sessions, anonymous participants, answers.

The presenter's kernel and the server process that serves the phones (and a second server
process on another machine) meet in a database: a SQLite file in the per-user data folder by
default, or PostgreSQL through ``KIT_DB_URL`` / ``Store(url=...)``. Everything a phone sends is
checked here, not only in the page. No UI code: no ipywidgets, IPython or pandas.

A session belongs to whoever holds its presenter key (made at creation, stored hashed): closing,
revealing, rounds and the case shown to everyone need it.

>>> store = Store("sqlite://")
>>> from kit.core.text import Text
>>> case = Case("c1", Text("Tittel"), Text("Tekst"), "ingen", None, Text("Fordi"))
>>> session = store.create_session([case])
>>> me = store.join(session.code)
>>> store.submit(session.code, me.token, "c1", Answer("samskaping", 2))
1
>>> store.counts(session.code)["c1"].processes["samskaping"]
1
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, inspect, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, OperationalError

from kit.cases.case import Answer, Case, InvalidAnswerError, cases_from_json
from kit.cases.pairs import ContrastPair, flat_cases
from kit.core import config
from kit.live import room
from kit.live import schema as db
from kit.live.questions import (
    QUESTION_PREFIX,
    Item,
    Question,
    ResponseError,
    check_items,
    items_from_json,
    items_to_json,
)
from kit.live.room import (
    CaseCounts,
    CaseResult,
    QuestionResult,
    RoomState,
    StoredAnswer,
    StoredResponse,
)

__all__ = [
    "CODE_ALPHABET",
    "Answer",
    "CaseCounts",
    "InvalidAnswer",
    "Entered",
    "Joined",
    "NewSession",
    "BadURL",
    "DriverMissing",
    "NoFolder",
    "NotADatabase",
    "NotOwner",
    "RateLimited",
    "SchemaTooNew",
    "SessionClosed",
    "SessionInfo",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreReadOnly",
    "StoreUnavailable",
    "StoredAnswer",
    "TooLong",
    "TooManyRooms",
    "UnknownCode",
    "UnknownParticipant",
    "WrongSession",
    "new_code",
    "JoinCode",
]

#: Join-code characters: no 0/O, 1/I/L, 2/Z, 5/S, 8/B or U/V, so a code read off a projector
#: is typed right on a phone.
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_RAW_CODE_MAX = 64  # what a person may plausibly type around a 6-character code
_KEY_MAX = 64
_CACHE_MAX = 512


@dataclass(frozen=True)
class _Kept:
    """What a store keeps of a session's items per code, to check what phones send."""

    born: datetime  #: the session's created_at: a code drawn again is another session
    case_ids: tuple[str, ...]  #: every case, a pair's two among them, in the session's order
    questions: dict[str, Question]
    pairs: dict[str, tuple[str, str]]  #: pair id -> its two case ids


#: The presenter's settings of a session, as JSON, stay under this.
SETTINGS_MAX = 8192
#: Sessions and workshops created by one client are counted in a window this long (seconds):
#: at most ``KIT_ROOMS_PER_HOUR`` in it (:meth:`Store.count_room`).
ROOMS_WINDOW = 3600.0
#: The first character of a client's counter of created rooms in ``kit_client_windows``, in
#: place of its hash's first: the other counters' keys are hex digits, so a sweep of theirs
#: (a window of a minute) can leave these (an hour) alone.
ROOM_MARK = "r"
#: A join or answer within this long of the session's last recorded activity does not write
#: the activity time again (it only keeps the session from closing after hours idle).
TOUCH_EVERY = timedelta(seconds=60)


# Statements of a phone's join, built once (building a statement costs more than running it
# on SQLite); the values come as bound parameters.
_SESSION_ROW = select(db.sessions).where(db.sessions.c.code == bindparam("code"))
_SESSION_ROW_LOCKED = _SESSION_ROW.with_for_update()
_CASE_STATES = select(
    db.case_state.c.case_id, db.case_state.c.round, db.case_state.c.revealed_at
).where(db.case_state.c.session_code == bindparam("code"))
_TOKEN_SESSION = select(db.participants.c.session_code).where(
    db.participants.c.token == bindparam("token")
)
_ANSWERS_OF = select(
    db.answers.c.case_id, db.answers.c.round, db.answers.c.process, db.answers.c.level
).where(
    db.answers.c.session_code == bindparam("code"),
    db.answers.c.participant_token == bindparam("token"),
)
_NEW_PARTICIPANT = db.participants.insert().values(
    token=bindparam("token"),
    session_code=bindparam("code"),
    joined_at=bindparam("now"),
    window_start=bindparam("now"),
    window_count=0,
)


def _join_counter(insert: Callable[[Any], Any]) -> Any:
    """One upsert that counts a new participant of a client (see Store._count_join)."""
    c = db.client_windows.c
    now = bindparam("now", type_=db.UTCDateTime)
    stale = or_(
        c.window_start <= bindparam("window_from", type_=db.UTCDateTime), c.window_start > now
    )
    return (
        insert(db.client_windows)
        .values(client=bindparam("who"), window_start=now, joins=1)
        .on_conflict_do_update(
            index_elements=[c.client],
            set_={
                "window_start": sql_case((stale, now), else_=c.window_start),
                "joins": sql_case((stale, 1), else_=c.joins + 1),
            },
        )
        .returning(c.joins)
    )


_JOIN_COUNTERS = {
    "sqlite": _join_counter(sqlite.insert),
    "postgresql": _join_counter(postgresql.insert),
}

# Statements of an answer, built once, as the join's.
_PERSON_LOCKED = (
    select(db.participants).where(db.participants.c.token == bindparam("token")).with_for_update()
)
_COUNT_ANSWER = (
    db.participants.update()
    .where(db.participants.c.token == bindparam("p_token"))
    .values(window_start=bindparam("w_start"), window_count=bindparam("w_count"))
)
_ROUND_OF = select(db.case_state.c.round).where(
    db.case_state.c.session_code == bindparam("code"),
    db.case_state.c.case_id == bindparam("case_id"),
)
_BUMP_SEQ = (
    db.sessions.update()
    .where(db.sessions.c.code == bindparam("s_code"))
    .values(last_seq=bindparam("new_seq"), last_active=bindparam("now"))
)


def _answer_upsert(insert: Callable[[Any], Any]) -> Any:
    """An answer written, or the participant's earlier answer in the same round replaced."""
    a = db.answers.c
    stmt = insert(db.answers).values(
        session_code=bindparam("code"),
        participant_token=bindparam("token"),
        case_id=bindparam("case_id"),
        round=bindparam("rnd"),
        process=bindparam("a_process"),
        level=bindparam("a_level"),
        answered_at=bindparam("now"),
        seq=bindparam("new_seq"),
    )
    new = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[a.session_code, a.participant_token, a.case_id, a.round],
        set_={
            "process": new.process,
            "level": new.level,
            "answered_at": new.answered_at,
            "seq": new.seq,
        },
    )


_ANSWER_UPSERTS = {
    "sqlite": _answer_upsert(sqlite.insert),
    "postgresql": _answer_upsert(postgresql.insert),
}


def _settings(row: Any) -> dict[str, Any]:
    try:
        value = json.loads(row.settings) if row.settings else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------------------------- errors


class StoreError(Exception):
    """A refusal the UI shows to a person; ``key`` is stable, for looking up a translated text."""

    key = "store_error"

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message or self.key)
        self.details = details


class UnknownCode(StoreError):
    key = "unknown_code"


class SessionClosed(StoreError):
    key = "session_closed"


class UnknownParticipant(StoreError):
    key = "unknown_participant"


class WrongSession(StoreError):
    key = "wrong_session"


class InvalidAnswer(StoreError):
    key = "invalid_answer"


class ResponseRefused(InvalidAnswer):
    """A response to a question that does not fit it; the key says why (too long, empty, no
    option chosen, too many open answers)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"response refused: {reason}")
        self.key = f"response_{reason}"


class RateLimited(StoreError):
    key = "rate_limited"


class TooLong(StoreError):
    key = "too_long"


class TooManyRooms(RateLimited):
    """One client has started ``KIT_ROOMS_PER_HOUR`` sessions and workshops in the last hour."""

    key = "too_many_rooms"


class SchemaTooNew(StoreError):
    """The database was written by a newer kit; this one must not touch it."""

    key = "schema_too_new"


class StoreBusy(StoreError):
    """The database stayed locked through every retry (a very busy or stuck server)."""

    key = "store_busy"


class StoreUnavailable(StoreError):
    """The database cannot be opened or reached (no such folder, server down, not a database)."""

    key = "store_unavailable"


class StoreReadOnly(StoreError):
    """The database can be read but not written (a read-only file or folder)."""

    key = "store_read_only"


class NotADatabase(StoreUnavailable):
    """The file exists but is not a SQLite database (a wrong --db path)."""

    key = "store_not_database"


class NoFolder(StoreUnavailable):
    """SQLite cannot create or open the file: its folder is missing or not writable."""

    key = "store_no_folder"


class BadURL(StoreError):
    """The database address is not one the store can use."""

    key = "store_bad_url"


class DriverMissing(StoreError):
    """The address is PostgreSQL, but its driver (psycopg, the ``postgres`` extra) is not
    installed."""

    key = "store_no_driver"


class BadSetting(StoreError):
    """A ``KIT_*`` setting the store reads cannot be used (``KIT_SESSION_IDLE_HOURS``)."""

    key = "bad_setting"


class NotOwner(StoreError):
    """The presenter key does not belong to this session."""

    key = "not_owner"


class RoundLimit(StoreError):
    """A case already had its re-vote."""

    key = "round_limit"


def failure(exc: Exception) -> StoreError:
    """The StoreError a person should see for a database failure that retrying will not mend."""
    message = str(getattr(exc, "orig", exc)).lower()
    if any(w in message for w in ("readonly", "read-only", "read only", "permission denied")):
        return StoreReadOnly(message)
    if "not a database" in message or "malformed" in message:
        return NotADatabase(message)
    if "unable to open database file" in message:
        return NoFolder(message)
    return StoreUnavailable(message)


# -------------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class SessionInfo:
    code: str
    created_at: datetime
    closed_at: datetime | None
    lang: str
    open: bool


@dataclass(frozen=True)
class NewSession:
    """A session or a workshop just made: its join code and the owner's key (the presenter's
    or the facilitator's: shown once, kept by their browser; the store keeps only its hash)."""

    code: str
    key: str


@dataclass(frozen=True)
class Joined:
    """A participant in a session; ``resumed``: the token was already theirs (a reload)."""

    token: str
    resumed: bool


@dataclass(frozen=True)
class Entered:
    """What a phone's join returns: the participant, the room's state, and the participant's
    own answers by (case id, round) (empty for a new one)."""

    joined: Joined
    state: RoomState
    answers: dict[tuple[str, int], Answer]
    #: the participant's responses to questions, by question id, oldest first
    responses: dict[str, list[str]] = dataclasses.field(default_factory=dict)


# ------------------------------------------------------------------------------ input checking


def new_code() -> JoinCode:
    """A random join code (collisions are handled by the caller)."""
    return JoinCode("".join(secrets.choice(CODE_ALPHABET) for _ in range(db.CODE_LENGTH)))


class JoinCode(str):
    """A session's join code, parsed: :data:`db.CODE_LENGTH` characters of
    :data:`CODE_ALPHABET`. Made only by :meth:`parse` (or drawn by :func:`new_code`), so a
    ``JoinCode`` passed on is known to be well formed and is not parsed again."""

    __slots__ = ()

    @classmethod
    def parse(cls, text: object) -> JoinCode:
        """The join code a person typed, cleaned: ``" acd-efg "`` -> ``"ACDEFG"``.

        Characters outside the alphabet are refused rather than guessed (no O->0 mapping): both
        members of every look-alike pair are left out of the alphabet. Raises UnknownCode
        (not a code) or TooLong.
        """
        if type(text) is cls:
            return text
        if not isinstance(text, str):
            raise UnknownCode("code must be text")
        if len(text) > _RAW_CODE_MAX:
            raise TooLong("code too long", field="code")
        code = _SEPARATORS.sub("", text).upper()
        if len(code) > db.CODE_LENGTH:
            raise TooLong("code too long", field="code")
        if len(code) != db.CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
            raise UnknownCode("not a join code")
        return cls(code)


def check_token(token: object) -> str:
    """A participant's token (of a session or a workshop) as given, or the refusal."""
    if not isinstance(token, str):
        raise UnknownParticipant("token must be text")
    if len(token) > db.TOKEN_LENGTH:
        raise TooLong("token too long", field="token")
    if not _TOKEN_RE.fullmatch(token):
        raise UnknownParticipant("not a participant token")
    return token


def _check_case_id(case_id: str) -> str:
    if not isinstance(case_id, str):
        raise InvalidAnswer("case id must be text", field="case_id")
    if len(case_id) > db.CASE_ID_MAX:
        raise TooLong("case id too long", field="case_id")
    return case_id


def _check_answer(answer: object) -> Answer:
    # anything but a pair fails to unpack, with TypeError or ValueError
    pair: Any = (answer.process, answer.level) if isinstance(answer, Answer) else answer
    try:
        process, level = pair
        return Answer.checked(process, level)
    except InvalidAnswerError as exc:
        raise InvalidAnswer(str(exc), field=exc.field) from None
    except (TypeError, ValueError):
        raise InvalidAnswer("an answer is a process and a level", field="answer") from None


def check_key(key: object) -> str:
    """A presenter's or facilitator's key as given (its hash is looked up), or the refusal."""
    if not isinstance(key, str) or not 0 < len(key) <= _KEY_MAX:
        raise NotOwner("not an owner's key")
    return key


def key_hash(key: str) -> str:
    """What the store keeps of a presenter key (a random 192-bit secret: one SHA-256 is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def idle_timeout_default() -> timedelta:
    """``KIT_SESSION_IDLE_HOURS`` (default 12): a session nobody used for this long closes
    (:class:`kit.core.config.ConfigError` for a value that is not a number of hours above 0)."""
    return timedelta(hours=config.SESSION_IDLE_HOURS.get())


def pseudonym(token: str) -> str:
    """A stable stand-in for a participant in exports; the token itself is a credential."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:16]


# -------------------------------------------------------------------- case (de)serialization


# -------------------------------------------------------------------------------------- store


class Store:
    """Sessions, participants and answers in a database shared by every process of a room.

    ``url``: any SQLite or PostgreSQL SQLAlchemy URL; default ``KIT_DB_URL`` or a SQLite file in
    the user's data folder. ``rate_limit``: at most ``n`` submits per participant per ``seconds``.
    ``join_limit``: at most ``n`` new participants per client per ``seconds`` (counted in the
    database, so it holds across server processes).
    ``idle_timeout``: a session without joins, answers or presenter actions for this long is
    closed (default ``KIT_SESSION_IDLE_HOURS`` or 12 hours). ``shared``: the store of a server
    process answering many phones from a few threads. ``clock``: the current time (UTC, aware),
    replaceable in tests. ``room_limit``: at most this many sessions and workshops created per
    client in :data:`ROOMS_WINDOW` (default ``KIT_ROOMS_PER_HOUR``, read when one is counted,
    or 30; 0: no limit), counted in the database for creations that name their client.

    Every failure is a :class:`StoreError` whose ``key`` names a message for a person.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        rate_limit: tuple[int, float] = (30, 10.0),
        join_limit: tuple[int, float] = (30, 60.0),
        idle_timeout: timedelta | None = None,
        shared: bool = False,
        clock: Callable[[], datetime] = db.utcnow,
        room_limit: int | None = None,
    ) -> None:
        try:
            self.idle_timeout = idle_timeout or idle_timeout_default()
            self.engine = db.make_engine(url or db.default_url(), shared=shared)
        except config.ConfigError as exc:  # a KIT_* setting the kit cannot use
            raise (BadURL if exc.setting is config.DB_URL else BadSetting)(str(exc)) from None
        except OSError as exc:  # the default data folder cannot be made
            raise StoreUnavailable(str(exc)) from None
        except (ValueError, ArgumentError) as exc:  # not a URL, or not SQLite/PostgreSQL
            raise BadURL(str(exc)) from None
        except ImportError as exc:  # postgresql:// without psycopg (the `postgres` extra)
            raise DriverMissing(str(exc)) from None
        self.rate_limit = rate_limit
        self.join_limit = join_limit
        #: None: ``KIT_ROOMS_PER_HOUR``, read when a creation is counted
        self.room_limit = room_limit
        self._salt: str | None = None
        self._clock = clock
        #: a session's case ids and questions (they never change), with the session's
        #: ``created_at``: a code purged and drawn again for a new session is another session
        self._items: dict[str, _Kept] = {}
        #: when this store last deleted client windows long run out (see _count_join)
        self._windows_swept: datetime | None = None
        try:
            if not self._run_read(self._schema_is_current):
                self._run_write(self._ensure_schema)
        except Exception:
            self.engine.dispose()
            raise

    # -- lifecycle

    def check_writable(self) -> None:
        """Write once (a no-op update of the schema row): a read-only database fails here, at
        the start of a server, rather than at the first join."""
        self._run_write(
            lambda conn: conn.execute(
                db.schema_table.update()
                .where(db.schema_table.c.id == 1)
                .values(version=db.schema_table.c.version)
            )
        )

    def close(self) -> None:
        """Release the database connections (a kernel shutting down)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    # -- transactions

    def _run(self, work: Callable[[Connection], Any], transaction: Callable) -> Any:
        def attempt() -> Any:
            with transaction(self.engine) as conn:
                return work(conn)

        try:
            return db.with_retry(attempt, on_give_up=lambda exc: StoreBusy(str(exc.orig)))
        except StoreError:
            raise
        except IntegrityError:
            raise
        except (OperationalError, DatabaseError) as exc:
            raise failure(exc) from None

    def _run_write(self, work: Callable[[Connection], Any]) -> Any:
        return self._run(work, db.write_transaction)

    def _run_read(self, work: Callable[[Connection], Any]) -> Any:
        return self._run(work, db.read_transaction)

    # -- the ground other stores on this database build on (kit.workshop.store)

    def run_write(self, work: Callable[[Connection], Any]) -> Any:
        """``work(conn)`` in a write transaction, retried after a transient lock; a database
        failure is a :class:`StoreError`."""
        return self._run_write(work)

    def run_read(self, work: Callable[[Connection], Any]) -> Any:
        """``work(conn)`` in a read transaction (one consistent snapshot), as :meth:`run_write`."""
        return self._run_read(work)

    def now(self) -> datetime:
        """The store's clock (UTC, aware; a test's fake clock)."""
        return self._clock()

    def is_open(self, row: Any) -> bool:
        """Whether a row with ``closed_at``, ``last_active`` and ``created_at`` (a session's,
        a workshop's) is open: not closed, and not idle for :attr:`idle_timeout`."""
        return self._is_open(row)

    def client_id(self, client: str) -> str:
        """What the join limit counts for ``client`` (an address): a salted hash of it. Call
        it before the transaction that counts (it may read the salt)."""
        if not isinstance(client, str) or len(client) > 128:
            raise TooLong("client too long", field="client")
        return self._client_hash(client)

    def room_client(self, client: str | None) -> str | None:
        """What the limit on created sessions and workshops counts for ``client`` (an address;
        None: nothing is counted): a salted hash of it, apart from its joins and probes. Call
        it before the transaction that counts (it may read the salt)."""
        if client is None:
            return None
        if not isinstance(client, str) or len(client) > 128:
            raise TooLong("client too long", field="client")
        return ROOM_MARK + self._client_hash("create " + client)[1:]

    def count_room(self, conn: Connection, who: str | None) -> None:
        """One more session or workshop created by client ``who`` (:meth:`room_client`; None:
        not counted) in this transaction; TooManyRooms over :attr:`room_limit` in
        :data:`ROOMS_WINDOW`, which rolls the count back with the creation."""
        if who is None:
            return
        limit = self.room_limit
        if limit is None:
            try:
                limit = config.ROOMS_PER_HOUR.get()
            except config.ConfigError as exc:
                raise BadSetting(str(exc)) from None
        if limit <= 0:
            return
        if self._bump_window(conn, who, ROOMS_WINDOW) > limit:
            raise TooManyRooms("too many sessions and workshops from one client")

    def count_join(self, conn: Connection, who: str) -> None:
        """One more new participant from client ``who`` (:meth:`client_id`) in this
        transaction, counted against :attr:`join_limit` with the sessions' joins; RateLimited
        over it."""
        self._count_join(conn, who)

    def _schema_is_current(self, conn: Connection) -> bool:
        version = db.stored_version(conn)
        if version is not None and version > db.SCHEMA_VERSION:
            raise self._too_new(version)
        if version != db.SCHEMA_VERSION:
            return False
        # Every table of this version is there (a database made by an earlier build of the
        # same version may lack one; ensure_schema adds it).
        present = set(inspect(conn).get_table_names())
        return all(table.name in present for table in db.metadata.sorted_tables)

    def _ensure_schema(self, conn: Connection) -> None:
        db.ensure_schema(conn, self._too_new)

    @staticmethod
    def _too_new(version: int) -> SchemaTooNew:
        return SchemaTooNew(
            f"the database has schema version {version}; this kit knows up to "
            f"{db.SCHEMA_VERSION}: update samskaping-kit or use another database",
            version=version,
        )

    def _is_open(self, row: Any) -> bool:
        if row.closed_at is not None:
            return False
        last = row.last_active or row.created_at
        return self._clock() - last < self.idle_timeout

    @staticmethod
    def _session_row(conn: Connection, code: str, *, lock: bool = False) -> Any:
        query = _SESSION_ROW_LOCKED if lock else _SESSION_ROW
        row = conn.execute(query, {"code": code}).one_or_none()
        if row is None:
            raise UnknownCode("no session with this code")
        return row

    def _open_row(self, conn: Connection, code: str) -> Any:
        """The session's row, locked, for a write that needs it open; an idle one is closed."""
        row = self._session_row(conn, code, lock=True)
        if row.closed_at is None and not self._is_open(row):
            self._mark_closed(conn, code)
            raise SessionClosed("the session was idle and has closed")
        if row.closed_at is not None:
            raise SessionClosed("the session is closed")
        return row

    def _owned_row(self, conn: Connection, code: str, key: str, *, write: bool = True) -> Any:
        row = self._session_row(conn, code, lock=write)
        if row.key_hash is None or not hmac.compare_digest(row.key_hash, key_hash(key)):
            raise NotOwner("the presenter key does not belong to this session")
        if write and row.closed_at is None and not self._is_open(row):
            # An idle session is closed for good: a reveal the next morning must not reopen it.
            self._mark_closed(conn, code)
            row = self._session_row(conn, code)
        return row

    def _mark_closed(self, conn: Connection, code: str) -> None:
        conn.execute(
            db.sessions.update()
            .where(db.sessions.c.code == code, db.sessions.c.closed_at.is_(None))
            .values(closed_at=self._clock(), state_seq=db.sessions.c.state_seq + 1)
        )

    def _touch(self, conn: Connection, code: str, *, state: bool = False, row: Any = None) -> None:
        """Mark activity (and with ``state``, a change phones follow). With the session's
        ``row`` in hand, a session active less than :data:`TOUCH_EVERY` ago is left as it is:
        a burst of joins need not each write the session row, and the idle clock (hours) is
        at most that much behind."""
        values: dict[str, Any] = {}
        if state:
            values["state_seq"] = db.sessions.c.state_seq + 1
        s = db.sessions.c
        if values:
            conn.execute(db.sessions.update().where(s.code == code).values(**values))
        if not state and row is not None:
            since = self._clock() - (row.last_active or row.created_at)
            if timedelta(0) <= since < TOUCH_EVERY:
                return
        # Activity keeps an open session open; it never reopens a closed one.
        conn.execute(
            db.sessions.update()
            .where(s.code == code, s.closed_at.is_(None))
            .values(last_active=self._clock())
        )

    def _remember_items(self, code: str, born: datetime, items: Sequence[Item]) -> None:
        if len(self._items) >= _CACHE_MAX:  # a server running for months stays bounded
            self._items.clear()
        self._items[code] = _Kept(
            born,
            tuple(c.id for c in flat_cases(items)),
            {i.id: i for i in items if isinstance(i, Question)},
            {i.id: (i.first.id, i.second.id) for i in items if isinstance(i, ContrastPair)},
        )

    def _kept_items(self, row: Any) -> _Kept:
        """The case ids (a pair's two among them), questions and pairs of the session whose
        row is ``row``, kept per code and read again when the code is another session's now
        (purged, and drawn again)."""
        kept = self._items.get(row.code)
        if kept is None or kept.born != row.created_at:
            self._remember_items(row.code, row.created_at, items_from_json(row.cases))
            kept = self._items[row.code]
        return kept

    def _ids(self, row: Any) -> tuple[str, ...]:
        """The case ids of the session whose row is ``row``, in its order."""
        return self._kept_items(row).case_ids

    def _question_map(self, row: Any) -> dict[str, Question]:
        return self._kept_items(row).questions

    def _with_pair(self, row: Any, item_id: str) -> tuple[str, ...]:
        """``item_id``, and a contrast pair's two case ids after its own: what a reveal or a
        re-vote of the item changes together."""
        return (item_id, *self._kept_items(row).pairs.get(item_id, ()))

    def _known_case(self, row: Any, case_id: str) -> None:
        if case_id not in self._ids(row):
            raise InvalidAnswer("no such case in this session", field="case_id")

    def _known_item(self, row: Any, item_id: str) -> None:
        kept = self._kept_items(row)
        if item_id not in kept.case_ids and item_id not in kept.questions:
            if item_id not in kept.pairs:
                raise InvalidAnswer("no such case or question in this session", field="case_id")

    @staticmethod
    def _rounds(conn: Connection, code: str) -> dict[str, int]:
        s = db.case_state.c
        query = select(s.case_id, s.round).where(s.session_code == code, s.round > 1)
        return {r.case_id: r.round for r in conn.execute(query)}

    # -- sessions (presenter side)

    def create_session(
        self, cases: Sequence[Item], lang: str = "nb", client: str | None = None
    ) -> NewSession:
        """Open a session for ``cases`` (cases, and questions beside them, in the presenter's
        order); returns its join code (unique among all sessions) and the presenter key that
        every change to the session needs. ``client`` (the presenter's address, when the
        server told the kernel: :mod:`kit.core.visitor`) counts the session against
        :attr:`room_limit`, with the client's workshops; over it, TooManyRooms and no session."""
        items = check_items(cases)
        for item in (*items, *flat_cases(items)):
            _check_case_id(item.id)
        if not isinstance(lang, str) or not 0 < len(lang) <= db.LANG_MAX:
            raise ValueError(f"bad language code {lang!r}")
        payload = items_to_json(items)
        key = secrets.token_urlsafe(24)
        who = self.room_client(client)
        for _ in range(50):
            code = new_code()
            now = self._clock()

            def insert(conn: Connection, code: str = code, now: datetime = now) -> bool:
                db.lock_codes(conn)
                if db.code_taken(conn, code):  # a workshop's (or a session's) code
                    return False
                self.count_room(conn, who)  # refused here: nothing written, nothing counted
                conn.execute(
                    db.sessions.insert().values(
                        code=code,
                        created_at=now,
                        last_active=now,
                        lang=lang,
                        cases=payload,
                        last_seq=0,
                        state_seq=0,
                        key_hash=key_hash(key),
                    )
                )
                return True

            try:
                if not self._run_write(insert):
                    continue  # the code is taken: draw another
            except IntegrityError:
                continue  # the code is taken: draw another
            self._remember_items(code, now, items)
            return NewSession(code, key)
        raise StoreError("could not find a free join code")  # pragma: no cover

    def session_info(self, code: str) -> SessionInfo:
        """Whether a session is open, and its language, for a process that only has the code."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return SessionInfo(
            code=row.code,
            created_at=row.created_at,
            closed_at=row.closed_at,
            lang=row.lang,
            open=self._is_open(row),
        )

    def session_cases(self, code: str) -> tuple[Case, ...]:
        """The presenter's cases, rebuilt elsewhere (all languages kept)."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return cases_from_json(row.cases)

    def session_items(self, code: str) -> tuple[Item, ...]:
        """The session's cases and questions in the presenter's order."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return items_from_json(row.cases)

    def session_items_at(self, code: str) -> tuple[datetime, tuple[Item, ...]]:
        """:meth:`session_items` with the session's ``created_at``, read together: what a
        server keeps per code belongs to that session only (a code purged and drawn again is
        another session)."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return row.created_at, items_from_json(row.cases)

    def settings(self, code: str) -> dict[str, Any]:
        """The presenter's settings of the session (see :meth:`change_settings`)."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return _settings(row)

    def change_settings(self, code: str, key: str, **changes: Any) -> dict[str, Any]:
        """Change some of the session's settings (JSON values, a few kilobytes at most):
        ``banned`` (the word cloud's banned words), ``results`` (counts shown while voting),
        ``timer`` (the countdown). Phones and screens following the room see the change."""
        code = JoinCode.parse(code)
        key = check_key(key)

        def work(conn: Connection) -> dict[str, Any]:
            row = self._owned_row(conn, code, key)
            settings = {**_settings(row), **changes}
            raw = json.dumps(settings, ensure_ascii=True)
            if len(raw) > SETTINGS_MAX:
                raise TooLong("settings too long", field="settings")
            conn.execute(
                db.sessions.update().where(db.sessions.c.code == code).values(settings=raw)
            )
            self._touch(conn, code, state=True)
            return settings

        return self._run_write(work)

    def owns(self, code: str, key: str) -> bool:
        """Whether ``key`` is the presenter key of session ``code`` (False for unknown codes)."""
        try:
            code = JoinCode.parse(code)
            key = check_key(key)
            self._run_read(lambda conn: self._owned_row(conn, code, key, write=False))
        except (UnknownCode, NotOwner, TooLong):
            return False
        return True

    def owned_sessions(self, claims: Sequence[tuple[str, str]]) -> list[SessionInfo]:
        """Of the ``(code, key)`` pairs a presenter's browser kept, the sessions they really own,
        newest first (at most 50 looked at)."""
        found = []
        for code, key in list(claims)[:50]:
            if self.owns(code, key):
                found.append(self.session_info(code))
        found.sort(key=lambda s: s.created_at, reverse=True)
        return found

    def close_session(self, code: str, key: str) -> None:
        """Stop taking joins and answers; counts stay readable. Closing twice is harmless."""
        code = JoinCode.parse(code)
        key = check_key(key)

        def work(conn: Connection) -> None:
            self._owned_row(conn, code, key)
            self._mark_closed(conn, code)

        self._run_write(work)

    def _case_change(self, code: str, key: str, case_id: str, change: Callable) -> Any:
        """Apply ``change`` to the state of item ``case_id`` (and of a contrast pair's two
        cases with it), in one transaction: a refusal of any of them changes none."""
        code = JoinCode.parse(code)
        key = check_key(key)
        _check_case_id(case_id)

        def work(conn: Connection) -> Any:
            session = self._owned_row(conn, code, key)
            self._known_item(session, case_id)
            s = db.case_state.c
            result, changed = None, False
            for item_id in self._with_pair(session, case_id):
                where = (s.session_code == code, s.case_id == item_id)
                row = conn.execute(select(db.case_state).where(*where)).one_or_none()
                if row is None:
                    conn.execute(
                        db.case_state.insert().values(session_code=code, case_id=item_id, round=1)
                    )
                    row = conn.execute(select(db.case_state).where(*where)).one()
                values, result = change(row)
                if values:
                    conn.execute(db.case_state.update().where(*where).values(**values))
                    changed = True
            if changed:
                self._touch(conn, code, state=True)
            return result

        return self._run_write(work)

    def reveal(self, code: str, key: str, case_id: str) -> None:
        """Show a case's key ("vis fasit") to the presenter's screen and to every phone; of a
        contrast pair, both cases' keys and what differs, at once."""

        def change(row: Any) -> tuple[dict, None]:
            return ({} if row.revealed_at else {"revealed_at": self._clock()}), None

        self._case_change(code, key, case_id, change)

    def start_round(self, code: str, key: str, case_id: str) -> int:
        """Start the re-vote of a case (after the room discussed it); returns the new round.

        The first round's answers stay; phones answer the case again. A revealed case cannot be
        re-voted (the key would decide it), nor can a case twice. A contrast pair's re-vote is
        of both its cases.
        """

        def change(row: Any) -> tuple[dict, int]:
            if not row.case_id or row.case_id.startswith(QUESTION_PREFIX):
                raise RoundLimit("a question has no re-vote")
            if row.round >= room.MAX_ROUNDS:
                raise RoundLimit("this case already had its re-vote")
            if row.revealed_at is not None:
                raise RoundLimit("the key of this case is shown already")
            return {"round": row.round + 1}, row.round + 1

        return self._case_change(code, key, case_id, change)

    def show_case(self, code: str, key: str, case_id: str | None) -> None:
        """Send every phone to ``case_id`` (None: let everyone move freely)."""
        code = JoinCode.parse(code)
        key = check_key(key)
        if case_id is not None:
            _check_case_id(case_id)

        def work(conn: Connection) -> None:
            row = self._owned_row(conn, code, key)
            if case_id is not None:
                self._known_item(row, case_id)
            conn.execute(
                db.sessions.update().where(db.sessions.c.code == code).values(current_case=case_id)
            )
            self._touch(conn, code, state=True)

        self._run_write(work)

    def state(self, code: str) -> RoomState:
        """What phones follow (one consistent read): open, shown case, rounds, revealed keys."""
        code = JoinCode.parse(code)

        return self._run_read(lambda conn: self._state(conn, code, self._session_row(conn, code)))

    def _state(self, conn: Connection, code: str, row: Any) -> RoomState:
        """The room's state, read on ``conn``, with the session's ``row`` already in hand."""
        states = list(conn.execute(_CASE_STATES, {"code": code}))
        return RoomState(
            open=self._is_open(row),
            version=row.state_seq,
            current_case=row.current_case,
            rounds={r.case_id: r.round for r in states if r.round > 1},
            revealed=frozenset(r.case_id for r in states if r.revealed_at is not None),
            born=row.created_at,
        )

    def revealed(self, code: str) -> set[str]:
        """Case ids whose key the presenter has shown."""
        return set(self.state(code).revealed)

    def state_version(self, code: str) -> tuple[int, bool]:
        """(state_seq, open): one primary-key read, for a server watching many phones' sessions."""
        code = JoinCode.parse(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return row.state_seq, self._is_open(row)

    def purge(self, older_than: timedelta) -> int:
        """Delete every session and every workshop created more than ``older_than`` ago, with
        everything said in them; returns how many sessions went (:meth:`purge_counts` says how
        many workshops too). Answers are kept no longer than a course leader needs them."""
        return self.purge_counts(older_than)[0]

    def purge_counts(self, older_than: timedelta) -> tuple[int, int]:
        """:meth:`purge`, returning how many (sessions, workshops) went: a session with its
        participants, answers, responses and case states; a workshop (:mod:`kit.workshop`) with
        its participants, proposals, responses, parking lot and clause outcomes."""
        cutoff = self._clock() - older_than

        def work(conn: Connection) -> tuple[int, int]:
            old = select(db.sessions.c.code).where(db.sessions.c.created_at < cutoff)
            codes = list(conn.execute(old).scalars())
            if codes:
                for table in (db.answers, db.responses, db.case_state, db.participants):
                    conn.execute(table.delete().where(table.c.session_code.in_(codes)))
                conn.execute(db.sessions.delete().where(db.sessions.c.code.in_(codes)))
            w = db.workshops.c
            gone = list(conn.execute(select(w.code).where(w.created_at < cutoff)).scalars())
            if gone:
                for table in db.WORKSHOP_TABLES:
                    conn.execute(table.delete().where(table.c.workshop_code.in_(gone)))
                conn.execute(db.workshops.delete().where(w.code.in_(gone)))
            return len(codes), len(gone)

        return self._run_write(work)

    # -- participants

    def join(self, code: str, token: str | None = None, client: str | None = None) -> Joined:
        """Enter a session. With the ``token`` this browser got before (a reload, the same code
        typed again), the same participant comes back with their answers; otherwise a new
        anonymous token (random; nothing about the person) is made. ``client`` (the address the
        request came from) counts new participants against ``join_limit``; a client over it may
        still come back as itself, never as someone new (RateLimited)."""
        return self.enter(code, token, client).joined

    def enter(self, code: str, token: str | None = None, client: str | None = None) -> Entered:
        """:meth:`join`, and in the same transaction what the phone shows next: the room's
        state and (for a participant coming back) their answers. One trip to the database for
        a phone's join (:meth:`enter_many` for several)."""
        entered = self.enter_many([(code, token, client)])[0]
        if isinstance(entered, StoreError):
            raise entered
        return entered

    def enter_many(
        self, joins: Sequence[tuple[str, str | None, str | None]]
    ) -> list[Entered | StoreError]:
        """:meth:`enter` for several phones (code, token, client) in one transaction: the burst
        a room makes when the code goes up costs one commit, one read of each session's row and
        state, and one insert of the new participants. Each join gets its own answer, in order:
        what it entered, or why it was refused (an unknown or closed code, a client over its
        limit); a failure of the database itself is raised for all."""
        now = self._clock()
        asked: list[tuple[JoinCode, str | None, str | None, str] | StoreError] = []
        for code, token, client in joins:
            try:
                code = JoinCode.parse(code)
                if client is not None and (not isinstance(client, str) or len(client) > 128):
                    raise TooLong("client too long", field="client")
            except StoreError as exc:
                asked.append(exc)
                continue
            if token is not None:
                try:
                    token = check_token(token)
                except (UnknownParticipant, TooLong):
                    token = None
            who = self._client_hash(client) if client is not None else None
            asked.append((code, token, who, secrets.token_hex(16)))

        def work(conn: Connection) -> list[Entered | StoreError]:
            rows: dict[str, Any] = {}
            fresh: list[dict[str, Any]] = []
            done: list[tuple[str, Joined, dict, dict] | StoreError] = []
            for one in asked:
                if isinstance(one, StoreError):
                    done.append(one)
                    continue
                code, token, who, new_token = one
                if code not in rows:
                    try:
                        rows[code] = self._open_row(conn, code)
                    except StoreError as exc:
                        rows[code] = exc
                if isinstance(rows[code], StoreError):
                    done.append(rows[code])
                    continue
                if token is not None:
                    mine = conn.execute(_TOKEN_SESSION, {"token": token}).scalar_one_or_none()
                    if mine == code:
                        answers = self._answers_of(conn, code, token)
                        responses = self._responses_of(conn, code, token)
                        done.append((code, Joined(token, True), answers, responses))
                        continue
                if who is not None:
                    try:
                        self._count_join(conn, who)
                    except RateLimited as exc:
                        done.append(exc)
                        continue
                fresh.append({"token": new_token, "code": code, "now": now})
                done.append((code, Joined(new_token, False), {}, {}))
            if fresh:
                conn.execute(_NEW_PARTICIPANT, fresh)
            states: dict[str, RoomState] = {}
            for entered_code, row in rows.items():
                if not isinstance(row, StoreError):
                    self._touch(conn, entered_code, row=row)
                    states[entered_code] = self._state(conn, entered_code, row)
            return [
                one if isinstance(one, StoreError) else Entered(one[1], states[one[0]], *one[2:])
                for one in done
            ]

        return self._run_write(work)

    def holds(self, code: str, token: object, whose: Any = _TOKEN_SESSION) -> bool:
        """Whether ``token`` is a participant's of session ``code`` (a read, nothing counted):
        a phone that has joined, which the limits on unknown codes never hold back. ``whose``:
        the query of a token's code (a workshop's, :mod:`kit.workshop.store`)."""
        try:
            code = JoinCode.parse(code)
            token = check_token(token)
        except StoreError:
            return False
        mine = self._run_read(
            lambda conn: conn.execute(whose, {"token": token}).scalar_one_or_none()
        )
        return mine == code

    def count_probe(self, client: str, limit: int, seconds: float) -> bool:
        """One more request from ``client`` (an address) that named a code no session or
        workshop has; whether the client is now over ``limit`` such requests in ``seconds``.
        Counted in the database (a salted hash of the address, apart from its joins), so the
        bucket holds across every server process on it."""
        who = self.client_id("probe " + client[:120])

        def work(conn: Connection) -> int:
            return self._bump_window(conn, who, seconds)

        return self._run_write(work) > limit

    def _client_hash(self, client: str) -> str:
        if self._salt is None:
            self._salt = self._run_read(
                lambda conn: conn.execute(
                    select(db.secrets_table.c.value).where(db.secrets_table.c.purpose == "salt")
                ).scalar_one()
            )
        return hashlib.sha256(f"{self._salt}:{client}".encode()).hexdigest()

    def _count_join(self, conn: Connection, who: str) -> None:
        """One more new participant from client ``who`` in this transaction, or RateLimited
        (and the attempt is not counted)."""
        limit, seconds = self.join_limit
        if self._bump_window(conn, who, seconds) > limit:
            # not counted: a client held back stays at its limit (the others in the same
            # transaction of joins go on)
            conn.execute(
                db.client_windows.update()
                .where(db.client_windows.c.client == who)
                .values(joins=db.client_windows.c.joins - 1)
            )
            raise RateLimited("too many new participants from one client")

    def _bump_window(self, conn: Connection, who: str, seconds: float) -> int:
        """One more event of counter ``who`` (a hashed client) in its window of ``seconds``;
        returns the count in the window.

        One upsert counts it: a window that has run out (or lies in the future: the clock went
        back) starts again at this event. The counter row is locked by the upsert (PostgreSQL)
        or the whole database is (SQLite's BEGIN IMMEDIATE), so events arriving together are
        counted one after another."""
        now = self._clock()
        window = timedelta(seconds=seconds)
        c = db.client_windows.c
        # Windows long run out are deleted now and then (once a window per store), not on
        # every join: a burst of joins should not each scan the table. A client's counter of
        # created rooms (its key marked) lives an hour, whatever window this sweep is for.
        if self._windows_swept is None or not (timedelta(0) <= now - self._windows_swept < window):
            old = c.window_start < now - window * 5
            rooms = timedelta(seconds=ROOMS_WINDOW)
            if window * 5 < rooms:
                old = and_(old, or_(~c.client.startswith(ROOM_MARK), c.window_start < now - rooms))
            conn.execute(db.client_windows.delete().where(old))
            self._windows_swept = now
        counter = _JOIN_COUNTERS[self.dialect]
        events = conn.execute(counter, {"who": who, "now": now, "window_from": now - window})
        return int(events.scalar_one())

    def my_answers(self, code: str, token: str) -> dict[tuple[str, int], Answer]:
        """A participant's own answers, by (case id, round): what a reloaded phone shows."""
        code = JoinCode.parse(code)
        token = check_token(token)

        def work(conn: Connection) -> dict[tuple[str, int], Answer]:
            self._session_row(conn, code)
            return self._answers_of(conn, code, token)

        return self._run_read(work)

    @staticmethod
    def _answers_of(conn: Connection, code: str, token: str) -> dict[tuple[str, int], Answer]:
        rows = conn.execute(_ANSWERS_OF, {"code": code, "token": token})
        return {(r.case_id, r.round): Answer(r.process, r.level) for r in rows}

    def submit(self, code: str, token: str, case_id: str, answer: Answer) -> int:
        """Record a participant's answer to one case in its current round (returned); a new
        answer in the same round replaces the old one.

        Checked here, whatever the page allows: the session is open, the token belongs to it,
        the case is one of its cases, the answer is a valid one, and the participant stays under
        the rate limit (counted in the database, across processes).
        """
        code = JoinCode.parse(code)
        check_token(token)
        _check_case_id(case_id)
        answer = _check_answer(answer)

        def work(conn: Connection) -> int:
            session = self._writer(conn, code, token)
            self._known_case(session, case_id)
            now = self._clock()
            rnd = conn.execute(_ROUND_OF, {"code": code, "case_id": case_id}).scalar_one_or_none()
            rnd = rnd or 1
            seq = session.last_seq + 1
            conn.execute(_BUMP_SEQ, {"s_code": code, "new_seq": seq, "now": now})
            conn.execute(
                _ANSWER_UPSERTS[self.dialect],
                {
                    "code": code,
                    "token": token,
                    "case_id": case_id,
                    "rnd": rnd,
                    "a_process": answer.process,
                    "a_level": answer.level,
                    "now": now,
                    "new_seq": seq,
                },
            )
            return rnd

        return self._run_write(work)

    def _writer(self, conn: Connection, code: str, token: str) -> Any:
        """The open session's row for a participant's write, once the token is checked to be
        the session's and the participant is under the rate limit (counted here)."""
        limit, seconds = self.rate_limit
        # Lock order everywhere: session row, then participant row (no deadlocks).
        session = self._open_row(conn, code)
        person = conn.execute(_PERSON_LOCKED, {"token": token}).one_or_none()
        if person is None:
            raise UnknownParticipant("no participant with this token")
        if person.session_code != code:
            raise WrongSession("the token belongs to another session")
        now = self._clock()
        if now - person.window_start >= timedelta(seconds=seconds) or now < person.window_start:
            window_start, count = now, 1
        elif person.window_count >= limit:
            raise RateLimited("too many answers in a short time")
        else:
            window_start, count = person.window_start, person.window_count + 1
        conn.execute(_COUNT_ANSWER, {"p_token": token, "w_start": window_start, "w_count": count})
        return session

    def respond(self, code: str, token: str, item_id: str, value: object) -> list[str]:
        """Record a participant's response to a question of the session; returns all of their
        responses to it (oldest first). An open question takes up to
        :data:`~kit.live.questions.OPEN_ENTRIES` short answers; a scale or poll answer replaces
        the one before. Checked here, whatever the page allows."""
        code = JoinCode.parse(code)
        check_token(token)
        _check_case_id(item_id)
        from kit.live.questions import OPEN_ENTRIES

        def work(conn: Connection) -> list[str]:
            session = self._writer(conn, code, token)
            question = self._question_map(session).get(item_id)
            if question is None:
                raise InvalidAnswer("no such question in this session", field="case_id")
            try:
                stored = question.check(value)
            except ResponseError as exc:
                raise ResponseRefused(exc.reason) from None
            r = db.responses.c
            mine = (r.session_code == code, r.participant_token == token, r.item_id == item_id)
            if question.kind == "open":
                given = conn.execute(select(func.count()).where(*mine)).scalar_one()
                if given >= OPEN_ENTRIES:
                    raise ResponseRefused("entries")
            else:
                conn.execute(db.responses.delete().where(*mine))
            now = self._clock()
            seq = session.last_seq + 1
            conn.execute(_BUMP_SEQ, {"s_code": code, "new_seq": seq, "now": now})
            conn.execute(
                db.responses.insert().values(
                    session_code=code,
                    participant_token=token,
                    item_id=item_id,
                    value=stored,
                    hidden=0,
                    answered_at=now,
                    seq=seq,
                )
            )
            return list(conn.execute(select(r.value).where(*mine).order_by(r.id)).scalars())

        return self._run_write(work)

    @staticmethod
    def _responses_of(conn: Connection, code: str, token: str) -> dict[str, list[str]]:
        r = db.responses.c
        rows = conn.execute(
            select(r.item_id, r.value)
            .where(r.session_code == code, r.participant_token == token)
            .order_by(r.id)
        )
        out: dict[str, list[str]] = {}
        for row in rows:
            out.setdefault(row.item_id, []).append(row.value)
        return out

    def my_responses(self, code: str, token: str) -> dict[str, list[str]]:
        """A participant's own responses to questions, by question id."""
        code = JoinCode.parse(code)
        token = check_token(token)

        def work(conn: Connection) -> dict[str, list[str]]:
            self._session_row(conn, code)
            return self._responses_of(conn, code, token)

        return self._run_read(work)

    def hide_response(self, code: str, key: str, response_id: int, hidden: bool = True) -> None:
        """Take one open answer off the word cloud (or put it back); it stays in the export,
        marked hidden."""
        code = JoinCode.parse(code)
        key = check_key(key)
        if isinstance(response_id, bool) or not isinstance(response_id, int):
            raise InvalidAnswer("bad response id", field="response")

        def work(conn: Connection) -> None:
            self._owned_row(conn, code, key)
            r = db.responses.c
            done = conn.execute(
                db.responses.update()
                .where(r.session_code == code, r.id == response_id)
                .values(hidden=int(hidden))
            )
            if done.rowcount != 1:
                raise InvalidAnswer("no such response in this session", field="response")
            seq = conn.execute(
                select(db.sessions.c.last_seq).where(db.sessions.c.code == code)
            ).scalar_one()
            # a change the dashboards see (their revision reads last_seq)
            conn.execute(_BUMP_SEQ, {"s_code": code, "new_seq": seq + 1, "now": self._clock()})
            self._touch(conn, code, state=True)

        self._run_write(work)

    def responses(self, code: str) -> list[StoredResponse]:
        """Every response to the session's questions, oldest first (pseudonyms only)."""
        code = JoinCode.parse(code)
        r = db.responses.c

        def work(conn: Connection) -> list[Any]:
            self._session_row(conn, code)
            query = (
                select(r.id, r.item_id, r.value, r.hidden, r.answered_at, r.participant_token)
                .where(r.session_code == code)
                .order_by(r.id)
            )
            return list(conn.execute(query))

        return [
            StoredResponse(
                id=row.id,
                item_id=row.item_id,
                value=row.value,
                hidden=bool(row.hidden),
                answered_at=row.answered_at,
                participant=pseudonym(row.participant_token),
            )
            for row in self._run_read(work)
        ]

    def question_results(self, code: str) -> dict[str, QuestionResult]:
        """Per question (in the session's order): its responses and counts."""
        code = JoinCode.parse(code)
        stored = self.responses(code)
        questions = self._run_read(lambda conn: self._question_map(self._session_row(conn, code)))
        return room.question_results(list(questions.values()), stored)

    # -- results (dashboard side)

    def participant_count(self, code: str) -> int:
        """How many distinct participants joined (answered or not); a reload is not a new one."""
        code = JoinCode.parse(code)

        def work(conn: Connection) -> int:
            self._session_row(conn, code)
            query = select(func.count()).where(db.participants.c.session_code == code)
            return conn.execute(query).scalar_one()

        return self._run_read(work)

    def answers(self, code: str) -> list[StoredAnswer]:
        """Every current answer of every round, oldest first, for export (pseudonyms only)."""
        code = JoinCode.parse(code)
        a = db.answers.c

        def work(conn: Connection) -> list[Any]:
            self._session_row(conn, code)
            query = (
                select(a.case_id, a.round, a.process, a.level, a.answered_at, a.participant_token)
                .where(a.session_code == code)
                .order_by(a.seq)
            )
            return list(conn.execute(query))

        return [
            StoredAnswer(
                r.case_id,
                Answer(r.process, r.level),
                r.answered_at,
                pseudonym(r.participant_token),
                r.round,
            )
            for r in self._run_read(work)
        ]

    def results(self, code: str) -> dict[str, CaseResult]:
        """Per case (in the session's order), the counts of each of its rounds."""
        code = JoinCode.parse(code)
        a = db.answers.c

        def work(conn: Connection) -> tuple[tuple[str, ...], dict[str, int], list[Any]]:
            session = self._session_row(conn, code)
            query = (
                select(a.case_id, a.round, a.process, a.level, func.count().label("n"))
                .where(a.session_code == code)
                .group_by(a.case_id, a.round, a.process, a.level)
            )
            rows = [tuple(r) for r in conn.execute(query)]
            return self._ids(session), self._rounds(conn, code), rows

        ids, rounds, rows = self._run_read(work)
        return room.results(ids, rounds, rows)

    def counts(self, code: str) -> dict[str, CaseCounts]:
        """Per case (in the session's order): the counts of its current round."""
        return {case_id: r.current for case_id, r in self.results(code).items()}

    def revision(self, code: str) -> tuple[int, int, int, int]:
        """(answers, last answer's sequence number, participants, state version): changes
        whenever an answer, a join or the room's state does.

        One indexed query, so a dashboard can poll it several times a second and re-read only
        on change.
        """
        code = JoinCode.parse(code)
        a = db.answers.c
        p = db.participants.c

        def work(conn: Connection) -> tuple[int, int, int, int]:
            votes = select(func.count()).where(a.session_code == code).scalar_subquery()
            said = select(func.count()).where(db.responses.c.session_code == code).scalar_subquery()
            n = votes + said
            people = select(func.count()).where(p.session_code == code).scalar_subquery()
            row = conn.execute(
                select(n, db.sessions.c.last_seq, people, db.sessions.c.state_seq).where(
                    db.sessions.c.code == code
                )
            ).one_or_none()
            if row is None:
                raise UnknownCode("no session with this code")
            return int(row[0]), int(row[1]), int(row[2]), int(row[3])

        return self._run_read(work)
