"""Voilà's loading screen in the learner's language (pure: a page chunk in, a page chunk out).

While a learner's kernel starts (2-6 s), Voilà shows "Running <title>..." and then
"Executing 1 of 2", in English, whatever the page's language. The kit's Voilà handler passes
the first chunk of every app page through :func:`localize_loading`, which puts the kit's own
words from ``data/i18n`` there and sets the page's ``lang`` to the one asked for (the app keeps
it up to date when the learner switches).
"""

from __future__ import annotations

import re
from html import escape, unescape

from kit.core.i18n import DEFAULT_LANG, t

#: Voilà 0.5's spinner heading (base/spinner.macro.html.j2).
_HEADING = re.compile(r'<h2 id="loading_text">Running (.*?)\.\.\.</h2>', re.S)
#: Voilà 0.5's progress lines (base/voila_setup.macro.html.j2), JavaScript template literals.
_PROGRESS = (
    "`Executing ${cell_index} of ${cell_count}`",
    "`Reading ${cell_index} of ${cell_count}`",
)
#: The page language the kit's template writes before the app sets the learner's.
_HTML_LANG = f'<html lang="{DEFAULT_LANG}">'


def _template_literal(text: str) -> str:
    """``text`` as a JavaScript template literal with ``{n}`` and ``{total}`` as the cell
    numbers: anything else in it (a backtick, a backslash, ``${``) stays text."""
    safe = text.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")
    safe = safe.replace("\x00N\x00", "${cell_index}").replace("\x00T\x00", "${cell_count}")
    return f"`{safe}`"


def has_loading_screen(chunk: str) -> bool:
    """Whether ``chunk`` holds a part of Voilà's loading screen (its heading or progress
    lines) or the page's ``<html>`` tag: Voilà may send them in separate chunks."""
    return (
        'id="loading_text"' in chunk
        or _HTML_LANG in chunk
        or any(english in chunk for english in _PROGRESS)
    )


def _heading(title: str, lang: str) -> str:
    title = unescape(title).strip()
    text = t("loading_app", lang, title=title) if title else t("loading_app_untitled", lang)
    return f'<h2 id="loading_text">{escape(text)}</h2>'


def localize_loading(chunk: str, lang: str) -> str:
    """The chunk with Voilà's loading heading and progress lines in ``lang``, and the page's
    ``lang`` attribute set to it. A chunk without them is returned as it is."""
    chunk = _HEADING.sub(lambda m: _heading(m.group(1), lang), chunk, count=1)
    progress = _template_literal(t("loading_progress", lang, n="\x00N\x00", total="\x00T\x00"))
    for english in _PROGRESS:
        chunk = chunk.replace(english, progress)
    return chunk.replace(_HTML_LANG, f'<html lang="{escape(lang)}">', 1)
