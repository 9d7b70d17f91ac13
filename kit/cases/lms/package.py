"""What every export writer shares (pure): XML as bytes, and zip packages whose bytes depend on
their content only (fixed time stamps, a fixed order), so the same cases give the same file."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable

#: The time stamp of every file in a package (zip's earliest date): the bytes depend on the
#: content only.
_STAMP = (1980, 1, 1, 0, 0, 0)
#: The namespace the kit's deterministic UUIDs are made in (uuid5 of a case and language).
_UUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/samskaping-kit/lms")

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: The Common Cartridge's LOM metadata, with the prefix its examples give it.
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
ET.register_namespace("lomimscc", LOM_MANIFEST)


def stable_uuid(*parts: str) -> str:
    """A UUID that is the same for the same ``parts`` (H5P's sub-content ids, package ids)."""
    return str(uuid.uuid5(_UUIDS, "\x1f".join(parts)))


def xml_bytes(root: ET.Element, namespace: str | None = None) -> bytes:
    """``root`` as an indented UTF-8 XML document with its declaration; ``namespace`` is the
    default one, for every element written without one (ElementTree's own
    ``default_namespace`` refuses attributes without a namespace, which these formats use)."""
    if namespace:
        root.set("xmlns", namespace)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


#: IMS Content Packaging 1.1: the manifest of the QTI packages (not of the cartridge, which has
#: its own profile of it).
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_SCHEMA = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"


def content_package(identifier: str, schema: str, version: str) -> tuple[ET.Element, ET.Element]:
    """An IMS CP 1.1 manifest with its metadata and an empty organisation, and the element its
    resources go in; write it with ``xml_bytes(manifest, CP_NS)``."""
    manifest = ET.Element("manifest", identifier=identifier)
    manifest.set(f"{{{XSI}}}schemaLocation", f"{CP_NS} {CP_SCHEMA}")
    meta = sub(manifest, "metadata")
    sub(meta, "schema", schema)
    sub(meta, "schemaversion", version)
    sub(manifest, "organizations")
    return manifest, sub(manifest, "resources")


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    """A child element of ``parent``, with ``text`` if given."""
    child = ET.SubElement(parent, tag, attrib)
    if text is not None:
        child.text = text
    return child


def zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip archive of ``files`` (name, bytes), deflated, in the order given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()
