"""The classification exercise in Chromium: upload a file, classify 5 cases, see the summary;
choose 10 hard cases and stop after 4; one case and its choices fit a 1280 x 800 window."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from kit.cases.case import Case
from kit.cases.casefile import COLUMNS, load_cases
from kit.core.i18n import t

from .test_browser_layout import MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">Farlig tittel'


def write_five(path) -> list:
    cases = list(load_cases()[:4])
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["id", "tittel", "tekst", "prosess", "nivå", "forklaring", "område"])
        for c in cases:
            out.writerow(
                [c.id, c.title.nb, c.text.nb, c.process, c.level or "", c.explanation.nb, c.domain]
            )
        out.writerow(
            [
                "farlig",
                HOSTILE_TITLE,
                "<script>window.__pwned=2</script>Tekst.",
                "ingen",
                "",
                "Forklaring.",
                "kultur",
            ]
        )
    return cases


def new_case_ready(page, progress: str) -> None:
    """Wait until the page shows case ``progress`` with its choices cleared and enabled (the app
    sends the choices before the progress line: this waits for what a click needs, not for an
    order)."""
    expect(page.locator(".kit-progress-text")).to_contain_text(progress)
    radios = page.locator(".kit-exercise [role=radiogroup] input[type=radio]")
    expect(radios.first).to_be_visible()
    for state in (":checked", ":disabled"):
        expect(page.locator(f".kit-exercise [role=radiogroup] input{state}")).to_have_count(0)
    expect(page.locator(".kit-fb .kit-feedback")).to_have_count(0)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_classify_five_cases_from_uploaded_file(app_page, tmp_path, lang):
    path = tmp_path / "fem.csv"
    write_five(path)
    app_page.open("03_klassifiser.ipynb", f"?lang={lang}")
    page = app_page.page
    labels = {
        "nb": (
            "Egen fil",
            "Bland rekkefølgen",
            "Start øvelsen",
            "Sjekk svaret",
            "Case {n} av 5",
            "Prosess",
            "Nivå",
            "Neste case",
            "Se oppsummering",
            "Oppsummering",
        ),
        "en": (
            "Your own file",
            "Shuffle the order",
            "Start the exercise",
            "Check answer",
            "Case {n} of 5",
            "Process",
            "Level",
            "Next case",
            "See summary",
            "Summary",
        ),
    }[lang]
    own, shuffle, start, check, progress, process, level, nxt, to_summary, summary = labels
    page.get_by_label(own).check()
    upload = {"nb": "Last opp fil", "en": "Upload file"}[lang]
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=upload).click()
    chooser.value.set_files(str(path))
    expect(page.locator(".kit-upload-status")).to_contain_text("fem.csv")
    expect(page.locator(".kit-upload-status")).to_contain_text("5")
    page.get_by_label(shuffle).uncheck()
    page.get_by_role("button", name=start).click()
    for n in range(1, 6):
        new_case_ready(page, progress.format(n=n))
        page.get_by_role("radiogroup", name=process).get_by_role("radio").nth(n % 4).check()
        page.get_by_role("radiogroup", name=level).get_by_role("radio").nth(n % 4).check()
        page.get_by_role("button", name=check).click()
        expect(page.locator(".kit-fb .kit-feedback")).to_be_visible()
        expect(page.get_by_role("progressbar")).to_have_attribute("value", str(n))
        processes = page.get_by_role("radiogroup", name=process)
        # the key's card shows a check mark; a wrong choice's card a cross, never a check
        expect(processes.locator(".kit-choice-right")).to_have_count(1)
        chosen = processes.locator(".kit-choice-on")
        if "kit-choice-right" not in (chosen.get_attribute("class") or ""):
            expect(chosen).to_have_class(re.compile("kit-choice-wrong"))
            mark = chosen.evaluate("e => getComputedStyle(e, '::after').content")
            assert "✘" in mark and "✔" not in mark, mark
        if n == 5:
            expect(page.locator(".kit-case")).to_contain_text("Farlig tittel")
            expect(page.locator(".kit-case")).to_contain_text("<img src=x")
            expect(page.locator(".kit-case")).to_contain_text("<script>")
            page.get_by_role("button", name=to_summary).click()
        else:
            page.get_by_role("button", name=nxt, exact=True).click()
    # the first summary brings the offline chart bundle: slow on a busy machine
    expect(page.locator(".kit-summary h2")).to_have_text(summary, timeout=30_000)
    # the first summary's heading takes the keyboard focus (it was left on <body>)
    expect(page.locator(".kit-summary h2")).to_be_focused(timeout=10_000)
    expect(page.locator(".kit-chart svg").first).to_be_visible(timeout=30_000)
    expect(page.locator(".kit-download")).to_be_visible()
    # the fifth case (ingen) was answered samproduksjon: practise what I mix up, once
    practise_mixups(page, lang)
    assert page.evaluate("window.__pwned") is None
    violations = app_page.axe_violations()
    assert violations == [], violations
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == []


PRACTICE = {
    "nb": (
        "Øv på det jeg blander",
        "Øvingsrunde",
        "Case {n} av {total}",
        "Neste case",
        "Se oppsummering",
        "Sjekk svaret",
        "Fremgang per skille",
        "Ingen av dem eller samproduksjon",
        "Tallene i tabell",
    ),
    "en": (
        "Practise what I mix up",
        "Practice round",
        "Case {n} of {total}",
        "Next case",
        "See summary",
        "Check answer",
        "Progress per distinction",
        "None of these or co-production",
        "The numbers as a table",
    ),
}


def practise_mixups(page, lang: str) -> None:
    """Click "practise what I mix up", answer the round, and see the progress chart and table."""
    mix, note, first, nxt, to_summary, check, title, distinction, table = PRACTICE[lang]
    page.get_by_role("button", name=mix).click()
    expect(page.locator(".kit-practice-note")).to_contain_text(note)
    progress = page.locator(".kit-progress-text")
    head = first.split("{total}")[0].format(n=1)
    expect(progress).to_contain_text(head)
    total = int(progress.inner_text().split(head)[1].split()[0])
    assert 1 <= total <= 10
    for n in range(1, total + 1):
        new_case_ready(page, first.format(n=n, total=total))
        expect(page.get_by_role("progressbar")).to_have_attribute("value", str(n - 1))
        radios = page.locator(".kit-exercise [role=radiogroup]")
        radios.first.get_by_role("radio").nth(2).check()
        radios.nth(1).get_by_role("radio").nth(2).check()
        page.get_by_role("button", name=check).click()
        expect(page.locator(".kit-fb .kit-feedback")).to_be_visible()
        last = n == total
        page.get_by_role("button", name=to_summary if last else nxt, exact=True).click()
    view = page.locator(".kit-practice-progress")
    expect(view.locator("svg").first).to_be_visible(timeout=30_000)
    expect(view.locator(".kit-chart-desc")).to_contain_text(distinction)
    view.get_by_text(table).click()
    expect(view.locator(".kit-practice-table")).to_be_visible()
    expect(view.locator(".kit-practice-table caption")).to_have_text(title)
    # a row for the distinction practised (and one for any new mix-up the round brought)
    expect(view.locator(".kit-practice-table tbody th", has_text=distinction)).to_have_count(1)


# ------------------------------------ 10 hard cases, stop after 4 (issue); the case fits 1280 x 800


def test_ten_hard_cases_stop_after_four_summary_and_practice_work(app_page):
    """Klassifiser: 10 vanskelig cases, stop after 4, summary and practice work."""
    app_page.open("03_klassifiser.ipynb", "?lang=nb")
    page = app_page.page
    tiers = page.get_by_role("radiogroup", name="Vanskelighet")
    counts = page.get_by_role("radiogroup", name="Antall case")
    # the defaults: every tier, every case
    expect(tiers.get_by_role("radio", name="Blandet (alle)")).to_be_checked()
    expect(counts.get_by_role("radio", name="Alle")).to_be_checked()
    # by keyboard: the arrow keys move the choice within a group, Tab goes on to the next one
    tiers.get_by_role("radio", name="Blandet (alle)").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(tiers.get_by_role("radio", name="Vanskelig", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(counts.get_by_role("radio", name="Alle")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(counts.get_by_role("radio", name="10", exact=True)).to_be_checked()
    expect(tiers.get_by_role("radio", name="Vanskelig", exact=True)).to_be_checked()
    expect(tiers.get_by_role("radio", checked=True)).to_have_count(1)
    violations = app_page.axe_violations()  # the setup with its new choices
    assert violations == [], violations
    page.get_by_role("button", name="Start øvelsen").click()
    process = page.get_by_role("radiogroup", name="Prosess")
    level = page.get_by_role("radiogroup", name="Nivå")
    finish = page.get_by_role("button", name="Avslutt og se oppsummeringen")
    for n in range(1, 5):
        new_case_ready(page, f"Case {n} av 10")
        expect(finish).to_be_enabled()
        # samskaping with no level is never fully right: four answers to practise
        process.get_by_role("radio", name="Samskaping", exact=True).check()
        level.get_by_role("radio", name="Ikke noe nivå", exact=True).check()
        page.get_by_role("button", name="Sjekk svaret").click()
        expect(page.locator(".kit-fb .kit-feedback")).to_be_visible()
        expect(page.get_by_role("progressbar")).to_have_attribute("value", str(n))
        if n < 4:
            page.get_by_role("button", name="Neste case", exact=True).click()
    finish.click()
    summary = page.locator(".kit-summary")
    heading = summary.locator("h2")
    # the first summary brings the offline chart bundle: slow on a busy machine
    expect(heading).to_have_text("Oppsummering", timeout=30_000)
    expect(heading).to_be_focused(timeout=10_000)
    expect(summary).to_contain_text("Du avsluttet etter 4 av 10 caser.")
    expect(summary).to_contain_text("Du fikk 0 av 4 helt riktige.")
    expect(page.locator(".kit-exercise")).to_be_hidden()
    expect(page.locator(".kit-chart svg").first).to_be_visible(timeout=30_000)
    # the download: the four answered cases, each a hard one of the library
    link = summary.locator("a.kit-download")
    with page.expect_download() as download:
        link.click()
    saved = download.value.path()
    assert saved is not None
    rows = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][0] == "id" and len(rows) == 1 + 4, rows
    hard = {c.id for c in load_cases() if c.tier == "vanskelig"}
    assert {r[0] for r in rows[1:]} <= hard and len({r[0] for r in rows[1:]}) == 4
    assert all(r[2] == "Samskaping" and r[4] == "Ikke noe nivå" for r in rows[1:])
    violations = app_page.axe_violations()  # the summary of a round stopped early
    assert violations == [], violations
    # practice starts on the four answered cases and works; stopped after one, it says so
    page.get_by_role("button", name="Øv på dem du svarte feil på (4)").click()
    new_case_ready(page, "Case 1 av 4")
    expect(page.locator(".kit-case h2")).to_be_focused()
    title = page.locator(".kit-case h2").inner_text()
    assert title in {c.title.nb for c in load_cases() if c.id in {r[0] for r in rows[1:]}}
    process.get_by_role("radio", name="Ingen av dem", exact=True).check()
    level.get_by_role("radio", name="Nivå 1", exact=True).check()
    page.get_by_role("button", name="Sjekk svaret").click()
    expect(page.locator(".kit-fb .kit-feedback")).to_be_visible()
    finish.click()
    expect(summary).to_contain_text("Du avsluttet etter 1 av 4 caser.")
    expect(heading).to_be_focused(timeout=10_000)
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == []


def case_row(case: Case) -> dict[str, object]:
    """A library case as a row of a course leader's CSV file, in every language it has."""

    def text(value, lang: str) -> str:
        return value.get(lang) if value is not None and lang in value.languages else ""

    row: dict[str, object] = {column: "" for column in COLUMNS}
    row.update(
        id=case.id,
        prosess=case.process,
        nivå=case.level or "",
        område=case.domain,
        vanskelighet=case.tier,
        kjede=case.chain or "",
    )
    for column, value in (
        ("tittel", case.title),
        ("tekst", case.text),
        ("forklaring", case.explanation),
        ("markert", case.marked),
    ):
        for lang, suffix in (("nb", ""), ("nn", "_nn"), ("en", "_en")):
            row[column + suffix] = text(value, lang)
    return row


def longest(lang: str, chains: bool) -> Case:
    """The library's case with the most text in ``lang`` (among chain cases too, or not)."""
    cases = [c for c in load_cases() if chains or not c.chain]
    return max(cases, key=lambda c: len(c.title.get(lang)) + len(c.text.get(lang)))


#: Where a case's title and the check button would be with nothing scrolled, in window pixels,
#: and the smallest text of the case and its choices.
FIT = """
(check) => {
  const button = [...document.querySelectorAll(".kit-exercise button")]
    .find((b) => b.textContent.trim() === check);
  const title = document.querySelector(".kit-case h2");
  let scrolled = 0;
  for (let e = button.parentElement; e; e = e.parentElement) { scrolled += e.scrollTop; }
  const sizes = [...document.querySelectorAll(".kit-case-text, .kit-exercise .kit-choice-text")]
    .map((e) => parseFloat(getComputedStyle(e).fontSize));
  return { top: title.getBoundingClientRect().top + scrolled,
           bottom: button.getBoundingClientRect().bottom + scrolled,
           height: window.innerHeight, smallest: Math.min(...sizes), texts: sizes.length };
}
"""


@pytest.mark.parametrize(
    ("lang", "chains"),
    # bokmål: the longest case of the library (a chain's story); English, whose stories run
    # longest: the longest case outside a chain and the longest chain case
    [("nb", True), ("en", False), ("en", True)],
)
def test_one_case_and_its_choices_fit_1280_by_800(app_page, tmp_path, lang, chains):
    """In a 1280 x 800 window the case, its process and level choices and the check button
    show without scrolling; the texts stay at 16 px or more; on a phone nothing is too wide."""
    case = longest(lang, chains)
    path = tmp_path / "lang.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), delimiter=";")
        writer.writeheader()
        writer.writerow(case_row(case))
    page = app_page.page
    page.set_viewport_size({"width": 1280, "height": 800})
    app_page.open("03_klassifiser.ipynb", f"?lang={lang}")
    page.get_by_label(t("klass_source_file", lang)).check()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=t("klass_upload_label", lang)).click()
    chooser.value.set_files(str(path))
    expect(page.locator(".kit-upload-status")).to_contain_text("lang.csv")
    page.get_by_role("button", name=t("klass_start", lang)).click()
    new_case_ready(page, t("klass_progress_text", lang, n=1, total=1))
    expect(page.locator(".kit-case h2")).to_have_text(case.title.get(lang))
    expect(page.locator(".kit-case h2")).to_be_focused()
    page.wait_for_timeout(300)  # let the layout settle
    fit = page.evaluate(FIT, t("klass_check", lang))
    assert fit["top"] >= 0 and fit["bottom"] <= fit["height"], fit
    assert fit["smallest"] >= 16 and fit["texts"] == 9, fit
    # the same case on a phone: taller than the screen, but nothing too wide or clipped
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_timeout(300)
    problems = page.evaluate(MEASURE)
    assert problems == [], problems[:10]
    assert page.evaluate(FIT, t("klass_check", lang))["smallest"] >= 16
    assert app_page.errors == [], app_page.errors
