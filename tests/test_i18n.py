"""UI texts: every language has every key, with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from kit.core.i18n import LANGUAGES, normalize_lang, t, texts

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "nb"])
def test_every_language_has_every_key(lang):
    reference = texts("nb")
    other = texts(lang)
    assert sorted(set(reference) - set(other)) == [], f"{lang} lacks keys"
    assert sorted(set(other) - set(reference)) == [], f"{lang} has keys bokmål lacks"
    for key, template in reference.items():
        assert fields(other[key]) == fields(template), f"{lang}:{key} placeholders differ"


def test_nynorsk_is_translated_not_copied():
    nb, nn = texts("nb"), texts("nn")
    same = [k for k in nb if nb[k] == nn[k] and len(nb[k]) > 25]
    assert len(same) <= len(nb) // 10, f"nynorsk copies bokmål for {same[:10]}"


def test_lookup_and_fill():
    assert t("level_n", "en", n=2) == "Level 2"
    assert t("level_n", "nb", n=2) == "Nivå 2"
    assert "{" not in t("question_n", "nn", n=1, total=5)


def test_unknown_key_raises():
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "nb")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "nb"),
        ("", "nb"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("nn_NO", "nn"),
        ("no", "nb"),
        ("nob", "nb"),
        ("sv", "nb"),
        ("nno", "nn"),
    ],
)
def test_normalize_lang(given, expected):
    assert normalize_lang(given) == expected


def test_unknown_language_rejected_by_texts():
    with pytest.raises(ValueError, match="unknown language"):
        texts("de")
