"""A list of rows, each with a few buttons, drawn by the browser as one widget.

A list of a hundred cases with a button or three each, made of ipywidgets, is hundreds of
widget models (each with a layout and a style) sent at once: the burst that once left the
presenter's dashboard empty (kit/live/controller.py, PAGE_SIZE). :class:`RowList` is one
model: Python sets ``rows`` (each a key, its HTML, already escaped, and its actions), the
browser draws a labelled ``<ul>`` or ``<ol>`` of native buttons and tells Python which action
of which row was pressed. An action that does not apply is ``aria-disabled`` (it keeps its
place in the tab order, so the focus is not lost when a press turns it off) and Python ignores
it. After a change the focus stays on the same row's same action, or goes where Python asks
(:meth:`RowList.focus`), such as a row that moved.

The JavaScript is inline (the style of :mod:`kit.core.ui.controls`); the CSS is in
``kit.css`` ("rows").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anywidget
import traitlets

__all__ = ["RowList", "row", "action"]

_ROWS_ESM = r"""
export default {
  render({ model, el }) {
    el.classList.add("kit-rows");
    const empty = document.createElement("p");
    empty.className = "kit-rows-empty";
    el.append(empty);
    let list = null;
    let token = model.get("focus_request").token || 0;
    let pending = false;

    function buttons() { return list ? Array.from(list.querySelectorAll("button")) : []; }
    function find(key, action) {
      return buttons().find((b) => b.dataset.key === key && b.dataset.action === action);
    }
    function draw() {
      pending = false;
      const active = document.activeElement;
      const was = list && active && list.contains(active)
        ? { key: active.dataset.key, action: active.dataset.action, index: buttons().indexOf(active) }
        : null;
      const tag = model.get("ordered") ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== tag) {
        const made = document.createElement(tag);
        made.className = "kit-rows-list";
        if (list) { list.replaceWith(made); } else { el.append(made); }
        list = made;
      }
      const label = model.get("label");
      if (label) { list.setAttribute("aria-label", label); } else { list.removeAttribute("aria-label"); }
      const rows = model.get("rows");
      const items = rows.map((row) => {
        const li = document.createElement("li");
        li.className = "kit-row";
        const text = document.createElement("div");
        text.className = "kit-row-text";
        text.innerHTML = row.html;  // escaped by Python
        const actions = document.createElement("div");
        actions.className = "kit-row-actions";
        for (const a of row.actions || []) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "jupyter-button widget-button kit-row-button" + (a.primary ? " mod-primary" : "");
          b.textContent = a.label;
          if (a.name && a.name !== a.label) { b.setAttribute("aria-label", a.name); }
          if (a.off) { b.setAttribute("aria-disabled", "true"); b.classList.add("kit-row-off"); }
          b.dataset.key = row.key;
          b.dataset.action = a.id;
          b.addEventListener("click", () => {
            if (b.getAttribute("aria-disabled") === "true") { return; }
            model.send({ event: "act", key: row.key, action: a.id });
          });
          actions.append(b);
        }
        li.append(text, actions);
        return li;
      });
      list.replaceChildren(...items);
      list.hidden = rows.length === 0;
      empty.textContent = rows.length ? "" : model.get("empty");
      empty.hidden = rows.length > 0 || !model.get("empty");
      const wanted = model.get("focus_request");
      if ((wanted.token || 0) !== token) {
        token = wanted.token || 0;
        const target = find(wanted.key, wanted.action) || buttons()[0];
        if (target) { target.focus(); }
        return;
      }
      if (was) {
        const all = buttons();
        const target = find(was.key, was.action) || all[Math.min(was.index, all.length - 1)];
        if (target) { target.focus(); }
      }
    }
    function later() {
      if (!pending) { pending = true; queueMicrotask(draw); }
    }
    draw();
    const on = ["change:rows", "change:label", "change:empty", "change:ordered", "change:focus_request"];
    for (const name of on) { model.on(name, later); }
    return () => { for (const name of on) { model.off(name, later); } };
  }
};
"""


def action(
    action_id: str, label: str, name: str = "", *, off: bool = False, primary: bool = False
) -> dict[str, Any]:
    """One button of a row: ``label`` shown, ``name`` its accessible name if longer (it should
    begin with the label), ``off`` when it does not apply now."""
    return {"id": action_id, "label": label, "name": name, "off": off, "primary": primary}


def row(key: str, html: str, actions: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """One row: its key (unique in the list), its HTML (escaped) and its actions."""
    return {"key": key, "html": html, "actions": [dict(a) for a in actions]}


class RowList(anywidget.AnyWidget):
    """Rows of HTML with buttons, drawn by the browser; :meth:`on_act` hears the presses."""

    _esm = _ROWS_ESM
    #: the list's accessible name
    label = traitlets.Unicode("").tag(sync=True)
    #: what shows instead of an empty list ("" for nothing)
    empty = traitlets.Unicode("").tag(sync=True)
    #: a numbered list (``<ol>``), for an order that matters
    ordered = traitlets.Bool(False).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: {key, action, token}: the browser focuses that button when the token changes
    focus_request = traitlets.Dict({"key": "", "action": "", "token": 0}).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handlers: list[Callable[[str, str], object]] = []
        self._focus_token = 0
        self.on_msg(self._handle_message)

    def on_act(self, callback: Callable[[str, str], object]) -> None:
        """``callback(key, action)`` on each press of an action that applies."""
        self._handlers.append(callback)

    def actions_of(self, key: str) -> dict[str, dict[str, Any]]:
        """The actions of the row ``key`` by id (none for a key not shown)."""
        for r in self.rows:
            if r.get("key") == key:
                return {a["id"]: a for a in r.get("actions", ())}
        return {}

    def act(self, key: str, action_id: str) -> bool:
        """What a press in the browser does; callable from tests and notebooks. A row not
        shown, an unknown action or one that is off does nothing (returns False)."""
        found = self.actions_of(key).get(action_id)
        if found is None or found.get("off"):
            return False
        for callback in list(self._handlers):
            callback(key, action_id)
        return True

    def focus(self, key: str, action_id: str) -> None:
        """Move the keyboard focus to a row's button (sent with the next change of rows)."""
        self._focus_token += 1
        self.focus_request = {"key": key, "action": action_id, "token": self._focus_token}

    def row_keys(self) -> list[str]:
        return [r["key"] for r in self.rows]

    def _handle_message(self, _widget: object, content: object, _buffers: list) -> None:
        if not isinstance(content, dict) or content.get("event") != "act":
            return
        key, action_id = content.get("key"), content.get("action")
        if isinstance(key, str) and isinstance(action_id, str):
            self.act(key[:200], action_id[:40])
