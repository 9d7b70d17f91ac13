"""QTI 2.1 (pure): a content package of items and tests, the format Blackboard Learn, Inspera
and other QTI 2.1 platforms import.

Each case and language is an ``assessmentItem``: a ``choiceInteraction`` with one
``simpleChoice`` per choice, scored by the item's own ``mapping`` (1 for the key, 0.5 for
samproduksjon on level 3 on a verdisamskaping case, as in the exercise) and with a
``modalFeedback`` per choice (whether it was right, then the explanation). Each language is
one ``assessmentTest`` with a section per domain and tier; the manifest lists the tests and
the items they depend on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape
from itertools import groupby

from kit.cases.lms.items import Item, ident
from kit.cases.lms.package import CP_NS, XML_NS, XSI, content_package, sub, xml_bytes, zip_bytes
from kit.core.i18n import t

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"


def _root(tag: str, **attrib: str) -> ET.Element:
    root = ET.Element(tag, attrib)
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} {SCHEMA}")
    return root


def _html(parent: ET.Element, html: str) -> None:
    """Append ``html`` (paragraphs the kit made: escaped text, ``p``, ``h3``, ``strong``) to
    ``parent`` as elements of the QTI namespace."""
    wrapper = ET.fromstring(f"<div>{html}</div>")
    parent.extend(list(wrapper))


def _value(parent: ET.Element, text: str, base_type: str | None = None) -> None:
    attrib = {"baseType": base_type} if base_type else {}
    sub(parent, "baseValue" if base_type else "value", text, **attrib)


def assessment_item(item: Item) -> bytes:
    """One case in one language as a QTI 2.1 item."""
    root = _root(
        "assessmentItem",
        identifier=item.id,
        title=item.title,
        adaptive="false",
        timeDependent="false",
    )
    root.set(f"{{{XML_NS}}}lang", item.lang)
    response = sub(
        root,
        "responseDeclaration",
        identifier="RESPONSE",
        cardinality="single",
        baseType="identifier",
    )
    _value(sub(response, "correctResponse"), item.correct.id)
    mapping = sub(response, "mapping", defaultValue="0")
    for choice in item.choices:
        if choice.points:
            sub(mapping, "mapEntry", mapKey=choice.id, mappedValue=f"{choice.points:g}")
    for name, base, default in (("SCORE", "float", "0"), ("MAXSCORE", "float", "1")):
        outcome = sub(
            root, "outcomeDeclaration", identifier=name, cardinality="single", baseType=base
        )
        _value(sub(outcome, "defaultValue"), default)
    sub(
        root,
        "outcomeDeclaration",
        identifier="FEEDBACK",
        cardinality="single",
        baseType="identifier",
    )
    body = sub(root, "itemBody")
    _html(body, f"<h3>{escape(item.title, quote=False)}</h3>" + item.stem_html(question=False))
    interaction = sub(
        body,
        "choiceInteraction",
        responseIdentifier="RESPONSE",
        shuffle="false",
        maxChoices="1",
    )
    sub(interaction, "prompt", item.question)
    for choice in item.choices:
        sub(interaction, "simpleChoice", choice.label, identifier=choice.id)
    processing = sub(root, "responseProcessing")
    condition = sub(processing, "responseCondition")
    when_none = sub(condition, "responseIf")
    sub(sub(when_none, "isNull"), "variable", identifier="RESPONSE")
    _value(sub(when_none, "setOutcomeValue", identifier="SCORE"), "0", "float")
    otherwise = sub(condition, "responseElse")
    score = sub(otherwise, "setOutcomeValue", identifier="SCORE")
    sub(score, "mapResponse", identifier="RESPONSE")
    feedback = sub(otherwise, "setOutcomeValue", identifier="FEEDBACK")
    sub(feedback, "variable", identifier="RESPONSE")
    explanation = f"<p>{escape(item.explanation, quote=False)}</p>"
    for choice in item.choices:
        modal = sub(
            root,
            "modalFeedback",
            outcomeIdentifier="FEEDBACK",
            identifier=choice.id,
            showHide="show",
        )
        _html(modal, f"<p>{escape(choice.feedback, quote=False)}</p>{explanation}")
    return xml_bytes(root, NS)


def item_href(item: Item) -> str:
    return f"items/{item.id}.xml"


def assessment_test(items: Sequence[Item], lang: str) -> bytes:
    """The ``items`` of one language as a test: a section per domain and tier."""
    mine = [item for item in items if item.lang == lang]
    root = _root(
        "assessmentTest", identifier=ident("samskaping-kit", lang), title=t("lms_title", lang)
    )
    part = sub(
        root,
        "testPart",
        identifier=ident("part", lang),
        navigationMode="nonlinear",
        submissionMode="individual",
    )
    for n, (category, group) in enumerate(groupby(mine, key=lambda i: i.category), start=1):
        section = sub(
            part,
            "assessmentSection",
            identifier=ident("section", lang, str(n)),
            title=f"{category[1]}, {category[2]}",
            visible="true",
        )
        rubric = sub(section, "rubricBlock", view="candidate")
        _html(rubric, f"<p>{escape(t('lms_constructed', lang), quote=False)}</p>")
        for item in group:
            sub(section, "assessmentItemRef", identifier=item.id, href=f"../{item_href(item)}")
    return xml_bytes(root, NS)


def qti21_zip(items: Sequence[Item]) -> bytes:
    """Every item and a test per language, with the manifest that lists them."""
    manifest, resources = content_package("samskaping-kit-qti21", "QTIv2.1 Package", "1.0.0")
    files: list[tuple[str, bytes]] = []
    for lang in dict.fromkeys(item.lang for item in items):
        name = ident("samskaping-kit", lang)
        href = f"tests/{name}.xml"
        test = sub(resources, "resource", identifier=ident("test", lang), type=TEST_TYPE, href=href)
        sub(test, "file", href=href)
        for item in items:
            if item.lang == lang:
                sub(test, "dependency", identifierref=ident("res", item.id))
        files.append((href, assessment_test(items, lang)))
    for item in items:
        href = item_href(item)
        resource = sub(
            resources, "resource", identifier=ident("res", item.id), type=ITEM_TYPE, href=href
        )
        sub(resource, "file", href=href)
        files.append((href, assessment_item(item)))
    return zip_bytes([("imsmanifest.xml", xml_bytes(manifest, CP_NS)), *files])
