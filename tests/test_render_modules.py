"""The pure render modules the widgets show (kit.classify.html, kit.model.explorer_html,
kit.plans.html, kit.compass.html, kit.live.presenter_html, kit.guide.start_html, kit.concepts.slides_html,
kit.core.html, kit.model.html, kit.cases.html): strings in, strings out (that they import no UI library is an
import contract in pyproject.toml, checked by ./run lint-imports)."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from functools import partial
from html import escape

import pytest

from kit.cases import html as cases_html
from kit.cases.case import Answer
from kit.cases.grading import check
from kit.classify import html as eh
from kit.classify.exercise import score
from kit.concepts import slides_html as render_slides
from kit.core import html as render_docs
from kit.core.html import chart_words_html
from kit.core.i18n import t
from kit.core.text import Text
from kit.guide import start_html
from kit.live import presenter_html as prh
from kit.model import explorer_html as xh
from kit.model.model import load_model
from kit.plans import html as ph
from kit.plans.plans import read_plans_bytes
from tests.factories import make_case
from tests.regions import table_region_labels

HOSTILE = "<img src=x onerror=alert(1)>"


#: the exercise's case: samskaping 2, a hostile explanation
case = partial(
    make_case,
    level=2,
    title=Text("Tittel", en="Title"),
    text=Text("Tekst.", en="Text."),
    explanation=Text(f"Forklaring {HOSTILE}", en="Explanation."),
    domain="kultur",
)


def test_case_html_escapes_and_marks_the_title_as_the_focus_target():
    html = eh.case_html(case(title=Text(HOSTILE, en="Title")), "nb")
    assert HOSTILE not in html and "&lt;img src=x" in html
    assert html.startswith("<div class='kit-case-head'><h2 class='kit-case-title' tabindex='-1'")
    assert "data-kit-focus>" in html.split("</h2>")[0]
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
    assert "Ingen fil" in cases_html.upload_status_html(None, "", 0, (), 0, "nb")
    ok = cases_html.upload_status_html(True, HOSTILE, 5, (), 0, "nb")
    assert "role='status'" in ok and "&lt;img" in ok and HOSTILE not in ok
    bad = cases_html.upload_status_html(
        False, "f.csv", 0, ["f.csv:2: tekst: tom", HOSTILE], 2, "en"
    )
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


# ------------------------------------------------------------------------ the presenter's app

LANGS = ("nb", "nn", "en")


#: the presenter's case: samproduksjon 3, hostile in every language
live_case = partial(
    make_case,
    process="samproduksjon",
    level=3,
    title=Text(f"{HOSTILE} nb", nn=f"{HOSTILE} nn", en=f"{HOSTILE} en"),
    text=Text(f"Tekst {HOSTILE}", nn="Tekst nn.", en="Text."),
    explanation=Text(f"Forklaring {HOSTILE}", nn="Forklaring nn.", en="Explanation."),
)


def badges(html: str) -> int:
    return html.count("class='kit-badge")


@pytest.mark.parametrize("lang", LANGS)
def test_case_card_html_escapes_and_starts_with_number_and_title(lang):
    html = prh.case_card_html(live_case(), 4, 0, lang)
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.startswith(f"<h3>4. &lt;img src=x onerror=alert(1)&gt; {lang}</h3>")
    # nothing yet: no badge, no round, no key; the count says no answers
    assert badges(html) == 0 and "kit-feedback" not in html
    assert f"<p><em>{t('live_no_answers', lang)}</em></p>" in html
    assert t("live_round_n", lang, n=1) not in html


@pytest.mark.parametrize("lang", LANGS)
def test_case_card_html_states(lang):
    case = live_case()
    place = t("live_place", lang, n=2)
    # a place in the ranking is shown only once the case has answers
    assert place not in prh.case_card_html(case, 1, 0, lang, place=2)
    html = prh.case_card_html(case, 1, 5, lang, place=2)
    assert f"<p class='kit-badge'>{place}</p>" in html and badges(html) == 1
    assert t("live_case_answers", lang, n=5) in html
    now = prh.case_card_html(case, 1, 5, lang, place=2, now_showing=True)
    assert f"<p class='kit-badge kit-now'>{t('live_now_showing', lang)}</p>" in now
    assert badges(now) == 2
    second = prh.case_card_html(case, 1, 5, lang, round_number=2)
    assert (
        f"<em>{t('live_round_n', lang, n=2)} · {t('live_case_answers', lang, n=5)}</em>" in second
    )
    key = t(
        "live_key", lang, process=t("process_samproduksjon", lang), level=t("level_n", lang, n=3)
    )
    assert key not in html
    shown = prh.case_card_html(case, 1, 5, lang, revealed=True)
    assert "<div class='kit-feedback kit-feedback-right'>" in shown
    assert f"<strong>✔ {key}</strong>" in shown
    assert HOSTILE not in shown  # the explanation (nb) is escaped too


def test_case_card_html_key_of_a_case_outside_the_model():
    html = prh.case_card_html(live_case(process="ingen", level=None), 1, 1, "en", revealed=True)
    assert (
        t("live_key", "en", process=t("process_ingen", "en"), level=t("level_none", "en")) in html
    )


@pytest.mark.parametrize("lang", LANGS)
def test_spotlight_html_escapes_the_case(lang):
    html = prh.spotlight_html(live_case(), lang)
    assert html.startswith(f"<p class='kit-now'>{t('live_now_showing', lang)}</p><h2>")
    assert HOSTILE not in html and "&lt;img" in html
    assert "<p class='kit-spotlight-case'>" in html


@pytest.mark.parametrize("lang", ("nb", "en"))
def test_join_html_escapes_code_short_url_and_link(lang):
    url = f"http://10.0.0.5:8866/delta?kode={HOSTILE}"
    html = prh.join_html(HOSTILE, url, f"10.0.0.5:8866/{HOSTILE}", lang)
    assert HOSTILE not in html
    assert "<p class='kit-code'>&lt;img src=x onerror=alert(1)&gt;</p>" in html
    assert f"<p class='kit-code-label'>{t('live_code_label', lang)}</p>" in html
    assert f"{t('live_go_to', lang)} <strong>10.0.0.5:8866/&lt;img" in html
    assert "<a href='http://10.0.0.5:8866/delta?kode=&lt;img" in html
    qr = html.split("<div class='kit-qr'>")[1]
    assert qr.startswith("<svg role='img' aria-label='") and "&lt;img" in qr
    assert escape(t("live_qr_alt", lang, url=url)) in qr


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8866/delta?kode=ACD347", True),
        ("http://localhost:8866/", True),
        ("http://[::1]:8866/", True),
        ("http://0.0.0.0:8866/", True),
        ("http://192.168.1.20:8866/delta", False),
        ("https://kurs.example.org/samskaping/delta", False),
    ],
)
@pytest.mark.parametrize("lang", ("nb", "nn", "en"))
def test_loopback_warning_only_for_loopback_urls(url, shown, lang):
    html = prh.loopback_warning_html(url, lang)
    if not shown:
        assert html == ""
        return
    assert html.startswith("<div class='kit-warning' role='note'>")
    assert f"<strong>{t('live_loopback_title', lang)}</strong>" in html
    assert f"<p>{escape(t('live_loopback_fix', lang, command='samskaping'))}</p></div>" in html
    assert "&lt;this machine" in prh.loopback_warning_html(url, "en")  # the fix's <...> escaped


@pytest.mark.parametrize("lang", LANGS)
def test_stats_page_text_and_error(lang):
    running = prh.stats_html(3, 7, False, lang)
    assert running.startswith("<p role='status'><strong>")
    assert t("live_participants", lang, n=3) in running and t("live_answers", lang, n=7) in running
    assert t("live_ended", lang) not in running
    assert f"<strong>{t('live_ended', lang)}</strong></p>" in prh.stats_html(3, 7, True, lang)
    page = prh.page_text_html(11, 20, 25, lang)
    assert page == f"<p aria-live='polite'>{t('live_page', lang, first=11, last=20, n=25)}</p>"
    assert prh.error_html("") == ""
    error = prh.error_html(HOSTILE)
    assert error.startswith("<p role='alert' class='kit-error'>") and HOSTILE not in error


@pytest.mark.parametrize("lang", ("nb", "en"))
def test_resume_item_html_open_and_ended(lang):
    started = datetime(2025, 3, 4, 12, 30, tzinfo=timezone.utc)
    time = started.astimezone().strftime("%d.%m. %H:%M")
    open_ = prh.resume_item_html("ACD347", started, True, lang)
    assert open_ == f"<p>{t('live_resume_item', lang, code='ACD347', time=time)}</p>"
    ended = prh.resume_item_html(HOSTILE, started, False, lang)
    assert ended == f"<p>{escape(t('live_resume_item_ended', lang, code=HOSTILE, time=time))}</p>"
    assert HOSTILE not in ended and ended != open_


@pytest.mark.parametrize(("kind", "mime"), [("csv", "text/csv"), ("xlsx", "spreadsheetml")])
def test_download_html_names_the_file_and_carries_the_data(kind, mime):
    link = prh.download_html(b"a;b\n1;2\n", kind, "ACD347", "en")
    assert link.startswith("<p><a class='kit-download' download='")
    assert f"download='{t('live_export_file', 'en', code='ACD347')}.{kind}'" in link
    assert mime in link.split("href='data:")[1].split(";")[0]
    payload = link.split("base64,")[1].split("'")[0]
    assert base64.b64decode(payload) == b"a;b\n1;2\n"
    assert t(f"live_download_{kind}", "en", code="ACD347") in link
    assert HOSTILE not in prh.download_html(b"", kind, HOSTILE, "nb")


# ------------------------------------------------------------- start page, slides, small parts


@pytest.mark.parametrize("lang", LANGS)
def test_start_page_parts(lang):
    intro = start_html.intro_html(lang)
    assert intro.startswith(f"<p class='kit-lead'>{escape(t('start_intro', lang))}</p>")
    assert intro.count("<li>") == 3
    apps = start_html.apps_html(lang)
    assert apps.startswith(f"<h2>{t('start_apps_heading', lang)}</h2><ul class='kit-app-cards")
    assert f"?lang={lang}'" in apps
    about = start_html.about_html(lang)
    assert about.startswith(f"<h2>{t('start_about_heading', lang)}</h2>")
    quick = start_html.quickstart(lang, f"# Hurtigstart\n\n{HOSTILE}\n")
    assert "<div class='kit-guide' lang='nb'>" in quick and HOSTILE not in quick


@pytest.mark.parametrize("lang", LANGS)
def test_slides_counter_and_keys_hint(lang):
    counter = render_slides.counter_html(3, 12, lang)
    assert counter == f"<p role='status'>{t('slides_counter', lang, n=3, total=12)}</p>"
    assert render_slides.keys_hint_html(lang).startswith("<p class='kit-note'>")


def test_chart_words_and_document_html_escape_their_text():
    words = chart_words_html(HOSTILE, "<table></table>", HOSTILE)
    assert words.count("&lt;img") == 2 and HOSTILE not in words
    assert "<details class='kit-alt'><summary>" in words and "<table></table></details>" in words
    assert render_docs.document_html("<p>x</p>", "nn") == (
        "<div class='kit-guide' lang='nn'><p>x</p></div>"
    )
