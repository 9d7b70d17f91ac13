"""UI texts by key, in bokmål (default), nynorsk and English.

Every sentence a learner or teacher reads lives in ``data/i18n/<lang>/*.yaml``; code only names keys:
``t("check_answer", "nn")``. Placeholders use ``str.format`` names: ``t("progress", lang, n=2, total=5)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from kit.core import config
from kit.core.paths import data_dir
from kit.core.text import DEFAULT_LANG, Text
from kit.core.yamlio import ContentError, read_yaml

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "Text",
    "lang_from_environ",
    "setting_message",
    "language_name",
    "normalize_lang",
    "t",
    "texts",
]

#: Bokmål, nynorsk and English come first; any other ``data/i18n/<code>/`` is added after.
_PREFERRED = ("nb", "nn", "en")


def _discover_languages() -> tuple[str, ...]:
    folder = data_dir() / "i18n"
    found = {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()
    return tuple(c for c in _PREFERRED if c in found) + tuple(sorted(found - set(_PREFERRED)))


#: The languages the kit can show: one per folder in ``data/i18n``.
LANGUAGES: tuple[str, ...] = _discover_languages() or _PREFERRED


def normalize_lang(lang: str | None) -> str:
    """Map user input such as ``"NO"``, ``"nob"`` or ``"en-GB"`` to one of LANGUAGES."""
    if not lang:
        return DEFAULT_LANG
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    aliases = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
    code = aliases.get(code, code)
    return code if code in LANGUAGES else DEFAULT_LANG


def _known(lang: str) -> str | None:
    """The language ``lang`` names (as :func:`normalize_lang` reads it), or None if none."""
    code = normalize_lang(lang)
    first = lang.strip().lower().replace("_", "-").split("-")[0].split(".")[0]
    return code if code != DEFAULT_LANG or first in ("nb", "no", "nob") else None


def lang_from_environ(environ: Mapping[str, str]) -> str:
    """The language of a command line, from the environment as gettext reads it.

    ``KIT_LANG`` first; then the locale (the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``):
    ``C``/``POSIX`` or unset means bokmål; otherwise GNU ``LANGUAGE`` (``nn:nb:en``) may name a
    preference list, and the first language the kit has wins. A language the kit lacks
    (``de_DE.UTF-8``) gives bokmål.
    """
    wanted = config.LANG.get(environ)
    if wanted:
        return normalize_lang(wanted)
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    if locale.split(".")[0] in ("", "C", "POSIX"):
        return DEFAULT_LANG
    for wish in [*environ.get("LANGUAGE", "").split(":"), locale]:
        known = _known(wish) if wish else None
        if known:
            return known
    return DEFAULT_LANG


def language_name(lang: str) -> str:
    """The language's name in itself ("Bokmål", "Nynorsk", "English"), for the language menu."""
    return texts(lang)["language_name"]


@cache
def texts(lang: str) -> Mapping[str, str]:
    """All UI texts of one language, as a read-only mapping.

    A language is a folder ``data/i18n/<lang>/`` of YAML files (``core.yaml``, ``cases.yaml``,
    ...), one per part of the kit, merged; a key may be defined in one file only.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    merged: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for path in sorted((data_dir() / "i18n" / lang).glob("*.yaml")):
        raw = read_yaml(path)
        if not isinstance(raw, dict):
            raise ContentError(f"{path}: expected a mapping of key: text")
        for key, value in raw.items():
            if not isinstance(value, str) or not value.strip():
                raise ContentError(f"{path}: {key}: text must be a non-empty string")
            if key in merged:
                raise ContentError(f"{path}: {key}: already defined in {origin[key].name}")
            merged[key] = value
            origin[key] = path
    return MappingProxyType(merged)


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    A key missing in nynorsk or English falls back to bokmål, so an incomplete translation
    shows Norwegian rather than a crash; the test suite demands every key in every language.
    """
    table = texts(normalize_lang(lang))
    template = table.get(key)
    if template is None:
        template = texts(DEFAULT_LANG).get(key)
    if template is None:
        raise KeyError(f"no text with key {key!r} in data/i18n")
    return template.format(**values) if values else template


def has_text(key: str, lang: str = DEFAULT_LANG) -> bool:
    """True if ``key`` exists (in ``lang`` or in bokmål), for optional labels such as domains."""
    return key in texts(normalize_lang(lang)) or key in texts(DEFAULT_LANG)


def setting_message(error: config.ConfigError, lang: str | None = None) -> str:
    """The line for a person about a setting the kit cannot use: the variable (or option), the
    value given and what is allowed, in ``lang``."""
    lang = lang or DEFAULT_LANG
    key = error.setting.allowed_key
    allowed = t(key, lang) if key else ""
    return t("config_invalid", lang, name=error.name, value=error.shown, allowed=allowed)
