"""The start page: what the kit is, for whom, a card for each app, the quick start, the language."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from kit.core.paths import PACKAGE_DIR
from kit.core.ui.app import App, html
from kit.guide.start_html import APPS, about_html, apps_html, intro_html, quickstart

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
        self.links = html(apps_html(lang), "kit-links")
        path = quickstart_path()
        self.quickstart = html(
            quickstart(lang, path.read_text(encoding="utf-8") if path else None), "kit-start-quick"
        )
        return [html(intro_html(lang)), self.quickstart, self.links, html(about_html(lang))]
