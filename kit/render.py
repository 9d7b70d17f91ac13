"""HTML fragments for the apps, built from the model and the texts (pure: strings in, string out).

Every value from data files is escaped, so a course leader's content can never inject markup.
The widget classes put these fragments into ``widgets.HTML``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .i18n import t
from .lessons import CheckQuestion, ContrastPair, Example, Feedback
from .model import LEVEL_FIELDS, Level, Model
from .render_docs import table_region
from .text import Text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _list(items: Iterable[Text], lang: str) -> str:
    lis = "".join(f"<li>{escape(_cap(item.get(lang)))}</li>" for item in items)
    return f"<ul>{lis}</ul>"


def process_name(process: str, lang: str) -> str:
    """Display name of a process key (samskaping, samproduksjon, verdisamskaping, ingen)."""
    return t(f"process_{process}", lang)


def level_title(level: Level, lang: str) -> str:
    return t("level_title", lang, n=level.number, name=level.name.get(lang))


def level_detail(level: Level, model: Model, lang: str) -> str:
    """Everything the source says about one level, as a section with a heading per field."""
    parts = [
        '<section class="kit-level-detail" aria-live="polite">',
        f"<h3>{escape(level_title(level, lang))} "
        f"<span class='kit-subtitle'>({escape(level.subtitle.get(lang))})</span></h3>",
        f"<p><span class='kit-badge kit-badge-{level.mode}'>"
        f"{escape(t('mode_label', lang))}: {escape(process_name(level.mode, lang))}</span></p>",
    ]
    for name in LEVEL_FIELDS:
        parts.append(f"<h4>{escape(t('field_' + name, lang))}</h4>")
        parts.append(_list(level.field(name), lang))
    parts.append(f"<h4>{escape(t('field_flows', lang))}</h4>")
    parts.append(
        f"<ul>{''.join(f'<li>{escape(s)}</li>' for s in flow_notes(level, model, lang))}</ul>"
    )
    parts.append("</section>")
    return "".join(parts)


def flow_notes(level: Level, model: Model, lang: str) -> list[str]:
    """How the frame and the feedback reach and leave this level."""
    numbers = [lv.number for lv in model.levels]
    notes = []
    above = [n for n in numbers if n < level.number]
    below = [n for n in numbers if n > level.number]
    if above:
        notes.append(t("flow_frame_from", lang, n=max(above)))
    if below:
        notes.append(t("flow_frame_to", lang, n=min(below)))
    if below:
        notes.append(t("flow_feedback_from", lang, n=min(below)))
    if above:
        notes.append(t("flow_feedback_to", lang, n=max(above)))
    notes.append(model.flow("evaluation").label.get(lang))
    return notes


def level_comparison(a: Level, b: Level, lang: str) -> str:
    """Two levels side by side in a table with row and column headers."""
    head = (
        f"<tr><th scope='col'>{escape(t('compare_field', lang))}</th>"
        f"<th scope='col'>{escape(level_title(a, lang))}</th>"
        f"<th scope='col'>{escape(level_title(b, lang))}</th></tr>"
    )
    rows = [
        f"<tr><th scope='row'>{escape(t('field_subtitle', lang))}</th>"
        f"<td>{escape(a.subtitle.get(lang))}</td><td>{escape(b.subtitle.get(lang))}</td></tr>",
        f"<tr><th scope='row'>{escape(t('mode_label', lang))}</th>"
        f"<td>{escape(process_name(a.mode, lang))}</td>"
        f"<td>{escape(process_name(b.mode, lang))}</td></tr>",
    ]
    for name in LEVEL_FIELDS:
        rows.append(
            f"<tr><th scope='row'>{escape(t('field_' + name, lang))}</th>"
            f"<td>{_list(a.field(name), lang)}</td><td>{_list(b.field(name), lang)}</td></tr>"
        )
    caption = t("compare_caption", lang, a=a.number, b=b.number)
    # its own labelled, focusable scroll box: on a phone the table scrolls there, not the page
    return table_region(
        "<table class='kit-table'>"
        f"<caption>{escape(caption)}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(rows)}</tbody></table>",
        caption,
    )


def diagram_description(model: Model, lang: str) -> str:
    """Text alternative of the model diagram: what a sighted reader sees, in words."""
    levels = "; ".join(
        f"{level_title(lv, lang)} ({lv.subtitle.get(lang)}, {process_name(lv.mode, lang)})"
        for lv in model.levels
    )
    flows = " ".join(f.description.get(lang) for f in model.flows)
    return t("diagram_description", lang, levels=levels, flows=flows)


def concepts_overview(model: Model, lang: str) -> str:
    """Cards for samskaping, samproduksjon and verdisamskaping, then the welfare definition."""
    cards = []
    for key in ("samskaping", "samproduksjon", "verdisamskaping"):
        concept = model.concept(key)
        cards.append(
            f"<div class='kit-card kit-card-{key}'><h3>{escape(_cap(concept.term.get(lang)))}</h3>"
            f"<p class='kit-where'>{escape(t('concept_where_' + key, lang))}</p>"
            f"<p>{escape(concept.definition.get(lang))}</p></div>"
        )
    welfare = model.concept("velferdstjenester")
    return (
        f"<h2>{escape(t('heading_three_concepts', lang))}</h2>"
        f"<div class='kit-cards'>{''.join(cards)}</div>"
        f"<h2>{escape(_cap(welfare.term.get(lang)))}</h2>"
        f"<p>{escape(welfare.definition.get(lang))}</p>"
        f"<h2>{escape(t('heading_value_judge', lang))}</h2>"
        f"<p>{escape(model.value_judge.get(lang))}</p>"
    )


def cocreatable(model: Model, lang: str) -> str:
    """ "What can be co-created?" with its citation (Engen & Jenhaug 2025)."""
    items = "".join(
        f"<li><strong>{escape(c.title.get(lang))}</strong>: {escape(c.text.get(lang))}</li>"
        for c in model.cocreatable
    )
    ref = model.reference
    doi_url = f"https://doi.org/{ref.doi}"
    citation = (
        f"{escape(ref.authors)} ({ref.year}). {escape(ref.title)}. "
        f"{escape(t('citation_in', lang))} <cite>{escape(ref.book)}</cite> "
        f"({escape(t('citation_pages', lang))} {escape(ref.pages)}). {escape(ref.publisher)}. "
        f"<a href='{escape(doi_url)}'>{escape(doi_url)}</a>"
    )
    return (
        f"<h2>{escape(t('heading_cocreatable', lang))}</h2>"
        f"<p>{escape(t('cocreatable_intro', lang))}</p><ol>{items}</ol>"
        f"<p class='kit-citation'>{escape(t('source_label', lang))}: {citation}</p>"
    )


def _example_html(label: str, example: Example, lang: str) -> str:
    origin = (
        t("example_from_source", lang) if example.from_source else t("example_constructed", lang)
    )
    level = t("level_n", lang, n=example.level) if example.level else t("level_none", lang)
    return (
        f"<div class='kit-example'><p class='kit-example-label'>{escape(label)} "
        f"<span class='kit-origin'>({escape(origin)})</span></p>"
        f"<p>{escape(example.text.get(lang))}</p>"
        f"<p><span class='kit-badge kit-badge-{example.process}'>"
        f"{escape(process_name(example.process, lang))}</span> · {escape(level)}</p></div>"
    )


def contrast_pairs(pairs: Iterable[ContrastPair], lang: str) -> str:
    """Each pair as two examples side by side and the point they make."""
    blocks = []
    for pair in pairs:
        blocks.append(
            f"<div class='kit-pair'><h3>{escape(pair.title.get(lang))}</h3>"
            f"<div class='kit-pair-row'>{_example_html('A', pair.a, lang)}"
            f"{_example_html('B', pair.b, lang)}</div>"
            f"<p><strong>{escape(t('contrast_point', lang))}:</strong> "
            f"{escape(pair.point.get(lang))}</p></div>"
        )
    return (
        f"<h2>{escape(t('heading_contrasts', lang))}</h2>"
        f"<p>{escape(t('contrasts_intro', lang))}</p>{''.join(blocks)}"
    )


def question_text(question: CheckQuestion, number: int, total: int, lang: str) -> str:
    return (
        f"<h3>{escape(t('question_n', lang, n=number, total=total))}</h3>"
        f"<p>{escape(question.question.get(lang))}</p>"
    )


def feedback(fb: Feedback | None, lang: str) -> str:
    """Instant, explained feedback; the verdict is in words and a symbol, not only colour.

    It is shown in a live region (:class:`kit.widgets.controls.Region`), so it carries no
    role of its own (a live region inside a live region is announced twice or not at all)."""
    if fb is None:
        return ""
    if fb.chosen is None:
        return (
            f"<p class='kit-feedback kit-feedback-none'>{escape(t('check_choose_first', lang))}</p>"
        )
    if fb.correct:
        verdict = f"✔ {t('feedback_correct', lang)}"
        cls = "kit-feedback-right"
    else:
        verdict = "✘ " + t("feedback_wrong", lang, answer=fb.answer.label.get(lang))
        cls = "kit-feedback-wrong"
    return (
        f"<div class='kit-feedback {cls}'><p><strong>{escape(verdict)}</strong></p>"
        f"<p>{escape(fb.explanation.get(lang))}</p></div>"
    )


def bullet_section(heading: str, items: Iterable[Text], lang: str, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    lis = "".join(f"<li>{escape(item.get(lang))}</li>" for item in items)
    return f"<h2>{escape(heading)}</h2><{tag}>{lis}</{tag}>"


def paragraph(text: str, cls: str = "") -> str:
    attr = f" class='{cls}'" if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def chart_words_html(description: str, table_html: str, table_summary: str) -> str:
    """What goes under a chart: its description in words, and a table of the same numbers
    folded in a ``<details>`` named ``table_summary`` (``table_html`` is HTML already)."""
    return (
        f"<p class='kit-chart-desc'>{escape(description)}</p>"
        f"<details class='kit-alt'><summary>{escape(table_summary)}</summary>"
        f"{table_html}</details>"
    )


def level_diagram(
    model: Model, lang: str, marked: Iterable[int], prefix: str, on_text: str, off_text: str = ""
) -> str:
    """The model's figure as HTML: brackets over the levels, the levels side by side with the
    frame and feedback between them, value co-creation under level 3, evaluation below.

    Levels in ``marked`` get ``✔ on_text`` (in words, not only by colour), the others
    ``off_text`` if given. CSS classes start with ``prefix`` (``-diagram``, ``-level``, ``-on``,
    ``-off``, ``-mark``), so each app styles the figure its own way. Used by the slides and the
    compass; the explorer builds the same figure from clickable widgets.
    """
    marked = set(marked)
    levels = list(model.levels)
    last = 2 * len(levels)
    cells = []
    for idx, level in enumerate(levels):
        col = 2 * idx + 1
        if idx == 0 or levels[idx - 1].mode != level.mode:
            span = 1
            while idx + span < len(levels) and levels[idx + span].mode == level.mode:
                span += 1
            cells.append(
                f"<div class='kit-bracket kit-bracket-{escape(level.mode)}' "
                f"style='grid-column:{col}/{2 * (idx + span)};grid-row:1'>"
                f"{escape(process_name(level.mode, lang))}</div>"
            )
        on = level.number in marked
        mark_text = on_text if on else off_text
        mark = (
            f"<p class='{prefix}-mark'>{'✔ ' if on else ''}{escape(mark_text)}</p>"
            if mark_text
            else ""
        )
        cells.append(
            f"<div class='{prefix}-level {prefix}-{'on' if on else 'off'}' "
            f"data-level='{level.number}' style='grid-column:{col}/{col + 1};grid-row:2'>"
            f"{mark}<p><strong>{escape(level_title(level, lang))}</strong></p>"
            f"<p>({escape(level.subtitle.get(lang))})</p></div>"
        )
        if idx < len(levels) - 1:
            frame, feedback = escape(t("diagram_frame", lang)), escape(t("diagram_feedback", lang))
            cells.append(
                f"<div class='kit-arrows' style='grid-column:{col + 1}/{col + 2};grid-row:2'>"
                f"<span class='kit-arrow-h'>{frame} →</span>"
                f"<span class='kit-arrow-h'>← {feedback}</span>"
                f"<span class='kit-arrow-v'>↓ {frame} &nbsp; ↑ {feedback}</span></div>"
            )
    cells.append(
        f"<div class='kit-value' style='grid-column:{last - 1}/{last};grid-row:3'>"
        f"{escape(t('diagram_value', lang))}</div>"
    )
    cells.append(
        f"<div class='kit-evaluation' style='grid-column:1/{last};grid-row:4'>"
        f"↻ {escape(model.flow('evaluation').label.get(lang))}</div>"
    )
    columns = " ".join(["minmax(0,1fr)", "auto"] * (len(levels) - 1) + ["minmax(0,1fr)"])
    return (
        f"<div class='{prefix}-diagram' style='grid-template-columns:{columns}'>"
        f"{''.join(cells)}</div>"
    )
