"""`samskaping export`: the library or a course leader's file as LMS files, with the filters,
the languages and the messages of the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import pytest

from kit.cases.casefile import load_cases
from kit.core.i18n import t
from kit.server.cli import cli_lang, main
from tests.lms_files import FULL_ROWS, csv_bytes


@pytest.fixture(autouse=True)
def bokmal(monkeypatch, tmp_path):
    monkeypatch.delenv("KIT_LANG", raising=False)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def _questions(path: str) -> list[ET.Element]:
    return ET.parse(path).getroot().findall("question[@type='multichoice']")


def test_library_to_moodle_in_the_commands_language(capsys):
    code, out, _ = run(capsys, "export", "moodle", "--library")
    assert code == 0
    n = len(load_cases())
    assert out == [t("lms_cli_written", "nb", path="samskaping-kit.xml", n=n, langs="nb")]
    assert len(_questions("samskaping-kit.xml")) == n


def test_all_languages_and_filters(capsys):
    code, out, _ = run(
        capsys, "export", "moodle", "--library", "--lang", "all", "--tier", "lett",
        "--domain", "Eldreomsorg", "-o", "kurs.xml",
    )  # fmt: skip
    wanted = [c for c in load_cases() if c.tier == "lett" and c.domain == "eldreomsorg"]
    assert code == 0 and wanted
    ids = [q.findtext("idnumber") for q in _questions("kurs.xml")]
    assert sorted(ids) == sorted(f"{c.id}-{lang}" for c in wanted for lang in ("nb", "nn", "en"))
    # "all" is no language to speak: the messages stay in the environment's (bokmål)
    assert out[0].startswith("Skrev kurs.xml")
    assert cli_lang(["export", "--lang", "all"], {"KIT_LANG": "nn"}) == "nn"


def test_h5p_in_three_languages_is_three_files(capsys):
    code, out, _ = run(capsys, "export", "h5p", "--library", "--lang=all", "--id", "tirsdagslunsj")
    assert code == 0
    assert [line.split(":")[0] for line in out] == [
        f"Skrev samskaping-kit-{lang}.h5p" for lang in ("nb", "nn", "en")
    ]
    for lang in ("nb", "nn", "en"):
        assert "h5p.json" in zipfile.ZipFile(f"samskaping-kit-{lang}.h5p").namelist()


def test_a_course_leaders_file_in_english(capsys, tmp_path):
    (tmp_path / "kurs.csv").write_bytes(csv_bytes(FULL_ROWS))
    code, out, _ = run(capsys, "--lang", "en", "export", "qti21", "kurs.csv", "-o", "kurs.zip")
    assert code == 0
    assert out == ["Wrote kurs.zip: 2 questions (en)."]
    names = zipfile.ZipFile("kurs.zip").namelist()
    assert "items/kafe-verdi-en.xml" in names


def test_what_a_filter_did_not_find_is_said(capsys):
    code, out, err = run(
        capsys, "export", "cc", "--library", "--id", "finnes-ikke", "--domain", "Mars"
    )
    assert code == 2 and out == []
    assert "Ingen case har området «Mars». Områdene er: arbeid og inkludering" in err
    assert "Ingen case har id-en «finnes-ikke»." in err


def test_nothing_fits(capsys):
    code, _, err = run(
        capsys, "export", "moodle", "--library", "--id", "tirsdagslunsj", "--tier", "vanskelig"
    )
    assert code == 2
    assert err.strip() == t("lms_cli_none", "nb")


def test_a_file_with_problems_is_listed_not_exported(capsys, tmp_path):
    (tmp_path / "feil.csv").write_bytes(csv_bytes([{**FULL_ROWS[0], "prosess": "samarbeid"}]))
    code, out, err = run(capsys, "export", "moodle", "feil.csv")
    assert code == 1
    assert out and out[0].startswith("feil.csv:2: prosess:")
    assert not (tmp_path / "samskaping-kit.xml").exists()


def test_existing_file_needs_force(capsys, tmp_path):
    (tmp_path / "samskaping-kit.imscc").write_bytes(b"old")
    code, _, err = run(capsys, "export", "cc", "--library")
    assert code == 2 and "--force" in err
    assert (tmp_path / "samskaping-kit.imscc").read_bytes() == b"old"
    code, _, _ = run(capsys, "export", "cc", "--library", "--force")
    assert code == 0 and zipfile.is_zipfile(tmp_path / "samskaping-kit.imscc")


def test_file_or_library(capsys):
    code, _, err = run(capsys, "export", "moodle")
    assert code == 2 and "--library" in err
