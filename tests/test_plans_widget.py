"""The municipal-plans app driven without a browser: example, uploads, problems, escaping."""

from __future__ import annotations

import pytest

from kit import Kommuneplaner
from kit.plans.plans import EXAMPLE_FILE

HOSTILE_CSV = (
    "kommune;år;samskaping;sitat\n"
    "<script>window.x=1</script>Farlig kommune;2019;ja;<img src=x onerror=alert(1)> sitat\n"
    "Trygg kommune;2020;nei;\n"
).encode()

BAD_CSV = ("kommune;år;samskaping;sitat\nA;2019;kanskje;\n<b>B</b>;19x9;ja;\n").encode()


def upload(app: Kommuneplaner, data: bytes, name: str) -> None:
    """What the browser sends when a file is chosen in the file field (kit.core.ui.upload)."""
    field = app.upload_button
    field._handle_message(
        field, {"type": "file", "name": name, "size": len(data)}, [memoryview(data)]
    )


def test_start_explains_the_source_and_shows_no_numbers():
    app = Kommuneplaner(lang="nb")
    intro = app.body.children[0].value
    assert "337 kommuner" in intro and "oppgir ikke tallene" in intro
    assert "felles oppgåveløysing" in intro and "Øygarden kommune" in intro
    assert "<blockquote lang='nn'" in intro
    assert app.upload_button.accept == ".xlsx,.csv"
    assert app.example_button.description == "Bruk eksempelfila"
    assert "Ingen fil er lastet inn" in app.upload_status.value
    assert app.result_box.children == ()


def test_example_file_draws_both_charts_and_says_it_is_invented():
    app = Kommuneplaner(lang="nb")
    app.example_button.click()
    assert app.report is not None and app.report.ok and app.is_example
    assert f"{EXAMPLE_FILE} er lest inn. Antall planer: 12." in app.upload_status.value
    head = app.result_box.children[0].value
    assert "Eksempelfila er oppdiktet" in head
    share, years = app.share_view, app.years_view
    assert share.chart.spec["description"].startswith("Av 12 planer fra 11 kommuner")
    assert years.chart.spec["description"].startswith("Planene ble vedtatt fra 2014 til 2024.")
    assert "<table class='kit-table'>" in share.words.value
    assert "Tallene i tabell" in years.words.value
    quotes = app.quotes.value
    assert quotes.count("<li>") == 12 and "(oppdiktet eksempel)" in quotes
    assert "Eksempelkommune A (2023): omtaler samskaping" in quotes


def test_language_switch_keeps_the_table():
    app = Kommuneplaner(lang="nb")
    app.use_example()
    app.language.value = "nn"
    assert app.report is not None and app.report.ok
    assert "Tal på planar: 12" in app.upload_status.value
    assert app.share_view.chart.spec["description"].startswith("Av 12 planar frå 11 kommunar")
    assert "Eksempelfila er oppdikta" in app.result_box.children[0].value
    app.language.value = "en"
    assert app.example_button.description == "Use the example file"
    assert "Result for kommuneplaner_eksempel.csv" in app.result_box.children[0].value


def test_upload_with_problems_lists_every_problem_and_draws_nothing():
    app = Kommuneplaner(lang="nb")
    app.use_example()
    upload(app, BAD_CSV, "planer<i>.csv")
    status = app.upload_status.value
    assert "role='alert'" in status
    assert "planer&lt;i&gt;.csv har 2 problem(er)." in status
    assert "<code>planer&lt;i&gt;.csv:2: samskaping: «kanskje» er verken ja eller nei." in status
    assert "<code>planer&lt;i&gt;.csv:3: år: «19x9» er ikke et årstall." in status
    assert "<b>" not in status and "<i>" not in status
    assert app.result_box.children == () and app.share_view is None
    assert not app.is_example
    # the problems follow the language
    app.language.value = "en"
    assert "«kanskje» is neither yes nor no" in app.upload_status.value


def test_hostile_text_is_escaped_everywhere():
    app = Kommuneplaner(lang="nb")
    upload(app, HOSTILE_CSV, "<script>alert(3)</script>.csv")
    assert app.report is not None and app.report.ok
    everything = app.upload_status.value + "".join(
        w.value for w in app.result_box.children if hasattr(w, "value")
    )
    everything += app.share_view.words.value + app.years_view.words.value
    assert "<script" not in everything and "<img" not in everything
    assert "&lt;script&gt;window.x=1&lt;/script&gt;Farlig kommune (2019)" in app.quotes.value
    assert "&lt;img src=x onerror=alert(1)&gt; sitat" in app.quotes.value
    assert "Eksempelfila er oppdiktet" not in app.result_box.children[0].value


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "tom.csv", "tom.csv: Fila er tom: den har ingen rader under overskriftsraden."),
        (b"PK\x03\x04broken", "bok.xlsx", "bok.xlsx: Fila kan ikke leses som en Excel-fil."),
    ],
)
def test_unreadable_upload(data, name, expected):
    app = Kommuneplaner(lang="nb")
    report = app.load_file(data, name)
    assert not report.ok
    assert expected in app.upload_status.value


def test_unknown_column_is_a_note_and_the_charts_still_draw():
    app = Kommuneplaner(lang="nb")
    app.load_file("kommune;år;samskaping;notat\nA;2019;ja;x\n".encode(), "notat.csv")
    status = app.upload_status.value
    assert "notat.csv er lest inn. Antall planer: 1." in status
    assert "Merknader:" in status and "Advarsel: notat.csv:1: notat: Ukjent kolonne" in status
    assert app.share_view is not None and app.years_view is not None


def test_upload_field_refuses_a_file_over_the_limit():
    from kit.core.tables import MAX_FILE_BYTES
    from kit.core.ui.upload import FileInput

    app = Kommuneplaner(lang="nn")
    assert isinstance(app.upload_button, FileInput) and app.upload_button.label == "Last opp fil"
    app.use_example()
    assert app.result_box.children
    field = app.upload_button
    field._handle_message(field, {"type": "too_big", "name": "store.csv", "size": 5 * 2**20}, [])
    assert field.message.startswith("Fila «store.csv» er for stor (5 MB)")
    assert app.report is None and app.result_box.children == ()
    upload(app, b"x" * (MAX_FILE_BYTES + 1), "store.csv")  # checked again in Python
    assert app.report is None and "er for stor (2,1 MB)" in field.message
    app.language.value = "en"
    assert field.label == "Upload file" and "is too large (2.1 MB)" in field.message
    upload(app, "kommune;år;samskaping\nA;2019;ja\n".encode(), "gode.csv")
    assert field.message == "" and app.report.ok


def test_problems_shown_are_bounded():
    rows = ["kommune;år;samskaping"] + [f"K{i};19x9;kanskje" for i in range(2000)]
    app = Kommuneplaner(lang="nb")
    upload(app, "\n".join(rows).encode(), "mange.csv")
    assert len(app.report.problems) == 4000
    status = app.upload_status.value
    assert status.count("<li>") == 51 and "… og 3950 problemer til." in status
    assert len(status) < 20_000
