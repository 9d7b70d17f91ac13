"""Municipal plans: does the community part (samfunnsdel) of a master plan mention samskaping?

The source presentation shows a yes/no chart of adopted community parts (2013-2024, 337
municipalities), but its numbers are not public, so the kit ships none. A course leader brings
their own table instead, one adopted plan per row::

    kommune;år;samskaping;sitat
    Eksempelkommune A;2019;ja;(oppdiktet eksempel) «...»

Reading never stops at the first error and never raises for bad content: :func:`read_plans`
returns a :class:`PlanReport` with every problem as ``FILE:ROW: column: message`` (the row as a
spreadsheet shows it, header = row 1), in the course leader's language. The file formats (CSV as
Excel saves it, XLSX), their limits and the header matching are :mod:`kit.core.tables`, shared with
the case files.

Pure layer: no ipywidgets, IPython, altair or pandas.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kit.core.i18n import normalize_lang
from kit.core.paths import data_dir
from kit.core.tables import (
    MAX_FILE_BYTES,
    ByteSize,
    FormatError,
    Problem,
    RawTable,
    SourceError,
    file_format,
    open_source,
    parse,
    problem_lines,
    read_header,
    unsupported,
)
from kit.core.tables import cell_text as _table_cell_text
from kit.core.text import DEFAULT_LANG

__all__ = [
    "COLUMNS",
    "EXAMPLE_FILE",
    "FORMATS",
    "REQUIRED",
    "YEAR_MAX",
    "YEAR_MIN",
    "Plan",
    "PlanReport",
    "Problem",
    "example_path",
    "read_example",
    "read_plans",
    "read_plans_bytes",
    "summary",
]

#: The canonical columns, in the order a template shows them.
COLUMNS: tuple[str, ...] = ("kommune", "år", "samskaping", "sitat")
#: Columns every row must fill in.
REQUIRED: tuple[str, ...] = ("kommune", "år", "samskaping")
#: The formats a plan table may come in (a YAML file is a case file, not a plan table).
FORMATS: tuple[str, ...] = ("csv", "xlsx")
#: The years a community part can plausibly have been adopted in.
YEAR_MIN, YEAR_MAX = 1990, 2100
#: The example file under ``data/``: invented municipalities, say so in every row.
EXAMPLE_FILE = "kommuneplaner_eksempel.csv"

_ALIASES: dict[str, str] = {
    "kommune": "kommune",
    "kommunenavn": "kommune",
    "kommunenamn": "kommune",
    "municipality": "kommune",
    "år": "år",
    "ar": "år",
    "aar": "år",
    "vedtatt": "år",
    "vedteke": "år",
    "vedtaksår": "år",
    "year": "år",
    "samskaping": "samskaping",
    "mentions_cocreation": "samskaping",
    "mentions_co_creation": "samskaping",
    "sitat": "sitat",
    "quote": "sitat",
}
#: The only answers accepted in the yes/no column (strict: a typo must not count as "no").
_YES_NO: dict[str, bool] = {
    "ja": True,
    "yes": True,
    "1": True,
    "nei": False,
    "no": False,
    "0": False,
}
_EMPTY_KEYS: dict[str, str] = {
    "kommune": "plans_empty_kommune",
    "år": "plans_empty_year",
    "samskaping": "plans_empty_mentions",
}


@dataclass(frozen=True)
class Plan:
    """One adopted community part of a municipal master plan, as one row of the table."""

    kommune: str  #: the municipality, as the file writes it
    year: int  #: the year the plan was adopted (vedtatt)
    mentions: bool  #: True if the plan mentions samskaping
    quote: str = ""  #: an optional quote from the plan
    row: int = 0  #: the spreadsheet row it came from (header = 1)


@dataclass(frozen=True)
class PlanReport:
    """The outcome of reading a plan table: the sound rows and everything to mend."""

    file: str  #: the file name shown in messages
    plans: tuple[Plan, ...]  #: the rows without problems
    problems: tuple[Problem, ...]  #: must be fixed before the table is drawn
    warnings: tuple[Problem, ...]  #: worth a look; the table can still be used
    lang: str = DEFAULT_LANG  #: the language lines() uses by default

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, lang: str | None = None) -> list[str]:
        """Problems, then warnings (prefixed as such), one ``FILE:ROW: column: message`` each;
        at most MAX_PROBLEM_LINES of them, then one line saying how many more there are."""
        return problem_lines(self.problems, self.warnings, normalize_lang(lang or self.lang))


def example_path() -> Path:
    """The example table shipped in ``data/`` (invented municipalities, for practice)."""
    return data_dir() / EXAMPLE_FILE


def read_example(lang: str = DEFAULT_LANG) -> PlanReport:
    """The example table, read like any other file."""
    return read_plans(example_path(), lang, name=EXAMPLE_FILE)


def read_plans(
    source: str | Path | bytes | IO[bytes],
    lang: str = DEFAULT_LANG,
    name: str | None = None,
) -> PlanReport:
    """Read a plan table from a path, raw bytes or a binary file object, reporting every problem.

    ``name`` is the file name shown in messages and whose ending (.csv, .xlsx) picks the
    format; it is required with bytes (an upload's own name) and defaults to the path.
    """
    lang = normalize_lang(lang)
    try:
        display, data = open_source(source, name, FORMATS, "read_plans")
    except SourceError as exc:
        return _format_fail(exc.name, lang, exc.error)
    return _read(data, display, lang)


def read_plans_bytes(data: bytes, filename: str, lang: str = DEFAULT_LANG) -> PlanReport:
    """Read an uploaded plan table; ``filename`` is the name the course leader uploaded."""
    return read_plans(data, lang, name=filename)


def summary(plans: Iterable[Plan]) -> dict[str, Any]:
    """The numbers the charts draw: how many plans mention samskaping, overall and per year.

    ``share_yes`` is a fraction (0..1), None for no plans. ``by_year`` maps every year from
    the first to the last (gaps included, as zeros) to ``{"yes": n, "no": n}``.
    """
    plans = list(plans)
    yes = sum(p.mentions for p in plans)
    years = sorted({p.year for p in plans})
    by_year: dict[int, dict[str, int]] = {}
    if years:
        for year in range(years[0], years[-1] + 1):
            by_year[year] = {"yes": 0, "no": 0}
        for p in plans:
            by_year[p.year]["yes" if p.mentions else "no"] += 1
    return {
        "total": len(plans),
        "yes": yes,
        "no": len(plans) - yes,
        "share_yes": yes / len(plans) if plans else None,
        "municipalities": len({_key(p.kommune) for p in plans}),
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
        "by_year": by_year,
    }


# ------------------------------------------------------------------------------- reading


def _fail(file: str, lang: str, key: str, row: int | None = None, /, **params: Any) -> PlanReport:
    return PlanReport(file, (), (Problem(file, row, None, key, params),), (), lang)


def _format_fail(file: str, lang: str, exc: FormatError) -> PlanReport:
    return _fail(file, lang, exc.key, exc.row, **exc.params)


def _read(data: bytes, file: str, lang: str) -> PlanReport:
    fmt = file_format(file)
    if fmt not in FORMATS:
        return _format_fail(file, lang, unsupported(file, FORMATS))
    try:
        table = parse(data, fmt)
        return _Checker(file).run(table, lang)
    except FormatError as exc:
        return _format_fail(file, lang, exc)
    except MemoryError:
        return _fail(file, lang, "table_out_of_memory", limit=ByteSize(MAX_FILE_BYTES))


def _key(kommune: str) -> str:
    """A municipality's name for comparing: case, spacing and Unicode form ignored."""
    return " ".join(unicodedata.normalize("NFC", kommune).casefold().split())


def _cell_text(value: Any) -> str:
    """A cell as trimmed text, as the spreadsheet shows it (2019.0 from Excel reads 2019)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return _table_cell_text(value)


def _year(raw: Any, text: str) -> tuple[str | None, int | None]:
    """(problem key or None, year): a whole number (2019, 2019.0, "2019") in range."""
    number: float | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            number = None
    if number is None or number != number or not number.is_integer():  # NaN is no year
        return "plans_year_not_whole", None
    if not YEAR_MIN <= int(number) <= YEAR_MAX:
        return "plans_year_range", None
    return None, int(number)


class _Checker:
    """Checks every row and column of one table in one pass."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.index: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.seen: dict[tuple[str, int], int] = {}

    def problem(self, row: int | None, column: str | None, key: str, /, **params: Any) -> None:
        self.problems.append(Problem(self.file, row, column, key, params))

    def run(self, table: RawTable, lang: str) -> PlanReport:
        self._header(table.header or [])
        plans: list[Plan] = []
        rows = 0
        for number, cells in table.rows:
            if all(_cell_text(c) == "" for c in cells):
                continue
            rows += 1
            plan = self._row(number, cells)
            if plan is not None:
                plans.append(plan)
        if not rows:
            self.problem(None, None, "plans_empty")
        missing = any(c not in self.index for c in REQUIRED)
        return PlanReport(
            file=self.file,
            plans=() if missing else tuple(plans),
            problems=tuple(sorted(self.problems, key=lambda p: p.row or 0)),
            warnings=tuple(self.warnings),
            lang=lang,
        )

    def _header(self, cells: list[Any]) -> None:
        header = read_header(cells, _ALIASES)
        self.index, self.names = header.index, header.names
        for label in header.unknown:
            self.warnings.append(
                Problem(self.file, 1, label, "plans_unknown_column", {"columns": _columns()})
            )
        for label, first in header.duplicates:
            self.problem(1, label, "plans_duplicate_column", first=first)
        for column in header.missing(REQUIRED):
            self.problem(1, column, "plans_missing_column", column=column)

    def _row(self, number: int, cells: Any) -> Plan | None:
        before = len(self.problems)

        def raw(column: str) -> Any:
            i = self.index.get(column)
            return cells[i] if i is not None and i < len(cells) else None

        def bad(column: str, key: str, /, **params: Any) -> None:
            self.problem(number, self.names.get(column, column), key, **params)

        kommune = _cell_text(raw("kommune"))
        if "kommune" in self.index and not kommune:
            bad("kommune", "plans_empty_kommune")
        year: int | None = None
        year_text = _cell_text(raw("år"))
        if "år" in self.index:
            if not year_text:
                bad("år", _EMPTY_KEYS["år"])
            else:
                key, year = _year(raw("år"), year_text)
                if key:
                    bad("år", key, value=year_text, low=YEAR_MIN, high=YEAR_MAX)
        mentions: bool | None = None
        answer = _cell_text(raw("samskaping"))
        if "samskaping" in self.index:
            if not answer:
                bad("samskaping", _EMPTY_KEYS["samskaping"])
            elif isinstance(raw("samskaping"), bool) or answer.lower() not in _YES_NO:
                bad("samskaping", "plans_unknown_yes_no", value=answer)
            else:
                mentions = _YES_NO[answer.lower()]
        if kommune and year is not None:
            first = self.seen.get((_key(kommune), year))
            if first is not None:
                bad("kommune", "plans_duplicate_plan", kommune=kommune, year=year, first=first)
            else:
                self.seen[(_key(kommune), year)] = number
        if len(self.problems) > before or year is None or mentions is None:
            return None
        return Plan(kommune, year, mentions, _cell_text(raw("sitat")), number)


def _columns() -> str:
    return ", ".join(COLUMNS)
