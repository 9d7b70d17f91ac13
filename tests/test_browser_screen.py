"""The guide's 45-minute plan on the big screen and five phones, in Chromium: presentation mode
measured at 1920x1080 and 1280x720 (text sizes, nothing scrolled or cut), each phone's own
result after the reveal, a word cloud with a banned word and a hidden answer, a scale, XSS
payloads kept as text, axe on every state, and the report printed to an A4 PDF.

The presenter picks the plan with one click in «Presentatør» and starts; the big screen is
opened from the app's link in the same browser (it reads the presenter key from the browser's
storage, where the app keeps it); the presenter hides an answer and ends the session on the
dashboard, and downloads the report. Every request outside the local server is aborted.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.sync_api import expect

from kit.cases.case import Case
from kit.cases.casefile import load_cases
from kit.live.questions import load_questions
from kit.live.store import Store

from .conftest import PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.server]

#: The facilitator guide's 45-minute plan (data/session_plans.yaml: guide-45).
PLAN = [
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
XSS = "<img src=x onerror=window.__xss=1>"
FIRST_CASE = re.compile("Tirsdagslunsj|Tysdagslunsj|Tuesday")


def plan_items():
    cases = {c.id: c for c in load_cases()}
    bank = {q.id: q for q in load_questions().questions}
    return [cases.get(i) or bank[i] for i in PLAN]


def context_for(browser, server, width: int, height: int, claims=None, locale="nb-NO"):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    if claims:
        context.add_init_script(
            "try { localStorage.setItem('samskaping:presenter-sessions', "
            f"{json.dumps(json.dumps(claims))}); }} catch (e) {{}}"
        )
    watch = PageWatch(context.new_page(), server)

    def route(r):
        url = r.request.url
        if url.startswith(server.url):
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    return context, watch


def clean(watch: PageWatch) -> None:
    assert watch.axe_violations() == []
    assert watch.errors == [] and watch.blocked == []


MEASURE = """() => {
  const px = (sel) => { const el = document.querySelector(sel);
    return el ? parseFloat(getComputedStyle(el).fontSize) : null; };
  const clipped = [...document.querySelectorAll('.kit-screen-body, .kit-screen-results, .kit-stage')]
    .filter((el) => el.scrollHeight > el.clientHeight + 1).map((el) => el.className);
  const outside = [...document.querySelectorAll('.kit-screen *')]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().bottom > innerHeight + 1)
    .map((el) => el.className || el.tagName);
  return { text: px('.kit-screen-text'), label: px('.kit-bar-label'), count: px('.kit-bar-count'),
    counter: px('.kit-screen-count'), code: px('.kit-screen-join-corner .kit-screen-code'),
    scroll: document.scrollingElement.scrollHeight - innerHeight, clipped, outside };
}"""


def screen_state(page, expected_class: str) -> None:
    expect(page.locator(f".kit-screen.{expected_class}")).to_be_visible(timeout=10_000)


def test_the_45_minute_plan_on_the_big_screen_and_five_phones(browser, server, tmp_path):
    items = plan_items()
    contexts = []
    try:
        # The presenter picks the guide's 45-minute plan with one click and starts; the big
        # screen opens in the same browser (the presenter key is kept there).
        ctx, app = context_for(browser, server, 1600, 1000)
        contexts.append(ctx)
        app.open("05_presentator.ipynb")
        app.page.get_by_role("button", name="Guiden: 45 minutter", exact=True).click()
        app.page.get_by_role("button", name="Start økt").click()
        code_box = app.page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        with Store(server.db_url) as store:
            assert [i.id for i in store.session_items(code)] == PLAN
        big = PageWatch(ctx.new_page(), server)
        screen = big.page
        screen.set_viewport_size({"width": 1920, "height": 1080})
        link = app.page.locator(".kit-screen-link a")
        assert link.get_attribute("target") == "_blank"
        screen.goto(link.get_attribute("href"))
        expect(screen.locator(".kit-screen-start .kit-screen-code")).to_have_text(code)
        clean(big)

        # Five phones: two at 375 px, one keyboard-only, one nynorsk, one English.
        phones = []
        for width, lang in ((375, "nb"), (375, "nb"), (1024, "nb"), (768, "nn"), (768, "en")):
            pctx, watch = context_for(browser, server, width, 800)
            contexts.append(pctx)
            watch.page.goto(f"{server.url}delta?kode={code}&lang={lang}")
            expect(watch.page.locator("#kit-room")).to_be_visible(timeout=15_000)
            phones.append(watch)
        keyboard = phones[2].page

        # 1. The word cloud: the phones follow the screen to the first question.
        screen.keyboard.press("ArrowRight")
        screen_state(screen, "kit-screen-open")
        for watch in phones:
            expect(watch.page.locator("#kit-open")).to_be_visible(timeout=10_000)
        clean(phones[0])
        words = ["Dugnad", "dugnaden,", "faen", XSS, "Tillit"]
        for i, watch in enumerate(phones):
            p = watch.page
            if p is keyboard:
                p.locator("#kit-open").focus()
                p.keyboard.type(words[i])
                p.keyboard.press("Enter")
            else:
                p.locator("#kit-open").fill(words[i])
                p.locator("#kit-q-send").click()
            sent = p.locator("#kit-sent")
            expect(sent).not_to_be_empty(timeout=10_000)
            expect(sent).to_be_focused()  # the focus stays on the confirmation
        assert phones[0].page.locator("#kit-mine li").all_inner_texts() == ["Dugnad"]
        expect(screen.locator(".kit-screen-hidden")).to_be_visible()  # hidden until shown
        expect(screen.locator(".kit-screen-count")).to_contain_text("Svar: 5", timeout=5_000)
        screen.keyboard.press("s")
        cloud = screen.locator(".kit-cloud")
        expect(cloud).to_contain_text("dugnad", timeout=5_000)
        # the room changed (results shown): a phone's confirmation stays where its focus is
        expect(phones[0].page.locator("#kit-sent")).not_to_be_empty()
        assert "faen" not in cloud.inner_text()  # on the kit's banned list
        assert screen.evaluate("window.__xss") is None  # the payload stayed text
        assert "src=x" in cloud.inner_text()
        # the presenter hides it on the dashboard
        answer_row = app.page.locator(".kit-open-answer", has_text="onerror")
        answer_row.get_by_role("button", name="Skjul").click()
        expect(cloud).not_to_contain_text("onerror", timeout=5_000)
        assert [c.inner_text().split("\n")[0] for c in cloud.locator("li").all()][0] == "dugnad"
        clean(big)
        screen.keyboard.press("s")  # results off for the cases

        # 2. Classification with a re-vote, then the reveal: each phone sees its own result.
        screen.keyboard.press("ArrowRight")
        screen_state(screen, "kit-screen-case")
        answers = [
            ("Samproduksjon", "Nivå 3"),
            ("Samskaping", "Nivå 2"),
            ("Samproduksjon", "Nivå 3"),
            ("Samproduksjon", "Nivå 3"),
            ("Co-production (samproduksjon)", "Level 3"),
        ]
        for watch, (process, level) in zip(phones, answers, strict=True):
            p = watch.page
            expect(p.locator("#kit-case-title")).to_contain_text(FIRST_CASE, timeout=10_000)
            if p is keyboard:
                p.locator("#kit-case").focus()
                p.keyboard.press("Tab")
                p.keyboard.press("ArrowDown")  # Samproduksjon
                p.keyboard.press("Tab")
                p.keyboard.press("ArrowDown")
                p.keyboard.press("ArrowDown")  # Nivå 3 (from Nivå 1, which Tab reached)
                p.keyboard.press("Tab")
                p.keyboard.press("Space")
            else:
                p.get_by_role("radio", name=process, exact=True).check()
                p.get_by_role("radio", name=level, exact=True).check()
                p.locator("#kit-send").click()
            expect(p.locator("#kit-sent")).to_be_focused(timeout=10_000)
        expect(screen.locator(".kit-screen-count")).to_contain_text("Svar: 5", timeout=5_000)
        screen.keyboard.press("r")  # re-vote: round 2 on every phone
        for watch in phones:
            expect(watch.page.locator("#kit-round")).to_be_visible(timeout=10_000)
        phones[1].page.get_by_role("radio", name="Samproduksjon", exact=True).check()
        phones[1].page.get_by_role("radio", name="Nivå 3", exact=True).check()
        phones[1].page.locator("#kit-send").click()
        expect(screen.locator(".kit-screen-count")).to_contain_text("Svar: 1", timeout=5_000)
        screen.keyboard.press("s")
        expect(screen.locator(".kit-rounds-2")).to_be_visible(timeout=5_000)  # side by side
        screen.keyboard.press("a")  # the key
        expect(screen.locator(".kit-screen-key")).to_be_visible(timeout=5_000)
        expect(screen.locator(".kit-bar-key").first).to_be_visible()

        # presentation mode measured at 1920x1080, the fullest screen: key, rounds, bars
        m = screen.evaluate(MEASURE)
        assert m["text"] >= 32 and m["label"] >= 28 and m["count"] >= 40, m
        assert m["counter"] >= 40 and m["code"] >= 28, m  # the join corner still readable
        assert m["scroll"] <= 0 and m["clipped"] == [] and m["outside"] == [], m
        screen.set_viewport_size({"width": 1280, "height": 720})
        m = screen.evaluate(MEASURE)
        assert m["text"] >= 32 * 2 / 3 - 0.5 and m["label"] >= 28 * 2 / 3 - 0.5, m
        assert m["scroll"] <= 0 and m["clipped"] == [] and m["outside"] == [], m
        screen.set_viewport_size({"width": 1920, "height": 1080})
        clean(big)

        # each phone: its own answer against the key, announced
        expected = ["riktig", "riktig", "riktig", "rett", "right"]
        for watch, word in zip(phones, expected, strict=True):
            p = watch.page
            yours = p.locator(".kit-yours")
            expect(yours).to_be_visible(timeout=20_000)
            expect(yours).to_contain_text(word)
            expect(p.locator("#kit-status")).to_contain_text(yours.inner_text(), timeout=10_000)
        assert "riktig" in phones[1].page.locator(".kit-yours").inner_text()  # its round-2 answer
        assert "halvt" not in phones[0].page.locator(".kit-yours").inner_text()
        assert phones[3].page.locator("html").get_attribute("lang") == "nn"
        for watch in phones:
            clean(watch)

        # 3. The scale, at the end of the plan.
        for _ in range(6):
            screen.keyboard.press("ArrowRight")
        screen_state(screen, "kit-screen-scale")
        for i, watch in enumerate(phones):
            p = watch.page
            expect(p.locator("#kit-q-field input[type=radio]").first).to_be_visible(timeout=10_000)
            p.locator("#kit-q-field input[type=radio]").nth(i % 5).check()
            p.locator("#kit-q-send").click()
            expect(p.locator("#kit-sent")).to_be_focused(timeout=10_000)
        screen.keyboard.press("a")
        expect(screen.locator(".kit-scale-mean")).to_contain_text("3.0", timeout=5_000)
        clean(big)

        # the end notice at the top of every phone
        app.page.get_by_role("button", name="Avslutt økta", exact=True).click()
        app.page.get_by_role("button", name="Ja, avslutt økta", exact=True).click()
        for watch in phones:
            ended = watch.page.locator("#kit-ended")
            expect(ended).to_be_visible(timeout=30_000)
            box = ended.bounding_box()
            assert box is not None and box["y"] < 300

        # 4. The report from the presenter's button, printed to an A4 PDF, holds every item.
        app.page.get_by_role("button", name="Lag rapport for utskrift (HTML)").click()
        link = app.page.locator(".kit-download", has_text="rapporten")
        expect(link).to_be_visible(timeout=30_000)
        href = link.get_attribute("href")
        report = base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8")
        assert XSS not in report  # hidden: not in the report's answers, and never as markup
        assert "<li>Dugnad</li>" in report and "faen" not in report.split("<h2>")[1]
        rctx, rwatch = context_for(browser, server, 900, 1200)
        contexts.append(rctx)
        rwatch.page.set_content(report)
        assert rwatch.page.evaluate("window.__xss") is None
        pdf = tmp_path / "rapport.pdf"
        rwatch.page.pdf(path=str(pdf), format="A4")
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
        flat = " ".join(text.split())
        for item in items:
            title = item.title.get("nb") if isinstance(item, Case) else item.prompt.get("nb")
            assert " ".join(title.split())[:30] in flat, title
        clean(app)
    finally:
        for context in contexts:
            context.close()


def test_a_phone_changes_language_with_the_button_not_the_list(browser, server):
    """WCAG 3.2.2: choosing in the language list does not reload the page; the button does, and
    the phone comes back to the same room as the same participant."""
    with Store(server.db_url) as store:
        made = store.create_session(plan_items()[:2])
    ctx, watch = context_for(browser, server, 375, 800)
    try:
        p = watch.page
        p.goto(f"{server.url}delta?kode={made.code}")
        expect(p.locator("#kit-room")).to_be_visible(timeout=15_000)
        p.locator("#kit-open").fill("tillit")
        p.locator("#kit-q-send").click()
        expect(p.locator("#kit-sent")).to_be_focused(timeout=10_000)
        p.get_by_label("Språk", exact=True).select_option(label="Nynorsk")
        p.wait_for_timeout(500)
        assert p.locator("html").get_attribute("lang") == "nb"  # nothing happened yet
        p.get_by_role("button", name="Bytt språk").click()
        expect(p.locator("html")).to_have_attribute("lang", "nn", timeout=10_000)
        expect(p.locator("#kit-room")).to_be_visible(timeout=15_000)
        assert p.locator("#kit-mine li").all_inner_texts() == ["tillit"]  # the same participant
        clean(watch)
        with Store(server.db_url) as store:
            assert store.participant_count(made.code) == 1
    finally:
        ctx.close()
