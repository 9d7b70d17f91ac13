"""The slides on a projector: every slide whole in the window at 1080p, 768p and 720p, body text
of at least 28 px at 1080p, and a full-screen mode by key and by button (with a fallback)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import local_context

pytestmark = [pytest.mark.browser, pytest.mark.server]

SIZES = [(1920, 1080), (1366, 768), (1280, 720)]

#: The slide's box inside the window, whether its content overflows it, and the smallest body
#: text (paragraphs and list items; the figure's labels and the source line are not body text).
MEASURE = """
() => {
  const slide = document.querySelector(".kit-slide");
  const r = slide.getBoundingClientRect();
  const nav = document.querySelector(".kit-slide-nav").getBoundingClientRect();
  const body = [...slide.querySelectorAll("p, li")]
    .filter((e) => !e.closest(".kit-slides-diagram, .kit-citation"))
    .map((e) => parseFloat(getComputedStyle(e).fontSize));
  return {
    top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    nav_bottom: nav.bottom, overflow: slide.scrollHeight - slide.clientHeight,
    overflow_x: slide.scrollWidth - slide.clientWidth,
    min_text: Math.min(...body), kind: slide.className,
    width: window.innerWidth, height: window.innerHeight,
  };
}
"""


def projector(browser, server, size, lang="nb", init_script=None):
    context = local_context(browser, server, {"width": size[0], "height": size[1]}, init_script)
    page = context.new_page()
    page.goto(f"{server.url}voila/render/07_lysbilder.ipynb?lang={lang}")
    page.wait_for_selector(".kit-slide", timeout=90_000)
    return context, page


def go_to(page, index: int, total: int) -> None:
    page.locator(".kit-slide-nav select").select_option(index=index)
    expect(page.locator(".kit-slide-counter")).to_contain_text(f"{index + 1}")
    page.wait_for_function(
        "() => { const s = document.querySelector('.kit-slide'); return s && s.dataset.fit; }"
    )
    page.wait_for_timeout(150)


def assert_whole(m: dict, where: str) -> None:
    assert m["top"] >= 0 and m["bottom"] <= m["height"], (where, m)
    assert m["nav_bottom"] <= m["height"], ("the slide controls are below the window", where, m)
    assert m["left"] >= 0 and m["right"] <= m["width"], (where, m)
    assert m["overflow"] <= 1 and m["overflow_x"] <= 1, ("the slide's text overflows", where, m)


CASES = [(size, lang) for size in SIZES for lang in ("nb", "en")] + [((1920, 1080), "nn")]


@pytest.mark.parametrize(("size", "lang"), CASES, ids=[f"{w}x{h}-{lang}" for (w, h), lang in CASES])
def test_every_slide_fits_the_window(browser, server, size, lang):
    context, page = projector(browser, server, size, lang)
    try:
        total = page.locator(".kit-slide-nav select option").count()
        assert total >= 10
        for index in range(total):
            go_to(page, index, total)
            m = page.evaluate(MEASURE)
            where = f"slide {index + 1} at {size}"
            assert_whole(m, where)
            if size == (1920, 1080):
                assert m["min_text"] >= 28, (where, m)
    finally:
        context.close()


def test_full_screen_by_key_and_button(browser, server):
    context, page = projector(browser, server, (1920, 1080))
    try:
        deck = page.locator(".kit-deck")
        button = page.get_by_role("button", name="Fullskjerm (F)")
        expect(button).to_have_attribute("aria-pressed", "false")
        page.locator("h1").first.focus()  # outside the slides: F is a letter, nothing more
        page.keyboard.press("f")
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.fullscreenElement") is None
        page.locator(".kit-slide").click()
        page.keyboard.press("f")
        page.wait_for_function(
            "() => document.fullscreenElement === document.querySelector('.kit-deck')"
        )
        expect(button).to_have_attribute("aria-pressed", "true")
        # the arrow keys still move while in full screen; the slide fills the screen
        page.keyboard.press("ArrowRight")
        expect(page.locator(".kit-slide-counter")).to_contain_text("Lysbilde 2 av")
        box = deck.bounding_box()
        assert box["width"] >= 1900 and box["height"] >= 1060, box
        m = page.evaluate(MEASURE)
        assert_whole(m, "full screen")
        assert m["min_text"] >= 28, m
        page.keyboard.press("f")
        page.wait_for_function("() => document.fullscreenElement === null")
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        page.wait_for_function(
            "() => document.fullscreenElement === document.querySelector('.kit-deck')"
        )
        button.click()
        page.wait_for_function("() => document.fullscreenElement === null")
    finally:
        context.close()


def test_full_screen_falls_back_without_the_api(browser, server):
    """Where the Fullscreen API is missing (or refused), the deck covers the whole window."""
    context, page = projector(
        browser, server, (1366, 768), "en", "delete Element.prototype.requestFullscreen;"
    )
    try:
        button = page.get_by_role("button", name="Full screen (F)")
        button.click()
        deck = page.locator(".kit-deck")
        page.wait_for_function(
            "() => document.querySelector('.kit-deck').classList.contains('kit-deck-full')"
        )
        expect(button).to_have_attribute("aria-pressed", "true")
        box = deck.bounding_box()
        assert box["x"] == 0 and box["y"] == 0 and box["width"] == 1366 and box["height"] == 768
        assert_whole(page.evaluate(MEASURE), "fallback full screen")
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => !document.querySelector('.kit-deck').classList.contains('kit-deck-full')"
        )
        expect(button).to_have_attribute("aria-pressed", "false")
    finally:
        context.close()
