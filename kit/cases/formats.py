"""The file formats of a case file: kept for older imports; the reader is :mod:`kit.core.tables`.

Case files and plan tables share one reader (with one set of limits) in :mod:`kit.core.tables`,
and every spreadsheet the kit writes goes through :mod:`kit.core.exports`. This module only
re-exports the names it used to define.
"""

from __future__ import annotations

from kit.core.tables import (
    FORMATS,
    FormatError,
    RawTable,
    decode_text,
    file_format,
    parse,
    parse_csv,
    parse_xlsx,
    parse_yaml,
)

__all__ = [
    "FORMATS",
    "FormatError",
    "RawTable",
    "decode_text",
    "file_format",
    "parse",
    "parse_csv",
    "parse_xlsx",
    "parse_yaml",
]
