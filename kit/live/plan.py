"""A session plan for the presenter (pure): which cases and questions a live session shows, in
which order; the ready-made plans of ``data/session_plans.yaml``; the library's search; and the
small plan file a course leader saves and shares.

A :class:`SessionPlan` holds ids only (case ids and question ids). :func:`resolve` turns it into
the session's items against what this kit has (the case library, a course leader's own cases,
the ready-made questions) and reports the ids it does not know, so a plan made elsewhere is
still usable. :func:`read_plan` reads a plan file within small, fixed limits and raises
:class:`PlanFileError`, whose message names the file and the problem in the reader's language.
No widgets, no database.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from kit.cases.case import PROCESSES, TIERS, Case
from kit.cases.order import shuffle_cases
from kit.cases.pairs import ContrastPair, flat_cases
from kit.core.i18n import DEFAULT_LANG, t
from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader
from kit.live.questions import Item, Question

__all__ = [
    "FILE_KEY",
    "FILE_VERSION",
    "MAX_ID_CHARS",
    "MAX_PLAN_BYTES",
    "MAX_PLAN_ITEMS",
    "MAX_TITLE_CHARS",
    "PlanFileError",
    "PlanSet",
    "PlanSets",
    "Resolved",
    "SessionPlan",
    "filter_cases",
    "hard_cases",
    "item_pool",
    "load_plan_sets",
    "mixed_cases",
    "overlaps",
    "pair_matches",
    "plan_file_name",
    "plan_to_yaml",
    "read_plan",
    "resolve",
    "whole_library",
]

#: The first key of a plan file, and the format version this kit writes and reads.
FILE_KEY = "samskaping-plan"
FILE_VERSION = 1
#: A plan file is small: a title and a list of ids. Anything larger is refused unread.
MAX_PLAN_BYTES = 64 * 1024
MAX_PLAN_ITEMS = 500
#: The longest id the live store keeps (kit.live.schema.CASE_ID_MAX; a test holds them equal).
MAX_ID_CHARS = 80
MAX_TITLE_CHARS = 200
#: The rules a ready-made plan may name instead of a list of ids.
RULES: tuple[str, ...] = ("mixed", "hard", "all")

#: Characters a title or an id may not hold (control, format, surrogate, private, unassigned).
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


# ------------------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class SessionPlan:
    """A title and the ids of a session's items, in order (each id once)."""

    title: str = ""
    items: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def add(self, *ids: str) -> SessionPlan:
        """The plan with ``ids`` appended, leaving out those already in it."""
        have = set(self.items)
        new = []
        for item_id in ids:
            if item_id not in have:
                have.add(item_id)
                new.append(item_id)
        return replace(self, items=self.items + tuple(new))

    def remove(self, index: int) -> SessionPlan:
        if not 0 <= index < len(self.items):
            return self
        return replace(self, items=self.items[:index] + self.items[index + 1 :])

    def move(self, index: int, step: int) -> SessionPlan:
        """The item at ``index`` moved ``step`` places (-1 up, 1 down), stopping at the ends."""
        if not 0 <= index < len(self.items):
            return self
        to = min(max(index + step, 0), len(self.items) - 1)
        items = list(self.items)
        items.insert(to, items.pop(index))
        return replace(self, items=tuple(items))

    def clear(self) -> SessionPlan:
        return SessionPlan()

    def retitled(self, title: str) -> SessionPlan:
        return replace(self, title=title)


# ------------------------------------------------------------------- the ready-made plans


@dataclass(frozen=True)
class PlanSet:
    """A ready-made plan: fixed ids, or a rule that picks them from the library."""

    id: str
    title: Text
    description: Text
    items: tuple[str, ...] = ()
    rule: str | None = None
    size: int | None = None

    def plan(self, library: Sequence[Case], lang: str = DEFAULT_LANG) -> SessionPlan:
        """The plan this set makes from ``library``, titled in ``lang``."""
        if self.rule is None:
            ids = self.items
        elif self.rule == "mixed":
            ids = tuple(c.id for c in mixed_cases(library, self.size or 10))
        elif self.rule == "hard":
            ids = tuple(c.id for c in hard_cases(library, self.size or 12))
        else:
            ids = tuple(c.id for c in whole_library(library))
        return SessionPlan(self.title.get(lang), ids)


@dataclass(frozen=True)
class PlanSets:
    sets: tuple[PlanSet, ...]

    def get(self, set_id: str | None) -> PlanSet | None:
        return next((s for s in self.sets if s.id == set_id), None)

    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sets)


def _plan_set(r: Reader, node: Any, where: str) -> PlanSet:
    set_id = r.string(node, "id", where)
    title = r.text_field(node, "title", where)
    description = r.text_field(node, "description", where)
    rule = node.get("rule")
    if rule is None:
        items = r.items(node, "items", where)
        if not all(isinstance(i, str) and i.strip() for i in items):
            raise r.fail(f"{where}.items", "must be a list of ids")
        ids = tuple(i.strip() for i in items)
        if len(set(ids)) != len(ids):
            raise r.fail(f"{where}.items", "an id may appear once")
        return PlanSet(set_id, title, description, items=ids)
    rule = r.choice(node, "rule", where, RULES)
    if "items" in node:
        raise r.fail(where, "give items or a rule, not both")
    size = r.integer(node, "size", where) if rule != "all" else None
    if size is not None and size < 1:
        raise r.fail(f"{where}.size", "must be at least 1")
    return PlanSet(set_id, title, description, rule=rule, size=size)


def parse_plan_sets(raw: Any, path: Path) -> PlanSets:
    r = Reader(path)
    top = r.top(raw)
    sets = tuple(
        _plan_set(r, node, f"plans[{i}]") for i, node in enumerate(r.items(top, "plans", ""))
    )
    ids = [s.id for s in sets]
    if len(set(ids)) != len(ids):
        raise r.fail("plans", "plan ids must be unique")
    return PlanSets(sets)


_PLAN_SETS = ContentFile("session_plans.yaml", parse_plan_sets)


def load_plan_sets(path: str | Path | None = None) -> PlanSets:
    """The ready-made plans (``data/session_plans.yaml``) or a copy at ``path``."""
    return _PLAN_SETS.load(path)


def _family(case: Case) -> str:
    """The cases that belong together: a chain, or a contrast pair."""
    if case.chain:
        return "chain:" + case.chain
    if case.pair:
        return "pair:" + "|".join(sorted((case.id, case.pair)))
    return "case:" + case.id


def _least_used_domain(candidates: Iterable[Case], used: Counter[str]) -> Case | None:
    """The candidate whose chain or pair, then whose domain, the set has used least; the first
    of those in library order."""
    best: Case | None = None
    best_key: tuple[int, int] = (0, 0)
    for case in candidates:
        key = (used[_family(case)], used[case.domain])
        if best is None or key < best_key:
            best, best_key = case, key
    return best


def _use(case: Case, used: Counter[str]) -> None:
    used[case.domain] += 1
    used[_family(case)] += 1


#: The whole library's plan is the library in one fixed shuffle (the same plan every time).
WHOLE_LIBRARY_SEED = 19


def whole_library(library: Sequence[Case]) -> tuple[Case, ...]:
    """Every case of the library in one fixed shuffle in which no chain part comes right after
    the part before it in its story, nor a case right after its contrast partner
    (:func:`kit.cases.order.shuffle_cases`): met in story order, a chain's parts could be
    answered by elimination."""
    return shuffle_cases(library, random.Random(WHOLE_LIBRARY_SEED))


def mixed_cases(library: Sequence[Case], n: int = 10) -> tuple[Case, ...]:
    """``n`` cases spread over the processes and the tiers, the easiest first (deterministic).

    The k-th pick takes process ``k mod 4`` and tier ``k mod 3``: as 4 and 3 share no factor,
    the first twelve picks meet every (process, tier) pair once, and ten of them give 3, 3, 2, 2
    cases per process and 4, 3, 3 per tier. Within a pair the pick is the case whose domain the
    set has used least, and of a chain or contrast pair it has not used (the first in library
    order on a tie); a pair the library lacks takes
    a case of the same process, then of the same tier, then any.
    """
    left = list(library)
    used: Counter[str] = Counter()
    picked: list[tuple[int, Case]] = []
    k = 0
    while left and len(picked) < n:
        process, tier = PROCESSES[k % len(PROCESSES)], TIERS[k % len(TIERS)]
        k += 1
        case = (
            _least_used_domain((c for c in left if c.process == process and c.tier == tier), used)
            or _least_used_domain((c for c in left if c.process == process), used)
            or _least_used_domain((c for c in left if c.tier == tier), used)
            or _least_used_domain(left, used)
        )
        assert case is not None  # left is not empty
        left.remove(case)
        _use(case, used)
        picked.append((len(picked), case))
    picked.sort(key=lambda p: (TIERS.index(p[1].tier), p[0]))
    return tuple(c for _, c in picked)


def hard_cases(library: Sequence[Case], n: int = 12) -> tuple[Case, ...]:
    """Up to ``n`` cases of the hardest tier, taking the processes in turn (deterministic;
    within a process, as in :func:`mixed_cases`: another chain or pair and the least used
    domain first, then library order)."""
    hardest = TIERS[-1]
    by_process = {
        p: [c for c in library if c.tier == hardest and c.process == p] for p in PROCESSES
    }
    used: Counter[str] = Counter()
    picked: list[Case] = []
    while len(picked) < n and any(by_process.values()):
        for process in PROCESSES:
            if len(picked) >= n:
                break
            case = _least_used_domain(by_process[process], used)
            if case is None:
                continue
            by_process[process].remove(case)
            _use(case, used)
            picked.append(case)
    return tuple(picked)


# ------------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Resolved:
    """A plan's items as this kit has them, and the ids it had to leave out."""

    items: tuple[Item, ...]
    unknown: tuple[str, ...] = ()  #: ids neither a case nor a question here
    repeated: tuple[str, ...] = ()  #: ids given more than once (kept once, at the first place)
    #: a case alone and in a contrast pair, or in two pairs: kept at the first place only
    overlapping: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def lines(self, lang: str) -> list[str]:
        """What to tell the presenter, one sentence each (none when every id was found)."""
        out = []
        if self.unknown:
            out.append(t("splan_unknown", lang, n=len(self.unknown), ids=_id_list(self.unknown)))
        if self.repeated:
            out.append(t("splan_repeated", lang, ids=_id_list(self.repeated)))
        if self.overlapping:
            out.append(t("splan_overlap", lang, ids=_id_list(self.overlapping)))
        return out


def _id_list(ids: Sequence[str], most: int = 20) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f", … (+{len(ids) - most})" if len(ids) > most else "")


def item_pool(*groups: Iterable[Item]) -> dict[str, Item]:
    """The items a plan may name, by id; a later group's item takes an earlier one's id (a
    course leader's own version of a library case wins)."""
    pool: dict[str, Item] = {}
    for group in groups:
        for item in group:
            pool[item.id] = item
    return pool


def resolve(plan: SessionPlan | Sequence[str], pool: Mapping[str, Item]) -> Resolved:
    """The items of ``plan`` (a plan or its ids) found in ``pool``, in the plan's order; a case
    already in the plan (alone, or in a contrast pair) is not taken a second time."""
    ids = plan.items if isinstance(plan, SessionPlan) else tuple(plan)
    seen: set[str] = set()
    cases: set[str] = set()
    items: list[Item] = []
    unknown: list[str] = []
    repeated: list[str] = []
    overlapping: list[str] = []
    for item_id in ids:
        if item_id in seen:
            if item_id not in repeated:
                repeated.append(item_id)
            continue
        seen.add(item_id)
        item = pool.get(item_id)
        if item is None:
            unknown.append(item_id)
            continue
        members = {c.id for c in flat_cases([item])}
        if members & cases:
            overlapping.append(item_id)
            continue
        cases |= members
        items.append(item)
    return Resolved(tuple(items), tuple(unknown), tuple(repeated), tuple(overlapping))


def overlaps(item: Item, items: Sequence[Item]) -> bool:
    """Whether ``item`` holds a case ``items`` already hold (alone or in a contrast pair)."""
    have = {c.id for c in flat_cases(items)}
    return any(c.id in have for c in flat_cases([item]))


def pair_matches(pair: ContrastPair, query: str) -> bool:
    """As :func:`matches`, for either case of a pair or the pair's id."""
    wanted = _fold(query)
    return not wanted or wanted in _fold(pair.id) or any(matches(c, query) for c in pair.cases)


# -------------------------------------------------------------------------------- search


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def matches(case: Case, query: str) -> bool:
    """Whether ``query`` (any case) occurs in the case's id or in its title in any language."""
    wanted = _fold(query)
    if not wanted:
        return True
    return wanted in _fold(case.id) or any(
        wanted in _fold(v) for v in case.title.as_dict().values()
    )


def filter_cases(
    cases: Iterable[Case],
    query: str = "",
    *,
    tier: str | None = None,
    domain: str | None = None,
    process: str | None = None,
) -> tuple[Case, ...]:
    """The cases matching ``query`` (see :func:`matches`) and each filter given (an empty
    filter or None leaves that field free), in their order."""
    return tuple(
        c
        for c in cases
        if (not tier or c.tier == tier)
        and (not domain or c.domain == domain)
        and (not process or c.process == process)
        and matches(c, query)
    )


def question_matches(question: Question, query: str) -> bool:
    """As :func:`matches`, for a question's id and prompt."""
    wanted = _fold(query)
    if not wanted:
        return True
    return wanted in _fold(question.id) or any(
        wanted in _fold(v) for v in question.prompt.as_dict().values()
    )


# ------------------------------------------------------------------------------- the file


@dataclass
class PlanFileError(ValueError):
    """A plan file this kit cannot read; :meth:`message` says why, naming the file."""

    key: str  #: the message's key in data/i18n/*/session.yaml (``splan_err_<key>``)
    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.key)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t("splan_err_" + self.key, lang, name=self.name or "?", **self.params)


def _clean_text(value: str) -> str | None:
    """``value`` on one line (NFC, runs of space made one), or None if it holds control
    characters (other than the line breaks and tabs a YAML file may fold)."""
    value = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(ch) in _BAD_CATEGORIES and ch not in "\t\n\r" for ch in value):
        return None
    return " ".join(value.split())


#: Letters that do not decompose to ASCII (å does: a and a ring).
_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss"})


def plan_file_name(plan: SessionPlan) -> str:
    """``samskaping-plan-<title>.yaml``, the title made safe for any file system."""
    title = plan.title.translate(_LETTERS)
    stem = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40].strip("-")
    return f"samskaping-plan-{stem}.yaml" if stem else "samskaping-plan.yaml"


def plan_to_yaml(plan: SessionPlan, lang: str = DEFAULT_LANG) -> bytes:
    """The plan as a small YAML file, with a comment (in ``lang``) saying what it is."""
    comment = "".join(f"# {line}\n" for line in t("splan_file_comment", lang).splitlines())
    body = yaml.safe_dump(
        {FILE_KEY: FILE_VERSION, "title": plan.title, "items": list(plan.items)},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return (comment + body).encode("utf-8")


def _parse(text: str, name: str) -> Any:
    """JSON (a file named ``.json``, or one that starts with ``{``) or YAML; never raises
    anything but PlanFileError."""
    if name.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if name.lower().endswith(".json"):
                raise PlanFileError("syntax_line", name, {"line": exc.lineno}) from None
        except (RecursionError, ValueError):
            raise PlanFileError("syntax", name) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is not None:
            raise PlanFileError("syntax_line", name, {"line": mark.line + 1}) from None
        raise PlanFileError("syntax", name) from None
    except MemoryError:
        raise
    except Exception:  # a nesting so deep the parser gives up, and the like
        raise PlanFileError("syntax", name) from None
    finally:
        loader.dispose()


def read_plan(data: bytes, name: str = "") -> SessionPlan:
    """The plan in ``data`` (the bytes of a plan file named ``name``), or PlanFileError.

    Refused: a file over :data:`MAX_PLAN_BYTES`; one that is not UTF-8 text; one that is not a
    mapping with ``samskaping-plan: 1`` and a list ``items`` of ids (a case file is said to be
    one); more than :data:`MAX_PLAN_ITEMS` ids; an id that is not text or is longer than
    :data:`MAX_ID_CHARS`; a title that is not one line of text within :data:`MAX_TITLE_CHARS`.
    Ids are not looked up here (see :func:`resolve`).
    """
    name = str(name)[:255]
    if len(data) > MAX_PLAN_BYTES:
        raise PlanFileError(
            "too_big", name, {"size": _kilobytes(len(data)), "limit": _kilobytes(MAX_PLAN_BYTES)}
        )
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError("not_text", name) from None
    if "\x00" in text:
        raise PlanFileError("not_text", name)
    if not text.strip():
        raise PlanFileError("empty", name)
    raw = _parse(text, name)
    if raw is None:
        raise PlanFileError("empty", name)
    if not isinstance(raw, dict):
        raise PlanFileError("shape", name)
    if FILE_KEY not in raw:
        raise PlanFileError("case_file" if "cases" in raw else "shape", name)
    version = raw[FILE_KEY]
    if isinstance(version, bool) or not isinstance(version, int):
        raise PlanFileError("shape", name)
    if version > FILE_VERSION:
        raise PlanFileError("version", name, {"version": version})
    if version < 1:
        raise PlanFileError("shape", name)
    title = raw.get("title", "")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise PlanFileError("title", name, {"limit": MAX_TITLE_CHARS})
    clean = _clean_text(title)
    if clean is None or len(clean) > MAX_TITLE_CHARS:
        raise PlanFileError("title", name, {"limit": MAX_TITLE_CHARS})
    items = raw.get("items")
    if not isinstance(items, list):
        raise PlanFileError("items", name)
    if len(items) > MAX_PLAN_ITEMS:
        raise PlanFileError("too_many", name, {"n": len(items), "limit": MAX_PLAN_ITEMS})
    ids = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str):
            raise PlanFileError("item_type", name, {"n": number})
        item_id = _clean_text(item)
        if item_id is None or not item_id:
            raise PlanFileError("item_type", name, {"n": number})
        if len(item_id) > MAX_ID_CHARS:
            raise PlanFileError("id_too_long", name, {"n": number, "limit": MAX_ID_CHARS})
        ids.append(item_id)
    return SessionPlan(clean, tuple(ids))


def _kilobytes(size: int) -> str:
    return f"{-(-size // 1024)} kB"


def missing_ids(sets: PlanSets, pool: Mapping[str, Item]) -> list[str]:
    """The ids of the ready-made plans that ``pool`` lacks, as ``set: id``."""
    return [f"{s.id}: {i}" for s in sets.sets for i in s.items if i not in pool]
