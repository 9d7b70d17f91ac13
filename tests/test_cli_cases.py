"""`samskaping check-cases FILE` and `samskaping template FILE`, run through the real entry point."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kit.cases.case import TIERS, Case
from kit.cases.casefile import COLUMNS, REQUIRED, load_cases, read_cases
from kit.core.i18n import t
from kit.model.model import PROCESSES
from kit.server.cli import main

from .conftest import ROOT
from .test_casefile import (
    BAD_EXPECTED,
    BAD_LINES,
    GOOD,
    HEADER,
    library_rows,
    write_bad,
    write_csv,
    write_xlsx,
)


@pytest.fixture(autouse=True)
def bokmal(monkeypatch, tmp_path):
    """Every test starts in bokmål, in an empty folder of its own."""
    monkeypatch.delenv("KIT_LANG", raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines(), err


def ok_line(cases: tuple[Case, ...]) -> str:
    """The bokmål OK line for these cases, tiers counted independently of the CLI."""
    n = Counter(c.tier for c in cases)
    noun = "case" if len(cases) == 1 else "caser"
    tiers = f"lett {n['lett']}, middels {n['middels']}, vanskelig {n['vanskelig']}"
    return f"OK: {len(cases)} {noun} ({tiers})"


def yaml_case(id_: str, **fields: object) -> str:
    """One YAML case entry (samproduksjon, level 3) with extra fields (a field named as one of
    the six, e.g. ``prosess``, takes its place)."""
    values: dict[str, object] = {
        "tittel": "Tittel",
        "tekst": "Frivillige serverer lunsjen.",
        "prosess": "samproduksjon",
        "nivå": 3,
        "forklaring": "Fordi.",
        **fields,
    }
    lines = [f"  - id: {id_}", *(f"    {k}: {v}" for k, v in values.items())]
    return "\n".join(lines) + "\n"


def write_library(root: Path, files: dict[str, str]) -> list[Path]:
    """A library folder: ``cases.yaml`` and ``cases/*.yaml``, each ``schema: 1`` + ``cases:``."""
    paths = []
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("schema: 1\ncases:\n" + body, encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- check-cases


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("semikolon-1252.csv", ";", "cp1252"),
        ("komma-bom.csv", ",", "utf-8-sig"),
        ("arbeidsbok.xlsx", None, None),
    ],
)
def test_library_in_every_format_is_ok(capsys, tmp_path, name, delimiter, encoding):
    cases = load_cases()
    path = tmp_path / name
    if delimiter:
        write_csv(path, library_rows(cases), delimiter=delimiter, encoding=encoding)
    else:
        write_xlsx(path, library_rows(cases))
    code, out, err = run(capsys, "check-cases", name)
    assert (code, out, err) == (0, [ok_line(cases)], "")
    assert read_cases(path).cases == cases


def test_builtin_yaml_is_ok(capsys):
    from kit.core.paths import data_dir

    code, out, _ = run(capsys, "check-cases", str(data_dir() / "cases.yaml"))
    assert (code, out) == (0, [ok_line(read_cases(data_dir() / "cases.yaml").cases)])


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_five_bad_rows(capsys, monkeypatch, tmp_path, ext, lang):
    monkeypatch.setenv("KIT_LANG", lang)
    write_bad(tmp_path, ext)
    code, out, err = run(capsys, "check-cases", f"bad.{ext}")
    assert code == 1
    assert len(out) == 5
    for line, start, (row, column, _) in zip(out, BAD_LINES[lang], BAD_EXPECTED, strict=True):
        assert line.startswith(start.format(ext=ext))
        assert line.startswith(f"bad.{ext}:{row}: {column}: ")
    assert "5" in err
    assert err.startswith({"nb": "Antall problemer", "en": "Problems found"}[lang])


def test_warnings_alone_still_pass(capsys, tmp_path):
    write_csv(tmp_path / "w.csv", [[*HEADER, "notater"], [*GOOD, "husk kaffe"]])
    code, out, _ = run(capsys, "check-cases", "w.csv")
    assert code == 0
    assert out[0] == "OK: 1 case (lett 1, middels 0, vanskelig 0)"
    assert out[1].startswith("Advarsel: w.csv:1: notater: Ukjent kolonne")
    assert len(out) == 2


def test_problems_come_before_warnings(capsys, tmp_path):
    write_csv(tmp_path / "b.csv", [[*HEADER, "notater"], ["a", "T", "X", "feil", "", "F", ""]])
    code, out, _ = run(capsys, "check-cases", "b.csv")
    assert code == 1
    assert out[0].startswith("b.csv:2: prosess: «feil»")
    assert out[1].startswith("Advarsel: b.csv:1: notater:")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("finnes-ikke.csv", None, "finnes-ikke.csv: Fant ikke fila."),
        ("notater.txt", None, "notater.txt: Filtypen «.txt» kan ikke brukes."),
        ("tom.csv", b"", "tom.csv: Fila er tom: den har ingen rader under overskriftsraden."),
        (
            "falsk.xlsx",
            b"id;tittel\nikke excel",
            "falsk.xlsx: Fila kan ikke leses som en Excel-fil.",
        ),
        ("feil.yaml", b"cases:\n  - id: a\n   x: [\n", "feil.yaml:3: Fila er ikke gyldig YAML"),
        ("rot.csv", b"\xff\xfei\x00d\x00", "rot.csv: Teksten i fila kan ikke leses"),
    ],
)
def test_bad_files_are_explained_without_traceback(capsys, tmp_path, name, data, expected):
    if data is not None:
        (tmp_path / name).write_bytes(data)
    code, out, _ = run(capsys, "check-cases", name)
    assert code == 1
    assert len(out) == 1 and out[0].startswith(expected)


def test_messages_follow_kit_lang(capsys, monkeypatch):
    monkeypatch.setenv("KIT_LANG", "nn")
    code, out, err = run(capsys, "check-cases", "borte.csv")
    assert code == 1
    assert out == ["borte.csv: Fann ikkje fila. Sjekk at namnet og mappa er rett skrivne."]
    assert err.startswith("Tal på problem: 1.")


def test_check_cases_help_is_translated(capsys, monkeypatch):
    monkeypatch.setenv("KIT_LANG", "en")
    with pytest.raises(SystemExit) as info:
        main(["check-cases", "--help"])
    assert info.value.code == 0
    assert "Check a file of your own cases" in capsys.readouterr().out


def test_serve_is_still_there(capsys):
    code, _, err = run(capsys, "serve", "--port", "0")
    assert code == 2 and "0" in err


# ---------------------------------------------------------------- template


@pytest.mark.parametrize("name", ["mal.xlsx", "mal.csv", "MAL.XLSX"])
def test_template_is_accepted_by_check_cases(capsys, tmp_path, name):
    code, out, _ = run(capsys, "template", name)
    assert code == 0
    assert out == [
        f"Malen er lagret i {name}. Bytt ut eksempelraden med egne caser, én per rad, og sjekk "
        f"fila med: samskaping check-cases {name}"
    ]
    assert (tmp_path / name).exists()
    assert run(capsys, "check-cases", name)[:2] == (
        0,
        ["OK: 1 case (lett 1, middels 0, vanskelig 0)"],
    )
    (case,) = read_cases(tmp_path / name).cases
    assert (case.process, case.level) == ("samproduksjon", 3)
    assert case.title.nb.startswith("Konstruert eksempel")
    assert case.title.en.startswith("Constructed example")


def test_csv_template_opens_in_norwegian_excel(capsys, tmp_path):
    run(capsys, "template", "mal.csv")
    data = (tmp_path / "mal.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == ";".join(COLUMNS)


def test_xlsx_template_is_ready_to_fill_in(capsys, tmp_path):
    run(capsys, "template", "mal.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "mal.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 40  # tekst
    assert sheet.max_row == 2


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_xlsx_template_explains_every_column(capsys, monkeypatch, tmp_path, lang):
    """The help sheet has a row for every column of the template (in the template's order),
    each saying what it means, whether it is required, the allowed values and (for the
    columns the example row fills in) that example, in the chosen language."""
    monkeypatch.setenv("KIT_LANG", lang)
    run(capsys, "template", "mal.xlsx")
    book = openpyxl.load_workbook(tmp_path / "mal.xlsx")
    assert book.sheetnames == [t("cases_template_sheet", lang), t("cases_help_sheet", lang)]
    cases, help_sheet = book.worksheets
    headers = [c.value for c in cases[1]]
    rows = list(help_sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        t(f"cases_help_{key}", lang)
        for key in ("column", "meaning", "required", "values", "example")
    ]
    assert [row[0] for row in rows[1:]] == headers == list(COLUMNS)
    example = {c.value: v.value for c, v in zip(cases[1], cases[2], strict=True)}
    required, optional = t("cases_help_yes", lang), t("cases_help_no", lang)
    for column, meaning, needed, values, shown in rows[1:]:
        assert meaning and values, column
        assert needed == (required if column in REQUIRED else optional), column
        if example[column] not in (None, ""):
            assert shown == str(example[column]), column
    by_column = {row[0]: row for row in rows[1:]}
    assert "verdisamskaping" in by_column["prosess"][3]
    assert "vanskelig" in by_column["vanskelighet"][3]


def test_xlsx_template_offers_the_allowed_values_in_lists(capsys, tmp_path):
    """Drop-down lists on prosess, nivå and vanskelighet, with exactly the values the kit
    accepts (its processes, the model's levels, its tiers), on every row a file may have."""
    run(capsys, "template", "mal.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "mal.xlsx").worksheets[0]
    letters = {c.value: c.column_letter for c in sheet[1]}
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list" and validation.allow_blank
        (ranges,) = str(validation.sqref).split()
        lists[ranges] = validation.formula1.strip('"').split(",")
    assert lists == {
        f"{letters['prosess']}2:{letters['prosess']}2001": list(PROCESSES),
        f"{letters['nivå']}2:{letters['nivå']}2001": ["1", "2", "3"],
        f"{letters['vanskelighet']}2:{letters['vanskelighet']}2001": list(TIERS),
    }


def test_a_filled_xlsx_template_is_read_without_its_help_sheet(capsys, tmp_path):
    """The help sheet is never read as cases: a template with a second case filled in (every
    value from the lists) is two cases."""
    run(capsys, "template", "mal.xlsx")
    book = openpyxl.load_workbook(tmp_path / "mal.xlsx")
    sheet = book.worksheets[0]
    row = dict.fromkeys(COLUMNS, None)
    row.update(
        id="egen-1",
        tittel="Egen case",
        tekst="Kommunen og frivilligsentralen utvikler et nytt tilbud sammen.",
        prosess="samskaping",
        nivå=2,
        forklaring="De utvikler tilbudet sammen.",
        vanskelighet="middels",
    )
    sheet.append([row[c] for c in COLUMNS])
    book.save(tmp_path / "mal.xlsx")
    code, out, _ = run(capsys, "check-cases", "mal.xlsx")
    assert (code, out) == (0, ["OK: 2 caser (lett 1, middels 1, vanskelig 0)"])


def test_nynorsk_template(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KIT_LANG", "nn")
    code, out, _ = run(capsys, "template", "mal.csv")
    assert code == 0 and out[0].startswith("Malen er lagra i mal.csv.")
    (case,) = read_cases(tmp_path / "mal.csv").cases
    assert case.title.nb.startswith("Konstruert døme")


@pytest.mark.parametrize("name", ["mal.txt", "mal.yaml", "mal"])
def test_template_refuses_other_types(capsys, tmp_path, name):
    code, out, err = run(capsys, "template", name)
    assert code == 2 and out == []
    assert "kan bare lagres som .xlsx eller .csv" in err
    assert not (tmp_path / name).exists()


def test_template_does_not_overwrite_without_force(capsys, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("mine egne caser", encoding="utf-8")
    code, out, err = run(capsys, "template", "mine.csv")
    assert code == 2 and out == []
    assert "finnes allerede" in err and "--force" in err
    assert path.read_text(encoding="utf-8") == "mine egne caser"
    code, _, _ = run(capsys, "template", "mine.csv", "--force")
    assert code == 0
    assert run(capsys, "check-cases", "mine.csv")[:2] == (
        0,
        ["OK: 1 case (lett 1, middels 0, vanskelig 0)"],
    )


def test_template_into_missing_folder_is_explained(capsys):
    code, out, err = run(capsys, "template", "finnes/ikke/mal.xlsx")
    assert code == 1 and out == []
    assert err.startswith("Kunne ikke lagre finnes/ikke/mal.xlsx")


# ---------------------------------------------------------------- tiers and the library


TIERED = (
    yaml_case("a")
    + yaml_case("b", vanskelighet="lett")
    + yaml_case("c", vanskelighet="middels")
    + yaml_case("d", vanskelighet="vanskelig")
    + yaml_case("e", difficulty="hard")
    + yaml_case("f", tier="Vanskelig")
)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("nb", "OK: 6 caser (lett 2, middels 1, vanskelig 3)"),
        ("nn", "OK: 6 case (lett 2, middels 1, vanskeleg 3)"),
        ("en", "OK: 6 cases (easy 2, medium 1, hard 3)"),
    ],
)
def test_check_cases_counts_the_tiers(capsys, monkeypatch, tmp_path, lang, line):
    monkeypatch.setenv("KIT_LANG", lang)
    write_library(tmp_path, {"t.yaml": TIERED})
    assert run(capsys, "check-cases", "t.yaml")[:2] == (0, [line])


def test_unknown_tier_is_a_problem(capsys, tmp_path):
    write_library(tmp_path, {"t.yaml": yaml_case("a") + yaml_case("b", vanskelighet="tung")})
    code, out, _ = run(capsys, "check-cases", "t.yaml")
    assert code == 1
    assert out == [
        "t.yaml:9: vanskelighet: «tung» er ikke en gyldig vanskelighetsgrad. "
        "Skriv lett, middels eller vanskelig (eller easy, medium, hard), "
        "eller la cellen stå tom for lett."
    ]


def test_library_counts_match_the_cases(capsys):
    code, out, err = run(capsys, "check-cases", "--library")
    cases = load_cases()
    assert (code, err) == (0, "")
    first = re.fullmatch(r"OK: (\d+) caser i (\d+) filer \((.*)\)", out[0])
    assert first and int(first[1]) == len(cases) and int(first[2]) >= 1
    assert out[0].replace(f" i {first[2]} filer", "") == ok_line(cases)
    processes = Counter(c.process for c in cases)
    assert out[2] == (
        f"Per prosess: Samskaping: {processes['samskaping']}, "
        f"Samproduksjon: {processes['samproduksjon']}, "
        f"Verdisamskaping: {processes['verdisamskaping']}, Ingen av dem: {processes['ingen']}"
    )
    levels = Counter(c.level for c in cases)
    assert out[3] == (
        f"Per nivå: Nivå 1: {levels[1]}, Nivå 2: {levels[2]}, Nivå 3: {levels[3]}, "
        f"Ikke noe nivå: {levels[None]}"
    )
    assert out[4].startswith("Per område: ") and "Eldreomsorg: " in out[4]
    domains = Counter(c.domain for c in cases)
    assert sum(int(n) for n in re.findall(r": (\d+)", out[4].split(": ", 1)[1])) == len(cases)
    assert len(domains) == out[4].count(",") + 1
    assert out[5].startswith("Kjeder: ")


def test_library_in_its_own_folder(capsys, monkeypatch, tmp_path):
    """--library reads data/cases.yaml and data/cases/*.yaml; a repeated id names both files."""
    import kit.cases.casefile

    monkeypatch.setattr(kit.cases.casefile, "data_dir", lambda: tmp_path)
    write_library(
        tmp_path,
        {
            "cases.yaml": yaml_case("a", par="b"),
            "cases/x.yaml": yaml_case(
                "b", par="a", vanskelighet="middels", prosess="ingen", nivå=""
            ),
        },
    )
    code, out, _ = run(capsys, "check-cases", "--library")
    assert code == 0
    assert out[0] == "OK: 2 caser i 2 filer (lett 1, middels 1, vanskelig 0)"
    assert out[1] == "Per fil: cases.yaml: 1, cases/x.yaml: 1"
    assert len(out) == 6  # pairs across the files are no warning

    (tmp_path / "cases" / "y.yaml").write_text(
        "schema: 1\ncases:\n" + yaml_case("c") + yaml_case("a"), encoding="utf-8"
    )
    code, out, err = run(capsys, "check-cases", "--library")
    assert code == 1 and "1" in err
    assert out == [
        "cases/y.yaml:9: id: Id-en «a» er allerede brukt i cases.yaml (linje 3). Id-ene må være "
        "unike i hele case-biblioteket: gi denne casen en annen id."
    ]
    # the file alone is fine; checked as a library file, the clash with cases.yaml shows
    code, out, _ = run(capsys, "check-cases", "cases/y.yaml")
    assert code == 1 and out[0].startswith("cases/y.yaml:9: id: Id-en «a» er allerede brukt i ")
    code, out, _ = run(capsys, "check-cases", "cases/x.yaml")
    assert (code, out) == (0, ["OK: 1 case (lett 0, middels 1, vanskelig 0)"])


@pytest.mark.parametrize("argv", [["check-cases"], ["check-cases", "x.yaml", "--library"]])
def test_check_cases_wants_a_file_or_the_library(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, [])
    assert err.startswith("Oppgi enten en fil")


@pytest.mark.parametrize(
    "doc",
    [
        "README.md",
        "data/fasilitatorguide.md",
        "data/fasilitatorguide_nn.md",
        "data/fasilitatorguide_en.md",
    ],
)
def test_the_documents_name_every_column(doc):
    """Where a course leader reads about case files, every column of the template is named."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert not missing, f"{doc} does not explain {missing}"
