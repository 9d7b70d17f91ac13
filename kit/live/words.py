"""The word cloud of an open question: normalising answers, the banned-word check, counting.

Pure. "Frivillighet" and "frivilligheten," count as one word: answers are compared by the
Snowball stems of their words (``snowballstemmer``: its Norwegian stemmer for bokmål and
nynorsk, its English one for English), lower-cased, with punctuation at the words' edges
dropped. What the cloud shows for a group is its most common written form.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: The Snowball algorithm per kit language.
STEMMERS = {"nb": "norwegian", "nn": "norwegian", "en": "english"}
#: At most this many words in a cloud (the most common).
CLOUD_MAX = 50
#: A banned-word list stays this short (per session, edited by the presenter).
BANNED_MAX = 200
BANNED_WORD_MAX = 40

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(STEMMERS.get(lang, "norwegian"))


def words(text: str) -> list[str]:
    """The answer's words, lower-cased, without punctuation at their edges."""
    folded = unicodedata.normalize("NFC", text).casefold()
    out = []
    for raw in folded.split():
        word = _EDGE.sub("", raw)
        if word:
            out.append(word)
    return out


def key(text: str, lang: str) -> str:
    """What two answers share when they count as the same: their words' stems."""
    stemmer = _stemmer(lang)
    return " ".join(stemmer.stemWord(w) for w in words(text))


def surface(text: str) -> str:
    """How an answer is shown: its words, lower-cased, punctuation at the edges dropped."""
    return " ".join(words(text))


def banned_keys(banned: Iterable[str], lang: str) -> frozenset[str]:
    """The stems of a banned-word list (a listed phrase counts as its words)."""
    stemmer = _stemmer(lang)
    return frozenset(stemmer.stemWord(w) for entry in banned for w in words(entry))


def is_banned(text: str, banned: frozenset[str], lang: str) -> bool:
    """True when any word of the answer is on the list (compared by stem, and as written)."""
    stemmer = _stemmer(lang)
    return any(w in banned or stemmer.stemWord(w) in banned for w in words(text))


def clean_banned(raw: Iterable[object]) -> tuple[str, ...]:
    """A presenter's list as kept: words as text, lower-cased, no duplicates, bounded."""
    seen: dict[str, None] = {}
    for item in raw:
        if not isinstance(item, str):
            continue
        word = surface(item)[:BANNED_WORD_MAX]
        if word:
            seen.setdefault(word, None)
        if len(seen) >= BANNED_MAX:
            break
    return tuple(seen)


def parse_banned(text: str) -> tuple[str, ...]:
    """A list typed in a field: words separated by commas or new lines."""
    return clean_banned(re.split(r"[,;\n]+", text))


@dataclass(frozen=True)
class CloudWord:
    label: str
    count: int


@dataclass(frozen=True)
class Entry:
    """One open answer as the cloud sees it."""

    id: int
    text: str
    hidden: bool = False


def cloud(
    entries: Iterable[Entry], banned: frozenset[str], lang: str, limit: int = CLOUD_MAX
) -> list[CloudWord]:
    """The cloud's words, most common first (ties by label): hidden and banned answers left
    out, answers that share their stems counted together."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for entry in entries:
        if entry.hidden or is_banned(entry.text, banned, lang):
            continue
        k = key(entry.text, lang)
        if not k:
            continue
        counts[k] += 1
        forms.setdefault(k, Counter())[surface(entry.text)] += 1
    out = [
        CloudWord(min(forms[k].items(), key=lambda f: (-f[1], f[0]))[0], n)
        for k, n in counts.items()
    ]
    out.sort(key=lambda w: (-w.count, w.label))
    return out[:limit]
