"""The draft agreement of a workshop (kit/workshop/agreement.py, kit/workshop/docx_export.py) and
`samskaping verksted eksempel FILE`: every format holds the agreed clauses, the objections'
reasons and the parties; what a participant typed stays text in HTML, Markdown and DOCX."""

from __future__ import annotations

import io
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import docx
import mistune
import pytest

from kit.compass.compass import assess, load_compass
from kit.core.i18n import t
from kit.model.labels import process_label
from kit.model.model import load_model
from kit.server.cli import main
from kit.workshop.agreement import (
    agreement_html,
    agreement_markdown,
    draft_agreement,
    format_date,
    md_escape,
    to_html,
    to_markdown,
)
from kit.workshop.compass import compass_questions, stored_answers
from kit.workshop.docx_export import agreement_docx, to_docx
from kit.workshop.example import example_workshop
from kit.workshop.model import OBJECT, Workshop, WorkshopError, new_workshop

LANGS = ("nb", "nn", "en")

# ---------------------------------------------------------------- reading the formats back


class _Text(HTMLParser):
    """The text of an HTML document, and every tag it opens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.tags


def markdown_as_html(md: str) -> str:
    """The Markdown as a renderer that lets raw HTML through would show it (the worst case for
    a pasted draft)."""
    render = mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])
    out = render(md)
    assert isinstance(out, str)
    return out


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def flat(text: str) -> str:
    return " ".join(text.split())


def texts_of_all_formats(w: Workshop) -> dict[str, str]:
    """The draft's text as a reader of each format sees it."""
    md_html, _ = html_text(markdown_as_html(agreement_markdown(w)))
    page, _ = html_text(agreement_html(w))
    return {"md": md_html, "html": page, "docx": flat(docx_text(agreement_docx(w)))}


# ---------------------------------------------------------------- content


@pytest.fixture(scope="module", params=LANGS)
def sample(request) -> Workshop:
    return example_workshop(request.param)


@pytest.fixture(scope="module")
def sample_texts(sample) -> dict[str, str]:
    return texts_of_all_formats(sample)


def test_every_format_holds_the_agreed_clauses_the_objections_and_the_parties(sample, sample_texts):
    w, lang = sample, sample.lang
    agreed = [o for o in w.outcomes if o.status == "agreed"]
    objections = [r for r in w.responses if r.choice == OBJECT]
    assert len(agreed) >= 5 and len(objections) >= 3
    for fmt, text in sample_texts.items():
        for outcome in agreed:
            assert outcome.wording and outcome.wording in text, (fmt, outcome.clause)
            assert w.clause(outcome.clause).title.get(lang) in text, (fmt, outcome.clause)
        for objection in objections:
            assert objection.reason and objection.reason in text, (fmt, objection.reason)
        for party in w.present():
            label = w.party(party).label.get(lang)
            assert label in text, (fmt, label)
            assert t("workshop_agreement_sign_for", lang, party=label) in text, (fmt, label)
        assert t("workshop_agreement_title", lang) in text
        assert w.initiative in text
        assert t("workshop_agreement_draft", lang) in text
        assert t("workshop_agreement_sign_signature", lang) in text


def test_every_format_holds_the_open_points_the_evaluation_and_the_trail(sample, sample_texts):
    w, lang = sample, sample.lang
    open_points = [o for o in w.outcomes if o.status == "open"]
    assert open_points
    evaluation = t(
        "workshop_agreement_evaluation_by",
        lang,
        date=format_date(w.evaluation, lang),
        by=w.evaluation_by,
    )
    value_title = w.clause("value").title.get(lang)
    for fmt, text in sample_texts.items():
        for outcome in open_points:
            assert outcome.owner and outcome.due
            line = t(
                "workshop_agreement_follow_up",
                lang,
                owner=outcome.owner,
                due=format_date(outcome.due, lang),
            )
            assert line in text, (fmt, outcome.clause)
        assert evaluation in text, fmt
        for point in w.parking:
            assert point.text in text, fmt
        for proposal in w.proposals:
            assert proposal.text in text, fmt
        # the response trail: per clause a table of counts, the alerts the picture raised
        assert t("workshop_agreement_responses_of", lang, clause=value_title) in text
        assert t("workshop_agreement_outnumbered", lang) in text
        assert t("workshop_agreement_silent_recipients", lang) in text
        assert t("workshop_agreement_silent_voluntary", lang) in text
        # the source's questions, and whose words they are
        for level in load_model().levels:
            for question in level.expectations:
                assert question.get(lang) in text, (fmt, question.get(lang))
        assert load_model().source.title in text


def test_the_response_trail_counts_per_party():
    w = example_workshop("nb")
    md = agreement_markdown(w)
    section = md[md.index("\n### Hvordan tjenestemottakerne vurderer verdien") :]
    section = section[: section.index("\n## ")] if "\n## " in section else section
    assert "| Part | Forslag | Enig | Kan leve med det | Uenig |" in section
    assert "| Kommunal virksomhet | 0 | 3 | 0 | 0 |" in section
    assert "| Tjenestemottaker eller pårørende | 1 | 0 | 0 | 1 |" in section
    # the recipient's objection comes first under its proposal, before the remarks
    objection = section.index("Innvending fra Tjenestemottaker eller pårørende")
    assert objection < section.index("Merknad fra Frivillig organisasjon")


def test_the_draft_follows_the_workshops_language():
    nb, nn, en = (agreement_markdown(example_workshop(lang)) for lang in LANGS)
    assert nb.startswith("# Utkast til samarbeidsavtale\n") and "Hvordan partene svarte" in nb
    assert nn.startswith("# Utkast til samarbeidsavtale\n") and "Korleis partane svarte" in nn
    assert en.startswith("# Draft cooperation agreement\n") and "How the parties responded" in en
    assert "15.09.2027" in nb and "15.09.2027" in nn and "2027-09-15" in en
    assert "not a legal document" in en and "ikkje eit juridisk dokument" in nn


def test_an_empty_workshop_gives_a_draft_that_says_what_is_missing():
    w = new_workshop("Nytt tiltak", "nb", ["unit"])
    md = agreement_markdown(w)
    assert t("workshop_agreement_purpose_open", "nb") in md
    assert t("workshop_agreement_none_agreed", "nb") in md
    assert t("workshop_agreement_evaluation_none", "nb") in md
    assert t("workshop_agreement_not_discussed", "nb") in md
    assert md.count(t("workshop_agreement_no_proposals", "nb")) == len(w.clauses)
    assert "**For Kommunal virksomhet**" in md


def test_the_html_prints_on_a4_and_names_its_language(sample):
    html = agreement_html(sample)
    assert html.startswith("<!DOCTYPE html>")
    assert f"<html lang='{sample.lang}'>" in html
    assert "@page { size: A4;" in html
    assert "<meta charset='utf-8'>" in html
    _, tags = html_text(html)
    assert "table" in tags and "script" not in tags
    assert tags.count("h1") == 1 and "h4" in tags  # the title once; each agreed clause a heading


def test_the_docx_is_a4_and_carries_title_and_language(sample):
    document = docx.Document(io.BytesIO(agreement_docx(sample)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = document.core_properties
    assert props.title.startswith(t("workshop_agreement_title", sample.lang))
    assert props.language == {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}[sample.lang]
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"} <= styles
    assert len(document.tables) >= 5
    assert document.tables[0].rows[0].cells[0].text == t("workshop_agreement_party", sample.lang)


# ---------------------------------------------------------------- hostile text stays text

PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "[klikk](javascript:alert(1)) ![b](http://x/y.png)",
    "**fet** _kursiv_ `kode` ~~borte~~ | celle | &amp; &lt;b&gt;",
)


def hostile_workshop() -> Workshop:
    w = new_workshop(PAYLOADS[0] + " tiltak", "nb", ["unit", "recipient"], held="2027-01-01")
    w = w.with_custom_clause(PAYLOADS[1], PAYLOADS[2], 2)
    w = w.propose("purpose", "unit", PAYLOADS[0], "u1", name=PAYLOADS[1])
    w = w.propose("egen-1", "recipient", PAYLOADS[3], "r1")
    w = w.respond("p1", "recipient", "object", "r1", PAYLOADS[1])
    w = w.respond("p2", "unit", "live_with", "u1", PAYLOADS[2])
    w = w.park("recipient", "# " + PAYLOADS[3], "r1", clause="egen-1")
    w = w.settle("purpose", "agreed", "- " + PAYLOADS[2])
    w = w.settle("egen-1", "open", "1. " + PAYLOADS[0], owner=PAYLOADS[1], due="2027-02-01")
    return w.plan_evaluation("2027-06-01", by=PAYLOADS[3])


def test_payloads_stay_text_in_the_html():
    html = agreement_html(hostile_workshop())
    text, tags = html_text(html)
    assert "script" not in tags and "img" not in tags and "a" not in tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    for payload in PAYLOADS:
        assert flat(payload) in text, payload
    assert "&lt;script&gt;" in html and "<script" not in html


def test_payloads_stay_text_in_the_markdown():
    md = agreement_markdown(hostile_workshop())
    rendered = markdown_as_html(md)
    text, tags = html_text(rendered)
    assert not {"script", "img", "a", "code", "del"} & set(tags), tags
    assert "<script" not in rendered
    for payload in PAYLOADS:
        assert flat(payload) in text, payload
    # the facilitator's wordings do not become a list or a heading
    assert "- " + PAYLOADS[2] in text and "1. " + PAYLOADS[0] in text
    assert "# " + PAYLOADS[3] in text


def test_payloads_stay_text_in_the_docx():
    data = agreement_docx(hostile_workshop())
    text = docx_text(data)
    for payload in PAYLOADS:
        assert payload in text, payload
    # python-docx wrote them as text runs: the document's XML holds them escaped
    document = docx.Document(io.BytesIO(data))
    xml = document.element.xml
    assert "<script>" not in xml and "&lt;script&gt;" in xml


@pytest.mark.parametrize(
    "text",
    [
        "# ikke en overskrift",
        "- ikke et punkt",
        "+ heller ikke",
        "1. ikke nummerert",
        "2) heller ikke",
        "> ikke et sitat",
        "=== ikke en linje",
        "*ikke kursiv* og __ikke fet__",
        "[lenke](http://example.org) og <http://example.org>",
        "https://example.org/a_b, www.example.org og ola@example.org",
        "<b>ikke fet</b> & <!-- kommentar -->",
        "a | b | c",
        "`ikke kode` ~~ikke strøket~~",
        "\\ en skråstrek \\*",
        "vanlig tekst, med punktum. Og tall: 3.5",
    ],
)
def test_markdown_escaping_reads_back_as_the_same_text(text):
    rendered = markdown_as_html(md_escape(text) + "\n")
    shown, tags = html_text(rendered)
    assert tags == ["p"], (text, rendered)
    assert shown == flat(text)


def test_characters_xml_cannot_hold_do_not_break_the_docx():
    w = new_workshop("Tiltak", "en", ["unit"])
    agreement = draft_agreement(w)
    broken = agreement.__class__(
        agreement.lang, agreement.title, "Tiltak\x00\x07\ufffe", agreement.blocks
    )
    document = docx.Document(io.BytesIO(to_docx(broken)))
    assert document.core_properties.title.endswith("Tiltak")
    assert to_markdown(broken) and to_html(broken)


# ---------------------------------------------------------------- the command


@pytest.fixture
def in_tmp(monkeypatch, tmp_path) -> Path:
    monkeypatch.delenv("KIT_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize("lang", LANGS)
def test_the_command_writes_the_sample_in_all_three_formats(capsys, in_tmp, lang):
    w = example_workshop(lang)
    value_reason = next(
        r.reason for r in w.responses if r.choice == OBJECT and r.party == "recipient"
    )
    for name in ("utkast.docx", "utkast.html", "utkast.md", "UTKAST.DOCX"):
        code, out, err = run(capsys, "--lang", lang, "verksted", "eksempel", name)
        assert (code, err) == (0, "")
        assert out.strip() == t("workshop_cli_written", lang, path=name)
        path = in_tmp / name
        if name.lower().endswith(".docx"):
            text = flat(docx_text(path.read_bytes()))
        elif name.endswith(".html"):
            text, _ = html_text(path.read_text(encoding="utf-8"))
        else:
            text, _ = html_text(markdown_as_html(path.read_text(encoding="utf-8")))
        assert t("workshop_agreement_title", lang) in text
        assert w.initiative in text and value_reason in text
    assert (in_tmp / "utkast.md").read_text(encoding="utf-8") == agreement_markdown(w)
    assert (in_tmp / "utkast.html").read_text(encoding="utf-8") == agreement_html(w)


@pytest.mark.parametrize("name", ["utkast.txt", "utkast.pdf", "utkast", "utkast.docx.bak"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_command_refuses_other_suffixes(capsys, in_tmp, name, lang):
    code, out, err = run(capsys, "--lang", lang, "verksted", "eksempel", name)
    ext = Path(name).suffix or name
    assert (code, out) == (2, "")
    assert err.strip() == t("workshop_cli_bad_type", lang, ext=ext)
    assert not (in_tmp / name).exists()


def test_the_command_does_not_overwrite_without_force(capsys, in_tmp):
    (in_tmp / "utkast.md").write_text("mitt eget", encoding="utf-8")
    code, _, err = run(capsys, "verksted", "eksempel", "utkast.md")
    assert code == 2 and err.strip() == t("workshop_cli_exists", "nb", path="utkast.md")
    assert (in_tmp / "utkast.md").read_text(encoding="utf-8") == "mitt eget"
    code, out, _ = run(capsys, "verksted", "eksempel", "utkast.md", "--force")
    assert code == 0 and "Utkast til samarbeidsavtale" in (in_tmp / "utkast.md").read_text()


@pytest.mark.parametrize("lang", LANGS)
def test_the_command_says_so_when_it_cannot_write(capsys, in_tmp, lang):
    missing = in_tmp / "finnes-ikke" / "utkast.docx"
    code, out, err = run(capsys, "--lang", lang, "verksted", "eksempel", str(missing))
    assert (code, out) == (1, "")
    start = t("workshop_cli_write_failed", lang, path=missing, reason="X").split("(X)")[0]
    assert err.startswith(start)
    folder = in_tmp / "mappe.html"
    folder.mkdir()
    code, _, err = run(capsys, "--lang", lang, "verksted", "eksempel", str(folder), "--force")
    assert code == 1 and str(folder) in err


def test_the_command_needs_its_step_and_its_file(capsys, in_tmp):
    for argv in (["verksted"], ["verksted", "eksempel"], ["verksted", "noe", "x.md"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        out, err = capsys.readouterr()
        assert "Traceback" not in err and err.startswith("bruk: samskaping verksted")


def test_a_broken_sample_is_one_clear_line(capsys, in_tmp, monkeypatch):
    from kit.core.paths import data_dir

    copy = in_tmp / "data"
    copy.mkdir()
    for path in data_dir().iterdir():
        target = copy / path.name
        if path.name == "workshop_example.yaml":
            target.write_text("schema: 1\nnote: [\n", encoding="utf-8")
        else:
            target.symlink_to(path)
    monkeypatch.setenv("KIT_DATA_DIR", str(copy))
    code, out, err = run(capsys, "verksted", "eksempel", "utkast.md")
    assert (code, out) == (1, "")
    assert err.startswith(t("workshop_cli_broken", "nb", reason="").strip())
    assert "workshop_example.yaml" in err and len(err.strip().splitlines()) == 1
    assert not (in_tmp / "utkast.md").exists()


# ---------------------------------------------------------------- the compass, attached


def test_every_format_holds_the_attached_compass(sample, sample_texts):
    w, lang = sample, sample.lang
    compass = load_compass()
    answers = dict(w.compass)
    assert len(answers) >= 10  # the sample attaches its compass
    found = assess(answers, compass)
    verdict = found.verdict
    assert verdict is not None and found.gaps
    for fmt, text in sample_texts.items():
        assert t("workshop_agreement_compass", lang) in text, fmt
        assert process_label(verdict.process, lang) in text, fmt
        for finding in found.findings:
            assert finding.reason.get(lang) in text, (fmt, finding.rule)
        for gap in found.gaps:
            assert gap.title.get(lang) in text and gap.next_step.get(lang) in text, (fmt, gap.rule)
        for q in compass.questions:
            assert q.short.get(lang) in text, (fmt, q.id)
            if q.id in answers:
                assert q.option(answers[q.id]).label.get(lang) in text, (fmt, q.id)
        for q in (*found.dont_know, *found.unanswered):
            assert q.find_out.get(lang) in text, (fmt, q.id)


def test_no_compass_no_appendix(sample):
    bare = replace(sample, compass=())
    for fmt, text in texts_of_all_formats(bare).items():
        assert t("workshop_agreement_compass", sample.lang) not in text, fmt
        assert t("workshop_agreement_sign_signature", sample.lang) in text, fmt


def test_compass_answers_must_be_the_compasss_own():
    w = example_workshop("nb")
    questions = compass_questions()
    kept = w.with_compass({"runs": "sammen", "developed": None}, questions)
    assert kept.compass == (("runs", "sammen"),)
    assert kept.with_compass({}, questions).compass == ()
    for bad in ({"runs": "maybe"}, {"nope": "sammen"}, {"runs": 3}, ["runs"], "runs"):
        with pytest.raises(WorkshopError) as exc:
            w.with_compass(bad, questions)
        assert exc.value.key == "bad_compass"
    too_many = {f"q{i}": None for i in range(len(questions) + 1)}
    with pytest.raises(WorkshopError):
        w.with_compass(too_many, questions)


def test_stored_answers_that_no_longer_fit_the_compass_are_left_out():
    assert stored_answers({"runs": "sammen", "developed": "gone", "old": "x", "decides": 1}) == (
        ("runs", "sammen"),
    )
    assert stored_answers(["runs"]) == stored_answers(None) == ()
