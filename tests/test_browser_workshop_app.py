"""The facilitator's app of Samarbeidsverkstedet in Chromium, on `samskaping serve`: the
facilitator starts a workshop, two participants (one at 375 px) join on ``/verksted``, propose,
object with a reason and park a point; the facilitator sees the proposals by party with the
recipient's objection flagged, merges a wording and marks it agreed, sends a clause to the
phones, reloads and resumes, downloads the draft as DOCX (read back with python-docx) and
closes the workshop. axe finds nothing in any state; hostile text stays text; every request
outside the local server is aborted and counted.
"""

from __future__ import annotations

import base64
import io
import re

import docx
import pytest
from playwright.sync_api import expect

from kit.core.i18n import t
from kit.live.store import Store
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore

from .conftest import PageWatch
from .test_browser_layout import MEASURE
from .test_browser_live import clean, new_page
from .test_browser_workshop import HOSTILE, fits, proposal
from .test_workshop_agreement import docx_text

pytestmark = [pytest.mark.browser, pytest.mark.server]

REASON = "Ungdomsskolen trenger leksehjelp mest"
PARKED = "Hvem kjører barna hjem om kvelden?"
MERGED = "Leksehjelp for 5.-10. klasse to kvelder i uka, på biblioteket."


def join(watch: PageWatch, code: str, party: str, lang: str = "nb") -> None:
    page = watch.page
    page.goto(f"{watch.server.url}verksted?kode={code}&lang={lang}")
    expect(page.locator("#kit-join")).to_be_visible()
    page.get_by_role("radio", name=party, exact=True).check()
    page.get_by_role("button", name=t("verksted_join", lang)).click()
    expect(page.locator("#kit-room")).to_be_visible(timeout=15_000)


def reload_and_resume(page, code: str) -> None:
    """The facilitator's page loaded again: the workshop is offered and resumes."""
    page.reload()
    page.wait_for_selector(".kit-app h1", timeout=90_000)
    page.get_by_role("button", name=f"Fortsett verksted {code}").click()
    expect(page.locator(".kit-code")).to_have_text(code, timeout=30_000)


def test_a_facilitator_runs_a_workshop_and_takes_home_the_docx(browser, server):
    agenda = load_agenda()
    party = {p.id: p.label.nb for p in agenda.parties}
    purpose = agenda.clause("purpose").title.nb
    pages: list[PageWatch] = []
    try:
        fac = new_page(browser, server, 1440, 1000)
        pages.append(fac)
        fac.open("09_samarbeidsverksted.ipynb")
        page = fac.page
        expect(page.get_by_role("button", name="Start verkstedet")).to_be_visible(timeout=30_000)
        clean(fac)  # the setup
        # shape the agenda: take a clause out, add one of our own
        page.get_by_role("button", name="Ta bort punktet «Kontaktpersoner og møterytme»").click()
        expect(page.locator(".kit-ws-agenda-setup")).to_contain_text("Tatt bort.")
        page.get_by_label("Tittel på punktet").fill("Transport hjem")
        page.get_by_role("radio", name="Nivå 2", exact=True).check()
        page.get_by_role("button", name="Legg til punktet").click()
        expect(page.locator(".kit-ws-own-message")).to_contain_text("Transport hjem")
        page.get_by_label("Tiltaket dere samarbeider om").fill("Leksehjelp på biblioteket")
        page.get_by_role("button", name="Start verkstedet").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        assert len(code) == 6
        expect(page.locator(".kit-qr svg")).to_have_attribute("role", "img")
        expect(page.locator(".kit-join-panel a")).to_have_attribute(
            "href", f"{server.url}verksted?kode={code}"
        )
        stats = page.locator(".kit-stats")
        expect(stats).to_contain_text("Deltakere: 0")
        expect(page.locator(".kit-ws-clause-title")).to_have_text(purpose)
        clean(fac)  # the screen, empty

        # A, at 1024 px: the municipal unit proposes (with markup that must stay text)
        a = new_page(browser, server, 1024)
        pages.append(a)
        join(a, code, party["unit"])
        a.page.get_by_label("Ditt forslag til formulering").fill(HOSTILE)
        a.page.get_by_role("button", name="Send forslaget").click()
        expect(a.page.locator("#kit-proposed")).to_contain_text("Forslaget ditt er sendt")
        # B, at 375 px: a recipient objects with a reason and parks a point
        b = new_page(browser, server, 375, 740)
        pages.append(b)
        join(b, code, party["recipient"])
        item = proposal(b, "Leksehjelp for")
        expect(item).to_be_visible(timeout=10_000)
        item.get_by_role("radio", name="Uenig", exact=True).check()
        item.get_by_label("Begrunnelse").fill(REASON)
        item.get_by_role("button", name="Send svaret").click()
        expect(item.locator(".kit-sent")).to_contain_text("Svaret ditt er sendt: Uenig")
        b.page.locator("#kit-park-text").fill(PARKED)
        b.page.locator("#kit-park-send").click()
        expect(b.page.locator("#kit-parked-list")).to_contain_text(PARKED)
        assert fits(b)
        clean(b)

        # The facilitator's screen follows: grouped by party, the objection flagged in words.
        expect(stats).to_contain_text("Deltakere: 2", timeout=10_000)
        expect(stats).to_contain_text("Parkerte punkter: 1", timeout=10_000)
        unit = page.locator(".kit-ws-party", has_text=party["unit"])
        expect(unit.locator("h4")).to_have_text(f"{party['unit']} (forslag: 1)")
        expect(unit.locator(".kit-ws-proposal-text")).to_have_text(HOSTILE)
        expect(unit.locator(".kit-ws-objection")).to_contain_text(REASON)
        alert = page.locator(".kit-ws-picture .kit-ws-alert").first
        expect(alert).to_contain_text("⚠ En tjenestemottaker eller pårørende er uenig")
        expect(alert).to_contain_text(REASON)
        expect(page.locator(".kit-ws-picture")).to_contain_text("Ingen ord fra frivillig side")
        first_row = page.locator(".kit-ws-agenda .kit-row").first
        expect(first_row).to_contain_text("Innvending fra tjenestemottaker eller pårørende: 1")
        expect(page.locator(".kit-ws-parking")).to_contain_text(PARKED)
        assert page.locator(".kit-ws-party img, .kit-ws-party script").count() == 0
        assert page.evaluate("window.__pwned") is None
        clean(fac)

        # Merge: take the proposal in, rewrite it, mark it agreed.
        unit.get_by_role("button", name="Bruk i formuleringen: «").click()
        wording = page.get_by_label("Sammenslått formulering")
        expect(wording).to_have_value(HOSTILE)
        wording.fill(MERGED)
        page.get_by_role("radio", name="Avklart", exact=True).check()
        page.get_by_role("button", name="Lagre punktet").click()
        expect(page.locator(".kit-ws-editor-message")).to_contain_text(
            f"Lagret: «{purpose}» er avklart"
        )
        expect(first_row).to_contain_text("Avklart")
        expect(b.page.locator("#kit-outcome")).to_contain_text(MERGED, timeout=10_000)
        # the next clause, to the phones
        page.get_by_role("button", name="Neste punkt →").click()
        roles = agenda.clause("roles").title.nb
        expect(page.locator(".kit-ws-clause-title")).to_have_text(roles)
        expect(page.locator(".kit-ws-clause-title")).to_be_focused()
        page.get_by_role("button", name="Vis dette punktet på telefonene").click()
        expect(b.page.locator("#kit-clause-title")).to_have_text(roles, timeout=10_000)
        # a countdown on it: ticking on the screen (no kernel per second) and on the phone
        page.get_by_label("Lengde på nedtellingen").select_option(label="2 min")
        expect(page.get_by_role("button", name="Pause", exact=True)).to_be_disabled()
        page.get_by_role("button", name="Start nedtellingen").click()
        countdown = page.get_by_role("timer", name="Tid igjen på punktet")
        expect(countdown).to_have_text(re.compile(r"^(2:00|1:[0-5]\d)$"), timeout=10_000)
        expect(page.locator(".kit-ws-timer-message")).to_contain_text("Nedtellingen går: 2 min")
        expect(b.page.locator("#kit-timer")).to_contain_text(
            "Tid igjen på dette punktet: ", timeout=10_000
        )
        expect(page.locator(".kit-ws-agenda .kit-row").nth(1)).to_contain_text("Nedtelling går")
        clean(fac)
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(countdown).to_have_text(re.compile(r"^(2:00|1:[0-5]\d) \(pause\)$"), timeout=10_000)
        expect(b.page.locator("#kit-timer")).to_contain_text("står på pause", timeout=10_000)
        expect(page.get_by_role("button", name="Fortsett", exact=True)).to_be_enabled()
        clean(b)
        page.get_by_label("Dato for evalueringen").fill("2027-09-01")
        page.get_by_label("Hvem evaluerer").fill("Styringsgruppa")
        page.get_by_role("button", name="Lagre evalueringen").click()
        expect(page.locator(".kit-ws-evaluation")).to_contain_text("01.09.2027")
        clean(fac)

        # The facilitator reloads: the workshop is offered and resumes as it was.
        reload_and_resume(page, code)
        expect(stats).to_contain_text("Deltakere: 2", timeout=10_000)
        expect(page.locator(".kit-ws-clause-title")).to_have_text(roles)  # where the phones are
        page.get_by_role("button", name=f"Vis punktet «{purpose}» på skjermen").click()
        expect(page.get_by_label("Sammenslått formulering")).to_have_value(MERGED)
        expect(page.get_by_role("radio", name="Avklart", exact=True)).to_be_checked()
        clean(fac)
        # the same screen in a narrow window: nothing wider than it or clipped, still axe clean
        page.set_viewport_size({"width": 375, "height": 800})
        page.wait_for_function(
            "document.querySelector('.kit-app').getBoundingClientRect().right <= innerWidth + 1"
        )
        problems = page.evaluate(MEASURE)
        assert problems == [], [
            (x["kind"], x["el"], x["text"][:30], x["left"], x["right"]) for x in problems
        ]
        clean(fac)
        page.set_viewport_size({"width": 1440, "height": 1000})

        # The draft as DOCX: the clause, the objection's reason, the parties.
        page.get_by_role("button", name="Word (DOCX)").click()
        link = page.locator(".kit-ws-downloads a.kit-download")
        expect(link).to_be_visible(timeout=15_000)
        assert link.get_attribute("download") == f"utkast-samarbeidsavtale-{code}.docx"
        data = base64.b64decode(link.get_attribute("href").split(",", 1)[1])
        text = docx_text(data)
        assert MERGED in text and REASON in text and PARKED in text
        assert party["unit"] in text and party["recipient"] in text
        assert "Transport hjem" in text and "Styringsgruppa" in text
        assert "Kontaktpersoner og møterytme" not in text  # taken out before the start
        assert docx.Document(io.BytesIO(data)).core_properties.title.endswith(
            "Leksehjelp på biblioteket"
        )
        clean(fac)

        # Closing asks first; then the phones are told and the code leaves the screen.
        page.get_by_role("button", name="Avslutt verkstedet", exact=True).click()
        question = page.locator(".kit-end-question [data-kit-focus]")
        expect(question).to_be_focused(timeout=5_000)
        page.get_by_role("button", name="Ja, avslutt verkstedet").click()
        expect(stats).to_contain_text("Verkstedet er avsluttet", timeout=5_000)
        expect(page.locator(".kit-join-panel")).to_be_hidden(timeout=5_000)
        expect(b.page.locator("#kit-ended")).to_be_visible(timeout=10_000)
        expect(b.page.locator("#kit-timer")).to_be_hidden()  # the countdown ended with it
        clean(fac)

        with Store(server.db_url) as store:
            w = WorkshopStore(store).workshop_state(code)
        assert w.outcome("purpose").wording == MERGED
        assert [p.text for p in w.proposals] == [HOSTILE]
        for watch in pages:
            assert watch.errors == [] and watch.blocked == []
    finally:
        for watch in pages:
            watch.page.context.close()
