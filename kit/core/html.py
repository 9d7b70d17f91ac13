"""HTML primitives for every app (pure: strings in, string out): paragraphs and headings,
labelled table regions, download links, the words under a chart, and Markdown documents (the
facilitator guide, the quick start) as HTML.

Raw HTML in a file is shown as text, never run. Every table is put in its own scrolling box, a
``region`` named after the heading above it and reachable by keyboard (``tabindex=0``), so a
table wider than a phone scrolls inside that box instead of widening or clipping the page.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from html import escape, unescape
from typing import Any

from kit.core.text import Text

_HEADING_OR_TABLE = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>|<table>.*?</table>", re.S)
_TAGS = re.compile(r"<[^>]+>")
#: A checklist item as mistune's task_lists plugin writes it (``- [ ] text``), without a list
#: inside it.
_TASK = re.compile(
    r'<li class="task-list-item"><input class="task-list-item-checkbox" type="checkbox" '
    r"disabled( checked)?/>((?:(?!<li|</li>).)*)</li>",
    re.S,
)


def markdown_html(text: str, top_level: int = 2) -> str:
    """``text`` (Markdown) as HTML; the file's own ``#`` headings start at ``<h{top_level}>``,
    and a checklist (``- [ ] text``) is a list of labelled checkboxes."""
    import mistune

    to_html = mistune.create_markdown(escape=True, plugins=["table", "task_lists"])
    body = to_html(text)
    assert isinstance(body, str)  # mistune types the HTML renderer's output with the AST's
    # "- [ ] text" is a checkbox the reader can tick on screen (it is not saved), named by its text
    body = _TASK.sub(
        lambda m: (
            f"<li class='kit-task'><label><input type='checkbox'{m[1] or ''}> {m[2]}</label></li>"
        ),
        body,
    )
    shift = top_level - 1
    if shift:
        body = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}>", body)
    return table_regions(body)


def document_html(body: str, lang: str) -> str:
    """A rendered document (``body``, HTML from :func:`markdown_html`) in the kit's document
    style, marked with the language it is written in (screen readers pick their voice from it)."""
    return f"<div class='kit-guide' lang='{escape(lang)}'>{body}</div>"


def table_region(table: str, label: str) -> str:
    """One ``<table>`` (HTML) in its own scrolling box: a ``region`` named ``label`` (plain
    text, escaped here) that the keyboard can reach, so a table wider than a phone scrolls
    there, and a screen reader can name the box it is in. Every table of the kit goes in one."""
    name = escape(label, quote=True)
    return f"<div class='kit-table-wrap' role='region' aria-label=\"{name}\" tabindex='0'>{table}</div>"


def download_link(data: bytes, mime: str, filename: str, label: str) -> str:
    """A link that saves ``data`` as ``filename`` from a ``data:`` address (nothing is sent
    anywhere); ``label`` is plain text, escaped here, as is the file name."""
    payload = base64.b64encode(data).decode("ascii")
    return (
        f"<p><a class='kit-download' download='{escape(filename, quote=True)}' "
        f"href='data:{mime};base64,{payload}'>⬇ {escape(label)}</a></p>"
    )


def table_regions(body: str, fallback_label: str = "") -> str:
    """Wrap each ``<table>`` of ``body`` in a labelled, focusable scrolling region."""
    heading = fallback_label
    out: list[str] = []
    pos = 0
    for match in _HEADING_OR_TABLE.finditer(body):
        if match[1]:
            heading = unescape(_TAGS.sub("", match[2])).strip()
            continue
        out.append(body[pos : match.start()])
        out.append(table_region(match[0], heading or fallback_label))
        pos = match.end()
    out.append(body[pos:])
    return "".join(out)


def bullet_section(heading: str, items: Iterable[Text], lang: str, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    lis = "".join(f"<li>{escape(item.get(lang))}</li>" for item in items)
    return f"<h2>{escape(heading)}</h2><{tag}>{lis}</{tag}>"


def paragraph(text: str, cls: str = "") -> str:
    attr = f" class='{cls}'" if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def chart_words_html(description: str, table_html: str, table_summary: str) -> str:
    """What goes under a chart: its description in words, and a table of the same numbers
    folded in a ``<details>`` named ``table_summary`` (``table_html`` is HTML already)."""
    return (
        f"<p class='kit-chart-desc'>{escape(description)}</p>"
        f"<details class='kit-alt'><summary>{escape(table_summary)}</summary>"
        f"{table_html}</details>"
    )


def inert_json(value: Any) -> str:
    """JSON that may stand inside a ``<script>`` (as Tornado's ``json_encode`` writes it)."""
    return json.dumps(value).replace("</", "<\\/")
