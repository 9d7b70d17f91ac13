"""Samskapingskompasset in Chromium: answer as a learner, read the result, check the download."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from kit.compass.compass import load_compass

pytestmark = [pytest.mark.browser, pytest.mark.server]

NOTEBOOK = "04_egen_sak.ipynb"
RULES = len(load_compass().rules)
ANSWERS = {  # the Tuesday lunch, anchored on one side, with a "vet ikke"
    "participants": "frivillige",
    "developed": "kommunen",
    "runs": "sammen",
    "decides": "kommunen",
    "value_judge": "kommunen",
    "anchoring": "kommunen",
    "evaluation": "vet_ikke",
}
EXPECT = {
    "nb": {
        "show": "Vis resultat",
        "process": "Samproduksjon",
        "verdict": "Hovedsvar: Samproduksjon – Nivå 3: Drift og rekruttering",
        "on": "Tiltaket ditt er her",
        "gap": "Forankret bare på én side",
        "discussion": "Samproduksjon uten samskaping",
        "rules": f"Vis alle de {RULES} reglene",
        "name": "Navn på tiltaket (valgfritt)",
    },
    "en": {
        "show": "Show result",
        "process": "Co-production",
        "verdict": "Main answer: Co-production (samproduksjon) – Level 3: Operation and recruitment",
        "on": "Your initiative is here",
        "gap": "Anchored on one side only",
        "discussion": "Co-production without co-creation",
        "rules": f"Show all {RULES} rules",
        "name": "Name of the initiative (optional)",
    },
}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_fill_in_the_compass_and_download_the_summary(app_page, lang):
    words = EXPECT[lang]
    compass = load_compass()
    app_page.open(NOTEBOOK, f"?lang={lang}")
    page = app_page.page
    expect(page.locator("html")).to_have_attribute("lang", lang)
    questions = page.locator(".kit-kompass-question")
    expect(questions).to_have_count(len(compass.questions))
    page.get_by_label(words["name"]).fill("Tirsdagslunsj <b>på</b> huset")
    page.get_by_label(words["name"]).press("Enter")
    ids = [q.id for q in compass.questions]
    for qid, key in ANSWERS.items():
        label = compass.question(qid).option(key).label.get(lang)
        box = questions.nth(ids.index(qid))
        box.get_by_label(label, exact=True).check()
        expect(box.get_by_label(label, exact=True)).to_be_checked()
    page.get_by_role("button", name=words["show"]).click()

    result = page.locator(".kit-kompass-result")
    expect(result).to_contain_text(words["process"], timeout=30_000)
    expect(result.locator(".kit-kompass-verdict")).to_have_text(words["verdict"])
    on = page.locator(".kit-kompass-on")
    expect(on).to_have_count(1)
    expect(on).to_have_attribute("data-level", "3")
    expect(on).to_contain_text(words["on"])
    expect(page.locator(".kit-kompass-off")).to_have_count(2)
    gaps = page.locator(".kit-kompass-gaps")
    expect(gaps).to_contain_text(words["gap"])
    expect(gaps).to_contain_text(words["discussion"])

    link = page.locator(".kit-kompass-download a.kit-download")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("data:text/html;charset=utf-8;base64,")
    assert link.get_attribute("download").endswith(".html")
    doc = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    assert words["process"] in doc and words["gap"] in doc and "@media print" in doc
    assert "Tirsdagslunsj &lt;b&gt;på&lt;/b&gt; huset" in doc
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == link.get_attribute("download")
    saved = download.value.path()
    assert saved is not None and words["gap"] in saved.read_text(encoding="utf-8")

    page.get_by_text(words["rules"]).click()
    expect(page.locator(".kit-kompass-rules li")).to_have_count(len(compass.rules))
    assert page.evaluate("window.__pwned") is None

    violations = app_page.axe_violations()
    assert violations == [], violations
    assert app_page.errors == [], app_page.errors
    assert app_page.blocked == [], f"tried to load from outside: {app_page.blocked}"


def test_answers_survive_the_language_menu(app_page):
    compass = load_compass()
    app_page.open(NOTEBOOK)
    page = app_page.page
    box = page.locator(".kit-kompass-question").first
    participants = compass.question("participants").option("kommune_mottakere").label
    box.get_by_label(participants.nb, exact=True).check()
    page.get_by_role("button", name="Vis resultat").click()
    expect(page.locator(".kit-kompass-result")).to_contain_text(
        f"Du har svart på 1 av {len(compass.questions)}"
    )
    page.get_by_label("Språk", exact=True).select_option(label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.locator(".kit-kompass-question").first.get_by_label(participants.en, exact=True)
    ).to_be_checked()
    expect(page.locator(".kit-kompass-result")).to_contain_text(
        f"You have answered 1 of {len(compass.questions)}"
    )
    assert app_page.errors == [] and app_page.blocked == []
