"""The case library in several files and the case fields of issue 9: difficulty, nynorsk,
facilitator notes, chains and marked parts (kit.cases.casefile, pure)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kit.cases.casefile import (
    COLUMNS,
    library_paths,
    load_cases,
    read_cases,
    read_cases_bytes,
    read_in_library,
    read_library,
    template_row,
)
from kit.core.paths import data_dir
from kit.core.text import Text


def entry(id_: str, **fields: object) -> str:
    """One YAML case (samproduksjon, level 3) with extra fields; 6 + len(fields) lines (a field
    named as one of the six, e.g. ``prosess``, takes its place)."""
    values: dict[str, object] = {
        "tittel": "Tittel",
        "tekst": "Frivillige serverer lunsjen sammen med de ansatte.",
        "prosess": "samproduksjon",
        "nivå": 3,
        "forklaring": "Fordi.",
        **fields,
    }
    lines = [f"  - id: {id_}", *(f"    {k}: {v}" for k, v in values.items())]
    return "\n".join(lines) + "\n"


def library(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("schema: 1\ncases:\n" + body, encoding="utf-8")
        paths.append(path)
    return paths


def keys(report) -> list[tuple[str, int | None, str | None, str]]:
    return [(Path(p.file).name, p.row, p.column, p.key) for p in report.problems]


# ---------------------------------------------------------------- the library in several files


def test_duplicate_id_across_files_names_both_files(tmp_path):
    first, second = library(
        tmp_path,
        {"cases.yaml": entry("a") + entry("b"), "cases/mer.yaml": entry("c") + entry("b")},
    )
    report = read_library([first, second])
    assert not report.ok
    (problem,) = report.problems
    assert (Path(problem.file).name, problem.row, problem.column) == ("mer.yaml", 9, "id")
    assert problem.key == "cases_duplicate_id_file"
    message = problem.line("nb")
    assert message.startswith(f"{problem.file}:9: id: Id-en «b» er allerede brukt i ")
    assert f"{first} (linje 9)" in message or "cases.yaml (linje 9)" in message
    assert "already used in" in problem.line("en") and "alt brukt i" in problem.line("nn")
    # the sound cases of both files are still there
    assert [c.id for c in report.cases] == ["a", "b", "c"]
    assert report.files == ((str(first), 2), (str(second), 1))


def test_unique_ids_across_files_are_one_library(tmp_path):
    """Positive control: the same files with the clash renamed, and a pair across them."""
    paths = library(
        tmp_path,
        {
            "cases.yaml": entry("a", par="d") + entry("b"),
            "cases/mer.yaml": entry("c") + entry("d", par="a", prosess="samskaping", nivå=2),
        },
    )
    report = read_library(paths)
    assert report.ok and report.warnings == ()
    assert [c.id for c in report.cases] == ["a", "b", "c", "d"]
    assert report.cases[0].pair == "d"


def test_duplicate_id_in_one_file_keeps_its_message(tmp_path):
    (path,) = library(tmp_path, {"cases.yaml": entry("a") + entry("a")})
    assert keys(read_library([path])) == [("cases.yaml", 9, "id", "cases_duplicate_id_yaml")]


def test_unknown_pair_in_the_library_is_a_warning_naming_the_file(tmp_path):
    paths = library(tmp_path, {"cases.yaml": entry("a"), "cases/x.yaml": entry("b", par="zz")})
    report = read_library(paths)
    assert report.ok
    (warning,) = report.warnings
    assert (Path(warning.file).name, warning.row, warning.column) == ("x.yaml", 3, "par")
    assert "«zz» i case-biblioteket" in warning.line("nb", warning=True)


def test_broken_file_in_the_library_is_named_and_the_rest_is_read(tmp_path):
    paths = library(tmp_path, {"cases.yaml": entry("a"), "cases/x.yaml": "  - id: [\n"})
    report = read_library(paths)
    assert [(f, k) for f, _, _, k in keys(report)] == [("x.yaml", "table_invalid_yaml")]
    assert [c.id for c in report.cases] == ["a"]


def test_library_paths_are_the_main_file_then_the_folder_by_name(tmp_path):
    library(tmp_path, {"cases.yaml": "", "cases/b.yaml": "", "cases/a.yaml": ""})
    (tmp_path / "cases" / "notes.md").write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in library_paths(tmp_path)] == [
        "cases.yaml",
        "cases/a.yaml",
        "cases/b.yaml",
    ]


def test_builtin_library_is_every_file(tmp_path):
    files = library_paths()
    assert files[0] == data_dir() / "cases.yaml"
    alone = [read_cases(p).cases for p in files]
    assert load_cases() == tuple(c for cases in alone for c in cases)
    ids = [c.id for c in load_cases()]
    assert len(ids) == len(set(ids))


def test_a_file_checked_in_its_library(tmp_path):
    main, mine = library(
        tmp_path,
        {"cases.yaml": entry("a") + entry("b"), "cases/mine.yaml": entry("b", par="a")},
    )
    alone = read_cases(mine)
    assert alone.ok and [w.key for w in alone.warnings] == ["cases_unknown_pair"]
    inside = read_in_library(mine, library=[main, mine])
    assert keys(inside) == [("mine.yaml", 3, "id", "cases_duplicate_id_file")]
    assert inside.warnings == ()  # the pair is found in cases.yaml
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("cases:\n" + entry("b"), encoding="utf-8")
    assert read_in_library(outside, library=[main, mine]).ok  # not a library file: alone


# ---------------------------------------------------------------- difficulty


def test_tiers_default_aliases_and_mistakes(tmp_path):
    body = (
        entry("a")
        + entry("b", vanskelighet="middels")
        + entry("c", vanskelighet="Vanskelig")
        + entry("d", difficulty="hard")
        + entry("e", tier="medium")
        + entry("f", vanskelighet="''")
    )
    (path,) = library(tmp_path, {"t.yaml": body})
    report = read_cases(path)
    assert report.ok, report.lines()
    assert [c.tier for c in report.cases] == [
        "lett",
        "middels",
        "vanskelig",
        "vanskelig",
        "middels",
        "lett",
    ]
    (bad,) = library(tmp_path, {"bad.yaml": entry("a", vanskelighet="tung")})
    assert keys(read_cases(bad)) == [("bad.yaml", 3, "vanskelighet", "cases_unknown_tier")]


def test_tier_column_in_a_spreadsheet():
    data = (
        "id;tittel;tekst;prosess;nivå;forklaring;Difficulty\n"
        "a;A;t;ingen;;f;vanskelig\n"
        "b;B;t;ingen;;f;\n"
        "c;C;t;ingen;;f;lettere\n"
    ).encode()
    report = read_cases_bytes(data, "t.csv")
    assert [(p.row, p.column, p.key) for p in report.problems] == [
        (4, "Difficulty", "cases_unknown_tier")
    ]
    assert [c.tier for c in report.cases] == ["vanskelig", "lett"]


def test_builtin_library_counts_every_tier():
    counts = Counter(c.tier for c in load_cases())
    assert set(counts) <= {"lett", "middels", "vanskelig"} and sum(counts.values()) > 0


# ---------------------------------------------------------------- nynorsk, facilitator notes


NN_YAML = """\
cases:
  - id: a
    prosess: ingen
    tittel: Kommunen kjøper
    tekst: Kommunen kjøper tjenesten.
    forklaring: Ingen samarbeid.
    tittel_nn: Kommunen kjøper
    tekst_nn: Kommunen kjøper tenesta.
    forklaring_nn: Inkje samarbeid.
    tittel_en: The municipality buys
    tekst_en: The municipality buys the service.
    explanation_en: No cooperation.
    fasilitator: Hva står på spill?
    facilitator_nn: Kva står på spel?
    fasilitator_en: What is at stake?
"""


def test_nynorsk_fields_are_used_for_nynorsk():
    (case,) = load_yaml(NN_YAML)
    assert case.text.get("nn") == "Kommunen kjøper tenesta."
    assert case.explanation.get("nn") == "Inkje samarbeid."
    assert case.text.get("nb") == "Kommunen kjøper tjenesten."
    assert case.text.get("en") == "The municipality buys the service."
    assert case.facilitator == Text(
        "Hva står på spill?", "What is at stake?", nn="Kva står på spel?"
    )


def load_yaml(text: str):
    report = read_cases_bytes(text.encode(), "x.yaml")
    assert report.ok and not report.warnings, report.lines()
    return report.cases


def test_teacher_file_without_nynorsk_falls_back_to_bokmal():
    data = "id;tittel;tekst;prosess;nivå;forklaring\na;Tittel;Tekst på bokmål;ingen;;Fordi\n"
    (case,) = read_cases_bytes(data.encode(), "t.csv").cases
    assert case.text.get("nn") == "Tekst på bokmål" and case.text.nn is None
    assert case.facilitator is None and case.chain is None and case.marked is None


def test_nynorsk_columns_in_a_spreadsheet_with_english_headers(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(
        ["id", "title", "text", "process", "level", "explanation", "title_nn", "text_nn"]
    )
    book.active.append(["a", "T", "Tekst", "ingen", None, "F", "T nn", "Tekst nn"])
    book.save(tmp_path / "t.xlsx")
    (case,) = read_cases(tmp_path / "t.xlsx").cases
    assert (case.title.get("nn"), case.text.get("nn")) == ("T nn", "Tekst nn")
    assert case.explanation.get("nn") == "F"  # no forklaring_nn: bokmål


def test_facilitator_note_in_another_language_needs_the_bokmal_one():
    text = NN_YAML.replace("    fasilitator: Hva står på spill?\n", "")
    report = read_cases_bytes(text.encode(), "x.yaml")
    assert [(p.column, p.key) for p in report.problems] == [
        ("fasilitator", "cases_facilitator_missing")
    ]
    # the column as the file spells it
    assert "«facilitator_nn»" in report.problems[0].line("nb")


# ---------------------------------------------------------------- chains and marked parts

CHAIN = """\
cases:
  - id: k1
    kjede: bydel-ost
    prosess: samskaping
    nivå: 1
    tittel: Bydel Øst, første steg
    tekst: >-
      Bystyret vedtar en frivillighetspolitikk. Frivilligsentralen og
      kommunen skriver ned avtalen. Senere starter et besøkstilbud.
    markert: "Frivilligsentralen og kommunen skriver ned avtalen."
    forklaring: Nivå 1.
    tekst_nn: >-
      Bystyret vedtek ein frivilligpolitikk. Frivilligsentralen og
      kommunen skriv ned avtalen. Seinare startar eit besøkstilbod.
    markert_nn: "Frivilligsentralen og kommunen skriv ned avtalen."
    tekst_en: >-
      The city council adopts a voluntary-sector policy. The volunteer centre and the
      municipality put the agreement in writing. Later a visiting offer starts.
    marked_en: "The volunteer centre and the municipality put the agreement in writing."
"""


def test_chain_case_with_marked_parts_loads():
    (case,) = load_yaml(CHAIN)
    assert case.chain == "bydel-ost"
    assert case.marked == Text(
        "Frivilligsentralen og kommunen skriver ned avtalen.",
        "The volunteer centre and the municipality put the agreement in writing.",
        nn="Frivilligsentralen og kommunen skriv ned avtalen.",
    )
    before, marked, after = case.marked_parts("nn")
    assert marked == "Frivilligsentralen og kommunen skriv ned avtalen."
    assert before == "Bystyret vedtek ein frivilligpolitikk. "
    assert after == " Seinare startar eit besøkstilbod."


@pytest.mark.parametrize(
    ("old", "new", "column", "key"),
    [
        # the bokmål marked part is not in the bokmål text (a word changed)
        (
            'markert: "Frivilligsentralen og kommunen skriver ned avtalen."',
            'markert: "Frivilligsentralen og kommunen skriver under avtalen."',
            "markert",
            "cases_marked_not_in_text",
        ),
        # the nynorsk marked part is bokmål: not in the nynorsk text
        (
            'markert_nn: "Frivilligsentralen og kommunen skriv ned avtalen."',
            'markert_nn: "Frivilligsentralen og kommunen skriver ned avtalen."',
            "markert_nn",
            "cases_marked_not_in_text",
        ),
        # a nynorsk text but no nynorsk marked part
        (
            '    markert_nn: "Frivilligsentralen og kommunen skriv ned avtalen."\n',
            "",
            "markert_nn",
            "cases_marked_missing",
        ),
        # an English marked part is required with the English text, under its English name
        (
            '    marked_en: "The volunteer centre and the municipality put the agreement in '
            'writing."\n',
            "",
            "markert_en",
            "cases_marked_missing",
        ),
        # a marked part in nynorsk and English, but none in bokmål
        (
            '    markert: "Frivilligsentralen og kommunen skriver ned avtalen."\n',
            "",
            "markert",
            "cases_marked_missing",
        ),
    ],
)
def test_marked_part_is_validated(old, new, column, key):
    assert old in CHAIN
    report = read_cases_bytes(CHAIN.replace(old, new).encode(), "k.yaml")
    assert [(p.row, p.column, p.key) for p in report.problems] == [(2, column, key)]
    assert report.cases == ()
    assert report.problems[0].line("nb").startswith(f"k.yaml:2: {column}: ")


def test_marked_part_messages_name_the_columns_as_the_file_spells_them():
    text = CHAIN.replace("    tekst_en: >-", "    text_en: >-").replace(
        'in writing."', 'on paper."'
    )
    (problem,) = read_cases_bytes(text.encode(), "k.yaml").problems
    assert (problem.column, problem.key) == ("marked_en", "cases_marked_not_in_text")
    assert problem.line("en") == (
        "k.yaml:2: marked_en: The marked part does not occur word for word in “text_en”. "
        "Copy the sentence exactly from “text_en” (the same words and punctuation)."
    )


def test_marked_part_without_its_text():
    text = "id;tittel;tekst;prosess;nivå;forklaring;markert;markert_nn\n"
    text += "a;T;Én setning. To setning.;ingen;;F;To setning.;To setningar.\n"
    report = read_cases_bytes(text.encode(), "m.csv")
    assert [(p.row, p.column, p.key) for p in report.problems] == [
        (2, "markert_nn", "cases_marked_without_text")
    ]
    # positive control: without the stray nynorsk cell the row is sound and marked
    good = text.replace(";To setningar.", ";")
    (case,) = read_cases_bytes(good.encode(), "m.csv").cases
    assert case.marked_parts("nb") == ("Én setning. ", "To setning.", "")
    assert case.marked_parts("nn") == ("Én setning. ", "To setning.", "")  # bokmål fallback


# ---------------------------------------------------------------- the template


def test_template_shows_the_new_columns():
    for column in (
        "vanskelighet",
        "tittel_nn",
        "tekst_nn",
        "forklaring_nn",
        "fasilitator",
        "fasilitator_nn",
        "fasilitator_en",
        "kjede",
        "markert",
        "markert_nn",
        "markert_en",
    ):
        assert column in COLUMNS
    row = template_row("nb")
    assert row["vanskelighet"] == "lett"
    assert str(row["tittel_nn"]).startswith("Konstruert døme")
    assert row["tittel_nn"] != row["tittel"]
    nn = template_row("nn")
    assert nn["tittel_nn"] == "" and str(nn["tittel"]).startswith("Konstruert døme")


def test_template_round_trips_with_nynorsk(tmp_path):
    from kit.cases.casefile import write_template

    write_template(tmp_path / "mal.csv", "nb")
    (case,) = read_cases(tmp_path / "mal.csv").cases
    assert case.title.get("nn").startswith("Konstruert døme")
    assert case.tier == "lett"
    rows = list(
        csv.reader(io.StringIO((tmp_path / "mal.csv").read_text("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == list(COLUMNS)


def test_new_fields_survive_the_live_store_and_split_for_the_phone_page():
    from kit.cases.case import cases_from_json, cases_to_json

    (case,) = load_yaml(CHAIN)
    assert cases_from_json(cases_to_json((case,))) == (case,)
    parts = case.marked_json()
    assert parts["nn"][1] == "Frivilligsentralen og kommunen skriv ned avtalen."
    assert parts["en"][1].startswith("The volunteer centre")
    assert "".join(parts["nb"]) == case.text.nb
    (plain,) = load_yaml(NN_YAML)
    assert plain.marked_json() == {}
