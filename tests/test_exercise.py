"""Pure logic of the classification exercise: check, score, confusion, session."""

from __future__ import annotations

import csv
import io

import pytest

from kit.cases import Case
from kit.exercise import Answer, Session, check, confusion, results_csv, score, shuffled
from kit.text import Text


def case(cid: str, process: str, level: int | None) -> Case:
    return Case(cid, Text(f"T {cid}", f"T {cid} en"), Text("tekst"), process, level,
                Text("fordi", "because"))


CASES = (
    case("a", "samskaping", 1),
    case("b", "samskaping", 2),
    case("c", "samproduksjon", 3),
    case("d", "verdisamskaping", 3),
    case("e", "ingen", None),
)


@pytest.mark.parametrize(
    ("the_case", "answer", "process_ok", "level_ok"),
    [
        (CASES[0], Answer("samskaping", 1), True, True),
        (CASES[0], Answer("samskaping", 2), True, False),
        (CASES[2], Answer("samskaping", 3), False, True),
        (CASES[2], Answer("verdisamskaping", 2), False, False),
        (CASES[4], Answer("ingen", None), True, True),
        (CASES[4], Answer("ingen", 1), True, False),
    ],
)
def test_check_per_part(the_case, answer, process_ok, level_ok):
    fb = check(the_case, answer)
    assert (fb.process_ok, fb.level_ok, fb.correct) == (process_ok, level_ok, process_ok and level_ok)


def test_answer_rejects_unknown_values():
    with pytest.raises(ValueError):
        Answer("samarbeid", 1)
    with pytest.raises(ValueError):
        Answer("samskaping", 4)


def test_case_rejects_contradiction():
    with pytest.raises(ValueError, match="cannot be at level"):
        case("x", "samproduksjon", 2)


def test_score_and_by_process():
    fbs = [
        check(CASES[0], Answer("samskaping", 1)),  # right
        check(CASES[1], Answer("samproduksjon", 3)),  # wrong, wrong
        check(CASES[2], Answer("samproduksjon", 2)),  # process right, level wrong
        check(CASES[4], Answer("ingen", None)),  # right
    ]
    s = score(fbs)
    assert (s.answered, s.correct, s.process_correct, s.level_correct) == (4, 2, 3, 2)
    assert s.by_process == {"samskaping": (1, 2), "samproduksjon": (1, 1), "ingen": (1, 1)}


def test_confusion_counts_every_pair():
    fbs = [
        check(CASES[0], Answer("samproduksjon", 3)),
        check(CASES[1], Answer("samproduksjon", 3)),
        check(CASES[2], Answer("samproduksjon", 3)),
    ]
    rows = confusion(fbs)
    assert len(rows) == 16
    got = {(r["expected"], r["given"]): r["count"] for r in rows}
    assert got[("samskaping", "samproduksjon")] == 2
    assert got[("samproduksjon", "samproduksjon")] == 1
    assert sum(got.values()) == 3


def test_shuffle_is_seeded_and_complete():
    a = shuffled(CASES, 7)
    assert a == shuffled(CASES, 7)
    assert sorted(c.id for c in a) == sorted(c.id for c in CASES)
    assert shuffled(CASES, None) == CASES
    assert any(shuffled(CASES, s) != CASES for s in range(5))


def test_session_walks_through_and_collects_wrong():
    session = Session(CASES[:3])
    assert session.current == CASES[0] and not session.checked
    with pytest.raises(RuntimeError):
        session.advance()
    session.answer(Answer("samskaping", 1))
    again = session.answer(Answer("ingen", None))  # a second answer does not overwrite
    assert again.correct and session.checked
    session.advance()
    session.answer(Answer("samproduksjon", 3))
    session.advance()
    session.answer(Answer("samproduksjon", 3))
    assert session.advance() is None and session.finished
    assert session.wrong_cases() == (CASES[1],)
    with pytest.raises(RuntimeError):
        session.answer(Answer("ingen", None))


def test_session_needs_cases():
    with pytest.raises(ValueError):
        Session([])


def test_results_csv_readable_by_excel_norway():
    fbs = [check(CASES[0], Answer("samskaping", 2)), check(CASES[4], Answer("ingen", None))]
    text = results_csv(fbs, "nb")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "id" and len(rows) == 3
    assert rows[1] == ["a", "T a", "Samskaping", "Samskaping", "Nivå 2", "Nivå 1", "nei"]
    assert rows[2][-1] == "ja" and rows[2][4] == "Ikke noe nivå"
    assert "Co-creation (samskaping)" in results_csv(fbs, "en")
