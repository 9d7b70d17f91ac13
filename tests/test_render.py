"""HTML fragments: complete, in the chosen language, and escaping whatever the data holds."""

from __future__ import annotations

import dataclasses

import pytest

from kit.concepts import html as concepts_html
from kit.concepts.lessons import check_choice, load_lesson
from kit.core.i18n import t
from kit.core.text import Text
from kit.model import html as render
from kit.model.model import LEVEL_FIELDS, load_model
from tests.regions import table_region_labels


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_level_detail_shows_every_field(lang):
    model = load_model()
    level = model.level(2)
    out = render.level_detail(level, model, lang)
    for name in LEVEL_FIELDS:
        for item in level.field(name):
            text = item.get(lang)
            assert render.escape(text[:1].upper() + text[1:]) in out


def test_flow_notes_per_level():
    model = load_model()
    first = render.flow_notes(model.level(1), model, "en")
    middle = render.flow_notes(model.level(2), model, "en")
    last = render.flow_notes(model.level(3), model, "en")
    assert "Sets the frame for level 2." in first and "Gets feedback from level 2." in first
    assert not any("Gets its frame" in n for n in first)
    assert "Gets its frame from level 1." in middle and "Gives feedback to level 1." in middle
    assert "Gives feedback to level 2." in last and not any("Sets the frame" in n for n in last)


def test_markup_in_data_is_escaped():
    model = load_model()
    evil = dataclasses.replace(
        model.level(1), actors=(Text(nb="<script>alert(1)</script>", en="<b>x</b>"),)
    )
    out = render.level_detail(evil, model, "nb")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>x</b>" not in render.level_comparison(evil, model.level(2), "en")


def test_comparison_is_a_real_table():
    model = load_model()
    out = render.level_comparison(model.level(1), model.level(3), "nb")
    assert table_region_labels(out) == [t("compare_caption", "nb", a=1, b=3)]
    assert out.count("<th scope='row'>") == len(LEVEL_FIELDS) + 2
    assert "<caption>" in out and "Nivå 1" in out and "Nivå 3" in out


def test_feedback_in_words_not_only_colour():
    q = load_lesson().questions[0]
    right = concepts_html.feedback(check_choice(q, q.answer), "en")
    wrong = concepts_html.feedback(check_choice(q, "ingen"), "en")
    assert "Correct." in right and "✔" in right
    assert "Not correct." in wrong and q.option(q.answer).label.en in wrong
    assert concepts_html.feedback(check_choice(q, None), "nb").count("Velg et svar først.") == 1
    assert concepts_html.feedback(None, "nb") == ""


def test_diagram_description_names_levels_and_flows():
    text = render.diagram_description(load_model(), "en")
    for word in ("Level 1", "Level 2", "Level 3", "Co-creation", "Co-production", "feedback"):
        assert word.lower() in text.lower()


def test_cocreatable_carries_citation():
    out = render.cocreatable(load_model(), "nb")
    assert "Engen, M., &amp; Jenhaug, L. (2025)" in out
    assert "https://doi.org/10.23865/cdf.266.ch2" in out
