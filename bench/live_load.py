#!/usr/bin/env python3
"""Load benchmark of the live classroom (issue 4). Not part of the test suite.

    python bench/live_load.py --participants 10 30 60 [--json figures.json]
                              [--serve-arg=--some-option ...]

For each N it starts, one after the other, a real ``samskaping serve`` and a bare Voilà (each on a
free port of 127.0.0.1, each in its own process group, always stopped in ``finally``) and measures:

1. time to interactive (TTI) of N simultaneous first visits to the participant app
   ``voila/render/delta.ipynb?kode=CODE``: per visit, in its own thread, released together by a
   barrier: GET the whole page (Voilà executes the notebook while it streams the page), take
   ``kernelId`` from ``jupyter-config-data``, open the kernel websocket, send a
   ``comm_info_request`` and wait for its ``comm_info_reply``. TTI = barrier release -> reply;
2. answer -> dashboard latency: N simulated participants join and submit through
   ``kit.store.Store`` (the participant kernel's code path), spread over a few seconds, while a
   ``Presentator`` dashboard runs in this process; latency = submit returned -> the dashboard's
   ``stats`` widget first shows an answer count >= that answer's ordinal (polled every 10 ms);
3. memory after the N visits: RSS of the Voilà server and of each kernel (its child processes);
4. the same TTI and memory figures for a bare Voilà serving a one-cell Dropdown notebook.

Figures only, no pass/fail. Only loopback traffic. Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
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

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ANSWER_WHAT = (
    "store write -> dashboard refresh (in-process presenter); excludes the browser/websocket hop"
)
BARE_CELL = 'import ipywidgets as w\nw.Dropdown(options=["a","b"], description="x")'
CONFIG_RE = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ----------------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def samskaping_command() -> list[str]:
    script = Path(sys.executable).parent / "samskaping"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kit.cli"]


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


def loadavg() -> str:
    """1/5/15-minute load average: other work on the machine skews every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------------------------ servers


class Server:
    """A server in its own process group; ``stop`` kills the whole group."""

    def __init__(self, name: str, argv: list[str], port: int, env: dict, workdir: Path) -> None:
        self.name = name
        self.port = port
        self.url = f"http://{HOST}:{port}/"
        self.log_path = workdir / f"{name}-{port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
            env=env,
        )

    def wait_ready(self, timeout: float) -> float:
        """Seconds until GET / answered 200; raises on exit or timeout."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def wait_pool_filled(self, timeout: float, settle: float = 10.0) -> float:
        """With --preheat: seconds until Voilà reports the kernel pool filled, plus a settle
        pause so the pooled kernels have run their notebooks before the visits start."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            self._log.flush()
            if "is filled with" in self.log_path.read_text(errors="replace"):
                time.sleep(settle)
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: kernel pool not filled after {timeout}s")

    def dead_kernels(self) -> int:
        """How many kernels the server reported dead before their first reply."""
        self._log.flush()
        return self.log_path.read_text(errors="replace").count(
            "Kernel died before replying to kernel_info"
        )

    def log_excerpt(self, lines: int = 12) -> list[str]:
        """The server log's last warning/error lines (shown when a visit failed)."""
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
                except subprocess.TimeoutExpired:
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


def start_ours(port: int, db_url: str, workdir: Path, serve_args: list[str]) -> Server:
    argv = [*samskaping_command(), "serve", "--port", str(port), "--no-browser", *serve_args]
    env = dict(os.environ, KIT_DB_URL=db_url)
    return Server("samskaping", argv, port, env, workdir)


def start_bare(port: int, nb_dir: Path, workdir: Path) -> Server:
    argv = [
        sys.executable, "-m", "voila", str(nb_dir), "--port", str(port), "--no-browser",
        f"--Voila.ip={HOST}",
    ]  # fmt: skip
    return Server("bare-voila", argv, port, dict(os.environ), workdir)


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


# ------------------------------------------------------------------------------------- memory


def _proc_table() -> dict[int, int]:
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


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory(server_pid: int) -> dict:
    kernels = [pid for pid, ppid in _proc_table().items() if ppid == server_pid]
    sizes = [s for s in (rss_mb(p) for p in kernels) if s is not None]
    return {
        "server_rss_mb": rss_mb(server_pid),
        "kernels": len(sizes),
        "kernel_rss_median_mb": statistics.median(sizes) if sizes else None,
        "kernel_rss_max_mb": max(sizes) if sizes else None,
        "kernel_rss_sum_mb": sum(sizes),
    }


class CpuWatch:
    """How busy the machine was during a measurement, and how much of that was not ours.

    Ours = the server, its kernels (its children) and this benchmark process. The rest is other
    work on the machine, which slows every figure; it is reported, never subtracted.
    """

    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    @staticmethod
    def _busy() -> int:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    @staticmethod
    def _pid_jiffies(pid: int, children_too: bool = False) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        used = int(fields[11]) + int(fields[12])
        return used + (int(fields[13]) + int(fields[14]) if children_too else 0)

    def _ours(self) -> int:
        kids = [pid for pid, ppid in _proc_table().items() if ppid == self.server_pid]
        return (
            self._pid_jiffies(self.server_pid, children_too=True)
            + sum(self._pid_jiffies(pid) for pid in kids)
            + self._pid_jiffies(os.getpid())
        )

    def start(self) -> None:
        self.t, self.busy, self.ours = time.monotonic(), self._busy(), self._ours()

    def stop(self) -> dict:
        elapsed = time.monotonic() - self.t
        busy, ours = self._busy() - self.busy, self._ours() - self.ours
        capacity = max(1e-9, elapsed * self.HZ * (os.cpu_count() or 1))
        return {
            "machine_busy_pct": round(100 * busy / capacity, 1),
            "ours_pct": round(100 * min(ours, busy) / capacity, 1),
            "other_pct": round(100 * max(0, busy - ours) / capacity, 1),
            "ours_cpu_s": round(ours / self.HZ, 1),
        }


# ---------------------------------------------------------------------------------------- TTI


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
    cpu = CpuWatch(server_pid)
    cpu.start()
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


# --------------------------------------------------------------------- answer -> dashboard


def answer_run(db_url: str, cases: tuple, n: int, spread: float, timeout: float) -> dict:
    from kit.i18n import t
    from kit.live.store import Store
    from kit.widgets import Presentator

    presenter = Presentator(cases=cases, store=Store(db_url), refresh_seconds=1.0)
    code = presenter.start_session(cases)
    marker = "987654321"
    head, _, tail = t("live_answers", presenter.lang, n=marker).partition(marker)
    from html import escape

    count_re = re.compile(re.escape(escape(head)) + r"(\d+)" + re.escape(escape(tail)))
    answers = [("samskaping", 1), ("samskaping", 2), ("samproduksjon", 3),
               ("verdisamskaping", 3), ("ingen", None)]  # fmt: skip
    returned: list[float | None] = [None] * n
    errors: Counter = Counter()
    lock = threading.Lock()
    t_start = time.monotonic() + 0.5

    def participant(i: int) -> None:
        try:
            store = Store(db_url)
            try:
                time.sleep(max(0.0, t_start + spread * i / max(1, n) - time.monotonic()))
                token = store.join(code)
                process, level = answers[i % len(answers)]
                store.submit(code, token, cases[i % len(cases)].id, process, level)
                returned[i] = time.monotonic()
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors[f"{type(exc).__name__}: {exc}"[:160]] += 1

    def shown() -> int:
        found = count_re.search(presenter.stats.value)
        return int(found.group(1)) if found else -1

    threads = [threading.Thread(target=participant, args=(i,), daemon=True) for i in range(n)]
    observations: list[tuple[float, int]] = []  # (time, count) whenever the count changed
    try:
        for th in threads:
            th.start()
        last = None
        deadline = time.monotonic() + spread + timeout
        while time.monotonic() < deadline:
            now, count = time.monotonic(), shown()
            if count != last:
                observations.append((now, count))
                last = count
            if count >= n or (
                not any(th.is_alive() for th in threads)
                and count >= sum(r is not None for r in returned)
                and count >= 0
            ):
                break
            time.sleep(0.01)
        for th in threads:
            th.join(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        presenter.stop_polling()
        presenter.store.close()

    done = sorted(r for r in returned if r is not None)
    latencies, unseen = [], 0
    for k, t_ret in enumerate(done, start=1):
        # first observation at or after the submit returned that shows >= k answers
        seen = next((ts for ts, c in observations if c >= k and ts >= t_ret), None)
        if seen is None:
            earlier = any(c >= k for ts, c in observations if ts < t_ret)
            later_count = observations[-1][1] if observations else -1
            if earlier or later_count >= k:
                latencies.append(0.0)  # already shown when the submit returned
            else:
                unseen += 1
            continue
        latencies.append(seen - t_ret)
    return {
        "what": ANSWER_WHAT,
        "latency_s": summary(latencies),
        "submitted": len(done),
        "submit_errors": dict(errors),
        "not_shown_before_timeout": unseen,
        "final_count_shown": observations[-1][1] if observations else None,
    }


# ----------------------------------------------------------------------------------- one N


def run_n(n: int, args: argparse.Namespace, workdir: Path, bare_dir: Path, bare_nb: str) -> dict:
    import kit
    from kit.live.store import Store

    figures: dict = {"n": n}
    db_url = f"sqlite:///{workdir / f'responses-{n}.sqlite3'}"
    cases = tuple(kit.load_cases()[:10])
    with Store(db_url) as store:
        code = store.create_session(cases)

    server = start_ours(free_port(), db_url, workdir, args.serve_arg)
    try:
        ready = server.wait_ready(args.ready_timeout)
        if any(a.startswith("--preheat") for a in args.serve_arg):
            ready += server.wait_pool_filled(args.ready_timeout)
        before = memory(server.proc.pid)["kernels"]
        log(
            f"N={n}: samskaping serve ready on :{server.port} after {ready:.1f}s "
            f"({before} kernels already running); {n} visits"
        )
        load = loadavg()
        tti = tti_run(
            server.port,
            f"voila/render/delta.ipynb?kode={code}",
            n,
            args.visit_timeout,
            server.proc.pid,
            server.dead_kernels,
        )
        tti["loadavg_before"] = load
        tti["kernels_before"] = before
        if tti["failures"]:
            tti["server_log"] = server.log_excerpt()
        log(
            f"N={n}: ours  TTI {fmt3(tti['tti_s'])} wall {f1(tti['wall_s'])} fail {tti['failures']}"
            f" (CPU: machine {tti['cpu']['machine_busy_pct']}% busy, other work "
            f"{tti['cpu']['other_pct']}%)"
        )
        for err, k in tti["errors"].items():
            log(f"N={n}: ours  failure x{k}: {err}")
        for line in tti.get("server_log", []):
            log(f"N={n}: ours  server log: {line}")
        time.sleep(1.0)
        figures["ours"] = {**tti, "memory": memory(server.proc.pid), "ready_s": ready}
        if not args.no_answers:
            figures["answers"] = answer_run(
                db_url, cases, n, args.answer_spread, args.answer_timeout
            )
            a = figures["answers"]
            log(f"N={n}: answer->dashboard {fmt3(a['latency_s'])} ({a['submitted']} submitted)")
    finally:
        server.stop()

    if not args.no_bare:
        bare = start_bare(free_port(), bare_dir, workdir)
        try:
            ready = bare.wait_ready(args.ready_timeout)
            log(f"N={n}: bare voila ready on :{bare.port} after {ready:.1f}s; {n} visits")
            load = loadavg()
            tti = tti_run(
                bare.port,
                f"voila/render/{bare_nb}",
                n,
                args.visit_timeout,
                bare.proc.pid,
                bare.dead_kernels,
            )
            tti["loadavg_before"] = load
            tti["kernels_before"] = 0
            if tti["failures"]:
                tti["server_log"] = bare.log_excerpt()
            log(f"N={n}: bare  TTI {fmt3(tti['tti_s'])} wall {f1(tti['wall_s'])} "
                f"fail {tti['failures']} (CPU: machine {tti['cpu']['machine_busy_pct']}% busy, "
                f"other work {tti['cpu']['other_pct']}%)")  # fmt: skip
            for err, k in tti["errors"].items():
                log(f"N={n}: bare  failure x{k}: {err}")
            for line in tti.get("server_log", []):
                log(f"N={n}: bare  server log: {line}")
            time.sleep(1.0)
            figures["bare"] = {**tti, "memory": memory(bare.proc.pid), "ready_s": ready}
        finally:
            bare.stop()
    return figures


# ---------------------------------------------------------------------------------- output


def f1(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def fmt3(s: dict | None, digits: int = 2) -> str:
    if not s or s.get("p50") is None:
        return "-"
    return "/".join(f1(s[k], digits) for k in ("p50", "p95", "max"))


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def table(rows: list[dict]) -> str:
    head = [
        "N", "ours TTI p50/p95/max (s)", "wall (s)", "fail", "|",
        "bare TTI p50/p95/max (s)", "wall (s)", "fail", "|",
        "p95 ratio", "wall ratio", "|",
        "kernel RSS ours med/max (MB)", "bare med/max", "|",
        "server RSS ours/bare (MB)", "|", "answer->dashboard p50/p95/max (s)", "|",
        "other CPU % ours/bare",
    ]  # fmt: skip
    lines = [head]
    for r in rows:
        o, b, a = r.get("ours", {}), r.get("bare", {}), r.get("answers", {})
        om, bm = o.get("memory", {}), b.get("memory", {})
        lines.append([
            str(r["n"]), fmt3(o.get("tti_s")), f1(o.get("wall_s")), str(o.get("failures", "-")),
            "|", fmt3(b.get("tti_s")), f1(b.get("wall_s")), str(b.get("failures", "-")), "|",
            ratio((o.get("tti_s") or {}).get("p95"), (b.get("tti_s") or {}).get("p95")),
            ratio(o.get("wall_s"), b.get("wall_s")), "|",
            f"{f1(om.get('kernel_rss_median_mb'), 0)}/{f1(om.get('kernel_rss_max_mb'), 0)}",
            f"{f1(bm.get('kernel_rss_median_mb'), 0)}/{f1(bm.get('kernel_rss_max_mb'), 0)}", "|",
            f"{f1(om.get('server_rss_mb'), 0)}/{f1(bm.get('server_rss_mb'), 0)}", "|",
            fmt3(a.get("latency_s"), 3), "|",
            f"{(o.get('cpu') or {}).get('other_pct', '-')}/{(b.get('cpu') or {}).get('other_pct', '-')}",
        ])  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def details(rows: list[dict]) -> str:
    out = []
    for r in rows:
        for side in ("ours", "bare"):
            s = r.get(side)
            if not s:
                continue
            m = s["memory"]
            out.append(
                f"N={r['n']} {side}: kernels before the visits {s.get('kernels_before', 0)}; "
                f"page body read p50/p95/max {fmt3(s['page_s'])} s; "
                f"kernels {m['kernels']}, kernel RSS sum {f1(m['kernel_rss_sum_mb'], 0)} MB; "
                f"widgets (comms) per kernel {s['comms_median']}; ready after "
                f"{f1(s['ready_s'])} s; CPU used by server+kernels+script "
                f"{s['cpu']['ours_cpu_s']} s = {s['cpu']['ours_cpu_s'] / r['n']:.2f} s per visit; "
                f"during the visits the machine was "
                f"{s['cpu']['machine_busy_pct']}% busy, {s['cpu']['other_pct']}% of it other "
                f"work (load average before {s['loadavg_before']})"
            )
            for err, k in s["errors"].items():
                out.append(f"N={r['n']} {side}: FAILURE x{k}: {err}")
            for line in s.get("server_log", []):
                out.append(f"N={r['n']} {side}:   server log: {line}")
        a = r.get("answers")
        if a:
            out.append(
                f"N={r['n']} answers: {a['submitted']} submitted, final count shown "
                f"{a['final_count_shown']}, not shown before timeout "
                f"{a['not_shown_before_timeout']}, submit errors {a['submit_errors'] or 'none'}"
            )
    return "\n".join(out)


# ------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 30, 60], metavar="N")
    parser.add_argument(
        "--serve-arg", action="append", default=[], metavar="ARG",
        help="passed on to `samskaping serve` (repeatable; write --serve-arg=--flag)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--visit-timeout", type=float, default=120.0, help="per visit (s)")
    parser.add_argument("--ready-timeout", type=float, default=120.0, help="server start (s)")
    parser.add_argument("--answer-spread", type=float, default=3.0, help="submits over (s)")
    parser.add_argument("--answer-timeout", type=float, default=30.0, help="after spread (s)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Voilà baseline")
    parser.add_argument("--no-answers", action="store_true", help="skip answer->dashboard")
    args = parser.parse_args(argv)
    if any(n < 1 or n > 500 for n in args.participants):
        parser.error("N must be between 1 and 500")

    started = datetime.now().astimezone()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="kit-live-bench-") as tmp:
        workdir = Path(tmp)
        bare_dir = workdir / "bare-notebooks"
        bare_dir.mkdir()
        bare_nb = write_bare_notebook(bare_dir)
        for n in args.participants:
            try:
                rows.append(run_n(n, args, workdir, bare_dir, bare_nb))
            except Exception as exc:  # noqa: BLE001 - report and go on with the next N
                log(f"N={n}: run failed: {type(exc).__name__}: {exc}")
                rows.append({"n": n, "error": f"{type(exc).__name__}: {exc}"})

    cpus = os.cpu_count()
    print()
    print(f"live_load {started:%Y-%m-%d %H:%M %Z}; {cpus} CPUs; python {sys.version.split()[0]}; "
          f"serve args {args.serve_arg or 'none'}")  # fmt: skip
    print("TTI = N simultaneous first visits: barrier release -> page body read -> kernel "
          "websocket -> comm_info_reply; server freshly started (cold kernels unless serve args "
          "pre-start them: see 'kernels before')")  # fmt: skip
    print(f"answer->dashboard = {ANSWER_WHAT}")
    print("wall = barrier release -> last successful visit interactive; fail = visits that never")
    print("  became interactive (reasons below)")
    print("RSS = VmRSS after the N visits; kernels = child processes of the Voilà server")
    print("other CPU % = share of the machine's CPU time used by processes other than the server,")
    print("  its kernels and this script while the visits ran (other work slows every figure)")
    print()
    print(table([r for r in rows if "error" not in r]))
    print()
    print(details([r for r in rows if "error" not in r]))
    for r in rows:
        if "error" in r:
            print(f"N={r['n']}: RUN FAILED: {r['error']}")
    if args.json:
        payload = {
            "started": started.isoformat(),
            "cpus": cpus,
            "python": sys.version.split()[0],
            "serve_args": args.serve_arg,
            "answer_latency_measures": ANSWER_WHAT,
            "runs": rows,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
