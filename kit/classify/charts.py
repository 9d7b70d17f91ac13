"""Chart builders: records in, ``alt.Chart`` out (pure; every chart carries a description).

Import this module only where a chart is drawn: it imports altair, which an app without charts
should not pay for.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import altair as alt

from kit.core.html import table_region
from kit.core.i18n import t
from kit.model.model import PROCESSES


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


def _process_table(
    caption: str, corner: str, rows: Sequence[tuple[str, Sequence[int]]], lang: str
) -> str:
    """A table with a column per process: ``rows`` are (row header, a count per process)."""
    head = "".join(f"<th scope='col'>{escape(process_label(p, lang))}</th>" for p in PROCESSES)
    body = "".join(
        f"<tr><th scope='row'>{escape(label)}</th>"
        + "".join(f"<td>{n}</td>" for n in numbers)
        + "</tr>"
        for label, numbers in rows
    )
    return table_region(
        f"<table class='kit-table'><caption>{escape(caption)}</caption>"
        f"<thead><tr><th scope='col'>{escape(corner)}</th>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>",
        caption,
    )


def confusion_table(rows: Sequence[dict], lang: str) -> str:
    """The same numbers as an HTML table with row and column headers."""
    counts = {(r["expected"], r["given"]): int(r["count"]) for r in rows}
    return _process_table(
        t("confusion_title", lang),
        t("confusion_table_corner", lang),
        [(process_label(e, lang), [counts.get((e, g), 0) for g in PROCESSES]) for e in PROCESSES],
        lang,
    )


def live_rows(
    counts: dict, titles: dict[str, str], order: Sequence[str], lang: str, first: int = 1
) -> list[dict]:
    """Long-form rows for the live chart: one per case and answer category (zeros left out);
    the cases are numbered from ``first`` (a dashboard page after the first starts further on)."""
    from kit.cases.case import LEVELS

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
                category = t("level_n", lang, n=level) if level else t("level_none", lang)
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
    return _process_table(
        t("live_chart_title", lang),
        t("live_chart_case", lang),
        [(titles[i], [counts[i].processes[p] for p in PROCESSES]) for i in order],
        lang,
    )


def live_chart(rows: Sequence[dict], lang: str) -> alt.HConcatChart:
    """The room's answers: per case, a stacked bar of processes and one of levels."""
    from kit.cases.case import LEVELS

    # With no answers yet each half still gets a zero row: a half without marks leaves an
    # unlabelled mark group in the SVG (axe: svg-img-alt).
    empty = [
        {"case": "", "rank": 0, "part": name, "category": "", "count": 0}
        for name in ("process", "level")
    ]
    data = alt.Data(values=list(rows) or empty)
    process_order = [process_label(p, lang) for p in PROCESSES]
    level_order = [t("level_n", lang, n=lv) if lv else t("level_none", lang) for lv in LEVELS]
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
