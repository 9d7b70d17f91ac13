#!/usr/bin/env python3
"""Tab memory of a chart redrawn again and again: the kit's patched chart script against
Altair's own, in the same run. Not part of the tests.

    python bench/chart_memory.py [--updates 150] [--interval 0.3] [--bars 48]

For each variant a plain Voilà serves a one-cell notebook: one ``alt.JupyterChart`` of ``--bars``
bars whose ``chart`` is reassigned ``--updates`` times, every ``--interval`` s, from a thread
(as the presenter's dashboard does). Chromium (Debian's, headless) shows the page; through the
DevTools protocol the script forces a garbage collection and reads the tab's JS heap
(``JSHeapUsedSize``), DOM nodes and event listeners after the first draw and after the last
update. Printed: the growth in all, and per update.

- ``altair``: Altair's script made offline by ``alt.JupyterChart.enable_offline()`` (its
  ``reembed`` registers two model handlers per redraw and never removes them);
- ``kit``: the kit's bundle (``kit.core.ui.charts.build_bundle``, Altair's script with
  ``JS_FIXES``).

Figures only: nothing is asserted. Servers bind 127.0.0.1 on free ports, run in their own
process group and are stopped by their own process id; outside requests are aborted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")

CELL = """
import os, threading, time
import altair as alt, pandas as pd
import ipywidgets as widgets

variant = os.environ["KIT_BENCH_VARIANT"]
if variant == "kit":
    from kit.core.ui.charts import enable_offline_charts
    enable_offline_charts()
else:
    alt.JupyterChart.enable_offline(True)

BARS, UPDATES, INTERVAL = {bars}, {updates}, {interval}

def chart(step):
    data = pd.DataFrame({{"case": [f"case {{i}}" for i in range(BARS)],
                          "n": [(i * 7 + step) % 13 for i in range(BARS)]}})
    return alt.Chart(data).mark_bar().encode(x="n:Q", y="case:N")

view = alt.JupyterChart(chart(0), embed_options={{"actions": False, "renderer": "svg"}})
status = widgets.HTML("<p id='bench-status'>ready</p>")

def loop():
    time.sleep(3)  # the first draw and the first reading
    for step in range(1, UPDATES + 1):
        view.chart = chart(step)
        time.sleep(INTERVAL)
    status.value = "<p id='bench-status'>done</p>"

threading.Thread(target=loop, daemon=True).start()
widgets.VBox([status, view])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def notebook(path: Path, args: argparse.Namespace) -> None:
    source = CELL.format(bars=args.bars, updates=args.updates, interval=args.interval)
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


def metrics(cdp) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    got = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap_mb": got["JSHeapUsedSize"] / 2**20,
        "nodes": got["Nodes"],
        "listeners": got["JSEventListeners"],
    }


def run_variant(variant: str, folder: Path, args: argparse.Namespace, pw) -> dict:
    port = free_port()
    env = dict(os.environ, KIT_BENCH_VARIANT=variant)
    log = open(folder / f"voila-{variant}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            str(folder / "chart.ipynb"),
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--no-browser",
            "--Voila.port_retries=0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "api", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            local = (url, url.replace("http", "ws"))
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort()
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(url, timeout=180_000)
            page.wait_for_selector("#bench-status", timeout=180_000)
            page.wait_for_selector("svg.marks", timeout=60_000)
            first = metrics(cdp)
            started = time.monotonic()
            page.wait_for_function(
                "document.querySelector('#bench-status')?.textContent === 'done'",
                timeout=int((args.updates * args.interval + 120) * 1000),
            )
            time.sleep(2)  # the last redraw
            last = metrics(cdp)
            svgs = page.evaluate("document.querySelectorAll('svg.marks').length")
            took = time.monotonic() - started
        finally:
            browser.close()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()
    return {"variant": variant, "first": first, "last": last, "svgs": svgs, "seconds": took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=150)
    parser.add_argument("--interval", type=float, default=0.3)
    parser.add_argument("--bars", type=int, default=48)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from kit.core.ui.charts import build_bundle

    build_bundle()  # the kit's bundle is built before the clock starts, as `serve` does
    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        notebook(folder / "chart.ipynb", args)
        for variant in ("altair", "kit"):
            results.append(run_variant(variant, folder, args, pw))
    print(
        f"{args.updates} redraws of a {args.bars}-bar chart every {args.interval} s; "
        "after forced GC:"
    )
    print(
        f"{'variant':8} {'heap MB':>16} {'DOM nodes':>18} {'listeners':>14} {'per redraw':>26} svg"
    )
    for r in results:
        a, b = r["first"], r["last"]
        dh, dn, dl = (
            b["heap_mb"] - a["heap_mb"],
            b["nodes"] - a["nodes"],
            b["listeners"] - a["listeners"],
        )
        print(
            f"{r['variant']:8} {a['heap_mb']:7.1f} -> {b['heap_mb']:6.1f} "
            f"{a['nodes']:8.0f} -> {b['nodes']:7.0f} {a['listeners']:5.0f} -> {b['listeners']:5.0f} "
            f"{dh / args.updates * 1024:8.1f} KB {dn / args.updates:6.1f} nodes {dl / args.updates:4.1f} l."
            f"  {r['svgs']}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=2))


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
