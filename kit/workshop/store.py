"""Workshops in the live room's database: created by a facilitator, joined by anonymous
participants who speak for a party, and what they propose, answer and park (no UI code).

The tables are in :mod:`kit.live.schema` (``kit_workshop*``), beside the sessions: one database,
one schema version and its migrations, one ``purge`` (``samskaping purge-answers``), and one
space of join codes, so a code on a projector is a session's or a workshop's, never both.
A :class:`WorkshopStore` works through a :class:`kit.live.store.Store` (its engine, transactions,
retries, clock, idle time and the per-client join limit), so a server process keeps one
database pool for both.

Every rule is :class:`kit.workshop.model.Workshop`'s: a write reads the workshop's state in its
transaction (the workshop's row locked first), lets the model check the step (bounds, counts,
an objection's reason) and stores what the model made. A refusal is a
:class:`~kit.workshop.model.WorkshopError` (its key names a text) or a
:class:`~kit.live.store.StoreError` (unknown code, closed, unknown participant, not the
facilitator, rate limited, database trouble). What is read back is a
:class:`~kit.workshop.model.Workshop`, so the draft agreement is rendered from the stored state;
in it a participant is a pseudonym, never the token (a credential).

>>> from kit.live.store import Store
>>> ws = WorkshopStore(Store("sqlite://"))
>>> made = ws.create_workshop("Leksehjelp", "nb")
>>> me = ws.join(made.code, party="recipient").speaker
>>> ws.propose(made.code, me.token, "purpose", "Leksehjelp for alle").id
'p2'
>>> ws.workshop_state(made.code).proposals[0].text
'Leksehjelp for alle'
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kit.core.text import Text
from kit.core.timer import TIMER_MAX, TimerError, is_running, next_timer, seconds_left
from kit.live import schema as db
from kit.live.store import (
    JoinCode,
    NewSession,
    NotOwner,
    RateLimited,
    SessionClosed,
    Store,
    StoreError,
    TooLong,
    UnknownCode,
    UnknownParticipant,
    WrongSession,
    check_key,
    check_token,
    key_hash,
    new_code,
    pseudonym,
)
from kit.workshop.compass import compass_questions, stored_answers
from kit.workshop.model import (
    CUSTOM_PREFIX,
    NAME_MAX,
    PARTICIPANTS_MAX,
    Agenda,
    Clause,
    ClauseOutcome,
    ParkingPoint,
    Proposal,
    Response,
    Workshop,
    WorkshopError,
    clean_text,
    load_agenda,
    new_workshop,
)

__all__ = [
    "ClauseTimer",
    "Entered",
    "Mine",
    "Speaker",
    "WorkshopInfo",
    "WorkshopStore",
]

#: A countdown's refusal (kit.core.timer) as the workshop's rule key (``workshop_err_<key>``).
_TIMER_ERRORS = {"seconds": "timer_seconds", "no_timer": "no_timer", "op": "timer_op"}
#: A proposal's and a parking point's id: a letter and the workshop's sequence number.
#: the workshop a participant's token belongs to
_TOKEN_WORKSHOP = select(db.workshop_participants.c.workshop_code).where(
    db.workshop_participants.c.token == bindparam("token")
)
_PROPOSAL_ID = re.compile(r"p([1-9][0-9]{0,9})")


# -------------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class ClauseTimer:
    """The countdown on one clause (the arithmetic is :mod:`kit.core.timer`'s): running until
    ``ends`` (seconds since the epoch, on the store's clock), or paused with ``left`` seconds
    left; ``total`` is the length set, with what was added. A workshop has at most one. It only
    shows time: nothing closes when it runs out (WCAG 2.2.1)."""

    clause: str
    total: float
    ends: float | None = None
    left: float | None = None

    @property
    def running(self) -> bool:
        return self.ends is not None

    def seconds_left(self, now: float) -> float:
        """The seconds left at ``now`` (0 once it has run out)."""
        return seconds_left(self.json(), now) or 0.0

    def json(self) -> dict[str, Any]:
        """As the settings keep it and phones are sent it: ``{"clause", "total"}`` and
        ``"ends"`` (running) or ``"left"`` (paused)."""
        out: dict[str, Any] = {"clause": self.clause, "total": self.total}
        if self.ends is not None:
            out["ends"] = self.ends
        else:
            out["left"] = self.left
        return out


def _clause_timer(settings: Mapping[str, Any]) -> ClauseTimer | None:
    """The countdown the settings keep, or None (also for one this module did not write)."""
    found = settings.get("timer")
    if not isinstance(found, dict) or not isinstance(found.get("clause"), str):
        return None
    left = seconds_left(found, 0.0)
    total = found.get("total")
    if left is None or isinstance(total, bool) or not isinstance(total, (int, float)):
        return None
    if is_running(found):
        return ClauseTimer(found["clause"], total, ends=float(found["ends"]))
    return ClauseTimer(found["clause"], total, left=left)


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop's row: what a process that only has the code needs to know."""

    code: str
    created_at: datetime
    closed_at: datetime | None
    lang: str
    initiative: str
    open: bool
    #: bumped by every change phones follow (a proposal, the current clause, the agenda, an
    #: outcome, closing)
    version: int
    #: bumped by every write (joins, responses and parking points too)
    revision: int
    current_clause: str | None
    #: the countdown on a clause, if the facilitator set one (phones follow it)
    timer: ClauseTimer | None = None


@dataclass(frozen=True)
class Speaker:
    """A participant as their own browser knows them. ``resumed``: the token was already theirs
    (a reload)."""

    token: str
    party: str
    name: str | None
    resumed: bool


@dataclass(frozen=True)
class Mine:
    """What one participant has said: their proposals' ids, their responses by proposal id and
    their parking points (a reloaded page shows them again)."""

    proposals: tuple[str, ...] = ()
    responses: dict[str, Response] = field(default_factory=dict)
    parking: tuple[ParkingPoint, ...] = ()


@dataclass(frozen=True)
class Entered:
    """What a phone's join returns: the participant, the workshop and what they said in it."""

    speaker: Speaker
    info: WorkshopInfo
    workshop: Workshop
    mine: Mine


# ------------------------------------------------------------------------------ input checking


def _proposal_number(proposal: object) -> int:
    found = _PROPOSAL_ID.fullmatch(proposal) if isinstance(proposal, str) else None
    if found is None:
        raise WorkshopError("unknown_proposal", "proposal")
    return int(found[1])


def _ident(value: object, what: str) -> str:
    """A clause, party or choice id as sent: text of at most an id's length (the model says
    whether it is one)."""
    if not isinstance(value, str) or not value or len(value) > db.WS_ID_MAX:
        raise WorkshopError(f"unknown_{what}" if what != "choice" else "unknown_response", what)
    return value


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:  # not written by this module
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ------------------------------------------------------------------------ the agenda as JSON


def agenda_json(workshop: Workshop) -> str:
    """What the workshop's row keeps of its agenda: the clause ids in order (the facilitator's
    own with their texts) and the parties expected."""
    clauses: list[dict[str, Any]] = []
    for clause in workshop.clauses:
        if clause.custom:
            clauses.append(
                {
                    "id": clause.id,
                    "level": clause.level,
                    "title": clause.title.nb,
                    "question": clause.question.nb,
                }
            )
        else:
            clauses.append({"id": clause.id})
    raw = json.dumps({"clauses": clauses, "parties": list(workshop.parties)}, ensure_ascii=False)
    if len(raw) > db.WS_AGENDA_MAX:  # pragma: no cover - the model's bounds keep it under
        raise WorkshopError("too_many", "clause")
    return raw


def _clauses_from(raw: str, agenda: Agenda) -> tuple[tuple[Clause, ...], tuple[str, ...]]:
    """The clauses and parties the row keeps; a default clause or party the agenda no longer
    has (an updated data/workshop.yaml) is left out."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    known = {c.id: c for c in agenda.clauses}
    clauses: list[Clause] = []
    for entry in data.get("clauses") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        clause_id = entry["id"]
        if clause_id.startswith(CUSTOM_PREFIX):
            title = str(entry.get("title") or clause_id)
            clauses.append(
                Clause(
                    id=clause_id,
                    level=int(entry.get("level") or 1),
                    title=Text(nb=title),
                    question=Text(nb=str(entry.get("question") or title)),
                    origin="kit",
                    custom=True,
                )
            )
        elif clause_id in known:
            clauses.append(known[clause_id])
    parties = {p.id for p in agenda.parties}
    present = tuple(p for p in data.get("parties") or () if p in parties)
    return tuple(clauses), present


# ------------------------------------------------------------------------- the settings column


def settings_of(row: Any) -> dict[str, Any]:
    """The workshop's settings (the compass answers, the clause timer) as a dict; a column
    that is empty or not a JSON object reads as no settings."""
    try:
        found = json.loads(row.settings) if row.settings else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def settings_json(settings: Mapping[str, Any]) -> str | None:
    if not settings:
        return None
    raw = json.dumps(settings, ensure_ascii=False, sort_keys=True)
    if len(raw) > db.WS_SETTINGS_MAX:  # pragma: no cover - the model's bounds keep it under
        raise WorkshopError("too_long", "compass", db.WS_SETTINGS_MAX)
    return raw


# -------------------------------------------------------------------------------------- store

_INSERTS: dict[str, Callable[[Any], Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


class WorkshopStore:
    """Workshops on the database of ``store`` (a :class:`kit.live.store.Store`).

    ``agenda``: the agenda every workshop builds on (default ``data/workshop.yaml``).
    The participants' writes are limited as the live room's answers are
    (``store.rate_limit`` per participant, ``store.join_limit`` new participants per client,
    counted in the database across server processes)."""

    def __init__(self, store: Store, agenda: Agenda | None = None) -> None:
        self.store = store
        self._agenda = agenda

    @property
    def agenda(self) -> Agenda:
        if self._agenda is None:
            self._agenda = load_agenda()
        return self._agenda

    # -- rows

    @staticmethod
    def _row(conn: Connection, code: str, *, lock: bool = False) -> Any:
        query = select(db.workshops).where(db.workshops.c.code == code)
        row = conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise UnknownCode("no workshop with this code")
        return row

    def _info(self, row: Any) -> WorkshopInfo:
        return WorkshopInfo(
            code=row.code,
            created_at=row.created_at,
            closed_at=row.closed_at,
            lang=row.lang,
            initiative=row.initiative,
            open=self.store.is_open(row),
            version=row.state_seq,
            revision=row.last_seq,
            current_clause=row.current_clause,
            timer=_clause_timer(settings_of(row)),
        )

    def _open_row(self, conn: Connection, code: str) -> Any:
        """The workshop's row, locked, for a participant's write: it must be open."""
        row = self._row(conn, code, lock=True)
        if row.closed_at is not None or not self.store.is_open(row):
            raise SessionClosed("the workshop is closed")
        return row

    def _owned_row(self, conn: Connection, code: str, key: str, *, write: bool = True) -> Any:
        row = self._row(conn, code, lock=write)
        if not hmac.compare_digest(row.key_hash, key_hash(key)):
            raise NotOwner("the facilitator key does not belong to this workshop")
        if write and row.closed_at is None and not self.store.is_open(row):
            # idle for long: closed for good (the facilitator may still finish the draft)
            self._bump(conn, row, state=True, closed=True)
            row = self._row(conn, code)
        return row

    def _bump(
        self, conn: Connection, row: Any, *, state: bool = False, closed: bool = False, **values
    ) -> int:
        """One more write on the workshop (its activity time too); with ``state``, a change
        phones follow. Returns the new ``last_seq`` (the number of what the write made)."""
        seq = row.last_seq + 1
        values.update(last_seq=seq, last_active=self.store.now())
        if state:
            values["state_seq"] = row.state_seq + 1
        if closed:
            values["closed_at"] = self.store.now()
        conn.execute(db.workshops.update().where(db.workshops.c.code == row.code).values(**values))
        return seq

    def _speaker(self, conn: Connection, code: str, token: str) -> tuple[Any, Any]:
        """The open workshop's row and the participant's, for a participant's write, once the
        token is checked to be the workshop's and the participant is under the rate limit."""
        row = self._open_row(conn, code)  # lock order: the workshop, then the participant
        p = db.workshop_participants
        person = conn.execute(select(p).where(p.c.token == token).with_for_update()).one_or_none()
        if person is None:
            raise UnknownParticipant("no participant with this token")
        if person.workshop_code != code:
            raise WrongSession("the token belongs to another workshop")
        limit, seconds = self.store.rate_limit
        now = self.store.now()
        if now - person.window_start >= timedelta(seconds=seconds) or now < person.window_start:
            start, count = now, 1
        elif person.window_count >= limit:
            raise RateLimited("too many writes in a short time")
        else:
            start, count = person.window_start, person.window_count + 1
        conn.execute(
            p.update().where(p.c.token == token).values(window_start=start, window_count=count)
        )
        return row, person

    # -- the state, read back

    def _load(self, conn: Connection, row: Any) -> Workshop:
        """The workshop's state as the model has it (participants as pseudonyms)."""
        agenda = self.agenda
        clauses, parties = _clauses_from(row.agenda, agenda)
        on_agenda = {c.id for c in clauses}
        code = row.code
        pr, rs = db.workshop_proposals.c, db.workshop_responses.c
        pk, oc = db.workshop_parking.c, db.workshop_outcomes.c
        proposals = tuple(
            Proposal(
                id=f"p{r.number}",
                clause=r.clause,
                party=r.party,
                text=r.text,
                participant=pseudonym(r.participant_token),
                name=r.name,
            )
            for r in conn.execute(
                select(db.workshop_proposals).where(pr.workshop_code == code).order_by(pr.number)
            )
            if r.clause in on_agenda
        )
        kept = {p.id for p in proposals}
        responses = tuple(
            Response(
                proposal=f"p{r.proposal}",
                party=r.party,
                choice=r.choice,
                participant=pseudonym(r.participant_token),
                reason=r.reason,
                name=r.name,
            )
            for r in conn.execute(
                select(db.workshop_responses).where(rs.workshop_code == code).order_by(rs.seq)
            )
            if f"p{r.proposal}" in kept
        )
        parking = tuple(
            ParkingPoint(
                id=f"k{r.number}",
                party=r.party,
                text=r.text,
                participant=pseudonym(r.participant_token),
                clause=r.clause if r.clause in on_agenda else None,
                name=r.name,
            )
            for r in conn.execute(
                select(db.workshop_parking).where(pk.workshop_code == code).order_by(pk.number)
            )
        )
        order = {c.id: i for i, c in enumerate(clauses)}
        outcomes = tuple(
            sorted(
                (
                    ClauseOutcome(r.clause, r.status, r.wording, r.owner, _day(r.due))
                    for r in conn.execute(
                        select(db.workshop_outcomes).where(oc.workshop_code == code)
                    )
                    if r.clause in on_agenda
                ),
                key=lambda o: order[o.clause],
            )
        )
        return Workshop(
            agenda=agenda,
            initiative=row.initiative,
            lang=row.lang,
            parties=parties,
            clauses=clauses,
            proposals=proposals,
            responses=responses,
            parking=parking,
            outcomes=outcomes,
            held=_day(row.held),
            note=row.note,
            evaluation=_day(row.evaluation),
            evaluation_by=row.evaluation_by,
            compass=stored_answers(settings_of(row).get("compass")),
        )

    def workshop_state(self, code: str) -> Workshop:
        """The workshop as :class:`~kit.workshop.model.Workshop`: what the facilitator's screen
        and the draft agreement are made from."""
        code = JoinCode.parse(code)
        return self.store.run_read(lambda conn: self._load(conn, self._row(conn, code)))

    def view(self, code: str) -> tuple[WorkshopInfo, Workshop]:
        """The workshop's row and state in one consistent read (what phones are sent)."""
        code = JoinCode.parse(code)

        def work(conn: Connection) -> tuple[WorkshopInfo, Workshop]:
            row = self._row(conn, code)
            return self._info(row), self._load(conn, row)

        return self.store.run_read(work)

    def info(self, code: str) -> WorkshopInfo:
        code = JoinCode.parse(code)
        return self._info(self.store.run_read(lambda conn: self._row(conn, code)))

    def state_version(self, code: str) -> tuple[int, bool]:
        """(state version, open): one primary-key read, for a server holding phones' requests."""
        info = self.info(code)
        return info.version, info.open

    def participant_count(self, code: str) -> int:
        code = JoinCode.parse(code)
        p = db.workshop_participants.c

        def work(conn: Connection) -> int:
            self._row(conn, code)
            return conn.execute(select(func.count()).where(p.workshop_code == code)).scalar_one()

        return self.store.run_read(work)

    # -- the facilitator

    def create_workshop(
        self,
        initiative: object,
        lang: str = "nb",
        parties: Sequence[str] = (),
        clauses: Sequence[str] | None = None,
        held: object = None,
        note: object = None,
        client: str | None = None,
    ) -> NewSession:
        """Open a workshop for a named initiative on the default agenda (or the default clauses
        named in ``clauses``); returns its join code (unique among sessions and workshops) and
        the facilitator key every change by the facilitator needs. ``client`` (the
        facilitator's address, when the server told the kernel) counts it with the client's
        sessions against ``store.room_limit`` (:meth:`kit.live.store.Store.count_room`); over
        it, :class:`~kit.live.store.TooManyRooms` and no workshop."""
        workshop = new_workshop(initiative, lang, parties, clauses, held, note, self.agenda)
        key = secrets.token_urlsafe(24)
        agenda = agenda_json(workshop)
        who = self.store.room_client(client)
        for _ in range(50):
            code = new_code()

            def insert(conn: Connection, code: str = code) -> bool:
                db.lock_codes(conn)
                if db.code_taken(conn, code):
                    return False
                self.store.count_room(conn, who)  # refused here: nothing written or counted
                now = self.store.now()
                conn.execute(
                    db.workshops.insert().values(
                        code=code,
                        created_at=now,
                        last_active=now,
                        lang=workshop.lang,
                        initiative=workshop.initiative,
                        note=workshop.note,
                        held=_iso(workshop.held),
                        agenda=agenda,
                        key_hash=key_hash(key),
                        state_seq=0,
                        last_seq=0,
                    )
                )
                return True

            if self.store.run_write(insert):
                return NewSession(code, key)
        raise StoreError("could not find a free join code")  # pragma: no cover

    def owns(self, code: str, key: str) -> bool:
        """Whether ``key`` is the facilitator key of workshop ``code`` (False for unknown codes)."""
        try:
            code = JoinCode.parse(code)
            key = check_key(key)
            self.store.run_read(lambda conn: self._owned_row(conn, code, key, write=False))
        except (UnknownCode, NotOwner, TooLong):
            return False
        return True

    def _facilitate(self, code: str, key: str, step: Any, *, state: bool = True) -> Any:
        """``step(conn, row, workshop) -> (values for the row, result)`` as the facilitator."""
        code = JoinCode.parse(code)
        key = check_key(key)

        def work(conn: Connection) -> Any:
            row = self._owned_row(conn, code, key)
            values, result = step(conn, row, self._load(conn, row))
            self._bump(conn, row, state=state, **values)
            return result

        return self.store.run_write(work)

    def close_workshop(self, code: str, key: str) -> None:
        """Stop taking joins and contributions; everything stays readable. Twice is harmless.
        A countdown goes with the end (the phones stop following)."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            values: dict[str, Any] = {} if row.closed_at else {"closed_at": self.store.now()}
            settings = settings_of(row)
            if settings.pop("timer", None) is not None:
                values["settings"] = settings_json(settings)
            return values, None

        self._facilitate(code, key, step)

    def show_clause(self, code: str, key: str, clause: str | None) -> None:
        """Send every phone to ``clause`` (None: let everyone move freely)."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            if clause is not None:
                w.clause(_ident(clause, "clause"))
            return {"current_clause": clause}, None

        self._facilitate(code, key, step)

    def settle(
        self,
        code: str,
        key: str,
        clause: str,
        status: str,
        wording: object = None,
        owner: object = None,
        due: object = None,
    ) -> ClauseOutcome:
        """The clause's outcome (the model's :meth:`~kit.workshop.model.Workshop.settle`): the
        merged wording, agreed or open, who follows it up and by when."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, ClauseOutcome]:
            _ident(clause, "clause")
            if not isinstance(status, str):
                raise WorkshopError("bad_status", "status")
            outcome = w.settle(clause, status, wording, owner, due).outcome(clause)
            assert outcome is not None
            oc = db.workshop_outcomes.c
            conn.execute(
                db.workshop_outcomes.delete().where(
                    oc.workshop_code == row.code, oc.clause == clause
                )
            )
            conn.execute(
                db.workshop_outcomes.insert().values(
                    workshop_code=row.code,
                    clause=clause,
                    status=outcome.status,
                    wording=outcome.wording,
                    owner=outcome.owner,
                    due=_iso(outcome.due),
                    settled_at=self.store.now(),
                )
            )
            return {}, outcome

        return self._facilitate(code, key, step)

    def plan_evaluation(self, code: str, key: str, when: object, by: object = None) -> None:
        """The date of the next evaluation of the cooperation, and who carries it out."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            planned = w.plan_evaluation(when, by)
            return {
                "evaluation": _iso(planned.evaluation),
                "evaluation_by": planned.evaluation_by,
            }, None

        self._facilitate(code, key, step, state=False)

    def remove_clause(self, code: str, key: str, clause: str) -> None:
        """Take a clause off the agenda, with what was said on it (its parking points stay,
        about no clause)."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            trimmed = w.without_clause(_ident(clause, "clause"))
            c = row.code
            pr, oc, pk = (db.workshop_proposals.c, db.workshop_outcomes.c, db.workshop_parking.c)
            gone = select(pr.number).where(pr.workshop_code == c, pr.clause == clause)
            rs = db.workshop_responses.c
            conn.execute(
                db.workshop_responses.delete().where(
                    rs.workshop_code == c, rs.proposal.in_(gone.scalar_subquery())
                )
            )
            conn.execute(
                db.workshop_proposals.delete().where(pr.workshop_code == c, pr.clause == clause)
            )
            conn.execute(
                db.workshop_outcomes.delete().where(oc.workshop_code == c, oc.clause == clause)
            )
            conn.execute(
                db.workshop_parking.update()
                .where(pk.workshop_code == c, pk.clause == clause)
                .values(clause=None)
            )
            values: dict[str, Any] = {"agenda": agenda_json(trimmed)}
            if row.current_clause == clause:
                values["current_clause"] = None
            settings = settings_of(row)
            timer = _clause_timer(settings)
            if timer is not None and timer.clause == clause:  # the clause's countdown goes too
                settings.pop("timer")
                values["settings"] = settings_json(settings)
            return values, None

        self._facilitate(code, key, step)

    def set_timer(
        self, code: str, key: str, clause: str, op: str, seconds: object = None
    ) -> ClauseTimer | None:
        """The countdown on ``clause`` (:func:`kit.core.timer.next_timer`): ``start``
        (``seconds``, from 1 to :data:`~kit.core.timer.TIMER_MAX`; a countdown on another clause
        is replaced), ``pause``, ``resume``, ``add`` (30 s more) or ``off``. Returns the
        countdown now (None: off). The phones follow it (it bumps the state version). ``off``
        on a clause without the countdown leaves it as it is; a closed workshop starts none."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, ClauseTimer | None]:
            clause_id = _ident(clause, "clause")
            w.clause(clause_id)  # on the agenda
            settings = settings_of(row)
            stored = _clause_timer(settings)
            mine = stored if stored is not None and stored.clause == clause_id else None
            if op == "off" and mine is None:
                return {}, stored  # nothing of this clause's to stop
            if op != "off" and row.closed_at is not None:
                raise SessionClosed("the workshop is closed")
            try:
                made = next_timer(
                    mine.json() if mine is not None else None,
                    op,
                    seconds,
                    self.store.now().timestamp(),
                )
            except TimerError as exc:
                limit = TIMER_MAX // 60 if exc.key == "seconds" else None
                raise WorkshopError(_TIMER_ERRORS[exc.key], "timer", limit) from None
            if made is None:
                settings.pop("timer", None)
            else:
                settings["timer"] = {"clause": clause_id, **made}
            # the phones follow (their version moves only when the countdown changes)
            values = {"settings": settings_json(settings), "state_seq": row.state_seq + 1}
            return values, _clause_timer(settings)

        return self._facilitate(code, key, step, state=False)

    def attach_compass(self, code: str, key: str, answers: Mapping[Any, Any]) -> None:
        """Attach the initiative's compass answers (question id -> option key or None) to the
        draft; none answered detaches it. Only the facilitator's screen and the draft show them."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            attached = w.with_compass(answers, compass_questions())
            settings = settings_of(row)
            if attached.compass:
                settings["compass"] = dict(attached.compass)
            else:
                settings.pop("compass", None)
            return {"settings": settings_json(settings)}, None

        self._facilitate(code, key, step, state=False)

    def add_clause(self, code: str, key: str, clause: str) -> None:
        """Put a default clause (back) on the agenda, in its level."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, None]:
            return {"agenda": agenda_json(w.with_clause(_ident(clause, "clause")))}, None

        self._facilitate(code, key, step)

    def add_custom_clause(
        self, code: str, key: str, title: object, question: object, level: object
    ) -> Clause:
        """A clause of the facilitator's own, last on its level (its id is ``egen-N``)."""

        def step(conn: Connection, row: Any, w: Workshop) -> tuple[dict, Clause]:
            extended = w.with_custom_clause(title, question, level)
            added = next(c for c in extended.clauses if c not in w.clauses)
            return {"agenda": agenda_json(extended)}, added

        return self._facilitate(code, key, step)

    # -- participants

    def join(
        self,
        code: str,
        token: str | None = None,
        party: str | None = None,
        name: object = None,
        client: str | None = None,
    ) -> Entered:
        """Enter a workshop. With the ``token`` this browser got before (a reload), the same
        participant comes back, and with a ``party`` now speaks for it (and with the ``name``
        given, or none). A new participant needs a ``party``; ``name`` is optional (anonymous by
        default). ``client`` (the request's address) counts new participants against the
        store's join limit."""
        code = JoinCode.parse(code)
        if token is not None:
            try:
                token = check_token(token)
            except (UnknownParticipant, TooLong):
                token = None
        if party is not None:
            self.agenda.party(_ident(party, "party"))
        signed = clean_text(name, NAME_MAX, "name", required=False)
        who = self.store.client_id(client) if client is not None else None
        fresh = secrets.token_hex(16)
        p = db.workshop_participants

        def work(conn: Connection) -> Entered:
            row = self._open_row(conn, code)
            person = None
            if token is not None:
                person = conn.execute(
                    select(p).where(p.c.token == token, p.c.workshop_code == code)
                ).one_or_none()
            if person is not None:
                me = Speaker(person.token, person.party, person.name, True)
                if party is not None:
                    conn.execute(
                        p.update().where(p.c.token == token).values(party=party, name=signed)
                    )
                    me = Speaker(person.token, party, signed, True)
                self._bump(conn, row)
            else:
                if party is None:
                    raise WorkshopError("unknown_party", "party")
                count = conn.execute(
                    select(func.count()).where(p.c.workshop_code == code)
                ).scalar_one()
                if count >= PARTICIPANTS_MAX:
                    raise WorkshopError("full", "participants", PARTICIPANTS_MAX)
                if who is not None:
                    self.store.count_join(conn, who)
                now = self.store.now()
                conn.execute(
                    p.insert().values(
                        token=fresh,
                        workshop_code=code,
                        party=party,
                        name=signed,
                        joined_at=now,
                        window_start=now,
                        window_count=0,
                    )
                )
                self._bump(conn, row)
                me = Speaker(fresh, party, signed, False)
            row = self._row(conn, code)
            workshop = self._load(conn, row)
            return Entered(me, self._info(row), workshop, _mine(workshop, me.token))

        return self.store.run_write(work)

    def holds(self, code: str, token: object) -> bool:
        """Whether ``token`` is a participant's of workshop ``code`` (a read, nothing counted):
        a phone that has joined, which the limits on unknown codes never hold back."""
        return self.store.holds(code, token, _TOKEN_WORKSHOP)

    def mine(self, code: str, token: str) -> Mine:
        """What one participant has said in the workshop."""
        code = JoinCode.parse(code)
        token = check_token(token)

        def work(conn: Connection) -> Mine:
            row = self._row(conn, code)
            p = db.workshop_participants.c
            owner = conn.execute(
                select(p.workshop_code).where(p.token == token)
            ).scalar_one_or_none()
            if owner is None:
                raise UnknownParticipant("no participant with this token")
            if owner != code:
                raise WrongSession("the token belongs to another workshop")
            return _mine(self._load(conn, row), token)

        return self.store.run_read(work)

    def propose(self, code: str, token: str, clause: str, text: object) -> Proposal:
        """A proposed wording for ``clause``, said for the participant's party."""
        code = JoinCode.parse(code)
        token = check_token(token)
        _ident(clause, "clause")

        def work(conn: Connection) -> Proposal:
            row, person = self._speaker(conn, code, token)
            w = self._load(conn, row)
            me = pseudonym(token)
            made = w.propose(clause, person.party, text, me, person.name).proposals[-1]
            number = self._bump(conn, row, state=True)
            conn.execute(
                db.workshop_proposals.insert().values(
                    workshop_code=code,
                    number=number,
                    clause=made.clause,
                    party=made.party,
                    text=made.text,
                    participant_token=token,
                    name=made.name,
                    made_at=self.store.now(),
                )
            )
            return Proposal(f"p{number}", made.clause, made.party, made.text, me, made.name)

        return self.store.run_write(work)

    def respond(
        self, code: str, token: str, proposal: str, choice: str, reason: object = None
    ) -> Response:
        """Agree, can live with it, or object (with a reason) to a proposal; a second response
        to the same proposal replaces the first."""
        code = JoinCode.parse(code)
        token = check_token(token)
        number = _proposal_number(proposal)
        _ident(choice, "choice")

        def work(conn: Connection) -> Response:
            row, person = self._speaker(conn, code, token)
            w = self._load(conn, row)
            me = pseudonym(token)
            given = w.respond(f"p{number}", person.party, choice, me, reason, person.name)
            made = given.responses[-1]
            seq = self._bump(conn, row)
            values = {
                "party": made.party,
                "choice": made.choice,
                "reason": made.reason,
                "name": made.name,
                "seq": seq,
                "answered_at": self.store.now(),
            }
            upsert = _INSERTS[conn.dialect.name](db.workshop_responses).values(
                workshop_code=code, proposal=number, participant_token=token, **values
            )
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["workshop_code", "proposal", "participant_token"],
                    set_=values,
                )
            )
            return made

        return self.store.run_write(work)

    def park(self, code: str, token: str, text: object, clause: str | None = None) -> ParkingPoint:
        """A point for the parking lot, about ``clause`` or about none."""
        code = JoinCode.parse(code)
        token = check_token(token)
        if clause is not None:
            _ident(clause, "clause")

        def work(conn: Connection) -> ParkingPoint:
            row, person = self._speaker(conn, code, token)
            w = self._load(conn, row)
            me = pseudonym(token)
            made = w.park(person.party, text, me, clause, person.name).parking[-1]
            number = self._bump(conn, row)
            conn.execute(
                db.workshop_parking.insert().values(
                    workshop_code=code,
                    number=number,
                    party=made.party,
                    text=made.text,
                    participant_token=token,
                    clause=made.clause,
                    name=made.name,
                    parked_at=self.store.now(),
                )
            )
            return ParkingPoint(f"k{number}", made.party, made.text, me, made.clause, made.name)

        return self.store.run_write(work)


def _mine(workshop: Workshop, token: str) -> Mine:
    me = pseudonym(token)
    return Mine(
        proposals=tuple(p.id for p in workshop.proposals if p.participant == me),
        responses={r.proposal: r for r in workshop.responses if r.participant == me},
        parking=tuple(p for p in workshop.parking if p.participant == me),
    )
