"""Charts of a plan table: how many community parts mention samskaping, overall and per year.

Pure builders: the summary of :func:`kit.plans.plans.summary` in, ``alt.Chart`` out. Every chart has a
``description`` that says its numbers in words (read by screen readers) and a function giving
the same numbers as an HTML table. Import this module only where a chart is drawn (altair).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import altair as alt

from kit.core.html import table_region
from kit.core.i18n import t

__all__ = [
    "percent",
    "share_chart",
    "share_description",
    "share_rows",
    "share_table",
    "years_chart",
    "years_description",
    "years_rows",
    "years_table",
]

#: Dark blue for "yes", light orange for "no": they differ in lightness too, so a grey print
#: still tells them apart; the bars are labelled in words as well.
_COLOURS = ("#1c5d99", "#f2b872")


def percent(part: int, total: int, lang: str) -> str:
    """A whole percentage as the language writes it ("58 %" in Norwegian, "58%" in English)."""
    return t("plans_percent", lang, n=round(100 * part / total) if total else 0)


def _answers(lang: str) -> tuple[str, str]:
    return t("plans_label_yes", lang), t("plans_label_no", lang)


def share_rows(summary: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """One row per answer: label, count, percentage and the text drawn next to the bar."""
    total = int(summary["total"])
    rows = []
    for label, count in zip(_answers(lang), (summary["yes"], summary["no"]), strict=True):
        share = percent(int(count), total, lang)
        rows.append(
            {
                "answer": label,
                "count": int(count),
                "percent": share,
                "text": t("plans_bar_text", lang, n=int(count), percent=share),
            }
        )
    return rows


def share_description(summary: Mapping[str, Any], lang: str) -> str:
    """The share chart in words: of N plans, how many mention samskaping and how many do not."""
    total = int(summary["total"])
    if not total:
        return t("plans_desc_none", lang)
    return t(
        "plans_desc_share",
        lang,
        total=total,
        municipalities=summary["municipalities"],
        yes=summary["yes"],
        yes_percent=percent(int(summary["yes"]), total, lang),
        no=summary["no"],
        no_percent=percent(int(summary["no"]), total, lang),
    )


def share_chart(summary: Mapping[str, Any], lang: str) -> alt.LayerChart:
    """Two labelled bars, yes and no, each with its count and percentage written beside it."""
    rows = share_rows(summary, lang)
    order = [r["answer"] for r in rows]
    count_title = t("plans_axis_count", lang)
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("answer:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X(
            "count:Q",
            title=count_title,
            axis=alt.Axis(tickMinStep=1, format="d"),
            scale=alt.Scale(domainMin=0, nice=True),
        ),
    )
    bars = base.mark_bar(stroke="#1a1a1a", strokeWidth=0.5).encode(
        color=alt.Color(
            "answer:N", sort=order, scale=alt.Scale(domain=order, range=list(_COLOURS)), legend=None
        ),
        tooltip=[
            alt.Tooltip("answer:N", title=t("plans_col_answer", lang)),
            alt.Tooltip("count:Q", title=count_title),
            alt.Tooltip("percent:N", title=t("plans_col_percent", lang)),
        ],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=14, color="#1a1a1a").encode(text="text:N")
    return (bars + labels).properties(
        title=t("plans_share_title", lang),
        description=share_description(summary, lang),
        width=420,
        height=alt.Step(44),
    )


def share_table(summary: Mapping[str, Any], lang: str) -> str:
    """The share chart's numbers as an HTML table: answer, count, percentage, and the total."""
    total = int(summary["total"])
    body = "".join(
        f"<tr><th scope='row'>{escape(r['answer'])}</th><td>{r['count']}</td>"
        f"<td>{escape(r['percent'])}</td></tr>"
        for r in share_rows(summary, lang)
    )
    body += (
        f"<tr><th scope='row'>{escape(t('plans_col_total', lang))}</th><td>{total}</td>"
        f"<td>{escape(percent(total, total, lang) if total else '')}</td></tr>"
    )
    return table_region(
        "<table class='kit-table'>"
        f"<caption>{escape(t('plans_share_title', lang))}</caption><thead><tr>"
        f"<th scope='col'>{escape(t('plans_col_answer', lang))}</th>"
        f"<th scope='col'>{escape(t('plans_axis_count', lang))}</th>"
        f"<th scope='col'>{escape(t('plans_col_percent', lang))}</th>"
        f"</tr></thead><tbody>{body}</tbody></table>",
        t("plans_share_title", lang),
    )


def years_rows(summary: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Long-form rows for the year chart: one per year and answer, zeros kept (gaps show)."""
    yes, no = _answers(lang)
    rows = []
    for year, counts in summary["by_year"].items():
        rows.append({"year": str(year), "answer": yes, "order": 0, "count": counts["yes"]})
        rows.append({"year": str(year), "answer": no, "order": 1, "count": counts["no"]})
    return rows


def years_description(summary: Mapping[str, Any], lang: str) -> str:
    """The year chart in words: the span, the busiest year, then every year with plans."""
    by_year: Mapping[int, Mapping[str, int]] = summary["by_year"]
    if not summary["total"]:
        return t("plans_desc_none", lang)
    busiest = max(by_year, key=lambda y: (by_year[y]["yes"] + by_year[y]["no"], -y))
    parts = [
        t(
            "plans_desc_years",
            lang,
            first=summary["first_year"],
            last=summary["last_year"],
            year=busiest,
            n=by_year[busiest]["yes"] + by_year[busiest]["no"],
        )
    ]
    each = [
        t("plans_desc_year", lang, year=year, yes=c["yes"], no=c["no"])
        for year, c in by_year.items()
        if c["yes"] or c["no"]
    ]
    parts.append(t("plans_desc_year_list", lang, years="; ".join(each)))
    return " ".join(parts)


def years_chart(summary: Mapping[str, Any], lang: str) -> alt.Chart:
    """Plans adopted per year, each bar split into mentions samskaping (yes) and not (no)."""
    rows = years_rows(summary, lang)
    order = list(_answers(lang))
    years = [str(y) for y in summary["by_year"]]
    count_title = t("plans_axis_count", lang)
    legend_title = t("plans_legend", lang)
    data = rows or [{"year": "", "answer": order[0], "order": 0, "count": 0}]
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar(stroke="#1a1a1a", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "year:O", sort=years, title=t("plans_axis_year", lang), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("sum(count):Q", title=count_title, axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "answer:N",
                sort=order,
                title=legend_title,
                scale=alt.Scale(domain=order, range=list(_COLOURS)),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("year:O", title=t("plans_axis_year", lang)),
                alt.Tooltip("answer:N", title=legend_title),
                alt.Tooltip("count:Q", title=count_title),
            ],
        )
        .properties(
            title=t("plans_years_title", lang),
            description=years_description(summary, lang),
            width=alt.Step(40) if len(years) > 12 else 480,
            height=240,
        )
    )


def years_table(summary: Mapping[str, Any], lang: str) -> str:
    """The year chart's numbers as an HTML table: year, yes, no and the total of each year."""
    yes, no = _answers(lang)
    body = "".join(
        f"<tr><th scope='row'>{year}</th><td>{c['yes']}</td><td>{c['no']}</td>"
        f"<td>{c['yes'] + c['no']}</td></tr>"
        for year, c in summary["by_year"].items()
    )
    return table_region(
        "<table class='kit-table'>"
        f"<caption>{escape(t('plans_years_title', lang))}</caption><thead><tr>"
        f"<th scope='col'>{escape(t('plans_axis_year', lang))}</th>"
        f"<th scope='col'>{escape(yes)}</th><th scope='col'>{escape(no)}</th>"
        f"<th scope='col'>{escape(t('plans_col_total', lang))}</th>"
        f"</tr></thead><tbody>{body}</tbody></table>",
        t("plans_years_title", lang),
    )
