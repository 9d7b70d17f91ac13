"""Samskapingskompasset, pure layer: the rules in data/compass.yaml, the interpreter, the HTML."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest
import yaml

from kit.compass import DONT_KNOW, PROCESS_LEVELS, assess, load_compass, parse_compass
from kit.compass_html import (
    data_uri,
    diagram_html,
    findings_html,
    rule_sentence,
    rules_html,
    summary_html,
)
from kit.model import load_model
from kit.paths import data_dir
from kit.yamlio import ContentError

COMPASS = load_compass()
RAW = yaml.safe_load((data_dir() / "compass.yaml").read_text(encoding="utf-8"))

# One row per rule in data/compass.yaml: the rule id, answers on which it fires, and answers on
# which it must not fire (a neighbouring answer, "vet ikke", or the question left open).
RULES = [
    (
        "level1_anchoring",
        {"anchoring": "begge"},
        [{"anchoring": "kommunen"}, {"anchoring": "nei"}, {"anchoring": DONT_KNOW}, {}],
    ),
    (
        "level1_written",
        {"framework": "avtale"},
        [{"framework": "nei"}, {"framework": DONT_KNOW}, {"anchoring": "begge"}],
    ),
    ("level1_frame", {"stage": "ramme"}, [{"stage": "utvikling"}, {"stage": DONT_KNOW}, {}]),
    (
        "level2_codesign",
        {"stage": "utvikling", "participants": "organisasjoner", "decides": "sammen"},
        [
            {"stage": "drift", "participants": "organisasjoner", "decides": "sammen"},
            {"stage": "utvikling", "participants": "kommune_alene", "decides": "sammen"},
            {"stage": "utvikling", "participants": "frivillige", "decides": "kommunen"},
            {"stage": "utvikling", "participants": "frivillige", "decides": DONT_KNOW},
            {"stage": "utvikling", "participants": "frivillige"},
        ],
    ),
    (
        "level3_coproduction",
        {"stage": "drift", "participants": "frivillige"},
        [
            {"stage": "utvikling", "participants": "frivillige"},
            {"stage": "drift", "participants": "kommune_alene"},
            {"stage": "drift", "participants": DONT_KNOW},
            {"stage": "drift"},
        ],
    ),
    (
        "level3_value",
        {"stage": "utvikling_drift", "participants": "frivillige", "value_judge": "mottakere"},
        [
            {"stage": "utvikling_drift", "participants": "frivillige", "value_judge": "kommunen"},
            {"stage": "utvikling", "participants": "frivillige", "value_judge": "mottakere"},
            {"stage": "drift", "participants": "kommune_alene", "value_judge": "mottakere"},
            {"value_judge": "mottakere"},
        ],
    ),
    (
        "none_alone",
        {"participants": "kommune_alene"},
        [{"participants": "organisasjoner"}, {"participants": DONT_KNOW}, {}],
    ),
    (
        "none_no_joint_work",
        {"stage": "ingen"},
        [{"stage": "ramme"}, {"stage": DONT_KNOW}, {"participants": "kommune_alene"}],
    ),
    (
        "gap_no_framework",
        {"framework": "nei"},
        [{"framework": "politikk"}, {"framework": DONT_KNOW}, {}],
    ),
    (
        "gap_no_anchoring",
        {"anchoring": "nei"},
        [{"anchoring": "begge"}, {"anchoring": "kommunen"}, {"anchoring": DONT_KNOW}],
    ),
    (
        "gap_one_sided_anchoring",
        {"anchoring": "frivilligheten"},
        [{"anchoring": "begge"}, {"anchoring": "nei"}, {"anchoring": DONT_KNOW}],
    ),
    (
        "gap_municipality_decides",
        {"stage": "utvikling_drift", "decides": "kommunen"},
        [
            {"stage": "drift", "decides": "kommunen"},
            {"stage": "utvikling", "decides": "sammen"},
            {"stage": "utvikling", "decides": DONT_KNOW},
        ],
    ),
    (
        "gap_recipients_absent",
        {"recipients": "nei"},
        [{"recipients": "ja"}, {"recipients": DONT_KNOW}, {}],
    ),
    (
        "gap_no_feedback",
        {"feedback": "nei"},
        [{"feedback": "ja"}, {"feedback": "delvis"}, {"feedback": DONT_KNOW}],
    ),
    (
        "gap_feedback_stops",
        {"feedback": "delvis"},
        [{"feedback": "ja"}, {"feedback": "nei"}, {"feedback": DONT_KNOW}],
    ),
    (
        "gap_no_evaluation",
        {"evaluation": "av_og_til"},
        [{"evaluation": "jevnlig"}, {"evaluation": DONT_KNOW}, {}],
    ),
    (
        "gap_municipal_terms",
        {"terms": "kommunen"},
        [{"terms": "frivilligheten"}, {"terms": "avklart"}, {"terms": DONT_KNOW}],
    ),
    (
        "gap_value_not_recipient",
        {"value_judge": "ingen"},
        [{"value_judge": "mottakere"}, {"value_judge": DONT_KNOW}, {}],
    ),
    (
        "discuss_statutory",
        {"statutory": "grenseland"},
        [{"statutory": "nei"}, {"statutory": DONT_KNOW}, {}],
    ),
    (
        "discuss_coproduction_only",
        {"stage": "drift", "decides": "kommunen"},
        [
            {"stage": "utvikling_drift", "decides": "kommunen"},
            {"stage": "drift", "decides": "sammen"},
            {"stage": "drift", "decides": DONT_KNOW},
        ],
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
    """Met with any listed key the rule fires; change one answer to anything else and it stops."""
    base = {qid: keys[-1] for qid, keys in rule.when}
    assert rule.id in assess(base).fired
    for qid, keys in rule.when:
        others = [k for k in COMPASS.question(qid).keys if k not in keys] + [None]
        for other in others:
            assert rule.id not in assess({**base, qid: other}).fired, (qid, other)


def test_the_tuesday_lunch_is_coproduction_not_cocreation():
    """The source's own example: volunteers serve food by the municipality's plan."""
    result = assess(
        {
            "participants": "frivillige",
            "stage": "drift",
            "decides": "kommunen",
            "value_judge": "kommunen",
        }
    )
    assert result.process_keys == ("samproduksjon",)
    assert result.level_numbers == (3,)
    assert [d.rule for d in result.discussions] == ["discuss_coproduction_only"]
    assert [g.rule for g in result.gaps] == ["gap_value_not_recipient"]


def test_a_full_cooperation_has_every_process_and_level_and_no_gap():
    answers = {
        "participants": "frivillige",
        "stage": "utvikling_drift",
        "decides": "sammen",
        "recipients": "ja",
        "value_judge": "mottakere",
        "terms": "frivilligheten",
        "statutory": "nei",
        "framework": "politikk",
        "anchoring": "begge",
        "feedback": "ja",
        "evaluation": "jevnlig",
    }
    result = assess(answers)
    assert result.process_keys == ("samskaping", "samproduksjon", "verdisamskaping")
    assert result.level_numbers == (1, 2, 3)
    assert result.gaps == () and result.discussions == ()
    assert result.dont_know == () and result.unanswered == ()
    assert result.answered == result.total == len(COMPASS.questions)
    level1 = result.levels[0]
    assert [r.rule for r in level1.reasons] == ["level1_anchoring", "level1_written"]


def test_none_only_counts_when_no_other_rule_gives_a_process():
    alone = assess({"participants": "kommune_alene"})
    assert alone.process_keys == ("ingen",) and alone.level_numbers == ()
    mixed = assess({"participants": "kommune_alene", "anchoring": "begge"})
    assert "none_alone" in mixed.fired
    assert mixed.process_keys == ("samskaping",) and mixed.level_numbers == (1,)


def test_dont_know_and_unanswered_are_listed_as_such():
    result = assess({"framework": DONT_KNOW, "anchoring": "begge", "feedback": None})
    assert [q.id for q in result.dont_know] == ["framework"]
    assert "feedback" in [q.id for q in result.unanswered]
    assert "framework" not in [q.id for q in result.unanswered]
    assert result.answered == 2
    assert result.dont_know[0].find_out.nb


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
    assert sentence.count(quote) == 6 and ("3" in sentence)
    assert "Frivillige er med og driver" in rule_sentence(
        COMPASS.rule("level3_coproduction"), COMPASS, "nb"
    )


# -- malformed files --------------------------------------------------------------------------
def _broken(edit):
    raw = copy.deepcopy(RAW)
    edit(raw)
    return raw


def _rule_index(rid: str) -> int:
    return [r["id"] for r in RAW["rules"]].index(rid)


L3 = _rule_index("level3_coproduction")
GAP = _rule_index("gap_no_framework")


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
    ("when_empty", _set(["rules", 0, "when"], {}), "rules[0].when: must map question ids"),
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
        _set(["rules", 1, "id"], "level1_anchoring"),
        "rules[1].id: 'level1_anchoring' appears twice",
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
    raw["rules"][GAP]["then"]["gap"]["nb"] = "Hull " + HOSTILE
    raw["rules"][GAP]["next_step"]["nb"] = "Steg " + HOSTILE
    return parse_compass(raw, Path("hostile.yaml"))


def test_hostile_text_is_escaped_in_the_summary_and_rules():
    compass = hostile_compass()
    answers = {"participants": "kommune_alene", "framework": "nei"}
    result = assess(answers, compass)
    doc = summary_html(result, answers, "nb", name=f"Tiltak {HOSTILE}", compass=compass)
    assert "<script" not in doc and "<img" not in doc
    assert doc.count("&lt;script&gt;") >= 5  # name, answer, short label, reason, gap, step
    assert "Tiltak &lt;script&gt;" in doc
    rules = rules_html(compass, "nb")
    assert "<script" not in rules and "&lt;img src=x" in rules


def test_summary_is_a_printable_self_contained_page():
    answers = {
        "participants": "frivillige",
        "stage": "drift",
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
    uri = data_uri(doc)
    assert uri.startswith("data:text/html;charset=utf-8;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == doc


def test_findings_table_has_one_row_per_rule_that_counts():
    model = load_model()
    result = assess(
        {
            "participants": "frivillige",
            "stage": "utvikling_drift",
            "decides": "sammen",
            "anchoring": "begge",
        }
    )
    assert [f.rule for f in result.findings] == [
        "level1_anchoring",
        "level2_codesign",
        "level3_coproduction",
    ]
    text = findings_html(result, model, "nb")
    assert text.count("<tr><td>") == 3
    assert "Nivå 1: Forankring og ansvarsfordeling (Rammevilkår)" in text
    assert "<th scope='col'>Begrunnelse</th>" in text
    alone = findings_html(assess({"participants": "kommune_alene"}), model, "nb")
    assert "Ingen av dem" in alone and "Ikke noe nivå" in alone
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


def test_pure_layer_imports_no_widgets():
    """kit.compass runs in a plain script: no ipywidgets, IPython or altair."""
    import subprocess
    import sys

    code = (
        "import sys, kit.compass as c; c.assess({'stage': 'drift'}); "
        "bad = {'ipywidgets', 'IPython', 'altair'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
