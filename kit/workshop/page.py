"""The participants' page of a workshop (``/verksted``) and what phones are sent (pure: no
Tornado, no widgets).

As the live room's page (:mod:`kit.live.page`): plain HTML in the visitor's language with its
one script and style inside it (``kit/workshop/static``, the apps' design tokens in front of the
style; no CDN, no build step), made once per language and code. :func:`phone_json` is the
workshop as a phone shows it, in the phone's language: the levels with the source's expectation
questions, the clauses with their guiding questions, the proposals so far (party, text and a
name only where the participant gave one; never a token), the facilitator's outcome per clause
and the clause the facilitator is at. Every text a participant wrote is data here; the script
puts it on the page as text (``textContent``), never as markup.
"""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from kit.core.html import inert_json
from kit.core.i18n import t
from kit.live.page import fill_page
from kit.model.model import load_model
from kit.workshop.model import (
    NAME_MAX,
    PARKING_MAX,
    PARKING_PER_PARTICIPANT,
    PROPOSAL_MAX,
    PROPOSALS_PER_CLAUSE,
    REASON_MAX,
    Agenda,
    Workshop,
    load_agenda,
)
from kit.workshop.store import ClauseTimer

#: The page's texts (data/i18n/*/workshop.yaml and a few of the live room's).
_TEXT_KEYS = (
    "verksted_joined",
    "verksted_joined_named",
    "verksted_level",
    "verksted_clause_of",
    "verksted_expectations",
    "verksted_proposals_heading",
    "verksted_no_proposals",
    "verksted_proposal_from",
    "verksted_yours",
    "verksted_respond_legend",
    "verksted_reason_label",
    "verksted_reason_hint",
    "verksted_respond_send",
    "verksted_responded",
    "verksted_your_response",
    "verksted_propose_label",
    "verksted_propose_hint",
    "verksted_propose_send",
    "verksted_proposed",
    "verksted_propose_full",
    "verksted_parking_heading",
    "verksted_parking_intro",
    "verksted_parking_label",
    "verksted_parking_hint",
    "verksted_parking_about",
    "verksted_parking_send",
    "verksted_parked",
    "verksted_parking_mine",
    "verksted_parking_full",
    "verksted_prev",
    "verksted_next",
    "verksted_followed",
    "verksted_current",
    "verksted_go_current",
    "verksted_new_proposals",
    "verksted_ended",
    "verksted_status_agreed",
    "verksted_status_open",
    "verksted_choose_party",
    "verksted_kit_clause",
    "verksted_source_clause",
    "verksted_timer_left",
    "verksted_timer_paused",
    "verksted_timer_done",
    "workshop_agreement_named",
    "workshop_err_unknown_response",
    "workshop_err_reason_needed",
    "workshop_err_empty",
    "workshop_field_text",
    "live_err_bad_code",
    "live_err_store_error",
    "delta_offline",
)


def _page_texts(lang: str, agenda: Agenda) -> dict[str, Any]:
    out: dict[str, Any] = {key: t(key, lang) for key in _TEXT_KEYS}
    out["parties"] = [[p.id, p.label.get(lang)] for p in agenda.parties]
    out["responses"] = [
        [o.id, o.label.get(lang), o.hint.get(lang) if o.hint else ""] for o in agenda.responses
    ]
    out["limits"] = {
        "proposal": PROPOSAL_MAX,
        "reason": REASON_MAX,
        "parking": PARKING_MAX,
        "name": NAME_MAX,
        "proposals": PROPOSALS_PER_CLAUSE,
        "parked": PARKING_PER_PARTICIPANT,
    }
    return out


@functools.lru_cache(maxsize=16)
def _texts_json(lang: str) -> str:
    return inert_json(_page_texts(lang, load_agenda()))


def _party_options(lang: str) -> str:
    """The parties as radio buttons (the join form works before the script has run)."""
    out = []
    for party in load_agenda().parties:
        ident = escape(f"kit-party-{party.id}")
        out.append(
            f"<label class='kit-choice' for='{ident}'>"
            f"<input type='radio' name='party' id='{ident}' value='{escape(party.id)}' required>"
            f"{escape(party.label.get(lang))}</label>"
        )
    return "\n".join(out)


@functools.lru_cache(maxsize=256)
def render_page(lang: str, code: str, base_url: str, typed: str = "") -> str:
    """The workshop page's HTML (texts escaped; the data for the script as inert JSON), the
    same for every phone of a workshop, so made once per language and code (bounded cache)."""
    config = {"lang": lang, "code": code, "api": f"{base_url}api/workshop/"}
    return fill_page(
        "kit.workshop",
        "verksted",
        lang,
        config,
        _texts_json(lang),
        title=escape(t("verksted_title", lang)),
        heading=escape(t("verksted_title", lang)),
        intro=escape(t("verksted_intro", lang)),
        code_label=escape(t("verksted_code_label", lang)),
        party_legend=escape(t("verksted_party_legend", lang)),
        parties=_party_options(lang),
        name_label=escape(t("verksted_name_label", lang)),
        name_hint=escape(t("verksted_name_hint", lang)),
        name_max=NAME_MAX,
        join=escape(t("verksted_join", lang)),
        typed=escape(typed[:12]),
        nav_label=escape(t("verksted_nav_label", lang)),
        parking_heading=escape(t("verksted_parking_heading", lang)),
    )


def phone_json(
    workshop: Workshop,
    lang: str,
    *,
    is_open: bool,
    version: int,
    current: str | None,
    timer: ClauseTimer | None = None,
) -> dict[str, Any]:
    """The workshop as every phone shows it, in ``lang`` (the same for every phone: what one
    participant said themselves comes with their join and their writes, not here). ``timer``:
    the countdown on a clause, as ``{"clause", "total"}`` with ``"ends"`` (running, seconds
    since the epoch on the server's clock) or ``"left"`` (paused); the server's time comes with
    each answer (``"now"``, :mod:`kit.workshop.handlers`), so a phone counts on its own."""
    model = load_model()
    levels = [
        {
            "number": number,
            "name": model.level(number).name.get(lang),
            "expectations": [q.get(lang) for q in workshop.agenda.level(number).expectations],
        }
        for number, _clauses in workshop.levels()
    ]
    clauses = []
    for clause in workshop.clauses:
        outcome = workshop.outcome(clause.id)
        clauses.append(
            {
                "id": clause.id,
                "level": clause.level,
                "title": clause.title.get(lang),
                "question": clause.question.get(lang),
                "source": clause.origin == "source",
                "custom": clause.custom,
                "status": outcome.status if outcome else None,
                "wording": outcome.wording if outcome else None,
                "proposals": [
                    {"id": p.id, "party": p.party, "text": p.text, "name": p.name}
                    for p in workshop.proposals_for(clause.id)
                ],
            }
        )
    return {
        "open": is_open,
        "version": version,
        "current": current,
        "timer": timer.json() if timer is not None else None,
        "initiative": workshop.initiative,
        "lang": workshop.lang,
        "levels": levels,
        "clauses": clauses,
    }
