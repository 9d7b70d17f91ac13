"""Live sessions and workshops deleted by themselves after a retention time.

``samskaping purge-answers --days N`` deletes what is older than N days when a course leader runs
it. A server that runs for months would otherwise keep everything: one browser made ~900
sessions an hour (~540 KB each). The server therefore runs the same purge
(:meth:`kit.live.store.Store.purge_counts`, through the live hub's store and worker threads, so
whatever that store keeps of a purged session is dropped with it) when it starts and then every
``interval`` seconds (an hour in ``samskaping serve``), for everything older than
``KIT_RETENTION_DAYS`` (``--retention-days``; 30 by default, 0: keep everything).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback

from kit.live.hub import Hub
from kit.live.store import StoreError


class Retention:
    """The periodic purge of one server process."""

    def __init__(self, hub: Hub, days: float, log: Any = None) -> None:
        self.hub = hub
        self.days = days
        self.log = log or logging.getLogger(__name__)
        #: how many times a purge has run, and what the last one deleted (sessions, workshops)
        self.runs = 0
        self.last: tuple[int, int] | None = None
        self._timer: PeriodicCallback | None = None

    @property
    def enabled(self) -> bool:
        return self.days > 0

    async def purge_once(self) -> tuple[int, int] | None:
        """Delete the sessions and workshops older than the retention time; None when the
        store could not be reached (said in the log once per run; the next run tries again)."""
        try:
            gone = await self.hub.call(self.hub.store.purge_counts, timedelta(days=self.days))
        except StoreError as exc:
            self.log.warning(
                "Retention: purge of data older than %g days failed: %r", self.days, exc
            )
            gone = None
        else:
            if any(gone):
                self.log.info(
                    "Retention: deleted %d session(s) and %d workshop(s) older than %g days",
                    gone[0],
                    gone[1],
                    self.days,
                )
        self.runs += 1
        self.last = gone
        return gone

    def start(self, interval: float) -> None:
        """Purge once as soon as the server runs, then every ``interval`` seconds."""
        if not self.enabled or interval <= 0:
            return
        loop = IOLoop.current()
        loop.add_callback(self.purge_once)
        self._timer = PeriodicCallback(self.purge_once, interval * 1000)
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
