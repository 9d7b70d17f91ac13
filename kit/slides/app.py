"""Presenter slides of the concepts and the model, inside the kit (no reveal.js, no CDN)."""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets

from kit.concepts.lessons import Lesson, load_lesson
from kit.core.i18n import t
from kit.core.ui.app import App, html
from kit.model.model import Model, load_model
from kit.slides.html import counter_html, keys_hint_html, slide_html
from kit.slides.slides import Slide, load_slides


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
