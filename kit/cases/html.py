"""HTML for cases wherever they are shown (pure: strings in, string out; every value escaped):
a case's text with its marked part, and the status line of a case file a teacher uploads."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kit.cases.case import Case
from kit.core.html import paragraph
from kit.core.i18n import t
from kit.core.invocation import samskaping_command


def case_text_html(case: Case, lang: str) -> str:
    """The case's text in ``lang``, escaped, its marked part (if any) in ``<mark>``."""
    parts = case.marked_parts(lang)
    if parts is None:
        return escape(case.text.get(lang))
    before, marked, after = parts
    return f"{escape(before)}<mark>{escape(marked)}</mark>{escape(after)}"


def upload_status_html(
    ok: bool | None, name: str, n: int, lines: Sequence[str], problems: int, lang: str
) -> str:
    """The state of a course leader's own case file: none yet (``ok`` None), read with ``n``
    cases, or the problems, one line each (``lines`` is already capped)."""
    if ok is None:
        return paragraph(t("klass_upload_hint", lang, command=samskaping_command())) + paragraph(
            t("klass_upload_none", lang)
        )
    if ok:
        message = t("klass_upload_ok_one" if n == 1 else "klass_upload_ok", lang, name=name, n=n)
        return f"<p role='status'>✔ {escape(message)}</p>"
    items = "".join(f"<li><code>{escape(line)}</code></li>" for line in lines)
    message = t("klass_upload_problems", lang, name=name, n=problems)
    return (
        f"<div role='alert' class='kit-problems'><p>✘ {escape(message)}</p><ul>{items}</ul></div>"
    )
