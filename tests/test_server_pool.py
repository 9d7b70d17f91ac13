"""`samskaping serve` sharing its kernels fairly, and keeping kernels ready (issue 17):

- one client address is refused at its kernel cap while another still gets a kernel;
- the teacher's apps keep a reserved slot: the presenter loads while learners' visits have taken
  the rest;
- sessions older than --retention-days are deleted by the server itself;
- the sessions a client creates in its kernels are counted per client (--rooms-per-hour): the
  server tells each kernel whose it is, beside its connection file, at start and when a
  preheated kernel is handed over, and takes the file away with the kernel;
- with --preheat, a first visit is answered by a kernel that was already running (and had run
  the app), in the language the address asks for, under the memory limit;
- preheated kernels count against the caps: the cap per address once handed out, the whole cap
  while they wait (one is shut down to make room for a visitor, never started beyond it).

Clients are told apart by their source address (127.0.0.2, 127.0.0.3, ...: all of 127/8 is
this machine), which is what the server's per-client limits key on when no proxy forwards one.
Kernels are counted as the server process's children, and named by their connection files.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kit.core import visitor
from kit.core.i18n import t
from kit.live.store import Store, UnknownCode
from tests.factories import make_case

from .conftest import Server, free_port, wait_for
from .test_server_limits import (
    LimitedServer,
    _notebook,
    beacon,
    kernel_id,
    kernel_pids,
    wait_for_kernels,
)

pytestmark = pytest.mark.server


# -- helpers ----------------------------------------------------------------------------------


def get_from(address: str, url: str) -> tuple[int, dict[str, str], str]:
    """A GET from the source address ``address`` (a client of its own to the server)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=120, source_address=(address, 0)
    )
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def kernel_ids(server: Server) -> dict[str, int]:
    """The server's kernels: kernel id (from its connection file) -> process id."""
    found = {}
    for pid in kernel_pids(server):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        match = re.search(rb"kernel-([0-9a-f-]{36})\.json", cmdline)
        if match:
            found[match.group(1).decode()] = pid
    return found


def ready_count(server: Server) -> int:
    """Preheated kernels the server has logged as ready (waiting for their visitor)."""
    return server.log().count("is ready")


def close_all(server: Server, pages: list[str]) -> None:
    for page in pages:
        beacon(server, kernel_id(page))


def assert_full_page(status: int, headers: dict[str, str], body: str, lang: str = "nb") -> None:
    assert status == 503, (status, body[:300])
    assert headers.get("Retry-After") == "60"
    assert "jupyter-config-data" not in body  # no kernel behind it
    assert f'<html lang="{lang}">' in body and t("server_full_title", lang) in body


class KernelWatch:
    """The most kernels the server ran at once while the block ran."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.most = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        while not self._done.is_set():
            self.most = max(self.most, len(kernel_pids(self.server)))
            time.sleep(0.05)

    def __enter__(self) -> KernelWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=30)


# -- a server with small caps and a reserved slot ----------------------------------------------

CAP = 4
PER_ADDRESS = 2
RESERVED = 1
RETENTION_DAYS = 2
ROOMS_PER_HOUR = 2
#: A stand-in for the presenter's start: three sessions made by the real controller in the
#: kernel (its database is the server's), and whose kernel the server said it is.
ROOMS_CELL = """\
from kit.cases.case import Case
from kit.core.text import Text
from kit.core.visitor import kernel_client
from kit.live.controller import SessionController
from kit.live.store import StoreError

case = Case("c1", Text("Tittel"), Text("Tekst"), "ingen", None, Text("Fordi"))
controller = SessionController()
seen = []
for _ in range(3):
    try:
        controller.start([case], "nb")
        seen.append("made")
    except StoreError as exc:
        seen.append(exc.key)
print("CLIENT", kernel_client(), "ROOMS", ",".join(seen))
"""
#: A pooled app's wait for its visitor (as the kit's apps wait), then whose kernel it is.
WHOSE_AFTER_REQUEST_CELL = """\
from kit.core.ui.app import request_query
from kit.core.visitor import kernel_client

request_query()
print("CLIENT", kernel_client())
"""


@pytest.fixture(scope="module")
def fair(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fair")
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "light.ipynb", "print('LIGHT-OK')")
    # a stand-in for the presenter, under its file name (the reserved notebooks are named so)
    _notebook(notebooks / "05_presentator.ipynb", "print('TEACHER-OK')")
    _notebook(notebooks / "rooms.ipynb", ROOMS_CELL)
    # sessions made before the server starts: one older than the retention time, one younger
    db_url = f"sqlite:///{folder / 'responses.sqlite3'}"
    cases = (make_case("c1"),)
    then = datetime.now(timezone.utc) - timedelta(days=RETENTION_DAYS + 1)
    with Store(db_url, clock=lambda: then) as old_store:
        old = old_store.create_session(cases)
    with Store(db_url) as store:
        young = store.create_session(cases)
    srv = LimitedServer(
        free_port(),
        folder / "serve.log",
        [
            "--max-kernels",
            str(CAP),
            "--max-kernels-per-address",
            str(PER_ADDRESS),
            "--reserved-kernels",
            str(RESERVED),
            "--preheat",
            "0",
            "--kernel-connect-timeout",
            "300",
            "--retention-days",
            str(RETENTION_DAYS),
            "--rooms-per-hour",
            str(ROOMS_PER_HOUR),
        ],
        {"KIT_NOTEBOOKS_DIR": str(notebooks)},
    )
    srv.sessions = (old.code, young.code)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def test_one_address_is_refused_at_its_cap_another_still_gets_a_kernel(fair):
    wait_for_kernels(fair, 0)
    light = f"{fair.url}voila/render/light.ipynb"
    pages = []
    try:
        for _ in range(PER_ADDRESS):
            status, _, page = get_from("127.0.0.2", light)
            assert status == 200 and "LIGHT-OK" in page
            pages.append(page)
        # the same address once more: the "server full" page, in the language asked for
        assert_full_page(*get_from("127.0.0.2", f"{light}?lang=en"), lang="en")
        assert len(kernel_pids(fair)) == PER_ADDRESS  # the refusal started nothing
        # the positive control: another address gets a kernel, the server has room
        status, _, page = get_from("127.0.0.3", light)
        assert status == 200 and "LIGHT-OK" in page
        pages.append(page)
        assert len(kernel_pids(fair)) == PER_ADDRESS + 1
        # a kernel of the first address ends (its tab closed): that address gets one again
        beacon(fair, kernel_id(pages.pop(0)))
        wait_for_kernels(fair, PER_ADDRESS)
        status, _, page = get_from("127.0.0.2", light)
        assert status == 200
        pages.append(page)
    finally:
        close_all(fair, pages)
    assert "Kernel cap per address (2) reached by 127.0.0.2" in fair.log()


def test_the_presenter_loads_while_learners_fill_the_rest(fair):
    wait_for_kernels(fair, 0)
    light = f"{fair.url}voila/render/light.ipynb"
    presenter = f"{fair.url}voila/render/05_presentator.ipynb"
    pages = []
    try:
        # learners from three addresses take the learners' share (CAP - RESERVED)
        for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
            status, _, page = get_from(address, light)
            assert status == 200
            pages.append(page)
        # a fourth learner, from an address of their own, finds the server full ...
        assert_full_page(*get_from("127.0.0.5", light))
        assert len(kernel_pids(fair)) == CAP - RESERVED
        # ... while the presenter's app still loads
        status, _, page = get_from("127.0.0.1", presenter)
        assert status == 200 and "TEACHER-OK" in page
        pages.append(page)
        assert len(kernel_pids(fair)) == CAP
        # beyond the whole cap even the teacher's app is refused
        assert_full_page(*get_from("127.0.0.6", presenter))
    finally:
        close_all(fair, pages)


def test_sessions_older_than_the_retention_are_deleted_by_the_server(fair):
    old, young = fair.sessions
    with Store(fair.db_url) as store:

        def old_gone() -> bool:
            try:
                store.session_info(old)
            except UnknownCode:
                return True
            return False

        assert wait_for(old_gone, timeout=60), fair.log()[-2000:]
        assert store.session_info(young).open  # the positive control: younger, kept
    assert "Retention: deleted 1 session(s)" in fair.log()


def connection_file(server: Server, kid: str) -> Path:
    """The connection file of the server's kernel ``kid`` (its launcher's ``-f``)."""
    cmdline = Path(f"/proc/{kernel_ids(server)[kid]}/cmdline").read_bytes().split(b"\0")
    return Path(cmdline[cmdline.index(b"-f") + 1].decode())


def test_sessions_a_client_creates_in_its_kernels_are_counted_per_client(fair):
    """Through `samskaping serve --rooms-per-hour 2`: a kernel started for a visitor knows
    its client; its third session is refused, another client's kernel is not held back, and
    the count is the database's (a new kernel of the first client is refused at once)."""
    wait_for_kernels(fair, 0)
    rooms = f"{fair.url}voila/render/rooms.ipynb"
    pages = []
    try:
        status, _, page = get_from("127.0.0.2", rooms)
        assert status == 200, page[-2000:]
        pages.append(page)
        assert "CLIENT 127.0.0.2 ROOMS made,made,too_many_rooms" in page, page[-2000:]
        told = visitor.client_file(connection_file(fair, kernel_id(page)))
        assert told.read_text() == "127.0.0.2"
        # the positive control: another client makes its own
        status, _, page = get_from("127.0.0.3", rooms)
        assert "CLIENT 127.0.0.3 ROOMS made,made,too_many_rooms" in page, page[-2000:]
        pages.append(page)
        # the first tab closes: its kernel goes, and the file with it
        beacon(fair, kernel_id(pages.pop(0)))
        assert not wait_for(told.exists, lambda there: not there, timeout=30)
        status, _, page = get_from("127.0.0.2", rooms)
        pages.append(page)
        assert "CLIENT 127.0.0.2 ROOMS too_many_rooms,too_many_rooms,too_many_rooms" in page
    finally:
        close_all(fair, pages)


# -- preheated kernels within the caps ---------------------------------------------------------

POOL_CAP = 3


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("pooled")
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "light.ipynb", "print('LIGHT-OK')", WHOSE_AFTER_REQUEST_CELL)
    _notebook(notebooks / "cold.ipynb", "print('COLD-OK')")
    srv = LimitedServer(
        free_port(),
        folder / "serve.log",
        [
            "--max-kernels",
            str(POOL_CAP),
            "--max-kernels-per-address",
            "1",
            "--reserved-kernels",
            "0",
            "--preheat",
            "0",
            "--preheat-app",
            "light=1",
            "--kernel-connect-timeout",
            "300",
        ],
        {"KIT_NOTEBOOKS_DIR": str(notebooks)},
    )
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def test_pool_kernels_count_against_the_caps(pooled):
    light = f"{pooled.url}voila/render/light.ipynb"
    cold = f"{pooled.url}voila/render/cold.ipynb"
    assert wait_for(lambda: ready_count(pooled), lambda n: n >= 1, timeout=120), pooled.log()
    waiting = list(kernel_ids(pooled))
    assert len(waiting) == 1  # the light app's pool: one kernel, started before any visit
    pages = []
    with KernelWatch(pooled) as watch:
        try:
            # the first visit is answered by that kernel, which had run the notebook already
            status, _, page = get_from("127.0.0.2", light)
            assert status == 200 and "LIGHT-OK" in page
            assert kernel_id(page) == waiting[0]
            pages.append(page)
            # ... and it learnt whose it is when it was handed over, not before
            assert "CLIENT 127.0.0.2" in page, page[-2000:]
            # handed out, it counts for its visitor's address (cap 1 per address) ...
            assert_full_page(*get_from("127.0.0.2", cold))
            # ... and the pool is filled up again
            assert wait_for(lambda: ready_count(pooled), lambda n: n >= 2, timeout=120)
            refilled = set(kernel_ids(pooled)) - {waiting[0]}
            assert len(refilled) == 1
            status, _, page = get_from("127.0.0.3", cold)
            assert status == 200 and "COLD-OK" in page
            pages.append(page)
            # the cap (3) is taken: two visitors' kernels and the waiting one. Another visitor
            # gets in: the waiting kernel is shut down for them, none is started beyond the cap
            assert len(kernel_pids(pooled)) == POOL_CAP
            status, _, page = get_from("127.0.0.4", cold)
            assert status == 200 and "COLD-OK" in page
            pages.append(page)
            assert not refilled & set(kernel_ids(pooled))
            assert "shut down for a visitor" in pooled.log()
            # now nothing waits and the cap is taken: both apps are refused, none starts
            assert_full_page(*get_from("127.0.0.5", cold))
            assert_full_page(*get_from("127.0.0.5", light))
            assert len(kernel_pids(pooled)) == POOL_CAP
        finally:
            close_all(pooled, pages)
    assert watch.most == POOL_CAP, f"saw {watch.most} kernels at most"


# -- the real app, preheated: Klassifiser in the language asked for -------------------------------


@pytest.fixture(scope="module")
def preheated(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("preheated")
    srv = LimitedServer(
        free_port(),
        folder / "serve.log",
        ["--preheat", "0", "--preheat-app", "klassifiser=2", "--kernel-memory", "700"],
        {},
    )
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def test_a_preheated_klassifiser_answers_at_once_in_the_language_asked(preheated, browser):
    assert wait_for(lambda: ready_count(preheated), lambda n: n >= 2, timeout=180), preheated.log()[
        -3000:
    ]
    waiting = kernel_ids(preheated)
    assert len(waiting) == 2
    for pid in waiting.values():  # started as every kernel is: the kit's launcher, its limit
        assert b"kit.server.kernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"KIT_KERNEL_MEMORY_LIMIT={700 * 2**20}".encode() in environ
        assert b"VOILA_PREHEAT=True" in environ
    seen = []
    for lang in ("en", "nn"):
        page = browser.new_page()
        try:
            page.goto(f"{preheated.url}voila/render/03_klassifiser.ipynb?lang={lang}")
            page.wait_for_selector(".kit-app h1", timeout=120_000)
            assert page.inner_text(".kit-app h1") == t("app_title_klassifiser", lang)
            assert page.evaluate("document.documentElement.lang") == lang
            config = page.evaluate("document.getElementById('jupyter-config-data').textContent")
            seen.append(re.search(r'"kernelId": "([0-9a-f-]+)"', config).group(1))
        finally:
            page.close()
    # both visits were answered by kernels that were running before anyone came
    assert set(seen) == set(waiting), (seen, waiting)
    assert preheated.log().count("Using pre-heated kernel") == 2


# -- the options -----------------------------------------------------------------------------------


def test_preheat_app_names_an_app_by_its_word_its_stem_or_its_file():
    from kit.server.cli import preheat_sizes

    assert preheat_sizes(["klassifiser=30", "05_presentator=2", "00_start.ipynb=0"]) == {
        "03_klassifiser.ipynb": 30,
        "05_presentator.ipynb": 2,
        "00_start.ipynb": 0,
    }
    for wrong in ("nosuch=3", "klassifiser", "klassifiser=many", "klassifiser=-1", "=3"):
        assert preheat_sizes(["modellen=1", wrong]) == wrong


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preheat-app", "nosuch=3"], "--preheat-app nosuch=3: give an app and a number"),
        (["--preheat", "-1"], "--preheat cannot be negative."),
        (["--max-kernels-per-address", "-2"], "--max-kernels-per-address cannot be negative."),
        (["--max-kernels", "4", "--reserved-kernels", "4"], "--reserved-kernels must be below"),
        (
            ["--retention-days", "soon"],
            "The setting --retention-days cannot be “soon”. Use a whole",
        ),
    ],
)
def test_serve_refuses_bad_kernel_options(args, message, capsys):
    from kit.server.cli import main

    assert main(["serve", "--port", str(free_port()), "--lang", "en", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err
    if args[0] == "--preheat-app":
        assert "03_klassifiser.ipynb" in err  # the apps it may name


def test_the_pool_options_reach_voila_only_when_something_is_preheated():
    from kit.server.serve import voila_argv

    argv = voila_argv(8866, preheat=1, preheat_apps={"03_klassifiser.ipynb": 30})
    assert "--VoilaConfiguration.preheat_kernel=True" in argv
    assert "--VoilaConfiguration.default_pool_size=1" in argv
    assert "--PooledKernels.pool_sizes=03_klassifiser.ipynb=30" in argv
    argv = voila_argv(8866, preheat=0, preheat_apps={"03_klassifiser.ipynb": 2})
    assert "--VoilaConfiguration.default_pool_size=0" in argv
    assert "--PooledKernels.pool_sizes=03_klassifiser.ipynb=2" in argv
    off = voila_argv(8866, preheat=0, preheat_apps={"03_klassifiser.ipynb": 0})
    assert not any("preheat" in a or "pool" in a.lower() for a in off)
    assert "--KitKernelManager.max_kernels_per_address=10" in off
    assert "--KitKernelManager.reserved_kernels=2" in off
