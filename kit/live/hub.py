"""The live room's hub in one server process: the store and its worker threads, what is kept
per session (cases, their JSON, the language), the per-client limits on failed joins and on
unknown codes, the caps on long-polls held open, and the watcher that wakes the phones waiting
on a session when its state changes.

No Tornado here: the handlers (:mod:`kit.live.handlers`) await the hub's coroutines.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from kit.cases.case import Case
from kit.cases.pairs import ContrastPair, flat_cases
from kit.core import config
from kit.core.html import inert_json
from kit.live.questions import Item
from kit.live.store import Store, StoreError

#: How often the server looks for changes of the sessions phones are waiting on.
WATCH_INTERVAL = 0.25
#: Per client and minute: new participants (counted in the store, so across every server
#: process). A client is an address, and a whole room can share one: phones on a municipal
#: Wi-Fi reach a hosted kit through one NAT address. So new participants are bounded at the
#: size of a big room (a script cannot add thousands), not at what one phone needs; a phone
#: reloading comes back as itself (its token) and is never counted again.
JOINS_PER_MINUTE = 400
#: Most joins written in one transaction (:meth:`Hub.join`).
JOIN_BATCH = 200
#: Per client, code and minute: joins that failed (the code is no session's), and wrong
#: presenter keys of a session (counted in this process). Per code, so a phone that keeps
#: mistyping never holds back the room's own code from the same address; a success clears it.
FAILED_JOINS_PER_MINUTE = 12
#: Per client and minute: requests that named a code no session or workshop has, on any of the
#: phones' endpoints (join, state and answer of the live room and of the workshop), one bucket
#: counted in the store, so across every server process. Over it, the client is answered 429
#: for every code it has not used here before, unless the request carries a participant's
#: token of that code: guessing codes is slow, and tells nothing (a real code is refused the
#: same), while the room's phones at the same address go on.
CODE_PROBES_PER_MINUTE = 30


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

    def clear(self, key: str) -> None:
        """Forget the key's events (a success after failures)."""
        self._events.pop(key, None)


class CodeProbes:
    """What this process knows of each client's bucket of unknown codes (counted in the store,
    :meth:`kit.live.store.Store.count_probe`): the clients over it, until their window has run
    out, and the codes each client has used (a join, an answer, a state that succeeded), which
    stay open to it. Bounded: the oldest beyond ``max_keys`` are forgotten."""

    def __init__(self, window: float = 60.0, max_keys: int = 50_000) -> None:
        self.window = window
        self.max_keys = max_keys
        self._over: OrderedDict[str, float] = OrderedDict()
        self._used: OrderedDict[tuple[str, str], None] = OrderedDict()

    def over(self, who: str, now: float | None = None) -> float:
        """Seconds until client ``who`` may name unknown codes again (0: it may now)."""
        until = self._over.get(who)
        if until is None:
            return 0.0
        left = until - (time.monotonic() if now is None else now)
        if left <= 0:
            del self._over[who]
            return 0.0
        return left

    def mark_over(self, who: str, now: float | None = None) -> None:
        self._over.pop(who, None)
        self._over[who] = (time.monotonic() if now is None else now) + self.window
        while len(self._over) > self.max_keys:
            self._over.popitem(last=False)

    def used(self, who: str, code: str) -> bool:
        return (who, code) in self._used

    def remember(self, who: str, code: str) -> None:
        """Client ``who`` has used ``code`` with success."""
        key = (who, code)
        if key in self._used:
            self._used.move_to_end(key)
            return
        self._used[key] = None
        while len(self._used) > self.max_keys:
            self._used.popitem(last=False)


#: The most long-polls held at once by default, whatever the open-file limit: each holds a
#: connection and a little memory (a few kB) for up to the poll's hold.
HELD_POLLS_MAX = 20_000
#: Seconds a phone refused a long-poll is told to wait (``Retry-After``) before asking again.
POLL_RETRY_AFTER = 5


def default_held_polls() -> int:
    """Long-polls held at once when ``KIT_HELD_POLLS`` is not set: half the process's open-file
    limit (the other half for pages, kernels, the database and files), at most
    :data:`HELD_POLLS_MAX`, at least 32."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no such limit to divide
        return HELD_POLLS_MAX
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return HELD_POLLS_MAX
    return max(32, min(HELD_POLLS_MAX, soft // 2))


class TooManyWaiting(Exception):
    """A long-poll beyond the caps of :class:`HeldPolls`: answered 503 with ``Retry-After``."""


class HeldPolls:
    """Long-polls held open at once, in all and per client: each waiting phone holds a
    connection, so a file descriptor, for up to the poll's hold. Beyond a cap a poll is refused
    at once (:class:`TooManyWaiting`) instead of being held, so that one client, or a hall of
    phones, cannot take every descriptor the server has for pages and the database."""

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._held: dict[str, int] = {}
        self._count = 0

    @classmethod
    def from_config(cls) -> HeldPolls:
        """The caps of ``KIT_HELD_POLLS`` (default: :func:`default_held_polls`) and
        ``KIT_HELD_POLLS_PER_CLIENT``."""
        total = config.HELD_POLLS.get() or default_held_polls()
        return cls(total, config.HELD_POLLS_PER_CLIENT.get())

    @property
    def count(self) -> int:
        return self._count

    def held_by(self, who: str) -> int:
        return self._held.get(who, 0)

    @contextmanager
    def holding(self, who: str) -> Iterator[None]:
        """Hold one poll for ``who`` while the block runs; :class:`TooManyWaiting` if either
        cap is reached. Runs on the event loop only (no lock)."""
        mine = self._held.get(who, 0)
        if self._count >= self.total or mine >= self.per_client:
            raise TooManyWaiting(who)
        self._held[who] = mine + 1
        self._count += 1
        try:
            yield
        finally:
            self._count -= 1
            left = self._held[who] - 1
            if left:
                self._held[who] = left
            else:
                del self._held[who]


#: What a server process keeps per session (cases, their JSON, the language): at most this many
#: sessions, so a server that runs for months stays bounded.
_SESSIONS_KEPT = 512


class SessionCache:
    """What this process keeps per session (its cases, their JSON, its language), each made
    once by the caller's function; at most :data:`_SESSIONS_KEPT` sessions (all are forgotten
    when a new one would pass that), so a server that runs for months stays bounded.

    A session is its code and ``born``, when it was made (``created_at``): a code purged
    (``samskaping purge-answers``, in another process) and drawn again for a new session is
    another session, and what was kept for the old one is dropped when the new one is asked for.
    """

    def __init__(self, limit: int = _SESSIONS_KEPT) -> None:
        self.limit = limit
        self._kept: dict[str, dict[str, Any]] = {}

    def peek(self, code: str, born: datetime | None, what: str) -> Any:
        session = self._kept.get(code)
        if session is None or session["born"] != born:
            return None
        return session.get(what)

    def get(self, code: str, born: datetime | None, what: str, make: Callable[[], Any]) -> Any:
        session = self._kept.get(code)
        if session is None or session["born"] != born:
            if len(self._kept) >= self.limit:
                self._kept.clear()
            session = self._kept[code] = {"born": born}
        if what not in session:
            session[what] = make()
        return session[what]


class StoreThreads:
    """Threads that run store calls for the event loop, and hand the results back in batches.

    ``run_in_executor`` wakes the event loop once for every call that ends (a write to its
    self-pipe; about a quarter of a millisecond of system time a call on the machine this
    was measured on). When a room joins at once, many calls end while the loop is busy: here
    the first result of a batch wakes it and the rest ride along. The threads are daemons that
    live as long as the process, as a thread pool's do."""

    def __init__(self, workers: int, name: str = "kit-live") -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        #: per event loop, the calls that ended and wait to be handed back, and whether a wake
        #: is on its way to that loop (a loop that stops never takes its own, and must not keep
        #: another loop's results from being handed back)
        self._done: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Any, Any]]] = {}
        self._done_lock = threading.Lock()
        self._wake_pending: set[asyncio.AbstractEventLoop] = set()
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
                self._done.setdefault(loop, []).append((future, *outcome))
                wake = loop not in self._wake_pending
                self._wake_pending.add(loop)
            if wake:
                try:
                    loop.call_soon_threadsafe(self._deliver, loop)
                except RuntimeError:  # the loop has closed (the server stopping)
                    with self._done_lock:
                        self._done.pop(loop, None)
                        self._wake_pending.discard(loop)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._done_lock:
            done = self._done.pop(loop, [])
            self._wake_pending.discard(loop)
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


class Hub:
    """What the handlers share in one server process: the store, the worker threads, the
    limits, and the watcher that wakes waiting phones when their session changes."""

    def __init__(
        self,
        store_factory: Callable[[], Store],
        workers: int = 8,
        held: HeldPolls | None = None,
    ) -> None:
        self._store_factory = store_factory
        self._store: Store | None = None
        self.pool = StoreThreads(workers)
        self.failed_joins = SlidingLimit(FAILED_JOINS_PER_MINUTE)
        self.failed_keys = SlidingLimit(FAILED_JOINS_PER_MINUTE)
        self.probes = CodeProbes()
        #: the caps on long-polls held open (the live room's and the workshop's together)
        self.held = HeldPolls.from_config() if held is None else held
        #: per code, the phones waiting: the version each started from, and its future
        self._waiters: dict[str, list[tuple[int, asyncio.Future]]] = {}
        self._versions: dict[str, int] = {}
        self._probes: dict[str, Callable[[str], tuple[int, bool]]] = {}
        self._sessions = SessionCache()
        #: per code, the read of the room's state under way (see :meth:`room_state`)
        self._state_reads: dict[str, asyncio.Future] = {}
        self._watching = False
        #: per event loop, the joins waiting for the next transaction of joins, and the loops
        #: where one is being written
        self._joins: dict[asyncio.AbstractEventLoop, list[tuple[tuple, asyncio.Future]]] = {}
        self._joining: set[asyncio.AbstractEventLoop] = set()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self._store_factory()
            self._store.join_limit = (JOINS_PER_MINUTE, 60.0)
        return self._store

    async def call(self, func: Callable[..., Any], *args: Any) -> Any:
        return await self.pool.submit(func, *args)

    def cases_json(self, code: str, born: datetime | None, cases: tuple[Item, ...]) -> str:
        """The session's cases and questions as phones get them (JSON, no keys), made once per
        session (``born``: see :class:`SessionCache`)."""
        return self._sessions.get(
            code, born, "cases_json", lambda: inert_json([c.phone_json() for c in cases])
        )

    async def cases(self, code: str, born: datetime | None = None) -> tuple[Item, ...]:
        """The items (cases and questions, in order) of the session with this code made at
        ``born`` (from the row the caller has just read; None: read it here), once per process."""
        if born is None:
            born = (await self.call(self.store.session_info, code)).created_at
        cases = self._sessions.peek(code, born, "cases")
        if cases is None:
            made, cases = await self.call(self.store.session_items_at, code)
            if made == born:  # else purged and drawn again meanwhile: not kept
                self._sessions.get(code, born, "cases", lambda: cases)
        return cases

    async def room_state(self, code: str, wanted: int) -> tuple[Any, str]:
        """The room's state and its JSON as phones get it (:func:`state_json`). The phones a
        change wakes together share one read of the store and one JSON text: a reveal to 1,000
        waiting phones is one read, not 1,000 in the store's threads. A phone joins a read
        under way only when that read gives ``wanted``, the version the phone knows is there
        (the one that woke it); otherwise it reads for itself."""
        pending = self._state_reads.get(code)
        if pending is not None:
            try:
                shared = await asyncio.shield(pending)
            except StoreError:
                shared = None
            if shared is not None and shared[0].version == wanted:
                return shared
        future = asyncio.ensure_future(self._read_room_state(code))
        self._state_reads[code] = future
        try:
            return await asyncio.shield(future)
        finally:
            if self._state_reads.get(code) is future:
                del self._state_reads[code]

    async def _read_room_state(self, code: str) -> tuple[Any, str]:
        state = await self.call(self.store.state, code)
        cases = await self.cases(code, state.born)
        return state, json.dumps(state_json(state, cases))

    async def join(self, code: str, token: str | None, who: str) -> tuple[Any, Any, Any, str]:
        """A phone's join: the participant, the room's state, what they have answered
        (:class:`~kit.live.store.Entered`: a participant coming back only) and the session's
        language (fixed at start, so read once per process and session).

        Joins are written together: while one transaction of joins runs on a worker thread,
        those that arrive wait for the next, which takes them all (up to :data:`JOIN_BATCH`;
        :meth:`~kit.live.store.Store.enter_many`). A lone join goes at once; a room's burst
        costs one commit per batch instead of one per phone."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._joins.setdefault(loop, []).append(((code, token, who), future))
        if loop not in self._joining:
            self._joining.add(loop)
            asyncio.ensure_future(self._enter_joins(loop))
        entered = await future
        born = entered.state.born
        lang = self._sessions.peek(code, born, "lang")
        if lang is None:
            info = await self.call(self.store.session_info, code)
            lang = self._sessions.get(code, born, "lang", lambda: info.lang)
        return entered.joined, entered.state, entered, lang

    async def _enter_joins(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._joins[loop]
        try:
            while waiting:
                batch = waiting[:JOIN_BATCH]
                del waiting[: len(batch)]
                try:
                    results = await self.call(self.store.enter_many, [j for j, _ in batch])
                except Exception as exc:  # noqa: BLE001 - the database itself: every join hears
                    results = [exc] * len(batch)
                for (_join, future), result in zip(batch, results, strict=True):
                    if future.done():  # the phone went away
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._joining.discard(loop)

    async def count_probe(self, who: str) -> bool:
        """Count a request of client ``who`` that named a code no session or workshop has (in
        the store: one bucket across processes); whether the client is now over the bucket.
        A store that cannot count (down) holds nobody back."""
        try:
            over = await self.call(
                self.store.count_probe, who, CODE_PROBES_PER_MINUTE, self.probes.window
            )
        except StoreError:
            return False
        if over:
            self.probes.mark_over(who)
        return bool(over)

    async def wait_change(
        self,
        code: str,
        since: int,
        hold: float,
        probe: Callable[[str], tuple[int, bool]] | None = None,
    ) -> int:
        """Return when the session's state version passes ``since``, or after ``hold``: the
        version the watcher saw (``since`` after ``hold``).

        The caller has just read ``since`` from the store, so it is the newest version: the
        watcher starts from it (a version it kept from earlier may be stale). ``probe``: how
        to read the version and whether it is open, for what is not a session (a workshop,
        :mod:`kit.workshop.store`; its code is never a session's)."""
        kept = self._versions.get(code)
        if kept is not None and kept > since and self._waiters.get(code):
            return kept  # the watcher, following the code now, has seen a change the caller has not
        future = asyncio.get_running_loop().create_future()
        waiter = (since, future)
        self._waiters.setdefault(code, []).append(waiter)
        # Each waiter keeps its own starting version: a phone arriving later with a newer one
        # must not hide from the watcher the change an earlier phone is waiting for.
        self._versions.setdefault(code, since)
        if probe is not None:
            self._probes[code] = probe
        if not self._watching:
            self._watching = True
            asyncio.ensure_future(self._watch())
        try:
            return await asyncio.wait_for(asyncio.shield(future), hold)
        except asyncio.TimeoutError:
            return since
        finally:
            waiting = self._waiters.get(code)
            if waiting and waiter in waiting:
                waiting.remove(waiter)

    async def _watch(self) -> None:
        """While phones wait: one cheap read per waited-on session every WATCH_INTERVAL."""
        try:
            while any(self._waiters.values()):
                for code in [c for c, w in self._waiters.items() if w]:
                    probe = self._probes.get(code) or self.store.state_version
                    try:
                        version, _open = await self.call(probe, code)
                    except StoreError:
                        continue
                    self._versions[code] = version
                    # every phone that started from another version (older, or, a code purged
                    # and drawn again, newer) is told; the others go on waiting
                    waiting = self._waiters.get(code, [])
                    told = [w for w in waiting if w[0] != version]
                    if told:
                        self._waiters[code] = [w for w in waiting if w[0] == version]
                        for _since, future in told:
                            if not future.done():
                                future.set_result(version)
                for code in [c for c, w in self._waiters.items() if not w]:
                    del self._waiters[code]
                    self._probes.pop(code, None)
                for code in [c for c in self._versions if c not in self._waiters]:
                    del self._versions[code]  # kept only while followed: never stale
                await asyncio.sleep(WATCH_INTERVAL)
        finally:
            self._watching = False
            self._versions.clear()
            self._probes.clear()


def state_json(state: Any, cases: tuple[Item, ...]) -> dict[str, Any]:
    """The room's state as phones get it, with the keys of what is revealed: a case's key, and
    for a contrast pair (its cases' keys are revealed with it) what differs."""
    out = state.as_json()
    by_id = {c.id: c for c in flat_cases(cases)}
    pairs = {p.id: p for p in cases if isinstance(p, ContrastPair)}
    keys: dict[str, Any] = {cid: _key_json(by_id[cid]) for cid in state.revealed if cid in by_id}
    keys.update((pid, pairs[pid].key_json()) for pid in state.revealed if pid in pairs)
    out["keys"] = keys
    return out


def _key_json(case: Case) -> dict[str, Any]:
    """The key as phones get it at the reveal, with the answers that earn partial credit, so
    each phone can show its own result judged as the exercise judges."""
    from kit.cases.grading import partial_answers

    key = case.key_json()
    key["partial"] = [{"process": a.process, "level": a.level} for a in partial_answers(case)]
    return key
