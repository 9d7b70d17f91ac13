"""Choosing a case set: the whole library, one domain, or a course leader's own file.

Used by the exercise (Klassifiser); the presenter builds a session plan instead
(:mod:`kit.live.picker`), which takes its file types for a course leader's own cases from here.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from kit.cases.case import Case, domain_label
from kit.cases.casefile import CaseReport, read_cases_bytes
from kit.cases.html import upload_status_html
from kit.core.i18n import t
from kit.core.ui.controls import ChoiceGroup
from kit.core.ui.upload import FileInput

UPLOAD_TYPES = ".xlsx,.csv,.yaml,.yml"


def _shown(widget: widgets.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class CaseSetPicker:
    """The controls and state of a case-set choice; ``build(lang)`` makes the widgets once,
    ``set_texts(lang)`` changes their language."""

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
        """The picker's widgets, with the texts of ``lang``. They are made on the first call;
        later calls change their texts in place and return the same widgets."""
        if not hasattr(self, "source_choice"):
            self.source_choice = ChoiceGroup(value=None, variant="cards")
            self.domain_choice = widgets.Dropdown(
                style={"description_width": "initial"}, layout=widgets.Layout(width="auto")
            )
            self.upload_status = widgets.HTML()
            self.upload_status.add_class("kit-upload-status")
            self.source_choice.observe(self._on_source, names="value")
            self.domain_choice.observe(self._on_domain, names="value")
        self.set_texts(lang)
        return [self.source_choice, self.domain_choice, self.upload_button, self.upload_status]

    def set_texts(self, lang: str) -> None:
        """Labels, options and the file's status in ``lang``; the choices stay as they are."""
        self.lang = lang
        source, domain = self.source, self.domain
        with self.source_choice.hold_sync():
            self.source_choice.options = [
                (t("klass_source_all", lang, n=len(self.library)), "all"),
                (t("klass_source_domain", lang), "domain"),
                (t("klass_source_file", lang), "file"),
            ]
            self.source_choice.value = source
            self.source_choice.description = t("klass_source_label", lang)
        with self.domain_choice.hold_sync():
            self.domain_choice.options = [
                (f"{domain_label(d, lang)} ({sum(c.domain == d for c in self.library)})", d)
                for d in self.domains()
            ]
            self.domain_choice.value = domain or None
            self.domain_choice.description = t("klass_domain_label", lang)
        self.upload_button.set_texts(lang)
        self.upload_status.value = self.upload_html(lang)
        self._show_source_parts()

    def _show_source_parts(self) -> None:
        _shown(self.domain_choice, self.source == "domain")
        _shown(self.upload_button, self.source == "file")
        _shown(self.upload_status, self.source == "file")

    def upload_html(self, lang: str) -> str:
        report = self.upload
        if report is None:
            return upload_status_html(None, "", 0, (), 0, lang)
        # report.lines is capped (kit.core.tables.MAX_PROBLEM_LINES), so a file of a thousand
        # bad rows sends the browser fifty lines and one "… and N more problems"
        return upload_status_html(
            report.ok,
            self.upload_name,
            len(report.cases),
            () if report.ok else report.lines(lang),
            len(report.problems),
            lang,
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

        Reads through :func:`kit.cases.casefile.read_cases_bytes`, which holds every limit (size,
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
            self.source_choice.value = self.source
            self._show_source_parts()
        if self.on_change is not None:
            self.on_change()

    def _on_source(self, change: dict) -> None:
        if change["new"] is not None:
            self.source = change["new"]
        self._show_source_parts()

    def _on_domain(self, change: dict) -> None:
        if change["new"] is not None:
            self.domain = change["new"]
