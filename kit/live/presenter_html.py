"""HTML of the presenter's app (pure: cases, counts and a language in, strings out).

:class:`kit.live.presenter.Presentator` and its case cards put these fragments into their
widgets. Every text from a case file, a session code or an address is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from kit.cases.case import Case
from kit.cases.html import case_text_html
from kit.cases.pairs import ContrastPair
from kit.core.exports import CSV_MIME, XLSX_MIME
from kit.core.html import download_link
from kit.core.i18n import t
from kit.core.invocation import samskaping_command
from kit.model.labels import level_label, process_label

#: The export formats: kind -> (MIME type, file extension, text key of the link).
EXPORTS = {
    "csv": (CSV_MIME, "csv", "live_download_csv"),
    "xlsx": (XLSX_MIME, "xlsx", "live_download_xlsx"),
    "questions": (CSV_MIME, "csv", "live_download_questions"),
}


def is_loopback(url: str) -> bool:
    """True if phones in the room cannot reach ``url`` (it names this machine only)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.") or host == "0.0.0.0"


def error_html(message: str) -> str:
    """A message announced as it appears (``role=alert``); nothing for no message."""
    return f"<p role='alert' class='kit-error'>{escape(message)}</p>" if message else ""


def qr_html(url: str, label: str) -> str:
    """The URL as an inline SVG QR code with an accessible name (no image files, no network)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", f"<svg role='img' aria-label='{escape(label)}' ", 1)
    return f"<div class='kit-qr'>{svg}</div>"


def join_html(code: str, url: str, short: str, lang: str) -> str:
    """How to join: the code, the short address to type, the full link and its QR code."""
    return (
        "<div class='kit-join'><div class='kit-join-words'>"
        f"<p class='kit-code-label'>{escape(t('live_code_label', lang))}</p>"
        f"<p class='kit-code'>{escape(code)}</p>"
        f"<p class='kit-short-url'>{escape(t('live_go_to', lang))} "
        f"<strong>{escape(short)}</strong></p>"
        f"<p><a href='{escape(url)}'>{escape(url)}</a></p></div>"
        f"{qr_html(url, t('live_qr_alt', lang, url=url))}</div>"
    )


def loopback_warning_html(url: str, lang: str) -> str:
    """The warning that phones cannot reach ``url``, and how to fix it; nothing if they can."""
    if not is_loopback(url):
        return ""
    return (
        "<div class='kit-warning' role='note'><p><strong>"
        f"{escape(t('live_loopback_title', lang))}</strong></p>"
        f"<p>{escape(t('live_loopback_fix', lang, command=samskaping_command()))}</p></div>"
    )


def resume_item_html(code: str, started: datetime, is_open: bool, lang: str) -> str:
    """One session this browser started: its code and when (local time), and if it has ended."""
    time = started.astimezone().strftime("%d.%m. %H:%M")
    key = "live_resume_item" if is_open else "live_resume_item_ended"
    return f"<p>{escape(t(key, lang, code=code, time=time))}</p>"


def stats_html(people: int, answers: int, ended: bool, lang: str) -> str:
    """The status line: participants, answers, that it updates by itself, and if it has ended."""
    end = f" <strong>{escape(t('live_ended', lang))}</strong>" if ended else ""
    return (
        f"<p role='status'><strong>{escape(t('live_participants', lang, n=people))}</strong>"
        f" · {escape(t('live_answers', lang, n=answers))} · "
        f"{escape(t('live_auto_refresh', lang))}{end}</p>"
    )


def page_text_html(first: int, last: int, total: int, lang: str) -> str:
    """Which cases the page shows (``first`` and ``last`` count from 1), read out as it turns."""
    text = t("live_page", lang, first=first, last=last, n=total)
    return f"<p aria-live='polite'>{escape(text)}</p>"


def case_card_html(
    case: Case,
    number: int,
    answers: int,
    lang: str,
    *,
    place: int | None = None,
    now_showing: bool = False,
    round_number: int = 1,
    revealed: bool = False,
    partner: Case | None = None,
) -> str:
    """A case card's text: its number in the session and title, its place in the ranking (once
    it has answers), the case it makes a contrast pair with (``partner``: the two are shown,
    revealed and re-voted together), whether the phones show it, its text, the round and the
    count, and once ``revealed`` the answer key with the explanation (and the pair's
    difference)."""
    count = t("live_case_answers", lang, n=answers) if answers else t("live_no_answers", lang)
    parts = [f"<h3>{number}. {escape(case.title.get(lang))}</h3>"]
    if place is not None and answers:
        parts.append(f"<p class='kit-badge'>{escape(t('live_place', lang, n=place))}</p>")
    if partner is not None:
        with_partner = t("live_pair_with", lang, title=partner.title.get(lang))
        parts.append(f"<p class='kit-badge kit-pair-badge'>{escape(with_partner)}</p>")
    if now_showing:
        parts.append(f"<p class='kit-badge kit-now'>{escape(t('live_now_showing', lang))}</p>")
    parts.append(f"<p>{case_text_html(case, lang)}</p>")
    round_note = f"{t('live_round_n', lang, n=round_number)} · " if round_number > 1 else ""
    parts.append(f"<p><em>{escape(round_note + count)}</em></p>")
    if revealed:
        key = t(
            "live_key",
            lang,
            process=process_label(case.process, lang),
            level=level_label(case.level, lang),
        )
        difference = ""
        said = ContrastPair(case, partner).difference if partner is not None else None
        if said is not None:
            difference = (
                f"<p><strong>{escape(t('pair_difference', lang))}</strong> "
                f"{escape(said.get(lang))}</p>"
            )
        parts.append(
            f"<div class='kit-feedback kit-feedback-right'><p><strong>✔ {escape(key)}"
            f"</strong></p><p>{escape(case.explanation.get(lang))}</p>{difference}</div>"
        )
    return "".join(parts)


def spotlight_html(case: Case, lang: str) -> str:
    """The case the phones show, large for the projector: "now showing", its title and text."""
    return (
        f"<p class='kit-now'>{escape(t('live_now_showing', lang))}</p>"
        f"<h2>{escape(case.title.get(lang))}</h2>"
        f"<p class='kit-spotlight-case'>{case_text_html(case, lang)}</p>"
    )


def download_html(data: bytes, kind: str, code: str, lang: str) -> str:
    """A link that saves a session's answers (``kind``: csv or xlsx) from a data: address."""
    mime, ext, label_key = EXPORTS[kind]
    name = t("live_export_file", lang, code=code)
    return download_link(data, mime, f"{name}.{ext}", t(label_key, lang, code=code))


def end_question_html(lang: str) -> str:
    """ "End the session now?" with what it means; it takes the focus (its answer buttons
    follow it)."""
    return (
        f"<p data-kit-focus tabindex='-1'><strong>{escape(t('live_end_question', lang))}</strong>"
        f" {escape(t('live_end_consequence', lang))}</p>"
    )


def screen_link_html(code: str, lang: str) -> str:
    """The link that opens the big screen (presentation mode) in a new window, and what it is."""
    from kit.core.address import served_base_url

    url = f"{served_base_url()}skjerm?kode={code}&lang={lang}"
    return (
        f"<p class='kit-screen-link'><a href='{escape(url)}' target='_blank' rel='noopener'>"
        f"{escape(t('live_screen_open', lang))}</a> "
        f"<span class='kit-note'>{escape(t('live_screen_note', lang))}</span></p>"
    )


def question_card_html(
    question, number: int, answers: int, lang: str, *, now_showing: bool = False
) -> str:
    """A question card's text: its number and prompt, whether the phones show it, the count."""
    count = t("live_question_answers", lang, n=answers) if answers else t("live_no_answers", lang)
    origin = "delta_source_question" if question.source else "delta_kit_question"
    parts = [f"<h3>{number}. {escape(question.prompt.get(lang))}</h3>"]
    if now_showing:
        parts.append(f"<p class='kit-badge kit-now'>{escape(t('live_now_showing', lang))}</p>")
    parts.append(f"<p class='kit-note'>{escape(t(origin, lang))}</p>")
    parts.append(f"<p><em>{escape(count)}</em></p>")
    return "".join(parts)


def open_answer_html(text: str, hidden: bool, lang: str) -> str:
    """One open answer in the presenter's list (a hidden one struck through and said so)."""
    if hidden:
        return f"<p class='kit-open-hidden'><s>{escape(text)}</s> {escape(t('live_hidden_answer', lang))}</p>"
    return f"<p>{escape(text)}</p>"
