"""The draft agreement as a Word document (DOCX), written with python-docx (pure: blocks in,
bytes out; no widgets).

The blocks are those of :func:`kit.workshop.agreement.draft_agreement`, so the DOCX holds what
the Markdown and the HTML hold. python-docx writes every text as a text run, so what a
participant typed is never read as markup; characters an XML file cannot hold (which the
workshop's rules refuse anyway) are dropped rather than breaking the file. A4, the workshop's
language set on the text (LibreOffice and Word check the spelling in it), the title in the
document's properties.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from kit.workshop.agreement import (
    Agreement,
    Bullets,
    Heading,
    Para,
    Signature,
    Table,
    draft_agreement,
)
from kit.workshop.model import Workshop

if TYPE_CHECKING:  # python-docx is imported where a document is made
    from docx.document import Document
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Characters XML 1.0 cannot hold (python-docx refuses them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: A4 and its margins, in millimetres; the width of the text between the margins, and the part
#: of it a table's first column (the party) gets.
PAGE_MM = (210, 297)
MARGIN_MM = 20
TEXT_WIDTH_MM = PAGE_MM[0] - 2 * MARGIN_MM
FIRST_COLUMN_MM = 60
#: The language tag Word and LibreOffice read, per language of the kit.
LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _runs(paragraph: Paragraph, para: Para) -> None:
    for span in para.spans:
        run = paragraph.add_run(_clean(span.text))
        run.bold = span.strong or para.kind == "draft" or None
        run.italic = span.em or para.kind in ("quote", "small") or None


def _set_language(doc: Document, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    lang.set(qn("w:bidi"), tag)
    rpr.append(lang)


def _column_widths(table: DocxTable, width_mm: float) -> None:
    """The party's column wide enough for a party's name, the counts sharing the rest: in
    columns of equal width LibreOffice broke "Tjenestemottaker" inside the word. The widths
    go on the grid (LibreOffice reads it) and on every cell (Word reads those)."""
    from docx.shared import Mm

    count = len(table.columns)
    first = FIRST_COLUMN_MM if count > 1 else width_mm
    widths = [Mm(first)] + [Mm((width_mm - first) / (count - 1))] * (count - 1)
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def to_docx(agreement: Agreement) -> bytes:
    """The draft as DOCX bytes."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    doc.styles["Normal"].font.size = Pt(11)
    _set_language(doc, LANGUAGE_TAGS.get(agreement.lang, agreement.lang))
    props = doc.core_properties
    props.title = _clean(f"{agreement.title}: {agreement.initiative}")
    props.language = LANGUAGE_TAGS.get(agreement.lang, agreement.lang)
    props.author = "samskaping-kit"
    props.last_modified_by = "samskaping-kit"
    props.comments = ""
    props.keywords = ""
    props.subject = _clean(agreement.initiative)

    for block in agreement.blocks:
        if isinstance(block, Heading):
            # the title in Word's Title style, then Heading 1, 2 and 3
            doc.add_heading(_clean(block.text), level=block.level - 1)
        elif isinstance(block, Para):
            paragraph = doc.add_paragraph(style="Intense Quote" if block.kind == "draft" else None)
            _runs(paragraph, block)
        elif isinstance(block, Bullets):
            for item in block.items:
                _runs(doc.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            caption = doc.add_paragraph()
            caption.add_run(_clean(block.caption)).italic = True
            caption.paragraph_format.keep_with_next = True
            table = doc.add_table(rows=1, cols=len(block.header), style="Table Grid")
            table.alignment = WD_TABLE_ALIGNMENT.LEFT
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(_clean(text)).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = _clean(text)
            _column_widths(table, TEXT_WIDTH_MM)
        elif isinstance(block, Signature):
            head = doc.add_paragraph()
            head.add_run(_clean(block.heading)).bold = True
            head.paragraph_format.keep_with_next = True
            head.paragraph_format.space_before = Pt(14)
            for i, line in enumerate(block.lines):
                p = doc.add_paragraph(f"{_clean(line)}: " + "_" * 40)
                p.paragraph_format.space_before = Pt(10)
                p.paragraph_format.keep_with_next = i < len(block.lines) - 1
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def agreement_docx(w: Workshop) -> bytes:
    """Workshop ``w``'s draft agreement as DOCX bytes."""
    return to_docx(draft_agreement(w))
