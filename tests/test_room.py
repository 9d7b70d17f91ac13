"""The pure room logic (kit.live.room): answers, counts, rounds, the one ranking, export rows.

No database here: the store's tests check that it feeds these functions what they expect.
"""

from __future__ import annotations

from datetime import datetime, timezone
from fractions import Fraction

import pytest

from kit.cases.case import Answer, InvalidAnswerError
from kit.live import room
from kit.live.room import (
    MAX_ROUNDS,
    CaseCounts,
    CaseResult,
    RoomState,
    StoredAnswer,
    export_rows,
    ranking,
    results,
)
from kit.model.model import PROCESSES

S1, S2, P3, V3, NONE = (
    Answer("samskaping", 1),
    Answer("samskaping", 2),
    Answer("samproduksjon", 3),
    Answer("verdisamskaping", 3),
    Answer("ingen", None),
)


# ----------------------------------------------------------------------------------- Answer


@pytest.mark.parametrize(
    ("process", "level"),
    [(p, lv) for p in PROCESSES for lv in (1, 2, 3, None)],
)
def test_every_valid_answer_is_accepted(process, level):
    answer = Answer.checked(process, level)
    assert (answer.process, answer.level) == (process, level)
    assert answer == Answer(process, level)  # a value: equal and hashable
    assert {answer: 1}[Answer(process, level)] == 1


@pytest.mark.parametrize(
    ("process", "level", "field"),
    [
        ("Samskaping", 1, "process"),  # case matters
        ("", 1, "process"),
        (None, 1, "process"),
        (1, 1, "process"),
        (["samskaping"], 1, "process"),
        ("samskaping ", 1, "process"),
        ("samskaping", 0, "level"),
        ("samskaping", 4, "level"),
        ("samskaping", -1, "level"),
        ("samskaping", "1", "level"),
        ("samskaping", 1.0, "level"),
        ("samskaping", True, "level"),  # bool is an int in Python; it must not pass for 1
        ("samskaping", False, "level"),
        ("samskaping", [1], "level"),
    ],
)
def test_invalid_answers_name_the_field(process, level, field):
    with pytest.raises(InvalidAnswerError) as exc:
        Answer.checked(process, level)
    assert exc.value.field == field
    assert isinstance(exc.value, ValueError)


def test_radio_button_choice_round_trip():
    assert Answer.from_choice("ingen", 0) == NONE
    assert Answer.from_choice("samskaping", 2) == S2
    assert NONE.level_choice == 0 and S2.level_choice == 2
    with pytest.raises(InvalidAnswerError):
        Answer.from_choice("samskaping", 7)


# ------------------------------------------------------------------------------- CaseCounts


def test_tally_lists_every_option_zeros_too():
    counts = CaseCounts.tally("c1", {S1: 2, S2: 1, NONE: 1}, round=2)
    assert counts.case_id == "c1" and counts.round == 2
    assert counts.answers == 4
    assert counts.processes == {
        "samskaping": 3,
        "samproduksjon": 0,
        "verdisamskaping": 0,
        "ingen": 1,
    }
    assert list(counts.processes) == list(PROCESSES)
    assert counts.levels == {1: 2, 2: 1, 3: 0, None: 1}
    assert counts.by_answer == {S1: 2, S2: 1, NONE: 1}
    assert counts.top_process == "samskaping"
    assert counts.dispute == Fraction(1, 4)
    assert counts.share("samskaping") == Fraction(3, 4)
    assert counts.share("samproduksjon") == 0


def test_empty_counts():
    counts = CaseCounts.tally("c1", {})
    assert counts.answers == 0 and counts.round == 1
    assert set(counts.processes.values()) == {0} and set(counts.levels.values()) == {0}
    assert counts.top_process is None
    assert counts.dispute == 0
    assert all(counts.share(p) == 0 for p in PROCESSES)


def test_top_process_tie_takes_the_first_in_model_order():
    counts = CaseCounts.tally("c1", {NONE: 2, V3: 2})
    assert counts.top_process == "verdisamskaping"  # before "ingen" in PROCESSES
    assert counts.dispute == Fraction(1, 2)


def test_agreement_is_no_dispute_even_across_levels():
    """Dispute is about the process; levels may differ."""
    counts = CaseCounts.tally("c1", {S1: 3, S2: 5})
    assert counts.dispute == 0


# ------------------------------------------------------------------------ CaseResult, shift


def test_shift_lists_the_processes_whose_share_changed():
    first = CaseCounts.tally("c1", {S1: 2, NONE: 2}, 1)
    second = CaseCounts.tally("c1", {S1: 3, NONE: 1}, 2)
    result = CaseResult("c1", (first, second))
    assert result.first is first and result.current is second
    assert result.shift() == [
        ("samskaping", Fraction(1, 2), Fraction(3, 4)),
        ("ingen", Fraction(1, 2), Fraction(1, 4)),
    ]


def test_shift_is_empty_with_one_round_or_no_change():
    one = CaseCounts.tally("c1", {S1: 2}, 1)
    assert CaseResult("c1", (one,)).shift() == []
    assert CaseResult("c1", (one,)).current is one
    same = CaseCounts.tally("c1", {S2: 4}, 2)  # other level, other n: same process shares
    assert CaseResult("c1", (one, same)).shift() == []


def test_shift_to_an_empty_second_round():
    first = CaseCounts.tally("c1", {P3: 1}, 1)
    result = CaseResult("c1", (first, CaseCounts.tally("c1", {}, 2)))
    assert result.shift() == [("samproduksjon", Fraction(1), Fraction(0))]


# -------------------------------------------------------------------------------- results()


def test_results_groups_store_rows_by_case_and_round():
    rows = [
        ("c1", 1, "samskaping", 1, 2),
        ("c1", 1, "ingen", None, 1),
        ("c1", 2, "samskaping", 1, 3),
        ("c2", 1, "samproduksjon", 3, 1),
        ("zz", 1, "ingen", None, 9),  # a case that is not in the session: ignored
    ]
    out = results(["c2", "c1", "c3"], {"c1": 2}, rows)
    assert list(out) == ["c2", "c1", "c3"]  # the session's order
    c1 = out["c1"]
    assert [r.round for r in c1.rounds] == [1, 2]
    assert c1.first.by_answer == {S1: 2, NONE: 1}
    assert c1.current.by_answer == {S1: 3}
    assert c1.current.answers == 3
    assert [r.round for r in out["c2"].rounds] == [1]
    assert out["c2"].current.processes["samproduksjon"] == 1
    c3 = out["c3"]  # no answers: one empty round
    assert len(c3.rounds) == 1 and c3.current.answers == 0


def test_results_has_a_round_per_round_started_answered_or_not():
    out = results(["c1"], {"c1": 2}, [("c1", 1, "ingen", None, 1)])
    assert [r.answers for r in out["c1"].rounds] == [1, 0]


def test_results_clamps_rounds_to_the_limit():
    assert MAX_ROUNDS == 2
    out = results(["a", "b"], {"a": 7, "b": 0}, [])
    assert len(out["a"].rounds) == MAX_ROUNDS
    assert len(out["b"].rounds) == 1


# -------------------------------------------------------------------------------- ranking()


def _counts(plan: dict[str, dict[Answer, int]]) -> dict[str, CaseCounts]:
    return {case_id: CaseCounts.tally(case_id, pairs) for case_id, pairs in plan.items()}


def test_ranking_most_disputed_first_then_the_rest_in_session_order():
    ids = ["agree", "half", "quarter", "empty", "half-small", "agree2"]
    counts = _counts(
        {
            "agree": {S1: 3},
            "half": {S1: 2, NONE: 2},  # dispute 1/2, 4 answers
            "quarter": {P3: 3, NONE: 1},  # 1/4
            "empty": {},
            "half-small": {V3: 1, NONE: 1},  # 1/2, 2 answers
            "agree2": {NONE: 5},
        }
    )
    assert ranking(ids, counts) == ["half", "half-small", "quarter", "agree", "empty", "agree2"]


def test_ranking_ties_keep_the_session_order():
    ids = ["b", "a", "c"]
    same = {S1: 1, NONE: 1}
    counts = _counts({"a": same, "b": same, "c": same})
    assert ranking(ids, counts) == ["b", "a", "c"]
    assert ranking(list(reversed(ids)), counts) == ["c", "a", "b"]


def test_ranking_with_nobody_disputing_is_the_session_order():
    ids = ["c3", "c1", "c2"]
    counts = _counts({"c1": {}, "c2": {S1: 1}, "c3": {NONE: 4}})
    assert ranking(ids, counts) == ids


def test_ranking_is_the_one_the_presenter_uses():
    from kit.live import controller

    assert controller.ranking is room.ranking


# -------------------------------------------------------------------------------- RoomState


def test_room_state_json_and_rounds():
    state = RoomState(
        open=True, version=7, current_case="c2", rounds={"c2": 2}, revealed=frozenset({"c3", "c1"})
    )
    assert state.round_of("c2") == 2 and state.round_of("c1") == 1
    assert state.as_json() == {
        "open": True,
        "version": 7,
        "current": "c2",
        "rounds": {"c2": 2},
        "revealed": ["c1", "c3"],
    }
    empty = RoomState(open=False, version=0)
    assert empty.as_json() == {
        "open": False,
        "version": 0,
        "current": None,
        "rounds": {},
        "revealed": [],
    }


# ------------------------------------------------------------------------------ export rows


def test_export_rows_carry_round_time_and_pseudonym():
    at = datetime(2025, 3, 1, 9, 5, 7, 123456, tzinfo=timezone.utc)
    answers = [
        StoredAnswer("c1", S2, at, "p1"),
        StoredAnswer("c1", NONE, at, "p1", round=2),
        StoredAnswer("gone", P3, at, "p2"),
    ]
    assert answers[1].process == "ingen" and answers[1].level is None
    rows = export_rows(
        answers,
        {"c1": "Tittel 1"},
        lambda p: p.upper(),
        lambda lv: f"L{lv or 0}",
    )
    assert rows == [
        ["c1", "Tittel 1", "SAMSKAPING", "L2", 1, "2025-03-01 09:05:07", "p1"],
        ["c1", "Tittel 1", "INGEN", "L0", 2, "2025-03-01 09:05:07", "p1"],
        ["gone", "gone", "SAMPRODUKSJON", "L3", 1, "2025-03-01 09:05:07", "p2"],  # id as title
    ]
    keyed = export_rows(answers, {}, str, str, lambda cid, a: [cid.upper(), a.process])
    assert [r[7:] for r in keyed] == [
        ["C1", "samskaping"],
        ["C1", "ingen"],
        ["GONE", "samproduksjon"],
    ]


def test_room_module_is_pure():
    import subprocess
    import sys

    code = (
        "import sys, kit.live.room; "
        "print(','.join(m for m in ('sqlalchemy','ipywidgets','tornado','pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    ("process", "level", "field"),
    [("Samskaping", 1, "process"), ("samskaping", 9, "level"), ("samskaping", True, "level")],
)
def test_an_answer_cannot_be_built_invalid(process, level, field):
    """One Answer type for the exercise and the room: built directly, it is checked too."""
    with pytest.raises(InvalidAnswerError) as caught:
        Answer(process, level)
    assert caught.value.field == field
    assert Answer("samskaping", 1).level == 1  # positive control
