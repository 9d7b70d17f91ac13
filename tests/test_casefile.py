"""Case files: the built-in library and a course leader's own YAML, CSV and XLSX files."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kit.cases.case import ALLOWED_LEVELS, Case
from kit.cases.casefile import (
    COLUMNS,
    REQUIRED,
    CaseFileError,
    Problem,
    load_cases,
    read_cases,
    read_cases_bytes,
    template_row,
    write_template,
)
from kit.core.text import Text
from kit.core.yamlio import ContentError

# ---------------------------------------------------------------- helpers shared with test_cli_cases


def case_row(case: Case) -> dict[str, object]:
    """A case as the row a course leader would type into a spreadsheet (in COLUMNS order)."""
    row: dict[str, object] = {
        "id": case.id,
        "prosess": case.process,
        "nivå": case.level,
        "område": case.domain,
        "vanskelighet": case.tier,
        "par": case.pair or "",
        "kjede": case.chain or "",
    }
    texts = {
        "tittel": case.title,
        "tekst": case.text,
        "forklaring": case.explanation,
        "fasilitator": case.facilitator,
        "markert": case.marked,
        "forskjell": case.difference,
    }
    for column, text in texts.items():
        values = text.as_dict() if text is not None else {}
        row[column] = values.get("nb", "")
        for lang in ("nn", "en"):
            row[f"{column}_{lang}"] = values.get(lang, "")
    return {column: row[column] for column in COLUMNS}


def write_csv(
    path: Path,
    rows: list[list[object]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> Path:
    """Rows (header first) as Excel would save them; None is an empty cell."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    workbook.save(path)
    return path


def library_rows(cases: tuple[Case, ...]) -> list[list[object]]:
    return [list(COLUMNS)] + [list(case_row(c).values()) for c in cases]


HEADER = ["id", "tittel", "tekst", "prosess", "nivå", "forklaring"]

#: Five rows, each wrong in one way, around sound rows; (row, column, key) as expected.
BAD_ROWS: list[list[object]] = [
    HEADER,
    ["lunsj", "Lunsj", "Frivillige serverer.", "samproduksjon", 3, "Fordi."],
    ["ukjent-prosess", "T", "Tekst.", "samarbeid", 2, "F."],
    ["niva-fire", "T", "Tekst.", "samskaping", 4, "F."],
    ["mangler-tekst", "T", "", "ingen", "", "F."],
    ["lunsj", "T", "Tekst.", "ingen", "", "F."],
    ["feil-niva", "T", "Tekst.", "samproduksjon", 2, "F."],
    ["plan", "Plan", "Tekst.", "samskaping", 1, "F."],
]
BAD_EXPECTED = [
    (3, "prosess", "cases_unknown_process"),
    (4, "nivå", "cases_level_range"),
    (5, "tekst", "cases_required_empty"),
    (6, "id", "cases_duplicate_id"),
    (7, "nivå", "cases_level_mismatch"),
]
BAD_LINES = {
    "nb": [
        "bad.{ext}:3: prosess: «samarbeid» er ikke en gyldig prosess. "
        "Skriv samskaping, samproduksjon, verdisamskaping eller ingen.",
        "bad.{ext}:4: nivå: «4» er ikke et gyldig nivå.",
        "bad.{ext}:5: tekst: Cellen er tom.",
        "bad.{ext}:6: id: Id-en «lunsj» er allerede brukt i rad 2.",
        "bad.{ext}:7: nivå: samproduksjon hører til nivå 3 i modellen, ikke nivå 2.",
    ],
    "en": [
        "bad.{ext}:3: prosess: “samarbeid” is not a valid process.",
        "bad.{ext}:4: nivå: “4” is not a valid level.",
        "bad.{ext}:5: tekst: The cell is empty.",
        "bad.{ext}:6: id: The id “lunsj” is already used in row 2.",
        "bad.{ext}:7: nivå: samproduksjon belongs to level 3 in the model, not level 2.",
    ],
}


def write_bad(tmp_path: Path, ext: str) -> Path:
    path = tmp_path / f"bad.{ext}"
    return write_xlsx(path, BAD_ROWS) if ext == "xlsx" else write_csv(path, BAD_ROWS)


def where(problems) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.key) for p in problems]


def csv_bytes(rows: list[list[object]], delimiter: str = ";") -> bytes:
    return "\r\n".join(delimiter.join(str(v) for v in row) for row in rows).encode("utf-8")


GOOD = ["a", "Tittel", "Tekst.", "samproduksjon", "3", "Forklaring."]


# ---------------------------------------------------------------- the built-in library


def test_builtin_library_is_large_enough_and_cached():
    cases = load_cases()
    assert len(cases) >= 40
    assert load_cases() is cases
    assert all(isinstance(c, Case) for c in cases)


@pytest.mark.parametrize("process", list(ALLOWED_LEVELS))
def test_builtin_library_spreads_over_processes(process):
    assert sum(c.process == process for c in load_cases()) >= 8


@pytest.mark.parametrize("level", [1, 2, 3])
def test_builtin_library_spreads_over_levels(level):
    assert sum(c.level == level for c in load_cases()) >= 8


def test_builtin_library_spreads_over_domains():
    domains = Counter(c.domain for c in load_cases())
    assert "" not in domains
    assert len(domains) >= 6


def test_builtin_contrast_pairs_are_reciprocal():
    by_id = {c.id: c for c in load_cases()}
    paired = [c for c in by_id.values() if c.pair]
    assert paired
    for case in paired:
        assert case.pair in by_id, case.id
        assert by_id[case.pair].pair == case.id, case.id
        assert case.pair != case.id


def test_builtin_cases_have_english():
    for case in load_cases():
        for text in (case.title, case.text, case.explanation):
            assert "en" in text.languages, case.id
            assert text.en != text.nb, case.id


def test_builtin_tuesday_lunch_is_coproduction_at_level_3():
    lunch = {c.id: c for c in load_cases()}["tirsdagslunsj"]
    assert (lunch.process, lunch.level) == ("samproduksjon", 3)
    assert "11" in lunch.text.nb and "tirsdag" in lunch.text.nb


# ---------------------------------------------------------------- same cases from every format


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [("cases.csv", ";", "cp1252"), ("cases.csv", ",", "utf-8-sig"), ("cases.xlsx", None, None)],
)
def test_library_round_trips_through_spreadsheets(tmp_path, name, delimiter, encoding):
    cases = load_cases()
    path = tmp_path / name
    if delimiter:
        write_csv(path, library_rows(cases), delimiter=delimiter, encoding=encoding)
    else:
        write_xlsx(path, library_rows(cases))
    report = read_cases(path)
    assert report.lines() == []
    assert report.cases == cases


def test_yaml_top_level_list_is_accepted(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(
        "- id: a\n  tittel: T\n  tekst: X\n  prosess: ingen\n  forklaring: F\n", encoding="utf-8"
    )
    report = read_cases(path)
    assert report.ok and [c.id for c in report.cases] == ["a"]
    assert report.cases[0].level is None


# ---------------------------------------------------------------- five bad rows


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_five_bad_rows_give_five_located_problems(tmp_path, monkeypatch, ext, lang):
    write_bad(tmp_path, ext)
    monkeypatch.chdir(tmp_path)
    report = read_cases(f"bad.{ext}", lang)
    assert not report.ok
    assert where(report.problems) == BAD_EXPECTED
    assert report.warnings == ()
    lines = report.lines()
    assert len(lines) == 5
    for line, start in zip(lines, BAD_LINES[lang], strict=True):
        assert line.startswith(start.format(ext=ext))
    assert [c.id for c in report.cases] == ["lunsj", "plan"]


def test_problem_messages_tell_the_fix():
    report = read_cases_bytes(csv_bytes(BAD_ROWS), "upload.csv")
    nb = [p.message("nb") for p in report.problems]
    assert "Skriv samskaping, samproduksjon, verdisamskaping eller ingen." in nb[0]
    assert "Skriv 1, 2 eller 3" in nb[1]
    assert "må fylles ut" in nb[2]
    assert "Gi hver case sin egen id" in nb[3]
    assert "Skriv 3 her" in nb[4]
    nn = report.problems[4].message("nn")
    assert "høyrer til nivå 3" in nn and "ikkje" in nn
    assert all(line.startswith("upload.csv:") for line in report.lines())


# ---------------------------------------------------------------- columns


@pytest.mark.parametrize(
    "header",
    [
        ["id", "tittel", "tekst", "prosess", "nivå", "forklaring"],
        ["ID", " Tittel ", "TEKST", "Prosess", "NIVÅ", "Forklaring "],
        ["id", "title", "text", "process", "level", "explanation"],
        ["id", "tittel", "tekst", "prosess", "niva", "forklaring"],
        ["id", "tittel", "tekst", "prosess", "nivaa", "forklaring"],
    ],
)
def test_header_spellings(header):
    report = read_cases_bytes(csv_bytes([header, GOOD]), "c.csv")
    assert report.lines() == []
    assert report.cases[0].level == 3


@pytest.mark.parametrize("label", ["område", "omrade", "omraade", "domain", "Område"])
def test_domain_column_spellings(label):
    report = read_cases_bytes(csv_bytes([[*HEADER, label], [*GOOD, "kultur"]]), "c.csv")
    assert report.ok and report.cases[0].domain == "kultur"


def test_english_columns_and_pair_are_read():
    header = [*HEADER, "title_en", "text_en", "explanation_en", "pair"]
    rows = [
        header,
        [*GOOD, "Title", "Text.", "Because.", "b"],
        ["b", "B", "Tekst.", "samskaping", "2", "F.", "", "", "", "a"],
    ]
    a, b = read_cases_bytes(csv_bytes(rows), "c.csv").cases
    assert a.title == Text(nb="Tittel", en="Title") and a.pair == "b"
    assert b.title.en == "B" and b.title.languages == ("nb",)  # falls back to bokmål
    assert b.pair == "a"


def test_unknown_column_is_a_warning_only():
    report = read_cases_bytes(csv_bytes([[*HEADER, "Farge"], [*GOOD, "blå"]]), "c.csv")
    assert report.ok and len(report.cases) == 1
    assert where(report.warnings) == [(1, "Farge", "cases_unknown_column")]
    assert report.lines("en")[0].startswith("Warning: c.csv:1: Farge: Unknown column")


@pytest.mark.parametrize("missing", REQUIRED)
def test_missing_required_column_is_one_problem_on_row_1(missing):
    keep = [i for i, h in enumerate(HEADER) if h != missing]
    rows = [[row[i] for i in keep] for row in [HEADER, GOOD, ["b", *GOOD[1:]]]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert where(report.problems) == [(1, missing, "cases_missing_column")]
    assert f"«{missing}»" in report.problems[0].message("nb")
    assert report.cases == ()


def test_missing_level_column_counts_as_blank_levels():
    header = ["id", "tittel", "tekst", "prosess", "forklaring"]
    rows = [header, ["a", "T", "X", "ingen", "F"], ["b", "T", "X", "samskaping", "F"]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert where(report.problems) == [(3, "nivå", "cases_level_missing")]
    assert "1 eller 2" in report.problems[0].message("nb")
    assert "1 or 2" in report.problems[0].message("en")


def test_duplicate_column_is_a_problem():
    report = read_cases_bytes(csv_bytes([[*HEADER, "title"], [*GOOD, "T2"]]), "c.csv")
    assert where(report.problems) == [(1, "title", "cases_duplicate_column")]
    assert "«tittel»" in report.problems[0].message("nb")


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("samskaping", "samskaping"),
        (" Samproduksjon ", "samproduksjon"),
        ("VERDISAMSKAPING", "verdisamskaping"),
        ("Ingen", "ingen"),
        ("co-creation", "samskaping"),
        ("Co-Production", "samproduksjon"),
        ("value  co-creation", "verdisamskaping"),
        ("none", "ingen"),
    ],
)
def test_process_spellings(given, expected):
    level = {"samskaping": "1", "ingen": ""}.get(expected, "3")
    report = read_cases_bytes(csv_bytes([HEADER, ["a", "T", "X", given, level, "F"]]), "c.csv")
    assert report.lines() == []
    assert report.cases[0].process == expected


@pytest.mark.parametrize(
    ("cell", "level"),
    [("1", 1), ("2 ", 2), ("3.0", 3), ("2,0", 2), ("", None), ("-", None), ("ingen", None)],
)
def test_level_spellings(cell, level):
    process = {None: "ingen", 3: "samproduksjon"}.get(level, "samskaping")
    rows = [HEADER, ["a", "T", "X", process, cell, "F"]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert report.lines() == []
    assert report.cases[0].level == level


@pytest.mark.parametrize("cell", ["4", "0", "1.5", "to", "x", "-1", "None!"])
def test_level_outside_1_to_3(cell):
    rows = [HEADER, ["a", "T", "X", "samskaping", cell, "F"]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert where(report.problems) == [(2, "nivå", "cases_level_range")]
    assert f"«{cell}»" in report.problems[0].message("nb")


@pytest.mark.parametrize("value", [2.0, 3, 1.0])
def test_excel_numbers_as_levels(tmp_path, value):
    path = write_xlsx(tmp_path / "n.xlsx", [HEADER, ["a", "T", "X", "samskaping", value, "F"]])
    report = read_cases(path)
    if value == 3:
        assert where(report.problems) == [(2, "nivå", "cases_level_mismatch")]
    else:
        assert report.ok and report.cases[0].level == int(value)


@pytest.mark.parametrize(
    ("process", "level", "key"),
    [
        ("samskaping", "1", None),
        ("samskaping", "2", None),
        ("samskaping", "3", "cases_level_mismatch"),
        ("samskaping", "", "cases_level_missing"),
        ("samproduksjon", "3", None),
        ("samproduksjon", "1", "cases_level_mismatch"),
        ("samproduksjon", "", "cases_level_missing"),
        ("verdisamskaping", "3", None),
        ("verdisamskaping", "2", "cases_level_mismatch"),
        ("ingen", "", None),
        ("ingen", "-", None),
        ("ingen", "2", "cases_level_not_empty"),
    ],
)
def test_process_and_level_must_agree(process, level, key):
    report = read_cases_bytes(csv_bytes([HEADER, ["a", "T", "X", process, level, "F"]]), "c.csv")
    assert [p.key for p in report.problems] == ([key] if key else [])
    if key:
        fits = " eller ".join(str(n) for n in ALLOWED_LEVELS[process] if n)
        assert (fits or "tomt") in report.problems[0].message("nb")


def test_every_problem_of_every_row_in_one_pass():
    rows = [
        HEADER,
        ["", "", "X", "feil", "9", ""],
        GOOD,
        ["a", "T", "", "samskaping", "", "F"],
    ]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert where(report.problems) == [
        (2, "id", "cases_required_empty"),
        (2, "tittel", "cases_required_empty"),
        (2, "prosess", "cases_unknown_process"),
        (2, "nivå", "cases_level_range"),
        (2, "forklaring", "cases_required_empty"),
        (4, "id", "cases_duplicate_id"),
        (4, "tekst", "cases_required_empty"),
        (4, "nivå", "cases_level_missing"),
    ]


def test_unknown_pair_is_a_warning():
    rows = [[*HEADER, "par"], [*GOOD, "finnes-ikke"], ["b", "T", "X", "ingen", "", "F", "a"]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert report.ok and len(report.cases) == 2
    # b names a, but a names another case: no pair forms, and b's row says why
    assert where(report.warnings) == [
        (2, "par", "cases_unknown_pair"),
        (3, "par", "cases_pair_not_mutual"),
    ]
    assert "«finnes-ikke»" in report.warnings[0].message("nb")
    assert "«a» peker på «finnes-ikke»" in report.warnings[1].message("nb")


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(tmp_path):
    rows = [HEADER, GOOD, ["", "", "", "", "", ""], [], ["b", "T", "X", "feil", "", "F"]]
    report = read_cases_bytes(csv_bytes(rows), "c.csv")
    assert where(report.problems) == [(5, "prosess", "cases_unknown_process")]
    path = write_xlsx(tmp_path / "gap.xlsx", rows)
    assert where(read_cases(path).problems) == [(5, "prosess", "cases_unknown_process")]


def test_quoted_multiline_cell_keeps_row_numbers(tmp_path):
    rows = [
        HEADER,
        ["a", "T", "Første linje\nandre linje\n\ntredje avsnitt", "samskaping", "1", "F"],
        ["b", "T", "X", "samarbeid", "1", "F"],
    ]
    path = write_csv(tmp_path / "multi.csv", rows)
    assert path.read_text(encoding="utf-8-sig").count("\n") > len(rows)
    report = read_cases(path)
    assert where(report.problems) == [(3, "prosess", "cases_unknown_process")]
    assert report.cases[0].text.nb == "Første linje\nandre linje\n\ntredje avsnitt"


# ---------------------------------------------------------------- encodings and broken files


def test_cp1252_with_norwegian_letters(tmp_path):
    rows = [HEADER, ["æøå", "Blåbær på Ørsta", "Ærlig talt", "ingen", "", "Å nei «sitat»"]]
    path = write_csv(tmp_path / "excel.csv", rows, encoding="cp1252")
    assert "å".encode("cp1252") in path.read_bytes()
    (case,) = read_cases(path).cases
    assert (case.id, case.title.nb, case.text.nb) == ("æøå", "Blåbær på Ørsta", "Ærlig talt")
    assert case.explanation.nb == "Å nei «sitat»"


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("empty.csv", b"", "table_empty"),
        ("blank.csv", b" \r\n\r\n", "table_empty"),
        ("empty.yaml", b"", "table_empty"),
        ("empty-list.yaml", b"cases: []\n", "cases_empty"),
        ("not.xlsx", b"id;tittel\nthis is text, not a workbook", "table_not_xlsx"),
        ("zip.xlsx", b"PK\x03\x04broken zip", "table_not_xlsx"),
        ("bytes.csv", b"id;tittel\n\x81\x8d\x8f", "table_unreadable_encoding"),
        ("utf16.csv", "id;tittel".encode("utf-16"), "table_unreadable_encoding"),
        ("notes.txt", b"id;tittel", "table_unsupported_type"),
        ("old.xls", b"id;tittel", "table_unsupported_type"),
        ("noext", b"id;tittel", "table_unsupported_type"),
        ("shape.yaml", b"schema: 1\n", "table_yaml_shape"),
        ("scalar.yaml", b"cases: hello\n", "table_yaml_shape"),
    ],
)
def test_unreadable_files_give_one_problem(name, data, key):
    report = read_cases_bytes(data, name)
    assert [p.key for p in report.problems] == [key]
    assert report.cases == ()
    (line,) = report.lines()
    assert line.startswith(f"{name}:")


def test_header_only_file_is_empty():
    report = read_cases_bytes(csv_bytes([HEADER]), "c.csv")
    assert where(report.problems) == [(None, None, "cases_empty")]


def test_empty_workbook_is_empty(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert [p.key for p in read_cases(path).problems] == ["table_empty"]


def test_missing_file(tmp_path):
    report = read_cases(tmp_path / "gone.csv", "en")
    assert where(report.problems) == [(None, None, "table_file_not_found")]
    assert report.lines()[0] == f"{tmp_path / 'gone.csv'}: " + report.problems[0].message("en")
    assert "not found" in report.lines()[0]


def test_unsupported_extension_names_it(tmp_path):
    report = read_cases(tmp_path / "cases.docx", "en")
    assert "“.docx”" in report.lines()[0] and ".xlsx, .csv or .yaml" in report.lines()[0]


def test_directory_is_not_a_file(tmp_path):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert [p.key for p in read_cases(folder).problems] == ["table_cannot_open"]


@pytest.mark.parametrize("fmt", ["csv", "yaml", "xlsx"])
def test_random_bytes_never_raise(fmt):
    rng = random.Random(1234)
    for _ in range(150):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        if rng.random() < 0.5:
            data = b"id;tittel;prosess;niv\xc3\xa5\n" + data
        report = read_cases_bytes(data, f"fuzz.{fmt}")
        assert all(isinstance(line, str) for line in report.lines("en"))


# ---------------------------------------------------------------- YAML files


YAML_FILE = """\
schema: 1
cases:
  - id: a
    tittel: God
    tekst: Tekst.
    prosess: samskaping
    nivå: 2
    forklaring: F.

  - id: b
    tittel: Feil
    tekst: Tekst.
    prosess: samarbeid
    nivå: 2
    forklaring: F.
    farge: blå
  - id: a
    tittel: Dobbel
    tekst: Tekst.
    prosess: verdisamskaping
    nivå: 2
    forklaring: F.
  - bare tekst
"""


def test_yaml_problems_point_at_the_line_of_the_case(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(YAML_FILE, encoding="utf-8")
    report = read_cases(path)
    assert where(report.problems) == [
        (10, "prosess", "cases_unknown_process"),
        (17, "id", "cases_duplicate_id_yaml"),
        (17, "nivå", "cases_level_mismatch"),
        (23, None, "cases_yaml_not_case"),
    ]
    assert where(report.warnings) == [(10, "farge", "cases_unknown_column")]
    assert "linje 3" in report.problems[1].message("nb")
    assert [c.id for c in report.cases] == ["a"]
    assert YAML_FILE.splitlines()[9].strip() == "- id: b"


def test_invalid_yaml_names_the_line():
    data = b"cases:\n  - id: a\n    tittel: [ikke lukket\n    tekst: x\n"
    report = read_cases_bytes(data, "broken.yaml")
    (problem,) = report.problems
    assert problem.key == "table_invalid_yaml"
    assert problem.row is not None and problem.row >= 3
    assert report.lines()[0].startswith(f"broken.yaml:{problem.row}: ")


def test_yaml_list_value_is_not_text():
    data = "- id: a\n  tittel: {nb: T, en: T}\n  tekst: X\n  prosess: ingen\n  forklaring: F\n"
    report = read_cases_bytes(data.encode(), "c.yaml")
    assert where(report.problems) == [(1, "tittel", "cases_not_text")]


# ---------------------------------------------------------------- hostile text is data


HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{n} {0} %s ${x}"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_hostile_text_is_loaded_verbatim(tmp_path, fmt):
    script, img, braces = HOSTILE
    row = ["x", script, img, "ingen", "", braces]
    path = tmp_path / f"hostile.{fmt}"
    if fmt == "csv":
        write_csv(path, [HEADER, row])
    elif fmt == "xlsx":
        write_xlsx(path, [HEADER, row])
    else:
        path.write_text(
            f"- id: x\n  tittel: '{script}'\n  tekst: '{img}'\n  prosess: ingen\n"
            f"  forklaring: '{braces}'\n",
            encoding="utf-8",
        )
    (case,) = read_cases(path).cases
    assert (case.title.nb, case.text.nb, case.explanation.nb) == (script, img, braces)


def test_hostile_values_in_messages_do_not_break_formatting():
    report = read_cases_bytes(
        csv_bytes([HEADER, ["x", "T", "X", "{process}<b>", "", "F"]]), "c.csv"
    )
    assert "«{process}<b>»" in report.lines()[0]


# ---------------------------------------------------------------- API


def test_load_cases_raises_with_every_line(tmp_path):
    path = write_bad(tmp_path, "csv")
    with pytest.raises(CaseFileError) as info:
        load_cases(path, "en")
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, ContentError)
    assert where(error.problems) == BAD_EXPECTED
    assert str(error).splitlines() == read_cases(path).lines("en")


def test_load_cases_from_a_teachers_file(tmp_path):
    path = write_csv(tmp_path / "ok.csv", [HEADER, GOOD])
    (case,) = load_cases(path)
    assert case == Case(
        "a", Text("Tittel"), Text("Tekst."), "samproduksjon", 3, Text("Forklaring.")
    )


def test_read_cases_from_a_file_object(tmp_path):
    path = write_csv(tmp_path / "ok.csv", [HEADER, GOOD])
    with open(path, "rb") as handle:
        report = read_cases(handle)
    assert report.ok and report.cases[0].id == "a"


def test_bytes_need_a_name():
    with pytest.raises(TypeError):
        read_cases(b"id")


@pytest.mark.parametrize(
    ("problem", "line"),
    [
        (Problem("f.csv", 3, "nivå", "cases_required_empty"), "f.csv:3: nivå: The cell is empty."),
        (Problem("f.csv", 3, None, "cases_yaml_not_case"), "f.csv:3: This entry is not a case."),
        (Problem("f.csv", None, None, "table_file_not_found"), "f.csv: File not found."),
    ],
)
def test_problem_line_format(problem, line):
    assert problem.line("en").startswith(line)
    assert problem.line("en", warning=True).startswith("Warning: " + line)


def test_lines_use_the_report_language_by_default():
    report = read_cases_bytes(b"", "x.csv", "nn")
    assert report.lines() == report.lines("nn") != report.lines("nb")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_template_row_is_a_marked_constructed_example(lang):
    row = template_row(lang)
    assert list(row) == list(COLUMNS)
    assert (row["prosess"], row["nivå"]) == ("samproduksjon", 3)
    assert "11" in str(row["tekst"]) and "11" in str(row["tekst_en"])
    assert str(row["tittel_en"]).startswith("Constructed example")
    marker = {"nn": "Konstruert døme"}.get(lang, "Konstruert eksempel")
    assert str(row["tittel"]).startswith(marker)


def test_casefile_is_pure():
    code = (
        "import sys, kit.cases.casefile; "
        "print([m for m in ('ipywidgets', 'IPython', 'altair', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_template_is_written_through_the_safe_exports(tmp_path, lang):
    """`samskaping template` writes text cells as strings (never formulas), header bold."""
    xlsx = write_template(tmp_path / "mal.xlsx", lang)
    book = openpyxl.load_workbook(xlsx)
    sheet = book.active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    texts = [c for c in sheet[2] if isinstance(c.value, str) and c.value]
    assert texts and all(c.data_type == "s" for c in texts)
    assert sheet["E2"].value == 3  # the level stays a number
    data = write_template(tmp_path / "mal.csv", lang).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert read_cases(tmp_path / "mal.csv").ok and read_cases(xlsx).ok
