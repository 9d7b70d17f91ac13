"""Keyboard only, as a screen reader sees it: the classification and the model explorer in
Chromium, driven with Tab, Shift+Tab, Space, Enter and the arrow keys (no mouse), asserting
where the focus is after each step, and what Playwright's accessibility snapshot shows: the
radio groups' names, the checked and pressed states, unique button names. axe stays clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kit.cases.casefile import load_cases
from kit.core.i18n import LANGUAGES, t
from kit.model import html as render
from kit.model.labels import level_label
from kit.model.model import load_model

pytestmark = [pytest.mark.browser, pytest.mark.server]

MODEL = load_model()


def focused(page) -> dict:
    """The focused element: its tag, role, accessible-name-ish text and a few attributes."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            return { tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || '',
                     type: e.type || '', text: (e.innerText || '').trim(),
                     label: e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '',
                     checked: !!e.checked }; }"""
    )


def tab_until(page, wanted, limit: int = 40, key: str = "Tab") -> dict:
    """Press Tab (or Shift+Tab) until ``wanted(focused)`` holds; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if wanted(now):
            return now
    raise AssertionError(f"{key} never reached the element; last focus: {focused(page)}")


def button_names(snapshot: str) -> list[str]:
    return re.findall(r'- button "([^"]*)"', snapshot)


def assert_clean(app_page) -> None:
    violations = app_page.axe_violations()
    assert violations == [], violations
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == []


#: the desktop and the phone width; each keyboard walk runs at both
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_keyboard_walk_through_the_classification(app_page, lang, width):
    app_page.page.set_viewport_size(WIDTHS[width])
    app_page.open("03_klassifiser.ipynb", f"?lang={lang}")
    page = app_page.page
    feedback = page.locator(".kit-exercise .kit-fb [role=status]")
    # the live region is on the page from the start, empty, before any check
    expect(feedback).to_have_count(1)
    expect(feedback).to_have_attribute("aria-live", "polite")
    assert feedback.inner_text() == ""
    expect(page.get_by_role("radiogroup", name=t("klass_source_label", lang))).to_be_visible()

    start = t("klass_start", lang)
    tab_until(page, lambda f: f["tag"] == "button" and f["text"] == start)
    page.keyboard.press("Enter")
    # the first case's title has the focus
    title = page.locator(".kit-case h2")
    expect(title).to_be_focused()
    first_title = title.inner_text()
    assert first_title

    process = t("klass_process_label", lang)
    level = t("klass_level_label", lang)
    processes = page.get_by_role("radiogroup", name=process)
    levels = page.get_by_role("radiogroup", name=level)
    expect(processes).to_be_visible()
    page.keyboard.press("Tab")  # into the process group: its first card, nothing chosen yet
    expect(processes.get_by_role("radio").first).to_be_focused()
    page.keyboard.press("ArrowDown")  # moves to the second card and chooses it
    second = processes.get_by_role("radio", name=t("process_samproduksjon", lang), exact=True)
    expect(second).to_be_focused()
    expect(second).to_be_checked()
    page.keyboard.press("Tab")  # one tab stop per group: on to the level group
    expect(levels.get_by_role("radio").first).to_be_focused()
    page.keyboard.press("Space")
    level1 = levels.get_by_role("radio", name=level_label(1, lang), exact=True)
    expect(level1).to_be_checked()
    check = page.get_by_role("button", name=t("klass_check", lang), exact=True)
    page.keyboard.press("Tab")
    expect(check).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the chosen level, and forward again
    expect(level1).to_be_focused()
    page.keyboard.press("Tab")
    expect(check).to_be_focused()

    snapshot = page.locator(".kit-exercise").aria_snapshot()
    assert f'radiogroup "{process}"' in snapshot and f'radiogroup "{level}"' in snapshot
    assert f'radio "{t("process_samproduksjon", lang)}" [checked]' in snapshot
    assert f'radio "{level_label(1, lang)}" [checked]' in snapshot
    assert f'status "{t("a11y_feedback_label", lang)}"' in snapshot

    page.keyboard.press("Enter")  # check: the feedback takes the focus and is announced
    expect(feedback).to_be_focused()
    verdicts = [
        t(k, lang)
        for k in (
            "klass_fb_all_right",
            "klass_fb_partial",
            "klass_fb_part_right",
            "klass_fb_all_wrong",
        )
    ]
    expect(feedback).to_contain_text(re.compile("|".join(map(re.escape, verdicts))))
    expect(feedback).to_contain_text(t("klass_fb_explanation", lang))
    expect(check).to_be_disabled()

    nxt = page.get_by_role("button", name=t("klass_next", lang), exact=True)
    page.keyboard.press("Tab")
    expect(nxt).to_be_focused()
    page.keyboard.press("Enter")  # next: the new case's title has the focus
    expect(title).to_be_focused()
    expect(title).not_to_have_text(first_title)
    expect(page.locator(".kit-progress-text")).to_contain_text(
        t("klass_progress_text", lang, n=2, total=len(load_cases()))
    )
    expect(feedback).to_have_text("")  # emptied for the next answer, still on the page
    expect(processes.get_by_role("radio", checked=True)).to_have_count(0)

    names = button_names(page.locator(".kit-app").aria_snapshot())
    assert len(names) == len(set(names)), names
    assert_clean(app_page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_keyboard_walk_through_the_model_explorer(app_page, lang, width):
    app_page.page.set_viewport_size(WIDTHS[width])
    app_page.open("02_modellen.ipynb", f"?lang={lang}")
    page = app_page.page
    titles = {lv.number: render.level_title(lv, lang) for lv in MODEL.levels}
    buttons = {n: page.get_by_role("button", name=titles[n], exact=True) for n in titles}
    detail = page.locator(".kit-detail")

    def pressed(n: int) -> None:
        for m, button in buttons.items():
            expect(button).to_have_attribute("aria-pressed", "true" if m == n else "false")

    expect(buttons[1]).to_be_visible()
    pressed(1)
    tab_until(page, lambda f: f["tag"] == "button" and f["text"].endswith(titles[1]))
    page.keyboard.press("Tab")
    expect(buttons[2]).to_be_focused()
    page.keyboard.press("Enter")
    pressed(2)
    expect(buttons[2]).to_be_focused()  # the focus stays on the button pressed
    expect(detail.locator("h3")).to_contain_text(titles[2])
    page.keyboard.press("Tab")
    expect(buttons[3]).to_be_focused()
    page.keyboard.press("Space")
    pressed(3)
    expect(detail.locator("h3")).to_contain_text(titles[3])

    group = page.get_by_role("radiogroup", name=t("choose_level", lang))
    level3 = group.get_by_role("radio", name=t("level_n", lang, n=3), exact=True)
    expect(level3).to_be_checked()
    # past the diagram's text alternative, into the group: the focus is on the chosen level
    tab_until(page, lambda f: f["type"] == "radio")
    expect(level3).to_be_focused()
    page.keyboard.press("ArrowLeft")
    level2 = group.get_by_role("radio", name=t("level_n", lang, n=2), exact=True)
    expect(level2).to_be_focused()
    expect(level2).to_be_checked()
    pressed(2)
    expect(detail.locator("h3")).to_contain_text(titles[2])
    page.keyboard.press("Shift+Tab")  # out of the group, back towards the diagram
    expect(level2).not_to_be_focused()

    snapshot = page.locator(".kit-app").aria_snapshot()
    assert f'radiogroup "{t("choose_level", lang)}"' in snapshot
    assert f'radio "{t("level_n", lang, n=2)}" [checked]' in snapshot
    assert f'button "{titles[2]}" [pressed]' in snapshot
    assert f'button "{titles[1]}" [pressed]' not in snapshot
    names = button_names(snapshot)
    assert len(names) == len(set(names)), names
    assert_clean(app_page)


def test_concepts_questions_have_their_own_names(app_page):
    """Every check question's radio group and check button has a name of its own; checking
    with the keyboard moves the focus to that question's feedback."""
    app_page.open("01_begreper.ipynb", "?lang=nn")
    page = app_page.page
    first = page.get_by_role("radiogroup", name=t("answer_label_n", "nn", n=1))
    expect(first).to_be_visible()
    snapshot = page.locator(".kit-app").aria_snapshot()
    names = button_names(snapshot)
    checks = [n for n in names if n.startswith(t("check_button", "nn"))]
    assert len(checks) == len(set(checks)) >= 3, checks
    assert f'radiogroup "{t("answer_label_n", "nn", n=2)}"' in snapshot
    tab_until(page, lambda f: f["type"] == "radio")
    expect(first.get_by_role("radio").first).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=t("check_button_n", "nn", n=1))).to_be_focused()
    page.keyboard.press("Enter")
    feedback = page.locator(".kit-question").first.locator("[role=status]")
    expect(feedback).to_be_focused()
    expect(feedback).not_to_have_text("")
    assert_clean(app_page)
