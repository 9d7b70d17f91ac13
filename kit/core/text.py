"""Multilingual content values (no dependencies)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_LANG = "nb"


class Text:
    """A piece of content in several languages.

    Bokmål (``nb``) is always there. The kit's own content files also require English (``en``);
    a course leader's case file may leave it out. Any missing language falls back to bokmål.
    """

    __slots__ = ("_values",)
    _values: Mapping[str, str]

    def __init__(self, nb: str, en: str | None = None, **others: str | None) -> None:
        values = {"nb": nb}
        values.update({lang: v for lang, v in {"en": en, **others}.items() if v})
        object.__setattr__(self, "_values", MappingProxyType(values))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Text is immutable")

    @property
    def nb(self) -> str:
        return self._values["nb"]

    @property
    def en(self) -> str:
        return self.get("en")

    @property
    def nn(self) -> str | None:
        return self._values.get("nn")

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this text is written in (without fallbacks)."""
        return tuple(self._values)

    def get(self, lang: str = DEFAULT_LANG) -> str:
        """The text in ``lang``, or in bokmål where that language is missing."""
        return self._values.get(lang) or self._values[DEFAULT_LANG]

    __call__ = get

    def as_dict(self) -> Mapping[str, str]:
        return self._values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and dict(self._values) == dict(other._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Text({inner})"
