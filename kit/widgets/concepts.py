"""The concepts app: samskaping, samproduksjon and verdisamskaping, with check questions."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .. import render
from ..i18n import t
from ..lessons import CheckQuestion, Feedback, Lesson, check_choice, load_lesson
from ..model import Model, load_model
from .base import App, html


class QuestionView(widgets.VBox):
    """One check question: the choices, a check button and the feedback area."""

    def __init__(self, app: Begreper, question: CheckQuestion, number: int, total: int) -> None:
        lang = app.lang
        self.app = app
        self.question = question
        self.prompt = html(render.question_text(question, number, total, lang))
        self.choice = widgets.RadioButtons(
            options=[(o.label.get(lang), o.key) for o in question.options],
            value=app.answers.get(question.id),
            description=t("answer_label", lang),
            layout=widgets.Layout(width="auto"),
        )
        self.check = widgets.Button(description=t("check_button", lang), icon="")
        self.check.add_class("kit-check")
        self.feedback = html(render.feedback(app.feedbacks.get(question.id), lang), "kit-fb")
        self.check.on_click(self._on_check)
        super().__init__([self.prompt, self.choice, self.check, self.feedback])
        self.add_class("kit-question")

    def _on_check(self, _button: widgets.Button) -> None:
        fb: Feedback = check_choice(self.question, self.choice.value)
        self.app.answers[self.question.id] = self.choice.value
        self.app.feedbacks[self.question.id] = fb
        self.feedback.value = render.feedback(fb, self.app.lang)


class Begreper(App):
    """``notebooks/01_begreper.ipynb``."""

    title_key = "app_title_begreper"

    def __init__(
        self, lang: str | None = None, model: Model | None = None, lesson: Lesson | None = None
    ) -> None:
        self.model = model or load_model()
        self.lesson = lesson or load_lesson()
        self.answers: dict[str, str | None] = {}
        self.feedbacks: dict[str, Feedback] = {}
        super().__init__(lang)

    def build(self, lang: str) -> list[widgets.Widget]:
        total = len(self.lesson.questions)
        self.questions = [
            QuestionView(self, q, i + 1, total) for i, q in enumerate(self.lesson.questions)
        ]
        return [
            html(render.paragraph(t("begreper_intro", lang), "kit-lead")),
            html(render.concepts_overview(self.model, lang)),
            html(render.cocreatable(self.model, lang)),
            html(render.contrast_pairs(self.lesson.contrasts, lang)),
            html(
                f"<h2>{escape(t('heading_check', lang))}</h2>"
                f"<p>{escape(t('check_intro', lang))}</p>"
            ),
            *self.questions,
        ]
