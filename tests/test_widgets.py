"""The apps as widgets, driven without a browser: set values, click, read the outputs."""

from __future__ import annotations

import pytest

from kit import Begreper, Modellen, Start
from kit.concepts.lessons import load_lesson
from kit.core.ui.app import lang_from_request


@pytest.mark.parametrize("app_class", [Start, Begreper, Modellen])
def test_language_switch_rebuilds_in_new_language(app_class):
    app = app_class(lang="nb")
    assert app.page.lang == "nb"
    nb_heading = app.heading.value
    app.language.value = "en"
    assert app.page.lang == "en" and app.lang == "en"
    assert app.heading.value != nb_heading
    assert app.language.description == "Language"
    app.language.value = "nn"
    assert app.page.lang == "nn" and app.language.description == "Språk"


def test_explorer_click_in_diagram_shows_level():
    app = Modellen(lang="nb")
    app.level_buttons[3].click()
    assert app.level_select.value == 3
    assert "Enkeltfrivillige" in app.detail.value
    # the level shown is pressed (aria-pressed in the page), the others are not
    assert [app.level_buttons[n].pressed for n in (1, 2, 3)] == [False, False, True]
    assert app.level_buttons[3].description == "Nivå 3: Drift og rekruttering"


def test_explorer_labelled_control_shows_level():
    app = Modellen(lang="en")
    assert app.level_select.description == "Choose level"
    app.level_select.value = 2
    assert "Co-design" in app.detail.value and "Volunteers" in app.detail.value
    assert app.level_buttons[2].pressed and not app.level_buttons[1].pressed


def test_explorer_keeps_choice_across_language_switch():
    app = Modellen(lang="nb")
    app.level_select.value = 3
    app.compare_a.value = 2
    app.language.value = "en"
    assert app.level_select.value == 3
    assert "Individual volunteers" in app.detail.value
    assert app.compare_a.value == 2 and "Level 2" in app.comparison.value


def test_explorer_comparison_side_by_side():
    app = Modellen(lang="nb")
    app.compare_a.value = 1
    app.compare_b.value = 2
    html = app.comparison.value
    assert "Nivå 1: Forankring og ansvarsfordeling" in html
    assert "Nivå 2: Tjenesteutvikling og oppgavefordeling" in html
    assert "Frivillighetspolitikk" in html or "frivillighetspolitikk" in html


def test_explorer_diagram_has_brackets_flows_and_evaluation():
    app = Modellen(lang="nb")
    texts = " ".join(getattr(c, "value", "") for c in app.diagram.children)
    assert "Samskaping" in texts and "Samproduksjon" in texts
    assert "Rammer →" in texts and "← Tilbakemelding" in texts
    assert "Jevnlig evaluering av samarbeidet" in texts
    # the samskaping bracket spans levels 1-2, samproduksjon sits over level 3
    areas = {
        c.value.split(">")[1].split("<")[0]: c.layout.grid_area
        for c in app.diagram.children
        if "kit-bracket" in getattr(c, "value", "")
    }
    assert areas == {"Samskaping": "1 / 1 / 2 / 4", "Samproduksjon": "1 / 5 / 2 / 6"}


def test_concepts_check_question_feedback():
    app = Begreper(lang="nb")
    q = app.questions[0]
    q.check.click()
    assert "Velg et svar først." in q.feedback.value
    wrong = next(o.key for o in q.question.options if o.key != q.question.answer)
    q.choice.value = wrong
    q.check.click()
    assert "Ikke riktig" in q.feedback.value
    q.choice.value = q.question.answer
    q.check.click()
    assert "Riktig." in q.feedback.value
    assert q.question.explanation.nb in q.feedback.value


def test_concepts_answers_survive_language_switch():
    app = Begreper(lang="nb")
    q = app.questions[1]
    q.choice.value = q.question.answer
    q.check.click()
    app.language.value = "en"
    again = app.questions[1]
    assert again.choice.value == q.question.answer
    assert "Correct." in again.feedback.value


def test_concepts_page_carries_tuesday_example_and_citation():
    app = Begreper(lang="en")
    html = " ".join(getattr(c, "value", "") for c in app.body.children)
    assert "Tuesday" in html and "example from the source" in html
    assert "Engen" in html and "10.23865/cdf.266.ch2" in html
    assert len(app.questions) == len(load_lesson().questions)


def test_start_links_carry_language():
    app = Start(lang="nb")
    assert "01_begreper.ipynb?lang=nb" in app.links.value
    app.language.value = "en"
    assert "02_modellen.ipynb?lang=en" in app.links.value


@pytest.mark.parametrize(
    ("query", "lang"), [("lang=en", "en"), ("x=1&lang=nn", "nn"), ("", "nb"), ("lang=fr", "nb")]
)
def test_language_from_address(monkeypatch, query, lang):
    monkeypatch.setenv("QUERY_STRING", query)
    assert lang_from_request() == lang
    assert Start().lang == lang
