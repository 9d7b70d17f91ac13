"""The served apps in Chromium, as a learner uses them, with every outside request aborted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kit.guide.start import APPS as START_APPS

from .conftest import APP_NOTEBOOKS

pytestmark = [pytest.mark.browser, pytest.mark.server]

APPS = list(APP_NOTEBOOKS)


def assert_clean(app_page) -> None:
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == [], f"tried to load from outside: {app_page.blocked}"


def test_start_page_links_to_every_app(app_page):
    app_page.open("00_start.ipynb")
    page = app_page.page
    expect(page.locator("h1")).to_have_text("Samskaping: kommuner og frivillighet")
    links = page.locator(".kit-app-list a")
    expect(links).to_have_count(len(START_APPS))
    links.first.click()
    page.wait_for_url("**/01_begreper.ipynb?lang=nb")
    expect(page.locator(".kit-app h1")).to_contain_text("Begrepene", timeout=90_000)
    assert_clean(app_page)


def test_explorer_pick_level_in_diagram_and_control(app_page):
    app_page.open("02_modellen.ipynb")
    page = app_page.page
    detail = page.locator(".kit-detail")
    expect(detail).to_contain_text("Forankring og ansvarsfordeling")
    page.get_by_role("button", name="Nivå 3: Drift og rekruttering").click()
    expect(detail).to_contain_text("Enkeltfrivillige")
    expect(detail).to_contain_text("Drive aktiviteter utviklet på nivå 2")
    page.get_by_role("radiogroup", name="Velg nivå").get_by_role(
        "radio", name="Nivå 2", exact=True
    ).check()
    expect(detail).to_contain_text("(Co-design)")
    expect(detail).to_contain_text("Identifisere behov og løsninger")
    page.get_by_label("Andre nivå").select_option(
        label="Nivå 2: Tjenesteutvikling og oppgavefordeling"
    )
    expect(page.locator(".kit-comparison caption")).to_have_text("Nivå 1 og nivå 2 side om side")
    assert_clean(app_page)


def test_concepts_check_question_gives_feedback(app_page):
    app_page.open("01_begreper.ipynb")
    page = app_page.page
    first = page.locator(".kit-question").first
    first.get_by_role("button", name="Sjekk svaret").click()
    expect(first.locator(".kit-fb")).to_contain_text("Velg et svar først.")
    first.get_by_label("Samskaping", exact=True).check()
    first.get_by_role("button", name="Sjekk svaret").click()
    expect(first.locator(".kit-fb")).to_contain_text("Ikke riktig. Riktig svar er: Samproduksjon.")
    first.get_by_label("Samproduksjon", exact=True).check()
    first.get_by_role("button", name="Sjekk svaret").click()
    expect(first.locator(".kit-fb")).to_contain_text("Riktig.")
    expect(first.locator(".kit-fb")).to_contain_text("kildens eget eksempel")
    assert_clean(app_page)


@pytest.mark.parametrize("notebook", APPS)
def test_language_switch_changes_text_and_lang(app_page, notebook):
    app_page.open(notebook)
    page = app_page.page
    assert page.evaluate("document.documentElement.lang") == "nb"
    nb_heading = page.locator(".kit-app h1").inner_text()
    page.get_by_label("Språk", exact=True).select_option(label="English")
    expect(page.get_by_label("Language", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator(".kit-app h1").inner_text() != nb_heading
    page.get_by_label("Language", exact=True).select_option(label="Nynorsk")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    assert_clean(app_page)


def test_language_from_address(app_page):
    app_page.open("02_modellen.ipynb", "?lang=en")
    page = app_page.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".kit-app h1")).to_have_text("The model: three levels of co-creation")
    assert_clean(app_page)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
@pytest.mark.parametrize("notebook", APPS)
def test_axe_finds_no_violations(app_page, notebook, lang):
    app_page.open(notebook, f"?lang={lang}")
    page = app_page.page
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if notebook == "01_begreper.ipynb":  # include the feedback state
        first = page.locator(".kit-question").first
        first.get_by_role("button").first.click()
        expect(first.locator(".kit-fb p")).to_be_visible()
    violations = app_page.axe_violations()
    assert violations == [], violations
    assert_clean(app_page)


def test_phone_width_diagram_fits(browser, server):
    """At 375 px the diagram turns into one column; every level box fits and shows its text."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(server.url) or r.request.url.startswith("ws://127.0.0.1")
            else r.abort()
        ),
    )
    page = context.new_page()
    try:
        page.goto(f"{server.url}voila/render/02_modellen.ipynb")
        page.wait_for_selector(".kit-level-btn", timeout=90_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        buttons = page.locator(".kit-level-btn")
        expect(buttons).to_have_count(3)
        tops = []
        for i in range(3):
            box = buttons.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            assert buttons.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth + 1")
            tops.append(box["y"])
        assert tops == sorted(tops) and len(set(tops)) == 3, "levels should stack top to bottom"
        expect(page.locator(".kit-arrow-v").first).to_be_visible()
        expect(page.locator(".kit-arrow-h").first).to_be_hidden()
    finally:
        context.close()


def test_closing_the_tab_frees_the_kernel(browser, server):
    """Voilà's close-tab beacon must be accepted, or every visit leaves a kernel behind."""
    import json
    import time
    import urllib.error
    import urllib.request

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}voila/render/00_start.ipynb")
    page.wait_for_selector(".kit-app h1", timeout=90_000)
    kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    url = f"{server.url}api/kernels/{kernel_id}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
    page.goto("about:blank")  # leaving the page fires the beacon
    context.close()
    deadline = time.monotonic() + 15
    status = 200
    while time.monotonic() < deadline and status == 200:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        time.sleep(0.3)
    assert status == 404, "the kernel was not shut down when the tab closed"


def test_slides_move_with_the_keyboard(app_page):
    app_page.open("07_lysbilder.ipynb")
    page = app_page.page
    counter = page.locator(".kit-slide-counter")
    expect(counter).to_contain_text("Lysbilde 1 av")
    page.locator(".kit-slide").click()
    page.keyboard.press("ArrowRight")
    expect(counter).to_contain_text("Lysbilde 2 av")
    page.keyboard.press("PageDown")
    expect(counter).to_contain_text("Lysbilde 3 av")
    page.get_by_role("button", name="Forrige").click()
    expect(counter).to_contain_text("Lysbilde 2 av")
    assert_clean(app_page)
