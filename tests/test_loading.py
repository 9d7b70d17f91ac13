"""Voilà's loading screen in the learner's language (kit.server.loading), on its own and as
`samskaping serve` sends it."""

from __future__ import annotations

import pytest

from kit.core.i18n import LANGUAGES, t
from kit.server.loading import has_loading_screen, localize_loading
from tests.test_serve import fetch

#: What Voilà 0.5 writes in the first chunk of an app page (its spinner and progress helper).
VOILA_CHUNK = (
    '<html lang="nb"><head><title>Klassifiser &amp; co</title></head><body>'
    '<h2 id="loading_text">Running Klassifiser &amp; co...</h2><script>'
    "let defaultText = `Executing ${cell_index} of ${cell_count}`\n"
    "defaultText = `Reading ${cell_index} of ${cell_count}`</script>"
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_loading_screen_speaks_the_language(lang):
    page = localize_loading(VOILA_CHUNK, lang)
    heading = t("loading_app", lang, title="Klassifiser &amp; co")  # escaped once, not twice
    assert f'<h2 id="loading_text">{heading}</h2>' in page
    assert "Running" not in page and "Executing" not in page and "Reading" not in page
    progress = t("loading_progress", lang, n="${cell_index}", total="${cell_count}")
    assert page.count(f"`{progress}`") == 2
    assert f'<html lang="{lang}">' in page


def test_texts_cannot_break_out_of_the_script(monkeypatch):
    from kit.server import loading

    monkeypatch.setattr(loading, "t", lambda key, lang, **v: "a`b${alert(1)}\\" + str(v))
    page = loading.localize_loading(VOILA_CHUNK, "en")
    assert "a\\`b\\${alert(1)}\\\\" in page  # backtick, ${ and backslash stay text
    assert "`a`b" not in page


def test_a_chunk_without_the_screen_is_left_alone():
    other = "<div>Running out of ideas...</div>"
    assert not has_loading_screen(other) and localize_loading(other, "nn") == other
    assert has_loading_screen(VOILA_CHUNK)  # positive control


@pytest.mark.server
@pytest.mark.parametrize("lang", ["nn", "en"])
def test_an_app_page_is_served_with_the_loading_screen_in_its_language(server, lang):
    status, page = fetch(f"{server.url}voila/render/03_klassifiser.ipynb?lang={lang}")
    assert status == 200
    assert f'<html lang="{lang}">' in page
    assert "Running " not in page and "`Executing" not in page
    start = t("loading_app", lang, title="").split("{title}")[0].strip()
    assert start.split()[0] in page
