"""The concepts lesson: contrast pairs, check questions and the pure answer check."""

from __future__ import annotations

import pytest
import yaml

from kit.concepts.lessons import check_choice, load_lesson
from kit.core.paths import data_dir
from kit.core.yamlio import ContentError


def test_lesson_has_tuesday_lunch_from_source():
    lesson = load_lesson()
    pair = next(p for p in lesson.contrasts if p.id == "tirsdagslunsj")
    assert pair.a.from_source and pair.a.process == "samproduksjon" and pair.a.level == 3
    assert "tirsdag" in pair.a.text.nb and "Tuesday" in pair.a.text.en
    assert pair.b.process == "samskaping"
    assert not pair.b.from_source


def test_three_to_five_questions_each_answerable():
    lesson = load_lesson()
    assert 3 <= len(lesson.questions) <= 5
    for q in lesson.questions:
        assert q.answer in {o.key for o in q.options}
        assert len(q.options) >= 3


@pytest.mark.parametrize(
    "question_id", ["q-tirsdag", "q-codesign", "q-verdi", "q-niva1", "q-innkjop"]
)
def test_check_choice_right_and_wrong(question_id):
    q = next(q for q in load_lesson().questions if q.id == question_id)
    right = check_choice(q, q.answer)
    assert right.correct and right.answer.key == q.answer
    wrong_key = next(o.key for o in q.options if o.key != q.answer)
    wrong = check_choice(q, wrong_key)
    assert not wrong.correct
    assert wrong.chosen == wrong_key
    assert wrong.explanation == q.explanation


def test_no_choice_is_not_correct():
    q = load_lesson().questions[0]
    fb = check_choice(q, None)
    assert not fb.correct and fb.chosen is None


def test_foreign_choice_rejected():
    q = load_lesson().questions[0]
    with pytest.raises(ValueError, match="not an option"):
        check_choice(q, "banana")


def test_answer_must_be_an_option(tmp_path):
    raw = yaml.safe_load((data_dir() / "begreper.yaml").read_text(encoding="utf-8"))
    raw["questions"][2]["answer"] = "nobody"
    path = tmp_path / "begreper.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=r"begreper\.yaml: questions\[2\]\.answer"):
        load_lesson(path)
