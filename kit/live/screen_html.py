"""The big screen of a live session (presentation mode), and the result blocks the presenter's
question cards and the session report share (pure: items, counts and a language in, HTML out).

Bars are the kit's own HTML (a labelled row per option, its width the share), not a chart
spec: a new answer changes a few numbers, the screen swaps a small fragment, and the text sizes
are the projector's (set in ``kit/live/static/screen.css``). Every text from a case file, a
question or a phone is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from kit.cases.case import Case
from kit.cases.html import case_text_html
from kit.cases.pairs import SIDES, ContrastPair
from kit.core.i18n import t
from kit.live.questions import Item, Question
from kit.live.room import CaseCounts, CaseResult, QuestionResult
from kit.live.words import CloudWord
from kit.model.labels import level_label, process_label
from kit.model.model import LEVELS, PROCESSES


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    key: bool = False  #: the answer key's option (marked once revealed)


def _pct(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def bars_html(bars: Sequence[Bar], caption: str, lang: str) -> str:
    """Labelled bars as a list (read in order by a screen reader: label, count, share)."""
    total = sum(b.count for b in bars)
    most = max((b.count for b in bars), default=0)
    rows = []
    for b in bars:
        share = _pct(b.count, total)
        width = _pct(b.count, most) if most else 0
        mark = f" <span class='kit-key-mark'>✔ {escape(t('screen_key_mark', lang))}</span>"
        rows.append(
            f"<li class='kit-bar{' kit-bar-key' if b.key else ''}'>"
            f"<span class='kit-bar-label'>{escape(b.label)}{mark if b.key else ''}</span>"
            f"<span class='kit-bar-track'><span class='kit-bar-fill' style='width:{width}%'>"
            "</span></span>"
            f"<span class='kit-bar-count'>{b.count}"
            f"<span class='kit-bar-share'> ({share} %)</span></span></li>"
        )
    return (
        f"<figure class='kit-bars'><figcaption>{escape(caption)}</figcaption>"
        f"<ul>{''.join(rows)}</ul></figure>"
    )


def process_bars(counts: CaseCounts, lang: str, key: Case | None = None) -> str:
    bars = [
        Bar(
            process_label(p, lang), counts.processes.get(p, 0), key is not None and key.process == p
        )
        for p in PROCESSES
    ]
    return bars_html(bars, t("live_chart_process", lang), lang)


def level_bars(counts: CaseCounts, lang: str, key: Case | None = None) -> str:
    bars = [
        Bar(level_label(lv, lang), counts.levels.get(lv, 0), key is not None and key.level == lv)
        for lv in LEVELS
    ]
    return bars_html(bars, t("live_chart_level", lang), lang)


def case_results_html(
    result: CaseResult, lang: str, key: Case | None = None, heading_level: int = 3
) -> str:
    """Process and level bars of a case, each round beside the other after a re-vote; the key
    marked when ``key`` is given (after the reveal)."""
    columns = []
    for counts in result.rounds:
        h = f"h{heading_level}"
        heading = (
            f"<{h}>{escape(t('live_round_n', lang, n=counts.round))}</{h}>"
            if len(result.rounds) > 1
            else ""
        )
        columns.append(
            f"<div class='kit-round-col'>{heading}{process_bars(counts, lang, key)}"
            f"{level_bars(counts, lang, key)}</div>"
        )
    return f"<div class='kit-rounds kit-rounds-{len(columns)}'>{''.join(columns)}</div>"


def key_html(case: Case, lang: str) -> str:
    text = t(
        "live_key",
        lang,
        process=process_label(case.process, lang),
        level=level_label(case.level, lang),
    )
    return (
        f"<div class='kit-screen-key'><p><strong>✔ {escape(text)}</strong></p>"
        f"<p>{escape(case.explanation.get(lang))}</p></div>"
    )


def cloud_html(words: Sequence[CloudWord], lang: str) -> str:
    """The word cloud: the most common first, sizes in six steps by count; a list, so it reads
    in order, with each word's count for a screen reader."""
    if not words:
        return f"<p class='kit-cloud-empty'>{escape(t('screen_cloud_empty', lang))}</p>"
    most = max(w.count for w in words)
    items = []
    for w in words:
        step = 1 + round(5 * (w.count - 1) / (most - 1)) if most > 1 else 3
        items.append(
            f"<li class='kit-cloud-word kit-cloud-{step}'>{escape(w.label)}"
            f"<span class='kit-visually-hidden'> ({w.count})</span></li>"
        )
    label = escape(t("screen_cloud_label", lang))
    return f"<ul class='kit-cloud' aria-label='{label}'>{''.join(items)}</ul>"


def scale_html(q: Question, result: QuestionResult, lang: str) -> str:
    assert q.low is not None and q.high is not None
    points = sorted(result.counts)
    bars = []
    for point in points:
        label = str(point)
        if point == points[0]:
            label += f" – {q.low.get(lang)}"
        if point == points[-1]:
            label += f" – {q.high.get(lang)}"
        bars.append(Bar(label, result.counts[point]))
    mean = result.mean
    average = (
        f"<p class='kit-scale-mean'>{escape(t('screen_mean', lang, mean=f'{float(mean):.1f}'))}</p>"
        if mean is not None
        else ""
    )
    return bars_html(bars, t("screen_scale_caption", lang), lang) + average


def poll_html(q: Question, result: QuestionResult, lang: str) -> str:
    bars = [Bar(option.get(lang), result.counts.get(i, 0)) for i, option in enumerate(q.options)]
    return bars_html(bars, t("screen_poll_caption", lang), lang)


def question_results_html(
    q: Question, result: QuestionResult, lang: str, words: Sequence[CloudWord] = ()
) -> str:
    if q.kind == "open":
        return cloud_html(words, lang)
    if q.kind == "scale":
        return scale_html(q, result, lang)
    return poll_html(q, result, lang)


# ------------------------------------------------------------------------------- the big screen


@dataclass(frozen=True)
class ScreenView:
    """What the big screen shows now (made by :func:`kit.live.screen.screen_view`)."""

    lang: str
    code: str
    join_url: str
    short_url: str
    people: int
    open: bool
    items: tuple[Item, ...]
    index: int | None  #: the item shown (None: the session's start, the join screen)
    answers: int = 0  #: answers to the item shown (its current round)
    revealed: bool = False
    results_on: bool = False  #: the presenter shows results while voting
    round: int = 1
    case_result: CaseResult | None = None
    #: a contrast pair's two cases' results, in the pair's order
    pair_results: tuple[CaseResult, CaseResult] | None = None
    question_result: QuestionResult | None = None
    words: tuple[CloudWord, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def join_block_html(view: ScreenView, *, corner: bool) -> str:
    from kit.live.presenter_html import qr_html

    cls = "kit-screen-join kit-screen-join-corner" if corner else "kit-screen-join"
    qr = qr_html(view.join_url, t("live_qr_alt", view.lang, url=view.join_url))
    return (
        f"<aside class='{cls}' aria-label='{escape(t('screen_join_label', view.lang))}'>"
        "<div class='kit-screen-join-words'>"
        f"<p class='kit-screen-code-label'>{escape(t('live_code_label', view.lang))}</p>"
        f"<p class='kit-screen-code'>{escape(view.code)}</p>"
        f"<p class='kit-screen-url'>{escape(view.short_url)}</p></div>{qr}</aside>"
    )


def _counter(view: ScreenView) -> str:
    lang = view.lang
    people = t("live_participants", lang, n=view.people)
    answers = t("live_answers", lang, n=view.answers)
    return (
        f"<p class='kit-screen-count'><span>{escape(answers)}</span> "
        f"<span class='kit-screen-people'>{escape(people)}</span></p>"
    )


def item_kind(item: Item) -> str:
    """What an item is, as the screen counts them: ``case``, ``pair`` or ``question``."""
    if isinstance(item, Question):
        return "question"
    return "pair" if isinstance(item, ContrastPair) else "case"


#: The position line of each kind of item: "Case 2 of 6".
POSITION_KEYS = {
    "case": "screen_case_of",
    "pair": "screen_pair_of",
    "question": "screen_question_of",
}


def pair_body_html(pair: ContrastPair, view: ScreenView, show: bool) -> str:
    """A contrast pair on the big screen: its two cases side by side, each with its answers
    and (when shown) its process bars, each round beside the other. At the reveal each one's
    key and explanation take the place of its text (the phones keep the texts), and what
    differs follows under both (:func:`difference_html`)."""
    lang = view.lang
    results = view.pair_results
    columns = []
    for index, (side, case) in enumerate(zip(SIDES, pair.cases, strict=True)):
        title = t("pair_case", lang, side=side, title=case.title.get(lang))
        column = [f"<h2>{escape(title)}</h2>"]
        if view.revealed:
            column.append(key_html(case, lang))
        else:
            column.append(f"<p class='kit-screen-text'>{case_text_html(case, lang)}</p>")
        if results is not None:
            answers = t("live_answers", lang, n=results[index].current.answers)
            column.append(f"<p class='kit-screen-pair-count'>{escape(answers)}</p>")
            if show:
                key = case if view.revealed else None
                column.append(process_rounds_html(results[index], lang, key))
        columns.append(f"<section class='kit-screen-pair-case'>{''.join(column)}</section>")
    return f"<div class='kit-screen-pair-cases'>{''.join(columns)}</div>"


def process_rounds_html(result: CaseResult, lang: str, key: Case | None = None) -> str:
    """A case's process bars, each round beside the other after a re-vote (the key marked)."""
    columns = []
    for counts in result.rounds:
        heading = (
            f"<h3>{escape(t('live_round_n', lang, n=counts.round))}</h3>"
            if len(result.rounds) > 1
            else ""
        )
        columns.append(
            f"<div class='kit-round-col'>{heading}{process_bars(counts, lang, key)}</div>"
        )
    return f"<div class='kit-rounds kit-rounds-{len(columns)}'>{''.join(columns)}</div>"


def difference_html(pair: ContrastPair, lang: str) -> str:
    """What tells the pair apart, after its reveal."""
    return (
        f"<div class='kit-screen-difference'><h2>{escape(t('pair_difference', lang))}</h2>"
        f"<p>{escape(pair.difference_text(lang))}</p></div>"
    )


def screen_html(view: ScreenView) -> str:
    """The stage: the item shown (case text or question), its results when they are shown
    (hidden while voting unless the presenter turns them on; always after the reveal), the
    key and explanation after a case's reveal, and how to join (large before anyone has, then
    in a corner)."""
    lang = view.lang
    if view.index is None or not view.items:
        title = t("screen_waiting", lang)
        return (
            f"<div class='kit-screen kit-screen-start'><h1>{escape(title)}</h1>"
            f"{join_block_html(view, corner=False)}{_counter(view)}</div>"
        )
    item = view.items[view.index]
    corner = view.people > 0
    kind = item_kind(item)
    same = [i for i in view.items if item_kind(i) == kind]
    n = same.index(item) + 1
    position = t(POSITION_KEYS[kind], lang, n=n, total=len(same))
    show = view.revealed or view.results_on
    if isinstance(item, ContrastPair):
        heading = t("screen_pair_heading", lang)
        body = pair_body_html(item, view, show)
        if view.round > 1:
            body += (
                f"<p class='kit-screen-round'>{escape(t('live_round_n', lang, n=view.round))}</p>"
            )
        results = difference_html(item, lang) if view.revealed else ""
    elif isinstance(item, Case):
        heading = item.title.get(lang)
        body = f"<p class='kit-screen-text'>{case_text_html(item, lang)}</p>"
        if view.round > 1:
            body += (
                f"<p class='kit-screen-round'>{escape(t('live_round_n', lang, n=view.round))}</p>"
            )
        results = ""
        if show and view.case_result is not None:
            key = item if view.revealed else None
            results = case_results_html(view.case_result, lang, key, heading_level=2)
        if view.revealed:
            body += key_html(item, lang)
    else:
        heading = item.prompt.get(lang)
        origin = "delta_source_question" if item.source else "delta_kit_question"
        body = f"<p class='kit-screen-origin'>{escape(t(origin, lang))}</p>"
        results = ""
        if show and view.question_result is not None:
            results = question_results_html(item, view.question_result, lang, view.words)
    if not show:
        results = f"<p class='kit-screen-hidden'>{escape(t('screen_results_hidden', lang))}</p>"
    closed = (
        "" if view.open else f"<p class='kit-screen-closed'>{escape(t('live_ended', lang))}</p>"
    )
    css_kind = item.kind if isinstance(item, Question) else kind
    return (
        f"<div class='kit-screen kit-screen-{css_kind}{' kit-screen-shown' if show else ''}'>"
        f"<header class='kit-screen-head'><p class='kit-screen-pos'>{escape(position)}</p>"
        f"<h1>{escape(heading)}</h1></header>"
        f"<section class='kit-screen-body'>{body}</section>"
        f"<section class='kit-screen-results' aria-live='polite'>{results}</section>"
        f"<footer class='kit-screen-foot'>{_counter(view)}{closed}</footer>"
        f"{join_block_html(view, corner=True) if corner and view.open else ''}"
        f"{'' if corner or not view.open else join_block_html(view, corner=False)}</div>"
    )
