"""kit.core.exports: formula-like text stays text in every CSV and XLSX the kit writes."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from kit.core.exports import csv_bytes, safe_cell, xlsx_bytes

FORMULA_LIKE = ["=1+1", "+47 99", "-x", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']
PLAIN = ["Frivilligsentral", "Ærlig talt", "1+1=2", "", "a-b"]


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_safe_cell_quotes_formula_like_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_safe_cell_leaves_plain_text(value):
    assert safe_cell(value) == value


def test_safe_cell_non_text():
    assert safe_cell(None) == ""
    assert safe_cell(-3) == -3  # a number is a number, not a formula
    assert safe_cell(2.5) == 2.5


def test_csv_bytes_format_and_quoting():
    data = csv_bytes(["id", "tekst"], [[f"c{i}", v] for i, v in enumerate(FORMULA_LIKE + PLAIN)])
    assert b"\r\n" in data and data.count(b"\r\n") >= len(FORMULA_LIKE + PLAIN) + 1
    rows = parse_csv(data)
    assert rows[0] == ["id", "tekst"]
    got = [r[1] for r in rows[1:]]
    assert got[: len(FORMULA_LIKE)] == ["'" + v for v in FORMULA_LIKE]
    # positive control: plain text is written unchanged
    assert got[len(FORMULA_LIKE) :] == PLAIN


def test_csv_header_is_also_safe():
    rows = parse_csv(csv_bytes(["=evil", "ok"], []))
    assert rows == [["'=evil", "ok"]]


def test_xlsx_bytes_formula_like_text_is_string():
    data = xlsx_bytes(["id", "tekst"], [[f"c{i}", v] for i, v in enumerate(FORMULA_LIKE + PLAIN)])
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["id", "tekst"]
    for i, value in enumerate(FORMULA_LIKE, start=2):
        cell = sheet.cell(row=i, column=2)
        assert cell.data_type == "s", (value, cell.data_type)
        # text unchanged (a writer without lxml leaves a bare CR, which an XML reader turns into
        # LF; with lxml installed, as python-docx brings it, openpyxl writes it as &#13;)
        assert isinstance(cell.value, str)
        assert cell.value in (value, value.replace("\r", "\n")), (value, cell.value)
    # no formula element anywhere in the sheet XML
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    assert b"inlineStr" in xml


def test_xlsx_positive_control_openpyxl_would_write_a_formula():
    """Without kit.core.exports, openpyxl stores '=1+1' as a formula: the test above means something."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        assert b"<f>" in z.read("xl/worksheets/sheet1.xml")
    assert load_workbook(buffer).active["A1"].data_type == "f"


def test_xlsx_keeps_numbers_and_title():
    data = xlsx_bytes(["a", "b"], [[1, -2.5], [None, "x"]], sheet_title="Svar: økt [ABC]/1")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == 1 and sheet["A2"].data_type == "n"
    assert sheet["B2"].value == -2.5
    assert sheet["A3"].value is None
    assert ":" not in sheet.title and "[" not in sheet.title and len(sheet.title) <= 31
    assert sheet.title.startswith("Svar")


def test_xlsx_drops_control_characters():
    data = xlsx_bytes(["a"], [["ok\x00\x07tekst"]])
    assert load_workbook(io.BytesIO(data)).active["A2"].value == "oktekst"


def test_xlsx_writes_other_values_as_their_text_like_csv():
    """A value no XLSX cell holds (here a tuple, and formula-like text inside an object) is
    written as the text CSV writes for it, still never as a formula; dates stay dates."""
    from datetime import datetime

    class Odd:
        def __str__(self) -> str:
            return "=1+1"

    when = datetime(2026, 12, 6, 10, 30)
    data = xlsx_bytes(["a", "b", "c"], [[(1, 2), Odd(), when]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "(1, 2)" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == when
    assert parse_csv(csv_bytes(["a", "b"], [[(1, 2), when]]))[1] == ["(1, 2)", str(when)]
