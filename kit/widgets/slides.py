"""Presenter slides of the concepts and the model, inside the kit (no reveal.js, no CDN)."""

from __future__ import annotations

from html import escape

import anywidget
import ipywidgets as widgets
import traitlets

from ..i18n import t
from ..lessons import Lesson, load_lesson
from ..model import Model, load_model
from ..render_slides import slide_html
from ..slides import Slide, load_slides
from .base import App, html


class KeyNav(anywidget.AnyWidget):
    """Arrow keys and a presenter's clicker (PageUp/PageDown) move between slides.

    Keys typed into a form control are left alone, so the slide menu still works by keyboard.
    """

    _esm = """
    export default {
      render({ model, el }) {
        el.style.display = "none";
        const onKey = (event) => {
          const tag = (event.target && event.target.tagName) || "";
          if (["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(tag)) { return; }
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
        return () => document.removeEventListener("keydown", onKey);
      }
    };
    """
    step = traitlets.Int(0).tag(sync=True)
    presses = traitlets.Int(0).tag(sync=True)


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
        nav = widgets.HBox([self.prev_button, self.counter, self.next_button, self.menu])
        nav.add_class("kit-wrap")
        nav.add_class("kit-slide-nav")
        self._show()
        return [
            self.key_nav,
            html(f"<p class='kit-note'>{escape(t('slides_keys_hint', lang))}</p>"),
            self.slide,
            nav,
        ]

    def _label(self, slide: Slide, lang: str) -> str:
        if slide.kind == "level":
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
            self.counter.value = f"<p role='status'>{escape(t('slides_counter', lang, n=self.index + 1, total=len(self.slides)))}</p>"
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
