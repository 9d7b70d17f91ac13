"""HTML and texts of the presenter's plan builder (pure: cases, questions and a language in,
strings out). :class:`kit.live.picker.PlanBuilder` puts them into its widgets. Every text from a
case file or a plan file is escaped here.
"""

from __future__ import annotations

from html import escape

from kit.cases.case import Case, domain_label
from kit.cases.pairs import ContrastPair
from kit.core.i18n import t
from kit.live.plan import PlanSet
from kit.live.questions import Item, Question

#: A question's prompt in a button's name is cut to this many characters.
NAME_CHARS = 60


def short_title(item: Item, lang: str) -> str:
    """What names an item in a button or a message: a case's title, a question's prompt (cut)."""
    if isinstance(item, Question):
        text = item.title(lang)
        return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1].rstrip() + "…"
    if isinstance(item, ContrastPair):
        return item.title(lang)
    return item.title.get(lang)


def kind_label(item: Item, lang: str) -> str:
    if isinstance(item, Question):
        return t("splan_kind_" + item.kind, lang)
    if isinstance(item, ContrastPair):
        return t("splan_kind_pair", lang)
    return t("splan_kind_case", lang)


def case_row_html(case: Case, lang: str) -> str:
    """One case in a list: its kind, id, title, tier and domain (not its key: the setup may be on
    the projector)."""
    meta = f"{t('tier_' + case.tier, lang)} · {domain_label(case.domain, lang)}"
    return (
        f"<span class='kit-plan-kind'>{escape(t('splan_kind_case', lang))}</span> "
        f"<code class='kit-plan-id'>{escape(case.id)}</code> "
        f"<strong class='kit-plan-title'>{escape(case.title.get(lang))}</strong> "
        f"<span class='kit-plan-meta'>{escape(meta)}</span>"
    )


def pair_row_html(pair: ContrastPair, lang: str) -> str:
    """One contrast pair in a list: its kind, id, both titles, tier and domain (not the keys)."""
    meta = f"{t('tier_' + pair.tier, lang)} · {domain_label(pair.domain, lang)}"
    titles = " / ".join(c.title.get(lang) for c in pair.cases)
    return (
        f"<span class='kit-plan-kind kit-plan-kind-pair'>{escape(t('splan_kind_pair', lang))}"
        f"</span> <code class='kit-plan-id'>{escape(pair.id)}</code> "
        f"<strong class='kit-plan-title'>{escape(titles)}</strong> "
        f"<span class='kit-plan-meta'>{escape(meta)}</span>"
    )


def question_row_html(question: Question, lang: str) -> str:
    """One question in a list: its kind, id and prompt, and whether the words are the source's."""
    source = (
        f" <span class='kit-plan-meta'>{escape(t('splan_source_words', lang))}</span>"
        if question.source
        else ""
    )
    return (
        f"<span class='kit-plan-kind kit-plan-kind-q'>{escape(kind_label(question, lang))}</span> "
        f"<code class='kit-plan-id'>{escape(question.id)}</code> "
        f"<span class='kit-plan-title'>{escape(question.title(lang))}</span>{source}"
    )


def item_row_html(item: Item, lang: str) -> str:
    if isinstance(item, Question):
        return question_row_html(item, lang)
    if isinstance(item, ContrastPair):
        return pair_row_html(item, lang)
    return case_row_html(item, lang)


def count_text(items: tuple[Item, ...], lang: str) -> str:
    questions = sum(isinstance(i, Question) for i in items)
    pairs = sum(isinstance(i, ContrastPair) for i in items)
    cases = len(items) - questions - pairs
    if pairs:
        return t(
            "splan_count_pairs", lang, n=len(items), cases=cases, pairs=pairs, questions=questions
        )
    return t("splan_count", lang, n=len(items), cases=cases, questions=questions)


def sets_html(sets: tuple[PlanSet, ...], lang: str) -> str:
    """What each ready-made plan holds, one line each."""
    lines = "".join(
        f"<li><strong>{escape(s.title.get(lang))}</strong>: {escape(s.description.get(lang))}</li>"
        for s in sets
    )
    return f"<ul class='kit-plan-sets'>{lines}</ul>"


def results_text(found: int, shown: int, lang: str) -> str:
    if not found:
        return t("splan_results_none", lang)
    if shown < found:
        return t("splan_results_some", lang, n=found, shown=shown)
    return t("splan_results_all", lang, n=found)


def message_html(lines: list[str], error: bool = False) -> str:
    """A few sentences for the builder's status region (an error marked as one)."""
    if not lines:
        return ""
    cls = "kit-plan-message kit-error" if error else "kit-plan-message"
    return "".join(f"<p class='{cls}'>{'✘ ' if error else ''}{escape(s)}</p>" for s in lines)
