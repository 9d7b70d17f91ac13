"""A countdown that ticks in the browser: "m:ss", with no message to the kernel per second.

Python sets what the countdown is (:meth:`Countdown.show`: running until ``ends``, or paused with
``left`` seconds left, and the server's time ``now``, all in seconds since the epoch); the
browser works out the time left each quarter second from ``ends`` and ``now`` (corrected for its
own clock being off, as the live room's big screen is: ``kit/live/static/screen.js``).

For a screen reader: the time is a ``role=timer`` (not read out as it changes); when it reaches
zero while shown, ``done_text`` is said once in a polite live region, and the time itself shows
it in words (and a dashed frame), not by colour alone. A paused countdown says ``paused_text`` after the
time. Nothing happens when it runs out but that (WCAG 2.2.1). The JavaScript is inline (nothing
is fetched or built); the CSS is in the apps' ``kit.css`` (the "countdown" block).
"""

from __future__ import annotations

import math
from typing import Any

import anywidget
import traitlets

__all__ = ["Countdown", "clock_text"]

_COUNTDOWN_ESM = r"""
function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}
export default {
  render({ model, el }) {
    el.classList.add("kit-countdown");
    const time = document.createElement("p");
    time.className = "kit-countdown-time";
    time.setAttribute("role", "timer");
    time.setAttribute("aria-live", "off");
    const said = document.createElement("p");
    said.className = "kit-countdown-said kit-visually-hidden";
    said.setAttribute("role", "status");
    said.setAttribute("aria-live", "polite");
    el.append(time, said);
    let offset = 0;   // the server's clock minus this browser's (seconds)
    let before = null;  // the time left at the last tick (null: no countdown shown)
    let shownFor = null;  // the countdown the last tick showed (its end or its pause)
    function skew() { offset = model.get("now") - Date.now() / 1000; }
    function tick() {
      const ends = model.get("ends");
      const paused = model.get("left");
      const label = model.get("label");
      if (label) { time.setAttribute("aria-label", label); } else { time.removeAttribute("aria-label"); }
      if (ends === null && paused === null) {
        time.hidden = true;
        time.textContent = "";
        el.classList.remove("kit-countdown-over", "kit-countdown-paused");
        before = null;
        shownFor = null;
        return;
      }
      time.hidden = false;
      const key = ends !== null ? "e" + ends : "p" + paused;
      if (key !== shownFor) { before = null; said.textContent = ""; shownFor = key; }
      const left = ends !== null ? Math.max(0, ends - (Date.now() / 1000 + offset)) : Math.max(0, paused);
      const over = left <= 0;
      let text = clock(left);
      if (ends === null) { text += " " + model.get("paused_text"); }
      else if (over) { text += " · " + model.get("done_text"); }
      if (time.textContent !== text) { time.textContent = text; }
      el.classList.toggle("kit-countdown-over", over);
      el.classList.toggle("kit-countdown-paused", ends === null);
      // said once, when it runs out while on screen (not on every tick, not on a redraw)
      if (over && ends !== null && before !== null && before > 0) {
        said.textContent = model.get("done_text");
      }
      before = left;
    }
    skew();
    tick();
    const timer = setInterval(tick, 250);
    const on = [
      ["change:now", () => { skew(); tick(); }],
      ["change:ends", tick], ["change:left", tick], ["change:label", tick],
      ["change:paused_text", tick], ["change:done_text", tick],
    ];
    for (const [name, fn] of on) { model.on(name, fn); }
    return () => {
      clearInterval(timer);
      for (const [name, fn] of on) { model.off(name, fn); }
    };
  }
};
"""


def clock_text(seconds: float) -> str:
    """``seconds`` as the countdown shows them: ``m:ss``, whole seconds rounded up."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class Countdown(anywidget.AnyWidget):
    """A countdown shown as ``m:ss``; nothing while neither ``ends`` nor ``left`` is set.

    ``label`` is the timer's accessible name; ``paused_text`` follows a paused time and
    ``done_text`` is shown and said (once) at zero. The browser ticks by itself."""

    _esm = _COUNTDOWN_ESM
    #: running: when it reaches zero (seconds since the epoch, on the server's clock)
    ends = traitlets.Float(None, allow_none=True).tag(sync=True)
    #: paused: the seconds left
    left = traitlets.Float(None, allow_none=True).tag(sync=True)
    #: the server's time when the countdown was set (the browser corrects its clock by it)
    now = traitlets.Float(0.0).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    paused_text = traitlets.Unicode("").tag(sync=True)
    done_text = traitlets.Unicode("").tag(sync=True)

    def __init__(self, cls: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if cls:
            self.add_class(cls)

    def show(self, *, now: float, ends: float | None = None, left: float | None = None) -> None:
        """Running until ``ends``, or paused with ``left`` seconds left, or (neither) nothing;
        ``now`` is the server's time (one message: the browser never mixes old and new)."""
        with self.hold_sync():
            self.now = float(now)
            self.ends = None if ends is None else float(ends)
            self.left = None if ends is not None or left is None else float(left)

    def clear(self) -> None:
        self.show(now=self.now)

    @property
    def active(self) -> bool:
        return self.ends is not None or self.left is not None

    @property
    def paused(self) -> bool:
        return self.ends is None and self.left is not None

    def text(self, now: float) -> str:
        """What the browser shows at ``now`` (server time): ``m:ss``, ``m:ss (pause)``, the
        done text at zero, or "" for no countdown (for tests and for a notebook's text)."""
        if self.ends is not None:
            left = max(0.0, self.ends - now)
            if left <= 0:
                return f"{clock_text(0)} · {self.done_text}"
            return clock_text(left)
        if self.left is not None:
            return f"{clock_text(self.left)} {self.paused_text}"
        return ""
