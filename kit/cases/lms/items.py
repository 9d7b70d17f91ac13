"""The question a case becomes on a learning platform, in one language (pure).

Every format writes the same item: the case's title and text (a chain case's marked sentence
emphasised), one question ("which process, on which level?"), one choice per answer the model
allows (:data:`kit.cases.case.ALLOWED_LEVELS`: samskaping on level 1 or 2, samproduksjon and
verdisamskaping on level 3, none of them), each worth what :func:`kit.cases.grading.check`
gives it in the exercise (1, half a point for samproduksjon on a verdisamskaping case, 0), and
the explanation as feedback. The course leader's note is left out: participants would see it.

Several languages are parallel items: the same case once per language, each with an
identifier of its own (``<case>-<lang>``), in a category per language, domain and tier.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from kit.cases.case import ALLOWED_LEVELS, TIERS, Answer, Case, domain_label
from kit.cases.grading import check
from kit.core.i18n import LANGUAGES, t
from kit.model.labels import level_label, process_label

__all__ = [
    "Choice",
    "Item",
    "choice_id",
    "items_for",
    "xml_text",
]

#: Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): a
#: teacher's spreadsheet may carry them; they are dropped from every text an export writes.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: What an identifier may hold in every format (an XML NCName in QTI and IMS packages).
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.-]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def ident(*parts: str) -> str:
    """An identifier every format accepts (an NCName: a letter first; letters, digits, ``-``,
    ``_`` and ``.``), made of ``parts`` joined by ``-``."""
    raw = _NOT_IDENT.sub("_", "-".join(parts))
    return raw if raw[:1].isalpha() else "k" + raw


def choice_id(answer: Answer) -> str:
    """A choice's identifier: ``samskaping-1``, ``verdisamskaping-3``, ``ingen``."""
    return answer.process if answer.level is None else f"{answer.process}-{answer.level}"


@dataclass(frozen=True)
class Choice:
    """One answer a learner can pick, and what it is worth on this case."""

    id: str  #: :func:`choice_id`
    answer: Answer
    label: str  #: "Samskaping, nivå 1", in the item's language
    points: float  #: 1, 0.5 or 0 (:data:`kit.cases.grading.POINTS`)
    feedback: str  #: "Riktig.", "Delvis riktig ..." or "Ikke riktig ...", plain text

    @property
    def percent(self) -> int:
        """The points as a percentage (100, 50, 0): Moodle's and QTI 1.2's way."""
        return round(self.points * 100)


@dataclass(frozen=True)
class Item:
    """One case as one question in one language. Texts are plain (escape them for HTML);
    :meth:`stem_html` is the question's HTML."""

    id: str  #: ``<case>-<lang>``, unique in an export, an NCName
    case_id: str
    lang: str
    title: str
    #: the case's text as (before, marked, after); ``marked`` and ``after`` are empty for a
    #: case without a marked sentence
    parts: tuple[str, str, str]
    question: str  #: "Which process and which level does the case show?"
    choices: tuple[Choice, ...]
    explanation: str
    domain: str  #: the domain's name in ``lang``
    tier: str  #: lett, middels or vanskelig
    tier_label: str  #: the tier's name in ``lang``

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def correct(self) -> Choice:
        return next(c for c in self.choices if c.points == 1)

    @property
    def partial(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if 0 < c.points < 1)

    @property
    def category(self) -> tuple[str, str, str]:
        """The item's place in a question bank: language, domain, tier."""
        return (self.lang, self.domain, self.tier_label)

    def stem_html(self, question: bool = True) -> str:
        """The case as HTML paragraphs (``<p>``; a chain's marked sentence in ``<strong>``),
        with the question in a paragraph of its own after it when ``question``."""
        before, marked, after = (escape(p, quote=False) for p in self.parts)
        body = f"{before}<strong>{marked}</strong>{after}" if marked else before
        paragraphs = [f"<p>{line}</p>" for line in body.split("\n") if line.strip()]
        if question:
            paragraphs.append(f"<p>{escape(self.question, quote=False)}</p>")
        return "".join(paragraphs)


#: The feedback on a choice, by its outcome; a format without partial credit says "nearly"
#: for the answer the exercise gives half a point.
_FEEDBACK = {
    "right": "lms_feedback_right",
    "partial": "lms_feedback_partial",
    "wrong": "lms_feedback_wrong",
}


def _choices(case: Case, lang: str, partial: bool) -> tuple[Choice, ...]:
    expected = choice_label(Answer(case.process, case.level), lang)
    out = []
    for process, levels in ALLOWED_LEVELS.items():
        for level in levels:
            answer = Answer(process, level)
            verdict = check(case, answer)
            points = verdict.points
            key = _FEEDBACK[verdict.outcome]
            if verdict.outcome == "partial" and not partial:
                points, key = 0.0, "lms_feedback_near"
            out.append(
                Choice(
                    id=choice_id(answer),
                    answer=answer,
                    label=choice_label(answer, lang),
                    points=points,
                    feedback=t(key, lang, expected=expected),
                )
            )
    return tuple(out)


def choice_label(answer: Answer, lang: str) -> str:
    """ "Samskaping, nivå 1" or "Ingen av dem (ikke noe nivå)", in ``lang``."""
    process = process_label(answer.process, lang)
    if answer.level is None:
        return t("lms_choice_no_level", lang, process=process)
    return t("lms_choice", lang, process=process, level=level_label(answer.level, lang).lower())


def item(case: Case, lang: str, partial: bool = True) -> Item:
    """``case`` as a question in ``lang`` (texts a file lacks in ``lang`` are in bokmål, as the
    apps show them). Without ``partial`` (a format that gives a choice all or nothing), the
    answer the exercise gives half a point is worth nothing, and its feedback says why it is
    nearly right."""
    parts = case.marked_parts(lang) or (case.text.get(lang), "", "")
    chain = case.marked is not None and bool(parts[1])
    return Item(
        id=ident(case.id, lang),
        case_id=case.id,
        lang=lang,
        title=xml_text(case.title.get(lang)),
        parts=(xml_text(parts[0]), xml_text(parts[1]), xml_text(parts[2])),
        question=t("lms_question_marked" if chain else "lms_question", lang),
        choices=_choices(case, lang, partial),
        explanation=xml_text(case.explanation.get(lang)),
        domain=xml_text(domain_label(case.domain, lang)),
        tier=case.tier,
        tier_label=t("tier_" + case.tier, lang),
    )


def items_for(
    cases: Sequence[Case], langs: Iterable[str], partial: bool = True
) -> tuple[Item, ...]:
    """Every case in every language of ``langs``, language by language, each language's
    items ordered by domain and tier (easiest first), then as in ``cases``. Identifiers are
    unique: two case ids that become the same identifier (``bø`` and ``bå``) get a number."""
    out: list[Item] = []
    seen: set[str] = set()
    for lang in langs:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        made = [item(case, lang, partial) for case in cases]
        made.sort(key=lambda i: (i.domain.casefold(), TIERS.index(i.tier)))
        for one in made:
            unique, n = one.id, 1
            while unique in seen:
                n += 1
                unique = f"{one.id}-{n}"
            seen.add(unique)
            out.append(one if unique == one.id else dataclasses.replace(one, id=unique))
    return tuple(out)
