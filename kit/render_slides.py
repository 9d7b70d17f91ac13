"""HTML of the presenter slides and of a static model diagram (pure: strings in, string out)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from . import render
from .i18n import t
from .lessons import Lesson
from .model import Model
from .slides import Slide


def diagram_html(model: Model, lang: str, marked: Iterable[int] = ()) -> str:
    """The three levels side by side, brackets over them, flows between, evaluation below.

    ``marked`` levels get a visible marker and the word for "marked", not only a colour.
    """
    marked = set(marked)
    levels = list(model.levels)
    cells = []
    for idx, level in enumerate(levels):
        if idx == 0 or levels[idx - 1].mode != level.mode:
            span = 1
            while idx + span < len(levels) and levels[idx + span].mode == level.mode:
                span += 1
            cells.append(
                f"<div class='kit-bracket kit-bracket-{level.mode}' "
                f"style='grid-area: 1 / {2 * idx + 1} / 2 / {2 * (idx + span)}'>"
                f"{escape(render.process_name(level.mode, lang))}</div>"
            )
        on = level.number in marked
        mark = f" <strong>▶ {escape(t('diagram_marked', lang))}</strong>" if on else ""
        cells.append(
            f"<div class='kit-slevel{' kit-slevel-on' if on else ''}' "
            f"style='grid-area: 2 / {2 * idx + 1} / 3 / {2 * idx + 2}'>"
            f"{escape(render.level_title(level, lang))}"
            f"<br><em>({escape(level.subtitle.get(lang))})</em>{mark}</div>"
        )
        if idx < len(levels) - 1:
            cells.append(
                f"<div class='kit-arrows' style='grid-area: 2 / {2 * idx + 2} / 3 / {2 * idx + 3}'>"
                f"<span>{escape(t('diagram_frame', lang))} →</span>"
                f"<span>← {escape(t('diagram_feedback', lang))}</span></div>"
            )
    last = 2 * len(levels)
    cells.append(
        f"<div class='kit-value' style='grid-area: 3 / {last - 1} / 4 / {last}'>"
        f"{escape(t('diagram_value', lang))}</div>"
    )
    cells.append(
        f"<div class='kit-evaluation' style='grid-area: 4 / 1 / 5 / {last}'>↻ "
        f"{escape(model.flow('evaluation').label.get(lang))}</div>"
    )
    columns = " ".join(["minmax(0, 1fr)", "auto"] * (len(levels) - 1) + ["minmax(0, 1fr)"])
    return (
        f"<div class='kit-sdiagram' role='img' aria-label='{escape(render.diagram_description(model, lang))}' "
        f"style='grid-template-columns: {columns}'>{''.join(cells)}</div>"
    )


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
        body = render.bullet_section(t("heading_" + kind, lang), items, lang)
    elif kind == "concepts":
        body = render.concepts_overview(model, lang)
    elif kind == "contrast":
        pair = next(p for p in lesson.contrasts if p.id == slide.pair)
        body = render.contrast_pairs([pair], lang)
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
        level = model.level(slide.level)
        body = diagram_html(model, lang, marked=[level.number]) + render.level_detail(
            level, model, lang
        )
    elif kind == "processes":
        body = render.bullet_section(
            t("heading_processes", lang), [p.text for p in model.processes], lang, ordered=True
        ) + (
            f"<h2>{escape(t('heading_value_judge', lang))}</h2>"
            f"<p>{escape(model.value_judge.get(lang))}</p>"
        )
    else:  # discussion
        assert slide.title is not None
        body = render.bullet_section(slide.title.get(lang), slide.questions, lang)
    return f"<section class='kit-slide kit-slide-{kind}'>{body}</section>"
