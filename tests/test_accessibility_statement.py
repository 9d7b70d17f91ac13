"""docs/tilgjengelighet.md and docs/accessibility.md, the basis of a municipality's accessibility
statement: every test they name exists (found by parsing the test files with ``ast``, never by
importing them), both list the same WCAG criteria, every criterion the Norwegian regulation refers
to (WCAG 2.1 A and AA) and the WCAG 2.2 additions are there, and the statuses agree."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from .conftest import ROOT

DOCS = {"nb": ROOT / "docs" / "tilgjengelighet.md", "en": ROOT / "docs" / "accessibility.md"}

#: WCAG 2.1 level A and AA (50 criteria, 4.1.1 included: WCAG 2.1 still lists it), and the
#: level A and AA criteria WCAG 2.2 adds (2.4.12 and 2.4.13 are AAA).
WCAG21_A_AA = frozenset(
    {
        *("1.1.1", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"),
        *("1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5"),
        *("1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.4.10", "1.4.11", "1.4.12", "1.4.13"),
        *("2.1.1", "2.1.2", "2.1.4", "2.2.1", "2.2.2", "2.3.1"),
        *("2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.4.5", "2.4.6", "2.4.7"),
        *("2.5.1", "2.5.2", "2.5.3", "2.5.4"),
        *("3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.2.3", "3.2.4"),
        *("3.3.1", "3.3.2", "3.3.3", "3.3.4"),
        *("4.1.1", "4.1.2", "4.1.3"),
    }
)
WCAG22_ADDITIONS = frozenset({"2.4.11", "2.5.7", "2.5.8", "3.2.6", "3.3.7", "3.3.8"})
REQUIRED = WCAG21_A_AA | WCAG22_ADDITIONS

#: The status words of each edition, in the same order (the legend of each document).
STATUSES = {
    "nb": ("Oppfylt", "Delvis oppfylt", "Ikke oppfylt", "Ikke relevant", "Ikke testet"),
    "en": ("Met", "Partially met", "Not met", "Not applicable", "Not tested"),
}
#: Criteria that may be "met" without a test: obsolete, always satisfied for HTML (W3C).
MET_WITHOUT_TEST = frozenset({"4.1.1"})

#: A test reference: ``tests/<file>.py``, optionally ``::Class`` and ``::name``.
REFERENCE = re.compile(r"\btests/[\w/]+\.py(?:::[A-Za-z_]\w*)*")
#: A row of a criteria table: ``| 1.4.10 Name (AA) | Status | How | Tests |``.
ROW = re.compile(r"^\|\s*(\d\.\d+\.\d+)\s[^\n]*\|\s*$", re.M)

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def references(text: str) -> list[str]:
    """Every test reference in ``text``, in order, each once."""
    return list(dict.fromkeys(REFERENCE.findall(text)))


@functools.cache
def defined_tests(path: Path) -> dict[str | None, frozenset[str]]:
    """The functions of a test file: ``None`` maps to the module's own functions, and each
    ``Test*`` class to its methods, those of its bases in the same file included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def methods(name: str, seen: tuple[str, ...] = ()) -> set[str]:
        node = classes.get(name)
        if node is None or name in seen:
            return set()
        found = {item.name for item in node.body if isinstance(item, FUNCTIONS)}
        for base in node.bases:
            if isinstance(base, ast.Name):
                found |= methods(base.id, (*seen, name))
        return found

    names: dict[str | None, frozenset[str]] = {
        None: frozenset(node.name for node in tree.body if isinstance(node, FUNCTIONS))
    }
    for name in classes:
        if name.startswith("Test"):
            names[name] = frozenset(methods(name))
    return names


def missing(reference: str, root: Path = ROOT) -> str | None:
    """Why ``reference`` names nothing (a file that is not there, or a test the file does not
    define), or None when it names a test file or a test in one."""
    file, *parts = reference.split("::")
    path = root / file
    if not path.is_file():
        return f"{reference}: no file {file}"
    if not parts:
        return None
    if len(parts) > 2:
        return f"{reference}: only file::test and file::Class::test are understood"
    names = defined_tests(path)
    *owner, name = parts
    if not name.startswith("test"):
        return f"{reference}: {name} is not a test's name"
    if owner:
        if owner[0] not in names:
            return f"{reference}: {file} has no test class {owner[0]}"
        if name not in names[owner[0]]:
            return f"{reference}: {owner[0]} in {file} has no test {name}"
        return None
    if not any(name in found for found in names.values()):
        return f"{reference}: {file} has no test function or test method {name}"
    return None


def missing_references(text: str, root: Path = ROOT) -> list[str]:
    """What is wrong with each test reference in ``text`` (empty: every one names a test)."""
    return [why for ref in references(text) if (why := missing(ref, root)) is not None]


def rows(lang: str) -> dict[str, list[str]]:
    """The criteria tables of one edition: criterion number -> its cells (criterion, status,
    how, tests)."""
    found: dict[str, list[str]] = {}
    for match in ROW.finditer(DOCS[lang].read_text(encoding="utf-8")):
        cells = [cell.strip() for cell in match[0].strip().strip("|").split("|")]
        assert len(cells) == 4, f"{DOCS[lang].name}: {match[1]} has {len(cells)} cells: {cells}"
        assert match[1] not in found, f"{DOCS[lang].name} lists {match[1]} twice"
        found[match[1]] = cells
    return found


# -- the checker itself ------------------------------------------------------------------------


def test_the_checker_reports_a_test_that_does_not_exist():
    """Positive control: a made-up test in a real file is reported as missing."""
    text = "See `tests/test_browser_a11y.py::test_does_not_exist` for the proof."
    assert references(text) == ["tests/test_browser_a11y.py::test_does_not_exist"]
    assert missing_references(text) == [
        "tests/test_browser_a11y.py::test_does_not_exist: tests/test_browser_a11y.py has no "
        "test function or test method test_does_not_exist"
    ]


def test_the_checker_reports_a_file_a_class_and_a_helper_that_name_no_test():
    text = (
        "`tests/test_no_such_file.py::test_x` and `tests/test_no_such_file.py`, "
        "`tests/test_store.py::TestNoSuchClass::test_an_idle_session_closes`, "
        "`tests/test_store.py::TestSQLiteStore::test_does_not_exist` and "
        "`tests/test_browser_a11y.py::tab_until` (a helper, not a test)"
    )
    assert [why.split(":")[0] for why in missing_references(text)] == [
        "tests/test_no_such_file.py",
        "tests/test_no_such_file.py",
        "tests/test_store.py",
        "tests/test_store.py",
        "tests/test_browser_a11y.py",
    ]


def test_the_checker_finds_functions_methods_and_inherited_methods():
    text = (
        "`tests/test_browser_a11y.py::test_keyboard_walk_through_the_classification`, "
        "`tests/test_browser_focus.py`, "
        # StoreBehaviour defines it; TestSQLiteStore inherits it
        "`tests/test_store.py::TestSQLiteStore::test_an_idle_session_closes` and "
        "`tests/test_store.py::test_an_idle_session_closes`"
    )
    assert len(references(text)) == 4
    assert missing_references(text) == []


# -- the documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", DOCS)
def test_every_test_the_document_names_exists(lang):
    text = DOCS[lang].read_text(encoding="utf-8")
    refs = references(text)
    assert len(refs) >= 50, f"{DOCS[lang].name} names only {len(refs)} tests"
    assert missing_references(text) == []


@pytest.mark.parametrize("lang", DOCS)
def test_every_required_criterion_is_listed(lang):
    listed = set(rows(lang))
    assert sorted(REQUIRED - listed) == [], f"{DOCS[lang].name} lacks criteria"
    assert sorted(listed - REQUIRED) == [], f"{DOCS[lang].name} lists criteria not asked for"


def test_both_documents_list_the_same_criteria_with_the_same_status():
    nb, en = rows("nb"), rows("en")
    assert set(nb) == set(en)
    words = dict(zip(STATUSES["nb"], STATUSES["en"], strict=True))
    for number in sorted(nb):
        assert nb[number][1] in words, f"tilgjengelighet.md: {number}: status {nb[number][1]!r}"
        assert en[number][1] in STATUSES["en"], f"accessibility.md: {number}: {en[number][1]!r}"
        assert words[nb[number][1]] == en[number][1], (number, nb[number][1], en[number][1])
        assert references(nb[number][3]) == references(en[number][3]), number


@pytest.mark.parametrize("lang", DOCS)
def test_a_criterion_marked_met_names_a_test_that_checks_it(lang):
    """Never claim more than the tests show: "met" comes with at least one test."""
    met = STATUSES[lang][0]
    bare = [
        number
        for number, cells in rows(lang).items()
        if cells[1] == met and number not in MET_WITHOUT_TEST and not references(cells[3])
    ]
    assert bare == [], f"{DOCS[lang].name}: met without a test: {bare}"


@pytest.mark.parametrize("lang", DOCS)
def test_the_document_explains_every_status_it_uses(lang):
    text = DOCS[lang].read_text(encoding="utf-8")
    for status in STATUSES[lang]:
        assert f"- **{status}**:" in text, f"{DOCS[lang].name} does not explain {status!r}"


def test_the_readme_links_both_documents():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/tilgjengelighet.md)" in readme and "(docs/accessibility.md)" in readme
