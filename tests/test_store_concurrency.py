"""A full room at once: many kernel processes answering into ONE SQLite file.

The presenter's kernel and one or more server processes (each answering many phones) share the
store, so this starts real processes ("spawn": fresh interpreters), lets them all join, and
releases them together with a barrier. ``run_room`` is reused by the PostgreSQL tests.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from kit.cases.case import Answer, Case
from kit.core.text import Text
from kit.live.schema import SCHEMA_VERSION
from kit.live.store import Store
from tests.factories import make_case

PROCESSES = ("samskaping", "samproduksjon", "verdisamskaping", "ingen")
NO_LIMIT = (1_000_000, 10.0)  # the rate limit is tested elsewhere; here it must not trip


def room_cases(n: int) -> list[Case]:
    return [
        make_case(
            f"case-{i:02d}",
            title=Text(f"Sak {i}", en=f"Case {i}"),
            text=f"Tekst {i}",
            explanation="Fordi",
        )
        for i in range(n)
    ]


def _participant(url, code, case_ids, index, barrier, results) -> None:
    """One phone: join, wait for everyone, answer every case, report."""
    try:
        with Store(url, rate_limit=NO_LIMIT) as store:
            token = store.join(code).token
            barrier.wait(timeout=120)
            started = time.monotonic()
            for n, case_id in enumerate(case_ids):
                process = PROCESSES[(index + n) % len(PROCESSES)]
                level = {"samskaping": 1 + (index % 2), "ingen": None}.get(process, 3)
                assert store.submit(code, token, case_id, Answer(process, level)) == 1
            for _ in range(3):  # reloads in the middle of the rush: still the same person
                assert store.join(code, token).resumed
            results.put((index, None, time.monotonic() - started))
    except BaseException:  # everything goes back to the test
        results.put((index, traceback.format_exc(), 0.0))


def _migrating_kernel(url, barrier, results) -> None:
    """A process opening a version-1 database at the same moment as others."""
    try:
        barrier.wait(timeout=120)
        with Store(url) as store:
            results.put(len(store.answers("ACDEFG")))
    except BaseException:  # reported to the test
        results.put(traceback.format_exc())


def run_migrations(url: str, kernels: int) -> list:
    """``kernels`` processes open ``url`` at once; what each saw (or its traceback)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(kernels), ctx.Queue()
    procs = [
        ctx.Process(target=_migrating_kernel, args=(url, barrier, results)) for _ in range(kernels)
    ]
    for proc in procs:
        proc.start()
    try:
        return [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)


def _first_kernel(url, barrier, results) -> None:
    """A kernel that may be the first to open a store nobody has created yet."""
    try:
        barrier.wait(timeout=120)
        with Store(url) as store:
            code = store.create_session(room_cases(2)).code
            store.submit(code, store.join(code).token, "case-00", Answer("ingen", None))
        results.put(None)
    except BaseException:  # reported to the test
        results.put(traceback.format_exc())


@dataclass
class RoomResult:
    errors: list[str]
    finished: int
    seconds: float  #: from the barrier's release to the last answer
    slowest: float  #: the slowest participant's own time for all its answers


def run_room(url: str, code: str, case_ids: list[str], participants: int) -> RoomResult:
    """Start ``participants`` processes that each join ``code`` and answer every case once."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(participants + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_participant, args=(url, code, case_ids, i, barrier, results))
        for i in range(participants)
    ]
    for proc in procs:
        proc.start()
    errors: list[str] = []
    durations: list[float] = []
    try:
        barrier.wait(timeout=120)  # every process has started, opened the store and joined
        released = time.monotonic()
        for _ in procs:
            try:
                _index, error, seconds = results.get(timeout=120)
            except queue.Empty:
                errors.append("a participant process did not report back within 120 s")
                break
            if error:
                errors.append(error)
            else:
                durations.append(seconds)
        elapsed = time.monotonic() - released
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
    errors += [f"process exited with {p.exitcode}" for p in procs if p.exitcode]
    return RoomResult(errors, len(durations), elapsed, max(durations, default=0.0))


def check_room(store: Store, code: str, participants: int, answers_each: int) -> None:
    """Exactly one stored row per participant and case, each with its own sequence number."""
    total = participants * answers_each
    with store.engine.connect() as conn:
        rows, distinct_seq, top_seq, people = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT seq), max(seq), count(DISTINCT participant_token)"
                " FROM kit_votes WHERE session_code = :c AND round = 1"
            ),
            {"c": code},
        ).one()
    assert rows == total, f"{rows} of {total} answers stored"
    assert (distinct_seq, top_seq, people) == (total, total, participants)
    assert store.participant_count(code) == participants
    assert store.revision(code) == (total, total, participants, 0)
    counts = store.counts(code)
    assert len(counts) == answers_each
    assert all(c.answers == participants for c in counts.values())
    assert sum(sum(c.processes.values()) for c in counts.values()) == total


@pytest.mark.processes
def test_sixty_processes_answer_into_one_sqlite_file(tmp_path):
    participants, answers_each = 60, 40
    url = f"sqlite:///{tmp_path}/room.sqlite3"
    cases = room_cases(answers_each)
    with Store(url) as presenter:
        code = presenter.create_session(cases).code
        started = time.monotonic()
        result = run_room(url, code, [c.id for c in cases], participants)
        total = time.monotonic() - started
        print(
            f"\n{participants}x{answers_each} on SQLite: {total:.1f} s in all, "
            f"{result.seconds:.1f} s of answering (slowest participant {result.slowest:.1f} s)"
        )
        assert result.errors == []
        assert result.finished == participants
        assert participants * answers_each == 2400
        check_room(presenter, code, participants, answers_each)


@pytest.mark.processes
def test_kernels_starting_together_on_a_new_file(tmp_path):
    """The first lesson of the day: many kernels open a store file that does not exist yet."""
    kernels = 12
    url = f"sqlite:///{tmp_path}/new.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(kernels), ctx.Queue()
    procs = [
        ctx.Process(target=_first_kernel, args=(url, barrier, results)) for _ in range(kernels)
    ]
    for proc in procs:
        proc.start()
    try:
        errors = [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
    assert [e for e in errors if e] == []
    with Store(url) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kit_schema")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM kit_sessions")).scalar_one() == kernels
        assert conn.execute(text("SELECT count(*) FROM kit_votes")).scalar_one() == kernels
        assert conn.execute(text("SELECT version FROM kit_schema")).scalar_one() == SCHEMA_VERSION
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_server_process_answers_many_phones_from_threads(tmp_path):
    """The participant page's server: one shared store, a pool of worker threads (as
    kit.live.hub.Hub), while the presenter's kernel reads the dashboard from another store."""
    participants, answers_each = 60, 20
    url = f"sqlite:///{tmp_path}/room.sqlite3"
    cases = room_cases(answers_each)
    errors: list[BaseException] = []
    with Store(url) as presenter, Store(url, rate_limit=NO_LIMIT, shared=True) as server:
        made = presenter.create_session(cases)
        tokens = [server.join(made.code).token for _ in range(participants)]

        def phone(index: int) -> None:
            for n, case in enumerate(cases):
                process = PROCESSES[(index + n) % len(PROCESSES)]
                level = {"samskaping": 1, "ingen": None}.get(process, 3)
                server.submit(made.code, tokens[index], case.id, Answer(process, level))

        seen = []
        stop = threading.Event()

        def dashboard() -> None:
            while not stop.is_set():
                seen.append(presenter.revision(made.code)[0])
                time.sleep(0.02)

        watcher = threading.Thread(target=dashboard)
        watcher.start()
        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                for future in [pool.submit(phone, i) for i in range(participants)]:
                    try:
                        future.result(timeout=120)
                    except BaseException as exc:  # collected for the assertion
                        errors.append(exc)
        finally:
            stop.set()
            watcher.join(timeout=10)
        assert errors == []
        check_room(presenter, made.code, participants, answers_each)
        assert seen == sorted(seen)  # the dashboard never sees answers disappear
        assert presenter.start_round(made.code, made.key, cases[0].id) == 2


@pytest.mark.processes
def test_processes_opening_a_version_1_file_together_migrate_it_once(tmp_path):
    from tests.test_store import V1_SESSIONS, build_v1_database

    url = f"sqlite:///{tmp_path}/v1.sqlite3"
    build_v1_database(url)
    seen = run_migrations(url, 8)
    assert seen == [len(V1_SESSIONS[0][3])] * 8, seen
    with Store(url) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM kit_schema")).scalar_one() == SCHEMA_VERSION
        total = sum(len(s[3]) for s in V1_SESSIONS)
        assert conn.execute(text("SELECT count(*) FROM kit_votes")).scalar_one() == total
