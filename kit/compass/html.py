"""Samskapingskompasset as HTML: result sections, the figure with the initiative marked, the rule
list and a printable one-page summary (pure: strings in, string out; everything escaped)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from kit.compass.compass import Assessment, Compass, Gap, Question, Rule, load_compass
from kit.core.html import download_link, paragraph, table_region
from kit.core.i18n import t
from kit.model.html import level_diagram, level_title
from kit.model.labels import level_label, process_label
from kit.model.model import Model, load_model


def _quote(text: str, lang: str) -> str:
    return t("kompass_quote", lang, text=text)


def _condition(qid: str, keys: tuple[str, ...], compass: Compass, lang: str) -> str:
    """ "«Who takes part» is «...» or «...»" """
    question = compass.question(qid)
    options = t("kompass_rule_or", lang).join(
        _quote(question.option(k).label.get(lang), lang) for k in keys
    )
    return t(
        "kompass_rule_condition",
        lang,
        question=_quote(question.short.get(lang), lang),
        options=options,
    )


def rule_sentence(rule: Rule, compass: Compass, lang: str) -> str:
    """The rule in words: "When «Who takes part» is «...» or «...», and ...: co-creation, level 2"."""
    conditions = []
    if rule.found:
        processes = t("kompass_rule_or", lang).join(
            _quote(process_label(p, lang), lang) for p in rule.found
        )
        conditions.append(t("kompass_rule_condition_found", lang, processes=processes))
    conditions += [_condition(qid, keys, compass, lang) for qid, keys in rule.when]
    if rule.kind == "gap":
        then = t("kompass_rule_then_gap", lang, title=rule.gap.get(lang))  # type: ignore[union-attr]
    elif rule.kind == "discussion":
        then = t("kompass_rule_then_discussion", lang, title=rule.discussion.get(lang))  # type: ignore[union-attr]
    elif rule.level is None:
        then = t(
            "kompass_rule_then_none", lang, process=process_label(rule.process or "ingen", lang)
        )
    else:
        then = t(
            "kompass_rule_then_process",
            lang,
            process=process_label(rule.process or "", lang),
            level=rule.level,
        )
    joined = t("kompass_rule_and", lang).join(conditions)
    if rule.unless:
        exceptions = t("kompass_rule_or", lang).join(
            _condition(qid, keys, compass, lang) for qid, keys in rule.unless
        )
        sentence = t(
            "kompass_rule_sentence_unless",
            lang,
            conditions=joined,
            exceptions=exceptions,
            then=then,
        )
    else:
        sentence = t("kompass_rule_sentence", lang, conditions=joined, then=then)
    return sentence[:-1] if sentence.endswith(("?.", "!.")) else sentence  # a title asking ends it


def question_label(question: Question, number: int, lang: str) -> str:
    """A question's label, numbered: "3. Hvem driver tilbudet?" (its radio group's name)."""
    return f"{number}. {question.prompt.get(lang)}"


def result_heading_html(lang: str) -> str:
    """The result's heading; it takes the focus after "show result"."""
    return f"<h2 tabindex='-1' data-kit-focus>{escape(t('kompass_result_heading', lang))}</h2>"


def rules_html(compass: Compass, lang: str) -> str:
    """Every rule in words, with its reason and next step, generated from the same data."""
    items = []
    for rule in compass.rules:
        step = (
            f"<br><strong>{escape(t('kompass_next_step', lang))}:</strong> {escape(rule.next_step.get(lang))}"
            if rule.next_step
            else ""
        )
        items.append(
            f"<li data-rule='{escape(rule.id)}'><p><strong>{escape(rule_sentence(rule, compass, lang))}</strong>"
            f"<br>{escape(t('kompass_because', lang))}: {escape(rule.reason.get(lang))}{step}</p></li>"
        )
    return (
        f"<h2>{escape(t('kompass_rules_heading', lang))}</h2>"
        f"<p>{escape(t('kompass_rules_intro', lang))}</p>"
        f"<details class='kit-kompass-rules'><summary>"
        f"{escape(t('kompass_rules_summary', lang, n=len(compass.rules)))}</summary>"
        f"<ol>{''.join(items)}</ol></details>"
    )


def findings_html(assessment: Assessment, model: Model, lang: str, h: int = 3) -> str:
    """The main answer, processes and levels in a line each (in rank order), then one row per
    rule that counts, with the reason from the model."""
    parts = [
        f"<p role='status'>{escape(t('kompass_answered', lang, answered=assessment.answered, total=assessment.total))}</p>",
        f"<h{h}>{escape(t('kompass_findings_heading', lang))}</h{h}>",
    ]
    if not assessment.processes:
        parts.append(f"<p>{escape(t('kompass_no_process', lang))}</p>")
        return "".join(parts)
    badges = " ".join(
        f"<span class='kit-badge kit-badge-{escape(p.process)}'>{escape(process_label(p.process, lang))}</span>"
        for p in assessment.processes
    )
    verdict = assessment.verdict
    assert verdict is not None  # there are processes
    where = (
        level_title(model.level(verdict.level), lang) if verdict.level else t("level_none", lang)
    )
    parts.append(
        f"<p class='kit-kompass-verdict'><strong>{escape(t('kompass_verdict_label', lang))}:</strong> "
        f"<span class='kit-badge kit-badge-{escape(verdict.process)}'>"
        f"{escape(process_label(verdict.process, lang))}</span> – {escape(where)}</p>"
    )
    levels = "; ".join(
        f"{level_title(model.level(n), lang)} ({model.level(n).subtitle.get(lang)})"
        for n in assessment.level_numbers
    )
    rows = "".join(
        f"<tr><td><span class='kit-badge kit-badge-{escape(f.process)}'>"
        f"{escape(process_label(f.process, lang))}</span></td>"
        f"<td>{escape(level_label(f.level, lang))}</td>"
        f"<td>{escape(f.reason.get(lang))}</td></tr>"
        for f in assessment.findings
    )
    parts.append(
        f"<ul class='kit-kompass-summary'><li><strong>{escape(t('kompass_processes_label', lang))}:"
        f"</strong> {badges}</li><li><strong>{escape(t('kompass_levels_label', lang))}:</strong> "
        f"{escape(levels or t('kompass_no_level', lang))}</li></ul>"
        + table_region(
            "<table class='kit-table kit-kompass-why'>"
            f"<caption>{escape(t('kompass_findings_caption', lang))}</caption><thead><tr>"
            f"<th scope='col'>{escape(t('kompass_col_process', lang))}</th>"
            f"<th scope='col'>{escape(t('kompass_col_level', lang))}</th>"
            f"<th scope='col'>{escape(t('kompass_because', lang))}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>",
            t("kompass_findings_caption", lang),
        )
    )
    return "".join(parts)


def diagram_html(levels: Iterable[int], model: Model, lang: str) -> str:
    """The explorer's three-level figure, with the initiative's levels marked in words.

    Brackets (samskaping over levels 1-2, samproduksjon over 3), the levels side by side with
    the frame and the feedback between them, value co-creation under level 3 and the regular
    evaluation below; a level the initiative involves has a heavy frame and "✔ ...".
    """
    marked = set(levels)
    figure = level_diagram(
        model,
        lang,
        marked,
        "kit-kompass",
        t("kompass_diagram_on", lang),
        t("kompass_diagram_off", lang),
    )
    named = [t("level_n", lang, n=n) for n in sorted(marked)]
    if named:
        where = (
            ", ".join(named[:-1]) + t("kompass_list_and", lang) + named[-1]
            if len(named) > 1
            else named[0]
        )
        alt = t("kompass_diagram_text", lang, levels=where)
    else:
        alt = t("kompass_diagram_text_none", lang)
    return f"{figure}<p class='kit-kompass-alt'>{escape(alt)}</p>"


def _gap_block(gap: Gap, lang: str, h: int) -> str:
    cls = "kit-kompass-discuss" if gap.discussion else "kit-kompass-gap"
    mark = "?" if gap.discussion else "!"
    step = t("kompass_suggestion" if gap.discussion else "kompass_next_step", lang)
    return (
        f"<div class='{cls}' data-rule='{escape(gap.rule)}'>"
        f"<h{h}><span aria-hidden='true'>{mark} </span>{escape(gap.title.get(lang))}</h{h}>"
        f"<p>{escape(gap.reason.get(lang))}</p>"
        f"<p><strong>{escape(step)}:</strong> {escape(gap.next_step.get(lang))}</p></div>"
    )


def gaps_html(assessment: Assessment, lang: str, h: int = 3) -> str:
    """The gaps with one next step each, the discussion points, and what to find out."""
    parts = [f"<h{h}>{escape(t('kompass_gaps_heading', lang))}</h{h}>"]
    if assessment.gaps:
        blocks = "".join(_gap_block(g, lang, h + 1) for g in assessment.gaps)
        parts.append(f"<div class='kit-kompass-gaplist'>{blocks}</div>")
    else:
        still_open = assessment.dont_know or assessment.unanswered
        key = "kompass_no_gaps_yet" if still_open else "kompass_no_gaps"
        parts.append(f"<p>{escape(t(key, lang))}</p>")
    more = []
    if assessment.discussions:
        blocks = "".join(_gap_block(g, lang, h + 1) for g in assessment.discussions)
        more.append(
            f"<div><h{h}>{escape(t('kompass_discussion_heading', lang))}</h{h}>{blocks}</div>"
        )
    if assessment.dont_know or assessment.unanswered:
        found = [f"<h{h}>{escape(t('kompass_open_heading', lang))}</h{h}>"]
        for key, questions in (
            ("kompass_dont_know_intro", assessment.dont_know),
            ("kompass_unanswered_intro", assessment.unanswered),
        ):
            if questions:
                items = "".join(
                    f"<li><strong>{escape(q.short.get(lang))}:</strong> "
                    f"{escape(q.find_out.get(lang))}</li>"
                    for q in questions
                )
                found.append(
                    f"<p>{escape(t(key, lang))}</p><ul class='kit-kompass-open'>{items}</ul>"
                )
        more.append(f"<div>{''.join(found)}</div>")
    if more:
        parts.append(f"<div class='kit-kompass-more'>{''.join(more)}</div>")
    return "".join(parts)


_PRINT_CSS = """
body { font-family: system-ui, sans-serif; color: #1a1a1a; margin: 0; line-height: 1.4; }
main { max-width: 60em; margin: 0 auto; padding: 1em; }
h1 { font-size: 1.6em; margin: 0 0 0.2em; } h2 { font-size: 1.25em; margin: 0.9em 0 0.3em; }
h3 { font-size: 1.05em; margin: 0.6em 0 0.2em; } p, ul { margin: 0.25em 0; }
.kit-print-hint { border: 1px solid #1c5d99; padding: 0.4em 0.8em; background: #eef5fc; }
.kit-badge { display: inline-block; padding: 0 8px; border-radius: 10px; border: 1px solid #333; font-weight: 600; }
.kit-badge-samskaping { background: #dceafa; } .kit-badge-samproduksjon { background: #fbe9d0; }
.kit-badge-verdisamskaping { background: #dff0df; } .kit-badge-ingen { background: #eee; }
.kit-bracket { text-align: center; font-weight: 700; border: 2px solid #555; border-bottom: none; border-radius: 8px 8px 0 0; }
.kit-bracket-samskaping { border-color: #1c5d99; } .kit-bracket-samproduksjon { border-color: #7a4b00; }
.kit-arrows { display: flex; flex-direction: column; justify-content: center; font-size: 0.8em; text-align: center; }
.kit-arrow-v { display: none; }
.kit-value, .kit-evaluation { text-align: center; font-size: 0.85em; padding: 2px; border: 1px dashed #555; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
caption { text-align: left; font-weight: 600; }
th, td { border: 1px solid #8a8a8a; padding: 2px 6px; text-align: left; vertical-align: top; }
.kit-kompass-answers { column-count: 2; column-gap: 1.5em; margin: 0; }
.kit-kompass-answers div { break-inside: avoid; padding: 1px 0; border-bottom: 1px solid #ccc; }
.kit-kompass-answers dt { font-weight: 700; display: inline; } .kit-kompass-answers dt::after { content: ": "; }
.kit-kompass-answers dd { display: inline; margin: 0; }
footer { margin-top: 1em; font-size: 0.85em; border-top: 1px solid #8a8a8a; padding-top: 0.4em; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 8pt; line-height: 1.22; } main { padding: 0; max-width: none; }
  .kit-kompass-summary, .kit-kompass-alt { display: none; }
  .kit-value, .kit-evaluation, .kit-arrows { font-size: 0.8em; padding: 0 2px; }
  h1 { font-size: 14pt; } h2 { font-size: 11pt; margin: 0.45em 0 0.1em; }
  h3 { font-size: 9pt; margin: 1px 0; } footer { margin-top: 0.5em; font-size: 7.5pt; }
  .kit-print-hint { display: none; }
  .kit-kompass-gaplist { column-count: 2; column-gap: 8px; }
  .kit-kompass-more { display: grid; grid-template-columns: 1fr 1fr; column-gap: 10px; }
  .kit-kompass-open { padding-left: 1.2em; }
  .kit-kompass-gap, .kit-kompass-discuss { margin: 0 0 4px; padding: 1px 8px; }
  .kit-kompass-gap p, .kit-kompass-discuss p { margin: 1px 0; }
  .kit-kompass-answers { column-count: 3; font-size: 0.92em; }
  .kit-kompass-level { padding: 1px 4px; font-size: 0.95em; } .kit-kompass-level p { margin: 0; }
  .kit-kompass-diagram { margin: 4px 0; }
  .kit-kompass-gap, .kit-kompass-discuss, .kit-kompass-diagram { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

#: The figure and the result blocks, shared by the app and the printable summary.
COMPASS_CSS = """
.kit-kompass-diagram { display: grid; gap: 6px 4px; margin: 8px 0; align-items: stretch; }
.kit-kompass-level { border: 2px dashed #6b6b6b; border-radius: 6px; padding: 4px 8px; text-align: center; background: #fff; }
.kit-kompass-level p { margin: 2px 0; }
.kit-kompass-on { border: 5px solid #1a1a1a; background: #fff4c2; }
.kit-kompass-mark { font-weight: 700; }
.kit-kompass-off .kit-kompass-mark { font-weight: 400; font-style: italic; }
.kit-kompass-alt { font-size: 0.95em; }
.kit-kompass-verdict { font-size: 1.1em; margin: 4px 0; }
.kit-kompass-gap, .kit-kompass-discuss { border-left: 6px solid #a4161a; background: #fbeeee; padding: 2px 12px; margin: 6px 0; }
.kit-kompass-discuss { border-left-color: #1c5d99; background: #eef5fc; }
.kit-kompass-why td:nth-child(-n+2) { white-space: nowrap; }
@media (max-width: 640px) {
  .kit-kompass-why thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .kit-kompass-why tr { display: block; border: 1px solid #8a8a8a; margin-bottom: 6px; }
  .kit-kompass-why td { display: inline-block; border: none; }
  .kit-kompass-why td:last-child { display: block; white-space: normal; }
  .kit-kompass-diagram { grid-template-columns: minmax(0,1fr) !important; }
  .kit-kompass-diagram > * { grid-column: auto !important; grid-row: auto !important; }
  .kit-kompass-diagram .kit-arrow-h { display: none; }
  .kit-kompass-diagram .kit-arrow-v { display: inline; }
}
"""


def summary_html(
    assessment: Assessment,
    answers: Mapping[str, str | None],
    lang: str,
    name: str = "",
    compass: Compass | None = None,
    model: Model | None = None,
) -> str:
    """A self-contained, printable one-page summary (inline CSS, ``@media print``, no scripts)."""
    compass = compass or load_compass()
    model = model or load_model()
    title = t("app_title_kompass", lang)
    name = " ".join(name.split())
    subtitle = name or t("kompass_summary_unnamed", lang)
    rows = []
    for q in compass.questions:
        key = answers.get(q.id)
        answer = q.option(key).label.get(lang) if key else t("kompass_summary_no_answer", lang)
        rows.append(f"<div><dt>{escape(q.short.get(lang))}</dt><dd>{escape(answer)}</dd></div>")
    src = model.source
    source = t(
        "kompass_summary_source", lang, title=src.title, author=src.author, org=src.organisation
    )
    return (
        f"<!DOCTYPE html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}: {escape(subtitle)}</title>"
        f"<style>{_PRINT_CSS}{COMPASS_CSS}</style></head><body><main>"
        f"<p class='kit-print-hint'>{escape(t('kompass_summary_print_hint', lang))}</p>"
        f"<h1>{escape(title)}: {escape(subtitle)}</h1>"
        f"{findings_html(assessment, model, lang, h=2)}"
        f"<h2>{escape(t('kompass_diagram_heading', lang))}</h2>"
        f"{diagram_html(assessment.level_numbers, model, lang)}"
        f"{gaps_html(assessment, lang, h=2)}"
        f"<h2>{escape(t('kompass_summary_answers', lang))}</h2>"
        f"<dl class='kit-kompass-answers'>{''.join(rows)}</dl>"
        f"<footer><p>{escape(source)}</p></footer></main></body></html>"
    )


def download_html(document: str, lang: str) -> str:
    """The link that downloads the one-page summary, and the note on printing it."""
    link = download_link(
        document.encode("utf-8"),
        "text/html;charset=utf-8",
        t("kompass_download_name", lang),
        t("kompass_download", lang),
    )
    return link + paragraph(t("kompass_download_note", lang), "kit-note")
