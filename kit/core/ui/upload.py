"""A file field for a course leader's own table: a labelled native ``<input type=file>``.

It replaces ``ipywidgets.FileUpload``, which sends a file of any size over the kernel's
websocket; one over Tornado's 10 MiB frame limit closes the socket and leaves a dead page.
Here the browser checks the file's size first: a file over
:data:`kit.core.tables.MAX_FILE_BYTES` is not sent; the field says so, in the app's language, in a
live region next to it (and Python is told the name and size only, so the app can say no
file is loaded). A file within the limit is sent as one binary buffer with its name, and
Python checks the size again before anything reads it.

The JavaScript is inline (the style of :class:`kit.core.ui.app.PageSync`): nothing is
fetched from the internet.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import traitlets

from kit.core.i18n import normalize_lang, t
from kit.core.tables import MAX_FILE_BYTES, megabytes

__all__ = ["FileInput"]

_ESM = r"""
function megabytes(size, lang) {  // as kit.core.tables.megabytes: rounded up
  const tenths = Math.ceil((size * 10) / (1024 * 1024));
  if (tenths % 10 === 0 || tenths >= 100) { return Math.ceil(tenths / 10) + " MB"; }
  const separator = lang === "en" ? "." : ",";
  return Math.floor(tenths / 10) + separator + (tenths % 10) + " MB";
}
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}
let counter = 0;
export default {
  render({ model, el }) {
    counter += 1;
    // random too: each widget may load this module afresh (the counter starts again)
    const id = "kit-file-" + Math.random().toString(36).slice(2, 10) + Date.now().toString(36) + "-" + counter;
    el.classList.add("kit-file");
    const label = document.createElement("label");
    label.className = "kit-file-label";
    label.htmlFor = id;
    const input = document.createElement("input");
    input.type = "file";
    input.id = id;
    input.className = "kit-file-input";
    const hint = document.createElement("span");
    hint.className = "kit-file-hint";
    hint.id = id + "-hint";
    const message = document.createElement("p");
    message.className = "kit-file-message";
    message.id = id + "-message";
    message.setAttribute("role", "alert");
    input.setAttribute("aria-describedby", hint.id + " " + message.id);
    el.append(label, input, hint, message);

    function show(text) {
      if (message.textContent !== text) { message.textContent = text; }
    }
    function update() {
      label.textContent = model.get("label");
      input.accept = model.get("accept");
      hint.textContent = model.get("hint");
      el.lang = model.get("lang");
      show(model.get("message"));
    }
    update();
    const events = ["change:label", "change:accept", "change:hint", "change:lang", "change:message"];
    for (const name of events) { model.on(name, update); }

    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) { return; }
      if (file.size > model.get("max_bytes")) {
        // Too big to send: say so here and send no part of the file.
        show(fill(model.get("too_big"), { name: file.name, size: megabytes(file.size, model.get("lang")) }));
        input.value = "";
        model.send({ type: "too_big", name: file.name, size: file.size });
        return;
      }
      show("");
      const buffer = await file.arrayBuffer();
      model.send({ type: "file", name: file.name, size: file.size }, undefined, [buffer]);
      input.value = "";
    });
    return () => { for (const name of events) { model.off(name, update); } };
  }
};
"""

_CSS = """
.kit-file { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3em 0.8em;
  margin: 0.4em 0; }
.kit-file-label { font-weight: 600; }
.kit-file-input:focus-visible { outline: 3px solid #1c5d99; outline-offset: 2px; }
.kit-file-hint { color: #3d3d3d; font-size: 0.95em; }
.kit-file-message { flex-basis: 100%; margin: 0; color: #8f1a1a; font-weight: 600; }
"""


class FileInput(anywidget.AnyWidget):
    """A labelled file field; ``on_file(data, name)`` is called with a file within the limit.

    ``on_reject(name, size)`` (optional) is called for a file over the limit, whether the
    browser refused to send it or it arrived anyway. Texts follow :meth:`set_texts`.
    """

    _esm = _ESM
    _css = _CSS
    accept = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    #: the browser's message for a file too big, with {name} and {size} left to fill in
    too_big = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(MAX_FILE_BYTES).tag(sync=True)
    lang = traitlets.Unicode("nb").tag(sync=True)
    #: what the live region next to the field says ("" for nothing)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        on_file: Callable[[bytes, str], object],
        *,
        accept: str,
        label_key: str,
        lang: str = "nb",
        on_reject: Callable[[str, int], object] | None = None,
        limit: int = MAX_FILE_BYTES,
    ) -> None:
        super().__init__(accept=accept, max_bytes=limit)
        self._on_file = on_file
        self._on_reject = on_reject
        #: the limit Python holds to; the synced max_bytes only tells the browser
        self.limit = limit
        self.label_key = label_key
        #: the last file refused (name, size), so its message follows the language
        self.rejected: tuple[str, int] | None = None
        self.on_msg(self._handle_message)
        self.set_texts(lang)

    def set_texts(self, lang: str) -> None:
        """Label, hint and messages in ``lang`` (called when the app's language changes)."""
        lang = normalize_lang(lang)
        limit = megabytes(self.limit, lang)
        types = ", ".join(part.strip() for part in self.accept.split(",") if part.strip())
        with self.hold_sync():
            self.lang = lang
            self.label = t(self.label_key, lang)
            self.hint = t("upload_hint", lang, types=types, limit=limit)
            self.too_big = t("upload_too_big", lang, name="{name}", size="{size}", limit=limit)
            self.message = self._rejected_message(lang)

    def _rejected_message(self, lang: str) -> str:
        if self.rejected is None:
            return ""
        name, size = self.rejected
        return t(
            "upload_too_big",
            lang,
            name=name,
            size=megabytes(size, lang),
            limit=megabytes(self.limit, lang),
        )

    def receive(self, data: bytes, name: str) -> None:
        """What the browser's sending a file does; callable from tests and notebooks."""
        if len(data) > self.limit:
            self.reject(name, len(data))
            return
        self.rejected = None
        self.message = ""
        self._on_file(bytes(data), name)

    def reject(self, name: str, size: int) -> None:
        """A file over the limit: say so next to the field, and tell the app."""
        self.rejected = (name, int(size))
        self.message = self._rejected_message(self.lang)
        if self._on_reject is not None:
            self._on_reject(name, int(size))

    def _handle_message(self, _widget: object, content: object, buffers: list) -> None:
        if not isinstance(content, dict):
            return
        name = str(content.get("name") or "")[:255]
        if content.get("type") == "file":
            views = [memoryview(b) for b in buffers or ()]
            size = sum(v.nbytes for v in views)
            if size > self.limit:  # refused before a copy is made
                self.reject(name, size)
                return
            self.receive(b"".join(views), name)
        elif content.get("type") == "too_big":
            try:
                size = int(content.get("size") or 0)
            except (TypeError, ValueError):
                size = 0
            self.reject(name, max(size, self.limit + 1))
