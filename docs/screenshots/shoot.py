"""Screenshots of every app at 1280 and 375 px wide, for docs/screenshots/.

Run against a running ``samskaping serve``:

    .venv/bin/python docs/screenshots/shoot.py http://127.0.0.1:8866/

Each page is shot as the learner first sees it. The participant page (``deltaker-*.png``) is shot
as a phone sees it after joining a session that the presenter app has just started, down to a height limit (the apps scroll inside
Voilà's own box, so the window is made as tall as the app, up to that limit). The slides are shot
in a 1280 x 720 window, as on a projector. Outside requests are aborted, as in the tests. The PNGs
are written at full colour; reduce them afterwards (e.g. to a 64-colour palette) to keep them small.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
APPS = {
    "00_start": "start",
    "01_begreper": "begreper",
    "02_modellen": "modellen",
    "03_klassifiser": "klassifiser",
    "04_egen_sak": "kompass",
    "05_presentator": "presentator",
    "06_kommuneplaner": "kommuneplaner",
    "07_lysbilder": "lysbilder",
    "08_fasilitatorguide": "fasilitatorguide",
}
#: window width -> tallest shot
WIDTHS = {1280: 1100, 375: 1500}


def main(url: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width, limit in WIDTHS.items():
            for notebook, name in APPS.items():
                slides = notebook == "07_lysbilder" and width > 640
                height = 720 if slides else 800
                context = browser.new_context(viewport={"width": width, "height": height})
                only_local(context, url)
                page = context.new_page()
                page.goto(f"{url}voila/render/{notebook}.ipynb")
                page.wait_for_selector(".kit-app h1", timeout=90_000)
                page.wait_for_timeout(1500)
                if not slides:
                    full = page.evaluate("document.getElementById('rendered_cells').scrollHeight")
                    page.set_viewport_size({"width": width, "height": min(limit, full)})
                    page.wait_for_timeout(500)
                page.screenshot(path=str(HERE / f"{name}-{width}.png"))
                context.close()
        shoot_participant(browser, url)
        browser.close()


def only_local(context, url: str) -> None:
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(url[:-1]) or r.request.url.startswith("ws")
            else r.abort()
        ),
    )


def shoot_participant(browser, url: str) -> None:
    """Start a session in the presenter app, join it on the participant page, shoot that."""
    presenter = browser.new_context(viewport={"width": 1280, "height": 900})
    only_local(presenter, url)
    page = presenter.new_page()
    page.goto(f"{url}voila/render/05_presentator.ipynb")
    page.get_by_role("button", name="Start økt").click(timeout=90_000)
    code = page.locator(".kit-code").first.inner_text(timeout=60_000).strip()
    try:
        for width, limit in WIDTHS.items():
            phone = browser.new_context(viewport={"width": width, "height": 800})
            only_local(phone, url)
            view = phone.new_page()
            view.goto(f"{url}delta?kode={code}")  # the code in the address joins at once
            view.wait_for_selector("#kit-room:not([hidden])", timeout=30_000)
            view.wait_for_timeout(500)
            full = view.evaluate("document.documentElement.scrollHeight")
            view.set_viewport_size({"width": width, "height": min(limit, full)})
            view.screenshot(path=str(HERE / f"deltaker-{width}.png"))
            phone.close()
    finally:
        page.get_by_role("button", name="Avslutt økta").first.click()
        presenter.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8866/")
