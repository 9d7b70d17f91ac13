"""The classification app driven without a browser: choose cases, answer, read the summary."""

from __future__ import annotations

import base64

import pytest

from kit.casefile import load_cases
from kit.widgets import Klassifisering

HOSTILE_CSV = (
    "id;tittel;tekst;prosess;nivå;forklaring;område\n"
    "x1;<script>alert(1)</script>Tittel;<img src=x onerror=alert(2)> tekst;samskaping;2;"
    "<b>fet</b> forklaring;kultur\n"
).encode()

BAD_CSV = (
    "id;tittel;tekst;prosess;nivå;forklaring\n"
    "a;A;tekst;samarbeid;2;f\n"
    "b;B;tekst;samproduksjon;2;f\n"
).encode()


def answer(app: Klassifisering, process: str, level: int | None) -> None:
    app.process_choice.value = process
    app.level_choice.value = level or 0
    app.check_button.click()


def test_whole_run_with_feedback_progress_and_summary():
    app = Klassifisering(lang="nb", seed=3)
    app.shuffle_box.value = False
    app.source_choice.value = "domain"
    app.domain_choice.value = "kultur"
    app.start_button.click()
    session = app.session
    assert session is not None and app.phase == "exercise"
    assert {c.domain for c in session.cases} == {"kultur"}
    total = session.total
    assert f"Case 1 av {total}" in app.progress_text.value
    first = session.current
    answer(app, first.process, first.level)
    assert "Helt riktig!" in app.feedback.value
    assert first.explanation.nb in app.feedback.value
    assert app.next_button.disabled is False and app.check_button.disabled is True
    assert f"<progress max='{total}' value='1'>" in app.progress_text.value
    app.next_button.click()
    for _ in range(total - 1):
        case = session.current
        wrong = "ingen" if case.process != "ingen" else "samskaping"
        answer(app, wrong, 2 if wrong == "samskaping" else None)
        assert "✘ Prosess: feil." in app.feedback.value
        app.next_button.click()
    assert app.phase == "summary"
    assert f"Du fikk 1 av {total} helt riktige" in app.summary_text.value
    assert app.chart.chart.spec["description"].startswith(f"1 av {total} svar")
    assert "data:text/csv;charset=utf-8;base64," in app.download.value
    payload = app.download.value.split("base64,")[1].split("'")[0]
    csv_text = base64.b64decode(payload).decode("utf-8-sig")
    assert csv_text.count("\n") == total + 1
    assert app.practise_button.description.endswith(f"({total - 1})")
    app.practise_button.click()
    assert app.phase == "exercise" and app.session.total == total - 1


def test_check_without_choice_asks_for_both():
    app = Klassifisering(lang="en", seed=1)
    app.start_button.click()
    app.process_choice.value = "samskaping"
    app.check_button.click()
    assert "Choose both a process and a level" in app.feedback.value
    assert not app.session.checked


def test_feedback_names_the_level_of_the_model():
    app = Klassifisering(lang="nb", seed=1)
    app.shuffle_box.value = False
    app.start_button.click()
    case = app.session.current
    answer(app, case.process, case.level)
    if case.level:
        assert f"Hvor i modellen: Nivå {case.level}:" in app.feedback.value
    else:
        assert "Ingen av modellens nivåer" in app.feedback.value


def test_language_switch_keeps_the_session():
    app = Klassifisering(lang="nb", seed=2)
    app.start_button.click()
    case = app.session.current
    answer(app, case.process, case.level)
    app.language.value = "en"
    assert app.phase == "exercise" and app.session.current == case
    assert "Fully right!" in app.feedback.value
    assert case.title.en in app.case_view.value


def test_uploaded_file_with_problems_is_shown_and_not_started():
    app = Klassifisering(lang="nb")
    report = app.load_file(BAD_CSV, "mine.csv")
    assert not report.ok
    status = app.upload_status.value
    assert "mine.csv har 2 feil" in status
    assert "mine.csv:2: prosess:" in status and "mine.csv:3: nivå:" in status
    app.start_button.click()
    assert app.phase == "setup" and "ingen case" in app.start_message.value


def test_hostile_text_is_shown_as_text():
    app = Klassifisering(lang="nb")
    report = app.load_file(HOSTILE_CSV, "farlig.csv")
    assert report.ok, report.lines("nb")
    app.start_button.click()
    view = app.case_view.value
    assert "<script>" not in view and "&lt;script&gt;alert(1)&lt;/script&gt;Tittel" in view
    assert "<img" not in view and "&lt;img src=x onerror=alert(2)&gt;" in view
    answer(app, "samskaping", 2)
    assert "<b>" not in app.feedback.value and "&lt;b&gt;fet&lt;/b&gt;" in app.feedback.value


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_setup_texts_in_each_language(lang):
    app = Klassifisering(lang=lang)
    n = len(load_cases())
    assert str(n) in app.source_choice.options[0][0]
    assert app.process_choice.description and app.level_choice.description
