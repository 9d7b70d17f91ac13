"""Klassifiser's contrast-pair round ("Kontrastpar") in Chromium: on a 375 px phone by
keyboard, the two cases stacked, both answered, both keys and the difference in the live
region, axe clean; at 1280 px the two cases side by side."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kit.cases.casefile import load_cases

from .conftest import AXE_JS, _need, local_context
from .test_browser_layout import DESKTOP, MEASURE, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]

BY_TITLE = {c.title.nb: c for c in load_cases()}
PROCESS_NAMES = {
    "samskaping": "Samskaping",
    "samproduksjon": "Samproduksjon",
    "verdisamskaping": "Verdisamskaping",
    "ingen": "Ingen av dem",
}
LEVEL_NAMES = {1: "Nivå 1", 2: "Nivå 2", 3: "Nivå 3", None: "Ikke noe nivå"}


def choose_by_keyboard(page, group: str, option: str) -> None:
    """Move to ``option`` of the radio group named ``group`` and choose it with the space bar."""
    radio = page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True)
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()


def shown_case(page, side: str):
    """The library case shown as case ``side`` (by its title in the case's heading)."""
    heading = page.locator(".kit-pair-case h3", has_text=f"Case {side}: ")
    title = heading.inner_text().split(": ", 1)[1]
    return BY_TITLE[title]


def test_a_contrast_pair_round_by_keyboard_on_a_phone(browser, server):
    context = local_context(browser, server, PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server.url}voila/render/03_klassifiser.ipynb?lang=nb")
        page.wait_for_selector(".kit-app h1", timeout=90_000)
        modes = page.get_by_role("radiogroup", name="Slags øvelse")
        expect(modes.get_by_role("radio", name="Ett case om gangen")).to_be_checked()
        # by keyboard: the arrow key moves the choice to "Kontrastpar"
        modes.get_by_role("radio", name="Ett case om gangen").focus()
        page.keyboard.press("ArrowRight")
        expect(modes.get_by_role("radio", name="Kontrastpar")).to_be_checked()
        counts = page.get_by_role("radiogroup", name="Antall par")
        counts.get_by_role("radio", name="5", exact=True).focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Start øvelsen").focus()
        page.keyboard.press("Enter")

        heading = page.locator(".kit-pair-head h2")
        expect(heading).to_have_text("Kontrastpar 1 av 5", timeout=30_000)
        expect(heading).to_be_focused(timeout=10_000)
        # stacked on the phone: case B under case A, in reading order, nothing too wide
        a_box = page.locator(".kit-pair-case").nth(0).bounding_box()
        b_box = page.locator(".kit-pair-case").nth(1).bounding_box()
        assert a_box and b_box and b_box["y"] >= a_box["y"] + a_box["height"] - 1
        assert page.evaluate(MEASURE) == []

        a, b = shown_case(page, "A"), shown_case(page, "B")
        assert (a.process, a.level) != (b.process, b.level)
        assert a.pair == b.id or b.pair == a.id
        for side, case in (("A", a), ("B", b)):
            choose_by_keyboard(page, f"Prosess i case {side}", PROCESS_NAMES[case.process])
            choose_by_keyboard(page, f"Nivå i case {side}", LEVEL_NAMES[case.level])
        check = page.get_by_role("button", name="Sjekk begge svarene")
        check.focus()
        page.keyboard.press("Enter")

        result = page.get_by_role("status").filter(has_text="Resultat:")
        expect(result).to_contain_text("Resultat: 2 av 2 helt riktige")
        expect(result.locator("h3")).to_be_focused(timeout=10_000)
        expect(result).to_contain_text(a.explanation.nb)
        expect(result).to_contain_text(b.explanation.nb)
        expect(result.locator(".kit-pair-difference h4")).to_have_text("Hva skiller dem?")
        # both keys marked on the answer cards, each group of both cases
        expect(page.locator(".kit-pairs .kit-choice-right")).to_have_count(4)
        expect(check).to_be_disabled()
        _need(AXE_JS.exists(), f"axe-core not found at {AXE_JS} (run: npm ci)")
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            "async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.help)"
        )
        assert violations == [], violations
        assert page.evaluate(MEASURE) == []

        # at 1280 px the two cases of the next pair sit side by side
        page.set_viewport_size(DESKTOP)
        page.get_by_role("button", name="Neste par").click()
        expect(heading).to_have_text("Kontrastpar 2 av 5")
        expect(heading).to_be_focused(timeout=10_000)
        a_box = page.locator(".kit-pair-case").nth(0).bounding_box()
        b_box = page.locator(".kit-pair-case").nth(1).bounding_box()
        assert a_box and b_box and abs(a_box["y"] - b_box["y"]) < 2
        assert b_box["x"] >= a_box["x"] + a_box["width"] - 1
        assert page.evaluate(MEASURE) == []

        # a missing choice is said in the live region; then finish early
        page.get_by_role("button", name="Sjekk begge svarene").click()
        expect(page.locator(".kit-pair-fb")).to_contain_text("Velg prosess og nivå i begge casene")
        page.get_by_role("button", name="Avslutt og se oppsummeringen").click()
        summary = page.locator(".kit-summary h2")
        expect(summary).to_have_text("Oppsummering", timeout=30_000)
        expect(page.locator(".kit-summary")).to_contain_text("Du fikk 2 av 2 helt riktige")
        assert errors == [], errors
    finally:
        context.close()
