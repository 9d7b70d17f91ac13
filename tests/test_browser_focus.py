"""Focus you can see, and targets you can hit, on every app (WCAG 2.4.7, 1.4.11, 2.5.8).

Tabbing through each app, in bokmål, nynorsk and English, at 1280 px and at 375 px, every
control that takes focus must show an outline of at least 2 px whose colour has at least 3:1
contrast with the page behind it and with what lies just inside it (the white inner ring of the
kit's focus style, or the control itself where there is no ring). Every button, field and menu
is at least 24 x 24 CSS px.
"""

from __future__ import annotations

import pytest

from .conftest import APP_NOTEBOOKS, local_context

pytestmark = [pytest.mark.browser, pytest.mark.server]

#: Focus stops checked per app (the first ones in tab order; every kind of control appears there).
STOPS = 25

FOCUS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const rgb = (s) => { const m = (s || "").match(/rgba?\\(([^)]+)\\)/); if (!m) { return null; }
    const p = m[1].split(",").map(Number); return p.length > 3 && p[3] === 0 ? null : p.slice(0, 3); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const bgOf = (node) => { for (; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor); if (c) { return c; } } return [255, 255, 255]; };
  const cs = getComputedStyle(el);
  const outline = rgb(cs.outlineColor);
  const width = cs.outlineStyle === "none" ? 0 : parseFloat(cs.outlineWidth);
  const offset = parseFloat(cs.outlineOffset) || 0;
  const ring = offset > 0 ? rgb(cs.boxShadow) : null;
  const control = bgOf(el);
  const page = bgOf(el.parentElement);
  const inner = ring || (offset > 0 ? page : control);
  const r = el.getBoundingClientRect();
  return {
    el: el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").slice(-2).join(".") : ""),
    text: (el.innerText || el.getAttribute("aria-label") || el.value || "").trim().slice(0, 40),
    width, style: cs.outlineStyle,
    vs_page: outline ? contrast(outline, page) : 0,
    vs_inner: outline ? contrast(outline, inner) : 0,
    w: r.width, h: r.height,
  };
}
"""

TARGETS = """
() => [...document.querySelectorAll(
    ".kit-app button, .kit-app select, .kit-app input:not([type=radio]):not([type=checkbox]):not([type=file]), .kit-app summary, .kit-app label:has(input[type=radio]), .kit-app label:has(input[type=checkbox])")]
  .filter((e) => e.checkVisibility() && e.getBoundingClientRect().width > 0)
  .map((e) => { const r = e.getBoundingClientRect();
    return { el: e.tagName.toLowerCase(), text: (e.innerText || e.getAttribute("aria-label") || "").trim().slice(0, 40),
             w: Math.round(r.width), h: Math.round(r.height) }; })
  .filter((t) => t.w < 24 || t.h < 24)
"""


#: Each app in each language; both widths are checked in the same page (desktop, then phone).
CASES = [(nb, lang) for nb in APP_NOTEBOOKS for lang in ("nb", "nn", "en")]
WIDTHS = ({"width": 1280, "height": 900}, {"width": 375, "height": 740})


def tab_through(page) -> tuple[int, list[dict]]:
    """Tab from the top of the page: how many stops had focus on a control, and the weak ones."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    seen, weak = 0, []
    for _ in range(STOPS):
        page.keyboard.press("Tab")
        got = page.evaluate(FOCUS)
        if got is None:
            continue
        seen += 1
        if got["width"] < 2 or got["vs_page"] < 3 or got["vs_inner"] < 3:
            weak.append(got)
    return seen, weak


@pytest.mark.parametrize(("notebook", "lang"), CASES)
def test_focus_ring_on_every_control_and_targets_large_enough(browser, server, notebook, lang):
    context = local_context(browser, server, WIDTHS[0])
    page = context.new_page()
    try:
        page.goto(f"{server.url}voila/render/{notebook}?lang={lang}")
        page.wait_for_selector(".kit-app h1", timeout=90_000)
        page.wait_for_function(f"document.documentElement.lang === '{lang}'", timeout=30_000)
        page.wait_for_timeout(300)
        for size in WIDTHS:
            page.set_viewport_size(size)
            page.wait_for_timeout(200)
            where = f"{lang} at {size['width']} px"
            assert page.evaluate(TARGETS) == [], f"targets smaller than 24 x 24 CSS px ({where})"
            seen, weak = tab_through(page)
            assert seen >= 2, f"tabbing reached no control ({where})"
            assert weak == [], (where, weak[:5])
    finally:
        context.close()
