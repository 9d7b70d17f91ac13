"""Presenter and participant apps driven without a browser, over a real SQLite store."""

from __future__ import annotations

import time

import pytest

from kit.casefile import load_cases
from kit.live.store import Store
from kit.widgets import Deltaker, Presentator
from kit.widgets.participant import code_from_request
from kit.widgets.presenter import participant_url, public_base_url


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/r.db") as s:
        yield s


def wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def answer(d: Deltaker, process: str, level: int | None) -> None:
    d.process_choice.value = process
    d.level_choice.value = level or 0
    d.send_button.click()


def test_presenter_dashboard_follows_participants(store):
    cases = load_cases()[:4]
    p = Presentator(lang="nb", cases=cases, store=store, refresh_seconds=0.1)
    try:
        code = p.start_session(cases)
        assert code in p.join_panel.value and "<svg role='img'" in p.join_panel.value
        assert f"kode={code}" in p.join_panel.value
        people = [Deltaker(lang="nb", code=code, store=store) for _ in range(3)]
        assert all(d.token for d in people)
        assert wait_for(lambda: "Deltakere: 3" in p.stats.value)
        answer(people[0], "samskaping", 2)
        answer(people[1], "samproduksjon", 3)
        answer(people[2], "samproduksjon", 3)
        assert wait_for(lambda: "Svar: 3" in p.stats.value)
        first = p.case_list.children[0].children[0].value
        assert cases[0].title.nb in first  # the only disputed case comes first
        assert "Fasit" not in first  # hidden until revealed
        assert wait_for(lambda: "Samskaping 1" in p.chart_view.words.value)
        p.case_list.children[0].children[1].click()
        assert "✔ Fasit:" in p.case_list.children[0].children[0].value
        assert cases[0].id in store.revealed(code)
    finally:
        p.stop_polling()


def test_latest_answer_counts_and_resubmission(store):
    cases = load_cases()[:2]
    code = store.create_session(cases)
    d = Deltaker(lang="en", code=code, store=store)
    answer(d, "samskaping", 1)
    answer(d, "ingen", None)
    counts = store.counts(code)[cases[0].id]
    assert counts.answers == 1 and counts.processes["ingen"] == 1
    assert "latest answer counts" in d.status.value
    d.next_button.click()
    assert cases[1].title.en in d.case_view.value
    d.prev_button.click()
    assert d.process_choice.value == "ingen"


def test_participant_errors_are_plain_messages(store):
    d = Deltaker(lang="nb", code="ZZZZZZ", store=store)
    assert d.token is None and "Finner ingen økt" in d.status.value
    d2 = Deltaker(lang="nb", code="O0O0", store=store)
    assert d2.token is None and "Traceback" not in d2.status.value
    code = store.create_session(load_cases()[:1])
    store.close_session(code)
    d3 = Deltaker(lang="en", code=code, store=store)
    assert "has ended" in d3.status.value


def test_participant_must_choose_both(store):
    code = store.create_session(load_cases()[:1])
    d = Deltaker(lang="nb", code=code, store=store)
    d.process_choice.value = "samskaping"
    d.send_button.click()
    assert "Velg både prosess og nivå" in d.status.value
    assert store.counts(code)[d.cases[0].id].answers == 0


def test_join_by_typing_the_code(store):
    code = store.create_session(load_cases()[:1])
    d = Deltaker(lang="nb", code="", store=store)
    d.code_input.value = " " + code.lower()[:3] + "-" + code.lower()[3:]
    d.join_button.click()
    assert d.token and d.code == code


def test_end_session_refuses_new_answers_and_exports(store):
    cases = load_cases()[:2]
    p = Presentator(lang="nb", cases=cases, store=store, refresh_seconds=60)
    code = p.start_session(cases)
    p.stop_polling()
    d = Deltaker(lang="nb", code=code, store=store)
    answer(d, "samskaping", 2)
    p.end_button.click()
    assert "Økta er avsluttet" in p.stats.value
    answer(d, "ingen", None)
    assert "avsluttet" in d.status.value
    p.export_csv_button.click()
    assert "data:text/csv;base64," in p.export_links.value
    p.export_xlsx_button.click()
    assert "spreadsheetml" in p.export_links.value


def test_urls_from_environment(monkeypatch):
    monkeypatch.delenv("KIT_PUBLIC_URL", raising=False)
    monkeypatch.setenv("SERVER_NAME", "127.0.0.1")
    monkeypatch.setenv("SERVER_PORT", "9999")
    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/05_presentator.ipynb")
    assert public_base_url() == "http://127.0.0.1:9999/"
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://10.1.2.3:8866")
    assert participant_url("ACD347") == "http://10.1.2.3:8866/voila/render/delta.ipynb?kode=ACD347"
    monkeypatch.setenv("QUERY_STRING", "lang=en&kode=ACD347")
    assert code_from_request() == "ACD347"


def test_preheated_kernel_waits_for_the_request_once(monkeypatch):
    from kit.widgets import base

    calls = []

    def fake_wait():
        calls.append(1)
        monkeypatch.setenv("QUERY_STRING", "kode=ACD347&lang=nn")

    monkeypatch.setattr(base, "_wait_for_voila_request", fake_wait)
    monkeypatch.setattr(base, "_request_seen", False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    assert base.lang_from_request() == "nn"
    assert code_from_request() == "ACD347"
    assert len(calls) == 1


def test_serve_preheats_only_the_participant_app():
    import json

    from kit import serve

    assert serve.preheat_args(0) == []
    argv = serve.voila_argv(8866, preheat=5)
    assert "--preheat_kernel=True" in argv
    pools = json.loads(next(a for a in argv if "kernel_pools_config" in a).split("=", 1)[1])
    assert pools == {"default": {"pool_size": 0}, "delta.ipynb": {"pool_size": 5}}
