"""The apps in a preheated kernel (``samskaping serve --preheat``), without a server: Voilà sets
VOILA_PREHEAT=True, runs the notebook before anyone asks for it, and hands the visitor's request
(QUERY_STRING ...) to the kernel through ``voila.utils.wait_for_request``, which blocks until
then. Here that function is a stand-in that records when it was called and sets the request.

An app is built before the wait (that work is done before the visitor comes) and then shows
the language and the plan the visitor's address asks for. tests/test_server_pool.py checks the
same through a served page in Chromium."""

from __future__ import annotations

import pytest
import voila.utils

from kit import Klassifisering, Presentator
from kit.core.i18n import t
from kit.core.ui import app as ui_app
from kit.live.store import Store


@pytest.fixture
def preheated(monkeypatch):
    """A preheated kernel; returns what happened, in order, and the request to hand over."""
    events: list[str] = []
    request = {"QUERY_STRING": ""}

    def wait_for_request(url=None) -> None:
        events.append("request")
        for name, value in request.items():
            monkeypatch.setenv(name, value)

    monkeypatch.setattr(voila.utils, "wait_for_request", wait_for_request)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setitem(ui_app._request, "received", False)
    return events, request


def _record_builds(monkeypatch, cls, events: list[str]) -> None:
    build = cls.build

    def recorded(self, lang):
        events.append(f"build {lang}")
        return build(self, lang)

    monkeypatch.setattr(cls, "build", recorded)


def test_the_app_is_built_before_its_visitor_comes_then_speaks_their_language(
    preheated, monkeypatch
):
    events, request = preheated
    request["QUERY_STRING"] = "lang=en"
    _record_builds(monkeypatch, Klassifisering, events)
    app = Klassifisering()
    # built once, in the default language, before the request; then switched in place
    assert events == ["build nb", "request"]
    assert app.lang == "en" and app.language.value == "en" and app.page.lang == "en"
    assert t("app_title_klassifiser", "en") in app.heading.value
    assert app.intro.value and t("klass_intro", "en")[:20] in app.intro.value
    ui_app.request_query()
    assert events == ["build nb", "request"]  # the request is waited for once


def test_a_visitor_without_lang_gets_the_default_and_nothing_is_rebuilt(preheated, monkeypatch):
    events, _request = preheated
    _record_builds(monkeypatch, Klassifisering, events)
    app = Klassifisering()
    assert events == ["build nb", "request"] and app.lang == "nb"


def test_outside_a_preheated_kernel_nothing_waits(monkeypatch):
    """The positive control: the same app in a kernel of its own reads the address at once."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "lang=nn")
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda url=None: pytest.fail("waited"))
    events: list[str] = []
    _record_builds(monkeypatch, Klassifisering, events)
    assert Klassifisering().lang == "nn" and events == ["build nn"]


def test_the_presenter_takes_the_plan_of_the_address_after_it_was_built(
    preheated, monkeypatch, tmp_path
):
    events, request = preheated
    request["QUERY_STRING"] = "plan=guide-45&lang=nn"
    _record_builds(monkeypatch, Presentator, events)
    with Store(f"sqlite:///{tmp_path}/r.db") as store:
        app = Presentator(store=store, refresh_seconds=60)
        try:
            # the presenter has no retext: another language is a new view of the same widgets
            assert events == ["build nb", "request", "build nn"]
            assert app.lang == "nn"
            assert app.picker.set_id == "guide-45" and app.picker.set_buttons["guide-45"].pressed
            assert len(app.picker.selected()) == 9
        finally:
            app.stop_polling()
