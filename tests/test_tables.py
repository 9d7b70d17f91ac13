"""kit.core.tables: the one reader of case files and plan tables, and its limits."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from kit.cases import casefile
from kit.cases.casefile import read_cases, read_cases_bytes
from kit.core import tables
from kit.core.tables import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_PROBLEM_LINES,
    MAX_ROW_TAGS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    FormatError,
    capped_lines,
    megabytes,
    parse,
    read_header,
    read_source,
)
from kit.plans import plans
from kit.plans.plans import read_plans_bytes
from kit.server.cli import main

HEADER = ["id", "tittel", "tekst", "prosess", "nivå", "forklaring"]
GOOD = ["a", "Tittel", "Tekst.", "samproduksjon", 3, "Forklaring."]
SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == SHEET else body)
    return out.getvalue()


def claim(ref: str):
    return lambda body: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)


def keys(report) -> list[str]:
    return [p.key for p in report.problems]


# ----------------------------------------------------------------------------- one reader


def test_case_files_and_plan_tables_share_the_reader():
    assert casefile.parse is tables.parse and plans.parse is tables.parse
    assert tables.file_format("A.XLSX") == "xlsx" and tables.file_format("x.txt") is None


def test_read_header_normalises_spelling_once():
    header = read_header(
        ["  Kommune ", "År", "mentions-cocreation", "note", "kommunenavn", "", None],
        plans._ALIASES,
    )
    assert header.index == {"kommune": 0, "år": 1, "samskaping": 2}
    assert header.names["samskaping"] == "mentions-cocreation"
    assert header.unknown == ["note"]
    assert header.duplicates == [("kommunenavn", "Kommune")]
    assert header.missing(plans.REQUIRED) == []
    # Unicode form: "nivå" written with a combining ring is the same column
    assert read_header(["niva\u030a"], casefile._ALIASES).index == {"nivå": 0}


# ----------------------------------------------------------------------------- size


def test_megabytes_in_the_readers_language():
    assert megabytes(MAX_FILE_BYTES, "nb") == "2 MB"
    assert megabytes(3_500_000, "nb") == "3,4 MB"
    assert megabytes(3_500_000, "en") == "3.4 MB"
    assert megabytes(MAX_FILE_BYTES + 1, "nb") == "2,1 MB"  # rounded up: never "2 MB"
    assert megabytes(10 * 1024 * 1024 + 1, "en") == "11 MB"
    assert megabytes(1, "en") == "0.1 MB"
    assert megabytes(50 * 1024 * 1024, "nn") == "50 MB"


def test_size_is_checked_before_parsing(monkeypatch):
    called = []
    monkeypatch.setattr(tables, "parse_csv", lambda data: called.append(1))
    with pytest.raises(FormatError) as info:
        parse(b"x" * (MAX_FILE_BYTES + 1), "csv")
    assert info.value.key == "table_too_large" and called == []
    parse(b"x" * MAX_FILE_BYTES, "csv")  # positive control: at the limit it is parsed
    assert called == [1]


class Spy(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, n=-1):
        self.asked.append(n)
        return super().read(n)


def test_read_source_never_reads_more_than_the_limit(tmp_path):
    spy = Spy(b"x" * (10 * MAX_FILE_BYTES))
    with pytest.raises(FormatError) as info:
        read_source(spy)
    assert spy.asked == [MAX_FILE_BYTES + 1]
    assert info.value.params["size"] == 10 * MAX_FILE_BYTES
    assert read_source(Spy(b"id;tittel\n")) == b"id;tittel\n"
    big = tmp_path / "stor.csv"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    report = read_cases(big, "en")
    assert keys(report) == ["table_too_large"]
    assert report.lines() == [
        f"{big}: The file is too large (50 MB). It can be at most 2 MB. "
        "Split the file, or save it again without pictures and unused sheets."
    ]
    assert keys(plans.read_plans(big)) == ["table_too_large"]
    assert keys(read_cases(tmp_path / "finst-ikkje.csv")) == ["table_file_not_found"]
    assert keys(plans.read_plans(tmp_path / "finst-ikkje.csv")) == ["table_file_not_found"]


# ----------------------------------------------------------------------------- rows, columns


def csv_of(rows) -> bytes:
    return "\n".join(";".join(str(v) for v in r) for r in rows).encode()


def test_row_limit_counts_data_rows_not_blank_ones():
    rows = [HEADER] + [[f"id{i}", *GOOD[1:]] for i in range(MAX_ROWS)]
    with_blanks = rows[:2] + [[""] * 6] * 3000 + rows[2:]
    report = read_cases_bytes(csv_of(with_blanks), "f.csv")
    assert report.ok and len(report.cases) == MAX_ROWS
    report = read_cases_bytes(csv_of([*rows, ["extra", *GOOD[1:]]]), "f.csv", "en")
    assert keys(report) == ["table_too_many_rows"]
    assert "more than 2000 rows" in report.lines()[0]
    assert report.lines()[0].startswith(f"f.csv:{MAX_ROWS + 2}: ")


def test_yaml_row_limit():
    items = [dict(zip(HEADER, [f"id{i}", *GOOD[1:]], strict=True)) for i in range(MAX_ROWS + 1)]
    data = yaml.safe_dump({"cases": items}, allow_unicode=True).encode()
    assert keys(read_cases_bytes(data, "f.yaml")) == ["table_too_many_rows"]
    data = yaml.safe_dump({"cases": items[:MAX_ROWS]}, allow_unicode=True).encode()
    assert read_cases_bytes(data, "f.yaml").ok


def test_column_limit():
    wide = [[*HEADER, *[""] * 200], [*GOOD, *[""] * 200]]  # empty trailing columns are fine
    assert read_cases_bytes(csv_of(wide), "f.csv").ok
    wide[1][MAX_COLUMNS] = "x"
    assert keys(read_cases_bytes(csv_of(wide), "f.csv")) == ["table_too_many_columns"]
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(GOOD)
    book.active.cell(row=2, column=MAX_COLUMNS + 1, value="x")
    out = io.BytesIO()
    book.save(out)
    assert keys(read_plans_bytes(out.getvalue(), "f.xlsx")) == ["table_too_many_columns"]


# ----------------------------------------------------------------------------- XLSX


def test_claimed_dimension_is_not_trusted():
    data = with_sheet(workbook([HEADER, GOOD]), claim("A1:XFD30"))
    # positive control: openpyxl's read-only reader believes the claim
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (30, 16384)
    assert len(next(sheet.iter_rows(values_only=True))) == 16384
    table = parse(data, "xlsx")
    assert table.header[:6] == HEADER and len(table.header) <= MAX_COLUMNS
    assert [n for n, _ in table.rows] == [2]
    report = read_cases_bytes(
        with_sheet(workbook([HEADER, GOOD]), claim("A1:XFD1048576")), "f.xlsx"
    )
    assert report.ok and len(report.cases) == 1


def test_rows_far_down_the_sheet_are_refused_cheaply():
    def far(number: int) -> bytes:
        return with_sheet(
            workbook([HEADER, GOOD]),
            lambda b: b.replace(
                b"</sheetData>",
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode(),
            ),
        )

    assert keys(read_cases_bytes(far(MAX_SHEET_ROWS + 5), "f.xlsx")) == ["table_too_many_rows"]
    assert keys(read_cases_bytes(far(10**12), "f.xlsx")) == ["table_too_many_rows"]
    report = read_cases_bytes(far(MAX_SHEET_ROWS - 5), "f.xlsx")  # within the scan: a bad row
    assert "table_too_many_rows" not in keys(report) and len(report.cases) == 1


def test_too_many_row_elements_are_refused_before_openpyxl(monkeypatch):
    import openpyxl

    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *a, **k: opened.append(1) or real(*a, **k)
    )
    rows = b"<row/>" * MAX_SHEET_ROWS
    data = with_sheet(
        workbook([HEADER]), lambda b: b.replace(b"</sheetData>", rows + b"</sheetData>")
    )
    assert keys(read_cases_bytes(data, "f.xlsx")) == ["table_too_many_rows"]
    cells = b"<c/>" * (MAX_ROW_TAGS + 1)
    data = with_sheet(
        workbook([HEADER, GOOD]), lambda b: b.replace(b"</row>", cells + b"</row>", 1)
    )
    report = read_cases_bytes(data, "f.xlsx", "en")
    assert keys(report) == ["table_too_many_columns"] and report.problems[0].row == 1
    assert opened == []
    # positive control: a normal workbook is opened by openpyxl
    assert read_cases_bytes(workbook([HEADER, GOOD]), "f.xlsx").ok and opened == [1]


def test_deflate_bomb_is_refused_from_the_zip_directory(monkeypatch):
    data = io.BytesIO()
    # One workbook, read through one ZipFile: two builds may differ in their timestamps and so
    # in their members' offsets.
    source = zipfile.ZipFile(io.BytesIO(workbook([HEADER, GOOD])))
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info))
        z.writestr("xl/media/zeros.bin", b"\0" * (tables.MAX_UNPACKED_BYTES + 1))
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, *a: read.append(a) or b"")
    report = read_cases_bytes(data.getvalue(), "f.xlsx", "nn")
    assert keys(report) == ["table_unpacked_too_large"] and read == []
    assert "meir enn 20 MB" in report.lines()[0]


def test_a_member_bigger_than_it_claims_is_not_read():
    """Python's zipfile holds a member to its claimed size: lying in the directory fails."""
    good = workbook([HEADER, GOOD])
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == SHEET:
                body = body.replace(b"</sheetData>", b"<row/>" * 50_000 + b"</sheetData>")
            z.writestr(info, body)
    data = bytearray(out.getvalue())
    # shrink the sheet's claimed size in the central directory to 100 bytes
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(SHEET)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if data[pos + 46 : pos + 46 + name_len] == SHEET.encode():
            break
        pos += 4
    assert int.from_bytes(data[pos + 24 : pos + 28], "little") == info.file_size
    data[pos + 24 : pos + 28] = (100).to_bytes(4, "little")
    assert keys(read_cases_bytes(bytes(data), "f.xlsx")) == ["table_not_xlsx"]


# ----------------------------------------------------------------------------- reports


def test_capped_lines():
    assert capped_lines([f"l{i}" for i in range(MAX_PROBLEM_LINES)], "en") == [
        f"l{i}" for i in range(MAX_PROBLEM_LINES)
    ]
    lines = capped_lines((f"l{i}" for i in range(MAX_PROBLEM_LINES + 7)), "en")
    assert len(lines) == MAX_PROBLEM_LINES + 1
    assert lines[-1].startswith("… and 7 more problems.")
    assert capped_lines(["a", "b", "c"], "nb", limit=1)[-1].startswith("… og 2 problemer til.")
    assert capped_lines(["a", "b", "c"], "nn", limit=1)[-1].startswith("… og 2 problem til.")


def test_reports_show_at_most_fifty_lines_but_count_every_problem():
    rows = [HEADER] + [[f"r{i}", "", "", "feil", 9, ""] for i in range(300)]
    report = read_cases_bytes(csv_of(rows), "f.csv", "en")
    assert len(report.problems) == 1500
    lines = report.lines()
    assert len(lines) == MAX_PROBLEM_LINES + 1
    assert lines[-1].startswith("… and 1450 more problems.")
    plan_rows = [["kommune", "år", "samskaping"]] + [
        [f"K{i}", "19x9", "kanskje"] for i in range(100)
    ]
    lines = read_plans_bytes(csv_of(plan_rows), "p.csv", "nb").lines()
    assert len(lines) == MAX_PROBLEM_LINES + 1 and lines[-1].startswith("… og 150 problemer til.")


def test_memory_error_anywhere_is_a_file_too_large(monkeypatch):
    def boom(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(tables, "parse_csv", boom)
    report = read_cases_bytes(b"id\nx\n", "f.csv", "en")
    assert keys(report) == ["table_out_of_memory"]
    assert report.lines() == [
        "f.csv: The file is too large to be read. Make it smaller (at most 2 MB) and try again."
    ]
    assert keys(read_plans_bytes(b"kommune\nx\n", "f.csv")) == ["table_out_of_memory"]
    monkeypatch.undo()
    monkeypatch.setattr(casefile._Checker, "run", boom)  # in the checking, after parsing
    assert keys(read_cases_bytes(b"id\nx\n", "f.csv")) == ["table_out_of_memory"]
    monkeypatch.setattr(plans._Checker, "run", boom)
    assert keys(read_plans_bytes(b"kommune\nx\n", "f.csv")) == ["table_out_of_memory"]
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", boom)  # inside openpyxl
    assert keys(read_cases_bytes(workbook([HEADER, GOOD]), "f.xlsx")) == ["table_out_of_memory"]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_check_cases_prints_the_new_messages(capsys, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("KIT_LANG", lang)
    monkeypatch.chdir(tmp_path)
    rows = [HEADER] + [[f"r{i}", "", "", "feil", 9, ""] for i in range(20)]
    (tmp_path / "mange.csv").write_bytes(csv_of(rows))
    code = main(["check-cases", "mange.csv"])
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    assert code != 0
    more = {
        "nb": "… og 50 problemer til.",
        "nn": "… og 50 problem til.",
        "en": "… and 50 more problems.",
    }
    assert any(line.startswith(more[lang]) for line in lines), lines
    assert sum(line.startswith("mange.csv:") for line in lines) == MAX_PROBLEM_LINES
    with open(tmp_path / "stor.csv", "wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    code = main(["check-cases", "stor.csv"])
    out, err = capsys.readouterr()
    words = {
        "nb": "Fila er for stor (3 MB)",
        "nn": "Fila er for stor (3 MB)",
        "en": "The file is too large (3 MB)",
    }
    assert code != 0 and words[lang] in out + err
