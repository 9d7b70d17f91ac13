"""Samskapingskompasset, pure layer: the rules in data/compass.yaml, the interpreter, the HTML."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest
import yaml

from kit.compass.compass import (
    DONT_KNOW,
    NOT_APPLICABLE,
    PROCESS_LEVELS,
    assess,
    load_compass,
    parse_compass,
)
from kit.compass.html import (
    diagram_html,
    download_html,
    findings_html,
    rule_sentence,
    rules_html,
    summary_html,
)
from kit.core.i18n import t
from kit.core.paths import data_dir
from kit.core.yamlio import ContentError
from kit.model.model import load_model
from tests.regions import table_region_labels

COMPASS = load_compass()
RAW = yaml.safe_load((data_dir() / "compass.yaml").read_text(encoding="utf-8"))

#: Answer sets the rules below lean on: a cooperation (co-production) and two non-cooperations.
COOP = {"participants": "frivillige", "runs": "sammen"}
OWN = {
    "participants": "frivilligheten_alene",
    "developed": "frivilligheten",
    "runs": "frivilligheten",
}
PURCHASE = {"participants": "organisasjoner", "runs": "kjop"}
#: Answers that make the compass find each process (for rules with a `found` condition).
FINDS = {
    "samskaping": {"participants": "organisasjoner", "developed": "sammen", "decides": "sammen"},
    "samproduksjon": COOP,
    "verdisamskaping": {**COOP, "value_judge": "mottakere"},
    "ingen": {"participants": "kommune_alene"},
}

# One row per rule in data/compass.yaml: the rule id, answers on which it fires, and answers on
# which it must not fire (a neighbouring answer, "vet ikke", the question left open, or, for
# gaps about the cooperation, the same answer where there is no cooperation).
RULES = [
    (
        "level2_rework",
        {**FINDS["samskaping"], "focus": "utvikle", "runs": "sammen"},
        [
            {**FINDS["samskaping"], "focus": "drive", "runs": "sammen"},
            {**FINDS["samskaping"], "focus": DONT_KNOW, "runs": "sammen"},
            {**FINDS["samskaping"], "runs": "sammen"},  # no answer: the running offer is judged
            {**FINDS["samskaping"], "focus": "utvikle", "decides": "kommunen"},
            {
                "participants": "kommune_alene",
                "developed": "sammen",
                "decides": "sammen",
                "focus": "utvikle",
            },
            {**FINDS["samskaping"], "focus": "utvikle", "runs": "ingen_tilbud_ramme"},
        ],
    ),
    (
        "level3_value",
        {**COOP, "value_judge": "mottakere"},
        [
            {**COOP, "value_judge": "kommunen"},
            {"participants": "frivillige", "runs": "frivilligheten", "value_judge": "mottakere"},
            {"participants": "kommune_alene", "runs": "sammen", "value_judge": "mottakere"},
            {"value_judge": "mottakere"},
        ],
    ),
    (
        "level3_recipients_decide",
        {"participants": "organisasjoner", "runs": "sammen", "decides": "mottakerne"},
        [
            {"participants": "organisasjoner", "runs": "sammen", "decides": "sammen"},
            {"participants": "organisasjoner", "runs": "ikke_i_drift", "decides": "mottakerne"},
            {"runs": "sammen", "decides": "mottakerne"},
        ],
    ),
    (
        "level3_recipients_shape",
        {**COOP, "developed": "mottakerne"},
        [
            {**COOP, "developed": "sammen"},
            {"participants": "kommune_mottakere", "runs": "sammen", "developed": "mottakerne"},
            {"participants": "frivillige", "runs": "ikke_i_drift", "developed": "mottakerne"},
            {"runs": "sammen", "developed": "mottakerne"},
        ],
    ),
    (
        "level3_coproduction",
        COOP,
        [
            {"participants": "frivillige", "runs": "kommunen"},
            {"participants": "kommune_alene", "runs": "sammen"},
            {"participants": DONT_KNOW, "runs": "sammen"},
            {"runs": "sammen"},
            {"participants": "frivillige", "developed": "sammen"},
        ],
    ),
    (
        "level2_codesign",
        {"participants": "organisasjoner", "developed": "sammen", "decides": "sammen"},
        [
            {"participants": "organisasjoner", "developed": "innspill", "decides": "sammen"},
            {"participants": "kommune_alene", "developed": "sammen", "decides": "sammen"},
            {"participants": "frivillige", "developed": "sammen", "decides": "kommunen"},
            {"participants": "frivillige", "developed": "sammen", "decides": DONT_KNOW},
            {"participants": "frivillige", "developed": "sammen"},
            {**FINDS["samskaping"], "runs": "ingen_tilbud_ramme"},  # a frame is not an offer
        ],
    ),
    (
        "level2_recipients_codesign",
        {"participants": "kommune_mottakere", "developed": "mottakerne", "decides": "mottakerne"},
        [
            {"participants": "kommune_mottakere", "developed": "sammen", "decides": "sammen"},
            {"participants": "kommune_alene", "developed": "mottakerne", "decides": "sammen"},
            {"participants": "kommune_partnere", "developed": "mottakerne", "decides": "kommunen"},
            {"participants": "kommune_partnere", "developed": "mottakerne"},
            {
                "participants": "kommune_mottakere",
                "developed": "mottakerne",
                "decides": "sammen",
                "runs": "ingen_tilbud_ramme",
            },
        ],
    ),
    (
        "none_alone",
        {"participants": "kommune_alene"},
        [{"participants": "organisasjoner"}, {"participants": DONT_KNOW}, {}],
    ),
    (
        "none_voluntary_alone",
        {"participants": "frivilligheten_alene"},
        [{"participants": "frivillige"}, {}],
    ),
    (
        "none_without_voluntary",
        {"participants": "kommune_partnere", "developed": "sammen"},
        [
            {"participants": "kommune_partnere", "developed": "mottakerne"},
            {"participants": "kommune_mottakere", "developed": "mottakerne"},
            {"participants": "organisasjoner"},
            {"participants": DONT_KNOW},
        ],
    ),
    (
        "none_voluntary_own",
        {"developed": "frivilligheten", "runs": "ikke_i_drift"},
        [
            {"developed": "frivilligheten", "runs": "sammen"},
            {"developed": "sammen", "runs": "frivilligheten"},
            {"developed": "frivilligheten"},
        ],
    ),
    ("none_purchase", {"runs": "kjop"}, [{"runs": "kommunen"}, {"runs": DONT_KNOW}, {}]),
    (
        "none_information",
        {"developed": "informert"},
        [{"developed": "innspill"}, {"developed": "kommunen"}, {"developed": DONT_KNOW}],
    ),
    (
        "none_consultation",
        {"developed": "innspill"},
        [{"developed": "informert"}, {"developed": "kommunen"}, {"developed": DONT_KNOW}],
    ),
    (
        "none_municipality_decides",
        {"decides": "kommunen"},
        [{"decides": "sammen"}, {"decides": DONT_KNOW}],
    ),
    (
        "none_no_joint_work",
        {"developed": "kommunen", "runs": "ikke_i_drift"},
        [
            {"developed": "kommunen", "runs": "sammen"},
            {"developed": "sammen", "runs": "kommunen"},
            {"developed": "kommunen"},
        ],
    ),
    (
        "level1_frame",
        {"participants": "organisasjoner", "developed": "ramme", "decides": "sammen"},
        [
            {"participants": "kommune_alene", "developed": "ramme", "decides": "sammen"},
            {"participants": "organisasjoner", "developed": "ramme", "decides": "kommunen"},
            {"participants": "organisasjoner", "developed": "ramme"},
            {"developed": "ramme", "decides": "sammen"},
        ],
    ),
    (
        "level1_no_offer",
        {"participants": "frivillige", "runs": "ingen_tilbud_ramme", "decides": "sammen"},
        [
            {"participants": "frivillige", "runs": "ikke_i_drift", "decides": "sammen"},
            {"participants": "kommune_partnere", "runs": "ingen_tilbud_ramme", "decides": "sammen"},
            {"participants": "frivillige", "runs": "ingen_tilbud_ramme", "decides": "kommunen"},
            {"runs": "ingen_tilbud_ramme", "decides": "sammen"},
        ],
    ),
    (
        "level1_anchoring",
        {"participants": "organisasjoner", "anchoring": "begge", "decides": "sammen"},
        [
            {"participants": "organisasjoner", "anchoring": "kommunen", "decides": "sammen"},
            {"participants": "organisasjoner", "anchoring": "nei", "decides": "sammen"},
            {"participants": "kommune_alene", "anchoring": "begge", "decides": "sammen"},
            {"participants": "organisasjoner", "anchoring": "begge", "decides": "kommunen"},
            {"anchoring": "begge"},
        ],
    ),
    (
        "level1_written",
        {"participants": "frivillige", "framework": "politikk", "decides": "frivilligheten"},
        [
            {"participants": "frivillige", "framework": "kommunens_plan", "decides": "sammen"},
            {"participants": "frivillige", "framework": "nei", "decides": "sammen"},
            {"participants": "kommune_alene", "framework": "politikk", "decides": "sammen"},
            {"framework": "avtale"},
        ],
    ),
    (
        "gap_plan_not_joint",
        {**COOP, "framework": "kommunens_plan"},
        [
            {**COOP, "framework": "politikk"},
            {"framework": "kommunens_plan"},
            {"participants": "kommune_alene", "framework": "kommunens_plan"},
        ],
    ),
    (
        "gap_no_framework",
        {**COOP, "framework": "nei"},
        [
            {**COOP, "framework": "politikk"},
            {**COOP, "framework": DONT_KNOW},
            {"framework": "nei"},
            {**OWN, "framework": "nei"},
        ],
    ),
    (
        "gap_no_anchoring",
        {**COOP, "anchoring": "nei"},
        [
            {**COOP, "anchoring": "begge"},
            {**COOP, "anchoring": "kommunen"},
            {**COOP, "anchoring": DONT_KNOW},
            {**PURCHASE, "anchoring": "nei"},
        ],
    ),
    (
        "gap_one_sided_anchoring",
        {**COOP, "anchoring": "frivilligheten"},
        [
            {**COOP, "anchoring": "begge"},
            {**COOP, "anchoring": "nei"},
            {**OWN, "anchoring": "frivilligheten"},
        ],
    ),
    (
        "gap_municipality_decides",
        {"developed": "sammen", "decides": "kommunen"},
        [
            {"developed": "kommunen", "decides": "kommunen"},
            {"developed": "sammen", "decides": "sammen"},
            {"developed": "sammen", "decides": DONT_KNOW},
        ],
    ),
    (
        "gap_recipients_absent",
        {**COOP, "recipients": "nei"},
        [
            {**COOP, "recipients": "ja"},
            {**COOP, "recipients": DONT_KNOW},
            {"recipients": "nei"},
            {"participants": "kommune_alene", "recipients": "nei"},
        ],
    ),
    (
        "gap_no_feedback",
        {**COOP, "feedback": "nei"},
        [
            {**COOP, "feedback": "ja"},
            {**COOP, "feedback": "delvis"},
            {**COOP, "feedback": DONT_KNOW},
            {**OWN, "feedback": "nei"},
        ],
    ),
    (
        "gap_feedback_stops",
        {**COOP, "feedback": "delvis"},
        [{**COOP, "feedback": "ja"}, {**COOP, "feedback": "nei"}, {"feedback": "delvis"}],
    ),
    (
        "gap_no_evaluation",
        {**COOP, "evaluation": "av_og_til"},
        [
            {**COOP, "evaluation": "jevnlig"},
            {**COOP, "evaluation": DONT_KNOW},
            {**PURCHASE, "evaluation": "nei"},
        ],
    ),
    (
        "gap_municipal_terms",
        {**COOP, "terms": "kommunen"},
        [
            {**COOP, "terms": "frivilligheten"},
            {**COOP, "terms": "avklart"},
            {**COOP, "terms": DONT_KNOW},
            {"terms": "kommunen"},
        ],
    ),
    (
        "gap_value_not_recipient",
        {**COOP, "value_judge": "ingen"},
        [
            {**COOP, "value_judge": "mottakere"},
            {**COOP, "value_judge": DONT_KNOW},
            {**OWN, "value_judge": "frivillige"},
        ],
    ),
    (
        "discuss_statutory",
        {"statutory": "grenseland"},
        [{"statutory": "nei"}, {"statutory": DONT_KNOW}, {}],
    ),
    (
        "discuss_coproduction_only",
        {"developed": "kommunen", "runs": "sammen"},
        [
            {"developed": "sammen", "runs": "sammen"},
            {"developed": "kommunen", "runs": "kommunen"},
            {"developed": DONT_KNOW, "runs": "sammen"},
        ],
    ),
    (
        "discuss_consultation_only",
        {"developed": "innspill"},
        [{"developed": "sammen"}, {"developed": DONT_KNOW}, {}],
    ),
]


def test_every_rule_in_the_data_has_a_row_in_the_table():
    in_data = [rule.id for rule in COMPASS.rules]
    in_table = [row[0] for row in RULES]
    assert sorted(set(in_data) - set(in_table)) == [], "add a row to RULES for these rules"
    assert sorted(set(in_table) - set(in_data)) == [], "RULES names rules the data lacks"
    assert len(in_table) == len(set(in_table))


@pytest.mark.parametrize(("rule_id", "fires", "not_fires"), RULES, ids=[r[0] for r in RULES])
def test_rule_fires_on_its_condition_and_not_otherwise(rule_id, fires, not_fires):
    rule = COMPASS.rule(rule_id)
    result = assess(fires)
    assert rule_id in result.fired
    if rule.kind == "gap":
        assert rule_id in [g.rule for g in result.gaps]
    elif rule.kind == "discussion":
        assert rule_id in [d.rule for d in result.discussions]
    else:
        assert rule.process in result.process_keys
        reasons = [r.rule for p in result.processes for r in p.reasons]
        assert rule_id in reasons
        if rule.level is not None:
            assert rule.level in result.level_numbers
    for answers in not_fires:
        assert rule_id not in assess(answers).fired, answers


@pytest.mark.parametrize("rule", COMPASS.rules, ids=lambda r: r.id)
def test_each_condition_of_a_rule_is_needed(rule):
    """Met with any listed key the rule fires; change one answer to anything else and it stops.

    A rule that needs a process found gets answers that find one; without them it stays quiet.
    """
    own = {qid: keys[-1] for qid, keys in rule.when}
    cooperation = FINDS[rule.found[-1]] if rule.found else {}
    base = {**cooperation, **own}
    assert rule.id in assess(base).fired
    for qid, keys in rule.when:
        others = [k for k in COMPASS.question(qid).keys if k not in keys] + [None]
        for other in others:
            assert rule.id not in assess({**base, qid: other}).fired, (qid, other)
    for qid, keys in rule.unless:  # an excluding answer stops it; any other leaves it firing
        for key in COMPASS.question(qid).keys:
            fired = rule.id in assess({**base, qid: key}).fired
            assert fired == (key not in keys), (qid, key)
    if rule.found:
        assert rule.id not in assess(own).fired
        for process, answers in FINDS.items():
            if process not in rule.found:
                assert rule.id not in assess({**answers, **own}).fired, process


def test_the_tuesday_lunch_is_coproduction_not_cocreation():
    """The source's own example: volunteers serve food by the municipality's plan."""
    result = assess(
        {
            "participants": "frivillige",
            "developed": "kommunen",
            "runs": "sammen",
            "decides": "kommunen",
            "value_judge": "kommunen",
        }
    )
    assert result.process_keys == ("samproduksjon",)
    assert result.level_numbers == (3,)
    assert [d.rule for d in result.discussions] == ["discuss_coproduction_only"]
    assert [g.rule for g in result.gaps] == ["gap_value_not_recipient"]
    assert "none_municipality_decides" in result.fired  # fired, but outranked


FULL = {
    "participants": "frivillige",
    "developed": "sammen",
    "runs": "sammen",
    "decides": "sammen",
    "recipients": "ja",
    "value_judge": "mottakere",
    "terms": "frivilligheten",
    "statutory": "nei",
    "framework": "politikk",
    "anchoring": "begge",
    "feedback": "ja",
    "evaluation": "jevnlig",
    "focus": "drive",
}


def test_a_full_cooperation_has_every_process_and_level_and_no_gap():
    result = assess(FULL)
    assert result.process_keys == ("verdisamskaping", "samproduksjon", "samskaping")
    assert result.level_numbers == (3, 2, 1)
    assert (result.verdict.process, result.verdict.level) == ("verdisamskaping", 3)
    assert result.gaps == () and result.discussions == ()
    assert result.dont_know == () and result.unanswered == ()
    assert result.answered == result.total == len(COMPASS.questions)
    level1 = result.levels[-1]
    assert level1.level == 1
    assert [r.rule for r in level1.reasons] == ["level1_anchoring", "level1_written"]


def _first(answers):
    verdict = assess(answers).verdict
    return (verdict.process, verdict.level) if verdict else None


# The rank order in words: which verdict comes first when several rules hold.
RANKS = [
    (
        "reworking_a_running_offer_is_codesign",
        {
            **COOP,
            "developed": "sammen",
            "decides": "sammen",
            "value_judge": "mottakere",
            "focus": "utvikle",
        },
        ("samskaping", 2),
    ),
    (
        "running_the_same_offer_is_value",
        {
            **COOP,
            "developed": "sammen",
            "decides": "sammen",
            "value_judge": "mottakere",
            "focus": "drive",
        },
        ("verdisamskaping", 3),
    ),
    ("value_before_coproduction", {**COOP, "value_judge": "mottakere"}, ("verdisamskaping", 3)),
    ("recipients_decide_is_value", {**COOP, "decides": "mottakerne"}, ("verdisamskaping", 3)),
    ("recipients_shape_is_value", {**COOP, "developed": "mottakerne"}, ("verdisamskaping", 3)),
    (
        "recipients_shape_before_it_runs",
        {**FINDS["samskaping"], "developed": "mottakerne", "runs": "ikke_i_drift"},
        ("samskaping", 2),
    ),
    (
        "recipients_shape_it_with_the_municipality",
        {
            "participants": "kommune_mottakere",
            "developed": "mottakerne",
            "decides": "mottakerne",
            "runs": "kommunen",
            "value_judge": "mottakere",
        },
        ("samskaping", 2),  # no co-production, so no value co-creation
    ),
    (
        "public_partners_only",
        {
            "participants": "kommune_partnere",
            "developed": "sammen",
            "decides": "sammen",
            "runs": "kommunen",
            "anchoring": "begge",
        },
        ("ingen", None),
    ),
    (
        "ideell_organisation_on_contract",
        {"participants": "kommune_partnere", "developed": "kommunen", "runs": "kjop"},
        ("ingen", None),
    ),
    (
        "a_frame_is_not_codesign",
        {**FINDS["samskaping"], "runs": "ingen_tilbud_ramme", "anchoring": "begge"},
        ("samskaping", 1),
    ),
    (
        "a_frame_the_municipality_made_alone",
        {
            "participants": "organisasjoner",
            "developed": "kommunen",
            "runs": "ingen_tilbud_ramme",
            "decides": "sammen",
        },
        ("ingen", None),
    ),
    (
        "information_outranks_anchoring",
        {
            "participants": "organisasjoner",
            "developed": "informert",
            "decides": "sammen",
            "anchoring": "begge",
        },
        ("ingen", None),
    ),
    (
        "coproduction_before_codesign",
        {**COOP, "developed": "sammen", "decides": "sammen"},
        ("samproduksjon", 3),
    ),
    (
        "codesign_before_anchoring",
        {**FINDS["samskaping"], "anchoring": "begge", "framework": "avtale"},
        ("samskaping", 2),
    ),
    (
        "codesign_without_anchoring",
        {**FINDS["samskaping"], "anchoring": "nei", "framework": "nei"},
        ("samskaping", 2),
    ),
    (
        "frame_alone",
        {"participants": "organisasjoner", "developed": "ramme", "decides": "sammen"},
        ("samskaping", 1),
    ),
    (
        "purchase_outranks_contract_and_anchoring",
        {**PURCHASE, "decides": "sammen", "framework": "avtale", "anchoring": "begge"},
        ("ingen", None),
    ),
    (
        "municipal_plan_alone",
        {"participants": "kommune_alene", "framework": "kommunens_plan", "anchoring": "kommunen"},
        ("ingen", None),
    ),
    (
        "own_activity_outranks_policy",
        {
            "participants": "organisasjoner",
            "developed": "frivilligheten",
            "runs": "frivilligheten",
            "decides": "frivilligheten",
            "framework": "politikk",
            "anchoring": "begge",
        },
        ("ingen", None),
    ),
    (
        "consultation_outranks_anchoring",
        {
            "participants": "organisasjoner",
            "developed": "innspill",
            "decides": "sammen",
            "anchoring": "begge",
        },
        ("ingen", None),
    ),
    (
        "coproduction_outranks_consultation",
        {**COOP, "developed": "innspill", "decides": "kommunen"},
        ("samproduksjon", 3),
    ),
    (
        "workshop_decided_alone",
        {"participants": "organisasjoner", "developed": "sammen", "decides": "kommunen"},
        ("ingen", None),
    ),
]


@pytest.mark.parametrize(("name", "answers", "first"), RANKS, ids=[r[0] for r in RANKS])
def test_rank_order_decides_the_main_answer(name, answers, first):
    assert _first(answers) == first


def test_a_frame_is_level_1_only():
    """No offer to run: co-design's answers may be given, but level 2 is not found."""
    frame = assess({**FINDS["samskaping"], "runs": "ingen_tilbud_ramme", "framework": "politikk"})
    assert frame.process_keys == ("samskaping",) and frame.level_numbers == (1,)
    assert [f.rule for f in frame.findings] == ["level1_no_offer", "level1_written"]
    assert "level2_codesign" not in frame.fired
    # the same answers about an offer not yet running: co-design first, the frame second
    offer = assess({**FINDS["samskaping"], "runs": "ikke_i_drift", "framework": "politikk"})
    assert offer.level_numbers == (2, 1)


def test_ingen_counts_only_when_no_rule_above_gives_a_process():
    alone = assess({"participants": "kommune_alene"})
    assert alone.process_keys == ("ingen",) and alone.level_numbers == ()
    assert alone.verdict.rule == "none_alone" and alone.verdict.level is None
    # a contract signed on both sides: level 1's rules fire but are set aside, "ingen" stands
    bought = assess({**PURCHASE, "decides": "sammen", "framework": "avtale", "anchoring": "begge"})
    assert {"none_purchase", "level1_anchoring", "level1_written"} <= set(bought.fired)
    assert bought.process_keys == ("ingen",) and bought.level_numbers == ()
    assert [f.rule for f in bought.findings] == ["none_purchase"]
    # volunteers help run it: co-production outranks the "ingen" of a municipality that decides
    tuesday = assess({**COOP, "decides": "kommunen"})
    assert "none_municipality_decides" in tuesday.fired
    assert tuesday.process_keys == ("samproduksjon",)


NO_COOPERATION = {
    "alone": {"participants": "kommune_alene", "developed": "kommunen"},
    "own_activity": OWN,
    "purchase": {**PURCHASE, "developed": "kommunen", "decides": "kommunen"},
    "consultation": {"participants": "organisasjoner", "developed": "innspill", "runs": "kommunen"},
}


@pytest.mark.parametrize("case", sorted(NO_COOPERATION))
def test_no_gap_about_the_cooperation_where_there_is_none(case):
    """Every answer that would reveal a gap, given where nobody develops or runs anything together."""
    worst = {
        "recipients": "nei",
        "value_judge": "ingen",
        "terms": "kommunen",
        "framework": "nei",
        "anchoring": "nei",
        "feedback": "nei",
        "evaluation": "nei",
    }
    result = assess({**worst, **NO_COOPERATION[case]})
    assert result.process_keys == ("ingen",)
    assert [g.rule for g in result.gaps] == []
    assert not any(rule.found and rule.id in result.fired for rule in COMPASS.rules)
    # the same answers in a cooperation reveal the gaps
    assert len(assess({**worst, **COOP}).gaps) >= 6


def test_consultation_only_gets_a_discussion_point():
    result = assess({"participants": "organisasjoner", "developed": "innspill"})
    assert result.process_keys == ("ingen",)
    assert [d.rule for d in result.discussions] == ["discuss_consultation_only"]
    assert "co-design" in result.discussions[0].reason.en


def test_dont_know_and_unanswered_are_listed_as_such():
    result = assess({"framework": DONT_KNOW, "anchoring": "begge", "feedback": None})
    assert [q.id for q in result.dont_know] == ["framework"]
    assert "feedback" in [q.id for q in result.unanswered]
    assert "framework" not in [q.id for q in result.unanswered]
    assert result.answered == 2
    assert result.dont_know[0].find_out.nb


#: The questions that assume a cooperation or an offer, and so have "ikke relevant".
ASSUME_A_COOPERATION_OR_OFFER = {
    "recipients",
    "value_judge",
    "terms",
    "statutory",
    "framework",
    "anchoring",
    "feedback",
    "evaluation",
}


def test_questions_that_assume_a_cooperation_or_an_offer_can_be_not_applicable():
    have = {q.id for q in COMPASS.questions if NOT_APPLICABLE in q.keys}
    assert have == ASSUME_A_COOPERATION_OR_OFFER
    for qid in have:
        keys = COMPASS.question(qid).keys
        assert keys[-2:] == (NOT_APPLICABLE, DONT_KNOW), qid  # just before "vet ikke"
        label = COMPASS.question(qid).option(NOT_APPLICABLE).label
        assert label.nb.startswith("Ikke relevant: ") and label.en.startswith("Not applicable: ")
        assert label.nn.startswith("Ikkje relevant: ")


@pytest.mark.parametrize("qid", sorted(ASSUME_A_COOPERATION_OR_OFFER))
@pytest.mark.parametrize(
    "base",
    [COOP, FINDS["samskaping"], OWN, PURCHASE, {}],
    ids=["coop", "codesign", "own", "buy", "none"],
)
def test_not_applicable_meets_no_condition(qid, base):
    """Answered "ikke relevant", a question counts as answered but fires what leaving it open
    fires: it never stands in for a cooperation, a gap or a discussion point."""
    given = assess({**base, qid: NOT_APPLICABLE})
    left_open = assess({k: v for k, v in base.items() if k != qid})
    assert given.fired == left_open.fired
    assert given.answered == left_open.answered + 1
    assert qid not in [q.id for q in (*given.dont_know, *given.unanswered)]


def test_an_initiative_with_no_cooperation_answers_not_applicable_without_gaps():
    answers = {
        "participants": "kommune_partnere",
        "developed": "kommunen",
        "runs": "kjop",
        "decides": "kommunen",
        "focus": "drive",
        **{qid: NOT_APPLICABLE for qid in ASSUME_A_COOPERATION_OR_OFFER},
    }
    result = assess(answers)
    assert result.process_keys == ("ingen",)
    assert result.gaps == () and result.discussions == ()
    assert result.dont_know == () and result.unanswered == ()
    assert result.answered == result.total


def test_nothing_answered_gives_no_process_and_no_gap():
    result = assess({})
    assert result.processes == () and result.levels == () and result.gaps == ()
    assert len(result.unanswered) == len(COMPASS.questions)


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"nope": "ja"}, "unknown question 'nope'"), ({"framework": "kanskje"}, "'kanskje' is not")],
)
def test_unknown_question_or_option_is_refused(answers, message):
    with pytest.raises(ValueError, match=message):
        assess(answers)


def test_every_question_has_a_dont_know_option_and_the_data_is_trilingual():
    for question in COMPASS.questions:
        assert question.keys[-1] == DONT_KNOW, question.id
        for text in (
            question.prompt,
            question.short,
            question.find_out,
            *(o.label for o in question.options),
        ):
            assert set(text.languages) == {"nb", "en", "nn"}, (question.id, text)
    for rule in COMPASS.rules:
        for text in (rule.reason, rule.gap, rule.discussion, rule.next_step):
            if text is not None:
                assert set(text.languages) == {"nb", "en", "nn"}, rule.id


def test_rules_agree_with_the_model_levels():
    model = load_model()
    modes = {lv.number: lv.mode for lv in model.levels}
    for rule in COMPASS.rules:
        if rule.process in ("samskaping", "samproduksjon"):
            assert modes[rule.level] == rule.process, rule.id
        if rule.process:
            assert (rule.level in PROCESS_LEVELS[rule.process]) or rule.level is None


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_rules_are_stated_in_words(lang):
    text = rules_html(COMPASS, lang)
    for rule in COMPASS.rules:
        assert f"data-rule='{rule.id}'" in text
    sentence = rule_sentence(COMPASS.rule("level3_coproduction"), COMPASS, lang)
    quote = {"en": "“"}.get(lang, "«")
    assert sentence.count(quote) == 6 and ("3" in sentence)  # 2 questions, 4 options
    assert "Ja, frivillige driver det sammen med en kommunal virksomhet" in rule_sentence(
        COMPASS.rule("level3_coproduction"), COMPASS, "nb"
    )
    gap = rule_sentence(COMPASS.rule("gap_no_framework"), COMPASS, lang)
    assert gap.count(quote) == 5  # three processes, one question, one option
    found = {
        "nb": "Når kompasset finner «",
        "nn": "Når kompasset finn «",
        "en": "When the compass finds “",
    }
    assert gap.startswith(found[lang])
    frame = COMPASS.question("runs").option("ingen_tilbud_ramme").label.get(lang)
    unless = rule_sentence(COMPASS.rule("level2_codesign"), COMPASS, lang)
    but_not = {"nb": ", men ikke når «", "nn": ", men ikkje når «", "en": ", but not when “"}[lang]
    assert but_not in unless and unless.index(but_not) < unless.index(frame)
    asking = rule_sentence(COMPASS.rule("discuss_consultation_only"), COMPASS, lang)
    assert asking.endswith("?") and not asking.endswith("?.")
    none = rule_sentence(COMPASS.rule("none_purchase"), COMPASS, lang)
    assert {"nb": "lenger opp", "nn": "lenger oppe", "en": "higher up"}[lang] in none


# -- malformed files --------------------------------------------------------------------------
def _broken(edit):
    raw = copy.deepcopy(RAW)
    edit(raw)
    return raw


def _rule_index(rid: str) -> int:
    return [r["id"] for r in RAW["rules"]].index(rid)


L3 = _rule_index("level3_coproduction")
L2 = _rule_index("level2_codesign")  # a rule with `unless`
GAP = _rule_index("gap_no_framework")
GAP_ANY = _rule_index("gap_municipality_decides")  # a gap without a `found` condition


def _set(path, value):
    def edit(raw):
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(path):
    def edit(raw):
        node = raw
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


MALFORMED = [
    ("top_list", lambda raw: raw.clear(), "expected a mapping at the top level"),
    ("no_questions", _delete(["questions"]), "questions: missing"),
    (
        "label_no_en",
        _delete(["questions", 0, "options", 0, "label", "en"]),
        "questions[0].options[0].label.en: missing or empty text",
    ),
    ("no_find_out", _delete(["questions", 1, "find_out"]), "questions[1].find_out: missing"),
    (
        "dupe_option",
        _set(["questions", 0, "options", 1, "key"], "kommune_alene"),
        "questions[0].options: option key 'kommune_alene' appears twice",
    ),
    (
        "dupe_question",
        _set(["questions", 1, "id"], "participants"),
        "questions[1].id: 'participants' appears twice",
    ),
    (
        "when_unknown_question",
        _set(["rules", 0, "when"], {"nope": ["ja"]}),
        "rules[0].when.nope: no question with id 'nope'",
    ),
    (
        "when_unknown_option",
        _set(["rules", 0, "when"], {"anchoring": ["kanskje"]}),
        "rules[0].when.anchoring: 'kanskje' is not an option of 'anchoring'",
    ),
    (
        "when_dont_know",
        _set(["rules", 0, "when"], {"anchoring": ["vet_ikke"]}),
        "rules[0].when.anchoring: 'vet_ikke' cannot be a condition",
    ),
    (
        "when_not_applicable",
        _set(["rules", 0, "when"], {"anchoring": ["begge", "ikke_relevant"]}),
        "rules[0].when.anchoring: 'ikke_relevant' cannot be a condition",
    ),
    ("when_empty", _set(["rules", 0, "when"], {}), "rules[0].when: must map question ids"),
    (
        "unless_unknown_option",
        _set(["rules", L2, "unless"], {"runs": ["kanskje"]}),
        f"rules[{L2}].unless.runs: 'kanskje' is not an option of 'runs'",
    ),
    (
        "unless_not_applicable",
        _set(["rules", L2, "unless"], {"anchoring": ["ikke_relevant"]}),
        f"rules[{L2}].unless.anchoring: 'ikke_relevant' cannot be a condition",
    ),
    (
        "unless_and_when",
        _set(["rules", L2, "unless"], {"developed": ["ramme"]}),
        f"rules[{L2}].unless.developed: a question in `unless` cannot also be a condition",
    ),
    (
        "unless_empty",
        _set(["rules", L2, "unless"], {}),
        f"rules[{L2}].unless: must map question ids to lists of option keys",
    ),
    (
        "unless_unknown_question",
        _set(["rules", L2, "unless"], {"nope": ["ja"]}),
        f"rules[{L2}].unless.nope: no question with id 'nope'",
    ),
    (
        "then_two",
        _set(["rules", 0, "then"], {"process": "samskaping", "gap": {"nb": "x"}}),
        "rules[0].then: must have exactly one of process, gap or discussion",
    ),
    (
        "wrong_level",
        _set(["rules", L3, "then", "level"], 1),
        f"rules[{L3}].then.level: samproduksjon is at level 3 in the model",
    ),
    (
        "none_with_level",
        _set(["rules", _rule_index("none_alone"), "then", "level"], 2),
        "then.level: ingen has no level in the model",
    ),
    (
        "bad_process",
        _set(["rules", 0, "then", "process"], "magi"),
        "rules[0].then.process: 'magi' is not one of",
    ),
    ("gap_no_step", _delete(["rules", GAP, "next_step"]), f"rules[{GAP}].next_step: missing"),
    (
        "finding_with_step",
        _set(["rules", 0, "next_step"], {"nb": "x", "en": "x"}),
        "rules[0].next_step: only gaps and discussion points have a next step",
    ),
    (
        "typo_key",
        _set(["rules", 0, "reasons"], {"nb": "x", "en": "x"}),
        "rules[0].reasons: unknown key",
    ),
    (
        "dupe_rule",
        _set(["rules", 1, "id"], "level2_rework"),
        "rules[1].id: 'level2_rework' appears twice",
    ),
    (
        "found_in_a_process_rule",
        _set(["rules", 0, "when", "found"], ["samproduksjon"]),
        "rules[0].when.found: only gaps and discussion points can depend on the processes",
    ),
    (
        "found_unknown_process",
        _set(["rules", GAP, "when", "found"], ["samarbeid"]),
        f"rules[{GAP}].when.found: 'samarbeid' is not one of",
    ),
    (
        "found_empty",
        _set(["rules", GAP, "when", "found"], []),
        f"rules[{GAP}].when.found: must be a list of processes",
    ),
    (
        "found_alone",
        _set(["rules", GAP, "when"], {"found": ["samskaping"]}),
        f"rules[{GAP}].when: 'found' needs at least one question beside it",
    ),
    (
        "question_named_found",
        _set(["questions", 1, "id"], "found"),
        "questions[1].id: 'found' is reserved",
    ),
    ("reason_no_nb", _delete(["rules", 2, "reason", "nb"]), "rules[2].reason.nb: missing"),
]


@pytest.mark.parametrize(("name", "edit", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_names_file_and_field(tmp_path, name, edit, message):
    path = tmp_path / "compass.yaml"
    raw = _broken(edit)
    path.write_text(yaml.safe_dump(raw if raw else [], allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_compass(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_invalid_yaml_and_missing_file(tmp_path):
    path = tmp_path / "compass.yaml"
    path.write_text("questions:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"compass\.yaml:\d+: invalid YAML"):
        load_compass(path)
    with pytest.raises(ContentError, match="file not found"):
        load_compass(tmp_path / "nowhere.yaml")


# -- HTML ------------------------------------------------------------------------------------
HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"


def hostile_compass():
    raw = copy.deepcopy(RAW)
    raw["questions"][0]["options"][0]["label"]["nb"] = "Bare " + HOSTILE
    raw["questions"][0]["short"]["nb"] = "Hvem " + HOSTILE
    raw["rules"][_rule_index("none_alone")]["reason"]["nb"] = "Grunn " + HOSTILE
    raw["rules"][GAP_ANY]["then"]["gap"]["nb"] = "Hull " + HOSTILE
    raw["rules"][GAP_ANY]["next_step"]["nb"] = "Steg " + HOSTILE
    return parse_compass(raw, Path("hostile.yaml"))


def test_hostile_text_is_escaped_in_the_summary_and_rules():
    compass = hostile_compass()
    answers = {"participants": "kommune_alene", "developed": "sammen", "decides": "kommunen"}
    result = assess(answers, compass)
    assert [g.rule for g in result.gaps] == ["gap_municipality_decides"]
    doc = summary_html(result, answers, "nb", name=f"Tiltak {HOSTILE}", compass=compass)
    assert "<script" not in doc and "<img" not in doc
    assert doc.count("&lt;script&gt;") >= 5  # name, answer, short label, reason, gap, step
    assert "Tiltak &lt;script&gt;" in doc
    rules = rules_html(compass, "nb")
    assert "<script" not in rules and "&lt;img src=x" in rules


def test_summary_is_a_printable_self_contained_page():
    answers = {
        "participants": "frivillige",
        "developed": "kommunen",
        "runs": "sammen",
        "decides": "kommunen",
        "framework": "nei",
        "evaluation": DONT_KNOW,
    }
    result = assess(answers)
    doc = summary_html(result, answers, "nb", name="Besøksvenner")
    assert doc.startswith("<!DOCTYPE html>") and "<html lang='nb'>" in doc
    assert "@media print" in doc and "<style>" in doc
    assert "<script" not in doc and "http://" not in doc and "src=" not in doc
    assert "Besøksvenner" in doc
    assert "Samproduksjon" in doc and "Nivå 3: Drift og rekruttering" in doc
    assert "Ingen skriftlig ramme" in doc and "Neste steg" in doc
    assert "Samproduksjon uten samskaping" in doc
    assert "Finn ut når samarbeidet sist ble evaluert" in doc  # the "vet ikke" question
    assert "Ikke besvart" in doc  # unanswered questions in the answer table
    assert "Gard Ringen Høibjerg" in doc
    link = download_html(doc, "nb")
    uri = link.split("href='", 1)[1].split("'", 1)[0]
    assert uri.startswith("data:text/html;charset=utf-8;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == doc


def test_findings_table_has_one_row_per_rule_that_counts():
    model = load_model()
    result = assess(
        {
            "participants": "frivillige",
            "developed": "sammen",
            "runs": "sammen",
            "decides": "sammen",
            "anchoring": "begge",
        }
    )
    assert [f.rule for f in result.findings] == [
        "level3_coproduction",
        "level2_codesign",
        "level1_anchoring",
    ]
    text = findings_html(result, model, "nb")
    assert table_region_labels(text) == [t("kompass_findings_caption", "nb")]
    assert text.count("<tr><td>") == 3
    assert (
        "<p class='kit-kompass-verdict'><strong>Hovedsvar:</strong> "
        "<span class='kit-badge kit-badge-samproduksjon'>Samproduksjon</span> – "
        "Nivå 3: Drift og rekruttering</p>"
    ) in text
    assert text.index("kit-kompass-verdict") < text.index("kit-kompass-summary")
    # badges and levels in rank order
    summary = text[text.index("kit-kompass-summary") :]
    assert summary.index("Samproduksjon") < summary.index("Samskaping")
    assert summary.index("Nivå 3") < summary.index("Nivå 2") < summary.index("Nivå 1")
    english = findings_html(result, model, "en")
    assert "<strong>Main answer:</strong>" in english
    assert "Nivå 1: Forankring og ansvarsfordeling (Rammevilkår)" in text
    assert "<th scope='col'>Begrunnelse</th>" in text
    alone = findings_html(assess({"participants": "kommune_alene"}), model, "nb")
    assert "Ingen av dem" in alone and "Ikke noe nivå" in alone
    assert "Ingen av dem</span> – Ikke noe nivå</p>" in alone
    assert "Svarene peker ikke ut noen prosess" in findings_html(assess({}), model, "nb")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_diagram_marks_levels_in_words_not_colour_alone(lang):
    model = load_model()
    figure = diagram_html([1, 3], model, lang)
    assert figure.count("kit-kompass-on") == 2 and figure.count("kit-kompass-off") == 1
    assert figure.count("✔") == 3  # two boxes and the text alternative
    on = {
        "nb": "Tiltaket ditt er her",
        "nn": "Tiltaket ditt er her",
        "en": "Your initiative is here",
    }[lang]
    assert figure.count(on) == 2
    assert "kit-bracket-samskaping" in figure and "grid-column:1/4" in figure
    assert "kit-bracket-samproduksjon" in figure and "grid-column:5/6" in figure
    empty = diagram_html([], model, lang)
    assert "kit-kompass-on" not in empty
