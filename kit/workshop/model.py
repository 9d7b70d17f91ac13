"""The workshop's agenda, its state and its rules (pure: no database, no web, no widgets).

The agenda comes from ``data/workshop.yaml``: the model's three levels with the source's
expectation questions, the default clauses, the parties a participant can speak for and the
response options. A :class:`Workshop` is one workshop's state: the initiative, its language, the
parties present, the clauses on its agenda (the default ones trimmed or extended), and what the
participants and the facilitator have said. Its methods return a new workshop; every text goes
through :func:`clean_text` and every rule raises :class:`WorkshopError` with a key whose text is
``workshop_err_<key>`` in ``data/i18n``. :meth:`Workshop.response_picture` is what the
facilitator sees per clause: the responses per party, a recipient's objection kept in sight when
the others outnumber it, and a flag where the recipients or the voluntary side have said nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from kit.core.i18n import LANGUAGES, t
from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader

# ---------------------------------------------------------------- vocabulary

#: Whose point a clause is: one of the source's own, or the kit's discussion point.
ORIGINS: tuple[str, ...] = ("source", "kit")
#: The groups the parties belong to; the response picture looks for the last three's word.
GROUPS: tuple[str, ...] = ("municipality", "voluntary", "recipients", "other")
#: The groups whose silence on a clause is flagged.
WATCHED_GROUPS: tuple[str, ...] = ("recipients", "voluntary")
#: A participant's answer to a proposal, in the order the page offers them.
RESPONSES: tuple[str, ...] = ("agree", "live_with", "object")
#: The answer that needs a reason.
OBJECT = "object"
#: What the facilitator marks a clause.
STATUSES: tuple[str, ...] = ("agreed", "open")
LEVEL_NUMBERS: tuple[int, ...] = (1, 2, 3)
#: The first letters of a clause id the facilitator adds (the default ones never start so).
CUSTOM_PREFIX = "egen-"

# ---------------------------------------------------------------- bounds

#: The initiative's name, and a line under it (what the workshop was, e.g. a constructed example).
INITIATIVE_MAX = 120
NOTE_MAX = 400
#: A proposed wording for a clause.
PROPOSAL_MAX = 600
#: The reason given with a response (required for an objection).
REASON_MAX = 400
#: A name a participant may give (anonymous by default).
NAME_MAX = 60
#: A point sent to the parking lot.
PARKING_MAX = 400
#: The facilitator's merged wording of a clause.
WORDING_MAX = 2000
#: Who follows a clause up (a role or a name).
OWNER_MAX = 120
#: A clause the facilitator adds: its title and its guiding question.
CLAUSE_TITLE_MAX = 100
CLAUSE_QUESTION_MAX = 300
#: An opaque participant token (the page makes it; never shown).
PARTICIPANT_MAX = 64
#: Proposals one participant may make on one clause.
PROPOSALS_PER_CLAUSE = 3
#: Points one participant may send to the parking lot.
PARKING_PER_PARTICIPANT = 5
#: Clauses the facilitator may add, and clauses an agenda may hold in all.
CUSTOM_CLAUSES_MAX = 10
CLAUSES_MAX = 30
#: Participants a workshop takes (a reload comes back as the same one).
PARTICIPANTS_MAX = 300
#: Proposals, responses and parking points a workshop holds in all.
PROPOSALS_MAX = 1000
RESPONSES_MAX = 5000
PARKING_TOTAL_MAX = 500

#: Characters a text may not hold: controls (a line break is whitespace and folded to a space
#: first), format characters, surrogates, private use and unassigned code points.
_BAD_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn")
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class WorkshopError(ValueError):
    """A text or a step the workshop refuses. ``key`` names the rule (its text is
    ``workshop_err_<key>``), ``field`` the input it is about, ``limit`` the bound it broke."""

    def __init__(self, key: str, field: str = "", limit: int | None = None) -> None:
        super().__init__(f"{key}: {field}" if field else key)
        self.key = key
        self.field = field
        self.limit = limit

    def message(self, lang: str) -> str:
        """The refusal in words, for the person who typed."""
        what = t(f"workshop_field_{self.field}", lang) if self.field else ""
        return t(f"workshop_err_{self.key}", lang, field=what, limit=self.limit or 0)


def clean_text(value: object, limit: int, field: str, required: bool = True) -> str | None:
    """``value`` as the workshop keeps it: NFC, whitespace (line breaks too) folded to single
    spaces, at most ``limit`` characters, no control or format characters. An optional text
    left empty is ``None``; anything else that is not text is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise WorkshopError("empty", field)
        return None
    if not isinstance(value, str):
        raise WorkshopError("empty", field)
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if len(text) > limit:
        raise WorkshopError("too_long", field, limit)
    if any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in text):
        raise WorkshopError("bad_text", field)
    return text


def _participant(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > PARTICIPANT_MAX:
        raise WorkshopError("participant", "participant")
    return value


def parse_date(value: object, field: str = "date") -> date | None:
    """A date typed or stored as ``YYYY-MM-DD`` (or already a date); empty is ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise WorkshopError("bad_date", field)


# ---------------------------------------------------------------- the agenda


@dataclass(frozen=True)
class Party:
    """Whom a participant speaks for."""

    id: str
    group: str  #: one of GROUPS
    label: Text


@dataclass(frozen=True)
class ResponseOption:
    id: str  #: one of RESPONSES
    label: Text
    hint: Text | None = None


@dataclass(frozen=True)
class Clause:
    """One point of the agreement to clarify."""

    id: str
    level: int
    title: Text
    question: Text
    origin: str  #: "source" or "kit" (a clause the facilitator adds is "kit")
    quotes: tuple[Text, ...] = ()  #: the source's words it rests on, as data/model.yaml has them
    note: Text | None = None  #: what the kit adds and where the source stops
    custom: bool = False  #: added by the facilitator (its texts are in one language)


@dataclass(frozen=True)
class AgendaLevel:
    number: int
    expectations: tuple[Text, ...]  #: the source's questions (forventningsavklaringer)


T = TypeVar("T")


def _find(items: Iterable[T], match: Callable[[T], bool], what: str, field: str = "") -> T:
    """The first of ``items`` that ``match``, else the refusal ``unknown_<what>`` (on
    ``field``, by default ``what``)."""
    for item in items:
        if match(item):
            return item
    raise WorkshopError(f"unknown_{what}", field or what)


@dataclass(frozen=True)
class Agenda:
    """``data/workshop.yaml``: what every workshop starts from."""

    basis: Text  #: the source's reason to write it down (level 1, "how")
    levels: tuple[AgendaLevel, ...]
    clauses: tuple[Clause, ...]
    parties: tuple[Party, ...]
    responses: tuple[ResponseOption, ...]

    def clause(self, clause_id: str) -> Clause:
        return _find(self.clauses, lambda c: c.id == clause_id, "clause")

    def party(self, party_id: str) -> Party:
        return _find(self.parties, lambda p: p.id == party_id, "party")

    def level(self, number: int) -> AgendaLevel:
        return _find(self.levels, lambda lv: lv.number == number, "level")

    def response(self, response_id: str) -> ResponseOption:
        return _find(self.responses, lambda o: o.id == response_id, "response", field="choice")


def _origin(r: Reader, node: Any, where: str) -> str:
    return r.choice(node, "origin", where, ORIGINS)


def _ident(r: Reader, node: Any, where: str) -> str:
    value = r.string(node, "id", where)
    if not _ID.match(value) or value.startswith(CUSTOM_PREFIX):
        raise r.fail(f"{where}.id", "must be lowercase letters, digits, - or _ (not egen-...)")
    return value


def parse_agenda(raw: Any, path: Path) -> Agenda:
    r = Reader(path)
    top = r.top(raw)
    if top.get("schema") != 1:
        raise r.fail("schema", "must be 1")
    basis_node = r.get(top, "basis", "")
    if _origin(r, basis_node, "basis") != "source":
        raise r.fail("basis.origin", "must be source")
    basis = r.text_field(basis_node, "quote", "basis")
    levels = []
    for i, node in enumerate(r.items(top, "levels", "")):
        where = f"levels[{i}]"
        number = r.integer(node, "number", where)
        expectations = r.get(node, "expectations", where)
        if _origin(r, expectations, f"{where}.expectations") != "source":
            raise r.fail(f"{where}.expectations.origin", "must be source")
        levels.append(
            AgendaLevel(number, r.texts(expectations, "questions", f"{where}.expectations"))
        )
    if [lv.number for lv in levels] != list(LEVEL_NUMBERS):
        raise r.fail("levels", "must be the levels 1, 2 and 3, in that order")
    clauses = []
    for i, node in enumerate(r.items(top, "clauses", "")):
        where = f"clauses[{i}]"
        level = r.integer(node, "level", where)
        if level not in LEVEL_NUMBERS:
            raise r.fail(f"{where}.level", "must be 1, 2 or 3")
        origin = _origin(r, node, where)
        quotes = r.texts(node, "quotes", where) if node.get("quotes") is not None else ()
        if origin == "source" and not quotes:
            raise r.fail(f"{where}.quotes", "a source clause quotes the source")
        clauses.append(
            Clause(
                id=_ident(r, node, where),
                level=level,
                title=r.text_field(node, "title", where),
                question=r.text_field(node, "question", where),
                origin=origin,
                quotes=quotes,
                note=r.text_field(node, "note", where) if node.get("note") is not None else None,
            )
        )
    parties = tuple(
        Party(
            id=_ident(r, node, f"parties[{i}]"),
            group=r.choice(node, "group", f"parties[{i}]", GROUPS),
            label=r.text_field(node, "label", f"parties[{i}]"),
        )
        for i, node in enumerate(r.items(top, "parties", ""))
    )
    responses = tuple(
        ResponseOption(
            id=r.choice(node, "id", f"responses[{i}]", RESPONSES),
            label=r.text_field(node, "label", f"responses[{i}]"),
            hint=r.text_field(node, "hint", f"responses[{i}]") if node.get("hint") else None,
        )
        for i, node in enumerate(r.items(top, "responses", ""))
    )
    for name, ids in (
        ("clauses", [c.id for c in clauses]),
        ("parties", [p.id for p in parties]),
    ):
        if len(set(ids)) != len(ids):
            raise r.fail(name, "ids must be unique")
    if tuple(o.id for o in responses) != RESPONSES:
        raise r.fail("responses", f"must be {', '.join(RESPONSES)}, in that order")
    missing = [g for g in WATCHED_GROUPS if g not in {p.group for p in parties}]
    if missing:
        raise r.fail("parties", f"no party in the group {missing[0]}")
    if len(clauses) > CLAUSES_MAX:
        raise r.fail("clauses", f"at most {CLAUSES_MAX}")
    return Agenda(basis, tuple(levels), tuple(clauses), parties, responses)


_AGENDA = ContentFile("workshop.yaml", parse_agenda)


def load_agenda(path: str | Path | None = None) -> Agenda:
    """The workshop's agenda (``data/workshop.yaml``) or a copy at ``path``."""
    return _AGENDA.load(path)


# ---------------------------------------------------------------- what people say


@dataclass(frozen=True)
class Proposal:
    """A participant's wording for a clause, said for one party."""

    id: str
    clause: str
    party: str
    text: str
    participant: str
    name: str | None = None  #: anonymous unless the participant gives one


@dataclass(frozen=True)
class Response:
    """A participant's answer to a proposal: agree, can live with it, or object (with a
    reason)."""

    proposal: str
    party: str
    choice: str  #: one of RESPONSES
    participant: str
    reason: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ParkingPoint:
    """A point for later, sent to the parking lot (about a clause, or about none)."""

    id: str
    party: str
    text: str
    participant: str
    clause: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ClauseOutcome:
    """What the facilitator writes for a clause: the merged wording, agreed or open, and for an
    open clause who follows it up and by when."""

    clause: str
    status: str  #: one of STATUSES
    wording: str | None = None
    owner: str | None = None
    due: date | None = None


# ---------------------------------------------------------------- the response picture


@dataclass(frozen=True)
class PartyPicture:
    """One party's word on one clause."""

    party: str
    group: str
    proposals: int
    counts: Mapping[str, int]  #: every choice of RESPONSES, zeros too
    objections: tuple[Response, ...]  #: each with its reason

    @property
    def responses(self) -> int:
        return sum(self.counts.values())

    @property
    def spoke(self) -> bool:
        return bool(self.proposals or self.responses)


@dataclass(frozen=True)
class ResponsePicture:
    """The responses to one clause's proposals, per party, and what the facilitator must not
    miss: a recipient's objection the others outnumber, and silence from the recipients or from
    the voluntary side."""

    clause: str
    parties: tuple[PartyPicture, ...]  #: the parties present, in the agenda's order
    totals: Mapping[str, int]
    #: every objection from a service recipient or relative, kept whatever the numbers
    recipient_objections: tuple[Response, ...]
    #: the groups (WATCHED_GROUPS) that neither proposed nor responded on this clause
    silent_groups: tuple[str, ...]

    @property
    def outnumbered(self) -> bool:
        """A recipient objects while more responses from others agree or can live with it."""
        if not self.recipient_objections:
            return False
        others = sum(
            p.counts["agree"] + p.counts["live_with"]
            for p in self.parties
            if p.group != "recipients"
        )
        return others > len(self.recipient_objections)

    @property
    def flagged(self) -> bool:
        """No word from the recipients or from the voluntary side."""
        return bool(self.silent_groups)

    def party(self, party_id: str) -> PartyPicture:
        for picture in self.parties:
            if picture.party == party_id:
                return picture
        raise KeyError(party_id)


# ---------------------------------------------------------------- the workshop


@dataclass(frozen=True)
class Workshop:
    """One workshop's state. Build it with :func:`new_workshop`; every method checks its input
    and returns a new workshop."""

    agenda: Agenda = field(repr=False)
    initiative: str
    lang: str
    parties: tuple[str, ...]  #: the parties present, in the agenda's order
    clauses: tuple[Clause, ...]  #: the agenda, grouped by level
    proposals: tuple[Proposal, ...] = ()
    responses: tuple[Response, ...] = ()
    parking: tuple[ParkingPoint, ...] = ()
    outcomes: tuple[ClauseOutcome, ...] = ()
    held: date | None = None
    note: str | None = None  #: a line under the title
    evaluation: date | None = None  #: the next evaluation of the cooperation
    evaluation_by: str | None = None
    #: the initiative's compass answers attached to the draft: (question id, option key) in the
    #: compass's order, answered questions only
    compass: tuple[tuple[str, str], ...] = ()

    # -- looking things up

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise WorkshopError("unknown_clause", "clause")

    def party(self, party_id: str) -> Party:
        return self.agenda.party(party_id)

    def proposal(self, proposal_id: str) -> Proposal:
        for proposal in self.proposals:
            if proposal.id == proposal_id:
                return proposal
        raise WorkshopError("unknown_proposal", "proposal")

    def outcome(self, clause_id: str) -> ClauseOutcome | None:
        return next((o for o in self.outcomes if o.clause == clause_id), None)

    def proposals_for(self, clause_id: str) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.clause == clause_id)

    def proposals_by_party(self, clause_id: str) -> dict[str, tuple[Proposal, ...]]:
        """A clause's proposals grouped by party, the parties in the agenda's order."""
        found = self.proposals_for(clause_id)
        return {
            p.id: tuple(x for x in found if x.party == p.id)
            for p in self.agenda.parties
            if any(x.party == p.id for x in found)
        }

    def responses_for(self, clause_id: str) -> tuple[Response, ...]:
        ids = {p.id for p in self.proposals_for(clause_id)}
        return tuple(r for r in self.responses if r.proposal in ids)

    def present(self) -> tuple[str, ...]:
        """The parties declared present and every party someone has spoken for, in the
        agenda's order."""
        spoke = {p.party for p in self.proposals} | {r.party for r in self.responses}
        spoke |= {p.party for p in self.parking}
        wanted = set(self.parties) | spoke
        return tuple(p.id for p in self.agenda.parties if p.id in wanted)

    def levels(self) -> tuple[tuple[int, tuple[Clause, ...]], ...]:
        """The agenda level by level (a level without clauses is left out)."""
        return tuple(
            (n, tuple(c for c in self.clauses if c.level == n))
            for n in LEVEL_NUMBERS
            if any(c.level == n for c in self.clauses)
        )

    # -- the facilitator shapes the agenda

    def without_clause(self, clause_id: str) -> Workshop:
        """The agenda trimmed: ``clause_id`` and what was said on it are gone."""
        self.clause(clause_id)
        if len(self.clauses) == 1:
            raise WorkshopError("no_clauses", "clause")
        gone = {p.id for p in self.proposals if p.clause == clause_id}
        return replace(
            self,
            clauses=tuple(c for c in self.clauses if c.id != clause_id),
            proposals=tuple(p for p in self.proposals if p.clause != clause_id),
            responses=tuple(r for r in self.responses if r.proposal not in gone),
            parking=tuple(
                replace(p, clause=None) if p.clause == clause_id else p for p in self.parking
            ),
            outcomes=tuple(o for o in self.outcomes if o.clause != clause_id),
        )

    def with_clause(self, clause_id: str) -> Workshop:
        """A default clause put (back) on the agenda, in its level."""
        if any(c.id == clause_id for c in self.clauses):
            raise WorkshopError("duplicate_clause", "clause")
        return self._with(self.agenda.clause(clause_id))

    def with_custom_clause(self, title: object, question: object, level: object) -> Workshop:
        """A clause of the facilitator's own, last on its level; its id is ``egen-N``."""
        if sum(c.custom for c in self.clauses) >= CUSTOM_CLAUSES_MAX:
            raise WorkshopError("too_many", "clause", CUSTOM_CLAUSES_MAX)
        if isinstance(level, bool) or level not in LEVEL_NUMBERS:
            raise WorkshopError("unknown_level", "level")
        assert isinstance(level, int)
        head = clean_text(title, CLAUSE_TITLE_MAX, "title")
        ask = clean_text(question, CLAUSE_QUESTION_MAX, "question", required=False)
        assert head is not None
        n = 1 + max((int(c.id[len(CUSTOM_PREFIX) :]) for c in self.clauses if c.custom), default=0)
        clause = Clause(
            id=f"{CUSTOM_PREFIX}{n}",
            level=level,
            title=Text(nb=head),
            question=Text(nb=ask or head),
            origin="kit",
            custom=True,
        )
        return self._with(clause)

    def _with(self, clause: Clause) -> Workshop:
        if len(self.clauses) >= CLAUSES_MAX:
            raise WorkshopError("too_many", "clause", CLAUSES_MAX)
        return replace(self, clauses=_by_level((*self.clauses, clause), self.agenda))

    # -- participants speak

    def propose(
        self,
        clause: str,
        party: str,
        text: object,
        participant: str,
        name: object = None,
    ) -> Workshop:
        """A proposal for ``clause``, at most PROPOSALS_PER_CLAUSE per participant."""
        self.clause(clause)
        self.party(party)
        who = _participant(participant)
        wording = clean_text(text, PROPOSAL_MAX, "text")
        assert wording is not None
        signed = clean_text(name, NAME_MAX, "name", required=False)
        mine = sum(1 for p in self.proposals if p.clause == clause and p.participant == who)
        if mine >= PROPOSALS_PER_CLAUSE:
            raise WorkshopError("too_many", "proposal", PROPOSALS_PER_CLAUSE)
        if len(self.proposals) >= PROPOSALS_MAX:
            raise WorkshopError("full", "proposal", PROPOSALS_MAX)
        proposal = Proposal(
            id=f"p{len(self.proposals) + 1}",
            clause=clause,
            party=party,
            text=wording,
            participant=who,
            name=signed,
        )
        return replace(self, proposals=(*self.proposals, proposal))

    def respond(
        self,
        proposal: str,
        party: str,
        choice: str,
        participant: str,
        reason: object = None,
        name: object = None,
    ) -> Workshop:
        """A response to a proposal; an objection needs a reason. A participant's second
        response to the same proposal replaces the first."""
        self.proposal(proposal)
        self.party(party)
        self.agenda.response(choice)
        who = _participant(participant)
        why = clean_text(reason, REASON_MAX, "reason", required=False)
        if choice == OBJECT and why is None:
            raise WorkshopError("reason_needed", "reason")
        signed = clean_text(name, NAME_MAX, "name", required=False)
        kept = tuple(
            r for r in self.responses if not (r.proposal == proposal and r.participant == who)
        )
        if len(kept) >= RESPONSES_MAX:
            raise WorkshopError("full", "response", RESPONSES_MAX)
        response = Response(proposal, party, choice, who, why, signed)
        return replace(self, responses=(*kept, response))

    def park(
        self,
        party: str,
        text: object,
        participant: str,
        clause: str | None = None,
        name: object = None,
    ) -> Workshop:
        """A point for the parking lot, at most PARKING_PER_PARTICIPANT per participant."""
        self.party(party)
        if clause is not None:
            self.clause(clause)
        who = _participant(participant)
        point = clean_text(text, PARKING_MAX, "text")
        assert point is not None
        signed = clean_text(name, NAME_MAX, "name", required=False)
        if sum(1 for p in self.parking if p.participant == who) >= PARKING_PER_PARTICIPANT:
            raise WorkshopError("too_many", "parking", PARKING_PER_PARTICIPANT)
        if len(self.parking) >= PARKING_TOTAL_MAX:
            raise WorkshopError("full", "parking", PARKING_TOTAL_MAX)
        parked = ParkingPoint(f"k{len(self.parking) + 1}", party, point, who, clause, signed)
        return replace(self, parking=(*self.parking, parked))

    # -- the facilitator writes it down

    def settle(
        self,
        clause: str,
        status: str,
        wording: object = None,
        owner: object = None,
        due: object = None,
    ) -> Workshop:
        """The clause's outcome: an agreed clause needs its wording; an open one may name who
        follows it up and by when. A later outcome replaces the earlier."""
        self.clause(clause)
        if status not in STATUSES:
            raise WorkshopError("bad_status", "status")
        text = clean_text(wording, WORDING_MAX, "wording", required=status == "agreed")
        who = clean_text(owner, OWNER_MAX, "owner", required=False)
        when = parse_date(due, "due")
        outcome = ClauseOutcome(clause, status, text, who, when)
        kept = tuple(o for o in self.outcomes if o.clause != clause)
        order = {c.id: i for i, c in enumerate(self.clauses)}
        outcomes = tuple(sorted((*kept, outcome), key=lambda o: order[o.clause]))
        return replace(self, outcomes=outcomes)

    def plan_evaluation(self, when: object, by: object = None) -> Workshop:
        """The date of the next evaluation of the cooperation, and who carries it out."""
        day = parse_date(when, "evaluation")
        if day is None:
            raise WorkshopError("empty", "evaluation")
        return replace(
            self,
            evaluation=day,
            evaluation_by=clean_text(by, OWNER_MAX, "evaluation_by", required=False),
        )

    def with_compass(
        self, answers: Mapping[Any, Any], questions: Mapping[str, Sequence[str]]
    ) -> Workshop:
        """The initiative's compass answers attached (none: detached). ``questions``: the
        compass's question ids, in order, with their option keys; an answer of None is left out,
        anything else that is not one of the question's options is refused."""
        if not isinstance(answers, Mapping) or len(answers) > len(questions):
            raise WorkshopError("bad_compass", "compass")
        for qid, key in answers.items():
            if qid not in questions or (key is not None and key not in questions[qid]):
                raise WorkshopError("bad_compass", "compass")
        kept = tuple((q, answers[q]) for q in questions if answers.get(q) is not None)
        return replace(self, compass=kept)

    # -- what the facilitator sees

    def response_picture(self, clause_id: str) -> ResponsePicture:
        """The word of every party present on ``clause_id``: proposals, responses counted by
        choice, objections with their reasons; recipients' objections and silent groups."""
        self.clause(clause_id)
        proposals = self.proposals_for(clause_id)
        responses = self.responses_for(clause_id)
        pictures = []
        for party_id in self.present():
            party = self.party(party_id)
            said = [r for r in responses if r.party == party_id]
            counts = {choice: sum(1 for r in said if r.choice == choice) for choice in RESPONSES}
            pictures.append(
                PartyPicture(
                    party=party_id,
                    group=party.group,
                    proposals=sum(1 for p in proposals if p.party == party_id),
                    counts=counts,
                    objections=tuple(r for r in said if r.choice == OBJECT),
                )
            )
        totals = {c: sum(p.counts[c] for p in pictures) for c in RESPONSES}
        recipients = tuple(
            objection for p in pictures if p.group == "recipients" for objection in p.objections
        )
        silent = tuple(
            group
            for group in WATCHED_GROUPS
            if not any(p.spoke for p in pictures if p.group == group)
        )
        return ResponsePicture(clause_id, tuple(pictures), totals, recipients, silent)


def response_picture(workshop: Workshop, clause_id: str) -> ResponsePicture:
    """:meth:`Workshop.response_picture`, as a function."""
    return workshop.response_picture(clause_id)


def _by_level(clauses: Iterable[Clause], agenda: Agenda) -> tuple[Clause, ...]:
    """Clauses grouped by level; within a level, the default ones in the agenda's order, then
    the facilitator's own in the order added."""
    order = {c.id: i for i, c in enumerate(agenda.clauses)}

    def key(clause: Clause) -> tuple[int, int, int]:
        if clause.custom:
            return (clause.level, len(order), int(clause.id[len(CUSTOM_PREFIX) :]))
        return (clause.level, order[clause.id], 0)

    return tuple(sorted(clauses, key=key))


def new_workshop(
    initiative: object,
    lang: str,
    parties: Sequence[str] = (),
    clauses: Sequence[str] | None = None,
    held: object = None,
    note: object = None,
    agenda: Agenda | None = None,
) -> Workshop:
    """A workshop for a named initiative in ``lang``, with the parties expected, on the
    default agenda or the default clauses named in ``clauses``."""
    agenda = agenda or load_agenda()
    name = clean_text(initiative, INITIATIVE_MAX, "initiative")
    assert name is not None
    if lang not in LANGUAGES:
        raise WorkshopError("bad_lang", "lang")
    for party in parties:
        agenda.party(party)
    wanted = list(clauses) if clauses is not None else [c.id for c in agenda.clauses]
    if not wanted:
        raise WorkshopError("no_clauses", "clause")
    if len(set(wanted)) != len(wanted):
        raise WorkshopError("duplicate_clause", "clause")
    chosen = _by_level((agenda.clause(c) for c in wanted), agenda)
    present = tuple(p.id for p in agenda.parties if p.id in set(parties))
    return Workshop(
        agenda=agenda,
        initiative=name,
        lang=lang,
        parties=present,
        clauses=chosen,
        held=parse_date(held, "held"),
        note=clean_text(note, NOTE_MAX, "note", required=False),
    )


def error_keys() -> tuple[str, ...]:
    """Every key a :class:`WorkshopError` can carry (each has a text in every language)."""
    return (
        "empty",
        "too_long",
        "bad_text",
        "participant",
        "bad_date",
        "unknown_clause",
        "unknown_party",
        "unknown_level",
        "unknown_response",
        "unknown_proposal",
        "reason_needed",
        "too_many",
        "full",
        "no_clauses",
        "duplicate_clause",
        "bad_status",
        "bad_lang",
        "bad_compass",
    )


def field_keys() -> tuple[str, ...]:
    """Every ``field`` a :class:`WorkshopError` can name (each has a text in every language)."""
    return (
        "initiative",
        "text",
        "reason",
        "name",
        "wording",
        "owner",
        "title",
        "question",
        "participant",
        "participants",
        "clause",
        "party",
        "level",
        "choice",
        "proposal",
        "response",
        "parking",
        "status",
        "lang",
        "date",
        "due",
        "held",
        "note",
        "evaluation",
        "evaluation_by",
        "compass",
    )
