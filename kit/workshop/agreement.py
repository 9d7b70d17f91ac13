"""The draft agreement ("Utkast til samarbeidsavtale") from a workshop's state (pure: a
workshop in, text out).

:func:`draft_agreement` lays the draft out once, as a list of blocks (headings, paragraphs,
lists, tables, signature blocks), in the workshop's language: the parties, the purpose, per level
the agreed clauses, the open points with who follows them up and by when, the parking lot, the
next evaluation, the response trail (per clause and party: proposals, counts, objections with
their reasons), signature lines and the plain statement that it is a draft from a workshop, not
a legal document. :func:`to_markdown` and :func:`to_html` write those blocks;
:mod:`kit.workshop.docx_export` writes them as a Word document. Every text a participant or the
facilitator typed stays text: escaped in HTML, backslash-escaped in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Union

from kit.compass.compass import assess, load_compass
from kit.core.html import table_region
from kit.core.i18n import t
from kit.model.labels import level_label, process_label
from kit.model.model import load_model
from kit.workshop.model import OBJECT, RESPONSES, Clause, Response, Workshop

# ---------------------------------------------------------------- the blocks


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    em: bool = False


@dataclass(frozen=True)
class Heading:
    level: int  #: 1 (the title), 2 (a section), 3 (a part of it) or 4 (an agreed clause)
    text: str


@dataclass(frozen=True)
class Para:
    spans: tuple[Span, ...]
    #: "" (body), "lead" (the initiative), "draft" (the statement that it is a draft),
    #: "alert" (what the facilitator must not miss), "quote" (the source's words), "small"
    kind: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Para, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Signature:
    """A signature block: "For <party>", then a line each for name, place and date, signature."""

    heading: str
    lines: tuple[str, ...]


Block = Union[Heading, Para, Bullets, Table, Signature]  # noqa: UP007 (evaluated at run time)


@dataclass(frozen=True)
class Agreement:
    lang: str
    title: str  #: "Utkast til samarbeidsavtale"
    initiative: str
    blocks: tuple[Block, ...]


# ---------------------------------------------------------------- laying it out


def format_date(day: date, lang: str) -> str:
    return t("workshop_date", lang, d=f"{day.day:02d}", m=f"{day.month:02d}", y=f"{day.year:04d}")


def _p(*parts: str | Span, kind: str = "") -> Para:
    return Para(tuple(Span(p) if isinstance(p, str) else p for p in parts), kind)


def _who(w: Workshop, party: str, name: str | None) -> str:
    label = w.party(party).label.get(w.lang)
    return t("workshop_agreement_named", w.lang, party=label, name=name) if name else label


def _follow_up(w: Workshop, clause: Clause) -> str:
    outcome = w.outcome(clause.id)
    owner = outcome.owner if outcome else None
    due = format_date(outcome.due, w.lang) if outcome and outcome.due else None
    if owner and due:
        return t("workshop_agreement_follow_up", w.lang, owner=owner, due=due)
    if owner:
        return t("workshop_agreement_follow_up_owner", w.lang, owner=owner)
    if due:
        return t("workshop_agreement_follow_up_due", w.lang, due=due)
    return t("workshop_agreement_follow_up_none", w.lang)


def _agreed(w: Workshop, clause: Clause) -> str | None:
    outcome = w.outcome(clause.id)
    if outcome and outcome.status == "agreed" and outcome.wording:
        return outcome.wording
    return None


def _level_blocks(w: Workshop) -> list[Block]:
    lang = w.lang
    model = load_model()
    out: list[Block] = []
    for number, clauses in w.levels():
        name = model.level(number).name.get(lang)
        out.append(Heading(2, t("workshop_agreement_level", lang, n=number, name=name)))
        questions = w.agenda.level(number).expectations
        out.append(_p(Span(t("workshop_agreement_expectations", lang), em=True), kind="small"))
        quoted = (t("workshop_quote", lang, text=q.get(lang)) for q in questions)
        out.append(Bullets(tuple(_p(q, kind="quote") for q in quoted)))
        agreed = [(c, _agreed(w, c)) for c in clauses if c.id != "purpose"]
        agreed = [(c, text) for c, text in agreed if text]
        out.append(Heading(3, t("workshop_agreement_agreed", lang)))
        if not agreed:
            out.append(_p(t("workshop_agreement_none_agreed", lang)))
        for clause, text in agreed:
            assert text is not None
            out += [Heading(4, clause.title.get(lang)), _p(text)]
    return out


def _open_blocks(w: Workshop) -> list[Block]:
    lang = w.lang
    items = []
    for clause in w.clauses:
        if _agreed(w, clause):
            continue
        outcome = w.outcome(clause.id)
        wording = outcome.wording if outcome and outcome.wording else None
        said = w.proposals_for(clause.id)
        parts: list[str | Span] = [
            Span(clause.title.get(lang), strong=True),
            f" ({t('workshop_agreement_open_level', lang, n=clause.level)}). ",
        ]
        if wording:
            parts.append(wording + " ")
        elif not said and outcome is None:
            parts.append(t("workshop_agreement_not_discussed", lang) + " ")
        parts.append(_follow_up(w, clause))
        items.append(_p(*parts))
    out: list[Block] = [Heading(2, t("workshop_agreement_open", lang))]
    out.append(Bullets(tuple(items)) if items else _p(t("workshop_agreement_no_open", lang)))
    return out


def _parking_blocks(w: Workshop) -> list[Block]:
    if not w.parking:
        return []
    lang = w.lang
    items = []
    for point in w.parking:
        who = _who(w, point.party, point.name)
        if point.clause:
            title = w.clause(point.clause).title.get(lang)
            who = t("workshop_agreement_parked_about", lang, party=who, clause=title)
        items.append(_p(point.text, Span(f" ({who})", em=True)))
    return [Heading(2, t("workshop_agreement_parking", lang)), Bullets(tuple(items))]


def _evaluation_blocks(w: Workshop) -> list[Block]:
    lang = w.lang
    if w.evaluation and w.evaluation_by:
        line = t(
            "workshop_agreement_evaluation_by",
            lang,
            date=format_date(w.evaluation, lang),
            by=w.evaluation_by,
        )
    elif w.evaluation:
        line = t("workshop_agreement_evaluation_date", lang, date=format_date(w.evaluation, lang))
    else:
        line = t("workshop_agreement_evaluation_none", lang)
    return [Heading(2, t("workshop_agreement_evaluation", lang)), _p(line)]


def _reason_item(w: Workshop, response: Response) -> Para:
    key = (
        "workshop_agreement_objection_from"
        if response.choice == OBJECT
        else "workshop_agreement_remark_from"
    )
    who = _who(w, response.party, response.name)
    return _p(Span(t(key, w.lang, party=who) + ":", strong=True), " ", response.reason or "")


def _trail_blocks(w: Workshop) -> list[Block]:
    lang = w.lang
    labels = [w.agenda.response(c).label.get(lang) for c in RESPONSES]
    out: list[Block] = [
        Heading(2, t("workshop_agreement_trail", lang)),
        _p(t("workshop_agreement_trail_intro", lang), kind="small"),
    ]
    for clause in w.clauses:
        title = clause.title.get(lang)
        picture = w.response_picture(clause.id)
        out.append(Heading(3, title))
        if picture.outnumbered:
            out.append(_p(t("workshop_agreement_outnumbered", lang), kind="alert"))
        for group in picture.silent_groups:
            out.append(_p(t(f"workshop_agreement_silent_{group}", lang), kind="alert"))
        proposals = w.proposals_for(clause.id)
        if not proposals:
            out.append(_p(t("workshop_agreement_no_proposals", lang)))
            continue
        rows = tuple(
            (
                w.party(p.party).label.get(lang),
                str(p.proposals),
                *(str(p.counts[c]) for c in RESPONSES),
            )
            for p in picture.parties
            if p.spoke
        )
        out.append(
            Table(
                caption=t("workshop_agreement_responses_of", lang, clause=title),
                header=(
                    t("workshop_agreement_party", lang),
                    t("workshop_agreement_proposals", lang),
                    *labels,
                ),
                rows=rows,
            )
        )
        items: list[Para] = []
        for proposal in proposals:
            who = _who(w, proposal.party, proposal.name)
            head = t("workshop_agreement_proposal_from", lang, party=who) + ":"
            items.append(_p(Span(head, strong=True), " ", proposal.text))
            answers = [r for r in w.responses if r.proposal == proposal.id and r.reason]
            # a recipient's objection first: it stays in sight whatever the numbers
            answers.sort(key=lambda r: (r not in picture.recipient_objections, r.choice != OBJECT))
            items.extend(_reason_item(w, r) for r in answers)
        out.append(Bullets(tuple(items)))
    return out


def _signature_blocks(w: Workshop) -> list[Block]:
    lang = w.lang
    lines = tuple(
        t(key, lang)
        for key in (
            "workshop_agreement_sign_name",
            "workshop_agreement_sign_date",
            "workshop_agreement_sign_signature",
        )
    )
    out: list[Block] = [
        Heading(2, t("workshop_agreement_signatures", lang)),
        _p(t("workshop_agreement_signatures_intro", lang)),
    ]
    for party in w.present():
        label = w.party(party).label.get(lang)
        out.append(Signature(t("workshop_agreement_sign_for", lang, party=label), lines))
    return out


def _compass_blocks(w: Workshop) -> list[Block]:
    """The initiative's compass, attached: the main answer, every rule that counts with its
    reason, the gaps and discussion points with a next step, what to find out, the answers."""
    if not w.compass:
        return []
    lang = w.lang
    compass = load_compass()
    answers = dict(w.compass)
    found = assess(answers, compass)
    out: list[Block] = [
        Heading(2, t("workshop_agreement_compass", lang)),
        _p(t("workshop_agreement_compass_intro", lang), kind="small"),
        _p(t("workshop_agreement_compass_answered", lang, n=found.answered, total=found.total)),
    ]
    verdict = found.verdict
    if verdict is None:
        out.append(_p(t("kompass_no_process", lang)))
    else:
        where = t("workshop_agreement_compass_where", lang, level=level_label(verdict.level, lang))
        out.append(
            _p(
                Span(t("kompass_verdict_label", lang) + ":", strong=True),
                f" {process_label(verdict.process, lang)}{where}",
            )
        )
        out.append(
            Table(
                caption=t("kompass_findings_caption", lang),
                header=(
                    t("kompass_col_process", lang),
                    t("kompass_col_level", lang),
                    t("kompass_because", lang),
                ),
                rows=tuple(
                    (
                        process_label(f.process, lang),
                        level_label(f.level, lang),
                        f.reason.get(lang),
                    )
                    for f in found.findings
                ),
            )
        )
    for heading, gaps, step in (
        ("kompass_gaps_heading", found.gaps, "kompass_next_step"),
        ("kompass_discussion_heading", found.discussions, "kompass_suggestion"),
    ):
        if not gaps:
            continue
        out.append(Heading(3, t(heading, lang)))
        out.append(
            Bullets(
                tuple(
                    _p(
                        Span(g.title.get(lang) + ".", strong=True),
                        f" {g.reason.get(lang)} ",
                        Span(t(step, lang) + ":", em=True),
                        f" {g.next_step.get(lang)}",
                    )
                    for g in gaps
                )
            )
        )
    open_questions = (*found.dont_know, *found.unanswered)
    if open_questions:
        out.append(Heading(3, t("kompass_open_heading", lang)))
        out.append(Bullets(tuple(_p(q.find_out.get(lang)) for q in open_questions)))
    no_answer = t("kompass_summary_no_answer", lang)
    out.append(
        Table(
            caption=t("workshop_agreement_compass_answers", lang),
            header=(
                t("workshop_agreement_compass_question", lang),
                t("workshop_agreement_compass_answer", lang),
            ),
            rows=tuple(
                (
                    q.short.get(lang),
                    q.option(answers[q.id]).label.get(lang) if q.id in answers else no_answer,
                )
                for q in compass.questions
            ),
        )
    )
    return out


def draft_agreement(w: Workshop) -> Agreement:
    """The draft agreement of workshop ``w``, in its language, as blocks."""
    lang = w.lang
    model = load_model()
    title = t("workshop_agreement_title", lang)
    blocks: list[Block] = [
        Heading(1, title),
        _p(Span(w.initiative, strong=True), kind="lead"),
        _p(t("workshop_agreement_draft", lang), kind="draft"),
    ]
    if w.note:
        blocks.append(_p(Span(w.note, em=True), kind="small"))
    if w.held:
        blocks.append(_p(t("workshop_agreement_held", lang, date=format_date(w.held, lang))))
    blocks.append(_p(t("workshop_agreement_basis", lang, quote=w.agenda.basis.get(lang))))
    parties = tuple(_p(w.party(p).label.get(lang)) for p in w.present())
    blocks += [Heading(2, t("workshop_agreement_parties", lang)), Bullets(parties)]
    purpose = next((c for c in w.clauses if c.id == "purpose"), None)
    purpose_text = _agreed(w, purpose) if purpose else None
    blocks += [
        Heading(2, t("workshop_agreement_purpose", lang)),
        _p(purpose_text or t("workshop_agreement_purpose_open", lang)),
    ]
    blocks += _level_blocks(w)
    blocks += _open_blocks(w)
    blocks += _parking_blocks(w)
    blocks += _evaluation_blocks(w)
    blocks += _trail_blocks(w)
    blocks += _signature_blocks(w)
    blocks += _compass_blocks(w)
    source = model.source
    blocks.append(
        _p(
            t(
                "workshop_agreement_source",
                lang,
                title=source.title,
                author=source.author,
                organisation=source.organisation,
                date=source.date,
            ),
            kind="small",
        )
    )
    blocks.append(_p(t("workshop_agreement_draft", lang), kind="draft"))
    return Agreement(lang, title, w.initiative, tuple(blocks))


# ---------------------------------------------------------------- Markdown

#: Characters that start Markdown markup anywhere in a line (CommonMark lets a backslash escape
#: any ASCII punctuation, so the escaped text reads back the same).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
#: What starts a block at the start of a line: a heading, a list item, a quote, a rule.
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+(?=[.)]))")
#: What a renderer with autolinks (GitHub's, mistune's url plugin) would make a link of: the
#: ":" of "http://", the "." of "www.", the "@" of an e-mail address.
_MD_AUTOLINK = re.compile(r"(?<=\w)(:)(?=//)|(?<=\bwww)(\.)|(@)", re.IGNORECASE)


def md_escape(text: str) -> str:
    """``text`` as Markdown that reads back as exactly this text: no tag, link, emphasis or
    list can come from it."""
    out = _MD_INLINE.sub(r"\\\1", text)
    out = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(0), out)
    found = _MD_LINE_START.match(out)
    if found:
        if found.group(1)[0].isdigit():
            end = found.end()
            out = out[:end] + "\\" + out[end:]
        else:
            out = "\\" + out
    return out


def _md_para(para: Para) -> str:
    parts = []
    for span in para.spans:
        text = md_escape(span.text.strip()) if (span.strong or span.em) else md_escape(span.text)
        if not text:
            continue
        lead = " " if (span.strong or span.em) and span.text[:1] == " " else ""
        if span.strong:
            text = f"**{text}**"
        elif span.em:
            text = f"*{text}*"
        parts.append(lead + text)
    line = "".join(parts).strip()
    return f"> **{line}**" if para.kind == "draft" else line


def _md_cell(text: str) -> str:
    return md_escape(text)


def to_markdown(agreement: Agreement) -> str:
    """The draft as Markdown, for pasting into a municipal template."""
    out: list[str] = []
    for block in agreement.blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + md_escape(block.text))
        elif isinstance(block, Para):
            out.append(_md_para(block))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {_md_para(item)}" for item in block.items))
        elif isinstance(block, Table):
            lines = [
                f"*{md_escape(block.caption)}*",
                "",
                "| " + " | ".join(_md_cell(h) for h in block.header) + " |",
                "|" + "|".join(" --- " for _ in block.header) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("\n".join(lines))
        elif isinstance(block, Signature):
            lines = [f"**{md_escape(block.heading)}**", ""]
            lines += [f"{md_escape(line)}: ______________________________" for line in block.lines]
            out.append("\n\n".join(x for x in lines if x))
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- HTML (prints on A4)

_STYLE = """
@page { size: A4; margin: 20mm 18mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1e2b3c; margin: 0 auto;
  max-width: 174mm; font-size: 11pt; line-height: 1.45;
  overflow-wrap: break-word; overflow-wrap: anywhere; }
/* A word wider than the line (a pasted link) wraps: else it ran off the paper and Chromium
   shrank every page to fit it. In a table only where it must, so a column of counts keeps its
   heading's words whole ("anywhere" would let the table squeeze them). */
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 14pt; margin: 16pt 0 4pt;
  break-after: avoid-page; } h3 { font-size: 11.5pt; margin: 10pt 0 2pt; break-after: avoid-page; }
h4 { font-size: 11pt; margin: 6pt 0 1pt; break-after: avoid-page; }
p { margin: 3pt 0; } ul { margin: 3pt 0; padding-left: 16pt; } li { margin: 2pt 0; }
.kit-agreement-lead { font-size: 13pt; }
.kit-agreement-draft { border: 1.5pt solid #1e2b3c; padding: 4pt 8pt; margin: 8pt 0; }
.kit-agreement-alert { border-left: 4pt solid #a4161a; background: #fbeeee; padding: 2pt 8pt;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.kit-agreement-small { color: #4a5563; font-size: 9.5pt; }
.kit-agreement-quote { font-style: italic; }
table { border-collapse: collapse; margin: 4pt 0; font-size: 10pt; break-inside: avoid-page; }
caption { text-align: left; font-style: italic; padding-bottom: 2pt; }
th, td { border: 1px solid #8a8a8a; padding: 2pt 6pt; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
td + td, th + th { text-align: right; } td:nth-child(2), th:nth-child(2) { text-align: right; }
.kit-signature { break-inside: avoid-page; margin: 12pt 0 6pt; }
.kit-signature p { margin: 0; }
.kit-sign-line { border-bottom: 1px solid #1e2b3c; height: 12mm; width: 110mm; display: flex;
  align-items: flex-end; font-size: 9pt; color: #4a5563; }
@media screen { body { padding: 12mm 8mm; } }
"""


def _html_para(para: Para, tag: str = "p") -> str:
    parts = []
    for span in para.spans:
        text = escape(span.text)
        if span.strong:
            text = f"<strong>{text}</strong>"
        if span.em:
            text = f"<em>{text}</em>"
        parts.append(text)
    cls = f" class='kit-agreement-{para.kind}'" if para.kind else ""
    role = " role='note'" if para.kind in ("draft", "alert") else ""
    return f"<{tag}{cls}{role}>{''.join(parts)}</{tag}>"


def _html_blocks(blocks: Iterable[Block]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            out.append(_html_para(block))
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(_html_para(i, "li") for i in block.items) + "</ul>")
        elif isinstance(block, Table):
            head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in block.header)
            rows = "".join(
                "<tr><th scope='row'>"
                + escape(row[0])
                + "</th>"
                + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
                + "</tr>"
                for row in block.rows
            )
            table = (
                f"<table><caption>{escape(block.caption)}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            )
            out.append(table_region(table, block.caption))
        elif isinstance(block, Signature):
            lines = "".join(f"<p class='kit-sign-line'>{escape(x)}</p>" for x in block.lines)
            out.append(
                f"<div class='kit-signature'><p><strong>{escape(block.heading)}</strong></p>"
                f"{lines}</div>"
            )
    return "\n".join(out)


def to_html(agreement: Agreement) -> str:
    """The draft as one HTML document that prints on A4 from any browser."""
    title = escape(f"{agreement.title}: {agreement.initiative}")
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{escape(agreement.lang, quote=True)}'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"{_html_blocks(agreement.blocks)}\n</main>\n</body>\n</html>\n"
    )


def agreement_markdown(w: Workshop) -> str:
    return to_markdown(draft_agreement(w))


def agreement_html(w: Workshop) -> str:
    return to_html(draft_agreement(w))
