"""A live session in Chromium as a presenter runs it: a presenter and five phones (two at 375 px,
one keyboard-only), reloads on both sides, a re-vote, the reveal and the export.

Participants use the light page (``/delta``, no kernel); every request outside the local
server is aborted and counted.
"""

from __future__ import annotations

import base64
import io
import re

import pytest
from playwright.sync_api import expect

from kit.cases.casefile import load_cases
from kit.live.store import Store

from .conftest import PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.server]


def local_only(context, server, watch: PageWatch) -> None:
    def route(r):
        url = r.request.url
        if url.startswith(server.url) or url.startswith(server.url.replace("http", "ws")):
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    context.route("**/*", route)


def new_page(browser, server, width: int, height: int = 800) -> PageWatch:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    watch = PageWatch(ctx.new_page(), server)
    local_only(ctx, server, watch)
    return watch


def open_presenter(browser, server, pages: list[PageWatch]) -> PageWatch:
    """The presenter's app in a 1600 x 1000 window, kept in ``pages`` to be closed."""
    presenter = new_page(browser, server, 1600, 1000)
    pages.append(presenter)
    presenter.open("05_presentator.ipynb")
    return presenter


def clean(watch: PageWatch) -> None:
    violations = watch.axe_violations()
    assert violations == [], violations
    assert watch.errors == [], watch.errors
    assert watch.blocked == [], watch.blocked


def phone_join(watch: PageWatch, code: str, lang: str = "nb") -> None:
    watch.page.goto(f"{watch.server.url}delta?kode={code}&lang={lang}")
    expect(watch.page.locator("#kit-room")).to_be_visible(timeout=15_000)


def answer(watch: PageWatch, process: str, level: str, send: str = "Send svar") -> None:
    p = watch.page
    p.get_by_role("radio", name=process, exact=True).check()
    p.get_by_role("radio", name=level, exact=True).check()
    p.get_by_role("button", name=send).click()
    expect(p.locator("#kit-sent")).not_to_be_empty()  # the confirmation, focused


def test_a_room_with_reloads_revote_reveal_and_export(browser, server):
    pages: list[PageWatch] = []
    try:
        presenter = open_presenter(browser, server, pages)
        page = presenter.page
        clean(presenter)  # the setup view
        page.get_by_role("button", name="10 blandede", exact=True).click()
        page.get_by_role("button", name="Start økt").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        assert len(code) == 6
        expect(page.locator(".kit-qr svg")).to_have_attribute("role", "img")
        expect(page.locator(".kit-join-panel a")).to_have_attribute(
            "href", f"{server.url}delta?kode={code}"
        )
        expect(page.locator(".kit-warning")).to_contain_text("127.0.0.1")  # phones can't reach it
        stats = page.locator(".kit-stats")
        expect(stats).to_contain_text("Deltakere: 0")

        # Five phones: two at 375 px, one keyboard-only (types the code itself).
        phones = [new_page(browser, server, w) for w in (375, 375, 768, 1280)]
        pages.extend(phones)
        for i, phone in enumerate(phones):
            phone_join(phone, code)
            expect(stats).to_contain_text(f"Deltakere: {i + 1}", timeout=5_000)
        keyboard = new_page(browser, server, 1024)
        pages.append(keyboard)
        kp = keyboard.page
        kp.goto(f"{server.url}delta")
        kp.locator("#kit-code").focus()
        kp.keyboard.type(code.lower())
        kp.keyboard.press("Enter")
        expect(kp.locator("#kit-room")).to_be_visible(timeout=15_000)
        assert kp.locator("#kit-join").count() == 0  # the join form is gone for good
        expect(stats).to_contain_text("Deltakere: 5", timeout=5_000)

        # Answers reach the dashboard.
        for i, phone in enumerate(phones):
            answer(
                phone, "Samskaping" if i < 3 else "Samproduksjon", "Nivå 2" if i < 3 else "Nivå 3"
            )
            expect(stats).to_contain_text(f"Svar: {i + 1}", timeout=2_000)
        # Keyboard only: Tab into the first radio group, arrows choose, Space sends.
        kp.locator("#kit-case").focus()
        kp.keyboard.press("Tab")
        kp.keyboard.press("ArrowDown")  # Samproduksjon
        kp.keyboard.press("Tab")
        kp.keyboard.press("ArrowDown")
        kp.keyboard.press("ArrowDown")  # Nivå 2
        kp.keyboard.press("Tab")
        kp.keyboard.press("Space")
        expect(kp.locator("#kit-sent")).to_contain_text("sendt")
        expect(stats).to_contain_text("Svar: 5", timeout=2_000)
        assert kp.get_by_role("radio", name="Samproduksjon", exact=True).is_checked()

        # Ten reloads of one phone: still five participants, its answer kept.
        for _ in range(10):
            phones[0].page.reload()
            expect(phones[0].page.locator("#kit-room")).to_be_visible(timeout=15_000)
        assert phones[0].page.get_by_role("radio", name="Samskaping", exact=True).is_checked()
        with Store(server.db_url) as store:
            assert store.participant_count(code) == 5
        expect(stats).to_contain_text("Deltakere: 5")

        # The presenter reloads: the session is offered and resumes with its counts.
        page.reload()
        page.wait_for_selector(".kit-app h1", timeout=90_000)
        page.get_by_role("button", name=f"Fortsett økt {code}").click()
        expect(page.locator(".kit-code")).to_have_text(code, timeout=30_000)
        expect(stats).to_contain_text("Svar: 5", timeout=5_000)
        expect(stats).to_contain_text("Deltakere: 5")

        # A re-vote on the first case: phones see round 2, the dashboard both rounds.
        first_case = page.locator(".kit-live-case").first
        first_title = first_case.locator("h3").inner_text()
        first_case.get_by_role("button", name="Ny runde: diskuter og stem igjen").click()
        for phone in phones:
            expect(phone.page.locator("#kit-round")).to_contain_text("Runde 2", timeout=5_000)
        for phone in phones[:3]:
            answer(phone, "Samproduksjon", "Nivå 3")
        spotlight = page.locator(".kit-spotlight")
        expect(spotlight).to_contain_text("Runde 2", timeout=5_000)
        expect(spotlight.locator(".kit-chart-desc")).to_contain_text(
            "Endring fra første til andre runde", timeout=5_000
        )
        expect(stats).to_contain_text("Svar: 8", timeout=5_000)

        # The reveal reaches every phone; sending is closed for that case.
        card = page.locator(".kit-live-case", has_text=first_title.split(". ", 1)[1])
        card.get_by_role("button", name="Vis fasit").click()
        expect(card).to_contain_text("Fasit:", timeout=5_000)
        for phone in phones:
            expect(phone.page.locator("#kit-key")).to_contain_text("Fasit:", timeout=5_000)
            expect(phone.page.get_by_role("button", name="Send svar")).to_be_disabled()

        # Export: the Excel file holds every answer with its round, as text.
        page.get_by_role("button", name="Last ned svarene (Excel)").click()
        link = page.locator("a.kit-download")
        expect(link).to_be_visible(timeout=10_000)
        href = link.get_attribute("href")
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][4] == "runde"
        assert sorted(r[4] for r in rows[1:]) == [1, 1, 1, 1, 1, 2, 2, 2]

        assert phones[0].page.evaluate(
            "Array.from(document.querySelectorAll('body *')).every(e => "
            "e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
        )
        for watch in pages:
            clean(watch)
        # The same views in English.
        page.get_by_label("Språk", exact=True).select_option(label="English")
        expect(page.locator("h1")).to_contain_text("Presenter", timeout=10_000)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        clean(presenter)
        phone_join(phones[1], code, "en")
        expect(phones[1].page.locator("html")).to_have_attribute("lang", "en")
        expect(phones[1].page.locator("#kit-send")).to_have_text("Send answer")
        clean(phones[1])
        fresh = new_page(browser, server, 375)
        pages.append(fresh)
        fresh.page.goto(f"{server.url}delta?lang=en")
        expect(fresh.page.locator("#kit-join")).to_be_visible()
        clean(fresh)

        # Ending the session asks first (the question takes the focus); then phones are told,
        # nothing more is taken, and the code leaves the screen.
        page.get_by_role("button", name="End the session", exact=True).click()
        question = page.locator(".kit-end-question [data-kit-focus]")
        expect(question).to_be_focused(timeout=5_000)
        expect(question).to_contain_text("End the session now?")
        page.get_by_role("button", name="Yes, end the session", exact=True).click()
        expect(stats).to_contain_text("ended", timeout=5_000)
        expect(page.locator(".kit-join-panel")).to_be_hidden(timeout=5_000)
        expect(phones[2].page.locator("#kit-ended")).to_contain_text("avsluttet", timeout=5_000)
    finally:
        for watch in pages:
            watch.page.context.close()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_whole_library_starts_a_dashboard_in_pages(browser, server, lang):
    """The whole library (every case), a ready-made plan. Starting it once sent thousands of
    widget messages in a burst; the kernel dropped some and the dashboard stayed empty. Now the
    dashboard shows ten cards at a time and the pager moves through the rest."""
    watch = new_page(browser, server, 1600, 1000)
    try:
        watch.open("05_presentator.ipynb", f"?lang={lang}")
        page = watch.page
        whole = "Hele biblioteket" if lang == "nb" else "The whole library"
        page.get_by_role("button", name=whole, exact=True).click()
        expect(page.locator(".kit-plan-count")).to_contain_text(str(len(load_cases())))
        page.get_by_role("button", name="Start økt" if lang == "nb" else "Start session").click()
        expect(page.locator(".kit-code")).to_be_visible(timeout=30_000)
        cards = page.locator(".kit-live-case")
        expect(cards).to_have_count(10, timeout=30_000)
        n = len(Store(server.db_url).session_cases(page.locator(".kit-code").inner_text().strip()))
        assert n > 20
        pager = page.locator(".kit-pager-text")
        first_page = "Case 1–10 av" if lang == "nb" else "Cases 1–10 of"
        expect(pager).to_contain_text(f"{first_page} {n}")
        first_titles = cards.locator("h3").all_inner_texts()
        nxt = "Neste side →" if lang == "nb" else "Next page →"
        page.get_by_role("button", name=nxt).click()
        expect(pager).to_contain_text("11–20")
        expect(cards.first.locator("h3")).to_contain_text("11. ")
        assert not set(cards.locator("h3").all_inner_texts()) & set(first_titles)
        violations = watch.axe_violations()
        assert violations == [], violations
        assert watch.errors == [], watch.errors
        assert watch.blocked == [], watch.blocked
    finally:
        watch.page.context.close()


GUIDE_45 = [
    "q-ord-samarbeid",
    "tirsdagslunsj",
    "tirsdagslunsj-codesign",
    "turvenner-drift",
    "turvenner-tempo",
    "integreringsplan-sammen",
    "integreringsplan-horing",
    "q-skala-niva1",
    "q-ord-hull",
]


def test_the_guides_plan_opens_in_the_presenter_and_starts(browser, server):
    """The guide's link (?plan=guide-45) opens the presenter with the plan in the builder: nine
    items in order; the keyboard moves one (the focus follows it), the search finds cases, axe
    finds nothing, and the session starts with the plan's items in its order."""
    watch = new_page(browser, server, 1280, 900)
    try:
        watch.open("05_presentator.ipynb", "?plan=guide-45")
        page = watch.page
        rows = page.locator(".kit-plan-list li.kit-row")
        expect(rows).to_have_count(9, timeout=30_000)
        assert rows.locator("code.kit-plan-id").all_inner_texts() == GUIDE_45
        expect(page.locator(".kit-plan-count")).to_contain_text("caser: 6, spørsmål: 3")
        chosen = page.get_by_role("button", name="Guiden: 45 minutter", exact=True)
        expect(chosen).to_have_attribute("aria-pressed", "true")
        expect(
            page.get_by_role("list", name="Planen, i rekkefølgen økta viser den")
        ).to_be_visible()

        # Keyboard only: the last item's "Flytt opp" with Enter; the focus stays on the moved row.
        up = rows.nth(8).get_by_role("button", name=re.compile("^Flytt opp: "))
        up.focus()
        page.keyboard.press("Enter")
        expect(rows.nth(7).locator("code")).to_have_text("q-ord-hull")
        moved_up = rows.nth(7).get_by_role("button", name=re.compile("^Flytt opp: "))
        expect(moved_up).to_be_focused()
        page.keyboard.press("Enter")
        expect(rows.nth(6).locator("code")).to_have_text("q-ord-hull")
        expect(rows.nth(6).get_by_role("button", name=re.compile("^Flytt opp: "))).to_be_focused()
        expect(page.locator(".kit-plan-status")).to_contain_text("er nå nummer 7 av 9")
        wanted = [*GUIDE_45[:6], "q-ord-hull", "integreringsplan-horing", "q-skala-niva1"]
        assert rows.locator("code.kit-plan-id").all_inner_texts() == wanted

        # The search lists both Tuesday-lunch cases; they are in the plan already.
        page.get_by_label("Søk i tittel eller id").fill("tirsdag")
        found = ".kit-rows:not(.kit-plan-list):not(.kit-plan-pairs) li.kit-row"
        results = page.locator(found, has_text="tirsdagslunsj")
        expect(results).to_have_count(2, timeout=10_000)
        expect(
            page.get_by_role("button", name="I planen: Tirsdagslunsj på sykehjemmet")
        ).to_have_attribute("aria-disabled", "true")
        clean(watch)  # the builder: axe, no errors, nothing fetched from outside

        page.get_by_role("button", name="Start økt").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        with Store(server.db_url) as store:
            assert [i.id for i in store.session_items(code)] == wanted
        # the dashboard: a card per case and one per question
        cards = page.locator(".kit-live-case:not(.kit-live-question)")
        expect(cards).to_have_count(6, timeout=30_000)
        expect(page.locator(".kit-live-question")).to_have_count(3, timeout=30_000)
        clean(watch)
    finally:
        watch.page.context.close()
