"""HTML of the municipal-plans app (pure: a plan table's report and a language in, strings out).

:class:`kit.plans.app.Kommuneplaner` puts these into its widgets. Everything from the
user's table is escaped.
"""

from __future__ import annotations

from html import escape

from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.plans.plans import PlanReport


def _answer(mentions: bool, lang: str) -> str:
    label = t("plans_label_yes" if mentions else "plans_label_no", lang)
    return label[:1].lower() + label[1:]


def intro_html(lang: str) -> str:
    """What the source showed, why no numbers are shown, and the Øygarden quote."""
    quote = (
        "<figure class='kit-quote' style='margin:0.6em 0;'>"
        "<blockquote lang='nn' style='margin:0 0 0.3em;padding:0.2em 0 0.2em 1em;"
        "border-left:6px solid #1c5d99;font-size:1.05rem;'>"
        f"<p>«{escape(t('plans_quote_text', lang))}»</p></blockquote>"
        f"<figcaption class='kit-citation'>{escape(t('plans_quote_source', lang))}"
        f"<br><span class='kit-note'>{escape(t('plans_quote_note', lang))}</span>"
        "</figcaption></figure>"
    )
    return (
        paragraph(t("plans_lead", lang), "kit-lead")
        + heading(t("plans_source_heading", lang))
        + paragraph(t("plans_source_chart", lang))
        + f"<p><strong>{escape(t('plans_source_no_numbers', lang))}</strong></p>"
        + paragraph(t("plans_quote_intro", lang))
        + quote
        + paragraph(t("plans_reflect", lang))
    )


def status_html(report: PlanReport | None, name: str, lang: str) -> str:
    """The file's status: nothing yet, read with N plans, or every problem, one per line."""
    if report is None:
        return paragraph(t("plans_status_none", lang))
    if report.ok:
        message = t("plans_status_ok", lang, name=name, n=len(report.plans))
        out = f"<p role='status'>✔ {escape(message)}</p>"
        if report.warnings:
            lines = "".join(f"<li><code>{escape(line)}</code></li>" for line in report.lines(lang))
            out += f"<p>{escape(t('plans_status_warnings', lang))}</p><ul>{lines}</ul>"
        return out
    # report.lines is capped (kit.core.tables.MAX_PROBLEM_LINES): fifty lines, then one more
    lines = "".join(f"<li><code>{escape(line)}</code></li>" for line in report.lines(lang))
    message = t("plans_status_problems", lang, name=name, n=len(report.problems))
    return (
        f"<div role='alert' class='kit-problems'><p>✘ {escape(message)}</p><ul>{lines}</ul></div>"
    )


def result_heading_html(name: str, example: bool, lang: str) -> str:
    """The result's heading, and for the shipped example the note that its rows are invented."""
    out = heading(t("plans_result_heading", lang, name=name))
    if example:
        out += (
            "<p class='kit-note kit-example-note' role='note'>"
            f"<strong>{escape(t('plans_example_note', lang))}</strong></p>"
        )
    return out


def quotes_html(report: PlanReport, lang: str) -> str:
    """The table's quotes, oldest first, each with its municipality, year and answer."""
    heading = f"<h3>{escape(t('plans_quotes_heading', lang))}</h3>"
    quoted = [p for p in report.plans if p.quote]
    if not quoted:
        return heading + paragraph(t("plans_quotes_none", lang))
    items = "".join(
        f"<li>{escape(p.quote)} <span class='kit-where'>– "
        + escape(
            t(
                "plans_quote_item",
                lang,
                kommune=p.kommune,
                year=p.year,
                answer=_answer(p.mentions, lang),
            )
        )
        + "</span></li>"
        for p in sorted(quoted, key=lambda p: (p.year, p.row))
    )
    return f"{heading}<ul>{items}</ul>"
