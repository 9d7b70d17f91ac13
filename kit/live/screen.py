"""Presentation mode: what the big screen shows and what its keys do, read from and written to
the store (no web, no widgets). The screen's page (:mod:`kit.live.handlers`) calls these in a
worker thread with the presenter key its browser kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kit.cases.case import Case
from kit.cases.pairs import ContrastPair
from kit.core.timer import TimerError, next_timer
from kit.live.questions import Item, Question, load_questions
from kit.live.room import MAX_ROUNDS
from kit.live.screen_html import ScreenView, screen_html
from kit.live.store import InvalidAnswer, NotOwner, RoundLimit, Store
from kit.live.words import Entry, banned_keys, cloud

ACTIONS = ("goto", "next", "prev", "results", "reveal", "revote", "timer")


def banned_words(settings: dict[str, Any], lang: str) -> tuple[str, ...]:
    """The session's banned words: the presenter's list, or the kit's default for ``lang``."""
    words = settings.get("banned")
    if isinstance(words, list):
        return tuple(w for w in words if isinstance(w, str))
    return load_questions().banned.get(lang, ())


def cloud_words(store: Store, code: str, question: Question, lang: str, result: Any) -> tuple:
    banned = banned_keys(banned_words(store.settings(code), lang), lang)
    entries = [Entry(e.id, e.value, e.hidden) for e in result.entries]
    return tuple(cloud(entries, banned, lang))


def screen_view(
    store: Store, code: str, items: tuple[Item, ...], lang: str, join_url: str, short_url: str
) -> ScreenView:
    state = store.state(code)
    settings = store.settings(code)
    people = store.participant_count(code)
    ids = [i.id for i in items]
    index = ids.index(state.current_case) if state.current_case in ids else None
    base = ScreenView(
        lang=lang,
        code=code,
        join_url=join_url,
        short_url=short_url,
        people=people,
        open=state.open,
        items=items,
        index=index,
        results_on=bool(settings.get("results")),
    )
    if index is None:
        return base
    item = items[index]
    revealed = item.id in state.revealed
    if isinstance(item, ContrastPair):
        results = store.results(code)
        first, second = (results[c.id] for c in item.cases)
        return replace(
            base,
            answers=first.current.answers + second.current.answers,
            revealed=revealed,
            round=state.round_of(item.first.id),
            pair_results=(first, second),
        )
    if isinstance(item, Case):
        result = store.results(code)[item.id]
        return replace(
            base,
            answers=result.current.answers,
            revealed=revealed,
            round=state.round_of(item.id),
            case_result=result,
        )
    qres = store.question_results(code)[item.id]
    words = cloud_words(store, code, item, lang, qres) if item.kind == "open" else ()
    return replace(base, answers=qres.answers, revealed=revealed, question_result=qres, words=words)


def screen_json(view: ScreenView, settings: dict[str, Any], revision: Any) -> dict[str, Any]:
    """The screen's reply: its HTML and what its controls need to know."""
    item = view.items[view.index] if view.index is not None else None
    return {
        "rev": list(revision),
        "html": screen_html(view),
        "index": view.index,
        "total": len(view.items),
        "open": view.open,
        "people": view.people,
        "revealed": view.revealed,
        "results": view.results_on,
        "case": isinstance(item, (Case, ContrastPair)),
        "can_revote": isinstance(item, (Case, ContrastPair))
        and not view.revealed
        and view.round < MAX_ROUNDS
        and view.open,
        "timer": settings.get("timer"),
        "now": time.time(),
    }


def _timer(settings: dict[str, Any], op: object, seconds: object, now: float) -> Any:
    """The countdown after ``op`` (:func:`kit.core.timer.next_timer`, shared with the
    workshop's clause timer): ``{"ends": t}`` while running, ``{"left": s}`` paused, None off.
    It only shows time; nothing closes when it runs out (WCAG 2.2.1: the presenter sets,
    pauses, extends or turns it off). A refused step is the room's :class:`InvalidAnswer`."""
    timer = settings.get("timer") if isinstance(settings.get("timer"), dict) else None
    try:
        return next_timer(timer, op, seconds, now)
    except TimerError as exc:
        raise InvalidAnswer(str(exc), field=exc.field) from None


def control(
    store: Store,
    code: str,
    key: str,
    items: tuple[Item, ...],
    action: object,
    data: dict[str, Any],
    clock: Callable[[], float] = time.time,
) -> None:
    """Do what a key or button of the screen asks (checked against the presenter key)."""
    if action not in ACTIONS:
        raise InvalidAnswer("unknown action", field="action")
    if not store.owns(code, key):
        raise NotOwner("the presenter key does not belong to this session")
    ids = [i.id for i in items]
    state = store.state(code)
    index = ids.index(state.current_case) if state.current_case in ids else None
    if action in ("next", "prev", "goto"):
        if action == "goto":
            target = data.get("index")
            if isinstance(target, bool) or not isinstance(target, int):
                raise InvalidAnswer("bad index", field="index")
        elif index is None:
            target = 0 if action == "next" else -1
        else:
            target = index + (1 if action == "next" else -1)
        if 0 <= target < len(ids):
            store.show_case(code, key, ids[target])
        return
    if action == "results":
        store.change_settings(code, key, results=bool(data.get("on")))
        return
    if action == "timer":
        timer = _timer(store.settings(code), data.get("op"), data.get("seconds"), clock())
        store.change_settings(code, key, timer=timer)
        return
    if index is None:
        raise InvalidAnswer("nothing shown", field="current")
    current = ids[index]
    if action == "reveal":
        store.reveal(code, key, current)
    elif action == "revote":
        if not isinstance(items[index], (Case, ContrastPair)):
            raise RoundLimit("a question has no re-vote")
        store.start_round(code, key, current)
