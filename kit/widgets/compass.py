"""Samskapingskompasset: a guided questionnaire about the learner's own initiative.

The widget only wires controls to :mod:`kit.compass`, which holds the questions, the rules and
the HTML of the result. Answers live in ``self.answers`` (and the initiative's name in
``self.initiative``), so a language switch, which rebuilds the body, keeps them.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .. import compass as kc
from .. import compass_html as kh
from .. import render
from ..i18n import t
from ..model import Model, load_model
from .base import App, html

#: Long option texts wrap inside the radio list instead of being cut off.
_CSS = (
    kh.COMPASS_CSS
    + """
.kit-kompass-question { border: 1px solid #8a8a8a; border-radius: 6px; padding: 2px 12px 8px; margin: 8px 0; }
.kit-kompass-question .widget-radio { width: 100%; }
.kit-kompass-question .widget-radio-box { flex-wrap: nowrap !important; width: 100%; }
.kit-kompass-question .widget-radio-box label { display: flex; flex-direction: row-reverse;
  justify-content: flex-end; align-items: flex-start; height: auto !important;
  line-height: 1.4 !important; white-space: normal; padding: 3px 0; font-size: 15px; }
.kit-kompass-question .widget-radio-box input { float: none; flex: none; margin: 3px 8px 0 2px; }
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
        self.questions: dict[str, widgets.RadioButtons] = {}
        boxes = []
        for n, question in enumerate(self.compass.questions, start=1):
            radio = widgets.RadioButtons(
                options=[(o.label.get(lang), o.key) for o in question.options],
                value=self.answers.get(question.id),
                layout=widgets.Layout(width="auto"),
            )
            radio.observe(
                lambda change, qid=question.id: self._on_answer(qid, change), names="value"
            )
            self.questions[question.id] = radio
            box = widgets.VBox([html(f"<h3>{n}. {escape(question.prompt.get(lang))}</h3>"), radio])
            box.add_class("kit-kompass-question")
            boxes.append(box)
        self.name_input = widgets.Text(
            value=self.initiative,
            description=t("kompass_name_label", lang),
            placeholder=t("kompass_name_placeholder", lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
            continuous_update=False,
        )
        self.name_input.add_class("kit-kompass-name")
        self.name_input.observe(self._on_name, names="value")
        self.show_button = widgets.Button(
            description=t("kompass_show", lang), button_style="primary"
        )
        self.show_button.on_click(self._on_show)
        self.result = html("", "kit-kompass-result")
        self.diagram = html("", "kit-kompass-figure")
        self.gaps = html("", "kit-kompass-gaps")
        self.download = html("", "kit-kompass-download")
        self.result_box = widgets.VBox([self.result, self.diagram, self.gaps, self.download])
        self.result_box.add_class("kit-kompass-results")
        self._show_result()
        return [
            html(f"<style>{_CSS}</style>"),
            html(
                render.paragraph(t("kompass_intro", lang), "kit-lead")
                + render.paragraph(t("kompass_note", lang), "kit-note")
            ),
            self.name_input,
            html(render.heading(t("kompass_questions_heading", lang))),
            *boxes,
            self.show_button,
            self.result_box,
            html(kh.rules_html(self.compass, lang)),
        ]

    # -- showing state ----------------------------------------------------------------------
    def _show_result(self) -> None:
        """Fill the result sections from the current answers (hidden until first shown)."""
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
            self.result.value = render.heading(
                t("kompass_result_heading", lang)
            ) + kh.findings_html(assessment, self.model, lang)
            self.diagram.value = render.heading(
                t("kompass_diagram_heading", lang), 3
            ) + kh.diagram_html(assessment.level_numbers, self.model, lang)
            self.gaps.value = kh.gaps_html(assessment, lang)
            self.download.value = (
                f"<p><a class='kit-download' download='{escape(t('kompass_download_name', lang))}' "
                f"href='{kh.data_uri(document)}'>⬇ {escape(t('kompass_download', lang))}</a></p>"
                f"{render.paragraph(t('kompass_download_note', lang), 'kit-note')}"
            )
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
        self._show_result()
