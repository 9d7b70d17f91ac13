"""The presenter's session plan without widgets (kit.live.plan): the ready-made plans of
data/session_plans.yaml against the library and the question bank, the rule-based sets, the
search, and the plan file (a round trip, and hostile files refused with a message, never a
traceback)."""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from kit.cases.case import PROCESSES, TIERS
from kit.cases.casefile import load_cases
from kit.core.i18n import LANGUAGES, t
from kit.core.yamlio import ContentError
from kit.live import plan as P
from kit.live.plan import (
    PlanFileError,
    SessionPlan,
    filter_cases,
    hard_cases,
    item_pool,
    load_plan_sets,
    mixed_cases,
    plan_file_name,
    plan_to_yaml,
    read_plan,
    resolve,
)
from kit.live.questions import Question, load_questions
from tests.factories import make_case

LIBRARY = load_cases()
QUESTIONS = load_questions().questions
POOL = item_pool(LIBRARY, QUESTIONS)
SETS = load_plan_sets()

GUIDE_45 = (
    "q-ord-samarbeid",
    "tirsdagslunsj",
    "tirsdagslunsj-codesign",
    "turvenner-drift",
    "turvenner-tempo",
    "integreringsplan-sammen",
    "integreringsplan-horing",
    "q-skala-niva1",
    "q-ord-hull",
)
GUIDE_90 = (
    "q-ord-samarbeid",
    *GUIDE_45[1:7],
    "forsikring-styringsgruppe",
    "middagslevering-anbud",
    "q-niva1-samproduksjon-samskaping",
    "q-niva2-oppgaver-ansvar",
    "q-niva3-frivillige",
    "q-niva3-tjenestemottakere",
    "q-niva3-virksomheten",
    "q-skala-verdi",
    "q-ord-hull",
    "q-niva-hull",
)


# ------------------------------------------------------------------- the ready-made plans


def test_every_id_of_the_ready_made_plans_is_a_case_or_a_question():
    assert P.missing_ids(SETS, POOL) == []
    assert P.missing_ids(SETS, item_pool(LIBRARY)) != []  # positive control: questions needed


def test_the_guide_plans_hold_the_guides_items_in_order():
    for set_id, ids in (("guide-45", GUIDE_45), ("guide-90", GUIDE_90)):
        plan = SETS.get(set_id).plan(LIBRARY, "nb")
        assert plan.items == ids
        found = resolve(plan, POOL)
        assert found.ids == ids and found.unknown == () and found.repeated == ()
        cases = [i for i in found.items if not isinstance(i, Question)]
        assert len(cases) == (6 if set_id == "guide-45" else 8)


def test_the_ready_made_plans_have_titles_and_descriptions_in_every_language():
    assert SETS.ids() == ("guide-45", "guide-90", "mixed-10", "hard", "all")
    for plan_set in SETS.sets:
        for text in (plan_set.title, plan_set.description):
            assert set(text.languages) == {"nb", "nn", "en"}
            assert len({text.get(lang) for lang in LANGUAGES}) == 3  # translated, not copied
        assert plan_set.plan(LIBRARY, "nn").title == plan_set.title.get("nn")


def test_every_ready_made_plan_resolves_fully():
    for plan_set in SETS.sets:
        found = resolve(plan_set.plan(LIBRARY), POOL)
        assert found.items and not found.unknown and not found.repeated, plan_set.id


def test_the_whole_library_plan_serves_no_chain_part_right_after_the_one_before():
    ids = SETS.get("all").plan(LIBRARY).items
    assert sorted(ids) == sorted(c.id for c in LIBRARY)
    assert ids == SETS.get("all").plan(LIBRARY).items  # one fixed order
    by_id = {c.id: c for c in LIBRARY}
    story = {}
    for case in LIBRARY:
        if case.chain:
            story.setdefault(case.chain, []).append(case.id)
    assert story
    for before, after in pairwise(ids):
        chain = by_id[before].chain
        if chain and by_id[after].chain == chain:
            parts = story[chain]
            assert parts.index(after) != parts.index(before) + 1, (before, after)
    assert any(tuple(i for i in ids if i in parts) != tuple(parts) for parts in story.values())


@pytest.mark.parametrize(
    ("node", "problem"),
    [
        ({"id": "x", "rule": "mixed", "size": 3, "items": ["a"]}, "not both"),
        ({"id": "x", "rule": "random", "size": 3}, "is not one of"),
        ({"id": "x", "items": ["a", "a"]}, "once"),
        ({"id": "x", "items": [1, "a"]}, "list of ids"),
        ({"id": "x", "rule": "hard", "size": 0}, "at least 1"),
        ({"id": "x", "rule": "hard"}, "missing"),
    ],
)
def test_a_broken_plans_file_names_the_problem(tmp_path, node, problem):
    node = {"title": {"nb": "T", "en": "T"}, "description": {"nb": "D", "en": "D"}, **node}
    path = tmp_path / "session_plans.yaml"
    path.write_text(yaml.safe_dump({"plans": [node]}), encoding="utf-8")
    with pytest.raises(ContentError, match=problem):
        load_plan_sets(path)


def test_plan_ids_are_unique_in_the_plans_file(tmp_path):
    node = {"id": "x", "title": {"nb": "T", "en": "T"}, "description": {"nb": "D", "en": "D"}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"plans": [{**node, "items": ["a"]}] * 2}), encoding="utf-8")
    with pytest.raises(ContentError, match="unique"):
        load_plan_sets(path)


def test_the_id_limit_is_the_stores():
    from kit.live.schema import CASE_ID_MAX

    assert P.MAX_ID_CHARS == CASE_ID_MAX


# ----------------------------------------------------------------------- rule-based sets


def test_ten_mixed_are_spread_over_processes_and_tiers_easiest_first():
    picked = mixed_cases(LIBRARY, 10)
    assert len(picked) == len({c.id for c in picked}) == 10
    processes = Counter(c.process for c in picked)
    tiers = Counter(c.tier for c in picked)
    assert sorted(processes.values()) == [2, 2, 3, 3] and set(processes) == set(PROCESSES)
    assert sorted(tiers.values()) == [3, 3, 4] and set(tiers) == set(TIERS)
    ranks = [TIERS.index(c.tier) for c in picked]
    assert ranks == sorted(ranks)
    # no chain or contrast pair twice, and the domains spread
    families = [c.chain or "|".join(sorted((c.id, c.pair or c.id))) for c in picked]
    assert len(set(families)) == 10
    assert len({c.domain for c in picked}) == 10


def test_the_rule_based_sets_are_deterministic():
    assert mixed_cases(LIBRARY, 10) == mixed_cases(LIBRARY, 10)
    assert hard_cases(LIBRARY, 12) == hard_cases(LIBRARY, 12)
    assert SETS.get("mixed-10").plan(LIBRARY) == SETS.get("mixed-10").plan(LIBRARY)
    # the library's order decides ties: another order may pick others, never at random
    again = mixed_cases(tuple(reversed(LIBRARY)), 10)
    assert again == mixed_cases(tuple(reversed(LIBRARY)), 10)


def test_the_hard_ones_take_the_processes_in_turn():
    picked = hard_cases(LIBRARY, 12)
    assert len(picked) == 12 and all(c.tier == "vanskelig" for c in picked)
    assert [c.process for c in picked[:4]] == list(PROCESSES)
    assert set(Counter(c.process for c in picked).values()) == {3}
    assert SETS.get("hard").plan(LIBRARY).items == tuple(c.id for c in picked)


def test_rule_based_sets_of_a_small_library():
    few = (
        make_case("a", "samskaping", 1, tier="vanskelig"),
        make_case("b", "samskaping", 2, tier="vanskelig"),
        make_case("c", "ingen", None, tier="lett"),
    )
    assert {c.id for c in mixed_cases(few, 10)} == {"a", "b", "c"}
    assert mixed_cases(few, 10)[0].id == "c"  # the easiest first
    assert [c.id for c in hard_cases(few, 12)] == ["a", "b"]
    assert mixed_cases((), 10) == () and hard_cases((), 12) == ()
    assert [c.id for c in mixed_cases(few, 1)] == ["a"]  # samskaping, lett lacking: same process


# ------------------------------------------------------------------------- the plan itself


def test_adding_moving_and_removing():
    plan = SessionPlan("T").add("a", "b", "a", "c")
    assert plan.items == ("a", "b", "c") and len(plan) == 3 and "b" in plan
    assert plan.add("b").items == ("a", "b", "c")
    assert plan.move(2, -1).items == ("a", "c", "b")
    assert plan.move(0, -1) == plan and plan.move(2, 1) == plan  # the ends hold
    assert plan.move(0, 5).items == ("b", "c", "a")
    assert plan.remove(1).items == ("a", "c") and plan.remove(7) == plan
    assert plan.clear() == SessionPlan() and plan.retitled("U").title == "U"


def test_resolve_keeps_the_order_and_reports_unknown_and_repeated_ids():
    found = resolve(["q-ord-hull", "nope", "tirsdagslunsj", "q-ord-hull", "nope-2"], POOL)
    assert found.ids == ("q-ord-hull", "tirsdagslunsj")
    assert found.unknown == ("nope", "nope-2") and found.repeated == ("q-ord-hull",)
    for lang in LANGUAGES:
        lines = found.lines(lang)
        assert len(lines) == 2 and "nope, nope-2" in lines[0] and "q-ord-hull" in lines[1]
    assert resolve(SessionPlan("x", ("tirsdagslunsj",)), POOL).lines("nb") == []


def test_a_course_leaders_case_takes_the_library_id():
    mine = make_case("tirsdagslunsj", "ingen", None, title="Min versjon")
    pool = item_pool(LIBRARY, [mine], QUESTIONS)
    assert resolve(["tirsdagslunsj"], pool).items == (mine,)


# ------------------------------------------------------------------------------ search


def ids(cases) -> list[str]:
    return [c.id for c in cases]


def test_search_by_id_or_title_in_any_language_ignoring_case():
    found = ids(filter_cases(LIBRARY, "tirsdag"))
    assert {"tirsdagslunsj", "tirsdagslunsj-codesign"} <= set(found)
    assert ids(filter_cases(LIBRARY, "  TIRSDAG ")) == found
    assert "tirsdagslunsj" in ids(filter_cases(LIBRARY, "tuesday lunch"))  # English title
    assert "tirsdagslunsj" in ids(filter_cases(LIBRARY, "Tysdagslunsj"))  # nynorsk title
    assert "tirsdagslunsj-codesign" in ids(filter_cases(LIBRARY, "codesign"))  # the id only
    assert ids(filter_cases(LIBRARY, "")) == ids(LIBRARY)
    assert filter_cases(LIBRARY, "zzzz-no-such") == ()


def test_filters_by_tier_domain_and_process():
    hard = filter_cases(LIBRARY, tier="vanskelig")
    assert hard and all(c.tier == "vanskelig" for c in hard)
    care = filter_cases(LIBRARY, domain="eldreomsorg", process="samproduksjon")
    assert care and all(c.domain == "eldreomsorg" and c.process == "samproduksjon" for c in care)
    assert "tirsdagslunsj" in ids(care)
    both = filter_cases(LIBRARY, "tirsdag", tier="lett", domain="eldreomsorg", process="samskaping")
    assert ids(both) == ["tirsdagslunsj-codesign"]
    assert filter_cases(LIBRARY, tier="", domain="", process="") == LIBRARY


def test_question_search():
    q = next(q for q in QUESTIONS if q.id == "q-ord-hull")
    assert P.question_matches(q, "HULL") and P.question_matches(q, "gap you have seen")
    assert not P.question_matches(q, "tirsdag")


# ---------------------------------------------------------------------------- the file


def test_a_saved_plan_loads_again():
    plan = SessionPlan("Kurs i Ålesund: «dag 2»", GUIDE_90)
    for lang in LANGUAGES:
        data = plan_to_yaml(plan, lang)
        assert data.startswith(b"# ") and t("splan_file_comment", lang).encode() in data
        assert read_plan(data, "plan.yaml") == plan
    raw = yaml.safe_load(plan_to_yaml(plan))
    assert raw == {"samskaping-plan": 1, "title": plan.title, "items": list(GUIDE_90)}
    as_json = json.dumps({"samskaping-plan": 1, "title": plan.title, "items": list(GUIDE_90)})
    assert read_plan(as_json.encode(), "plan.json") == plan
    assert read_plan(("\ufeff" + as_json).encode(), "plan.txt") == plan  # a BOM, any name


def test_a_plan_file_may_leave_the_title_out_and_fold_it():
    assert read_plan(b"samskaping-plan: 1\nitems: [a, b]\n") == SessionPlan("", ("a", "b"))
    folded = b"samskaping-plan: 1\ntitle: >\n  to\n  linjer\nitems: []\n"
    assert read_plan(folded) == SessionPlan("to linjer", ())


def test_the_file_name_is_safe():
    assert plan_file_name(SessionPlan("Guiden: 45 minutter")) == (
        "samskaping-plan-guiden-45-minutter.yaml"
    )
    assert plan_file_name(SessionPlan("Økt på Ålesund")) == "samskaping-plan-okt-pa-alesund.yaml"
    assert plan_file_name(SessionPlan("../../etc/passwd")) == "samskaping-plan-etc-passwd.yaml"
    assert plan_file_name(SessionPlan("")) == "samskaping-plan.yaml"
    assert len(plan_file_name(SessionPlan("x" * 500))) < 80


def _plan(**fields) -> bytes:
    return yaml.safe_dump({"samskaping-plan": 1, "title": "T", "items": ["a"], **fields}).encode()


HOSTILE = [
    pytest.param(b"samskaping-plan: 1\nitems: [" + b"a, " * 30_000 + b"]", "too_big", id="huge"),
    pytest.param(b"\xff\xfe\x00s\x00a", "not_text", id="utf16"),
    pytest.param(b"samskaping-plan: 1\x00\nitems: []", "not_text", id="nul"),
    pytest.param(b"   \n", "empty", id="blank"),
    pytest.param(b"~\n", "empty", id="null"),
    pytest.param(b"samskaping-plan: 1\nitems: [a, b\n", "syntax_line", id="yaml-syntax"),
    pytest.param(b'{"samskaping-plan": 1, "items": [}', "syntax_line", id="json-syntax"),
    pytest.param(b"[" * 5000 + b"]" * 5000, "syntax_line", id="deep-yaml"),
    pytest.param(b'{"a": ' * 3000 + b"1" + b"}" * 3000, "syntax", id="deep-json"),
    pytest.param(b"- a\n- b\n", "shape", id="a-list"),
    pytest.param(b"just text", "shape", id="a-string"),
    pytest.param(b"title: T\nitems: [a]\n", "shape", id="no-marker"),
    pytest.param(b"cases:\n  - id: a\n", "case_file", id="case-file"),
    pytest.param(_plan(**{"samskaping-plan": 2}), "version", id="newer"),
    pytest.param(_plan(**{"samskaping-plan": "1"}), "shape", id="version-text"),
    pytest.param(_plan(**{"samskaping-plan": True}), "shape", id="version-bool"),
    pytest.param(_plan(**{"samskaping-plan": 0}), "shape", id="version-0"),
    pytest.param(_plan(title=["a", "b"]), "title", id="title-list"),
    pytest.param(_plan(title="x" * 201), "title", id="title-long"),
    pytest.param(_plan(title="a\x07b"), "title", id="title-control"),
    pytest.param(_plan(items={"a": 1}), "items", id="items-mapping"),
    pytest.param(_plan(items="a, b"), "items", id="items-string"),
    pytest.param(_plan(items=None), "items", id="items-missing"),
    pytest.param(_plan(items=["a", ["b"]]), "item_type", id="nested"),
    pytest.param(_plan(items=["a", {"id": "b"}]), "item_type", id="mapping-item"),
    pytest.param(_plan(items=[1, 2]), "item_type", id="numbers"),
    pytest.param(_plan(items=["a", " "]), "item_type", id="blank-id"),
    pytest.param(_plan(items=["a\u202eb"]), "item_type", id="bidi-control"),
    pytest.param(_plan(items=["x" * 81]), "id_too_long", id="long-id"),
    pytest.param(_plan(items=[f"c{i}" for i in range(501)]), "too_many", id="too-many"),
    pytest.param(
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"samskaping-plan: 1\nitems: *d\n",
        "item_type",
        id="billion-laughs",
    ),
]


@pytest.mark.parametrize(("data", "key"), HOSTILE)
def test_a_hostile_plan_file_is_refused_with_a_message(data, key):
    with pytest.raises(PlanFileError) as caught:
        read_plan(data, "fil.yaml" if key != "syntax_line" or b"{" not in data else "fil.json")
    assert caught.value.key == key
    for lang in LANGUAGES:
        message = caught.value.message(lang)
        assert "fil." in message and "Traceback" not in message
    assert caught.value.message("nb") != caught.value.message("en")


def test_the_limits_hold_at_their_edge():
    assert len(read_plan(_plan(items=[f"c{i}" for i in range(500)]))) == 500
    assert read_plan(_plan(items=["x" * 80])).items == ("x" * 80,)
    assert read_plan(_plan(title="x" * 200)).title == "x" * 200
    big = b"samskaping-plan: 1\nitems: []\n#" + b"x" * (P.MAX_PLAN_BYTES - 30)
    assert len(big) <= P.MAX_PLAN_BYTES and read_plan(big) == SessionPlan()
    with pytest.raises(PlanFileError, match="too_big"):
        read_plan(big + b"x" * 10)


def test_unknown_ids_load_and_are_reported_by_resolve():
    plan = read_plan(_plan(items=["tirsdagslunsj", "from-another-kit", "q-ord-hull"]))
    found = resolve(plan, POOL)
    assert found.ids == ("tirsdagslunsj", "q-ord-hull") and found.unknown == ("from-another-kit",)


def test_the_data_file_is_the_one_read(tmp_path):
    """load_plan_sets reads data/session_plans.yaml (the kit's copy, parsed once)."""
    from kit.core.paths import data_dir

    assert (data_dir() / "session_plans.yaml").is_file()
    assert load_plan_sets(Path(data_dir() / "session_plans.yaml")) == SETS
