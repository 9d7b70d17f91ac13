""" "Last ned til LMS" in Klassifiser: a course leader's own file as questions for a learning
platform, offered while a good file is chosen, in the chosen format and language."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
import zipfile

from kit import Klassifisering
from kit.classify import app as classify_app
from kit.core.i18n import t
from tests.lms_files import FULL_ROWS, csv_bytes


def _download(app: Klassifisering) -> tuple[str, bytes]:
    found = re.search(
        r"download='([^']+)' href='data:[^;]+(?:;[^;]+)?;base64,([^']+)'", app.lms_link.value
    )
    assert found, app.lms_link.value
    return found[1], base64.b64decode(found[2])


def _shown(widget) -> bool:
    return widget.layout.display != "none"


def test_offered_only_for_a_good_file():
    app = Klassifisering(lang="nb")
    assert not _shown(app.lms_box)  # the library is chosen
    app.load_file(csv_bytes([{**FULL_ROWS[0], "prosess": "samarbeid"}]), "feil.csv")
    assert not _shown(app.lms_box)
    app.load_file(csv_bytes(FULL_ROWS), "kurs.csv")
    assert _shown(app.lms_box)
    assert t("klass_lms_heading", "nb") in app.lms_heading.value
    app.source_choice.value = "all"
    assert not _shown(app.lms_box)


def test_moodle_file_in_the_apps_language():
    app = Klassifisering(lang="nn")
    app.load_file(csv_bytes(FULL_ROWS), "kurs.csv")
    assert app.lms_format.value == "moodle" and app.lms_lang.value == "nn"
    app.lms_button.click()
    name, data = _download(app)
    assert name == "samskaping-kit.xml"
    quiz = ET.fromstring(data)
    ids = [q.findtext("idnumber") for q in quiz.findall("question[@type='multichoice']")]
    assert sorted(ids) == ["kafe-planlegging-nn", "kafe-verdi-nn"]
    # a new choice takes the old link away
    app.lms_format.value = "qti21"
    assert app.lms_link.value == ""


def test_h5p_in_all_languages_is_one_zip_of_three_packages():
    app = Klassifisering(lang="en")
    app.load_file(csv_bytes(FULL_ROWS), "kurs.csv")
    app.lms_format.value = "h5p"
    app.lms_lang.value = "all"
    app.lms_button.click()
    name, data = _download(app)
    assert name == "samskaping-kit-h5p.zip"
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [
        f"samskaping-kit-{lang}.h5p" for lang in ("nb", "nn", "en")
    ]
    assert "Download samskaping-kit-h5p.zip" in app.lms_link.value


def test_a_file_too_large_for_the_browser_names_the_command(monkeypatch):
    monkeypatch.setattr(classify_app, "LMS_DOWNLOAD_MAX", 100)
    app = Klassifisering(lang="nb")
    app.load_file(csv_bytes(FULL_ROWS), "kurs.csv")
    app.lms_button.click()
    assert "base64" not in app.lms_link.value
    assert "role='alert'" in app.lms_link.value
    assert "export moodle FIL --lang nb" in app.lms_link.value


def test_texts_follow_the_language_menu():
    app = Klassifisering(lang="nb")
    app.load_file(csv_bytes(FULL_ROWS), "kurs.csv")
    app.language.value = "en"  # the language menu
    assert app.lms_button.description == t("klass_lms_make", "en")
    assert dict(app.lms_format.options)[t("lms_format_qti12", "en")] == "qti12"
