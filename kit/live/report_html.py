"""The session report to take home: one HTML document that prints on A4 from any browser (pure:
the session's items, results and a language in, a string out).

Per item in the session's order: a case's distributions (each round, and the shift between
them), its key and explanation; a question's word cloud with the answers shown in it, a
scale's or poll's counts. Then the facilitator guide's questions for the discussion. Every text
from a case file, a question or a phone is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from kit.cases.case import Case
from kit.cases.html import case_text_html
from kit.cases.pairs import SIDES, ContrastPair
from kit.core.html import markdown_html
from kit.core.i18n import DEFAULT_LANG, t
from kit.core.paths import data_dir
from kit.live.questions import Item, Question
from kit.live.room import CaseResult, QuestionResult
from kit.live.screen_html import (
    POSITION_KEYS,
    case_results_html,
    item_kind,
    key_html,
    question_results_html,
)
from kit.live.words import CloudWord, banned_keys, is_banned
from kit.model.labels import process_label

_STYLE = """
@page { size: A4; margin: 16mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1e2b3c; margin: 0 auto;
  max-width: 180mm; font-size: 11pt; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 14pt; margin: 14pt 0 4pt; }
h3 { font-size: 11pt; margin: 6pt 0 2pt; }
.kit-report-meta { color: #545e6b; margin: 0 0 10pt; }
.kit-report-item { border-top: 1px solid #9aa4b0; padding-top: 6pt; break-inside: avoid-page; }
.kit-report-pos { color: #545e6b; font-size: 9pt; margin: 0; font-weight: 600; }
.kit-bars { margin: 4pt 0; } .kit-bars figcaption { font-weight: 700; }
.kit-bars ul { list-style: none; margin: 0; padding: 0; }
.kit-bar { display: grid; grid-template-columns: 55mm 1fr 22mm; gap: 3mm; align-items: center; }
.kit-bar-track { height: 3mm; background: #e7e9ea; } .kit-bar-fill { display: block; height: 100%;
  background: #0062ba; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.kit-bar-key { font-weight: 700; } .kit-bar-key .kit-bar-fill { background: #118849; }
.kit-bar-count { text-align: right; font-weight: 700; } .kit-bar-share { font-weight: 400; }
.kit-rounds-2 { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }
.kit-rounds-2 .kit-bar { grid-template-columns: 1fr 18mm; } .kit-rounds-2 .kit-bar-track {
  grid-column: 1 / -1; grid-row: 2; }
.kit-round-col h3 { margin: 0; }
.kit-screen-key { border-left: 3pt solid #118849; background: #e6f5ec; padding: 2pt 6pt;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.kit-cloud { list-style: none; padding: 0; margin: 4pt 0; display: flex; flex-wrap: wrap; gap: 2pt 8pt;
  align-items: baseline; }
.kit-cloud-word { font-weight: 700; color: #002c54; }
.kit-cloud-1 { font-size: 10pt; } .kit-cloud-2 { font-size: 12pt; } .kit-cloud-3 { font-size: 14pt; }
.kit-cloud-4 { font-size: 17pt; } .kit-cloud-5 { font-size: 20pt; } .kit-cloud-6 { font-size: 24pt; }
.kit-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.kit-report-answers { columns: 2; margin: 2pt 0; }
.kit-report-guide { break-before: page; }
.kit-report-note { color: #545e6b; font-size: 9pt; }
mark { background: #fff0a8; }
@media screen { body { padding: 12mm 0; } }
"""


def _guide_file(lang: str) -> Path:
    name = "fasilitatorguide.md" if lang == DEFAULT_LANG else f"fasilitatorguide_{lang}.md"
    return data_dir() / name


def guide_questions(lang: str) -> str:
    """The facilitator guide's section of questions for the discussion (its ``##`` heading
    is the text of ``report_guide_section``), as Markdown; empty if the guide lacks it."""
    try:
        text = _guide_file(lang).read_text(encoding="utf-8")
    except OSError:
        return ""
    heading = t("report_guide_section", lang)
    found = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return found.group(1).strip() if found else ""


def _shift_html(result: CaseResult, lang: str) -> str:
    moves = result.shift()
    if not moves:
        return ""
    parts = [
        t(
            "report_shift_part",
            lang,
            process=process_label(p, lang),
            first=round(100 * a),
            last=round(100 * b),
        )
        for p, a, b in moves
    ]
    return f"<p><strong>{escape(t('report_shift', lang))}</strong> {escape('; '.join(parts))}.</p>"


def _case_html(case: Case, result: CaseResult, revealed: bool, lang: str) -> str:
    answers = sum(r.answers for r in result.rounds)
    body = [
        f"<p>{case_text_html(case, lang)}</p>",
        f"<p>{escape(t('live_answers', lang, n=answers))}</p>",
        case_results_html(result, lang, case),
        _shift_html(result, lang),
        key_html(case, lang),
    ]
    if not revealed:
        body.append(f"<p class='kit-report-note'>{escape(t('report_key_not_shown', lang))}</p>")
    return "".join(body)


def _pair_html(
    pair: ContrastPair, results: Mapping[str, CaseResult], revealed: bool, lang: str
) -> str:
    """A contrast pair: each case as a case is reported, under its side and title, then what
    differs."""
    parts = []
    for side, case in zip(SIDES, pair.cases, strict=True):
        title = t("pair_case", lang, side=side, title=case.title.get(lang))
        parts.append(f"<h3>{escape(title)}</h3>{_case_html(case, results[case.id], True, lang)}")
    parts.append(
        f"<h3>{escape(t('pair_difference', lang))}</h3><p>{escape(pair.difference_text(lang))}</p>"
    )
    if not revealed:
        parts.append(f"<p class='kit-report-note'>{escape(t('report_key_not_shown', lang))}</p>")
    return "".join(parts)


def _question_html(
    q: Question,
    result: QuestionResult,
    words: Sequence[CloudWord],
    banned: Sequence[str],
    lang: str,
) -> str:
    origin = "delta_source_question" if q.source else "delta_kit_question"
    parts = [
        f"<p class='kit-report-note'>{escape(t(origin, lang))}</p>",
        f"<p>{escape(t('live_answers', lang, n=result.answers))}</p>",
        question_results_html(q, result, lang, words),
    ]
    if q.kind == "open":
        stems = banned_keys(banned, lang)
        shown = [
            e.value for e in result.entries if not e.hidden and not is_banned(e.value, stems, lang)
        ]
        left_out = result.answers - len(shown)
        if shown:
            items = "".join(f"<li>{escape(v)}</li>" for v in shown)
            parts.append(
                f"<h3>{escape(t('report_shown_answers', lang))}</h3>"
                f"<ul class='kit-report-answers'>{items}</ul>"
            )
        if left_out:
            parts.append(
                f"<p class='kit-report-note'>{escape(t('report_left_out', lang, n=left_out))}</p>"
            )
    return "".join(parts)


def report_document(
    *,
    code: str,
    created: datetime | None,
    people: int,
    items: Sequence[Item],
    case_results: Mapping[str, CaseResult],
    question_results: Mapping[str, tuple[QuestionResult, Sequence[CloudWord]]],
    revealed: set[str] | frozenset[str],
    banned: Sequence[str],
    lang: str,
) -> str:
    """The whole report as one HTML document (its style inside it: it prints and files as is)."""
    title = t("report_title", lang, code=code)
    when = created.astimezone().strftime("%d.%m.%Y %H:%M") if created else ""
    sections = []
    for item in items:
        kind = item_kind(item)
        same = [i for i in items if item_kind(i) == kind]
        pos = t(POSITION_KEYS[kind], lang, n=same.index(item) + 1, total=len(same))
        if isinstance(item, ContrastPair):
            heading = item.title(lang)
            body = _pair_html(item, case_results, item.id in revealed, lang)
        elif isinstance(item, Case):
            heading = item.title.get(lang)
            body = _case_html(item, case_results[item.id], item.id in revealed, lang)
        else:
            heading = item.prompt.get(lang)
            result, words = question_results[item.id]
            body = _question_html(item, result, words, banned, lang)
        sections.append(
            f"<section class='kit-report-item'><p class='kit-report-pos'>{escape(pos)}</p>"
            f"<h2>{escape(heading)}</h2>{body}</section>"
        )
    guide = guide_questions(lang)
    guide_html = (
        f"<section class='kit-report-guide'><h2>{escape(t('report_guide_heading', lang))}</h2>"
        f"{markdown_html(guide, top_level=1)}</section>"
        if guide
        else ""
    )
    meta = t("report_meta", lang, code=code, time=when, people=people)
    return (
        f"<!DOCTYPE html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class='kit-report-meta'>{escape(meta)}</p>"
        f"<p class='kit-report-note'>{escape(t('report_honesty', lang))}</p>"
        f"{''.join(sections)}{guide_html}</body></html>"
    )
