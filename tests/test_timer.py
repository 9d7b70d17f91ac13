"""The countdown's arithmetic (kit/core/timer.py) and its two users: the live room's big screen
(kit.live.screen._timer) and the workshop's clause timer (WorkshopStore.set_timer). Both must
count exactly as the shared function does; each says a refusal in its own error type."""

from __future__ import annotations

import pytest

from kit.core.timer import (
    TIMER_MAX,
    TIMER_OPS,
    TIMER_STEP,
    TimerError,
    is_running,
    next_timer,
    seconds_left,
)
from kit.live.screen import _timer
from kit.live.store import InvalidAnswer, Store
from kit.workshop.model import WorkshopError
from kit.workshop.store import WorkshopStore
from tests.test_store import FakeClock

#: One countdown's life: (op, seconds, seconds after the start).
STEPS = (
    ("start", 120, 0),
    ("pause", None, 20),
    ("add", None, 300),
    ("resume", None, 400),
    ("add", None, 410),
    ("pause", None, 500),
    ("off", None, 600),
)


def test_a_countdown_starts_pauses_extends_resumes_and_stops():
    started = next_timer(None, "start", 120, now=1000.0)
    assert started == {"ends": 1120.0, "total": 120} and is_running(started)
    assert seconds_left(started, 1030.0) == 90.0
    assert seconds_left(started, 5000.0) == 0.0  # run out: zero, never negative
    paused = next_timer(started, "pause", None, now=1030.0)
    assert paused == {"left": 90.0, "total": 120} and not is_running(paused)
    assert seconds_left(paused, 9999.0) == 90.0  # a paused countdown does not move
    longer = next_timer(paused, "add", None, now=2000.0)
    assert longer == {"left": 90.0 + TIMER_STEP, "total": 120 + TIMER_STEP}
    resumed = next_timer(longer, "resume", None, now=3000.0)
    assert resumed == {"ends": 3000.0 + 90 + TIMER_STEP, "total": 120 + TIMER_STEP}
    running_more = next_timer(resumed, "add", None, now=3010.0)
    assert running_more["ends"] == resumed["ends"] + TIMER_STEP
    again = next_timer(running_more, "start", 60, now=4000.0)  # a start is anew
    assert again == {"ends": 4060.0, "total": 60}
    assert next_timer(again, "off", None, now=4001.0) is None
    assert next_timer(None, "off", None, now=0.0) is None  # nothing to stop: still off


def test_a_countdown_that_ran_out_starts_again_with_more_time():
    over = next_timer(None, "start", 60, now=0.0)
    assert next_timer(over, "add", None, now=500.0) == {"ends": 500.0 + TIMER_STEP, "total": 90}


def test_more_time_stops_at_the_longest_countdown():
    long = next_timer(None, "start", TIMER_MAX, now=0.0)
    assert seconds_left(next_timer(long, "add", None, now=0.0), 0.0) == TIMER_MAX
    paused = {"left": TIMER_MAX - 10, "total": TIMER_MAX}
    assert next_timer(paused, "add", None, now=0.0)["left"] == TIMER_MAX


@pytest.mark.parametrize("bad", [0, -5, TIMER_MAX + 1, 10**9, "60", 60.0, True, None, [60]])
def test_a_start_needs_whole_seconds_within_bounds(bad):
    with pytest.raises(TimerError) as exc:
        next_timer(None, "start", bad, now=0.0)
    assert (exc.value.key, exc.value.field) == ("seconds", "seconds")
    assert next_timer(None, "start", TIMER_MAX, now=0.0) is not None  # the bound itself
    assert next_timer(None, "start", 1, now=0.0) is not None


@pytest.mark.parametrize("op", ["pause", "resume", "add"])
@pytest.mark.parametrize("timer", [None, {}, {"ends": "soon"}, {"left": None, "total": 5}])
def test_nothing_to_pause_resume_or_extend(op, timer):
    with pytest.raises(TimerError) as exc:
        next_timer(timer, op, None, now=0.0)
    assert (exc.value.key, exc.value.field) == ("no_timer", "timer")


@pytest.mark.parametrize("op", ["explode", "", None, 3, "START"])
def test_an_unknown_step_is_refused(op):
    assert "explode" not in TIMER_OPS
    with pytest.raises(TimerError) as exc:
        next_timer({"ends": 10.0, "total": 10}, op, 10, now=0.0)
    assert exc.value.key == "op"


def test_a_countdown_not_written_here_reads_safely():
    assert seconds_left(None, 0.0) is None
    assert seconds_left({"ends": True}, 0.0) is None  # a bool is not a time
    assert seconds_left({"left": -3}, 0.0) == 0.0
    # a missing or broken length: the time left stands for it
    assert next_timer({"left": 40}, "pause", None, now=0.0) == {"left": 40.0, "total": 40.0}
    assert next_timer({"ends": 50.0, "total": "x"}, "pause", None, now=10.0)["total"] == 40.0


# ------------------------------------------------------------------------------ its two users


def test_the_live_screen_counts_as_the_shared_function_does():
    settings: dict = {}
    shared = None
    for op, seconds, after in STEPS:
        now = 1000.0 + after
        settings["timer"] = _timer(settings, op, seconds, now)
        shared = next_timer(shared, op, seconds, now)
        assert settings["timer"] == shared, op
    assert shared is None  # the positive control: the walk ends off


@pytest.mark.parametrize(
    ("settings", "op", "seconds", "field"),
    [
        ({}, "start", 0, "seconds"),
        ({}, "start", TIMER_MAX + 1, "seconds"),
        ({}, "pause", None, "timer"),
        ({"timer": "not a timer"}, "add", None, "timer"),
        ({"timer": {"ends": 5.0, "total": 5}}, "explode", None, "timer"),
    ],
)
def test_the_live_screen_refuses_in_its_own_error_type(settings, op, seconds, field):
    with pytest.raises(InvalidAnswer) as exc:
        _timer(settings, op, seconds, 0.0)
    assert exc.value.details == {"field": field}


def test_the_workshop_counts_as_the_shared_function_does(tmp_path):
    clock = FakeClock()
    with Store(f"sqlite:///{tmp_path}/t.db", clock=clock) as store:
        ws = WorkshopStore(store)
        made = ws.create_workshop("Leksehjelp", "nb")
        start = clock.now.timestamp()
        shared = None
        elapsed = 0
        for op, seconds, after in STEPS:
            clock.advance(after - elapsed)
            elapsed = after
            now = start + after
            got = ws.set_timer(made.code, made.key, "purpose", op, seconds)
            shared = next_timer(shared, op, seconds, now)
            assert (got.json() if got else None) == (
                {"clause": "purpose", **shared} if shared else None
            ), op
            assert ws.info(made.code).timer == got
        assert shared is None


@pytest.mark.parametrize(
    ("op", "seconds", "key", "limit"),
    [
        ("start", 0, "timer_seconds", TIMER_MAX // 60),
        ("start", TIMER_MAX + 1, "timer_seconds", TIMER_MAX // 60),
        ("pause", None, "no_timer", None),
        ("explode", None, "timer_op", None),
    ],
)
def test_the_workshop_refuses_with_its_rule_keys(tmp_path, op, seconds, key, limit):
    with Store(f"sqlite:///{tmp_path}/t.db") as store:
        ws = WorkshopStore(store)
        made = ws.create_workshop("Leksehjelp", "nb")
        with pytest.raises(WorkshopError) as exc:
            ws.set_timer(made.code, made.key, "purpose", op, seconds)
        assert (exc.value.key, exc.value.field, exc.value.limit) == (key, "timer", limit)
        for lang in ("nb", "nn", "en"):  # said in words, with the bound where there is one
            said = exc.value.message(lang)
            assert said and "{" not in said
            if limit:
                assert str(limit) in said
        assert ws.info(made.code).timer is None
