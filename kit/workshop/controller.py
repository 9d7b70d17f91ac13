"""The facilitator's workshop without widgets: shape the agenda, start, resume, follow the room,
write the outcome of each clause, plan the evaluation, close, and make the draft agreement.

:class:`kit.workshop.app.Samarbeidsverksted` shows what this decides; tests drive it over a
store with no browser or kernel. Every refusal is raised as it is: a
:class:`~kit.workshop.model.WorkshopError` (a rule of the workshop, with a text key) or a
:class:`~kit.live.store.StoreError` (unknown code, not the facilitator, database trouble), for
the view to say in the facilitator's language (:func:`kit.workshop.app_html.error_message`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from kit.core.i18n import t
from kit.core.visitor import kernel_client
from kit.live.store import NotOwner, Store, StoreError
from kit.workshop.model import (
    CLAUSE_QUESTION_MAX,
    Agenda,
    Clause,
    ClauseOutcome,
    Proposal,
    ResponsePicture,
    Workshop,
    clean_text,
    load_agenda,
    new_workshop,
)
from kit.workshop.store import ClauseTimer, WorkshopInfo, WorkshopStore

__all__ = [
    "DOWNLOADS",
    "AgendaDraft",
    "Board",
    "Download",
    "OwnClause",
    "WorkshopController",
]

#: Closed workshops stay listed (to download their draft again) for this long.
KEEP_CLOSED = timedelta(days=7)
#: The draft's formats: kind -> (MIME type, file extension).
DOWNLOADS: dict[str, tuple[str, str]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "html": ("text/html", "html"),
    "md": ("text/markdown", "md"),
}


# ------------------------------------------------------------------------ before the start


@dataclass(frozen=True)
class OwnClause:
    """A clause of the facilitator's own, added before the workshop starts (texts cleaned)."""

    title: str
    question: str | None
    level: int


class AgendaDraft:
    """The agenda the facilitator shapes before starting: the default clauses of
    ``data/workshop.yaml`` kept or left out, and clauses of their own added. Every rule is the
    model's (:class:`~kit.workshop.model.Workshop`): a draft that :meth:`workshop` accepts is
    one the store accepts."""

    def __init__(self, agenda: Agenda) -> None:
        self.agenda = agenda
        self.left_out: set[str] = set()
        self.own: list[OwnClause] = []

    def kept(self) -> list[str]:
        """The default clauses kept, in the agenda's order."""
        return [c.id for c in self.agenda.clauses if c.id not in self.left_out]

    def is_kept(self, clause_id: str) -> bool:
        return clause_id not in self.left_out

    def toggle(self, clause_id: str) -> bool:
        """Leave a default clause out, or take it in again; returns whether it is in now."""
        self.agenda.clause(clause_id)  # an unknown id is refused
        if clause_id in self.left_out:
            self.left_out.discard(clause_id)
            return True
        self.left_out.add(clause_id)
        return False

    def add(self, title: object, question: object, level: object) -> OwnClause:
        """A clause of the facilitator's own, last on its level (checked by the model's rules:
        title and question bounded, at most CUSTOM_CLAUSES_MAX, CLAUSES_MAX in all)."""
        grown = self._probe().with_custom_clause(title, question, level)
        made = grown.clauses[[c.id for c in grown.clauses].index(_newest(grown))]
        own = OwnClause(
            made.title.nb,
            clean_text(question, CLAUSE_QUESTION_MAX, "question", required=False),
            made.level,
        )
        self.own.append(own)
        return own

    def remove(self, index: int) -> None:
        """Take one of the facilitator's own clauses away again."""
        if 0 <= index < len(self.own):
            del self.own[index]

    def _base(self) -> list[str]:
        """The default clauses the workshop is made with: those kept, or (when only own
        clauses are left) the first one, taken off again once the own ones are added."""
        kept = self.kept()
        if kept or not self.own:
            return kept
        return [self.agenda.clauses[0].id]

    def _probe(self) -> Workshop:
        """Every default clause and the own ones: what an own clause is checked against (the
        default ones left out only make the agenda shorter)."""
        workshop = new_workshop("-", "nb", agenda=self.agenda)
        for own in self.own:
            workshop = workshop.with_custom_clause(own.title, own.question, own.level)
        return workshop

    def _shaped(self, initiative: object, lang: str) -> Workshop:
        workshop = new_workshop(initiative, lang, clauses=self._base(), agenda=self.agenda)
        for own in self.own:
            workshop = workshop.with_custom_clause(own.title, own.question, own.level)
        return workshop

    def workshop(self, initiative: object, lang: str) -> Workshop:
        """The workshop this draft would start (refused as the store would refuse it)."""
        workshop = self._shaped(initiative, lang)
        if not self.kept() and self.own:
            workshop = workshop.without_clause(self._base()[0])
        return workshop

    def clauses(self) -> tuple[Clause, ...]:
        """Every default clause (kept or left out) and the own ones, by level."""
        own = self._probe().clauses if self.own else ()
        mine = tuple(c for c in own if c.custom)
        by_level = sorted(
            (*self.agenda.clauses, *mine),
            key=lambda c: (c.level, c.custom, _order(self.agenda, c)),
        )
        return tuple(by_level)


def _order(agenda: Agenda, clause: Clause) -> int:
    if clause.custom:
        return int(clause.id.split("-", 1)[1])
    return [c.id for c in agenda.clauses].index(clause.id)


def _newest(workshop: Workshop) -> str:
    custom = [c for c in workshop.clauses if c.custom]
    return max(custom, key=lambda c: int(c.id.split("-", 1)[1])).id


# ------------------------------------------------------------------------------ the board


@dataclass(frozen=True)
class Board:
    """Everything one refresh of the facilitator's screen shows, read from the store at once."""

    info: WorkshopInfo
    workshop: Workshop
    people: int  #: participants who joined
    clause: Clause  #: the clause the facilitator is looking at
    index: int  #: its place on the agenda (0-based)
    picture: ResponsePicture
    by_party: dict[str, tuple[Proposal, ...]]  #: its proposals, grouped by party
    outcome: ClauseOutcome | None

    @property
    def closed(self) -> bool:
        return not self.info.open

    @property
    def total(self) -> int:
        return len(self.workshop.clauses)

    @property
    def timer(self) -> ClauseTimer | None:
        """The countdown on the clause looked at (None: none, or it is on another clause)."""
        timer = self.info.timer
        return timer if timer is not None and timer.clause == self.clause.id else None

    @property
    def timer_elsewhere(self) -> Clause | None:
        """The clause of the workshop's countdown when it is not the one looked at."""
        timer = self.info.timer
        if timer is None or timer.clause == self.clause.id:
            return None
        return next((c for c in self.workshop.clauses if c.id == timer.clause), None)


@dataclass(frozen=True)
class Download:
    data: bytes
    mime: str
    filename: str


class WorkshopController:
    """One facilitator's workshop, and the workshops this browser may resume."""

    #: what its calls refuse with (the store's refusals, each with its words)
    refusals: tuple[type[Exception], ...] = (StoreError,)

    def __init__(
        self,
        store: WorkshopStore | Store | Callable[[], Store] | None = None,
        agenda: Agenda | None = None,
    ) -> None:
        self._store = store
        self._agenda = agenda
        self.code: str | None = None
        self.key: str | None = None
        self.selected: str | None = None
        self.resumable: list[WorkshopInfo] = []
        self.board_seen: Board | None = None
        self._seen: Any = None
        self.lock = threading.RLock()

    @property
    def store(self) -> WorkshopStore:
        if isinstance(self._store, WorkshopStore):
            return self._store
        if self._store is None:
            base = Store()
        elif isinstance(self._store, Store):
            base = self._store
        else:
            base = self._store()
        self._store = WorkshopStore(base, self._agenda)
        return self._store

    @property
    def agenda(self) -> Agenda:
        if self._agenda is None:
            self._agenda = load_agenda()
        return self._agenda

    def draft(self) -> AgendaDraft:
        """A fresh agenda to shape before a start."""
        return AgendaDraft(self.agenda)

    # -- which workshops -------------------------------------------------------------------
    def find_resumable(
        self, claims: Iterable[tuple[str, str]], now: datetime | None = None
    ) -> list[str]:
        """The workshops of ``claims`` (code, key) worth offering: open ones, and closed ones
        of the last :data:`KEEP_CLOSED` (their draft). Returns the codes to forget."""
        claims = list(claims)[:50]
        recent = (now or datetime.now(timezone.utc)) - KEEP_CLOSED
        found = []
        for code, key in claims:
            if self.store.owns(code, key):
                info = self.store.info(code)
                if info.open or _aware(info.created_at) > recent:
                    found.append(info)
        found.sort(key=lambda i: (not i.open, -_aware(i.created_at).timestamp()))
        self.resumable = found
        kept = {i.code for i in found}
        return [code for code, _key in claims if code not in kept]

    def start(self, draft: AgendaDraft, initiative: object, lang: str) -> tuple[str, str]:
        """A new workshop for ``initiative`` on ``draft``'s agenda, in ``lang``; returns its
        code and facilitator key. The draft is checked whole before anything is stored.
        Counted for the facilitator's address with their sessions when the server told this
        kernel whose it is (:func:`kit.core.visitor.kernel_client`): TooManyRooms past the
        limit."""
        shaped = draft.workshop(initiative, lang)
        base = draft._base()
        made = self.store.create_workshop(
            shaped.initiative, lang, clauses=base, client=kernel_client()
        )
        for own in draft.own:
            self.store.add_custom_clause(made.code, made.key, own.title, own.question, own.level)
        if not draft.kept() and draft.own:
            self.store.remove_clause(made.code, made.key, base[0])
        self.open(made.code, made.key)
        return made.code, made.key

    def resume(self, code: str, key: str | None) -> None:
        """Back to a workshop this browser started: same code, same screen."""
        if key is None or not self.store.owns(code, key):
            raise NotOwner("no key for this workshop in this browser")
        self.open(code, key)

    def open(self, code: str, key: str) -> None:
        with self.lock:
            self.code, self.key = code, key
            self.selected = None
            self.board_seen = None
            self._seen = None

    def end_listed(self, code: str, key: str | None) -> None:
        """Close a listed workshop (one this browser started but is not showing)."""
        if key is None:
            raise NotOwner("no key for this workshop in this browser")
        self.store.close_workshop(code, key)
        self.resumable = [
            _closed(i) if i.code == code else i
            for i in self.resumable  # shown as closed
        ]

    # -- reading ---------------------------------------------------------------------------
    def board(self) -> Board:
        """The store read once for the screen; the clause looked at kept on the agenda (the
        one the phones show, else the first)."""
        code = self._code()
        with self.lock:
            info, workshop = self.store.view(code)
            people = self.store.participant_count(code)
            ids = [c.id for c in workshop.clauses]
            if self.selected not in ids:
                current = info.current_clause
                self.selected = current if current in ids else ids[0]
            assert self.selected is not None
            clause = workshop.clause(self.selected)
            board = Board(
                info=info,
                workshop=workshop,
                people=people,
                clause=clause,
                index=ids.index(clause.id),
                picture=workshop.response_picture(clause.id),
                by_party=workshop.proposals_by_party(clause.id),
                outcome=workshop.outcome(clause.id),
            )
            self.board_seen = board
            self._seen = info.revision
            return board

    def poll(self) -> bool:
        """One look at the workshop's revision: True when anything changed since the last
        board (a join, a proposal, a response, a parked point, an outcome)."""
        seen = self.store.info(self._code()).revision
        return seen != self._seen

    def forget_seen(self) -> None:
        self._seen = None

    # -- the facilitator's actions ----------------------------------------------------------
    def select(self, clause_id: str) -> None:
        """Look at ``clause_id`` on the facilitator's screen (the phones stay where they are)."""
        with self.lock:
            self.selected = clause_id

    def step(self, by: int) -> None:
        """The next (``by=1``) or previous (``-1``) clause on the facilitator's screen."""
        with self.lock:
            board = self.board_seen
            if board is None:
                return
            ids = [c.id for c in board.workshop.clauses]
            place = min(max(board.index + by, 0), len(ids) - 1)
            self.selected = ids[place]

    def show_on_phones(self, clause_id: str | None) -> None:
        """Send every phone to ``clause_id`` (None: everyone moves freely)."""
        self.store.show_clause(self._code(), self._key(), clause_id)

    def settle(
        self,
        clause_id: str,
        status: str,
        wording: object = None,
        owner: object = None,
        due: object = None,
    ) -> ClauseOutcome:
        """The clause's outcome: the merged wording, agreed or open, who follows it up and by
        when (the model's rules: an agreed clause needs its wording)."""
        return self.store.settle(self._code(), self._key(), clause_id, status, wording, owner, due)

    def plan_evaluation(self, when: object, by: object = None) -> None:
        self.store.plan_evaluation(self._code(), self._key(), when, by)

    def close(self) -> None:
        self.store.close_workshop(self._code(), self._key())

    # -- the agenda, while the workshop runs -------------------------------------------------
    def missing_clauses(self) -> tuple[Clause, ...]:
        """The default clauses not on the agenda (taken out before or during the workshop),
        in the agenda's order: what can be put back."""
        board = self.board_seen
        on = {c.id for c in board.workshop.clauses} if board is not None else set()
        return tuple(c for c in self.agenda.clauses if c.id not in on)

    def remove_clause(self, clause_id: str) -> None:
        """Take a clause off the running agenda, with what was said on it (its parking points
        stay). The screen moves to the clause after it."""
        with self.lock:
            board = self.board_seen
            ids = [c.id for c in board.workshop.clauses] if board is not None else []
            self.store.remove_clause(self._code(), self._key(), clause_id)
            if self.selected == clause_id and clause_id in ids:
                rest = [i for i in ids if i != clause_id]
                place = min(ids.index(clause_id), len(rest) - 1)
                self.selected = rest[place] if rest else None

    def add_clause(self, clause_id: str) -> None:
        """Put a default clause (back) on the running agenda, in its level; the screen goes
        to it."""
        self.store.add_clause(self._code(), self._key(), clause_id)
        with self.lock:
            self.selected = clause_id

    def add_custom_clause(self, title: object, question: object, level: object) -> Clause:
        """A clause of the facilitator's own on the running agenda; the screen goes to it."""
        added = self.store.add_custom_clause(self._code(), self._key(), title, question, level)
        with self.lock:
            self.selected = added.id
        return added

    def set_timer(self, op: str, seconds: object = None) -> ClauseTimer | None:
        """The countdown on the clause looked at (:meth:`WorkshopStore.set_timer`): ``start``
        with ``seconds`` (one on another clause stops), ``pause``, ``resume``, ``add``,
        ``off``. The phones on that clause show it."""
        board = self.board_seen
        if board is None:
            raise RuntimeError("no workshop is shown")
        return self.store.set_timer(self._code(), self._key(), board.clause.id, op, seconds)

    def now(self) -> float:
        """The store's time (seconds since the epoch): what a countdown's end is counted on."""
        return self.store.store.now().timestamp()

    def attach_compass(self, answers: Mapping[str, str | None]) -> None:
        """The initiative's compass answers, attached to the draft (none: detached)."""
        self.store.attach_compass(self._code(), self._key(), answers)

    # -- the draft agreement ----------------------------------------------------------------
    def download(self, kind: str) -> Download:
        """The draft agreement from the stored state now: ``docx``, ``html`` (A4) or ``md``."""
        from kit.workshop.agreement import draft_agreement, to_html, to_markdown

        if kind not in DOWNLOADS:
            raise ValueError(f"no such format: {kind!r}")
        workshop = self.store.workshop_state(self._code())
        agreement = draft_agreement(workshop)
        if kind == "docx":
            from kit.workshop.docx_export import to_docx

            data = to_docx(agreement)
        elif kind == "html":
            data = to_html(agreement).encode("utf-8")
        else:
            data = to_markdown(agreement).encode("utf-8")
        mime, ext = DOWNLOADS[kind]
        name = t("workshop_app_file", workshop.lang, code=self._code())
        return Download(data, mime, f"{name}.{ext}")

    def _code(self) -> str:
        if self.code is None:
            raise RuntimeError("no workshop is open")
        return self.code

    def _key(self) -> str:
        if self.key is None:
            raise RuntimeError("no workshop is open")
        return self.key


def _aware(moment: datetime) -> datetime:
    """A time from the database as an aware UTC time (SQLite gives naive ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _closed(info: WorkshopInfo) -> WorkshopInfo:
    return replace(info, open=False)
