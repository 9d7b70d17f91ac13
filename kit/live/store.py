"""The shared store behind a live classroom session: sessions, anonymous participants, answers.

Voilà gives every visitor a kernel (a process) of its own, with nothing shared, so a presenter's
dashboard and 20-60 phones meet in a database: a SQLite file in the per-user data folder by
default, or PostgreSQL through ``KIT_DB_URL`` / ``Store(url=...)``. Everything a participant's
kernel sends is checked here, not only in the UI. No UI code: no ipywidgets, IPython or pandas.

>>> store = Store("sqlite://")
>>> from kit.text import Text
>>> case = Case("c1", Text("Tittel"), Text("Tekst"), "ingen", None, Text("Fordi"))
>>> code = store.create_session([case])
>>> token = store.join(code)
>>> store.submit(code, token, "c1", "samskaping", 2)
>>> store.counts(code)["c1"].processes["samskaping"]
1
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from . import schema as db
from ..cases import LEVELS, Case
from ..model import PROCESSES
from ..text import Text

__all__ = [
    "CODE_ALPHABET",
    "CaseCounts",
    "InvalidAnswer",
    "RateLimited",
    "SchemaTooNew",
    "SessionClosed",
    "SessionInfo",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoredAnswer",
    "TooLong",
    "UnknownCode",
    "UnknownParticipant",
    "WrongSession",
    "new_code",
    "normalize_code",
]

#: Join-code characters: no 0/O, 1/I/L, 2/Z, 5/S, 8/B or U/V, so a code read off a projector
#: is typed right on a phone.
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_RAW_CODE_MAX = 64  # what a person may plausibly type around a 6-character code


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


class RateLimited(StoreError):
    key = "rate_limited"


class TooLong(StoreError):
    key = "too_long"


class SchemaTooNew(StoreError):
    """The database was written by a newer kit; this one must not touch it."""

    key = "schema_too_new"


class StoreBusy(StoreError):
    """The database stayed locked through every retry (a very busy or stuck server)."""

    key = "store_busy"


# -------------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class SessionInfo:
    code: str
    created_at: datetime
    closed_at: datetime | None
    lang: str
    open: bool


@dataclass(frozen=True)
class StoredAnswer:
    """One answer for export: who gave it is a pseudonym (hash of the token), never the token."""

    case_id: str
    process: str
    level: int | None
    answered_at: datetime
    participant: str


@dataclass(frozen=True)
class CaseCounts:
    """What the room answered for one case (every process and level listed, zeros included)."""

    case_id: str
    answers: int
    processes: dict[str, int]
    levels: dict[int | None, int]
    by_answer: dict[tuple[str, int | None], int]  #: (process, level) -> count, non-zero only

    @property
    def top_process(self) -> str | None:
        """The most common process answer (first in PROCESSES order on a tie)."""
        if not self.answers:
            return None
        return max(PROCESSES, key=lambda p: self.processes[p])

    @property
    def dispute(self) -> Fraction:
        """1 - the share of the most common process: 0 when the room agrees."""
        if not self.answers:
            return Fraction(0)
        return 1 - Fraction(max(self.processes.values()), self.answers)


# ------------------------------------------------------------------------------ input checking


def new_code() -> str:
    """A random join code (collisions are handled by the caller)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(db.CODE_LENGTH))


def normalize_code(text: str) -> str:
    """The join code a person typed, cleaned: ``" acd-efg "`` -> ``"ACDEFG"``.

    Characters outside the alphabet are refused rather than guessed (no O->0 mapping): both
    members of every look-alike pair are left out of the alphabet.
    """
    if not isinstance(text, str):
        raise UnknownCode("code must be text")
    if len(text) > _RAW_CODE_MAX:
        raise TooLong("code too long", field="code")
    code = _SEPARATORS.sub("", text).upper()
    if len(code) > db.CODE_LENGTH:
        raise TooLong("code too long", field="code")
    if len(code) != db.CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise UnknownCode("not a join code")
    return code


def _check_token(token: str) -> str:
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


def _check_answer(process: str, level: int | None) -> None:
    if not isinstance(process, str) or process not in PROCESSES:
        raise InvalidAnswer("unknown process", field="process")
    # bool is an int in Python; True must not pass for level 1.
    if level is not None and (type(level) is not int or level not in LEVELS):
        raise InvalidAnswer("level must be 1, 2, 3 or None", field="level")


def pseudonym(token: str) -> str:
    """A stable stand-in for a participant in exports; the token itself is a credential."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:16]


# -------------------------------------------------------------------- case (de)serialization


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"$text": dict(value.as_dict())}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$text" in value:
        return Text(**value["$text"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def cases_to_json(cases: Sequence[Case]) -> str:
    """The case set as JSON, every field and every language of every text kept."""
    payload = [
        {f.name: _encode(getattr(case, f.name)) for f in dataclasses.fields(Case)} for case in cases
    ]
    # ensure_ascii: lone surrogates or control characters in a teacher's file survive as escapes.
    return json.dumps({"v": 1, "cases": payload}, ensure_ascii=True)


def cases_from_json(raw: str) -> tuple[Case, ...]:
    known = {f.name for f in dataclasses.fields(Case)}
    data = json.loads(raw)
    return tuple(
        Case(**{k: _decode(v) for k, v in item.items() if k in known}) for item in data["cases"]
    )


# -------------------------------------------------------------------------------------- store


class Store:
    """Sessions, participants and answers in a database shared by every kernel of a server.

    ``url``: any SQLite or PostgreSQL SQLAlchemy URL; default ``KIT_DB_URL`` or a SQLite file in
    the user's data folder. ``rate_limit``: at most ``n`` submits per participant per ``seconds``.
    ``clock``: the current time (UTC, aware), replaceable in tests.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        rate_limit: tuple[int, float] = (30, 10.0),
        clock: Callable[[], datetime] = db.utcnow,
    ) -> None:
        self.engine = db.make_engine(url or db.default_url())
        self.rate_limit = rate_limit
        self._clock = clock
        self._case_ids: dict[str, frozenset[str]] = {}  # a session's cases never change
        try:
            if not self._run_read(self._schema_is_current):
                self._run_write(self._ensure_schema)
        except Exception:
            self.engine.dispose()
            raise

    # -- lifecycle

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

    def _run_write(self, work: Callable[[Connection], Any]) -> Any:
        def attempt() -> Any:
            with db.write_transaction(self.engine) as conn:
                return work(conn)

        return db.with_retry(attempt, on_give_up=lambda exc: StoreBusy(str(exc.orig)))

    def _run_read(self, work: Callable[[Connection], Any]) -> Any:
        def attempt() -> Any:
            with db.read_transaction(self.engine) as conn:
                return work(conn)

        return db.with_retry(attempt, on_give_up=lambda exc: StoreBusy(str(exc.orig)))

    def _schema_is_current(self, conn: Connection) -> bool:
        version = db.stored_version(conn)
        if version is not None and version > db.SCHEMA_VERSION:
            raise self._too_new(version)
        return version == db.SCHEMA_VERSION

    def _ensure_schema(self, conn: Connection) -> None:
        db.ensure_schema(conn, self._too_new)

    @staticmethod
    def _too_new(version: int) -> SchemaTooNew:
        return SchemaTooNew(
            f"the database has schema version {version}; this kit knows up to "
            f"{db.SCHEMA_VERSION}: update samskaping-kit or use another database",
            version=version,
        )

    @staticmethod
    def _session_row(conn: Connection, code: str, *, lock: bool = False) -> Any:
        query = select(db.sessions).where(db.sessions.c.code == code)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).one_or_none()
        if row is None:
            raise UnknownCode("no session with this code")
        return row

    def _ids(self, conn: Connection, code: str) -> frozenset[str]:
        ids = self._case_ids.get(code)
        if ids is None:
            raw = conn.execute(select(db.sessions.c.cases).where(db.sessions.c.code == code))
            ids = frozenset(c.id for c in cases_from_json(raw.scalar_one()))
            self._case_ids[code] = ids
        return ids

    # -- sessions (presenter side)

    def create_session(self, cases: Sequence[Case], lang: str = "nb") -> str:
        """Open a session for ``cases``; returns its join code (unique among all sessions)."""
        cases = tuple(cases)
        if not cases:
            raise ValueError("a session needs at least one case")
        ids = [c.id for c in cases]
        if len(set(ids)) != len(ids):
            raise ValueError("case ids must be unique within a session")
        for case_id in ids:
            _check_case_id(case_id)
        if not isinstance(lang, str) or not 0 < len(lang) <= db.LANG_MAX:
            raise ValueError(f"bad language code {lang!r}")
        payload = cases_to_json(cases)
        for _ in range(50):
            code = new_code()

            def insert(conn: Connection, code: str = code) -> None:
                conn.execute(
                    db.sessions.insert().values(
                        code=code, created_at=self._clock(), lang=lang, cases=payload, last_seq=0
                    )
                )

            try:
                self._run_write(insert)
            except IntegrityError:
                continue  # the code is taken: draw another
            self._case_ids[code] = frozenset(ids)
            return code
        raise StoreError("could not find a free join code")  # pragma: no cover

    def session_info(self, code: str) -> SessionInfo:
        """Whether a session is open, and its language, for a kernel that only has the code."""
        code = normalize_code(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return SessionInfo(
            code=row.code,
            created_at=row.created_at,
            closed_at=row.closed_at,
            lang=row.lang,
            open=row.closed_at is None,
        )

    def session_cases(self, code: str) -> tuple[Case, ...]:
        """The presenter's cases, rebuilt in a participant's kernel (all languages kept)."""
        code = normalize_code(code)
        row = self._run_read(lambda conn: self._session_row(conn, code))
        return cases_from_json(row.cases)

    def close_session(self, code: str) -> None:
        """Stop taking joins and answers; counts stay readable. Closing twice is harmless."""
        code = normalize_code(code)

        def work(conn: Connection) -> None:
            self._session_row(conn, code)
            conn.execute(
                db.sessions.update()
                .where(db.sessions.c.code == code, db.sessions.c.closed_at.is_(None))
                .values(closed_at=self._clock())
            )

        self._run_write(work)

    def purge(self, older_than: timedelta) -> int:
        """Delete every session created more than ``older_than`` ago, with its participants,
        answers and reveals; returns how many sessions went. Answers are kept no longer than
        a course leader needs them."""
        cutoff = self._clock() - older_than

        def work(conn: Connection) -> int:
            old = select(db.sessions.c.code).where(db.sessions.c.created_at < cutoff)
            codes = list(conn.execute(old).scalars())
            if codes:
                for table in (db.answers, db.reveals, db.participants):
                    conn.execute(table.delete().where(table.c.session_code.in_(codes)))
                conn.execute(db.sessions.delete().where(db.sessions.c.code.in_(codes)))
            return len(codes)

        return self._run_write(work)

    def reveal(self, code: str, case_id: str) -> None:
        """Mark a case's key as shown ("vis fasit"), so participants' screens can show it too."""
        code = normalize_code(code)
        _check_case_id(case_id)

        def work(conn: Connection) -> None:
            self._session_row(conn, code)
            if case_id not in self._ids(conn, code):
                raise InvalidAnswer("no such case in this session", field="case_id")
            stmt = self._insert(db.reveals).values(
                session_code=code, case_id=case_id, revealed_at=self._clock()
            )
            conn.execute(stmt.on_conflict_do_nothing())

        self._run_write(work)

    def revealed(self, code: str) -> set[str]:
        """Case ids whose key the presenter has shown; participants' kernels poll this."""
        code = normalize_code(code)

        def work(conn: Connection) -> set[str]:
            self._session_row(conn, code)
            query = select(db.reveals.c.case_id).where(db.reveals.c.session_code == code)
            return set(conn.execute(query).scalars())

        return self._run_read(work)

    # -- participants

    def join(self, code: str) -> str:
        """Enter a session; returns an anonymous token (random; nothing about the person)."""
        code = normalize_code(code)
        token = secrets.token_hex(16)

        def work(conn: Connection) -> None:
            row = self._session_row(conn, code)
            if row.closed_at is not None:
                raise SessionClosed("the session is closed")
            now = self._clock()
            conn.execute(
                db.participants.insert().values(
                    token=token, session_code=code, joined_at=now, window_start=now, window_count=0
                )
            )

        self._run_write(work)
        return token

    def submit(self, code: str, token: str, case_id: str, process: str, level: int | None) -> None:
        """Record a participant's answer to one case; a new answer replaces the old one.

        Checked here, in the kernel, whatever the UI allows: the session is open, the token
        belongs to it, the case is one of its cases, the answer is a valid one, and the
        participant stays under the rate limit (counted in the database, across kernels).
        """
        code = normalize_code(code)
        _check_token(token)
        _check_case_id(case_id)
        _check_answer(process, level)
        limit, seconds = self.rate_limit

        def work(conn: Connection) -> None:
            # Lock order everywhere: session row, then participant row (no deadlocks).
            session = self._session_row(conn, code, lock=True)
            if session.closed_at is not None:
                raise SessionClosed("the session is closed")
            person = conn.execute(
                select(db.participants).where(db.participants.c.token == token).with_for_update()
            ).one_or_none()
            if person is None:
                raise UnknownParticipant("no participant with this token")
            if person.session_code != code:
                raise WrongSession("the token belongs to another session")
            if case_id not in self._ids(conn, code):
                raise InvalidAnswer("no such case in this session", field="case_id")
            now = self._clock()
            if now - person.window_start >= timedelta(seconds=seconds) or now < person.window_start:
                window_start, count = now, 1
            elif person.window_count >= limit:
                raise RateLimited("too many answers in a short time")
            else:
                window_start, count = person.window_start, person.window_count + 1
            conn.execute(
                db.participants.update()
                .where(db.participants.c.token == token)
                .values(window_start=window_start, window_count=count)
            )
            seq = session.last_seq + 1
            conn.execute(
                db.sessions.update().where(db.sessions.c.code == code).values(last_seq=seq)
            )
            values = {"process": process, "level": level, "answered_at": now, "seq": seq}
            stmt = self._insert(db.answers).values(
                session_code=code, participant_token=token, case_id=case_id, **values
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["session_code", "participant_token", "case_id"], set_=values
                )
            )

        self._run_write(work)

    def _insert(self, table: Any) -> Any:
        """The dialect's INSERT, which has ON CONFLICT (an upsert both backends understand)."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # -- results (dashboard side)

    def participant_count(self, code: str) -> int:
        """How many have joined (answered or not): the number the presenter waits for."""
        code = normalize_code(code)

        def work(conn: Connection) -> int:
            self._session_row(conn, code)
            query = select(func.count()).where(db.participants.c.session_code == code)
            return conn.execute(query).scalar_one()

        return self._run_read(work)

    def answers(self, code: str) -> list[StoredAnswer]:
        """Every current answer, oldest first, for export (participants as pseudonyms)."""
        code = normalize_code(code)
        a = db.answers.c

        def work(conn: Connection) -> list[Any]:
            self._session_row(conn, code)
            query = (
                select(a.case_id, a.process, a.level, a.answered_at, a.participant_token)
                .where(a.session_code == code)
                .order_by(a.seq)
            )
            return list(conn.execute(query))

        return [
            StoredAnswer(
                r.case_id, r.process, r.level, r.answered_at, pseudonym(r.participant_token)
            )
            for r in self._run_read(work)
        ]

    def counts(self, code: str) -> dict[str, CaseCounts]:
        """Per case (in the session's order): answers, and counts per process, level and pair."""
        code = normalize_code(code)
        a = db.answers.c

        def work(conn: Connection) -> tuple[tuple[Case, ...], list[Any]]:
            row = self._session_row(conn, code)
            query = (
                select(a.case_id, a.process, a.level, func.count().label("n"))
                .where(a.session_code == code)
                .group_by(a.case_id, a.process, a.level)
            )
            return cases_from_json(row.cases), list(conn.execute(query))

        cases, rows = self._run_read(work)
        grouped: dict[str, dict[tuple[str, int | None], int]] = {c.id: {} for c in cases}
        for r in rows:
            grouped.setdefault(r.case_id, {})[(r.process, r.level)] = r.n
        return {case_id: _case_counts(case_id, pairs) for case_id, pairs in grouped.items()}

    def disputed(self, code: str) -> list[str]:
        """Cases the room disagrees on, most disputed first (ties: more answers first).

        Dispute = 1 - the share of the most common process answer; cases everyone agrees on
        (or nobody answered) are left out.
        """
        counts = self.counts(code)
        order = {case_id: i for i, case_id in enumerate(counts)}
        hot = [c for c in counts.values() if c.dispute > 0]
        hot.sort(key=lambda c: (-c.dispute, -c.answers, order[c.case_id]))
        return [c.case_id for c in hot]

    def revision(self, code: str) -> tuple[int, int]:
        """(number of answers, last answer's sequence number): changes whenever an answer does.

        One indexed query, so a dashboard can poll it every second and re-read only on change.
        """
        code = normalize_code(code)
        a = db.answers.c

        def work(conn: Connection) -> tuple[int, int]:
            n = select(func.count()).where(a.session_code == code).scalar_subquery()
            top = select(func.coalesce(func.max(a.seq), 0)).where(a.session_code == code)
            row = conn.execute(
                select(n, top.scalar_subquery()).where(db.sessions.c.code == code)
            ).one_or_none()
            if row is None:
                raise UnknownCode("no session with this code")
            return int(row[0]), int(row[1])

        return self._run_read(work)


def _case_counts(case_id: str, pairs: Mapping[tuple[str, int | None], int]) -> CaseCounts:
    processes = dict.fromkeys(PROCESSES, 0)
    levels: dict[int | None, int] = dict.fromkeys(LEVELS, 0)
    for (process, level), n in pairs.items():
        processes[process] = processes.get(process, 0) + n
        levels[level] = levels.get(level, 0) + n
    return CaseCounts(
        case_id=case_id,
        answers=sum(pairs.values()),
        processes=processes,
        levels=levels,
        by_answer=dict(pairs),
    )
