"""Reading the raw rows of a table file (CSV as Excel saves it, XLSX, YAML): one reader for all.

Case files (:mod:`kit.cases.casefile`) and plan tables (:mod:`kit.plans.plans`) both come from a course
leader's upload, so both are read here, with the same limits, before anything else looks at
them. A file that cannot be read at all raises :class:`FormatError` carrying an i18n key, so
the caller can tell the course leader what is wrong in their language.

The limits (named once, here) keep a hostile or broken file cheap: the file's size is checked
before it is parsed; for XLSX the unpacked size of every zip member is summed from the zip
directory before openpyxl opens it (a "deflate bomb" is refused unread); openpyxl is told to
ignore the sheet's claimed ``<dimension>`` and reads a bounded number of rows and columns; at
most :data:`MAX_ROWS` data rows are read; a report shows at most :data:`MAX_PROBLEM_LINES`
lines (:func:`capped_lines`).

This module knows file formats and headers, not what a valid case or plan is. Pure layer: no
widgets; openpyxl is imported only when an Excel file is read.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from kit.core.i18n import normalize_lang, t
from kit.core.text import DEFAULT_LANG

__all__ = [
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_PROBLEM_LINES",
    "MAX_ROWS",
    "MAX_ROW_TAGS",
    "MAX_SHEET_ROWS",
    "MAX_UNPACKED_BYTES",
    "MAX_XML_TAGS",
    "ByteSize",
    "FormatError",
    "Header",
    "RawTable",
    "canonical",
    "capped_lines",
    "cell_text",
    "decode_text",
    "file_format",
    "is_blank",
    "megabytes",
    "parse",
    "parse_csv",
    "parse_xlsx",
    "parse_yaml",
    "read_header",
    "read_source",
]

#: The largest file read, in bytes (checked before anything is parsed; also in the browser).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The largest total an XLSX may unpack to (summed over the zip directory before opening it).
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
#: The most data rows (not counting the header or blank rows) a table may have.
MAX_ROWS = 2000
#: The most columns read; a cell to the right of them makes the file too wide.
MAX_COLUMNS = 100
#: The last spreadsheet row looked at: an XLSX with anything at or below it is refused. The
#: rows in between that the file leaves out cost nothing (one shared empty row).
MAX_SHEET_ROWS = 100_000
#: The most XML tags (counted as ``<``) all parts of an XLSX may hold together, and the most
#: one spreadsheet row may hold: openpyxl builds every tag of a row (and of the shared strings)
#: in memory, so a few kilobytes of ``<c/><c/>...`` must be refused before it is opened.
MAX_XML_TAGS = 500_000
MAX_ROW_TAGS = 20_000
#: The most problem lines a report shows; then one line says how many more there are.
MAX_PROBLEM_LINES = 50

#: File name endings the reader understands, mapped to the format.
FORMATS: dict[str, str] = {".xlsx": "xlsx", ".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}


class FormatError(Exception):
    """The whole file is unreadable; ``key`` names the message in ``data/i18n/*/cases.yaml``.

    Every key starts ``table_`` and is worded for any table (a case file, a plan table).
    """

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
    and ``number`` is the line where it starts. Blank spreadsheet rows are left out.
    """

    header: list[Any] | None
    rows: list[tuple[int, Any]] = field(default_factory=list)


# ------------------------------------------------------------------------------- limits


class ByteSize(int):
    """A size in bytes; a message shows it in megabytes, in the reader's language."""


def megabytes(size: int, lang: str) -> str:
    """A size as a course leader reads it: ``2 MB``, ``3,4 MB`` (``3.4 MB`` in English).

    Rounded up (to tenths below 10 MB, whole megabytes above), so a file one byte over the
    limit never reads as the limit itself. kit/core/ui/upload.py does the same in JavaScript.
    """
    tenths = math.ceil(size * 10 / (1024 * 1024))
    if tenths % 10 == 0 or tenths >= 100:
        text = str(math.ceil(tenths / 10))
    else:
        separator = "." if normalize_lang(lang) == "en" else ","
        text = f"{tenths // 10}{separator}{tenths % 10}"
    return f"{text} MB"


def too_large(size: int) -> FormatError:
    """The error for a file of ``size`` bytes over :data:`MAX_FILE_BYTES`."""
    return FormatError("table_too_large", size=ByteSize(size), limit=ByteSize(MAX_FILE_BYTES))


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise too_large(size)


def read_source(source: str | Path | IO[bytes]) -> bytes:
    """The bytes of a path or a binary file object, never more than the size limit.

    Raises FormatError (``table_file_not_found``, ``table_cannot_open``, ``table_too_large``);
    a file over the limit is not read into memory.
    """
    if hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if len(data) > MAX_FILE_BYTES:
            size = len(data)
            try:  # the whole size, if the object can tell without reading
                size = max(size, int(source.seek(0, io.SEEK_END)))  # type: ignore[union-attr]
            except Exception:
                pass
            raise too_large(size)
        return data
    path = Path(source)
    try:
        size = path.stat().st_size
        if path.is_file():
            check_size(size)
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FormatError("table_file_not_found") from None
    except OSError as exc:
        raise FormatError("table_cannot_open", reason=exc.strerror or exc) from None
    check_size(len(data))
    return data


def capped_lines(lines: Iterable[str], lang: str, limit: int = MAX_PROBLEM_LINES) -> list[str]:
    """The first ``limit`` lines, then one line "… and N more problems" if there were more."""
    shown: list[str] = []
    more = 0
    for line in lines:
        if len(shown) < limit:
            shown.append(line)
        else:
            more += 1
    if more:
        shown.append(t("table_more_problems", lang, n=more))
    return shown


# ------------------------------------------------------------------------------- headers


def canonical(label: str, aliases: Mapping[str, str]) -> str | None:
    """The canonical column a header label names (case, spacing, ``-``/``_`` and Unicode form
    ignored), or None for a column the reader does not know."""
    key = re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFC", label).strip().lower())
    return aliases.get(key)


def cell_text(value: Any) -> str:
    """A cell as trimmed text, as the spreadsheet shows it (2019.0 from Excel reads 2019)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def is_blank(cells: Iterable[Any]) -> bool:
    """True if every cell is empty or only spaces."""
    if not isinstance(cells, (list, tuple)):
        cells = list(cells)
    if cells.count(None) == len(cells):  # the common case, at C speed
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


@dataclass
class Header:
    """A header row mapped to canonical columns."""

    index: dict[str, int] = field(default_factory=dict)  #: canonical column -> cell index
    names: dict[str, str] = field(default_factory=dict)  #: canonical column -> as spelled
    unknown: list[str] = field(default_factory=list)  #: labels the reader does not know
    duplicates: list[tuple[str, str]] = field(default_factory=list)  #: (label, first label)

    def missing(self, required: Iterable[str]) -> list[str]:
        return [c for c in required if c not in self.index]


def read_header(cells: Sequence[Any], aliases: Mapping[str, str]) -> Header:
    """Which cell holds which column; unknown and repeated columns noted in order."""
    header = Header()
    for i, cell in enumerate(cells):
        label = cell_text(cell) if not isinstance(cell, (list, dict, set, tuple)) else ""
        if not label:
            continue
        canon = canonical(label, aliases)
        if canon is None:
            header.unknown.append(label)
        elif canon in header.index:
            header.duplicates.append((label, header.names[canon]))
        else:
            header.index[canon], header.names[canon] = i, label
    return header


# ------------------------------------------------------------------------------- reading


def file_format(name: str) -> str | None:
    """``"xlsx"``, ``"csv"``, ``"yaml"`` or None, from the file name's ending."""
    return FORMATS.get(Path(name).suffix.lower())


def parse(data: bytes, fmt: str) -> RawTable:
    """Parse the bytes of a file in format ``fmt``; raises FormatError if it cannot be read.

    Every limit is checked here, so a caller needs no other guard. Running out of memory
    (whatever the cause) is reported as a file too large, never raised.
    """
    check_size(len(data))
    try:
        if fmt == "csv":
            return parse_csv(data)
        if fmt == "xlsx":
            return parse_xlsx(data)
        if fmt == "yaml":
            return parse_yaml(data)
    except MemoryError:
        raise FormatError("table_out_of_memory", limit=ByteSize(MAX_FILE_BYTES)) from None
    raise ValueError(f"unknown format {fmt!r}")


def decode_text(data: bytes) -> str:
    """Text as Excel saves it: UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in data:  # UTF-16 ("Unicode text") or a binary file: not a CSV we can read
        raise FormatError("table_unreadable_encoding")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError("table_unreadable_encoding")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _bounded(records: Iterator[tuple[int, Sequence[Any]]]) -> RawTable:
    """Header and non-blank data rows of numbered records, within the row and column limits."""
    header: list[Any] | None = None
    rows: list[tuple[int, Any]] = []
    for number, cells in records:
        if len(cells) > MAX_COLUMNS:
            if not is_blank(cells[MAX_COLUMNS:]):
                raise FormatError("table_too_many_columns", number, limit=MAX_COLUMNS)
            cells = cells[:MAX_COLUMNS]
        if header is None:
            header = list(cells)
            continue
        if is_blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FormatError("table_too_many_rows", number, limit=MAX_ROWS)
        rows.append((number, list(cells)))
    if header is None:
        raise FormatError("table_empty")
    return RawTable(header=header, rows=rows)


def parse_csv(data: bytes) -> RawTable:
    """Rows of a CSV file numbered as a spreadsheet shows them.

    A quoted cell may span several lines; the row number is the record's index + 1 (not the
    physical line), which is the number Excel shows for that row.
    """
    text = decode_text(data)
    if not text.strip():
        raise FormatError("table_empty")
    delimiter = _delimiter(text.partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _bounded(enumerate(reader, start=1))
    except csv.Error:
        raise FormatError("table_csv_broken", reader.line_num or None) from None


#: A row's start tag, with any namespace prefix.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
#: Zip members openpyxl may parse as XML (pictures and other binary parts are never read).
_XML_PARTS = (".xml", ".rels", ".vml")


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX that would be costly to open, before openpyxl sees it.

    The unpacked sizes are summed from the zip directory (Python's zipfile holds each member
    to the size it claims: one unpacking to more fails its CRC check), so a deflate bomb is
    refused unread. The XML parts are then unpacked (at most MAX_UNPACKED_BYTES) and their
    tags counted: in all, per spreadsheet row, and the rows themselves.
    """
    too_big = FormatError("table_unpacked_too_large", limit=ByteSize(MAX_UNPACKED_BYTES))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
                raise too_big
            tags = 0
            for info in members:
                if not info.filename.lower().endswith(_XML_PARTS):
                    continue
                part = archive.read(info)
                tags += part.count(b"<")
                if tags > MAX_XML_TAGS:
                    raise too_big
                _check_rows(part)
    except FormatError:
        raise
    except MemoryError:
        raise
    except Exception:  # not a zip, a broken member, a CRC mismatch: not a workbook
        raise FormatError("table_not_xlsx") from None


def _check_rows(part: bytes) -> None:
    """At most MAX_SHEET_ROWS rows of at most MAX_ROW_TAGS tags each in one XML part."""
    if b"row" not in part:
        return
    starts = [m.start() for m in _ROW_TAG.finditer(part, 0)]
    if len(starts) >= MAX_SHEET_ROWS:
        raise FormatError("table_too_many_rows", None, limit=MAX_ROWS)
    starts.append(len(part))
    for row, (start, end) in enumerate(zip(starts, starts[1:], strict=False), start=1):
        if part.count(b"<", start, end) > MAX_ROW_TAGS:
            raise FormatError("table_too_many_columns", row, limit=MAX_COLUMNS)


def parse_xlsx(data: bytes) -> RawTable:
    """The first sheet of an Excel workbook; header in row 1, values not formulas."""
    _check_zip(data)
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception:  # zip, XML or openpyxl errors: all mean "not a workbook we can read"
        raise FormatError("table_not_xlsx") from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FormatError("table_empty")
        sheet = sheets[0]
        # The <dimension> a file claims is not trusted (A1:XFD1048576 would make openpyxl
        # build a million rows of 16,384 cells): forget it, and ask for explicit bounds.
        sheet.reset_dimensions()
        cells = sheet.iter_rows(
            min_row=1,
            max_row=MAX_SHEET_ROWS,
            min_col=1,
            max_col=MAX_COLUMNS + 1,
            values_only=True,
        )

        def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
            for number, row in enumerate(cells, start=1):
                if number >= MAX_SHEET_ROWS:
                    raise FormatError("table_too_many_rows", None, limit=MAX_ROWS)
                yield number, row

        table = _bounded(numbered())
    except (FormatError, MemoryError):
        raise
    except Exception:
        raise FormatError("table_not_xlsx") from None
    finally:
        workbook.close()
    return table


def parse_yaml(data: bytes) -> RawTable:
    """The cases of a YAML file (``cases:`` list or a top-level list), each with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("table_unreadable_encoding") from None
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise FormatError("table_invalid_yaml", mark.line + 1 if mark else None) from None
    except MemoryError:
        raise
    except Exception:  # e.g. a nesting so deep the parser gives up
        raise FormatError("table_invalid_yaml") from None
    finally:
        loader.dispose()
    if node is None or value is None:
        raise FormatError("table_empty")
    items_node, items = node, value
    if isinstance(value, dict) and isinstance(node, yaml.MappingNode):
        if "cases" not in value:
            raise FormatError("table_yaml_shape", node.start_mark.line + 1)
        items = value["cases"]
        found = [v for k, v in node.value if getattr(k, "value", None) == "cases"]
        if not found:
            raise FormatError("table_yaml_shape", node.start_mark.line + 1)
        items_node = found[0]
    if items is None:
        raise FormatError("table_empty")
    if not isinstance(items, list) or not isinstance(items_node, yaml.SequenceNode):
        raise FormatError("table_yaml_shape", items_node.start_mark.line + 1)
    lines = [child.start_mark.line + 1 for child in items_node.value]
    rows = list(zip(lines, items, strict=False))
    if len(rows) > MAX_ROWS:
        raise FormatError("table_too_many_rows", rows[MAX_ROWS][0], limit=MAX_ROWS)
    return RawTable(header=None, rows=rows)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a table (a case file, a plan table), located as a course leader
    would look for it."""

    file: str  #: the file name as given (for an upload, the uploaded name)
    row: int | None  #: spreadsheet row (header = 1), YAML line, or None for the whole file
    column: str | None  #: the column as the file spells it, or None
    key: str  #: i18n key of the message
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """What is wrong and how to fix it, in ``lang``."""
        return t(self.key, lang, **{k: _show(v, lang) for k, v in self.params.items()})

    def line(self, lang: str = DEFAULT_LANG, *, warning: bool = False) -> str:
        """``FILE:ROW: column: message`` (row and column left out where there is none)."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        column = f"{self.column}: " if self.column else ""
        prefix = f"{t('table_warning_prefix', lang)} " if warning else ""
        return f"{prefix}{where}: {column}{self.message(lang)}"


def _show(value: Any, lang: str) -> str:
    """A message parameter as text; a tuple of choices reads "1 or 2" in the language."""
    if isinstance(value, ByteSize):
        return megabytes(value, lang)
    if isinstance(value, tuple):
        words = [str(v) for v in value]
        if len(words) < 2:
            return "".join(words)
        return f"{', '.join(words[:-1])} {t('table_or', lang)} {words[-1]}"
    return "" if value is None else str(value)


def problem_lines(problems: Iterable[Problem], warnings: Iterable[Problem], lang: str) -> list[str]:
    """Problems, then warnings (prefixed as such), capped as :func:`kit.core.tables.capped_lines`."""
    lang = normalize_lang(lang)

    def all_lines():
        for p in problems:
            yield p.line(lang)
        for w in warnings:
            yield w.line(lang, warning=True)

    return capped_lines(all_lines(), lang)


def open_source(
    source: str | Path | bytes | bytearray | memoryview | IO[bytes],
    name: str | None,
    accepted: Iterable[str],
    reader: str,
) -> tuple[str, bytes]:
    """The name messages use and the bytes of a table given as a path, bytes or a file object.

    ``name`` is the file name shown in messages and whose ending picks the format; it is
    required with bytes (an upload's own name) and defaults to the path as given. Raises
    :class:`SourceError` (the name and a FormatError) for a file that cannot be read or an
    ending outside ``accepted`` (formats, as :data:`FORMATS` names them). ``reader`` names
    the calling function in the TypeError for bytes without a name (a programming error).
    """
    accepted = tuple(dict.fromkeys(accepted))
    if isinstance(source, (bytes, bytearray, memoryview)):
        if name is None:
            raise TypeError(f"{reader}: give name= (the file name) with bytes")
        return name, bytes(source)
    if hasattr(source, "read"):
        display = name or Path(str(getattr(source, "name", "") or "")).name
    else:
        display = name or str(source)
        if file_format(display) not in accepted:
            raise SourceError(display, unsupported(display, accepted))
    try:
        return display, read_source(source)
    except FormatError as exc:
        raise SourceError(display, exc) from None


def unsupported(file: str, accepted: Iterable[str]) -> FormatError:
    """The error for a file whose ending is none of the ``accepted`` formats."""
    endings = tuple(e for e, fmt in FORMATS.items() if fmt in set(accepted) and e != ".yml")
    return FormatError("table_unsupported_type", ext=Path(file).suffix or file, formats=endings)


class SourceError(Exception):
    """A table that cannot be read at all: the name messages use and what is wrong."""

    def __init__(self, name: str, error: FormatError) -> None:
        super().__init__(error.key)
        self.name = name
        self.error = error
