"""The classification's charts (the confusion chart, practice progress): records in,
``alt.Chart`` out (pure; every chart carries a description).

Import this module only where a chart is drawn: it imports altair, which an app without charts
should not pay for.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import altair as alt

from kit.core.html import table_region
from kit.core.i18n import t
from kit.model.html import process_table
from kit.model.labels import process_label
from kit.model.model import PROCESSES


def confusion_summary(rows: Sequence[dict], lang: str) -> str:
    """The chart's numbers in words: what was right, and each mix-up with its count."""
    right = sum(int(r["count"]) for r in rows if r["expected"] == r["given"])
    total = sum(int(r["count"]) for r in rows)
    mixups = sorted(
        (r for r in rows if r["expected"] != r["given"] and r["count"]),
        key=lambda r: -int(r["count"]),
    )
    parts = [t("confusion_summary_right", lang, right=right, total=total)]
    for r in mixups:
        parts.append(
            t(
                "confusion_summary_mixup",
                lang,
                given=process_label(str(r["given"]), lang),
                expected=process_label(str(r["expected"]), lang),
                count=r["count"],
            )
        )
    if not mixups:
        parts.append(t("confusion_summary_none", lang))
    return " ".join(parts)


def confusion_chart(rows: Sequence[dict], lang: str) -> alt.LayerChart:
    """Heat map of expected process (rows) against the learner's answer (columns)."""
    order = [process_label(p, lang) for p in PROCESSES]
    values = [
        {
            "expected": process_label(str(r["expected"]), lang),
            "given": process_label(str(r["given"]), lang),
            "count": int(r["count"]),
        }
        for r in rows
    ]
    peak = max([int(r["count"]) for r in rows] + [1])
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X(
            "given:N",
            sort=order,
            title=t("confusion_axis_given", lang),
            axis=alt.Axis(labelAngle=0, labelLimit=140),
        ),
        y=alt.Y(
            "expected:N",
            sort=order,
            title=t("confusion_axis_expected", lang),
            axis=alt.Axis(labelLimit=200),
        ),
    )
    cells = base.mark_rect(stroke="#555555", strokeWidth=0.5).encode(
        color=alt.Color(
            "count:Q",
            scale=alt.Scale(scheme="blues", domain=[0, peak]),
            legend=alt.Legend(title=t("confusion_legend", lang)),
        ),
        tooltip=[
            alt.Tooltip("expected:N", title=t("confusion_axis_expected", lang)),
            alt.Tooltip("given:N", title=t("confusion_axis_given", lang)),
            alt.Tooltip("count:Q", title=t("confusion_legend", lang)),
        ],
    )
    labels = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > peak / 2, alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(
        title=t("confusion_title", lang),
        description=confusion_summary(rows, lang),
        width=alt.Step(110),
        height=alt.Step(44),
    )


def confusion_table(rows: Sequence[dict], lang: str) -> str:
    """The same numbers as an HTML table with row and column headers."""
    counts = {(r["expected"], r["given"]): int(r["count"]) for r in rows}
    return process_table(
        t("confusion_title", lang),
        t("confusion_table_corner", lang),
        [(process_label(e, lang), [counts.get((e, g), 0) for g in PROCESSES]) for e in PROCESSES],
        lang,
    )


# ---------------------------------------------------------------- adaptive practice (issue 9)


def _practice_tier(row: dict, lang: str) -> str:
    from kit.classify.practice import tier_label

    return t("practice_tier_mastered", lang) if row["mastered"] else tier_label(row["tier"], lang)


def _practice_key(row: dict, stem: str) -> str:
    """``<stem>_mastered``, ``<stem>_new`` (mixed up, not practised yet) or ``<stem>_row``."""
    if row["mastered"]:
        return stem + "_mastered"
    return stem + ("_new" if not int(row["attempts"]) else "_row")


def practice_progress_summary(rows: Sequence[dict], lang: str) -> str:
    """Progress per distinction in words: right of attempts, and the tier reached."""
    from kit.classify.practice import distinction_label

    if not rows:
        return t("practice_desc_none", lang)
    return " ".join(
        t(
            _practice_key(r, "practice_desc"),
            lang,
            distinction=distinction_label(str(r["distinction"]), lang),
            right=r["right"],
            attempts=r["attempts"],
            tier=_practice_tier(r, lang),
        )
        for r in rows
    )


def practice_progress_chart(rows: Sequence[dict], lang: str) -> alt.LayerChart:
    """A bar per distinction: right and not right answers stacked, labelled with the count and
    the tier now (so nothing rests on colour alone)."""
    from kit.classify.practice import distinction_label

    order = [distinction_label(str(r["distinction"]), lang) for r in rows]
    right_label = t("practice_legend_right", lang)
    other_label = t("practice_legend_other", lang)
    bars = []
    labels = []
    for r in rows:
        name = distinction_label(str(r["distinction"]), lang)
        right, attempts = int(r["right"]), int(r["attempts"])
        for rank, (outcome, count) in enumerate(
            ((right_label, right), (other_label, attempts - right))
        ):
            bars.append({"distinction": name, "outcome": outcome, "rank": rank, "count": count})
        labels.append(
            {
                "distinction": name,
                "attempts": attempts,
                "label": t(
                    "practice_bar_new" if not attempts else "practice_bar_label",
                    lang,
                    right=right,
                    attempts=attempts,
                    tier=_practice_tier(r, lang),
                ),
            }
        )
    y = alt.Y("distinction:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    count_title = t("confusion_legend", lang)
    # room on the right for the label after the longest bar
    peak = max([int(r["attempts"]) for r in rows] + [1])
    x_scale = alt.Scale(domain=[0, round(peak * 1.7) + 1], nice=False)
    stacked = (
        alt.Chart(alt.Data(values=bars))
        .mark_bar(stroke="#555555", strokeWidth=0.5)
        .encode(
            x=alt.X("sum(count):Q", title=count_title, scale=x_scale, axis=alt.Axis(tickMinStep=1)),
            y=y,
            color=alt.Color(
                "outcome:N",
                sort=[right_label, other_label],
                scale=alt.Scale(domain=[right_label, other_label], range=["#2e6b30", "#d9d9d9"]),
                legend=alt.Legend(title=t("practice_legend", lang), orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("distinction:N", title=t("practice_col_distinction", lang)),
                alt.Tooltip("outcome:N", title=t("practice_legend", lang)),
                alt.Tooltip("count:Q", title=count_title),
            ],
        )
    )
    text = (
        alt.Chart(alt.Data(values=labels))
        .mark_text(align="left", dx=6, fontSize=13)
        .encode(x=alt.X("attempts:Q", scale=x_scale), y=y, text="label:N")
    )
    return alt.layer(stacked, text).properties(
        title=t("practice_progress_title", lang),
        description=practice_progress_summary(rows, lang),
        width=360,
        height=alt.Step(36),
    )


def practice_progress_table(rows: Sequence[dict], lang: str) -> str:
    """The same numbers as an HTML table: a row per distinction."""
    from kit.classify.practice import distinction_label

    heads = "".join(
        f"<th scope='col'>{escape(t(key, lang))}</th>"
        for key in (
            "practice_col_distinction",
            "practice_col_attempts",
            "practice_col_right",
            "practice_col_tier",
        )
    )
    body = "".join(
        f"<tr><th scope='row'>{escape(distinction_label(str(r['distinction']), lang))}</th>"
        f"<td>{int(r['attempts'])}</td><td>{int(r['right'])}</td>"
        f"<td>{escape(_practice_tier(r, lang))}</td></tr>"
        for r in rows
    )
    return table_region(
        "<table class='kit-table kit-practice-table'>"
        f"<caption>{escape(t('practice_progress_title', lang))}</caption>"
        f"<thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>",
        t("practice_progress_title", lang),
    )
