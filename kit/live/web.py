"""The participants' side of a live session, served by ``samskaping serve`` itself, no kernel.

A phone gets a small page (HTML with one JavaScript module and the kit's CSS inside it, all from
the package: one request) and talks to a JSON API on the same port:

- ``POST api/live/session/CODE/join``: ``{"token": ...}`` from the browser's storage, if any,
  resumes the same participant (a reload does not count twice); returns the token, the cases
  (without their keys), the participant's own answers and the room's state;
- ``POST api/live/session/CODE/answer``: ``{"token", "case_id", "process", "level"}``;
- ``GET api/live/session/CODE/state?since=V``: the room's state (open, the case shown to
  everyone, rounds, revealed keys), held open up to 25 s until it differs from version ``V``.

Writes carry the ``_xsrf`` cookie back in a header (Tornado's double-submit check). Joins and
failed joins are limited per client. All state lives in the store, so several server processes
can share one PostgreSQL. Store calls run in a small thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import queue
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from html import escape
from importlib.resources import files
from ipaddress import ip_address
from string import Template
from typing import Any
from urllib.parse import urlencode

from tornado import web
from tornado.escape import json_encode

from kit.cases.case import LEVELS, Case, domain_label
from kit.core.i18n import LANGUAGES, language_name, normalize_lang, t
from kit.live.store import (
    InvalidAnswer,
    Store,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    TooLong,
    UnknownCode,
    normalize_code,
)
from kit.model.labels import level_label, process_label
from kit.model.model import PROCESSES

STATIC = files("kit.live").joinpath("static")
#: A request body of the API is a few hundred bytes; anything longer is refused.
MAX_BODY = 4096
#: How long a state request waits for a change before answering "no change".
POLL_HOLD = 25.0
#: How often the server looks for changes of the sessions phones are waiting on.
WATCH_INTERVAL = 0.25
#: Per client and minute: new participants (counted in the store, so across every server
#: process), and joins that failed (a wrong code; counted in this process). A client is an
#: address, and a whole room can share one: phones on a municipal Wi-Fi reach a hosted kit
#: through one NAT address. So new participants are bounded at the size of a big room (a
#: script cannot add thousands), not at what one phone needs; a phone reloading comes back
#: as itself (its token) and is never counted again.
JOINS_PER_MINUTE = 400
FAILED_JOINS_PER_MINUTE = 12

_TEXT_KEYS = (
    "delta_send",
    "delta_sent",
    "delta_prev",
    "delta_next",
    "delta_progress",
    "delta_done",
    "delta_joined",
    "delta_round",
    "delta_round_note",
    "delta_followed",
    "delta_offline",
    "delta_choose_both",
    "delta_key",
    "delta_case_of",
    "klass_process_label",
    "klass_level_label",
    "klass_domain_badge",
    "klass_marked_prompt",
    "live_err_session_closed",
    "live_err_store_error",
)


class SlidingLimit:
    """At most ``limit`` events per ``window`` seconds for each key (a client), in memory.

    Bounded: it forgets the oldest clients beyond ``max_keys``.
    """

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 20_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def _queue(self, key: str, now: float) -> deque[float]:
        queue = self._events.pop(key, None) or deque()
        while queue and now - queue[0] >= self.window:
            queue.popleft()
        self._events[key] = queue
        while len(self._events) > self.max_keys:
            self._events.popitem(last=False)
        return queue

    def allowed(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return len(self._queue(key, now)) < self.limit

    def hit(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._queue(key, now).append(now)


#: What a server process keeps per session (cases, their JSON, the language): at most this many
#: sessions, so a server that runs for months stays bounded.
_SESSIONS_KEPT = 512


def _remember(cache: dict[str, Any], code: str, make: Callable[[], Any]) -> Any:
    """``cache[code]``, made by ``make()`` the first time; the cache is emptied when full."""
    if code in cache:
        return cache[code]
    if len(cache) >= _SESSIONS_KEPT:
        cache.clear()
    made = cache[code] = make()
    return made


class StoreThreads:
    """Threads that run store calls for the event loop, and hand the results back in batches.

    ``run_in_executor`` wakes the event loop once for every call that ends (a write to its
    self-pipe; about a quarter of a millisecond of system time a call on the machine this
    was measured on). When a room joins at once, many calls end while the loop is busy: here
    the first result of a batch wakes it and the rest ride along. The threads are daemons that
    live as long as the process, as a thread pool's do."""

    def __init__(self, workers: int, name: str = "kit-live") -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._done: list[tuple[asyncio.Future, Any, BaseException | None]] = []
        self._done_lock = threading.Lock()
        self._wake_pending = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, func: Callable[..., Any], *args: Any) -> asyncio.Future:
        """``func(*args)`` on a thread; the future is of the running loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, func, args))
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            loop, future, func, args = job
            try:
                outcome: tuple[Any, BaseException | None] = (func(*args), None)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting handler
                outcome = (None, exc)
            with self._done_lock:
                self._done.append((future, *outcome))
                wake = not self._wake_pending
                self._wake_pending = True
            if wake:
                try:
                    loop.call_soon_threadsafe(self._deliver)
                except RuntimeError:  # the loop has closed (the server stopping)
                    return

    def _deliver(self) -> None:
        with self._done_lock:
            done, self._done = self._done, []
            self._wake_pending = False
        for future, result, exc in done:
            if future.done():  # cancelled: the phone went away
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(result)

    def shutdown(self, wait: bool = True) -> None:
        """Let each thread end after the calls queued before this; with ``wait``, until then."""
        for _thread in self._threads:
            self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()


class Room:
    """What the handlers share in one server process: the store, the worker threads, the
    limits, and the watcher that wakes waiting phones when their session changes."""

    def __init__(self, store_factory: Callable[[], Store], workers: int = 8) -> None:
        self._store_factory = store_factory
        self._store: Store | None = None
        self.pool = StoreThreads(workers)
        self.failed_joins = SlidingLimit(FAILED_JOINS_PER_MINUTE)
        self._waiters: dict[str, list[asyncio.Future]] = {}
        self._versions: dict[str, int] = {}
        self._cases: dict[str, tuple[Case, ...]] = {}
        self._cases_json: dict[str, str] = {}
        self._langs: dict[str, str] = {}
        self._watching = False

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self._store_factory()
            self._store.join_limit = (JOINS_PER_MINUTE, 60.0)
        return self._store

    async def call(self, func: Callable[..., Any], *args: Any) -> Any:
        return await self.pool.submit(func, *args)

    def cases_json(self, code: str, cases: tuple[Case, ...]) -> str:
        """The session's cases as phones get them (JSON, no keys), made once per session."""
        return _remember(self._cases_json, code, lambda: json_encode([case_json(c) for c in cases]))

    async def cases(self, code: str) -> tuple[Case, ...]:
        cases = self._cases.get(code)
        if cases is None:
            cases = await self.call(self.store.session_cases, code)
            _remember(self._cases, code, lambda: cases)
        return cases

    def join(self, code: str, token: str | None, who: str) -> tuple[Any, Any, dict, str]:
        """A join in one trip to a worker thread: the participant, the room's state, their
        answers (a participant coming back only) and the session's language (fixed at start,
        so read once per process)."""
        store = self.store
        entered = store.enter(code, token, who)
        joined, state, mine = entered.joined, entered.state, entered.answers
        lang = _remember(self._langs, code, lambda: store.session_info(code).lang)
        return joined, state, mine, lang

    async def wait_change(self, code: str, since: int, hold: float) -> None:
        """Return when the session's state version passes ``since``, or after ``hold``.

        The caller has just read ``since`` from the store, so it is the newest version: the
        watcher starts from it (a version it kept from earlier may be stale)."""
        kept = self._versions.get(code)
        if kept is not None and kept > since:
            return  # the watcher has seen a change the caller has not
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(code, []).append(future)
        self._versions[code] = since
        if not self._watching:
            self._watching = True
            asyncio.ensure_future(self._watch())
        try:
            await asyncio.wait_for(asyncio.shield(future), hold)
        except asyncio.TimeoutError:
            pass
        finally:
            waiting = self._waiters.get(code)
            if waiting and future in waiting:
                waiting.remove(future)

    async def _watch(self) -> None:
        """While phones wait: one cheap read per waited-on session every WATCH_INTERVAL."""
        try:
            while any(self._waiters.values()):
                for code in [c for c, w in self._waiters.items() if w]:
                    try:
                        version, _open = await self.call(self.store.state_version, code)
                    except StoreError:
                        continue
                    if version > self._versions.get(code, version):
                        self._versions[code] = version
                        for future in self._waiters.pop(code, []):
                            if not future.done():
                                future.set_result(version)
                for code in [c for c, w in self._waiters.items() if not w]:
                    del self._waiters[code]
                await asyncio.sleep(WATCH_INTERVAL)
        finally:
            self._watching = False
            self._versions.clear()


def case_json(case: Case) -> dict[str, Any]:
    """A case as a phone may see it before the reveal: no process, level or explanation."""
    return {
        "id": case.id,
        "title": dict(case.title.as_dict()),
        "text": dict(case.text.as_dict()),
        "domain": {lang: domain_label(case.domain, lang) for lang in LANGUAGES},
        # A chain case: the text in three parts per language, the middle one to classify.
        "marked": case.marked_json(LANGUAGES),
    }


def key_json(case: Case) -> dict[str, Any]:
    """A revealed case's key, as the phones show it."""
    return {
        "process": case.process,
        "level": case.level,
        "explanation": dict(case.explanation.as_dict()),
    }


def state_json(state: Any, cases: tuple[Case, ...]) -> dict[str, Any]:
    out = state.as_json()
    by_id = {c.id: c for c in cases}
    out["keys"] = {cid: key_json(by_id[cid]) for cid in state.revealed if cid in by_id}
    return out


def trusted_proxies() -> frozenset[str]:
    """Addresses whose ``X-Real-IP`` / ``X-Forwarded-For`` are believed: this machine, and the
    reverse proxies named in ``KIT_TRUSTED_PROXIES`` (comma-separated)."""
    raw = os.environ.get("KIT_TRUSTED_PROXIES", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def client_key(request: Any) -> str:
    """Who is asking, for the per-client limits: the peer address, or the address a trusted
    reverse proxy forwarded (a proxy on this machine, or one in ``KIT_TRUSTED_PROXIES``)."""
    peer = request.remote_ip or ""
    try:
        trusted = ip_address(peer).is_loopback or peer in trusted_proxies()
    except ValueError:
        trusted = False
    if trusted:
        forwarded = (
            request.headers.get("X-Real-IP")
            or request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        )
        if forwarded:
            return forwarded[:64]
    return peer


class _KitHandler(web.RequestHandler):
    """Nothing of a live session is cached, sniffed or sent on as a referrer."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def compute_etag(self) -> None:
        """No ETag: nothing here is cached (no-store), so hashing each body would be waste."""
        return None


class LiveHandler(_KitHandler):
    """JSON in and out; every failure is ``{"error": key, "message": text}`` in a language."""

    def initialize(self, room: Room) -> None:
        self.room = room

    @property
    def lang(self) -> str:
        return normalize_lang(self.get_query_argument("lang", None))

    def fail(self, status: int, key: str) -> None:
        self.set_status(status)
        self.finish({"error": key, "message": t("live_err_" + key, self.lang)})

    def body_json(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise TooLong("request too long")
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InvalidAnswer("not JSON") from None
        if not isinstance(data, dict):
            raise InvalidAnswer("not an object")
        return data

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
            self.fail(404, "unknown_code")
        except StoreError as exc:
            status = 429 if exc.key == "rate_limited" else 400
            if isinstance(exc, (StoreBusy, StoreUnavailable, StoreReadOnly)):
                status = 503
            self.fail(status, exc.key)


class _Refused(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


class JoinHandler(LiveHandler):
    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            self.check_xsrf_cookie()
            who = client_key(self.request)
            room = self.room
            if not room.failed_joins.allowed(who):
                raise _Refused(429, "rate_limited")
            data = self.body_json()
            token = data.get("token")
            token = token if isinstance(token, str) else None
            try:
                code = normalize_code(raw_code)
                joined, state, mine, lang = await room.call(room.join, code, token, who)
            except (UnknownCode, TooLong):
                room.failed_joins.hit(who)
                raise
            cases = await room.cases(code)
            answers: dict[str, dict[str, Any]] = {}
            for (case_id, rnd), answer in mine.items():
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
                "state": state_json(state, cases),
                "cases": None,
            }
            # the cases (the bulk of the reply, the same for every phone) as made once
            head = json_encode(rest)  # as finish(dict) would: "</" written "<\\/"
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(head[: -len("null}")] + room.cases_json(code, cases) + "}")

        await self.guarded(work)


class AnswerHandler(LiveHandler):
    async def post(self, raw_code: str) -> None:
        async def work() -> None:
            from kit.live.room import Answer, InvalidAnswerError

            self.check_xsrf_cookie()
            data = self.body_json()
            code = normalize_code(raw_code)
            try:
                answer = Answer.checked(data.get("process"), data.get("level"))
            except InvalidAnswerError:
                raise InvalidAnswer("bad answer") from None
            token = data.get("token")
            case_id = data.get("case_id")
            rnd = await self.room.call(self.room.store.submit, code, token, case_id, answer)
            self.finish({"ok": True, "round": rnd})

        await self.guarded(work)


class StateHandler(LiveHandler):
    async def get(self, raw_code: str) -> None:
        async def work() -> None:
            code = normalize_code(raw_code)
            try:
                since = int(self.get_query_argument("since", "-1"))
            except ValueError:
                since = -1
            room = self.room
            version, _open = await room.call(room.store.state_version, code)
            if version == since:
                await room.wait_change(code, since, POLL_HOLD)
                if self.request.connection.stream.closed():
                    return
            cases = await room.cases(code)
            state = await room.call(room.store.state, code)
            self.finish(state_json(state, cases))

        await self.guarded(work)


def _page_texts(lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {key: t(key, lang) for key in _TEXT_KEYS}
    out["process"] = {p: process_label(p, lang) for p in PROCESSES}
    out["level"] = {str(lv or 0): (level_label(lv, lang)) for lv in LEVELS}
    out["levels"] = [[str(lv or 0), out["level"][str(lv or 0)]] for lv in LEVELS]
    out["errors"] = {
        key: t("live_err_" + key, lang)
        for key in (
            "bad_code",
            "unknown_code",
            "session_closed",
            "unknown_participant",
            "wrong_session",
            "invalid_answer",
            "rate_limited",
            "too_long",
            "store_busy",
            "store_unavailable",
            "store_read_only",
            "store_not_database",
            "store_no_folder",
            "store_error",
            "xsrf",
            "schema_too_new",
        )
    }
    return out


class PageHandler(_KitHandler):
    """The participant page: plain HTML in the visitor's language, the code field or the case."""

    def initialize(self, base_url: str) -> None:
        self.base_url = base_url

    def get(self) -> None:
        lang = normalize_lang(self.get_query_argument("lang", None))
        raw = self.get_query_argument("kode", None) or self.get_query_argument("code", None)
        try:
            code = normalize_code(raw) if raw else ""
        except StoreError:
            code = ""
        _ = self.xsrf_token  # sets the _xsrf cookie the page sends back on writes
        self.finish(render_page(lang, code, self.base_url, (raw or "")[:12]))


@functools.lru_cache(maxsize=1)
def _template() -> Template:
    return Template(STATIC.joinpath("delta.html").read_text(encoding="utf-8"))


#: The design tokens of the apps: the first ``:root { ... }`` block of their style sheet.
_TOKENS = re.compile(r":root \{.*?\n\}", re.S)


def design_tokens() -> str:
    """The ``:root`` block of ``kit/core/ui/style.css`` (read as a file: the widget package,
    and ipywidgets with it, is not imported here)."""
    sheet = files("kit.core.ui").joinpath("style.css").read_text(encoding="utf-8")
    found = _TOKENS.search(sheet)
    if found is None:
        raise ValueError("kit/core/ui/style.css has no :root block of design tokens")
    return found[0]


@functools.lru_cache(maxsize=1)
def page_assets() -> tuple[str, str]:
    """The page's style (the apps' design tokens, then delta.css) and script, to put inside
    it: a phone makes one request, not three, when a whole room joins at once. Neither may
    close its element early."""
    style = design_tokens() + "\n" + STATIC.joinpath("delta.css").read_text(encoding="utf-8")
    script = STATIC.joinpath("delta.js").read_text(encoding="utf-8")
    if "</" in style or "</" in script:
        raise ValueError("delta.css and delta.js must not contain '</' (they are inlined)")
    return style, script


@functools.lru_cache(maxsize=16)
def _texts_json(lang: str) -> str:
    """The page's texts as JSON, made once per language (the same for every visitor)."""
    return json_encode(_page_texts(lang))


@functools.lru_cache(maxsize=256)
def render_page(lang: str, code: str, base_url: str, typed: str = "") -> str:
    """The participant page's HTML (texts escaped; the data for the script as inert JSON).

    The same for every phone of a room (the visitor's own part, the ``_xsrf`` cookie, is a
    header), so it is made once per language and code; the cache is bounded."""
    template = _template()
    style, script = page_assets()
    options = "".join(
        f"<option value='{escape(c)}'{' selected' if c == lang else ''}>"
        f"{escape(language_name(c))}</option>"
        for c in LANGUAGES
    )
    config = {"lang": lang, "code": code, "api": f"{base_url}api/live/session/", "texts": None}
    head = json_encode(config)
    # the cached texts in place of the placeholder: the same JSON as dumping them in the dict
    blob = head[: -len("null}")] + _texts_json(lang) + "}"
    return template.substitute(
        lang=escape(lang),
        title=escape(t("app_title_delta", lang)),
        heading=escape(t("app_title_delta", lang)),
        intro=escape(t("delta_intro", lang)),
        code_label=escape(t("delta_code_label", lang)),
        join=escape(t("delta_join", lang)),
        language=escape(t("language", lang)),
        language_options=options,
        typed=escape(typed[:12]),
        style=style,
        script=script,
        config=blob,
        noscript=escape(t("delta_noscript", lang)),
        nav_label=escape(t("delta_nav_label", lang)),
    )


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


def handlers(base_url: str, room: Room) -> list[tuple]:
    """The routes of the participant side, under ``base_url`` (which ends with ``/``)."""
    code = r"([^/]{1,64})"
    api = f"{base_url}api/live/session/{code}"
    static_dir = str(STATIC)
    return [
        (f"{base_url}delta/?", PageHandler, {"base_url": base_url}),
        (f"{base_url}voila/render/delta.ipynb", LegacyRedirect, {"base_url": base_url}),
        (f"{api}/join", JoinHandler, {"room": room}),
        (f"{api}/answer", AnswerHandler, {"room": room}),
        (f"{api}/state", StateHandler, {"room": room}),
        (f"{base_url}live-static/(.*)", StaticHandler, {"path": static_dir}),
    ]
