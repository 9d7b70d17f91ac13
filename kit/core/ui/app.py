"""What every app shares: a heading, a language choice, the page language and the stylesheet."""

from __future__ import annotations

import os
from html import escape
from urllib.parse import parse_qs

import anywidget
import ipywidgets as widgets
import traitlets

from kit.core.i18n import LANGUAGES, language_name, normalize_lang, t
from kit.core.paths import STYLE_SHEET_URL, style_sheet

_STYLE = style_sheet().read_text(encoding="utf-8")

#: Set by Voilà in every kernel it starts (the server's base URL, ending in ``/``).
BASE_URL_ENV = "VOILA_BASE_URL"


def style_html() -> str:
    """The apps' style sheet for the app's ``style`` widget. Served by Voilà (whose page, the
    kit's template, links the same address in its head), a link: the 40 KB sheet then travels
    once per browser, not in every kernel's widget state (a class of 30 opening an app at once
    waits for the kernels and the server to send those states). Elsewhere (JupyterLab), inline."""
    base = os.environ.get(BASE_URL_ENV)
    if base and base.startswith("/"):
        href = escape(base.rstrip("/") + "/" + STYLE_SHEET_URL, quote=True)
        return f'<link rel="stylesheet" href="{href}">'
    return f"<style>{_STYLE}</style>"


class PageSync(anywidget.AnyWidget):
    """Keeps the page's ``lang`` attribute and title in step with the app's language.

    Screen readers pick their voice from ``<html lang>``; it must follow the learner's choice.
    The JavaScript is inline, so nothing is fetched from the internet.
    """

    _esm = """
    function apply(model) {
      const lang = model.get("lang");
      if (lang) { document.documentElement.setAttribute("lang", lang); }
      const title = model.get("title");
      if (title) { document.title = title; }
    }
    export default {
      render({ model, el }) {
        el.style.display = "none";
        apply(model);
        model.on("change:lang", () => apply(model));
        model.on("change:title", () => apply(model));
      }
    };
    """
    lang = traitlets.Unicode("nb").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)


#: Set by Voilà for a preheated kernel (``"True"``): it runs its notebook before a visitor asks
#: for it, and learns the request (``QUERY_STRING`` and the rest) only when it is handed out.
PREHEAT_ENV = "VOILA_PREHEAT"
_request = {"received": False}


def waiting_for_request() -> bool:
    """True in a preheated kernel that has not yet been given its visitor's request."""
    return os.environ.get(PREHEAT_ENV) == "True" and not _request["received"]


def request_query() -> str:
    """The page address's query string (``lang=en&kode=ACD347``), as Voilà passes it on.

    In a preheated kernel (``samskaping serve --preheat``) the first call waits until the
    kernel is handed to a visitor and Voilà has sent it the request (Voilà's
    ``wait_for_request``): the kernel has run the notebook up to here before anyone came."""
    if waiting_for_request():
        from voila.utils import wait_for_request

        try:
            wait_for_request()
        finally:
            _request["received"] = True
    return os.environ.get("QUERY_STRING", "")


def lang_from_request(default: str | None = None) -> str:
    """The language asked for in the page address (``?lang=en``), else ``default`` or bokmål."""
    values = parse_qs(request_query()).get("lang")
    return normalize_lang(values[0] if values else default)


class App(widgets.VBox):
    """Base class of the apps. Subclasses set ``title_key`` and implement ``build(lang)``.

    An app that also implements ``retext(lang)`` is built once: a language switch calls
    ``retext``, which puts the new texts into the same widgets (nothing is made or closed). An
    app without it is rebuilt from ``build`` and the widgets the new view no longer holds are
    closed (:func:`close_unused`); such subclasses keep their state (the chosen level, given
    answers) in attributes so the rebuilt view shows the same thing.
    """

    title_key = "kit_name"

    def __init__(self, lang: str | None = None, **kwargs) -> None:
        # A preheated kernel builds the app before its visitor comes, in the default language,
        # and switches to the one asked for once the request is there (end of __init__); an
        # app that reads the request while it builds waits there instead (request_query).
        preheated = lang is None and waiting_for_request()
        if lang:
            self.lang = normalize_lang(lang)
        else:
            self.lang = normalize_lang(None) if preheated else lang_from_request()
        self._built = False
        self.page = PageSync(lang=self.lang, title=t(self.title_key, self.lang))
        self.style = widgets.HTML(style_html())
        self.heading = widgets.HTML()
        self.language = widgets.Dropdown(
            options=[(language_name(code), code) for code in LANGUAGES],
            value=self.lang,
            description=t("language", self.lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.language.add_class("kit-language")
        self.body = widgets.VBox()
        self.body.add_class("kit-body")
        top = widgets.HBox([self.heading, self.language])
        top.add_class("kit-top")
        super().__init__(children=[self.style, self.page, top, self.body], **kwargs)
        self.add_class("kit-app")
        self.language.observe(self._on_language, names="value")
        self._render()
        if preheated:
            asked = lang_from_request()  # waits for the visitor's request
            if asked != self.lang:
                self.language.value = asked  # as the learner's own choice would

    def build(self, lang: str) -> list[widgets.Widget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def retext(self, lang: str) -> None:  # pragma: no cover - optional
        """Put the texts of ``lang`` into the widgets ``build`` made (override to keep them)."""
        raise NotImplementedError

    def _in_place(self) -> bool:
        return type(self).retext is not App.retext

    def _render(self) -> None:
        lang = self.lang
        with self.hold_sync():
            self.heading.value = f"<h1>{escape(t(self.title_key, lang))}</h1>"
            self.language.description = t("language", lang)
            self.page.lang = lang
            self.page.title = t(self.title_key, lang)
        if self._built and self._in_place():
            self.retext(lang)
            return
        old = tuple(self.body.children)
        self.body.children = self.build(lang)
        self._built = True
        close_unused(old, self.body.children)

    def _on_language(self, change: dict) -> None:
        self.lang = normalize_lang(change["new"])
        self._render()


def _tree(roots) -> dict[int, widgets.Widget]:
    """Every widget model under ``roots``: boxes' children, and each one's layout and style."""
    found: dict[int, widgets.Widget] = {}
    stack = list(roots)
    while stack:
        widget = stack.pop()
        if not isinstance(widget, widgets.Widget) or id(widget) in found:
            continue
        found[id(widget)] = widget
        stack.extend(getattr(widget, "children", ()) or ())
        for name in ("layout", "style"):
            part = getattr(widget, name, None) if widget.has_trait(name) else None
            if isinstance(part, widgets.Widget):
                stack.append(part)
        for extra in getattr(widget, "_kit_owned", ()):  # widgets held outside children
            stack.append(extra)
    return found


def close_unused(old, new) -> int:
    """Close the widgets of the ``old`` tree that the ``new`` one no longer holds, so a
    rebuilt view does not leave models behind in the kernel and the page; returns how many."""
    keep = _tree(new)
    gone = [w for key, w in _tree(old).items() if key not in keep]
    for widget in gone:
        widget.close()
    return len(gone)


def html(value: str, cls: str | None = None) -> widgets.HTML:
    """A widgets.HTML with an optional CSS class (the value must already be escaped)."""
    widget = widgets.HTML(value)
    if cls:
        widget.add_class(cls)
    return widget
