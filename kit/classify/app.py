"""The classification exercise: one case at a time, process and level, instant feedback."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import ipywidgets as widgets

from kit.cases.case import Answer, Case
from kit.cases.casefile import load_cases
from kit.cases.grading import Feedback
from kit.cases.lms.export import ALL_LANGUAGES, FORMATS, languages, single_file
from kit.cases.pairs import SIDES
from kit.cases.picker import CaseSetPicker
from kit.classify import html as eh
from kit.classify.contrast import PairSelection, PairSession, select_pairs
from kit.classify.exercise import (
    ALL,
    COUNTS,
    MIXED,
    TIER_CHOICES,
    Selection,
    Session,
    confusion,
    results_csv_bytes,
    select_cases,
)
from kit.classify.practice import Notice, Practice, PracticeSet, progress_rows
from kit.core.html import download_link, heading, paragraph
from kit.core.i18n import LANGUAGES, language_name, t
from kit.core.invocation import samskaping_command
from kit.core.ui.app import App, html
from kit.core.ui.controls import ChoiceGroup, Region
from kit.model.labels import level_options, process_options
from kit.model.model import Model, load_model

if TYPE_CHECKING:  # imported where a chart is drawn: it loads altair
    from kit.core.ui.charts import ChartView


#: The largest LMS file the app offers as a download (it travels to the browser as a data:
#: address, a third larger); a larger one is made with ``samskaping export`` instead.
LMS_DOWNLOAD_MAX = 6_000_000

#: The kinds of round: one case at a time, or contrast pairs side by side ("Kontrastpar").
MODES: tuple[str, ...] = ("single", "pairs")


def steps_box(next_button: widgets.Button, finish_button: widgets.Button) -> widgets.HBox:
    """ "Next" and "finish" side by side, wrapping on a phone."""
    box = widgets.HBox([next_button, finish_button])
    box.add_class("kit-wrap")
    box.add_class("kit-steps")
    return box


def show_choices(
    groups: tuple[ChoiceGroup, ChoiceGroup], feedback: Feedback | None, fresh: bool
) -> None:
    """A case's process and level choices: once checked (``feedback``), the answer given, the
    key marked (a wrong choice as wrong, the key as right) and no more choosing; else cleared
    for a case shown anew (``fresh``), or kept as chosen (a redraw, say a language switch)."""
    keys: tuple[str | None, int | None] = (None, None)
    chosen: tuple[str | None, int | None] = (None, None)
    if feedback is not None:
        chosen = (feedback.answer.process, feedback.answer.level_choice)
        keys = (feedback.case.process, feedback.case.level or 0)
    elif not fresh:
        chosen = (groups[0].value, groups[1].value)
    for choice, value, key in zip(groups, chosen, keys, strict=True):
        with choice.hold_sync():
            choice.value = value
            choice.disabled = feedback is not None
            choice.mark(key)


class Klassifisering(App):
    """``notebooks/03_klassifiser.ipynb``: choose a case set, one case at a time or contrast
    pairs, its difficulty and how many, classify (stopping early if the learner wants), see the
    summary."""

    title_key = "app_title_klassifiser"

    def __init__(
        self,
        lang: str | None = None,
        cases: tuple[Case, ...] | None = None,
        seed: int | None = None,
        model: Model | None = None,
    ) -> None:
        self.model = model or load_model()
        self.library = cases if cases is not None else load_cases()
        self.picker = CaseSetPicker(self.library)
        self.rng = random.Random(seed)
        self.shuffle = True
        #: the difficulty (a tier or MIXED) and the number of cases (or ALL) of the next round;
        #: the defaults take the whole set, as the app did before the choice existed
        self.tier = MIXED
        self.count: int | str = ALL
        #: one case at a time ("single") or contrast pairs side by side ("pairs")
        self.mode = "single"
        #: why the last click on "start" started nothing: (text key, tier), or None
        self.start_problem: tuple[str, str] | None = None
        self.session: Session | PairSession | None = None
        #: the choice the current round was made from (None for practice rounds)
        self.selection: Selection | None = None
        #: the choice the current pair round was made from
        self.pair_selection: PairSelection | None = None
        self.feedback_shown: Feedback | None = None
        self.phase = "setup"
        #: adaptive practice over rounds ("øv på det jeg blander"), made on the first click
        self.practice: Practice | None = None
        #: the practice set the current session answers (None for other rounds)
        self.plan: PracticeSet | None = None
        #: what the learner is told about practice: on the summary, and in a practice round
        self.summary_notices: tuple[Notice, ...] = ()
        #: (session, index) of the case on screen, so a redraw of it keeps the choices
        self._shown_case: tuple[int, int] | None = None
        #: (session, index) of the pair on screen
        self._shown_pair: tuple[int, int] | None = None
        super().__init__(lang)

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        """Every widget of the app, made once; :meth:`retext` gives them their texts."""
        #: the lead is shown with the setup only: the case and its choices need the room after
        self.intro = html("")
        #: that the cases are made up: shown in every phase, the cases are read under it
        self.note = html("", "kit-case-note")
        self.setup_box = self._build_setup(lang)
        self.exercise_box = self._build_exercise()
        self.pair_box = self._build_pairs()
        self.summary_box = self._build_summary()
        self.retext(lang)
        return [
            self.intro,
            self.note,
            self.setup_box,
            self.exercise_box,
            self.pair_box,
            self.summary_box,
        ]

    def retext(self, lang: str) -> None:
        """The texts of ``lang`` in the same widgets; the session and its view stay."""
        self.intro.value = paragraph(t("klass_intro", lang), "kit-lead")
        self.note.value = paragraph(t("klass_constructed_note", lang), "kit-note")
        self.setup_heading.value = eh.focus_heading_html(t("klass_setup_heading", lang))
        self.picker.build(lang)
        with self.mode_choice.hold_sync():
            self.mode_choice.options = [(t("klass_mode_" + m, lang), m) for m in MODES]
            self.mode_choice.value = self.mode
            self.mode_choice.description = t("klass_mode_label", lang)
        with self.tier_choice.hold_sync():
            self.tier_choice.options = [
                (t("klass_tier_option_" + tier, lang), tier) for tier in TIER_CHOICES
            ]
            self.tier_choice.value = self.tier
            self.tier_choice.description = t("klass_tier_label", lang)
        with self.count_choice.hold_sync():
            self.count_choice.options = [
                (t("klass_count_all", lang) if n == ALL else str(n), n) for n in COUNTS
            ]
            self.count_choice.value = self.count
            self.count_choice.description = self._count_label(lang)
        self._retext_lms(lang)
        self.shuffle_box.description = t("klass_shuffle", lang)
        self.start_button.description = t("klass_start", lang)
        self._show_start_problem()
        with self.process_choice.hold_sync():
            self.process_choice.options = process_options(lang)
            self.process_choice.description = t("klass_process_label", lang)
        with self.level_choice.hold_sync():
            self.level_choice.options = level_options(lang)
            self.level_choice.description = t("klass_level_label", lang)
        self.check_button.description = t("klass_check", lang)
        self.finish_button.description = t("klass_finish", lang)
        self.feedback.label = t("a11y_feedback_label", lang)
        self.mix_button.description = t("klass_practise_mixups", lang)
        self.restart_button.description = t("klass_restart", lang)
        for side, process, level in zip(SIDES, self.pair_process, self.pair_level, strict=True):
            with process.hold_sync():
                process.options = process_options(lang)
                process.description = t("klass_pair_process_label", lang, side=side)
            with level.hold_sync():
                level.options = level_options(lang)
                level.description = t("klass_pair_level_label", lang, side=side)
        self.pair_check.description = t("klass_pair_check", lang)
        self.pair_finish.description = t("klass_finish", lang)
        self._show_phase()

    def _count_label(self, lang: str) -> str:
        return t("klass_pair_count_label" if self.mode == "pairs" else "klass_count_label", lang)

    def _build_setup(self, lang: str) -> widgets.VBox:
        self.setup_heading = Region()
        picker_widgets = self.picker.build(lang)
        # the children tests and notebooks reach for
        self.source_choice = self.picker.source_choice
        self.domain_choice = self.picker.domain_choice
        self.upload_button = self.picker.upload_button
        self.upload_status = self.picker.upload_status
        #: one case at a time or contrast pairs; difficulty and number of cases: short options
        #: side by side, keyboard-usable
        self.mode_choice = ChoiceGroup(variant="pills")
        self.tier_choice = ChoiceGroup(variant="pills")
        self.count_choice = ChoiceGroup(variant="pills")
        self.shuffle_box = widgets.Checkbox(value=self.shuffle, indent=False)
        self.start_button = widgets.Button(button_style="primary")
        self.start_message = html("")
        self.source_choice.observe(self._on_source, names="value")
        self.mode_choice.observe(self._on_mode, names="value")
        self.tier_choice.observe(self._on_tier, names="value")
        self.count_choice.observe(self._on_count, names="value")
        self.shuffle_box.observe(self._on_shuffle, names="value")
        self.start_button.on_click(self._on_start)
        self.lms_box = self._build_lms()
        self.picker.on_change = self._show_lms
        box = widgets.VBox(
            [
                self.setup_heading,
                *picker_widgets,
                self.lms_box,
                self.mode_choice,
                self.tier_choice,
                self.count_choice,
                self.shuffle_box,
                self.start_button,
                self.start_message,
            ]
        )
        box.add_class("kit-setup")
        return box

    def _build_lms(self) -> widgets.VBox:
        """ "Last ned til LMS": a course leader's own file as questions for a learning platform
        (:func:`kit.cases.lms.export.single_file`), shown while a good file is chosen."""
        self.lms_heading = html("")
        self.lms_format = widgets.Dropdown(
            style={"description_width": "initial"}, layout=widgets.Layout(width="auto")
        )
        self.lms_lang = widgets.Dropdown(
            style={"description_width": "initial"}, layout=widgets.Layout(width="auto")
        )
        self.lms_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.lms_link = html("", "kit-lms-link")
        self.lms_button.on_click(self._on_lms)
        self.lms_format.observe(self._clear_lms_link, names="value")
        self.lms_lang.observe(self._clear_lms_link, names="value")
        box = widgets.VBox(
            [self.lms_heading, self.lms_format, self.lms_lang, self.lms_button, self.lms_link]
        )
        box.add_class("kit-lms")
        return box

    def _retext_lms(self, lang: str) -> None:
        self.lms_heading.value = heading(t("klass_lms_heading", lang), 3) + paragraph(
            t("klass_lms_intro", lang)
        )
        with self.lms_format.hold_sync():
            chosen = self.lms_format.value or next(iter(FORMATS))
            self.lms_format.options = [(t("lms_format_" + f, lang), f) for f in FORMATS]
            self.lms_format.value = chosen
            self.lms_format.description = t("klass_lms_format", lang)
        with self.lms_lang.hold_sync():
            chosen = self.lms_lang.value or lang
            self.lms_lang.options = [
                *((language_name(code), code) for code in LANGUAGES),
                (t("klass_lms_lang_all", lang), ALL_LANGUAGES),
            ]
            self.lms_lang.value = chosen
            self.lms_lang.description = t("klass_lms_lang", lang)
        self.lms_button.description = t("klass_lms_make", lang)
        self.lms_link.value = ""
        self._show_lms()

    def _show_lms(self) -> None:
        """The LMS download is there while the chosen set is a course leader's good file."""
        report = self.picker.upload
        good = self.picker.source == "file" and report is not None and report.ok
        self.lms_box.layout.display = None if good else "none"
        self.lms_link.value = ""

    def _clear_lms_link(self, _change: dict) -> None:
        self.lms_link.value = ""

    def _on_lms(self, _button: widgets.Button | None = None) -> None:
        cases = self.picker.selected()
        if not cases:
            return
        fmt, choice = self.lms_format.value, self.lms_lang.value
        name, data, mime = single_file(cases, fmt, languages(choice))
        if len(data) > LMS_DOWNLOAD_MAX:
            self.lms_link.value = eh.alert_html(
                t(
                    "klass_lms_too_big",
                    self.lang,
                    size=round(len(data) / 1e6, 1),
                    command=samskaping_command(),
                    format=fmt,
                    language=choice,
                )
            )
            return
        self.lms_link.value = download_link(
            data, mime, name, t("klass_lms_download", self.lang, name=name)
        )

    def _build_exercise(self) -> widgets.VBox:
        self.round_note = html("", "kit-practice-note")
        #: the chosen tier had fewer cases than asked for: the round says it takes them all
        self.selection_note = html("", "kit-selection-note")
        self.progress_text = html("", "kit-progress-text")
        #: the case; its title takes the focus when a case is shown
        self.case_view = Region(cls="kit-case")
        self.process_choice = ChoiceGroup()
        self.level_choice = ChoiceGroup()
        self.check_button = widgets.Button(button_style="primary")
        #: a live region from the first render: right or wrong is announced, and focused
        self.feedback = Region(role="status", cls="kit-fb")
        self.next_button = widgets.Button()
        #: ends the round at any time with the answers given so far (hidden once the last case
        #: is checked: "see summary" is then the next step)
        self.finish_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.check_button.on_click(self._on_check)
        self.next_button.on_click(self._on_next)
        self.finish_button.on_click(self._on_finish)
        choices = widgets.HBox([self.process_choice, self.level_choice])
        choices.add_class("kit-wrap")
        steps = steps_box(self.next_button, self.finish_button)
        box = widgets.VBox(
            [
                self.round_note,
                self.selection_note,
                self.progress_text,
                self.case_view,
                choices,
                self.check_button,
                self.feedback,
                steps,
            ]
        )
        box.add_class("kit-exercise")
        return box

    def _build_pairs(self) -> widgets.VBox:
        """The contrast-pair round's widgets: the pair's heading, its two cases side by side
        (stacked on a phone), each with its process and level, one check for both, the
        verdicts and what differs in a live region, and the steps on."""
        self.pair_note = html("", "kit-pair-note")
        self.pair_progress = html("", "kit-pair-progress")
        #: the pair's heading takes the focus when a pair is shown
        self.pair_head = Region(cls="kit-pair-head")
        self.pair_views = (Region(cls="kit-pair-view"), Region(cls="kit-pair-view"))
        self.pair_process = (ChoiceGroup(), ChoiceGroup())
        self.pair_level = (ChoiceGroup(), ChoiceGroup())
        columns = []
        for view, process, level in zip(
            self.pair_views, self.pair_process, self.pair_level, strict=True
        ):
            column = widgets.VBox([view, process, level])
            column.add_class("kit-pair-case")
            columns.append(column)
        self.pair_columns = widgets.HBox(columns)
        self.pair_columns.add_class("kit-pair-columns")
        self.pair_check = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        #: a live region: both verdicts, both keys and the difference, focused after the check
        self.pair_feedback = Region(role="status", cls="kit-pair-fb")
        self.pair_next = widgets.Button(layout=widgets.Layout(width="auto"))
        self.pair_finish = widgets.Button(layout=widgets.Layout(width="auto"))
        self.pair_check.on_click(self._on_pair_check)
        self.pair_next.on_click(self._on_next)
        self.pair_finish.on_click(self._on_finish)
        steps = steps_box(self.pair_next, self.pair_finish)
        box = widgets.VBox(
            [
                self.pair_note,
                self.pair_progress,
                self.pair_head,
                self.pair_columns,
                self.pair_check,
                self.pair_feedback,
                steps,
            ]
        )
        box.add_class("kit-pairs")
        return box

    def _build_summary(self) -> widgets.VBox:
        """The summary's widgets, made once and updated in place after each round (the
        charts are made on the first summary: they load the offline chart bundle)."""
        self.summary_text = Region(cls="kit-summary-text")
        self.chart: ChartView | None = None
        self.progress_view: ChartView | None = None
        self.download = html("")
        # width auto: the whole label shows (a button's default width cuts it off)
        self.practise_button = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.mix_button = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.restart_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.practice_status = html("", "kit-practice-status")
        self.practise_button.on_click(self._on_practise_wrong)
        self.mix_button.on_click(self._on_practise_mixups)
        self.restart_button.on_click(self._on_restart)
        self.summary_buttons = widgets.HBox(
            [self.practise_button, self.mix_button, self.restart_button]
        )
        self.summary_buttons.add_class("kit-wrap")
        # the summary's words are in the box from the start: a region made visible by the same
        # update that asks it for the focus has no view yet to take it (the first summary then
        # left the focus on <body>); its view stays while the rest of the box changes after it
        box = widgets.VBox([self.summary_text])
        box.add_class("kit-summary")
        return box

    # -- showing state ----------------------------------------------------------------------
    def _show_phase(self, focus: bool = False) -> None:
        """Show the setup, the exercise or the summary; with ``focus``, move the keyboard focus
        to its start (the setup heading, the case's title, the summary heading)."""
        self.intro.layout.display = None if self.phase == "setup" else "none"
        self.setup_box.layout.display = None if self.phase == "setup" else "none"
        self.exercise_box.layout.display = None if self.phase == "exercise" else "none"
        self.pair_box.layout.display = None if self.phase == "pairs" else "none"
        self.summary_box.layout.display = None if self.phase == "summary" else "none"
        if self.phase == "exercise":
            self._show_case(focus="case" if focus else None)
        elif self.phase == "pairs":
            self._show_pair(focus="case" if focus else None)
        elif self.phase == "summary":
            self._show_summary(focus=focus)
        elif focus:
            self.setup_heading.focus()

    def _show_case(self, focus: str | None = None) -> None:
        """The current case, its controls and (once checked) its feedback. ``focus`` is
        "case" (after "next": the case's title) or "feedback" (after "check")."""
        lang = self.lang
        session = self.session
        assert isinstance(session, Session)
        case = session.current
        if case is None:
            return
        n = session.index + 1
        answered = session.index + (1 if session.checked else 0)
        done = session.checked
        new_case = (id(session), session.index) != self._shown_case
        self._shown_case = (id(session), session.index)
        # The controls of this case first, then the case and its progress. The browser applies
        # the messages in the order they are sent, each widget's in one message (hold_sync), so
        # once "Case 2 of 5" shows, its choices are already cleared and enabled: a quick click
        # on one is never undone by a clearing that arrives after it.
        fb = session.feedbacks[session.index] if done else None
        show_choices((self.process_choice, self.level_choice), fb, new_case)
        self.check_button.disabled = done
        last = session.last
        with self.next_button.hold_sync():
            self.next_button.disabled = not done
            self.next_button.description = t("klass_to_summary" if last else "klass_next", lang)
        self.finish_button.layout.display = "none" if last and done else None
        if not done and new_case:
            self.feedback.show("")
        self.round_note.value = (
            eh.round_note_html((note.text(lang) for note in self.plan.notices), lang)
            if self.plan is not None
            else ""
        )
        self.round_note.layout.display = None if self.plan is not None else "none"
        note = eh.selection_note_html(self.selection, lang) if self.selection is not None else ""
        self.selection_note.value = note
        self.selection_note.layout.display = None if note else "none"
        self.progress_text.value = eh.progress_html(
            answered,
            session.total,
            t("klass_progress_text", lang, n=n, total=session.total),
            lang,
            eh.score_line(session.score(), lang),
        )
        self.case_view.show(eh.case_html(case, lang), focus=focus == "case")
        if fb is not None:
            self.feedback.show(eh.feedback_html(fb, self.model, lang), focus=focus == "feedback")

    def _show_pair(self, focus: str | None = None) -> None:
        """The current pair, its choices and (once checked) both verdicts and the difference.
        ``focus`` is "case" (the pair's heading) or "feedback" (after the check)."""
        lang = self.lang
        session = self.session
        assert isinstance(session, PairSession)
        pair = session.current
        if pair is None:
            return
        done = session.checked
        new_pair = (id(session), session.index) != self._shown_pair
        self._shown_pair = (id(session), session.index)
        verdict = session.verdicts[session.index] if done else None
        # the controls first, as in _show_case: a quick click is never undone by a clearing
        for i in range(2):
            fb = verdict.feedbacks[i] if verdict is not None else None
            show_choices((self.pair_process[i], self.pair_level[i]), fb, new_pair)
        self.pair_check.disabled = done
        last = session.last
        with self.pair_next.hold_sync():
            self.pair_next.disabled = not done
            self.pair_next.description = t("klass_to_summary" if last else "klass_pair_next", lang)
        self.pair_finish.layout.display = "none" if last and done else None
        if not done and new_pair:
            self.pair_feedback.show("")
        selection = self.pair_selection
        note = eh.pair_note_html(selection, lang) if selection is not None else ""
        self.pair_note.value = note
        self.pair_note.layout.display = None if note else "none"
        n, total = session.index + 1, session.pair_total
        self.pair_progress.value = eh.progress_html(
            session.answered,
            session.total,
            t("klass_pair_progress", lang, n=n, total=total),
            lang,
            eh.score_line(session.score(), lang),
        )
        for side, view, case in zip(SIDES, self.pair_views, pair.cases, strict=True):
            view.value = eh.pair_case_html(case, side, lang)
        self.pair_head.show(eh.pair_heading_html(n, total, lang), focus=focus == "case")
        if verdict is not None:
            self.pair_feedback.show(
                eh.pair_feedback_html(verdict, self.model, lang), focus=focus == "feedback"
            )

    def _show_summary(self, focus: bool = False) -> None:
        lang = self.lang
        session = self.session
        assert session is not None
        self.practice_status.value = eh.notices_html([n.text(lang) for n in self.summary_notices])
        if not session.feedbacks:
            self._show_empty_summary(focus)
            return
        self.practise_button.layout.display = None
        self.mix_button.layout.display = None
        self.summary_text.show(
            eh.summary_html(session.score(), lang, planned=session.total), focus=focus
        )
        wrong = session.wrong_cases()
        with self.practise_button.hold_sync():
            self.practise_button.description = t("klass_practise_wrong", lang, n=len(wrong))
            self.practise_button.disabled = not wrong
        self.download.value = eh.download_html(results_csv_bytes(session.feedbacks, lang), lang)
        tail = [self.download, self.summary_buttons, self.practice_status]
        if self.chart is None:
            # the words and buttons first: a new chart brings its JavaScript bundle and is slow
            self.summary_box.children = [self.summary_text, *tail]
        from kit.classify import charts
        from kit.core.ui.charts import chart_view

        table_summary = t("klass_table_summary", lang)
        rows_c = confusion(session.feedbacks)
        confusion_parts = (
            charts.confusion_chart(rows_c, lang),
            charts.confusion_summary(rows_c, lang),
            charts.confusion_table(rows_c, lang),
        )
        if self.chart is None:
            self.chart = chart_view(*confusion_parts, table_summary)
        else:
            self.chart._table_summary = table_summary  # the words follow the language
            self.chart.update(*confusion_parts)
        parts: list[widgets.Widget] = [self.summary_text, self.chart]
        if self.practice is not None and self.practice.rounds:
            rows_p = progress_rows(self.practice.progress())
            progress_parts = (
                charts.practice_progress_chart(rows_p, lang),
                charts.practice_progress_summary(rows_p, lang),
                charts.practice_progress_table(rows_p, lang),
            )
            if self.progress_view is None:
                self.progress_view = chart_view(*progress_parts, table_summary)
                self.progress_view.add_class("kit-practice-progress")
            else:
                self.progress_view._table_summary = table_summary
                self.progress_view.update(*progress_parts)
            parts.append(self.progress_view)
        parts += tail
        if tuple(self.summary_box.children) != tuple(parts):
            self.summary_box.children = parts

    def _show_empty_summary(self, focus: bool) -> None:
        """A round finished before the first answer: nothing to count, chart or download; the
        heading says so, and "choose new cases" (and, in practice, the next practice round)
        goes on from there."""
        self.summary_text.show(eh.nothing_to_summarise_html(self.lang), focus=focus)
        self.practise_button.layout.display = "none"
        self.mix_button.layout.display = None if self.practice is not None else "none"
        parts = [self.summary_text, self.summary_buttons, self.practice_status]
        if tuple(self.summary_box.children) != tuple(parts):
            self.summary_box.children = parts

    # -- choosing the case set ------------------------------------------------------------------
    def selected_cases(self) -> tuple[Case, ...]:
        return self.picker.selected()

    def _on_source(self, _change: dict) -> None:
        self._set_start_problem(None)
        self._show_lms()

    def _on_mode(self, change: dict) -> None:
        if change["new"] is not None:
            self.mode = change["new"]
        self.count_choice.description = self._count_label(self.lang)
        self._set_start_problem(None)

    def _on_tier(self, change: dict) -> None:
        if change["new"] is not None:
            self.tier = change["new"]
        self._set_start_problem(None)

    def _on_count(self, change: dict) -> None:
        if change["new"] is not None:
            self.count = change["new"]

    def _set_start_problem(self, problem: tuple[str, str] | None) -> None:
        self.start_problem = problem
        self.start_message.value = ""  # so the same message again is announced again
        self._show_start_problem()

    def _show_start_problem(self) -> None:
        """Why "start" started nothing, in the current language (role=alert), or nothing."""
        problem = self.start_problem
        if problem is None:
            self.start_message.value = ""
        elif problem[0] == "no_tier":
            self.start_message.value = eh.no_tier_cases_html(problem[1], self.lang)
        elif problem[0] == "no_tier_pairs":
            tier = t("tier_" + problem[1], self.lang)
            self.start_message.value = eh.alert_html(t("klass_no_tier_pairs", self.lang, tier=tier))
        elif problem[0] == "no_pairs":
            self.start_message.value = eh.alert_html(t("klass_no_pairs", self.lang))
        else:
            self.start_message.value = eh.alert_html(t("klass_no_cases", self.lang))

    def _on_shuffle(self, change: dict) -> None:
        self.shuffle = change["new"]

    def load_file(self, data: bytes, name: str):
        """What an upload does, callable from tests and notebooks."""
        return self.picker.load_file(data, name)

    def _new_seed(self) -> int | None:
        """The order of the next round: a seed when shuffling, None for the set's order."""
        return self.rng.randrange(2**31) if self.shuffle else None

    def _on_start(self, _button: widgets.Button | None = None) -> None:
        """Start a round of the chosen set, tier and number of cases; a message instead when
        the set, or its chosen tier, has no case."""
        cases = self.selected_cases()
        if not cases:
            self._set_start_problem(("no_cases", ""))
            return
        if self.mode == "pairs":
            self._start_pairs(cases)
            return
        selection = select_cases(cases, self.tier, self.count, self._new_seed())
        if not selection.cases:
            self._set_start_problem(("no_tier", selection.tier))
            return
        self._set_start_problem(None)
        # the selection is already in the round's order
        self._begin(Session(selection.cases), selection=selection)

    def _start_pairs(self, cases: tuple[Case, ...]) -> None:
        """Start a round of the set's contrast pairs of the chosen tier; a message instead when
        the set has none (of that tier)."""
        chosen = select_pairs(cases, self.tier, self.count, self._new_seed())
        if not chosen.pairs:
            any_pairs = self.tier != MIXED and select_pairs(cases).pairs
            self._set_start_problem(("no_tier_pairs", self.tier) if any_pairs else ("no_pairs", ""))
            return
        self._set_start_problem(None)
        self._begin(PairSession(chosen.pairs), pair_selection=chosen)

    def start(self, cases: tuple[Case, ...], plan: PracticeSet | None = None) -> None:
        """Start a round of all of ``cases`` (shuffled if chosen); ``plan`` is the practice set
        they come from, if any."""
        self._begin(Session(cases, seed=self._new_seed()), plan=plan)

    def _begin(
        self,
        session: Session | PairSession,
        plan: PracticeSet | None = None,
        selection: Selection | None = None,
        pair_selection: PairSelection | None = None,
    ) -> None:
        self.session = session
        self.selection = selection
        self.pair_selection = pair_selection
        self._shown_case = None
        self._shown_pair = None
        self.plan = plan
        self.summary_notices = ()
        self.phase = "pairs" if isinstance(session, PairSession) else "exercise"
        self._show_phase(focus=True)

    # -- answering ------------------------------------------------------------------------------
    def _on_check(self, _button: widgets.Button | None = None) -> None:
        if self.phase != "exercise" or not isinstance(self.session, Session):
            return  # a late click, sent before the summary reached the browser
        if self.session.finished:
            return
        if self.process_choice.value is None or self.level_choice.value is None:
            # said in the live region; the focus stays on the button
            self.feedback.show("")
            self.feedback.show(eh.message_html(t("klass_choose_both", self.lang)))
            return
        self.session.answer(Answer(self.process_choice.value, self.level_choice.value or None))
        self._show_case(focus="feedback")

    def _on_pair_check(self, _button: widgets.Button | None = None) -> None:
        """Check both answers of the pair at once; if any choice is missing, say so in the
        live region (the focus stays on the button)."""
        session = self.session
        if self.phase != "pairs" or not isinstance(session, PairSession) or session.finished:
            return  # a late click, sent before the summary reached the browser
        groups = zip(self.pair_process, self.pair_level, strict=True)
        chosen = [(p.value, lv.value) for p, lv in groups]
        if any(value is None for answer in chosen for value in answer):
            self.pair_feedback.show("")
            self.pair_feedback.show(eh.message_html(t("klass_pair_choose_all", self.lang)))
            return
        first, second = (Answer.from_choice(p, lv) for p, lv in chosen)
        session.answer(first, second)
        self._show_pair(focus="feedback")

    def _on_next(self, _button: widgets.Button | None = None) -> None:
        session = self.session
        if session is None or session.finished or not session.checked:
            # a second quick click, sent before the first one's new case reached the browser
            return
        session.advance()
        if session.finished:
            self._end_round()
            return
        self._show_phase(focus=True)

    def _on_finish(self, _button: widgets.Button | None = None) -> None:
        """End the round now with the answers given so far and show its summary."""
        session = self.session
        if self.phase not in ("exercise", "pairs") or session is None or session.finished:
            return  # a second click, sent before the summary reached the browser
        session.stop()
        self._end_round()

    def _end_round(self) -> None:
        """The round is over: practice takes in its answers; the summary takes the focus."""
        assert self.session is not None
        if self.practice is not None and self.session.feedbacks:
            self.practice.record(self.session.feedbacks, self.plan)
        self.phase = "summary"
        self._show_phase(focus=True)

    def _on_practise_wrong(self, _button: widgets.Button | None = None) -> None:
        assert self.session is not None
        wrong = self.session.wrong_cases()
        if wrong:
            self.start(wrong)

    def _on_practise_mixups(self, _button: widgets.Button | None = None) -> None:
        """A practice round aimed at what the learner mixed up; a message if there is none."""
        session = self.session
        assert session is not None
        if self.practice is None:
            self.practice = Practice(
                session.cases + self.library, session.feedbacks, self.rng.randrange(2**31)
            )
        plan = self.practice.next_set()
        if not plan.cases:
            self.summary_notices = plan.notices
            self.practice_status.value = ""  # so a second click is announced again
            self.practice_status.value = eh.notices_html([n.text(self.lang) for n in plan.notices])
            return
        self.start(plan.cases, plan=plan)

    def _on_restart(self, _button: widgets.Button | None = None) -> None:
        self.practice = None
        self.plan = None
        self.summary_notices = ()
        self.session = None
        self.selection = None
        self.pair_selection = None
        self.phase = "setup"
        self._show_phase(focus=True)
