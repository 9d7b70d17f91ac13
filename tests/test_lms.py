"""The LMS exports' own rules (kit.cases.lms): one question per case and language, worth what
the exercise gives each answer, in the right category, text kept as text. The formats'
validators check the files in tests/test_lms_validators.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from io import BytesIO

import pytest

from kit.cases.grading import check
from kit.cases.lms.export import FORMATS, export_files, filter_cases, languages, single_file
from kit.cases.lms.items import items_for, xml_text
from kit.core.i18n import t
from tests.lms_files import case_sets

ALL = ("nb", "nn", "en")


def _moodle(cases, langs=ALL) -> ET.Element:
    ((_, data),) = export_files(cases, "moodle", langs)
    return ET.fromstring(data)


def test_every_case_is_a_question_in_every_language():
    library = case_sets()["library"]
    quiz = _moodle(library)
    questions = quiz.findall("question[@type='multichoice']")
    assert len(questions) == 3 * len(library) and len(library) >= 110
    ids = [q.findtext("idnumber") for q in questions]
    assert len(set(ids)) == len(ids)
    assert {f"{c.id}-{lang}" for c in library for lang in ALL} == set(ids)


def test_choices_are_worth_what_the_exercise_gives():
    """Moodle and QTI 2.1 give half a point where the exercise does; every other answer is
    right (100) or wrong (0) as grading.check says."""
    cases = case_sets()["library"] + case_sets()["full"]
    for item in items_for(cases, ALL, partial=True):
        case = next(c for c in cases if c.id == item.case_id)
        assert [c.points for c in item.choices] == [
            check(case, c.answer).points for c in item.choices
        ]
    partial = [i for i in items_for(cases, ("nb",)) if i.partial]
    assert partial and all(
        next(c for c in cases if c.id == i.case_id).process == "verdisamskaping" for i in partial
    )
    assert all(p.partial[0].id == "samproduksjon-3" for p in partial)


def test_formats_without_partial_credit_say_nearly_instead():
    (case,) = [c for c in case_sets()["full"] if c.process == "verdisamskaping"]
    strict = items_for([case], ("nn",), partial=False)[0]
    near = next(c for c in strict.choices if c.id == "samproduksjon-3")
    assert near.points == 0
    assert near.feedback.startswith("Nesten:")
    assert "halvt poeng" not in near.feedback.lower()
    assert [f.partial for f in FORMATS.values()] == [True, False, False, False, True]


def test_moodle_fractions_and_feedback():
    (case,) = [c for c in case_sets()["full"] if c.process == "verdisamskaping"]
    quiz = _moodle([case], ("en",))
    (question,) = quiz.findall("question[@type='multichoice']")
    fractions = {a.findtext("text"): a.get("fraction") for a in question.findall("answer")}
    assert fractions == {
        "<p>Co-creation (samskaping), level 1</p>": "0",
        "<p>Co-creation (samskaping), level 2</p>": "0",
        "<p>Co-production (samproduksjon), level 3</p>": "50",
        "<p>Value co-creation (verdisamskaping), level 3</p>": "100",
        "<p>None of these (no level)</p>": "0",
    }
    assert question.findtext("generalfeedback/text") == f"<p>{case.explanation.en}</p>"
    # the chain's marked sentence is emphasised, and the question asks about it
    text = question.findtext("questiontext/text")
    assert "<strong>The guests say what a good visit is to them.</strong>" in text
    assert t("lms_question_marked", "en") in text


def test_a_category_per_language_domain_and_tier():
    quiz = _moodle(case_sets()["full"])
    paths = [q.findtext("category/text") for q in quiz.findall("question[@type='category']")]
    assert paths == [
        f"$course$/top/samskaping-kit/{lang}/{domain}/{tier}"
        for lang, domain, tiers in (
            ("nb", "Eldreomsorg", ("middels", "vanskelig")),
            ("nn", "Eldreomsorg", ("middels", "vanskeleg")),
            ("en", "Elderly care", ("medium", "hard")),
        )
        for tier in tiers
    ]
    # each category says the cases are constructed
    info = quiz.find("question[@type='category']/info/text").text
    assert "konstruerte undervisningseksempler" in info


def test_teacher_text_stays_text():
    """HTML in a course leader's file is escaped once inside the question's HTML; a character
    XML cannot hold is dropped."""
    quiz = _moodle(case_sets()["full"], ("nb",))
    question = quiz.find("question[@type='multichoice']")
    assert question.findtext("name/text") == "Kafé <b>for</b> alle & enhver"
    html = question.findtext("questiontext/text")
    assert "<h3>Kafé &lt;b&gt;for&lt;/b&gt; alle &amp; enhver</h3>" in html
    assert "\x07" not in html and "brukerne." in html
    assert xml_text("a\x00b\ud800c\ufffed") == "abcd"


def test_course_leader_note_is_not_exported():
    for fmt in FORMATS:
        for _, data in export_files(case_sets()["full"], fmt, ALL):
            blob = (
                data
                if fmt == "moodle"
                else b"".join(
                    zipfile.ZipFile(BytesIO(data)).read(n)
                    for n in zipfile.ZipFile(BytesIO(data)).namelist()
                )
            )
            assert b"hvem som bestemmer" not in blob.lower()
            assert b"Who judges the quality" not in blob


def test_h5p_is_one_package_per_language():
    files = export_files(case_sets()["readme"], "h5p", ALL, stem="kurs")
    assert [name for name, _ in files] == ["kurs-nb.h5p", "kurs-nn.h5p", "kurs-en.h5p"]
    for (_name, data), lang in zip(files, ALL, strict=True):
        package = zipfile.ZipFile(BytesIO(data))
        assert sorted(package.namelist()) == ["content/content.json", "h5p.json"]
        meta = json.loads(package.read("h5p.json"))
        assert meta["language"] == lang and meta["mainLibrary"] == "H5P.QuestionSet"
        content = json.loads(package.read("content/content.json"))
        assert content["texts"]["nextButton"] == t("h5p_qs_next_button", lang)
        (question,) = content["questions"]
        assert question["library"] == "H5P.MultiChoice 1.16"
        assert sum(a["correct"] for a in question["params"]["answers"]) == 1
    name, data, mime = single_file(case_sets()["readme"], "h5p", ALL, stem="kurs")
    assert (name, mime) == ("kurs-h5p.zip", "application/zip")
    assert zipfile.ZipFile(BytesIO(data)).namelist() == [
        "kurs-nb.h5p",
        "kurs-nn.h5p",
        "kurs-en.h5p",
    ]


def test_the_same_cases_give_the_same_bytes():
    cases = case_sets()["full"]
    for fmt in FORMATS:
        assert export_files(cases, fmt, ALL) == export_files(cases, fmt, ALL)


def test_filters_and_what_they_did_not_find():
    library = case_sets()["library"]
    chosen, unknown = filter_cases(library, tiers=["lett"], domains=["ELDREOMSORG"])
    assert chosen and all(c.tier == "lett" and c.domain == "eldreomsorg" for c in chosen)
    assert unknown == []
    chosen, unknown = filter_cases(library, ids=["tirsdagslunsj", "finnes-ikke"], tiers=["svaert"])
    assert chosen == ()  # no case is of the tier "svaert"
    assert unknown == [("tier", "svaert"), ("id", "finnes-ikke")]
    assert languages("all") == ALL and languages("nn") == ("nn",)
    with pytest.raises(ValueError):
        languages("de")
