"""The clause timer in Chromium: a phone on ``/verksted`` counts down the clause the facilitator
times (the facilitator is the store here, as in test_browser_workshop.py), says once that the
time is up and closes nothing; and the facilitator's countdown widget (kit.core.ui.countdown)
ticks on its own in a page of its own. The phone's clock is Playwright's, moved by hand: no
test waits for a countdown to run out. axe finds nothing; every request outside the local
server is aborted and counted.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kit.core.i18n import t
from kit.core.ui.countdown import Countdown
from kit.live.store import Store
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore

from .test_browser_live import clean, new_page
from .test_browser_workshop import fits
from .test_browser_workshop_app import join

pytestmark = [pytest.mark.browser, pytest.mark.server]

LEFT = re.compile(r"^Tid igjen på dette punktet: (\d+):(\d\d)$")
#: The seconds a phone's countdown shows (None while it shows no time left).
SECONDS_SHOWN = """() => {
  const m = document.getElementById("kit-timer").textContent.match(/(\\d+):(\\d\\d)/);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}"""


def facilitator(server, code: str, key: str, op: str, seconds: int | None = None) -> None:
    with Store(server.db_url) as store:
        WorkshopStore(store).set_timer(code, key, "purpose", op, seconds)


def test_a_phone_counts_down_the_clause_the_facilitator_times(browser, server):
    agenda = load_agenda()
    with Store(server.db_url) as store:
        made = WorkshopStore(store).create_workshop("Leksehjelp på biblioteket", "nb")
    code, key = made.code, made.key
    phone = new_page(browser, server, 375, 740)
    page = phone.page
    try:
        page.clock.install()  # the phone's clock: it runs, and the test can move it on
        join(phone, code, agenda.party("unit").label.nb)
        expect(page.locator("#kit-clause-title")).to_have_text(agenda.clause("purpose").title.nb)
        expect(page.locator("#kit-timer")).to_be_hidden()

        facilitator(server, code, key, "start", 120)
        timer = page.get_by_role("timer")
        expect(timer).to_have_text(LEFT, timeout=15_000)  # long-polled, then counted here
        first = page.evaluate(SECONDS_SHOWN)
        assert 0 < first <= 120
        page.wait_for_function(f"({SECONDS_SHOWN})() < {first}", timeout=15_000)
        assert page.evaluate(SECONDS_SHOWN) < first  # it counts down without the server
        expect(page.locator("#kit-timer-said")).to_be_empty()
        clean(phone)

        # only on the clause it is for
        page.get_by_role("button", name=t("verksted_next", "nb")).click()
        expect(page.locator("#kit-timer")).to_be_hidden()
        page.get_by_role("button", name=t("verksted_prev", "nb")).click()
        expect(timer).to_have_text(LEFT)

        # the time runs out on the phone: said once, shown in words, nothing closes
        page.clock.fast_forward("02:05")
        done = t("verksted_timer_done", "nb")
        expect(timer).to_have_text(done)
        expect(timer).to_have_class(re.compile(r"\bkit-timer-over\b"))
        expect(page.locator("#kit-timer-said")).to_have_text(done)
        expect(page.get_by_label(t("verksted_propose_label", "nb"))).to_be_enabled()
        clean(phone)

        # more time from the facilitator: the server's time comes with it and sets the phone's
        # clock right (2 min ahead now), so the countdown shows what the server counts, not
        # the 20 s an uncorrected clock would
        facilitator(server, code, key, "add")
        expect(timer).to_have_text(LEFT, timeout=15_000)
        assert page.evaluate(SECONDS_SHOWN) > 90
        expect(page.locator("#kit-timer-said")).to_be_empty()

        facilitator(server, code, key, "pause")
        expect(timer).to_have_text(
            re.compile(r"^Tid igjen på dette punktet: \d+:\d\d \(nedtellingen står på pause\)$"),
            timeout=15_000,
        )
        assert fits(phone)  # the longest text, at 375 px
        clean(phone)
        facilitator(server, code, key, "off")
        expect(page.locator("#kit-timer")).to_be_hidden(timeout=15_000)
        assert phone.errors == [] and phone.blocked == []
    finally:
        page.context.close()


#: The countdown widget rendered with a stand-in for the widget model (what anywidget hands it).
RENDER = """async (esm) => {
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const mod = await import(url);
  const values = { ends: null, left: null, now: Date.now() / 1000, label: "Tid igjen på punktet",
                   paused_text: "(pause)", done_text: "Tiden er ute" };
  const handlers = {};
  window.__model = {
    get: (k) => values[k],
    on: (name, fn) => { (handlers[name] = handlers[name] || []).push(fn); },
    off: () => {},
    set: (k, v) => { values[k] = v; (handlers["change:" + k] || []).forEach((fn) => fn()); },
  };
  window.__said = 0;
  const el = document.getElementById("widget");
  mod.default.render({ model: window.__model, el });
  new MutationObserver(() => { window.__said += 1; })
    .observe(el.querySelector("[role=status]"), { childList: true, characterData: true, subtree: true });
}"""


def test_the_facilitators_countdown_ticks_in_the_browser(browser, server):
    watch = new_page(browser, server, 1280)
    page = watch.page
    try:
        page.clock.install()
        page.set_content(
            "<!DOCTYPE html><html lang='nb'><head><title>Nedtelling</title></head>"
            "<body><main><h1>Nedtelling</h1><div id='widget'></div></main></body></html>"
        )
        page.evaluate(RENDER, Countdown._esm)
        timer = page.get_by_role("timer", name="Tid igjen på punktet")
        expect(page.locator("[role=timer]")).to_be_hidden()  # no countdown yet
        # the server's clock is 1000 s ahead of the browser's: 1:00 left, counted on it
        page.evaluate(
            "() => { const now = Date.now() / 1000 + 1000; window.__model.set('now', now);"
            " window.__model.set('ends', now + 60); }"
        )
        expect(timer).to_have_text("1:00")
        page.clock.fast_forward("00:30")
        expect(timer).to_have_text(re.compile(r"^0:[23]\d$"))
        clean(watch)
        page.clock.fast_forward("00:31")
        expect(timer).to_have_text("0:00 · Tiden er ute")
        status = page.get_by_role("status")
        expect(status).to_have_text("Tiden er ute")
        page.clock.fast_forward("00:10")  # later ticks say nothing more
        assert page.evaluate("window.__said") == 1
        clean(watch)
        # paused: the time stands, and says so
        page.evaluate("() => { window.__model.set('ends', null); window.__model.set('left', 95); }")
        expect(timer).to_have_text("1:35 (pause)")
        expect(status).to_be_empty()
        assert watch.errors == [] and watch.blocked == []
    finally:
        page.context.close()
