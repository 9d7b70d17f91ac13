"""A workshop's participants in Chromium, on `samskaping serve` (the page ``/verksted`` and its
API, no kernel): three participants (one at 375 px using only the keyboard, one in nynorsk)
propose, respond with an objection and its reason, park a point, follow the facilitator and
reload; nothing is lost, hostile text stays text, axe finds nothing in any state.

The facilitator's side is the store itself here (its app is a later part of issue 16); every
request outside the local server is aborted and counted.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kit.core.i18n import t
from kit.live.store import Store
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore

from .conftest import PageWatch
from .test_browser_live import clean, new_page

pytestmark = [pytest.mark.browser, pytest.mark.server]

#: A proposal that would run script if it were ever put on the page as markup.
HOSTILE = '<img src=x onerror="window.__pwned=1">Leksehjelp for <b>alle</b></textarea>'


def tab_to(watch: PageWatch, selector: str, key: str = "Tab", most: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``, as a keyboard user moves."""
    page = watch.page
    for _ in range(most):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def fits(watch: PageWatch) -> bool:
    """Nothing sticks out of the window sideways (no sideways scrolling at 375 px)."""
    return watch.page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth && "
        "Array.from(document.querySelectorAll('body *')).every(e => "
        "e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
    )


def proposal(watch: PageWatch, text: str):
    return watch.page.locator(".kit-proposal", has_text=text)


def test_three_participants_propose_object_park_and_reload(browser, server):
    agenda = load_agenda()
    party = {p.id: p.label for p in agenda.parties}
    with Store(server.db_url) as store:
        made = WorkshopStore(store).create_workshop("Leksehjelp på biblioteket", "nb")
    code, key = made.code, made.key
    pages: list[PageWatch] = []
    try:
        # A, with a mouse, in bokmål: the municipal unit, named.
        a = new_page(browser, server, 1280)
        pages.append(a)
        a.page.goto(f"{server.url}verksted?kode={code}")
        expect(a.page.locator("#kit-join")).to_be_visible()
        clean(a)  # the join form
        a.page.get_by_role("radio", name=party["unit"].nb, exact=True).check()
        a.page.get_by_label("Navn (valgfritt)").fill("Kari")
        a.page.get_by_role("button", name="Bli med").click()
        expect(a.page.locator("#kit-room")).to_be_visible(timeout=15_000)
        expect(a.page.locator("#kit-joined")).to_contain_text("som Kari")
        expect(a.page.locator("#kit-clause-title")).to_have_text(agenda.clause("purpose").title.nb)
        a.page.get_by_label("Ditt forslag til formulering").fill(HOSTILE)
        a.page.get_by_role("button", name="Send forslaget").click()
        expect(a.page.locator("#kit-proposed")).to_be_focused()
        expect(a.page.locator("#kit-proposed")).to_contain_text("Forslaget ditt er sendt")
        expect(proposal(a, "Leksehjelp for")).to_contain_text("Ditt forslag")
        clean(a)

        # B, at 375 px, keyboard only, in bokmål: types the code, speaks for the recipients.
        b = new_page(browser, server, 375, 740)
        pages.append(b)
        bp = b.page
        bp.goto(f"{server.url}verksted")
        clean(b)
        tab_to(b, "#kit-code")
        bp.keyboard.type(code.lower())
        bp.keyboard.press("Tab")  # into the parties: the first one, not yet chosen
        recipient = [p.id for p in agenda.parties].index("recipient")
        for _ in range(recipient):
            bp.keyboard.press("ArrowDown")
        assert bp.get_by_role("radio", name=party["recipient"].nb, exact=True).is_checked()
        tab_to(b, "#kit-join-send")
        bp.keyboard.press("Enter")
        expect(bp.locator("#kit-room")).to_be_visible(timeout=15_000)
        expect(bp.locator("#kit-clause")).to_be_focused()
        expect(bp.locator("#kit-joined")).to_contain_text(party["recipient"].nb)
        # the objection to A's proposal, with its reason
        item = proposal(b, "Leksehjelp for")
        expect(item).to_contain_text(f"Fra {party['unit'].nb} (Kari)")
        tab_to(b, ".kit-proposal input[type=radio]")
        bp.keyboard.press("ArrowDown")
        bp.keyboard.press("ArrowDown")  # Uenig
        assert item.get_by_role("radio", name="Uenig", exact=True).is_checked()
        tab_to(b, ".kit-proposal button[type=submit]")
        bp.keyboard.press("Enter")  # no reason yet: refused, the focus goes to the reason
        expect(item.locator(".kit-error")).to_have_text(t("workshop_err_reason_needed", "nb"))
        expect(item.get_by_label("Begrunnelse")).to_be_focused()
        bp.keyboard.type("Ungdomsskolen trenger det mest")
        tab_to(b, ".kit-proposal button[type=submit]")
        bp.keyboard.press("Enter")
        done = item.locator(".kit-sent")
        expect(done).to_be_focused()
        expect(done).to_contain_text("Svaret ditt er sendt: Uenig")
        # a point for the parking lot, about this clause
        tab_to(b, "#kit-park-text")
        bp.keyboard.type("Hvem kjører barna hjem om kvelden?")
        tab_to(b, "#kit-park-send")
        bp.keyboard.press("Enter")
        expect(bp.locator("#kit-parked")).to_be_focused()
        expect(bp.locator("#kit-parked-list")).to_contain_text("Hvem kjører barna hjem")
        assert fits(b)
        clean(b)

        # C, in nynorsk: the voluntary organisation; can live with A's proposal, proposes too.
        c = new_page(browser, server, 768)
        pages.append(c)
        cp = c.page
        cp.goto(f"{server.url}verksted?kode={code}&lang=nn")
        expect(cp.locator("html")).to_have_attribute("lang", "nn")
        cp.get_by_role("radio", name=party["organisation"].get("nn"), exact=True).check()
        cp.get_by_role("button", name="Bli med").click()
        expect(cp.locator("#kit-clause-title")).to_have_text(
            agenda.clause("purpose").title.get("nn")
        )
        theirs = proposal(c, "Leksehjelp for")
        theirs.get_by_role("radio", name="Kan leve med det", exact=True).check()
        theirs.get_by_role("button", name="Send svaret").click()
        expect(theirs.locator(".kit-sent")).to_contain_text("Svaret ditt er sendt")
        cp.get_by_label("Forslaget ditt til formulering").fill("Leksehjelp to kveldar i veka")
        cp.get_by_role("button", name="Send forslaget").click()
        expect(cp.locator("#kit-proposed")).to_contain_text("Forslaget ditt er sendt")
        clean(c)

        # The others see C's proposal come in (long-polled) and are told.
        for watch in (a, b):
            expect(proposal(watch, "to kveldar i veka")).to_be_visible(timeout=10_000)
        expect(a.page.locator("#kit-status")).to_contain_text("Nye forslag på dette punktet: 1")

        # The facilitator moves on: the phones follow.
        with Store(server.db_url) as store:
            WorkshopStore(store).show_clause(code, key, "mode")
        mode = agenda.clause("mode").title
        expect(a.page.locator("#kit-clause-title")).to_have_text(mode.nb, timeout=10_000)
        expect(cp.locator("#kit-clause-title")).to_have_text(mode.get("nn"), timeout=10_000)
        expect(cp.locator("#kit-current")).to_be_visible()
        clean(c)

        # Reloads: each is the same participant with everything they said.
        bp.reload()
        expect(bp.locator("#kit-room")).to_be_visible(timeout=15_000)
        expect(bp.locator("#kit-clause-title")).to_have_text(mode.nb)  # where the facilitator is
        for _ in range(2):  # back to the first clause: the focus goes to the clause shown
            tab_to(b, "#kit-prev", "Shift+Tab")
            bp.keyboard.press("Enter")
            expect(bp.locator("#kit-clause")).to_be_focused()
        expect(bp.locator("#kit-clause-title")).to_have_text(agenda.clause("purpose").title.nb)
        item = proposal(b, "Leksehjelp for")
        assert item.get_by_role("radio", name="Uenig", exact=True).is_checked()
        expect(item.get_by_label("Begrunnelse")).to_have_value("Ungdomsskolen trenger det mest")
        expect(item.locator(".kit-sent")).to_have_text("Du har svart: Uenig.")
        expect(bp.locator("#kit-parked-list")).to_contain_text("Hvem kjører barna hjem")
        assert fits(b)
        clean(b)
        cp.reload()
        expect(cp.locator("#kit-room")).to_be_visible(timeout=15_000)
        expect(cp.locator("html")).to_have_attribute("lang", "nn")
        cp.get_by_role("button", name="Førre punkt").click()
        cp.get_by_role("button", name="Førre punkt").click()
        expect(proposal(c, "to kveldar i veka")).to_contain_text("Forslaget ditt")
        expect(
            proposal(c, "Leksehjelp for").get_by_role("radio", name="Kan leve med det", exact=True)
        ).to_be_checked()
        clean(c)

        # A goes back to the first clause (the facilitator's button shows the way back).
        a.page.get_by_role("button", name="Forrige punkt").click()
        a.page.get_by_role("button", name="Forrige punkt").click()
        expect(a.page.get_by_role("button", name=t("verksted_go_current", "nb"))).to_be_visible()
        clean(a)

        # The hostile proposal is text on every page: shown as typed, nothing ran.
        for watch in (a, b, c):
            text = proposal(watch, "Leksehjelp for").locator(".kit-proposal-text")
            expect(text).to_have_text(HOSTILE)
            assert watch.page.evaluate("window.__pwned") is None
            assert watch.page.locator(".kit-proposal img, .kit-proposal b").count() == 0

        with Store(server.db_url) as store:
            w = WorkshopStore(store).workshop_state(code)
        assert [(p.party, p.text) for p in w.proposals] == [
            ("unit", HOSTILE),
            ("organisation", "Leksehjelp to kveldar i veka"),
        ]
        assert {(r.party, r.choice, r.reason) for r in w.responses} == {
            ("recipient", "object", "Ungdomsskolen trenger det mest"),
            ("organisation", "live_with", None),
        }
        assert [(p.party, p.clause) for p in w.parking] == [("recipient", "purpose")]
        picture = w.response_picture("purpose")
        assert [o.reason for o in picture.recipient_objections] == [
            "Ungdomsskolen trenger det mest"
        ]
        for watch in pages:
            assert watch.errors == [] and watch.blocked == []
        # the positive control: put on a page as markup, the same text runs (its 404 is logged)
        a.page.evaluate(
            "(h) => { const d = document.createElement('div'); d.innerHTML = h; "
            "document.body.append(d); }",
            HOSTILE,
        )
        a.page.wait_for_function("window.__pwned === 1", timeout=5_000)
    finally:
        for watch in pages:
            watch.page.context.close()
