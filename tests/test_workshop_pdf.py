"""The draft agreement on paper: the DOCX turned into a PDF by Debian's LibreOffice (headless,
as a course leader without Word opens and prints it) and the HTML printed to PDF by Debian's
Chromium (as from the browser's print dialog, the CSS ``@page`` setting the size), both read
back with poppler's ``pdftotext`` and ``pdfinfo``.

Each PDF is A4 on every page, keeps every word inside the page's margins, and holds every
agreed clause, each objection's reason, the parties, the open points and the signature lines;
what a participant typed (tests/test_workshop_agreement.py's payloads) prints as the same
literal text, with no link and no script in the PDF.

The text is read word by word with its place on the page (``pdftotext -bbox``), so a line
break never changes a word (plain ``pdftotext`` joins a word that ends a line with "-" to the
next line without the "-"), and compared with all white space taken out: a line may break at
any space, or inside a long word, without a phrase going missing. A positive control per
converter drops one agreed clause from the draft and the same check names exactly that clause.

LibreOffice (``libreoffice-writer-nogui``), pdftotext and pdfinfo (``poppler-utils``) and
Chromium are Debian's packages; without them these tests are skipped locally and fail under
CI=true (.ci/run installs them).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from kit.core.i18n import t
from kit.workshop.agreement import Agreement, Para, draft_agreement, format_date, to_html
from kit.workshop.docx_export import to_docx
from kit.workshop.example import example_workshop
from kit.workshop.model import OBJECT, Workshop

from .conftest import _need
from .test_workshop_agreement import PAYLOADS, docx_text, hostile_workshop, html_text

LANGS = ("nb", "nn", "en")
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFINFO = shutil.which("pdfinfo") or "/usr/bin/pdfinfo"

#: A4 in PostScript points (1 pt = 1/72 inch), and the page margins each format sets: the DOCX
#: 20 mm all round (docx_export.py), the HTML 20 mm top and bottom, 18 mm left and right
#: (``@page`` in agreement.py).
A4 = (595.276, 841.89)
MM = 72 / 25.4
DOCX_MARGINS = (20 * MM, 20 * MM)  # (left and right, top and bottom)
HTML_MARGINS = (18 * MM, 20 * MM)
#: How far a glyph's box may reach past the margin (a glyph's side bearing, rounding).
SLACK = 1.5

#: A token no line can break at a space or a hyphen: a pasted link of 140 characters (the
#: workshop takes up to 400 in a parked point). It must wrap inside the page, not run off it.
LONG_TOKEN = (
    "https://www.kommune.no/tjenester/helseogomsorg/frivillighet/moteplassenetukentligtreffsted"
    "foreldresomborhjemme?utm_source=nyhetsbrev_2027_mars"
)
#: A clause title of one word, as long as a title may be (100 characters): a heading, a list
#: item and a table's caption must wrap it too.
LONG_TITLE = "Samarbeidsavtalensoppfølgingsogevalueringsrutiner" * 2 + "er"


# ---------------------------------------------------------------- reading a PDF back


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Pdf:
    path: Path
    pages: tuple[PdfPage, ...]
    #: each page's "Page N size:" line of pdfinfo, e.g. "595.304 x 841.89 pts (A4)"
    sizes: tuple[str, ...]
    #: pdfinfo's other lines ("JavaScript: no", ...)
    info: dict[str, str]
    #: what ``pdfinfo -url`` lists: the link annotations
    urls: tuple[str, ...]

    @property
    def words(self) -> list[Word]:
        return [w for p in self.pages for w in p.words]

    @property
    def text(self) -> str:
        """Every word in reading order, one space between."""
        return " ".join(w.text for w in self.words)

    @property
    def squeezed(self) -> str:
        return squeeze(self.text)


def squeeze(text: str) -> str:
    """``text`` without white space, in Unicode's compatibility form (a ligature "ﬁ" is "fi")."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _tool(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (argv, done.stderr)
    return done.stdout


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.S
)


def read_pdf(path: Path) -> Pdf:
    need_poppler()
    pages = tuple(
        PdfPage(
            float(width),
            float(height),
            tuple(
                Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1))
                for x0, y0, x1, y1, text in _WORD.findall(body)
            ),
        )
        for width, height, body in _PAGE.findall(_tool(PDFTOTEXT, "-bbox", str(path), "-"))
    )
    out = _tool(PDFINFO, "-f", "1", "-l", "100000", str(path))
    sizes = tuple(re.findall(r"^Page\s+\d+ size:\s+(.+?)\s*$", out, re.M))
    info = dict(
        (k.strip(), v.strip())
        for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)
    )
    urls = tuple(line for line in _tool(PDFINFO, "-url", str(path)).splitlines()[1:] if line)
    return Pdf(path, pages, sizes, info, urls)


def need_poppler() -> None:
    _need(
        all(os.access(tool, os.X_OK) for tool in (PDFTOTEXT, PDFINFO)),
        f"pdftotext or pdfinfo not found ({PDFTOTEXT}, {PDFINFO}; "
        "Debian: apt-get install poppler-utils)",
    )


def missing(pdf: Pdf, phrases: Iterable[str]) -> list[str]:
    """The phrases the PDF's text does not hold (white space aside)."""
    text = pdf.squeezed
    return [p for p in phrases if squeeze(p) not in text]


def assert_a4_within_margins(pdf: Pdf, margins: tuple[float, float]) -> None:
    """Every page A4 (by pdfinfo and by pdftotext), every word inside the margins: nothing cut
    off at an edge, nothing scaled down to fit (the left margin is where it was set)."""
    assert pdf.pages and len(pdf.sizes) == len(pdf.pages) == int(pdf.info["Pages"]), pdf.info
    for number, size in enumerate(pdf.sizes, 1):
        assert size.endswith("(A4)"), (number, size)
    side, top = margins
    for number, page in enumerate(pdf.pages, 1):
        assert abs(page.width - A4[0]) < 1 and abs(page.height - A4[1]) < 1, (number, page)
        assert page.words, f"page {number} is empty"
        outside = [
            w
            for w in page.words
            if w.x0 < side - SLACK
            or w.x1 > page.width - side + SLACK
            or w.y0 < top - SLACK
            or w.y1 > page.height - top + SLACK
        ]
        assert not outside, (number, outside[:5])
    # something starts at the left margin: the page was not shrunk to fit a wide line
    left = min(w.x0 for w in pdf.words)
    assert abs(left - side) < 3, (left, side)


def assert_no_link_or_script(pdf: Pdf) -> None:
    assert pdf.urls == (), pdf.urls
    assert pdf.info.get("JavaScript") == "no", pdf.info
    assert pdf.info.get("Form") == "none", pdf.info


# ---------------------------------------------------------------- what the draft must hold


def expected_phrases(w: Workshop) -> list[str]:
    """What a printed draft of ``w`` must hold: its title, the initiative and the statement
    that it is a draft; the parties; every agreed clause (title and wording); the open points
    (wording and who follows them up by when); every proposal, each reason given for an
    objection or a remark, the parked points, the next evaluation; a signature block per party
    with its lines."""
    lang = w.lang
    out = [t("workshop_agreement_title", lang), w.initiative, t("workshop_agreement_draft", lang)]
    for party in w.present():
        label = w.party(party).label.get(lang)
        out += [label, t("workshop_agreement_sign_for", lang, party=label)]
    for outcome in w.outcomes:
        if outcome.status == "agreed" and outcome.wording:
            out += [w.clause(outcome.clause).title.get(lang), outcome.wording]
        elif outcome.status == "open":
            if outcome.wording:
                out.append(outcome.wording)
            if outcome.owner and outcome.due:
                out.append(
                    t(
                        "workshop_agreement_follow_up",
                        lang,
                        owner=outcome.owner,
                        due=format_date(outcome.due, lang),
                    )
                )
    out += [p.text for p in w.proposals]
    out += [r.reason for r in w.responses if r.reason]
    out += [p.text for p in w.parking]
    if w.evaluation and w.evaluation_by:
        out.append(
            t(
                "workshop_agreement_evaluation_by",
                lang,
                date=format_date(w.evaluation, lang),
                by=w.evaluation_by,
            )
        )
    return out


def assert_sample_printed(pdf: Pdf, w: Workshop, source: str) -> None:
    """The PDF of the sample workshop ``w`` holds what it must (:func:`expected_phrases`), every
    signature line as often as the document (its text ``source``) has it, and no word of the
    document broken inside (:func:`split_words`)."""
    lang = w.lang
    agreed = [o for o in w.outcomes if o.status == "agreed"]
    objections = [r for r in w.responses if r.choice == OBJECT]
    opened = [o for o in w.outcomes if o.status == "open"]
    assert len(agreed) >= 5 and len(objections) >= 3 and opened  # the sample is worth printing
    assert missing(pdf, expected_phrases(w)) == []
    # a signature block per party, each with every line
    for key in (
        "workshop_agreement_sign_name",
        "workshop_agreement_sign_date",
        "workshop_agreement_sign_signature",
    ):
        line = squeeze(t(key, lang))
        assert squeeze(source).count(line) >= len(w.present()), key
        assert pdf.squeezed.count(line) == squeeze(source).count(line), key
    assert split_words(pdf, source) == []
    # the draft starts with its title, on the first page
    first = squeeze(" ".join(x.text for x in pdf.pages[0].words))
    assert first.startswith(squeeze(t("workshop_agreement_title", lang))), first[:80]


def split_words(pdf: Pdf, text: str) -> list[str]:
    """The words of ``text`` (the document's own, of letters only) the PDF has fewer of than
    ``text`` has: a word broken inside, where it had no break, is one. A table column too
    narrow for a party's name ("Tjenestemotta" / "ker") shows here."""
    words = Counter(squeeze(x) for x in text.split())
    printed = Counter(squeeze(x.text) for x in pdf.words)
    return sorted(x for x in words if x.isalpha() and printed[x] < words[x])


def without_first_agreed_clause(w: Workshop) -> tuple[Agreement, str]:
    """``w``'s draft with one agreed clause's wording left out, and that wording: the positive
    control of :func:`missing`."""
    agreement = draft_agreement(w)
    wording = next(o.wording for o in w.outcomes if o.status == "agreed" and o.wording)
    assert wording is not None
    blocks = tuple(b for b in agreement.blocks if not (isinstance(b, Para) and b.text == wording))
    assert len(blocks) == len(agreement.blocks) - 1
    return replace(agreement, blocks=blocks), wording


def printed_hostile_workshop() -> Workshop:
    """tests/test_workshop_agreement.py's hostile workshop, plus a parked point with a token
    no line can break at a space and a clause (with a proposal) whose title is one long word."""
    w = hostile_workshop().park("recipient", f"Se {LONG_TOKEN} for mer", "r1")
    w = w.with_custom_clause(LONG_TITLE, "", 3)
    assert w.clauses[-1].title.get("nb") == LONG_TITLE and len(LONG_TITLE) == 100
    return w.propose(w.clauses[-1].id, "unit", "Et forslag.", "u1")


def assert_hostile_printed(pdf: Pdf, w: Workshop, margins: tuple[float, float]) -> None:
    assert_a4_within_margins(pdf, margins)
    assert_no_link_or_script(pdf)
    assert missing(pdf, PAYLOADS) == []
    assert missing(pdf, expected_phrases(w)) == []
    # the facilitator's wordings print as they were typed, not as a list or a heading
    assert missing(pdf, ["- " + PAYLOADS[2], "1. " + PAYLOADS[0], "# " + PAYLOADS[3]]) == []
    assert squeeze(LONG_TOKEN) in pdf.squeezed
    # the long title as heading, open point and caption of its table of responses
    assert pdf.squeezed.count(squeeze(LONG_TITLE)) >= 3


# ---------------------------------------------------------------- LibreOffice: DOCX to PDF


def soffice_to_pdf(docs: dict[str, bytes], folder: Path) -> dict[str, Pdf]:
    """Each DOCX of ``docs`` (name: bytes) as LibreOffice's PDF, in one run of a LibreOffice
    with its own profile (a parallel run, or the user's own LibreOffice, is not disturbed)."""
    _need(
        os.access(SOFFICE, os.X_OK),
        f"LibreOffice not found at {SOFFICE} (Debian: apt-get install libreoffice-writer-nogui)",
    )
    need_poppler()
    paths = []
    for name, data in docs.items():
        path = folder / f"{name}.docx"
        path.write_bytes(data)
        paths.append(str(path))
    out = folder / "pdf"
    out.mkdir()
    argv = [
        SOFFICE,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *paths,
    ]
    # the first start makes the profile (some seconds; more on a loaded machine)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=folder)
    pdfs = {name: out / f"{name}.pdf" for name in docs}
    assert done.returncode == 0 and all(p.exists() for p in pdfs.values()), (
        done.returncode,
        done.stdout,
        done.stderr,
    )
    return {name: read_pdf(path) for name, path in pdfs.items()}


@pytest.fixture(scope="module")
def office_pdfs(tmp_path_factory) -> dict[str, Pdf]:
    control, _ = without_first_agreed_clause(example_workshop("nb"))
    docs = {lang: to_docx(draft_agreement(example_workshop(lang))) for lang in LANGS}
    docs["hostile"] = to_docx(draft_agreement(printed_hostile_workshop()))
    docs["control"] = to_docx(control)
    return soffice_to_pdf(docs, tmp_path_factory.mktemp("soffice"))


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_prints_the_docx_on_a4_with_every_clause_reason_and_party(office_pdfs, lang):
    w = example_workshop(lang)
    pdf = office_pdfs[lang]
    assert_a4_within_margins(pdf, DOCX_MARGINS)
    assert pdf.info.get("Title", "").startswith(t("workshop_agreement_title", lang))
    assert_sample_printed(pdf, w, docx_text(to_docx(draft_agreement(w))))


@pytest.mark.libreoffice
def test_libreoffice_prints_what_a_participant_typed_as_text(office_pdfs):
    assert_hostile_printed(office_pdfs["hostile"], printed_hostile_workshop(), DOCX_MARGINS)


@pytest.mark.libreoffice
def test_the_libreoffice_check_misses_a_clause_that_is_not_there(office_pdfs):
    """The positive control: the same check on a draft without one agreed clause names it."""
    w = example_workshop("nb")
    _, wording = without_first_agreed_clause(w)
    assert missing(office_pdfs["control"], expected_phrases(w)) == [wording]


# ---------------------------------------------------------------- Chromium: HTML to PDF


def chromium_pdf(browser, page_html: str, path: Path) -> Pdf:
    """``page_html`` printed by Chromium as its print dialog would (the CSS ``@page`` size,
    no browser headers or footers), with every request aborted; none is made, and no script
    runs (an ``alert`` would open a dialog)."""
    context = browser.new_context(locale="nb-NO")
    asked: list[str] = []
    dialogs: list[str] = []

    def refuse(route) -> None:
        asked.append(route.request.url)
        route.abort()

    context.route("**/*", refuse)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.set_content(page_html)
        page.pdf(path=str(path), prefer_css_page_size=True)
    finally:
        context.close()
    assert asked == [] and dialogs == [], (asked, dialogs)
    return read_pdf(path)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_chromium_prints_the_html_on_a4_with_every_clause_reason_and_party(browser, tmp_path, lang):
    need_poppler()
    w = example_workshop(lang)
    pdf = chromium_pdf(browser, to_html(draft_agreement(w)), tmp_path / "utkast.pdf")
    # the 18 mm side margins of @page, not more: the screen's padding is not printed
    assert_a4_within_margins(pdf, HTML_MARGINS)
    assert_no_link_or_script(pdf)
    assert_sample_printed(pdf, w, html_text(to_html(draft_agreement(w)))[0])


@pytest.mark.browser
def test_chromium_prints_what_a_participant_typed_as_text(browser, tmp_path):
    need_poppler()
    w = printed_hostile_workshop()
    pdf = chromium_pdf(browser, to_html(draft_agreement(w)), tmp_path / "utkast.pdf")
    assert_hostile_printed(pdf, w, HTML_MARGINS)


@pytest.mark.browser
def test_the_chromium_check_misses_a_clause_that_is_not_there(browser, tmp_path):
    """The positive control: the same check on a draft without one agreed clause names it."""
    need_poppler()
    w = example_workshop("nb")
    control, wording = without_first_agreed_clause(w)
    pdf = chromium_pdf(browser, to_html(control), tmp_path / "utkast.pdf")
    assert missing(pdf, expected_phrases(w)) == [wording]
