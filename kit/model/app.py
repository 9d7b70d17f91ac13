"""The model explorer: the three-level diagram, one level in detail, two levels compared."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import App, html
from kit.core.ui.controls import ChoiceGroup, PressButton
from kit.model import explorer_html as xh
from kit.model import html as render
from kit.model.model import Model, load_model


def _level_dropdown() -> widgets.Dropdown:
    return widgets.Dropdown(
        style={"description_width": "initial"}, layout=widgets.Layout(width="auto")
    )


class Modellen(App):
    """``notebooks/02_modellen.ipynb``.

    The diagram's level boxes are buttons (the one shown is ``aria-pressed``): clicking one, or
    choosing in the labelled "choose level" radio group, shows that level's actors, purpose,
    expectations, how, tasks and continuous work.
    """

    title_key = "app_title_modellen"

    def __init__(self, lang: str | None = None, model: Model | None = None) -> None:
        self.model = model or load_model()
        self.selected = 1
        self.compared = (1, 3)
        super().__init__(lang)

    # -- building -------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        """Every widget of the app, made once; :meth:`retext` gives them their texts."""
        model = self.model
        self.level_buttons: dict[int, PressButton] = {}
        for level in model.levels:
            button = PressButton(
                classes=["kit-level-btn", f"kit-level-{level.number}"],
                layout=widgets.Layout(width="auto", height="auto"),
            )
            button.on_click(self._selects(level.number))
            self.level_buttons[level.number] = button
        self.diagram = self._diagram()
        self.level_select = ChoiceGroup(value=None, variant="pills")
        self.detail = html("", "kit-detail")
        self.compare_a = _level_dropdown()
        self.compare_b = _level_dropdown()
        self.comparison = html("", "kit-comparison")
        compare_controls = widgets.HBox([self.compare_a, self.compare_b])
        compare_controls.add_class("kit-wrap")
        self.intro = html("")
        self.diagram_heading = html("")
        self.diagram_alt = html("")
        self.compare_heading = html("")
        self.notes = html("")
        self.retext(lang)
        self.level_select.observe(self._on_level_select, names="value")
        self.compare_a.observe(self._on_compare, names="value")
        self.compare_b.observe(self._on_compare, names="value")
        return [
            self.intro,
            self.diagram_heading,
            self.diagram,
            self.diagram_alt,
            self.level_select,
            self.detail,
            self.compare_heading,
            compare_controls,
            self.comparison,
            self.notes,
        ]

    def retext(self, lang: str) -> None:
        """The texts of ``lang`` in the same widgets; the chosen and compared levels stay."""
        model = self.model
        for cell, widget in self._cells:
            if cell.kind != "level":
                widget.value = xh.cell_html(cell, model, lang)
        with self.level_select.hold_sync():
            self.level_select.options = [
                (t("level_n", lang, n=lv.number), lv.number) for lv in model.levels
            ]
            self.level_select.value = self.selected
            self.level_select.description = t("choose_level", lang)
        level_options = [(render.level_title(lv, lang), lv.number) for lv in model.levels]
        for dropdown, key, value in (
            (self.compare_a, "compare_a", self.compared[0]),
            (self.compare_b, "compare_b", self.compared[1]),
        ):
            with dropdown.hold_sync():
                dropdown.options = level_options
                dropdown.value = value
                dropdown.description = t(key, lang)
        self.intro.value = paragraph(t("modellen_intro", lang), "kit-lead")
        self.diagram_heading.value = heading(t("diagram_heading", lang))
        self.diagram_alt.value = xh.diagram_alt_html(model, lang)
        self.compare_heading.value = heading(t("compare_heading", lang))
        self.notes.value = xh.model_notes_html(model, lang)
        self._show_selected()
        self._show_comparison()

    def _diagram(self) -> widgets.GridBox:
        """The cells of :func:`kit.model.explorer_html.diagram_cells`: HTML, and a button per level."""
        model = self.model
        self._cells: list[tuple[xh.Cell, widgets.Widget]] = []
        for cell in xh.diagram_cells(model):
            if cell.kind == "level" and isinstance(cell.key, int):  # keyed by the level's number
                widget = self.level_buttons[cell.key]
            else:
                widget = html("")
            widget.layout.grid_area = cell.area
            self._cells.append((cell, widget))
        grid = widgets.GridBox(
            [w for _, w in self._cells],
            layout=widgets.Layout(
                grid_template_columns=xh.grid_columns(model), grid_gap="6px 4px", width="100%"
            ),
        )
        grid.add_class("kit-diagram")
        return grid

    # -- showing state -------------------------------------------------------------------
    def _show_selected(self) -> None:
        lang = self.lang
        for number, button in self.level_buttons.items():
            level = self.model.level(number)
            with button.hold_sync():
                button.description = render.level_title(level, lang)
                button.tip = t("level_button_tip", lang, n=number)
                button.pressed = number == self.selected
        self.detail.value = render.level_detail(self.model.level(self.selected), self.model, lang)

    def _show_comparison(self) -> None:
        a = self.model.level(self.compared[0])
        b = self.model.level(self.compared[1])
        self.comparison.value = render.level_comparison(a, b, self.lang)

    # -- events --------------------------------------------------------------------------
    def _selects(self, number: int) -> Callable[[PressButton], None]:
        """A click handler that selects level ``number``."""
        return lambda _button: self._select(number)

    def _select(self, number: int) -> None:
        self.selected = number
        with self.hold_sync():
            if self.level_select.value != number:
                self.level_select.value = number  # calls _on_level_select
            else:
                self._show_selected()

    def _on_level_select(self, change: dict) -> None:
        if change["new"] is None:
            return
        self.selected = change["new"]
        self._show_selected()

    def _on_compare(self, _change: dict) -> None:
        if self.compare_a.value is None or self.compare_b.value is None:
            return
        self.compared = (self.compare_a.value, self.compare_b.value)
        self._show_comparison()
