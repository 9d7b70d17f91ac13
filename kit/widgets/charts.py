"""Drawing Altair charts offline: ``alt.JupyterChart`` with its JavaScript bundled locally.

Altair's default renderers load vega from a CDN, which fails in a classroom without internet.
``JupyterChart.enable_offline()`` bundles vega with vl-convert, which costs about two seconds and a
hundred megabytes in every kernel. The bundle does not change between kernels, so it is built
once, kept in a cache file, and every kernel reads the file instead (``samskaping serve`` builds it
before the first learner arrives).
"""

from __future__ import annotations

import os
import tempfile
from html import escape
from importlib.metadata import version
from pathlib import Path

import ipywidgets as widgets


def cache_dir() -> Path:
    if os.environ.get("KIT_CACHE_DIR"):
        return Path(os.environ["KIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "samskaping-kit"


def bundle_path() -> Path:
    """Cache file of the offline bundle, named for the versions that made it."""
    tag = f"altair-{version('altair')}-vlc-{version('vl-convert-python')}"
    return cache_dir() / f"jupyterchart-offline-{tag}.js"


def build_bundle() -> Path:
    """Make sure the bundle file exists; build it with vl-convert if not. Returns its path."""
    path = bundle_path()
    if path.exists() and path.stat().st_size > 0:
        return path
    import altair as alt

    was_offline = alt.JupyterChart._is_offline
    alt.JupyterChart.enable_offline(True)
    source = alt.JupyterChart._esm
    if not was_offline:
        alt.JupyterChart.enable_offline(False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as tmp:
        tmp.write(source)
    os.replace(tmp.name, path)
    return path


def enable_offline_charts() -> None:
    """Switch ``alt.JupyterChart`` to the locally bundled JavaScript (read from the cache)."""
    import altair as alt

    if alt.JupyterChart._is_offline:
        return
    source = build_bundle().read_text(encoding="utf-8")
    alt.JupyterChart._esm = source
    alt.JupyterChart._is_offline = True


class ChartView(widgets.VBox):
    """A chart drawn offline, its description in words, and a table of the same numbers.

    ``update`` swaps in a new chart and text (a live dashboard), keeping the same widgets.
    """

    def __init__(self, chart, description: str, table_html: str, table_summary: str) -> None:
        import altair as alt

        enable_offline_charts()
        self.chart = alt.JupyterChart(chart, embed_options={"actions": False, "renderer": "svg"})
        self.words = widgets.HTML()
        super().__init__([self.chart, self.words])
        self.add_class("kit-chart")
        self._table_summary = table_summary
        self._set_words(description, table_html)

    def _set_words(self, description: str, table_html: str) -> None:
        self.words.value = (
            f"<p class='kit-chart-desc'>{escape(description)}</p>"
            f"<details class='kit-alt'><summary>{escape(self._table_summary)}</summary>"
            f"{table_html}</details>"
        )

    def update(self, chart, description: str, table_html: str) -> None:
        with self.hold_sync():
            self.chart.chart = chart
            self._set_words(description, table_html)


def chart_view(chart, description: str, table_html: str, table_summary: str) -> ChartView:
    """Shorthand kept for the apps: a :class:`ChartView`."""
    return ChartView(chart, description, table_html, table_summary)
