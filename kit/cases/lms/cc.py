"""IMS content packages of QTI 1.2 assessments (pure): the ``.zip`` Canvas imports as a "QTI
.zip file", and the Common Cartridge 1.1 (``.imscc``) that Canvas, Moodle, Blackboard,
Brightspace and itslearning import as a course cartridge.

Each language is one assessment (a quiz) in a folder of its own (the cartridge profile keeps
each learning object out of the package's top level); the manifest lists them, and the
cartridge's organisation puts them under one item named after the quiz.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from kit.cases.lms.items import Item, ident
from kit.cases.lms.package import CP_NS, XSI, content_package, sub, xml_bytes, zip_bytes
from kit.cases.lms.package import LOM_MANIFEST as LOM_NS
from kit.cases.lms.qti12 import assessment_id, questestinterop
from kit.core.i18n import t

CC_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CC_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd"
LOM_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd"
#: The resource type of a QTI 1.2 assessment in a plain content package and in a cartridge.
QTI_TYPE = "imsqti_xmlv1p2"
CC_ASSESSMENT_TYPE = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"


def _languages(items: Sequence[Item]) -> list[str]:
    return list(dict.fromkeys(item.lang for item in items))


def qti_zip(items: Sequence[Item]) -> bytes:
    """The QTI 1.2 package Canvas imports: a manifest and one assessment per language."""
    manifest, resources = content_package("samskaping-kit-qti12", "IMS Content", "1.1.3")
    files = []
    for lang in _languages(items):
        name = assessment_id(lang)
        href = f"{name}/{name}.xml"
        resource = sub(resources, "resource", identifier=name, type=QTI_TYPE, href=href)
        sub(resource, "file", href=href)
        files.append((href, questestinterop(items, lang)))
    return zip_bytes([("imsmanifest.xml", xml_bytes(manifest, CP_NS)), *files])


def _lom_string(parent: ET.Element, tag: str, text: str, lang: str) -> None:
    element = sub(parent, f"{{{LOM_NS}}}{tag}")
    sub(element, f"{{{LOM_NS}}}string", text, language=lang)


def cartridge(items: Sequence[Item]) -> bytes:
    """A Common Cartridge 1.1 package: one QTI assessment per language, under one item."""
    langs = _languages(items)
    first = langs[0] if langs else "nb"
    manifest = ET.Element("manifest", identifier="samskaping-kit-cc")
    manifest.set(f"{{{XSI}}}schemaLocation", f"{CC_NS} {CC_SCHEMA} {LOM_NS} {LOM_SCHEMA}")
    meta = sub(manifest, "metadata")
    sub(meta, "schema", "IMS Common Cartridge")
    sub(meta, "schemaversion", "1.1.0")
    general = sub(sub(meta, f"{{{LOM_NS}}}lom"), f"{{{LOM_NS}}}general")
    _lom_string(general, "title", t("lms_title", first), first)
    _lom_string(general, "description", t("lms_constructed", first), first)
    organization = sub(
        sub(manifest, "organizations"),
        "organization",
        identifier="organization",
        structure="rooted-hierarchy",
    )
    root = sub(organization, "item", identifier="root")
    resources = sub(manifest, "resources")
    files = []
    for lang in langs:
        name = assessment_id(lang)
        entry = sub(root, "item", identifier=ident("item", lang), identifierref=name)
        sub(entry, "title", f"{t('lms_title', lang)} ({lang})")
        href = f"{name}/assessment.xml"
        resource = sub(resources, "resource", identifier=name, type=CC_ASSESSMENT_TYPE)
        sub(resource, "file", href=href)
        files.append((href, questestinterop(items, lang, cc=True)))
    return zip_bytes([("imsmanifest.xml", xml_bytes(manifest, CC_NS)), *files])
