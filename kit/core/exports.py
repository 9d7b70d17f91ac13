"""Safe CSV and XLSX exports: the one place the kit writes spreadsheets.

Text in a case file, an answer or a participant name can start with ``=``, ``+``, ``-`` or
``@``. A spreadsheet program opening a CSV or XLSX reads such a cell as a formula ("CSV
injection"): ``=HYPERLINK(...)`` becomes a live link, ``+47 99 ...`` becomes a sum. Every
export goes through this module so such text always stays text:

* CSV: the cell is prefixed with a single quote ``'`` (what Excel and LibreOffice show as a
  text marker), see :func:`safe_cell`;
* XLSX: the cell is stored as a string (an inline string, never ``<f>``), with its text
  unchanged.

CSV is written the way Norwegian Excel expects it: ``;``-separated, UTF-8 with a BOM, CRLF
line ends. Pure layer: no widgets.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CSV_MIME",
    "FORMULA_PREFIXES",
    "HelpSheet",
    "ListChoice",
    "XLSX_MIME",
    "csv_bytes",
    "safe_cell",
    "template_xlsx_bytes",
    "xlsx_bytes",
]

#: A text cell starting with one of these is read as a formula (or as the start of one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Control characters an XLSX file cannot hold (openpyxl refuses them); dropped on export.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: The values an XLSX cell holds as they are; any other value is written as its text, as in CSV.
_XLSX_TYPES = (str, int, float, Decimal, date, time, timedelta)
#: Characters Excel does not allow in a sheet title.
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value: object) -> object:
    """``value`` as it is written to a CSV cell: formula-like text gets a leading ``'``.

    ``None`` becomes ``""``; numbers and other non-text values are returned unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A ``;``-separated CSV (UTF-8 with BOM, CRLF) with every cell passed through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str | None) -> str | None:
    if not title:
        return None
    cleaned = _SHEET_TITLE_ILLEGAL.sub(" ", title).strip().strip("'")[:31].strip()
    return cleaned or None


def _workbook(
    header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str | None
) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook holds one worksheet
    title = _sheet_title(sheet_title)
    if title:
        sheet.title = title
    _fill(sheet, [header, *rows])
    return book


def _fill(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            if not isinstance(value, _XLSX_TYPES):
                value = str(value)
            if isinstance(value, str):
                value = _XLSX_ILLEGAL.sub("", value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                # openpyxl turns any str starting with "=" into a formula; a string cell is
                # written as an inline string with the text unchanged.
                cell.data_type = "s"


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str | None = None
) -> bytes:
    """One sheet with ``header`` and ``rows``; every text cell is stored as a string, never a formula."""
    return _save(_workbook(header, rows, sheet_title))


@dataclass(frozen=True)
class ListChoice:
    """A drop-down list on one column of a template (Excel's data validation): ``values`` are
    offered, anything else gets a warning with ``title`` and ``message`` (the person may keep
    it: the kit's own check says what is wrong)."""

    column: str
    values: Sequence[object]
    title: str
    message: str


@dataclass(frozen=True)
class HelpSheet:
    """A second sheet explaining the template: a header row and one row per column."""

    title: str
    rows: Sequence[Sequence[object]]
    widths: Sequence[int]


def _layout(sheet: Worksheet, widths: Sequence[int]) -> None:
    """Bold, frozen header row; wrapped text cells; the given column widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def template_xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str,
    widths: Sequence[int],
    choices: Sequence[ListChoice] = (),
    last_row: int = 2001,
    help_sheet: HelpSheet | None = None,
) -> bytes:
    """A workbook a course leader fills in: as :func:`xlsx_bytes`, with a bold, frozen header
    row, wrapped text cells and the given column widths; ``choices`` add drop-down lists to
    their columns (rows 2 to ``last_row``); ``help_sheet`` comes after the first sheet, which
    stays the one a reader reads."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = _workbook(header, rows, sheet_title)
    sheet = book.worksheets[0]
    _layout(sheet, widths)
    for choice in choices:
        letter = get_column_letter(list(header).index(choice.column) + 1)
        listed = ",".join(str(value) for value in choice.values)
        validation = DataValidation(
            type="list",
            formula1=f'"{listed}"',
            allow_blank=True,
            showDropDown=False,  # (sic) False shows the arrow
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=choice.title[:32],
            error=choice.message[:255],
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    if help_sheet is not None:
        helper = book.create_sheet(_sheet_title(help_sheet.title))
        _fill(helper, help_sheet.rows)
        _layout(helper, help_sheet.widths)
    book.active = 0
    return _save(book)
