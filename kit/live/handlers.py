"""The participants' side of a live session, served by ``samskaping serve`` itself, no kernel.

A phone gets a small page (HTML with one JavaScript module and the kit's CSS inside it, all from
the package: one request) and talks to a JSON API on the same port:

- ``POST api/live/session/CODE/join``: ``{"token": ...}`` from the browser's storage, if any,
  resumes the same participant (a reload does not count twice); returns the token, the cases
  (without their keys), the participant's own answers and the room's state;
- ``POST api/live/session/CODE/answer``: ``{"token", "case_id", "process", "level"}``;
- ``GET api/live/session/CODE/state?since=V``: the room's state (open, the case shown to
  everyone, rounds, revealed keys), held open up to 25 s until it differs from version ``V``;
  beyond the caps on held polls (:class:`kit.live.hub.HeldPolls`, per client and in all) it is
  refused at once, 503 with ``Retry-After``.

Writes carry the ``_xsrf`` cookie back in a header (Tornado's double-submit check). New
participants are limited per client, failed joins per client and code, and requests naming codes
that do not exist per client on every endpoint (:data:`kit.live.hub.CODE_PROBES_PER_MINUTE`);
a phone holding a participant's token of the code is never held back by the last two. The
client is the peer's address, or the one a trusted reverse proxy forwards (:func:`client_key`).
All state lives in the store, so several server processes can share one PostgreSQL. Store calls
run in a small thread pool, never on the event loop.

A phone never gets the course leader's texts about the database ("check the --db address"):
a store that cannot be reached, read or written is ``room_unreachable`` to a participant
(:func:`participant_failure`); the big screen, the presenter's, keeps the full text.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
from collections.abc import Awaitable, Callable
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlencode

from tornado import web
from tornado.http1connection import HTTP1Connection

from kit.core import config
from kit.core.html import inert_json
from kit.core.i18n import normalize_lang, t
from kit.live.hub import POLL_RETRY_AFTER, Hub, TooManyWaiting, state_json
from kit.live.page import STATIC, render_page, render_screen_page
from kit.live.store import (
    BadSetting,
    BadURL,
    DriverMissing,
    InvalidAnswer,
    JoinCode,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    TooLong,
    UnknownCode,
)

#: A request body of the API is a few hundred bytes; anything longer is refused.
MAX_BODY = 4096
#: How long a state request waits for a change before answering "no change".
POLL_HOLD = 25.0


#: Store failures whose texts speak to the course leader (the --db address, a file to write to,
#: a kit to update): a participant is told :data:`UNREACHABLE` instead.
_LEADER_FAILURES: tuple[type[StoreError], ...] = (
    StoreUnavailable,
    StoreReadOnly,
    SchemaTooNew,
    BadURL,
    DriverMissing,
    BadSetting,
)
#: What a participant is told when the store cannot take their answer (503; what they sent
#: before is in the store).
UNREACHABLE = "room_unreachable"
#: What a phone is told beyond the caps on held polls (503, with ``Retry-After``).
TOO_MANY_WAITING = "too_many_waiting"


def participant_failure(exc: StoreError) -> str | None:
    """:data:`UNREACHABLE` for a store failure whose own text is the course leader's, else
    None (the failure's own key and text suit a participant)."""
    return UNREACHABLE if isinstance(exc, _LEADER_FAILURES) else None


def trusted_proxies() -> frozenset[str]:
    """Addresses whose forwarded client address is believed besides this machine's: the reverse
    proxies named in ``KIT_TRUSTED_PROXIES`` (comma-separated)."""
    return config.TRUSTED_PROXIES.get()


def client_key(request: Any) -> str:
    """Who is asking, for the per-client limits: the peer address, or the address a trusted
    reverse proxy forwarded (a proxy on this machine, or one in ``KIT_TRUSTED_PROXIES``).

    Only the one header that proxy sets is read (``KIT_FORWARDED_HEADER``: ``X-Real-IP`` by
    default, as docs/reverse-proxy.md's nginx sets it; ``X-Forwarded-For``: its last entry,
    the one the proxy appended; ``none``: no header), so a header the client chose itself and
    the proxy passed on untouched is never believed. From any other peer, no header is."""
    peer = request.remote_ip or ""
    header = config.FORWARDED_HEADER.get()
    if header is None:
        return peer
    try:
        trusted = ip_address(peer).is_loopback or peer in trusted_proxies()
    except ValueError:
        trusted = False
    if not trusted:
        return peer
    forwarded = request.headers.get(header, "")
    if header == "X-Forwarded-For":
        forwarded = forwarded.split(",")[-1]
    forwarded = forwarded.strip()
    if not forwarded:
        return peer
    try:
        return str(ip_address(forwarded))
    except ValueError:
        return forwarded[:64]


class KitHandler(web.RequestHandler):
    """Nothing of a live session is cached, sniffed or sent on as a referrer."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def compute_etag(self) -> None:
        """No ETag: nothing here is cached (no-store), so hashing each body would be waste."""
        return None


class LiveHandler(KitHandler):
    """JSON in and out; every failure is ``{"error": key, "message": text}`` in a language."""

    #: Whether the course leader is asking (the big screen): the store's own texts then;
    #: a participant gets :func:`participant_failure`'s.
    leader = False

    def initialize(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def lang(self) -> str:
        return normalize_lang(self.get_query_argument("lang", None))

    def fail(self, status: int, key: str) -> Awaitable[None]:
        self.set_status(status)
        return self.finish({"error": key, "message": t("live_err_" + key, self.lang)})

    def come_back_later(self) -> None:
        """Headers of an answer that tells a phone to come back after ``Retry-After`` seconds
        and is its connection's last: the phone holds no connection, so no file descriptor of
        the server, meanwhile (call :meth:`close_when_sent` with the answer's future)."""
        self.set_header("Retry-After", str(POLL_RETRY_AFTER))
        self.set_header("Connection", "close")

    def close_when_sent(self, sent: Awaitable[None]) -> None:
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            asyncio.ensure_future(sent).add_done_callback(lambda _done: connection.close())

    def body_json(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise TooLong("request too long")
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("not JSON") from None
        except RecursionError:  # arrays or objects nested too deep for the parser
            raise BadRequest("nested too deep") from None
        if not isinstance(data, dict):
            raise BadRequest("not an object")
        return data

    async def hold(
        self,
        code: JoinCode,
        version: int,
        seconds: float,
        probe: Callable[[str], tuple[int, bool]] | None = None,
    ) -> bool:
        """A long-poll: when the client already has ``version`` (its ``since``), wait for a
        change or ``seconds`` (:data:`POLL_HOLD`), in one of the held slots (:class:`TooManyWaiting` when
        there is none). False when the client went away meanwhile (nothing to answer)."""
        try:
            since = int(self.get_query_argument("since", "-1"))
        except ValueError:
            since = -1
        if version != since:
            self.seen = version
            return True
        with self.hub.held.holding(self.who):
            self.seen = await self.hub.wait_change(code, since, seconds, probe)
        connection = self.request.connection
        return not (isinstance(connection, HTTP1Connection) and connection.stream.closed())

    #: the newest version of the room :meth:`hold` knows of (read, or seen by the watcher)
    seen: int = -1

    # -- the limits of unknown codes (kit.live.hub.CODE_PROBES_PER_MINUTE)

    #: the request's code, once it is well formed: a success marks it used by this client,
    #: an unknown one counts against the client
    code: JoinCode | None = None

    @functools.cached_property
    def who(self) -> str:
        """The client, for the per-client limits (:func:`client_key`)."""
        return client_key(self.request)

    def holds(self, code: JoinCode, token: str) -> bool:
        """Whether ``token`` is a participant's of ``code`` (runs on a worker thread)."""
        return self.hub.store.holds(code, token)

    async def admit(self, raw_code: str, token: object = None) -> JoinCode:
        """The request's code, parsed. A client over its bucket of unknown codes is refused (429)
        before the code is looked up, the same for a real code as for an unknown one, unless it
        has used this code here before or the request carries a participant's token of it."""
        code = JoinCode.parse(raw_code)
        self.code = code
        hub = self.hub
        left = hub.probes.over(self.who)
        if left and not hub.probes.used(self.who, code):
            if not (isinstance(token, str) and await hub.call(self.holds, code, token)):
                self.set_header("Retry-After", str(math.ceil(left)))
                raise self.too_many_codes()
        return code

    async def joined(
        self, code: JoinCode, token: str | None, attempt: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The join ``attempt()`` of this client for ``code``: after a streak of failed joins
        it is refused (429) unless ``token`` is a participant's of the code; an unknown code
        extends the streak, a success ends it."""
        hub = self.hub
        streak = f"{self.who} {code}"
        if not hub.failed_joins.allowed(streak):
            if not (token and await hub.call(self.holds, code, token)):
                raise self.too_many_codes()
        try:
            result = await attempt()
        except UnknownCode:
            hub.failed_joins.hit(streak)
            raise
        hub.failed_joins.clear(streak)
        return result

    def too_many_codes(self) -> Exception:
        """The refusal of a client over its bucket of unknown codes, or of a client and code
        after a streak of failed joins (429)."""
        return _Refused(429, "wrong_codes")

    async def unknown_code(self) -> tuple[int, str]:
        """The status and key for a code the store does not know: counted against the client
        when it was well formed (one that is not tells nothing), 429 once it is over."""
        if self.code is not None and await self.hub.count_probe(self.who):
            self.set_header("Retry-After", str(math.ceil(self.hub.probes.window)))
            return 429, "wrong_codes"
        return 404, "unknown_code"

    def check_xsrf_cookie(self) -> None:
        try:
            super().check_xsrf_cookie()
        except web.HTTPError:
            raise _Refused(403, "xsrf") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"error": "store_error", "message": t("live_err_store_error", self.lang)})

    async def guarded(self, work: Callable[[], Any]) -> None:
        try:
            await work()
        except _Refused as exc:
            self.fail(exc.status, exc.key)
        except UnknownCode:
            self.fail(*await self.unknown_code())
        except TooManyWaiting:
            self.come_back_later()
            self.close_when_sent(self.fail(503, TOO_MANY_WAITING))
        except StoreError as exc:
            status = 429 if exc.key == "rate_limited" else 400
            if isinstance(exc, (StoreBusy, StoreUnavailable, StoreReadOnly)):
                status = 503
            shown = None if self.leader else participant_failure(exc)
            if shown is not None:
                status = 503
            self.fail(status, shown or exc.key)
        else:
            if self.code is not None:
                self.hub.probes.remember(self.who, self.code)


class BadRequest(InvalidAnswer):
    """A body that is not a JSON object (not JSON, or nested too deep to read)."""

    key = "bad_request"


class _Refused(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


class JoinHandler(LiveHandler):
    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            self.check_xsrf_cookie()
            who = self.who
            hub = self.hub
            data = self.body_json()
            token = data.get("token")
            token = token if isinstance(token, str) else None
            code = await self.admit(raw_code, token)
            joined, state, entered, lang = await self.joined(
                code, token, lambda: hub.join(code, token, who)
            )
            cases = await hub.cases(code, state.born)
            answers: dict[str, dict[str, Any]] = {}
            for (case_id, rnd), answer in entered.answers.items():
                answers.setdefault(case_id, {})[str(rnd)] = {
                    "process": answer.process,
                    "level": answer.level,
                }
            rest = {
                "code": code,
                "token": joined.token,
                "resumed": joined.resumed,
                "lang": lang,
                "answers": answers,
                "responses": entered.responses,
                "state": state_json(state, cases),
                "cases": None,
            }
            # the cases (the bulk of the reply, the same for every phone) as made once
            head = inert_json(rest)  # as finish(dict) would: "</" written "<\\/"
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(head[: -len("null}")] + hub.cases_json(code, state.born, cases) + "}")

        await self.guarded(work)


class AnswerHandler(LiveHandler):
    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            from kit.cases.case import Answer, InvalidAnswerError

            self.check_xsrf_cookie()
            data = self.body_json()
            token = data.get("token")
            code = await self.admit(raw_code, token)
            if "item_id" in data:  # a question: open text, a scale point, a poll option
                hub = self.hub
                item_id = data.get("item_id")
                mine = await hub.call(hub.store.respond, code, token, item_id, data.get("value"))
                self.finish({"ok": True, "mine": mine})
                return
            try:
                answer = Answer.checked(data.get("process"), data.get("level"))
            except InvalidAnswerError:
                raise InvalidAnswer("bad answer") from None
            case_id = data.get("case_id")
            rnd = await self.hub.call(self.hub.store.submit, code, token, case_id, answer)
            self.finish({"ok": True, "round": rnd})

        await self.guarded(work)


class StateHandler(LiveHandler):
    async def get(self, raw_code: str) -> None:
        async def work() -> None:
            code = await self.admit(raw_code)
            hub = self.hub
            version, _open = await hub.call(hub.store.state_version, code)
            if not await self.hold(code, version, POLL_HOLD):
                return
            _state, text = await hub.room_state(code, self.seen)
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(text)

        await self.guarded(work)


#: How long the big screen's request waits for a change, and how often it looks meanwhile.
SCREEN_HOLD = 20.0
SCREEN_POLL = 0.15


class _ScreenBase(LiveHandler):
    """The big screen's API: the presenter key (from the browser that started the session)
    in every request; a wrong key counts as a failed join. The course leader's own texts."""

    leader = True

    def initialize(self, hub: Hub, base_url: str = "/") -> None:
        self.hub = hub
        self.base_url = base_url

    async def owner(self, code: str, data: dict[str, Any]) -> str:
        """The presenter key, checked; wrong keys are limited per client and code, and the
        right key is never refused (it clears the client's wrong ones)."""
        hub = self.hub
        streak = f"{self.who} {code}"
        key = data.get("key")
        if isinstance(key, str) and await hub.call(hub.store.owns, code, key):
            hub.failed_keys.clear(streak)
            return key
        if not hub.failed_keys.allowed(streak):
            raise _Refused(429, "rate_limited")
        hub.failed_keys.hit(streak)
        raise _Refused(403, "not_owner")

    def join_urls(self, code: str) -> tuple[str, str]:
        public = config.PUBLIC_URL.get()
        base = (
            public.rstrip("/") + "/"
            if public
            else f"{self.request.protocol}://{self.request.host}{self.base_url}"
        )
        url = f"{base}delta?kode={code}"
        return url, url.split("://", 1)[-1].split("?", 1)[0]


class ScreenHandler(_ScreenBase):
    """``POST api/live/session/CODE/screen`` ``{"key", "since"}``: the screen's HTML and
    state, held up to SCREEN_HOLD seconds until the room's revision differs from ``since``
    (an answer, a join, a reveal, a setting)."""

    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            from kit.live.screen import screen_json, screen_view

            self.check_xsrf_cookie()
            data = self.body_json()
            code = JoinCode.parse(raw_code)
            await self.owner(code, data)
            hub = self.hub
            since = data.get("since")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + SCREEN_HOLD
            while True:
                revision = await hub.call(hub.store.revision, code)
                if list(revision) != since or loop.time() >= deadline:
                    break
                connection = self.request.connection
                if isinstance(connection, HTTP1Connection) and connection.stream.closed():
                    return
                await asyncio.sleep(SCREEN_POLL)
            items = await hub.cases(code)
            url, short = self.join_urls(code)
            lang = self.lang
            store = hub.store

            def build() -> dict[str, Any]:
                view = screen_view(store, code, items, lang, url, short)
                return screen_json(view, store.settings(code), revision)

            self.finish(await hub.call(build))

        await self.guarded(work)


class ControlHandler(_ScreenBase):
    """``POST api/live/session/CODE/control`` ``{"key", "action", ...}``: the screen's keys
    (next, previous, results, reveal, re-vote, countdown)."""

    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            from kit.live.screen import control

            self.check_xsrf_cookie()
            data = self.body_json()
            code = JoinCode.parse(raw_code)
            key = await self.owner(code, data)
            hub = self.hub
            items = await hub.cases(code)
            await hub.call(control, hub.store, code, key, items, data.get("action"), data)
            self.finish({"ok": True})

        await self.guarded(work)


class PageHandler(KitHandler):
    """A kernel-less page for one code (the phones' page, the big screen, the workshop page):
    plain HTML in the visitor's language from ``page(lang, code, base_url, typed)``, with the
    code as typed in the address (a malformed one is left for the page to say so) and the
    ``_xsrf`` cookie the page sends back on writes."""

    def initialize(
        self, base_url: str, page: Callable[[str, str, str, str], str] = render_page
    ) -> None:
        self.base_url = base_url
        self.page = page

    def get(self) -> None:
        lang = normalize_lang(self.get_query_argument("lang", None))
        raw = self.get_query_argument("kode", None) or self.get_query_argument("code", None)
        try:
            code = JoinCode.parse(raw) if raw else ""
        except StoreError:
            code = ""
        _ = self.xsrf_token  # sets the _xsrf cookie the page sends back on writes
        self.finish(self.page(lang, code, self.base_url, (raw or "")[:12]))


class LegacyRedirect(web.RequestHandler):
    """``voila/render/delta.ipynb?kode=...`` (old QR codes) goes to the light page."""

    def initialize(self, base_url: str) -> None:
        self.base_url = base_url

    def get(self) -> None:
        query = {}
        for name in ("kode", "code", "lang"):
            value = self.get_query_argument(name, None)
            if value:
                query[name] = value[:64]
        target = f"{self.base_url}delta"
        self.redirect(target + ("?" + urlencode(query) if query else ""), permanent=False)


class StaticHandler(web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")


def handlers(base_url: str, hub: Hub) -> list[tuple]:
    """The routes of the participant side, under ``base_url`` (which ends with ``/``)."""
    code = r"([^/]{1,64})"
    api = f"{base_url}api/live/session/{code}"
    static_dir = str(STATIC)
    return [
        (f"{base_url}delta/?", PageHandler, {"base_url": base_url}),
        (f"{base_url}voila/render/delta.ipynb", LegacyRedirect, {"base_url": base_url}),
        (f"{api}/join", JoinHandler, {"hub": hub}),
        (f"{api}/answer", AnswerHandler, {"hub": hub}),
        (f"{api}/state", StateHandler, {"hub": hub}),
        (f"{api}/screen", ScreenHandler, {"hub": hub, "base_url": base_url}),
        (f"{api}/control", ControlHandler, {"hub": hub, "base_url": base_url}),
        (f"{base_url}skjerm/?", PageHandler, {"base_url": base_url, "page": render_screen_page}),
        (f"{base_url}live-static/(.*)", StaticHandler, {"path": static_dir}),
    ]
