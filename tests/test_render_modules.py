"""The pure render modules the widgets show (kit.exercise_html, kit.explorer_html,
kit.plans_html, kit.compass_html): strings in, strings out, no UI library imported."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from kit import exercise_html as eh
from kit import explorer_html as xh
from kit import plans_html as ph
from kit.cases import Case
from kit.exercise import Answer, check, score
from kit.i18n import t
from kit.model import load_model
from kit.plans import read_plans_bytes
from kit.text import Text
from tests.regions import table_region_labels

RENDER_MODULES = ("exercise_html", "explorer_html", "plans_html", "compass_html", "render")

HOSTILE = "<img src=x onerror=alert(1)>"


def test_render_modules_load_no_ui_library():
    """Imported on their own (and with all they import), no widget or chart library loads."""
    code = (
        "import sys\n"
        + "".join(f"import kit.{m}\n" for m in RENDER_MODULES)
        + "print(','.join(m for m in ('ipywidgets', 'IPython', 'altair', 'anywidget')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def case(process: str = "samskaping", level: int | None = 2, title: str = "Tittel") -> Case:
    return Case(
        id="c1",
        title=Text(nb=title, en="Title"),
        text=Text(nb="Tekst.", en="Text."),
        process=process,
        level=level,
        explanation=Text(nb=f"Forklaring {HOSTILE}", en="Explanation."),
        domain="kultur",
    )


def test_case_html_escapes_and_marks_the_title_as_the_focus_target():
    html = eh.case_html(case(title=HOSTILE), "nb")
    assert HOSTILE not in html and "&lt;img src=x" in html
    assert html.startswith("<h2 class='kit-case-title' tabindex='-1' data-kit-focus>")
    assert "Område:" in html


@pytest.mark.parametrize(
    ("answer", "outcome", "verdict"),
    [
        (Answer("samskaping", 2), "right", "Helt riktig!"),
        (Answer("samskaping", 1), "wrong", "✘ Nivå: feil."),
        (Answer("ingen", None), "wrong", "✘ Prosess: feil."),
    ],
)
def test_feedback_html_says_what_was_right_in_words(answer, outcome, verdict):
    html = eh.feedback_html(check(case(), answer), load_model(), "nb")
    assert f"kit-feedback-{outcome}" in html and verdict in html
    assert "Hvor i modellen: Nivå 2:" in html
    assert HOSTILE not in html and "&lt;img" in html
    assert "role=" not in html  # shown in a live region that exists from page load


def test_summary_and_download():
    fb = [check(case(), Answer("samskaping", 2)), check(case(), Answer("ingen", None))]
    html = eh.summary_html(score(fb), "en")
    assert table_region_labels(html) == [t("klass_by_process_heading", "en")]
    assert html.startswith("<h2 tabindex='-1' data-kit-focus>Summary</h2>")
    assert "<th scope='col'>" in html
    link = eh.download_html(b"id;svar\nc1;ja\n", "nb")
    payload = link.split("base64,")[1].split("'")[0]
    assert base64.b64decode(payload) == b"id;svar\nc1;ja\n"
    assert "download='" in link


def test_upload_status_html_none_ok_and_problems():
    assert "Ingen fil" in eh.upload_status_html(None, "", 0, (), 0, "nb")
    ok = eh.upload_status_html(True, HOSTILE, 5, (), 0, "nb")
    assert "role='status'" in ok and "&lt;img" in ok and HOSTILE not in ok
    bad = eh.upload_status_html(False, "f.csv", 0, ["f.csv:2: tekst: tom", HOSTILE], 2, "en")
    assert "role='alert'" in bad and bad.count("<li>") == 2 and HOSTILE not in bad


def test_notices_and_round_note():
    assert eh.notices_html([]) == ""
    assert eh.notices_html(["a", HOSTILE]).startswith("<div role='alert'>")
    note = eh.round_note_html(["x"], "nb")
    assert "role='status'" in note and "<li>x</li>" in note
    assert "<ul>" not in eh.round_note_html([], "nb")


def test_diagram_cells_in_reading_order_with_grid_areas():
    model = load_model()
    cells = xh.diagram_cells(model)
    kinds = [c.kind for c in cells]
    assert kinds == [
        "bracket",
        "level",
        "arrows",
        "level",
        "arrows",
        "bracket",
        "level",
        "value",
        "evaluation",
    ]
    brackets = {c.key: c.area for c in cells if c.kind == "bracket"}
    assert brackets == {"samskaping": "1 / 1 / 2 / 4", "samproduksjon": "1 / 5 / 2 / 6"}
    assert [c.key for c in cells if c.kind == "level"] == [1, 2, 3]
    assert xh.grid_columns(model).split() == ["minmax(0,", "1fr)", "auto"] * 2 + [
        "minmax(0,",
        "1fr)",
    ]


def test_diagram_cell_html_in_each_language():
    model = load_model()
    cells = {c.kind: c for c in xh.diagram_cells(model)}
    assert ">Samproduksjon<" in xh.cell_html(cells["bracket"], model, "nb")  # the last bracket
    arrows = xh.cell_html(cells["arrows"], model, "en")
    assert (
        f"{t('diagram_frame', 'en')} →" in arrows and f"← {t('diagram_feedback', 'en')}" in arrows
    )
    assert xh.cell_html(cells["evaluation"], model, "nb").startswith(
        "<div class='kit-evaluation'>↻"
    )
    with pytest.raises(ValueError):
        xh.cell_html(cells["level"], model, "nb")
    assert "<details class='kit-alt'>" in xh.diagram_alt_html(model, "nn")
    assert "<ol>" in xh.model_notes_html(model, "en")


def test_plans_html_status_quotes_and_heading():
    assert "Ingen fil" in ph.status_html(None, "", "nb")
    data = f"kommune;år;samskaping;sitat\nB;2021;ja;{HOSTILE}\nA;2019;nei;Først\n".encode()
    report = read_plans_bytes(data, "p.csv", "nb")
    assert report.ok
    ok = ph.status_html(report, "p.csv", "nb")
    assert "role='status'" in ok and "p.csv" in ok
    quotes = ph.quotes_html(report, "nb")
    assert quotes.index("Først") < quotes.index("&lt;img")  # oldest first
    assert HOSTILE not in quotes
    bad = ph.status_html(read_plans_bytes(b"kommune\nA\n", "b.csv", "nb"), "b.csv", "nb")
    assert "role='alert'" in bad
    assert "role='note'" in ph.result_heading_html("eks.csv", True, "nb")
    assert "role='note'" not in ph.result_heading_html("eks.csv", False, "nb")
    assert "blockquote lang='nn'" in ph.intro_html("en")
