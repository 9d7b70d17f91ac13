"""The presenter's app: start a live session, show code and QR, watch the room answer.

The session belongs to this browser: its presenter key is kept in the browser's localStorage
(:class:`KeyKeeper`), so a reload offers to resume it with its dashboard, reveals and exports.
What the session does and when the dashboard reads the store is decided by
:class:`kit.live.controller.SessionController`; this module only shows it. The dashboard's
widgets are made once per session and updated in place on every change; their HTML comes from
:mod:`kit.live.presenter_html`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import ipywidgets as widgets
import traitlets

from kit.cases.case import Case
from kit.cases.casefile import load_cases
from kit.core.address import public_base_url
from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import App, html, waiting_for_request
from kit.core.ui.controls import Region
from kit.core.ui.keeper import KeptRooms
from kit.core.ui.keeper import KeyKeeper as BaseKeyKeeper
from kit.live import presenter_html as ph
from kit.live.controller import PAGE_SIZE, Dashboard, SessionController
from kit.live.picker import PlanBuilder, requested_plan
from kit.live.presenter_html import is_loopback
from kit.live.questions import Item, Question, load_questions
from kit.live.room import MAX_ROUNDS, CaseResult

if TYPE_CHECKING:  # imported where a chart is drawn: it loads altair
    from kit.core.ui.charts import ChartView

__all__ = [
    "KeyKeeper",
    "CaseCard",
    "Presentator",
    "is_loopback",
    "participant_url",
    "public_base_url",
    "short_url",
]

#: The participant page, served by ``samskaping serve`` itself (no kernel per phone).
PARTICIPANT_PATH = "delta"
#: How often the dashboard looks for new answers (one indexed query).
POLL_SECONDS = 0.3


def participant_url(code: str) -> str:
    return f"{public_base_url()}{PARTICIPANT_PATH}?kode={code}"


def short_url() -> str:
    """The address to type, without the scheme: ``192.168.1.20:8866/delta``."""
    url = urlsplit(public_base_url())
    return f"{url.netloc}{url.path}{PARTICIPANT_PATH}"


def error_text(exc: Exception, lang: str) -> str:
    return t("live_err_" + getattr(exc, "key", "store_error"), lang)


class KeyKeeper(BaseKeyKeeper):
    """The presenter keys of this browser's sessions, kept in ``localStorage``
    (:class:`kit.core.ui.keeper.KeyKeeper`). Only this browser holds the keys."""

    storage = traitlets.Unicode("samskaping:presenter-sessions").tag(sync=True)


class CaseCard(widgets.VBox):
    """One case on the dashboard: text, counts, the key once revealed, and its controls.

    Made once per session; :meth:`update` changes values only.
    """

    def __init__(self, app: Presentator, case: Case) -> None:
        self.app = app
        self.case = case
        self.text = widgets.HTML()
        self.reveal_button = widgets.Button()
        self.round_button = widgets.Button()
        self.show_button = widgets.Button()
        self.reveal_button.on_click(lambda _b: app.reveal(case.id))
        self.round_button.on_click(lambda _b: app.start_round(case.id))
        self.show_button.on_click(lambda _b: app.show_case(case.id))
        self.buttons = widgets.HBox([self.show_button, self.round_button, self.reveal_button])
        self.buttons.add_class("kit-wrap")
        self.error = widgets.HTML()
        #: a chart of both rounds, made when the re-vote starts
        self.rounds_view: ChartView | None = None
        super().__init__([self.text, self.buttons, self.error])
        self.add_class("kit-live-case")

    def update(
        self,
        result: CaseResult,
        state,
        number: int,
        lang: str,
        charts_due: bool = True,
        place: int | None = None,
    ) -> None:
        """``number``: the case's place in the session; ``place``: in the ranking (1 = most
        disputed), shown once the case has answers."""
        case = self.case
        title = case.title.get(lang)
        shown = case.id in state.revealed
        rnd = state.round_of(case.id)
        # a paired case is shown, revealed and re-voted with its partner, as their pair
        pair = self.app.session.pair_of.get(case.id)
        target = pair.id if pair is not None else case.id
        partner = None if pair is None else next(c for c in pair.cases if c.id != case.id)
        with self.hold_sync():
            self.text.value = ph.case_card_html(
                case,
                number,
                result.current.answers,
                lang,
                place=place,
                now_showing=state.current_case == target,
                round_number=rnd,
                revealed=shown,
                partner=partner,
            )
            self.reveal_button.description = t("live_reveal", lang)
            self.reveal_button.tooltip = t("live_reveal_case", lang, title=title)
            self.reveal_button.disabled = shown
            self.round_button.description = t("live_revote", lang)
            self.round_button.tooltip = t("live_revote_case", lang, title=title)
            self.round_button.disabled = shown or rnd >= MAX_ROUNDS or not state.open
            self.show_button.description = t("live_show", lang)
            self.show_button.tooltip = t("live_show_case", lang, title=title)
            self.show_button.disabled = state.current_case == target or not state.open

        if len(result.rounds) > 1 and (charts_due or self.rounds_view is None):
            self._show_rounds(result, title, lang)

    def _show_rounds(self, result: CaseResult, title: str, lang: str) -> None:
        from kit.live import charts

        rows = charts.round_rows(result, lang)
        description = charts.round_description(result, title, lang)
        table = charts.round_table(result, lang)
        if self.rounds_view is None:
            from kit.core.ui.charts import ChartView

            self.rounds_view = ChartView(
                charts.round_chart(rows, lang), description, table, t("klass_table_summary", lang)
            )
            self.children = [self.text, self.rounds_view, self.buttons, self.error]
        else:
            self.rounds_view.update(charts.round_chart(rows, lang), description, table)

    def say(self, message: str) -> None:
        self.error.value = ph.error_html(message)


#: A question card lists at most this many open answers (the newest), each with its hide button.
ANSWERS_LISTED = 30


class QuestionCard(widgets.VBox):
    """One question on the dashboard: prompt, count, results (a word cloud with the open
    answers and their hide buttons, or the scale's or poll's bars), and its controls.

    Made once per session; :meth:`update` changes values only (an answer's row is made once)."""

    def __init__(self, app: Presentator, question: Question) -> None:
        self.app = app
        self.question = question
        self.text = widgets.HTML()
        self.results = widgets.HTML()
        self.show_button = widgets.Button()
        self.reveal_button = widgets.Button()
        self.show_button.on_click(lambda _b: app.show_case(question.id))
        self.reveal_button.on_click(lambda _b: app.reveal(question.id))
        self.buttons = widgets.HBox([self.show_button, self.reveal_button])
        self.buttons.add_class("kit-wrap")
        self.answers_note = widgets.HTML()
        self.answer_list = widgets.VBox()
        self.answer_list.add_class("kit-open-answers")
        self._rows: dict[int, tuple[widgets.HTML, widgets.Button]] = {}
        self._hidden: dict[int, bool] = {}
        self.error = widgets.HTML()
        children = [self.text, self.results, self.buttons, self.error]
        if question.kind == "open":
            children[2:2] = [self.answers_note, self.answer_list]
        super().__init__(children)
        self.add_class("kit-live-case")
        self.add_class("kit-live-question")

    def update(self, result, words, state, number: int, lang: str) -> None:
        from kit.live.screen_html import question_results_html

        q = self.question
        title = q.prompt.get(lang)
        with self.hold_sync():
            self.text.value = ph.question_card_html(
                q, number, result.answers, lang, now_showing=state.current_case == q.id
            )
            self.results.value = question_results_html(q, result, lang, words)
            self.show_button.description = t("live_show", lang)
            self.show_button.tooltip = t("live_show_case", lang, title=title)
            self.show_button.disabled = state.current_case == q.id or not state.open
            self.reveal_button.description = t("screen_show_answers", lang)
            self.reveal_button.disabled = q.id in state.revealed
            if q.kind == "open":
                self.answers_note.value = paragraph(t("live_open_answers", lang))
                self._update_answers(result.entries, lang)

    def _update_answers(self, entries, lang: str) -> None:
        newest = list(reversed(entries))[:ANSWERS_LISTED]
        for entry in newest:
            row = self._rows.get(entry.id)
            if row is None:
                label = widgets.HTML()
                button = widgets.Button()
                button.on_click(lambda _b, rid=entry.id: self._toggle(rid))
                row = self._rows[entry.id] = (label, button)
            label, button = row
            label.value = ph.open_answer_html(entry.value, entry.hidden, lang)
            button.description = t(
                "live_unhide_answer" if entry.hidden else "live_hide_answer", lang
            )
            button.tooltip = f"{button.description}: {entry.value}"
            self._hidden[entry.id] = entry.hidden
        boxes = []
        for entry in newest:
            label, button = self._rows[entry.id]
            box = widgets.HBox([label, button])
            box.add_class("kit-open-answer")
            boxes.append(box)
        ids = [e.id for e in newest]
        if ids != getattr(self, "_shown_ids", None):
            self._shown_ids = ids
            self.answer_list.children = boxes

    def _toggle(self, response_id: int) -> None:
        hidden = not self._hidden.get(response_id, False)
        self.app.hide_response(response_id, hidden)

    def say(self, message: str) -> None:
        self.error.value = ph.error_html(message)


class Presentator(KeptRooms, App):
    """``notebooks/05_presentator.ipynb``."""

    title_key = "app_title_presentator"

    def __init__(
        self,
        lang: str | None = None,
        cases: tuple[Case, ...] | None = None,
        store=None,
        refresh_seconds: float = POLL_SECONDS,
    ) -> None:
        self.session = SessionController(store)
        # A preheated kernel builds the app before its visitor's address is known (App waits
        # for it at the end of its __init__): the plan it names is chosen then.
        later = waiting_for_request()
        #: the session plan; ``?plan=guide-45`` in the address starts with that plan chosen
        self.picker = PlanBuilder(
            cases if cases is not None else load_cases(),
            load_questions().questions,
            preset=None if later else requested_plan(),
        )
        self.picker.on_change = self._on_plan_change
        self.refresh_seconds = refresh_seconds
        self.cards: dict[str, CaseCard] = {}
        self.spotlight_current: str | None = None
        self._order: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.keeper = KeyKeeper()
        self.keeper.observe(self._on_keeper, names="loaded")
        self._live: list[widgets.Widget] | None = None
        self._banned_shown = False
        self.question_cards: dict[str, QuestionCard] = {}
        super().__init__(lang)
        if later:
            self.picker.use_preset(requested_plan())
        self.add_class("kit-projector")

    # what the session controller holds, read by the view (and tests) under the usual names
    @property
    def store(self):
        return self.session.store

    @property
    def key(self) -> str | None:
        return self.session.key

    @property
    def cases(self) -> tuple[Case, ...]:
        return self.session.cases

    @property
    def state(self):
        return self.session.state

    @property
    def closed(self) -> bool:
        return self.session.closed

    @property
    def resumable(self) -> list:
        return self.session.resumable

    @property
    def page_index(self) -> int:
        return self.session.page_index

    @property
    def revealed(self) -> set[str]:
        return self.session.revealed

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        if self.code is None:
            return self._build_setup(lang)
        if self._live is None:
            self._live = self._build_live()
        self._retext(self.code, lang)
        return self._live

    def _build_setup(self, lang: str) -> list[widgets.Widget]:
        intro = html(paragraph(t("live_intro", lang), "kit-lead"))
        self.start_button = widgets.Button(
            description=t("live_start", lang), button_style="primary"
        )
        self.start_message = html("")
        self.start_button.on_click(self._on_start)
        self.resume_box = widgets.VBox()
        self.resume_box.add_class("kit-resume")
        self._fill_resume(lang)
        return [
            self.keeper,
            intro,
            self.resume_box,
            *self.picker.build(lang, actions=[self.start_button, self.start_message]),
        ]

    def _on_plan_change(self) -> None:
        """A changed plan takes the last start message away (an empty plan's, say)."""
        message = getattr(self, "start_message", None)
        if message is not None and self.code is None:
            message.value = ""

    def _fill_resume(self, lang: str) -> None:
        rows: list[widgets.Widget] = []
        if self.resumable:
            rows.append(html(heading(t("live_resume_heading", lang))))
        for info in self.resumable:
            label = html(ph.resume_item_html(info.code, info.created_at, info.open, lang))
            go = widgets.Button(
                description=t("live_resume" if info.open else "live_results", lang, code=info.code),
                button_style="primary" if info.open else "",
            )
            go.on_click(lambda _b, code=info.code: self.resume(code))
            buttons: list[widgets.Widget] = [label, go]
            if info.open:
                end = widgets.Button(
                    description=t("live_end_code", lang, code=info.code), button_style="danger"
                )
                end.on_click(lambda _b, code=info.code: self._end_listed(code))
                buttons.append(end)
            row = widgets.HBox(buttons)
            row.add_class("kit-wrap")
            rows.append(row)
        self.resume_box.children = rows

    def _build_live(self) -> list[widgets.Widget]:
        from kit.core.ui.charts import ChartView
        from kit.live import charts

        lang = self.lang
        self.join_panel = html("")
        self.join_panel.add_class("kit-join-panel")
        self.warning = html("")
        self.stats = html("", "kit-stats")
        self.end_button = widgets.Button(button_style="danger")
        self.end_button.on_click(self._on_end)
        # "Avslutt økta" asks first: the question takes the focus, the answer buttons follow it
        self.end_question = Region(cls="kit-end-question")
        self.end_yes = widgets.Button(button_style="danger")
        self.end_yes.on_click(self._on_end_confirmed)
        self.end_no = widgets.Button()
        self.end_no.on_click(self._on_end_cancelled)
        answer = widgets.HBox([self.end_yes, self.end_no])
        answer.add_class("kit-wrap")
        self.end_confirm = widgets.VBox([self.end_question, answer])
        self.end_confirm.add_class("kit-end-confirm")
        self.end_confirm.layout.display = "none"
        self.free_button = widgets.Button()
        self.free_button.on_click(lambda _b: self.show_case(None))
        self.control_error = html("")
        self.export_csv_button = widgets.Button()
        self.export_xlsx_button = widgets.Button()
        self.export_csv_button.on_click(lambda _b: self._export("csv"))
        self.export_xlsx_button.on_click(lambda _b: self._export("xlsx"))
        self.export_links = html("")
        self.report_button = widgets.Button()
        self.report_button.on_click(lambda _b: self._report())
        self.export_questions_button = widgets.Button()
        self.export_questions_button.on_click(lambda _b: self._export("questions"))
        self.screen_link = html("")
        self.questions_heading = html("")
        self.question_cards = {q.id: QuestionCard(self, q) for q in self.session.questions}
        self.banned_field = widgets.Textarea(layout=widgets.Layout(width="100%", height="5em"))
        self.banned_save = widgets.Button()
        self.banned_save.on_click(lambda _b: self._save_banned())
        self.banned_message = Region(cls="kit-banned-message")
        banned_box = widgets.VBox([self.banned_field, self.banned_save, self.banned_message])
        has_open = any(q.kind == "open" for q in self.session.questions)
        banned_box.layout.display = None if has_open else "none"
        self.questions_box = widgets.VBox(
            [self.questions_heading, *self.question_cards.values(), banned_box]
        )
        self.questions_box.add_class("kit-live-questions")
        self.questions_box.layout.display = None if self.session.questions else "none"
        self.spotlight_text = html("", "kit-spotlight-text")
        self.spotlight = ChartView(
            charts.round_chart([], lang, big=True), "", "", t("klass_table_summary", lang)
        )
        self.spotlight_box = widgets.VBox([self.spotlight_text, self.spotlight])
        self.spotlight_box.add_class("kit-spotlight")
        self.chart_view = ChartView(
            charts.live_chart([], lang),
            t("live_chart_desc_none", lang),
            "",
            t("klass_table_summary", lang),
        )
        self.dashboard_heading = html("")
        self.export_heading = html("")
        self.cards = {}
        self._by_id = {c.id: c for c in self.cases}
        self.case_list = widgets.VBox()
        self.case_list.add_class("kit-live-cases")
        # the cards off the current page are the dashboard's too (closed with it)
        self.case_list._kit_owned = self.cards.values()
        self.page_prev = widgets.Button()
        self.page_next = widgets.Button()
        self.page_prev.on_click(lambda _b: self.turn_page(-1))
        self.page_next.on_click(lambda _b: self.turn_page(1))
        self.page_text = html("", "kit-pager-text")
        self.pager = widgets.HBox([self.page_prev, self.page_text, self.page_next])
        self.pager.add_class("kit-wrap")
        self.pager.add_class("kit-pager")
        self.pager.layout.display = None if len(self.cases) > PAGE_SIZE else "none"
        controls = widgets.HBox([self.end_button, self.free_button])
        controls.add_class("kit-wrap")
        exports = widgets.HBox(
            [
                self.export_csv_button,
                self.export_xlsx_button,
                self.export_questions_button,
                self.report_button,
            ]
        )
        exports.add_class("kit-wrap")
        self.export_questions_button.layout.display = None if self.session.questions else "none"
        return [
            self.keeper,
            self.join_panel,
            self.screen_link,
            self.warning,
            self.stats,
            controls,
            self.end_confirm,
            self.control_error,
            self.spotlight_box,
            self.dashboard_heading,
            self.chart_view,
            self.pager,  # the pager turns the cards; the chart shows the most disputed
            self.case_list,
            self.questions_box,
            self.export_heading,
            exports,
            self.export_links,
        ]

    def _retext(self, code: str, lang: str) -> None:
        """Every text of the live view of session ``code`` in ``lang``; the widgets stay."""
        url = participant_url(code)
        with self.hold_sync():
            self.join_panel.value = ph.join_html(code, url, short_url(), lang)
            self.warning.value = ph.loopback_warning_html(url, lang)
            self.end_button.description = t("live_end", lang)
            self.end_yes.description = t("live_end_yes", lang)
            self.end_no.description = t("live_end_no", lang)
            self.free_button.description = t("live_free", lang)
            self.export_csv_button.description = t("live_export_csv", lang)
            self.export_xlsx_button.description = t("live_export_xlsx", lang)
            self.export_csv_button.tooltip = t("live_export_csv_tip", lang, code=code)
            self.export_xlsx_button.tooltip = t("live_export_xlsx_tip", lang, code=code)
            self.dashboard_heading.value = heading(t("live_dashboard_heading", lang)) + paragraph(
                t("live_dashboard_note", lang)
            )
            self.export_heading.value = heading(t("live_export_heading", lang))
            self.export_questions_button.description = t("live_export_questions", lang)
            self.report_button.description = t("live_report", lang)
            self.screen_link.value = ph.screen_link_html(code, lang)
            self.questions_heading.value = heading(t("live_questions_heading", lang))
            self.banned_field.description = ""
            self.banned_field.placeholder = t("live_banned_label", lang)
            self.banned_save.description = t("live_banned_save", lang)
            self.page_prev.description = t("live_page_prev", lang)
            self.page_next.description = t("live_page_next", lang)
        self.session.forget_seen()
        self.refresh()

    # -- the live part ----------------------------------------------------------------------
    def refresh(self, charts_due: bool = True) -> None:
        """Read the store and update the dashboard in place (the poller calls it on change).

        Counts, cards and tables follow every change; the charts when the controller says
        they are due (``charts_due=False`` from the poller: at most every CHART_SECONDS)."""
        from kit.live.store import StoreError

        with self.session.lock:
            due = self.session.charts_due(charts_due)
            try:
                self._show(self.session.dashboard(), due)
            except StoreError as exc:
                self.stats.value = ph.error_html(error_text(exc, self.lang))

    def _show(self, board: Dashboard, charts_due: bool) -> None:
        from kit.live import charts

        lang = self.lang
        state, results, counts, top = board.state, board.results, board.counts, board.top
        place = board.place
        titles = {c.id: c.title.get(lang) for c in self.cases}
        with self.hold_sync():
            self.stats.value = ph.stats_html(board.people, board.total, board.closed, lang)
            self.end_button.disabled = board.closed
            # an ended session's code and QR leave the screen: nobody can join it any more
            self.join_panel.layout.display = "none" if board.closed else None
            self.warning.layout.display = "none" if board.closed else None
            self.free_button.disabled = board.closed or state.current_case is None
            if charts_due:
                rows = charts.live_rows(counts, titles, top, lang)
                description = charts.live_description(counts, titles, top, lang)
                chart = charts.live_chart(rows, lang).properties(description=description)
                self.chart_view.update(
                    chart, description, charts.live_table(counts, top, titles, self.lang)
                )
            # ipywidgets makes new views for children that change places, keeping the old ones
            # in the tab: the cards keep the session's order (the controller's page).
            for number, case_id in enumerate(board.page, start=board.first + 1):
                card = self.cards.get(case_id)
                if card is None:
                    card = self.cards[case_id] = CaseCard(self, self._by_id[case_id])
                card.update(results[case_id], state, number, lang, charts_due, place=place[case_id])
            if board.page != self._order:
                self._order = board.page
                self.case_list.children = [self.cards[i] for i in board.page]
            self.page_text.value = ph.page_text_html(
                board.first + 1, board.first + len(board.page), len(board.order), lang
            )
            self.page_prev.disabled = board.page_index == 0
            self.page_next.disabled = board.page_index >= board.pages - 1
            self._update_spotlight(results, state, titles, lang, charts_due)
            self._show_questions(state, lang)

    def _show_questions(self, state, lang: str) -> None:
        if not self.question_cards:
            return
        board = self.session.question_board(lang)
        for number, (qid, card) in enumerate(self.question_cards.items(), start=1):
            result, words = board[qid]
            card.update(result, words, state, number, lang)
        if not self._banned_shown:
            self._banned_shown = True
            self.banned_field.value = ", ".join(self.session.banned(lang))
            self.banned_field.add_class("kit-banned-field")

    def hide_response(self, response_id: int, hidden: bool) -> bool:
        from kit.live.store import StoreError

        try:
            self.session.hide_response(response_id, hidden)
        except StoreError as exc:
            self.control_error.value = ph.error_html(error_text(exc, self.lang))
            return False
        self.refresh()
        return True

    def _save_banned(self) -> None:
        from kit.live.store import StoreError

        try:
            words = self.session.set_banned(self.banned_field.value)
        except StoreError as exc:
            self.banned_message.show(ph.error_html(error_text(exc, self.lang)))
            return
        self.banned_field.value = ", ".join(words)
        self.banned_message.show(paragraph(t("live_banned_saved", self.lang)))
        self.refresh()

    def _report(self) -> None:
        from kit.core.html import download_link
        from kit.live.store import StoreError

        code = self.code
        assert code is not None
        try:
            document = self.session.report(self.lang)
        except StoreError as exc:
            self.export_links.value = ph.error_html(error_text(exc, self.lang))
            return
        name = t("live_report_file", self.lang, code=code)
        self.export_links.value = download_link(
            document.encode("utf-8"),
            "text/html",
            f"{name}.html",
            t("live_report_link", self.lang, code=code),
        )

    def turn_page(self, step: int) -> None:
        """The next or previous PAGE_SIZE cases of the session on the dashboard."""
        self.session.turn_page(step)
        self.refresh()

    def _update_spotlight(
        self, results: dict, state, titles: dict, lang: str, charts_due: bool = True
    ) -> None:
        from kit.live import charts

        current = state.current_case
        self.spotlight_box.layout.display = None if current in results else "none"
        if current not in results:
            return
        result = results[current]
        self.spotlight_text.value = ph.spotlight_html(self._by_id[current], lang)
        if not charts_due and self.spotlight_current == current:
            return
        self.spotlight_current = current
        self.spotlight.update(
            charts.round_chart(charts.round_rows(result, lang), lang, big=True),
            charts.round_description(result, titles[current], lang),
            charts.round_table(result, lang),
        )

    def _case_action(self, case_id: str, action: Callable[[], None]) -> bool:
        from kit.live.store import StoreError

        card = self.cards.get(case_id)
        try:
            action()
        except StoreError as exc:
            if card is not None:
                card.say(error_text(exc, self.lang))
            else:
                self.control_error.value = ph.error_html(error_text(exc, self.lang))
            return False
        if card is not None:
            card.say("")
        self.control_error.value = ""
        self.refresh()
        return True

    def reveal(self, case_id: str) -> bool:
        return self._case_action(case_id, lambda: self.session.reveal(case_id))

    def start_round(self, case_id: str) -> bool:
        return self._case_action(case_id, lambda: self.session.start_round(case_id))

    def show_case(self, case_id: str | None) -> bool:
        return self._case_action(case_id or "", lambda: self.session.show_case(case_id))

    def _poll(self) -> None:
        from kit.live.store import StoreError

        while not self._stop.wait(self.refresh_seconds):
            try:
                wanted = self.session.poll()
            except StoreError as exc:
                self.stats.value = ph.error_html(error_text(exc, self.lang))
                continue
            except Exception:  # noqa: BLE001 - keep polling; a database that is back recovers
                continue
            if wanted == "counts":
                self.refresh(charts_due=False)
            elif wanted == "charts":
                self.refresh(charts_due=True)  # the last answers reach the charts too

    def start_polling(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll, name="kit-dashboard", daemon=True)
            self._thread.start()

    def stop_polling(self) -> None:
        self._stop.set()

    # -- events -----------------------------------------------------------------------------
    def _on_start(self, _button=None) -> None:
        from kit.live.store import StoreError

        items = self.picker.selected()
        if not items:
            self.start_message.value = ph.error_html(t("splan_empty_start", self.lang))
            return
        if not self._address_ok():
            return
        try:
            self.start_session(items)
        except StoreError as exc:
            self.start_message.value = ph.error_html(error_text(exc, self.lang))

    def start_session(self, items: tuple[Item, ...]) -> str:
        """A new session of ``items`` (cases and questions, in the plan's order)."""
        code, key = self.session.start(items, self.lang)
        return self.started(code, key)

    # -- the hooks of KeptRooms (resume, the list of this browser's sessions)
    def problem_text(self, exc: Exception) -> str:
        return error_text(exc, self.lang)

    def say_problem(self, message: str) -> None:
        self.start_message.value = ph.error_html(message)

    def show_room(self) -> None:
        self._live = None
        self._order = []
        self._render()
        self.start_polling()

    def _on_end(self, _button=None) -> None:
        """Ask first: ending cannot be undone (phones can no longer answer)."""
        self.end_question.show(ph.end_question_html(self.lang), focus=True)
        self.end_confirm.layout.display = None

    def _on_end_cancelled(self, _button=None) -> None:
        self.end_confirm.layout.display = "none"
        self.end_question.value = ""

    def _on_end_confirmed(self, _button=None) -> None:
        from kit.live.store import StoreError

        self._on_end_cancelled()
        try:
            self.session.end()
        except StoreError as exc:
            self.control_error.value = ph.error_html(error_text(exc, self.lang))
            return
        self.control_error.value = ""
        self.refresh()

    def export_rows(self) -> tuple[list[str], list[list[object]]]:
        return self.session.export_rows(self.lang)

    def _export(self, kind: str) -> None:
        from kit.core.exports import csv_bytes, xlsx_bytes
        from kit.live.store import StoreError

        lang = self.lang
        code = self.code
        assert code is not None  # the export buttons are in a session's live view only
        try:
            header, rows = self.export_rows()
        except StoreError as exc:
            self.export_links.value = ph.error_html(error_text(exc, lang))
            return
        if kind == "questions":
            try:
                header, rows = self.session.question_rows(lang)
            except StoreError as exc:
                self.export_links.value = ph.error_html(error_text(exc, lang))
                return
            self.export_links.value = ph.download_html(csv_bytes(header, rows), kind, code, lang)
            return
        if kind == "csv":
            data = csv_bytes(header, rows)
        else:
            data = xlsx_bytes(header, rows, sheet_title=code)
        self.export_links.value = ph.download_html(data, kind, code, lang)
