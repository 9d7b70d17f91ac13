"""Preheated kernels: Voilà's kernel pool, inside the kit's caps.

With ``--VoilaConfiguration.preheat_kernel=True`` Voilà keeps, for each notebook, kernels that
have already started and run the notebook (``voila.voila_kernel_manager``); a visitor's page is
answered from one of them, and the pool is filled up again. The kit's apps call
:func:`kit.core.ui.app.request_query` for the visitor's ``?lang=`` and other parameters: in a
pooled kernel that waits (Voilà's ``wait_for_request``) until the page request it is handed to
arrives, so an app is built before its visitor comes and only told their language then.

Voilà's pool knows nothing of the kit's limits (:class:`kit.server.limits.KitKernelManager`).
:class:`PooledKernels`, put on top of Voilà's pooling manager by
:func:`kit_kernel_manager_factory`, makes it keep them:

- **Pooled kernels count against the caps.** Each holds a slot from the moment it is queued:
  the pools never start a kernel beyond ``max_kernels`` (a learner's app's pool stays within
  the learners' share), and leave ``pool_headroom`` slots free for visitors. A kernel handed to
  a visitor counts for the visitor's address from then on.
- **Visitors come first.** When the server is full, a waiting pooled kernel is shut down to make
  room for a visitor whose app has none ready; pools are filled one kernel at a time
  (``pool_fill_concurrency``), each holding its turn until it waits for its visitor, and topped
  up every ``pool_check_interval`` seconds when there is room.
- **A pooled kernel is not an unconnected one**: the shutdown of kernels no page connects to
  (``connect_timeout``) starts when a visitor gets it.
- It runs under the memory limit like every kernel: it is started by the same ``start_kernel``.
- It learns whose it is at the hand-over (:meth:`KitKernelManager.tell_client`), not at its
  start: its code reads that when a session or workshop is created.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from jupyter_core.utils import ensure_async
from traitlets import Dict, Float, Integer, Unicode
from voila.request_info_handler import RequestInfoSocketHandler
from voila.voila_kernel_manager import voila_kernel_manager_factory

from kit.server.limits import _TICKET, KitKernelManager, _Slot, _Ticket
from kit.server.serve import self_host

#: Environment of a pooled kernel (Voilà's names): it waits for its request (``"True"``), and
#: how it reaches the server for it.
PREHEAT_ENV = "VOILA_PREHEAT"
APP_IP_ENV = "VOILA_APP_IP"


@dataclass(eq=False)
class _Item:
    """One kernel of a pool: ``state`` is "queued" (waiting for its turn to start),
    "starting" (started, running the notebook up to its wait) or "ready"."""

    notebook: str
    ticket: _Ticket
    state: str = "queued"

    @property
    def slot(self) -> _Slot:
        assert self.ticket.slot is not None  # a pool's tickets always promise a slot
        return self.ticket.slot


class PooledKernels(KitKernelManager):
    """The kit's caps over Voilà's pool; the first base of the class
    :func:`kit_kernel_manager_factory` makes (its other base is Voilà's pooling manager)."""

    pool_sizes = Dict(
        key_trait=Unicode(),
        value_trait=Integer(),
        config=True,
        help="Kernels kept ready per notebook file name (03_klassifiser.ipynb=30), besides "
        "VoilaConfiguration.default_pool_size for the others.",
    )
    pool_fill_concurrency = Integer(
        1,
        config=True,
        help="Pooled kernels starting at once; each holds its turn until it waits for its visitor.",
    )
    pool_check_interval = Float(
        10.0, config=True, help="Seconds between checks that fill the pools up when there is room."
    )
    pool_headroom = Integer(
        1, config=True, help="Kernel slots the pools leave free for visitors' own kernels."
    )

    # Voilà's pooling manager's (voila.voila_kernel_manager), for the type checker
    _pools: dict[str, list[asyncio.Task]]
    notebook_data: dict[str, Any]
    kernel_pools_config: dict[str, Any]
    fill_delay: float
    _initialize: Callable[..., Awaitable[dict[str, Any]]]

    def __init__(self, **kwargs: Any) -> None:
        # Voilà's __init__ fills the pools: what that needs is made first
        self._items: dict[asyncio.Task, _Item] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._fill_gate: asyncio.Semaphore | None = None
        self._closing = False
        self._keeper: asyncio.Task | None = None
        super().__init__(**kwargs)
        self._keeper = _loop().create_task(self._keep_pools())

    # -- sizes ---------------------------------------------------------------------------------

    def pool_size(self, notebook: str) -> int:
        """Kernels to keep ready for ``notebook``."""
        name = PurePosixPath(notebook).name
        if name in self.pool_sizes:
            return max(0, int(self.pool_sizes[name]))
        config = self.kernel_pools_config
        size = config.get(notebook, config.get("default", {})).get("pool_size", 0)
        return max(0, int(size))

    def _usable(self, task: asyncio.Task) -> bool:
        """A pool item a visitor may be given: started, or done without failing."""
        if task.done():
            return not task.cancelled() and task.exception() is None
        item = self._items.get(task)
        return item is not None and item.state != "queued"

    def get_pool_size(self, notebook_name: str) -> int:
        """Kernels of ``notebook_name`` a visitor can be given now (Voilà's handler serves the
        page from the pool when this is above 0); kernels still waiting for their turn to start
        do not count: the visitor is quicker with a kernel of their own."""
        return sum(1 for task in self._pools.get(notebook_name, ()) if self._usable(task))

    def _drop_failed(self, pool: list[asyncio.Task]) -> None:
        for task in list(pool):
            if task.done() and (task.cancelled() or task.exception() is not None):
                pool.remove(task)
                self._items.pop(task, None)
                if not task.cancelled():
                    self.log.warning("A preheated kernel failed to start: %s", task.exception())

    # -- filling -------------------------------------------------------------------------------

    def fill_if_needed(
        self,
        delay: float | None = None,
        notebook_name: str | None = None,
        extra_kernel_env_variables: dict | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue one more kernel for ``notebook_name`` if its pool lacks one and the caps leave
        room (Voilà calls this for every notebook at start, and after handing a kernel out; the
        rest comes from :meth:`top_up`). The previous visitor's address, which Voilà passes in
        ``extra_kernel_env_variables``, is not given to the next kernel."""
        if notebook_name is None or self._closing:
            return
        pool = self._pools.setdefault(notebook_name, [])
        self._drop_failed(pool)
        if len(pool) < self.pool_size(notebook_name):
            self._add(notebook_name, self.fill_delay if delay is None else delay)

    def top_up(self) -> int:
        """Queue kernels for the pools that lack some, one per notebook in turn, while the caps
        leave room; returns how many were queued."""
        added = 0
        progress = True
        while progress and not self._closing:
            progress = False
            for notebook, pool in list(self._pools.items()):
                self._drop_failed(pool)
                if len(pool) < self.pool_size(notebook) and self._add(notebook, 0):
                    added += 1
                    progress = True
        return added

    def _add(self, notebook: str, delay: float) -> bool:
        teacher = self.is_teacher_notebook(notebook)
        if self.refusal(None, teacher, extra=max(0, self.pool_headroom)) is not None:
            return False
        ticket = self.promise(None, teacher, pool=notebook)
        assert ticket.slot is not None
        task = _loop().create_task(self._fill_one(ticket, notebook, delay))
        self._items[task] = _Item(notebook, ticket)
        self._pools.setdefault(notebook, []).append(task)
        return True

    def _pool_kwargs(self, notebook: str) -> dict[str, Any]:
        """Where and with what environment a pooled kernel starts (as Voilà's fill does), and
        how it reaches this server for its request: this server's own address."""
        app: Any = self.parent
        env = dict(os.environ)
        for key, value in getattr(self, "default_env_variables", {}).items():
            env.setdefault(key, value)
        env["VOILA_BASE_URL"] = app.base_url
        env["VOILA_SERVER_URL"] = app.server_url
        env["VOILA_APP_PORT"] = str(app.port)
        env[APP_IP_ENV] = self_host(app.ip)
        env[PREHEAT_ENV] = "True"
        return {"path": os.path.dirname(notebook), "env": env}

    async def _fill_one(self, ticket: _Ticket, notebook: str, delay: float) -> dict[str, Any]:
        """Start one pooled kernel on its promised slot, in its turn, and hold the turn until
        the kernel waits for its visitor (or its notebook ran to the end, or the turn's
        limit)."""
        _TICKET.set(ticket)  # this task's own context: the slot start_kernel uses
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if self._fill_gate is None:
                self._fill_gate = asyncio.Semaphore(max(1, self.pool_fill_concurrency))
            async with self._fill_gate:
                item = self._items.get(asyncio.current_task())  # type: ignore[arg-type]
                if item is not None:
                    item.state = "starting"
                content = await self._initialize(notebook, None, **self._pool_kwargs(notebook))
                kernel_id = content["kernel_id"]
                ready = self._ready.setdefault(kernel_id, asyncio.Event())
                waiting = asyncio.ensure_future(ready.wait())
                try:
                    await asyncio.wait(
                        {waiting, content["task"]},
                        timeout=self.start_turn_limit,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    waiting.cancel()
                if item is not None:
                    item.state = "ready"
                self.log.info("Preheated kernel %s of %s is ready", kernel_id, notebook)
                return content
        except BaseException:
            self.release(ticket)
            kernel_id = ticket.slot.kernel_id if ticket.slot is not None else None
            if kernel_id is not None and kernel_id in self:
                await self.shutdown_kernel(kernel_id, now=True)
            raise

    def pool_kernel_waiting(self, kernel_id: str) -> None:
        """A pooled kernel has run its notebook up to waiting for its visitor's request (its
        request-info websocket opened: :mod:`kit.server.app`)."""
        self._ready.setdefault(kernel_id, asyncio.Event()).set()

    async def _keep_pools(self) -> None:
        while not self._closing:
            try:
                self.top_up()
            except Exception:  # noqa: BLE001 - the next check tries again
                self.log.exception("Filling the kernel pools failed")
            await asyncio.sleep(self.pool_check_interval)

    # -- handing out ---------------------------------------------------------------------------

    def _best(self, pool: list[asyncio.Task]) -> asyncio.Task | None:
        """The pool item to give a visitor: a ready kernel, else one that is starting."""
        usable = [task for task in pool if self._usable(task)]

        def rank(task: asyncio.Task) -> int:
            item = self._items.get(task)
            return 0 if task.done() else 1 if item is not None and item.state == "ready" else 2

        return min(usable, key=rank) if usable else None

    async def get_rendered_notebook(
        self,
        notebook_name: str,
        extra_kernel_env_variables: dict | None = None,
        **kwargs: Any,
    ) -> tuple[asyncio.Task, list[str], str]:
        """Voilà's hand-over of a pooled kernel (and its page rendered so far) to a visitor,
        whose address (the ticket of :meth:`KitKernelManager.admit`) it counts for from now."""
        pool = self._pools.get(notebook_name, [])
        task = self._best(pool)
        if task is None:
            raise RuntimeError(f"Kernel pool for {notebook_name} is empty")
        pool.remove(task)
        item = self._items.pop(task, None)
        ticket = _TICKET.get()
        if item is not None:
            item.slot.pool = None
            item.slot.address = ticket.address if ticket is not None else None
            if item.slot.address is not None and item.slot.kernel_id is not None:
                # told before its request reaches it (a kernel still starting: at its end)
                self.tell_client(item.slot.kernel_id, item.slot.address)
        if ticket is not None:
            # a page admitted for a kernel of its own, when the pool had none ready yet, gives
            # that promised slot back: the pooled kernel holds its own
            self.release(ticket)
        self.fill_if_needed(notebook_name=notebook_name)
        content = await task
        renderer = content["renderer"]
        renderer.stop_generator = True
        kernel_id = content["kernel_id"]
        self._ready.pop(kernel_id, None)
        self.log.info("Using pre-heated kernel: %s for %s", kernel_id, notebook_name)
        self.watch_connection(kernel_id)
        return content["task"], renderer.rendered_cache, kernel_id

    async def _evict_pooled(self, teacher: bool) -> bool:
        """Make room for a visitor's kernel from the pools: drop a kernel still waiting for its
        turn to start (it has only a promise), else shut down a ready one. Any, when the whole
        cap is taken; a learner's app's, when only the learners' share is (a teacher's app's
        pooled kernel holds a reserved slot, which a learner cannot use). From the pool with
        the most."""
        total_full = self.max_kernels > 0 and self.kernel_count() >= self.max_kernels

        def fits(notebook: str) -> bool:
            return total_full or teacher or not self.is_teacher_notebook(notebook)

        queued = [
            (task, item)
            for task, item in self._items.items()
            if item.state == "queued" and not task.done() and fits(item.notebook)
        ]
        if queued:
            task, item = queued[-1]  # the one queued last
            self._pools[item.notebook].remove(task)
            del self._items[task]
            task.cancel()
            self.release(item.ticket)  # a task cancelled before it ran never gives it back
            self.log.info(
                "Server full: a queued preheated kernel of %s dropped for a visitor", item.notebook
            )
            return True
        best: tuple[int, str, asyncio.Task] | None = None
        for notebook, pool in self._pools.items():
            if not fits(notebook):
                continue
            ready = [t for t in pool if t.done() and not t.cancelled() and t.exception() is None]
            if ready and (best is None or len(ready) > best[0]):
                best = (len(ready), notebook, ready[0])
        if best is None:
            return False
        _count, notebook, task = best
        self._pools[notebook].remove(task)
        self._items.pop(task, None)
        content = task.result()
        content["task"].cancel()
        kernel_id = content["kernel_id"]
        self._ready.pop(kernel_id, None)
        self.log.info(
            "Server full: preheated kernel %s of %s shut down for a visitor", kernel_id, notebook
        )
        if kernel_id in self:
            await self.shutdown_kernel(kernel_id, now=True)
        return True

    # -- the end -------------------------------------------------------------------------------

    def remove_kernel(self, kernel_id: str) -> Any:
        RequestInfoSocketHandler._cache.pop(kernel_id, None)
        self._ready.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        """Stop filling, drop the kernels not started yet and stop the waiting ones (they hold
        nothing of anyone's: at once), then Voilà's shutdown of all.

        Voilà calls this after the server's loop has stopped, on a loop of its own: the pool's
        tasks and the starts under way belong to the stopped loop and are never awaited here;
        the processes of kernels still starting are stopped directly."""
        self._closing = True
        here = asyncio.get_running_loop()
        if self._keeper is not None:
            _cancel(self._keeper)
        pending, waiting = [], []
        for pool in self._pools.values():
            for task in list(pool):
                pool.remove(task)
                if not task.done():
                    _cancel(task)
                    if task.get_loop() is here:
                        pending.append(task)
                    item = self._items.get(task)
                    if item is not None and item.slot.kernel_id is not None:
                        waiting.append(item.slot.kernel_id)  # started, running its notebook
                elif not task.cancelled() and task.exception() is None:
                    content = task.result()
                    _cancel(content["task"])  # its render waits on a kernel about to stop
                    waiting.append(content["kernel_id"])
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for kernel_id, manager in list(self._launching.items()):
            start = self._pending_kernels.get(kernel_id)
            if start is not None and start.get_loop() is not here:
                self._pending_kernels.pop(kernel_id, None)
                try:
                    await ensure_async(manager.shutdown_kernel(now=True))
                except Exception:  # noqa: BLE001 - the server is stopping: say it, go on
                    self.log.exception("Could not stop the starting kernel %s", kernel_id)
        for kernel_id in waiting:
            if kernel_id in self:
                await self.shutdown_kernel(kernel_id, now=True)
        self._items.clear()
        await super().shutdown_all(now=now)


def _cancel(task: asyncio.Future) -> None:
    """Cancel ``task``, also when its loop has stopped or closed (then it never runs again)."""
    try:
        task.cancel()
    except RuntimeError:
        pass


def _loop() -> asyncio.AbstractEventLoop:
    """The loop the server runs (Voilà fills its pools before it starts running)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def kit_kernel_manager_factory(
    base_class: type,
    preheat_kernel: bool,
    default_pool_size: int,
    page_config_hook: Callable | None = None,
) -> type:
    """Voilà's ``voila_kernel_manager_factory``, with :class:`PooledKernels` on top of its
    pooling manager when the base is the kit's (:class:`KitVoila` uses this instead)."""
    made = voila_kernel_manager_factory(
        base_class, preheat_kernel, default_pool_size, page_config_hook
    )
    if preheat_kernel and issubclass(base_class, KitKernelManager):
        return type("KitPooledKernelManager", (PooledKernels, made), {})
    return made
