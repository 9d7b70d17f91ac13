"""Nynorsk (issue 9): one grammatical form of "case", and no bokmål where a learner reads nynorsk.

In nynorsk the kit uses "case" as a neuter noun: eit case, caset, fleire case, casa. These tests
read every nynorsk text a learner or course leader meets: the UI strings in
``data/i18n/nn/*.yaml``, the ``nn`` fields of the content files and every case in the library
(:func:`kit.cases.casefile.load_cases`), and ``data/fasilitatorguide_nn.md`` once it exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.cases.casefile import load_cases
from kit.core.paths import data_dir
from kit.core.text import Text
from kit.core.yamlio import read_yaml

#: Masculine forms of "case" (casen, casar, casane and compounds such as parcasen; ein, éin or
#: kvar before "case"). The neuter forms are eit/eitt case, kvart case, caset, case, casa.
MASCULINE = re.compile(
    r"\b\w*cas(?:en|ar|ane)\b|\b(?:ein|éin|kvar)\s+case\b",
    re.IGNORECASE,
)
#: Whole words that are bokmål, never nynorsk (nynorsk: ikkje, kva, kven, eg, nokon, korleis,
#: kvifor, dersom/viss, frå, saman, utan, vere, ho, mykje, berre, sjølv, vart/blei).
BOKMAL = re.compile(
    r"\b(?:ikke|hva|hvem|jeg|noen|hvordan|hvorfor|hvis|fra|sammen|uten|være|hun|mye|bare|selv|"
    r"ble)\b",
    re.IGNORECASE,
)
#: The content files whose ``nn`` fields a learner reads (besides the case library).
CONTENT_FILES = (
    "begreper.yaml",
    "model.yaml",
    "lysbilder.yaml",
    "compass.yaml",
    "workshop.yaml",
    "workshop_example.yaml",
)
#: The fields of a case that hold text in several languages.
CASE_FIELDS = ("title", "text", "explanation", "facilitator", "marked")


def hits(pattern: re.Pattern[str], texts: Iterator[tuple[str, str]]) -> list[str]:
    """``where: «word» in …context…`` for every match of ``pattern`` in the labelled texts."""
    found = []
    for where, text in texts:
        for m in pattern.finditer(text):
            context = " ".join(text[max(0, m.start() - 30) : m.end() + 30].split())
            found.append(f"{where}: «{m.group()}» in …{context}…")
    return found


def ui_texts() -> Iterator[tuple[str, str]]:
    """Every nynorsk UI string, labelled ``file:key``."""
    paths = sorted((data_dir() / "i18n" / "nn").glob("*.yaml"))
    assert paths, "no nynorsk UI files"
    for path in paths:
        for key, value in (read_yaml(path) or {}).items():
            yield f"i18n/nn/{path.name}:{key}", str(value)


def _nn_fields(node: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "nn" and isinstance(value, str):
                yield where, value
            else:
                yield from _nn_fields(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nn_fields(value, f"{where}[{i}]")


def content_texts() -> Iterator[tuple[str, str]]:
    """The ``nn`` field of every multilingual value in the content files, labelled by path."""
    for name in CONTENT_FILES:
        found = list(_nn_fields(read_yaml(data_dir() / name), name))
        assert found, f"{name} has no nynorsk fields"
        yield from found


def case_texts() -> Iterator[tuple[str, str]]:
    """The nynorsk of every text field of every library case, labelled ``id.field``."""
    for case in load_cases():
        for name in CASE_FIELDS:
            value = getattr(case, name)
            if isinstance(value, Text) and value.nn:
                yield f"{case.id}.{name}", value.nn


# the checkers themselves (positive and negative controls)


@pytest.mark.parametrize(
    "sentence",
    [
        "Gje kvar case sin eigen id.",
        "Id-en er alt brukt av casen på linje 4.",
        "Fila inneheld ingen casar.",
        "Sjå på casane i biblioteket.",
        "Denne oppføringa er ikkje ein case.",
        "Skriv éin case per rad.",
        "Skriv id-en til parcasen.",
    ],
)
def test_masculine_checker_flags_a_masculine_sentence(sentence):
    assert hits(MASCULINE, iter([("sample", sentence)]))


def test_masculine_checker_passes_the_neuter_forms():
    neuter = (
        "Eit case om gongen: les caset, og gje kvart case sin eigen id. Fleire case, alle casa, "
        "eitt case per rad, parcaset, case-biblioteket."
    )
    assert hits(MASCULINE, iter([("sample", neuter)])) == []


def test_bokmal_checker_flags_bokmal_and_passes_nynorsk():
    bokmal = "Hva gjør jeg hvis noen ikke vet hvem som kommer?"
    assert [m.lower() for m in BOKMAL.findall(bokmal)] == "hva jeg hvis noen ikke hvem".split()
    assert hits(BOKMAL, iter([("nb", bokmal)]))
    nynorsk = "Kva gjer eg dersom nokon ikkje veit kven som kjem? Ho er berre saman med dei."
    assert hits(BOKMAL, iter([("nn", nynorsk)])) == []


# (a) one grammatical form of "case"


def test_ui_strings_use_the_neuter_case():
    assert hits(MASCULINE, ui_texts()) == []


def test_content_files_use_the_neuter_case():
    assert hits(MASCULINE, content_texts()) == []


def test_library_cases_use_the_neuter_case():
    assert hits(MASCULINE, case_texts()) == []


def test_facilitator_guide_uses_the_neuter_case():
    path: Path = data_dir() / "fasilitatorguide_nn.md"
    if not path.is_file():
        pytest.skip("data/fasilitatorguide_nn.md is not written yet")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert hits(MASCULINE, ((f"{path.name}:{n}", line) for n, line in enumerate(lines, 1))) == []


# (b) every library case in nynorsk, never falling back to bokmål


def test_every_case_is_in_nynorsk():
    cases = load_cases()
    assert len(cases) > 50
    missing = [
        f"{case.id}.{name}"
        for case in cases
        for name in ("title", "text", "explanation")
        if "nn" not in getattr(case, name).languages
    ]
    assert missing == []
    # a title may read the same in both languages; a text or explanation is written anew
    copied = [
        f"{case.id}.{name}"
        for case in cases
        for name in ("text", "explanation")
        if getattr(case, name).nn == getattr(case, name).nb
    ]
    assert copied == []


def test_every_chain_case_marks_its_part_in_nynorsk():
    chains = [case for case in load_cases() if case.chain]
    assert chains, "the library has no chain cases"
    wrong = []
    for case in chains:
        if case.marked is None or "nn" not in case.marked.languages:
            wrong.append(f"{case.id}: no nynorsk marked part")
            continue
        parts = case.marked_parts("nn")
        if parts is None or parts[1] != case.marked.nn or parts[1] == case.marked.nb:
            wrong.append(f"{case.id}: the nynorsk marked part is not the nynorsk text's")
    assert wrong == []


def test_every_facilitator_note_is_in_nynorsk():
    noted = [case for case in load_cases() if case.facilitator is not None]
    assert noted, "the library has no facilitator notes"
    wrong = [
        case.id
        for case in noted
        if "nn" not in case.facilitator.languages or case.facilitator.nn == case.facilitator.nb
    ]
    assert wrong == []


# (c) no bokmål words in nynorsk fields


def test_no_bokmal_words_in_the_nynorsk_ui_strings():
    assert hits(BOKMAL, ui_texts()) == []


def test_no_bokmal_words_in_the_nynorsk_content_files():
    assert hits(BOKMAL, content_texts()) == []


def test_no_bokmal_words_in_the_nynorsk_cases():
    assert hits(BOKMAL, case_texts()) == []
