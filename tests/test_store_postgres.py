"""The store against a real PostgreSQL server: the same behaviour tests as SQLite, and a room.

``KIT_TEST_PG_URL`` is an admin URL (a role with CREATEDB), e.g.
``postgresql+psycopg://kit:kit@127.0.0.1:55432/postgres``; ``source .ci/postgres.sh`` starts a
throwaway server and sets it. Each test module run creates its own databases (random names) and
drops them afterwards. Without the variable these tests are skipped, except under CI=true, where
they fail: CI must prove the PostgreSQL path.
"""

from __future__ import annotations

import os
import secrets
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from kit.live.schema import SCHEMA_VERSION
from kit.live.store import Store
from tests.conftest import PG_HOWTO
from tests.test_store import CASES, StoreBehaviour
from tests.test_store_concurrency import check_room, room_cases, run_migrations, run_room
from tests.test_workshop_store import WorkshopStoreBehaviour

pytestmark = pytest.mark.postgres

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def pg_admin_url() -> str:
    url = os.environ.get("KIT_TEST_PG_URL")
    if not url:
        reason = PG_HOWTO
        if IN_CI:
            pytest.fail(f"{reason}; required under CI=true")
        pytest.skip(reason)
    return url


@pytest.fixture(scope="module")
def make_database(pg_admin_url):
    """Create databases with random names; drop them all when the module is done."""
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make() -> str:
        name = f"kit_test_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.connect() as conn:
            for name in created:
                # FORCE: a store a failed test left open must not keep the database alive. A
                # backend on its way out can still refuse the force for a moment: try again.
                for attempt in range(20):
                    try:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                        break
                    except DBAPIError:
                        if attempt == 19:
                            raise
                        time.sleep(0.25)
            left = conn.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = ANY(:names)"),
                {"names": created},
            ).scalar_one()
        admin.dispose()
        assert left == 0


@pytest.fixture(scope="module")
def shared_database(make_database) -> str:
    """One database for the behaviour tests: each test works in sessions of its own."""
    return make_database()


class TestPostgresStore(StoreBehaviour):
    @pytest.fixture
    def db_url(self, shared_database) -> str:
        return shared_database

    @pytest.fixture
    def fresh_db_url(self, make_database) -> str:
        return make_database()


class TestPostgresWorkshopStore(WorkshopStoreBehaviour):
    @pytest.fixture
    def db_url(self, shared_database) -> str:
        return shared_database

    @pytest.fixture
    def fresh_db_url(self, make_database) -> str:
        return make_database()


def test_the_server_is_postgresql(shared_database):
    with Store(shared_database) as store:
        assert store.dialect == "postgresql"
        with store.engine.connect() as conn:
            assert "PostgreSQL" in conn.execute(text("SELECT version()")).scalar_one()
            kind = conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'kit_votes' AND column_name = 'answered_at'"
                )
            ).scalar_one()
    assert kind == "timestamp with time zone"


def test_many_stores_start_at_once_on_an_empty_database(make_database):
    """Kernels that start together must not trip over each other creating the tables."""
    import threading

    url = make_database()
    errors: list[BaseException] = []
    stores: list[Store] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        try:
            barrier.wait(timeout=30)
            stores.append(Store(url))
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert len(stores) == 8
        made = stores[0].create_session(CASES)
        assert stores[7].session_cases(made.code) == CASES
        assert stores[3].owns(made.code, made.key)
    finally:
        for store in stores:
            store.close()


def test_ten_processes_answer_into_postgresql(make_database):
    participants, answers_each = 10, 40
    url = make_database()
    cases = room_cases(answers_each)
    with Store(url) as presenter:
        code = presenter.create_session(cases).code
        started = time.monotonic()
        result = run_room(url, code, [c.id for c in cases], participants)
        total = time.monotonic() - started
        print(
            f"\n{participants}x{answers_each} on PostgreSQL: {total:.1f} s in all, "
            f"{result.seconds:.1f} s of answering (slowest participant {result.slowest:.1f} s)"
        )
        assert result.errors == []
        assert result.finished == participants
        check_room(presenter, code, participants, answers_each)


def test_processes_opening_a_version_1_database_together_migrate_it_once(make_database):
    from tests.test_store import V1_SESSIONS, build_v1_database

    url = make_database()
    build_v1_database(url)
    seen = run_migrations(url, 6)
    assert seen == [len(V1_SESSIONS[0][3])] * 6, seen
    with Store(url) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM kit_schema")).scalar_one() == SCHEMA_VERSION
        total = sum(len(s[3]) for s in V1_SESSIONS)
        assert conn.execute(text("SELECT count(*) FROM kit_votes")).scalar_one() == total
        old = conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE tablename IN ('kit_answers', 'kit_reveals')")
        ).scalar_one()
    assert old == 0


def test_store_errors_on_postgresql(make_database, pg_admin_url):
    """A database that does not exist, or a wrong password: StoreUnavailable, not a traceback."""
    from kit.live.store import StoreUnavailable

    missing = make_url(pg_admin_url).set(database="kit_no_such_database")
    with pytest.raises(StoreUnavailable):
        Store(missing.render_as_string(hide_password=False))
    wrong = make_url(make_database()).set(password="not-the-password")
    with pytest.raises(StoreUnavailable):
        Store(wrong.render_as_string(hide_password=False))
