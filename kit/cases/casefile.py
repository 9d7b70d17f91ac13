"""Case files: the built-in case library and a course leader's own spreadsheet or YAML file.

A course leader who brings their own cases must be told exactly what to mend, so reading never
stops at the first error and never raises for bad content: :func:`read_cases` returns a
:class:`CaseReport` with every problem, each naming the file, the row as a spreadsheet shows it
(for YAML: the line where the case starts), the column and, from ``data/i18n/*/cases.yaml``, what
is wrong and how to fix it. :func:`load_cases` is the strict version for code that needs cases.

The file formats and their limits (size, rows, what an Excel file may unpack to) are
:mod:`kit.core.tables`, shared with the plan tables; a report shows at most
:data:`kit.core.tables.MAX_PROBLEM_LINES` lines.

Pure layer: no ipywidgets, IPython, altair or pandas.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from kit.cases.case import ALLOWED_LEVELS, DEFAULT_TIER, TIERS, Case, find_marked
from kit.cases.pairs import PairPlace, pair_problems
from kit.core.exports import HelpSheet, ListChoice, csv_bytes, template_xlsx_bytes
from kit.core.i18n import has_text, normalize_lang, t
from kit.core.paths import data_dir
from kit.core.tables import (
    FORMATS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ByteSize,
    FormatError,
    Problem,
    RawTable,
    SourceError,
    canonical,
    file_format,
    is_blank,
    open_source,
    parse,
    problem_lines,
    read_header,
    read_source,
    unsupported,
)
from kit.core.text import DEFAULT_LANG, Text
from kit.core.yamlio import ContentError

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "CaseFileError",
    "CaseReport",
    "Problem",
    "library_paths",
    "load_cases",
    "problem_lines",
    "read_cases",
    "read_cases_bytes",
    "read_in_library",
    "read_library",
    "template_choices",
    "template_help_rows",
    "template_row",
    "write_template",
]

#: The canonical (Norwegian) columns, in the order a template shows them.
COLUMNS: tuple[str, ...] = (
    "id",
    "tittel",
    "tekst",
    "prosess",
    "nivå",
    "forklaring",
    "område",
    "vanskelighet",
    "tittel_nn",
    "tekst_nn",
    "forklaring_nn",
    "tittel_en",
    "tekst_en",
    "forklaring_en",
    "par",
    "fasilitator",
    "fasilitator_nn",
    "fasilitator_en",
    "kjede",
    "markert",
    "markert_nn",
    "markert_en",
    "forskjell",
    "forskjell_nn",
    "forskjell_en",
)
#: Columns every case must fill in.
REQUIRED: tuple[str, ...] = ("id", "tittel", "tekst", "prosess", "forklaring")

_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "title": "tittel",
    "text": "tekst",
    "process": "prosess",
    "level": "nivå",
    "niva": "nivå",
    "nivaa": "nivå",
    "explanation": "forklaring",
    "domain": "område",
    "omrade": "område",
    "omraade": "område",
    "title_en": "tittel_en",
    "text_en": "tekst_en",
    "explanation_en": "forklaring_en",
    "title_nn": "tittel_nn",
    "text_nn": "tekst_nn",
    "explanation_nn": "forklaring_nn",
    "pair": "par",
    "difficulty": "vanskelighet",
    "tier": "vanskelighet",
    "vanskelighetsgrad": "vanskelighet",
    "facilitator": "fasilitator",
    "facilitator_nn": "fasilitator_nn",
    "facilitator_en": "fasilitator_en",
    "chain": "kjede",
    "marked": "markert",
    "marked_nn": "markert_nn",
    "marked_en": "markert_en",
    "difference": "forskjell",
    "difference_nn": "forskjell_nn",
    "difference_en": "forskjell_en",
}
#: The languages besides bokmål a case's texts may be written in, as column suffixes.
_OTHER_LANGS: tuple[str, ...] = ("nn", "en")
_PROCESSES: dict[str, str] = {
    **{p: p for p in ALLOWED_LEVELS},
    "co-creation": "samskaping",
    "co-production": "samproduksjon",
    "value co-creation": "verdisamskaping",
    "none": "ingen",
}
_TIERS: dict[str, str] = {
    **{tier: tier for tier in TIERS},
    "easy": "lett",
    "medium": "middels",
    "hard": "vanskelig",
    "difficult": "vanskelig",
}
#: The built-in library: this file and every ``*.yaml`` in this folder, both in ``data/``.
LIBRARY_FILE = "cases.yaml"
LIBRARY_DIR = "cases"
_NO_LEVEL = frozenset({"", "-", "ingen", "none"})
_WIDTHS: dict[str, int] = {
    "id": 24,
    "prosess": 16,
    "nivå": 8,
    "område": 18,
    "vanskelighet": 14,
    "par": 20,
    "kjede": 20,
}
_TEMPLATE_TEXTS: dict[str, str] = {
    "id": "cases_template_id",
    "tittel": "cases_template_title",
    "tekst": "cases_template_text",
    "forklaring": "cases_template_explanation",
    "område": "cases_template_domain",
}


@dataclass(frozen=True)
class CaseReport:
    """The outcome of reading a case file: the valid cases and everything to mend."""

    cases: tuple[Case, ...]  #: the rows without problems
    problems: tuple[Problem, ...]  #: must be fixed before the file can be used
    warnings: tuple[Problem, ...]  #: worth a look; the file can still be used
    lang: str = DEFAULT_LANG  #: the language lines() uses by default
    #: for a library: each file's name and its number of sound cases, in reading order
    files: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, lang: str | None = None) -> list[str]:
        """Problems, then warnings (prefixed as such), one formatted line each; at most
        MAX_PROBLEM_LINES of them, then one line saying how many more there are."""
        return problem_lines(self.problems, self.warnings, lang or self.lang)


class CaseFileError(ContentError):
    """A case file has problems; the message lists them all, one per line."""

    def __init__(self, report: CaseReport, lang: str = DEFAULT_LANG) -> None:
        self.problems = report.problems
        self.warnings = report.warnings
        super().__init__("\n".join(report.lines(lang)))


def read_cases(
    source: str | Path | bytes | IO[bytes],
    lang: str = DEFAULT_LANG,
    *,
    name: str | None = None,
) -> CaseReport:
    """Read a case file from a path, raw bytes or a binary file object, reporting every problem.

    ``name`` is the file name shown in messages and whose ending picks the format; it is
    required with bytes (an upload's own name) and defaults to the path as given.
    """
    lang = normalize_lang(lang)
    try:
        display, data = open_source(source, name, set(FORMATS.values()), "read_cases")
    except SourceError as exc:
        return _fail(exc.name, lang, exc.error.key, exc.error.row, **exc.error.params)
    return _read(data, display, lang)


def read_cases_bytes(data: bytes, filename: str, lang: str = DEFAULT_LANG) -> CaseReport:
    """Read an uploaded case file; ``filename`` is the name the course leader uploaded."""
    return read_cases(data, lang, name=filename)


def load_cases(path: str | Path | None = None, lang: str = DEFAULT_LANG) -> tuple[Case, ...]:
    """The cases of ``path`` (default: the built-in library); raises CaseFileError on problems."""
    report = _builtin_report() if path is None else read_cases(path, lang)
    if not report.ok:
        raise CaseFileError(report, normalize_lang(lang))
    return report.cases


def library_paths(root: str | Path | None = None) -> tuple[Path, ...]:
    """The files of the case library: ``cases.yaml``, then every ``cases/*.yaml`` by name.

    ``root`` is the folder holding them (default: the kit's ``data`` folder).
    """
    root = data_dir() if root is None else Path(root)
    main = root / LIBRARY_FILE
    more = sorted(p for p in (root / LIBRARY_DIR).glob("*.yaml") if p.is_file())
    return ((main,) if main.is_file() else ()) + tuple(more)


def _display(path: Path) -> str:
    """A library file as messages name it: relative to the working folder where it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_library(paths: Iterable[str | Path] | None = None, lang: str = DEFAULT_LANG) -> CaseReport:
    """Read several case files as one library, reporting every problem with its file.

    Ids must be unique across all the files (a repeated id names the file and line of the
    first), and a contrast pair (``par``) may point to a case in any of them. Default: the
    built-in library, :func:`library_paths`. The report's ``files`` holds each file's name and
    number of sound cases.
    """
    lang = normalize_lang(lang)
    files = library_paths() if paths is None else tuple(Path(p) for p in paths)
    if not files:
        return _fail(_display(data_dir() / LIBRARY_FILE), lang, "table_file_not_found")
    parts = _read_files(files, lang)
    return CaseReport(
        cases=tuple(c for _, r in parts for c in r.cases),
        problems=tuple(p for _, r in parts for p in r.problems),
        warnings=tuple(w for _, r in parts for w in r.warnings),
        lang=lang,
        files=tuple((name, len(r.cases)) for name, r in parts),
    )


def read_in_library(
    path: str | Path, lang: str = DEFAULT_LANG, *, library: Iterable[str | Path] | None = None
) -> CaseReport:
    """One file of the library (default: the built-in one), checked against the others.

    As :func:`read_cases`, and further: an id already used in another library file is a
    problem (naming that file), and a pair may point into another file. A file outside the
    library is read alone with :func:`read_cases`.
    """
    lang = normalize_lang(lang)
    files = library_paths() if library is None else tuple(Path(p) for p in library)
    target = Path(path)
    try:
        resolved = target.resolve()
        others = tuple(p for p in files if p.resolve() != resolved)
    except OSError:
        return read_cases(path, lang)
    if len(others) == len(files) or file_format(target.name) != "yaml":
        return read_cases(path, lang)
    name, report = _read_files((*others, target), lang, names={target: str(path)})[-1]
    return dataclasses.replace(report, files=((name, len(report.cases)),))


def _read_files(
    files: Iterable[Path], lang: str, names: Mapping[Path, str] | None = None
) -> list[tuple[str, CaseReport]]:
    """Each file's report, ids shared across them and pairs checked against all of them."""
    seen: dict[str, tuple[str, int]] = {}
    read: list[tuple[str, CaseReport, _Checker]] = []
    for path in files:
        name = (names or {}).get(path) or _display(path)
        checker = _Checker(name, seen, check_pairs=False)
        try:
            report = checker.run(parse(read_source(path), file_format(name) or "yaml"), lang)
        except FormatError as exc:
            report = _fail(name, lang, exc.key, exc.row, **exc.params)
        except MemoryError:
            report = _fail(name, lang, "table_out_of_memory", limit=ByteSize(MAX_FILE_BYTES))
        read.append((name, report, checker))
    places = {case_id: place for _, _, checker in read for case_id, place in checker.places.items()}
    cases = [case for _, report, _ in read for case in report.cases]
    about = _by_file(pair_problems(cases, places))
    out: list[tuple[str, CaseReport]] = []
    for name, report, checker in read:
        unknown = tuple(
            Problem(name, number, column, "cases_unknown_pair_library", {"value": pair})
            for number, column, pair in checker.pairs
            if pair not in seen
        )
        warnings = _in_order(report.warnings + unknown + tuple(about.get(name, ())))
        out.append((name, dataclasses.replace(report, warnings=warnings)))
    return out


def _by_file(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        out.setdefault(problem.file, []).append(problem)
    return out


def _in_order(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Problems in the order of their rows (a whole file's first), stable within a row."""
    return tuple(sorted(problems, key=lambda p: p.row or 0))


@cache
def _builtin_report() -> CaseReport:
    return read_library()


def _fail(file: str, lang: str, key: str, row: int | None = None, /, **params: Any) -> CaseReport:
    return CaseReport((), (Problem(file, row, None, key, params),), (), lang)


def _read(data: bytes, file: str, lang: str) -> CaseReport:
    fmt = file_format(file)
    if fmt is None:
        error = unsupported(file, set(FORMATS.values()))
        return _fail(file, lang, error.key, **error.params)
    try:
        table = parse(data, fmt)
        return _Checker(file).run(table, lang)
    except FormatError as exc:
        return _fail(file, lang, exc.key, exc.row, **exc.params)
    except MemoryError:
        return _fail(file, lang, "table_out_of_memory", limit=ByteSize(MAX_FILE_BYTES))


class _Row(NamedTuple):
    number: int
    values: dict[str, Any]  #: canonical column -> raw cell value
    names: dict[str, str]  #: canonical column -> the column as the file spells it


def _canonical(label: str) -> str | None:
    return canonical(label, _ALIASES)


def _cell_text(value: Any) -> str | None:
    """A cell as trimmed text; None for a list or mapping (YAML), which is no cell text."""
    if value is None:
        return ""
    if isinstance(value, (list, dict, set, tuple)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _blank(values: Any) -> bool:
    return is_blank(values)


def _process(text: str) -> str | None:
    return _PROCESSES.get(" ".join(unicodedata.normalize("NFC", text).lower().split()))


def _level(raw: Any) -> tuple[bool, int | None]:
    """(valid, level): 1, 2, 3 (also 2.0 or "2 "), or None for blank, "-", "ingen", "none"."""
    if isinstance(raw, bool):
        return False, None
    if isinstance(raw, int):
        return raw in (1, 2, 3), raw
    text = (_cell_text(raw) or "").lower()
    if text in _NO_LEVEL:
        return True, None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return False, None
    if not number.is_integer():
        return False, None
    return int(number) in (1, 2, 3), int(number)


def _tier(text: str) -> str | None:
    return _TIERS.get(" ".join(unicodedata.normalize("NFC", text).lower().split()))


def _text(cells: Mapping[str, str], column: str) -> Text | None:
    """The column in bokmål with its ``_nn`` and ``_en`` columns; None when all are empty."""
    nb = cells[column]
    others = {lang: cells[f"{column}_{lang}"] or None for lang in _OTHER_LANGS}
    if not nb:
        return None
    return Text(nb=nb, **others)


class _Checker:
    """Checks every row and column of one file in one pass.

    ``seen`` (id -> (file, row)) is shared by the checkers of the files of one library, so an id
    used in an earlier file is reported with that file; ``check_pairs=False`` leaves the
    contrast pairs to the library, where a pair may point into another file.
    """

    def __init__(
        self,
        file: str,
        seen: dict[str, tuple[str, int]] | None = None,
        *,
        check_pairs: bool = True,
    ) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.missing: set[str] = set()
        self.seen: dict[str, tuple[str, int]] = {} if seen is None else seen
        self.check_pairs = check_pairs
        self.pairs: list[tuple[int, str, str]] = []
        #: where each sound case's pair columns are, for the pair warnings
        self.places: dict[str, PairPlace] = {}
        self.yaml = False

    def problem(self, row: int | None, column: str | None, key: str, /, **params: Any) -> None:
        self.problems.append(Problem(self.file, row, column, key, params))

    def warn(self, row: int | None, column: str | None, key: str, /, **params: Any) -> None:
        self.warnings.append(Problem(self.file, row, column, key, params))

    def run(self, table: RawTable, lang: str) -> CaseReport:
        self.yaml = table.header is None
        rows = self._yaml_rows(table) if self.yaml else self._sheet_rows(table)
        cases = [case for row in rows if (case := self._check(row)) is not None]
        if not rows:
            self.problem(None, None, "cases_empty")
        if self.check_pairs:
            for number, column, pair in self.pairs:
                if pair not in self.seen:
                    self.warn(number, column, "cases_unknown_pair", value=pair)
            self.warnings.extend(pair_problems(cases, self.places))
        return CaseReport(
            cases=tuple(cases),
            problems=_in_order(self.problems),
            warnings=_in_order(self.warnings),
            lang=lang,
        )

    def _sheet_rows(self, table: RawTable) -> list[_Row]:
        header = read_header(table.header or [], _ALIASES)
        index, names = header.index, header.names
        for label in header.unknown:
            self.warn(1, label, "cases_unknown_column", columns=", ".join(COLUMNS))
        for label, first in header.duplicates:
            self.problem(1, label, "cases_duplicate_column", first=first)
        for column in header.missing(REQUIRED):
            self.missing.add(column)
            self.problem(1, column, "cases_missing_column", column=column)
        return [
            _Row(number, {c: cells[i] if i < len(cells) else None for c, i in index.items()}, names)
            for number, cells in table.rows
            if not _blank(cells)
        ]

    def _yaml_rows(self, table: RawTable) -> list[_Row]:
        rows: list[_Row] = []
        warned: set[str] = set()
        for number, item in table.rows:
            if item is None or (isinstance(item, dict) and _blank(item.values())):
                continue
            if not isinstance(item, dict):
                self.problem(number, None, "cases_yaml_not_case")
                continue
            values: dict[str, Any] = {}
            names: dict[str, str] = {}
            for key, value in item.items():
                label = str(key).strip()
                canon = _canonical(label)
                if canon is None:
                    if label not in warned:
                        warned.add(label)
                        self.warn(number, label, "cases_unknown_column", columns=", ".join(COLUMNS))
                elif canon in values:
                    self.problem(number, label, "cases_duplicate_column", first=names[canon])
                else:
                    values[canon], names[canon] = value, label
            rows.append(_Row(number, values, names))
        return rows

    def _check(self, row: _Row) -> Case | None:
        """Check one row column by column; the Case if the row is sound."""
        before = len(self.problems)
        cells: dict[str, str] = {}
        process: str | None = None

        def bad(column: str, key: str, /, **params: Any) -> None:
            self.problem(row.number, row.names.get(column, column), key, **params)

        for column in COLUMNS:
            raw = row.values.get(column)
            text = _cell_text(raw)
            if text is None:
                bad(column, "cases_not_text")
                continue
            cells[column] = text
            if column in REQUIRED and not text:
                if column not in self.missing:
                    bad(column, "cases_required_empty")
            elif column == "id":
                if text not in self.seen:
                    self.seen[text] = (self.file, row.number)
                elif (other := self.seen[text])[0] != self.file:
                    bad(
                        column, "cases_duplicate_id_file", value=text, file=other[0], first=other[1]
                    )
                else:
                    key = "cases_duplicate_id_yaml" if self.yaml else "cases_duplicate_id"
                    bad(column, key, value=text, first=other[1])
            elif column == "vanskelighet" and text and _tier(text) is None:
                bad(column, "cases_unknown_tier", value=text)
            elif column == "prosess":
                process = _process(text)
                if process is None:
                    bad(column, "cases_unknown_process", value=text)
            elif column == "nivå":
                self._check_level(raw, text, process, bad)
            elif column == "par" and text:
                self.pairs.append((row.number, row.names.get(column, column), text))
        if len(cells) == len(COLUMNS):
            self._check_marked(cells, row.names, bad)
            self._check_bokmal(cells, row.names, bad, "fasilitator", "cases_facilitator_missing")
            self._check_bokmal(cells, row.names, bad, "forskjell", "cases_difference_missing")
        if len(self.problems) > before or self.missing or process is None:
            return None
        title, body, explanation = (_text(cells, c) for c in ("tittel", "tekst", "forklaring"))
        assert title is not None and body is not None and explanation is not None
        names = row.names
        self.places[cells["id"]] = PairPlace(
            self.file, row.number, names.get("par", "par"), names.get("forskjell", "forskjell")
        )
        return Case(
            id=cells["id"],
            title=title,
            text=body,
            process=process,
            level=_level(row.values.get("nivå"))[1],
            explanation=explanation,
            domain=cells["område"],
            pair=cells["par"] or None,
            tier=_tier(cells["vanskelighet"]) or DEFAULT_TIER,
            facilitator=_text(cells, "fasilitator"),
            chain=cells["kjede"] or None,
            marked=_text(cells, "markert"),
            difference=_text(cells, "forskjell"),
        )

    @staticmethod
    def _check_marked(
        cells: Mapping[str, str], names: Mapping[str, str], bad: Callable[..., None]
    ) -> None:
        """The marked part, in every language the text is written in, occurs in that text."""
        columns = ["markert", *(f"markert_{lang}" for lang in _OTHER_LANGS)]
        if not any(cells[c] for c in columns):
            return
        if not cells["markert"]:
            bad("markert", "cases_marked_missing", text=names.get("tekst", "tekst"))
        for lang in ("", *(f"_{lang}" for lang in _OTHER_LANGS)):
            marked, text_column = cells["markert" + lang], "tekst" + lang
            shown = names.get(text_column, text_column)
            if not cells[text_column]:
                if marked:
                    bad("markert" + lang, "cases_marked_without_text", text=shown)
            elif not marked:
                if lang and cells["markert"]:
                    bad("markert" + lang, "cases_marked_missing", text=shown)
            elif find_marked(cells[text_column], marked) is None:
                bad("markert" + lang, "cases_marked_not_in_text", text=shown)

    @staticmethod
    def _check_bokmal(
        cells: Mapping[str, str],
        names: Mapping[str, str],
        bad: Callable[..., None],
        column: str,
        key: str,
    ) -> None:
        """An optional text (a facilitator note, a pair's difference) in nynorsk or English
        needs the bokmål one it falls back to."""
        if cells[column]:
            return
        for lang in _OTHER_LANGS:
            if cells[f"{column}_{lang}"]:
                other = f"{column}_{lang}"
                bad(column, key, column=names.get(other, other))
                return

    @staticmethod
    def _check_level(raw: Any, text: str, process: str | None, bad: Callable[..., None]) -> None:
        valid, level = _level(raw)
        if not valid:
            bad("nivå", "cases_level_range", value=text)
            return
        if process is None:
            return
        fits = ALLOWED_LEVELS[process]
        if level in fits:
            return
        if process == "ingen":
            bad("nivå", "cases_level_not_empty", level=level)
        elif level is None:
            bad("nivå", "cases_level_missing", process=process, fits=fits)
        else:
            bad("nivå", "cases_level_mismatch", process=process, fits=fits, level=level)


def template_row(lang: str = DEFAULT_LANG) -> dict[str, object]:
    """The template's one example row (the source's Tuesday lunch), texts from ``data/i18n``.

    The Norwegian columns are in ``lang`` (nynorsk for a nynorsk course leader, who then needs
    no ``_nn`` columns; bokmål when ``lang`` is English, with the ``_nn`` columns in nynorsk),
    the ``_en`` columns in English. The optional columns (facilitator note, chain, marked part)
    are there, empty.
    """
    lang = normalize_lang(lang)
    main = DEFAULT_LANG if lang == "en" else lang
    row: dict[str, object] = dict.fromkeys(COLUMNS, "")
    row.update({c: t(key, main) for c, key in _TEMPLATE_TEXTS.items()})
    row.update(prosess="samproduksjon", nivå=3, vanskelighet=DEFAULT_TIER)
    for other in ("nn", "en"):
        if other != main:
            row[f"tittel_{other}"] = t("cases_template_title", other)
            row[f"tekst_{other}"] = t("cases_template_text", other)
            row[f"forklaring_{other}"] = t("cases_template_explanation", other)
    return row


def template_choices() -> dict[str, tuple[object, ...]]:
    """The values the template's drop-down lists offer, from the kit's own constants: the
    processes, the levels the model has, the tiers."""
    levels = sorted({lv for fits in ALLOWED_LEVELS.values() for lv in fits if lv is not None})
    return {"prosess": tuple(ALLOWED_LEVELS), "nivå": tuple(levels), "vanskelighet": TIERS}


def template_help_rows(lang: str = DEFAULT_LANG) -> list[list[str]]:
    """The template's help sheet: a header, then every column of :data:`COLUMNS` with what it
    means, whether it is required, the values it takes and an example (the template's own
    example row where it has one), in ``lang``."""
    lang = normalize_lang(lang)
    example = template_row(lang)
    choices = template_choices()
    keys = ("column", "meaning", "required", "values", "example")
    rows = [[t(f"cases_help_{key}", lang) for key in keys]]
    for column in COLUMNS:
        base, suffix = column, ""
        if column[-3:] in ("_nn", "_en"):
            base, suffix = column[:-3], column[-3:]
            language = t(f"cases_help_lang{suffix}", lang)
            key = "cases_help_markert_translated" if base == "markert" else "cases_help_translated"
            meaning = t(key, lang, base=base, language=language, text="tekst" + suffix)
        else:
            meaning = t(f"cases_help_{column}", lang)
        if base in choices:
            values = ", ".join(str(v) for v in choices[base])
            if base not in REQUIRED:
                values = t("cases_help_or_empty", lang, values=values)
        elif base == "markert":
            values = t("cases_help_markert_values", lang, text="tekst" + suffix)
        elif has_text(f"cases_help_{base}_values", lang):
            values = t(f"cases_help_{base}_values", lang)
        else:
            values = t("cases_help_free_text", lang)
        shown = str(example[column])
        if not shown and not suffix and has_text(f"cases_help_{base}_example", lang):
            shown = t(f"cases_help_{base}_example", lang)
        required = t("cases_help_yes" if column in REQUIRED else "cases_help_no", lang)
        rows.append([column, meaning, required, values, shown])
    return rows


def write_template(path: str | Path, lang: str = DEFAULT_LANG) -> Path:
    """Write an empty-but-for-one-example case file (``.xlsx`` or ``.csv``) to ``path``.

    An Excel template also has drop-down lists for ``prosess``, ``nivå`` and ``vanskelighet``
    and a second sheet explaining every column (:func:`template_help_rows`); the reader reads
    only the first sheet."""
    path = Path(path)
    fmt = file_format(path.name)
    row = list(template_row(lang).values())
    if fmt == "csv":
        path.write_bytes(csv_bytes(COLUMNS, [row]))
    elif fmt == "xlsx":
        lang = normalize_lang(lang)
        widths = [_WIDTHS.get(c, 36 if c.startswith("tittel") else 60) for c in COLUMNS]
        title = t("cases_template_sheet", lang)
        choices = [
            ListChoice(
                column,
                values,
                t("cases_help_choose", lang),
                t("cases_help_choose_message", lang, values=", ".join(map(str, values))),
            )
            for column, values in template_choices().items()
        ]
        help_sheet = HelpSheet(
            t("cases_help_sheet", lang), template_help_rows(lang), widths=(18, 60, 12, 36, 48)
        )
        data = template_xlsx_bytes(
            COLUMNS,
            [row],
            sheet_title=title,
            widths=widths,
            choices=choices,
            last_row=MAX_ROWS + 1,
            help_sheet=help_sheet,
        )
        path.write_bytes(data)
    else:
        raise ValueError(f"{path.name}: a template is .xlsx or .csv")
    return path
