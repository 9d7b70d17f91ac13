"""HTML fragments built from the model and the texts: levels, the diagram, the concepts (pure: strings in, string out).

Every value from data files is escaped, so a course leader's content can never inject markup.
The widget classes put these fragments into ``widgets.HTML``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from kit.core.html import table_region
from kit.core.i18n import t
from kit.core.text import Text
from kit.model.labels import process_label
from kit.model.model import LEVEL_FIELDS, PROCESSES, Level, Model


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _list(items: Iterable[Text], lang: str) -> str:
    lis = "".join(f"<li>{escape(_cap(item.get(lang)))}</li>" for item in items)
    return f"<ul>{lis}</ul>"


def level_title(level: Level, lang: str) -> str:
    return t("level_title", lang, n=level.number, name=level.name.get(lang))


def level_detail(level: Level, model: Model, lang: str) -> str:
    """Everything the source says about one level, as a section with a heading per field."""
    parts = [
        '<section class="kit-level-detail" aria-live="polite">',
        f"<h3>{escape(level_title(level, lang))} "
        f"<span class='kit-subtitle'>({escape(level.subtitle.get(lang))})</span></h3>",
        f"<p><span class='kit-badge kit-badge-{level.mode}'>"
        f"{escape(t('mode_label', lang))}: {escape(process_label(level.mode, lang))}</span></p>",
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
        f"<td>{escape(process_label(a.mode, lang))}</td>"
        f"<td>{escape(process_label(b.mode, lang))}</td></tr>",
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
        f"{level_title(lv, lang)} ({lv.subtitle.get(lang)}, {process_label(lv.mode, lang)})"
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
                f"{escape(process_label(level.mode, lang))}</div>"
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


def process_table(
    caption: str, corner: str, rows: Sequence[tuple[str, Sequence[int]]], lang: str
) -> str:
    """A table with a column per process: ``rows`` are (row header, a count per process)."""
    head = "".join(f"<th scope='col'>{escape(process_label(p, lang))}</th>" for p in PROCESSES)
    body = "".join(
        f"<tr><th scope='row'>{escape(label)}</th>"
        + "".join(f"<td>{n}</td>" for n in numbers)
        + "</tr>"
        for label, numbers in rows
    )
    return table_region(
        f"<table class='kit-table'><caption>{escape(caption)}</caption>"
        f"<thead><tr><th scope='col'>{escape(corner)}</th>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>",
        caption,
    )
