"""Participant mode of the exercise: join a presenter's session by code and answer anonymously.

Kept light on purpose (no pandas, no altair): a room of 60 phones means 60 of these kernels.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import parse_qs

import ipywidgets as widgets

from .. import render
from ..cases import Case
from ..i18n import t
from .answering import case_html, level_choice, process_choice, progress_html
from .base import App, html, request_query


def code_from_request() -> str:
    """The join code in the page address (``?kode=ACD347``), or ''."""
    query = parse_qs(request_query())
    values = query.get("kode") or query.get("code")
    return values[0] if values else ""


def error_text(exc: Exception, lang: str) -> str:
    key = getattr(exc, "key", "store_error")
    return t("live_err_" + key, lang) if key else t("live_err_store_error", lang)


class Deltaker(App):
    """``notebooks/delta.ipynb``: the participant's view of a live session."""

    title_key = "app_title_delta"

    def __init__(self, lang: str | None = None, code: str | None = None, store=None) -> None:
        self._store = store
        if os.environ.get("VOILA_PREHEAT") == "True":
            # A preheated kernel does the slow part (SQLAlchemy, the database connection) before
            # the visitor arrives; App.__init__ below then waits for the visitor's request.
            _ = self.store
        self.code = ""
        self.token: str | None = None
        self.cases: tuple[Case, ...] = ()
        self.index = 0
        self.sent: dict[str, tuple[str, int | None]] = {}
        self.message = ""
        super().__init__(lang)
        wanted = code if code is not None else code_from_request()
        if wanted:
            self.join(wanted)

    @property
    def store(self):
        if self._store is None:
            from ..live.store import Store

            self._store = Store()
        return self._store

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        intro = html(render.paragraph(t("delta_intro", lang), "kit-lead"))
        self.status = html(self._status_html(), "kit-status")
        if self.token is None:
            self.code_input = widgets.Text(
                value=self.code,
                description=t("delta_code_label", lang),
                placeholder="ACD347",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            self.code_input.add_class("kit-code-input")
            self.join_button = widgets.Button(
                description=t("delta_join", lang), button_style="primary"
            )
            self.join_button.on_click(self._on_join)
            return [intro, self.code_input, self.join_button, self.status]
        self.progress_text = html("", "kit-progress-text")
        self.case_view = html("", "kit-case")
        self.process_choice = process_choice(lang)
        self.level_choice = level_choice(lang)
        self.send_button = widgets.Button(description=t("delta_send", lang), button_style="primary")
        self.prev_button = widgets.Button(description=t("delta_prev", lang))
        self.next_button = widgets.Button(description=t("delta_next", lang))
        self.send_button.on_click(self._on_send)
        self.prev_button.on_click(lambda _b: self._go(-1))
        self.next_button.on_click(lambda _b: self._go(1))
        choices = widgets.HBox([self.process_choice, self.level_choice])
        choices.add_class("kit-wrap")
        nav = widgets.HBox([self.prev_button, self.next_button])
        nav.add_class("kit-wrap")
        self._show_case()
        joined = html(render.paragraph(t("delta_joined", lang, code=self.code)))
        return [
            intro,
            joined,
            self.progress_text,
            self.case_view,
            choices,
            self.send_button,
            self.status,
            nav,
        ]

    def _status_html(self) -> str:
        if not self.message:
            return ""
        role = "status" if self.message.startswith("✔") else "alert"
        return f"<p role='{role}'>{escape(self.message)}</p>"

    def _show_case(self) -> None:
        lang = self.lang
        case = self.cases[self.index]
        answered = len(self.sent)
        with self.hold_sync():
            done = answered == len(self.cases)
            progress = t(
                "delta_progress", lang, n=self.index + 1, total=len(self.cases), answered=answered
            )
            self.progress_text.value = progress_html(answered, len(self.cases), progress, lang) + (
                render.paragraph(t("delta_done", lang)) if done else ""
            )
            self.case_view.value = case_html(case, lang)
            given = self.sent.get(case.id)
            self.process_choice.value = given[0] if given else None
            self.level_choice.value = (given[1] or 0) if given else None
            self.prev_button.disabled = self.index == 0
            self.next_button.disabled = self.index >= len(self.cases) - 1

    # -- events -----------------------------------------------------------------------------
    def join(self, raw_code: str) -> bool:
        """Join the session with this code; on failure keep the form and say why."""
        from ..live.store import StoreError, normalize_code

        try:
            code = normalize_code(raw_code)
            token = self.store.join(code)
            cases = self.store.session_cases(code)
        except StoreError as exc:
            self.code = raw_code.strip()[:12]
            self.message = error_text(exc, self.lang)
            self._render()
            return False
        self.code, self.token, self.cases, self.index = code, token, cases, 0
        self.message = ""
        self._render()
        return True

    def _on_join(self, _widget=None) -> None:
        self.join(self.code_input.value)

    def _on_send(self, _button=None) -> None:
        from ..live.store import StoreError

        lang = self.lang
        if self.process_choice.value is None or self.level_choice.value is None:
            self.message = t("klass_choose_both", lang)
        else:
            case = self.cases[self.index]
            level = self.level_choice.value or None
            try:
                self.store.submit(self.code, self.token, case.id, self.process_choice.value, level)
            except StoreError as exc:
                self.message = error_text(exc, lang)
            else:
                self.sent[case.id] = (self.process_choice.value, level)
                self.message = t("delta_sent", lang)
                self._show_case()
        self.status.value = self._status_html()

    def _go(self, step: int) -> None:
        self.index = max(0, min(len(self.cases) - 1, self.index + step))
        self.message = ""
        self.status.value = ""
        self._show_case()
