"""The municipal-plans app in Chromium: the example file, an uploaded file, charts offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOSTILE_QUOTE = '<img src=x onerror="window.__pwned=1">Farlig sitat'

GOOD_CSV = (
    "kommune;år;samskaping;sitat\n"
    f"Prøvekommune X;2018;ja;{HOSTILE_QUOTE}\n"
    "Prøvekommune Y;2020;nei;\n"
    "<script>window.__pwned=2</script>Prøvekommune Z;2020;ja;\n"
)
BAD_CSV = "kommune;år;samskaping\nA;2019;ja\nB;19x9;kanskje\n"

LABELS = {
    "nb": {
        "example": "Bruk eksempelfila",
        "upload": "Last opp fil",
        "example_ok": "Antall planer: 12",
        "invented": "Eksempelfila er oppdiktet",
        "table": "Tallene i tabell",
        "good_ok": "Antall planer: 3",
        "problems": "har 2 problem(er)",
    },
    "en": {
        "example": "Use the example file",
        "upload": "Upload file",
        "example_ok": "Number of plans: 12",
        "invented": "The example file is invented",
        "table": "The numbers as a table",
        "good_ok": "Number of plans: 3",
        "problems": "has 2 problem(s)",
    },
}


def expect_two_charts(page) -> None:
    charts = page.locator(".kit-plans-result .kit-chart")
    expect(charts).to_have_count(2, timeout=30_000)
    for i in range(2):
        expect(charts.nth(i).locator("svg").first).to_be_visible(timeout=30_000)
        expect(charts.nth(i).locator(".kit-chart-desc")).not_to_be_empty()


def upload(page, label: str, path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=label).click()
    chooser.value.set_files(str(path))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_example_then_own_file_then_problems(app_page, tmp_path, lang):
    words = LABELS[lang]
    good = tmp_path / "mine_planer.csv"
    good.write_text(GOOD_CSV, encoding="utf-8-sig")
    bad = tmp_path / "feil.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    app_page.open("06_kommuneplaner.ipynb", f"?lang={lang}")
    page = app_page.page
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".kit-plans-intro blockquote")).to_contain_text("felles oppgåveløysing")
    status = page.locator(".kit-upload-status")

    # the example file: both charts, drawn offline, and the note that the rows are invented
    page.get_by_role("button", name=words["example"]).click()
    expect(status).to_contain_text(words["example_ok"], timeout=30_000)
    # The note comes with the charts, which take seconds to draw on a loaded machine.
    expect(page.locator(".kit-example-note")).to_contain_text(words["invented"], timeout=30_000)
    expect_two_charts(page)
    first_table = page.locator(".kit-plans-result .kit-chart").first.locator("details")
    first_table.locator("summary").click()
    expect(first_table.locator("table")).to_be_visible()
    expect(page.locator(".kit-plans-quotes li")).to_have_count(12)
    violations = app_page.axe_violations()
    assert violations == [], violations

    # an uploaded file: drawn the same way, its text shown as text
    upload(page, words["upload"], good)
    expect(status).to_contain_text("mine_planer.csv", timeout=30_000)
    expect(status).to_contain_text(words["good_ok"])
    expect(page.locator(".kit-example-note")).to_have_count(0)
    expect_two_charts(page)
    quotes = page.locator(".kit-plans-quotes")
    expect(quotes).to_contain_text("<img src=x")
    expect(quotes).to_contain_text("Farlig sitat")
    expect(page.locator(".kit-plans-result h2")).to_contain_text("mine_planer.csv")

    # a file with problems: every one listed, no charts
    upload(page, words["upload"], bad)
    problems = page.locator(".kit-problems")
    expect(problems).to_contain_text(words["problems"], timeout=30_000)
    expect(problems.locator("li")).to_have_count(2)
    expect(problems).to_contain_text("feil.csv:3: år:")
    expect(problems).to_contain_text("feil.csv:3: samskaping:")
    expect(page.locator(".kit-plans-result .kit-chart")).to_have_count(0)

    assert page.evaluate("window.__pwned") is None
    violations = app_page.axe_violations()
    assert violations == [], violations
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == [], f"tried to load from outside: {app_page.blocked}"


def test_language_switch_keeps_the_charts(app_page):
    app_page.open("06_kommuneplaner.ipynb")
    page = app_page.page
    page.get_by_role("button", name="Bruk eksempelfila").click()
    expect_two_charts(page)
    page.get_by_label("Språk", exact=True).select_option(label="Nynorsk")
    expect(page.locator("html")).to_have_attribute("lang", "nn", timeout=30_000)
    expect(page.locator(".kit-upload-status")).to_contain_text("Tal på planar: 12", timeout=30_000)
    expect(page.locator(".kit-example-note")).to_contain_text("Eksempelfila er oppdikta")
    expect_two_charts(page)
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == []
