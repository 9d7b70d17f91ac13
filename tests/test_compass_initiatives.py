"""Samskapingskompasset on realistic initiatives: the first verdict must be the model's.

The table is data (tests/data/compass_initiatives.yaml): a short description of each initiative,
the answers a learner would give, the verdict the model gives and why. The verdicts were decided
from the model (shared/MODEL.md) before the rules were written, not read off the rules.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from kit.compass.compass import DONT_KNOW, PROCESS_LEVELS, assess, load_compass
from kit.compass.html import findings_html, summary_html
from kit.model.labels import process_label
from kit.model.model import PROCESSES, load_model

TABLE = Path(__file__).parent / "data" / "compass_initiatives.yaml"
INITIATIVES = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["initiatives"]
COMPASS = load_compass()
IDS = [item["id"] for item in INITIATIVES]


def _verdict(item):
    return item["expect"]["process"], item["expect"].get("level")


def _first(item):
    """The first verdict the compass must give: the expected one, or where a blind expectation
    is not the compass's (``disagrees``), what the compass gives instead."""
    given = item.get("disagrees", {}).get("compass", item["expect"])
    return given["process"], given.get("level")


def test_the_table_is_well_formed():
    assert len(INITIATIVES) >= 60
    assert len(IDS) == len(set(IDS)), "initiative ids must be unique"
    for item in INITIATIVES:
        assert set(item) <= {
            "id",
            "domain",
            "description",
            "answers",
            "expect",
            "why",
            "gaps",
            "discussions",
            "disagrees",
        }, item["id"]
        assert len(item["description"].split()) >= 12, item["id"]
        assert len(item["why"].split()) >= 8, item["id"]
        process, level = _verdict(item)
        assert process in PROCESSES, item["id"]
        allowed = PROCESS_LEVELS[process]
        assert (level in allowed) if allowed else level is None, item["id"]
        # answered blind for every initiative (see the table's header)
        assert "focus" in item["answers"], item["id"]
        for qid, key in item["answers"].items():
            assert key in COMPASS.question(qid).keys, (item["id"], qid, key)
        for rid in item.get("gaps", []) + item.get("discussions", []):
            COMPASS.rule(rid)  # names a rule that exists


def test_the_table_is_varied():
    domains = Counter(item["domain"] for item in INITIATIVES)
    assert len(domains) >= 10
    for needed in (
        "eldreomsorg",
        "barn og unge",
        "frivilligsentral",
        "bolig",
        "transport",
        "digital inkludering",
        "lindrende omsorg",
        "pårørende",
    ):
        assert needed in domains, needed
    verdicts = Counter(_verdict(item) for item in INITIATIVES)
    for verdict in [
        ("ingen", None),
        ("samskaping", 1),
        ("samskaping", 2),
        ("samproduksjon", 3),
        ("verdisamskaping", 3),
    ]:
        assert verdicts[verdict] >= 4, verdict


def _with(**answers):
    return [
        item["id"]
        for item in INITIATIVES
        if all(item["answers"].get(q) == k for q, k in answers.items())
    ]


@pytest.mark.parametrize(
    ("kind", "answers", "verdict"),
    [
        (
            "the municipality alone with a plan",
            {"participants": "kommune_alene", "framework": "kommunens_plan"},
            ("ingen", None),
        ),
        ("a purchase with a contract", {"runs": "kjop", "framework": "avtale"}, ("ingen", None)),
        (
            "a voluntary group's own activity",
            {"developed": "frivilligheten", "runs": "frivilligheten"},
            ("ingen", None),
        ),
        ("consultation only", {"developed": "innspill"}, ("ingen", None)),
        (
            "co-design without anchoring",
            {"developed": "sammen", "anchoring": "nei"},
            ("samskaping", 2),
        ),
        (
            "a frivillighetspolitikk made together",
            {"developed": "ramme", "framework": "politikk", "anchoring": "begge"},
            ("samskaping", 1),
        ),
        (
            "volunteers run what the unit designed",
            {"developed": "kommunen", "runs": "sammen", "decides": "kommunen"},
            ("samproduksjon", 3),
        ),
        (
            "recipients' experience shapes the offer",
            {"runs": "sammen", "value_judge": "mottakere"},
            ("verdisamskaping", 3),
        ),
        (
            "the recipients decide",
            {"runs": "sammen", "decides": "mottakerne"},
            ("verdisamskaping", 3),
        ),
    ],
)
def test_the_table_has_the_initiatives_the_issue_names(kind, answers, verdict):
    found = [i for i in _with(**answers) if _verdict(INITIATIVES[IDS.index(i)]) == verdict]
    assert found, kind


@pytest.mark.parametrize("item", INITIATIVES, ids=IDS)
def test_first_verdict_is_the_models(item):
    result = assess(item["answers"])
    assert result.verdict is not None, item["why"]
    got = (result.verdict.process, result.verdict.level)
    if "disagrees" in item:  # the expectation is listed, after the compass's first verdict
        process, level = _verdict(item)
        assert process in result.process_keys[1:] and level in result.level_numbers[1:], item["id"]
        assert len(item["disagrees"]["why"].split()) >= 8
    assert got == _first(item), (
        f"{item['id']}: {item['why']} (rules: {[f.rule for f in result.findings]})"
    )
    # the first process and the first level shown are the verdict's
    assert result.process_keys[0] == got[0]
    if got[1] is None:
        assert result.level_numbers == ()
    else:
        assert result.level_numbers[0] == got[1]
    if "gaps" in item:
        assert sorted(g.rule for g in result.gaps) == sorted(item["gaps"])
    if "discussions" in item:
        assert sorted(d.rule for d in result.discussions) == sorted(item["discussions"])


@pytest.mark.parametrize(
    "item", [i for i in INITIATIVES if _verdict(i)[0] == "ingen"], ids=lambda i: i["id"]
)
def test_no_cooperation_means_no_gap_about_the_cooperation(item):
    result = assess(item["answers"])
    cooperation_gaps = [rule.id for rule in COMPASS.rules if rule.found and rule.id in result.fired]
    assert cooperation_gaps == []


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_initiative_renders_with_its_verdict_first(lang):
    model = load_model()
    for item in INITIATIVES:
        answers = {q.id: item["answers"].get(q.id) for q in COMPASS.questions}
        result = assess(answers)
        process, _ = _first(item)
        text = findings_html(result, model, lang)
        verdict_line = text[
            text.index("kit-kompass-verdict") : text.index(
                "</p>", text.index("kit-kompass-verdict")
            )
        ]
        assert process_label(process, lang) in verdict_line, (item["id"], lang)
        doc = summary_html(result, answers, lang, name=item["id"])
        assert doc.startswith("<!DOCTYPE html>") and item["id"] in doc
        assert (DONT_KNOW in item["answers"].values()) == bool(result.dont_know)
