"""Reading and writing the raw rows of a case file: YAML, CSV (as Excel saves it) and XLSX.

This module knows file formats only, not what a valid case is (that is :mod:`kit.casefile`).
A file that cannot be read at all raises :class:`FormatError` carrying an i18n key, so the
caller can tell a course leader what is wrong in their language. Pure layer: openpyxl is
imported only when an Excel file is read or written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: File name endings the reader understands, mapped to the format.
FORMATS: dict[str, str] = {".xlsx": "xlsx", ".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}


class FormatError(Exception):
    """The whole file is unreadable; ``key`` names the message in ``data/i18n/*/cases.yaml``."""

    def __init__(self, key: str, row: int | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.row = row
        self.params = params


@dataclass
class RawTable:
    """What a file holds before validation.

    Spreadsheets (CSV, XLSX) have a ``header`` and rows of cells; ``number`` is the row as a
    spreadsheet shows it (header = 1). YAML has no header: each row is the mapping of one case
    and ``number`` is the line where it starts.
    """

    header: list[Any] | None
    rows: list[tuple[int, Any]] = field(default_factory=list)


def file_format(name: str) -> str | None:
    """``"xlsx"``, ``"csv"``, ``"yaml"`` or None, from the file name's ending."""
    return FORMATS.get(Path(name).suffix.lower())


def parse(data: bytes, fmt: str) -> RawTable:
    """Parse the bytes of a file in format ``fmt``; raises FormatError if it cannot be read."""
    if fmt == "csv":
        return parse_csv(data)
    if fmt == "xlsx":
        return parse_xlsx(data)
    if fmt == "yaml":
        return parse_yaml(data)
    raise ValueError(f"unknown format {fmt!r}")


def decode_text(data: bytes) -> str:
    """Text as Excel saves it: UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in data:  # UTF-16 ("Unicode text") or a binary file: not a CSV we can read
        raise FormatError("cases_unreadable_encoding")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError("cases_unreadable_encoding")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def parse_csv(data: bytes) -> RawTable:
    """Rows of a CSV file numbered as a spreadsheet shows them.

    A quoted cell may span several lines; the row number is the record's index + 1 (not the
    physical line), which is the number Excel shows for that row.
    """
    text = decode_text(data)
    if not text.strip():
        raise FormatError("cases_empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n")[0]))
    try:
        records = list(reader)
    except csv.Error:
        raise FormatError("cases_csv_broken", reader.line_num or None) from None
    return RawTable(header=records[0], rows=list(enumerate(records[1:], start=2)))


def parse_xlsx(data: bytes) -> RawTable:
    """The first sheet of an Excel workbook; header in row 1, values not formulas."""
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zip, XML or openpyxl errors: all mean "not a workbook we can read"
        raise FormatError("cases_not_xlsx") from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FormatError("cases_empty")
        records = [list(r) for r in sheets[0].iter_rows(min_row=1, values_only=True)]
    except FormatError:
        raise
    except Exception:
        raise FormatError("cases_not_xlsx") from None
    finally:
        workbook.close()
    if not records:
        raise FormatError("cases_empty")
    return RawTable(header=records[0], rows=list(enumerate(records[1:], start=2)))


def parse_yaml(data: bytes) -> RawTable:
    """The cases of a YAML file (``cases:`` list or a top-level list), each with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("cases_unreadable_encoding") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise FormatError("cases_invalid_yaml", mark.line + 1 if mark else None) from None
    except Exception:  # e.g. a nesting so deep the parser gives up
        raise FormatError("cases_invalid_yaml") from None
    if node is None or value is None:
        raise FormatError("cases_empty")
    items_node, items = node, value
    if isinstance(value, dict) and isinstance(node, yaml.MappingNode):
        if "cases" not in value:
            raise FormatError("cases_yaml_shape", node.start_mark.line + 1)
        items = value["cases"]
        found = [v for k, v in node.value if getattr(k, "value", None) == "cases"]
        if not found:
            raise FormatError("cases_yaml_shape", node.start_mark.line + 1)
        items_node = found[0]
    if items is None:
        raise FormatError("cases_empty")
    if not isinstance(items, list) or not isinstance(items_node, yaml.SequenceNode):
        raise FormatError("cases_yaml_shape", items_node.start_mark.line + 1)
    lines = [child.start_mark.line + 1 for child in items_node.value]
    return RawTable(header=None, rows=list(zip(lines, items, strict=False)))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A `;`-separated CSV in UTF-8 with BOM, so Norwegian Excel opens it with æøå intact."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    sheet_title: str,
    widths: Sequence[int],
) -> None:
    """An Excel workbook a course leader can fill in: bold, frozen header and wide text columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)
