"""Choosing a case set: the whole library, one domain, or a course leader's own file.

Shared by the exercise and the presenter app.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from .. import render
from ..casefile import CaseReport, read_cases_bytes
from ..cases import Case, domain_label
from ..i18n import t
from .upload import FileInput

UPLOAD_TYPES = ".xlsx,.csv,.yaml,.yml"


def _shown(widget: widgets.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class CaseSetPicker:
    """The controls and state of a case-set choice; ``build(lang)`` makes the widgets anew."""

    def __init__(self, library: tuple[Case, ...]) -> None:
        self.library = library
        self.source = "all"
        domains = self.domains()
        self.domain = domains[0] if domains else ""
        self.upload: CaseReport | None = None
        self.upload_name = ""
        self.lang = "nb"
        #: one file field for the picker's life; build(lang) changes its texts
        self.upload_button = FileInput(
            self.load_file,
            accept=UPLOAD_TYPES,
            label_key="klass_upload_label",
            on_reject=self._on_reject,
        )
        #: called after a file arrives or is refused, so an app can redraw
        self.on_change: Callable[[], object] | None = None

    def domains(self) -> list[str]:
        return sorted({c.domain for c in self.library})

    def build(self, lang: str) -> list[widgets.Widget]:
        self.lang = lang
        self.source_choice = widgets.RadioButtons(
            options=[
                (t("klass_source_all", lang, n=len(self.library)), "all"),
                (t("klass_source_domain", lang), "domain"),
                (t("klass_source_file", lang), "file"),
            ],
            value=self.source,
            description=t("klass_source_label", lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.domain_choice = widgets.Dropdown(
            options=[
                (f"{domain_label(d, lang)} ({sum(c.domain == d for c in self.library)})", d)
                for d in self.domains()
            ],
            value=self.domain or None,
            description=t("klass_domain_label", lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.upload_button.set_texts(lang)
        self.upload_status = widgets.HTML(self.upload_html(lang))
        self.upload_status.add_class("kit-upload-status")
        self._show_source_parts()
        self.source_choice.observe(self._on_source, names="value")
        self.domain_choice.observe(self._on_domain, names="value")
        return [self.source_choice, self.domain_choice, self.upload_button, self.upload_status]

    def _show_source_parts(self) -> None:
        _shown(self.domain_choice, self.source == "domain")
        _shown(self.upload_button, self.source == "file")
        _shown(self.upload_status, self.source == "file")

    def upload_html(self, lang: str) -> str:
        report = self.upload
        if report is None:
            return render.paragraph(t("klass_upload_hint", lang)) + render.paragraph(
                t("klass_upload_none", lang)
            )
        if report.ok:
            message = t("klass_upload_ok", lang, name=self.upload_name, n=len(report.cases))
            return f"<p role='status'>✔ {escape(message)}</p>"
        # report.lines is capped (kit.tables.MAX_PROBLEM_LINES), so a file of a thousand
        # bad rows sends the browser fifty lines and one "… and N more problems"
        lines = "".join(f"<li><code>{escape(line)}</code></li>" for line in report.lines(lang))
        message = t("klass_upload_problems", lang, name=self.upload_name, n=len(report.problems))
        return (
            f"<div role='alert' class='kit-problems'><p>✘ {escape(message)}</p>"
            f"<ul>{lines}</ul></div>"
        )

    def selected(self) -> tuple[Case, ...]:
        """The cases of the current choice (empty if an uploaded file has problems)."""
        if self.source == "domain":
            return tuple(c for c in self.library if c.domain == self.domain)
        if self.source == "file":
            return self.upload.cases if self.upload and self.upload.ok else ()
        return self.library

    def load_file(self, data: bytes, name: str) -> CaseReport:
        """What an upload does; callable from tests and notebooks.

        Reads through :func:`kit.casefile.read_cases_bytes`, which holds every limit (size,
        rows, what an Excel file unpacks to), so any bytes are safe here.
        """
        self.source = "file"
        self.upload_name = name
        self.upload = read_cases_bytes(data, name, self.lang)
        self._refresh()
        return self.upload

    load_bytes = load_file

    def _on_reject(self, _name: str, _size: int) -> None:
        """A file over the size limit was not loaded: the field says why; nothing is chosen."""
        self.source = "file"
        self.upload = None
        self.upload_name = ""
        self._refresh()

    def _refresh(self) -> None:
        status = getattr(self, "upload_status", None)
        if status is not None:
            status.value = self.upload_html(self.lang)
        if self.on_change is not None:
            self.on_change()

    def _on_source(self, change: dict) -> None:
        self.source = change["new"]
        self._show_source_parts()

    def _on_domain(self, change: dict) -> None:
        self.domain = change["new"]
