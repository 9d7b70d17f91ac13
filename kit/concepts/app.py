"""The concepts lesson's two apps: Begreper (samskaping, samproduksjon and verdisamskaping at
one's own pace, with check questions) and Lysbilder (the concepts and the model as presenter
slides, inside the kit: no reveal.js, no CDN)."""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets

from kit.concepts import html as concepts_html
from kit.concepts.lessons import CheckQuestion, Feedback, Lesson, check_choice, load_lesson
from kit.concepts.slides import Slide, load_slides
from kit.concepts.slides_html import counter_html, keys_hint_html, slide_html
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


class KeyNav(anywidget.AnyWidget):
    """The slides' browser side: keys, full screen and fitting a slide to its box.

    - Arrow keys and a presenter's clicker (PageUp/PageDown) move between slides; keys typed
      into a form control are left alone, so the slide menu still works by keyboard.
    - ``F`` (while the slides have the focus: a click on a slide gives it to them; WCAG 2.1.4)
      and the button it draws toggle full screen: the Fullscreen API on the deck (the
      slide and its controls); where the API is missing or refused, the deck is laid over the
      whole window instead (Escape leaves). The click must start it in the browser: a request
      sent through the kernel is no longer a user gesture, so the button is drawn here.
    - A slide whose text would still overflow its box is shrunk step by step until it fits
      (``--kit-slide-fit``), so a whole slide is always visible without scrolling.
    """

    _esm = """
    function deckOf(el) {
      const app = el.closest(".kit-app");
      return app ? app.querySelector(".kit-deck") : null;
    }
    function isFull(deck) {
      return document.fullscreenElement === deck || deck.classList.contains("kit-deck-full");
    }
    function fit(deck) {
      const slide = deck && deck.querySelector(".kit-slide");
      if (!slide) { return; }
      let scale = 1;
      slide.style.setProperty("--kit-slide-fit", "1");
      while (slide.scrollHeight > slide.clientHeight + 1 && scale > 0.5) {
        scale = Math.round((scale - 0.04) * 100) / 100;
        slide.style.setProperty("--kit-slide-fit", String(scale));
      }
      slide.dataset.fit = String(scale);
    }
    export default {
      render({ model, el }) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "jupyter-button widget-button kit-fullscreen-btn";
        const label = () => { button.textContent = model.get("fullscreen_label"); };
        label();
        model.on("change:fullscreen_label", label);
        el.appendChild(button);
        const sync = () => {
          const deck = deckOf(el);
          button.setAttribute("aria-pressed", deck && isFull(deck) ? "true" : "false");
          if (deck) { requestAnimationFrame(() => fit(deck)); }
        };
        const leaveFallback = (deck) => { deck.classList.remove("kit-deck-full"); sync(); };
        const toggle = () => {
          const deck = deckOf(el);
          if (!deck) { return; }
          if (document.fullscreenElement === deck) { document.exitFullscreen(); return; }
          if (deck.classList.contains("kit-deck-full")) { leaveFallback(deck); return; }
          const fallback = () => { deck.classList.add("kit-deck-full"); sync(); };
          if (deck.requestFullscreen && document.fullscreenEnabled !== false) {
            deck.requestFullscreen().catch(fallback);
          } else {
            fallback();
          }
        };
        button.addEventListener("click", toggle);
        const onKey = (event) => {
          const tag = (event.target && event.target.tagName) || "";
          if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) { return; }
          if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) {
            // a letter key works only while the slides have the focus (WCAG 2.1.4)
            const deck = deckOf(el);
            if (!deck || !(deck.contains(document.activeElement) || isFull(deck))) { return; }
            event.preventDefault();
            toggle();
            return;
          }
          if (event.key === "Escape") {
            const deck = deckOf(el);
            if (deck && deck.classList.contains("kit-deck-full")) { leaveFallback(deck); }
            return;
          }
          if (tag === "BUTTON") { return; }
          let step = 0;
          if (["ArrowRight", "PageDown", " "].includes(event.key)) { step = 1; }
          if (["ArrowLeft", "PageUp"].includes(event.key)) { step = -1; }
          if (step) {
            event.preventDefault();
            model.set("presses", model.get("presses") + 1);
            model.set("step", step);
            model.save_changes();
          }
        };
        document.addEventListener("keydown", onKey);
        document.addEventListener("fullscreenchange", sync);
        let observed = null;
        const resize = new ResizeObserver(sync);
        const mutation = new MutationObserver(sync);
        const watch = () => {
          const deck = deckOf(el);
          if (!deck || deck === observed) { return; }
          observed = deck;
          // focusable (not in the tab order): a click on a slide gives the deck the focus
          if (!deck.hasAttribute("tabindex")) { deck.setAttribute("tabindex", "-1"); }
          resize.observe(deck);
          mutation.observe(deck, { childList: true, subtree: true, characterData: true });
          sync();
        };
        const poll = setInterval(() => { watch(); if (observed) { clearInterval(poll); } }, 200);
        return () => {
          clearInterval(poll);
          resize.disconnect();
          mutation.disconnect();
          document.removeEventListener("keydown", onKey);
          document.removeEventListener("fullscreenchange", sync);
        };
      }
    };
    """
    step = traitlets.Int(0).tag(sync=True)
    presses = traitlets.Int(0).tag(sync=True)
    fullscreen_label = traitlets.Unicode("").tag(sync=True)


class Lysbilder(App):
    """``notebooks/07_lysbilder.ipynb``: slides with previous/next, a slide menu and keys."""

    title_key = "app_title_lysbilder"

    def __init__(
        self,
        lang: str | None = None,
        model: Model | None = None,
        lesson: Lesson | None = None,
        slides: tuple[Slide, ...] | None = None,
    ) -> None:
        self.model = model or load_model()
        self.lesson = lesson or load_lesson()
        self.slides = slides or load_slides()
        self.index = 0
        self.key_nav = KeyNav()
        self.key_nav.observe(self._on_key, names="presses")
        super().__init__(lang)
        self.add_class("kit-slides-app")

    def build(self, lang: str) -> list[widgets.Widget]:
        self.slide = html("", "kit-slide-box")
        self.prev_button = widgets.Button(description=t("slides_prev", lang))
        self.next_button = widgets.Button(
            description=t("slides_next", lang), button_style="primary"
        )
        self.counter = html("", "kit-slide-counter")
        self.menu = widgets.Dropdown(
            options=[(f"{i + 1}. {self._label(s, lang)}", i) for i, s in enumerate(self.slides)],
            value=self.index,
            description=t("slides_menu", lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.prev_button.on_click(lambda _b: self.go(self.index - 1))
        self.next_button.on_click(lambda _b: self.go(self.index + 1))
        self.menu.observe(lambda change: self.go(change["new"]), names="value")
        self.key_nav.fullscreen_label = t("slides_fullscreen", lang)
        nav = widgets.HBox(
            [self.prev_button, self.counter, self.next_button, self.menu, self.key_nav]
        )
        nav.add_class("kit-wrap")
        nav.add_class("kit-slide-nav")
        self.deck = widgets.VBox([self.slide, nav])
        self.deck.add_class("kit-deck")
        self._show()
        return [
            html(keys_hint_html(lang)),
            self.deck,
        ]

    def _label(self, slide: Slide, lang: str) -> str:
        if slide.kind == "level":
            assert slide.level is not None  # parse_slides gives every level slide its level
            return t(
                "level_title",
                lang,
                n=slide.level,
                name=self.model.level(slide.level).name.get(lang),
            )
        if slide.kind == "discussion" and slide.title:
            return slide.title.get(lang)
        return t("slides_kind_" + slide.kind, lang)

    def _show(self) -> None:
        lang = self.lang
        with self.hold_sync():
            self.slide.value = slide_html(self.slides[self.index], self.model, self.lesson, lang)
            self.counter.value = counter_html(self.index + 1, len(self.slides), lang)
            self.prev_button.disabled = self.index == 0
            self.next_button.disabled = self.index == len(self.slides) - 1
            if self.menu.value != self.index:
                self.menu.value = self.index

    def go(self, index: int) -> None:
        index = max(0, min(len(self.slides) - 1, index))
        if index != self.index:
            self.index = index
            self._show()

    def _on_key(self, _change: dict) -> None:
        self.go(self.index + self.key_nav.step)
