"""The classification exercise: one case at a time, process and level, instant feedback."""

from __future__ import annotations

import base64
import random
from html import escape

import ipywidgets as widgets

from .. import render
from ..casefile import load_cases
from ..cases import Case
from ..exercise import (
    Answer,
    Feedback,
    Session,
    confusion,
    level_label,
    points_label,
    results_csv_bytes,
)
from ..i18n import t
from ..model import Model, load_model
from ..practice import Notice, Practice, PracticeSet, progress_rows
from .answering import case_html, level_choice, process_choice, progress_html
from .base import App, html
from .caseset import CaseSetPicker


class Klassifisering(App):
    """``notebooks/03_klassifiser.ipynb``: choose a case set, classify, see the summary."""

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
        self.session: Session | None = None
        self.feedback_shown: Feedback | None = None
        self.phase = "setup"
        #: adaptive practice over rounds ("øv på det jeg blander"), made on the first click
        self.practice: Practice | None = None
        #: the practice set the current session answers (None for other rounds)
        self.plan: PracticeSet | None = None
        #: what the learner is told about practice: on the summary, and in a practice round
        self.summary_notices: tuple[Notice, ...] = ()
        super().__init__(lang)

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        self.setup_box = self._build_setup(lang)
        self.exercise_box = self._build_exercise(lang)
        self.summary_box = self._build_summary(lang)
        self._show_phase()
        return [
            html(
                render.paragraph(t("klass_intro", lang), "kit-lead")
                + render.paragraph(t("klass_constructed_note", lang), "kit-note")
            ),
            self.setup_box,
            self.exercise_box,
            self.summary_box,
        ]

    def _build_setup(self, lang: str) -> widgets.VBox:
        picker_widgets = self.picker.build(lang)
        # the children tests and notebooks reach for
        self.source_choice = self.picker.source_choice
        self.domain_choice = self.picker.domain_choice
        self.upload_button = self.picker.upload_button
        self.upload_status = self.picker.upload_status
        self.shuffle_box = widgets.Checkbox(
            value=self.shuffle, description=t("klass_shuffle", lang), indent=False
        )
        self.start_button = widgets.Button(
            description=t("klass_start", lang), button_style="primary"
        )
        self.start_message = html("")
        self.source_choice.observe(self._on_source, names="value")
        self.shuffle_box.observe(self._on_shuffle, names="value")
        self.start_button.on_click(self._on_start)
        box = widgets.VBox(
            [
                html(render.heading(t("klass_setup_heading", lang))),
                *picker_widgets,
                self.shuffle_box,
                self.start_button,
                self.start_message,
            ]
        )
        box.add_class("kit-setup")
        return box

    def _build_exercise(self, lang: str) -> widgets.VBox:
        self.round_note = html("", "kit-practice-note")
        self.progress_text = html("", "kit-progress-text")
        self.case_view = html("", "kit-case")
        self.process_choice = process_choice(lang)
        self.level_choice = level_choice(lang)
        self.check_button = widgets.Button(
            description=t("klass_check", lang), button_style="primary"
        )
        self.feedback = html("", "kit-fb")
        self.next_button = widgets.Button(description=t("klass_next", lang))
        self.check_button.on_click(self._on_check)
        self.next_button.on_click(self._on_next)
        choices = widgets.HBox([self.process_choice, self.level_choice])
        choices.add_class("kit-wrap")
        box = widgets.VBox(
            [
                self.round_note,
                self.progress_text,
                self.case_view,
                choices,
                self.check_button,
                self.feedback,
                self.next_button,
            ]
        )
        box.add_class("kit-exercise")
        return box

    def _build_summary(self, lang: str) -> widgets.VBox:
        """The summary's widgets, made once per language and updated in place after each round
        (the charts are made on the first summary: they load the offline chart bundle)."""
        self.summary_text = html("")
        self.chart = None
        self.progress_view = None
        self.download = html("")
        # width auto: the whole label shows (a button's default width cuts it off)
        self.practise_button = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.mix_button = widgets.Button(
            description=t("klass_practise_mixups", lang),
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.restart_button = widgets.Button(
            description=t("klass_restart", lang), layout=widgets.Layout(width="auto")
        )
        self.practice_status = html("", "kit-practice-status")
        self.practise_button.on_click(self._on_practise_wrong)
        self.mix_button.on_click(self._on_practise_mixups)
        self.restart_button.on_click(self._on_restart)
        self.summary_buttons = widgets.HBox(
            [self.practise_button, self.mix_button, self.restart_button]
        )
        self.summary_buttons.add_class("kit-wrap")
        box = widgets.VBox()
        box.add_class("kit-summary")
        return box

    # -- showing state ----------------------------------------------------------------------
    def _show_phase(self) -> None:
        self.setup_box.layout.display = None if self.phase == "setup" else "none"
        self.exercise_box.layout.display = None if self.phase == "exercise" else "none"
        self.summary_box.layout.display = None if self.phase == "summary" else "none"
        if self.phase == "exercise":
            self._show_case()
        elif self.phase == "summary":
            self._show_summary()

    def _show_case(self) -> None:
        lang = self.lang
        session = self.session
        assert session is not None
        case = session.current
        if case is None:
            return
        n = session.index + 1
        score = session.score()
        answered = session.index + (1 if session.checked else 0)
        with self.hold_sync():
            self.progress_text.value = progress_html(
                answered,
                session.total,
                t("klass_progress_text", lang, n=n, total=session.total),
                lang,
                " · "
                + t("klass_score_text", lang, correct=score.correct, answered=score.answered)
                + " · "
                + t(
                    "klass_points_text",
                    lang,
                    points=points_label(score.points, lang),
                    answered=score.answered,
                ),
            )
            self.case_view.value = case_html(case, lang)
            self.round_note.value = self._round_note_html(lang)
            self.round_note.layout.display = None if self.plan is not None else "none"
            done = session.checked
            self.check_button.disabled = done
            self.process_choice.disabled = done
            self.level_choice.disabled = done
            self.next_button.disabled = not done
            last = session.index == session.total - 1
            self.next_button.description = t("klass_to_summary" if last else "klass_next", lang)
            if done:
                fb = session.feedbacks[session.index]
                self.process_choice.value = fb.answer.process
                self.level_choice.value = fb.answer.level or 0
                self.feedback.value = self._feedback_html(fb, lang)
            else:
                self.process_choice.value = None
                self.level_choice.value = None
                self.feedback.value = ""

    def _round_note_html(self, lang: str) -> str:
        """In a practice round: what the round is, and any distinction without cases left."""
        if self.plan is None:
            return ""
        notes = "".join(f"<li>{escape(n.text(lang))}</li>" for n in self.plan.notices)
        return (
            f"<div class='kit-note' role='status'><p>{escape(t('practice_round_note', lang))}</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def _feedback_html(self, fb: Feedback, lang: str) -> str:
        case = fb.case
        verdict = (
            "klass_fb_all_right"
            if fb.correct
            else "klass_fb_partial"
            if fb.partial
            else "klass_fb_part_right"
            if fb.process_ok or fb.level_ok
            else "klass_fb_all_wrong"
        )
        cls = f"kit-feedback-{fb.outcome}"
        reason = (
            f"<p class='kit-partial-reason'>{escape(t('klass_fb_partial_reason', lang))}</p>"
            if fb.partial
            else ""
        )
        expected_p = t("process_" + case.process, lang)
        given_p = t("process_" + fb.answer.process, lang)
        expected_l = level_label(case.level, lang)
        given_l = level_label(fb.answer.level, lang)
        part_p = (
            "✔ " + t("klass_fb_process_right", lang, expected=expected_p)
            if fb.process_ok
            else "✘ " + t("klass_fb_process_wrong", lang, given=given_p, expected=expected_p)
        )
        part_l = (
            "✔ " + t("klass_fb_level_right", lang, expected=expected_l)
            if fb.level_ok
            else "✘ " + t("klass_fb_level_wrong", lang, given=given_l, expected=expected_l)
        )
        if case.level:
            level = self.model.level(case.level)
            where = t(
                "klass_fb_model_level",
                lang,
                level=f"{render.level_title(level, lang)} ({level.subtitle.get(lang)})",
            )
        else:
            where = t("klass_fb_model_none", lang)
        return (
            f"<div class='kit-feedback {cls}' role='status'>"
            f"<p><strong>{escape(t(verdict, lang))}</strong></p>"
            f"<ul><li>{escape(part_p)}</li><li>{escape(part_l)}</li></ul>{reason}"
            f"<p><strong>{escape(t('klass_fb_explanation', lang))}:</strong> "
            f"{escape(case.explanation.get(lang))}</p>"
            f"<p>{escape(where)}</p></div>"
        )

    def _show_summary(self) -> None:
        lang = self.lang
        session = self.session
        assert session is not None
        score = session.score()
        rows = "".join(
            f"<tr><th scope='row'>{escape(t('process_' + p, lang))}</th>"
            f"<td>{escape(t('klass_by_process_row', lang, right=right, total=total))}</td></tr>"
            for p, (right, total) in score.by_process.items()
        )
        table = (
            f"<h3>{escape(t('klass_by_process_heading', lang))}</h3>"
            "<div class='kit-table-wrap'><table class='kit-table'><thead><tr>"
            f"<th scope='col'>{escape(t('klass_by_process_col', lang))}</th>"
            f"<th scope='col'>{escape(t('klass_by_process_right', lang))}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
        payload = base64.b64encode(results_csv_bytes(session.feedbacks, lang)).decode("ascii")
        download = (
            f"<p><a class='kit-download' download='{escape(t('klass_download_name', lang))}' "
            f"href='data:text/csv;charset=utf-8;base64,{payload}'>"
            f"⬇ {escape(t('klass_download', lang))}</a></p>"
        )
        self.summary_text.value = (
            render.heading(t("klass_summary_heading", lang))
            + render.paragraph(
                t(
                    "klass_summary_score",
                    lang,
                    correct=score.correct,
                    total=score.answered,
                    process=score.process_correct,
                    level=score.level_correct,
                )
                + " "
                + t(
                    "klass_summary_points",
                    lang,
                    points=points_label(score.points, lang),
                    total=score.answered,
                )
                + (" " + t("klass_summary_partial", lang, n=score.partial) if score.partial else "")
            )
            + table
        )
        wrong = session.wrong_cases()
        with self.practise_button.hold_sync():
            self.practise_button.description = t("klass_practise_wrong", lang, n=len(wrong))
            self.practise_button.disabled = not wrong
        self.download.value = download
        self.practice_status.value = self._notices_html(self.summary_notices, lang)
        tail = [self.download, self.summary_buttons, self.practice_status]
        if self.chart is None:
            # the words and buttons first: a new chart brings its JavaScript bundle and is slow
            self.summary_box.children = [self.summary_text, *tail]
        from .. import charts
        from .charts import chart_view

        rows_c = confusion(session.feedbacks)
        confusion_parts = (
            charts.confusion_chart(rows_c, lang),
            charts.confusion_summary(rows_c, lang),
            charts.confusion_table(rows_c, lang),
        )
        if self.chart is None:
            self.chart = chart_view(*confusion_parts, t("klass_table_summary", lang))
        else:
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
                self.progress_view = chart_view(*progress_parts, t("klass_table_summary", lang))
                self.progress_view.add_class("kit-practice-progress")
            else:
                self.progress_view.update(*progress_parts)
            parts.append(self.progress_view)
        parts += tail
        if tuple(self.summary_box.children) != tuple(parts):
            self.summary_box.children = parts

    @staticmethod
    def _notices_html(notices: tuple[Notice, ...], lang: str) -> str:
        if not notices:
            return ""
        return (
            "<div role='alert'>"
            + "".join(f"<p>{escape(n.text(lang))}</p>" for n in notices)
            + "</div>"
        )

    # -- choosing the case set ------------------------------------------------------------------
    def selected_cases(self) -> tuple[Case, ...]:
        return self.picker.selected()

    def _on_source(self, _change: dict) -> None:
        self.start_message.value = ""

    def _on_shuffle(self, change: dict) -> None:
        self.shuffle = change["new"]

    def load_file(self, data: bytes, name: str):
        """What an upload does, callable from tests and notebooks."""
        report = self.picker.load_file(data, name)
        self._render()
        return report

    def _on_start(self, _button: widgets.Button | None = None) -> None:
        cases = self.selected_cases()
        if not cases:
            self.start_message.value = (
                f"<p role='alert'>{escape(t('klass_no_cases', self.lang))}</p>"
            )
            return
        self.start(cases)

    def start(self, cases: tuple[Case, ...], plan: PracticeSet | None = None) -> None:
        """Start a round of ``cases``; ``plan`` is the practice set they come from, if any."""
        seed = self.rng.randrange(2**31) if self.shuffle else None
        self.session = Session(cases, seed=seed)
        self.plan = plan
        self.summary_notices = ()
        self.phase = "exercise"
        self._show_phase()

    # -- answering ------------------------------------------------------------------------------
    def _on_check(self, _button: widgets.Button | None = None) -> None:
        if self.process_choice.value is None or self.level_choice.value is None:
            self.feedback.value = f"<p role='alert'>{escape(t('klass_choose_both', self.lang))}</p>"
            return
        assert self.session is not None
        self.session.answer(Answer(self.process_choice.value, self.level_choice.value or None))
        self._show_case()

    def _on_next(self, _button: widgets.Button | None = None) -> None:
        assert self.session is not None
        self.session.advance()
        if self.session.finished:
            if self.practice is not None:
                self.practice.record(self.session.feedbacks, self.plan)
            self.phase = "summary"
        self._show_phase()

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
            self.practice_status.value = self._notices_html(plan.notices, self.lang)
            return
        self.start(plan.cases, plan=plan)

    def _on_restart(self, _button: widgets.Button | None = None) -> None:
        self.practice = None
        self.plan = None
        self.summary_notices = ()
        self.session = None
        self.phase = "setup"
        self._show_phase()
