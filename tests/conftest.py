"""Shared fixtures: a running `samskaping serve`, and a Chromium that may only talk to it.

Browser tests use Debian's Chromium (/usr/bin/chromium) through Playwright; the suite never
downloads a browser. Where Chromium or axe-core is missing the browser tests are skipped,
except under CI=true, where a missing tool fails the run (CI must prove the browser tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The command line speaks the language of LANG/LC_ALL (kit.core.i18n.lang_from_environ); the suite
# reads bokmål unless a test sets a language itself, whatever the locale of the machine.
for _var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "KIT_LANG"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("KIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: Every app the kit serves; the notebook, server and browser tests all go through this list.
APP_NOTEBOOKS = (
    "00_start.ipynb",
    "01_begreper.ipynb",
    "02_modellen.ipynb",
    "03_klassifiser.ipynb",
    "04_egen_sak.ipynb",
    "05_presentator.ipynb",
    "06_kommuneplaner.ipynb",
    "07_lysbilder.ipynb",
    "08_fasilitatorguide.ipynb",
    "09_samarbeidsverksted.ipynb",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


T = TypeVar("T")


def wait_for(
    read: Callable[[], T],
    done: Callable[[T], bool] = bool,
    timeout: float = 15.0,
    interval: float = 0.1,
) -> T:
    """``read()`` again until ``done`` holds for what it gave (by default: until it is true),
    at most ``timeout`` seconds; the last reading either way, for the caller to assert on, so a
    deadline shows as the assertion that failed, with what was there. For what another process
    or thread does after the event a test saw: nginx logs a request after it has sent the
    response, a server prints its address after it answers."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def woken_together(room, code: str, clients: list, versions: list[int], change, timeout: float):
    """Each client holds a long-poll (``client.state(code, version)``) until ``room`` (a live
    or workshop test server: ``waiting(code)``) holds them all, then ``change()`` (a store
    write) wakes them: their replies, in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(clients)) as pool:
        pending = [pool.submit(c.state, code, v) for c, v in zip(clients, versions, strict=True)]
        assert wait_for(lambda: room.waiting(code) == len(clients))
        change()
        return [f.result(timeout=timeout) for f in pending]


def samskaping_command() -> list[str]:
    """The installed console script next to this Python, else the module."""
    script = Path(sys.executable).parent / "samskaping"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "kit.server.cli"]


def server_log(log: Path) -> Path:
    """The file a test server keeps its own messages in (``--log``), next to ``log``, which
    gets what it prints to the terminal."""
    return log.with_name(log.stem + "-server.log")


def serve_argv(port: int, log: Path, *options: str, command: list[str] | None = None) -> list[str]:
    """``samskaping serve`` on ``port`` for a test: no browser, its own messages in
    :func:`server_log` of ``log``, then ``options``."""
    return [
        *(command or samskaping_command()),
        "serve",
        "--port",
        str(port),
        "--no-browser",
        "--log",
        str(server_log(log)),
        *options,
    ]


class Server:
    """`samskaping serve` in its own process group, stopped with everything it started."""

    def __init__(
        self,
        port: int,
        log: Path,
        command: list[str] | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """``command`` (default: this Python's ``samskaping``), ``cwd`` (default: the repository)
        and ``env`` (default: this process's) let a test serve from an installed wheel."""
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        #: the live-classroom answers go to a database of this test run only
        self.db_url = f"sqlite:///{log.parent / 'responses.sqlite3'}"
        if env is None:
            env = dict(os.environ)
            # the kit of this checkout, wherever the console script's install points (a venv
            # shared by several git worktrees has one editable install, of one of them)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env = dict(env, KIT_DB_URL=self.db_url)
        self.proc = subprocess.Popen(
            # A room of tests opens more pages than a classroom, all from 127.0.0.1: no kernel
            # caps here, and no kernels kept ready beside the tests' own (the caps and the pool
            # are tested in tests/test_server_limits.py and tests/test_server_pool.py).
            serve_argv(
                port,
                log,
                "--max-kernels",
                "0",
                "--max-kernels-per-address",
                "0",
                "--preheat",
                "0",
                command=command,
            ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT if cwd is None else cwd,
            env=env,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        """What the server printed to the terminal, then its log (``--log``)."""
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        if server_log(self.log_path).exists():
            text += server_log(self.log_path).read_text(errors="replace")
        return text

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self._log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    """One `samskaping serve` for the whole session, on a free port of 127.0.0.1."""
    srv = Server(free_port(), tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


#: How to get the PostgreSQL server the PostgreSQL tests need, for their skip reason.
PG_HOWTO = (
    "KIT_TEST_PG_URL is not set: `source .ci/postgres.sh` (as root it installs Debian's "
    "postgresql if missing and starts a throwaway server on 127.0.0.1), then ./run test"
)


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true; .ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _need(
        os.path.exists(CHROMIUM),
        f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a [test] dependency
        _need(False, "playwright is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


class PageWatch:
    """A page whose requests outside 127.0.0.1 are aborted and whose console errors are kept."""

    def __init__(self, page, server: Server) -> None:
        self.page = page
        self.server = server
        self.errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text}")

    def open(self, notebook: str, query: str = "") -> None:
        self.page.goto(f"{self.server.url}voila/render/{notebook}{query}")
        self.page.wait_for_selector(".kit-app h1", timeout=90_000)

    def axe_violations(self) -> list[dict]:
        _need(AXE_JS.exists(), f"axe-core not found at {AXE_JS} (run: npm ci)")
        self.page.add_script_tag(path=str(AXE_JS))
        return self.page.evaluate(
            """async () => {
                const r = await axe.run(document);
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
            }"""
        )


def local_context(browser, server: Server, viewport: dict, init_script: str | None = None):
    """A browser context of the given window size that may only reach the local server."""
    context = browser.new_context(viewport=viewport, locale="nb-NO")
    if init_script:
        context.add_init_script(init_script)
    local = (server.url, server.url.replace("http", "ws"))
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(local) else route.abort(),
    )
    return context


@pytest.fixture
def app_page(browser, server):
    """A fresh browser context per test: only the local server is reachable."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="nb-NO")

    def only_local(route):
        url = route.request.url
        if url.startswith(server.url) or url.startswith(server.url.replace("http", "ws")):
            route.continue_()
        else:
            watch.blocked.append(url)
            route.abort()

    page = context.new_page()
    watch = PageWatch(page, server)
    context.route("**/*", only_local)
    yield watch
    context.close()


#: What ``--fast`` leaves out: the tests that drive a browser, start servers, need PostgreSQL,
#: install the kit into new virtual environments, start LibreOffice or several processes, or
#: run an LMS format's own validator over whole exports.
SLOW_MARKERS = (
    "browser",
    "server",
    "postgres",
    "install",
    "libreoffice",
    "processes",
    "validators",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help=(
            "the quick tier: everything but browser, server, PostgreSQL, install, LibreOffice "
            "and many-process tests"
        ),
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--fast"):
        return
    slow = [i for i in items if any(i.get_closest_marker(m) for m in SLOW_MARKERS)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in set(slow)]
