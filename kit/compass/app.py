"""Samskapingskompasset: a guided questionnaire about the learner's own initiative.

The widget only wires controls to :mod:`kit.compass.compass`, which holds the questions, the rules and
the HTML of the result. Answers live in ``self.answers`` (and the initiative's name in
``self.initiative``), so a language switch, which rebuilds the body, keeps them.
"""

from __future__ import annotations

import ipywidgets as widgets

from kit.compass import compass as kc
from kit.compass import html as kh
from kit.core.html import heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import App, html
from kit.core.ui.controls import ChoiceGroup, Region
from kit.model.model import Model, load_model

#: The compass's figure; the questions are :class:`~kit.core.ui.controls.ChoiceGroup` cards,
#: styled in kit.css.
_CSS = (
    kh.COMPASS_CSS
    + """
.kit-kompass-name input { min-width: 12em; }
.kit-kompass-results .widget-html, .kit-kompass-results .widget-html-content { min-width: 0; max-width: 100%; }
@media (max-width: 640px) { .kit-app .kit-top h1 { font-size: 1.45rem; overflow-wrap: anywhere; } }
"""
)


class Kompass(App):
    """``notebooks/04_egen_sak.ipynb``: answer, press "Vis resultat", read, download."""

    title_key = "app_title_kompass"

    def __init__(
        self, lang: str | None = None, compass: kc.Compass | None = None, model: Model | None = None
    ) -> None:
        self.compass = compass or kc.load_compass()
        self.model = model or load_model()
        self.answers: dict[str, str | None] = {q.id: None for q in self.compass.questions}
        self.initiative = ""
        self.shown = False
        self.assessment: kc.Assessment | None = None
        super().__init__(lang)

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        """Every widget of the app, made once; :meth:`retext` gives them their texts."""
        #: one labelled radio group per question; its label is the question, as a heading
        self.questions: dict[str, ChoiceGroup] = {}
        boxes = []
        for question in self.compass.questions:
            radio = ChoiceGroup(value=None, heading=3)
            self.questions[question.id] = radio
            box = widgets.VBox([radio])
            box.add_class("kit-kompass-question")
            boxes.append(box)
        self.name_input = widgets.Text(
            value=self.initiative,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
            continuous_update=False,
        )
        self.name_input.add_class("kit-kompass-name")
        self.show_button = widgets.Button(button_style="primary")
        self.show_button.on_click(self._on_show)
        self.result = Region(cls="kit-kompass-result")
        self.diagram = html("", "kit-kompass-figure")
        self.gaps = html("", "kit-kompass-gaps")
        self.download = html("", "kit-kompass-download")
        self.result_box = widgets.VBox([self.result, self.diagram, self.gaps, self.download])
        self.result_box.add_class("kit-kompass-results")
        self.intro = html("")
        self.questions_heading = html("")
        self.rules = html("")
        self.retext(lang)
        for qid, radio in self.questions.items():
            radio.observe(lambda change, qid=qid: self._on_answer(qid, change), names="value")
        self.name_input.observe(self._on_name, names="value")
        return [
            html(f"<style>{_CSS}</style>"),
            self.intro,
            self.name_input,
            self.questions_heading,
            *boxes,
            self.show_button,
            self.result_box,
            self.rules,
        ]

    def retext(self, lang: str) -> None:
        """The texts of ``lang`` in the same widgets; the answers and the result stay."""
        for n, question in enumerate(self.compass.questions, start=1):
            radio = self.questions[question.id]
            with radio.hold_sync():
                radio.options = [(o.label.get(lang), o.key) for o in question.options]
                radio.value = self.answers.get(question.id)
                radio.description = kh.question_label(question, n, lang)
        self.name_input.description = t("kompass_name_label", lang)
        self.name_input.placeholder = t("kompass_name_placeholder", lang)
        self.show_button.description = t("kompass_show", lang)
        self.intro.value = paragraph(t("kompass_intro", lang), "kit-lead") + paragraph(
            t("kompass_note", lang), "kit-note"
        )
        self.questions_heading.value = heading(t("kompass_questions_heading", lang))
        self.rules.value = kh.rules_html(self.compass, lang)
        self._show_result()

    # -- showing state ----------------------------------------------------------------------
    def _show_result(self, focus: bool = False) -> None:
        """Fill the result sections from the current answers (hidden until first shown);
        with ``focus``, the keyboard focus moves to the result's heading."""
        if not self.shown:
            self.result_box.layout.display = "none"
            return
        lang = self.lang
        assessment = kc.assess(self.answers, self.compass)
        self.assessment = assessment
        document = kh.summary_html(
            assessment, self.answers, lang, self.initiative, self.compass, self.model
        )
        with self.hold_sync():
            self.result.show(
                kh.result_heading_html(lang) + kh.findings_html(assessment, self.model, lang),
                focus=focus,
            )
            self.diagram.value = heading(t("kompass_diagram_heading", lang), 3) + kh.diagram_html(
                assessment.level_numbers, self.model, lang
            )
            self.gaps.value = kh.gaps_html(assessment, lang)
            self.download.value = kh.download_html(document, lang)
            self.result_box.layout.display = None

    # -- events -----------------------------------------------------------------------------
    def _on_answer(self, qid: str, change: dict) -> None:
        self.answers[qid] = change["new"]
        if self.shown:  # once shown, the result always matches the answers
            self._show_result()

    def _on_name(self, change: dict) -> None:
        self.initiative = change["new"]
        if self.shown:
            self._show_result()

    def _on_show(self, _button: widgets.Button | None = None) -> None:
        self.shown = True
        self._show_result(focus=True)
