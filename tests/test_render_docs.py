"""The pure HTML of Markdown documents and of the start page's cards."""

from __future__ import annotations

import re

import pytest

from kit.core.html import markdown_html, table_regions
from kit.core.i18n import t
from kit.guide.start_html import APPS, app_cards, quickstart

DOC = """# Title

## Plan <b>A</b>

| a | b |
|---|---|
| 1 | 2 |

<script>alert(1)</script>

## Plan B

| c |
|---|
| 3 |
"""


def test_each_table_scrolls_in_a_region_named_by_its_heading():
    out = markdown_html(DOC, top_level=2)
    regions = re.findall(
        r"<div class='kit-table-wrap' role='region' aria-label=\"([^\"]*)\" tabindex='0'><table>",
        out,
    )
    # the heading's markup is text (escaped by the Markdown renderer), the label is plain text
    assert regions == ["Plan &lt;b&gt;A&lt;/b&gt;", "Plan B"]
    assert out.count("</table></div>") == 2
    assert "<script" not in out and "&lt;script&gt;" in out


def test_headings_start_at_the_level_asked_for():
    assert "<h2>Title</h2>" in markdown_html(DOC, top_level=2)
    assert "<h3>Title</h3>" in markdown_html(
        DOC, top_level=3
    ) and "<h4>Plan B</h4>" in markdown_html(DOC, top_level=3)


def test_a_table_before_any_heading_gets_the_fallback_label():
    assert 'aria-label="Tabell"' in table_regions("<table><tr><td>1</td></tr></table>", "Tabell")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_one_card_per_app_with_purpose_audience_and_time(lang):
    out = app_cards(lang)
    assert out.count("<li class='kit-app-card'>") == len(APPS) == 9
    for notebook, key in APPS:
        assert f"href='{notebook}?lang={lang}'" in out
        for part in ("app_title_", "app_desc_", "app_for_", "app_time_"):
            assert t(part + key, lang).replace("'", "&#x27;") in out


def test_quick_start_shown_in_the_page_or_where_to_find_it():
    shown = quickstart("nb", "# Hurtigstart\n\nKjør `./run serve`.")
    assert "<details id='kit-hurtigstart'>" in shown and "<h3>Hurtigstart</h3>" in shown
    assert "lang='nb'" in shown, "the quick start is in bokmål whatever the page's language"
    missing = quickstart("en", None)
    assert "<details" not in missing and "docs/hurtigstart.md" in missing


def test_every_table_the_kit_writes_goes_in_a_region():
    """A module that writes a ``<table`` hands it to table_region (one place for the markup
    of the labelled scroll box), and no bare wrapper is written by hand."""
    from pathlib import Path

    import kit

    root = Path(kit.__file__).parent
    writers = [p for p in root.rglob("*.py") if "<table" in p.read_text(encoding="utf-8")]
    assert len(writers) >= 6  # charts, plan charts, compass, exercise, render, render_docs
    for path in writers:
        source = path.read_text(encoding="utf-8")
        assert "table_region(" in source, path
        assert "<div class='kit-table-wrap'>" not in source, path
