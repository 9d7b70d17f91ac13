"""Samarbeidsverkstedet with a whole group in Chromium, on `samskaping serve`: a facilitator in
the app and six participants on ``/verksted`` (two for the municipality, two for the voluntary
side, two for the recipients; one at 375 px using only the keyboard, one in nynorsk) go through
one clause on each level. On level 1 a recipient objects (with a reason, by keyboard) while
the others agree; a point goes to the parking lot; the facilitator merges wordings, marks two
clauses agreed and one open with who follows it up; the facilitator and a participant reload.
axe finds nothing on any page in any state; the proposals carry markup and script that must
stay text on every screen and in every export (DOCX, HTML, Markdown); every request outside
the local server is aborted and counted.
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from kit.core.i18n import t
from kit.live.store import Store
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore

from .conftest import PageWatch
from .test_browser_live import clean, new_page
from .test_browser_workshop import HOSTILE, fits, proposal, tab_to
from .test_browser_workshop_app import reload_and_resume
from .test_workshop_agreement import docx_text, flat, html_text, markdown_as_html

pytestmark = [pytest.mark.browser, pytest.mark.server]

#: Markup in the initiative's name, typed by the facilitator.
INITIATIVE = "Leksehjelp <i>på</i> biblioteket"
#: A second payload, on level 3, closing an attribute and a tag before its script.
SCRIPTED = "Spør elevene hver termin\"'><script>window.__pwned=2</script>"
REASON = "Ungdomsskoleelevene trenger leksehjelp mest"
PARKED = "Hvem kjører barna hjem om kvelden?"
MERGED_1 = "Leksehjelp for 5.-10. klasse to kvelder i uka, på biblioteket."
TASKS = "Frivilligsentralen rekrutterer; biblioteket holder rom og kaffe"
MERGED_2 = "Frivilligsentralen rekrutterer leksehjelpere; biblioteket holder rom."
OWNER = "Frivilligsentralen"


def join(watch: PageWatch, code: str, party: str, lang: str = "nb", name: str = "") -> None:
    page = watch.page
    page.goto(f"{watch.server.url}verksted?kode={code}&lang={lang}")
    expect(page.locator("#kit-join")).to_be_visible()
    page.get_by_role("radio", name=party, exact=True).check()
    if name:
        page.get_by_label(t("verksted_name_label", lang)).fill(name)
    page.get_by_role("button", name=t("verksted_join", lang)).click()
    expect(page.locator("#kit-room")).to_be_visible(timeout=15_000)


def propose(watch: PageWatch, text: str, lang: str = "nb") -> None:
    page = watch.page
    page.get_by_label(t("verksted_propose_label", lang)).fill(text)
    page.get_by_role("button", name=t("verksted_propose_send", lang)).click()
    expect(page.locator("#kit-proposed")).to_contain_text(t("verksted_proposed", lang)[2:20])


def respond(watch: PageWatch, text: str, choice: str, lang: str = "nb", reason: str = "") -> None:
    item = proposal(watch, text)
    expect(item).to_be_visible(timeout=10_000)
    label = load_agenda().response(choice).label.get(lang)
    item.get_by_role("radio", name=label, exact=True).check()
    if reason:
        item.get_by_label(t("verksted_reason_label", lang)).fill(reason)
    item.get_by_role("button", name=t("verksted_respond_send", lang)).click()
    expect(item.locator(".kit-sent")).to_contain_text(label)


def on_clause(watch: PageWatch, title: str) -> None:
    expect(watch.page.locator("#kit-clause-title")).to_have_text(title, timeout=10_000)


def no_markup_ran(watch: PageWatch) -> None:
    """Nothing a participant typed became an element or ran."""
    page = watch.page
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0
    made = page.locator("b, i").filter(has_text=re.compile(r"^(alle|leder|på)$"))
    assert made.count() == 0


def download(page, label: str, name: str) -> bytes:
    """The draft from the download button ``label``: a link to a file called ``name``."""
    page.get_by_role("button", name=label).click()
    link = page.locator(".kit-ws-downloads a.kit-download")
    expect(link).to_have_attribute("download", name, timeout=15_000)
    href = link.get_attribute("href")
    assert href
    return base64.b64decode(href.split(",", 1)[1])


def test_a_group_of_six_goes_through_every_level_and_takes_home_the_draft(browser, server):
    agenda = load_agenda()
    party = {p.id: p.label for p in agenda.parties}
    title = {c.id: c.title for c in agenda.clauses}
    assert [agenda.clause(c).level for c in ("purpose", "tasks", "value")] == [1, 2, 3]
    pages: list[PageWatch] = []
    try:
        fac = new_page(browser, server, 1440, 1000)
        pages.append(fac)
        fac.open("09_samarbeidsverksted.ipynb")
        page = fac.page
        start = t("workshop_app_start", "nb")
        expect(page.get_by_role("button", name=start)).to_be_visible(timeout=30_000)
        page.get_by_label(t("workshop_app_initiative_label", "nb")).fill(INITIATIVE)
        page.get_by_role("button", name=start).click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        expect(page.get_by_role("heading", name=INITIATIVE)).to_be_visible()
        page.get_by_role("button", name=t("workshop_app_show", "nb")).click()
        clean(fac)

        # The six join: the municipality (a unit, the leadership), the voluntary side (an
        # organisation in nynorsk, a volunteer), the recipients (one by keyboard at 375 px).
        a = new_page(browser, server, 1024)
        b = new_page(browser, server, 1280)
        c = new_page(browser, server, 768)
        d = new_page(browser, server, 1024)
        e = new_page(browser, server, 375, 740)
        f = new_page(browser, server, 1024)
        pages += [a, b, c, d, e, f]
        join(a, code, party["unit"].nb, name="Kari")
        join(b, code, party["leadership"].nb, name="Ola <b>leder</b>")
        join(c, code, party["organisation"].get("nn"), "nn")
        join(d, code, party["volunteer"].nb)
        join(f, code, party["recipient"].nb, name="Pårørende")
        ep = e.page
        ep.goto(f"{server.url}verksted?kode={code}")
        expect(ep.locator("#kit-join")).to_be_visible()
        tab_to(e, "#kit-join input[type=radio]")
        for _ in range([p.id for p in agenda.parties].index("recipient")):
            ep.keyboard.press("ArrowDown")
        assert ep.get_by_role("radio", name=party["recipient"].nb, exact=True).is_checked()
        tab_to(e, "#kit-join-send")
        ep.keyboard.press("Enter")
        expect(ep.locator("#kit-room")).to_be_visible(timeout=15_000)
        expect(ep.locator("#kit-clause")).to_be_focused()
        for watch, lang in ((a, "nb"), (b, "nb"), (c, "nn"), (d, "nb"), (e, "nb"), (f, "nb")):
            on_clause(watch, title["purpose"].get(lang))
        expect(page.locator(".kit-stats")).to_contain_text("Deltakere: 6", timeout=10_000)
        for watch in (b, c, e):
            clean(watch)

        # Level 1: two proposals; the others answer; a recipient objects by keyboard.
        propose(a, HOSTILE)
        propose(c, "Leksehjelp to kveldar i veka", "nn")
        respond(b, "Leksehjelp for", "agree")
        respond(d, "Leksehjelp for", "live_with")
        respond(f, "Leksehjelp for", "agree")
        respond(f, "to kveldar i veka", "agree")
        item = proposal(e, "Leksehjelp for")
        expect(item).to_be_visible(timeout=10_000)
        tab_to(e, ".kit-proposal input[type=radio]")
        ep.keyboard.press("ArrowDown")
        ep.keyboard.press("ArrowDown")
        assert item.get_by_role("radio", name="Uenig", exact=True).is_checked()
        tab_to(e, ".kit-proposal textarea, .kit-proposal input[type=text]")
        ep.keyboard.type(REASON)
        tab_to(e, ".kit-proposal button[type=submit]")
        ep.keyboard.press("Enter")
        expect(item.locator(".kit-sent")).to_be_focused()
        expect(item.locator(".kit-sent")).to_contain_text("Uenig")
        # a point for later, from the relative
        f.page.locator("#kit-park-text").fill(PARKED)
        f.page.locator("#kit-park-send").click()
        expect(f.page.locator("#kit-parked-list")).to_contain_text(PARKED)
        assert fits(e)
        for watch in (a, c, e, f):
            clean(watch)

        # The facilitator sees the recipient's objection kept in sight, merges and agrees.
        stats = page.locator(".kit-stats")
        expect(stats).to_contain_text("Parkerte punkter: 1", timeout=10_000)
        unit = page.locator(".kit-ws-party", has_text=party["unit"].nb)
        expect(unit.locator(".kit-ws-proposal-text")).to_have_text(
            f"{HOSTILE} (Kari)", timeout=10_000
        )
        alert = page.locator(".kit-ws-picture .kit-ws-alert").first
        expect(alert).to_contain_text(REASON)
        expect(page.locator(".kit-ws-parking")).to_contain_text(PARKED)
        unit.get_by_role("button", name="Bruk i formuleringen: «").click()
        wording = page.get_by_label(t("workshop_app_wording", "nb"))
        expect(wording).to_have_value(HOSTILE)
        wording.fill(MERGED_1)
        page.get_by_role("radio", name=t("workshop_app_choose_agreed", "nb"), exact=True).check()
        page.get_by_role("button", name=t("workshop_app_save", "nb")).click()
        expect(page.locator(".kit-ws-editor-message")).to_contain_text("er avklart")
        no_markup_ran(fac)
        clean(fac)
        for watch in (a, e):
            expect(watch.page.locator("#kit-outcome")).to_contain_text(MERGED_1, timeout=10_000)

        # Level 2: the facilitator moves on; the phones follow; a volunteer proposes.
        page.get_by_role(
            "button", name=t("workshop_app_select_name", "nb", title=title["tasks"].nb)
        ).click()
        expect(page.locator(".kit-ws-clause-title")).to_have_text(title["tasks"].nb)
        page.get_by_role("button", name=t("workshop_app_show", "nb")).click()
        for watch, lang in ((a, "nb"), (b, "nb"), (c, "nn"), (d, "nb"), (e, "nb"), (f, "nb")):
            on_clause(watch, title["tasks"].get(lang))
        propose(d, TASKS)
        respond(a, "Frivilligsentralen rekrutterer", "agree")
        respond(c, "Frivilligsentralen rekrutterer", "live_with", "nn")
        respond(f, "Frivilligsentralen rekrutterer", "agree")
        volunteer = page.locator(".kit-ws-party", has_text=party["volunteer"].nb)
        expect(volunteer.locator(".kit-ws-proposal-text")).to_have_text(TASKS, timeout=10_000)
        volunteer.get_by_role("button", name="Bruk i formuleringen: «").click()
        wording.fill(MERGED_2)
        page.get_by_role("radio", name=t("workshop_app_choose_agreed", "nb"), exact=True).check()
        page.get_by_role("button", name=t("workshop_app_save", "nb")).click()
        expect(page.locator(".kit-ws-editor-message")).to_contain_text("er avklart")
        clean(fac)
        clean(d)

        # Level 3: a recipient proposes how recipients judge the value; left open, with owner.
        page.get_by_role(
            "button", name=t("workshop_app_select_name", "nb", title=title["value"].nb)
        ).click()
        page.get_by_role("button", name=t("workshop_app_show", "nb")).click()
        on_clause(f, title["value"].nb)
        on_clause(e, title["value"].nb)
        propose(f, SCRIPTED)
        respond(a, "Spør elevene hver termin", "live_with")
        respond(b, "Spør elevene hver termin", "agree")
        recipient = page.locator(".kit-ws-party", has_text=party["recipient"].nb)
        expect(recipient.locator(".kit-ws-proposal-text")).to_have_text(
            f"{SCRIPTED} (Pårørende)", timeout=10_000
        )
        page.get_by_role("radio", name=t("workshop_app_choose_open", "nb"), exact=True).check()
        page.get_by_label(t("workshop_app_owner", "nb")).fill(OWNER)
        page.get_by_role("button", name=t("workshop_app_save", "nb")).click()
        expect(page.locator(".kit-ws-editor-message")).to_contain_text(title["value"].nb)
        for watch in (a, b, e, f, fac):
            no_markup_ran(watch)
        clean(fac)
        clean(e)

        # Reloads: the facilitator resumes where it was; the keyboard participant is the same
        # participant with the objection and its reason.
        reload_and_resume(page, code)
        expect(stats).to_contain_text("Deltakere: 6", timeout=10_000)
        expect(page.locator(".kit-ws-clause-title")).to_have_text(title["value"].nb)
        first_row = page.locator(".kit-ws-agenda .kit-row").first
        expect(first_row).to_contain_text("Avklart")
        clean(fac)
        ep.reload()
        expect(ep.locator("#kit-room")).to_be_visible(timeout=15_000)
        on_clause(e, title["value"].nb)
        for _ in range(len(agenda.clauses)):  # back to the first clause, by keyboard
            if ep.locator("#kit-clause-title").inner_text() == title["purpose"].nb:
                break
            tab_to(e, "#kit-prev", "Shift+Tab")
            ep.keyboard.press("Enter")
            expect(ep.locator("#kit-clause")).to_be_focused()
        on_clause(e, title["purpose"].nb)
        mine = proposal(e, "Leksehjelp for")
        assert mine.get_by_role("radio", name="Uenig", exact=True).is_checked()
        expect(mine.get_by_label(t("verksted_reason_label", "nb"))).to_have_value(REASON)
        expect(ep.locator("#kit-outcome")).to_contain_text(MERGED_1)
        assert fits(e)
        clean(e)

        # Every screen shows what was typed as text.
        for watch in (a, b, c, d, e, f):
            on = watch.page.locator("#kit-clause-title").inner_text()
            if on == title["purpose"].get("nn" if watch is c else "nb"):
                text = proposal(watch, "Leksehjelp for").locator(".kit-proposal-text")
                expect(text).to_have_text(HOSTILE)
            no_markup_ran(watch)
        expect(b.page.locator("#kit-joined")).to_contain_text("Ola <b>leder</b>")

        # The draft in every format: the agreed clauses, the open one with its owner, the
        # objection's reason, the parked point, every party, the payloads as text.
        texts = {}
        for kind in ("docx", "html", "md"):
            label = t(f"workshop_app_download_{kind}", "nb")
            data = download(page, label, f"utkast-samarbeidsavtale-{code}.{kind}")
            if kind == "docx":
                texts[kind] = flat(docx_text(data))
            elif kind == "html":
                texts[kind], tags = html_text(data.decode("utf-8"))
                assert not {"script", "img", "i", "b"} & set(tags), tags
            else:
                texts[kind], tags = html_text(markdown_as_html(data.decode("utf-8")))
                assert not {"script", "img", "i", "b"} & set(tags), tags
        for kind, text in texts.items():
            for needle in (MERGED_1, MERGED_2, OWNER, REASON, PARKED, INITIATIVE):
                assert needle in text, (kind, needle)
            for payload in (HOSTILE, SCRIPTED):
                assert flat(payload) in text, (kind, payload)
            for p in ("unit", "leadership", "organisation", "volunteer", "recipient"):
                assert party[p].nb in text, (kind, p)
        no_markup_ran(fac)
        clean(fac)

        with Store(server.db_url) as store:
            w = WorkshopStore(store).workshop_state(code)
        assert sorted(p.party for p in w.proposals) == sorted(
            ["unit", "organisation", "volunteer", "recipient"]
        )
        objections = [r for r in w.responses if r.choice == "object"]
        assert [(r.party, r.reason) for r in objections] == [("recipient", REASON)]
        assert len(w.responses) == 10
        for watch in pages:
            assert watch.errors == [] and watch.blocked == []
    finally:
        for watch in pages:
            watch.page.context.close()
