"""The model explorer: the three-level diagram, one level in detail, two levels compared."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .. import render
from ..i18n import t
from ..model import Model, load_model
from .base import App, html


def _level_dropdown(options: list[tuple[str, int]], value: int, label: str) -> widgets.Dropdown:
    return widgets.Dropdown(
        options=options,
        value=value,
        description=label,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto"),
    )


class Modellen(App):
    """``notebooks/02_modellen.ipynb``.

    The diagram's level boxes are buttons: clicking one, or choosing in the labelled
    "choose level" control, shows that level's actors, purpose, expectations, how, tasks and
    continuous work.
    """

    title_key = "app_title_modellen"

    def __init__(self, lang: str | None = None, model: Model | None = None) -> None:
        self.model = model or load_model()
        self.selected = 1
        self.compared = (1, 3)
        super().__init__(lang)

    # -- building -------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        model = self.model
        self.level_buttons = {}
        for level in model.levels:
            button = widgets.Button(layout=widgets.Layout(width="auto", height="auto"))
            button.add_class("kit-level-btn")
            button.add_class(f"kit-level-{level.number}")
            button.on_click(lambda _b, n=level.number: self._select(n))
            self.level_buttons[level.number] = button
        self.diagram = self._diagram(lang)
        self.level_select = widgets.ToggleButtons(
            options=[(t("level_n", lang, n=lv.number), lv.number) for lv in model.levels],
            value=self.selected,
            description=t("choose_level", lang),
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.level_select.observe(self._on_level_select, names="value")
        self.detail = html("", "kit-detail")
        level_options = [(render.level_title(lv, lang), lv.number) for lv in model.levels]
        self.compare_a = _level_dropdown(level_options, self.compared[0], t("compare_a", lang))
        self.compare_b = _level_dropdown(level_options, self.compared[1], t("compare_b", lang))
        self.compare_a.observe(self._on_compare, names="value")
        self.compare_b.observe(self._on_compare, names="value")
        self.comparison = html("", "kit-comparison")
        self._show_selected()
        self._show_comparison()
        compare_controls = widgets.HBox([self.compare_a, self.compare_b])
        compare_controls.add_class("kit-wrap")
        return [
            html(render.paragraph(t("modellen_intro", lang), "kit-lead")),
            html(render.heading(t("diagram_heading", lang))),
            self.diagram,
            html(
                f"<details class='kit-alt'><summary>{escape(t('diagram_alt_summary', lang))}"
                f"</summary><p>{escape(render.diagram_description(self.model, lang))}</p></details>"
            ),
            self.level_select,
            self.detail,
            html(render.heading(t("compare_heading", lang))),
            compare_controls,
            self.comparison,
            html(
                render.bullet_section(
                    t("heading_processes", lang), [p.text for p in model.processes], lang, True
                )
                + f"<h2>{escape(t('heading_value_judge', lang))}</h2>"
                + render.paragraph(model.value_judge.get(lang))
                + render.bullet_section(t("heading_purposes", lang), model.purposes, lang)
                + render.bullet_section(t("heading_premises", lang), model.premises, lang)
            ),
        ]

    def _diagram(self, lang: str) -> widgets.GridBox:
        """Brackets over the levels, the levels with the flows between them, evaluation below.

        Children are in reading order (bracket, its levels, the arrows between them, ...), so
        screen readers, the keyboard and the one-column phone layout follow the model; on wider
        screens explicit grid areas lay the levels out side by side as in the source.
        """
        model = self.model
        levels = list(model.levels)
        cells: list[widgets.Widget] = []
        last = 2 * len(levels)
        for idx, level in enumerate(levels):
            if idx == 0 or levels[idx - 1].mode != level.mode:
                span = 1
                while idx + span < len(levels) and levels[idx + span].mode == level.mode:
                    span += 1
                bracket = html(
                    f"<div class='kit-bracket kit-bracket-{level.mode}'>"
                    f"{escape(render.process_name(level.mode, lang))}</div>"
                )
                bracket.layout.grid_area = f"1 / {2 * idx + 1} / 2 / {2 * (idx + span)}"
                cells.append(bracket)
            button = self.level_buttons[level.number]
            button.layout.grid_area = f"2 / {2 * idx + 1} / 3 / {2 * idx + 2}"
            cells.append(button)
            if idx < len(levels) - 1:
                frame = escape(t("diagram_frame", lang))
                feedback = escape(t("diagram_feedback", lang))
                arrows = html(
                    "<div class='kit-arrows'>"
                    f"<span class='kit-arrow-h'>{frame} →</span>"
                    f"<span class='kit-arrow-h'>← {feedback}</span>"
                    f"<span class='kit-arrow-v'>↓ {frame} &nbsp; ↑ {feedback}</span></div>"
                )
                arrows.layout.grid_area = f"2 / {2 * idx + 2} / 3 / {2 * idx + 3}"
                cells.append(arrows)
        value = html(f"<div class='kit-value'>{escape(t('diagram_value', lang))}</div>")
        value.layout.grid_area = f"3 / {last - 1} / 4 / {last}"
        cells.append(value)
        evaluation = html(
            f"<div class='kit-evaluation'>↻ {escape(model.flow('evaluation').label.get(lang))}</div>"
        )
        evaluation.layout.grid_area = f"4 / 1 / 5 / {last}"
        cells.append(evaluation)
        columns = " ".join(["minmax(0, 1fr)", "auto"] * (len(levels) - 1) + ["minmax(0, 1fr)"])
        grid = widgets.GridBox(
            cells,
            layout=widgets.Layout(grid_template_columns=columns, grid_gap="6px 4px", width="100%"),
        )
        grid.add_class("kit-diagram")
        return grid

    # -- showing state -------------------------------------------------------------------
    def _show_selected(self) -> None:
        lang = self.lang
        for number, button in self.level_buttons.items():
            level = self.model.level(number)
            chosen = number == self.selected
            mark = "▶ " if chosen else ""
            button.description = f"{mark}{render.level_title(level, lang)}"
            button.tooltip = t("level_button_tip", lang, n=number)
            button.button_style = "primary" if chosen else ""
        self.detail.value = render.level_detail(self.model.level(self.selected), self.model, lang)

    def _show_comparison(self) -> None:
        a = self.model.level(self.compared[0])
        b = self.model.level(self.compared[1])
        self.comparison.value = render.level_comparison(a, b, self.lang)

    # -- events --------------------------------------------------------------------------
    def _select(self, number: int) -> None:
        self.selected = number
        with self.hold_sync():
            if self.level_select.value != number:
                self.level_select.value = number  # calls _on_level_select
            else:
                self._show_selected()

    def _on_level_select(self, change: dict) -> None:
        self.selected = change["new"]
        self._show_selected()

    def _on_compare(self, _change: dict) -> None:
        self.compared = (self.compare_a.value, self.compare_b.value)
        self._show_comparison()
