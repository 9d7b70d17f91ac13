"""Check a machine's capacity with Locust: phones in a live session, and learners opening an app.

The course leader's check of their own machine (bench/README.md, "capacity.py"). It runs
``bench/locustfile.py`` headless and prints, per request, how many were made and failed and the
p50/p95/max response times, then the server's CPU time and memory.

    pip install -e '.[bench]'                 # Locust (the bench extra)
    python bench/capacity.py                  # 200 phones, 20 a second, for 2 minutes
    python bench/capacity.py --users 20 --spawn-rate 10 --run-time 20s     # a short check
    python bench/capacity.py --users 0 --learners 30 --spawn-rate 30 --run-time 1m   # a class
    python bench/capacity.py --url http://127.0.0.1:8866/ --code ABCD      # a server you run

Without ``--url`` it starts its own ``samskaping serve`` on a free port of 127.0.0.1 with a fresh
SQLite file in a temporary folder, makes a session of 10 cases in that database, and stops the
server by its process id at the end (SIGTERM, then SIGKILL to its process group). With ``--url``
it uses the server and the session (``--code``, from the presenter app) you give it: run it
against your own server only, and only while no class uses it.

Locust's client runs on the same machine as the server and takes CPU from it: on two cores the
figures are pessimistic. Every loop is bounded by ``--run-time``.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def samskaping_command() -> list[str]:
    script = Path(sys.executable).parent / "samskaping"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kit.server.cli"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of its children that have ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def below(pid: int) -> list[int]:
    """The processes below ``pid`` (its children, theirs, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [p for p, pp in parents.items() if pp == pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class OwnServer:
    """``samskaping serve`` on a free port, in its own process group, stopped by its pid."""

    def __init__(self, workdir: Path, serve_args: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.db_url = f"sqlite:///{workdir / 'answers.sqlite3'}"
        env = dict(os.environ, KIT_DB_URL=self.db_url)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self.log_path = workdir / "serve.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        argv = [*samskaping_command(), "serve", "--port", str(self.port), "--no-browser"]
        argv += ["--db", self.db_url, "--log", str(workdir / "serve-server.log"), *serve_args]
        self.proc = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        # `samskaping serve` runs the server in its own process (python -m kit.server.app)
        self.pid = self.proc.pid

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve stopped: see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}delta", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"serve did not answer in {timeout:.0f} s: see {self.log_path}")

    def create_session(self, count: int = 10) -> str:
        from kit.cases.casefile import load_cases
        from kit.live.store import Store

        with Store(self.db_url) as store:
            return store.create_session(tuple(load_cases()[:count])).code

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self._log.close()


def locust_argv(args: argparse.Namespace, url: str, code: str, csv_prefix: Path) -> list[str]:
    classes = ["PhoneUser"] + (["LearnerUser"] if args.learners > 0 else [])
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    argv += ["--users", str(args.users + args.learners), "--spawn-rate", str(args.spawn_rate)]
    argv += ["--run-time", args.run_time, "--host", url, "--code", code]
    argv += ["--answer-every", str(args.answer_every), "--learners", str(args.learners)]
    argv += ["--learner-app", args.learner_app, "--learner-every", str(args.learner_every)]
    argv += ["--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "5"]
    argv += ["--exit-code-on-error", "0"]  # failures are read from the figures, not the status
    if args.fake_addresses:
        argv.append("--fake-addresses")
    if args.processes != 1:
        argv += ["--processes", str(args.processes)]
    return argv + classes


def read_stats(csv_prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{csv_prefix}_stats.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def read_failures(csv_prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def seconds(ms: str) -> str:
    try:
        return f"{float(ms) / 1000:.2f}"
    except ValueError:
        return ms


def report(stats: list[dict[str, str]], failures: list[dict[str, str]]) -> str:
    lines = [
        f"{'request':<34} {'count':>7} {'failed':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7}",
    ]
    for row in stats:
        if row["Name"] == "Aggregated":  # mixes the long-poll's hold with the rest: left out
            continue
        name = row["Name"]
        lines.append(
            f"{name[:34]:<34} {row['Request Count']:>7} {row['Failure Count']:>7} "
            f"{seconds(row['50%']):>7} {seconds(row['95%']):>7} {seconds(row['Max Response Time']):>7}"
        )
    for row in failures:
        lines.append(f"  failed x{row['Occurrences']}: {row['Name']}: {row['Error'][:100]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="phones (default 200)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="new users a second (20)")
    parser.add_argument("--run-time", default="2m", help="how long, e.g. 20s, 2m (2m)")
    parser.add_argument("--answer-every", type=float, default=10, help="seconds between answers")
    parser.add_argument("--learners", type=int, default=0, help="learners opening an app (0)")
    parser.add_argument("--learner-app", default="03_klassifiser.ipynb")
    parser.add_argument(
        "--learner-every", type=float, default=0, help="seconds between visits (0: one visit)"
    )
    parser.add_argument("--url", help="a running server (default: start one here)")
    parser.add_argument("--code", help="the session code on --url (from the presenter app)")
    parser.add_argument(
        "--fake-addresses",
        action="store_true",
        help="each phone sends its own X-Real-IP (default: on for the server started here)",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="Locust processes (-1: a core each)"
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="an option for the server started here"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if shutil.which("locust") is None and not _has_locust():
        print("Locust is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if args.url and not args.code:
        parser.error("--url needs --code: start a session in the presenter app and give its code")

    workdir = Path(tempfile.mkdtemp(prefix="kit-capacity-"))
    server = None
    try:
        if args.url:
            url, code = args.url, args.code
        else:
            server = OwnServer(workdir, args.serve_arg)
            server.wait_ready()
            code = server.create_session()
            url = server.url
            # many phones from this one address: each its own, as behind a proxy on this machine
            args.fake_addresses = True
            print(f"serve pid {server.pid} on {url}, session {code}", flush=True)
        before = cpu_seconds(server.pid) if server else 0.0
        started = time.monotonic()
        csv_prefix = workdir / "locust"
        run = subprocess.run(
            locust_argv(args, url, code, csv_prefix),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=_run_seconds(args.run_time) + 120,
        )
        wall = time.monotonic() - started
        stats, failures = read_stats(csv_prefix), read_failures(csv_prefix)
        if not stats:
            print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
            return 1
        print(
            f"{args.users} phones (+{args.learners} learners), spawn rate {args.spawn_rate}/s, "
            f"{args.run_time} (wall {wall:.0f} s)"
        )
        print(report(stats, failures))
        client = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"Locust (the simulated clients): {client.ru_utime + client.ru_stime:.1f} CPU-s")
        if server:
            kernels = below(server.pid)
            cpu = cpu_seconds(server.pid) - before
            kernel_cpu = sum(cpu_seconds(p) for p in kernels)
            print(
                f"serve: {cpu:.1f} CPU-s over the run ({cpu / wall:.0%} of one core), RSS "
                f"{rss_mb(server.pid):.0f} MB; {len(kernels)} kernels running: "
                f"{kernel_cpu:.1f} CPU-s, {sum(rss_mb(p) for p in kernels):.0f} MB"
            )
        print(
            "state (long-poll) is held by the server up to 25 s while nothing changes: its time is "
            "that hold; read its failures."
        )
        return 0
    finally:
        if server:
            server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _has_locust() -> bool:
    import importlib.util

    return importlib.util.find_spec("locust") is not None


def _run_seconds(text: str) -> float:
    """Locust's time string (``90``, ``20s``, ``2m``, ``1h30m``) in seconds."""
    import re

    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)([hms]?)", text):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
