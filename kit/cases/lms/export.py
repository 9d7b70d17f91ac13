"""The one entry point of the LMS exports (pure): cases, a format and languages in, files out.

``samskaping export`` writes what :func:`export_files` returns; the classification app offers
it as a download ("Last ned til LMS") for a course leader's own file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kit.cases.case import TIERS, Case
from kit.cases.lms.cc import cartridge, qti_zip
from kit.cases.lms.h5p import h5p_package
from kit.cases.lms.items import Item, items_for
from kit.cases.lms.moodle import moodle_xml
from kit.cases.lms.package import zip_bytes
from kit.cases.lms.qti21 import qti21_zip
from kit.core.i18n import LANGUAGES

__all__ = [
    "ALL_LANGUAGES",
    "FORMATS",
    "Format",
    "export_files",
    "filter_cases",
    "languages",
    "single_file",
]

#: ``--lang all``: the three languages as parallel items.
ALL_LANGUAGES = "all"


@dataclass(frozen=True)
class Format:
    """One export format: its name on the command line, its file's suffix and MIME type,
    whether it gives half a point (partial credit), and whether it makes a file per language."""

    name: str
    suffix: str
    mime: str
    partial: bool
    per_language: bool
    write: Callable[[Sequence[Item], str], bytes]


def _all(write: Callable[[Sequence[Item]], bytes]) -> Callable[[Sequence[Item], str], bytes]:
    return lambda items, _lang: write(items)


#: The formats, in the order the app and ``--help`` list them.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("moodle", ".xml", "application/xml", True, False, _all(moodle_xml)),
        Format("h5p", ".h5p", "application/zip", False, True, h5p_package),
        Format("qti12", ".zip", "application/zip", False, False, _all(qti_zip)),
        Format("cc", ".imscc", "application/zip", False, False, _all(cartridge)),
        Format("qti21", ".zip", "application/zip", True, False, _all(qti21_zip)),
    )
}


def languages(choice: str) -> tuple[str, ...]:
    """``nb``, ``nn``, ``en`` or :data:`ALL_LANGUAGES` as the languages to write."""
    if choice == ALL_LANGUAGES:
        return tuple(LANGUAGES)
    if choice not in LANGUAGES:
        raise ValueError(f"unknown language {choice!r}")
    return (choice,)


def filter_cases(
    cases: Sequence[Case],
    tiers: Sequence[str] = (),
    domains: Sequence[str] = (),
    ids: Sequence[str] = (),
) -> tuple[tuple[Case, ...], list[tuple[str, str]]]:
    """The cases of any of ``tiers``, any of ``domains`` (as the file writes them, compared
    without case) and any of ``ids`` (empty: no limit), and what was asked for that names
    nothing in ``cases``, as (kind, value) with kind ``tier``, ``domain`` or ``id``."""
    unknown: list[tuple[str, str]] = []
    unknown += [("tier", t) for t in tiers if t not in TIERS]
    known_domains = {c.domain.casefold() for c in cases}
    unknown += [("domain", d) for d in domains if d.casefold() not in known_domains]
    known_ids = {c.id for c in cases}
    unknown += [("id", i) for i in ids if i not in known_ids]
    wanted_domains = {d.casefold() for d in domains}
    chosen = tuple(
        c
        for c in cases
        if (not tiers or c.tier in tiers)
        and (not domains or c.domain.casefold() in wanted_domains)
        and (not ids or c.id in ids)
    )
    return chosen, unknown


def export_files(
    cases: Sequence[Case], fmt: str, langs: Sequence[str], stem: str = "samskaping-kit"
) -> list[tuple[str, bytes]]:
    """``cases`` in format ``fmt`` and languages ``langs``, as (file name, bytes): one file,
    or for H5P one per language (``stem-nb.h5p``, ...)."""
    spec = FORMATS[fmt]
    items = items_for(cases, langs, partial=spec.partial)
    if spec.per_language:
        if len(langs) == 1:
            return [(f"{stem}{spec.suffix}", spec.write(items, langs[0]))]
        return [(f"{stem}-{lang}{spec.suffix}", spec.write(items, lang)) for lang in langs]
    return [(f"{stem}{spec.suffix}", spec.write(items, langs[0]))]


def single_file(
    cases: Sequence[Case], fmt: str, langs: Sequence[str], stem: str = "samskaping-kit"
) -> tuple[str, bytes, str]:
    """:func:`export_files` as one download (name, bytes, MIME type): several files (H5P in
    several languages) go in one zip."""
    files = export_files(cases, fmt, langs, stem)
    if len(files) == 1:
        name, data = files[0]
        return name, data, FORMATS[fmt].mime
    return f"{stem}-{fmt}.zip", zip_bytes(files), "application/zip"
