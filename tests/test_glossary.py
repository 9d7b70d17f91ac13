"""The glossary (data/glossary.yaml) and the texts that must follow it.

English texts in data/*.yaml, data/i18n/en/*.yaml and the English facilitator guide must not use
the glossary's `avoid_en` forms (calques such as "principled clarifications", "offering" as a noun
for tilbud); nynorsk texts must not use its `avoid_nn` forms ("ein case", "casen"). Each file is
its own test, so a failure names the file and the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from kit.core.paths import data_dir

DATA = data_dir()
GLOSSARY = DATA / "glossary.yaml"

#: Terms the issue asks for (nb key words); each must be in the glossary with nb, nn and en.
REQUIRED = {
    "samskaping": "co-creation",
    "samproduksjon": "co-production",
    "verdisamskaping": "value co-creation",
    "tilbud": "offer",
    "rammen": "the frame",
    "prinsipielle avklaringer": "decisions of principle",
    "frivilligsentral": "volunteer centre",
    "kommunal virksomhet": "municipal unit",
    "tjenestemottaker": "service recipient",
    "pårørende": "relatives",
    "frivillighetspolitikk": "voluntary-sector policy",
    "forankring": "anchoring",
    "nivå": "level",
    "case": "case",
}


@lru_cache(maxsize=1)
def load_glossary() -> list[dict]:
    raw = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert raw["schema"] == 1
    return raw["terms"]


@lru_cache(maxsize=4)
def avoid_patterns(lang: str) -> list[tuple[str, re.Pattern, str]]:
    """(form, compiled pattern, what to use instead) for every `avoid_<lang>` entry."""
    found = []
    for term in load_glossary():
        for entry in term.get(f"avoid_{lang}", []):
            pattern = entry.get("pattern") or r"\b" + re.escape(entry["form"]) + r"\b"
            found.append((entry["form"], re.compile(pattern, re.IGNORECASE), entry["use"]))
    return found


def strings_in(node, lang: str, inside: bool = False):
    """Every string of ``lang`` in a YAML tree: values under a key ``lang`` or ``*_lang``, or
    every string when ``inside`` (a file that is all in one language)."""
    if isinstance(node, dict):
        for key, value in node.items():
            key = str(key)
            hit = inside or key == lang or key.endswith(f"_{lang}")
            yield from strings_in(value, lang, hit)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value, lang, inside)
    elif isinstance(node, str) and inside:
        yield node


def texts_of(path: Path, lang: str) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    whole = path.parent.name == lang and path.parent.parent.name == "i18n"
    return list(strings_in(raw, lang, inside=whole))


def problems(path: Path, lang: str) -> list[str]:
    out = []
    for text in texts_of(path, lang):
        flat = " ".join(text.split())
        for form, pattern, use in avoid_patterns(lang):
            for match in pattern.finditer(flat):
                start = max(match.start() - 40, 0)
                out.append(f"{form!r} (use {use!r}): …{flat[start : match.end() + 40]}…")
    return out


def rel(path: Path) -> str:
    return str(path.relative_to(DATA.parent)) if DATA.parent in path.parents else path.name


CONTENT = sorted(p for p in DATA.glob("*.yaml") if p.name != "glossary.yaml")
ENGLISH = [
    *CONTENT,
    *sorted((DATA / "i18n" / "en").glob("*.yaml")),
    DATA / "fasilitatorguide_en.md",
]
NYNORSK = [
    *CONTENT,
    *sorted((DATA / "i18n" / "nn").glob("*.yaml")),
    DATA / "fasilitatorguide_nn.md",
]


def test_glossary_has_every_term_in_three_languages():
    terms = load_glossary()
    for term in terms:
        assert {"id", "nb", "nn", "en"} <= set(term), term.get("id")
        for lang in ("nb", "nn", "en"):
            assert isinstance(term[lang], str) and term[lang].strip(), (term["id"], lang)
    assert len({term["id"] for term in terms}) == len(terms)
    for nb, en in REQUIRED.items():
        term = next((t for t in terms if t["nb"].split(" (")[0].split(",")[0] == nb), None)
        assert term, f"{nb!r} missing from the glossary"
        assert en in term["en"], (nb, term["en"])
    case = next(t for t in terms if t["id"] == "case")
    assert "eit case, caset, fleire case, casa" in case["nn"]


def test_glossary_avoid_entries_are_well_formed():
    for lang in ("en", "nn"):
        for form, pattern, use in avoid_patterns(lang):
            assert use and form
            assert pattern.pattern
    # the calques the issue names are caught, their plain uses are not
    en = avoid_patterns("en")

    def hits(text):
        return [form for form, pattern, _ in en if pattern.search(text)]

    assert hits("principled clarifications at strategic level")
    assert hits("principled and strategic clarifications about the cooperation")
    assert hits("the new offering for older people")
    assert hits("offerings for families")
    assert not hits("a café offering work training")
    assert not hits("decisions of principle at strategic level; the offer; the volunteer centre")


@pytest.mark.parametrize("path", ENGLISH, ids=rel)
def test_english_texts_avoid_the_glossarys_banned_forms(path):
    assert path.is_file(), f"{rel(path)} is missing"
    found = problems(path, "en")
    assert not found, f"{rel(path)}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", NYNORSK, ids=rel)
def test_nynorsk_texts_avoid_the_glossarys_banned_forms(path):
    assert path.is_file(), f"{rel(path)} is missing"
    found = problems(path, "nn")
    assert not found, f"{rel(path)}:\n" + "\n".join(found)


#: The texts of each language, for the plural of "case".
BY_LANGUAGE = {
    "nb": [
        *sorted((DATA / "i18n" / "nb").glob("*.yaml")),
        DATA / "fasilitatorguide.md",
        DATA.parent / "docs" / "hurtigstart.md",
    ],
    "nn": [*sorted((DATA / "i18n" / "nn").glob("*.yaml")), DATA / "fasilitatorguide_nn.md"],
    "en": [*sorted((DATA / "i18n" / "en").glob("*.yaml")), DATA / "fasilitatorguide_en.md"],
}
#: A count ("110", "N", "{n}", not 1) and a form of "case" after it.
COUNTED_CASES = re.compile(r"(?<![\w-])(?:\{\w+\}|N|[02-9]|\d{2,}) (case|caser|cases|casar)\b")


def counted_cases(text: str, plural: str) -> list[str]:
    """Every "N case(s)" in ``text`` whose noun is not ``plural``."""
    flat = " ".join(text.split())
    return [m[0] for m in COUNTED_CASES.finditer(flat) if m[1] != plural]


def test_counted_cases_are_found():
    assert counted_cases("Hele biblioteket ({n} case)", "caser") == ["{n} case"]
    assert counted_cases("OK: N cases i 2 filer; 1 case", "caser") == ["N cases"]
    assert counted_cases("110 caser, 1 case, check-cases", "caser") == []


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_plural_of_case_is_the_glossarys(lang):
    """ "110 caser" in bokmål, "110 case" in nynorsk, "110 cases" in English: never mixed."""
    case = next(t for t in load_glossary() if t["id"] == "case")
    plural = case["plural"][lang]
    found = []
    for path in BY_LANGUAGE[lang]:
        if path.suffix == ".md":
            texts = [path.read_text(encoding="utf-8")]
        else:
            texts = list(strings_in(yaml.safe_load(path.read_text(encoding="utf-8")), lang, True))
        found += [f"{rel(path)}: …{hit}…" for text in texts for hit in counted_cases(text, plural)]
    assert not found, f"the plural is {plural!r}:\n" + "\n".join(found)


def test_texts_extracted_by_language():
    """The walker finds en/nn values and *_en/*_nn keys, and nothing in other languages."""
    raw = {
        "a": {"nb": "x", "nn": "y", "en": "z"},
        "tekst_en": "w",
        "tekst": "v",
        "l": [{"en": "u"}],
    }
    assert sorted(strings_in(raw, "en")) == ["u", "w", "z"]
    assert list(strings_in(raw, "nn")) == ["y"]
