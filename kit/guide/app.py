"""The facilitator guide (Markdown in ``data/fasilitatorguide*.md``) as a page in the kit.

Each language has its own file: ``fasilitatorguide.md`` is bokmål, ``fasilitatorguide_nn.md``
nynorsk and ``fasilitatorguide_en.md`` English. The app shows the file of the chosen language and
falls back to bokmål only when that language has no file.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from kit.core.address import DEFAULT_BASE_URL, served_base_url
from kit.core.html import document_html, markdown_html, paragraph
from kit.core.i18n import DEFAULT_LANG, t
from kit.core.paths import data_dir
from kit.core.ui.app import App, html

GUIDE_FILE = "fasilitatorguide.md"


def guide_file(lang: str) -> str:
    """The file name of the guide in ``lang`` (bokmål has no suffix)."""
    return GUIDE_FILE if lang == DEFAULT_LANG else f"fasilitatorguide_{lang}.md"


def guide_path(lang: str = DEFAULT_LANG) -> tuple[Path, str]:
    """The guide's file for ``lang`` and the language it is written in (bokmål if it is missing)."""
    path = data_dir() / guide_file(lang)
    if path.is_file():
        return path, lang
    return data_dir() / GUIDE_FILE, DEFAULT_LANG


def guide_html(lang: str = DEFAULT_LANG) -> str:
    """The guide in ``lang`` rendered to HTML; raw HTML in the file is shown as text, never run.

    The guide's own top heading becomes ``<h2>`` (the page's ``<h1>`` is the app title), each
    table scrolls inside its own labelled region on a narrow screen, links to the kit point at
    the address it is served at, and the checklist is a list of checkboxes.
    """
    path, _ = guide_path(lang)
    text = path.read_text(encoding="utf-8")
    # the file names serve's default address (it is read outside the kit too); the app shows
    # the address it is served at
    text = text.replace(DEFAULT_BASE_URL, served_base_url())
    return markdown_html(text, top_level=2)


class Fasilitatorguide(App):
    """``notebooks/08_fasilitatorguide.ipynb``: plans for a 45- and a 90-minute session."""

    title_key = "app_title_guide"

    def build(self, lang: str) -> list[widgets.Widget]:
        _, written_in = guide_path(lang)
        self.guide_lang = written_in
        note = (
            []
            if written_in == lang
            else [html(paragraph(t("guide_fallback_nb", lang), "kit-note"))]
        )
        self.guide = html(document_html(guide_html(lang), written_in))
        return [*note, self.guide]
