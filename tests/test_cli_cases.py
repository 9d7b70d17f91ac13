"""`samskaping check-cases FILE` and `samskaping template FILE`, run through the real entry point."""

from __future__ import annotations

import openpyxl
import pytest

from kit.casefile import COLUMNS, load_cases, read_cases
from kit.cli import main

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
    assert (code, out, err) == (0, [f"OK: {len(cases)} cases"], "")
    assert read_cases(path).cases == cases


def test_builtin_yaml_is_ok(capsys):
    from kit.paths import data_dir

    code, out, _ = run(capsys, "check-cases", str(data_dir() / "cases.yaml"))
    assert (code, out) == (0, [f"OK: {len(read_cases(data_dir() / 'cases.yaml').cases)} cases"])


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
    assert out[0] == "OK: 1 cases"
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
        ("tom.csv", b"", "tom.csv: Fila inneholder ingen caser."),
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
    assert run(capsys, "check-cases", name)[:2] == (0, ["OK: 1 cases"])
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
    assert run(capsys, "check-cases", "mine.csv")[:2] == (0, ["OK: 1 cases"])


def test_template_into_missing_folder_is_explained(capsys):
    code, out, err = run(capsys, "template", "finnes/ikke/mal.xlsx")
    assert code == 1 and out == []
    assert err.startswith("Kunne ikke lagre finnes/ikke/mal.xlsx")
