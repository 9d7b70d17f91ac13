"""Presenter slides: the order as data, each slide's HTML, and the navigation."""

from __future__ import annotations

import pytest

from kit.concepts.app import Lysbilder
from kit.concepts.lessons import load_lesson
from kit.concepts.slides import KINDS, load_slides
from kit.concepts.slides_html import diagram_html, slide_html
from kit.core.yamlio import ContentError
from kit.model.model import load_model


def test_every_kind_is_used_and_renders():
    slides = load_slides()
    assert {s.kind for s in slides} == set(KINDS)
    model, lesson = load_model(), load_lesson()
    for slide in slides:
        for lang in ("nb", "nn", "en"):
            out = slide_html(slide, model, lesson, lang)
            assert out.startswith(f"<section class='kit-slide kit-slide-{slide.kind}'>")
            assert "<h2" in out or "<h3" in out


def test_level_slide_marks_its_level_in_words():
    model = load_model()
    out = diagram_html(model, "nb", marked=[3])
    assert out.count("kit-slides-on") == 1 and "✔ valgt" in out
    assert "data-level='3'" in out.split("kit-slides-on")[1][:40]
    assert "role='img'" in out and "aria-label=" in out
    assert "Samskaping" in out and "Samproduksjon" in out


def test_tuesday_lunch_slide_is_the_source_example():
    model, lesson = load_model(), load_lesson()
    slide = next(s for s in load_slides() if s.kind == "contrast")
    out = slide_html(slide, model, lesson, "en")
    assert "Tuesday" in out and "example from the source" in out


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("slides:\n  - kind: level\n    level: 5\n", "slides[0].level: must be 1, 2 or 3"),
        ("slides:\n  - kind: movie\n", "slides[0].kind: 'movie'"),
        (
            "slides:\n  - kind: discussion\n    title: {nb: x, en: y}\n",
            "slides[0].questions: missing",
        ),
    ],
)
def test_malformed_slides_file(tmp_path, yaml_text, expected):
    path = tmp_path / "lysbilder.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_slides(path)
    assert str(info.value).startswith(str(path)) and expected in str(info.value)


def test_navigation_buttons_menu_and_keys():
    app = Lysbilder(lang="nb")
    total = len(app.slides)
    assert app.prev_button.disabled and "Lysbilde 1 av" in app.counter.value
    app.next_button.click()
    assert app.index == 1 and "Utgangspunkter" in app.slide.value
    app.menu.value = total - 1
    assert app.next_button.disabled and "Til diskusjon" in app.slide.value
    app.key_nav.step = -1
    app.key_nav.presses += 1
    assert app.index == total - 2
    app.language.value = "en"
    assert app.index == total - 2 and f"Slide {total - 1} of {total}" in app.counter.value


def test_facilitator_guide_has_both_plans_and_runs_no_html():
    from kit import Fasilitatorguide
    from kit.guide.app import guide_html

    out = guide_html()
    assert "45" in out and "90" in out and out.count("<table>") >= 2
    assert "<script" not in out
    app = Fasilitatorguide(lang="nb")
    assert len(app.body.children) == 1 and "lang='nb'" in app.guide.value
