"""The facilitator guide (bokmål Markdown in ``data/fasilitatorguide.md``) as a page in the kit."""

from __future__ import annotations

import ipywidgets as widgets

from ..i18n import t
from ..paths import data_dir
from .base import App, html

GUIDE_FILE = "fasilitatorguide.md"


def guide_html() -> str:
    """The guide rendered to HTML; raw HTML in the file is shown as text, never run."""
    import mistune

    to_html = mistune.create_markdown(escape=True, plugins=["table"])
    text = (data_dir() / GUIDE_FILE).read_text(encoding="utf-8")
    # the guide has its own top heading; the page's <h1> is the app title
    body = to_html(text)
    return body.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


class Fasilitatorguide(App):
    """``notebooks/08_fasilitatorguide.ipynb``: plans for a 45- and a 90-minute session."""

    title_key = "app_title_guide"

    def build(self, lang: str) -> list[widgets.Widget]:
        note = [] if lang == "nb" else [html(f"<p class='kit-note'>{t('guide_only_nb', lang)}</p>")]
        self.guide = html(f"<div class='kit-guide' lang='nb'>{guide_html()}</div>")
        return [*note, self.guide]
