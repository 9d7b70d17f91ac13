"""HTML for the concepts lesson: its examples, contrast pairs, check questions and feedback
(pure: strings in, string out; every value from data files is escaped)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from kit.concepts.lessons import CheckQuestion, ContrastPair, Example, Feedback
from kit.core.i18n import t
from kit.model.labels import level_label, process_label


def _example_html(label: str, example: Example, lang: str) -> str:
    origin = (
        t("example_from_source", lang) if example.from_source else t("example_constructed", lang)
    )
    level = level_label(example.level, lang)
    return (
        f"<div class='kit-example'><p class='kit-example-label'>{escape(label)} "
        f"<span class='kit-origin'>({escape(origin)})</span></p>"
        f"<p>{escape(example.text.get(lang))}</p>"
        f"<p><span class='kit-badge kit-badge-{example.process}'>"
        f"{escape(process_label(example.process, lang))}</span> · {escape(level)}</p></div>"
    )


def contrast_pairs(pairs: Iterable[ContrastPair], lang: str) -> str:
    """Each pair as two examples side by side and the point they make."""
    blocks = []
    for pair in pairs:
        blocks.append(
            f"<div class='kit-pair'><h3>{escape(pair.title.get(lang))}</h3>"
            f"<div class='kit-pair-row'>{_example_html('A', pair.a, lang)}"
            f"{_example_html('B', pair.b, lang)}</div>"
            f"<p><strong>{escape(t('contrast_point', lang))}:</strong> "
            f"{escape(pair.point.get(lang))}</p></div>"
        )
    return (
        f"<h2>{escape(t('heading_contrasts', lang))}</h2>"
        f"<p>{escape(t('contrasts_intro', lang))}</p>{''.join(blocks)}"
    )


def question_text(question: CheckQuestion, number: int, total: int, lang: str) -> str:
    return (
        f"<h3>{escape(t('question_n', lang, n=number, total=total))}</h3>"
        f"<p>{escape(question.question.get(lang))}</p>"
    )


def feedback(fb: Feedback | None, lang: str) -> str:
    """Instant, explained feedback; the verdict is in words and a symbol, not only colour.

    It is shown in a live region (:class:`kit.core.ui.controls.Region`), so it carries no
    role of its own (a live region inside a live region is announced twice or not at all)."""
    if fb is None:
        return ""
    if fb.chosen is None:
        return (
            f"<p class='kit-feedback kit-feedback-none'>{escape(t('check_choose_first', lang))}</p>"
        )
    if fb.correct:
        verdict = f"✔ {t('feedback_correct', lang)}"
        cls = "kit-feedback-right"
    else:
        verdict = "✘ " + t("feedback_wrong", lang, answer=fb.answer.label.get(lang))
        cls = "kit-feedback-wrong"
    return (
        f"<div class='kit-feedback {cls}'><p><strong>{escape(verdict)}</strong></p>"
        f"<p>{escape(fb.explanation.get(lang))}</p></div>"
    )
