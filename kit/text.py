"""Multilingual content values and language codes (no dependencies)."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")
DEFAULT_LANG = "nb"


def normalize_lang(lang: str | None) -> str:
    """Map user input such as ``"NO"``, ``"nob"`` or ``"en-GB"`` to one of LANGUAGES."""
    if not lang:
        return DEFAULT_LANG
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    aliases = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
    code = aliases.get(code, code)
    return code if code in LANGUAGES else DEFAULT_LANG


@dataclass(frozen=True)
class Text:
    """A piece of content in several languages; nynorsk falls back to bokmål when not given."""

    nb: str
    en: str
    nn: str | None = None

    def get(self, lang: str = DEFAULT_LANG) -> str:
        lang = normalize_lang(lang)
        if lang == "en":
            return self.en
        if lang == "nn":
            return self.nn or self.nb
        return self.nb

    __call__ = get
