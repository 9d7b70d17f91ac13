"""The presenter app (kit.live.presenter) driven without a browser, over a real SQLite store.

Participants are plain store calls here (their page is tested in test_live_web.py and, in
Chromium, in test_browser_live.py).
"""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone
from functools import partial
from html import escape

import pytest
from ipywidgets.widgets.widget import _instances

from kit import Presentator
from kit.cases.case import Answer, Case
from kit.core import visitor
from kit.core.address import public_base_url
from kit.core.i18n import t
from kit.core.text import Text
from kit.live.presenter import (
    KeyKeeper,
    is_loopback,
    participant_url,
    short_url,
)
from kit.live.store import SessionClosed, Store, StoreBusy, StoreUnavailable, new_code
from kit.model.labels import level_label, process_label
from tests.factories import make_case

from .conftest import wait_for

S1, S2, P3, V3, NONE = (
    Answer("samskaping", 1),
    Answer("samskaping", 2),
    Answer("samproduksjon", 3),
    Answer("verdisamskaping", 3),
    Answer("ingen", None),
)
UNLIMITED = (1_000_000, 10.0)


def titled(title: str, same_title: bool = False) -> Text:
    """A case title in three languages (the English one the same, or marked "(en)")."""
    return Text(title, en=title if same_title else f"{title} (en)", nn=f"{title} (nn)")


#: the cases of a room here: level 2 unless given, texts about their id
room_case = partial(
    make_case,
    level=2,
    text=Text("Tekst om {id}", en="Text about {id}"),
    explanation=Text("Forklaring {id}", en="Explanation {id}"),
)
CASES = (
    room_case("c1", title=titled("Besøksvenn")),
    room_case("c2", process="samproduksjon", level=3, title=titled("Nabolagsfest")),
    room_case("c3", process="ingen", level=None, title=titled("Ingen av dem")),
    room_case("c4", process="verdisamskaping", level=3, title=titled("Verdier")),
)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/r.db", rate_limit=UNLIMITED) as s:
        yield s


@pytest.fixture
def presenter(store):
    """A presenter with a session of CASES; the poller stopped (tests refresh by hand)."""
    p = Presentator(lang="nb", cases=CASES, store=store, refresh_seconds=60)
    p.start_session(CASES)
    p.stop_polling()
    yield p
    p.stop_polling()


def people(store: Store, code: str, n: int) -> list[str]:
    return [store.join(code).token for _ in range(n)]


def data_url(html_value: str) -> tuple[str, bytes]:
    match = re.search(r"href='data:([^;]+);base64,([^']+)'", html_value)
    assert match, html_value
    return match.group(1), base64.b64decode(match.group(2))


def key_text(case: Case, lang: str = "nb") -> str:
    return t(
        "live_key",
        lang,
        process=process_label(case.process, lang),
        level=level_label(case.level, lang),
    )


# ----------------------------------------------------------------------- starting and following


def test_presenter_dashboard_follows_participants(store):
    p = Presentator(lang="nb", cases=CASES, store=store, refresh_seconds=0.05)
    try:
        p.picker.choose_set("all")  # the ready-made plan of every case of the library
        p.start_button.click()
        code = p.code
        assert code and store.owns(code, p.key)
        assert p.keeper.stored == [{"code": code, "key": p.key}]
        panel = p.join_panel.value
        assert code in panel and "<svg role='img'" in panel
        assert f"delta?kode={code}" in panel and "delta.ipynb" not in panel
        tokens = people(store, code, 3)
        assert wait_for(lambda: t("live_participants", "nb", n=3) in p.stats.value)
        store.submit(code, tokens[0], "c2", S2)
        store.submit(code, tokens[1], "c2", P3)
        store.submit(code, tokens[2], "c2", P3)
        assert wait_for(lambda: t("live_answers", "nb", n=3) in p.stats.value)
        # the only disputed case comes first in the chart and its card says so; the cards
        # keep the session's order
        place = t("live_place", "nb", n=1)
        assert wait_for(lambda: place in p.cards["c2"].text.value)
        assert [card.case.id for card in p.case_list.children] == [c.id for c in p.cases]
        assert sorted(c.id for c in p.cases) == [c.id for c in CASES]
        first = p.cards["c2"]
        assert "Nabolagsfest" in first.text.value
        assert key_text(CASES[1]) not in first.text.value  # hidden until revealed
        assert "Forklaring c2" not in first.text.value
        assert wait_for(lambda: "Samproduksjon 2" in p.chart_view.words.value)
        first.reveal_button.click()
        assert key_text(CASES[1]) in p.cards["c2"].text.value
        assert "Forklaring c2" in p.cards["c2"].text.value
        assert p.cards["c2"].reveal_button.disabled
        assert store.revealed(code) == {"c2"}
    finally:
        p.stop_polling()


def test_cards_follow_the_ranking(store, presenter):
    code = presenter.code
    a, b, c = people(store, code, 3)
    for token, answer in ((a, S1), (b, NONE), (c, NONE)):
        store.submit(code, token, "c3", answer)  # disputed 1/3
    for token, answer in ((a, S1), (b, NONE)):
        store.submit(code, token, "c4", answer)  # disputed 1/2
    store.submit(code, a, "c1", S1)
    before = list(presenter.case_list.children)
    presenter.refresh()
    # the cards stay where they were (no card moves under the presenter's hand; ipywidgets
    # would make new views of moved children); each says its place in the ranking
    assert list(presenter.case_list.children) == before
    assert presenter.cards["c4"].text.value.startswith("<h3>4. ")
    assert t("live_place", "nb", n=1) in presenter.cards["c4"].text.value
    assert t("live_place", "nb", n=2) in presenter.cards["c3"].text.value
    assert t("live_place", "nb", n=3) in presenter.cards["c1"].text.value
    assert "kit-badge'>" + t("live_place", "nb", n=4) not in presenter.cards["c2"].text.value
    # the chart shows the ranking: most disputed first
    words = presenter.chart_view.words.value
    assert words.index("Verdier") < words.index("Ingen av dem") < words.index("Besøksvenn")


def test_the_participant_address(monkeypatch):
    monkeypatch.delenv("KIT_PUBLIC_URL", raising=False)
    monkeypatch.setenv("SERVER_NAME", "127.0.0.1")
    monkeypatch.setenv("SERVER_PORT", "9999")
    monkeypatch.setenv("SCRIPT_NAME", "/kurs/voila/render/05_presentator.ipynb")
    assert public_base_url() == "http://127.0.0.1:9999/kurs/"
    assert participant_url("ACD347") == "http://127.0.0.1:9999/kurs/delta?kode=ACD347"
    assert short_url() == "127.0.0.1:9999/kurs/delta"
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://10.1.2.3:8866")
    assert participant_url("ACD347") == "http://10.1.2.3:8866/delta?kode=ACD347"
    assert short_url() == "10.1.2.3:8866/delta"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8866/", True),
        ("http://localhost:8866/", True),
        ("http://[::1]:8866/", True),
        ("http://0.0.0.0:8866/", True),
        ("http://10.1.2.3:8866/", False),
        ("http://klasserom.skole.no/", False),
    ],
)
def test_loopback_addresses(url, loopback):
    assert is_loopback(url) is loopback


def test_the_loopback_warning(store, monkeypatch):
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://127.0.0.1:8866/")
    p = Presentator(lang="en", cases=CASES, store=store, refresh_seconds=60)
    p.start_session(CASES)
    p.stop_polling()
    assert t("live_loopback_title", "en") in p.warning.value
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://10.1.2.3:8866/")
    p.language.value = "nb"  # the texts are made again
    assert p.warning.value == ""
    assert "10.1.2.3:8866/delta" in p.join_panel.value


# ------------------------------------------------------------------- no widgets left behind


def test_refreshes_and_language_switches_do_not_grow_the_widgets(store, presenter):
    code = presenter.code
    tokens = people(store, code, 8)
    store.submit(code, tokens[0], "c1", S1)
    assert presenter.start_round("c1")  # the second-round chart exists from here on
    presenter.refresh()
    before = len(_instances)
    answers = (S1, S2, P3, V3, NONE)
    langs = ("nn", "en", "nb")
    for i in range(200):
        token = tokens[i % len(tokens)]
        store.submit(code, token, CASES[(i // 8) % 4].id, answers[(i * 7) % 5])
        presenter.refresh()
        if i % 10 == 9:  # 20 language switches
            presenter.language.value = langs[(i // 10) % 3]
    assert len(_instances) == before, len(_instances) - before
    assert presenter.lang == langs[19 % 3]  # the 20th switch
    total = store.revision(code)[0]
    assert total == 1 + 8 * 4  # round 1 of c1, and every phone on every case
    assert t("live_answers", presenter.lang, n=total) in presenter.stats.value
    assert t("live_participants", presenter.lang, n=8) in presenter.stats.value


def test_language_switches_before_a_session_do_not_grow_the_widgets(store):
    p = Presentator(lang="nb", cases=CASES, store=store, refresh_seconds=60)
    p.language.value = "en"
    p.language.value = "nb"
    before = len(_instances)
    for i in range(20):
        p.language.value = ("nn", "en", "nb")[i % 3]
    assert len(_instances) == before
    assert t("live_start", p.lang) == p.start_button.description


# ---------------------------------------------------------------- keys kept in the browser


def test_the_key_keeper_cleans_what_the_browser_sends():
    keeper = KeyKeeper()
    keeper.stored = [
        {"code": "ACD347", "key": "k" * 32},
        {"code": 5, "key": "x"},
        {"code": "ACD347"},
        {"code": "A" * 13, "key": "k"},
        {"code": "QRTWXY", "key": "k" * 65},
        {},
    ]
    assert keeper.claims() == [("ACD347", "k" * 32)]
    keeper.remember("QRTWXY", "q" * 32)
    assert keeper.claims() == [("QRTWXY", "q" * 32), ("ACD347", "k" * 32)]
    keeper.remember("ACD347", "n" * 32)  # a code is kept once, newest first
    assert keeper.claims() == [("ACD347", "n" * 32), ("QRTWXY", "q" * 32)]
    keeper.forget("QRTWXY")
    assert keeper.stored == [{"code": "ACD347", "key": "n" * 32}]


def reload(store: Store, stored: list[dict], lang: str = "nb") -> Presentator:
    """The presenter's page loaded again: a fresh app, the browser sends what it kept."""
    p = Presentator(lang=lang, cases=CASES, store=store, refresh_seconds=60)
    p.keeper.stored = stored
    p.keeper.loaded = True
    return p


def buttons(box) -> dict[str, object]:
    found = {}
    stack = list(box.children)
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        if hasattr(w, "on_click"):
            found[w.description] = w
    return found


def test_a_reload_offers_the_session_and_resumes_it(store, presenter):
    code, key = presenter.code, presenter.key
    a, b, c = people(store, code, 3)
    store.submit(code, a, "c1", S1)
    store.submit(code, b, "c1", NONE)
    store.submit(code, c, "c2", P3)
    assert presenter.reveal("c2")
    presenter.refresh()

    someone_else = store.create_session(CASES)
    p = reload(
        store,
        [
            {"code": code, "key": key},
            {"code": someone_else.code, "key": "forged-" + key},  # not that session's key
            {"code": new_code(), "key": key},
        ],
    )
    try:
        assert [s.code for s in p.resumable] == [code]
        assert p.keeper.claims() == [(code, key)]  # the rest is forgotten in the browser
        offered = buttons(p.resume_box)
        assert set(offered) == {
            t("live_resume", "nb", code=code),
            t("live_end_code", "nb", code=code),
        }
        assert code in p.resume_box.children[1].children[0].value
        offered[t("live_resume", "nb", code=code)].click()
        p.stop_polling()
        assert p.code == code and p.key == key
        assert p.stats.value == presenter.stats.value  # same counts
        assert t("live_answers", "nb", n=3) in p.stats.value
        assert p.revealed == {"c2"}
        assert key_text(CASES[1]) in p.cards["c2"].text.value
        assert p.cards["c2"].reveal_button.disabled
        assert p.chart_view.words.value == presenter.chart_view.words.value
        assert [c.case.id for c in p.case_list.children] == [
            c.case.id for c in presenter.case_list.children
        ]
        assert p.reveal("c1")  # and the key still works
        assert store.revealed(code) == {"c1", "c2"}
    finally:
        p.stop_polling()


def test_a_forged_key_is_not_offered(store, presenter):
    code = presenter.code
    p = reload(store, [{"code": code, "key": "x" * 32}])
    assert p.resumable == [] and p.resume_box.children == ()
    assert p.keeper.stored == []
    p.keeper.stored = [{"code": code, "key": "x" * 32}]
    assert p.resume(code) is False  # asked directly, it is refused with a message
    assert p.code is None
    assert "role='alert'" in p.start_message.value
    assert escape(t("live_err_not_owner", "nb")) in p.start_message.value
    assert p.resume(new_code()) is False


def test_an_ended_session_is_offered_for_its_results_only(store, presenter):
    code, key = presenter.code, presenter.key
    token = store.join(code).token
    store.submit(code, token, "c1", S1)
    store.close_session(code, key)
    p = reload(store, [{"code": code, "key": key}])
    assert [s.code for s in p.resumable] == [code]
    assert set(buttons(p.resume_box)) == {t("live_results", "nb", code=code)}  # no resume, no end
    buttons(p.resume_box)[t("live_results", "nb", code=code)].click()
    assert p.code == code and p.closed
    assert t("live_answers", "nb", n=1) in p.stats.value
    p._export("csv")
    assert "kit-download" in p.export_links.value  # the export is there again after a reload


def test_an_ended_session_older_than_a_week_is_forgotten(store):
    clock = [datetime.now(timezone.utc) - timedelta(days=8)]
    old_store = Store(
        store.engine.url.render_as_string(hide_password=False), clock=lambda: clock[0]
    )
    made = old_store.create_session(CASES)
    old_store.close_session(made.code, made.key)
    old_store.close()
    p = reload(store, [{"code": made.code, "key": made.key}])
    assert p.resumable == [] and p.keeper.stored == []


def test_ending_a_listed_session(store, presenter):
    code, key = presenter.code, presenter.key
    token = store.join(code).token
    second = store.create_session(CASES)
    p = reload(store, [{"code": code, "key": key}, {"code": second.code, "key": second.key}])
    assert [s.code for s in p.resumable] == [second.code, code]  # newest first
    buttons(p.resume_box)[t("live_end_code", "nb", code=code)].click()
    assert store.session_info(code).open is False
    with pytest.raises(SessionClosed):
        store.submit(code, token, "c1", S1)
    assert [(s.code, s.open) for s in p.resumable] == [(second.code, True), (code, False)]
    assert set(buttons(p.resume_box)) == {
        t("live_resume", "nb", code=second.code),
        t("live_end_code", "nb", code=second.code),
        t("live_results", "nb", code=code),
    }
    assert store.session_info(second.code).open


def test_ending_the_session_from_the_dashboard(store, presenter):
    code = presenter.code
    token = store.join(code).token
    store.submit(code, token, "c1", S1)
    assert presenter.join_panel.layout.display is None  # the code and QR are on the screen
    presenter.end_button.click()  # asks first
    assert presenter.end_confirm.layout.display is None
    assert t("live_end_question", "nb") in presenter.end_question.value
    assert not presenter.closed and store.session_info(code).open
    presenter.end_yes.click()
    assert presenter.end_confirm.layout.display == "none"
    assert t("live_ended", "nb") in presenter.stats.value
    assert presenter.join_panel.layout.display == "none"  # nobody can join an ended session
    assert presenter.closed and presenter.end_button.disabled
    assert presenter.keeper.claims() == [(code, presenter.key)]  # kept to see the results again
    with pytest.raises(SessionClosed):
        store.submit(code, token, "c2", S1)
    assert all(card.round_button.disabled for card in presenter.cards.values())
    assert all(card.show_button.disabled for card in presenter.cards.values())
    assert presenter.reveal("c1")  # the key can still be shown after the end


# ------------------------------------------------------------------------------ re-voting


def test_the_re_vote_flow(store, presenter):
    code = presenter.code
    tokens = people(store, code, 4)
    for token, answer in zip(tokens, (S1, S1, NONE, NONE), strict=True):
        store.submit(code, token, "c1", answer)
    presenter.refresh()
    card = presenter.cards["c1"]
    assert card.rounds_view is None
    card.round_button.click()
    assert store.state(code).rounds == {"c1": 2}
    assert store.state(code).current_case == "c1"  # every phone goes to the re-vote
    assert card.round_button.disabled
    assert card.rounds_view is not None and card.rounds_view in card.children
    assert presenter.spotlight_box.layout.display is None
    assert "Besøksvenn" in presenter.spotlight_text.value
    for token, answer in zip(tokens, (S1, S1, S1, NONE), strict=True):
        assert store.submit(code, token, "c1", answer) == 2
    presenter.refresh()
    assert t("live_round_n", "nb", n=2) in card.text.value
    assert t("live_case_answers", "nb", n=4) in card.text.value
    result = store.results(code)["c1"]
    assert [r.answers for r in result.rounds] == [4, 4]
    assert result.shift() == [("samskaping", 0.5, 0.75), ("ingen", 0.5, 0.25)]
    words = card.rounds_view.words.value
    assert words and words == presenter.spotlight.words.value
    # a second re-vote is refused next to the card
    assert presenter.start_round("c1") is False
    assert "role='alert'" in card.error.value
    assert escape(t("live_err_round_limit", "nb")) in card.error.value
    # the key after the re-vote; then no more rounds for a revealed case
    assert presenter.reveal("c2")
    assert presenter.cards["c2"].error.value == ""
    assert presenter.start_round("c2") is False
    assert presenter.cards["c2"].round_button.disabled
    # back to free movement: the spotlight goes
    presenter.free_button.click()
    assert store.state(code).current_case is None
    assert presenter.spotlight_box.layout.display == "none"
    assert presenter.free_button.disabled


def test_show_a_case_on_every_phone(store, presenter):
    code = presenter.code
    presenter.cards["c3"].show_button.click()
    assert store.state(code).current_case == "c3"
    assert presenter.cards["c3"].show_button.disabled
    assert t("live_now_showing", "nb") in presenter.cards["c3"].text.value
    assert not presenter.free_button.disabled
    assert "Ingen av dem" in presenter.spotlight_text.value


# ------------------------------------------------------------------------------- exports

FORMULA_TITLES = ('=HYPERLINK("http://evil.example","klikk")', "+47 99 88 77 66", "@SUM(A1:A9)")


def test_exports_carry_the_round_and_keep_formulas_as_text(store):
    from openpyxl import load_workbook

    cases = tuple(
        room_case(f"f{i}", title=titled(title, same_title=True))
        for i, title in enumerate(FORMULA_TITLES)
    )
    p = Presentator(lang="en", cases=cases, store=store, refresh_seconds=60)
    code = p.start_session(cases)
    p.stop_polling()
    a, b = people(store, code, 2)
    store.submit(code, a, "f0", S1)
    store.submit(code, b, "f1", NONE)
    assert p.start_round("f0")
    store.submit(code, a, "f0", P3)
    store.submit(code, b, "f2", V3)

    p.export_csv_button.click()
    mime, raw = data_url(p.export_links.value)
    assert mime == "text/csv"
    assert f"download='{t('live_export_file', 'en', code=code)}.csv'" in p.export_links.value
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    round_col = header.index(t("live_export_round", "en"))
    title_col = header.index(t("csv_title", "en"))
    assert len(body) == 4
    assert sorted(r[round_col] for r in body) == ["1", "1", "1", "2"]
    titles = {r[title_col] for r in body}
    assert titles == {"'" + title for title in FORMULA_TITLES}  # text, not formulas
    assert not any(token in raw.decode("utf-8-sig") for token in (a, b))

    p.export_xlsx_button.click()
    mime, raw = data_url(p.export_links.value)
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(raw)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][round_col] == t("live_export_round", "en")
    assert sorted(r[round_col] for r in values[1:]) == [1, 1, 1, 2]
    title_cells = [row[title_col] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in title_cells} == set(FORMULA_TITLES)  # the text unchanged
    assert {c.data_type for c in title_cells} == {"s"}  # strings, never formulas
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml  # the text is there, as text


def test_export_header_follows_the_language(store, presenter):
    presenter.language.value = "nn"
    header, rows = presenter.export_rows()
    assert header[4] == t("live_export_round", "nn") and rows == []


# ------------------------------------------------------------------------- store failures


def test_a_store_failure_during_refresh_shows_a_message(store, presenter, monkeypatch):
    def broken(*_a, **_k):
        raise StoreUnavailable("the disk is gone")

    monkeypatch.setattr(store, "results", broken)
    presenter.refresh()  # does not raise
    assert "role='alert'" in presenter.stats.value
    assert escape(t("live_err_store_unavailable", "nb")) in presenter.stats.value
    assert "the disk is gone" not in presenter.stats.value
    monkeypatch.undo()
    presenter.refresh()  # the database is back: the dashboard recovers
    assert "role='status'" in presenter.stats.value


def test_the_poller_reports_a_store_failure_and_recovers(store, monkeypatch):
    p = Presentator(lang="nb", cases=CASES, store=store, refresh_seconds=0.05)
    try:
        code = p.start_session(CASES)
        real = store.revision
        failing = {"on": True}

        def flaky(c):
            if failing["on"]:
                raise StoreBusy("locked")
            return real(c)

        monkeypatch.setattr(store, "revision", flaky)
        assert wait_for(lambda: "role='alert'" in p.stats.value)
        assert escape(t("live_err_store_busy", "nb")) in p.stats.value
        failing["on"] = False
        store.join(code)
        assert wait_for(lambda: t("live_participants", "nb", n=1) in p.stats.value)
        assert p._thread.is_alive()
    finally:
        p.stop_polling()


def test_a_store_failure_on_a_card_shows_next_to_it(store, presenter, monkeypatch):
    def busy(*_a, **_k):
        raise StoreBusy("locked")

    monkeypatch.setattr(store, "reveal", busy)
    assert presenter.reveal("c1") is False
    assert "role='alert'" in presenter.cards["c1"].error.value
    assert escape(t("live_err_store_busy", "nb")) in presenter.cards["c1"].error.value
    assert presenter.cards["c2"].error.value == ""
    monkeypatch.setattr(store, "show_case", busy)
    assert presenter.show_case(None) is False
    assert "role='alert'" in presenter.control_error.value
    monkeypatch.undo()
    assert presenter.reveal("c1")
    assert presenter.cards["c1"].error.value == "" and presenter.control_error.value == ""


def test_a_store_failure_at_start_and_at_the_end(store, monkeypatch):
    p = Presentator(lang="en", cases=CASES, store=store, refresh_seconds=60)

    def broken(*_a, **_k):
        raise StoreUnavailable("down")

    monkeypatch.setattr(store, "create_session", broken)
    p.picker.choose_set("all")
    p.start_button.click()
    assert p.code is None and "role='alert'" in p.start_message.value
    assert escape(t("live_err_store_unavailable", "en")) in p.start_message.value
    monkeypatch.undo()
    p.start_button.click()
    p.stop_polling()
    assert p.code
    monkeypatch.setattr(store, "close_session", broken)
    p.end_button.click()
    p.end_yes.click()
    assert "role='alert'" in p.control_error.value and not p.closed
    assert p.keeper.claims()  # the key is kept: the session is still open


def test_a_store_failure_during_export(store, presenter, monkeypatch):
    def broken(*_a, **_k):
        raise StoreUnavailable("down")

    monkeypatch.setattr(store, "answers", broken)
    presenter.export_csv_button.click()
    assert "role='alert'" in presenter.export_links.value
    assert "data:" not in presenter.export_links.value


def test_charts_follow_answers_at_most_every_few_seconds_counts_at_once(store, presenter):
    """Each new chart spec is embedded anew by the projector's browser; while answers pour in,
    the poller redraws charts at most every CHART_SECONDS, the counts on every change."""
    from kit.live import controller

    code = presenter.code
    tokens = people(store, code, 2)
    presenter.refresh()
    spec = presenter.chart_view.chart.spec
    store.submit(code, tokens[0], "c1", S1)
    presenter.refresh(charts_due=False)  # what the poller does on a change
    assert t("live_answers", "nb", n=1) in presenter.stats.value
    assert presenter.chart_view.chart.spec == spec  # not redrawn yet
    presenter.session._charts_at -= controller.CHART_SECONDS
    presenter.refresh(charts_due=False)
    assert presenter.chart_view.chart.spec != spec  # redrawn once the interval is over
    store.submit(code, tokens[1], "c1", S1)
    presenter.refresh()  # an explicit refresh (reveal, round, language) always redraws
    assert "2 svar" in presenter.chart_view.words.value  # the chart in words: both answers


# ----------------------------------------------------------------------- a big session: pages


def test_a_big_session_shows_pages_of_cards_made_when_first_shown(store):
    """25 cases: 10 cards at a time in the session's order, the chart the 10 most disputed; a
    card is made when its case is first shown and kept; the widgets stay bounded."""
    from kit.live.presenter import PAGE_SIZE

    many = tuple(room_case(f"m{i:02d}", title=titled(f"Case {i:02d}")) for i in range(25))
    p = Presentator(lang="nb", cases=many, store=store, refresh_seconds=60)
    p.start_session(many)
    p.stop_polling()
    try:
        assert PAGE_SIZE == 10 and len(p.cards) == 10
        assert [c.case.id for c in p.case_list.children] == [f"m{i:02d}" for i in range(10)]
        assert p.pager.layout.display is None
        assert t("live_page", "nb", first=1, last=10, n=25) in p.page_text.value
        assert p.page_prev.disabled and not p.page_next.disabled
        # the last case becomes the most disputed: first in the chart, its card stays on page 3
        tokens = people(store, p.code, 2)
        store.submit(p.code, tokens[0], "m24", S1)
        store.submit(p.code, tokens[1], "m24", P3)
        p.refresh()
        assert "Case 24" in p.chart_view.words.value  # the chart: the cases with answers
        assert "m24" not in [c.case.id for c in p.case_list.children]
        p.page_next.click()
        shown = [c.case.id for c in p.case_list.children]
        assert shown == [f"m{i:02d}" for i in range(10, 20)]
        assert t("live_page", "nb", first=11, last=20, n=25) in p.page_text.value
        assert p.case_list.children[0].text.value.startswith("<h3>11. ")
        p.page_next.click()
        assert len(p.case_list.children) == 5 and p.page_next.disabled
        assert p.cards["m24"].text.value.startswith("<h3>25. ")
        assert t("live_place", "nb", n=1) in p.cards["m24"].text.value
        before = len(_instances)
        p.page_prev.click()
        p.page_prev.click()
        p.page_next.click()
        p.page_next.click()
        assert len(_instances) == before, "turning back and forth makes no new widget"
        assert len(p.cards) == 25
        # a card made on a later page still acts on its own case
        p.cards["m03"].reveal_button.click()
        assert "m03" in store.state(p.code).revealed
        assert "m04" not in store.state(p.code).revealed
    finally:
        p.stop_polling()


def test_a_small_session_has_no_pager(presenter):
    assert presenter.pager.layout.display == "none"
    assert len(presenter.case_list.children) == len(CASES)


def test_a_bad_public_address_is_said_and_no_session_starts(store, monkeypatch):
    """Outside `samskaping serve` (JupyterLab), a bad KIT_PUBLIC_URL reaches the presenter: it
    says which setting is wrong instead of a traceback, and starts nothing."""
    p = Presentator(lang="en", cases=CASES, store=store, refresh_seconds=60)
    p.picker.choose_set("all")
    monkeypatch.setenv("KIT_PUBLIC_URL", "ftp://example")
    p.start_button.click()
    assert p.code is None
    assert "role='alert'" in p.start_message.value and "KIT_PUBLIC_URL" in p.start_message.value
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://192.0.2.10:8866/")  # positive control
    p.start_button.click()
    p.stop_polling()
    assert p.code is not None


def test_ending_can_be_called_off(store, presenter):
    """'Avslutt økta' asks first; 'Nei, fortsett' leaves the session open and the code shown."""
    presenter.end_button.click()
    focus = presenter.end_question.focus_token
    assert focus > 0  # the question takes the keyboard focus
    presenter.end_no.click()
    assert presenter.end_confirm.layout.display == "none" and presenter.end_question.value == ""
    presenter.refresh()
    assert store.session_info(presenter.code).open and not presenter.closed
    assert presenter.join_panel.layout.display is None


# ------------------------------------------------------------------- questions beside the cases


@pytest.fixture
def asking(store):
    """A presenter with two cases and three questions (open, scale, poll) from the bank."""
    from kit.live.questions import load_questions

    bank = {q.id: q for q in load_questions().questions}
    items = (
        CASES[0],
        bank["q-ord-hull"],
        CASES[1],
        bank["q-skala-niva1"],
        bank["q-niva1-samproduksjon-samskaping"],
    )
    p = Presentator(lang="nb", cases=CASES, store=store, refresh_seconds=60)
    p.start_session(items)
    p.stop_polling()
    yield p, items
    p.stop_polling()


def test_question_cards_show_counts_cloud_and_bars(store, asking):
    p, _items = asking
    code = p.code
    a, b, c = people(store, code, 3)
    for token, word in ((a, "Tillit"), (b, "tilliten,"), (c, "Penger")):
        store.respond(code, token, "q-ord-hull", word)
    store.respond(code, a, "q-skala-niva1", 2)
    store.respond(code, b, "q-skala-niva1", 4)
    store.respond(code, c, "q-niva1-samproduksjon-samskaping", 1)
    p.refresh()
    assert list(p.question_cards) == [
        "q-ord-hull",
        "q-skala-niva1",
        "q-niva1-samproduksjon-samskaping",
    ]
    cloud = p.question_cards["q-ord-hull"].results.value
    assert cloud.index(">tillit<") < cloud.index(">penger<")  # two answers before one
    assert "(2)" in cloud
    scale = p.question_cards["q-skala-niva1"].results.value
    assert t("screen_mean", "nb", mean="3.0") in scale
    poll = p.question_cards["q-niva1-samproduksjon-samskaping"].results.value
    assert "Samskaping" in poll and "(100 %)" in poll
    assert t("live_question_answers", "nb", n=3) in p.question_cards["q-ord-hull"].text.value


def test_hiding_an_open_answer_takes_it_off_the_cloud_and_back(store, asking):
    p, _items = asking
    code = p.code
    (a,) = people(store, code, 1)
    store.respond(code, a, "q-ord-hull", "<script>alert(1)</script>")
    store.respond(code, a, "q-ord-hull", "dugnad")
    p.refresh()
    card = p.question_cards["q-ord-hull"]
    assert "<script>" not in card.results.value and "&lt;" in card.results.value  # text, escaped
    rows = card.answer_list.children
    assert len(rows) == 2  # the newest first
    hide = rows[1].children[1]
    assert hide.description == t("live_hide_answer", "nb")
    hide.click()
    assert "script" not in card.results.value and "dugnad" in card.results.value
    assert [r.hidden for r in store.responses(code)] == [True, False]
    assert card.answer_list.children[1].children[1].description == t("live_unhide_answer", "nb")
    card.answer_list.children[1].children[1].click()
    assert [r.hidden for r in store.responses(code)] == [False, False]


def test_the_banned_list_is_the_kits_until_the_presenter_changes_it(store, asking):
    p, _items = asking
    code = p.code
    (a,) = people(store, code, 1)
    store.respond(code, a, "q-ord-hull", "kaffe")
    store.respond(code, a, "q-ord-hull", "faen")
    p.refresh()
    card = p.question_cards["q-ord-hull"]
    assert "faen" in p.banned_field.value  # the kit's default list, editable
    assert "faen" not in card.results.value and "kaffe" in card.results.value
    p.banned_field.value = "Kaffe"
    p.banned_save.click()
    assert store.settings(code)["banned"] == ["kaffe"]
    assert "kaffe" not in card.results.value and "faen" in card.results.value
    assert t("live_banned_saved", "nb") in p.banned_message.value


def test_the_report_holds_every_item_and_the_question_export_every_answer(store, asking):
    p, items = asking
    code = p.code
    a, b = people(store, code, 2)
    store.submit(code, a, "c1", S1)
    store.submit(code, b, "c1", P3)
    p.start_round("c1")
    store.submit(code, b, "c1", S2)
    store.respond(code, a, "q-ord-hull", "<b>fet</b>")
    store.respond(code, a, "q-skala-niva1", 5)
    store.respond(code, b, "q-niva1-samproduksjon-samskaping", 0)
    p.reveal("c1")
    p.report_button.click()
    mime, raw = data_url(p.export_links.value)
    assert mime == "text/html"
    report = raw.decode("utf-8")
    for item in items:
        title = item.title.get("nb") if isinstance(item, Case) else item.prompt.get("nb")
        assert escape(title, quote=False) in report or escape(title) in report, title
    assert "<b>fet</b>" not in report and "&lt;b&gt;fet&lt;/b&gt;" in report
    assert t("report_shift", "nb") in report  # c1 had a re-vote
    assert "size: A4" in report
    assert t("report_guide_heading", "nb") in report
    p.export_questions_button.click()
    mime, raw = data_url(p.export_links.value)
    assert mime == "text/csv"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4  # header and three answers
    assert {r[0] for r in rows[1:]} == {
        "q-ord-hull",
        "q-skala-niva1",
        "q-niva1-samproduksjon-samskaping",
    }
    assert "Samproduksjon" in {r[2] for r in rows[1:]}  # a poll answer as its option's text
    assert "<b>fet</b>" in {r[2] for r in rows[1:]}  # an open answer as the text it was


def test_the_screen_link_opens_presentation_mode_for_this_session(store, asking):
    p, _items = asking
    assert f"skjerm?kode={p.code}&amp;lang=nb" in p.screen_link.value
    assert "target='_blank'" in p.screen_link.value


def test_too_many_sessions_from_one_address_are_said_in_words(store, tmp_path, monkeypatch):
    """The server told the kernel whose it is (kit.core.visitor); past the limit a start is
    refused with the reason and what to do, in the presenter's language, and no session."""
    connection = tmp_path / "kernel-3.json"
    monkeypatch.setenv("KIT_KERNEL_FILE", str(connection))
    visitor.write_client(connection, "10.0.0.11")
    store.room_limit = 1
    first = Presentator(lang="nn", cases=CASES, store=store, refresh_seconds=60)
    first.picker.choose_set("all")
    first.start_button.click()
    first.stop_polling()
    assert first.code
    again = Presentator(lang="nn", cases=CASES, store=store, refresh_seconds=60)
    again.picker.choose_set("all")
    again.start_button.click()
    again.stop_polling()
    assert again.code is None and "role='alert'" in again.start_message.value
    assert escape(t("live_err_too_many_rooms", "nn")) in again.start_message.value
