"""The classification app driven without a browser: choose cases, answer, read the summary."""

from __future__ import annotations

import base64
import re
from functools import partial
from html import escape

import ipywidgets as widgets
import pytest

from kit import Klassifisering
from kit.cases.casefile import load_cases
from kit.core.i18n import t
from kit.core.text import Text
from tests.factories import make_case

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


# ------------------------------------------------ what a browser sees, in the order it is sent


class Wire:
    """The updates the kernel sends to a browser for some of an app's widgets, in order: a
    browser applies them in that order, so replaying them gives what it shows at each moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, app: Klassifisering, *names: str):
        self.start = {name: getattr(app, name).get_state() for name in names}
        self.updates: list[tuple[str, dict]] = []
        watched = {id(getattr(app, name)): name for name in names}
        send = widgets.Widget._send

        def recording(widget, msg, buffers=None):
            if msg.get("method") == "update" and id(widget) in watched:
                self.updates.append((watched[id(widget)], dict(msg["state"])))
            send(widget, msg, buffers)

        monkeypatch.setattr(widgets.Widget, "_send", recording)

    def seen_when(self, name: str, shows: str) -> dict[str, dict]:
        """Every watched widget's state in the browser at the moment the widget ``name`` first
        shows ``shows`` in its value (the updates sent until then applied)."""
        view = {n: dict(state) for n, state in self.start.items()}
        for n, state in self.updates:
            view[n].update(state)
            if n == name and shows in view[n].get("value", ""):
                return view
        raise AssertionError(f"{name} never showed {shows!r}: {[n for n, _ in self.updates]}")


CHOICES = ("process_choice", "level_choice")


def test_a_new_case_shows_only_after_its_choices_are_cleared(monkeypatch):
    """Once "Case 2 av 3" (or the case's title) is on the screen, its choices are empty and
    enabled: a click on one then is never undone by a clearing that comes after it."""
    app = Klassifisering(lang="nb", seed=1)
    app.shuffle_box.value = False
    app.start(app.library[:3])
    second = app.session.cases[1]
    answer(app, "samskaping", 2)
    wire = Wire(monkeypatch, app, *CHOICES, "progress_text", "case_view", "feedback")
    # what the browser shows before: the first case's answer, chosen and locked, and its feedback
    for name in CHOICES:
        assert wire.start[name]["index"] != -1 and wire.start[name]["disabled"] is True
    assert wire.start["feedback"]["value"]
    app.next_button.click()
    assert app.session.current == second
    for name, shows in (("progress_text", "Case 2 av 3"), ("case_view", second.title.nb)):
        view = wire.seen_when(name, shows)
        choices = {c: (view[c]["index"], view[c]["disabled"]) for c in CHOICES}
        assert choices == {c: (-1, False) for c in CHOICES}, f"when {name} showed {shows!r}"
        assert view["feedback"]["value"] == "", name


def test_a_redraw_of_the_same_case_keeps_the_choices_it_shows(monkeypatch):
    """The other side of the test above: a language switch redraws the progress and the case,
    and the choices made but not yet checked stay chosen all along (what the replay sees does
    show a choice that was not cleared)."""
    app = Klassifisering(lang="nb", seed=1)
    app.start(app.library[:3])
    app.process_choice.value = "samproduksjon"
    app.level_choice.value = 3
    chosen = {name: getattr(app, name).index for name in CHOICES}
    wire = Wire(monkeypatch, app, *CHOICES, "progress_text", "case_view")
    app.language.value = "en"
    view = wire.seen_when("progress_text", "Case 1 of 3")
    for name in CHOICES:
        assert view[name]["index"] == chosen[name] != -1
        assert view[name]["disabled"] is False
    assert (app.process_choice.value, app.level_choice.value) == ("samproduksjon", 3)


def test_a_second_quick_click_on_next_is_not_a_second_step():
    """Two clicks on "next" that left the browser before the first one's answer came back: the
    second finds the new case unanswered and does nothing (no skipped case, no error)."""
    app = Klassifisering(lang="nb", seed=1)
    app.shuffle_box.value = False
    app.start(app.library[:3])
    second = app.session.cases[1]
    answer(app, "samskaping", 2)
    app.next_button.click()
    # its button is disabled in the kernel, not yet on the page; the handler itself (a button's
    # click() would only log an error that the handler raises)
    app._on_next(app.next_button)
    assert app.session.current == second and not app.session.checked
    assert "Case 2 av 3" in app.progress_text.value
    for _ in range(2):
        answer(app, "samskaping", 2)
        app.next_button.click()
    assert app.phase == "summary"
    app._on_next(app.next_button)  # a late click once the summary is shown
    assert app.phase == "summary" and len(app.session.feedbacks) == 3


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


# ---------------------------------------------------------------- the upload field, exports

FORMULA_TITLES = ["=1+1", "+47 99", "-x", "@SUM(A1)", "-5+3", '=HYPERLINK("http://x";"y")']


def formula_csv() -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "tittel", "tekst", "prosess", "nivå", "forklaring"])
    for i, title in enumerate(FORMULA_TITLES):
        writer.writerow([f"@id{i}", title, "Tekst.", "samproduksjon", 3, "Forklaring."])
    return out.getvalue().encode("utf-8")


def test_results_download_keeps_formula_like_text_as_text():
    import csv
    import io

    app = Klassifisering(lang="nb", seed=1)
    report = app.load_file(formula_csv(), "formler.csv")
    assert report.ok, report.lines()
    app.shuffle_box.value = False
    app.start_button.click()
    for _ in FORMULA_TITLES:
        answer(app, "samproduksjon", 3)
        app.next_button.click()
    assert app.phase == "summary"
    payload = app.download.value.split("base64,")[1].split("'")[0]
    data = base64.b64decode(payload)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["'" + title for title in FORMULA_TITLES]
    assert [r[0] for r in rows[1:]] == [f"'@id{i}" for i in range(len(FORMULA_TITLES))]
    assert rows[1][2] == "Samproduksjon"  # positive control: plain text is unchanged


def field_sends(app: Klassifisering, data: bytes, name: str) -> None:
    """What the browser sends when a file within the limit is chosen."""
    field = app.upload_button
    field._handle_message(field, {"type": "file", "name": name, "size": len(data)}, [data])


def test_upload_field_reads_a_file_and_keeps_the_old_api():
    from kit.core.ui.upload import FileInput

    app = Klassifisering(lang="nb")
    assert isinstance(app.upload_button, FileInput)
    assert app.upload_button.accept == ".xlsx,.csv,.yaml,.yml"
    assert app.upload_button.label == "Last opp fil"
    field_sends(app, HOSTILE_CSV, "farlig.csv")
    assert "farlig.csv: 1 case er lest inn" in app.upload_status.value
    assert app.picker.load_bytes(BAD_CSV, "mine.csv").ok is False
    assert "mine.csv har 2 feil" in app.picker.upload_status.value


def test_upload_field_refuses_a_file_over_the_limit():
    from kit.core.tables import MAX_FILE_BYTES

    app = Klassifisering(lang="nb")
    field_sends(app, HOSTILE_CSV, "farlig.csv")
    assert app.picker.selected()
    # the browser refused it and told Python only the name and size
    app.upload_button._handle_message(
        app.upload_button, {"type": "too_big", "name": "stor.csv", "size": 3 * 1024 * 1024}, []
    )
    message = app.upload_button.message
    assert message.startswith("Fila «stor.csv» er for stor (3 MB)") and "høyst 2 MB" in message
    assert app.picker.upload is None and app.picker.selected() == ()
    assert "Ingen fil er lastet opp" in app.upload_status.value
    # the same file arriving anyway is checked again in Python and never read
    field_sends(app, b"x" * (MAX_FILE_BYTES + 1), "stor.csv")
    assert app.picker.upload is None and "er for stor" in app.upload_button.message
    # the message follows the language; a good file clears it
    app.language.value = "en"
    assert app.upload_button.label == "Upload file"
    assert app.upload_button.message.startswith("The file “stor.csv” is too large (2.1 MB)")
    assert "At most 2 MB" in app.upload_button.hint
    field_sends(app, HOSTILE_CSV, "farlig.csv")
    assert app.upload_button.message == "" and app.picker.selected()


def test_problems_shown_in_the_app_are_bounded():
    rows = ["id;tittel;tekst;prosess;nivå;forklaring"] + [f"r{i};;;feil;9;" for i in range(2000)]
    app = Klassifisering(lang="en")
    report = app.load_file("\n".join(rows).encode(), "mange.csv")
    assert len(report.problems) == 10_000
    status = app.upload_status.value
    assert status.count("<li>") == 51
    assert "… and 9950 more problems." in status
    assert len(status) < 20_000


# ---------------------------------------------------------------- partial credit, marked parts


def one_case_app(case, lang: str = "nb") -> Klassifisering:
    from kit import Klassifisering

    app = Klassifisering(lang=lang, cases=(case,), seed=1)
    app.start((case,))
    return app


#: verdisamskaping 3: samproduksjon 3 is half right
VERDI_CASE = make_case(
    "v",
    "verdisamskaping",
    3,
    title=Text("Kafeen", "The café"),
    text=Text("Gjestene former kafeen.", "The guests shape the café."),
    explanation=Text("Fordi gjestenes verdi.", "Because of the guests' value."),
)


@pytest.mark.parametrize(
    ("lang", "verdict", "reason", "summary"),
    [
        (
            "nb",
            "Halvveis: et halvt poeng.",
            "verdisamskaping er det skarpere svaret",
            "Poeng i alt: 0,5 av 1. 1 av svarene ga et halvt poeng",
        ),
        (
            "nn",
            "Halvvegs: eit halvt poeng.",
            "verdisamskaping er det skarpare svaret",
            "Poeng i alt: 0,5 av 1. 1 av svara gav eit halvt poeng",
        ),
        (
            "en",
            "Halfway there: half a point.",
            "value co-creation is the sharper answer",
            "Points in all: 0.5 of 1. 1 of your answers earned half a point",
        ),
    ],
)
def test_partial_credit_in_feedback_summary_and_download(lang, verdict, reason, summary):
    app = one_case_app(VERDI_CASE, lang)
    answer(app, "samproduksjon", 3)
    fb = app.feedback.value
    assert verdict in fb and reason in fb and "kit-feedback-partial" in fb
    assert "0.5" in app.progress_text.value or "0,5" in app.progress_text.value
    app.next_button.click()
    assert app.phase == "summary"
    assert summary in app.summary_text.value
    payload = app.download.value.split("base64,")[1].split("'")[0]
    row = base64.b64decode(payload).decode("utf-8-sig").splitlines()[1].split(";")
    assert row[-2:] == [{"en": "half a point"}.get(lang, "halvt poeng"), summary.split()[3]]


def test_right_and_wrong_answers_get_no_partial_text():
    """Positive control: the same case answered right, then wrong, shows no half point."""
    app = one_case_app(VERDI_CASE)
    answer(app, "verdisamskaping", 3)
    assert "Helt riktig!" in app.feedback.value and "halvt" not in app.feedback.value
    assert "kit-feedback-right" in app.feedback.value
    app.next_button.click()
    assert "Poeng i alt: 1 av 1." in app.summary_text.value
    assert "halvt poeng" not in app.summary_text.value
    app = one_case_app(VERDI_CASE)
    answer(app, "samproduksjon", 2)
    assert "halvt" not in app.feedback.value and "kit-feedback-wrong" in app.feedback.value


CHAIN_YAML = """\
schema: 1
cases:
  - id: k1
    kjede: kjede-a
    prosess: samskaping
    nivå: 2
    tittel: Kjeden
    tekst: "Kommunestyret vedtar en <frivillighetspolitikk>. Så lager de tilbudet sammen."
    markert: "Så lager de tilbudet sammen."
    forklaring: Fordi.
    tittel_nn: Kjeda
    tekst_nn: "Kommunestyret vedtek ein <frivilligpolitikk>. Så lagar dei tilbodet saman."
    markert_nn: "Så lagar dei tilbodet saman."
    forklaring_nn: Fordi.
"""


@pytest.mark.parametrize(
    ("lang", "prompt", "expected"),
    [
        (
            "nb",
            "Klassifiser den markerte delen.",
            "Kommunestyret vedtar en &lt;frivillighetspolitikk&gt;. "
            "<mark>Så lager de tilbudet sammen.</mark>",
        ),
        (
            "nn",
            "Klassifiser den markerte delen.",
            "Kommunestyret vedtek ein &lt;frivilligpolitikk&gt;. "
            "<mark>Så lagar dei tilbodet saman.</mark>",
        ),
        (
            "en",  # no English in this file: bokmål text and bokmål marked part
            "Classify the marked part.",
            "Kommunestyret vedtar en &lt;frivillighetspolitikk&gt;. "
            "<mark>Så lager de tilbudet sammen.</mark>",
        ),
    ],
)
def test_chain_case_shows_its_marked_part(lang, prompt, expected):
    from kit import Klassifisering

    app = Klassifisering(lang=lang, seed=1)
    report = app.load_file(CHAIN_YAML.encode(), "kjede.yaml")
    assert report.ok, report.lines()
    app.start(report.cases)
    view = app.case_view.value
    # the prompt opens the case's text, before the marked part
    assert re.search(
        rf"<p class='kit-case-text'><strong[^>]*>[^<]*</strong> {re.escape(expected)}</p>", view
    )
    assert prompt in view and view.index(prompt) < view.index("<mark>")
    assert "<frivillig" not in view


def test_case_without_marked_part_has_no_prompt():
    app = one_case_app(VERDI_CASE)
    assert "<mark>" not in app.case_view.value
    assert "markerte" not in app.case_view.value
    assert "Gjestene former kafeen." in app.case_view.value


# ---------------------------------------------------------------- adaptive practice (issue 9)


def answer_right(app: Klassifisering) -> None:
    case = app.session.current
    answer(app, case.process, case.level)
    app.next_button.click()


def first_round_with_mixups(lang: str = "nb", seed: int = 4) -> Klassifisering:
    """A first round of three library cases: samskaping 1 answered as level 2, verdisamskaping
    answered as samproduksjon, and one ingen case answered right."""
    app = Klassifisering(lang=lang, seed=seed)
    lib = app.library

    def pick(process, level):
        return next(
            c
            for c in lib
            if (c.process, c.level, c.tier) == (process, level, "lett") and not c.chain
        )

    s1, v3, none = pick("samskaping", 1), pick("verdisamskaping", 3), pick("ingen", None)
    given = {s1.id: ("samskaping", 2), v3.id: ("samproduksjon", 3), none.id: ("ingen", None)}
    app.start((s1, v3, none))
    for _ in range(3):
        answer(app, *given[app.session.current.id])
        app.next_button.click()
    assert app.phase == "summary"
    return app


MIXED_KEYS = {
    "s1_s2": {("samskaping", 1), ("samskaping", 2)},
    "p3_v3": {("samproduksjon", 3), ("verdisamskaping", 3)},
}


def test_practise_what_i_mix_up_aims_at_the_mixups_and_moves_up_a_tier():
    app = first_round_with_mixups()
    assert app.mix_button.description == "Øv på det jeg blander"
    assert app.progress_view is None  # no practice yet, no progress chart
    app.mix_button.click()
    assert app.phase == "exercise" and app.plan is not None
    cases = app.session.cases
    assert len(cases) == 8 and {c.tier for c in cases} == {"lett"}
    for c in cases:
        aim = app.plan.aims[c.id]
        assert (c.process, c.level) in MIXED_KEYS[aim]
    assert {app.plan.aims[c.id] for c in cases} == set(MIXED_KEYS)
    # both sides of each distinction come up
    assert {(c.process, c.level) for c in cases} == set().union(*MIXED_KEYS.values())
    assert "Øvingsrunde" in app.round_note.value and "role='status'" in app.round_note.value
    assert app.round_note.layout.display is None
    for _ in cases:
        answer_right(app)
    assert app.phase == "summary"
    assert [(p.distinction, p.tier, p.attempts, p.right) for p in app.practice.progress()] == [
        ("s1_s2", "middels", 4, 4),
        ("p3_v3", "middels", 4, 4),
    ]
    view = app.progress_view
    assert view is not None and view in app.summary_box.children
    description = view.chart.spec["description"]
    assert description.startswith("Samskaping på nivå 1 eller nivå 2: 4 av 4 helt riktige")
    assert "nå på vanskelighet middels" in description
    table = view.words.value
    assert "<caption>Fremgang per skille</caption>" in table
    assert "<td>4</td><td>4</td><td>middels</td>" in table
    assert escape(description) in table  # the description is shown in words too
    # the next practice round is a tier harder, still aimed at the same distinctions
    app.mix_button.click()
    assert {c.tier for c in app.session.cases} == {"middels"}
    assert not {c.id for c in cases} & {c.id for c in app.session.cases}
    for c in app.session.cases:
        assert (c.process, c.level) in MIXED_KEYS[app.plan.aims[c.id]]


def test_a_wrong_practice_answer_keeps_the_tier_and_shows_in_the_chart():
    app = first_round_with_mixups()
    app.mix_button.click()
    for _ in app.session.cases:
        case = app.session.current
        wrong = ("samskaping", 2) if case.level != 2 else ("samskaping", 1)
        if case.process in ("samproduksjon", "verdisamskaping"):
            wrong = ("verdisamskaping" if case.process == "samproduksjon" else "samproduksjon", 3)
        answer(app, *wrong)
        app.next_button.click()
    assert [(p.tier, p.right, p.attempts) for p in app.practice.progress()] == [
        ("lett", 0, 4),
        ("lett", 0, 4),
    ]
    spec = app.progress_view.chart.spec
    assert "0 av 4 helt riktige, nå på vanskelighet lett" in spec["description"]


def test_no_mixups_gives_a_message_and_no_empty_round():
    app = Klassifisering(lang="nb", seed=2)
    case = next(c for c in app.library if c.process == "ingen")
    app.start((case,))
    answer_right(app)
    app.mix_button.click()
    assert app.phase == "summary" and app.plan is None
    status = app.practice_status.value
    assert "role='alert'" in status and "Du blandet ikke sammen" in status
    app.language.value = "en"  # the message follows the language
    assert "You mixed up none" in app.practice_status.value


def test_a_distinction_out_of_cases_is_named_in_the_round():
    c = partial(make_case, title="{id}", text="tekst", explanation="fordi")

    first = (c("a", "samskaping", 1), c("b", "ingen", None))
    app = Klassifisering(lang="nb", seed=1, cases=(c("s2", "samskaping", 2),))
    app.start(first)
    answer(app, *{"a": ("samskaping", 2), "b": ("samproduksjon", 3)}[app.session.current.id])
    app.next_button.click()
    answer(app, *{"a": ("samskaping", 2), "b": ("samproduksjon", 3)}[app.session.current.id])
    app.next_button.click()
    app.mix_button.click()
    # the pool is the round's cases and the library: samskaping 1/2 has a and s2,
    # ingen/samproduksjon only b (nothing on the samproduksjon side); both are practised once,
    # then both have run out, and the summary says so for each
    assert app.phase == "exercise"
    assert sorted(c.id for c in app.session.cases) == ["a", "b", "s2"]
    while app.phase == "exercise":
        answer_right(app)
    app.mix_button.click()
    assert app.phase == "summary"
    status = app.practice_status.value
    assert "«Samskaping på nivå 1 eller nivå 2»" in status
    assert "«Ingen av dem eller samproduksjon»" in status


@pytest.mark.parametrize(
    ("lang", "label", "title"),
    [
        ("nb", "Øv på det jeg blander", "Fremgang per skille"),
        ("nn", "Øv på det eg blandar", "Framgang per skilje"),
        ("en", "Practise what I mix up", "Progress per distinction"),
    ],
)
def test_practice_texts_in_each_language(lang, label, title):
    app = first_round_with_mixups(lang)
    assert app.mix_button.description == label
    assert app.practise_button.description.endswith("(2)")
    app.mix_button.click()
    while app.phase == "exercise":
        answer_right(app)
    assert app.progress_view.chart.spec["title"] == title
    assert f"<caption>{title}</caption>" in app.progress_view.words.value


def test_language_switch_keeps_the_practice_progress():
    app = first_round_with_mixups()
    app.mix_button.click()
    answer_right(app)
    app.language.value = "en"
    assert "Practice round" in app.round_note.value
    while app.phase == "exercise":
        answer_right(app)
    assert (
        "Co-creation at level 1 or level 2: 4 of 4 fully right"
        in (app.progress_view.chart.spec["description"])
    )
    app.language.value = "nn"
    assert "Framgang per skilje" in app.progress_view.words.value


def test_practice_rounds_update_the_summary_in_place():
    from ipywidgets.widgets.widget import _instances

    app = first_round_with_mixups()
    counts = []
    chart, progress = app.chart, None
    for _ in range(4):
        app.mix_button.click()
        if app.phase != "exercise":
            break
        while app.phase == "exercise":
            answer_right(app)
        progress = progress or app.progress_view
        assert app.chart is chart and app.progress_view is progress  # the same widgets
        counts.append(len(_instances))
    # lett, middels, vanskelig: both distinctions mastered after three right rounds
    assert len(counts) == 3 and len(set(counts)) == 1, counts
    assert all(p.mastered for p in app.practice.progress())
    assert "Du har fått til alle skillene du blandet" in app.practice_status.value
    assert "mestret" in app.progress_view.words.value
    # restarting drops the practice; a new first round starts without a progress chart
    app.restart_button.click()
    assert app.practice is None and app.phase == "setup"


def test_a_wrong_choice_shows_as_wrong_and_the_key_as_right():
    """After a check, the chosen card of a wrong part is marked wrong (✘) and the key's card
    right (✔); a right part marks only its card; the next case has no marks."""
    app = Klassifisering(lang="nb", seed=3)
    app.shuffle_box.value = False
    app.start_button.click()
    case = app.session.current
    wrong = "ingen" if case.process != "ingen" else "samskaping"
    wrong_level = 2 if wrong == "samskaping" else 0
    answer(app, wrong, wrong_level or None)
    processes = [v for _, v in app.process_choice.options]
    verdicts = dict(zip(processes, app.process_choice.verdicts, strict=True))
    assert verdicts[wrong] == "wrong" and verdicts[case.process] == "right"
    assert sorted(v for v in verdicts.values() if v) == ["right", "wrong"]
    app.next_button.click()
    assert app.process_choice.verdicts == [] and app.level_choice.verdicts == []
    case = app.session.current
    answer(app, case.process, case.level)  # positive control: all right, nothing wrong
    assert "wrong" not in app.process_choice.verdicts + app.level_choice.verdicts
    assert app.process_choice.verdicts.count("right") == 1


# ------------------------------------------- how many cases, which tier, finishing early (issue)


def csv_rows(app: Klassifisering) -> list[list[str]]:
    """The rows of the results download the summary offers (header first)."""
    payload = app.download.value.split("base64,")[1].split("'")[0]
    return [line.split(";") for line in base64.b64decode(payload).decode("utf-8-sig").splitlines()]


def test_the_defaults_start_the_whole_set_as_before():
    """Mixed tiers and all cases: the round is the whole library in the order the seed gives,
    as the app did before the choice (one seed drawn per round, as then)."""
    import random

    from kit.classify.exercise import ALL, MIXED, Session

    app = Klassifisering(lang="nb", seed=7)
    assert (app.tier_choice.value, app.count_choice.value) == (MIXED, ALL)
    app.start_button.click()
    expected = Session(app.library, seed=random.Random(7).randrange(2**31)).cases
    assert app.session.cases == expected and app.session.total == len(app.library)
    assert app.selection_note.value == "" and app.selection_note.layout.display == "none"


def test_choose_ten_hard_cases():
    app = Klassifisering(lang="nb", seed=5)
    app.tier_choice.value = "vanskelig"
    app.count_choice.value = 10
    app.start_button.click()
    session = app.session
    assert app.phase == "exercise" and session.total == 10
    assert {c.tier for c in session.cases} == {"vanskelig"}
    assert len({c.id for c in session.cases}) == 10
    assert "Case 1 av 10" in app.progress_text.value
    assert app.selection_note.layout.display == "none"  # the library has 34 hard cases
    # a new round of the same choice: another draw of ten (shuffled), still ten hard ones
    app.finish_button.click()
    app.restart_button.click()
    assert (app.tier_choice.value, app.count_choice.value) == ("vanskelig", 10)  # kept
    app.start_button.click()
    assert app.session.total == 10 and {c.tier for c in app.session.cases} == {"vanskelig"}
    assert app.session.cases != session.cases
    # positive control: unshuffled, the first ten hard cases of the library, in its order
    app.finish_button.click()
    app.restart_button.click()
    app.shuffle_box.value = False
    app.count_choice.value = 5
    app.tier_choice.value = "lett"
    app.start_button.click()
    assert app.session.cases == tuple(c for c in app.library if c.tier == "lett")[:5]


@pytest.mark.parametrize(
    ("lang", "tier_label", "tiers", "count_label", "all_label"),
    [
        (
            "nb",
            "Vanskelighet",
            ["Blandet (alle)", "Lett", "Middels", "Vanskelig"],
            "Antall case",
            "Alle",
        ),
        (
            "nn",
            "Vanskegrad",
            ["Blanda (alle)", "Lett", "Middels", "Vanskeleg"],
            "Tal på case",
            "Alle",
        ),
        ("en", "Difficulty", ["Mixed (all)", "Easy", "Medium", "Hard"], "Number of cases", "All"),
    ],
)
def test_tier_and_count_choices_in_each_language(lang, tier_label, tiers, count_label, all_label):
    app = Klassifisering(lang="nb" if lang != "nb" else "en")
    app.tier_choice.value = "middels"
    app.count_choice.value = 20
    app.language.value = lang  # the texts change in place, the choices stay
    assert app.tier_choice.description == tier_label and app.tier_choice.labels == tiers
    assert app.count_choice.description == count_label
    assert app.count_choice.labels == ["5", "10", "20", all_label]
    assert (app.tier_choice.value, app.count_choice.value) == ("middels", 20)
    assert app.tier_choice.variant == app.count_choice.variant == "pills"
    setup = app.setup_box.children
    assert (
        setup.index(app.tier_choice) < setup.index(app.count_choice) < setup.index(app.start_button)
    )


small_case = partial(make_case, title="{id}", text="tekst", explanation="fordi")
#: a course leader's set: two hard cases, four easy ones, no medium one
SMALL_SET = (
    *(small_case(f"v{i}", "ingen", None, tier="vanskelig") for i in range(2)),
    *(small_case(f"l{i}", "samskaping", 2, tier="lett") for i in range(4)),
)


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        (
            "nb",
            "Du valgte 10 caser med vanskelighet «vanskelig», men dette case-settet har bare 2. Du får alle 2.",
        ),
        (
            "nn",
            "Du valde 10 case med vanskegrad «vanskeleg», men dette case-settet har berre 2. Du får alle 2.",
        ),
        (
            "en",
            "You chose 10 cases of difficulty “hard”, but this case set has only 2. You get all 2.",
        ),
    ],
)
def test_a_tier_with_fewer_cases_than_chosen_gives_all_and_says_so(lang, note):
    app = Klassifisering(lang=lang, cases=SMALL_SET, seed=1)
    app.tier_choice.value = "vanskelig"
    app.count_choice.value = 10
    app.start_button.click()
    assert app.phase == "exercise" and sorted(c.id for c in app.session.cases) == ["v0", "v1"]
    assert escape(note) in app.selection_note.value
    assert "role='status'" in app.selection_note.value
    assert app.selection_note.layout.display is None
    other = "en" if lang != "en" else "nb"
    app.language.value = other  # the note follows the language, the round stays
    assert "10" in app.selection_note.value and note not in app.selection_note.value
    assert app.finish_button.description == t("klass_finish", other)
    app.language.value = lang
    assert escape(note) in app.selection_note.value
    # mixed tiers, more than the set has: the note says so without a tier
    app.finish_button.click()
    app.restart_button.click()
    app.tier_choice.value = "mixed"
    app.start_button.click()
    assert app.session.total == 6
    assert "10" in app.selection_note.value and "6" in app.selection_note.value
    assert "«" not in app.selection_note.value and "“" not in app.selection_note.value
    # a practice round is not that choice: no note
    answer(app, "samproduksjon", 3)
    app.finish_button.click()
    app.practise_button.click()
    assert app.phase == "exercise" and app.selection_note.layout.display == "none"


def test_a_tier_the_set_lacks_gives_a_message_not_a_round():
    app = Klassifisering(lang="nb", cases=SMALL_SET, seed=1)
    app.tier_choice.value = "middels"
    app.start_button.click()
    assert app.phase == "setup" and app.session is None
    message = app.start_message.value
    assert "role='alert'" in message
    assert "Dette case-settet har ingen case med vanskelighet «middels»." in message
    app.language.value = "en"  # the message follows the language
    assert "This case set has no cases of difficulty “medium”." in app.start_message.value
    app.tier_choice.value = "lett"  # another choice clears it, and the round starts
    assert app.start_message.value == ""
    app.start_button.click()
    assert app.phase == "exercise" and {c.tier for c in app.session.cases} == {"lett"}


def test_a_teachers_file_without_the_tier_gives_the_message():
    """A file without a tier column: every case is lett; "vanskelig" has none."""
    app = Klassifisering(lang="nn", seed=1)
    assert app.load_file(formula_csv(), "formler.csv").ok
    app.tier_choice.value = "vanskelig"
    app.count_choice.value = 5
    app.start_button.click()
    assert app.phase == "setup"
    assert "ingen case med vanskegrad «vanskeleg»" in app.start_message.value
    app.tier_choice.value = "mixed"
    app.start_button.click()
    assert app.phase == "exercise" and app.session.total == 5


def ten_hard(lang: str = "nb") -> Klassifisering:
    app = Klassifisering(lang=lang, seed=11)
    app.tier_choice.value = "vanskelig"
    app.count_choice.value = 10
    app.start_button.click()
    assert app.session.total == 10
    return app


def test_finish_early_shows_the_summary_of_the_answers_so_far():
    app = ten_hard()
    assert app.finish_button.description == "Avslutt og se oppsummeringen"
    assert app.finish_button.layout.display is None and not app.finish_button.disabled
    answered = []
    for i in range(4):
        case = app.session.current
        answered.append(case)
        if i % 2:
            answer(app, case.process, case.level)
        else:
            wrong = "ingen" if case.process != "ingen" else "samskaping"
            answer(app, wrong, 2 if wrong == "samskaping" else None)
        if i < 3:
            app.next_button.click()
    # the fourth is checked, not yet advanced: it counts
    focus = app.summary_text.focus_token
    app.finish_button.click()
    assert app.phase == "summary" and app.summary_text.focus_token == focus + 1
    summary = app.summary_text.value
    assert "Du avsluttet etter 4 av 10 caser." in summary
    assert "Du fikk 2 av 4 helt riktige" in summary
    assert app.summary_box.layout.display is None and app.exercise_box.layout.display == "none"
    rows = csv_rows(app)
    assert len(rows) == 5 and [r[0] for r in rows[1:]] == [c.id for c in answered]
    assert app.chart.chart.spec["description"].startswith("2 av 4 svar")
    # late clicks from the page, sent before the summary reached it: nothing happens
    for late in (app._on_check, app._on_next, app._on_finish):
        late(None)
    assert app.phase == "summary" and app.session.answered == 4
    # practice works on the answered cases
    assert app.practise_button.description.endswith("(2)") and not app.practise_button.disabled
    app.practise_button.click()
    assert app.phase == "exercise" and app.session.total == 2
    assert {c.id for c in app.session.cases} == {answered[0].id, answered[2].id}
    assert app.finish_button.layout.display is None


def test_finish_before_answering_the_current_case_leaves_it_out():
    app = ten_hard("en")
    first = app.session.current
    answer(app, first.process, first.level)
    app.next_button.click()
    app.process_choice.value = "samskaping"  # chosen, not checked
    app.finish_button.click()
    assert "You finished after 1 of 10 cases." in app.summary_text.value
    assert [r[0] for r in csv_rows(app)[1:]] == [first.id]
    assert app.practise_button.disabled  # nothing wrong to practise


def test_the_last_case_once_checked_leads_on_by_see_summary_only():
    app = Klassifisering(lang="nb", cases=SMALL_SET, seed=1)
    app.count_choice.value = 5
    app.start_button.click()
    for _ in range(4):
        answer_right(app)
    assert app.session.last and app.finish_button.layout.display is None  # not yet checked
    case = app.session.current
    answer(app, case.process, case.level)
    assert app.finish_button.layout.display == "none"
    assert app.next_button.description == "Se oppsummering"
    app.next_button.click()
    assert app.phase == "summary" and "avsluttet" not in app.summary_text.value  # ran to the end


@pytest.mark.parametrize(
    ("lang", "nothing"),
    [
        ("nb", "Du avsluttet før du svarte på noen case, så det er ingenting å oppsummere ennå."),
        ("nn", "Du avslutta før du svarte på noko case, så det er ingenting å oppsummere enno."),
        ("en", "You finished before answering any case, so there is nothing to summarise yet."),
    ],
)
def test_finish_before_any_answer_says_there_is_nothing_to_summarise(lang, nothing):
    app = ten_hard(lang)
    app.finish_button.click()
    assert app.phase == "summary"
    summary = app.summary_text.value
    assert nothing in summary and "<h2 tabindex='-1' data-kit-focus>" in summary
    assert app.summary_text.focus_token == 1
    # no score, chart or download of nothing; only "choose new cases"
    assert tuple(app.summary_box.children) == (
        app.summary_text,
        app.summary_buttons,
        app.practice_status,
    )
    assert app.chart is None and app.download.value == ""
    assert app.practise_button.layout.display == app.mix_button.layout.display == "none"
    app.language.value = "nb" if lang != "nb" else "en"  # a redraw: still no crash
    assert "<h2" in app.summary_text.value
    app.restart_button.click()
    assert app.phase == "setup"
    # the next summary shows its buttons again
    app.start_button.click()
    answer(app, "ingen", None)
    app.finish_button.click()
    assert app.practise_button.layout.display is None and app.mix_button.layout.display is None
    assert len(csv_rows(app)) == 2


def test_finish_a_practice_round_early_counts_its_answers():
    app = first_round_with_mixups()
    app.mix_button.click()
    assert app.session.total == 8
    answer_right(app)
    answer_right(app)
    app.finish_button.click()
    assert app.phase == "summary" and "Du avsluttet etter 2 av 8 caser." in app.summary_text.value
    progress = {p.distinction: p.attempts for p in app.practice.progress()}
    assert sum(progress.values()) == 2 and app.practice.rounds == 1
    assert app.progress_view is not None and app.progress_view in app.summary_box.children
    # left again before any answer: nothing recorded, the practice can go on from there
    app.mix_button.click()
    app.finish_button.click()
    assert "ingenting å oppsummere" in app.summary_text.value
    assert app.practice.rounds == 1 and app.mix_button.layout.display is None
    app.mix_button.click()
    assert app.phase == "exercise" and app.plan is not None
