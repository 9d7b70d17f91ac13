"""The guide's 45-minute plan on the big screen and five phones, in Chromium: presentation mode
measured at 1920x1080 and 1280x720 (text sizes, nothing scrolled or cut), each phone's own
result after the reveal, a word cloud with a banned word and a hidden answer, a scale, XSS
payloads kept as text, axe on every state, and the report printed to an A4 PDF.

The session is started with the store here (the presenter app's plan builder and its one click
on the guide's plan are tested with the app); the big screen gets the presenter key from the
browser's storage, where the app keeps it. Every request outside the local server is aborted.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

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
    with Store(server.db_url) as store:
        made = store.create_session(items)
    claims = [{"code": made.code, "key": made.key}]
    contexts = []
    try:
        ctx, big = context_for(browser, server, 1920, 1080, claims)
        contexts.append(ctx)
        screen = big.page
        screen.goto(f"{server.url}skjerm?kode={made.code}")
        expect(screen.locator(".kit-screen-start .kit-screen-code")).to_have_text(made.code)
        clean(big)

        # Five phones: two at 375 px, one keyboard-only, one nynorsk, one English.
        phones = []
        for width, lang in ((375, "nb"), (375, "nb"), (1024, "nb"), (768, "nn"), (768, "en")):
            pctx, watch = context_for(browser, server, width, 800)
            contexts.append(pctx)
            watch.page.goto(f"{server.url}delta?kode={made.code}&lang={lang}")
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
        assert "faen" not in cloud.inner_text()  # on the kit's banned list
        assert screen.evaluate("window.__xss") is None  # the payload stayed text
        assert "src=x" in cloud.inner_text()
        with Store(server.db_url) as store:
            xss = next(r for r in store.responses(made.code) if "onerror" in r.value)
            store.hide_response(made.code, made.key, xss.id)  # the presenter hides it
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
            ("Co-production", "Level 3"),
        ]
        for watch, (process, level) in zip(phones, answers, strict=True):
            p = watch.page
            expect(p.locator("#kit-case-title")).to_contain_text("Tirsdagslunsj", timeout=10_000)
            if p is keyboard:
                p.locator("#kit-case").focus()
                p.keyboard.press("Tab")
                p.keyboard.press("ArrowDown")  # Samproduksjon
                p.keyboard.press("Tab")
                for _ in range(3):
                    p.keyboard.press("ArrowDown")  # Nivå 3
                p.keyboard.press("Tab")
                p.keyboard.press("Space")
            else:
                nn_process = {"Samproduksjon": "Samproduksjon"}.get(process, process)
                p.get_by_role("radio", name=nn_process, exact=True).check()
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
        expected = ["riktig", "riktig", "riktig", "riktig", "correct"]
        for watch, word in zip(phones, expected, strict=True):
            p = watch.page
            yours = p.locator(".kit-yours")
            expect(yours).to_be_visible(timeout=10_000)
            expect(p.locator("#kit-status")).to_contain_text(yours.inner_text(), timeout=5_000)
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
        with Store(server.db_url) as store:
            store.close_session(made.code, made.key)
        for watch in phones:
            ended = watch.page.locator("#kit-ended")
            expect(ended).to_be_visible(timeout=30_000)
            box = ended.bounding_box()
            assert box is not None and box["y"] < 300

        # 4. The report, printed to an A4 PDF, holds every item of the plan.
        from kit.live.controller import SessionController

        with Store(server.db_url) as store:
            session = SessionController(store)
            session.resume(made.code, made.key)
            report = session.report("nb")
        assert XSS not in report and "&lt;img" in report
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
            title = item.title.get("nb") if hasattr(item, "title") else item.prompt.get("nb")
            assert " ".join(title.split())[:30] in flat, title
    finally:
        for context in contexts:
            context.close()
