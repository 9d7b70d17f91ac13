"""Samskaping in the community part of municipal master plans, from a table the user brings.

The source presentation shows a yes/no chart (2013-2024, 337 municipalities) whose numbers are
not public; this app shows none of them. It draws a course leader's own table (or the example
file of invented municipalities) with :mod:`kit.plans.plans` and :mod:`kit.plans.charts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import App, close_unused, html
from kit.core.ui.upload import FileInput
from kit.plans import html as ph
from kit.plans.plans import EXAMPLE_FILE, PlanReport, example_path, read_plans_bytes, summary

if TYPE_CHECKING:  # imported where a chart is drawn: it loads altair
    from kit.core.ui.charts import ChartView

UPLOAD_TYPES = ".xlsx,.csv"


class Kommuneplaner(App):
    """``notebooks/06_kommuneplaner.ipynb``: the source's chart explained, your own table drawn."""

    title_key = "app_title_kommuneplaner"

    def __init__(self, lang: str | None = None) -> None:
        #: the table read last (kept across language switches), its name, and whether it is
        #: the shipped example (then the app says the rows are invented)
        self.report: PlanReport | None = None
        self.file_name = ""
        self.is_example = False
        #: one file field for the app's life; build(lang) changes its texts
        self.upload_button = FileInput(
            self.load_file,
            accept=UPLOAD_TYPES,
            label_key="plans_upload_label",
            on_reject=self._on_reject,
        )
        super().__init__(lang)

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        """Every widget of the app, made once; :meth:`retext` gives them their texts."""
        self.example_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.upload_status = html("", "kit-upload-status")
        self.result_box = widgets.VBox()
        self.result_box.add_class("kit-plans-result")
        self.example_button.on_click(self._on_example)
        self.share_view: ChartView | None = None
        self.years_view: ChartView | None = None
        self.result_head = html("")
        self.quotes: widgets.HTML | None = None
        self.intro = html("", "kit-plans-intro")
        self.file_help = html("")
        buttons = widgets.HBox([self.upload_button, self.example_button])
        buttons.add_class("kit-wrap")
        self.retext(lang)
        return [self.intro, self.file_help, buttons, self.upload_status, self.result_box]

    def retext(self, lang: str) -> None:
        """The texts of ``lang`` in the same widgets; the table read stays."""
        self.upload_button.set_texts(lang)
        self.example_button.description = t("plans_example_button", lang)
        self.intro.value = ph.intro_html(lang)
        self.file_help.value = heading(t("plans_file_heading", lang)) + paragraph(
            t("plans_file_help", lang)
        )
        self._show_result()

    # -- showing state ----------------------------------------------------------------------
    def status_html(self, lang: str) -> str:
        """The file's status: nothing yet, read with N plans, or every problem, one per line."""
        return ph.status_html(self.report, self.file_name, lang)

    def _show_result(self) -> None:
        """The status line, then (for a file without problems) the charts and the quotes.

        The charts are made once and then updated; when there is nothing to draw they are
        closed, so reading table after table leaves no widgets behind."""
        lang = self.lang
        self.upload_status.value = self.status_html(lang)
        report = self.report
        if report is None or not report.ok:
            old = [w for w in (self.share_view, self.years_view, self.quotes) if w is not None]
            self.share_view = self.years_view = None
            self.quotes = None
            self.result_box.children = []
            close_unused(old, ())
            return
        from kit.core.ui.charts import ChartView
        from kit.plans import charts as plan_charts

        numbers = summary(report.plans)
        summary_table = t("plans_table_summary", lang)
        share = (
            plan_charts.share_chart(numbers, lang),
            plan_charts.share_description(numbers, lang),
            plan_charts.share_table(numbers, lang),
        )
        years = (
            plan_charts.years_chart(numbers, lang),
            plan_charts.years_description(numbers, lang),
            plan_charts.years_table(numbers, lang),
        )
        if self.share_view is None or self.years_view is None or self.quotes is None:
            self.share_view = ChartView(*share, summary_table)
            self.years_view = ChartView(*years, summary_table)
            self.quotes = html("", "kit-plans-quotes")
        else:
            for view, parts in ((self.share_view, share), (self.years_view, years)):
                view._table_summary = summary_table  # the words follow the language
                view.update(*parts)
        self.result_head.value = ph.result_heading_html(self.file_name, self.is_example, lang)
        self.quotes.value = ph.quotes_html(report, lang)
        children = (self.result_head, self.share_view, self.years_view, self.quotes)
        if tuple(self.result_box.children) != children:
            self.result_box.children = children

    # -- loading a table --------------------------------------------------------------------
    def load_file(self, data: bytes, name: str, *, example: bool = False) -> PlanReport:
        """What an upload does; callable from tests and notebooks.

        Reads through :func:`kit.plans.plans.read_plans_bytes`, which holds every limit (size,
        rows, what an Excel file unpacks to), so any bytes are safe here.
        """
        self.file_name = name
        self.is_example = example
        self.report = read_plans_bytes(data, name, self.lang)
        with self.hold_sync():
            self._show_result()
        return self.report

    def use_example(self) -> PlanReport:
        """Load the shipped example file (invented municipalities)."""
        return self.load_file(example_path().read_bytes(), EXAMPLE_FILE, example=True)

    def _on_example(self, _button: widgets.Button | None = None) -> None:
        self.use_example()

    load_bytes = load_file

    def _on_reject(self, _name: str, _size: int) -> None:
        """A file over the size limit was not loaded: the field says why; nothing is drawn."""
        self.report = None
        self.file_name = ""
        self.is_example = False
        with self.hold_sync():
            self._show_result()
