"""Plan charts (kit.plans.charts), tested through their Vega-Lite dict and their tables."""

from __future__ import annotations

import re

import pytest

from kit.core.i18n import t
from kit.plans import charts as plan_charts
from kit.plans.plans import Plan, read_example, summary
from tests.regions import table_region_labels


def numbers() -> dict:
    return summary(
        [
            Plan("A", 2016, True),
            Plan("B", 2016, False),
            Plan("C", 2018, True),
            Plan("A", 2019, True),
        ]
    )


def values(spec: dict) -> list[dict]:
    if "data" in spec:
        return spec["data"]["values"]
    return spec["layer"][0]["data"]["values"]


def table_cells(html: str) -> list[list[str]]:
    """The table's body rows as lists of cell texts (header cell first)."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in body.split("</tr>") if row]


def test_share_chart_description_states_the_numbers():
    spec = plan_charts.share_chart(numbers(), "nb").to_dict()
    assert spec["description"] == (
        "Av 4 planer fra 3 kommuner omtaler 3 (75 %) samskaping, og 1 (25 %) gjør det ikke."
    )
    assert spec["title"] == "Omtaler samfunnsdelen samskaping?"
    assert values(spec) == [
        {"answer": "Omtaler samskaping", "count": 3, "percent": "75 %", "text": "3 (75 %)"},
        {"answer": "Omtaler ikke samskaping", "count": 1, "percent": "25 %", "text": "1 (25 %)"},
    ]
    # the bars carry their labels in words on the axis and beside each bar, not in colour alone
    bars, labels = spec["layer"]
    assert bars["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    assert labels["encoding"]["text"]["field"] == "text"


def test_share_table_matches_the_chart():
    html = plan_charts.share_table(numbers(), "nb")
    assert "<caption>Omtaler samfunnsdelen samskaping?</caption>" in html
    assert table_cells(html) == [
        ["Omtaler samskaping", "3", "75 %"],
        ["Omtaler ikke samskaping", "1", "25 %"],
        ["Totalt", "4", "100 %"],
    ]


def test_share_in_english():
    spec = plan_charts.share_chart(numbers(), "en").to_dict()
    assert spec["description"] == (
        "Of 4 plans from 3 municipalities, 3 (75%) mention co-creation and 1 (25%) do not."
    )
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Number of plans"


def test_years_chart_description_and_data():
    spec = plan_charts.years_chart(numbers(), "nb").to_dict()
    assert spec["description"] == (
        "Planene ble vedtatt fra 2016 til 2019. Flest planer ble vedtatt i 2016 (2). "
        "Per år: 2016: 1 ja, 1 nei; 2018: 1 ja, 0 nei; 2019: 1 ja, 0 nei."
    )
    assert spec["title"] == "Vedtatte planer per år"
    rows = values(spec)
    # every year from the first to the last, gaps (2017) as zeros, split yes/no
    assert [r["year"] for r in rows] == [
        "2016",
        "2016",
        "2017",
        "2017",
        "2018",
        "2018",
        "2019",
        "2019",
    ]
    assert {"year": "2017", "answer": "Omtaler samskaping", "order": 0, "count": 0} in rows
    assert {"year": "2016", "answer": "Omtaler ikke samskaping", "order": 1, "count": 1} in rows
    assert spec["encoding"]["x"]["sort"] == ["2016", "2017", "2018", "2019"]
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_years_table_matches_the_chart():
    html = plan_charts.years_table(numbers(), "nn")
    assert "<caption>Vedtekne planar per år</caption>" in html
    assert table_cells(html) == [
        ["2016", "1", "1", "2"],
        ["2017", "0", "0", "0"],
        ["2018", "1", "0", "1"],
        ["2019", "1", "0", "1"],
    ]
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert "Omtaler samskaping" in head and "Omtaler ikkje samskaping" in head


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_example_tables_agree_with_descriptions(lang):
    numbers_ = summary(read_example().plans)
    share = plan_charts.share_table(numbers_, lang)
    rows = table_cells(share)
    assert int(rows[0][1]) == numbers_["yes"] and int(rows[1][1]) == numbers_["no"]
    description = plan_charts.share_description(numbers_, lang)
    assert str(numbers_["yes"]) in description and str(numbers_["total"]) in description
    years = table_cells(plan_charts.years_table(numbers_, lang))
    assert sum(int(r[3]) for r in years) == numbers_["total"]
    year_words = plan_charts.years_description(numbers_, lang)
    for year, counts in numbers_["by_year"].items():
        if counts["yes"] or counts["no"]:
            assert f"{year}: {counts['yes']} " in year_words


def test_no_plans_still_draws_and_says_so():
    empty = summary([])
    assert plan_charts.share_chart(empty, "nb").to_dict()["description"] == "Ingen planer å vise."
    assert plan_charts.years_chart(empty, "en").to_dict()["description"] == "No plans to show."
    assert table_cells(plan_charts.share_table(empty, "nb"))[-1] == ["Totalt", "0", ""]


def test_tables_escape_text():
    html = plan_charts.years_table(numbers(), "nb") + plan_charts.share_table(numbers(), "nb")
    assert "<script" not in html and html.count("<table") == 2
    assert table_region_labels(html) == [t("plans_years_title", "nb"), t("plans_share_title", "nb")]


@pytest.mark.parametrize(
    ("part", "total", "expected"), [(1, 3, "33 %"), (2, 3, "67 %"), (0, 0, "0 %")]
)
def test_percent(part, total, expected):
    assert plan_charts.percent(part, total, "nb") == expected
