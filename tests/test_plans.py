"""Plan tables (kit.plans.plans): every problem in one pass, row-precise, in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from kit.plans.plans import (
    COLUMNS,
    EXAMPLE_FILE,
    Plan,
    example_path,
    read_example,
    read_plans,
    read_plans_bytes,
    summary,
)

HEADER = "kommune;år;samskaping;sitat"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines]).encode(encoding) + b"\n"


def lines_of(data: bytes, name: str = "f.csv", lang: str = "nb") -> list[str]:
    return read_plans_bytes(data, name, lang).lines()


# --------------------------------------------------------------------------- bad rows, exactly

EMPTY_KOMMUNE = "Cellen er tom. Skriv navnet på kommunen."
EMPTY_YEAR = "Cellen er tom. Skriv året samfunnsdelen ble vedtatt, for eksempel 2019."
EMPTY_YES_NO = "Cellen er tom. Skriv ja hvis planen omtaler samskaping, ellers nei."


def not_year(value: str) -> str:
    return f"«{value}» er ikke et årstall. Skriv året som et helt tall, for eksempel 2019."


def out_of_range(value: str) -> str:
    return f"«{value}» er ikke et mulig vedtaksår. Skriv et år fra 1990 til 2100."


def not_yes_no(value: str) -> str:
    return f"«{value}» er verken ja eller nei. Skriv ja, nei, yes, no, 1 eller 0."


BAD_ROWS = [
    pytest.param([";2019;ja;"], [f"f.csv:2: kommune: {EMPTY_KOMMUNE}"], id="kommune-empty"),
    pytest.param(["  ;2019;ja;"], [f"f.csv:2: kommune: {EMPTY_KOMMUNE}"], id="kommune-spaces"),
    pytest.param(["A;;ja;"], [f"f.csv:2: år: {EMPTY_YEAR}"], id="year-empty"),
    pytest.param(["A;2019,5;ja;"], [f"f.csv:2: år: {not_year('2019,5')}"], id="year-decimal"),
    pytest.param(["A;tjue;ja;"], [f"f.csv:2: år: {not_year('tjue')}"], id="year-word"),
    pytest.param(["A;2019-05;ja;"], [f"f.csv:2: år: {not_year('2019-05')}"], id="year-date"),
    pytest.param(["A;nan;ja;"], [f"f.csv:2: år: {not_year('nan')}"], id="year-nan"),
    pytest.param(["A;1989;ja;"], [f"f.csv:2: år: {out_of_range('1989')}"], id="year-too-early"),
    pytest.param(["A;2101;ja;"], [f"f.csv:2: år: {out_of_range('2101')}"], id="year-too-late"),
    pytest.param(["A;2019;;"], [f"f.csv:2: samskaping: {EMPTY_YES_NO}"], id="yes-no-empty"),
    pytest.param(
        ["A;2019;kanskje;"], [f"f.csv:2: samskaping: {not_yes_no('kanskje')}"], id="maybe"
    ),
    pytest.param(["A;2019;x;"], [f"f.csv:2: samskaping: {not_yes_no('x')}"], id="x-is-not-yes"),
    pytest.param(["A;2019;true;"], [f"f.csv:2: samskaping: {not_yes_no('true')}"], id="true"),
    pytest.param(["A;2019;j;"], [f"f.csv:2: samskaping: {not_yes_no('j')}"], id="j"),
    pytest.param(
        ["A;2019;ja;", "B;2019;nei;", " a ;2019;nei;"],
        [
            "f.csv:4: kommune: a har allerede en plan vedtatt i 2019, i rad 2. Hver kommune kan "
            "bare ha én rad per år: slett den ene raden, eller rett året."
        ],
        id="duplicate-kommune-year",
    ),
    pytest.param(
        ["A;2019;ja;", ";;;", "", "B;1800;kanskje;"],
        [f"f.csv:5: år: {out_of_range('1800')}", f"f.csv:5: samskaping: {not_yes_no('kanskje')}"],
        id="blank-rows-still-counted",
    ),
    pytest.param(
        ['A;2019;ja;"to\nlinjer"', "B;;ja;"],
        [f"f.csv:3: år: {EMPTY_YEAR}"],
        id="multiline-cell-is-one-row",
    ),
    pytest.param(
        [";;;sitat uten noe annet", "C;2020;ja;", "D;abc;nei;"],
        [
            f"f.csv:2: kommune: {EMPTY_KOMMUNE}",
            f"f.csv:2: år: {EMPTY_YEAR}",
            f"f.csv:2: samskaping: {EMPTY_YES_NO}",
            f"f.csv:4: år: {not_year('abc')}",
        ],
        id="every-problem-in-one-pass",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), BAD_ROWS)
def test_bad_rows_are_reported_exactly(rows, expected):
    report = read_plans_bytes(csv_bytes(*rows), "f.csv", "nb")
    assert report.lines() == expected
    assert not report.ok


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            "kommune;år;sitat",
            [
                "f.csv:1: samskaping: Kolonnen «samskaping» mangler. Legg den til i overskriftsraden (rad 1)."
            ],
            id="missing-column",
        ),
        pytest.param(
            "kommune;år;vedtatt;samskaping",
            ["f.csv:1: vedtatt: Denne kolonnen finnes allerede som «år». Slett den ene av dem."],
            id="duplicate-column",
        ),
    ],
)
def test_header_problems(header, expected):
    report = read_plans_bytes(csv_bytes("A;2019;2019;ja", header=header), "f.csv", "nb")
    assert report.lines() == expected
    assert not report.ok


def test_unknown_column_is_a_warning_and_the_file_still_works():
    report = read_plans_bytes(csv_bytes("A;2019;ja;;mitt notat", header=HEADER + ";Notat"), "f.csv")
    assert report.ok and len(report.plans) == 1
    assert report.lines() == [
        "Advarsel: f.csv:1: Notat: Ukjent kolonne, den blir ikke lest. Sjekk stavemåten, eller "
        "slett kolonnen hvis den bare er notater til deg selv. Kolonnene som leses, er: "
        "kommune, år, samskaping, sitat."
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nn",
            "f.csv:2: år: «1800» er ikkje eit mogleg vedtaksår. Skriv eit år frå 1990 til 2100.",
        ),
        (
            "en",
            "f.csv:2: år: «1800» is not a possible year of adoption. Write a year from 1990 to 2100.",
        ),
    ],
)
def test_messages_in_nynorsk_and_english(lang, expected):
    assert lines_of(csv_bytes("A;1800;ja;"), lang=lang) == [expected]


def test_report_lines_follow_a_later_language():
    report = read_plans_bytes(csv_bytes("A;2019;kanskje;"), "f.csv", "nb")
    assert report.lines("en") == [
        "f.csv:2: samskaping: «kanskje» is neither yes nor no. Write ja, nei, yes, no, 1 or 0."
    ]


# --------------------------------------------------------------------------- good rows and aliases


@pytest.mark.parametrize(
    ("answer", "mentions"),
    [
        ("ja", True),
        ("Ja", True),
        ("JA ", True),
        ("yes", True),
        ("1", True),
        ("nei", False),
        ("Nei", False),
        ("no", False),
        ("0", False),
    ],
)
def test_accepted_yes_no(answer, mentions):
    report = read_plans_bytes(csv_bytes(f"A;2019;{answer};"), "f.csv")
    assert report.ok, report.lines()
    assert report.plans[0].mentions is mentions


def test_english_headers_any_case_and_comma():
    data = b'Municipality,YEAR,Mentions_CoCreation,Quote\nA,2019,yes,"We co-create, together"\n'
    report = read_plans_bytes(data, "en.csv", "en")
    assert report.ok, report.lines()
    assert report.plans == (Plan("A", 2019, True, "We co-create, together", 2),)


@pytest.mark.parametrize("year_header", ["år", "År", "vedtatt", "ar", "aar", "year", " Year "])
def test_year_aliases(year_header):
    report = read_plans_bytes(
        csv_bytes("A;2019;ja", header=f"kommune;{year_header};samskaping"), "f.csv"
    )
    assert report.ok, report.lines()
    assert report.plans[0].year == 2019


def test_quote_is_optional_and_a_year_as_decimal_zero_is_whole():
    report = read_plans_bytes(csv_bytes("A;2019.0;ja", header="kommune;år;samskaping"), "f.csv")
    assert report.ok
    assert report.plans == (Plan("A", 2019, True, "", 2),)


def test_same_kommune_in_different_years_is_fine():
    report = read_plans_bytes(csv_bytes("A;2015;nei;", "A;2023;ja;"), "f.csv")
    assert report.ok and len(report.plans) == 2


# --------------------------------------------------------------------------- formats


ROWS: list[list[object]] = [
    ["kommune", "år", "samskaping", "sitat"],
    ["Ærøy kommune", 2016, "ja", "«Vi samskaper på frivillighetens premisser.»"],
    ["Åsen", 2019, "nei", ""],
    ["Øvre dal", 1989, "ja", ""],
    ["", 2020, "kanskje", "sitat uten kommune"],
    ["Åsen", 2019, "ja", ""],
    [None, None, None, None],
    ["Brå", "2021,5", "", "blå"],
]


def write_csv(path: Path, encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(
            [["" if v is None else v for v in row] for row in ROWS]
        )
    return path


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def test_cp1252_and_xlsx_give_the_same_result_as_utf8(tmp_path):
    paths = {
        "utf8": write_csv(tmp_path / "utf8.csv", "utf-8"),
        "utf8-bom": write_csv(tmp_path / "bom.csv", "utf-8-sig"),
        "cp1252": write_csv(tmp_path / "cp1252.csv", "cp1252"),
        "xlsx": write_xlsx(tmp_path / "book.xlsx"),
    }
    assert paths["cp1252"].read_bytes() != paths["utf8"].read_bytes()
    reports = {
        kind: read_plans_bytes(path.read_bytes(), f"plans{path.suffix}", "nb")
        for kind, path in paths.items()
    }
    expected = reports["utf8"]
    assert [line.replace("plans.csv", "F") for line in expected.lines()] == [
        f"F:4: år: {out_of_range('1989')}",
        f"F:5: kommune: {EMPTY_KOMMUNE}",
        f"F:5: samskaping: {not_yes_no('kanskje')}",
        "F:6: kommune: Åsen har allerede en plan vedtatt i 2019, i rad 3. Hver kommune kan "
        "bare ha én rad per år: slett den ene raden, eller rett året.",
        f"F:8: år: {not_year('2021,5')}",
        f"F:8: samskaping: {EMPTY_YES_NO}",
    ]
    assert [p.kommune for p in expected.plans] == ["Ærøy kommune", "Åsen"]
    for kind, report in reports.items():
        lines = [
            line.replace("plans.csv", "F").replace("plans.xlsx", "F") for line in report.lines()
        ]
        assert lines == [line.replace("plans.csv", "F") for line in expected.lines()], kind
        assert report.plans == expected.plans, kind


def test_read_from_path_and_file_object(tmp_path):
    path = write_csv(tmp_path / "planer.csv", "utf-8")
    by_path = read_plans(path)
    assert by_path.file == str(path)
    assert by_path.lines()[0].startswith(f"{path}:4: år: ")
    with open(path, "rb") as handle:
        by_handle = read_plans(handle)
    assert by_handle.file == "planer.csv"
    assert by_handle.plans == by_path.plans


def test_bytes_need_a_name():
    with pytest.raises(TypeError, match="name="):
        read_plans(b"kommune;aar;samskaping\n")


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (
            b"",
            "tom.csv",
            "tom.csv: Fila er tom: den har ingen rader under overskriftsraden. Skriv én rad per oppføring under overskriftsraden.",
        ),
        (
            HEADER.encode() + b"\n;;;\n",
            "bare.csv",
            "bare.csv: Fila inneholder ingen planer. Skriv én plan per rad under overskriftsraden.",
        ),
        (
            "kommune;år\n".encode("utf-16"),
            "u16.csv",
            "u16.csv: Teksten i fila kan ikke leses (ukjent tegnkoding). Lagre fila på nytt med "
            "tegnkoding UTF-8 (i Excel: Lagre som > «CSV UTF-8 (kommadelt)»).",
        ),
        (
            b"not a workbook",
            "x.xlsx",
            "x.xlsx: Fila kan ikke leses som en Excel-fil. Åpne den i Excel og lagre den på nytt "
            "som «Excel-arbeidsbok (*.xlsx)».",
        ),
        (
            b"cases: []",
            "cases.yaml",
            "cases.yaml: Filtypen «.yaml» kan ikke brukes. Bruk .xlsx eller .csv (lagre fila på "
            "nytt i et av disse formatene).",
        ),
        (
            b"x",
            "notes.txt",
            "notes.txt: Filtypen «.txt» kan ikke brukes. Bruk .xlsx eller .csv (lagre fila på "
            "nytt i et av disse formatene).",
        ),
    ],
)
def test_unreadable_files(data, name, expected):
    report = read_plans_bytes(data, name, "nb")
    assert report.lines() == [expected]
    assert report.plans == ()


def test_missing_path():
    report = read_plans("finnes-ikke.csv")
    assert report.lines() == [
        "finnes-ikke.csv: Fant ikke fila. Sjekk at navnet og mappen er riktig skrevet."
    ]


def test_xlsx_cells_typed_by_excel(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kommune", "Vedtatt", "Samskaping"])
    sheet.append(["A", 2019.0, 1])
    sheet.append(["B", 2020, 0])
    sheet.append(["C", 2021, True])  # Excel's TRUE is not one of the allowed answers
    sheet.append(["D", 2019.5, "ja"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = read_plans_bytes(buffer.getvalue(), "typed.xlsx", "nb")
    assert report.lines() == [
        f"typed.xlsx:4: Samskaping: {not_yes_no('TRUE')}",
        f"typed.xlsx:5: Vedtatt: {not_year('2019.5')}",
    ]
    assert [(p.kommune, p.year, p.mentions) for p in report.plans] == [
        ("A", 2019, True),
        ("B", 2020, False),
    ]


# --------------------------------------------------------------------------- the example file


def test_example_file_loads_with_no_problems():
    report = read_example("nb")
    assert report.ok and report.warnings == ()
    assert report.file == EXAMPLE_FILE
    assert 10 <= len(report.plans) <= 14


def test_example_file_is_plainly_invented():
    raw = example_path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel reads it
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    for plan in read_example().plans:
        assert plan.kommune.startswith(("Eksempelkommune ", "Oppdiktet kommune ")), plan
        assert "(oppdiktet eksempel)" in plan.quote, plan


# --------------------------------------------------------------------------- summary


def test_summary_counts_shares_and_years():
    plans = [
        Plan("A", 2015, False),
        Plan("B", 2017, True),
        Plan("a", 2017, True),
        Plan("C", 2017, False),
        Plan("A", 2018, True),
    ]
    numbers = summary(plans)
    assert numbers == {
        "total": 5,
        "yes": 3,
        "no": 2,
        "share_yes": 0.6,
        "municipalities": 3,
        "first_year": 2015,
        "last_year": 2018,
        "by_year": {
            2015: {"yes": 0, "no": 1},
            2016: {"yes": 0, "no": 0},
            2017: {"yes": 2, "no": 1},
            2018: {"yes": 1, "no": 0},
        },
    }


def test_summary_of_nothing():
    assert summary([]) == {
        "total": 0,
        "yes": 0,
        "no": 0,
        "share_yes": None,
        "municipalities": 0,
        "first_year": None,
        "last_year": None,
        "by_year": {},
    }


def test_summary_of_the_example():
    numbers = summary(read_example().plans)
    assert numbers["total"] == numbers["yes"] + numbers["no"] == 12
    assert sum(c["yes"] + c["no"] for c in numbers["by_year"].values()) == 12
