"""Bounds on the kernels ``samskaping serve`` runs, so that visitors cannot fill the machine.

Bare Voilà starts a kernel for every anonymous GET of a notebook page, and the kernel lives until
the idle cull (20 minutes): a few hundred requests fill a classroom laptop. The kit's kernel
manager (:class:`KitKernelManager`, configured with
``--VoilaConfiguration.multi_kernel_manager_class=kit.server.limits.KitKernelManager``) adds

- a cap on concurrent kernels (``max_kernels``): a start beyond it raises :class:`ServerFull`
  before anything is launched, and the page handler answers with :func:`full_page` (HTTP 503);
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
from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Integer, Unicode

from kit.core.i18n import normalize_lang, t
from kit.server.kernel_launcher import ENV as MEMORY_LIMIT_ENV

#: Seconds a visitor is asked to wait before trying again (the Retry-After header).
RETRY_AFTER = 60
#: The kernel names Voilà asks for on behalf of the kit's notebooks (their metadata says python3).
PYTHON_KERNEL_NAMES = frozenset({"python3", "python"})


class ServerFull(Exception):
    """No kernel was started: ``max_kernels`` kernels are running, starting or promised."""


@dataclass
class _Ticket:
    """A slot under the cap promised to one page request (see :meth:`KitKernelManager.admit`)."""

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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting = 0
        self._reserved = 0
        self._turns: asyncio.Semaphore | None = None
        self._launching: dict[str, Any] = {}
        self._ever_connected: set[str] = set()
        self._watchers: dict[str, asyncio.Task] = {}
        self._kit_spec_ok: bool | None = None

    # -- the cap ----------------------------------------------------------------------------

    def kernel_count(self) -> int:
        """Kernels running (including those shutting down), starting, or promised to a page
        request that waits for its turn."""
        return len(self._kernels) + self._starting + self._reserved

    def is_full(self) -> bool:
        return bool(self.max_kernels) and self.kernel_count() >= self.max_kernels

    def _turn_count(self) -> int:
        return self.start_concurrency if self.start_concurrency > 0 else (os.cpu_count() or 1) + 1

    @contextlib.asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Admit one page request: promise it a kernel slot at once (or raise
        :class:`ServerFull`), then wait for its turn to render.

        Within the block, :meth:`start_kernel` uses the promised slot. A visitor beyond the cap
        is told at once, not after waiting in line; at most ``start_concurrency`` renders run
        together, each holding its turn for at most ``start_turn_limit`` seconds.
        """
        if self.is_full():
            self.log.warning("Server full (%d kernels): page refused.", self.kernel_count())
            raise ServerFull(self.kernel_count())
        ticket = _Ticket()
        self._reserved += 1
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
            if not ticket.used:
                self._reserved -= 1
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

        Inside :meth:`admit` the promised slot is used; otherwise the slot is taken before the
        first ``await``. Either way simultaneous requests cannot overshoot the cap. A start that
        fails part-way stops whatever process it launched.
        """
        kernel_id = kwargs.get("kernel_id")
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_name=kernel_name, **kwargs)
        ticket = _TICKET.get()
        if ticket is not None and not ticket.used:
            ticket.used = True
            self._reserved -= 1
        elif self.is_full():
            self.log.warning("Server full (%d kernels): no kernel started.", self.kernel_count())
            raise ServerFull(self.kernel_count())
        self._starting += 1
        kernel_id = kwargs["kernel_id"] = kernel_id or self.new_kernel_id()
        if self.memory_limit > 0:
            env = dict(kwargs.get("env") or os.environ)
            env[MEMORY_LIMIT_ENV] = str(self.memory_limit)
            kwargs["env"] = env
        try:
            kernel_id = await super().start_kernel(
                kernel_name=self._kernel_name_for(kernel_name), **kwargs
            )
        except BaseException:
            await self._discard_failed_start(kernel_id)
            raise
        finally:
            self._starting -= 1
            self._launching.pop(kernel_id, None)
        if self.connect_timeout > 0 and kernel_id in self:
            self._watchers[kernel_id] = asyncio.ensure_future(self._until_connected(kernel_id))
        return kernel_id

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
