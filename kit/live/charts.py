"""The live room's charts: records in, ``alt.Chart`` out (pure; every chart carries a
description and a table of the same numbers). Imported only where a chart is drawn (altair)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import altair as alt

from kit.core.html import table_region
from kit.core.i18n import t
from kit.model.html import process_table
from kit.model.labels import level_label, process_label
from kit.model.model import LEVELS, PROCESSES


def live_rows(
    counts: dict, titles: dict[str, str], order: Sequence[str], lang: str, first: int = 1
) -> list[dict]:
    """Long-form rows for the live chart: one per case and answer category (zeros left out);
    the cases are numbered from ``first`` (a dashboard page after the first starts further on)."""

    rows = []
    for rank, case_id in enumerate(order, start=first - 1):
        c = counts[case_id]
        label = f"{rank + 1}. {titles[case_id]}"
        for process in PROCESSES:
            if c.processes.get(process):
                rows.append(
                    {
                        "case": label,
                        "rank": rank,
                        "part": "process",
                        "category": process_label(process, lang),
                        "count": c.processes[process],
                    }
                )
        for level in LEVELS:
            if c.levels.get(level):
                category = level_label(level, lang)
                rows.append(
                    {
                        "case": label,
                        "rank": rank,
                        "part": "level",
                        "category": category,
                        "count": c.levels[level],
                    }
                )
    return rows


def live_description(counts: dict, titles: dict[str, str], order: Sequence[str], lang: str) -> str:
    """The live chart in words, case by case, in the order shown."""
    parts = []
    for case_id in order:
        c = counts[case_id]
        if not c.answers:
            continue
        split = ", ".join(
            t("live_chart_desc_part", lang, label=process_label(p, lang), n=n)
            for p, n in c.processes.items()
            if n
        )
        parts.append(
            t("live_chart_desc_case", lang, title=titles[case_id], n=c.answers, parts=split)
        )
    return " ".join(parts) if parts else t("live_chart_desc_none", lang)


def live_table(counts: dict, order: Sequence[str], titles: dict[str, str], lang: str) -> str:
    """The live chart's numbers: a row per case (in ``order``), a column per process."""
    return process_table(
        t("live_chart_title", lang),
        t("live_chart_case", lang),
        [(titles[i], [counts[i].processes[p] for p in PROCESSES]) for i in order],
        lang,
    )


def live_chart(rows: Sequence[dict], lang: str) -> alt.HConcatChart:
    """The room's answers: per case, a stacked bar of processes and one of levels."""

    # With no answers yet each half still gets a zero row: a half without marks leaves an
    # unlabelled mark group in the SVG (axe: svg-img-alt).
    empty = [
        {"case": "", "rank": 0, "part": name, "category": "", "count": 0}
        for name in ("process", "level")
    ]
    data = alt.Data(values=list(rows) or empty)
    process_order = [process_label(p, lang) for p in PROCESSES]
    level_order = [level_label(lv, lang) for lv in LEVELS]
    palette = ["#1c5d99", "#b35900", "#2e7d32", "#6b6b6b"]
    y = alt.Y(
        "case:N",
        sort=alt.SortField("rank"),
        title=t("live_chart_case", lang),
        axis=alt.Axis(labelLimit=260),
    )

    def part(name: str, title: str, order: list[str]) -> alt.Chart:
        return (
            alt.Chart(data)
            .transform_filter(alt.datum.part == name)
            .mark_bar()
            .encode(
                x=alt.X(
                    "sum(count):Q", title=t("live_chart_count", lang), axis=alt.Axis(tickMinStep=1)
                ),
                y=y,
                color=alt.Color(
                    "category:N",
                    sort=order,
                    title=title,
                    scale=alt.Scale(domain=order, range=palette),
                ),
                order=alt.Order("category:N"),
                tooltip=[
                    alt.Tooltip("case:N", title=t("live_chart_case", lang)),
                    alt.Tooltip("category:N", title=title),
                    alt.Tooltip("count:Q", title=t("live_chart_count", lang)),
                ],
            )
            .properties(title=title, width=220)
        )

    chart = alt.hconcat(
        part("process", t("live_chart_process", lang), process_order),
        part("level", t("live_chart_level", lang), level_order),
    ).resolve_scale(color="independent")
    return chart.properties(title=t("live_chart_title", lang))


def round_rows(result, lang: str) -> list[dict]:
    """Long-form rows for one case's rounds: one per round and process (zeros kept, so both
    rounds show every process)."""
    rows = []
    for counts in result.rounds:
        label = t("live_round_n", lang, n=counts.round)
        for order, process in enumerate(PROCESSES):
            rows.append(
                {
                    "round": label,
                    "order": order,
                    "process": process_label(process, lang),
                    "count": counts.processes[process],
                }
            )
    return rows


def _percent(share) -> str:
    return f"{round(float(share) * 100)} %"


def round_description(result, title: str, lang: str) -> str:
    """One case's rounds in words, and the shift between them."""
    parts = []
    for counts in result.rounds:
        split = ", ".join(
            t("live_chart_desc_part", lang, label=process_label(p, lang), n=counts.processes[p])
            for p in PROCESSES
            if counts.processes[p]
        )
        parts.append(
            t(
                "live_round_desc",
                lang,
                n=counts.round,
                answers=counts.answers,
                parts=split or t("live_no_answers", lang),
            )
        )
    shift = result.shift()
    if shift:
        moves = ", ".join(
            t("live_shift_part", lang, label=process_label(p, lang), a=_percent(a), b=_percent(b))
            for p, a, b in shift
        )
        parts.append(t("live_shift", lang, parts=moves))
    return f"{title}: " + " ".join(parts)


def round_table(result, lang: str) -> str:
    """The same numbers as a table: a row per process, a column per round (and the shift)."""
    heads = "".join(
        f"<th scope='col'>{escape(t('live_round_n', lang, n=c.round))}</th>" for c in result.rounds
    )
    two = len(result.rounds) > 1
    if two:
        heads += f"<th scope='col'>{escape(t('live_shift_head', lang))}</th>"
    body = ""
    for process in PROCESSES:
        cells = "".join(f"<td>{c.processes[process]}</td>" for c in result.rounds)
        if two:
            a, b = result.first.share(process), result.current.share(process)
            cells += f"<td>{escape(_percent(a))} → {escape(_percent(b))}</td>"
        body += f"<tr><th scope='row'>{escape(process_label(process, lang))}</th>{cells}</tr>"
    return table_region(
        "<table class='kit-table'>"
        f"<caption>{escape(t('live_round_table', lang))}</caption><thead><tr>"
        f"<th scope='col'>{escape(t('live_chart_process', lang))}</th>{heads}</tr></thead>"
        f"<tbody>{body}</tbody></table>",
        t("live_round_table", lang),
    )


def round_chart(rows: Sequence[dict], lang: str, big: bool = False) -> alt.FacetChart:
    """One case: a bar per process, the first and the second round side by side."""
    data = alt.Data(values=list(rows) or [{"round": "", "order": 0, "process": "", "count": 0}])
    process_order = [process_label(p, lang) for p in PROCESSES]
    palette = ["#1c5d99", "#b35900", "#2e7d32", "#6b6b6b"]
    size = 22 if big else 13
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=t("live_chart_count", lang), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("process:N", sort=process_order, title=None),
            color=alt.Color(
                "process:N",
                sort=process_order,
                scale=alt.Scale(domain=process_order, range=palette),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("round:N", title=t("live_chart_round", lang)),
                alt.Tooltip("process:N", title=t("live_chart_process", lang)),
                alt.Tooltip("count:Q", title=t("live_chart_count", lang)),
            ],
        )
        .properties(width=420 if big else 240, height=220 if big else 120)
        .facet(column=alt.Column("round:N", title=None, header=alt.Header(labelFontSize=size)))
        .configure_axis(labelFontSize=size, titleFontSize=size)
    )
