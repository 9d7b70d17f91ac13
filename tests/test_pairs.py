"""Contrast pairs in the data model (kit.cases.pairs, and the columns par and forskjell of
kit.cases.casefile): which cases make a pair, what a case file's broken pair is told, and a
pair's JSON forms."""

from __future__ import annotations

import pytest

from kit.cases.casefile import COLUMNS, load_cases, read_cases_bytes, read_library
from kit.cases.pairs import PAIR_ID_MAX, ContrastPair, find_pairs, flat_cases, pair_id
from kit.core.text import Text
from tests.factories import make_case
from tests.test_casefile import csv_bytes, where

HEADER = ["id", "tittel", "tekst", "prosess", "nivå", "forklaring", "par", "forskjell"]


def row(case_id: str, process: str, level: object, par: str = "", difference: str = ""):
    return [case_id, "T " + case_id, "Tekst.", process, level, "F.", par, difference]


def read(*rows: list[object]):
    return read_cases_bytes(csv_bytes([HEADER, *rows]), "par.csv")


# ---------------------------------------------------------------- which cases make a pair


def test_two_cases_naming_each_other_with_different_keys_are_a_pair():
    a = make_case("a", "samproduksjon", 3, pair="b")
    b = make_case("b", "samskaping", 2, pair="a")
    (pair,) = find_pairs([a, b])
    assert pair.cases == (a, b)
    assert pair.id == "par:a" == pair.swapped().id


def test_one_case_naming_the_other_is_enough():
    a = make_case("a", "samproduksjon", 3)
    b = make_case("b", "ingen", None, pair="a")
    (pair,) = find_pairs([a, b])
    assert pair.cases == (a, b)  # in the set's order, whichever names the other


@pytest.mark.parametrize(
    "cases",
    [
        # the same key: no contrast
        [make_case("a", "samproduksjon", 3, pair="b"), make_case("b", "samproduksjon", 3)],
        # b names a third case
        [make_case("a", pair="b"), make_case("b", "ingen", None, pair="c"), make_case("c")],
        # a names itself
        [make_case("a", pair="a")],
        # a names a case the set does not have
        [make_case("a", pair="zz")],
    ],
)
def test_no_pair_forms(cases):
    pairs = find_pairs(cases)
    assert all(p.first.id != "a" and p.second.id != "a" for p in pairs)


def test_a_case_is_in_one_pair_at_most():
    a = make_case("a", "samproduksjon", 3, pair="b")
    b = make_case("b", "samskaping", 2)
    c = make_case("c", "ingen", None, pair="b")
    assert [p.cases for p in find_pairs([a, b, c])] == [(a, b)]


def test_the_library_has_its_pairs_each_case_in_one():
    cases = load_cases()
    pairs = find_pairs(cases)
    assert len(pairs) >= 11
    named = {c.id for c in cases if c.pair}
    in_pairs = [c.id for p in pairs for c in p.cases]
    assert len(in_pairs) == len(set(in_pairs))
    assert named == set(in_pairs)  # every case with a partner is in a pair
    for pair in pairs:
        a, b = pair.cases
        assert (a.process, a.level) != (b.process, b.level), pair.id


def test_flat_cases_puts_a_pairs_cases_in_its_place():
    a, b, c = make_case("a", pair="b"), make_case("b", "ingen", None), make_case("c")
    (pair,) = find_pairs([a, b])
    assert flat_cases([c, pair, "a question"]) == (c, a, b)


# ---------------------------------------------------------------- what a case file is told


def test_a_sound_pair_earns_no_warning():
    report = read(row("a", "samproduksjon", 3, "b", "Hvem som bestemmer."), row("b", "ingen", ""))
    assert report.ok and report.warnings == ()
    (pair,) = find_pairs(report.cases)
    assert pair.difference == Text("Hvem som bestemmer.")


@pytest.mark.parametrize(
    ("rows", "expected", "words"),
    [
        (
            [row("a", "samproduksjon", 3, "b"), row("b", "samproduksjon", 3, "a")],
            [(2, "par", "cases_pair_same_key")],
            "«b» har samme fasit",
        ),
        (
            [row("a", "samproduksjon", 3, "a")],
            [(2, "par", "cases_pair_self")],
            "sitt eget par",
        ),
        (
            [
                row("a", "samproduksjon", 3, "b"),
                row("b", "ingen", "", "c"),
                row("c", "samskaping", 2, "b"),
            ],
            [(2, "par", "cases_pair_not_mutual")],
            "«b» peker på «c»",
        ),
        (
            [
                row("a", "samproduksjon", 3, "b"),
                row("b", "ingen", ""),
                row("c", "samskaping", 2, "b"),
            ],
            [(4, "par", "cases_pair_taken")],
            "«b» er allerede par med «a»",
        ),
        (
            [row("a", "samproduksjon", 3, "", "Noe skiller.")],
            [(2, "forskjell", "cases_difference_without_pair")],
            "ikke med i noe kontrastpar",
        ),
        (
            [
                row("a", "samproduksjon", 3, "b", "Én ting."),
                row("b", "ingen", "", "a", "En annen."),
            ],
            [(3, "forskjell", "cases_pair_two_differences")],
            "«a» har en annen tekst i «forskjell»",
        ),
    ],
)
def test_a_broken_pair_is_a_warning_saying_what_to_mend(rows, expected, words):
    report = read(*rows)
    assert report.ok and len(report.cases) == len(rows)  # every case is still usable
    assert where(report.warnings) == expected
    assert words in report.warnings[0].line("nb", warning=True)
    assert report.warnings[0].message("en") != report.warnings[0].message("nb")


def test_a_difference_in_nynorsk_only_is_a_problem():
    header = [*HEADER, "forskjell_nn"]
    rows = [header, [*row("a", "samproduksjon", 3, "b"), "Kven som bestemmer."]]
    report = read_cases_bytes(csv_bytes(rows), "par.csv")
    assert where(report.problems) == [(2, "forskjell", "cases_difference_missing")]
    assert "«forskjell_nn»" in report.problems[0].message("nb")


def test_difference_columns_are_read_in_every_language_and_by_english_names():
    header = ["id", "title", "text", "process", "level", "explanation", "pair", "difference"]
    rows = [
        [*header, "difference_nn", "difference_en"],
        ["a", "T", "X", "samproduksjon", 3, "F", "b", "Hvem", "Kven", "Who"],
        ["b", "T", "X", "samskaping", 2, "F", "a", "", "", ""],
    ]
    report = read_cases_bytes(csv_bytes(rows), "par.csv")
    assert report.ok and report.warnings == ()
    assert report.cases[0].difference == Text("Hvem", nn="Kven", en="Who")
    assert {"forskjell", "forskjell_nn", "forskjell_en"} <= set(COLUMNS)


def test_a_broken_pair_across_library_files_names_the_file(tmp_path):
    from tests.test_case_library import entry, library

    paths = library(
        tmp_path,
        {"cases.yaml": entry("a", par="b"), "cases/x.yaml": entry("b", par="a")},
    )
    report = read_library(paths)
    assert report.ok
    (warning,) = report.warnings
    assert (warning.file, warning.row, warning.key) == (str(paths[0]), 3, "cases_pair_same_key")


# ---------------------------------------------------------------- a pair's forms


def test_a_pairs_id_fits_the_store_whatever_its_cases_ids():
    assert pair_id("b", "a") == pair_id("a", "b") == "par:a"
    long_a, long_b = "a" * 90, "b" * 90
    made = pair_id(long_a, long_b)
    assert made.startswith("par:") and len(made) <= PAIR_ID_MAX
    assert made == pair_id(long_b, long_a) != pair_id(long_a, "c" * 90)


def test_a_pair_is_as_hard_as_its_harder_case():
    a = make_case("a", "samproduksjon", 3, tier="lett", pair="b")
    b = make_case("b", "samskaping", 2, tier="vanskelig")
    assert ContrastPair(a, b).tier == "vanskelig" == ContrastPair(b, a).tier


def test_a_phone_gets_no_key_or_difference_before_the_reveal():
    a = make_case("a", "samproduksjon", 3, pair="b", difference=Text("Hvem bestemmer", en="Who"))
    b = make_case("b", "samskaping", 2)
    pair = ContrastPair(a, b)
    seen = pair.phone_json()
    assert seen["kind"] == "pair" and [c["id"] for c in seen["cases"]] == ["a", "b"]
    flat = repr(seen)
    assert "Hvem bestemmer" not in flat and "samproduksjon" not in flat and "Fordi" not in flat
    assert "Tittel a" in seen["title"]["nb"] and "Title b" in seen["title"]["en"]
    assert pair.key_json() == {"difference": {"nb": "Hvem bestemmer", "en": "Who"}}
    assert ContrastPair(b, make_case("c", "ingen", None)).key_json() == {"difference": None}


def test_a_pair_is_two_cases():
    with pytest.raises(ValueError):
        ContrastPair(make_case("a"), make_case("a"))
