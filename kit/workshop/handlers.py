"""The participants' side of a workshop, served by ``samskaping serve`` itself, no kernel.

Mounted beside the live room's routes (:func:`kit.live.handlers.handlers`), on the same hub
(store, worker threads, per-client limits, long-poll watcher):

- ``GET verksted?kode=CODE&lang=nn``: the page (HTML with its script and style inside it);
- ``POST api/workshop/CODE/join``: ``{"token", "party", "name"}``: a new participant needs the
  party they speak for (a name is optional); the token from the browser's storage resumes the
  same participant (with a party: now speaking for it). Returns the token, the workshop as
  phones see it and what this participant said so far;
- ``POST api/workshop/CODE/propose``: ``{"token", "clause", "text"}``;
- ``POST api/workshop/CODE/respond``: ``{"token", "proposal", "choice", "reason"}``;
- ``POST api/workshop/CODE/park``: ``{"token", "text", "clause"}`` (``clause`` may be null);
- ``GET api/workshop/CODE/state?since=V&lang=nn``: the workshop as phones see it, held open up
  to 25 s until its version differs from ``V`` (a new proposal, the facilitator's clause, the
  countdown on a clause, ...); beyond the hub's caps on held polls, 503 with ``Retry-After`` at
  once. Every view phones get carries the server's time (``"now"``) beside the countdown
  (``"timer"``), so a phone counts down on the server's clock.

Writes carry the ``_xsrf`` cookie back in a header (Tornado's double-submit check); bodies are
bounded; failed joins are limited per client and code, requests naming codes that do not exist
per client (one bucket with the live room's, in the database), new participants per client (in
the database) and writes per participant (in the database); a phone holding a participant's
token of the workshop is never held back by the first two. Every refusal is ``{"error",
"field", "message"}`` with the message in the page's language, never a traceback, and
never the course leader's text about the database (:func:`kit.live.handlers.participant_failure`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tornado import web

from kit.core.html import inert_json
from kit.core.i18n import normalize_lang, t
from kit.live.handlers import POLL_HOLD as LIVE_POLL_HOLD
from kit.live.handlers import TOO_MANY_WAITING, LiveHandler, PageHandler, participant_failure
from kit.live.hub import Hub, TooManyWaiting
from kit.live.store import (
    InvalidAnswer,
    JoinCode,
    NotOwner,
    RateLimited,
    SessionClosed,
    StoreBusy,
    StoreError,
    TooLong,
    UnknownCode,
    UnknownParticipant,
    WrongSession,
)
from kit.workshop.model import Proposal, Response, WorkshopError
from kit.workshop.page import phone_json, render_page
from kit.workshop.store import Entered, Mine, WorkshopStore

#: The phones' view of a workshop, kept per (code, language) at its latest version: when a
#: proposal comes in, every waiting phone asks at once, and one read answers them all. The
#: version is the workshop's made at a time (``created_at``): a code purged and drawn again for
#: a new workshop starts at version 0 again, and is another workshop.
_VIEWS_KEPT = 512
#: How long a state request waits for a change before answering "no change" (as the room's).
POLL_HOLD = LIVE_POLL_HOLD


class WorkshopRoom:
    """What the workshop's handlers share in one server process: the hub (its store, threads
    and limits), the workshop store on the hub's database, and the phones' view per version."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._store: WorkshopStore | None = None
        self._views: OrderedDict[tuple[str, str], tuple[tuple[datetime, int], str]] = OrderedDict()
        self._views_lock = threading.Lock()  # the worker threads share the views

    @property
    def store(self) -> WorkshopStore:
        if self._store is None:
            self._store = WorkshopStore(self.hub.store)
        return self._store

    async def call(self, func: Callable[..., Any], *args: Any) -> Any:
        return await self.hub.call(func, *args)

    def view_json(self, code: str, lang: str) -> str:
        """The workshop as phones see it, in ``lang``, as JSON (runs on a worker thread)."""
        now = self.store.info(code)
        with self._views_lock:
            kept = self._views.get((code, lang))
        if kept is not None and kept[0] == (now.created_at, now.version):
            return kept[1]
        info, workshop = self.store.view(code)
        made = inert_json(
            phone_json(
                workshop,
                lang,
                is_open=info.open,
                version=info.version,
                current=info.current_clause,
                timer=info.timer,
            )
        )
        with self._views_lock:
            self._views[(code, lang)] = ((info.created_at, info.version), made)
            self._views.move_to_end((code, lang))
            while len(self._views) > _VIEWS_KEPT:
                self._views.popitem(last=False)
        return made

    def now(self) -> float:
        """The server's time (the store's clock, seconds since the epoch) that goes with each
        view phones are sent, for counting a countdown down whatever the phone's clock says."""
        return self.store.store.now().timestamp()


def with_now(view: str, now: float) -> str:
    """The phones' view (JSON, kept per version) with the time of this answer in front:
    ``{"now": 1741...,`` then the view's own fields."""
    return '{"now": ' + json.dumps(now) + ", " + view[1:]


class _Refused(Exception):
    def __init__(self, status: int, key: str, message_key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.message_key = message_key


#: A refusal of the store, as the workshop page says it: (HTTP status, text key).
_STORE_REFUSALS: tuple[tuple[type[StoreError], int, str], ...] = (
    (UnknownCode, 404, "workshop_store_unknown_code"),
    (SessionClosed, 409, "workshop_store_closed"),
    (UnknownParticipant, 400, "workshop_store_unknown_participant"),
    (WrongSession, 400, "workshop_store_unknown_participant"),
    (NotOwner, 403, "workshop_store_not_owner"),
    (RateLimited, 429, "live_err_rate_limited"),
    (TooLong, 400, "live_err_too_long"),
    (InvalidAnswer, 400, "workshop_store_bad_request"),
    (StoreBusy, 503, "live_err_store_busy"),
)


class WorkshopHandler(LiveHandler):
    """JSON in and out; every failure is ``{"error", "field", "message"}`` in the page's
    language."""

    def initialize(self, room: WorkshopRoom) -> None:  # type: ignore[override]
        self.room = room
        self.hub = room.hub

    @property
    def lang(self) -> str:
        return normalize_lang(self.get_query_argument("lang", None))

    def holds(self, code: JoinCode, token: str) -> bool:
        return self.room.store.holds(code, token)

    def too_many_codes(self) -> Exception:
        return _Refused(429, "wrong_codes", "live_err_wrong_codes")

    def refuse(self, status: int, key: str, message: str, field: str = "") -> Awaitable[None]:
        self.set_status(status)
        return self.finish({"error": key, "field": field, "message": message})

    def check_xsrf_cookie(self) -> None:
        try:
            super(LiveHandler, self).check_xsrf_cookie()
        except web.HTTPError:  # no cookie, no header, or they differ
            raise _Refused(403, "xsrf", "live_err_xsrf") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(
            {"error": "store_error", "field": "", "message": t("live_err_store_error", self.lang)}
        )

    async def guarded(self, work: Callable[[], Any]) -> None:
        try:
            await work()
        except _Refused as exc:
            self.refuse(exc.status, exc.key, t(exc.message_key, self.lang))
        except WorkshopError as exc:
            self.refuse(400, exc.key, exc.message(self.lang), exc.field)
        except UnknownCode:
            status, key = await self.unknown_code()
            text_key = "workshop_store_unknown_code" if status == 404 else "live_err_" + key
            self.refuse(status, key, t(text_key, self.lang))
        except TooManyWaiting:
            self.come_back_later()
            message = t("live_err_" + TOO_MANY_WAITING, self.lang)
            self.close_when_sent(self.refuse(503, TOO_MANY_WAITING, message))
        except StoreError as exc:
            shown = participant_failure(exc)
            if shown is not None:  # the database's trouble, as a participant is told it
                self.refuse(503, shown, t("live_err_" + shown, self.lang))
                return
            for kind, status, text_key in _STORE_REFUSALS:
                if isinstance(exc, kind):
                    self.refuse(status, exc.key, t(text_key, self.lang))
                    return
            self.refuse(400, exc.key, t("live_err_store_error", self.lang))
        else:
            if self.code is not None:
                self.hub.probes.remember(self.who, self.code)


def _proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "party": proposal.party,
        "text": proposal.text,
        "name": proposal.name,
    }


def _response_json(response: Response) -> dict[str, Any]:
    return {"proposal": response.proposal, "choice": response.choice, "reason": response.reason}


def _mine_json(mine: Mine) -> dict[str, Any]:
    return {
        "proposals": list(mine.proposals),
        "responses": {pid: _response_json(r) for pid, r in mine.responses.items()},
        "parking": [{"id": p.id, "text": p.text, "clause": p.clause} for p in mine.parking],
    }


class JoinHandler(WorkshopHandler):
    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            self.check_xsrf_cookie()
            who = self.who
            data = self.body_json()
            token = data.get("token")
            token = token if isinstance(token, str) else None
            party = data.get("party")
            store = self.room.store
            code = await self.admit(raw_code, token)
            entered: Entered = await self.joined(
                code,
                token,
                lambda: self.room.call(store.join, code, token, party, data.get("name"), who),
            )
            view = await self.room.call(self.room.view_json, code, self.lang)
            me = entered.speaker
            head = inert_json(
                {
                    "code": code,
                    "token": me.token,
                    "resumed": me.resumed,
                    "party": me.party,
                    "name": me.name,
                    "mine": _mine_json(entered.mine),
                    "workshop": None,
                }
            )
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(head[: -len("null}")] + with_now(view, self.room.now()) + "}")

        await self.guarded(work)


class _WriteHandler(WorkshopHandler):
    """A participant's write: XSRF checked, the body read, the code admitted with the token,
    then :meth:`change` (the store call) and its JSON answered."""

    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            self.check_xsrf_cookie()
            data = self.body_json()
            code = await self.admit(raw_code, data.get("token"))
            self.finish({"ok": True, **await self.change(code, data)})

        await self.guarded(work)

    async def change(self, code: JoinCode, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class ProposeHandler(_WriteHandler):
    async def change(self, code: JoinCode, data: dict[str, Any]) -> dict[str, Any]:
        store = self.room.store
        made = await self.room.call(
            store.propose, code, data.get("token"), data.get("clause"), data.get("text")
        )
        return {"proposal": _proposal_json(made)}


class RespondHandler(_WriteHandler):
    async def change(self, code: JoinCode, data: dict[str, Any]) -> dict[str, Any]:
        store = self.room.store
        given = await self.room.call(
            store.respond,
            code,
            data.get("token"),
            data.get("proposal"),
            data.get("choice"),
            data.get("reason"),
        )
        return {"response": _response_json(given)}


class ParkHandler(_WriteHandler):
    async def change(self, code: JoinCode, data: dict[str, Any]) -> dict[str, Any]:
        store = self.room.store
        point = await self.room.call(
            store.park, code, data.get("token"), data.get("text"), data.get("clause")
        )
        return {"point": {"id": point.id, "text": point.text, "clause": point.clause}}


class StateHandler(WorkshopHandler):
    async def get(self, raw_code: str) -> None:
        async def work() -> None:
            code = await self.admit(raw_code)
            room = self.room
            store = room.store
            version, _open = await room.call(store.state_version, code)
            if not await self.hold(code, version, POLL_HOLD, store.state_version):
                return
            view = await room.call(room.view_json, code, self.lang)
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(with_now(view, room.now()))

        await self.guarded(work)


def handlers(base_url: str, hub: Hub) -> list[tuple]:
    """The workshop's participant routes under ``base_url`` (which ends with ``/``)."""
    code = r"([^/]{1,64})"
    api = f"{base_url}api/workshop/{code}"
    room = WorkshopRoom(hub)
    return [
        (f"{base_url}verksted/?", PageHandler, {"base_url": base_url, "page": render_page}),
        (f"{api}/join", JoinHandler, {"room": room}),
        (f"{api}/propose", ProposeHandler, {"room": room}),
        (f"{api}/respond", RespondHandler, {"room": room}),
        (f"{api}/park", ParkHandler, {"room": room}),
        (f"{api}/state", StateHandler, {"room": room}),
    ]
