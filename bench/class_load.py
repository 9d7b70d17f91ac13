#!/usr/bin/env python3
"""A class of learners opening an app at once, and a single visit of every app. Not part of the
tests; figures only, nothing is asserted.

    python bench/class_load.py [--n 30] [--reps 3] [--skip-class-browser] [--json FILE]
                               [--kit-tree DIR]

Four servers, one after the other, each on a free port of 127.0.0.1 in its own process group,
stopped by its own process id:

1. **bare Voilà**: ``python -m voila`` over one notebook with one Dropdown (live_load.py's
   baseline page), a kernel started per visit;
2. **cold**: ``samskaping serve --preheat 0`` (every visit starts its own kernel);
3. **preheated**: ``samskaping serve --preheat 0 --preheat-app klassifiser=N`` (N kernels of
   Klassifiser kept ready; the script waits until all N are);
4. **default**: ``samskaping serve`` as it starts by default (one kernel ready per app).

The kit's servers run with ``--max-kernels-per-address 0``: every visit here comes from
127.0.0.1, where a class on a network has an address per laptop.

**A class at once** (servers 1-3): N visits of Klassifiser (the bare page on server 1) released
together. Two criteria:

- *kernel-ready* (all three): each visit reads the whole page (Voilà sends the last of it when
  the notebook has run), opens the kernel websocket and asks for every widget's state, as the
  page's widget manager does (the ``jupyter.widget.control`` comm, ``request_states``); the time
  is until the ``update_states`` reply. This is the server's part of an interactive page and all
  of what the server can make faster. It is what each learner's laptop waits for; on this
  2-core machine, 30 Chromium tabs doing the JavaScript work besides the server would measure
  the tabs more than the server (see the browser criterion).
- *browser* (``--skip-class-browser`` to skip): the same N visits as N Chromium tabs, each in a
  context of its own (an empty cache, as a first visit), until the app's heading ``.kit-app h1``
  (the bare page: its Dropdown) is on screen. Here the tabs share the server's two cores.

**A single visit of every app** (servers 1, 2, 4): one Chromium tab in a fresh context per
visit, one at a time, ``--reps`` visits of each app; the time from ``goto`` until the app's
heading (the bare page: its Dropdown) is on screen. On the default server the script waits
before each visit until the app's pool has its kernel back (the visit before took it). The ratio
is each app's median over the bare page's median in the same run.

Each phase's CPU line says how busy the machine was and how much of it was other work (processes
not started here); other work slows every figure and is shown, never subtracted.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_load import (  # noqa: E402 - the house helpers, beside this script
    CHROMIUM,
    CHROMIUM_ARGS,
    CONFIG_RE,
    HOST,
    ROOT,
    CpuWatch,
    Server,
    cpu_line,
    descendants,
    f1,
    fmt3,
    free_port,
    loadavg,
    log,
    machine_state,
    met,
    raise_fd_limit,
    rss_mb,
    samskaping_command,
    start_bare,
    summary,
    write_bare_notebook,
)

CLASS_APP = "03_klassifiser.ipynb"
APPS = (
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
KIT_READY = ".kit-app h1"
BARE_READY = ".widget-dropdown select"
TARGETS = {"class_p95_s": 2.0, "single_ratio": 1.0}
#: Seconds a kernel waits for its page (``--kernel-connect-timeout``; 60 by default). 30 tabs on
#: this machine's two cores take longer than 60 s to connect: with the default the server shuts
#: their kernels down first, which a class of laptops never sees.
CONNECT_TIMEOUT = 600


# -------------------------------------------------------------------------------- servers


def start_kit(name: str, options: list[str], workdir: Path, tree: Path) -> Server:
    port = free_port()
    db = f"sqlite:///{workdir / f'{name}.sqlite3'}"
    argv = [
        *samskaping_command(), "serve", "--port", str(port), "--no-browser",
        "--log", str(workdir / f"{name}-server.log"), "--max-kernels-per-address", "0",
        "--kernel-connect-timeout", str(CONNECT_TIMEOUT), *options,
    ]  # fmt: skip
    env = dict(os.environ, KIT_DB_URL=db)
    # the kit of --kit-tree, wherever the console script's install points
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    srv = Server(name, argv, port, env, workdir, tree, ready_path="delta")
    srv.server_log = workdir / f"{name}-server.log"  # type: ignore[attr-defined]
    return srv


def server_log(srv: Server) -> str:
    path = getattr(srv, "server_log", srv.log_path)
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def wait_ready_kernels(srv: Server, count: int, timeout: float) -> float:
    """Seconds until the server has logged ``count`` preheated kernels ready (in all)."""
    start = time.monotonic()
    while server_log(srv).count("is ready") < count:
        if srv.proc.poll() is not None:
            raise RuntimeError(f"{srv.name} exited:\n{srv.log_tail()}")
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"{srv.name}: fewer than {count} kernels ready after {timeout}s")
        time.sleep(0.5)
    return time.monotonic() - start


def settle(seconds: float = 3.0) -> None:
    """A pause between phases, so that one does not measure the tail of the last (kernels
    shutting down, pools filling up)."""
    time.sleep(seconds)


def kernel_rss(srv: Server) -> list[float]:
    return [s for p in descendants(srv.pid) if (s := rss_mb(p)) is not None]


def shut_kernels(srv: Server, kernel_ids: list[str]) -> int:
    """What a closing tab sends (Voilà's beacon), for each kernel a phase left running; how
    many the server shut down (204)."""
    done = 0
    for kid in kernel_ids:
        token = uuid.uuid4().hex
        conn = http.client.HTTPConnection(HOST, srv.port, timeout=30)
        try:
            conn.request(
                "POST",
                f"/voila/api/shutdown/{kid}",
                body=f"_xsrf={token}",
                headers={
                    "Cookie": f"_xsrf={token}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            response = conn.getresponse()
            response.read()
            done += response.status == 204
        except OSError:
            pass
        finally:
            conn.close()
    if done < len(kernel_ids):
        log(f"{srv.name}: {len(kernel_ids) - done} of {len(kernel_ids)} kernels not shut down")
    return done


# ------------------------------------------------------------ the kernel-ready criterion


def _shell(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "bench",
            "session": session,
            "date": "",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _decode(frame: str | bytes) -> dict:
    """A message of Jupyter Server's websocket (JSON text, or its binary form with buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end])


def state_visit(port: int, path: str, timeout: float) -> dict:
    """GET the page, then ask its kernel for every widget's state; timestamps."""
    import websocket

    deadline = time.monotonic() + timeout
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", f"/{path}")
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")
        page = resp.read().decode("utf-8", errors="replace")
    finally:
        conn.close()
    t_page = time.monotonic()
    found = CONFIG_RE.search(page)
    if not found:
        raise RuntimeError("no jupyter-config-data in page")
    kernel_id = json.loads(found.group(1))["kernelId"]
    session = uuid.uuid4().hex
    ws = websocket.create_connection(
        f"ws://{HOST}:{port}/api/kernels/{kernel_id}/channels?session_id={session}",
        timeout=max(1.0, deadline - time.monotonic()),
    )
    try:
        comm_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                _shell(
                    "comm_open",
                    {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
                    session,
                    {"version": "1.0.0"},
                )
            )
        )
        ws.send(
            json.dumps(
                _shell(
                    "comm_msg",
                    {"comm_id": comm_id, "data": {"method": "request_states"}},
                    session,
                )
            )
        )
        for _ in range(100_000):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no update_states before the deadline")
            ws.settimeout(left)
            msg = _decode(ws.recv())
            content = msg.get("content") or {}
            if (
                msg.get("msg_type") == "comm_msg"
                and content.get("comm_id") == comm_id
                and (content.get("data") or {}).get("method") == "update_states"
            ):
                states = len(content["data"].get("states") or {})
                return {
                    "t_page": t_page,
                    "t_ready": time.monotonic(),
                    "widgets": states,
                    "kernel_id": kernel_id,
                }
        raise RuntimeError("too many messages without update_states")
    finally:
        ws.close()


def class_run(srv: Server, path: str, n: int, timeout: float) -> dict:
    """N visits released together (threads and a barrier), kernel-ready criterion."""
    results: list[dict | None] = [None] * n
    barrier = threading.Barrier(n + 1)

    def visit(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = state_visit(srv.port, path, timeout)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            results[i] = {"error": f"{type(exc).__name__}: {exc}"[:160]}

    threads = [threading.Thread(target=visit, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    cpu = CpuWatch([srv.pid]).start()
    barrier.wait(timeout=60)
    t0 = time.monotonic()
    for th in threads:
        th.join(timeout=timeout + 30)
    usage = cpu.stop()
    ok = [r for r in results if r is not None and "error" not in r]
    errors = Counter(r["error"] for r in results if r is not None and "error" in r)
    return {
        "n": n,
        "ready_s": summary([r["t_ready"] - t0 for r in ok]),
        "page_s": summary([r["t_page"] - t0 for r in ok]),
        "ok": len(ok),
        "failures": n - len(ok),
        "errors": dict(errors),
        "widgets_median": statistics.median([r["widgets"] for r in ok]) if ok else None,
        "kernel_ids": [r["kernel_id"] for r in ok],
        "cpu": usage,
    }


# ------------------------------------------------------------------------ the browser


async def _browser_class(url: str, selector: str, n: int, timeout: float, pid: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cpu = CpuWatch([pid]).start()  # the browser's processes exist now: counted as ours
        try:
            contexts = [await browser.new_context() for _ in range(n)]
            pages = [await c.new_page() for c in contexts]
            for page in pages:
                await page.route(
                    re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort()
                )
            start = asyncio.Event()

            async def visit(page) -> float:
                await start.wait()
                t0 = time.monotonic()
                await page.goto(url, timeout=timeout * 1000, wait_until="commit")
                await page.wait_for_selector(selector, timeout=timeout * 1000)
                return time.monotonic() - t0

            tasks = [asyncio.ensure_future(visit(p)) for p in pages]
            await asyncio.sleep(0.5)
            start.set()
            done = await asyncio.gather(*tasks, return_exceptions=True)
            kernel_ids = []
            for page in pages:
                try:
                    config = await page.evaluate(KERNEL_ID_JS)
                    kernel_ids.append(json.loads(config)["kernelId"])
                except Exception:  # noqa: BLE001 - a page that failed has none
                    pass
            usage = cpu.stop()
            for context in contexts:
                await context.close()
        finally:
            await browser.close()
    times = [d for d in done if isinstance(d, float)]
    errors = Counter(f"{type(d).__name__}: {d}"[:120] for d in done if not isinstance(d, float))
    return {
        "n": n,
        "ready_s": summary(times),
        "failures": n - len(times),
        "errors": dict(errors),
        "kernel_ids": kernel_ids,
        "cpu": usage,
    }


def browser_class(srv: Server, path: str, selector: str, n: int, timeout: float) -> dict:
    return asyncio.run(_browser_class(f"{srv.url}{path}", selector, n, timeout, srv.pid))


KERNEL_ID_JS = "document.getElementById('jupyter-config-data').textContent"


def page_kernel_id(page) -> str | None:
    try:
        return json.loads(page.evaluate(KERNEL_ID_JS))["kernelId"]
    except Exception:  # noqa: BLE001 - a page without a kernel
        return None


def single_visits(
    srv: Server,
    apps: list[tuple[str, str]],
    reps: int,
    timeout: float,
    before_visit=None,
) -> dict:
    """``reps`` visits of each (path, selector), one at a time, a fresh context each."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {path: [] for path, _ in apps}
    errors: Counter = Counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cpu = CpuWatch([srv.pid]).start()  # the browser's processes exist now: counted as ours
        try:
            # one throwaway visit: the browser's own start-up is nobody's first visit
            warm = browser.new_page()
            warm.goto(f"{srv.url}", timeout=timeout * 1000)
            warm.close()
            visits = 0
            for _rep in range(reps):
                for path, selector in apps:
                    if before_visit is not None:
                        before_visit(path, visits)
                    context = browser.new_context()
                    page = context.new_page()
                    page.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
                    kernel_id = None
                    try:
                        t0 = time.monotonic()
                        answer = page.goto(
                            f"{srv.url}{path}", timeout=timeout * 1000, wait_until="commit"
                        )
                        if answer is not None and answer.status != 200:
                            raise RuntimeError(f"HTTP {answer.status}")
                        page.wait_for_selector(selector, timeout=timeout * 1000)
                        times[path].append(time.monotonic() - t0)
                        kernel_id = page_kernel_id(page)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        errors[f"{path}: {type(exc).__name__}: {exc}"[:120]] += 1
                    finally:
                        context.close()
                    if kernel_id:  # a closed context sends no close-tab beacon: sent here
                        shut_kernels(srv, [kernel_id])
                    visits += 1
                    time.sleep(0.5)
            usage = cpu.stop()
        finally:
            browser.close()
    return {
        "median_s": {p: statistics.median(v) if v else None for p, v in times.items()},
        "all_s": times,
        "errors": dict(errors),
        "cpu": usage,
    }


# ------------------------------------------------------------------------------ the run


def run(args: argparse.Namespace, workdir: Path) -> dict:
    fig: dict = {"machine": machine_state(args), "n": args.n}
    tree = args.kit_tree
    nb_dir = workdir / "bare"
    nb_dir.mkdir()
    bare_nb = write_bare_notebook(nb_dir)
    bare_path = f"voila/render/{bare_nb}"
    class_path = f"voila/render/{CLASS_APP}"

    def report_class(label: str, res: dict, key: str = "ready_s") -> None:
        log(
            f"{label}: {res['n']} at once -> {fmt3(res[key])} s (p50/p95/max), "
            f"fail {res['failures']}; {cpu_line(res['cpu'])}"
        )
        for err, k in res["errors"].items():
            log(f"{label}: failure x{k}: {err}")

    # 1. bare Voilà
    if "bare" in args.phases:
        bare = start_bare(nb_dir, workdir)
        try:
            bare.wait_ready(args.ready_timeout)
            settle()
            fig["bare_class"] = res = class_run(bare, bare_path, args.n, args.visit_timeout)
            report_class("bare Voilà, kernel-ready", res)
            shut_kernels(bare, res["kernel_ids"])
            settle(5)
            if not args.skip_class_browser:
                fig["bare_class_browser"] = res = browser_class(
                    bare, bare_path, BARE_READY, args.n, args.visit_timeout
                )
                report_class("bare Voilà, browser", res)
                shut_kernels(bare, res["kernel_ids"])
                settle(5)
            fig["bare_single"] = res = single_visits(
                bare, [(bare_path, BARE_READY)], args.reps, args.visit_timeout
            )
            log(f"bare Voilà, single visit: median {f1(res['median_s'][bare_path], 2)} s")
        finally:
            bare.stop()

    # 2. the kit, cold
    if "cold" in args.phases:
        cold = start_kit("cold", ["--preheat", "0"], workdir, tree)
        try:
            cold.wait_ready(args.ready_timeout)
            settle()
            fig["cold_class"] = res = class_run(cold, class_path, args.n, args.visit_timeout)
            report_class("kit cold, kernel-ready", res)
            shut_kernels(cold, res["kernel_ids"])
            settle(5)
            if not args.skip_class_browser:
                fig["cold_class_browser"] = res = browser_class(
                    cold, class_path, KIT_READY, args.n, args.visit_timeout
                )
                report_class("kit cold, browser", res)
                shut_kernels(cold, res["kernel_ids"])
                settle(5)
            apps = [(f"voila/render/{a}", KIT_READY) for a in APPS]
            fig["cold_single"] = res = single_visits(cold, apps, args.reps, args.visit_timeout)
            for path, median in res["median_s"].items():
                log(f"kit cold, single visit {path}: median {f1(median, 2)} s")
        finally:
            cold.stop()

    # 3. the kit, N kernels of Klassifiser ready
    if "preheated" in args.phases:
        pooled = start_kit(
            "preheated", ["--preheat", "0", "--preheat-app", f"klassifiser={args.n}"], workdir, tree
        )
        try:
            pooled.wait_ready(args.ready_timeout)
            filled = wait_ready_kernels(pooled, args.n, args.pool_timeout)
            settle(5)
            sizes = kernel_rss(pooled)
            fig["pool"] = {
                "fill_s": filled,
                "kernels": len(sizes),
                "rss_median_mb": statistics.median(sizes) if sizes else None,
            }
            log(
                f"preheated: {args.n} Klassifiser kernels ready after {filled:.0f} s, "
                f"median RSS {f1(fig['pool']['rss_median_mb'], 0)} MB each; load {loadavg()}"
            )
            fig["pooled_class"] = res = class_run(pooled, class_path, args.n, args.visit_timeout)
            report_class("kit preheated, kernel-ready", res)
            used = server_log(pooled).count("Using pre-heated kernel")
            log(f"kit preheated: {used} of {args.n} visits answered by a ready kernel")
            res["from_pool"] = used
            shut_kernels(pooled, res["kernel_ids"])
            if not args.skip_class_browser:
                wait_ready_kernels(pooled, 2 * args.n, args.pool_timeout)
                settle(5)
                before = server_log(pooled).count("Using pre-heated kernel")
                fig["pooled_class_browser"] = res = browser_class(
                    pooled, class_path, KIT_READY, args.n, args.visit_timeout
                )
                res["from_pool"] = server_log(pooled).count("Using pre-heated kernel") - before
                report_class("kit preheated, browser", res)
                log(f"kit preheated, browser: {res['from_pool']} of {args.n} from the pool")
                shut_kernels(pooled, res["kernel_ids"])
        finally:
            pooled.stop()

    # 4. the kit as it starts by default: one kernel ready per app
    if "default" in args.phases:
        default = start_kit("default", [], workdir, tree)
        try:
            default.wait_ready(args.ready_timeout)
            wait_ready_kernels(default, len(APPS), args.pool_timeout)
            settle(5)

            def pool_back(path: str, visits: int) -> None:
                # every visit before took a kernel from its app's pool; wait for each to be back
                wait_ready_kernels(default, len(APPS) + visits, args.pool_timeout)
                settle(2)

            apps = [(f"voila/render/{a}", KIT_READY) for a in APPS]
            fig["default_single"] = res = single_visits(
                default, apps, args.reps, args.visit_timeout, before_visit=pool_back
            )
            res["from_pool"] = server_log(default).count("Using pre-heated kernel")
            for path, median in res["median_s"].items():
                log(f"kit default (1 ready per app), single visit {path}: median {f1(median, 2)} s")
        finally:
            default.stop()
    fig["bare_single_median_s"] = (
        fig["bare_single"]["median_s"][bare_path] if "bare_single" in fig else None
    )
    fig["loadavg_end"] = loadavg()
    return fig


def table(fig: dict) -> str:
    def row(label: str, key: str, crit: str = "ready_s") -> str:
        res = fig.get(key)
        if not res:
            return f"| {label} | not run | |"
        extra = f", {res['from_pool']} from the pool" if "from_pool" in res else ""
        return (
            f"| {label} | {fmt3(res[crit])} | fail {res['failures']}{extra}; other work "
            f"{res['cpu']['other_pct']} %, machine {res['cpu']['machine_busy_pct']} % |"
        )

    n = fig["n"]
    lines = [
        f"### {n} learners open Klassifiser at once (s, p50/p95/max)",
        "",
        "| run | time to interactive | notes |",
        "|---|---|---|",
        row("bare Voilà one-widget page, kernel-ready", "bare_class"),
        row("kit, cold (--preheat 0), kernel-ready", "cold_class"),
        row(f"kit, preheated (klassifiser={n}), kernel-ready", "pooled_class"),
        row("bare Voilà one-widget page, Chromium tabs", "bare_class_browser"),
        row("kit, cold, Chromium tabs", "cold_class_browser"),
        row("kit, preheated, Chromium tabs", "pooled_class_browser"),
        "",
        f"Target p95 <= {TARGETS['class_p95_s']} s (preheated, kernel-ready criterion): "
        + met((fig.get("pooled_class") or {}).get("ready_s", {}).get("p95"), TARGETS["class_p95_s"])
        + ".",
        "",
        "### A single visit of every app, Chromium, median s (ratio to the bare page)",
        "",
        "| app | default (1 ready per app) | cold |",
        "|---|---|---|",
    ]
    bare = fig.get("bare_single_median_s")
    for app in APPS:
        path = f"voila/render/{app}"
        cells = []
        for key in ("default_single", "cold_single"):
            median = ((fig.get(key) or {}).get("median_s") or {}).get(path)
            ratio = f" ({median / bare:.2f}x)" if median and bare else ""
            cells.append(f"{f1(median, 2)}{ratio}")
        lines.append(f"| {app} | {cells[0]} | {cells[1]} |")
    lines.append(f"| bare one-widget page | {f1(bare, 2)} (1.00x) | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30, help="learners at once (default 30)")
    parser.add_argument("--reps", type=int, default=3, help="single visits of each app")
    parser.add_argument("--skip-class-browser", action="store_true")
    parser.add_argument("--visit-timeout", type=float, default=180.0)
    parser.add_argument("--ready-timeout", type=float, default=180.0)
    parser.add_argument("--pool-timeout", type=float, default=600.0)
    parser.add_argument(
        "--phases",
        default="bare,cold,preheated,default",
        help="which servers to run (default: bare,cold,preheated,default)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the servers' logs here")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--kit-tree", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    args.kit_tree = args.kit_tree.resolve()
    args.phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    raise_fd_limit()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        fig = run(args, Path(tempfile.mkdtemp(prefix="class-load-", dir=args.workdir)))
    else:
        with tempfile.TemporaryDirectory(prefix="class-load-") as tmp:
            fig = run(args, Path(tmp))
    print()
    print(table(fig))
    print(f"\nload average at start {fig['machine']['loadavg_start']}, at end {fig['loadavg_end']}")
    if args.json:
        args.json.write_text(json.dumps(fig, indent=1, default=str))
    return 0


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
