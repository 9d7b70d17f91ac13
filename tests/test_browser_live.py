"""A live session in Chromium: a presenter and three participants in separate browser contexts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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


def test_presenter_sees_three_participants_answer(browser, server):
    contexts = []
    try:
        presenter_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(presenter_ctx)
        presenter = PageWatch(presenter_ctx.new_page(), server)
        local_only(presenter_ctx, server, presenter)
        presenter.open("05_presentator.ipynb")
        page = presenter.page
        page.get_by_label("Ett område").check()
        page.get_by_role("button", name="Start økt").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        assert len(code) == 6
        expect(page.locator(".kit-qr svg")).to_have_attribute("role", "img")
        expect(page.locator(".kit-stats")).to_contain_text("Deltakere: 0")

        people = []
        for i, width in enumerate((375, 768, 1280)):
            ctx = browser.new_context(viewport={"width": width, "height": 800})
            contexts.append(ctx)
            watch = PageWatch(ctx.new_page(), server)
            local_only(ctx, server, watch)
            watch.open("delta.ipynb", f"?kode={code}")
            expect(watch.page.locator(".kit-case h2")).to_be_visible(timeout=30_000)
            people.append(watch)
            expect(page.locator(".kit-stats")).to_contain_text(f"Deltakere: {i + 1}",
                                                               timeout=5_000)
        for i, watch in enumerate(people):
            p = watch.page
            radios = p.locator(".widget-radio-box")
            radios.nth(0).locator("input").nth(0 if i == 0 else 1).check()
            radios.nth(1).locator("input").nth(1 if i == 0 else 2).check()
            p.get_by_role("button", name="Send svar").click()
            expect(p.locator(".kit-status")).to_contain_text("Svaret ditt er sendt")
            # the presenter's dashboard follows within 2 seconds of each answer
            expect(page.locator(".kit-stats")).to_contain_text(f"Svar: {i + 1}", timeout=2_000)
        first = page.locator(".kit-live-case").first
        expect(first).not_to_contain_text("Fasit:")
        expect(page.locator(".kit-chart svg").first).to_be_visible()
        first.get_by_role("button", name="Vis fasit").click()
        expect(page.locator(".kit-live-case").first).to_contain_text("Fasit:")

        assert people[0].page.evaluate("document.documentElement.scrollWidth") <= 375
        for watch in [presenter, *people]:
            violations = watch.axe_violations()
            assert violations == [], violations
            assert watch.errors == [], watch.errors
            assert watch.blocked == [], watch.blocked
    finally:
        for ctx in contexts:
            ctx.close()
