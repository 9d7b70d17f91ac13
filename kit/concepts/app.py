"""The concepts app: samskaping, samproduksjon and verdisamskaping, with check questions."""

from __future__ import annotations

import ipywidgets as widgets

from kit.concepts import html as concepts_html
from kit.concepts.lessons import CheckQuestion, Feedback, Lesson, check_choice, load_lesson
from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import App, html
from kit.core.ui.controls import ChoiceGroup, Region
from kit.model import html as render
from kit.model.model import Model, load_model


class QuestionView(widgets.VBox):
    """One check question: the choices, a check button and the feedback area (a live region
    that takes the focus after a check)."""

    def __init__(self, app: Begreper, question: CheckQuestion, number: int, total: int) -> None:
        self.app = app
        self.question = question
        self.number = number
        self.total = total
        self.prompt = html("")
        self.choice = ChoiceGroup(value=None)
        self.check = widgets.Button(icon="", layout=widgets.Layout(width="auto"))
        self.check.add_class("kit-check")
        self.feedback = Region(role="status", cls="kit-fb")
        self.retext(app.lang)
        self.check.on_click(self._on_check)
        self.choice.observe(self._on_choice, names="value")
        super().__init__([self.prompt, self.choice, self.check, self.feedback])
        self.add_class("kit-question")

    def retext(self, lang: str) -> None:
        """The question in ``lang``; the answer chosen and its feedback stay."""
        question = self.question
        self.prompt.value = concepts_html.question_text(question, self.number, self.total, lang)
        with self.choice.hold_sync():
            self.choice.options = [(o.label.get(lang), o.key) for o in question.options]
            self.choice.value = self.app.answers.get(question.id)
            # one name per question: "Svar på spørsmål 2", "Sjekk svaret på spørsmål 2"
            self.choice.description = t("answer_label_n", lang, n=self.number)
        self.check.description = t("check_button_n", lang, n=self.number)
        self.feedback.label = t("a11y_feedback_label", lang)
        self.feedback.show(concepts_html.feedback(self.app.feedbacks.get(question.id), lang))

    def _on_choice(self, change: dict) -> None:
        self.app.answers[self.question.id] = change["new"]

    def _on_check(self, _button: widgets.Button) -> None:
        fb: Feedback = check_choice(self.question, self.choice.value)
        self.app.answers[self.question.id] = self.choice.value
        self.app.feedbacks[self.question.id] = fb
        # an answer given: the feedback takes the focus; "choose first" is only announced
        self.feedback.show("")
        self.feedback.show(concepts_html.feedback(fb, self.app.lang), focus=fb.chosen is not None)


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
        """Every widget of the app, made once; :meth:`retext` gives them their texts."""
        total = len(self.lesson.questions)
        self.questions = [
            QuestionView(self, q, i + 1, total) for i, q in enumerate(self.lesson.questions)
        ]
        self.texts = html("")
        self.retext(lang)
        return [self.texts, *self.questions]

    def retext(self, lang: str) -> None:
        self.texts.value = (
            paragraph(t("begreper_intro", lang), "kit-lead")
            + render.concepts_overview(self.model, lang)
            + render.cocreatable(self.model, lang)
            + concepts_html.contrast_pairs(self.lesson.contrasts, lang)
            + heading(t("heading_check", lang))
            + paragraph(t("check_intro", lang))
        )
        for view in self.questions:
            view.retext(lang)
