"""Choosing a case set: the whole library, one domain, or a course leader's own file.

Shared by the exercise and the presenter app.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .. import render
from ..casefile import CaseReport, read_cases_bytes
from ..cases import Case
from ..i18n import has_text, t

UPLOAD_TYPES = ".xlsx,.csv,.yaml,.yml"


def domain_label(domain: str, lang: str) -> str:
    """A domain's display name: translated for the library's domains, as written otherwise."""
    if not domain:
        return t("domain_unknown", lang)
    key = "domain_" + domain.strip().lower().replace(" ", "_")
    return t(key, lang) if has_text(key, lang) else domain


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
        self.upload_button = widgets.FileUpload(
            accept=UPLOAD_TYPES,
            multiple=False,
            description=t("klass_upload_label", lang),
            layout=widgets.Layout(width="auto"),
        )
        self.upload_status = widgets.HTML(self.upload_html(lang))
        self.upload_status.add_class("kit-upload-status")
        self._show_source_parts()
        self.source_choice.observe(self._on_source, names="value")
        self.domain_choice.observe(self._on_domain, names="value")
        self.upload_button.observe(self._on_upload, names="value")
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
        """What an upload does; callable from tests and notebooks."""
        self.source = "file"
        self.upload_name = name
        self.upload = read_cases_bytes(data, name, self.lang)
        return self.upload

    def _on_source(self, change: dict) -> None:
        self.source = change["new"]
        self._show_source_parts()

    def _on_domain(self, change: dict) -> None:
        self.domain = change["new"]

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if files:
            self.load_file(bytes(files[0]["content"]), str(files[0]["name"]))
            self.upload_status.value = self.upload_html(self.lang)
