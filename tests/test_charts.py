"""Chart builders, tested through their Vega-Lite dict."""

from __future__ import annotations

from kit.cases.case import Answer, Case
from kit.cases.grading import check
from kit.classify import charts
from kit.classify.exercise import confusion
from kit.core.i18n import t
from kit.core.text import Text
from kit.live import charts as live_charts
from tests.regions import table_region_labels


def rows():
    a = Case("a", Text("a"), Text("a"), "samskaping", 2, Text("a"))
    b = Case("b", Text("b"), Text("b"), "samproduksjon", 3, Text("b"))
    return confusion(
        [
            check(a, Answer("samproduksjon", 3)),
            check(a, Answer("samproduksjon", 3)),
            check(b, Answer("samproduksjon", 3)),
        ]
    )


def test_confusion_chart_has_description_and_data():
    spec = charts.confusion_chart(rows(), "nb").to_dict()
    assert spec["description"].startswith("1 av 3 svar hadde riktig prosess.")
    assert (
        "2 gang(er) svarte du Samproduksjon der riktig svar var Samskaping." in spec["description"]
    )
    values = spec["data"]["values"] if "data" in spec else spec["layer"][0]["data"]["values"]
    assert {"expected": "Samskaping", "given": "Samproduksjon", "count": 2} in values
    assert len(values) == 16
    assert spec["title"] == "Hva ble tatt for hva?"


def test_confusion_chart_in_english():
    spec = charts.confusion_chart(rows(), "en").to_dict()
    assert spec["title"] == "What was taken for what?"
    layer = spec["layer"][0]
    assert layer["encoding"]["x"]["title"] == "Your answer"


def test_summary_without_mistakes():
    a = Case("a", Text("a"), Text("a"), "ingen", None, Text("a"))
    text = charts.confusion_summary(confusion([check(a, Answer("ingen", None))]), "nb")
    assert "1 av 1" in text and "ingen prosesser" in text


def test_table_has_same_numbers():
    html = charts.confusion_table(rows(), "nb")
    assert table_region_labels(html) == [t("confusion_title", "nb")]
    assert html.count("<th scope='row'>") == 4
    assert "<td>2</td>" in html and "<caption>" in html


def test_live_tables_sit_in_labelled_regions():
    """The presenter's tables (every case; one case's rounds) scroll in named regions, and the
    live table escapes the case titles it is given."""
    from kit.cases.case import Answer as RoomAnswer
    from kit.live.room import CaseCounts, CaseResult

    first = CaseCounts.tally("c1", {RoomAnswer("samskaping", 2): 3})
    second = CaseCounts.tally("c1", {RoomAnswer("samproduksjon", 3): 2}, 2)
    live = live_charts.live_table({"c1": second}, ["c1"], {"c1": "<b>Tittel</b>"}, "en")
    assert table_region_labels(live) == [t("live_chart_title", "en")]
    assert "<b>Tittel</b>" not in live and "&lt;b&gt;Tittel&lt;/b&gt;" in live
    rounds = live_charts.round_table(CaseResult("c1", (first, second)), "nn")
    assert table_region_labels(rounds) == [t("live_round_table", "nn")]
