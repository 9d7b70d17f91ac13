"""The start page: what the kit is, for whom, a card for each app, the quick start, the language."""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from ..i18n import t
from ..paths import PACKAGE_DIR
from ..start_html import APPS, app_cards, quickstart
from .base import App, html

__all__ = ["APPS", "Start", "quickstart_path"]


def quickstart_path() -> Path | None:
    """docs/hurtigstart.md: a copy inside the package (an installed wheel), else the repository's."""
    for path in (
        PACKAGE_DIR / "_docs" / "hurtigstart.md",
        PACKAGE_DIR.parent / "docs" / "hurtigstart.md",
    ):
        if path.is_file():
            return path
    return None


class Start(App):
    """Landing page of ``samskaping serve``."""

    title_key = "app_title_start"

    def build(self, lang: str) -> list[widgets.Widget]:
        self.links = html(
            f"<h2>{escape(t('start_apps_heading', lang))}</h2>{app_cards(lang)}", "kit-links"
        )
        path = quickstart_path()
        self.quickstart = html(
            quickstart(lang, path.read_text(encoding="utf-8") if path else None), "kit-start-quick"
        )
        return [
            html(
                f"<p class='kit-lead'>{escape(t('start_intro', lang))}</p>"
                f"<h2>{escape(t('start_for_whom_heading', lang))}</h2>"
                f"<ul><li>{escape(t('start_for_course_leaders', lang))}</li>"
                f"<li>{escape(t('start_for_students', lang))}</li>"
                f"<li>{escape(t('start_for_presenters', lang))}</li></ul>"
            ),
            self.quickstart,
            self.links,
            html(
                f"<h2>{escape(t('start_about_heading', lang))}</h2>"
                f"<p>{escape(t('start_source', lang))}</p>"
                f"<p>{escape(t('start_offline', lang))}</p>"
            ),
        ]
