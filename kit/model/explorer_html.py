"""The model explorer's diagram and texts (pure: the model and a language in, strings out).

:class:`kit.model.app.Modellen` lays the cells of :func:`diagram_cells` out in a CSS
grid, with a button for each level, and fills the HTML cells from the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from kit.core.html import bullet_section, paragraph
from kit.core.i18n import t
from kit.model import html as render
from kit.model.model import Model


@dataclass(frozen=True)
class Cell:
    """One cell of the diagram: ``kind`` is bracket, level, arrows, value or evaluation;
    ``key`` the bracket's mode or the level's number; ``area`` its CSS grid area."""

    kind: str
    key: str | int
    area: str


def diagram_cells(model: Model) -> list[Cell]:
    """Brackets over the levels, the levels with the flows between them, evaluation below.

    In reading order (bracket, its levels, the arrows between them, ...), so screen readers,
    the keyboard and the one-column phone layout follow the model; on wider screens the grid
    areas lay the levels out side by side as in the source.
    """
    levels = list(model.levels)
    cells: list[Cell] = []
    last = 2 * len(levels)
    for idx, level in enumerate(levels):
        if idx == 0 or levels[idx - 1].mode != level.mode:
            span = 1
            while idx + span < len(levels) and levels[idx + span].mode == level.mode:
                span += 1
            cells.append(Cell("bracket", level.mode, f"1 / {2 * idx + 1} / 2 / {2 * (idx + span)}"))
        cells.append(Cell("level", level.number, f"2 / {2 * idx + 1} / 3 / {2 * idx + 2}"))
        if idx < len(levels) - 1:
            cells.append(Cell("arrows", idx, f"2 / {2 * idx + 2} / 3 / {2 * idx + 3}"))
    cells.append(Cell("value", "", f"3 / {last - 1} / 4 / {last}"))
    cells.append(Cell("evaluation", "", f"4 / 1 / 5 / {last}"))
    return cells


def grid_columns(model: Model) -> str:
    """A column per level with an auto-width column for the arrows between two levels."""
    n = len(model.levels)
    return " ".join(["minmax(0, 1fr)", "auto"] * (n - 1) + ["minmax(0, 1fr)"])


def cell_html(cell: Cell, model: Model, lang: str) -> str:
    """The HTML of a diagram cell that is not a level (the levels are buttons)."""
    if cell.kind == "bracket":
        return (
            f"<div class='kit-bracket kit-bracket-{cell.key}'>"
            f"{escape(render.process_label(str(cell.key), lang))}</div>"
        )
    if cell.kind == "arrows":
        frame = escape(t("diagram_frame", lang))
        feedback = escape(t("diagram_feedback", lang))
        return (
            "<div class='kit-arrows'>"
            f"<span class='kit-arrow-h'>{frame} →</span>"
            f"<span class='kit-arrow-h'>← {feedback}</span>"
            f"<span class='kit-arrow-v'>↓ {frame} &nbsp; ↑ {feedback}</span></div>"
        )
    if cell.kind == "value":
        return f"<div class='kit-value'>{escape(t('diagram_value', lang))}</div>"
    if cell.kind == "evaluation":
        label = model.flow("evaluation").label.get(lang)
        return f"<div class='kit-evaluation'>↻ {escape(label)}</div>"
    raise ValueError(f"no HTML for a {cell.kind} cell")


def diagram_alt_html(model: Model, lang: str) -> str:
    """The diagram in words, behind a disclosure under it."""
    return (
        f"<details class='kit-alt'><summary>{escape(t('diagram_alt_summary', lang))}"
        f"</summary><p>{escape(render.diagram_description(model, lang))}</p></details>"
    )


def model_notes_html(model: Model, lang: str) -> str:
    """Under the comparison: the processes, who judges value, purposes and premises."""
    return (
        bullet_section(t("heading_processes", lang), [p.text for p in model.processes], lang, True)
        + f"<h2>{escape(t('heading_value_judge', lang))}</h2>"
        + paragraph(model.value_judge.get(lang))
        + bullet_section(t("heading_purposes", lang), model.purposes, lang)
        + bullet_section(t("heading_premises", lang), model.premises, lang)
    )
