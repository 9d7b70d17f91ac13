"""The controls a learner answers a case with, used by the exercise."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ..cases import LEVELS, Case
from ..exercise import case_text_html, level_label
from ..i18n import t
from ..model import PROCESSES
from .caseset import domain_label


def process_choice(lang: str) -> widgets.RadioButtons:
    """Labelled radio buttons for the process (keyboard-usable, native inputs)."""
    return widgets.RadioButtons(
        options=[(t("process_" + p, lang), p) for p in PROCESSES],
        value=None,
        description=t("klass_process_label", lang),
        layout=widgets.Layout(width="auto"),
    )


def level_choice(lang: str) -> widgets.RadioButtons:
    """Labelled radio buttons for the level; "no level" has the value 0."""
    return widgets.RadioButtons(
        options=[
            (level_label(lv, lang) if lv else t("klass_level_none", lang), lv or 0) for lv in LEVELS
        ],
        value=None,
        description=t("klass_level_label", lang),
        layout=widgets.Layout(width="auto"),
    )


def case_html(case: Case, lang: str) -> str:
    """A case's title, text and domain, escaped; a chain case's marked part in ``<mark>``,
    with the prompt to classify just that part before the text."""
    domain = t("klass_domain_badge", lang, domain=domain_label(case.domain, lang))
    prompt = (
        f"<p class='kit-marked-prompt'><strong>{escape(t('klass_marked_prompt', lang))}</strong></p>"
        if case.marked_parts(lang) is not None
        else ""
    )
    return (
        f"<h2>{escape(case.title.get(lang))}</h2>"
        f"{prompt}<p class='kit-case-text'>{case_text_html(case, lang)}</p>"
        f"<p><span class='kit-badge kit-badge-ingen'>{escape(domain)}</span></p>"
    )


def progress_html(done: int, total: int, label: str, lang: str, extra: str = "") -> str:
    """A native <progress> bar (announced as a progress bar), its label and ``extra`` text."""
    return (
        f"<div class='kit-progress'><label>{escape(t('klass_progress_label', lang))} "
        f"<progress max='{total}' value='{done}'>{done}/{total}</progress></label> "
        f"<strong>{escape(label)}</strong>{escape(extra)}</div>"
    )
