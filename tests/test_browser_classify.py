"""The classification exercise in Chromium: upload a file, classify 5 cases, see the summary."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from kit.cases.casefile import load_cases

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
