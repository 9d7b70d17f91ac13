"""HTML of the classification exercise and its case-set choice (pure: data in, string out).

:class:`kit.classify.app.Klassifisering` and :class:`kit.cases.picker.CaseSetPicker`
put these fragments into their widgets. Every text from a case file is escaped, so a course
leader's file can never inject markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from kit.cases.case import Case, domain_label
from kit.cases.grading import Feedback
from kit.cases.html import case_text_html
from kit.cases.pairs import SIDES
from kit.classify.contrast import PairFeedback, PairSelection
from kit.classify.exercise import MIXED, Score, Selection, points_label
from kit.core.html import download_link, paragraph, table_region
from kit.core.i18n import t
from kit.model import html as render
from kit.model.labels import level_label, process_label
from kit.model.model import Model


def case_html(case: Case, lang: str) -> str:
    """A case's title, text and domain; a chain case's marked part in ``<mark>``, with the
    prompt to classify just that part before the text. The title takes the focus after
    "next case" (``tabindex=-1``, ``data-kit-focus``)."""
    domain = t("klass_domain_badge", lang, domain=domain_label(case.domain, lang))
    # a chain case: the prompt to classify the marked part opens the text (as on the phones)
    prompt = (
        f"<strong class='kit-marked-prompt'>{escape(t('klass_marked_prompt', lang))}</strong> "
        if case.marked_parts(lang) is not None
        else ""
    )
    # the domain beside the title (on one line where there is room), so a long case and its
    # choices fit a laptop's window
    return (
        "<div class='kit-case-head'>"
        f"<h2 class='kit-case-title' tabindex='-1' data-kit-focus>{escape(case.title.get(lang))}</h2>"
        f"<p class='kit-case-domain'><span class='kit-badge kit-badge-ingen'>{escape(domain)}</span>"
        f"</p></div><p class='kit-case-text'>{prompt}{case_text_html(case, lang)}</p>"
    )


def progress_html(done: int, total: int, label: str, lang: str, extra: str = "") -> str:
    """A native <progress> bar (announced as a progress bar), its label and ``extra`` text."""
    return (
        f"<div class='kit-progress'><label>{escape(t('klass_progress_label', lang))} "
        f"<progress max='{total}' value='{done}'>{done}/{total}</progress></label> "
        f"<strong>{escape(label)}</strong>{escape(extra)}</div>"
    )


def score_line(score: Score, lang: str) -> str:
    """What follows the case counter: « · Helt riktige så langt: 3 av 4 · Poeng: 3,5 av 4»."""
    return (
        " · "
        + t("klass_score_text", lang, correct=score.correct, answered=score.answered)
        + " · "
        + t(
            "klass_points_text",
            lang,
            points=points_label(score.points, lang),
            answered=score.answered,
        )
    )


def _verdict_key(fb: Feedback) -> str:
    if fb.correct:
        return "klass_fb_all_right"
    if fb.partial:
        return "klass_fb_partial"
    if fb.process_ok or fb.level_ok:
        return "klass_fb_part_right"
    return "klass_fb_all_wrong"


def feedback_html(fb: Feedback, model: Model, lang: str) -> str:
    """Right, partly right or wrong; what was right and wrong of process and level; the
    explanation; where the case sits in the model. Shown in the exercise's live region."""
    return (
        f"<div class='kit-feedback kit-feedback-{fb.outcome}'>"
        f"<p><strong>{escape(t(_verdict_key(fb), lang))}</strong></p>"
        f"{_verdict_html(fb, model, lang)}</div>"
    )


def _verdict_html(fb: Feedback, model: Model, lang: str) -> str:
    """What was right and wrong of process and level, the explanation and the case's place in
    the model (the body of a case's feedback)."""
    case = fb.case
    reason = (
        f"<p class='kit-partial-reason'>{escape(t('klass_fb_partial_reason', lang))}</p>"
        if fb.partial
        else ""
    )
    expected_p = process_label(case.process, lang)
    given_p = process_label(fb.answer.process, lang)
    expected_l = level_label(case.level, lang)
    given_l = level_label(fb.answer.level, lang)
    part_p = (
        "✔ " + t("klass_fb_process_right", lang, expected=expected_p)
        if fb.process_ok
        else "✘ " + t("klass_fb_process_wrong", lang, given=given_p, expected=expected_p)
    )
    part_l = (
        "✔ " + t("klass_fb_level_right", lang, expected=expected_l)
        if fb.level_ok
        else "✘ " + t("klass_fb_level_wrong", lang, given=given_l, expected=expected_l)
    )
    if case.level:
        level = model.level(case.level)
        where = t(
            "klass_fb_model_level",
            lang,
            level=f"{render.level_title(level, lang)} ({level.subtitle.get(lang)})",
        )
    else:
        where = t("klass_fb_model_none", lang)
    return (
        f"<ul><li>{escape(part_p)}</li><li>{escape(part_l)}</li></ul>{reason}"
        f"<p><strong>{escape(t('klass_fb_explanation', lang))}:</strong> "
        f"{escape(case.explanation.get(lang))}</p>"
        f"<p>{escape(where)}</p>"
    )


# ---------------------------------------------------------------------- contrast pairs


def pair_heading_html(n: int, total: int, lang: str) -> str:
    """The pair's heading (it takes the focus when a pair is shown) and what to do."""
    return focus_heading_html(t("klass_pair_heading", lang, n=n, total=total)) + paragraph(
        t("klass_pair_intro", lang), "kit-pair-intro"
    )


def pair_case_html(case: Case, side: str, lang: str) -> str:
    """One case of a pair: its side and title (a heading under the pair's), domain and text."""
    domain = t("klass_domain_badge", lang, domain=domain_label(case.domain, lang))
    title = t("pair_case", lang, side=side, title=case.title.get(lang))
    return (
        f"<h3 class='kit-case-title'>{escape(title)}</h3>"
        f"<p class='kit-case-domain'><span class='kit-badge kit-badge-ingen'>{escape(domain)}"
        f"</span></p><p class='kit-case-text'>{case_text_html(case, lang)}</p>"
    )


def _key_text(case: Case, lang: str) -> str:
    return f"{process_label(case.process, lang)}, {level_label(case.level, lang)}"


def pair_feedback_html(verdict: PairFeedback, model: Model, lang: str) -> str:
    """Both verdicts under one heading (it takes the focus after the check): how many of the
    two were right, both keys, each case's verdict and explanation, then what differs (the
    pair's ``forskjell``, or a pointer to the two explanations)."""
    pair = verdict.pair
    a, b = pair.cases
    heading = t("klass_pair_result", lang, right=verdict.correct)
    keys = t(
        "klass_pair_keys",
        lang,
        a=_key_text(a, lang),
        b=_key_text(b, lang),
        side_a=SIDES[0],
        side_b=SIDES[1],
    )
    parts = []
    for side, fb in zip(SIDES, verdict.feedbacks, strict=True):
        title = t("pair_case", lang, side=side, title=fb.case.title.get(lang))
        parts.append(
            f"<section class='kit-feedback kit-feedback-{fb.outcome}'>"
            f"<h4>{escape(title)}</h4>"
            f"<p><strong>{escape(t(_verdict_key(fb), lang))}</strong></p>"
            f"{_verdict_html(fb, model, lang)}</section>"
        )
    said = pair.difference_text(lang)
    return (
        f"<div class='kit-pair-feedback'>{focus_heading_html(heading, 3)}"
        f"<p class='kit-pair-keys'><strong>{escape(keys)}</strong></p>"
        f"<div class='kit-pair-verdicts'>{''.join(parts)}</div>"
        f"<section class='kit-pair-difference'><h4>{escape(t('pair_difference', lang))}"
        f"</h4><p>{escape(said)}</p></section></div>"
    )


def pair_note_html(selection: PairSelection, lang: str) -> str:
    """When the set had fewer pairs of the chosen tier than asked for: that the round takes all
    of them (announced as it appears); nothing otherwise."""
    if not selection.short:
        return ""
    tier = t("tier_" + selection.tier, lang) if selection.tier != MIXED else ""
    key = "klass_pairs_short_note_mixed" if selection.tier == MIXED else "klass_pairs_short_note"
    text = t(key, lang, count=selection.count, tier=tier, available=selection.available)
    return f"<p class='kit-note' role='status'>{escape(text)}</p>"


def focus_heading_html(text: str, level: int = 2) -> str:
    """A heading that takes the focus when its part of the app is shown (``tabindex=-1``)."""
    return f"<h{level} tabindex='-1' data-kit-focus>{escape(text)}</h{level}>"


def message_html(text: str) -> str:
    """A short message in a region that is already live (no role of its own)."""
    return f"<p class='kit-message'>{escape(text)}</p>"


def alert_html(text: str) -> str:
    """A message announced as it appears (``role=alert``), for places without a live region."""
    return f"<p role='alert'>{escape(text)}</p>"


def round_note_html(notices: Iterable[str], lang: str) -> str:
    """In a practice round: what the round is, and any distinction without cases left."""
    items = "".join(f"<li>{escape(n)}</li>" for n in notices)
    return (
        f"<div class='kit-note' role='status'><p>{escape(t('practice_round_note', lang))}</p>"
        + (f"<ul>{items}</ul>" if items else "")
        + "</div>"
    )


def notices_html(notices: Sequence[str]) -> str:
    """Practice notices on the summary ("nothing to practise"), announced as they appear."""
    if not notices:
        return ""
    return "<div role='alert'>" + "".join(f"<p>{escape(n)}</p>" for n in notices) + "</div>"


def selection_note_html(selection: Selection, lang: str) -> str:
    """When the chosen tier had fewer cases than asked for: that the round takes all of them
    (announced as it appears); nothing otherwise."""
    if not selection.short:
        return ""
    if selection.tier == MIXED:
        text = t(
            "klass_short_note_mixed", lang, count=selection.count, available=selection.available
        )
    else:
        text = t(
            "klass_short_note",
            lang,
            count=selection.count,
            tier=t("tier_" + selection.tier, lang),
            available=selection.available,
        )
    return f"<p class='kit-note' role='status'>{escape(text)}</p>"


def no_tier_cases_html(tier: str, lang: str) -> str:
    """The chosen case set has no case of ``tier``: say so where the start button is."""
    return alert_html(t("klass_no_tier_cases", lang, tier=t("tier_" + tier, lang)))


def nothing_to_summarise_html(lang: str) -> str:
    """The summary of a round finished before any answer: its heading and that there is
    nothing to summarise yet."""
    return focus_heading_html(t("klass_summary_heading", lang)) + paragraph(
        t("klass_summary_nothing", lang)
    )


def summary_html(score: Score, lang: str, planned: int | None = None) -> str:
    """The summary's heading, score sentence and the table of right answers per process;
    with ``planned`` (the round's cases) above the answers given, that the learner finished
    early."""
    rows = "".join(
        f"<tr><th scope='row'>{escape(process_label(p, lang))}</th>"
        f"<td>{escape(t('klass_by_process_row', lang, right=right, total=total))}</td></tr>"
        for p, (right, total) in score.by_process.items()
    )
    table = f"<h3>{escape(t('klass_by_process_heading', lang))}</h3>" + table_region(
        "<table class='kit-table'><thead><tr>"
        f"<th scope='col'>{escape(t('klass_by_process_col', lang))}</th>"
        f"<th scope='col'>{escape(t('klass_by_process_right', lang))}</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>",
        t("klass_by_process_heading", lang),
    )
    sentence = (
        t(
            "klass_summary_score",
            lang,
            correct=score.correct,
            total=score.answered,
            process=score.process_correct,
            level=score.level_correct,
        )
        + " "
        + t(
            "klass_summary_points",
            lang,
            points=points_label(score.points, lang),
            total=score.answered,
        )
        + (" " + t("klass_summary_partial", lang, n=score.partial) if score.partial else "")
    )
    stopped = (
        paragraph(t("klass_summary_stopped", lang, answered=score.answered, total=planned))
        if planned is not None and planned > score.answered
        else ""
    )
    return (
        focus_heading_html(t("klass_summary_heading", lang)) + stopped + paragraph(sentence) + table
    )


def download_html(csv: bytes, lang: str) -> str:
    """A link that downloads the results as CSV (a data: address, nothing sent anywhere)."""
    return download_link(
        csv, "text/csv;charset=utf-8", t("klass_download_name", lang), t("klass_download", lang)
    )
