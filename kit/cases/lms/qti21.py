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
from kit.cases.lms.package import XML_NS, XSI, sub, xml_bytes, zip_bytes
from kit.core.i18n import t

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_SCHEMA = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"


def _q(tag: str) -> str:
    """An element of the default namespace (:func:`kit.cases.lms.package.xml_bytes` declares it)."""
    return tag


def _root(tag: str, **attrib: str) -> ET.Element:
    root = ET.Element(_q(tag), attrib)
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} {SCHEMA}")
    return root


def _html(parent: ET.Element, html: str) -> None:
    """Append ``html`` (paragraphs the kit made: escaped text, ``p``, ``h3``, ``strong``) to
    ``parent`` as elements of the QTI namespace."""
    wrapper = ET.fromstring(f"<div>{html}</div>")
    parent.extend(list(wrapper))


def _value(parent: ET.Element, text: str, base_type: str | None = None) -> None:
    attrib = {"baseType": base_type} if base_type else {}
    sub(parent, _q("baseValue") if base_type else _q("value"), text, **attrib)


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
        _q("responseDeclaration"),
        identifier="RESPONSE",
        cardinality="single",
        baseType="identifier",
    )
    _value(sub(response, _q("correctResponse")), item.correct.id)
    mapping = sub(response, _q("mapping"), defaultValue="0")
    for choice in item.choices:
        if choice.points:
            sub(mapping, _q("mapEntry"), mapKey=choice.id, mappedValue=f"{choice.points:g}")
    for name, base, default in (("SCORE", "float", "0"), ("MAXSCORE", "float", "1")):
        outcome = sub(
            root, _q("outcomeDeclaration"), identifier=name, cardinality="single", baseType=base
        )
        _value(sub(outcome, _q("defaultValue")), default)
    sub(
        root,
        _q("outcomeDeclaration"),
        identifier="FEEDBACK",
        cardinality="single",
        baseType="identifier",
    )
    body = sub(root, _q("itemBody"))
    _html(body, f"<h3>{escape(item.title, quote=False)}</h3>" + item.stem_html(question=False))
    interaction = sub(
        body,
        _q("choiceInteraction"),
        responseIdentifier="RESPONSE",
        shuffle="false",
        maxChoices="1",
    )
    sub(interaction, _q("prompt"), item.question)
    for choice in item.choices:
        sub(interaction, _q("simpleChoice"), choice.label, identifier=choice.id)
    processing = sub(root, _q("responseProcessing"))
    condition = sub(processing, _q("responseCondition"))
    when_none = sub(condition, _q("responseIf"))
    sub(sub(when_none, _q("isNull")), _q("variable"), identifier="RESPONSE")
    _value(sub(when_none, _q("setOutcomeValue"), identifier="SCORE"), "0", "float")
    otherwise = sub(condition, _q("responseElse"))
    score = sub(otherwise, _q("setOutcomeValue"), identifier="SCORE")
    sub(score, _q("mapResponse"), identifier="RESPONSE")
    feedback = sub(otherwise, _q("setOutcomeValue"), identifier="FEEDBACK")
    sub(feedback, _q("variable"), identifier="RESPONSE")
    explanation = f"<p>{escape(item.explanation, quote=False)}</p>"
    for choice in item.choices:
        modal = sub(
            root,
            _q("modalFeedback"),
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
        _q("testPart"),
        identifier=ident("part", lang),
        navigationMode="nonlinear",
        submissionMode="individual",
    )
    for n, (category, group) in enumerate(groupby(mine, key=lambda i: i.category), start=1):
        section = sub(
            part,
            _q("assessmentSection"),
            identifier=ident("section", lang, str(n)),
            title=f"{category[1]}, {category[2]}",
            visible="true",
        )
        rubric = sub(section, _q("rubricBlock"), view="candidate")
        _html(rubric, f"<p>{escape(t('lms_constructed', lang), quote=False)}</p>")
        for item in group:
            sub(section, _q("assessmentItemRef"), identifier=item.id, href=f"../{item_href(item)}")
    return xml_bytes(root, NS)


def qti21_zip(items: Sequence[Item]) -> bytes:
    """Every item and a test per language, with the manifest that lists them."""
    q = ""
    manifest = ET.Element(q + "manifest", identifier="samskaping-kit-qti21")
    manifest.set(f"{{{XSI}}}schemaLocation", f"{CP_NS} {CP_SCHEMA}")
    meta = sub(manifest, q + "metadata")
    sub(meta, q + "schema", "QTIv2.1 Package")
    sub(meta, q + "schemaversion", "1.0.0")
    sub(manifest, q + "organizations")
    resources = sub(manifest, q + "resources")
    files: list[tuple[str, bytes]] = []
    for lang in dict.fromkeys(item.lang for item in items):
        name = ident("samskaping-kit", lang)
        href = f"tests/{name}.xml"
        test = sub(
            resources, q + "resource", identifier=ident("test", lang), type=TEST_TYPE, href=href
        )
        sub(test, q + "file", href=href)
        for item in items:
            if item.lang == lang:
                sub(test, q + "dependency", identifierref=ident("res", item.id))
        files.append((href, assessment_test(items, lang)))
    for item in items:
        href = item_href(item)
        resource = sub(
            resources, q + "resource", identifier=ident("res", item.id), type=ITEM_TYPE, href=href
        )
        sub(resource, q + "file", href=href)
        files.append((href, assessment_item(item)))
    return zip_bytes([("imsmanifest.xml", xml_bytes(manifest, CP_NS)), *files])
