"""HTML of the presenter slides and of a static model diagram (pure: strings in, string out)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from kit.concepts import html as concepts_html
from kit.concepts.lessons import Lesson
from kit.concepts.slides import Slide
from kit.core.html import bullet_section
from kit.core.i18n import t
from kit.model import html as render
from kit.model.model import Model


def diagram_html(model: Model, lang: str, marked: Iterable[int] = ()) -> str:
    """The model's figure for a slide; ``marked`` levels say "✔ chosen" in words."""
    figure = render.level_diagram(model, lang, marked, "kit-slides", t("diagram_marked", lang))
    label = escape(render.diagram_description(model, lang))
    return f"<div role='img' aria-label='{label}'>{figure}</div>"


def slide_html(slide: Slide, model: Model, lesson: Lesson, lang: str) -> str:
    """One slide as a <section> with its heading."""
    kind = slide.kind
    if kind == "title":
        src = model.source
        body = (
            f"<h2 class='kit-slide-title'>{escape(t('slides_title', lang))}</h2>"
            f"<p class='kit-lead'>{escape(t('slides_subtitle', lang))}</p>"
            f"<p>{escape(t('slides_source', lang, title=src.title, author=src.author, org=src.organisation))}</p>"
        )
    elif kind in ("premises", "purposes"):
        items = model.premises if kind == "premises" else model.purposes
        body = bullet_section(t("heading_" + kind, lang), items, lang)
    elif kind == "concepts":
        body = render.concepts_overview(model, lang)
    elif kind == "contrast":
        pair = next(p for p in lesson.contrasts if p.id == slide.pair)
        body = concepts_html.contrast_pairs([pair], lang)
    elif kind == "cocreatable":
        body = render.cocreatable(model, lang)
    elif kind == "diagram":
        body = (
            f"<h2>{escape(t('diagram_heading_slide', lang))}</h2>"
            + diagram_html(model, lang)
            + "<ul>"
            + "".join(f"<li>{escape(f.description.get(lang))}</li>" for f in model.flows)
            + "</ul>"
        )
    elif kind == "level":
        assert slide.level is not None  # parse_slides gives every level slide its level
        level = model.level(slide.level)
        body = diagram_html(model, lang, marked=[level.number]) + render.level_detail(
            level, model, lang
        )
    elif kind == "processes":
        body = bullet_section(
            t("heading_processes", lang), [p.text for p in model.processes], lang, ordered=True
        ) + (
            f"<h2>{escape(t('heading_value_judge', lang))}</h2>"
            f"<p>{escape(model.value_judge.get(lang))}</p>"
        )
    else:  # discussion
        assert slide.title is not None
        body = bullet_section(slide.title.get(lang), slide.questions, lang)
    return f"<section class='kit-slide kit-slide-{kind}'><div class='kit-slide-body'>{body}</div></section>"


def keys_hint_html(lang: str) -> str:
    """The note on moving through the slides with the keyboard."""
    return f"<p class='kit-note'>{escape(t('slides_keys_hint', lang))}</p>"


def counter_html(number: int, total: int, lang: str) -> str:
    """Which slide is shown (``number`` counts from 1), announced as it changes."""
    return f"<p role='status'>{escape(t('slides_counter', lang, n=number, total=total))}</p>"
