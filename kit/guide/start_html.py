"""HTML of the start page (pure): what the kit is and for whom, one card per app, the quick start
for course leaders, and where the content comes from."""

from __future__ import annotations

from html import escape

from kit.core.html import document_html, markdown_html
from kit.core.i18n import t

#: The apps in teaching order: (notebook, key). Texts: app_title_<key>, app_desc_<key> (what it
#: is for), app_for_<key> (for whom), app_time_<key> (how long).
APPS: tuple[tuple[str, str], ...] = (
    ("01_begreper.ipynb", "begreper"),
    ("02_modellen.ipynb", "modellen"),
    ("03_klassifiser.ipynb", "klassifiser"),
    ("04_egen_sak.ipynb", "kompass"),
    ("05_presentator.ipynb", "presentator"),
    ("06_kommuneplaner.ipynb", "kommuneplaner"),
    ("07_lysbilder.ipynb", "lysbilder"),
    ("08_fasilitatorguide.ipynb", "guide"),
    ("09_samarbeidsverksted.ipynb", "verksted"),
)


def intro_html(lang: str) -> str:
    """What the kit is, and for whom."""
    return (
        f"<p class='kit-lead'>{escape(t('start_intro', lang))}</p>"
        f"<h2>{escape(t('start_for_whom_heading', lang))}</h2>"
        f"<ul><li>{escape(t('start_for_course_leaders', lang))}</li>"
        f"<li>{escape(t('start_for_students', lang))}</li>"
        f"<li>{escape(t('start_for_presenters', lang))}</li></ul>"
    )


def apps_html(lang: str) -> str:
    """The apps' heading and their cards."""
    return f"<h2>{escape(t('start_apps_heading', lang))}</h2>{app_cards(lang)}"


def about_html(lang: str) -> str:
    """Where the content comes from, and that the kit works without the internet."""
    return (
        f"<h2>{escape(t('start_about_heading', lang))}</h2>"
        f"<p>{escape(t('start_source', lang))}</p>"
        f"<p>{escape(t('start_offline', lang))}</p>"
    )


def app_cards(lang: str) -> str:
    """A list of cards, one per app; each link carries the chosen language on to the app."""
    cards = []
    for notebook, key in APPS:
        cards.append(
            "<li class='kit-app-card'>"
            f"<h3><a href='{escape(notebook)}?lang={escape(lang)}'>"
            f"{escape(t('app_title_' + key, lang))}</a></h3>"
            f"<p>{escape(t('app_desc_' + key, lang))}</p>"
            f"<dl><dt>{escape(t('start_card_for', lang))}</dt>"
            f"<dd>{escape(t('app_for_' + key, lang))}</dd>"
            f"<dt>{escape(t('start_card_time', lang))}</dt>"
            f"<dd>{escape(t('app_time_' + key, lang))}</dd></dl></li>"
        )
    return f"<ul class='kit-app-cards kit-app-list'>{''.join(cards)}</ul>"


def quickstart(lang: str, markdown: str | None) -> str:
    """The quick start (Norwegian, from docs/hurtigstart.md) folded in on the start page.

    Shown in the page itself rather than linked: Voilà serves no Markdown files, and an address on
    the internet would break in a classroom without one. Without the file, a line says where it is.
    """
    head = (
        f"<h2>{escape(t('start_quick_heading', lang))}</h2>"
        f"<p>{escape(t('start_quick_text', lang))}</p>"
    )
    if markdown is None:
        return f"{head}<p>{escape(t('start_quick_missing', lang))}</p>"
    body = markdown_html(markdown, top_level=3)
    return (
        f"{head}<details id='kit-hurtigstart'><summary>{escape(t('start_quick_summary', lang))}"
        f"</summary>{document_html(body, 'nb')}</details>"
    )
