"""Three small controls that ipywidgets 8 does not give: what a keyboard and a screen reader need.

ipywidgets 8's ``RadioButtons`` renders radio inputs without a shared ``name`` (so the arrow keys
do not move between them and each one is its own tab stop), its description is a ``<label>``
tied to nothing, and no element has ``role=radiogroup``; ``ToggleButtons`` and ``Button`` show
a chosen state only as a CSS class; no widget can take focus from Python. Hence:

- :class:`ChoiceGroup`: native radio inputs with one ``name`` inside ``role=radiogroup``,
  labelled by its visible group label, each option a card that is clicked as a whole;
- :class:`Region`: an HTML area that exists (empty) from the first render, optionally a live
  region (``role=status``), and that Python can ask to take focus (:meth:`Region.show`);
- :class:`PressButton`: a button whose chosen state is ``aria-pressed``.

They are anywidgets with their JavaScript inline (the style of
:class:`kit.core.ui.app.PageSync`): nothing is fetched from the internet, nothing is built.
The CSS is in the apps' ``kit.css`` (the "controls (a11y)" block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anywidget
import traitlets

__all__ = ["ChoiceGroup", "PressButton", "Region"]

_CHOICES_ESM = r"""
export default {
  render({ model, el }) {
    // unique on the page: each widget may load this module afresh, so no module counter
    const id = "kit-choices-" + Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
    el.classList.add("kit-choices");
    let label = null;
    const group = document.createElement("div");
    group.className = "kit-choices-group";
    group.setAttribute("role", "radiogroup");
    el.append(group);
    let inputs = [];

    function heading() {
      const level = model.get("heading");
      const tag = level >= 2 && level <= 6 ? "h" + level : "p";
      if (!label || label.tagName.toLowerCase() !== tag) {
        const made = document.createElement(tag);
        made.className = "kit-choices-label";
        made.id = id + "-label";
        if (label) { label.replaceWith(made); } else { el.prepend(made); }
        label = made;
      }
      label.textContent = model.get("description");
      label.hidden = !model.get("description");
      if (model.get("description")) {
        group.setAttribute("aria-labelledby", label.id);
      } else {
        group.removeAttribute("aria-labelledby");
      }
      el.dataset.variant = model.get("variant");
    }
    function state() {
      const index = model.get("index");
      const disabled = model.get("disabled");
      const verdicts = model.get("verdicts") || [];
      inputs.forEach((input, i) => {
        input.checked = i === index;
        input.disabled = disabled;
        const card = input.parentElement;
        card.classList.toggle("kit-choice-on", i === index);
        // after a check: the key's card and a wrong choice's card are marked (✔ / ✘, by CSS)
        card.classList.toggle("kit-choice-right", verdicts[i] === "right");
        card.classList.toggle("kit-choice-wrong", verdicts[i] === "wrong");
      });
      el.classList.toggle("kit-choices-disabled", disabled);
    }
    function options() {
      const focused = inputs.indexOf(document.activeElement);
      group.textContent = "";
      inputs = model.get("labels").map((text, i) => {
        const card = document.createElement("label");
        card.className = "kit-choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = id;
        input.value = String(i);
        input.className = "kit-choice-input";
        const words = document.createElement("span");
        words.className = "kit-choice-text";
        words.textContent = text;
        // the chosen card's check mark is CSS (content with empty alt text): not in the name
        card.append(input, words);
        input.addEventListener("change", () => {
          if (!input.checked) { return; }
          model.set("index", i);
          model.save_changes();
          state();
        });
        group.append(card);
        return input;
      });
      state();
      if (focused >= 0 && inputs[focused]) { inputs[focused].focus(); }
    }
    heading();
    options();
    const on = [
      ["change:description", heading], ["change:heading", heading], ["change:variant", heading],
      ["change:labels", options], ["change:index", state], ["change:disabled", state],
      ["change:verdicts", state],
    ];
    for (const [name, fn] of on) { model.on(name, fn); }
    return () => { for (const [name, fn] of on) { model.off(name, fn); } };
  }
};
"""

_REGION_ESM = r"""
export default {
  render({ model, el }) {
    el.classList.add("kit-region");
    const box = document.createElement("div");
    box.className = "kit-region-box";
    box.tabIndex = -1;
    el.append(box);
    let shown = null;
    function attrs() {
      const role = model.get("role");
      if (role) { box.setAttribute("role", role); } else { box.removeAttribute("role"); }
      if (role === "status") { box.setAttribute("aria-live", "polite"); } else { box.removeAttribute("aria-live"); }
      // a name only where the role allows one (a plain div may not carry aria-label)
      const name = role ? model.get("label") : "";
      if (name) { box.setAttribute("aria-label", name); } else { box.removeAttribute("aria-label"); }
    }
    function fill() {
      const value = model.get("value");
      if (value !== shown) { box.innerHTML = value; shown = value; }
    }
    function focus() {
      fill();
      let tries = 0;
      const step = () => {
        // the part marked data-kit-focus (a heading), else the region itself; it may still be
        // hidden while its box's layout message is on the way, so try for a second or two
        const target = box.querySelector("[data-kit-focus]") || box;
        if (target.getClientRects().length) {
          target.focus();
          if (document.activeElement === target) { return; }
        }
        tries += 1;
        if (tries < 120) { requestAnimationFrame(step); }
      };
      step();
    }
    attrs();
    fill();
    const on = [
      ["change:role", attrs], ["change:label", attrs], ["change:value", fill],
      ["change:focus_token", focus],
    ];
    for (const [name, fn] of on) { model.on(name, fn); }
    return () => { for (const [name, fn] of on) { model.off(name, fn); } };
  }
};
"""

_PRESS_ESM = r"""
export default {
  render({ model, el }) {
    el.classList.add("kit-press");
    const button = document.createElement("button");
    button.type = "button";
    el.append(button);
    function update() {
      const pressed = model.get("pressed");
      button.className = ["jupyter-button", "widget-button", ...model.get("classes")]
        .concat(pressed ? ["mod-primary", "kit-pressed"] : []).join(" ");
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.disabled = model.get("disabled");
      if (model.get("tip")) { button.title = model.get("tip"); } else { button.removeAttribute("title"); }
      button.textContent = "";
      if (pressed) {
        const mark = document.createElement("span");
        mark.className = "kit-press-mark";
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = "▶ ";
        button.append(mark);
      }
      button.append(document.createTextNode(model.get("description")));
    }
    button.addEventListener("click", () => model.send({ event: "click" }));
    update();
    const names = ["change:pressed", "change:description", "change:tip", "change:classes", "change:disabled"];
    for (const name of names) { model.on(name, update); }
    return () => { for (const name of names) { model.off(name, update); } };
  }
};
"""


class ChoiceGroup(anywidget.AnyWidget):
    """One choice among options, as ``RadioButtons`` offers it, but a labelled radio group.

    The Python side follows ``RadioButtons``: ``options`` are ``(label, value)`` pairs,
    ``value`` is the chosen value or ``None``, ``description`` is the group's visible label
    (its accessible name), and ``observe(..., names="value")`` reports a choice. ``heading``
    (2-6) makes the label a heading of that level; ``variant`` is ``"cards"`` (the answer
    choices, one card per line) or ``"pills"`` (short options side by side).
    """

    _esm = _CHOICES_ESM
    description = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: the chosen option's position, -1 for none (what the browser sets)
    index = traitlets.Int(-1).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    heading = traitlets.Int(0).tag(sync=True)
    variant = traitlets.Unicode("cards").tag(sync=True)
    #: per option, after a check: "right" (the key), "wrong" (a wrong choice) or "" (see
    #: :meth:`mark`); shown by a mark, not by colour alone
    verdicts = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: the chosen value (Python only)
    value = traitlets.Any(None)
    options: traitlets.List[tuple[str, Any]] = traitlets.List()

    def __init__(
        self,
        options: Iterable[tuple[str, Any]] = (),
        value: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.observe(self._on_options, names="options")
        self.observe(self._on_value, names="value")
        self.observe(self._on_index, names="index")
        self.options = [(str(label), v) for label, v in options]
        self.value = value

    def mark(self, key: Any = None) -> None:
        """After a check, mark the option ``key`` as the right one and the chosen value, if it
        is another, as wrong; ``mark()`` (no key) takes the marks away."""
        if key is None:
            self.verdicts = []
            return
        self.verdicts = [
            "right" if v == key else "wrong" if v == self.value else "" for v in self._values()
        ]

    def _values(self) -> list[Any]:
        return [v for _, v in self.options]

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict) -> Any:
        value = proposal["value"]
        if value is not None and value not in self._values():
            raise traitlets.TraitError(f"invalid choice: {value!r}")
        return value

    def _on_options(self, _change: dict) -> None:
        values = self._values()
        with self.hold_sync():
            self.labels = [label for label, _ in self.options]
            if self.value is not None and self.value not in values:
                self.value = None
            self.index = values.index(self.value) if self.value is not None else -1

    def _on_value(self, change: dict) -> None:
        new = change["new"]
        self.index = self._values().index(new) if new is not None else -1

    def _on_index(self, change: dict) -> None:
        index = change["new"]
        values = self._values()
        self.value = values[index] if 0 <= index < len(values) else None


class Region(anywidget.AnyWidget):
    """An HTML area (``value``, already escaped) that is on the page from the first render.

    ``role="status"`` makes it a polite live region, so a screen reader announces what is put
    into it; :meth:`show` with ``focus=True`` also moves the keyboard focus to it (or to the
    element in it marked ``data-kit-focus``, such as a case's heading).
    """

    _esm = _REGION_ESM
    value = traitlets.Unicode("").tag(sync=True)
    role = traitlets.Unicode("").tag(sync=True)
    #: the region's accessible name (used only with a role)
    label = traitlets.Unicode("").tag(sync=True)
    #: raised by one on every focus request; the browser focuses when it changes
    focus_token = traitlets.Int(0).tag(sync=True)

    def __init__(self, value: str = "", cls: str | None = None, **kwargs: Any) -> None:
        super().__init__(value=value, **kwargs)
        if cls:
            self.add_class(cls)

    def show(self, value: str, *, focus: bool = False) -> None:
        """Put ``value`` in the region; with ``focus``, move the focus there too (one message,
        so the browser focuses the new content, not the old)."""
        with self.hold_sync():
            self.value = value
            if focus:
                self.focus_token += 1

    def focus(self) -> None:
        """Move the keyboard focus to the region (or its ``data-kit-focus`` element)."""
        self.focus_token += 1


class PressButton(anywidget.AnyWidget):
    """A button with a chosen state exposed as ``aria-pressed`` (and shown by a mark and the
    primary style, not by colour alone). ``classes`` go on the ``<button>`` itself."""

    _esm = _PRESS_ESM
    description = traitlets.Unicode("").tag(sync=True)
    pressed = traitlets.Bool(False).tag(sync=True)
    #: the button's title (DOMWidget's own ``tooltip`` would title the wrapper, not the button)
    tip = traitlets.Unicode("").tag(sync=True)
    classes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._click_handlers: list[Callable[[PressButton], object]] = []
        self.on_msg(self._handle_message)

    def on_click(self, callback: Callable[[PressButton], object]) -> None:
        self._click_handlers.append(callback)

    def click(self) -> None:
        """What a click in the browser does; callable from tests and notebooks."""
        if self.disabled:
            return
        for callback in list(self._click_handlers):
            callback(self)

    def _handle_message(self, _widget: object, content: object, _buffers: list) -> None:
        if isinstance(content, dict) and content.get("event") == "click":
            self.click()
