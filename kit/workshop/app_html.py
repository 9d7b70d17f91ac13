"""HTML of the facilitator's app (pure: a workshop and a language in, strings out).

:class:`kit.workshop.app.Samarbeidsverksted` puts these fragments into its widgets. Everything a
participant or the facilitator typed (proposals, reasons, names, parked points, wordings, the
initiative) is escaped here; the join panel (code, address, QR code) is the live room's
(:mod:`kit.live.presenter_html`), so both apps show it the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from urllib.parse import urlsplit

from kit.compass.compass import assess, load_compass
from kit.core.address import public_base_url
from kit.core.html import download_link, table_region
from kit.core.i18n import t
from kit.live import presenter_html as ph
from kit.live.store import (
    NotOwner,
    SessionClosed,
    StoreError,
    TooManyRooms,
    UnknownCode,
)
from kit.model.labels import level_label, process_label
from kit.model.model import load_model
from kit.workshop.controller import Board, Download
from kit.workshop.model import (
    OBJECT,
    RESPONSES,
    Clause,
    Proposal,
    Response,
    Workshop,
    WorkshopError,
)
from kit.workshop.store import ClauseTimer, WorkshopInfo

__all__ = [
    "PARTICIPANT_PATH",
    "error_html",
    "error_message",
    "is_loopback",
    "participant_url",
    "short_url",
]

#: The participants' page, served by ``samskaping serve`` itself (no kernel per phone).
PARTICIPANT_PATH = "verksted"
#: A proposal's text in a button's accessible name is cut to this many characters.
_NAME_CUT = 60

error_html = ph.error_html
is_loopback = ph.is_loopback

#: A refusal of the store, as the facilitator reads it (the rest: the live room's texts).
_STORE_TEXTS: tuple[tuple[type[StoreError], str], ...] = (
    (UnknownCode, "workshop_store_unknown_code"),
    (SessionClosed, "workshop_store_closed"),
    (NotOwner, "workshop_store_not_owner"),
    (TooManyRooms, "workshop_store_too_many_rooms"),
)


def participant_url(code: str) -> str:
    """The address phones open: ``http://10.0.0.5:8866/verksted?kode=ACD347``."""
    return f"{public_base_url()}{PARTICIPANT_PATH}?kode={code}"


def short_url() -> str:
    """The address to type, without the scheme: ``10.0.0.5:8866/verksted``."""
    url = urlsplit(public_base_url())
    return f"{url.netloc}{url.path}{PARTICIPANT_PATH}"


def error_message(exc: Exception, lang: str) -> str:
    """A refusal in words: the workshop's rule, or the store's trouble."""
    if isinstance(exc, WorkshopError):
        return exc.message(lang)
    for kind, key in _STORE_TEXTS:
        if isinstance(exc, kind):
            return t(key, lang)
    return t("live_err_" + getattr(exc, "key", "store_error"), lang)


def say_html(message: str) -> str:
    """A confirmation (for a status region)."""
    return f"<p>{escape(message)}</p>" if message else ""


def _level_name(number: int, lang: str) -> str:
    return t(
        "workshop_agreement_level", lang, n=number, name=load_model().level(number).name.get(lang)
    )


def _origin(clause: Clause, lang: str) -> str:
    if clause.custom:
        return t("workshop_app_own_clause", lang)
    return t("verksted_source_clause" if clause.origin == "source" else "verksted_kit_clause", lang)


def _title(clause: Clause, lang: str) -> str:
    return clause.title.get(lang)


# ----------------------------------------------------------------------------- the setup


def setup_intro_html(lang: str) -> str:
    return f"<p class='kit-lead'>{escape(t('workshop_app_intro', lang))}</p>"


def agenda_heading_html(kept: int, lang: str) -> str:
    """The agenda's heading, what to do with it, and how many clauses it has now."""
    return (
        f"<h2>{escape(t('workshop_app_agenda_heading', lang))}</h2>"
        f"<p>{escape(t('workshop_app_agenda_intro', lang))}</p>"
        f"<p role='status' class='kit-ws-count'>{escape(t('workshop_app_kept', lang, n=kept))}</p>"
    )


def setup_clause_html(clause: Clause, kept: bool, lang: str) -> str:
    """One clause of the agenda before the start: level, title, question, where it comes from,
    and whether it is left out (said in words, not by colour or strike-through alone)."""
    gone = (
        f" <strong class='kit-ws-left-out'>{escape(t('workshop_app_left_out', lang))}</strong>"
        if not kept
        else ""
    )
    cls = "kit-ws-clause" + ("" if kept else " kit-ws-clause-out")
    return (
        f"<p class='{cls}'><strong>{escape(t('level_n', lang, n=clause.level))}: "
        f"{escape(_title(clause, lang))}</strong>{gone}<br>"
        f"<span>{escape(clause.question.get(lang))}</span> "
        f"<span class='kit-note'>{escape(_origin(clause, lang))}</span></p>"
    )


def own_heading_html(lang: str, level: int = 3) -> str:
    return (
        f"<h{level}>{escape(t('workshop_app_own_heading', lang))}</h{level}>"
        f"<p>{escape(t('workshop_app_own_intro', lang))}</p>"
    )


def resume_item_html(info: WorkshopInfo, lang: str) -> str:
    """One workshop this browser started: the initiative, code and when (local time), and if
    it is closed."""
    time = info.created_at.astimezone().strftime("%d.%m. %H:%M")
    key = "workshop_app_resume_item" if info.open else "workshop_app_resume_item_closed"
    text = t(key, lang, initiative=info.initiative, code=info.code, time=time)
    return f"<p>{escape(text)}</p>"


# ------------------------------------------------------------------------- the live screen


def title_html(workshop: Workshop, lang: str) -> str:
    """The initiative, as the screen's heading."""
    return f"<h2>{escape(t('workshop_app_initiative', lang, initiative=workshop.initiative))}</h2>"


def join_html(code: str, lang: str) -> str:
    """How to join: the code, the short address, the link and its QR code."""
    return (
        f"<p class='kit-ws-join-intro'>{escape(t('workshop_app_join_intro', lang))}</p>"
        + ph.join_html(code, participant_url(code), short_url(), lang)
    )


def loopback_warning_html(code: str, lang: str) -> str:
    return ph.loopback_warning_html(participant_url(code), lang)


def stats_html(board: Board, lang: str) -> str:
    """The status line: participants, proposals, parked points, that it updates by itself,
    and if the workshop is closed."""
    w = board.workshop
    end = f" <strong>{escape(t('workshop_app_closed', lang))}</strong>" if board.closed else ""
    return (
        f"<p role='status'><strong>{escape(t('live_participants', lang, n=board.people))}</strong>"
        f" · {escape(t('workshop_app_proposals_n', lang, n=len(w.proposals)))}"
        f" · {escape(t('workshop_app_parked_n', lang, n=len(w.parking)))}"
        f" · {escape(t('live_auto_refresh', lang))}{end}</p>"
    )


def _status_words(w: Workshop, clause: Clause, lang: str) -> str:
    outcome = w.outcome(clause.id)
    if outcome is None:
        return t("workshop_app_status_none", lang)
    if outcome.status == "agreed":
        return t("workshop_app_status_agreed", lang)
    return t("workshop_app_status_open", lang)


def _flags(w: Workshop, clause: Clause, lang: str) -> list[str]:
    """What the facilitator must not miss on a clause, in words: a recipient's objection, and
    once anyone has spoken on it, silence from the recipients or the voluntary side (a clause
    nobody has spoken on yet says "not discussed"; its own screen names the silence too)."""
    picture = w.response_picture(clause.id)
    out = []
    if picture.recipient_objections:
        out.append(t("workshop_app_flag_recipient", lang, n=len(picture.recipient_objections)))
    if any(p.spoke for p in picture.parties):
        for group in picture.silent_groups:
            out.append(t(f"workshop_app_flag_silent_{group}", lang))
    return out


def agenda_row_html(
    w: Workshop,
    clause: Clause,
    current: str | None,
    selected: bool,
    lang: str,
    timer: ClauseTimer | None = None,
) -> str:
    """A clause in the agenda beside the screen: level and title, its state, its proposals,
    its countdown (``timer``, the workshop's, if it is on this clause) and its flags (a
    recipient's objection, silence) in words."""
    n = len(w.proposals_for(clause.id))
    parts = [
        f"<strong>{escape(t('level_n', lang, n=clause.level))}: "
        f"{escape(_title(clause, lang))}</strong>",
        f"<br><span>{escape(_status_words(w, clause, lang))} · "
        f"{escape(t('workshop_app_proposals_n', lang, n=n))}</span>",
    ]
    if selected:
        parts.append(f" <span class='kit-badge'>{escape(t('workshop_app_on_screen', lang))}</span>")
    if current == clause.id:
        parts.append(f" <span class='kit-now'>{escape(t('live_now_showing', lang))}</span>")
    if timer is not None and timer.clause == clause.id:
        key = "workshop_app_timer_running" if timer.running else "workshop_app_timer_on_pause"
        parts.append(f" <span class='kit-badge kit-ws-timer-flag'>{escape(t(key, lang))}</span>")
    for flag in _flags(w, clause, lang):
        parts.append(f"<br><span class='kit-ws-flag'>⚠ {escape(flag)}</span>")
    return "".join(parts)


def clause_html(board: Board, lang: str) -> str:
    """The clause on the screen: where it is on the agenda, its level's expectations in the
    source's words, its title, guiding question and origin, and whether the phones show it."""
    clause = board.clause
    w = board.workshop
    questions = w.agenda.level(clause.level).expectations
    quoted = "".join(
        f"<li>{escape(t('workshop_quote', lang, text=q.get(lang)))}</li>" for q in questions
    )
    now = (
        f"<p><span class='kit-now'>{escape(t('live_now_showing', lang))}</span></p>"
        if board.info.current_clause == clause.id
        else ""
    )
    note = f"<p class='kit-note'>{escape(clause.note.get(lang))}</p>" if clause.note else ""
    return (
        f"<p class='kit-ws-where'>{escape(t('verksted_clause_of', lang, n=board.index + 1, total=board.total))}"
        f" · {escape(_level_name(clause.level, lang))}</p>"
        f"<h3 class='kit-ws-clause-title' data-kit-focus tabindex='-1'>{escape(_title(clause, lang))}</h3>"
        f"{now}<p class='kit-ws-question'>{escape(clause.question.get(lang))}</p>"
        f"<p class='kit-note'>{escape(_origin(clause, lang))}</p>{note}"
        f"<details><summary>{escape(t('verksted_expectations', lang))}</summary>"
        f"<ul class='kit-ws-expectations'>{quoted}</ul></details>"
    )


def _who(w: Workshop, party: str, name: str | None, lang: str) -> str:
    label = w.party(party).label.get(lang)
    return t("workshop_agreement_named", lang, party=label, name=name) if name else label


def timer_heading_html(board: Board, lang: str) -> str:
    """The clause's countdown: its heading, what the phones show, and whether the workshop's
    countdown is on another clause (starting one here stops that one)."""
    elsewhere = board.timer_elsewhere
    if board.timer is not None:
        note = ""
    elif elsewhere is not None:
        note = t("workshop_app_timer_elsewhere", lang, title=_title(elsewhere, lang))
    else:
        note = t("workshop_app_timer_none", lang)
    return (
        f"<h3>{escape(t('workshop_app_timer_heading', lang))}</h3>"
        f"<p>{escape(t('workshop_app_timer_intro', lang))}</p>"
        + (f"<p class='kit-ws-timer-note'>{escape(note)}</p>" if note else "")
    )


def proposals_heading_html(board: Board, lang: str) -> str:
    if board.by_party:
        return f"<h3>{escape(t('workshop_app_proposals_heading', lang))}</h3>"
    return (
        f"<h3>{escape(t('workshop_app_proposals_heading', lang))}</h3>"
        f"<p>{escape(t('workshop_app_no_proposals', lang))}</p>"
    )


def party_heading_html(w: Workshop, party: str, count: int, lang: str) -> str:
    label = w.party(party).label.get(lang)
    return f"<h4>{escape(t('workshop_app_party_proposals', lang, party=label, n=count))}</h4>"


def _count_line(w: Workshop, said: list[Response], lang: str) -> str:
    parts = [
        t(
            "workshop_app_count",
            lang,
            label=w.agenda.response(c).label.get(lang),
            n=sum(1 for r in said if r.choice == c),
        )
        for c in RESPONSES
    ]
    return " · ".join(parts)


def proposal_html(w: Workshop, proposal: Proposal, lang: str) -> str:
    """A proposal: its text as typed, who (a name only where given), the responses counted
    and every objection or remark with its reason (a recipient's first, marked in words)."""
    said = [r for r in w.responses if r.proposal == proposal.id]
    named = f" ({escape(proposal.name)})" if proposal.name else ""
    parts = [
        f"<p class='kit-ws-proposal-text'>{escape(proposal.text)}{named}</p>",
        f"<p class='kit-ws-counts'>{escape(_count_line(w, said, lang))}</p>",
    ]
    reasons = [r for r in said if r.reason]
    reasons.sort(
        key=lambda r: (
            w.party(r.party).group != "recipients" or r.choice != OBJECT,
            r.choice != OBJECT,
        )
    )
    items = []
    for r in reasons:
        who = _who(w, r.party, r.name, lang)
        if r.choice == OBJECT:
            head = t("workshop_agreement_objection_from", lang, party=who)
            mark = "⚠ " if w.party(r.party).group == "recipients" else ""
            cls = " class='kit-ws-objection'"
        else:
            head = t("workshop_agreement_remark_from", lang, party=who)
            mark, cls = "", ""
        items.append(
            f"<li{cls}><strong>{escape(mark + head)}:</strong> {escape(r.reason or '')}</li>"
        )
    if items:
        parts.append(f"<ul class='kit-ws-reasons'>{''.join(items)}</ul>")
    return "".join(parts)


def use_name(proposal: Proposal, lang: str) -> str:
    """The accessible name of a proposal's "use it" button: the label and the text's start."""
    text = proposal.text if len(proposal.text) <= _NAME_CUT else proposal.text[:_NAME_CUT] + "…"
    return t("workshop_app_use_name", lang, text=text)


def picture_html(board: Board, lang: str) -> str:
    """The response picture: what must not be missed (a recipient's objection, in sight
    whatever the numbers; silence from the recipients or the voluntary side), then the
    responses per party as a table."""
    w = board.workshop
    picture = board.picture
    title = _title(board.clause, lang)
    parts = [f"<h3>{escape(t('workshop_app_picture_heading', lang))}</h3>"]
    if picture.recipient_objections:
        items = "".join(
            f"<li><strong>{escape(_who(w, r.party, r.name, lang))}:</strong> "
            f"{escape(r.reason or '')}</li>"
            for r in picture.recipient_objections
        )
        lead = (
            t("workshop_agreement_outnumbered", lang)
            if picture.outnumbered
            else t("workshop_app_recipient_objects", lang)
        )
        parts.append(
            f"<div class='kit-ws-alert' role='note'><p><strong>⚠ {escape(lead)}</strong></p>"
            f"<ul>{items}</ul></div>"
        )
    for group in picture.silent_groups:
        parts.append(
            f"<div class='kit-ws-alert' role='note'><p><strong>⚠ "
            f"{escape(t(f'workshop_agreement_silent_{group}', lang))}</strong></p></div>"
        )
    rows = [p for p in picture.parties if p.spoke]
    if not rows:
        parts.append(f"<p>{escape(t('workshop_app_no_responses', lang))}</p>")
        return "".join(parts)
    labels = [w.agenda.response(c).label.get(lang) for c in RESPONSES]
    head = "".join(
        f"<th scope='col'>{escape(h)}</th>"
        for h in (
            t("workshop_agreement_party", lang),
            t("workshop_agreement_proposals", lang),
            *labels,
        )
    )
    body = "".join(
        f"<tr><th scope='row'>{escape(w.party(p.party).label.get(lang))}</th>"
        f"<td>{p.proposals}</td>" + "".join(f"<td>{p.counts[c]}</td>" for c in RESPONSES) + "</tr>"
        for p in rows
    )
    caption = t("workshop_agreement_responses_of", lang, clause=title)
    table = (
        f"<table class='kit-table'><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    parts.append(table_region(table, caption))
    return "".join(parts)


def editor_heading_html(board: Board, lang: str) -> str:
    outcome = board.outcome
    saved = ""
    if outcome is not None:
        saved = f"<p>{escape(t('workshop_app_saved_as', lang, status=_status_words(board.workshop, board.clause, lang)))}</p>"
    return (
        f"<h3>{escape(t('workshop_app_editor_heading', lang))}</h3>"
        f"<p>{escape(t('workshop_app_editor_intro', lang))}</p>{saved}"
    )


def saved_html(clause: Clause, status: str, lang: str) -> str:
    key = "workshop_app_saved_agreed" if status == "agreed" else "workshop_app_saved_open"
    return say_html(t(key, lang, title=_title(clause, lang)))


def parking_html(w: Workshop, lang: str) -> str:
    """The parking lot: every parked point as typed, with its party and the clause it is
    about."""
    head = f"<h3>{escape(t('workshop_app_parking_heading', lang))}</h3>"
    if not w.parking:
        return head + f"<p>{escape(t('workshop_app_no_parking', lang))}</p>"
    items = []
    for point in w.parking:
        who = _who(w, point.party, point.name, lang)
        if point.clause:
            try:
                about = _title(w.clause(point.clause), lang)
            except WorkshopError:
                about = ""
            if about:
                who = t("workshop_agreement_parked_about", lang, party=who, clause=about)
        items.append(f"<li>{escape(point.text)} <em>({escape(who)})</em></li>")
    return head + f"<ul class='kit-ws-parking'>{''.join(items)}</ul>"


def evaluation_html(w: Workshop, lang: str) -> str:
    """The evaluation's heading and what is planned so far."""
    from kit.workshop.agreement import format_date

    if w.evaluation and w.evaluation_by:
        now = t(
            "workshop_agreement_evaluation_by",
            lang,
            date=format_date(w.evaluation, lang),
            by=w.evaluation_by,
        )
    elif w.evaluation:
        now = t("workshop_agreement_evaluation_date", lang, date=format_date(w.evaluation, lang))
    else:
        now = t("workshop_agreement_evaluation_none", lang)
    return f"<h3>{escape(t('workshop_app_evaluation_heading', lang))}</h3><p>{escape(now)}</p>"


def downloads_heading_html(lang: str) -> str:
    return (
        f"<h3>{escape(t('workshop_agreement_title', lang))}</h3>"
        f"<p>{escape(t('workshop_app_download_intro', lang))}</p>"
    )


def download_html(download: Download, kind: str, lang: str) -> str:
    """A link that saves the draft from a data: address (nothing is sent anywhere)."""
    return download_link(
        download.data,
        download.mime,
        download.filename,
        t(f"workshop_app_download_link_{kind}", lang, file=download.filename),
    )


def end_question_html(lang: str) -> str:
    """ "Close the workshop now?" with what it means; it takes the focus."""
    return (
        f"<p data-kit-focus tabindex='-1'><strong>{escape(t('workshop_app_close_question', lang))}"
        f"</strong> {escape(t('workshop_app_close_consequence', lang))}</p>"
    )


def day_text(day: date | datetime | None) -> str:
    return day.isoformat() if day else ""


# -------------------------------------------------------------- the agenda while it runs


def change_heading_html(lang: str) -> str:
    return (
        f"<h3>{escape(t('workshop_app_change_heading', lang))}</h3>"
        f"<p>{escape(t('workshop_app_change_intro', lang))}</p>"
    )


def remove_question_html(board: Board, lang: str) -> str:
    """ "Take «X» off the agenda?" with what goes with it; it takes the focus."""
    w, clause = board.workshop, board.clause
    return (
        f"<p data-kit-focus tabindex='-1'><strong>"
        f"{escape(t('workshop_app_remove_question', lang, title=clause.title.get(lang)))}"
        f"</strong> "
        + escape(
            t(
                "workshop_app_remove_consequence",
                lang,
                proposals=len(w.proposals_for(clause.id)),
                responses=len(w.responses_for(clause.id)),
            )
        )
        + "</p>"
    )


# -------------------------------------------------------------- the compass


def compass_heading_html(lang: str) -> str:
    return (
        f"<h3>{escape(t('workshop_app_compass_heading', lang))}</h3>"
        f"<p>{escape(t('workshop_app_compass_intro', lang))}</p>"
    )


def compass_state_html(w: Workshop, lang: str) -> str:
    """Whether the draft has the compass attached, how much is answered and, if the answers
    point to one, the compass's main answer (the kit's reading, said so)."""
    if not w.compass:
        return f"<p>{escape(t('workshop_app_compass_none', lang))}</p>"
    compass = load_compass()
    found = assess(dict(w.compass), compass)
    parts = [t("workshop_app_compass_attached", lang, n=found.answered, total=found.total)]
    verdict = found.verdict
    if verdict is not None:
        parts.append(
            t(
                "workshop_app_compass_verdict",
                lang,
                process=process_label(verdict.process, lang),
                level=level_label(verdict.level, lang),
            )
        )
    return f"<p>{escape(' '.join(parts))}</p>"
