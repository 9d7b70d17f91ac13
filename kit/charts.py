"""Chart builders: records in, ``alt.Chart`` out (pure; every chart carries a description).

Import this module only where a chart is drawn: it imports altair, which an app without charts
should not pay for.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import altair as alt

from .i18n import t
from .model import PROCESSES


def process_label(process: str, lang: str) -> str:
    return t("process_" + process, lang)


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
    peak = max([v["count"] for v in values] + [1])
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("given:N", sort=order, title=t("confusion_axis_given", lang),
                axis=alt.Axis(labelAngle=0, labelLimit=140)),
        y=alt.Y("expected:N", sort=order, title=t("confusion_axis_expected", lang),
                axis=alt.Axis(labelLimit=200)),
    )
    cells = base.mark_rect(stroke="#555555", strokeWidth=0.5).encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", domain=[0, peak]),
                        legend=alt.Legend(title=t("confusion_legend", lang))),
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
    head = "".join(f"<th scope='col'>{escape(process_label(p, lang))}</th>" for p in PROCESSES)
    body = "".join(
        f"<tr><th scope='row'>{escape(process_label(e, lang))}</th>"
        + "".join(f"<td>{counts.get((e, g), 0)}</td>" for g in PROCESSES)
        + "</tr>"
        for e in PROCESSES
    )
    corner = escape(t("confusion_table_corner", lang))
    return (
        "<div class='kit-table-wrap'><table class='kit-table'>"
        f"<caption>{escape(t('confusion_title', lang))}</caption>"
        f"<thead><tr><th scope='col'>{corner}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
