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
from importlib.metadata import version
from pathlib import Path

import ipywidgets as widgets

from kit.core import config
from kit.core.html import chart_words_html


def cache_dir() -> Path:
    configured = config.CACHE_DIR.get()
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "samskaping-kit"


#: The kit's changes to Altair's chart script (``altair/jupyter/js/index.js``), each an exact
#: (old, new) replacement in the script before it is bundled. Altair's ``reembed`` (run on every
#: change of the chart) registers two ``model.on`` handlers that hold the new Vega view and never
#: removes the old ones, so every old view, scenegraph and SVG stays in the tab's memory (a
#: dashboard redrawing its chart leaked ~137 MB/min: bench/README.md). The patch keeps the
#: handlers of the current view only and, when the view goes, finalizes it and removes them.
JS_FIXES: tuple[tuple[str, str], ...] = (
    (
        "    let finalize;\n",
        "    let finalize;\n"
        "    const kitHandlers = [];\n"
        "    const kitOn = (name, fn) => { model.on(name, fn); kitHandlers.push([name, fn]); };\n"
        "    const kitOff = () => { for (const [n, f] of kitHandlers.splice(0)) model.off(n, f); };\n",
    ),
    (
        "        if (finalize != null) {\n          finalize();\n        }\n",
        "        if (finalize != null) {\n          finalize();\n          finalize = null;\n        }\n"
        "        kitOff();\n",
    ),
    ("model.on('change:_params',", "kitOn('change:_params',"),
    ("model.on('change:_py_to_js_updates',", "kitOn('change:_py_to_js_updates',"),
    (
        "    await reembed();\n}\n",
        "    await reembed();\n"
        "    return () => {\n"
        "        kitOff();\n"
        "        for (const name of ['change:spec', 'change:embed_options', 'change:debounce_wait',"
        " 'change:max_wait']) { model.off(name, reembed); }\n"
        "        if (finalize != null) { finalize(); finalize = null; }\n"
        "    };\n}\n",
    ),
)
#: Part of the cache file's name: a new patch makes a new bundle.
JS_FIXES_TAG = "kitfix1"


class ChartScriptChanged(RuntimeError):
    """Altair's chart script no longer has a line the kit's patch replaces."""


def patched_chart_script(source: str) -> str:
    """Altair's chart script with :data:`JS_FIXES` applied; each must match exactly once."""
    for old, new in JS_FIXES:
        if source.count(old) != 1:
            raise ChartScriptChanged(f"expected one {old!r} in altair's index.js")
        source = source.replace(old, new)
    return source


def bundle_path() -> Path:
    """Cache file of the offline bundle, named for the versions and the patch that made it."""
    tag = f"altair-{version('altair')}-vlc-{version('vl-convert-python')}-{JS_FIXES_TAG}"
    return cache_dir() / f"jupyterchart-offline-{tag}.js"


def bundle_source() -> str:
    """Altair's chart script, patched, with its CDN imports taken out (as Altair's own
    ``JupyterChart.enable_offline`` does), ready for vl-convert's bundler."""
    from altair.jupyter.jupyter_chart import load_js_src

    lines = load_js_src().split("\n")
    while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
        lines.pop(0)
    return patched_chart_script("\n".join(lines))


def build_bundle() -> Path:
    """Make sure the bundle file exists; build it with vl-convert if not. Returns its path."""
    path = bundle_path()
    if path.exists() and path.stat().st_size > 0:
        return path
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    source = vlc.javascript_bundle(bundle_source(), vl_version=vl_version_for_vl_convert())
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
        self.words.value = chart_words_html(description, table_html, self._table_summary)

    def update(self, chart, description: str, table_html: str) -> None:
        with self.hold_sync():
            self.chart.chart = chart
            self._set_words(description, table_html)


def chart_view(chart, description: str, table_html: str, table_summary: str) -> ChartView:
    """Shorthand kept for the apps: a :class:`ChartView`."""
    return ChartView(chart, description, table_html, table_summary)
