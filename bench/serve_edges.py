"""`samskaping serve` at its edges: a restart on the same port, and a server out of descriptors.

1. **restart.** One serve (fresh SQLite file) with ``--phones`` phones holding a long-poll and
   ``--closed`` connections the server closed (TIME-WAIT on its port) is killed (SIGKILL to its
   process group: a crash). From the kill: when the kit's port check passes (``port_is_free``,
   SO_REUSEADDR, as Tornado binds), **beside it the old check** (a bind without SO_REUSEADDR,
   watched up to ``--old-wait`` seconds), when serve, started again on the port as soon as the
   kit's check passed, answers, and when every phone's next poll (``since=-1``) is answered.
2. **descriptors.** One serve whose open-file limit is ``--limit`` (soft and hard: it cannot
   raise it; ``--limit 0``: the limit as serve sets it, the soft limit raised to the hard). The
   time of a normal page (``GET /delta``) with nothing else going on (the baseline, same run),
   then while ``--slow`` connections send headers that never end, then while ``--polls``
   phones wait for the room: held (up to the cap), refused (503, ``Retry-After``), and 5 s
   after they came, a reveal (written to the store as the presenter's app does): how long
   until every held phone had it. The server's log: lines, and lines saying it ran out of
   descriptors.

Every server runs on a free port of 127.0.0.1 in its own process group and is stopped by its
own pid. Prints figures and asserts nothing (bench/README.md).

    python bench/serve_edges.py                    # 200 phones; limit 1024, 1100 slow, 2000 polls
    python bench/serve_edges.py --limit 256 --slow 400 --polls 300
    python bench/serve_edges.py --skip-restart --limit 0    # the limit serve sets (here 20,000)
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.cases.casefile import load_cases  # noqa: E402
from kit.live.store import Store  # noqa: E402
from kit.server.serve import port_is_free  # noqa: E402

LIMITED = (
    "import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, ({0}, {0})); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def samskaping() -> list[str]:
    script = Path(sys.executable).parent / "samskaping"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kit.server.cli"]


class Serve:
    def __init__(self, port: int, folder: Path, name: str, limit: int | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.log = folder / f"{name}.log"
        self.db_url = f"sqlite:///{folder / 'bench.sqlite3'}"
        prefix = [sys.executable, "-c", LIMITED.format(limit)] if limit else []
        env = dict(os.environ, KIT_DB_URL=self.db_url)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self._out = open(folder / f"{name}-terminal.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*prefix, *samskaping(), "serve", "--port", str(port), "--no-browser"]
            + ["--log", str(self.log), "--max-kernels", "0"],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
            env=env,
        )

    def wait_ready(self, timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "delta", timeout=2) as reply:
                    if reply.status == 200:
                        return time.monotonic()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"serve not ready after {timeout} s")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=15)
        self._out.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self._out.closed:
            self._out.close()


def page_time(url: str, timeout: float = 120) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        reply.read()
    return time.monotonic() - started


def connect_many(port: int, n: int, payload: bytes) -> list[socket.socket]:
    """``n`` connections (not waiting for each), each sent ``payload`` once connected."""
    socks = []
    for _ in range(n):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        socks.append(sock)
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sel.register(sock, selectors.EVENT_WRITE)
        deadline = time.monotonic() + 30
        while sel.get_map() and time.monotonic() < deadline:
            for key, _events in sel.select(timeout=1):
                sel.unregister(key.fileobj)
                try:
                    key.fileobj.send(payload)
                except OSError:
                    pass
    return socks


def first_lines(
    socks: list[socket.socket], timeout: float, until: float | None = None
) -> tuple[list[bytes], list[float | None]]:
    """Each connection's first response line, and when it came (``time.monotonic``). With
    ``until``, only the lines that come before that moment (the others: ``b""``, ``None``)."""
    got = {sock: b"" for sock in socks}
    when: dict[socket.socket, float | None] = dict.fromkeys(socks)
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sel.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout if until is None else until
        while sel.get_map() and time.monotonic() < deadline:
            for key, _events in sel.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
                try:
                    chunk = key.fileobj.recv(65536)
                except OSError:
                    chunk = b""
                got[key.fileobj] += chunk
                if not chunk or b"\r\n" in got[key.fileobj]:
                    when[key.fileobj] = time.monotonic()
                    sel.unregister(key.fileobj)
    return [got[sock].split(b"\r\n", 1)[0] for sock in socks], [when[s] for s in socks]


def poll_request(code: str, port: int, since: int) -> bytes:
    return (
        f"GET /api/live/session/{code}/state?since={since} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n\r\n"
    ).encode()


def plain_bind_works(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def crash_with_phones(srv: Serve, code: str, version: int, phones: int, closed: int) -> float:
    """Phones that came and went (connections the server closed: TIME-WAIT on its port) and
    phones waiting for the room, then SIGKILL to the server's group; the time of the kill."""
    for _ in range(closed):
        request = urllib.request.Request(
            f"{srv.url}api/live/session/{code}/state?since=-1", headers={"Connection": "close"}
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            reply.read()
    waiting = connect_many(srv.port, phones, poll_request(code, srv.port, version))
    time.sleep(1)
    srv.kill()
    killed = time.monotonic()
    for sock in waiting:
        sock.close()
    return killed


def restart(folder: Path, phones: int, closed: int, old_wait: float) -> None:
    port = free_port()
    first = Serve(port, folder, "restart-1")
    again: Serve | None = None
    try:
        first.wait_ready()
        with Store(first.db_url) as store:
            session = store.create_session(load_cases()[:10])
            version = store.state_version(session.code)[0]
        killed = crash_with_phones(first, session.code, version, phones, closed)
        while not port_is_free(port):
            time.sleep(0.01)
        kit_free = time.monotonic() - killed
        again = Serve(port, folder, "restart-2")  # at once, on the same port
        answering = again.wait_ready() - killed
        polls = connect_many(port, phones, poll_request(session.code, port, -1))
        lines, _ = first_lines(polls, timeout=120)
        resumed = time.monotonic() - killed
        ok = sum(line.startswith(b"HTTP/1.1 200") for line in lines)
        for sock in polls:
            sock.close()
        # The baseline: the same crash again, and the old check (a bind without SO_REUSEADDR)
        # watched until it passes.
        killed = crash_with_phones(again, session.code, version, phones, closed)
        old_free = None
        while old_free is None and time.monotonic() - killed < old_wait:
            if plain_bind_works(port):
                old_free = time.monotonic() - killed
            time.sleep(0.1)
        old = f"{old_free:.1f} s" if old_free is not None else f"> {old_wait:.0f} s"
        print(f"restart after a crash ({phones} phones waiting, {closed} closed connections):")
        print(f"  port free, the kit's check (SO_REUSEADDR):  {kit_free:.2f} s after the kill")
        print(f"  port free, the old check (plain bind):      {old} after the kill  <- baseline")
        print(f"  serve, started at once, answering:          {answering:.1f} s after the kill")
        print(f"  every phone's next poll answered:           {resumed:.1f} s ({ok}/{phones} 200)")
    finally:
        first.stop()
        if again is not None:
            again.stop()


def hard_limit() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def descriptors(folder: Path, limit: int, slow: int, polls: int, settle: float = 5.0) -> None:
    srv = Serve(free_port(), folder, "limited", limit=limit)
    try:
        srv.wait_ready()
        page = srv.url + "delta"
        base = [page_time(page) for _ in range(20)]
        socks = connect_many(
            srv.port, slow, f"GET /delta HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n".encode()
        )
        loaded = [page_time(page) for _ in range(5)]
        for sock in socks:
            sock.close()
        cases = load_cases()[:10]
        with Store(srv.db_url) as store:
            session = store.create_session(cases)
            version = store.state_version(session.code)[0]
        started = time.monotonic()
        waiting = connect_many(srv.port, polls, poll_request(session.code, srv.port, version))
        during = [page_time(page) for _ in range(5)]
        # those told to come back (503) answer at once; the others are held: settle, then reveal
        early, _ = first_lines(waiting, timeout=0, until=time.monotonic() + settle)
        with Store(srv.db_url) as store:
            revealed = time.monotonic()
            store.reveal(session.code, session.key, cases[0].id)
        rest = [s for s, line in zip(waiting, early, strict=True) if not line]
        late, late_at = first_lines(rest, timeout=120)
        lines = [line for line in early if line] + late
        for sock in waiting:
            sock.close()
        held = sum(line.startswith(b"HTTP/1.1 200") for line in lines)
        refused = sum(line.startswith(b"HTTP/1.1 503") for line in lines)
        reached = sorted(
            at - revealed
            for line, at in zip(late, late_at, strict=True)
            if at is not None and line.startswith(b"HTTP/1.1 200")
        )
        text = srv.log.read_text(errors="replace")
        if limit:
            print(f"open-file limit {limit} (cannot be raised):")
        else:
            print(f"open-file limit as serve sets it (soft raised to hard, {hard_limit()}):")
        print(
            f"  a page, nothing else going on (baseline):   p50 {statistics.median(base):.3f} s, "
            f"max {max(base):.3f} s"
        )
        print(
            f"  a page, {slow} slow connections:         p50 {statistics.median(loaded):.2f} s, "
            f"max {max(loaded):.2f} s (slow ones are dropped after KIT_HEADER_TIMEOUT)"
        )
        print(
            f"  a page, {polls} phones waiting:          p50 {statistics.median(during):.2f} s, "
            f"max {max(during):.2f} s"
        )
        print(
            f"  the {polls} polls: {held} held (200), {refused} told to come back (503), "
            f"{polls - held - refused} other/none, all within {time.monotonic() - started:.0f} s"
        )
        if reached:
            print(
                f"  a reveal {settle:.0f} s after they came: reached the {len(reached)} held in "
                f"p50 {statistics.median(reached):.2f} s, max {reached[-1]:.2f} s "
                f"(those told to come back get it on their next poll)"
            )
        else:
            print("  a reveal: no held poll was answered with it")
        print(
            f"  server log: {len(text.splitlines())} lines, "
            f"{text.count('Out of file descriptors')} saying it ran out, "
            f"{text.count('Traceback')} tracebacks, {len(text.encode()) / 1024:.0f} KB"
        )
        if "Traceback" in text:  # the first, to see what it was
            start = text.rfind("\n", 0, text.index("Traceback")) + 1
            print("  the first traceback:\n    " + "\n    ".join(text[start:].splitlines()[:24]))
    finally:
        srv.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--closed", type=int, default=50)
    parser.add_argument("--old-wait", type=float, default=90.0)
    parser.add_argument("--limit", type=int, default=1024, help="0: as serve sets it")
    parser.add_argument("--slow", type=int, default=1100)
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--skip-restart", action="store_true")
    parser.add_argument("--skip-descriptors", action="store_true")
    args = parser.parse_args()
    try:  # the phones of this script need descriptors too
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass
    with tempfile.TemporaryDirectory(prefix="kit-edges-") as tmp:
        folder = Path(tmp)
        if not args.skip_restart:
            restart(folder, args.phones, args.closed, args.old_wait)
        if not args.skip_descriptors:
            descriptors(folder, args.limit, args.slow, args.polls)


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
