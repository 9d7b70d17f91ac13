"""The kit's patch of Altair's chart script (kit.core.ui.charts.JS_FIXES): it applies to the
installed Altair, and the offline bundle the apps load is the patched one.

The memory it saves is measured by bench/chart_memory.py (Altair's script beside the kit's)."""

from __future__ import annotations

import pytest

from kit.core.ui import charts


def test_every_fix_applies_once_to_the_installed_altair():
    source = charts.bundle_source()
    assert "kitOn('change:_params'," in source
    assert "kitOn('change:_py_to_js_updates'," in source
    assert "model.on('change:_params'" not in source
    assert "model.on('change:_py_to_js_updates'" not in source
    # the old view's handlers go before the next view's are added; the view's cleanup too
    reembed = source.index("const reembed = async () => {")
    assert reembed < source.index("kitOff();", reembed) < source.index("vegaEmbed(el, spec")
    assert "return () => {" in source and "model.off(name, reembed)" in source
    assert not source.lstrip().startswith("import")  # the CDN imports are out


def test_a_changed_altair_script_is_refused_not_half_patched():
    with pytest.raises(charts.ChartScriptChanged):
        charts.patched_chart_script("async function render({ model, el }) {}\n")


def test_the_offline_bundle_is_the_patched_script():
    cached = charts.bundle_path()
    if not cached.exists():  # `samskaping serve` and the browser tests build it once
        charts.build_bundle()
    text = cached.read_text(encoding="utf-8")
    assert "kitHandlers" in text and "kitOn(" in text and "kitOff()" in text
    assert charts.JS_FIXES_TAG in cached.name
