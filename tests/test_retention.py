"""The server's own purge of old sessions and workshops (kit.server.retention), driven by a fake
clock and a short interval: what is older than the retention time goes at the next run, what is
younger stays until it is older. (tests/test_server_pool.py checks the same through
`samskaping serve --retention-days`.)"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from kit.cases.case import Answer
from kit.live.hub import Hub
from kit.live.store import Store, UnknownCode
from kit.server.retention import Retention
from kit.workshop.store import WorkshopStore
from tests.factories import make_case
from tests.test_store import FakeClock

CASES = (make_case("c1"), make_case("c2", "samproduksjon", 3))


def _run(coro) -> None:
    """asyncio.run in a thread of its own (the session's Playwright may hold the main one)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


async def _runs_past(retention: Retention, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while retention.runs < count:
        assert time.monotonic() < deadline, f"the purge ran {retention.runs} times"
        await asyncio.sleep(0.01)


def _exists(store: Store, code: str) -> bool:
    try:
        store.session_info(code)
    except UnknownCode:
        return False
    return True


def test_the_periodic_purge_deletes_what_is_older_than_the_retention(tmp_path):
    clock = FakeClock()
    store = Store(f"sqlite:///{tmp_path / 'answers.sqlite3'}", clock=clock)
    workshops = WorkshopStore(store)
    old = store.create_session(CASES)
    store.submit(old.code, store.join(old.code).token, "c1", Answer("samskaping", 1))
    old_workshop = workshops.create_workshop("Leksehjelp", "nb")
    clock.advance(days=20)
    young = store.create_session(CASES)
    clock.advance(days=20)  # old: 40 days, young: 20 days
    hub = Hub(lambda: store)

    async def run() -> None:
        retention = Retention(hub, days=30)
        retention.start(interval=0.05)
        try:
            await _runs_past(retention, 1)
            assert not _exists(store, old.code)  # older than 30 days: gone with its answers
            assert _exists(store, young.code)  # the positive control: 20 days old, kept
            # and the old workshop went too (the first run took both; a later run, which may
            # have come by now under load, finds nothing left: retention.last is then (0, 0))
            with pytest.raises(UnknownCode):
                workshops.info(old_workshop.code)
            assert retention.last in {(1, 1), (0, 0)}
            # the task keeps running: once the young one is past 30 days, a later run takes it
            clock.advance(days=11)
            await _runs_past(retention, retention.runs + 2)
            assert not _exists(store, young.code)
        finally:
            retention.stop()

    try:
        _run(run())
        with pytest.raises(UnknownCode):
            workshops.info(old_workshop.code)
    finally:
        hub.pool.shutdown()
        store.close()


def test_retention_zero_keeps_everything(tmp_path):
    clock = FakeClock()
    store = Store(f"sqlite:///{tmp_path / 'answers.sqlite3'}", clock=clock)
    old = store.create_session(CASES)
    clock.advance(days=400)
    hub = Hub(lambda: store)

    async def run() -> None:
        retention = Retention(hub, days=0)
        retention.start(interval=0.01)
        await asyncio.sleep(0.2)
        retention.stop()
        assert retention.runs == 0

    try:
        _run(run())
        assert _exists(store, old.code)
    finally:
        hub.pool.shutdown()
        store.close()
