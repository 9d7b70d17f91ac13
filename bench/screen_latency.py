"""Answer -> big screen, and the word cloud after "vis", with N phones (default 300).

Measures, in one run on one `samskaping serve` (fresh SQLite file):

1. **answer -> big chart.** The session is made with the store (a case, then an open question);
   Chromium opens the presenter app and resumes it (its key put in the browser's storage, as the
   app keeps it), then the big screen (`skjerm?kode=`, presentation mode) in a second tab of the
   same browser. The screen shows the case with results on; the presenter app's spotlight shows
   it too. N phones join and follow the room; each answers once at a time drawn uniformly over
   `--seconds`. For the k-th answer (ranked by when its POST returned): the first moment the
   screen showed a count >= k, minus that return time. **Beside it, today's figure**: the same
   for the presenter app's big chart (the spotlight's table of the same numbers, which the app
   redraws with its chart).
2. **word cloud.** The screen moves to the open question, results hidden; every phone sends
   `--words` words (from a small vocabulary, so they group); then "S" (show results) is
   pressed on the screen, and the time until the cloud shows every group is measured.

Both clocks are this machine's; the browser-script offset is measured and reported, not applied.
Prints figures and asserts nothing (bench/README.md).

    python bench/screen_latency.py               # 300 phones, 30 s of answers, 3 words each
    python bench/screen_latency.py --phones 60 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live_load as ll  # noqa: E402  (the bench folder's shared tools)

ROOT = ll.ROOT
# live_load.py's observer of "Svar: M", on the big screen's counter instead of the app's stats
SCREEN_OBSERVER = ll.OBSERVER_JS.replace("'.kit-stats'", "'.kit-screen-count'")
assert SCREEN_OBSERVER != ll.OBSERVER_JS
# the presenter app's big chart: the spotlight's table holds the counts it draws
SPOTLIGHT_OBSERVER = ll.OBSERVER_JS.replace(
    """const el = document.querySelector('.kit-stats');
    const m = el && el.textContent.match(/Svar:\\s*(\\d+)/);
    return m ? parseInt(m[1], 10) : -1;""",
    """const cells = document.querySelectorAll('.kit-spotlight table tbody td');
    if (!cells.length) return -1;
    let n = 0; cells.forEach((c) => { const v = parseInt(c.textContent, 10); if (!isNaN(v)) n += v; });
    return n;""",
)
assert SPOTLIGHT_OBSERVER != ll.OBSERVER_JS
CLOUD_WAIT = r"""(groups) => new Promise((resolve) => {
  const now = () => performance.timeOrigin + performance.now();
  const done = () => document.querySelectorAll('.kit-cloud .kit-cloud-word').length >= groups;
  if (done()) { resolve(now()); return; }
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); resolve(now()); }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})"""
VOCABULARY = ["tillit", "dugnad", "frivillighet", "samarbeid", "møteplass", "ansvar", "glede"]


async def take(page) -> list[tuple[float, int, float | None]]:
    rows = await page.evaluate(
        "() => { const r = window.__kitBench; r.observer.disconnect(); return r.obs; }"
    )
    return [(t / 1000, n, (f / 1000 if f else None)) for t, n, f in rows]


async def run(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright

    from kit.cases.casefile import load_cases
    from kit.live.questions import load_questions
    from kit.live.store import Store

    ll.raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="kit-screen-bench-"))
    db_url = f"sqlite:///{workdir}/bench.sqlite3"
    case = next(c for c in load_cases() if c.id == "tirsdagslunsj")
    question = next(q for q in load_questions().questions if q.kind == "open")
    with Store(db_url) as store:
        made = store.create_session([case, question])
    server = ll.start_ours(db_url, workdir, ROOT)
    figures: dict = {"phones": args.phones, "seconds": args.seconds, "words": args.words}
    phones: list[ll.Phone] = []
    try:
        server.wait_ready(60)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            context = await browser.new_context(
                viewport={"width": 1600, "height": 1000}, locale="nb-NO"
            )
            base = server.url

            async def only_local(route) -> None:
                url = route.request.url
                if url.startswith(base) or url.startswith("data:"):
                    await route.continue_()
                else:
                    await route.abort()

            await context.route("**/*", only_local)
            claims = json.dumps([{"code": made.code, "key": made.key}])
            await context.add_init_script(
                f"try {{ localStorage.setItem('samskaping:presenter-sessions', {claims!r}); }}"
                " catch (e) {}"
            )
            presenter = await context.new_page()
            await presenter.goto(base + ll.PRESENTER_PATH, timeout=120_000)
            await presenter.get_by_role("button", name=f"Fortsett økt {made.code}").click(
                timeout=120_000
            )
            await presenter.locator(".kit-stats").wait_for(timeout=60_000)
            screen = await context.new_page()
            await screen.set_viewport_size({"width": 1920, "height": 1080})
            await screen.goto(f"{base}skjerm?kode={made.code}", timeout=60_000)
            await screen.locator(".kit-screen").wait_for(timeout=30_000)
            await screen.keyboard.press("ArrowRight")  # the case, on every phone
            await screen.locator(".kit-screen-case").wait_for(timeout=30_000)
            await screen.keyboard.press("s")  # results on while voting
            await screen.locator(".kit-screen-shown").wait_for(timeout=30_000)
            await presenter.locator(".kit-spotlight table").wait_for(
                state="attached", timeout=60_000
            )
            offset = await ll.Presenter.clock_offset(type("P", (), {"page": screen})())
            figures["clock_offset_s"] = offset

            phones = ll.make_phones(args.phones, [server])
            figures["join"] = await ll.join_together(phones, made.code, 60)
            following = await ll.start_following(phones, args.seconds + 120)
            await asyncio.sleep(2)
            await screen.evaluate(SCREEN_OBSERVER)
            await presenter.evaluate(SPOTLIGHT_OBSERVER)
            rng = random.Random(args.seed)
            sent: list[float] = []
            errors = 0

            async def answer(phone: ll.Phone) -> None:
                nonlocal errors
                await asyncio.sleep(rng.uniform(0, args.seconds))
                try:
                    process, level = ll.valid_answer(rng)
                    sent.append(await phone.answer(case.id, process, level))
                except Exception:  # noqa: BLE001 - counted
                    errors += 1

            started = time.time()
            await asyncio.gather(*(answer(p) for p in phones if p.token))
            await asyncio.sleep(5)  # the last answers reach both screens (the app: <= 3 s)
            figures["answers"] = {"sent": len(sent), "errors": errors}
            figures["answer_to_screen"] = ll.latencies(sent, await take(screen), offset["offset_s"])
            figures["answer_to_presenter_app_chart"] = ll.latencies(
                sent, await take(presenter), offset["offset_s"]
            )
            figures["answer_phase_s"] = time.time() - started

            # the word cloud: the question, results hidden while words come in
            await screen.keyboard.press("s")  # results off
            await screen.keyboard.press("ArrowRight")
            await screen.locator(".kit-screen-open").wait_for(timeout=30_000)
            words_sent = 0
            word_errors = 0

            async def words(phone: ll.Phone) -> None:
                nonlocal words_sent, word_errors
                for word in rng.sample(VOCABULARY, args.words):
                    r = await phone.client.post(
                        f"api/live/session/{phone.code}/answer",
                        json={"token": phone.token, "item_id": question.id, "value": word},
                        headers=phone._xsrf(),
                    )
                    if r.status_code == 200:
                        words_sent += 1
                    else:
                        word_errors += 1

            await asyncio.gather(*(words(p) for p in phones if p.token))
            groups = len(VOCABULARY)
            press = time.time()
            await screen.keyboard.press("s")  # "vis"
            shown = await screen.evaluate(CLOUD_WAIT, groups) / 1000 - offset["offset_s"]
            figures["cloud"] = {
                "words_sent": words_sent,
                "errors": word_errors,
                "groups": groups,
                "vis_to_cloud_s": shown - press,
            }
            await ll.stop_following(following)
            await browser.close()
    finally:
        await ll.close_all(phones)
        server.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--words", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    s, a = figures["answer_to_screen"], figures["answer_to_presenter_app_chart"]
    print(f"machine: {ll.loadavg()}")
    print(
        f"{args.phones} phones joined: {figures['join']['ok']} (p95 {ll.fmt3(figures['join']['join_s'])} s)"
    )
    print(f"answers sent: {figures['answers']['sent']} ({figures['answers']['errors']} errors)")
    print(
        f"answer -> big screen (presentation mode):  {ll.fmt3(s['dom_s'])} s "
        f"(measured {s['measured']}, never shown {s['never_shown']})"
    )
    print(
        f"answer -> presenter app's big chart (today): {ll.fmt3(a['dom_s'])} s "
        f"(measured {a['measured']}, never shown {a['never_shown']})"
    )
    c = figures["cloud"]
    print(
        f"word cloud: {c['words_sent']} words from {args.phones} phones ({c['errors']} errors); "
        f"'vis' -> all {c['groups']} groups shown: {c['vis_to_cloud_s']:.2f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    # a SIGTERM (kill, pkill) ends the run through its finally blocks: every server it
    # started is stopped by its process id, none is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
