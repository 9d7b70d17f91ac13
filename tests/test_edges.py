"""The server at its edges (issue 17): file descriptors, slow clients, held long-polls, repeated
errors, a restart on the same port, and what a phone is told while the database is away.

The quick tests run the kit's pieces in this process (the live room's routes on a free port of
127.0.0.1, kit.server.connections, kit.server.serve.port_is_free). The ``server`` tests start
``samskaping serve`` (this checkout's) on a free port: one with its open-file limit at 256 (as
macOS has by default) and its timeouts lowered to 2 s, one killed with phones connected and
started again on its port. Nothing here asserts how long something took: a deadline shows as a
connection not yet closed or a request not answered within a generous bound.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit.core.i18n import t
from kit.live import handlers as live_handlers
from kit.live import hub as live_hub
from kit.live.store import Store, StoreUnavailable
from kit.server import serve
from kit.server.connections import OncePerMinute
from kit.workshop import handlers as workshop_handlers
from kit.workshop.store import WorkshopStore
from tests.factories import make_case
from tests.live_server import Phone, Reply
from tests.test_workshop_web import Visitor, WorkshopServer, refusal

from .conftest import ROOT, Server, free_port, samskaping_command, wait_for
from .proxy import ServeProcess

CASES = (make_case("c1"), make_case("c2", process="ingen", level=None))
LINUX = sys.platform.startswith("linux")


# ------------------------------------------------------------------------------ helpers


class LocalPhone(Phone):
    """A phone whose address is a loopback address of its own (127.0.0.2, ...): it connects
    from that address and names it in X-Real-IP, so the server sees the same client whether
    or not it believes forwarded addresses from this machine."""

    def request(self, method, path, body=None, headers=None) -> Reply:
        import http.client

        conn = http.client.HTTPConnection(
            "127.0.0.1", self.server.port, timeout=60, source_address=(self.ip, 0)
        )
        try:
            conn.request(
                method,
                self.server.base_url + path.lstrip("/"),
                body,
                {"X-Real-IP": self.ip, **(headers or {})},
            )
            resp = conn.getresponse()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


class LocalVisitor(LocalPhone, Visitor):
    """A workshop participant with a loopback address of its own."""


def time_waits(port: int) -> int:
    """Connections of 127.0.0.1:``port`` (the local end) in TIME-WAIT, from /proc/net/tcp."""
    local = f"0100007F:{port:04X}"
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1] == local and fields[3] == "06":  # 06: TIME_WAIT
                count += 1
    return count


def bind_without_reuse(port: int) -> int:
    """0 if a plain bind (no SO_REUSEADDR) to 127.0.0.1:``port`` works now, else its errno."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno or -1
    return 0


def get(url: str, timeout: float = 90) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        reply.read()
        return reply.status


# --------------------------------------------------------------------- restart on the port


@pytest.mark.skipif(not LINUX, reason="reads TIME-WAIT from /proc/net/tcp")
def test_a_port_with_connections_in_time_wait_is_free():
    listener = socket.create_server(("127.0.0.1", 0))  # SO_REUSEADDR, as Tornado binds
    port = listener.getsockname()[1]
    for _ in range(3):  # the server's end closes first: it is the end that waits
        client = socket.create_connection(("127.0.0.1", port))
        conn, _addr = listener.accept()
        conn.close()
        assert client.recv(1) == b""
        client.close()
    listener.close()
    assert wait_for(lambda: time_waits(port) >= 3)
    # The positive control: a bind without SO_REUSEADDR, as the check did, is refused.
    assert bind_without_reuse(port) == errno.EADDRINUSE
    assert serve.port_is_free(port)
    # A port something listens on is still taken.
    with socket.create_server(("127.0.0.1", port)):
        assert not serve.port_is_free(port)


@pytest.mark.server
@pytest.mark.skipif(not LINUX, reason="reads TIME-WAIT from /proc/net/tcp")
def test_serve_comes_back_on_its_port_after_a_crash_with_phones_connected(tmp_path):
    port = free_port()
    first = Server(port, tmp_path / "first.log")
    second: Server | None = None
    try:
        first.wait_ready()
        with Store(first.db_url) as store:
            session = store.create_session(CASES)
            version = store.state_version(session.code)[0]
        url = f"{first.url}api/live/session/{session.code}/state"
        # Phones that came and went (the server closed their connections: TIME-WAIT on its
        # port) and phones waiting for the room when the server dies.
        for _ in range(5):
            request = urllib.request.Request(f"{url}?since=-1", headers={"Connection": "close"})
            with urllib.request.urlopen(request, timeout=30) as reply:
                assert reply.status == 200
        waiting = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        for sock in waiting:
            sock.sendall(
                f"GET /api/live/session/{session.code}/state?since={version} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n\r\n".encode()
            )
        assert wait_for(lambda: time_waits(port) >= 5)
        os.killpg(first.proc.pid, signal.SIGKILL)  # a crash: nothing is closed in order
        first.proc.wait(timeout=15)
        killed = time.monotonic()
        for sock in waiting:
            sock.close()
        # The positive control: the port's connections wait, and a plain bind is refused.
        assert time_waits(port) >= 5
        assert bind_without_reuse(port) == errno.EADDRINUSE
        second = Server(port, tmp_path / "second.log")  # the same database, the same port
        second.wait_ready(timeout=120)
        print(
            f"\nserve answered again on its port {time.monotonic() - killed:.1f} s after the kill"
        )
        log = second.log()
        ceiling = serve.open_file_ceiling()
        if ceiling < 0 or ceiling >= serve.OPEN_FILES_LOW:  # the control of the low server's line
            assert t("cli_open_files_low", "nb", limit=ceiling, phones=ceiling // 2) not in log
        assert t("cli_port_taken", "nb", port=port, command="x").split(".")[0] not in log
        # A phone resumes where it was.
        with urllib.request.urlopen(f"{url}?since=-1", timeout=30) as reply:
            assert reply.status == 200
    finally:
        first.stop()
        if second is not None:
            second.stop()


# ------------------------------------------------------------------------ held long-polls


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/edges.sqlite3", shared=True) as store:
        yield store


@pytest.fixture
def capped(store, monkeypatch):
    """The live room's and the workshop's routes with at most 3 long-polls held, 2 per client."""
    monkeypatch.setenv("KIT_HELD_POLLS", "3")
    monkeypatch.setenv("KIT_HELD_POLLS_PER_CLIENT", "2")
    monkeypatch.setattr(live_handlers, "POLL_HOLD", 20.0)  # only a change ends a wait here
    monkeypatch.setattr(workshop_handlers, "POLL_HOLD", 20.0)
    srv = WorkshopServer(store)
    try:
        yield srv
    finally:
        srv.stop()


def assert_told_to_wait(reply: Reply, lang: str = "nb") -> None:
    assert reply.status == 503, (reply.status, reply.body)
    assert reply.headers["Retry-After"] == str(live_hub.POLL_RETRY_AFTER)
    assert reply.headers["Connection"] == "close"
    data = reply.json
    assert data["error"] == "too_many_waiting"
    assert data["message"] == t("live_err_too_many_waiting", lang)


def test_held_long_polls_are_capped_per_client_and_in_all(capped, store):
    session = store.create_session(CASES)
    code = session.code
    a, b, c = (LocalPhone(capped, ip=f"127.0.0.{i}") for i in (2, 3, 4))
    version = a.state(code).json["version"]
    with ThreadPoolExecutor(3) as pool:
        held = [pool.submit(a.state, code, version) for _ in range(2)]
        # The positive control: under the caps, a phone's polls are held.
        assert wait_for(lambda: capped.waiting(code) == 2)
        assert not any(f.done() for f in held)
        assert_told_to_wait(a.state(code, version))  # a third from the same client
        held.append(pool.submit(b.state, code, version))  # another client is held
        assert wait_for(lambda: capped.waiting(code) == 3)
        assert capped.hub.held.count == 3 and capped.hub.held.held_by("127.0.0.2") == 2
        assert_told_to_wait(c.state(code, version))  # all three places are taken
        # ... and the server closes that connection once the answer is out: a phone told to
        # come back later holds none of its descriptors meanwhile.
        raw = socket.create_connection(("127.0.0.1", capped.port), source_address=(c.ip, 0))
        raw.sendall(
            f"GET /api/live/session/{code}/state?since={version} HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nX-Real-IP: {c.ip}\r\n\r\n".encode()
        )
        raw.settimeout(30)
        answer = b""
        while chunk := raw.recv(65536):  # until the server closes (a timeout fails the test)
            answer += chunk
        raw.close()
        assert answer.startswith(b"HTTP/1.1 503") and b"too_many_waiting" in answer
        # A phone that is behind is answered at once, held polls or not.
        assert c.state(code, -1).json["version"] == version
        store.reveal(code, session.key, "c1")
        replies = [f.result(timeout=30) for f in held]
    assert {r.status for r in replies} == {200}
    assert all(r.json["version"] > version for r in replies)
    assert capped.hub.held.count == 0  # the places are given back
    # ... and taken again.
    with ThreadPoolExecutor(1) as pool:
        again = pool.submit(c.state, code, replies[0].json["version"])
        assert wait_for(lambda: capped.waiting(code) == 1)
        store.show_case(code, session.key, "c2")
        assert again.result(timeout=30).status == 200


def test_the_workshops_long_polls_count_against_the_same_caps(capped, store):
    shop = WorkshopStore(store).create_workshop("Leksehjelp", "nb", parties=["unit", "recipient"])
    visitor = LocalVisitor(capped, ip="127.0.0.5")
    version = visitor.state(shop.code).json["version"]
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(visitor.state, shop.code, version) for _ in range(2)]
        assert wait_for(lambda: capped.waiting(shop.code) == 2)  # the positive control
        reply = visitor.state(shop.code, version, "en")
        data = refusal(reply, 503, "too_many_waiting")
        assert data["message"] == t("live_err_too_many_waiting", "en")
        assert reply.headers["Retry-After"] == str(live_hub.POLL_RETRY_AFTER)
        WorkshopStore(store).show_clause(shop.code, shop.key, "tasks")
        assert {f.result(timeout=30).status for f in held} == {200}


def test_the_default_cap_is_half_the_open_file_limit():
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (300, 300)); "
        "from kit.live.hub import HeldPolls; h = HeldPolls.from_config(); "
        "print(h.total, h.per_client)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_HELD_POLLS")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["150", "1000"]


# ------------------------------------------------------- what a participant is told, and when


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_workshop_participant_never_gets_the_course_leaders_database_text(
    tmp_path, store, monkeypatch, lang
):
    ws = WorkshopStore(store)
    shop = ws.create_workshop("Leksehjelp", "nb", parties=["unit", "recipient"])
    srv = WorkshopServer(store)
    try:
        visitor = Visitor(srv)
        assert visitor.join(shop.code, party="unit").status == 200

        def broken(*_a, **_k):
            raise StoreUnavailable("connection refused by 10.0.0.9")

        monkeypatch.setattr(WorkshopStore, "propose", broken)
        monkeypatch.setattr(WorkshopStore, "state_version", broken)
        for reply in (
            visitor.send(shop.code, "propose", lang, clause="roles", text="Forslag"),
            visitor.state(shop.code, 0, lang),
        ):
            data = refusal(reply, 503, "room_unreachable")
            assert data["message"] == t("live_err_room_unreachable", lang)
            assert t("live_err_store_unavailable", lang) not in reply.text
            assert "10.0.0.9" not in reply.text and "--db" not in reply.text
    finally:
        srv.stop()


# ---------------------------------------------------------------------- repeated errors


def _logger(name: str, repeats: OncePerMinute) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(repeats)
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_an_error_repeated_on_every_request_is_one_line_a_minute():
    now = [0.0]
    repeats = OncePerMinute(60.0, clock=lambda: now[0])
    logger, stream = _logger("tests.edges.repeats", repeats)
    for _ in range(1000):
        try:
            raise OSError(errno.EMFILE, "Too many open files")
        except OSError:
            logger.error("Exception in callback %r", "accept", exc_info=True)
    text = stream.getvalue()
    assert text.count("Traceback") == 1 and text.count("Exception in callback") == 1
    # Another kind is its own: a different exception, a different message.
    try:
        raise ValueError("bad")
    except ValueError:
        logger.error("Exception in callback %r", "accept", exc_info=True)
        logger.error("Uncaught exception %s", "GET /x", exc_info=True)
    for i in range(3):  # information is never held back
        logger.info("a page %d", i)
    text = stream.getvalue()
    assert text.count("Traceback") == 3 and text.count("a page") == 3
    # A minute on, the next of the first kind goes through and counts the others.
    now[0] = 61.0
    try:
        raise OSError(errno.EMFILE, "Too many open files")
    except OSError:
        logger.error("Exception in callback %r", "accept", exc_info=True)
    text = stream.getvalue()
    assert text.count("Traceback") == 4
    assert "(and 999 more like this in the last 60 s, not logged)" in text


def test_access_log_lines_are_kinds_by_status():
    repeats = OncePerMinute(60.0, clock=lambda: 0.0)
    logger, stream = _logger("tornado.access", repeats)
    try:
        for status in (503, 503, 404, 503, 404, 429):
            logger.warning("%d %s %.2fms", status, "GET /api/live/session/X/state", 1.0)
    finally:
        logger.handlers[:] = []
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    lines = stream.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["503", "404", "429"]


# --------------------------------------------------------------------- file descriptors


def test_the_open_file_limit_is_raised_to_the_hard_limit():
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, "
        "(int(sys.argv[1]), int(sys.argv[2]))); "
        "from kit.server.connections import raise_open_file_limit; o = raise_open_file_limit(); "
        "print(o.before, o.now, o.hard, resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
    )

    def run(soft: int, hard: int) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", code, str(soft), str(hard)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    assert run(256, 4096) == ["256", "4096", "4096", "4096"]
    assert run(256, 256) == ["256", "256", "256", "256"]  # nothing to raise: kept


#: The open-file limit of the low server (soft and hard: it cannot raise it).
LOW_LIMIT = 256
_LIMITED = (
    "import os, resource, sys; "
    "resource.setrlimit(resource.RLIMIT_NOFILE, ({0}, {0})); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


@pytest.fixture(scope="module")
def low_server(tmp_path_factory):
    """``samskaping serve`` with 256 open files at most and 2 s for headers and bodies."""
    tmp = tmp_path_factory.mktemp("low")
    srv = ServeProcess(
        free_port(),
        tmp / "low.log",
        env={
            "KIT_DB_URL": f"sqlite:///{tmp / 'low.sqlite3'}",
            "KIT_HEADER_TIMEOUT": "2",
            "KIT_BODY_TIMEOUT": "2",
        },
        command=[sys.executable, "-c", _LIMITED.format(LOW_LIMIT), *samskaping_command()],
    )
    try:
        srv.wait_ready(timeout=120)
        yield srv
    finally:
        srv.stop()


def closed_by_server(sock: socket.socket, timeout: float = 60) -> bool:
    """Whether the server closes ``sock`` within ``timeout`` (what it still sends first, such
    as the rest of a page a first read did not get whole, is read and set aside)."""
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if sock.recv(65536) == b"":
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return False


@pytest.mark.server
def test_slow_headers_bodies_and_idle_connections_are_dropped(low_server):
    port = low_server.port
    head = f"POST /api/live/session/ACDEFG/join HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    # Headers that never end.
    never = socket.create_connection(("127.0.0.1", port))
    never.sendall(head.encode())
    # Headers that trickle in, a byte every 0.2 s (a minute's worth): still one deadline.
    trickle = socket.create_connection(("127.0.0.1", port))
    wanted = (head + "X-Pad: " + "a" * 300 + "\r\n\r\n").encode()
    sent = [0]

    def drip() -> None:
        try:
            for byte in wanted:
                trickle.send(bytes([byte]))
                sent[0] += 1
                time.sleep(0.2)
        except OSError:
            return

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    # A body that never comes.
    body = socket.create_connection(("127.0.0.1", port))
    body.sendall(
        (head + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").encode()
    )
    # A connection kept open after its answer, then idle.
    idle = socket.create_connection(("127.0.0.1", port))
    idle.sendall(f"GET /delta HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    idle.settimeout(60)
    first = idle.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first[:100]  # the positive control: answered
    try:
        for sock in (never, body, idle):
            assert closed_by_server(sock)
        assert closed_by_server(trickle)
        assert sent[0] < len(wanted)  # cut off before its headers were whole
    finally:
        for sock in (never, trickle, body, idle):
            sock.close()
        dripping.join(timeout=5)
    # The server goes on answering.
    assert get(f"{low_server.url}delta") == 200


def _open_many(port: int, n: int, payload: bytes) -> list[socket.socket]:
    """``n`` connections to ``port`` (without waiting for each), each sent ``payload`` once it
    is connected; some may wait in the server's listen queue."""
    socks = []
    for _ in range(n):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        socks.append(sock)
    pending = set(socks)
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sel.register(sock, selectors.EVENT_WRITE)
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for key, _events in sel.select(timeout=1):
                sock = key.fileobj
                sel.unregister(sock)
                pending.discard(sock)
                try:
                    sock.send(payload)
                except OSError:
                    pass
    return socks


def _refusal_key(head: bytes) -> str:
    """The ``error`` of a refusal's JSON body, in what :func:`_status_lines` read."""
    body = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""
    try:
        return json.loads(body)["error"]
    except (ValueError, KeyError):
        return repr(body[:80])


def _whole(data: bytes) -> bool:
    """Whether ``data`` holds a response's headers and as much body as they announce."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    return length is None or len(body) >= int(length.group(1))


def _status_lines(socks: list[socket.socket], timeout: float) -> list[bytes]:
    """What each socket reads within ``timeout`` seconds in all, up to the end of its first
    response's headers and the body read with them (b"" if nothing)."""
    lines = {sock: b"" for sock in socks}
    got = {sock: b"" for sock in socks}
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sel.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while sel.get_map() and time.monotonic() < deadline:
            for key, _events in sel.select(timeout=1):
                sock = key.fileobj
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    chunk = b""
                got[sock] += chunk
                if not chunk or _whole(got[sock]):
                    sel.unregister(sock)
                    lines[sock] = got[sock]
    return [lines[sock] for sock in socks]


@pytest.mark.server
def test_out_of_file_descriptors_the_server_pauses_answers_and_logs_once(low_server):
    port = low_server.port
    with Store(low_server.db_url) as store:
        session = store.create_session(CASES)
        version = store.state_version(session.code)[0]
    # The server's connections to its database, opened before the descriptors run out.
    state = f"{low_server.url}api/live/session/{session.code}/state?since=-1"
    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(lambda _i: get(state), range(32))) == {200}
    # 200 phones waiting for the room, and 200 connections whose headers never end: more
    # than the server has file descriptors.
    poll = (
        f"GET /api/live/session/{session.code}/state?since={version} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n\r\n"
    ).encode()
    polls = _open_many(port, 200, poll)
    slow = _open_many(port, 200, f"GET /delta HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
    try:
        # A page asked meanwhile is answered.
        assert get(f"{low_server.url}delta", timeout=120) == 200
        # Every poll is answered: held (200 once the hold ends) up to the cap, the rest told
        # to come back (503, Retry-After); none is left hanging.
        heads = _status_lines(polls, timeout=live_handlers.POLL_HOLD + 90)
    finally:
        for sock in polls + slow:
            sock.close()
    statuses = [head.split(b" ", 2)[1] if head.startswith(b"HTTP/1.1 ") else b"" for head in heads]
    told = Counter(_refusal_key(head) for head in heads if head.startswith(b"HTTP/1.1 503"))
    held = statuses.count(b"200")
    print(f"\nat {LOW_LIMIT} open files: {held} polls held, refused (503): {dict(told)}")
    assert held + sum(told.values()) == len(polls), Counter(statuses)
    assert 0 < held <= LOW_LIMIT // 2
    # Told to come back later (the cap), or, for a poll whose database connection could not
    # be opened for want of descriptors, that the room cannot be reached: a participant's text.
    assert set(told) <= {"too_many_waiting", "room_unreachable"}, told
    assert all(b"Retry-After: 5\r\n" in head for head in heads if b"too_many_waiting" in head), (
        heads
    )
    assert get(f"{low_server.url}delta") == 200
    # The log: the limit was reached (the positive control), said once, no error loop.
    log = low_server.log()
    # once a minute at most while it lasts (this test takes a minute or two)
    assert 1 <= log.count("Out of file descriptors") <= 3, log[-3000:]
    assert f"open-file limit {LOW_LIMIT}" in log
    # The course leader was told on the terminal, in the command's language.
    assert t("cli_open_files_low", "nb", limit=LOW_LIMIT, phones=LOW_LIMIT // 2) in log
    # Every refusal is a line of the access log; 72 or so of them are one line a minute.
    assert 1 <= log.count(" 503 GET /api/live/session/") <= 3, log[-3000:]
    assert log.count("Traceback") <= 2, log[-3000:]
    assert len(log.splitlines()) < 100, log[-3000:]
