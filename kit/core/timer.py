"""A countdown's arithmetic (pure: a timer, an operation and the time in, a timer out).

The live room's big screen (:mod:`kit.live.screen`) and the workshop's clause timer
(:mod:`kit.workshop.store`) keep their countdown as JSON in their settings and change it here,
so both count the same way. A running countdown is ``{"ends": t, "total": s}`` (``t`` in
seconds since the epoch, on the server's clock), a paused one ``{"left": s, "total": s}``; no
countdown is ``None``. A page shows the time left from ``ends`` and the server's ``now`` sent
beside it (so a phone whose clock is off still counts right).

A countdown only shows time: nothing closes or stops when it runs out (WCAG 2.2.1, Timing
Adjustable: the person running the session sets it, pauses it, extends it or turns it off).

>>> started = next_timer(None, "start", 120, now=1000.0)
>>> started
{'ends': 1120.0, 'total': 120}
>>> seconds_left(started, now=1030.0)
90.0
>>> next_timer(started, "pause", None, now=1030.0)
{'left': 90.0, 'total': 120}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "TIMER_MAX",
    "TIMER_OPS",
    "TIMER_STEP",
    "TimerError",
    "is_running",
    "next_timer",
    "seconds_left",
]

#: The longest countdown that may be set (seconds), and the step of "+30 s".
TIMER_MAX = 60 * 60
TIMER_STEP = 30
#: What may be done to a countdown.
TIMER_OPS = ("start", "pause", "resume", "add", "off")


class TimerError(ValueError):
    """A step the countdown refuses. ``key``: ``"seconds"`` (a start needs a whole number of
    seconds from 1 to :data:`TIMER_MAX`), ``"no_timer"`` (nothing to pause, resume or extend)
    or ``"op"`` (not one of :data:`TIMER_OPS`); ``field`` is the input it is about."""

    _MESSAGES = {"seconds": "timer seconds", "no_timer": "no timer", "op": "timer op"}

    def __init__(self, key: str) -> None:
        super().__init__(self._MESSAGES.get(key, key))
        self.key = key
        self.field = "seconds" if key == "seconds" else "timer"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def seconds_left(timer: Mapping[str, Any] | None, now: float) -> float | None:
    """The seconds left on ``timer`` at ``now`` (0 once it has run out), or None for no
    countdown (or one that is not a countdown's JSON)."""
    if not isinstance(timer, Mapping):
        return None
    ends = _number(timer.get("ends"))
    if ends is not None:
        return max(0.0, ends - now)
    left = _number(timer.get("left"))
    return max(0.0, left) if left is not None else None


def is_running(timer: Mapping[str, Any] | None) -> bool:
    """Whether ``timer`` counts down (not paused, not off)."""
    return isinstance(timer, Mapping) and _number(timer.get("ends")) is not None


def next_timer(
    timer: Mapping[str, Any] | None, op: object, seconds: object, now: float
) -> dict[str, Any] | None:
    """The countdown after ``op`` at ``now``: ``start`` (``seconds``, anew whatever ran),
    ``pause``, ``resume``, ``add`` (:data:`TIMER_STEP` more, at most :data:`TIMER_MAX` left)
    or ``off`` (None). Raises :class:`TimerError`."""
    if op not in TIMER_OPS:
        raise TimerError("op")
    if op == "off":
        return None
    if op == "start":
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TimerError("seconds")
        if not 0 < seconds <= TIMER_MAX:
            raise TimerError("seconds")
        return {"ends": now + seconds, "total": seconds}
    left = seconds_left(timer, now)
    if timer is None or left is None:
        raise TimerError("no_timer")
    # the length as written (an int stays an int in the JSON); the time left if it is none
    total = timer["total"] if _number(timer.get("total")) is not None else left
    if op == "pause":
        return {"left": left, "total": total}
    if op == "resume":
        return {"ends": now + left, "total": total}
    # add
    longer = min(TIMER_MAX, left + TIMER_STEP)
    if is_running(timer):
        return {"ends": now + longer, "total": total + TIMER_STEP}
    return {"left": longer, "total": total + TIMER_STEP}
