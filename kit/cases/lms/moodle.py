"""Moodle XML (pure): the question bank format Moodle and KS Læring import
(Question bank > Import > "Moodle XML format").

One ``multichoice`` question per case and language with one answer per choice: 100 % for the
key, 50 % for samproduksjon on level 3 on a verdisamskaping case (as in the exercise), 0 for
the rest; each answer's feedback says which was right, the general feedback is the
explanation. Before each group a ``category`` question puts what follows in
``samskaping-kit/<language>/<domain>/<tier>`` (created by the import where missing). The
elements are those, and in the order, of Moodle's own export (its multichoice and category
fixtures in ``question/format/xml/tests/fixtures``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from kit.cases.lms.items import Item
from kit.cases.lms.package import sub, xml_bytes
from kit.core.i18n import t

#: What a wrong try costs before the next one in an interactive quiz (Moodle's default for a
#: question of this many choices).
PENALTY = "0.3333333"


def _category_name(part: str) -> str:
    """A category's name as one step of Moodle's path: a ``/`` in it is written ``//``."""
    return part.replace("/", "//")


def _html(parent: ET.Element, tag: str, html: str, fmt: str = "html") -> ET.Element:
    element = sub(parent, tag, format=fmt)
    sub(element, "text", html)
    return element


def _category(quiz: ET.Element, path: Sequence[str], info: str) -> None:
    question = sub(quiz, "question", type="category")
    category = sub(question, "category")
    sub(category, "text", "$course$/top/" + "/".join(_category_name(p) for p in path))
    _html(question, "info", info)
    sub(question, "idnumber", "")


def _question(quiz: ET.Element, item: Item) -> None:
    question = sub(quiz, "question", type="multichoice")
    name = sub(question, "name")
    sub(name, "text", item.title)
    _html(question, "questiontext", f"<h3>{_escape(item.title)}</h3>" + item.stem_html())
    _html(question, "generalfeedback", f"<p>{_escape(item.explanation)}</p>")
    sub(question, "defaultgrade", "1.0000000")
    sub(question, "penalty", PENALTY)
    sub(question, "hidden", "0")
    sub(question, "idnumber", item.id)
    sub(question, "single", "true")
    sub(question, "shuffleanswers", "false")
    sub(question, "answernumbering", "abc")
    sub(question, "showstandardinstruction", "0")
    lang = item.lang
    _html(question, "correctfeedback", f"<p>{_escape(t('lms_feedback_all_right', lang))}</p>")
    _html(
        question,
        "partiallycorrectfeedback",
        f"<p>{_escape(t('lms_feedback_all_partial', lang))}</p>",
    )
    _html(question, "incorrectfeedback", f"<p>{_escape(t('lms_feedback_all_wrong', lang))}</p>")
    sub(question, "shownumcorrect")
    for choice in item.choices:
        answer = sub(question, "answer", fraction=str(choice.percent), format="html")
        sub(answer, "text", f"<p>{_escape(choice.label)}</p>")
        _html(answer, "feedback", f"<p>{_escape(choice.feedback)}</p>")
    tags = sub(question, "tags")
    for word in (t("lms_tag", lang), item.case_id, item.tier):
        sub(sub(tags, "tag"), "text", word)


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def moodle_xml(items: Sequence[Item]) -> bytes:
    """``items`` as a Moodle XML question file, a category before each language, domain and
    tier (the items come grouped so: :func:`kit.cases.lms.items.items_for`)."""
    quiz = ET.Element("quiz")
    current: tuple[str, ...] | None = None
    for item in items:
        path = (t("lms_bank", item.lang), *item.category)
        if path != current:
            _category(quiz, path, f"<p>{_escape(t('lms_constructed', item.lang))}</p>")
            current = path
        _question(quiz, item)
    return xml_bytes(quiz)
