"""The facilitator's app of Samarbeidsverkstedet (``notebooks/09_samarbeidsverksted.ipynb``).

Before the start the facilitator names the initiative and shapes the agenda (the default clauses
of ``data/workshop.yaml`` kept or left out, clauses of their own added). Then the screen (it
works on a projector) shows the code, the QR code and the address of ``/verksted``, and per
clause the proposals grouped by party, the response picture per party (a recipient's objection
in sight whatever the numbers, silence from the recipients or the voluntary side said in
words), the merged wording the facilitator writes, agreed or open with who follows it up and
by when, an optional countdown on the clause (:class:`kit.core.ui.countdown.Countdown`, ticking
in the browser; the phones on the clause show it too, and nothing closes when it runs out), the
parking lot, the next evaluation, the draft agreement to download (DOCX, HTML,
Markdown) and closing (it asks first).

The workshop belongs to this browser: its facilitator key is kept in ``localStorage``
(:class:`kit.core.ui.keeper.KeyKeeper`), so a reload offers to resume it. What it does is
decided by :class:`kit.workshop.controller.WorkshopController`; this module only shows it. Every
widget is made once and updated in place: a poller thread refreshes the screen when the
workshop changes in the store; lists that can grow (the agenda, each party's proposals) are
:class:`~kit.core.ui.rows.RowList` widgets, one per list, and the rest is HTML from
:mod:`kit.workshop.app_html`, where every text a participant typed is escaped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as widgets

from kit.compass.compass import load_compass
from kit.compass.html import question_label
from kit.core.html import heading
from kit.core.i18n import t
from kit.core.timer import TIMER_STEP
from kit.core.ui.app import App, close_unused, html
from kit.core.ui.controls import ChoiceGroup, PressButton, Region
from kit.core.ui.countdown import Countdown
from kit.core.ui.keeper import KeptRooms, KeyKeeper
from kit.core.ui.rows import RowList, action, row
from kit.workshop import app_html as ah
from kit.workshop.controller import AgendaDraft, Board, WorkshopController
from kit.workshop.model import LEVEL_NUMBERS, STATUSES, WorkshopError

__all__ = ["Samarbeidsverksted", "participant_url", "short_url"]

participant_url = ah.participant_url
short_url = ah.short_url

#: How often the screen looks for news in the store (one primary-key read).
POLL_SECONDS = 0.5
#: Where this browser keeps its facilitator keys (the presenter's are elsewhere).
KEYS_STORAGE = "samskaping:workshops"
#: The lengths a clause's countdown may be given (minutes), and the one chosen at first.
TIMER_MINUTES = (2, 3, 5, 10, 15, 20)
TIMER_DEFAULT = 5


def _field(widget: widgets.Widget, cls: str) -> widgets.Widget:
    widget.add_class(cls)
    return widget


def _text(**kwargs: Any) -> widgets.Text:
    return widgets.Text(
        style={"description_width": "initial"}, layout=widgets.Layout(width="auto"), **kwargs
    )


def _date() -> widgets.DatePicker:
    return widgets.DatePicker(style={"description_width": "initial"}, value=None)


def _wrap(*children: widgets.Widget, cls: str = "") -> widgets.HBox:
    box = widgets.HBox(list(children))
    box.add_class("kit-wrap")
    if cls:
        box.add_class(cls)
    return box


class OwnClauseForm(widgets.VBox):
    """The form for a clause of the facilitator's own: title, question, level, "add". ``add``
    does the adding (before the start: to the draft; while it runs: to the stored agenda) and
    returns the added clause's title and level, or raises a rule's error."""

    def __init__(self, add: Callable[[Any, Any, Any], tuple[str, int]], heading_level: int) -> None:
        self._add = add
        self.heading_level = heading_level
        self.heading = html("")
        self.title = _field(_text(), "kit-ws-own-title")
        self.question = _field(
            widgets.Textarea(
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto", height="4em"),
            ),
            "kit-ws-own-question",
        )
        self.level = ChoiceGroup(variant="pills")
        self.button = widgets.Button()
        self.button.on_click(lambda _b: self.add())
        self.message = Region(role="status", cls="kit-ws-own-message")
        super().__init__(
            [self.heading, self.title, self.question, self.level, self.button, self.message]
        )
        self.add_class("kit-ws-own")
        self.lang = "nb"

    def retext(self, lang: str) -> None:
        self.lang = lang
        with self.hold_sync():
            self.heading.value = ah.own_heading_html(lang, self.heading_level)
            self.title.description = t("workshop_app_own_title", lang)
            self.question.description = t("workshop_app_own_question", lang)
            self.level.description = t("workshop_app_own_level", lang)
            self.level.options = [(t("level_n", lang, n=n), n) for n in LEVEL_NUMBERS]
            if self.level.value is None:
                self.level.value = LEVEL_NUMBERS[0]
            self.button.description = t("workshop_app_own_add", lang)

    def add(self) -> bool:
        """Add the clause from the form (refused in words if it breaks a rule: no title, too
        long, too many)."""
        from kit.live.store import StoreError

        lang = self.lang
        try:
            title, level = self._add(self.title.value, self.question.value, self.level.value)
        except (WorkshopError, StoreError) as exc:
            self.message.show(ah.error_html(ah.error_message(exc, lang)))
            return False
        with self.hold_sync():
            self.title.value = ""
            self.question.value = ""
            self.message.show(ah.say_html(t("workshop_app_own_added", lang, title=title, n=level)))
        return True


class PartySection(widgets.VBox):
    """One party's proposals on the clause on screen: a heading and a list of rows (each
    proposal as typed, its responses and reasons, and a button that takes it into the merged
    wording). Made once per party of the agenda; hidden while the party has said nothing."""

    def __init__(self, app: Samarbeidsverksted, party: str) -> None:
        self.app = app
        self.party = party
        self.heading = html("")
        self.rows = RowList()
        self.rows.add_class("kit-ws-proposals")
        self.rows.on_act(lambda key, _action: app.use_proposal(key))
        super().__init__([self.heading, self.rows])
        self.add_class("kit-ws-party")

    def update(self, board: Board, lang: str) -> None:
        found = board.by_party.get(self.party, ())
        w = board.workshop
        with self.hold_sync():
            self.layout.display = None if found else "none"
            self.heading.value = (
                ah.party_heading_html(w, self.party, len(found), lang) if found else ""
            )
            self.rows.label = w.party(self.party).label.get(lang)
            self.rows.rows = [
                row(
                    p.id,
                    ah.proposal_html(w, p, lang),
                    [action("use", t("workshop_app_use", lang), ah.use_name(p, lang))],
                )
                for p in found
            ]


class Samarbeidsverksted(KeptRooms, App):
    """``notebooks/09_samarbeidsverksted.ipynb``: the facilitator's side of a workshop."""

    title_key = "app_title_verksted"

    def __init__(
        self, lang: str | None = None, store=None, refresh_seconds: float = POLL_SECONDS
    ) -> None:
        self.session = WorkshopController(store)
        self.refresh_seconds = refresh_seconds
        self.keeper = KeyKeeper(storage=KEYS_STORAGE)
        self.keeper.observe(self._on_keeper, names="loaded")
        self.draft: AgendaDraft | None = None
        self._setup: list[widgets.Widget] | None = None
        self._live: list[widgets.Widget] | None = None
        self._editor_for: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        super().__init__(lang)
        self.add_class("kit-projector")
        self.add_class("kit-ws-app")

    # what the controller holds, under the usual names
    @property
    def key(self) -> str | None:
        return self.session.key

    @property
    def resumable(self) -> list:
        return self.session.resumable

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        if self.code is None:
            if self._setup is None:
                self._setup = self._build_setup()
            self._retext_setup(lang)
            return [self.keeper, *self._setup]
        if self._live is None:
            self._live = self._build_live()
        self._retext_live(lang)
        return [self.keeper, *self._live]

    def retext(self, lang: str) -> None:
        if self.code is None:
            self._retext_setup(lang)
        else:
            self._retext_live(lang)

    # -- before the start -------------------------------------------------------------------
    def _build_setup(self) -> list[widgets.Widget]:
        self.draft = self.session.draft()
        self.intro = html("")
        self.resume_heading = html("")
        self.resume_rows = RowList()
        self.resume_rows.add_class("kit-resume")
        self.resume_rows.on_act(self._on_resume_act)
        self.initiative = _field(_text(continuous_update=False), "kit-ws-initiative")
        self.agenda_heading = html("")
        self.agenda_rows = RowList()
        self.agenda_rows.add_class("kit-ws-agenda-setup")
        self.agenda_rows.on_act(self._on_agenda_act)
        self.own = OwnClauseForm(self._add_own, 3)
        self.start_button = widgets.Button(button_style="primary")
        self.start_button.on_click(lambda _b: self._on_start())
        self.start_message = Region(cls="kit-ws-start-message")
        return [
            self.intro,
            self.resume_heading,
            self.resume_rows,
            self.initiative,
            self.agenda_heading,
            self.agenda_rows,
            self.own,
            self.start_button,
            self.start_message,
        ]

    def _retext_setup(self, lang: str) -> None:
        with self.hold_sync():
            self.intro.value = ah.setup_intro_html(lang)
            self.initiative.description = t("workshop_app_initiative_label", lang)
            self.initiative.placeholder = t("workshop_app_initiative_placeholder", lang)
            self.own.retext(lang)
            self.start_button.description = t("workshop_app_start", lang)
            self.agenda_rows.label = t("workshop_app_agenda_label", lang)
            self.resume_rows.label = t("workshop_app_resume_heading", lang)
        self._fill_agenda(lang)
        self._fill_resume(lang)

    def _fill_agenda(self, lang: str) -> None:
        draft = self.draft
        assert draft is not None
        rows = []
        for clause in draft.clauses():
            title = clause.title.get(lang)
            if clause.custom:
                index = int(clause.id.rsplit("-", 1)[1]) - 1  # egen-1 is the first added
                rows.append(
                    row(
                        f"own-{index}",
                        ah.setup_clause_html(clause, True, lang),
                        [
                            action(
                                "remove",
                                t("workshop_app_own_remove", lang),
                                t("workshop_app_own_remove_name", lang, title=title),
                            )
                        ],
                    )
                )
                continue
            kept = draft.is_kept(clause.id)
            label = "workshop_app_leave_out" if kept else "workshop_app_take_in"
            rows.append(
                row(
                    clause.id,
                    ah.setup_clause_html(clause, kept, lang),
                    [action("toggle", t(label, lang), t(f"{label}_name", lang, title=title))],
                )
            )
        with self.hold_sync():
            self.agenda_rows.rows = rows
            count = len(draft.kept()) + len(draft.own)
            self.agenda_heading.value = ah.agenda_heading_html(count, lang)

    def _fill_resume(self, lang: str) -> None:
        rows = []
        for info in self.resumable:
            actions = [
                action(
                    "resume",
                    t(
                        "workshop_app_resume" if info.open else "workshop_app_results",
                        lang,
                        code=info.code,
                    ),
                    primary=info.open,
                )
            ]
            if info.open:
                actions.append(action("close", t("workshop_app_close_code", lang, code=info.code)))
            rows.append(row(info.code, ah.resume_item_html(info, lang), actions))
        with self.hold_sync():
            self.resume_rows.rows = rows
            self.resume_rows.layout.display = None if rows else "none"
            self.resume_heading.value = (
                heading(t("workshop_app_resume_heading", lang)) if rows else ""
            )

    def _on_agenda_act(self, key: str, act: str) -> None:
        draft = self.draft
        assert draft is not None
        if act == "remove" and key.startswith("own-"):
            draft.remove(int(key[4:]))
        elif act == "toggle":
            try:
                draft.toggle(key)
            except WorkshopError as exc:
                self.start_message.show(ah.error_html(ah.error_message(exc, self.lang)))
                return
        self._fill_agenda(self.lang)
        self.agenda_rows.focus(key if act == "toggle" else "", act)

    def _add_own(self, title: Any, question: Any, level: Any) -> tuple[str, int]:
        draft = self.draft
        assert draft is not None
        own = draft.add(title, question, level)
        self._fill_agenda(self.lang)
        return own.title, own.level

    def _on_resume_act(self, code: str, act: str) -> None:
        if act == "resume":
            self.resume(code)
        elif act == "close":
            self._end_listed(code)

    def _on_start(self) -> None:
        from kit.live.store import StoreError

        if not self._address_ok():
            return
        try:
            self.start_workshop(self.initiative.value)
        except (WorkshopError, StoreError) as exc:
            self.start_message.show(ah.error_html(ah.error_message(exc, self.lang)), focus=True)

    def start_workshop(self, initiative: str) -> str:
        """A new workshop for ``initiative`` on the agenda shaped so far, in the app's
        language; its key is kept in the browser. Returns its code."""
        assert self.draft is not None
        code, key = self.session.start(self.draft, initiative, self.lang)
        return self.started(code, key)

    # -- the hooks of KeptRooms (resume, the list of this browser's workshops)
    def problem_text(self, exc: Exception) -> str:
        return ah.error_message(exc, self.lang)

    def say_problem(self, message: str) -> None:
        self.start_message.show(ah.error_html(message))

    def show_room(self) -> None:
        old = tuple(self.body.children)
        self._editor_for = None
        self._live = self._build_live()
        self.body.children = [self.keeper, *self._live]
        close_unused(old, self.body.children)
        self._setup = None
        self._retext_live(self.lang)
        self.start_polling()

    # -- the workshop's screen ---------------------------------------------------------------
    def _build_live(self) -> list[widgets.Widget]:
        self.title = html("")
        self.join_panel = html("", "kit-join-panel")
        self.warning = html("")
        self.stats = html("", "kit-stats")
        # the agenda beside the clause: one row per clause, its state and flags in words
        self.agenda_heading = html("")
        self.agenda = RowList()
        self.agenda.add_class("kit-ws-agenda")
        self.agenda.on_act(lambda key, _a: self.select(key))
        agenda_box = widgets.VBox([self.agenda_heading, self.agenda])
        agenda_box.add_class("kit-ws-agenda-box")
        # the clause on screen
        self.clause_text = Region(cls="kit-ws-clause-text")
        self.prev_button = widgets.Button()
        self.next_button = widgets.Button()
        self.prev_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(1))
        self.show_button = widgets.Button()
        self.show_button.on_click(lambda _b: self.show_on_phones(True))
        self.free_button = widgets.Button()
        self.free_button.on_click(lambda _b: self.show_on_phones(False))
        self.control_message = Region(role="status", cls="kit-ws-control-message")
        nav = _wrap(self.prev_button, self.next_button, self.show_button, self.free_button)
        timer = self._build_timer()
        # the proposals, grouped by party (one section per party of the agenda)
        self.proposals_heading = html("")
        agenda = self.session.agenda
        self.sections = {p.id: PartySection(self, p.id) for p in agenda.parties}
        proposals = widgets.VBox([self.proposals_heading, *self.sections.values()])
        proposals.add_class("kit-ws-proposals-box")
        self.picture = html("", "kit-ws-picture")
        # the facilitator's wording and outcome
        self.editor_heading = html("")
        self.wording = _field(
            widgets.Textarea(
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto", height="7em"),
            ),
            "kit-ws-wording",
        )
        self.status = ChoiceGroup(variant="pills")
        self.owner = _field(_text(), "kit-ws-owner")
        self.due = _field(_date(), "kit-ws-due")
        self.save_button = widgets.Button(button_style="primary")
        self.save_button.on_click(lambda _b: self.save_outcome())
        self.editor_message = Region(role="status", cls="kit-ws-editor-message")
        editor = widgets.VBox(
            [
                self.editor_heading,
                self.wording,
                self.status,
                _wrap(self.owner, self.due),
                self.save_button,
                self.editor_message,
            ]
        )
        editor.add_class("kit-ws-editor")
        clause_box = widgets.VBox(
            [self.clause_text, nav, self.control_message, timer, proposals, self.picture, editor]
        )
        clause_box.add_class("kit-ws-clause-box")
        main = _wrap(agenda_box, clause_box, cls="kit-ws-main")
        # the parking lot, the evaluation, the draft, closing
        self.parking = html("", "kit-ws-parking-box")
        self.evaluation_text = html("")
        self.evaluation_date = _field(_date(), "kit-ws-evaluation-date")
        self.evaluation_by = _field(_text(), "kit-ws-evaluation-by")
        self.evaluation_save = widgets.Button()
        self.evaluation_save.on_click(lambda _b: self.save_evaluation())
        self.evaluation_message = Region(role="status", cls="kit-ws-evaluation-message")
        evaluation = widgets.VBox(
            [
                self.evaluation_text,
                _wrap(self.evaluation_date, self.evaluation_by),
                self.evaluation_save,
                self.evaluation_message,
            ]
        )
        evaluation.add_class("kit-ws-evaluation")
        self.downloads_heading = html("")
        self.download_buttons = {kind: widgets.Button() for kind in ("docx", "html", "md")}
        for kind, button in self.download_buttons.items():
            button.on_click(lambda _b, kind=kind: self.download(kind))
        self.download_links = Region(role="status", cls="kit-ws-downloads")
        downloads = widgets.VBox(
            [self.downloads_heading, _wrap(*self.download_buttons.values()), self.download_links]
        )
        downloads.add_class("kit-ws-download-box")
        self.close_button = widgets.Button(button_style="danger")
        self.close_button.on_click(lambda _b: self._on_close())
        self.close_question = Region(cls="kit-end-question")
        self.close_yes = widgets.Button(button_style="danger")
        self.close_yes.on_click(lambda _b: self._on_close_confirmed())
        self.close_no = widgets.Button()
        self.close_no.on_click(lambda _b: self._on_close_cancelled())
        self.close_confirm = widgets.VBox(
            [self.close_question, _wrap(self.close_yes, self.close_no)]
        )
        self.close_confirm.add_class("kit-end-confirm")
        self.close_confirm.layout.display = "none"
        self.close_error = Region(cls="kit-ws-close-error")
        return [
            self.title,
            self.join_panel,
            self.warning,
            self.stats,
            main,
            self.parking,
            evaluation,
            self._build_change(),
            self._build_compass(),
            downloads,
            self.close_button,
            self.close_confirm,
            self.close_error,
        ]

    def _build_timer(self) -> widgets.Widget:
        """The countdown for the clause on screen (optional): a length, start, pause, resume,
        more time and stop, and the time left, ticking in the browser. The phones on the clause
        show it too; nothing closes when it runs out."""
        self.timer_heading = html("")
        self.countdown = Countdown(cls="kit-ws-countdown")
        self.timer_length = _field(
            widgets.Dropdown(
                options=[(str(n), n * 60) for n in TIMER_MINUTES],
                value=TIMER_DEFAULT * 60,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            ),
            "kit-ws-timer-length",
        )
        self.timer_buttons = {
            op: widgets.Button(button_style="primary" if op == "start" else "")
            for op in ("start", "pause", "resume", "add", "off")
        }
        for op, button in self.timer_buttons.items():
            button.on_click(lambda _b, op=op: self.timer(op))
        self.timer_message = Region(role="status", cls="kit-ws-timer-message")
        box = widgets.VBox(
            [
                self.timer_heading,
                self.countdown,
                _wrap(self.timer_length, *self.timer_buttons.values()),
                self.timer_message,
            ]
        )
        box.add_class("kit-ws-timer")
        return box

    def _build_change(self) -> widgets.Widget:
        """Changing the agenda while the workshop runs: take the clause on screen out (it asks
        first: what was said on it goes too), put a default clause back, add one's own."""
        self.change_heading = html("")
        self.remove_button = widgets.Button()
        self.remove_button.on_click(lambda _b: self._on_remove())
        self.remove_question = Region(cls="kit-ws-remove-question")
        self.remove_yes = widgets.Button(button_style="danger")
        self.remove_yes.on_click(lambda _b: self.remove_clause_on_screen())
        self.remove_no = widgets.Button()
        self.remove_no.on_click(lambda _b: self._on_remove_cancelled())
        self.remove_confirm = widgets.VBox(
            [self.remove_question, _wrap(self.remove_yes, self.remove_no)]
        )
        self.remove_confirm.add_class("kit-end-confirm")
        self.remove_confirm.layout.display = "none"
        self.put_back = _field(
            widgets.Dropdown(
                options=[],
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            ),
            "kit-ws-put-back",
        )
        self.put_back_button = widgets.Button()
        self.put_back_button.on_click(lambda _b: self.put_clause_back())
        self.put_back_row = _wrap(self.put_back, self.put_back_button)
        self.change_message = Region(role="status", cls="kit-ws-change-message")
        self.own_live = OwnClauseForm(self._add_own_live, 4)
        box = widgets.VBox(
            [
                self.change_heading,
                self.remove_button,
                self.remove_confirm,
                self.put_back_row,
                self.change_message,
                self.own_live,
            ]
        )
        box.add_class("kit-ws-change")
        return box

    def _build_compass(self) -> widgets.Widget:
        """The initiative's compass, attached to the draft: its questions as the compass app
        asks them, saved at every choice, shown or hidden by a button."""
        self.compass = load_compass()
        self.compass_heading = html("")
        self.compass_toggle = PressButton()
        self.compass_toggle.on_click(lambda _b: self.toggle_compass())
        self.compass_groups = {
            q.id: ChoiceGroup(value=None, heading=4) for q in self.compass.questions
        }
        for qid, group in self.compass_groups.items():
            group.observe(lambda change, qid=qid: self._on_compass(qid, change), names="value")
        self.compass_clear = widgets.Button()
        self.compass_clear.on_click(lambda _b: self.clear_compass())
        self.compass_box = widgets.VBox([*self.compass_groups.values(), self.compass_clear])
        self.compass_box.add_class("kit-ws-compass-questions")
        self.compass_box.layout.display = "none"
        self.compass_message = Region(role="status", cls="kit-ws-compass-message")
        self._compass_for: str | None = None  # the workshop whose answers the groups show
        self._compass_filling = False
        box = widgets.VBox(
            [self.compass_heading, self.compass_toggle, self.compass_message, self.compass_box]
        )
        box.add_class("kit-ws-compass")
        return box

    def _retext_live(self, lang: str) -> None:
        """Every text of the screen in ``lang``; the widgets stay."""
        code = self.code
        assert code is not None
        with self.hold_sync():
            self.join_panel.value = ah.join_html(code, lang)
            self.warning.value = ah.loopback_warning_html(code, lang)
            self.agenda_heading.value = heading(t("workshop_app_agenda_heading", lang), 3)
            self.agenda.label = t("workshop_app_agenda_label", lang)
            self.prev_button.description = t("workshop_app_prev", lang)
            self.next_button.description = t("workshop_app_next", lang)
            self.show_button.description = t("workshop_app_show", lang)
            self.free_button.description = t("live_free", lang)
            self.wording.description = t("workshop_app_wording", lang)
            self.status.description = t("workshop_app_status_label", lang)
            self.status.options = [(t(f"workshop_app_choose_{s}", lang), s) for s in STATUSES]
            self.owner.description = t("workshop_app_owner", lang)
            self.due.description = t("workshop_app_due", lang)
            self.save_button.description = t("workshop_app_save", lang)
            self.timer_length.description = t("workshop_app_timer_length", lang)
            length = self.timer_length.value
            self.timer_length.options = [
                (t("workshop_app_timer_minutes", lang, n=n), n * 60) for n in TIMER_MINUTES
            ]
            self.timer_length.value = length
            for op in ("pause", "resume", "off"):
                self.timer_buttons[op].description = t(f"workshop_app_timer_{op}", lang)
            self.timer_buttons["add"].description = t(
                "workshop_app_timer_add", lang, seconds=TIMER_STEP
            )
            self.timer_buttons["add"].tooltip = t(
                "workshop_app_timer_add_name", lang, seconds=TIMER_STEP
            )
            self.countdown.label = t("workshop_app_timer_label", lang)
            self.countdown.paused_text = t("workshop_app_timer_paused", lang)
            self.countdown.done_text = t("workshop_app_timer_done", lang)
            self.evaluation_date.description = t("workshop_app_evaluation_date", lang)
            self.evaluation_by.description = t("workshop_app_evaluation_by", lang)
            self.evaluation_save.description = t("workshop_app_evaluation_save", lang)
            self.downloads_heading.value = ah.downloads_heading_html(lang)
            for kind, button in self.download_buttons.items():
                button.description = t(f"workshop_app_download_{kind}", lang)
            self.close_button.description = t("workshop_app_close", lang)
            self.close_yes.description = t("workshop_app_close_yes", lang)
            self.close_no.description = t("workshop_app_close_no", lang)
            self.change_heading.value = ah.change_heading_html(lang)
            self.remove_yes.description = t("workshop_app_remove_yes", lang)
            self.remove_no.description = t("workshop_app_remove_no", lang)
            self.put_back.description = t("workshop_app_put_back_label", lang)
            self.put_back_button.description = t("workshop_app_put_back", lang)
            self.own_live.retext(lang)
            self.compass_heading.value = ah.compass_heading_html(lang)
            self.compass_clear.description = t("workshop_app_compass_clear", lang)
            self._compass_filling = True
            try:
                for n, question in enumerate(self.compass.questions, start=1):
                    group = self.compass_groups[question.id]
                    with group.hold_sync():
                        value = group.value
                        group.options = [(o.label.get(lang), o.key) for o in question.options]
                        group.value = value
                        group.description = question_label(question, n, lang)
            finally:
                self._compass_filling = False
            self._retext_compass_toggle()
        self.session.forget_seen()
        self.refresh()

    def refresh(self) -> None:
        """Read the store and update the screen in place (the poller calls it on change)."""
        from kit.live.store import StoreError

        with self.session.lock:
            try:
                board = self.session.board()
            except StoreError as exc:
                self.stats.value = ah.error_html(ah.error_message(exc, self.lang))
                return
            self._show(board)

    def _show(self, board: Board) -> None:
        lang = self.lang
        w = board.workshop
        current = board.info.current_clause
        with self.hold_sync():
            self.title.value = ah.title_html(w, lang)
            self.stats.value = ah.stats_html(board, lang)
            # a closed workshop's code and QR leave the screen: nobody can join it any more
            self.join_panel.layout.display = "none" if board.closed else None
            self.warning.layout.display = "none" if board.closed else None
            self.agenda.rows = [
                row(
                    c.id,
                    ah.agenda_row_html(
                        w, c, current, c.id == board.clause.id, lang, board.info.timer
                    ),
                    [
                        action(
                            "select",
                            t("workshop_app_select", lang),
                            t("workshop_app_select_name", lang, title=c.title.get(lang)),
                            off=c.id == board.clause.id,
                        )
                    ],
                )
                for c in w.clauses
            ]
            self.clause_text.value = ah.clause_html(board, lang)
            self.prev_button.disabled = board.index == 0
            self.next_button.disabled = board.index >= board.total - 1
            self.show_button.disabled = board.closed or current == board.clause.id
            self.free_button.disabled = board.closed or current is None
            self._show_timer(board)
            self.proposals_heading.value = ah.proposals_heading_html(board, lang)
            for section in self.sections.values():
                section.update(board, lang)
            self.picture.value = ah.picture_html(board, lang)
            self.editor_heading.value = ah.editor_heading_html(board, lang)
            if self._editor_for != board.clause.id:
                self._load_editor(board)
            self.parking.value = ah.parking_html(w, lang)
            self.evaluation_text.value = ah.evaluation_html(w, lang)
            if self.evaluation_date.value is None and w.evaluation is not None:
                self.evaluation_date.value = w.evaluation
                self.evaluation_by.value = w.evaluation_by or ""
            self.close_button.disabled = board.closed
            self._show_change(board)
            if self._compass_for != board.info.code:
                self._load_compass(board)
            self.compass_message.value = ah.compass_state_html(w, lang)

    def _show_timer(self, board: Board) -> None:
        """The countdown of the clause on screen and the buttons that make sense now."""
        timer = board.timer
        lang = self.lang
        self.timer_heading.value = ah.timer_heading_html(board, lang)
        if timer is None:
            self.countdown.show(now=self.session.now())
        else:
            self.countdown.show(now=self.session.now(), ends=timer.ends, left=timer.left)
        buttons = self.timer_buttons
        start = "workshop_app_timer_start" if timer is None else "workshop_app_timer_restart"
        buttons["start"].description = t(start, lang)
        buttons["start"].disabled = board.closed
        self.timer_length.disabled = board.closed
        buttons["pause"].disabled = board.closed or timer is None or not timer.running
        buttons["resume"].disabled = board.closed or timer is None or timer.running
        buttons["add"].disabled = board.closed or timer is None
        buttons["off"].disabled = timer is None

    def _show_change(self, board: Board) -> None:
        lang = self.lang
        title = board.clause.title.get(lang)
        self.remove_button.description = t("workshop_app_remove", lang, title=title)
        self.remove_button.disabled = board.closed or board.total <= 1
        missing = self.session.missing_clauses()
        self.put_back.options = [(c.title.get(lang), c.id) for c in missing]
        self.put_back_row.layout.display = None if missing and not board.closed else "none"
        self.own_live.layout.display = "none" if board.closed else None

    def _load_compass(self, board: Board) -> None:
        """The stored answers into the groups (once per workshop: a choice is saved at once)."""
        self._compass_for = board.info.code
        stored = dict(board.workshop.compass)
        self._compass_filling = True
        try:
            for qid, group in self.compass_groups.items():
                group.value = stored.get(qid)
        finally:
            self._compass_filling = False

    def _load_editor(self, board: Board) -> None:
        """The editor shows the clause's saved outcome (only when another clause comes on
        screen or after a save: what the facilitator is typing is never overwritten)."""
        outcome = board.outcome
        self._editor_for = board.clause.id
        self.wording.value = (outcome.wording or "") if outcome else ""
        self.status.value = outcome.status if outcome else None
        self.owner.value = (outcome.owner or "") if outcome else ""
        self.due.value = outcome.due if outcome else None
        self.editor_message.value = ""

    # -- the facilitator's actions -----------------------------------------------------------
    def _act(self, work: Callable[[], Any], where: Region) -> bool:
        from kit.live.store import StoreError

        try:
            work()
        except (WorkshopError, StoreError) as exc:
            where.show(ah.error_html(ah.error_message(exc, self.lang)))
            return False
        return True

    def select(self, clause_id: str) -> None:
        """Look at ``clause_id`` (the phones stay where they are); the focus goes to it."""
        self.session.select(clause_id)
        self.refresh()
        self.clause_text.focus()

    def step(self, by: int) -> None:
        self.session.step(by)
        self.refresh()
        self.clause_text.focus()

    def show_on_phones(self, show: bool = True) -> bool:
        """Send every phone to the clause on screen (``show=False``: everyone moves freely)."""
        board = self.session.board_seen
        clause = board.clause.id if board is not None and show else None
        if not self._act(lambda: self.session.show_on_phones(clause), self.control_message):
            return False
        key = "workshop_app_shown" if clause else "workshop_app_freed"
        title = board.clause.title.get(self.lang) if board is not None else ""
        self.control_message.show(ah.say_html(t(key, self.lang, title=title)))
        self.refresh()
        return True

    def timer(self, op: str) -> bool:
        """The countdown on the clause on screen: ``start`` (the length chosen), ``pause``,
        ``resume``, ``add`` (30 s more) or ``off``; said in the status region below it."""
        board = self.session.board_seen
        if board is None:
            return False
        seconds = self.timer_length.value if op == "start" else None
        if not self._act(lambda: self.session.set_timer(op, seconds), self.timer_message):
            return False
        self.refresh()
        lang = self.lang
        said = {
            "start": t(
                "workshop_app_timer_started",
                lang,
                n=(seconds or 0) // 60,
                title=board.clause.title.get(lang),
            ),
            "pause": t("workshop_app_timer_paused_said", lang),
            "resume": t("workshop_app_timer_resumed", lang),
            "add": t("workshop_app_timer_added", lang, seconds=TIMER_STEP),
            "off": t("workshop_app_timer_stopped", lang),
        }
        self.timer_message.show(ah.say_html(said.get(op, "")))
        return True

    def use_proposal(self, proposal_id: str) -> None:
        """Take a proposal's text into the merged wording (after what is there)."""
        board = self.session.board_seen
        if board is None:
            return
        try:
            proposal = board.workshop.proposal(proposal_id)
        except WorkshopError:
            return
        now = self.wording.value.strip()
        self.wording.value = f"{now}\n{proposal.text}" if now else proposal.text
        self.editor_message.show(ah.say_html(t("workshop_app_used", self.lang)))

    def save_outcome(self) -> bool:
        """The clause on screen agreed or open, with the wording, who follows it up and by
        when."""
        board = self.session.board_seen
        if board is None:
            return False
        clause = board.clause
        status = self.status.value
        if status is None:
            self.editor_message.show(
                ah.error_html(WorkshopError("bad_status", "status").message(self.lang))
            )
            return False
        due = self.due.value if isinstance(self.due.value, date) else None
        if not self._act(
            lambda: self.session.settle(
                clause.id, status, self.wording.value, self.owner.value, due
            ),
            self.editor_message,
        ):
            return False
        self._editor_for = None  # the saved outcome comes back into the editor
        self.refresh()
        self.editor_message.show(ah.saved_html(clause, status, self.lang))
        return True

    def save_evaluation(self) -> bool:
        when = self.evaluation_date.value
        if not self._act(
            lambda: self.session.plan_evaluation(when, self.evaluation_by.value),
            self.evaluation_message,
        ):
            return False
        self.refresh()
        self.evaluation_message.show(ah.say_html(t("workshop_app_evaluation_saved", self.lang)))
        return True

    def download(self, kind: str) -> bool:
        """A link that saves the draft agreement as it is stored now."""
        from kit.live.store import StoreError

        try:
            made = self.session.download(kind)
        except StoreError as exc:
            self.download_links.show(ah.error_html(ah.error_message(exc, self.lang)))
            return False
        self.download_links.show(ah.download_html(made, kind, self.lang))
        return True

    def _on_close(self) -> None:
        """Ask first: closing cannot be undone (phones can no longer send)."""
        self.close_question.show(ah.end_question_html(self.lang), focus=True)
        self.close_confirm.layout.display = None

    def _on_close_cancelled(self) -> None:
        self.close_confirm.layout.display = "none"
        self.close_question.value = ""

    def _on_close_confirmed(self) -> None:
        self._on_close_cancelled()
        if self._act(self.session.close, self.close_error):
            self.close_error.value = ""
        self.refresh()

    # -- the agenda while it runs ----------------------------------------------------------
    def _on_remove(self) -> None:
        """Ask first: what was said on the clause goes with it."""
        board = self.session.board_seen
        if board is None:
            return
        self.remove_question.show(ah.remove_question_html(board, self.lang), focus=True)
        self.remove_confirm.layout.display = None

    def _on_remove_cancelled(self) -> None:
        self.remove_confirm.layout.display = "none"
        self.remove_question.value = ""

    def remove_clause_on_screen(self) -> bool:
        board = self.session.board_seen
        self._on_remove_cancelled()
        if board is None:
            return False
        clause = board.clause
        if not self._act(lambda: self.session.remove_clause(clause.id), self.change_message):
            return False
        self._editor_for = None
        self.refresh()
        title = clause.title.get(self.lang)
        self.change_message.show(ah.say_html(t("workshop_app_removed", self.lang, title=title)))
        self.clause_text.focus()
        return True

    def put_clause_back(self) -> bool:
        clause_id = self.put_back.value
        if not clause_id:
            return False
        if not self._act(lambda: self.session.add_clause(clause_id), self.change_message):
            return False
        clause = self.session.agenda.clause(clause_id)
        self.refresh()
        self.change_message.show(
            ah.say_html(
                t(
                    "workshop_app_put_back_done",
                    self.lang,
                    title=clause.title.get(self.lang),
                    n=clause.level,
                )
            )
        )
        return True

    def _add_own_live(self, title: Any, question: Any, level: Any) -> tuple[str, int]:
        added = self.session.add_custom_clause(title, question, level)
        self.refresh()
        return added.title.get(self.lang), added.level

    # -- the compass -----------------------------------------------------------------------
    def _retext_compass_toggle(self) -> None:
        shown = self.compass_box.layout.display != "none"
        key = "workshop_app_compass_hide" if shown else "workshop_app_compass_show"
        self.compass_toggle.description = t(key, self.lang)
        self.compass_toggle.pressed = shown

    def toggle_compass(self) -> None:
        shown = self.compass_box.layout.display != "none"
        self.compass_box.layout.display = "none" if shown else None
        self._retext_compass_toggle()

    def _on_compass(self, qid: str, change: dict) -> None:
        if self._compass_filling:
            return
        self.save_compass()

    def save_compass(self) -> bool:
        answers = {qid: group.value for qid, group in self.compass_groups.items()}
        if not self._act(lambda: self.session.attach_compass(answers), self.compass_message):
            return False
        self.refresh()
        return True

    def clear_compass(self) -> bool:
        self._compass_filling = True
        try:
            for group in self.compass_groups.values():
                group.value = None
        finally:
            self._compass_filling = False
        return self.save_compass()

    # -- the poller --------------------------------------------------------------------------
    def _poll(self) -> None:
        from kit.live.store import StoreError

        while not self._stop.wait(self.refresh_seconds):
            try:
                changed = self.session.poll()
            except StoreError as exc:
                self.stats.value = ah.error_html(ah.error_message(exc, self.lang))
                continue
            except Exception:  # noqa: BLE001 - keep polling; a database that is back recovers
                continue
            if changed:
                self.refresh()

    def start_polling(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll, name="kit-workshop", daemon=True)
            self._thread.start()

    def stop_polling(self) -> None:
        self._stop.set()
