"""Every app on a phone (375 x 740), and then at 1280 px: nothing wider than the screen,
nothing clipped.

The check measures element boxes, not ``scrollWidth``: Voilà's page clips content sideways
instead of scrolling, so a page can report no overflow while its paragraphs are cut off. For every
visible element it takes ``getBoundingClientRect`` and compares it with the nearest ancestor that
hides or scrolls its overflow (or, for the page itself, with the viewport):

- past the viewport with nothing to scroll it: too wide;
- past an ancestor with ``overflow: hidden``/``clip``: clipped (sideways or downwards);
- past a scrolling ancestor: allowed only where that ancestor is a labelled region a keyboard can
  reach (``role=region``, ``aria-label``, ``tabindex=0``), the way tables scroll on a phone.
"""

from __future__ import annotations

import pytest

from .conftest import APP_NOTEBOOKS, AXE_JS, ROOT, _need, local_context

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

MEASURE = """
() => {
  const vw = document.documentElement.clientWidth;
  const page = document.getElementById("rendered_cells");
  const problems = [];
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    const cls = (typeof el.className === "string" ? el.className : "").split(/\\s+/)
      .filter((c) => c && !c.startsWith("lm-") && !c.startsWith("jupyter-widgets")).slice(0, 3);
    if (cls.length) { s += "." + cls.join("."); }
    return s;
  };
  const labelledRegion = (box) => box.getAttribute("role") === "region"
    && (box.getAttribute("aria-label") || box.getAttribute("aria-labelledby")) && box.tabIndex === 0;
  for (const el of document.querySelectorAll("#kit-main *")) {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || cs.position === "fixed") { continue; }
    if (el.closest("svg, select") && !["svg", "select"].includes(el.tagName.toLowerCase())) { continue; }
    if (!el.checkVisibility()) { continue; }
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) { continue; }
    const what = { el: name(el), text: (el.innerText || el.textContent || "").trim().slice(0, 50),
                   left: Math.round(r.left), right: Math.round(r.right) };
    // sideways: the nearest ancestor that clips or scrolls horizontally
    let box = el.parentElement;
    for (; box && box !== page && box !== document.body; box = box.parentElement) {
      if (["hidden", "clip", "auto", "scroll"].includes(getComputedStyle(box).overflowX)) { break; }
    }
    if (!box || box === page || box === document.body) {
      if (r.left < -1 || r.right > vw + 1) { problems.push({ kind: "wider than the screen", ...what }); }
    } else {
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1) {
        const ox = getComputedStyle(box).overflowX;
        if (ox === "hidden" || ox === "clip") {
          problems.push({ kind: "clipped sideways", by: name(box), ...what });
        } else if (!labelledRegion(box)) {
          problems.push({ kind: "scrolls in an unlabelled box", by: name(box), ...what,
                          box_left: Math.round(b.left), box_right: Math.round(b.right) });
        }
      }
    }
    // downwards: an ancestor that hides its overflow before any that scrolls
    for (let up = el.parentElement; up && up !== page && up !== document.body; up = up.parentElement) {
      const oy = getComputedStyle(up).overflowY;
      if (oy === "auto" || oy === "scroll") { break; }
      if (oy === "hidden" || oy === "clip") {
        const b = up.getBoundingClientRect();
        if (r.bottom > b.bottom + 1 || r.top < b.top - 1) {
          problems.push({ kind: "clipped at the bottom", by: name(up), ...what,
                          bottom: Math.round(r.bottom), box_bottom: Math.round(b.bottom) });
        }
        break;
      }
    }
    // text cut inside its own box (an ellipsis button, a label of fixed width)
    if (["hidden", "clip"].includes(cs.overflowX) && el.children.length === 0
        && !["INPUT", "TEXTAREA"].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1) {
      problems.push({ kind: "text cut", ...what });
    }
  }
  return problems;
}
"""


def phone_page(browser, server):
    context = local_context(browser, server, PHONE)
    return context, context.new_page()


def open_app(page, server, notebook: str, lang: str) -> None:
    page.goto(f"{server.url}voila/render/{notebook}?lang={lang}")
    page.wait_for_selector(".kit-app h1", timeout=90_000)
    page.wait_for_function(f"document.documentElement.lang === '{lang}'")
    page.wait_for_timeout(300)  # let the widgets' layout settle


CASES = [(nb, lang) for nb in APP_NOTEBOOKS for lang in ("nb", "nn", "en")]


@pytest.mark.parametrize(("notebook", "lang"), CASES)
def test_nothing_wider_than_a_phone_or_clipped(browser, server, notebook, lang):
    """Every app in every language at 375 px: no box too wide or clipped, and axe clean at
    that width too (the desktop width's axe run is in test_browser.py); then the same page at
    1280 px: no box too wide or clipped."""
    context, page = phone_page(browser, server)
    try:
        open_app(page, server, notebook, lang)
        problems = page.evaluate(MEASURE)
        assert problems == [], problems[:10]
        _need(AXE_JS.exists(), f"axe-core not found at {AXE_JS} (run: npm ci)")
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            "async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.help)"
        )
        assert violations == [], violations
        # the same page at the desktop width: nothing too wide or clipped there either
        page.set_viewport_size(DESKTOP)
        page.wait_for_timeout(300)
        problems = page.evaluate(MEASURE)
        assert problems == [], ("at 1280 px", problems[:10])
    finally:
        context.close()


def test_wide_tables_scroll_in_their_own_labelled_region(browser, server):
    """The guide's session plans are wider than a phone: each scrolls in its own region, and the
    keyboard can reach and scroll it."""
    context, page = phone_page(browser, server)
    try:
        open_app(page, server, "08_fasilitatorguide.ipynb", "nb")
        region = page.get_by_role("region", name="Plan for 45 minutter")
        region.scroll_into_view_if_needed()
        size = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert size[0] > size[1], "the table should be wider than the phone and scroll"
        box = region.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        region.focus()
        assert region.evaluate("e => e === document.activeElement")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5_000)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_start_page_at_desktop_width_has_cards_in_columns(app_page, lang):
    """At 1200 px the start page shows the apps as cards side by side, each with what it is
    for, for whom and how long."""
    app_page.open("00_start.ipynb", f"?lang={lang}")
    page = app_page.page
    cards = page.locator(".kit-app-card")
    apps = [p for p in (ROOT / "notebooks").glob("*.ipynb") if not p.name.startswith("00_")]
    assert cards.count() == len(apps) == 9  # a card for every app but the start page itself
    tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(3)}
    assert len(tops) == 1, "the first cards should sit in one row"
    for i in range(cards.count()):
        assert cards.nth(i).locator("dd").count() == 2
        for term in cards.nth(i).locator("dt").all():  # "For hvem" on one line, not a letter a line
            assert term.bounding_box()["height"] < 40, term.inner_text()
    problems = page.evaluate(MEASURE)
    assert problems == [], problems[:10]
