"""QTI 1.2 (pure): the quiz format Canvas imports ("QTI .zip file"), and the assessments of a
Common Cartridge 1.1 package (:mod:`kit.cases.lms.cc`), which follow the cartridge's QTI
profile.

One ``assessment`` per language, one ``item`` per case: a single-choice ``response_lid``
with a ``response_label`` per choice, a ``respcondition`` setting ``SCORE`` to 100 for the
key, and feedback (``itemfeedback``): the explanation for every answer, and a line per
choice saying whether it was right. QTI 1.2 multiple choice as Canvas and the cartridge
profile read it gives all or nothing, so the answer the exercise gives half a point is
worth 0 here and its feedback says it was nearly right.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape

from kit.cases.lms.items import Item, ident
from kit.cases.lms.package import XSI, sub, xml_bytes
from kit.core.i18n import t

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
#: Where the schemas live: QTI 1.2.1's, and the Common Cartridge 1.1 profile of it.
SCHEMA = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CC_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
RESPONSE = "response1"


def _field(parent: ET.Element, label: str, entry: str) -> None:
    field = sub(parent, "qtimetadatafield")
    sub(field, "fieldlabel", label)
    sub(field, "fieldentry", entry)


def _mattext(parent: ET.Element, text: str, html: bool) -> None:
    material = sub(parent, "material")
    sub(material, "mattext", text, texttype="text/html" if html else "text/plain")


def _feedback(item_el: ET.Element, fb_ident: str, html: str) -> None:
    feedback = sub(item_el, "itemfeedback", ident=fb_ident)
    flow = sub(feedback, "flow_mat")
    _mattext(flow, html, True)


def _item(section: ET.Element, item: Item, cc: bool) -> None:
    item_el = sub(section, "item", ident=item.id, title=item.title)
    meta = sub(sub(item_el, "itemmetadata"), "qtimetadata")
    if cc:
        _field(meta, "cc_profile", "cc.multiple_choice.v0p1")
        _field(meta, "cc_weighting", "1")
    else:
        _field(meta, "question_type", "multiple_choice_question")
        _field(meta, "points_possible", "1.0")
    presentation = sub(item_el, "presentation")
    _mattext(presentation, f"<h3>{escape(item.title, quote=False)}</h3>" + item.stem_html(), True)
    lid = sub(presentation, "response_lid", ident=RESPONSE, rcardinality="Single")
    render = sub(lid, "render_choice", shuffle="No")
    for choice in item.choices:
        label = sub(render, "response_label", ident=choice.id)
        _mattext(label, choice.label, False)
    processing = sub(item_el, "resprocessing")
    outcomes = sub(processing, "outcomes")
    sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    # the explanation, whatever the answer
    general = sub(processing, "respcondition", **{"continue": "Yes"})
    sub(sub(general, "conditionvar"), "other")
    sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    # a line on the choice made
    for choice in item.choices:
        said = sub(processing, "respcondition", **{"continue": "Yes"})
        sub(sub(said, "conditionvar"), "varequal", choice.id, respident=RESPONSE)
        sub(said, "displayfeedback", feedbacktype="Response", linkrefid=f"{choice.id}_fb")
    right = sub(processing, "respcondition", **{"continue": "No"})
    sub(sub(right, "conditionvar"), "varequal", item.correct.id, respident=RESPONSE)
    sub(right, "setvar", "100", action="Set", varname="SCORE")
    _feedback(item_el, "general_fb", f"<p>{escape(item.explanation, quote=False)}</p>")
    for choice in item.choices:
        _feedback(item_el, f"{choice.id}_fb", f"<p>{escape(choice.feedback, quote=False)}</p>")


def assessment_id(lang: str) -> str:
    return ident("samskaping-kit", lang)


def questestinterop(items: Sequence[Item], lang: str, cc: bool = False) -> bytes:
    """The ``items`` of one language as one QTI 1.2 assessment (a quiz); with ``cc``, as the
    Common Cartridge 1.1 profile wants it (its ``cc_profile`` fields and schema)."""
    root = ET.Element("questestinterop")
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} {CC_SCHEMA if cc else SCHEMA}")
    assessment = sub(root, "assessment", ident=assessment_id(lang), title=t("lms_title", lang))
    meta = sub(assessment, "qtimetadata")
    if cc:
        _field(meta, "cc_profile", "cc.exam.v0p1")
        _field(meta, "qmd_assessmenttype", "Examination")
        _field(meta, "qmd_scoretype", "Percentage")
        _field(meta, "cc_maxattempts", "unlimited")
    else:
        # that the cases are constructed, above the quiz (the cartridge says it in its manifest)
        _field(meta, "cc_maxattempts", "unlimited")
        rubric = sub(assessment, "rubric")
        _mattext(rubric, f"<p>{escape(t('lms_constructed', lang), quote=False)}</p>", True)
    section = sub(assessment, "section", ident=ident("root_section", lang))
    for item in items:
        if item.lang == lang:
            _item(section, item, cc)
    return xml_bytes(root, NS)
