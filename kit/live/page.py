"""The participant page: plain HTML in the visitor's language with its one script and style
inside it (from ``kit/live/static``, no CDN, no build step), made once per language and code."""

from __future__ import annotations

import functools
import re
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from kit.cases.grading import OUTCOMES
from kit.core.html import inert_json
from kit.core.i18n import LANGUAGES, language_name, t
from kit.core.paths import style_sheet
from kit.model.labels import level_label, process_labels
from kit.model.model import LEVELS

STATIC = files("kit.live").joinpath("static")


_TEXT_KEYS = (
    "delta_send",
    "delta_sent",
    "delta_prev",
    "delta_next",
    "delta_progress",
    "delta_done",
    "delta_joined",
    "delta_round",
    "delta_round_note",
    "delta_followed",
    "delta_offline",
    "delta_choose_both",
    "delta_key",
    "delta_case_of",
    "klass_process_label",
    "klass_level_label",
    "klass_domain_badge",
    "klass_marked_prompt",
    "live_err_session_closed",
    "live_err_store_error",
    "delta_question_of",
    "delta_open_label",
    "delta_open_hint",
    "delta_open_mine",
    "delta_open_full",
    "delta_open_sent",
    "delta_scale_label",
    "delta_poll_label",
    "delta_choose_one",
    "delta_kit_question",
    "delta_source_question",
    "delta_yours",
    "delta_yours_none",
    "delta_result",
    "delta_session_ended",
    "delta_shown",
    "delta_pair_of",
    "delta_pair_intro",
    "delta_pair_send",
    "delta_pair_choose_all",
    "klass_pair_process_label",
    "klass_pair_level_label",
    "pair_case",
    "pair_difference",
    "pair_difference_none",
)


def _page_texts(lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {key: t(key, lang) for key in _TEXT_KEYS}
    out["process"] = process_labels(lang)
    out["level"] = {str(lv or 0): (level_label(lv, lang)) for lv in LEVELS}
    out["levels"] = [[str(lv or 0), out["level"][str(lv or 0)]] for lv in LEVELS]
    # a participant's errors only: the course leader's texts about the database stay off phones
    out["errors"] = {
        key: t("live_err_" + key, lang)
        for key in (
            "bad_code",
            "unknown_code",
            "session_closed",
            "unknown_participant",
            "wrong_session",
            "invalid_answer",
            "rate_limited",
            "too_long",
            "store_busy",
            "room_unreachable",
            "too_many_waiting",
            "store_error",
            "xsrf",
            "response_empty",
            "response_too_long",
            "response_bad_text",
            "response_choose",
            "response_entries",
        )
    }
    out["outcome"] = {o: t("outcome_" + o, lang) for o in OUTCOMES}
    return out


#: The design tokens of the apps: the first ``:root { ... }`` block of their style sheet.
_TOKENS = re.compile(r":root \{.*?\n\}", re.S)


def design_tokens() -> str:
    """The ``:root`` block of the apps' style sheet (:func:`kit.core.paths.style_sheet`)."""
    sheet = style_sheet().read_text(encoding="utf-8")
    found = _TOKENS.search(sheet)
    if found is None:
        raise ValueError(f"{style_sheet()} has no :root block of design tokens")
    return found[0]


def _static(package: str) -> Any:
    return STATIC if package == "kit.live" else files(package).joinpath("static")


#: The pages whose style starts with the participants' pages' shared ``participant.css``.
PARTICIPANT_PAGES = ("delta", "verksted")


@functools.lru_cache(maxsize=8)
def inline_assets(package: str, name: str) -> tuple[str, str]:
    """A kernel-less page's style and script, to put inside it (a phone makes one request,
    not three, when a whole room joins at once): the apps' design tokens, for a participants'
    page (:data:`PARTICIPANT_PAGES`) ``participant.css``, then ``<package>/static/<name>.css``;
    the pages' shared ``common.js``, then ``<name>.js``. Neither may close its element early."""
    static = _static(package)
    sheets = [design_tokens()]
    if name in PARTICIPANT_PAGES:
        sheets.append(STATIC.joinpath("participant.css").read_text(encoding="utf-8"))
    sheets.append(static.joinpath(f"{name}.css").read_text(encoding="utf-8"))
    style = "\n".join(sheets)
    script = (
        STATIC.joinpath("common.js").read_text(encoding="utf-8")
        + "\n"
        + static.joinpath(f"{name}.js").read_text(encoding="utf-8")
    )
    if "</" in style or "</" in script:
        raise ValueError(f"{name}.css and {name}.js must not contain '</' (they are inlined)")
    return style, script


def page_assets() -> tuple[str, str]:
    """The participant page's style and script (:func:`inline_assets` of ``delta``)."""
    return inline_assets("kit.live", "delta")


@functools.lru_cache(maxsize=8)
def page_template(package: str, name: str) -> Template:
    """A kernel-less page's template: the pages' shared head (``kit/live/static/head.html``:
    language, title, style, script and the script's config), then ``<package>/static/<name>.html``,
    where ``${top}`` and ``${code}`` stand for the participants' pages' shared parts
    (``top.html``: the heading and the language form; ``code.html``: the join code's field)."""
    body = _static(package).joinpath(f"{name}.html").read_text(encoding="utf-8")
    for part in ("top", "code"):
        shared = STATIC.joinpath(f"{part}.html").read_text(encoding="utf-8")
        body = body.replace("${" + part + "}", shared)
    return Template(STATIC.joinpath("head.html").read_text(encoding="utf-8") + body)


def fill_page(
    package: str, name: str, lang: str, config: dict[str, Any], texts: str, **fields: object
) -> str:
    """Page ``name`` of ``package`` in ``lang``: its template (:func:`page_template`) with what
    every kernel-less page has (language, the list of languages, the inlined style and script,
    the script's ``config`` with its ``texts``: inert JSON, made once per language) and the
    page's own ``fields``, escaped by the caller."""
    style, script = inline_assets(package, name)
    head = inert_json({**config, "texts": None})
    # the cached texts in place of the placeholder: the same JSON as dumping them in the dict
    blob = head[: -len("null}")] + texts + "}"
    return page_template(package, name).substitute(
        lang=escape(lang),
        style=style,
        script=script,
        config=blob,
        language=escape(t("language", lang)),
        language_options=language_options(lang),
        lang_go=escape(t("delta_lang_go", lang)),
        noscript=escape(t("delta_noscript", lang)),
        **fields,
    )


def language_options(lang: str) -> str:
    """The ``<option>`` elements of a page's language list, ``lang`` selected."""
    return "".join(
        f"<option value='{escape(c)}'{' selected' if c == lang else ''}>"
        f"{escape(language_name(c))}</option>"
        for c in LANGUAGES
    )


@functools.lru_cache(maxsize=16)
def _texts_json(lang: str) -> str:
    """The page's texts as JSON, made once per language (the same for every visitor)."""
    return inert_json(_page_texts(lang))


@functools.lru_cache(maxsize=256)
def render_page(lang: str, code: str, base_url: str, typed: str = "") -> str:
    """The participant page's HTML (texts escaped; the data for the script as inert JSON).

    The same for every phone of a room (the visitor's own part, the ``_xsrf`` cookie, is a
    header), so it is made once per language and code; the cache is bounded."""
    config = {"lang": lang, "code": code, "api": f"{base_url}api/live/session/"}
    return fill_page(
        "kit.live",
        "delta",
        lang,
        config,
        _texts_json(lang),
        title=escape(t("app_title_delta", lang)),
        heading=escape(t("app_title_delta", lang)),
        intro=escape(t("delta_intro", lang)),
        code_label=escape(t("delta_code_label", lang)),
        join=escape(t("delta_join", lang)),
        typed=escape(typed[:12]),
        nav_label=escape(t("delta_nav_label", lang)),
    )


_SCREEN_KEYS = (
    "screen_prev",
    "screen_next",
    "screen_results_on",
    "screen_results_off",
    "screen_show_answers",
    "screen_timer_label",
    "screen_timer_length",
    "screen_timer_start",
    "screen_timer_pause",
    "screen_timer_resume",
    "screen_timer_paused",
    "screen_timer_add",
    "screen_timer_off",
    "screen_timer_done",
    "screen_fullscreen",
    "screen_keys_help",
    "screen_no_key",
    "screen_offline",
    "screen_letter_keys",
    "live_reveal",
    "live_revote",
)


@functools.lru_cache(maxsize=64)
def render_screen_page(lang: str, code: str, base_url: str, typed: str = "") -> str:
    """The big screen's page (presentation mode) for session ``code``."""
    texts: dict[str, Any] = {key: t(key, lang) for key in _SCREEN_KEYS}
    texts["errors"] = {"store_error": t("live_err_store_error", lang)}
    config = {"lang": lang, "code": code, "api": f"{base_url}api/live/session/"}
    return fill_page(
        "kit.live",
        "screen",
        lang,
        config,
        inert_json(texts),
        title=escape(t("screen_title", lang, code=code)),
        controls=escape(t("screen_controls", lang)),
    )
