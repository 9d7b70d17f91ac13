"""Bounds on the kernels ``samskaping serve`` runs, so that visitors cannot fill the machine.

Bare Voilà starts a kernel for every anonymous GET of a notebook page, and the kernel lives until
the idle cull (20 minutes): a few hundred requests fill a classroom laptop. The kit's kernel
manager (:class:`KitKernelManager`, configured with
``--VoilaConfiguration.multi_kernel_manager_class=kit.server.limits.KitKernelManager``) adds

- a cap on concurrent kernels (``max_kernels``): a start beyond it raises :class:`ServerFull`
  before anything is launched, and the page handler answers with :func:`full_page` (HTTP 503);
- a cap per client address (``max_kernels_per_address``; the address as the live room's limits
  see it, :func:`kit.live.handlers.client_key`), so that one client cannot take the room's
  kernels (:class:`AddressFull`, the same page);
- slots kept for the teacher's apps (``reserved_kernels`` of the cap, which only the notebooks in
  ``reserved_notebooks`` may use: the presenter and the workshop facilitator), so that a
  classroom full of learners' apps still lets the presenter in;
- turns for rendering (``start_concurrency``, :meth:`KitKernelManager.admit`): a page request
  is promised its slot at once, then waits until fewer than N pages are rendering. Booting
  kernels and Voilà's rendering otherwise take the server's CPU all at once (40 simultaneous
  app pages kept the participants' ``/delta`` page waiting 7-16 s on a 2-core machine; with
  turns it stayed under 1.3 s);
- a shutdown of kernels that no page ever connected to (``connect_timeout`` seconds after the
  render ended; a kernel still busy rendering is left alone);
- a memory limit per kernel (``memory_limit`` bytes): kernels are launched through
  :mod:`kit.server.kernel_launcher` (the kernelspec ``samskaping`` in the kit's ``share/jupyter``),
  which applies it before ipykernel loads.

Every kernel, promised or starting or running, holds one slot (:class:`_Slot`): whose address it
is for and whether it is a teacher app's. Preheated kernels (:mod:`kit.server.pool`) hold
slots too, so they count against the cap; a pooled kernel's slot passes to the visitor it is
handed to.

A kernel is told whose it is: once it has its visitor (at start, or at a pool's hand-over) the
client key is written beside its connection file (:mod:`kit.core.visitor`), where the
presenter's and facilitator's code reads it to count the sessions and workshops a client
creates (``KIT_ROOMS_PER_HOUR``); the file goes with the kernel. A write that fails is logged
(once) and leaves the kernel without a client, never the page without its kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import PurePosixPath
from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Integer, List, Unicode

from kit.core import visitor
from kit.core.i18n import normalize_lang, t
from kit.server.kernel_launcher import ENV as MEMORY_LIMIT_ENV

#: Seconds a visitor is asked to wait before trying again (the Retry-After header).
RETRY_AFTER = 60
#: The kernel names Voilà asks for on behalf of the kit's notebooks (their metadata says python3).
PYTHON_KERNEL_NAMES = frozenset({"python3", "python"})
#: The teacher's apps, which may use the reserved kernels: the presenter of a live session and
#: the facilitator of a cooperation workshop.
RESERVED_NOTEBOOKS = ("05_presentator.ipynb", "09_samarbeidsverksted.ipynb")


class ServerFull(Exception):
    """No kernel was started: ``max_kernels`` kernels are running, starting or promised (or the
    learners' share of them, when the request is not for a teacher's app)."""


class AddressFull(ServerFull):
    """No kernel was started: the client's address holds ``max_kernels_per_address``."""


@dataclass(eq=False)
class _Slot:
    """One kernel under the caps, from its promise to its end: ``address`` is the client's it
    was started or handed to (None: the server's own, a pooled kernel not handed out yet),
    ``teacher`` whether it is a reserved notebook's, ``kernel_id`` once it is starting,
    ``pool`` the notebook whose pool holds it until a visitor gets it."""

    address: str | None
    teacher: bool
    kernel_id: str | None = None
    pool: str | None = None


@dataclass
class _Ticket:
    """What one page request (or one pool fill) was admitted with (see
    :meth:`KitKernelManager.admit`): a promised ``slot`` that :meth:`start_kernel` uses, or for
    a pooled kernel (``slot`` None) the ``address`` its slot passes to."""

    slot: _Slot | None
    address: str | None = None
    used: bool = False


#: The ticket of the page request being served (set by ``admit``, taken by ``start_kernel``).
_TICKET: ContextVar[_Ticket | None] = ContextVar("kit_kernel_ticket", default=None)


class KitKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager with a cap, an unconnected-kernel timeout and a memory limit."""

    max_kernels = Integer(
        40,
        config=True,
        help="Most kernels running or starting at once; a page beyond it gets 'server full' "
        "(HTTP 503). 0: no cap.",
    )
    connect_timeout = Float(
        60.0,
        config=True,
        help="Shut a kernel down when no page has connected to it (websocket) this many "
        "seconds after it last did anything. 0: never.",
    )
    disconnect_timeout = Float(
        300.0,
        config=True,
        help="Shut a kernel down when its last page went away (a tab closed without the "
        "close-tab signal, a phone that slept) and none came back for this many idle seconds. "
        "0: never (the idle cull still applies).",
    )
    memory_limit = Integer(
        1536 * 1024 * 1024,
        config=True,
        help="Memory limit of each kernel in bytes (RLIMIT_DATA: private writable memory), "
        "applied by kit.server.kernel_launcher. 0: no limit.",
    )
    start_concurrency = Integer(
        0,
        config=True,
        help="Page renders (kernel start and the notebook's first run) at once; further pages "
        "wait their turn, so booting kernels leave the server CPU for everyone else "
        "(the participants' /delta page). 0: the number of CPUs plus one.",
    )
    start_turn_limit = Float(
        20.0,
        config=True,
        help="Seconds a render may hold its turn; a slower one lets the next page start anyway.",
    )
    kit_kernel_name = Unicode(
        "samskaping",
        config=True,
        help="The kernelspec that runs Python notebooks (the kit's, through kit.server.kernel_launcher).",
    )
    max_kernels_per_address = Integer(
        0,
        config=True,
        help="Most kernels one client address may hold at once (the address as "
        "kit.live.handlers.client_key decides it); beyond it 'server full' (HTTP 503). 0: no cap.",
    )
    reserved_kernels = Integer(
        0,
        config=True,
        help="Kernels of max_kernels kept for the notebooks in reserved_notebooks: other "
        "notebooks get 'server full' once max_kernels minus these are taken.",
    )
    reserved_notebooks = List(
        Unicode(),
        list(RESERVED_NOTEBOOKS),
        config=True,
        help="File names of the notebooks that may use the reserved kernels (the teacher's apps).",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting = 0
        self._reserved = 0
        #: every kernel's slot, promised, starting or running (see _Slot)
        self._slots: set[_Slot] = set()
        self._kernel_slots: dict[str, _Slot] = {}
        self._starting_ids: set[str] = set()
        self._turns: asyncio.Semaphore | None = None
        self._launching: dict[str, Any] = {}
        self._ever_connected: set[str] = set()
        self._watchers: dict[str, asyncio.Task] = {}
        self._kit_spec_ok: bool | None = None
        #: the connection files a client file was written beside, by kernel id
        self._told: dict[str, str] = {}
        self._tell_failed = False

    # -- the caps ---------------------------------------------------------------------------

    def kernel_count(self) -> int:
        """Kernels running (including those shutting down), starting, or promised to a page
        request that waits for its turn."""
        return len(self._kernels) + self._starting + self._reserved

    def is_teacher_notebook(self, notebook: str | None) -> bool:
        """Whether ``notebook`` (a path as Voilà names it) may use the reserved kernels."""
        return bool(notebook) and PurePosixPath(str(notebook)).name in self.reserved_notebooks

    def _live_slots(self) -> set[_Slot]:
        """The slots, without those of kernels gone some way this manager was not told of."""
        gone = [
            s
            for s in self._slots
            if s.kernel_id is not None
            and s.kernel_id not in self._kernels
            and s.kernel_id not in self._starting_ids
        ]
        for slot in gone:
            self._drop_slot(slot)
        return self._slots

    def address_count(self, address: str) -> int:
        """Kernels held by (promised, starting or running for) the client ``address``."""
        return sum(1 for s in self._live_slots() if s.address == address)

    def teacher_count(self) -> int:
        """Kernels held by the reserved notebooks."""
        return sum(1 for s in self._live_slots() if s.teacher)

    def refusal(
        self, address: str | None = None, teacher: bool = False, extra: int = 0
    ) -> ServerFull | None:
        """Why one more kernel for ``address`` (of a teacher's app or not) may not start, or
        None if it may; ``extra``: slots to leave free besides (the pools leave some)."""
        if (
            self.max_kernels_per_address > 0
            and address is not None
            and self.address_count(address) >= self.max_kernels_per_address
        ):
            return AddressFull(address)
        if self.max_kernels <= 0:
            return None
        total = self.kernel_count()
        if total + extra >= self.max_kernels:
            return ServerFull(total)
        if not teacher and total - self.teacher_count() + extra >= self._learner_cap():
            return ServerFull(total)
        return None

    def _learner_cap(self) -> int:
        return self.max_kernels - max(0, self.reserved_kernels)

    def is_full(self, teacher: bool = False) -> bool:
        """Whether a kernel of a learner's app (or, with ``teacher``, a teacher's) is refused
        for want of room (whatever the address)."""
        return self.refusal(None, teacher) is not None

    def _new_slot(self, address: str | None, teacher: bool, pool: str | None = None) -> _Slot:
        slot = _Slot(address, teacher, pool=pool)
        self._slots.add(slot)
        return slot

    def _drop_slot(self, slot: _Slot) -> None:
        self._slots.discard(slot)
        if slot.kernel_id is not None and self._kernel_slots.get(slot.kernel_id) is slot:
            del self._kernel_slots[slot.kernel_id]

    def promise(self, address: str | None, teacher: bool, pool: str | None = None) -> _Ticket:
        """A slot promised now (counted at once); :meth:`start_kernel` in the ticket's context
        uses it, :meth:`release` gives it back if it was not used."""
        self._reserved += 1
        return _Ticket(self._new_slot(address, teacher, pool), address)

    def release(self, ticket: _Ticket) -> None:
        """Give back a promised slot that no kernel used."""
        if ticket.slot is not None and not ticket.used:
            ticket.used = True
            self._reserved -= 1
            self._drop_slot(ticket.slot)

    def _turn_count(self) -> int:
        return self.start_concurrency if self.start_concurrency > 0 else (os.cpu_count() or 1) + 1

    async def _evict_pooled(self, teacher: bool) -> bool:
        """Shut down one waiting pooled kernel to make room for a visitor's, if any
        (:mod:`kit.server.pool`); without pools there is none."""
        return False

    def _log_refusal(self, refusal: ServerFull, what: str) -> None:
        if isinstance(refusal, AddressFull):
            self.log.warning(
                "Kernel cap per address (%d) reached by %s: %s",
                self.max_kernels_per_address,
                refusal.args[0],
                what,
            )
        else:
            self.log.warning("Server full (%d kernels): %s", self.kernel_count(), what)

    @contextlib.asynccontextmanager
    async def admit(
        self, address: str | None = None, notebook: str | None = None, pooled: bool = False
    ) -> AsyncIterator[None]:
        """Admit one page request of client ``address`` for ``notebook``: promise it a kernel
        slot at once (or raise :class:`ServerFull` / :class:`AddressFull`), then wait for its
        turn to render.

        Within the block, :meth:`start_kernel` uses the promised slot. A visitor beyond a cap
        is told at once, not after waiting in line; at most ``start_concurrency`` renders run
        together, each holding its turn for at most ``start_turn_limit`` seconds. A learner's
        app gets no slot of the ``reserved_kernels``. When the server is full but a preheated
        kernel waits unused, that kernel is shut down to make room.

        ``pooled``: the page will get a preheated kernel (:mod:`kit.server.pool`), which holds
        its slot already: only the address's cap is checked, nothing waits, and the kernel's
        slot passes to ``address`` when the pool hands it over.
        """
        teacher = self.is_teacher_notebook(notebook)
        if pooled:
            # nothing is awaited here: the pool hands the kernel out before anything else runs
            refusal = self.refusal(address, teacher=True)
            if isinstance(refusal, AddressFull):
                self._log_refusal(refusal, "page refused.")
                raise refusal
            handover = _Ticket(None, address)
            token = _TICKET.set(handover)
            try:
                yield
            finally:
                _TICKET.reset(token)
            return
        refusal = self.refusal(address, teacher)
        if refusal is not None and not isinstance(refusal, AddressFull):
            if await self._evict_pooled(teacher):
                refusal = self.refusal(address, teacher)
        if refusal is not None:
            self._log_refusal(refusal, "page refused.")
            raise refusal
        ticket = self.promise(address, teacher)
        token = _TICKET.set(ticket)
        if self._turns is None:
            self._turns = asyncio.Semaphore(self._turn_count())
        turns = self._turns
        held = False
        timer: asyncio.TimerHandle | None = None

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                turns.release()

        try:
            await turns.acquire()
            held = True
            timer = asyncio.get_running_loop().call_later(self.start_turn_limit, give_back)
            yield
        finally:
            if timer is not None:
                timer.cancel()
            give_back()
            self.release(ticket)
            _TICKET.reset(token)

    def _kernel_name_for(self, kernel_name: str | None) -> str | None:
        if kernel_name not in PYTHON_KERNEL_NAMES and kernel_name is not None:
            return kernel_name
        if self._kit_spec_ok is None:
            specs = self.kernel_spec_manager
            try:
                if specs is None:  # jupyter_server always gives its kernel manager one
                    raise NoSuchKernel(self.kit_kernel_name)
                specs.get_kernel_spec(self.kit_kernel_name)
                self._kit_spec_ok = True
            except NoSuchKernel:
                self.log.warning(
                    "Kernelspec %r not found (is kit/share/jupyter on JUPYTER_PATH?): kernels "
                    "run without the kit's memory limit.",
                    self.kit_kernel_name,
                )
                self._kit_spec_ok = False
        return self.kit_kernel_name if self._kit_spec_ok else kernel_name

    def pre_start_kernel(self, kernel_name: str | None, kwargs: Any) -> tuple[Any, str, str]:
        km, name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
        self._launching[kernel_id] = km
        return km, name, kernel_id

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_name: str | None = None, **kwargs: Any
    ) -> str:
        """Start a kernel, or raise :class:`ServerFull` having started nothing.

        Inside :meth:`admit` (or a pool's fill) the promised slot is used; otherwise the slot is
        taken before the first ``await``. Either way simultaneous requests cannot overshoot the
        caps. A start that fails part-way stops whatever process it launched.
        """
        kernel_id = kwargs.get("kernel_id")
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_name=kernel_name, **kwargs)
        ticket = _TICKET.get()
        if ticket is not None and ticket.slot is not None and not ticket.used:
            ticket.used = True
            self._reserved -= 1
            slot = ticket.slot
        else:
            refusal = self.refusal()
            if refusal is not None:
                self._log_refusal(refusal, "no kernel started.")
                raise refusal
            slot = self._new_slot(None, False)
        self._starting += 1
        kernel_id = kwargs["kernel_id"] = kernel_id or self.new_kernel_id()
        slot.kernel_id = kernel_id
        self._kernel_slots[kernel_id] = slot
        self._starting_ids.add(kernel_id)
        if self.memory_limit > 0:
            env = dict(kwargs.get("env") or os.environ)
            env[MEMORY_LIMIT_ENV] = str(self.memory_limit)
            kwargs["env"] = env
        try:
            kernel_id = await super().start_kernel(
                kernel_name=self._kernel_name_for(kernel_name), **kwargs
            )
        except BaseException:
            self._drop_slot(slot)
            await self._discard_failed_start(kernel_id)
            raise
        finally:
            self._starting -= 1
            self._starting_ids.discard(kernel_id)
            self._launching.pop(kernel_id, None)
        if slot.address is not None:  # a visitor's (a pooled kernel handed out while starting)
            self.tell_client(kernel_id, slot.address)
        if self.connect_timeout > 0 and kernel_id in self and slot.pool is None:
            self.watch_connection(kernel_id)
        return kernel_id

    # -- whose kernel it is -----------------------------------------------------------------

    def _connection_file(self, kernel_id: str) -> str | None:
        km = self._kernels.get(kernel_id) or self._launching.get(kernel_id)
        path = getattr(km, "connection_file", None) if km is not None else None
        return str(path) if path else None

    def tell_client(self, kernel_id: str, address: str) -> None:
        """Write the client key ``address`` beside the kernel's connection file, for its code
        to read (:func:`kit.core.visitor.kernel_client`). A kernel not started yet is told when
        its start ends; a failed write is logged the first time and otherwise ignored."""
        path = self._connection_file(kernel_id)
        if path is None:
            return
        try:
            visitor.write_client(path, address)
        except OSError as exc:
            if not self._tell_failed:
                self._tell_failed = True
                self.log.warning(
                    "Could not tell kernel %s whose it is (%s): sessions and workshops "
                    "created in kernels are not counted per client.",
                    kernel_id,
                    exc,
                )
            return
        self._told[kernel_id] = path

    def _forget_client(self, kernel_id: str) -> None:
        path = self._told.pop(kernel_id, None) or self._connection_file(kernel_id)
        if path is None:
            return
        try:
            visitor.remove_client(path)
        except OSError as exc:  # a file the server cannot remove: said, the kernel goes
            self.log.warning("Could not remove the client file of kernel %s: %s", kernel_id, exc)

    def watch_connection(self, kernel_id: str) -> None:
        """Shut ``kernel_id`` down unless a page connects to it within ``connect_timeout``
        (a pooled kernel is watched from the moment a visitor gets it)."""
        if self.connect_timeout > 0 and kernel_id not in self._watchers:
            self._watchers[kernel_id] = asyncio.ensure_future(self._until_connected(kernel_id))

    async def _discard_failed_start(self, kernel_id: str) -> None:
        """Stop the process of a start that failed, so that it is neither counted nor kept."""
        km = self._launching.get(kernel_id)
        try:
            if kernel_id in self._kernels:
                await super().shutdown_kernel(kernel_id, now=True)
            elif km is not None and km.has_kernel:
                await ensure_async(km.shutdown_kernel(now=True))
        except Exception:  # noqa: BLE001 - the start's own error is the one to report
            self.log.exception("Could not stop the half-started kernel %s", kernel_id)
        # jupyter_client keeps a failed start among its pending kernels; shutdown_all (when the
        # server stops) would then fail on it.
        self._pending_kernels.pop(kernel_id, None)
        self._forget_client(kernel_id)

    # -- kernels no page connects to --------------------------------------------------------

    def notify_connect(self, kernel_id: str) -> None:
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if (
            self.disconnect_timeout > 0
            and kernel_id in self
            and self._kernel_connections.get(kernel_id, 0) <= 0
        ):
            # No page any more: the kernel waits for one to come back, as a new one does.
            self._ever_connected.discard(kernel_id)
            if kernel_id not in self._watchers:
                self._watchers[kernel_id] = asyncio.ensure_future(
                    self._until_connected(kernel_id, self.disconnect_timeout)
                )

    def remove_kernel(self, kernel_id: str) -> Any:
        # The kernel's watcher (if any) sees it gone when it next wakes and ends.
        self._ever_connected.discard(kernel_id)
        slot = self._kernel_slots.get(kernel_id)
        if slot is not None:
            self._drop_slot(slot)
        self._forget_client(kernel_id)
        return super().remove_kernel(kernel_id)

    async def _until_connected(self, kernel_id: str, timeout: float | None = None) -> None:
        """Shut the kernel down unless a page connects before it has been idle for the
        timeout. Rendering keeps the kernel busy and active, so a slow render is not cut."""
        timeout = self.connect_timeout if timeout is None else timeout
        wait = timeout
        try:
            while True:
                await asyncio.sleep(wait)
                if kernel_id not in self or kernel_id in self._ever_connected:
                    return
                kernel = self._kernels[kernel_id]
                last = getattr(kernel, "last_activity", None)
                idle = _seconds_since(last) if last is not None else timeout
                if getattr(kernel, "execution_state", None) == "busy":
                    wait = min(timeout, 5.0)
                    continue
                if idle < timeout:
                    wait = max(0.5, timeout - idle)
                    continue
                self.log.info(
                    "Kernel %s: no page connected within %.0f s; shutting it down.",
                    kernel_id,
                    timeout,
                )
                await self.shutdown_kernel(kernel_id)
                return
        except Exception:  # noqa: BLE001 - a watcher must not take the server with it
            self.log.exception("Kernel %s: unconnected-kernel check failed", kernel_id)
        finally:
            self._watchers.pop(kernel_id, None)


def _seconds_since(moment: datetime) -> float:
    now = datetime.now(timezone.utc if moment.tzinfo else None)
    return (now - moment).total_seconds()


def full_page(lang: str | None, retry_url: str, join_url: str) -> str:
    """The small page a visitor sees when the server is full (HTTP 503), in their language."""
    lang = normalize_lang(lang)
    title = escape(t("server_full_title", lang))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} – samskaping-kit</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}"
        "a{color:#0b5394}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n"
        f"<p>{escape(t('server_full_text', lang))}</p>\n"
        f'<p><a href="{escape(retry_url)}">{escape(t("server_full_retry", lang))}</a></p>\n'
        f"<p>{escape(t('server_full_join', lang))} "
        f'<a href="{escape(join_url)}">{escape(t("server_full_join_link", lang))}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
