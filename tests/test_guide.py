"""The facilitator guide in bokmål, nynorsk and English, and the app that shows it.

The three files must have the same structure (headings, numbered questions, checklist, suggested
cases, commands, links) and the same timings: the minute ranges of the 45- and 90-minute plans
follow each other without gaps, and their lengths add up to the stated total in every language.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from kit.core.i18n import t
from kit.core.paths import data_dir
from kit.guide import app as guide
from kit.guide.app import Fasilitatorguide, guide_file, guide_html, guide_path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("nb", "nn", "en")
#: One heading each language must have, to see that the right file is shown.
FIRST_SECTION = {
    "nb": "Hva økta skal gi deltakerne",
    "nn": "Kva økta skal gi deltakarane",
    "en": "What participants should take away",
}
RANGE = re.compile(r"^\|\s*(\d+)–(\d+)\s*\|")
TOTAL = re.compile(r"^\w+: ([\d +]+) = \*\*(\d+) \w+\*\*\.$")


def text(lang: str) -> str:
    return (data_dir() / guide_file(lang)).read_text(encoding="utf-8")


def outside_code(md: str) -> list[str]:
    lines, fenced = [], False
    for line in md.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def code_blocks(md: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```\w*\n(.*?)```", md, re.S)]


def headings(md: str) -> list[int]:
    return [len(m.group(1)) for line in outside_code(md) if (m := re.match(r"^(#+) ", line))]


def sections(md: str) -> list[str]:
    """The text of each level-2 section, in order."""
    return re.split(r"^## .*$", md, flags=re.M)[1:]


def plans(md: str) -> list[tuple[list[tuple[int, int]], list[int], int]]:
    """For each section with a timing table: (minute ranges, the summed terms, the total)."""
    found = []
    for section in sections(md):
        ranges = [
            tuple(map(int, m.groups())) for line in section.splitlines() if (m := RANGE.match(line))
        ]
        if not ranges:
            continue
        totals = [m for line in section.splitlines() if (m := TOTAL.match(line.strip()))]
        assert len(totals) == 1, "each plan has one total line"
        terms = [int(n) for n in totals[0].group(1).split("+")]
        found.append((ranges, terms, int(totals[0].group(2))))
    return found


def links(md: str) -> list[str]:
    return re.findall(r"<(https?://[^>]+)>", md) + re.findall(r"\]\(([^)]+)\)", md)


#: A link that opens the presenter with one of the ready-made plans, in the guide's language.
PLAN_LINK = re.compile(
    r"^http://127\.0\.0\.1:8866/voila/render/05_presentator\.ipynb\?plan=([\w-]+)&lang=(\w+)$"
)


def same_in_every_language(link: str) -> str:
    """A link as it must be in every language (a plan link carries the guide's own language)."""
    return re.sub(r"&lang=\w+$", "", link) if PLAN_LINK.match(link) else link


@pytest.mark.parametrize("lang", LANGS)
def test_guide_file_exists(lang):
    assert (data_dir() / guide_file(lang)).is_file()
    assert guide_path(lang) == (data_dir() / guide_file(lang), lang)


@pytest.mark.parametrize("lang", ["nn", "en"])
def test_same_structure_as_bokmal(lang):
    nb, other = text("nb"), text(lang)
    assert headings(other) == headings(nb)
    # the discussion questions, the steps, the checklist, the suggested cases, the commands
    numbered = re.compile(r"^\s*(\d+)\. ", re.M)
    assert numbered.findall(other) == numbered.findall(nb)
    assert other.count("- [ ]") == nb.count("- [ ]")
    ids = re.compile(r"`([a-z]+(?:-[a-z]+)+)`")
    assert ids.findall(other) == ids.findall(nb)
    assert code_blocks(other) != [] and len(code_blocks(other)) == len(code_blocks(nb))
    for mine, theirs in zip(code_blocks(other), code_blocks(nb), strict=True):
        if "<" not in theirs:  # a placeholder address may be translated
            assert mine == theirs
    assert [same_in_every_language(x) for x in links(other)] == [
        same_in_every_language(x) for x in links(nb)
    ]
    assert other.count("|---|") == nb.count("|---|")


@pytest.mark.parametrize("lang", LANGS)
def test_plans_add_up_to_45_and_90_minutes(lang):
    """The 45- and 90-minute plans, then the 90-minute co-operation workshop."""
    found = plans(text(lang))
    assert [total for _, _, total in found] == [45, 90, 90]
    for ranges, terms, total in found:
        assert ranges[0][0] == 0 and ranges[-1][1] == total
        assert all(a[1] == b[0] for a, b in pairwise(ranges)), "no gaps or overlaps"
        assert [end - start for start, end in ranges] == terms
        assert sum(terms) == total


@pytest.mark.parametrize("lang", ["nn", "en"])
def test_same_timings_as_bokmal(lang):
    assert plans(text(lang)) == plans(text("nb"))


@pytest.mark.parametrize("lang", LANGS)
def test_guide_renders_without_running_html(lang):
    out = guide_html(lang)
    assert out.count("<table>") >= 2 and "<script" not in out and "<h1>" not in out
    assert FIRST_SECTION[lang] in out


def test_nynorsk_guide_is_nynorsk():
    nn = text("nn")
    for word in ("ikkje", "kva", "korleis", "deltakarane", "frivilligheita", "eit case", "casa"):
        assert re.search(rf"\b{word}\b", nn, re.I), word
    for word in ("ikke", "hva", "hvordan", "deltakerne", "frivilligheten", "casene", "casen"):
        assert not re.search(rf"\b{word}\b", nn, re.I), word


@pytest.mark.parametrize("lang", LANGS)
def test_app_shows_the_chosen_language(lang):
    app = Fasilitatorguide(lang=lang)
    assert len(app.body.children) == 1, "no fallback note when the language has a guide"
    assert f"lang='{lang}'" in app.guide.value and FIRST_SECTION[lang] in app.guide.value


def test_app_opens_in_nynorsk_for_lang_nn_in_the_address(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "lang=nn")
    app = Fasilitatorguide()
    assert app.lang == "nn" and app.language.value == "nn"
    assert "lang='nn'" in app.guide.value and FIRST_SECTION["nn"] in app.guide.value
    assert FIRST_SECTION["nb"] not in app.guide.value


def test_language_menu_switches_the_guide():
    app = Fasilitatorguide(lang="nb")
    assert FIRST_SECTION["nb"] in app.guide.value
    app.language.value = "nn"
    assert FIRST_SECTION["nn"] in app.guide.value and "lang='nn'" in app.guide.value
    app.language.value = "en"
    assert FIRST_SECTION["en"] in app.guide.value and "lang='en'" in app.guide.value
    assert app.page.lang == "en"


def test_bokmal_fallback_only_when_the_file_is_missing(monkeypatch, tmp_path):
    (tmp_path / guide_file("nb")).write_text(text("nb"), encoding="utf-8")
    (tmp_path / guide_file("en")).write_text(text("en"), encoding="utf-8")
    monkeypatch.setattr(guide, "data_dir", lambda: tmp_path)
    app = Fasilitatorguide(lang="nn")
    assert t("guide_fallback_nb", "nn") in app.body.children[0].value
    assert "lang='nb'" in app.guide.value and FIRST_SECTION["nb"] in app.guide.value
    app.language.value = "en"
    assert len(app.body.children) == 1 and FIRST_SECTION["en"] in app.guide.value


@pytest.mark.parametrize("lang", LANGS)
def test_guide_links_work(lang):
    for target in links(text(lang)):
        if PLAN_LINK.match(target):
            continue  # test_the_guide_opens_the_presenter_with_its_plans
        app = re.match(r"http://127\.0\.0\.1:8866/voila/render/([\w.]+\.ipynb)$", target)
        if app:  # an app of the kit, served where the guide is (the app rewrites the address)
            assert (ROOT / "notebooks" / app[1]).is_file(), target
        elif target.startswith(("http://", "https://")):
            assert target in {"http://127.0.0.1:8866/", "https://doi.org/10.23865/cdf.266.ch2"}
        else:  # a relative link must point to a file in the repository
            assert (data_dir() / target.split("#")[0]).exists(), target
    for name in (
        "data/fasilitatorguide.md",
        "data/fasilitatorguide_nn.md",
        "data/fasilitatorguide_en.md",
    ):
        assert name in text(lang) and (ROOT / name).is_file()


def test_readme_links_to_the_guide_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#]+)", readme) if not t.startswith("http")]
    assert "data/fasilitatorguide.md" in targets
    for target in targets:
        assert (ROOT / target).exists(), target


def test_the_guide_links_to_the_address_it_is_served_at(monkeypatch):
    """The files name serve's default address; the app shows the one it runs at."""
    from kit.core.address import DEFAULT_BASE_URL
    from kit.guide.app import guide_html

    for lang in ("nb", "nn", "en"):
        assert DEFAULT_BASE_URL in guide_html(lang)  # positive control: outside Voilà
    monkeypatch.setenv("SERVER_NAME", "10.0.0.5")
    monkeypatch.setenv("SERVER_PORT", "8870")
    monkeypatch.setenv("SCRIPT_NAME", "/kurs/voila/render/08_fasilitatorguide.ipynb")
    for lang in ("nb", "nn", "en"):
        page = guide_html(lang)
        assert DEFAULT_BASE_URL not in page and "http://10.0.0.5:8870/kurs/" in page


def test_the_checklist_is_labelled_checkboxes_not_brackets():
    from kit.core.html import markdown_html
    from kit.guide.app import guide_html

    for lang in ("nb", "nn", "en"):
        page = guide_html(lang)
        assert "[ ]" not in page and "[x]" not in page
        assert page.count("<li class='kit-task'><label><input type='checkbox'>") >= 5
    ticked = markdown_html("- [x] <b>done</b>\n- [ ] open\n")
    assert "<input type='checkbox' checked> &lt;b&gt;done&lt;/b&gt;</label>" in ticked
    assert "disabled" not in ticked


@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_opens_the_presenter_with_its_plans(lang, monkeypatch):
    """Under each plan's suggested cases, a link opens the presenter with that plan chosen, in
    the guide's language; the app links to the address it is served at."""
    from kit.live.plan import load_plan_sets

    found = [m.groups() for target in links(text(lang)) if (m := PLAN_LINK.match(target))]
    assert found == [("guide-45", lang), ("guide-90", lang)]
    sets = load_plan_sets()
    assert all(sets.get(plan) is not None for plan, _ in found)
    # each link stands in its plan's section
    timed = [s for s in sections(text(lang)) if any(RANGE.match(x) for x in s.splitlines())]
    forty_five, ninety, workshop = timed
    assert "plan=guide-45" in forty_five and "plan=guide-90" in ninety
    assert "plan=" not in workshop
    monkeypatch.setenv("SERVER_NAME", "10.0.0.5")
    monkeypatch.setenv("SERVER_PORT", "8870")
    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/08_fasilitatorguide.ipynb")
    page = guide_html(lang)
    assert (
        f"http://10.0.0.5:8870/voila/render/05_presentator.ipynb?plan=guide-45&amp;lang={lang}"
        in page
    )
