"""Samskapingskompasset as a widget, driven without a browser: set values, click, read."""

from __future__ import annotations

import base64
import re

import pytest

from kit import Kompass
from kit.compass.compass import DONT_KNOW, load_compass

TUESDAY = {  # the source's Tuesday lunch, with a few gaps and a "vet ikke"
    "participants": "frivillige",
    "developed": "kommunen",
    "runs": "sammen",
    "decides": "kommunen",
    "value_judge": "kommunen",
    "framework": "nei",
    "evaluation": DONT_KNOW,
}


def answer(app: Kompass, answers: dict[str, str]) -> None:
    for qid, key in answers.items():
        app.questions[qid].value = key


def downloaded(app: Kompass) -> str:
    href = re.search(r"href='([^']+)'", app.download.value).group(1)
    assert href.startswith("data:text/html;charset=utf-8;base64,")
    return base64.b64decode(href.split(",", 1)[1]).decode("utf-8")


def test_every_question_is_a_labelled_radio_group_with_dont_know():
    app = Kompass(lang="nb")
    compass = load_compass()
    assert list(app.questions) == [q.id for q in compass.questions]
    assert len(app.questions) == 13
    texts = " ".join(getattr(w, "value", "") for w in app.body.children)
    for n, question in enumerate(compass.questions, start=1):
        radio = app.questions[question.id]
        assert radio.value is None
        labels = [label for label, _ in radio.options]
        assert labels[-1] == "Vet ikke"
        # the question is the radio group's label (its accessible name), shown as a heading
        assert radio.description == f"{n}. {question.prompt.nb}" and radio.heading == 3
        box = next(b for b in app.body.children if radio in getattr(b, "children", ()))
        assert "kit-kompass-question" in box._dom_classes
    assert app.show_button.description == "Vis resultat"
    assert "Slik vurderer kompasset" in texts
    assert app.result_box.layout.display == "none"


def test_nb_result_processes_levels_diagram_gaps_and_download():
    app = Kompass(lang="nb")
    answer(app, TUESDAY)
    app.show_button.click()
    assert app.result_box.layout.display is None
    result = app.result.value
    assert "Samproduksjon" in result and "Nivå 3: Drift og rekruttering" in result
    assert "<strong>Hovedsvar:</strong>" in result
    assert "ikke-tradisjonelle aktører" in result  # the reason points to the model
    assert "Samskaping</span>" not in result
    figure = app.diagram.value
    assert "data-level='3' style" in figure
    assert re.search(r"kit-kompass-on' data-level='3'", figure)
    assert re.search(r"kit-kompass-off' data-level='1'", figure)
    assert "✔ Tiltaket ditt er her" in figure and "merket med ✔ og tykk ramme på: Nivå 3." in figure
    gaps = app.gaps.value
    assert "Ingen skriftlig ramme" in gaps and "Verdien vurderes ikke av tjenestemottakeren" in gaps
    assert "Samproduksjon uten samskaping" in gaps and "Til diskusjon" in gaps
    assert "Du svarte «Vet ikke»" in gaps and "Jevnlig evaluering:" in gaps
    assert "Finn ut når samarbeidet sist ble evaluert" in gaps
    doc = downloaded(app)
    assert "Samproduksjon" in doc and "Ingen skriftlig ramme" in doc and "@media print" in doc
    assert "samskapingskompass.html" in app.download.value


def test_en_result():
    app = Kompass(lang="en")
    assert app.show_button.description == "Show result"
    answer(
        app,
        {
            "participants": "organisasjoner",
            "developed": "sammen",
            "decides": "sammen",
            "anchoring": "begge",
            "recipients": "nei",
            "statutory": "grenseland",
        },
    )
    app.show_button.click()
    result = app.result.value
    assert "Co-creation" in result and "Level 1" in result and "Level 2" in result
    assert "co-design" in result
    assert "<strong>Main answer:</strong>" in result
    assert result.index("Level 2: Service development") < result.index("Level 1: Anchoring")
    assert "The recipients have no part in shaping the offer" in app.gaps.value
    assert "The borderland of statutory welfare services" in app.gaps.value
    assert "Your initiative is here" in app.diagram.value
    assert "at: Level 1 and Level 2." in app.diagram.value
    doc = downloaded(app)
    assert "<html lang='en'>" in doc and "Co-creation" in doc
    assert "co-creation-compass.html" in app.download.value


def test_answers_and_result_survive_a_language_switch():
    app = Kompass(lang="nb")
    answer(app, TUESDAY)
    app.name_input.value = "Tirsdagslunsj"
    app.show_button.click()
    app.language.value = "nn"
    assert {qid: app.questions[qid].value for qid in TUESDAY} == TUESDAY
    assert app.name_input.value == "Tirsdagslunsj"
    assert app.result_box.layout.display is None
    assert "Inga skriftleg ramme" in app.gaps.value
    assert app.show_button.description == "Vis resultat"
    app.language.value = "en"
    assert "No written framework" in app.gaps.value
    assert "Tirsdagslunsj" in downloaded(app)


def test_changing_an_answer_after_showing_updates_the_result():
    app = Kompass(lang="nb")
    answer(app, TUESDAY)
    app.show_button.click()
    assert "Ingen skriftlig ramme" in app.gaps.value
    app.questions["framework"].value = "politikk"
    assert "Ingen skriftlig ramme" not in app.gaps.value
    # a frivillighetspolitikk is level 1 only when the decisions are not the municipality's alone
    assert "Nivå 1: Forankring og ansvarsfordeling" not in app.result.value
    app.questions["decides"].value = "sammen"
    assert "Nivå 1: Forankring og ansvarsfordeling" in app.result.value
    assert "Ingen skriftlig ramme" not in downloaded(app)


def test_nothing_answered_still_explains():
    app = Kompass(lang="nb")
    app.show_button.click()
    assert "Svarene peker ikke ut noen prosess ennå" in app.result.value
    assert "Du har svart på 0 av 13 spørsmål" in app.result.value
    assert "Disse spørsmålene står ubesvart" in app.gaps.value
    assert "kit-kompass-on" not in app.diagram.value


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_typed_name_is_escaped(lang):
    app = Kompass(lang=lang)
    app.name_input.value = "<script>window.__pwned=1</script>"
    app.show_button.click()
    doc = downloaded(app)
    assert "<script" not in doc and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in doc


def test_no_gaps_with_open_questions_says_so():
    app = Kompass(lang="nb")
    app.questions["participants"].value = "kommune_alene"
    app.show_button.click()
    assert "Svarene så langt viser ingen av hullene" in app.gaps.value
    assert "Ingen av dem" in app.result.value


def test_a_frame_with_not_applicable_answers():
    """A frivillighetspolitikk: no offer to run, the offer questions not applicable."""
    app = Kompass(lang="nb")
    answer(
        app,
        {
            "participants": "organisasjoner",
            "developed": "ramme",
            "runs": "ingen_tilbud_ramme",
            "decides": "sammen",
            "recipients": "ikke_relevant",
            "value_judge": "ikke_relevant",
            "framework": "politikk",
        },
    )
    labels = [label for label, _ in app.questions["runs"].options]
    assert labels[-2].startswith("Det er ikke noe tilbud å drive")
    app.show_button.click()
    result = app.result.value
    assert "Nivå 1: Forankring og ansvarsfordeling" in result
    assert "Nivå 2" not in result
    assert "Du har svart på 7 av 13 spørsmål" in result
    gaps = app.gaps.value
    assert "Tjenestemottakerne med i utformingen:" not in gaps  # answered, not open
    assert "Disse spørsmålene står ubesvart" in gaps
    assert "Ikke relevant: tiltaket er ikke et tilbud til noen" in downloaded(app)
