"""Reading the kit's YAML content files with messages that name the file and the place."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from kit.core.paths import data_dir
from kit.core.text import Text

T = TypeVar("T")


class ContentError(ValueError):
    """A content file in data/ is missing, unreadable or malformed.

    The message names the file and the field, so a course leader who edited it can mend it.
    """


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a ContentError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{path}{where}: invalid YAML: {problem}") from None


class ContentFile(Generic[T]):
    """One of the kit's content files (``data/<name>``) and the parser that makes it an object.

    ``load()`` gives the kit's own file, parsed once per data folder (``KIT_DATA_DIR`` may name
    another); ``load(path)`` reads and parses a course leader's copy each time.
    """

    def __init__(self, name: str, parse: Callable[[Any, Path], T]) -> None:
        self.name = name
        self.parse = parse
        self._default = lru_cache(maxsize=4)(self._read)

    def _read(self, path: Path) -> T:
        return self.parse(read_yaml(path), path)

    def load(self, path: str | Path | None = None) -> T:
        if path is None:
            return self._default(data_dir() / self.name)
        return self._read(Path(path))


class Reader:
    """Walks the parsed YAML and raises ContentError naming file and field path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def top(self, raw: Any) -> dict[str, Any]:
        """The file's top level, which must be a mapping."""
        if not isinstance(raw, dict):
            raise ContentError(f"{self.path}: expected a mapping at the top level")
        return raw

    def fail(self, where: str, message: str) -> ContentError:
        return ContentError(f"{self.path}: {where}: {message}")

    def get(self, node: Any, key: str, where: str) -> Any:
        if not isinstance(node, dict):
            raise self.fail(where, "expected a mapping")
        if key not in node or node[key] is None:
            raise self.fail(f"{where}.{key}" if where else key, "missing")
        return node[key]

    def string(self, node: Any, key: str, where: str) -> str:
        value = self.get(node, key, where)
        if not isinstance(value, (str, int)) or not str(value).strip():
            raise self.fail(f"{where}.{key}" if where else key, "must be non-empty text")
        return str(value).strip()

    def integer(self, node: Any, key: str, where: str) -> int:
        value = self.get(node, key, where)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}" if where else key, "must be a whole number")
        return value

    def text(self, node: Any, where: str) -> Text:
        """A multilingual text: ``nb`` and ``en`` required, other language codes optional."""
        if not isinstance(node, dict):
            raise self.fail(where, "expected a mapping with nb and en (and optionally nn)")
        values = {}
        for lang in ("nb", "en", *sorted(k for k in node if k not in ("nb", "en"))):
            value = node.get(lang)
            if not (isinstance(lang, str) and lang.isalpha() and lang.islower() and len(lang) <= 3):
                raise self.fail(f"{where}.{lang}", "unknown key: expected a language code")
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{where}.{lang}", "missing or empty text")
            values[lang] = " ".join(value.split())
        return Text(**values)

    def text_field(self, node: Any, key: str, where: str) -> Text:
        return self.text(self.get(node, key, where), f"{where}.{key}" if where else key)

    def items(self, node: Any, key: str, where: str) -> list[Any]:
        value = self.get(node, key, where)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}.{key}" if where else key, "must be a non-empty list")
        return value

    def texts(self, node: Any, key: str, where: str) -> tuple[Text, ...]:
        here = f"{where}.{key}" if where else key
        return tuple(
            self.text(v, f"{here}[{i}]") for i, v in enumerate(self.items(node, key, where))
        )

    def choice(self, node: Any, key: str, where: str, allowed: tuple[str, ...]) -> str:
        value = self.string(node, key, where)
        if value not in allowed:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
        return value
