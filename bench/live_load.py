#!/usr/bin/env python3
"""Load benchmark of the live classroom: participants without a kernel. Not part of the tests.

    python bench/live_load.py [--n 60,300,1000] [--skip-baseline] [--baseline-n 60]
                              [--postgres URL] [--soak-minutes 30] [--quick] [--json FILE]
                              [--kit-tree DIR]

A participant of a live session gets a light page from ``samskaping serve`` and talks to its JSON
API (kit/live/handlers.py); no kernel is started for them. This script measures that path, and beside
it, in the same run, the old path's floor: a bare one-widget Voilà page, a kernel per visit.

1. **bare Voilà baseline** (``--baseline-n``, default 60): a temporary notebook with one Dropdown,
   served by plain ``python -m voila``; N simultaneous first visits (threads released by a
   barrier), each until its kernel answers a ``comm_info_request`` over the websocket.
2. **joins** (``--n``, default 60,300,1000), a fresh ``samskaping serve`` (SQLite) per N: N
   participants released together (asyncio, one light HTTP/1.1 client each, ``LightClient``, so
   each has its own connections and ``_xsrf`` cookie): GET ``/delta?kode=CODE``, then any script or style the page names (as a
   browser would: none since the page carries delta.js and delta.css inside it), POST
   ``/api/live/session/CODE/join`` until the response holds the session's cases. Then each
   joined participant holds one long-poll ``/state`` request open (as the page's ``follow()``
   does) and the server's memory is read (``/proc/PID/status`` VmRSS of the serve process and
   of its child processes) before and with the N connections: memory per participant.
3. **answers**: a real Chromium shows the presenter app (``voila/render/05_presentator.ipynb``);
   the session is started from its UI ("Start økt") and the code read from ``.kit-code``. 1,000
   participants (``--answer-participants``) join it and answer 5 cases each at random moments
   over 60 s while holding their long-poll. A MutationObserver in the page records when each
   answer count ("Svar: M" in ``.kit-stats``) appears. Per answer: its POST returning (wall
   clock, this machine) -> the first moment the screen showed a count >= its rank. The stored
   rows are counted through ``kit.live.store.Store`` and compared with what was sent.
4. **soak** (``--soak-minutes``, default 30): on the same server and page, answers keep flowing
   (``--soak-rate`` per second); every 10 s the presenter kernel's RSS, the serve process's RSS
   and the tab's JS heap (CDP ``Performance.getMetrics``) are sampled; slopes by least squares.
5. **two processes on PostgreSQL** (``--postgres URL``): the joins and the answer run again,
   with two serve processes on that database, participants split between the two ports and the
   presenter on the first.

Figures only: nothing is asserted. All traffic goes to 127.0.0.1. Every server runs in its own
process group and is stopped by its own process id. Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BARE_CELL = 'import ipywidgets as w\nw.Dropdown(options=["a","b"], description="x")'
CONFIG_RE = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
CHROMIUM = os.environ.get("KIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--enable-precise-memory-info",
]
PRESENTER_PATH = "voila/render/05_presentator.ipynb"
#: The kit's per-client join limit is keyed by the address a local reverse proxy forwards. All
#: load here comes from 127.0.0.1, so each simulated phone sends its own, as a proxy would.
FAKE_IP_HEADER = "X-Real-IP"
#: what a participant page asks the browser to fetch (scripts, styles)
ASSET_RE = re.compile(r'(?:src|href)="([^"]+)"')
TARGETS = {"join_p95_s_at_300": 1.0, "answer_screen_p95_s": 1.0, "mb_per_participant": 0.2}
SAMPLE_SECONDS = 10.0


# ----------------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def samskaping_command() -> list[str]:
    script = Path(sys.executable).parent / "samskaping"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kit.server.cli"]


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "max": max(values) if values else None,
    }


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 2:
        return None
    mt = statistics.fmean(p[0] for p in points)
    mv = statistics.fmean(p[1] for p in points)
    den = sum((t - mt) ** 2 for t, _ in points)
    if den == 0:
        return None
    return 60 * sum((t - mt) * (v - mv) for t, v in points) / den


def loadavg() -> str:
    """1/5/15-minute load average: other work on the machine skews every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def mem_available_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def raise_fd_limit() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit: 1,000 phones hold ~2,000 sockets here and as
    many in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def fake_ip(i: int) -> str:
    i += 1
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


# ------------------------------------------------------------------------------- processes


def proc_table() -> dict[int, int]:
    """pid -> ppid for every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces or ')'
        fields = raw.rsplit(")", 1)[1].split()
        table[int(entry)] = int(fields[1])
    return table


def descendants(pid: int, table: dict[int, int] | None = None) -> list[int]:
    table = proc_table() if table is None else table
    children: dict[int, list[int]] = {}
    for child, parent in table.items():
        children.setdefault(parent, []).append(child)
    out, todo = [], list(children.get(pid, []))
    while todo and len(out) < 100_000:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def memory(server_pid: int) -> dict:
    """RSS of a server and of every process below it (its kernels)."""
    kids = descendants(server_pid)
    sizes = {p: s for p in kids if (s := rss_mb(p)) is not None}
    values = list(sizes.values())
    return {
        "server_rss_mb": rss_mb(server_pid),
        "server_fds": open_fds(server_pid),
        "kernels": len(values),
        "kernel_pids": list(sizes),
        "kernel_rss_median_mb": statistics.median(values) if values else None,
        "kernel_rss_max_mb": max(values) if values else None,
        "kernel_rss_sum_mb": sum(values),
    }


def postgres_pids() -> list[int]:
    """The PostgreSQL started by .ci/postgres.sh in the calling shell (KIT_PG_DIR), if any:
    its postmaster and backends, so their CPU counts as ours, not as other work."""
    folder = os.environ.get("KIT_PG_DIR")
    if not folder:
        return []
    try:
        pid = int(Path(folder, "data", "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [pid, *descendants(pid)]


class CpuWatch:
    """How busy the machine was during a measurement, and who used it.

    Groups: the serve/Voilà processes, their kernels, this script, the browser (Playwright's
    driver and Chromium: this script's other descendants) and our PostgreSQL. The rest is other
    work on the machine, which slows every figure; it is reported, never subtracted.
    """

    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pids: list[int]) -> None:
        self.server_pids = list(server_pids)

    @staticmethod
    def _busy() -> int:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    @staticmethod
    def _jiffies(pid: int) -> int | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])

    def _groups(self) -> dict[str, list[int]]:
        table = proc_table()
        servers = [p for p in self.server_pids if p in table]
        kernels = {k for s in servers for k in descendants(s, table)}
        pg = set(postgres_pids())
        me = os.getpid()
        mine = set(descendants(me, table)) - set(servers) - kernels - pg
        return {
            "server": servers,
            "kernels": sorted(kernels),
            "bench": [me],
            "browser": sorted(mine),
            "postgres": sorted(pg),
        }

    def _snapshot(self) -> dict[str, dict[int, int]]:
        out = {}
        for name, pids in self._groups().items():
            out[name] = {p: j for p in pids if (j := self._jiffies(p)) is not None}
        return out

    def start(self) -> CpuWatch:
        self.t, self.busy, self.snap = time.monotonic(), self._busy(), self._snapshot()
        self.load = loadavg()
        return self

    def stop(self) -> dict:
        elapsed = max(1e-9, time.monotonic() - self.t)
        busy = self._busy() - self.busy
        now = self._snapshot()
        used = {}
        for name, pids in now.items():
            before = {p: j for g in self.snap.values() for p, j in g.items()}
            used[name] = sum(j - before.get(p, 0) for p, j in pids.items())
        ours = sum(used.values())
        capacity = elapsed * self.HZ * (os.cpu_count() or 1)
        return {
            "seconds": round(elapsed, 1),
            "machine_busy_pct": round(100 * busy / capacity, 1),
            "other_pct": round(100 * max(0, busy - ours) / capacity, 1),
            "cpu_s": {name: round(j / self.HZ, 1) for name, j in used.items()},
            "loadavg_before": self.load,
            "loadavg_after": loadavg(),
        }


def cpu_line(cpu: dict) -> str:
    parts = ", ".join(f"{k} {v}" for k, v in cpu["cpu_s"].items() if v)
    return (
        f"machine {cpu['machine_busy_pct']}% busy, other work {cpu['other_pct']}% over "
        f"{cpu['seconds']} s; CPU-s: {parts or 'none'}; load {cpu['loadavg_before']} -> "
        f"{cpu['loadavg_after']}"
    )


# ------------------------------------------------------------------------------------ servers


class Server:
    """A server in its own process group; ``stop`` kills that group (its pid is the group id)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        env: dict,
        workdir: Path,
        cwd: Path,
        ready_path: str = "",
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://{HOST}:{port}/"
        self.ready_path = ready_path
        self.log_path = workdir / f"{name}-{port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=cwd,
            env=env,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> float:
        """Seconds until GET ready_path answered 200; raises on exit or timeout."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def dead_kernels(self) -> int:
        """How many kernels the server reported dead before their first reply."""
        self._log.flush()
        return self.log_path.read_text(errors="replace").count(
            "Kernel died before replying to kernel_info"
        )

    def log_excerpt(self, lines: int = 12) -> list[str]:
        """The server log's last warning/error lines (shown when something failed)."""
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        hits = [ln for ln in text if re.search(r"\[[WEC] |Error|Traceback|Timeout|died", ln)]
        return [ln[:240] for ln in hits[-lines:]]

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                    self.proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
            # kernels are in the same group: make sure nothing of it survives
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        finally:
            self._log.close()


def kit_env(tree: Path, extra: dict | None = None) -> dict:
    env = dict(os.environ, **(extra or {}))
    if tree != ROOT:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    return env


def start_ours(db_url: str, workdir: Path, tree: Path) -> Server:
    port = free_port()
    # no preheated kernels: phones need none, and kernels booting at start would share the CPU
    # with the burst this script measures (the presenter's kernel starts when its page opens)
    argv = [*samskaping_command(), "serve", "--port", str(port), "--no-browser", "--db", db_url]
    argv += ["--preheat", "0"]
    env = kit_env(tree, {"KIT_DB_URL": db_url})
    return Server("samskaping", argv, port, env, workdir, tree, ready_path="delta")


def start_bare(nb_dir: Path, workdir: Path) -> Server:
    port = free_port()
    argv = [
        sys.executable, "-m", "voila", str(nb_dir), "--port", str(port), "--no-browser",
        f"--Voila.ip={HOST}",
    ]  # fmt: skip
    return Server("bare-voila", argv, port, dict(os.environ), workdir, ROOT)


def write_bare_notebook(folder: Path) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(BARE_CELL)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "bare.ipynb")
    return "bare.ipynb"


# ------------------------------------------------------------- baseline: a kernel per visit


def _message(msg_type: str, content: dict) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "bench",
            "session": uuid.uuid4().hex,
            "date": "",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def one_visit(port: int, path: str, timeout: float) -> dict:
    """GET the page, then ask its kernel for comm info over the websocket. Returns timestamps."""
    import websocket

    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []

    def too_slow() -> TimeoutError:
        got = b"".join(chunks)
        return TimeoutError(
            f"page body not complete after {timeout:.0f}s ({len(got)} bytes read, "
            f"kernelId {'in' if b'kernelId' in got else 'not in'} them)"
        )

    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.connect()
        sock = conn.sock
        conn.request("GET", f"/{path}")
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")
        # read in chunks so the whole visit has one deadline (a socket timeout is per read)
        for _ in range(1_000_000):
            left = deadline - time.monotonic()
            if left <= 0:
                raise too_slow()
            sock.settimeout(left)
            try:
                chunk = resp.read1(65536)
            except TimeoutError:
                raise too_slow() from None
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        conn.close()
    page = b"".join(chunks).decode("utf-8", errors="replace")
    t_page = time.monotonic()
    found = CONFIG_RE.search(page)
    if not found:
        raise RuntimeError("no jupyter-config-data in page")
    kernel_id = json.loads(found.group(1)).get("kernelId")
    if not kernel_id:
        raise RuntimeError("no kernelId in page")
    ws_url = f"ws://{HOST}:{port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    ws = websocket.create_connection(ws_url, timeout=max(1.0, deadline - time.monotonic()))
    try:
        request = _message("comm_info_request", {"target_name": "jupyter.widget"})
        ws.send(json.dumps(request))
        for _ in range(10_000):  # bounded: the deadline ends it long before
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no comm_info_reply before the deadline")
            ws.settimeout(left)
            msg = json.loads(ws.recv())
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if msg.get("msg_type") == "comm_info_reply" and parent == request["header"]["msg_id"]:
                comms = len((msg.get("content") or {}).get("comms") or {})
                return {"t_page": t_page, "t_reply": time.monotonic(), "comms": comms}
        raise RuntimeError("too many messages without comm_info_reply")
    finally:
        ws.close()


def tti_run(
    port: int,
    path: str,
    n: int,
    timeout: float,
    server_pid: int,
    dead_kernels: Callable[[], int] | None = None,
) -> dict:
    """N simultaneous visits. A visit whose kernel died never gets a complete page from Voilà:
    once nothing else is progressing and the server log shows as many dead kernels as visits
    are left, those visits are given up (counted as failures) instead of waiting for the timeout.
    """
    results: list[dict | None] = [None] * n
    barrier = threading.Barrier(n + 1)

    def visit(i: int) -> None:
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            results[i] = {"error": "barrier broken", "t_end": time.monotonic()}
            return
        try:
            results[i] = one_visit(port, path, timeout)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            results[i] = {"error": f"{type(exc).__name__}: {exc}"[:160], "t_end": time.monotonic()}

    threads = [threading.Thread(target=visit, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    cpu = CpuWatch([server_pid]).start()
    barrier.wait(timeout=60)
    t0 = time.monotonic()
    end_by = t0 + timeout + 10
    given_up = 0
    done_count, last_progress = 0, t0
    while time.monotonic() < end_by:
        snapshot = list(results)
        left = sum(r is None for r in snapshot)
        if not left:
            break
        if n - left != done_count:
            done_count, last_progress = n - left, time.monotonic()
        idle = time.monotonic() - last_progress
        if dead_kernels is not None and idle > 10 and dead_kernels() >= left:
            given_up = left
            break
        time.sleep(0.25)
    usage = cpu.stop()
    done = [r for r in list(results) if r is not None]
    ok = [r for r in done if "error" not in r]
    errors = Counter(r["error"] for r in done if "error" in r)
    if given_up:
        errors[
            "page never completed: its kernel died before kernel_info (see server log); "
            "given up 10 s after the last other visit"
        ] += n - len(done)
    elif len(done) < n:
        errors[f"no answer within the time limit ({timeout:.0f}s + 10s)"] += n - len(done)
    tti = [r["t_reply"] - t0 for r in ok]
    page = [r["t_page"] - t0 for r in ok]
    return {
        "tti_s": summary(tti),
        "page_s": summary(page),
        "wall_s": max(tti) if tti else None,
        "ok": len(ok),
        "failures": n - len(ok),
        "errors": dict(errors),
        "comms_median": statistics.median([r["comms"] for r in ok]) if ok else None,
        "cpu": usage,
    }


def baseline(n: int, args: argparse.Namespace, workdir: Path, nb_dir: Path, nb: str) -> dict:
    bare = start_bare(nb_dir, workdir)
    try:
        ready = bare.wait_ready(args.ready_timeout)
        time.sleep(1.0)
        before = memory(bare.pid)
        log(f"bare N={n}: voila ready on :{bare.port} after {ready:.1f}s; {n} first visits")
        tti = tti_run(
            bare.port, f"voila/render/{nb}", n, args.visit_timeout, bare.pid, bare.dead_kernels
        )
        if tti["failures"]:
            tti["server_log"] = bare.log_excerpt()
        time.sleep(1.0)
        after = memory(bare.pid)
        added = (after["server_rss_mb"] or 0) - (before["server_rss_mb"] or 0)
        added += after["kernel_rss_sum_mb"] - before["kernel_rss_sum_mb"]
        out = {
            "n": n,
            **tti,
            "ready_s": ready,
            "memory_before": before,
            "memory_after": after,
            "mb_per_participant": added / n,
        }
        log(
            f"bare N={n}: first visit -> kernel answers {fmt3(tti['tti_s'])} s, fail "
            f"{tti['failures']}; {after['kernels']} kernels, median "
            f"{f1(after['kernel_rss_median_mb'], 0)} MB; {out['mb_per_participant']:.1f} MB per "
            f"participant; {cpu_line(tti['cpu'])}"
        )
        for err, k in tti["errors"].items():
            log(f"bare N={n}: failure x{k}: {err}")
        return out
    finally:
        bare.stop()


# ----------------------------------------------------------------- the phones (no kernel)


class Reply:
    """A response as the phones need it: status, body, JSON."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class LightClient:
    """HTTP/1.1 on asyncio streams with keep-alive and one cookie jar: just what a phone's page
    does (GET, POST JSON), at a fraction of httpx's CPU a request. The simulated phones share
    the server's two cores; the lighter they are, the more of a join's time is the server's,
    as with real phones that bring their own CPUs. Up to two connections (the page's long-poll
    and its answers), each reused."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or HOST, parts.port or 80
        self.prefix = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.headers = {"Host": f"{self.host}:{self.port}", **headers}
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._open: list[asyncio.StreamWriter] = []

    def _path(self, url: str, params: dict | None) -> str:
        path = url if url.startswith("/") else self.prefix + url
        return path + ("?" + urlencode(params) if params else "")

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            reader, writer = self._idle.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self._open.append(writer)
        return reader, writer

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return await asyncio.wait_for(
            self._request(method, url, params, json_body, headers or {}), self.timeout
        )

    async def _request(self, method, url, params, json_body, headers) -> Reply:
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = {**self.headers, **headers}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            head["Content-Type"] = "application/json"
        if method != "GET":
            head["Content-Length"] = str(len(body))
        lines = [f"{method} {self._path(url, params)} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in head.items()]
        reader, writer = await self._connection()
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line, *header_lines = (
            (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        )
        status = int(status_line.split(" ", 2)[1])
        length, chunked, close = 0, False, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        if chunked:
            content = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                content += chunk[:-2]
        else:
            content = await reader.readexactly(length) if length else b""
        if close:
            writer.close()
        else:
            self._idle.append((reader, writer))
        return Reply(status, content)

    async def get(self, url: str, params: dict | None = None) -> Reply:
        return await self.request("GET", url, params=params)

    async def post(self, url: str, json: Any = None, headers: dict | None = None) -> Reply:  # noqa: A002
        return await self.request("POST", url, json_body=json, headers=headers)

    async def aclose(self) -> None:
        for writer in self._open:
            writer.close()
        self._open.clear()
        self._idle.clear()


class Phone:
    """One participant: its own HTTP client (its own cookies), like the page's delta.js."""

    def __init__(self, i: int, base_url: str) -> None:
        self.i = i
        self.base_url = base_url
        self.client = LightClient(base_url, {FAKE_IP_HEADER: fake_ip(i)})
        self.code = ""
        self.token: str | None = None
        self.cases: list[dict] = []
        self.version = -1
        self.polling = False
        self.polls = 0
        self.poll_errors: Counter = Counter()
        self.answered: set[str] = set()

    def _xsrf(self) -> dict:
        return {"X-XSRFToken": self.client.cookies.get("_xsrf") or ""}

    async def join(self, code: str) -> dict:
        """Page, script, join: returns the stage times (perf_counter) or raises."""
        c = self.client
        r = await c.get("delta", params={"kode": code})
        if r.status_code != 200 or "kit-config" not in r.text:
            raise RuntimeError(f"page HTTP {r.status_code}")
        t_page = time.perf_counter()
        # what a browser would fetch next: every script and style the page names (none since
        # the page carries them inside; two before)
        for asset in ASSET_RE.findall(r.text):
            if asset.startswith("data:"):
                continue
            r_asset = await c.get(asset)
            if r_asset.status_code != 200 or not r_asset.content:
                raise RuntimeError(f"{asset} HTTP {r_asset.status_code}")
        t_js = time.perf_counter()
        r = await c.post(
            f"api/live/session/{code}/join", json={"token": None}, headers=self._xsrf()
        )
        if r.status_code != 200:
            raise RuntimeError(f"join HTTP {r.status_code} {r.text[:80]}")
        data = r.json()
        if not data.get("cases"):
            raise RuntimeError("join without cases")
        self.code, self.token, self.cases = data["code"], data["token"], data["cases"]
        self.version = data["state"]["version"]
        return {"t_page": t_page, "t_js": t_js, "t_join": time.perf_counter()}

    async def answer(self, case_id: str, process: str, level: int | None) -> float:
        """POST one answer; returns the wall-clock time the response arrived, or raises."""
        r = await self.client.post(
            f"api/live/session/{self.code}/answer",
            json={"token": self.token, "case_id": case_id, "process": process, "level": level},
            headers=self._xsrf(),
        )
        t = time.time()
        if r.status_code != 200:
            raise RuntimeError(f"answer HTTP {r.status_code} {r.text[:80]}")
        return t

    async def follow(self, deadline: float) -> None:
        """Long-poll the room's state as the page does, until cancelled or the deadline."""
        for _ in range(100_000):
            if time.monotonic() > deadline:
                return
            self.polling = True
            try:
                r = await self.client.get(
                    f"api/live/session/{self.code}/state", params={"since": self.version}
                )
                if r.status_code == 200:
                    self.version = r.json().get("version", self.version)
                    self.polls += 1
                else:
                    self.poll_errors[f"HTTP {r.status_code}"] += 1
                    await asyncio.sleep(1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - counted; the page retries likewise
                self.poll_errors[type(exc).__name__] += 1
                await asyncio.sleep(1.0)
            finally:
                self.polling = False

    async def close(self) -> None:
        try:
            await self.client.aclose()
        except Exception:  # noqa: BLE001 - closing at the end; nothing to report
            pass


def make_phones(n: int, servers: list[Server], first: int = 0) -> list[Phone]:
    return [Phone(first + i, servers[i % len(servers)].url) for i in range(n)]


async def join_together(phones: list[Phone], code: str, timeout: float) -> dict:
    """Release every phone's join at once; per phone: release -> holding the cases."""
    go = asyncio.Event()
    t0: list[float] = []
    results: list[dict] = []

    async def one(phone: Phone) -> None:
        await go.wait()
        try:
            stages = await asyncio.wait_for(phone.join(code), timeout)
            results.append({"ok": True, **{k: v - t0[0] for k, v in stages.items()}})
        except Exception as exc:  # noqa: BLE001 - counted and reported
            msg = f"{type(exc).__name__}: {exc}"[:120] or type(exc).__name__
            results.append({"ok": False, "error": msg})

    tasks = [asyncio.ensure_future(one(p)) for p in phones]
    await asyncio.sleep(0.2)  # every task waiting on the event
    t0.append(time.perf_counter())
    go.set()
    await asyncio.wait(tasks, timeout=timeout + 10)
    ok = [r for r in results if r["ok"]]
    errors = Counter(r["error"] for r in results if not r["ok"])
    if len(results) < len(phones):
        errors["not finished"] += len(phones) - len(results)
    return {
        "n": len(phones),
        "ok": len(ok),
        "failures": len(phones) - len(ok),
        "errors": dict(errors),
        "join_s": summary([r["t_join"] for r in ok]),
        "page_s": summary([r["t_page"] for r in ok]),
        "js_s": summary([r["t_js"] for r in ok]),
        "wall_s": max((r["t_join"] for r in ok), default=None),
    }


async def start_following(phones: list[Phone], seconds: float) -> list[asyncio.Task]:
    deadline = time.monotonic() + seconds
    return [asyncio.ensure_future(p.follow(deadline)) for p in phones if p.token]


async def stop_following(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks, timeout=30) if tasks else None


async def close_all(phones: list[Phone]) -> None:
    for k in range(0, len(phones), 200):
        await asyncio.gather(*(p.close() for p in phones[k : k + 200]))


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def start_profiles(args, name: str, targets: list[tuple[str, int]]) -> list[subprocess.Popen]:
    """With --profile DIR: py-spy record (non-blocking sampling of the thread that holds the
    GIL, raw collapsed stacks) of each target process, until stop_profiles. Profiled runs are slower; their figures are not the
    ones to quote."""
    if not args.profile:
        return []
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    args.profile.mkdir(parents=True, exist_ok=True)
    procs = []
    for what, pid in targets:
        out = args.profile / f"{name}-{what}-{pid}.txt"
        procs.append(
            subprocess.Popen(
                [
                    exe,
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    "200",
                    "--nonblocking",
                    "--gil",  # only the thread holding the GIL: where the CPU goes
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--duration",
                    "600",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        )
    time.sleep(1.0)  # attached before the load starts
    return procs


def stop_profiles(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGINT)  # py-spy writes its file on SIGINT
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def create_session(db_url: str, count: int = 10) -> str:
    from kit.cases.casefile import load_cases
    from kit.live.store import Store

    with Store(db_url) as store:
        return store.create_session(tuple(load_cases()[:count])).code


def fresh_postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database on the server of ``url`` (the role needs CREATEDB, as the one of
    .ci/postgres.sh has; PostgreSQL 15 lets no other role create tables in ``public``), and a
    function that drops it. Falls back to ``url`` itself if it cannot be made."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kit_bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - use the database as given
        admin.dispose()
        log(f"postgres: could not create a fresh database ({type(exc).__name__}); using the URL")
        return url, lambda: None

    def drop() -> None:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # noqa: BLE001 - reported, the server is thrown away anyway
            log(f"postgres: could not drop {name}: {type(exc).__name__}: {exc}")
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def all_memory(servers: list[Server]) -> dict:
    per = [memory(s.pid) for s in servers]
    return {
        "servers": per,
        "server_rss_mb": sum(m["server_rss_mb"] or 0 for m in per),
        "kernel_rss_sum_mb": sum(m["kernel_rss_sum_mb"] for m in per),
        "kernels": sum(m["kernels"] for m in per),
        "server_fds": sum(m["server_fds"] or 0 for m in per),
    }


async def wait_polls_open(phones: list[Phone], timeout: float) -> int:
    end = time.monotonic() + timeout
    want = sum(1 for p in phones if p.token)
    while time.monotonic() < end and sum(p.polling for p in phones) < want:
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)  # let the server read every request
    return sum(p.polling for p in phones)


async def join_run(n: int, label: str, db_url: str, nproc: int, args, workdir: Path) -> dict:
    """A fresh server set; warm-up; N joins released together; N long-polls held: memory."""
    servers = [start_ours(db_url, workdir, args.kit_tree) for _ in range(nproc)]
    phones: list[Phone] = []
    follows: list[asyncio.Task] = []
    try:
        ready = max(
            await asyncio.gather(
                *(asyncio.to_thread(s.wait_ready, args.ready_timeout) for s in servers)
            )
        )
        code = create_session(db_url)
        # warm-up: the first joins and polls import and open what every later one reuses
        warm = make_phones(10 * nproc, servers, first=900_000)
        await join_together(warm, code, 60)
        warm_follow = await start_following(warm, 30)
        await wait_polls_open(warm, 10)
        await stop_following(warm_follow)
        await close_all(warm)
        await asyncio.sleep(2.0)
        before = all_memory(servers)
        log(
            f"{label} N={n}: {nproc} serve process(es) ready after {ready:.1f}s (pid "
            f"{', '.join(str(s.pid) for s in servers)}), code {code}"
        )
        phones = make_phones(n, servers)
        profiles = start_profiles(
            args, f"{slug(label)}-join-{n}", [(f"serve{k}", s.pid) for k, s in enumerate(servers)]
        )
        cpu = CpuWatch([s.pid for s in servers]).start()
        joined = await join_together(phones, code, args.join_timeout)
        joined["cpu"] = cpu.stop()
        stop_profiles(profiles)
        log(
            f"{label} N={n}: joins {fmt3(joined['join_s'], 3)} s (p50/p95/max), fail "
            f"{joined['failures']}; {cpu_line(joined['cpu'])}"
        )
        for err, k in joined["errors"].items():
            log(f"{label} N={n}: failure x{k}: {err}")
        follows = await start_following(phones, 120)
        held = await wait_polls_open(phones, 30)
        with_polls = all_memory(servers)
        added = with_polls["server_rss_mb"] - before["server_rss_mb"]
        added += with_polls["kernel_rss_sum_mb"] - before["kernel_rss_sum_mb"]
        mem = {
            "before": before,
            "with": with_polls,
            "held_polls": held,
            "mb_added": added,
            "mb_per_participant": added / max(1, held),
        }
        log(
            f"{label} N={n}: {held} long-polls held; serve RSS {before['server_rss_mb']:.1f} -> "
            f"{with_polls['server_rss_mb']:.1f} MB, kernels {before['kernel_rss_sum_mb']:.0f} -> "
            f"{with_polls['kernel_rss_sum_mb']:.0f} MB, fds {before['server_fds']} -> "
            f"{with_polls['server_fds']}: {mem['mb_per_participant']:.3f} MB per participant"
        )
        if joined["failures"]:
            joined["server_log"] = [ln for s in servers for ln in s.log_excerpt(6)]
        return {"n": n, "ready_s": ready, "join": joined, "memory": mem}
    finally:
        await stop_following(follows)
        await close_all(phones)
        for s in servers:
            await asyncio.to_thread(s.stop)


# -------------------------------------------------------------- presenter in Chromium


#: The tab's main thread: total time in long tasks (> 50 ms each), two numbers only.
LONGTASK_JS = r"""() => {
  const lt = window.__kitLong = { ms: 0, n: 0 };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { lt.ms += e.duration; lt.n += 1; }
    }).observe({ type: "longtask", buffered: false });
  } catch (e) { lt.ms = -1; }
}"""

OBSERVER_JS = r"""() => {
  const now = () => performance.timeOrigin + performance.now();
  const parse = () => {
    const el = document.querySelector('.kit-stats');
    const m = el && el.textContent.match(/Svar:\s*(\d+)/);
    return m ? parseInt(m[1], 10) : -1;
  };
  const rec = window.__kitBench = { obs: [], last: parse(), observer: null };
  rec.obs.push([now(), rec.last, null]);
  rec.observer = new MutationObserver(() => {
    const n = parse();
    if (n === rec.last) return;
    rec.last = n;
    const row = [now(), n, null];
    rec.obs.push(row);
    requestAnimationFrame(() => { row[2] = now(); });
  });
  rec.observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  return now();
}"""


class Presenter:
    """The presenter app in a Chromium tab, its session started from the UI."""

    def __init__(self, pw_browser, server: Server) -> None:
        self.browser = pw_browser
        self.server = server
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.crashed: float | None = None  # wall clock of a renderer crash

    async def open(self, timeout: float) -> str:
        self.context = await self.browser.new_context(
            viewport={"width": 1600, "height": 1000}, locale="nb-NO"
        )
        base = self.server.url

        async def only_local(route) -> None:
            url = route.request.url
            if url.startswith(base) or url.startswith("data:"):
                await route.continue_()
            else:
                self.blocked.append(url)
                await route.abort()

        await self.context.route("**/*", only_local)
        self.page = page = await self.context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"[:200]))
        page.on("crash", lambda _page: setattr(self, "crashed", time.time()))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"console.error: {msg.text}"[:200])
                if msg.type == "error"
                else None
            ),
        )
        ms = int(timeout * 1000)
        try:
            await page.goto(base + PRESENTER_PATH, timeout=ms)
            await page.wait_for_selector(".kit-app h1", timeout=ms)
            # a plan first (the setup view starts with none chosen), then the session
            await page.get_by_role("button", name="10 blandede", exact=True).click()
            await page.get_by_role("button", name="Start økt").click()
            code_box = page.locator(".kit-code")
            await code_box.wait_for(timeout=ms)
            code = (await code_box.inner_text()).strip()
            await page.locator(".kit-stats", has_text="Svar: 0").wait_for(timeout=ms)
        except Exception as exc:
            try:
                shown = (await page.locator("body").inner_text(timeout=5000))[-400:]
            except Exception:  # noqa: BLE001
                shown = "?"
            raise RuntimeError(
                f"presenter did not start: {str(exc)[:200]}; page ends with {shown!r}; page "
                f"errors {self.errors[:3]}; server log {self.server.log_excerpt(4)}"
            ) from None
        self.cdp = await self.context.new_cdp_session(page)
        await self.cdp.send("Performance.enable")
        await page.evaluate(LONGTASK_JS)
        return code

    async def long_tasks(self) -> dict:
        """Main-thread time in long tasks since the page opened (ms, count)."""
        return await self.page.evaluate(
            "() => ({ ms: window.__kitLong.ms, n: window.__kitLong.n })"
        )

    async def clock_offset(self) -> dict:
        """Browser wall clock minus this process's, from the round trip with the least delay."""
        best = None
        for _ in range(7):
            a = time.time()
            b = await self.page.evaluate("() => performance.timeOrigin + performance.now()")
            c = time.time()
            rtt = c - a
            if best is None or rtt < best[1]:
                best = (b / 1000 - (a + c) / 2, rtt)
        return {"offset_s": best[0], "rtt_s": best[1]}

    async def observe(self) -> None:
        await self.page.evaluate(OBSERVER_JS)

    async def shown(self) -> int:
        return await self.page.evaluate("() => window.__kitBench ? window.__kitBench.last : -1")

    async def stats_text(self) -> str:
        return (await self.page.locator(".kit-stats").inner_text()).strip()

    async def take_observations(self) -> list[tuple[float, int, float | None]]:
        """The observations (wall clock s), and the observer gone (its array would otherwise
        count in the tab's heap during the soak)."""
        rows = await self.page.evaluate(
            "() => { const r = window.__kitBench; r.observer.disconnect();"
            " const o = r.obs; window.__kitBench = null; return o; }"
        )
        return [(t / 1000, n, (f / 1000 if f else None)) for t, n, f in rows]

    async def heap(self, collect: bool = False) -> dict:
        if collect:
            await self.cdp.send("HeapProfiler.collectGarbage")
        metrics = await self.cdp.send("Performance.getMetrics")
        values = {m["name"]: m["value"] for m in metrics["metrics"]}
        return {
            "js_heap_used_mb": values.get("JSHeapUsedSize", 0) / 1024 / 1024,
            "js_heap_total_mb": values.get("JSHeapTotalSize", 0) / 1024 / 1024,
            "dom_nodes": values.get("Nodes"),
            "listeners": values.get("JSEventListeners"),
        }

    async def close(self) -> None:
        try:
            await self.context.close()
        except Exception:  # noqa: BLE001 - closing at the end
            pass


def valid_answer(rng: random.Random) -> tuple[str, int | None]:
    process = rng.choice(("samskaping", "samproduksjon", "verdisamskaping", "ingen"))
    return process, (None if process == "ingen" else rng.choice((1, 2, 3)))


def latencies(sent: list[float], obs: list[tuple[float, int, float | None]], offset: float) -> dict:
    """Per answer, ranked by the time its POST returned: the first observation (browser clock,
    corrected by ``offset``) whose count is >= its rank, minus that return time."""
    obs = sorted(obs)
    dom, frame, early, unseen = [], [], 0, 0
    j = 0
    for k, t_ret in enumerate(sorted(sent), start=1):
        while j < len(obs) and obs[j][1] < k:
            j += 1
        if j == len(obs):
            unseen += 1
            continue
        t_dom, t_frame = obs[j][0] - offset, obs[j][2]
        d = t_dom - t_ret
        if d < 0:
            early += 1
        dom.append(max(0.0, d))
        if t_frame is not None:
            frame.append(max(0.0, t_frame - offset - t_ret))
    return {
        "dom_s": summary(dom),
        "frame_s": summary(frame),
        "measured": len(dom),
        "shown_before_post_returned": early,
        "never_shown": unseen,
    }


async def answer_phase(
    phones: list[Phone], per_phone: int, seconds: float, rng: random.Random
) -> tuple[list[float], Counter, set[tuple[str, str]]]:
    """Every joined phone answers ``per_phone`` distinct cases at random moments over
    ``seconds``. Returns the POST return times, the errors and the (token, case) pairs sent."""
    start = time.monotonic() + 0.5
    returned: list[float] = []
    errors: Counter = Counter()
    pairs: set[tuple[str, str]] = set()

    async def run(phone: Phone, plan: list[tuple[float, str]]) -> None:
        for at, case_id in plan:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            process, level = valid_answer(rng)
            try:
                returned.append(await phone.answer(case_id, process, level))
                pairs.add((phone.token, case_id))
                phone.answered.add(case_id)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors[f"{type(exc).__name__}: {exc}"[:120]] += 1

    tasks = []
    for phone in phones:
        if not phone.token:
            continue
        ids = [c["id"] for c in phone.cases]
        chosen = rng.sample(ids, min(per_phone, len(ids)))
        plan = sorted((rng.uniform(0, seconds), cid) for cid in chosen)
        tasks.append(asyncio.ensure_future(run(phone, plan)))
    if tasks:
        await asyncio.wait(tasks, timeout=seconds + 120)
    return returned, errors, pairs


def stored_rows(db_url: str, code: str) -> dict:
    from kit.live.store import Store

    with Store(db_url) as store:
        answers = store.answers(code)
        return {
            "rows": len(answers),
            "pairs": {(a.participant, a.case_id) for a in answers},
            "participants": store.participant_count(code),
        }


async def soak(
    presenter: Presenter,
    server: Server,
    phones: list[Phone],
    minutes: float,
    rate: float,
    rng: random.Random,
    db_url: str,
    code: str,
) -> dict:
    """Answers keep flowing at ``rate``/s (new cases of random phones); every 10 s the presenter
    kernel's RSS, the serve RSS and the tab's JS heap are sampled, and once a minute the heap
    after a forced garbage collection."""
    samples: list[dict] = []
    gc_samples: list[dict] = []
    tab_errors: list[tuple[float, str]] = []
    from kit.live.store import Store

    counter = Store(db_url)

    def count_rows() -> int:
        return counter.revision(code)[0]

    sent, errors = 0, Counter()
    stop_at = time.monotonic() + minutes * 60
    t0 = time.monotonic()
    inflight: set[asyncio.Task] = set()
    live = [p for p in phones if p.token]

    async def one() -> None:
        nonlocal sent
        for _ in range(20):
            phone = rng.choice(live)
            left = [c["id"] for c in phone.cases if c["id"] not in phone.answered]
            if left:
                break
        else:
            phone = rng.choice(live)
            left = [c["id"] for c in phone.cases]  # all answered: a new answer replaces one
        case_id = rng.choice(left)
        process, level = valid_answer(rng)
        try:
            await phone.answer(case_id, process, level)
            phone.answered.add(case_id)
            sent += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors[f"{type(exc).__name__}: {exc}"[:120]] += 1

    async def feed() -> None:
        interval = 1.0 / rate if rate > 0 else None
        k = 0
        while interval and time.monotonic() < stop_at and k < 10_000_000:
            k += 1
            if len(inflight) < 100:
                task = asyncio.ensure_future(one())
                inflight.add(task)
                task.add_done_callback(inflight.discard)
            await asyncio.sleep(max(0.0, t0 + k * interval - time.monotonic()))

    async def tab_figures(collect: bool = False) -> dict:
        long = await presenter.long_tasks()
        shown = re.search(r"Svar:\s*(\d+)", await presenter.stats_text())
        return {
            "long_task_ms_total": long["ms"],
            "shown": int(shown.group(1)) if shown else None,
            **await presenter.heap(collect),
        }

    async def sample(k: int) -> None:
        kernels = memory(server.pid)
        stored = await asyncio.to_thread(count_rows)
        row = {
            "t_s": time.monotonic() - t0,
            "stored": stored,
            "kernel_rss_mb": kernels["kernel_rss_sum_mb"],
            "kernels": kernels["kernels"],
            "server_rss_mb": kernels["server_rss_mb"],
        }
        # A tab that no longer answers within a minute is recorded, not fatal.
        try:
            row.update(await asyncio.wait_for(tab_figures(), 60))
            if k % 6 == 0:
                gc = await asyncio.wait_for(presenter.heap(True), 60)
                gc_samples.append({"t_s": time.monotonic() - t0, **gc})
        except Exception as exc:  # noqa: BLE001 - counted and reported
            row["tab_error"] = f"{type(exc).__name__}: {exc}"[:160]
            tab_errors.append((row["t_s"], row["tab_error"]))
            log(f"soak {row['t_s'] / 60:.1f} min: the tab did not answer: {row['tab_error']}")
        samples.append(row)

    feeder = asyncio.ensure_future(feed())
    cpu = CpuWatch([server.pid]).start()
    try:
        k = 0
        while k < 100_000:
            await sample(k)
            k += 1
            if time.monotonic() >= stop_at or presenter.crashed:
                break
            if len(tab_errors) >= 5 and all("tab_error" in r for r in samples[-5:]):
                log("soak: the tab has not answered for 5 samples in a row; soak ended early")
                break
            await asyncio.sleep(max(0.0, t0 + k * SAMPLE_SECONDS - time.monotonic()))
            if k % 30 == 0:
                last = samples[-1]
                if "tab_error" in last:
                    continue
                log(
                    f"soak {last['t_s'] / 60:.1f} min: kernel {last['kernel_rss_mb']:.0f} MB, "
                    f"serve {last['server_rss_mb']:.0f} MB, JS heap "
                    f"{last['js_heap_used_mb']:.1f} MB, DOM nodes {last['dom_nodes']}, "
                    f"{sent} answers sent, stored {last['stored']}, on screen {last['shown']}"
                )
    finally:
        feeder.cancel()
        await asyncio.wait([feeder, *inflight], timeout=60)
        counter.close()
    usage = cpu.stop()
    for a, b in zip(samples, samples[1:], strict=False):
        dt = (b["t_s"] - a["t_s"]) * 1000
        if a.get("long_task_ms_total") is not None and b.get("long_task_ms_total") is not None:
            share = (b["long_task_ms_total"] - a["long_task_ms_total"]) / max(1, dt)
            b["main_thread_share"] = share
        b["lag_answers"] = None if b.get("shown") is None else b["stored"] - b["shown"]

    def slope(key: str, rows: list[dict]) -> float | None:
        return slope_per_minute([(r["t_s"], r[key]) for r in rows if r.get(key) is not None])

    return {
        "minutes": minutes,
        "ran_minutes": (samples[-1]["t_s"] / 60) if samples else 0,
        "tab_errors": tab_errors,
        "tab_crashed": presenter.crashed,
        "rate_per_s": rate,
        "sent": sent,
        "errors": dict(errors),
        "samples": samples,
        "gc_samples": gc_samples,
        "slope_mb_per_min": {
            "kernel_rss": slope("kernel_rss_mb", samples),
            "server_rss": slope("server_rss_mb", samples),
            "js_heap_used": slope("js_heap_used_mb", samples),
            "js_heap_after_gc": slope("js_heap_used_mb", gc_samples),
        },
        "dom_nodes_per_min": slope("dom_nodes", samples),
        "first": samples[0] if samples else None,
        "last": next((r for r in reversed(samples) if "tab_error" not in r), None),
        "cpu": usage,
    }


async def answer_run(
    label: str, db_url: str, nproc: int, args, workdir: Path, soak_minutes: float
) -> dict:
    from playwright.async_api import async_playwright

    rng = random.Random(args.seed)
    servers = [start_ours(db_url, workdir, args.kit_tree) for _ in range(nproc)]
    phones: list[Phone] = []
    follows: list[asyncio.Task] = []
    out: dict = {"label": label, "processes": nproc}
    try:
        ready = max(
            await asyncio.gather(
                *(asyncio.to_thread(s.wait_ready, args.ready_timeout) for s in servers)
            )
        )
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # The presenter's start is tried up to 3 times, each in a fresh tab (a new kernel):
            # a failed start is counted and reported, not fatal.
            out["presenter_start_failures"] = []
            for _attempt in range(3):
                presenter = Presenter(browser, servers[0])
                t = time.monotonic()
                try:
                    code = await presenter.open(min(args.ready_timeout, 90.0))
                    break
                except RuntimeError as exc:
                    out["presenter_start_failures"].append(str(exc)[:600])
                    log(f"{label} answers: presenter start failed, a fresh tab: {str(exc)[:300]}")
                    await presenter.close()
            else:
                raise RuntimeError("the presenter did not start in 3 tabs")
            try:
                out["presenter_open_s"] = time.monotonic() - t
                out["code"] = code
                out["memory_presenter_only"] = all_memory(servers)
                log(
                    f"{label} answers: {nproc} serve ready after {ready:.1f}s; presenter session "
                    f"{code} started from the UI after {out['presenter_open_s']:.1f}s; kernel "
                    f"{out['memory_presenter_only']['kernel_rss_sum_mb']:.0f} MB"
                )
                n = args.answer_participants
                phones = make_phones(n, servers)
                cpu = CpuWatch([s.pid for s in servers]).start()
                out["join"] = await join_together(phones, code, args.join_timeout)
                out["join"]["cpu"] = cpu.stop()
                j = out["join"]
                log(
                    f"{label} answers: {j['ok']}/{n} joined, {fmt3(j['join_s'], 3)} s; "
                    f"{cpu_line(j['cpu'])}"
                )
                follow_for = args.answer_seconds + soak_minutes * 60 + 300
                if not args.no_follow:
                    follows = await start_following(phones, follow_for)
                    await wait_polls_open(phones, 30)
                out["memory_with_participants"] = all_memory(servers)
                await asyncio.sleep(2.0)
                out["clock"] = await presenter.clock_offset()
                await presenter.observe()
                cpu = CpuWatch([s.pid for s in servers]).start()
                long0, t_long0 = await presenter.long_tasks(), time.monotonic()
                profiles = start_profiles(
                    args,
                    f"{slug(label)}-answers",
                    [("kernel", pid) for pid in memory(servers[0].pid)["kernel_pids"]]
                    + [("serve", servers[0].pid)],
                )
                sent, errors, pairs = await answer_phase(
                    phones, args.answers_each, args.answer_seconds, rng
                )
                # wait (bounded) until the screen shows every answer that was stored
                end = time.monotonic() + 30
                while time.monotonic() < end and await presenter.shown() < len(sent):
                    await asyncio.sleep(0.2)
                out["cpu"] = cpu.stop()
                stop_profiles(profiles)
                long1 = await presenter.long_tasks()
                span = max(1e-9, time.monotonic() - t_long0)
                out["main_thread_long_tasks"] = {
                    "ms": long1["ms"] - long0["ms"],
                    "count": long1["n"] - long0["n"],
                    "share": (long1["ms"] - long0["ms"]) / 1000 / span,
                }
                obs = await presenter.take_observations()
                times = [o[0] for o in obs[1:]]
                out["screen_update_interval_s"] = summary(
                    [b - a for a, b in zip(times, times[1:], strict=False)]
                )
                out["screen_updates"] = len(times)
                out["latency"] = latencies(sent, obs, out["clock"]["offset_s"])
                out["final_shown"] = obs[-1][1] if obs else None
                out["stats_text"] = await presenter.stats_text()
                stored = await asyncio.to_thread(stored_rows, db_url, code)
                from kit.live.store import pseudonym

                sent_pairs = {(pseudonym(tok), cid) for tok, cid in pairs}
                out["answers"] = {
                    "planned": sum(min(args.answers_each, len(p.cases)) for p in phones if p.token),
                    "sent_ok": len(sent),
                    "send_errors": dict(errors),
                    "stored_rows": stored["rows"],
                    "stored_participants": stored["participants"],
                    "lost": len(sent_pairs - stored["pairs"]),
                    "extra": len(stored["pairs"] - sent_pairs),
                }
                out["memory_after_answers"] = all_memory(servers)
                a, lat = out["answers"], out["latency"]
                log(
                    f"{label} answers: sent {a['sent_ok']} (errors {sum(errors.values())}), "
                    f"stored {a['stored_rows']}, lost {a['lost']}, extra {a['extra']}; "
                    f"answer -> screen {fmt3(lat['dom_s'], 3)} s (DOM), "
                    f"{fmt3(lat['frame_s'], 3)} s (next frame), {lat['measured']} measured; "
                    f"{cpu_line(out['cpu'])}"
                )
                for err, k in errors.items():
                    log(f"{label} answers: send failure x{k}: {err}")
                if soak_minutes > 0:
                    log(f"soak: {soak_minutes:g} min at {args.soak_rate:g} answers/s")
                    out["soak"] = await soak(
                        presenter,
                        servers[0],
                        phones,
                        soak_minutes,
                        args.soak_rate,
                        rng,
                        db_url,
                        code,
                    )
                    s = out["soak"]["slope_mb_per_min"]
                    log(
                        f"soak: slopes MB/min kernel {f1(s['kernel_rss'], 3)}, serve "
                        f"{f1(s['server_rss'], 3)}, JS heap {f1(s['js_heap_used'], 3)} (after GC "
                        f"{f1(s['js_heap_after_gc'], 3)}); {cpu_line(out['soak']['cpu'])}"
                    )
                    stored = await asyncio.to_thread(stored_rows, db_url, code)
                    out["soak"]["stored_rows_end"] = stored["rows"]
                    out["soak"]["stats_text_end"] = "(the tab did not answer)"
                    end = time.monotonic() + 20
                    try:
                        while time.monotonic() < end and not presenter.crashed:
                            text = await asyncio.wait_for(presenter.stats_text(), 30)
                            out["soak"]["stats_text_end"] = text
                            found = re.search(r"Svar:\s*(\d+)", text)
                            if found and int(found.group(1)) >= stored["rows"]:
                                break
                            await asyncio.sleep(0.3)
                    except Exception:  # noqa: BLE001 - the text says so
                        pass
                out["page_errors"] = presenter.errors[:10]
                out["blocked_requests"] = presenter.blocked[:10]
                out["poll_errors"] = dict(sum((p.poll_errors for p in phones), Counter()))
            finally:
                await presenter.close()
                await browser.close()
        out["ready_s"] = ready
        out["server_log"] = [ln for s in servers for ln in s.log_excerpt(6)]
        return out
    finally:
        await stop_following(follows)
        await close_all(phones)
        for s in servers:
            await asyncio.to_thread(s.stop)


async def ours(label: str, db_url: str, nproc: int, args, workdir: Path, soak_min: float) -> dict:
    result: dict = {"label": label, "processes": nproc, "joins": []}
    name = slug(label)
    for n in args.n:
        url = db_url if not db_url.startswith("sqlite") else f"sqlite:///{workdir}/{name}-{n}.db"
        try:
            result["joins"].append(await join_run(n, label, url, nproc, args, workdir))
        except Exception as exc:  # noqa: BLE001 - report and go on
            log(f"{label} N={n}: run failed: {type(exc).__name__}: {exc}")
            result["joins"].append({"n": n, "error": f"{type(exc).__name__}: {exc}"[:400]})
    if not args.skip_answers:
        url = (
            db_url if not db_url.startswith("sqlite") else f"sqlite:///{workdir}/{name}-answers.db"
        )
        try:
            result["answers"] = await answer_run(label, url, nproc, args, workdir, soak_min)
        except Exception as exc:  # noqa: BLE001 - report and go on
            log(f"{label} answers: run failed: {type(exc).__name__}: {exc}")
            result["answers"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
    return result


# ---------------------------------------------------------------------------------- output


def f1(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def fmt3(s: dict | None, digits: int = 2) -> str:
    if not s or s.get("p50") is None:
        return "-"
    return "/".join(f1(s[k], digits) for k in ("p50", "p95", "max"))


def met(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= target else "NOT met"


def machine_state(args) -> dict:
    def version(mod: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(mod)
        except Exception:  # noqa: BLE001
            return "?"

    try:
        chromium = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        chromium = "?"
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(args.kit_tree), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip() or "not a git work tree"  # fmt: skip
    except OSError:
        commit = "?"
    marker = args.kit_tree / "COMMIT"  # written beside a `git archive` export, if at all
    if args.kit_tree != ROOT and marker.is_file():
        commit = marker.read_text().strip()[:80]
    elif args.kit_tree == ROOT:
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "kit"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        commit += " + uncommitted changes in kit/" if dirty else ""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "mem_available_gb": round(mem_available_gb() or 0, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "versions": {
            m: version(m)
            for m in (
                "voila",
                "jupyter_server",
                "tornado",
                "ipykernel",
                "playwright",
                "SQLAlchemy",
                "psycopg",
            )
        },  # fmt: skip
        "chromium": chromium,
        "kit_tree": str(args.kit_tree),
        "kit_commit": commit,
        "loadavg_start": loadavg(),
        "fd_limit": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
    }


def postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    except Exception as exc:  # noqa: BLE001
        return f"? ({type(exc).__name__})"
    finally:
        engine.dispose()


def results_table(fig: dict) -> str:
    """ours (1 process) | ours (2 processes, PostgreSQL) | bare Voilà | target | met?"""
    one = fig.get("ours") or {}
    two = fig.get("pg2") or {}
    bare = {b["n"]: b for b in fig.get("bare", []) if "error" not in b}
    rows: list[list[str]] = [
        ["figure", "ours: 1 serve, SQLite", "ours: 2 serve, PostgreSQL", "bare Voilà", "target",
         "met (1 serve / 2 serve)"],
    ]  # fmt: skip

    def join_of(run: dict, n: int) -> dict | None:
        for j in run.get("joins", []):
            if j.get("n") == n and "error" not in j:
                return j
        return None

    def jcell(j: dict | None) -> str:
        if not j:
            return "-"
        jo = j["join"]
        return f"{fmt3(jo['join_s'], 3)} fail {jo['failures']}"

    bare_kernel = None
    for b in bare.values():
        bare_kernel = b["memory_after"]["kernel_rss_median_mb"]
    for n in fig["args"]["n"]:
        a, b = join_of(one, n), join_of(two, n)
        target = "p95 <= 1 s" if n == 300 else "(p95 <= 1 s at 300)"
        if n in bare:
            bcell = f"{fmt3(bare[n]['tti_s'], 2)} fail {bare[n]['failures']}"
        elif n > 60:
            gb = f"~{n * bare_kernel / 1024:.0f} GB" if bare_kernel else "16-53 GB"
            bcell = f"not run: a kernel each, {gb}"
        else:
            bcell = "-"
        verdict = "-"
        if n == 300:
            verdict = " / ".join(
                met(x["join"]["join_s"]["p95"] if x else None, 1.0) for x in (a, b)
            )
        rows.append([f"join N={n}: p50/p95/max s, failures", jcell(a), jcell(b), bcell, target,
                     verdict])  # fmt: skip
    for n in sorted(bare):
        if n not in fig["args"]["n"]:
            rows.append([f"first visit N={n} (bare only): p50/p95/max s", "-", "-",
                         f"{fmt3(bare[n]['tti_s'], 2)} fail {bare[n]['failures']}", "-", "-"])  # fmt: skip
    for n in fig["args"]["n"]:
        a, b = join_of(one, n), join_of(two, n)
        cells = [f"{x['memory']['mb_per_participant']:.3f}" if x else "-" for x in (a, b)]
        bcell = f"{bare[n]['mb_per_participant']:.1f}" if n in bare else "-"
        verdict = " / ".join(
            met(x["memory"]["mb_per_participant"] if x else None, 0.2) for x in (a, b)
        )
        rows.append([f"memory per participant N={n} (MB)", *cells, bcell, "<= 0.2 MB", verdict])
    ans = [r.get("answers") if r else None for r in (one, two)]

    def per_participant(a: dict | None) -> float | None:
        if not a or "error" in a:
            return None
        m0, m1 = a["memory_presenter_only"], a["memory_with_participants"]
        added = m1["server_rss_mb"] + m1["kernel_rss_sum_mb"]
        added -= m0["server_rss_mb"] + m0["kernel_rss_sum_mb"]
        return added / max(1, a["join"]["ok"])

    pp = [per_participant(a) for a in ans]
    rows.append([
        "memory per participant, answer run: all joined + a long-poll each, the session "
        "started in the UI, presenter open (MB)",
        *(f1(x, 3) for x in pp), "-", "<= 0.2 MB", " / ".join(met(x, 0.2) for x in pp),
    ])  # fmt: skip

    def acell(a: dict | None, what: str) -> str:
        if not a or "error" in a:
            return "-" if not a else "run failed"
        if what == "stored":
            x = a["answers"]
            return (
                f"{x['stored_rows']}/{x['sent_ok']} (lost {x['lost']}, send errors "
                f"{sum(x['send_errors'].values())})"
            )
        lat = a["latency"]
        return f"{fmt3(lat['dom_s'], 3)} ({lat['measured']} measured)"

    rows.append([
        f"answers stored/sent ({fig['args']['answer_participants']} x "
        f"{fig['args']['answers_each']} over {fig['args']['answer_seconds']:g} s)",
        acell(ans[0], "stored"), acell(ans[1], "stored"), "-", "stored = sent",
        " / ".join(
            ("met" if a["answers"]["lost"] == 0 and a["answers"]["stored_rows"] ==
             a["answers"]["sent_ok"] and not a["answers"]["send_errors"] else "NOT met")
            if a and "error" not in a else "not measured" for a in ans),
    ])  # fmt: skip
    rows.append([
        "answer -> presenter screen p50/p95/max s",
        acell(ans[0], "lat"), acell(ans[1], "lat"), "-", "p95 <= 1 s",
        " / ".join(met(a["latency"]["dom_s"]["p95"] if a and "error" not in a else None, 1.0)
                   for a in ans),
    ])  # fmt: skip
    s = (ans[0] or {}).get("soak")
    if s:
        sl = s["slope_mb_per_min"]
        rows.append([f"presenter kernel RSS slope ({s['minutes']:g} min soak), MB/min",
                     f"{f1(sl['kernel_rss'], 3)} ({f1(s['first']['kernel_rss_mb'], 0)} -> "
                     f"{f1(s['last']['kernel_rss_mb'], 0)} MB)", "-", "-", "~0 (no leak)", "-"])  # fmt: skip
        rows.append(["tab JS heap slope, MB/min (as sampled / after forced GC)",
                     f"{f1(sl['js_heap_used'], 3)} / {f1(sl['js_heap_after_gc'], 3)} "
                     f"({f1(s['first']['js_heap_used_mb'], 1)} -> "
                     f"{f1(s['last']['js_heap_used_mb'], 1)} MB)", "-", "-", "~0 (no leak)", "-"])  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def details(fig: dict) -> str:
    out = []
    for b in fig.get("bare", []):
        if "error" in b:
            out.append(f"bare N={b['n']}: RUN FAILED: {b['error']}")
            continue
        m = b["memory_after"]
        out.append(
            f"bare N={b['n']}: first visit -> comm_info_reply {fmt3(b['tti_s'])} s; page body "
            f"{fmt3(b['page_s'])} s; {m['kernels']} kernels, RSS median/max/sum "
            f"{f1(m['kernel_rss_median_mb'], 0)}/{f1(m['kernel_rss_max_mb'], 0)}/"
            f"{f1(m['kernel_rss_sum_mb'], 0)} MB; server {f1(b['memory_before']['server_rss_mb'])}"
            f" -> {f1(m['server_rss_mb'])} MB; {b['mb_per_participant']:.1f} MB per participant; "
            f"{cpu_line(b['cpu'])}"
        )
        for err, k in b["errors"].items():
            out.append(f"bare N={b['n']}: FAILURE x{k}: {err}")
    for key in ("ours", "pg2"):
        run = fig.get(key)
        if not run:
            continue
        label = run["label"]
        for j in run["joins"]:
            if "error" in j:
                out.append(f"{label} N={j['n']}: RUN FAILED: {j['error']}")
                continue
            jo, m = j["join"], j["memory"]
            out.append(
                f"{label} N={j['n']}: join {fmt3(jo['join_s'], 3)} s, of which page "
                f"{fmt3(jo['page_s'], 3)}, +assets {fmt3(jo['js_s'], 3)}; wall "
                f"{f1(jo['wall_s'], 2)} s; {cpu_line(jo['cpu'])}"
            )
            for err, k in jo["errors"].items():
                out.append(f"{label} N={j['n']}: FAILURE x{k}: {err}")
            for line in jo.get("server_log", []):
                out.append(f"{label} N={j['n']}:   server log: {line}")
            per = ", ".join(
                f"{s0['server_rss_mb']:.1f} -> {s1['server_rss_mb']:.1f} MB"
                for s0, s1 in zip(m["before"]["servers"], m["with"]["servers"], strict=True)
            )
            out.append(
                f"{label} N={j['n']}: memory: {m['held_polls']} long-polls held; serve RSS {per};"
                f" child processes {m['before']['kernels']} -> {m['with']['kernels']} "
                f"({m['before']['kernel_rss_sum_mb']:.0f} -> {m['with']['kernel_rss_sum_mb']:.0f}"
                f" MB); server fds {m['before']['server_fds']} -> {m['with']['server_fds']}; "
                f"added {m['mb_added']:.1f} MB = {m['mb_per_participant']:.3f} MB per participant"
            )
        a = run.get("answers")
        if not a:
            continue
        if "error" in a:
            out.append(f"{label} answers: RUN FAILED: {a['error']}")
            continue
        j, x, lat = a["join"], a["answers"], a["latency"]
        for failure in a.get("presenter_start_failures", []):
            out.append(f"{label} answers: PRESENTER START FAILED (then a fresh tab): {failure}")
        out.append(
            f"{label} answers: presenter page + session from the UI in {a['presenter_open_s']:.1f}"
            f" s; {j['ok']}/{j['n']} joined together in {fmt3(j['join_s'], 3)} s; planned "
            f"{x['planned']}, sent {x['sent_ok']}, send errors {x['send_errors'] or 'none'}, "
            f"stored rows {x['stored_rows']} ({x['stored_participants']} participants), lost "
            f"{x['lost']}, extra {x['extra']}"
        )
        out.append(
            f"{label} answers: answer -> screen (DOM mutation) {fmt3(lat['dom_s'], 3)} s, -> next"
            f" frame {fmt3(lat['frame_s'], 3)} s; {lat['measured']} measured, "
            f"{lat['shown_before_post_returned']} shown before their POST returned (0), "
            f"{lat['never_shown']} never shown; final count on screen {a['final_shown']} "
            f"('{a['stats_text'][:80]}'); browser clock offset {a['clock']['offset_s'] * 1000:.1f}"
            f" ms (round trip {a['clock']['rtt_s'] * 1000:.1f} ms, not applied); "
            f"{cpu_line(a['cpu'])}"
        )
        lt = a.get("main_thread_long_tasks") or {}
        out.append(
            f"{label} answers: {a.get('screen_updates')} count changes on screen, interval "
            f"{fmt3(a.get('screen_update_interval_s'), 3)} s; tab main thread in long tasks "
            f"(> 50 ms) {lt.get('ms', 0) / 1000:.1f} s = {100 * lt.get('share', 0):.0f}% of the "
            f"answer phase ({lt.get('count')} tasks)"
        )
        m0, m1, m2 = a["memory_presenter_only"], a["memory_with_participants"], a[
            "memory_after_answers"]  # fmt: skip
        out.append(
            f"{label} answers: serve RSS {m0['server_rss_mb']:.0f} (presenter only) -> "
            f"{m1['server_rss_mb']:.0f} ({j['ok']} joined, following) -> "
            f"{m2['server_rss_mb']:.0f} MB (after the answers); presenter kernel "
            f"{m0['kernel_rss_sum_mb']:.0f} -> {m1['kernel_rss_sum_mb']:.0f} -> "
            f"{m2['kernel_rss_sum_mb']:.0f} MB; long-poll errors {a['poll_errors'] or 'none'}; "
            f"page errors {a['page_errors'] or 'none'}; blocked requests "
            f"{a['blocked_requests'] or 'none'}"
        )
        s = a.get("soak")
        if s:
            sl = s["slope_mb_per_min"]
            out.append(
                f"{label} soak: {s['minutes']:g} min, {s['sent']} answers at {s['rate_per_s']:g}/s"
                f" (errors {s['errors'] or 'none'}), {len(s['samples'])} samples; slopes MB/min: "
                f"presenter kernel {f1(sl['kernel_rss'], 3)}, serve {f1(sl['server_rss'], 3)}, "
                f"JS heap {f1(sl['js_heap_used'], 3)}, JS heap after GC "
                f"{f1(sl['js_heap_after_gc'], 3)}; DOM nodes/min {f1(s['dom_nodes_per_min'], 1)};"
                f" first/last: kernel {s['first']['kernel_rss_mb']:.0f}/"
                f"{s['last']['kernel_rss_mb']:.0f} MB, serve {s['first']['server_rss_mb']:.0f}/"
                f"{s['last']['server_rss_mb']:.0f} MB, heap {s['first']['js_heap_used_mb']:.1f}/"
                f"{s['last']['js_heap_used_mb']:.1f} MB, nodes {s['first']['dom_nodes']}/"
                f"{s['last']['dom_nodes']}; stored {s['stored_rows_end']}, screen at the end "
                f"'{s['stats_text_end'][:60]}'; {cpu_line(s['cpu'])}"
            )
            if s.get("tab_errors") or s.get("tab_crashed"):
                first = s["tab_errors"][0] if s.get("tab_errors") else None
                out.append(
                    f"{label} soak: THE TAB STOPPED ANSWERING: {len(s.get('tab_errors', []))} "
                    f"samples without an answer within 60 s"
                    + (f", the first at {first[0] / 60:.1f} min ({first[1]})" if first else "")
                    + (", renderer crashed" if s.get("tab_crashed") else "")
                    + f"; soak ran {s.get('ran_minutes', 0):.1f} of {s['minutes']:g} min"
                )
            rows = [r for r in s["samples"] if r.get("lag_answers") is not None]
            if rows:
                shares = [r["main_thread_share"] for r in rows if "main_thread_share" in r] or [0]
                out.append(
                    f"{label} soak: screen behind the store by (answers) "
                    + ", ".join(
                        f"{r['t_s'] / 60:.0f} min {r['lag_answers']}"
                        for r in rows[:: max(1, len(rows) // 10)]
                    )
                    + f"; tab main thread in long tasks: median {100 * statistics.median(shares):.0f}%"
                    f", max {100 * max(shares):.0f}% of each 10 s"
                )
        for line in a.get("server_log", []):
            out.append(f"{label} answers:   server log: {line}")
    return "\n".join(out)


# ------------------------------------------------------------------------------------- main


def int_list(text: str) -> list[int]:
    return [int(x) for x in text.replace(" ", "").split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int_list, default=None, help="join sizes (default 60,300,1000)")
    parser.add_argument("--baseline-n", type=int_list, default=None, help="bare Voilà N (60)")
    parser.add_argument("--skip-baseline", action="store_true", help="no bare Voilà baseline")
    parser.add_argument("--skip-answers", action="store_true", help="no answer run (nor soak)")
    parser.add_argument("--postgres", metavar="URL", help="also run 2 serve processes on it")
    parser.add_argument("--soak-minutes", type=float, default=None, help="default 30; 0: none")
    parser.add_argument("--soak-rate", type=float, default=5.0, help="answers/s in the soak")
    parser.add_argument("--answer-participants", type=int, default=None, help="default 1000")
    parser.add_argument("--answers-each", type=int, default=5)
    parser.add_argument("--answer-seconds", type=float, default=None, help="default 60")
    parser.add_argument("--no-follow", action="store_true", help="phones hold no long-poll")
    parser.add_argument("--quick", action="store_true", help="small sizes, 1-minute soak")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--profile", type=Path, metavar="DIR",
        help="py-spy profiles of the serve processes during the joins and of the presenter "
        "kernel during the answers, into DIR (slows the run: do not quote its figures)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument(
        "--kit-tree", type=Path, default=ROOT,
        help="import kit from this folder (servers and script), e.g. a `git archive` export",
    )  # fmt: skip
    parser.add_argument("--visit-timeout", type=float, default=180.0, help="bare visit (s)")
    parser.add_argument("--join-timeout", type=float, default=120.0, help="per join (s)")
    parser.add_argument("--ready-timeout", type=float, default=180.0, help="server start (s)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.n = args.n or ([30, 100] if quick else [60, 300, 1000])
    args.baseline_n = args.baseline_n or ([10] if quick else [60])
    args.answer_participants = args.answer_participants or (100 if quick else 1000)
    args.answer_seconds = args.answer_seconds or (15.0 if quick else 60.0)
    soak_minutes = args.soak_minutes if args.soak_minutes is not None else (1 if quick else 30)
    args.kit_tree = args.kit_tree.resolve()
    if any(n < 1 or n > 5000 for n in args.n + [args.answer_participants]):
        parser.error("sizes must be between 1 and 5000")
    if any(n > 100 for n in args.baseline_n):
        parser.error("bare Voilà above N=100 would need a kernel (~70 MB) per visit")
    if args.kit_tree != ROOT:
        sys.path.insert(0, str(args.kit_tree))
    fd_limit = raise_fd_limit()

    started = datetime.now().astimezone()
    fig: dict = {
        "started": started.isoformat(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "soak_minutes": soak_minutes,
        "machine": machine_state(args),
    }
    fig["args"]["postgres"] = bool(args.postgres)
    log(f"machine: {json.dumps(fig['machine'])}; RLIMIT_NOFILE {fd_limit}")
    with tempfile.TemporaryDirectory(prefix="kit-live-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_baseline:
            nb_dir = workdir / "bare-notebooks"
            nb_dir.mkdir()
            nb = write_bare_notebook(nb_dir)
            fig["bare"] = []
            for n in args.baseline_n:
                try:
                    fig["bare"].append(baseline(n, args, workdir, nb_dir, nb))
                except Exception as exc:  # noqa: BLE001 - report and go on
                    log(f"bare N={n}: run failed: {type(exc).__name__}: {exc}")
                    fig["bare"].append({"n": n, "error": f"{type(exc).__name__}: {exc}"[:400]})
        fig["ours"] = asyncio.run(ours("1 serve/SQLite", "sqlite", 1, args, workdir, soak_minutes))
        if args.postgres:
            pg_url, drop = fresh_postgres_database(args.postgres)
            try:
                fig["machine"]["postgres"] = postgres_version(pg_url)
                fig["pg2"] = asyncio.run(ours("2 serve/PostgreSQL", pg_url, 2, args, workdir, 0))
            finally:
                drop()
    fig["machine"]["loadavg_end"] = loadavg()

    m = fig["machine"]
    print()
    print(
        f"live_load {started:%Y-%m-%d %H:%M %Z}; {m['cpus']} x {m['cpu_model']}; "
        f"{m['mem_total_gb']} GB; Linux {m['kernel']}; python {m['python']}; {m['chromium']}; "
        f"kit {m['kit_commit']} ({m['kit_tree']}); load {m['loadavg_start']} -> {m['loadavg_end']}"
    )
    print(
        "join = release -> GET /delta?kode (+ any script or style it names) + POST join returned the cases; "
        "bare Voilà = release -> page + kernel websocket comm_info_reply"
    )
    print(
        "memory per participant = (serve RSS + child RSS with N long-polls held - before) / N; "
        "bare = (server + kernels after N visits - before) / N"
    )
    print(
        "answer -> screen = POST /answer returned -> the presenter tab's .kit-stats showed a "
        "count >= the answer's rank (MutationObserver, same wall clock)"
    )
    print()
    print(results_table(fig))
    print()
    print(details(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1, default=str))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
