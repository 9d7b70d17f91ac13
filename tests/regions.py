"""Where the kit's HTML puts its tables: each in a labelled, focusable scrolling region."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str | None]] = []
        self.found: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            parent = self.stack[-1] if self.stack else {}
            region = (
                parent.get("role") == "region"
                and parent.get("tabindex") == "0"
                and "kit-table-wrap" in (parent.get("class") or "")
            )
            self.found.append(parent.get("aria-label") if region else None)
        self.stack.append({"tag": tag, **dict(attrs)})

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break


def table_region_labels(html: str) -> list[str]:
    """The label of the region around each ``<table>`` of ``html``, in order. Fails if a table
    is not the only child of such a region, or a region has no name."""
    parser = _Tables()
    parser.feed(html)
    assert parser.found, "no table"
    assert all(parser.found), f"a table outside a labelled region: {parser.found}"
    return [label for label in parser.found if label]
