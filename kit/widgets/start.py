"""The start page: what the kit is, for whom, a link to each app, the language choice."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ..i18n import t
from .base import App, html

#: The apps in teaching order: (notebook, title key, description key).
APPS: tuple[tuple[str, str, str], ...] = (
    ("01_begreper.ipynb", "app_title_begreper", "app_desc_begreper"),
    ("02_modellen.ipynb", "app_title_modellen", "app_desc_modellen"),
    ("03_klassifiser.ipynb", "app_title_klassifiser", "app_desc_klassifiser"),
    ("04_egen_sak.ipynb", "app_title_kompass", "app_desc_kompass"),
    ("05_presentator.ipynb", "app_title_presentator", "app_desc_presentator"),
    ("06_kommuneplaner.ipynb", "app_title_kommuneplaner", "app_desc_kommuneplaner"),
    ("07_lysbilder.ipynb", "app_title_lysbilder", "app_desc_lysbilder"),
    ("08_fasilitatorguide.ipynb", "app_title_guide", "app_desc_guide"),
)


def app_links(lang: str) -> str:
    """The list of apps, each link carrying the chosen language on to the next app."""
    items = "".join(
        f"<li><a href='{escape(nb)}?lang={lang}'>{escape(t(title, lang))}</a>: "
        f"{escape(t(desc, lang))}</li>"
        for nb, title, desc in APPS
    )
    return f"<ul class='kit-app-list'>{items}</ul>"


class Start(App):
    """Landing page of ``samskaping serve``."""

    title_key = "app_title_start"

    def build(self, lang: str) -> list[widgets.Widget]:
        self.links = html(
            f"<h2>{escape(t('start_apps_heading', lang))}</h2>{app_links(lang)}", "kit-links"
        )
        return [
            html(
                f"<p class='kit-lead'>{escape(t('start_intro', lang))}</p>"
                f"<h2>{escape(t('start_for_whom_heading', lang))}</h2>"
                f"<ul><li>{escape(t('start_for_course_leaders', lang))}</li>"
                f"<li>{escape(t('start_for_students', lang))}</li>"
                f"<li>{escape(t('start_for_presenters', lang))}</li></ul>"
            ),
            self.links,
            html(
                f"<h2>{escape(t('start_about_heading', lang))}</h2>"
                f"<p>{escape(t('start_source', lang))}</p>"
                f"<p>{escape(t('start_offline', lang))}</p>"
            ),
        ]
