"""Samskapingskompasset: questions about the learner's own initiative, read against the model.

Pure layer: no ipywidgets, IPython or altair. The questions, their options and the rules live in
``data/compass.yaml``; :func:`assess` is a small interpreter of those rules. A rule fires when, for
every question in its ``when``, the answer is one of the listed option keys, and no answer is one
its ``unless`` lists. "Vet ikke" (don't know) and unanswered questions meet no condition; they are
listed as things to find out. "Ikke relevant" (not applicable: the question assumes a cooperation
or an offer that is not there) meets no condition either, and is an answer, not an open question.

Process rules are in rank order: the first that fires is the verdict (the main answer), and the
processes and levels are listed in the order of their first rule. The process ``ingen`` (none)
counts only when no process rule above it fires, and then the process rules below it are set
aside, so a level-1 document or anchoring never outranks "none". Gaps and discussion points may
also require ``found``: one of the listed processes among those the compass finds.

:mod:`kit.compass.html` turns an :class:`Assessment` into HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.core.text import Text
from kit.core.yamlio import ContentFile, Reader
from kit.model.model import PROCESSES

#: The option key meaning "don't know": it meets no rule and is listed as something to find out.
DONT_KNOW = "vet_ikke"
#: The option key meaning "not applicable" (no cooperation or no offer to ask about): it meets no
#: rule, so it never stands in for a cooperation.
NOT_APPLICABLE = "ikke_relevant"
#: Keys no rule may name as a condition.
_NO_CONDITION = (DONT_KNOW, NOT_APPLICABLE)
#: Which levels each process may name, per the model (samskaping spans 1-2, the rest is level 3).
PROCESS_LEVELS: Mapping[str, tuple[int, ...]] = {
    "samskaping": (1, 2),
    "samproduksjon": (3,),
    "verdisamskaping": (3,),
    "ingen": (),
}
_RULE_KEYS = ("id", "when", "unless", "then", "reason", "next_step")
#: The condition on the processes found (not a question): only gaps and discussion points have it.
FOUND = "found"


# -- content ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class Question:
    """One plain question about the initiative, answered by choosing one option."""

    id: str
    prompt: Text  #: the question as the learner reads it
    short: Text  #: a short name, used in the rule list and the summary
    find_out: Text  #: what to find out when the answer is "vet ikke" or missing
    options: tuple[Option, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(f"question {self.id!r} has no option {key!r}")


@dataclass(frozen=True)
class Rule:
    """``when`` all conditions hold (and no ``unless``), conclude a process/level, a gap or a
    discussion point."""

    id: str
    when: tuple[tuple[str, tuple[str, ...]], ...]  #: (question id, accepted option keys)
    reason: Text
    unless: tuple[tuple[str, tuple[str, ...]], ...] = ()  #: (question id, excluding option keys)
    found: tuple[str, ...] = ()  #: if set, one of these processes must be found
    process: str | None = None
    level: int | None = None
    gap: Text | None = None  #: title of a gap the model reveals
    discussion: Text | None = None  #: title of a topic to discuss (not a verdict)
    next_step: Text | None = None  #: one concrete next step, for gaps and discussion points

    @property
    def kind(self) -> str:
        """ "finding" (process/level), "gap" or "discussion"."""
        if self.gap is not None:
            return "gap"
        if self.discussion is not None:
            return "discussion"
        return "finding"

    def matches(self, answers: Mapping[str, str], found: Iterable[str] = ()) -> bool:
        """All conditions hold: each answer is a listed key, no answer is a key ``unless`` lists,
        and (if ``found``) a process is."""
        if self.found and not set(self.found) & set(found):
            return False
        if any(answers.get(qid) in keys for qid, keys in self.unless):
            return False
        return all(answers.get(qid) in keys for qid, keys in self.when)


@dataclass(frozen=True)
class Compass:
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]

    def question(self, qid: str) -> Question:
        for question in self.questions:
            if question.id == qid:
                return question
        raise KeyError(f"no question {qid!r}")

    def rule(self, rid: str) -> Rule:
        for rule in self.rules:
            if rule.id == rid:
                return rule
        raise KeyError(f"no rule {rid!r}")


# -- result ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    rule: str  #: the id of the rule that gave this reason
    text: Text


@dataclass(frozen=True)
class Finding:
    """One process/level rule that fired, with its reason."""

    rule: str
    process: str
    level: int | None
    reason: Text


@dataclass(frozen=True)
class ProcessFinding:
    process: str  #: samskaping, samproduksjon, verdisamskaping or ingen
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class LevelFinding:
    level: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Gap:
    """Something the model says is missing (or, if ``discussion``, a topic to discuss)."""

    rule: str
    title: Text
    reason: Text
    next_step: Text
    discussion: bool = False


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]  #: one per process/level rule that counts, in rank order
    processes: tuple[ProcessFinding, ...]
    levels: tuple[LevelFinding, ...]
    gaps: tuple[Gap, ...]
    discussions: tuple[Gap, ...]
    dont_know: tuple[Question, ...]  #: answered "vet ikke"
    unanswered: tuple[Question, ...]
    fired: tuple[str, ...]  #: ids of every rule whose conditions held, in data order
    answered: int  #: questions answered (including "vet ikke")
    total: int

    @property
    def verdict(self) -> Finding | None:
        """The main answer: the first process rule that counts (None when none does)."""
        return self.findings[0] if self.findings else None

    @property
    def process_keys(self) -> tuple[str, ...]:
        return tuple(p.process for p in self.processes)

    @property
    def level_numbers(self) -> tuple[int, ...]:
        return tuple(lv.level for lv in self.levels)


# -- reading data/compass.yaml ---------------------------------------------------------------
def _question(r: Reader, node: Any, where: str) -> Question:
    options = []
    for j, o in enumerate(r.items(node, "options", where)):
        here = f"{where}.options[{j}]"
        options.append(Option(key=r.string(o, "key", here), label=r.text_field(o, "label", here)))
    keys = [o.key for o in options]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise r.fail(f"{where}.options", f"option key {dupes[0]!r} appears twice")
    return Question(
        id=r.string(node, "id", where),
        prompt=r.text_field(node, "prompt", where),
        short=r.text_field(node, "short", where),
        find_out=r.text_field(node, "find_out", where),
        options=tuple(options),
    )


def _rule(r: Reader, node: Any, where: str, questions: Mapping[str, Question]) -> Rule:
    rid = r.string(node, "id", where)
    unknown = sorted(k for k in node if k not in _RULE_KEYS)
    if unknown:
        raise r.fail(f"{where}.{unknown[0]}", f"unknown key; a rule has {', '.join(_RULE_KEYS)}")
    when_node = r.get(node, "when", where)
    if not isinstance(when_node, dict) or not when_node:
        raise r.fail(f"{where}.when", "must map question ids to lists of option keys")
    when = []
    found: tuple[str, ...] = ()
    for qid, keys in when_node.items():
        here = f"{where}.when.{qid}"
        if qid == FOUND:
            found = _found(r, keys, here)
            continue
        when.append(_condition(r, qid, keys, here, questions))
    unless = []
    unless_node = node.get("unless", {})
    if not isinstance(unless_node, dict) or ("unless" in node and not unless_node):
        raise r.fail(f"{where}.unless", "must map question ids to lists of option keys")
    for qid, keys in unless_node.items():
        here = f"{where}.unless.{qid}"
        if qid in when_node:
            raise r.fail(here, "a question in `unless` cannot also be a condition in `when`")
        unless.append(_condition(r, qid, keys, here, questions))
    if found and not when:
        raise r.fail(f"{where}.when", f"{FOUND!r} needs at least one question beside it")
    then = r.get(node, "then", where)
    kinds = [k for k in ("process", "gap", "discussion") if isinstance(then, dict) and k in then]
    if len(kinds) != 1:
        raise r.fail(f"{where}.then", "must have exactly one of process, gap or discussion")
    fields: dict[str, Any] = {"reason": r.text_field(node, "reason", where), "found": found}
    if kinds[0] == "process":
        if found:
            raise r.fail(
                f"{where}.when.{FOUND}",
                "only gaps and discussion points can depend on the processes",
            )
        process = r.choice(then, "process", f"{where}.then", PROCESSES)
        allowed = PROCESS_LEVELS[process]
        level = then.get("level")
        if allowed and level not in allowed:
            wanted = " or ".join(map(str, allowed))
            raise r.fail(f"{where}.then.level", f"{process} is at level {wanted} in the model")
        if not allowed and level is not None:
            raise r.fail(f"{where}.then.level", f"{process} has no level in the model")
        if "next_step" in node:
            raise r.fail(f"{where}.next_step", "only gaps and discussion points have a next step")
        fields.update(process=process, level=level)
    else:
        fields[kinds[0]] = r.text_field(then, kinds[0], f"{where}.then")
        fields["next_step"] = r.text_field(node, "next_step", where)
    return Rule(id=rid, when=tuple(when), unless=tuple(unless), **fields)


def _condition(
    r: Reader, qid: Any, keys: Any, here: str, questions: Mapping[str, Question]
) -> tuple[str, tuple[str, ...]]:
    """One question and the option keys it is checked against, each an option of that question."""
    if qid not in questions:
        raise r.fail(here, f"no question with id {qid!r}")
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not keys:
        raise r.fail(here, "must be a list of option keys")
    for key in keys:
        if key in _NO_CONDITION:
            raise r.fail(here, f"{key!r} cannot be a condition: it meets no rule")
        if key not in questions[qid].keys:
            raise r.fail(here, f"{key!r} is not an option of {qid!r}")
    return str(qid), tuple(str(k) for k in keys)


def _found(r: Reader, keys: Any, here: str) -> tuple[str, ...]:
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not keys:
        raise r.fail(here, "must be a list of processes")
    for key in keys:
        if key not in PROCESSES:
            raise r.fail(here, f"{key!r} is not one of {', '.join(PROCESSES)}")
    return tuple(str(k) for k in keys)


def parse_compass(raw: Any, path: Path) -> Compass:
    """Build the compass from parsed YAML; every problem names ``path`` and the field."""
    r = Reader(path)
    raw = r.top(raw)
    questions = [
        _question(r, q, f"questions[{i}]") for i, q in enumerate(r.items(raw, "questions", ""))
    ]
    by_id: dict[str, Question] = {}
    for i, q in enumerate(questions):
        if q.id in by_id:
            raise r.fail(f"questions[{i}].id", f"{q.id!r} appears twice")
        if q.id == FOUND:
            raise r.fail(f"questions[{i}].id", f"{FOUND!r} is reserved for the processes found")
        by_id[q.id] = q
    rules = []
    seen: set[str] = set()
    for i, node in enumerate(r.items(raw, "rules", "")):
        rule = _rule(r, node, f"rules[{i}]", by_id)
        if rule.id in seen:
            raise r.fail(f"rules[{i}].id", f"{rule.id!r} appears twice")
        seen.add(rule.id)
        rules.append(rule)
    return Compass(questions=tuple(questions), rules=tuple(rules))


_COMPASS = ContentFile("compass.yaml", parse_compass)


def load_compass(path: str | Path | None = None) -> Compass:
    """Load the compass (default: ``data/compass.yaml``)."""
    return _COMPASS.load(path)


# -- the interpreter ---------------------------------------------------------------------------
def assess(answers: Mapping[str, str | None], compass: Compass | None = None) -> Assessment:
    """Read the answers (question id -> option key, or None) against the compass's rules."""
    compass = compass or load_compass()
    given: dict[str, str] = {}
    for qid, key in answers.items():
        try:
            question = compass.question(qid)
        except KeyError:
            raise ValueError(f"unknown question {qid!r}") from None
        if key is None:
            continue
        if key not in question.keys:
            raise ValueError(f"{key!r} is not an option of question {qid!r}")
        given[qid] = key
    findings = [rl for rl in compass.rules if rl.kind == "finding" and rl.matches(given)]
    # Rank order: the first process rule that fires decides whether "ingen" counts.
    if findings and findings[0].process == "ingen":
        findings = [rl for rl in findings if rl.process == "ingen"]
    else:
        findings = [rl for rl in findings if rl.process != "ingen"]
    found = {rl.process for rl in findings if rl.process}
    fired = [rl for rl in compass.rules if rl.matches(given, found)]  # process rules have no found
    process_order = list(dict.fromkeys(rl.process for rl in findings if rl.process))
    processes = tuple(
        ProcessFinding(p, tuple(Reason(rl.id, rl.reason) for rl in findings if rl.process == p))
        for p in process_order
    )
    level_order = list(dict.fromkeys(rl.level for rl in findings if rl.level is not None))
    levels = tuple(
        LevelFinding(n, tuple(Reason(rl.id, rl.reason) for rl in findings if rl.level == n))
        for n in level_order
    )

    def gap(rule: Rule) -> Gap:
        title = rule.gap or rule.discussion
        assert title is not None and rule.next_step is not None
        return Gap(rule.id, title, rule.reason, rule.next_step, rule.kind == "discussion")

    return Assessment(
        findings=tuple(Finding(rl.id, rl.process or "", rl.level, rl.reason) for rl in findings),
        processes=processes,
        levels=levels,
        gaps=tuple(gap(rl) for rl in fired if rl.kind == "gap"),
        discussions=tuple(gap(rl) for rl in fired if rl.kind == "discussion"),
        dont_know=tuple(q for q in compass.questions if given.get(q.id) == DONT_KNOW),
        unanswered=tuple(q for q in compass.questions if q.id not in given),
        fired=tuple(rl.id for rl in fired),
        answered=len(given),
        total=len(compass.questions),
    )


# -- HTML ------------------------------------------------------------------------------------
