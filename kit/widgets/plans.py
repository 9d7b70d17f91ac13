"""Samskaping in the community part of municipal master plans, from a table the user brings.

The source presentation shows a yes/no chart (2013-2024, 337 municipalities) whose numbers are
not public; this app shows none of them. It draws a course leader's own table (or the example
file of invented municipalities) with :mod:`kit.plans` and :mod:`kit.plan_charts`.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .. import render
from ..i18n import t
from ..plans import EXAMPLE_FILE, PlanReport, example_path, read_plans_bytes, summary
from .base import App, html
from .upload import FileInput

UPLOAD_TYPES = ".xlsx,.csv"


def _answer(mentions: bool, lang: str) -> str:
    label = t("plans_label_yes" if mentions else "plans_label_no", lang)
    return label[:1].lower() + label[1:]


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
        self.upload_button.set_texts(lang)
        self.example_button = widgets.Button(
            description=t("plans_example_button", lang), layout=widgets.Layout(width="auto")
        )
        self.upload_status = html("", "kit-upload-status")
        self.result_box = widgets.VBox()
        self.result_box.add_class("kit-plans-result")
        self.example_button.on_click(self._on_example)
        buttons = widgets.HBox([self.upload_button, self.example_button])
        buttons.add_class("kit-wrap")
        self._show_result()
        return [
            html(self._intro_html(lang), "kit-plans-intro"),
            html(
                render.heading(t("plans_file_heading", lang))
                + render.paragraph(t("plans_file_help", lang))
            ),
            buttons,
            self.upload_status,
            self.result_box,
        ]

    @staticmethod
    def _intro_html(lang: str) -> str:
        """What the source showed, why no numbers are shown, and the Øygarden quote."""
        quote = (
            "<figure class='kit-quote' style='margin:0.6em 0;'>"
            "<blockquote lang='nn' style='margin:0 0 0.3em;padding:0.2em 0 0.2em 1em;"
            "border-left:6px solid #1c5d99;font-size:1.05rem;'>"
            f"<p>«{escape(t('plans_quote_text', lang))}»</p></blockquote>"
            f"<figcaption class='kit-citation'>{escape(t('plans_quote_source', lang))}"
            f"<br><span class='kit-note'>{escape(t('plans_quote_note', lang))}</span>"
            "</figcaption></figure>"
        )
        return (
            render.paragraph(t("plans_lead", lang), "kit-lead")
            + render.heading(t("plans_source_heading", lang))
            + render.paragraph(t("plans_source_chart", lang))
            + f"<p><strong>{escape(t('plans_source_no_numbers', lang))}</strong></p>"
            + render.paragraph(t("plans_quote_intro", lang))
            + quote
            + render.paragraph(t("plans_reflect", lang))
        )

    # -- showing state ----------------------------------------------------------------------
    def status_html(self, lang: str) -> str:
        """The file's status: nothing yet, read with N plans, or every problem, one per line."""
        report = self.report
        if report is None:
            return render.paragraph(t("plans_status_none", lang))
        name = self.file_name
        if report.ok:
            message = t("plans_status_ok", lang, name=name, n=len(report.plans))
            out = f"<p role='status'>✔ {escape(message)}</p>"
            if report.warnings:
                lines = "".join(
                    f"<li><code>{escape(line)}</code></li>" for line in report.lines(lang)
                )
                out += f"<p>{escape(t('plans_status_warnings', lang))}</p><ul>{lines}</ul>"
            return out
        # report.lines is capped (kit.tables.MAX_PROBLEM_LINES): fifty lines, then one more
        lines = "".join(f"<li><code>{escape(line)}</code></li>" for line in report.lines(lang))
        message = t("plans_status_problems", lang, name=name, n=len(report.problems))
        return (
            f"<div role='alert' class='kit-problems'><p>✘ {escape(message)}</p>"
            f"<ul>{lines}</ul></div>"
        )

    def _show_result(self) -> None:
        """The status line, then (for a file without problems) the charts and the quotes."""
        lang = self.lang
        self.upload_status.value = self.status_html(lang)
        report = self.report
        if report is None or not report.ok:
            self.share_view = self.years_view = None
            self.quotes = None
            self.result_box.children = []
            return
        from .. import plan_charts
        from .charts import ChartView

        numbers = summary(report.plans)
        parts = [render.heading(t("plans_result_heading", lang, name=self.file_name))]
        if self.is_example:
            parts.append(
                f"<p class='kit-note kit-example-note' role='note'>"
                f"<strong>{escape(t('plans_example_note', lang))}</strong></p>"
            )
        summary_table = t("plans_table_summary", lang)
        self.share_view = ChartView(
            plan_charts.share_chart(numbers, lang),
            plan_charts.share_description(numbers, lang),
            plan_charts.share_table(numbers, lang),
            summary_table,
        )
        self.years_view = ChartView(
            plan_charts.years_chart(numbers, lang),
            plan_charts.years_description(numbers, lang),
            plan_charts.years_table(numbers, lang),
            summary_table,
        )
        self.quotes = html(self._quotes_html(report, lang), "kit-plans-quotes")
        self.result_box.children = [
            html("".join(parts)),
            self.share_view,
            self.years_view,
            self.quotes,
        ]

    @staticmethod
    def _quotes_html(report: PlanReport, lang: str) -> str:
        heading = f"<h3>{escape(t('plans_quotes_heading', lang))}</h3>"
        quoted = [p for p in report.plans if p.quote]
        if not quoted:
            return heading + render.paragraph(t("plans_quotes_none", lang))
        items = "".join(
            f"<li>{escape(p.quote)} <span class='kit-where'>"
            f"– {escape(t('plans_quote_item', lang, kommune=p.kommune, year=p.year, answer=_answer(p.mentions, lang)))}</span></li>"
            for p in sorted(quoted, key=lambda p: (p.year, p.row))
        )
        return f"{heading}<ul>{items}</ul>"

    # -- loading a table --------------------------------------------------------------------
    def load_file(self, data: bytes, name: str, *, example: bool = False) -> PlanReport:
        """What an upload does; callable from tests and notebooks.

        Reads through :func:`kit.plans.read_plans_bytes`, which holds every limit (size,
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
