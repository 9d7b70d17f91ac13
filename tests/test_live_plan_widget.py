"""The presenter's plan builder (kit.live.picker) driven without a browser, in the presenter app
over a real SQLite store and the real library (all its cases) and question bank.

A button press in a row list is ``RowList.act(key, action)``, as the browser's message does.
"""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest
from ipywidgets.widgets.widget import _instances

from kit import Presentator
from kit.cases.casefile import load_cases
from kit.core.i18n import LANGUAGES, t
from kit.core.ui.rows import RowList
from kit.live.picker import SHOWN_RESULTS, requested_plan
from kit.live.plan import SessionPlan, plan_to_yaml
from kit.live.store import Store

GUIDE_45 = [
    "q-ord-samarbeid",
    "tirsdagslunsj",
    "tirsdagslunsj-codesign",
    "turvenner-drift",
    "turvenner-tempo",
    "integreringsplan-sammen",
    "integreringsplan-horing",
    "q-skala-niva1",
    "q-ord-hull",
]
LIBRARY = load_cases()
OWN_CSV = (
    "id;tittel;tekst;prosess;nivå;forklaring;område\n"
    "egen-1;Vår egen dugnad;Frivillige og kommunen rydder sammen.;samproduksjon;3;Fordi;nabolag\n"
    "egen-2;Vårt eget råd;Rådet og kommunen lager planen sammen.;samskaping;1;Fordi;bydelen vår\n"
).encode()
BAD_CSV = b"id;tittel;tekst;prosess;niv\xc3\xa5;forklaring\na;A;tekst;samarbeid;2;f\n"


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/r.db", rate_limit=(1_000_000, 10.0)) as s:
        yield s


@pytest.fixture
def app(store, monkeypatch):
    monkeypatch.delenv("QUERY_STRING", raising=False)
    p = Presentator(lang="nb", store=store, refresh_seconds=60)
    yield p
    p.stop_polling()


def plan_ids(app) -> list[str]:
    return [i.id for i in app.picker.selected()]


def row_keys(rows: RowList) -> list[str]:
    return [r["key"] for r in rows.rows]


def row_action(rows: RowList, key: str, action: str) -> dict:
    return rows.actions_of(key)[action]


def text_of(html_value: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html_value))


# ------------------------------------------------------------------------ one-click plans


def test_one_click_on_guide_45_gives_its_nine_items_in_order(app):
    b = app.picker
    assert plan_ids(app) == [] and b.plan_rows.rows == []
    assert b.plan_rows.empty == t("splan_empty", "nb")
    b.set_buttons["guide-45"].click()
    assert plan_ids(app) == GUIDE_45
    assert row_keys(b.plan_rows) == GUIDE_45 and b.plan_rows.ordered
    assert b.set_buttons["guide-45"].pressed and not b.set_buttons["guide-90"].pressed
    assert "I planen: 9 (caser: 6, spørsmål: 3)." in text_of(b.count.value)
    assert "Guiden: 45 minutter" in text_of(b.message.value) and b.message.role == "status"
    assert b.title_box.value == "Guiden: 45 minutter"
    # each case row shows its id, title, tier and domain; a question row its kind and prompt
    case_row = b.plan_rows.rows[1]["html"]
    for part in ("tirsdagslunsj", "Tirsdagslunsj på sykehjemmet", "lett", "Eldreomsorg"):
        assert part in case_row
    assert "samproduksjon" not in case_row.lower()  # not the key: the setup may be projected
    assert "Ordsky" in b.plan_rows.rows[0]["html"] and "Skala" in b.plan_rows.rows[7]["html"]
    # the first can't go up, the last can't go down; every button is named by its item
    assert row_action(b.plan_rows, "q-ord-samarbeid", "up")["off"]
    assert row_action(b.plan_rows, "q-ord-hull", "down")["off"]
    remove = row_action(b.plan_rows, "tirsdagslunsj", "remove")
    assert remove["label"] == "Fjern" and remove["name"] == "Fjern: Tirsdagslunsj på sykehjemmet"


def test_the_other_ready_made_plans(app):
    b = app.picker
    b.set_buttons["guide-90"].click()
    assert len(plan_ids(app)) == 17 and plan_ids(app)[-1] == "q-niva-hull"
    b.set_buttons["mixed-10"].click()
    assert len(plan_ids(app)) == 10 and b.set_buttons["mixed-10"].pressed
    b.set_buttons["hard"].click()
    assert len(plan_ids(app)) == 12
    assert {c.tier for c in app.picker.selected()} == {"vanskelig"}
    b.set_buttons["all"].click()
    assert sorted(plan_ids(app)) == sorted(c.id for c in LIBRARY)
    assert len(b.plan_rows.rows) == len(LIBRARY)


def test_a_changed_plan_is_no_longer_the_ready_made_one(app):
    b = app.picker
    b.choose_set("guide-45")
    b.plan_rows.act("turvenner-drift", "remove")
    assert not b.set_buttons["guide-45"].pressed
    assert len(plan_ids(app)) == 8


# ------------------------------------------------------------------------ search and add


def test_search_finds_both_tuesday_lunch_cases_and_adds_one(app):
    b = app.picker
    b.search_box.value = "tirsdag"
    found = row_keys(b.result_rows)
    assert {"tirsdagslunsj", "tirsdagslunsj-codesign"} <= set(found)
    assert f"Treff: {len(found)}." in text_of(b.results_count.value)
    assert b.results_count.role == "status"
    add = row_action(b.result_rows, "tirsdagslunsj-codesign", "add")
    assert add == {
        "id": "add",
        "label": "Legg til",
        "name": "Legg til: Et ukentlig fellesmåltid på sykehjemmet",
        "off": False,
        "primary": False,
    }
    assert b.result_rows.act("tirsdagslunsj-codesign", "add")
    assert plan_ids(app) == ["tirsdagslunsj-codesign"]
    # the row now says it is in the plan, and a second press does nothing
    done = row_action(b.result_rows, "tirsdagslunsj-codesign", "add")
    assert done["off"] and done["label"] == "I planen"
    assert not b.result_rows.act("tirsdagslunsj-codesign", "add")
    assert not b.result_rows.act("no-such-case", "add")
    assert plan_ids(app) == ["tirsdagslunsj-codesign"]
    assert "lagt til som nummer 1 av 1" in text_of(b.message.value)


def test_at_most_thirty_results_are_listed_and_filters_narrow_them(app):
    b = app.picker
    assert len(b.result_rows.rows) == SHOWN_RESULTS
    assert t("splan_results_some", "nb", n=len(LIBRARY), shown=SHOWN_RESULTS) in text_of(
        b.results_count.value
    )
    b.tier_choice.value = "vanskelig"
    b.process_choice.value = "ingen"
    listed = [c for c in LIBRARY if c.tier == "vanskelig" and c.process == "ingen"]
    assert row_keys(b.result_rows) == [c.id for c in listed]
    b.domain_choice.value = "bolig"
    assert row_keys(b.result_rows) == [c.id for c in listed if c.domain == "bolig"]
    b.search_box.value = "no such words at all"
    assert b.result_rows.rows == [] and t("splan_results_none", "nb") in b.results_count.value
    assert b.add_all_button.disabled


def test_add_all_matches_of_one_domain(app):
    """The old "one domain" choice: filter by a domain, add all of it."""
    b = app.picker
    b.domain_choice.value = "eldreomsorg"
    n = sum(c.domain == "eldreomsorg" for c in LIBRARY)
    assert b.add_all_button.description == t("splan_add_all", "nb", n=n)
    b.add_all_button.click()
    assert plan_ids(app) == [c.id for c in LIBRARY if c.domain == "eldreomsorg"]
    assert b.add_all_button.disabled  # all of them are in


def test_the_ready_made_questions_are_listed_to_add(app):
    b = app.picker
    from kit.live.questions import load_questions

    questions = load_questions().questions
    assert row_keys(b.question_rows) == [q.id for q in questions]
    b.question_rows.act("q-skala-verdi", "add")
    b.question_rows.act("q-ord-samarbeid", "add")
    assert plan_ids(app) == ["q-skala-verdi", "q-ord-samarbeid"]
    assert row_action(b.question_rows, "q-skala-verdi", "add")["off"]
    source = next(r for r in b.question_rows.rows if r["key"].startswith("q-niva1"))
    assert t("splan_source_words", "nb") in source["html"]


# ------------------------------------------------------------------------------ reorder


def test_move_up_move_down_and_remove(app):
    b = app.picker
    b.choose_set("guide-45")
    token = b.plan_rows.focus_request["token"]
    b.plan_rows.act("q-ord-hull", "up")
    assert plan_ids(app)[-2:] == ["q-ord-hull", "q-skala-niva1"]
    # the focus follows the moved row, on the same button
    assert b.plan_rows.focus_request == {"key": "q-ord-hull", "action": "up", "token": token + 1}
    assert "er nå nummer 8 av 9" in text_of(b.message.value)
    b.plan_rows.act("q-ord-samarbeid", "down")
    assert plan_ids(app)[:2] == ["tirsdagslunsj", "q-ord-samarbeid"]
    assert not b.plan_rows.act("tirsdagslunsj", "up")  # the first: up is off
    assert plan_ids(app)[0] == "tirsdagslunsj"
    assert b.plan_rows.act("q-ord-samarbeid", "up")
    assert plan_ids(app)[0] == "q-ord-samarbeid"
    # moving to the last place turns the focus to "up" (down no longer applies)
    b.plan_rows.act("integreringsplan-horing", "down")
    b.plan_rows.act("integreringsplan-horing", "down")
    b.plan_rows.act("integreringsplan-horing", "down")
    assert plan_ids(app)[-1] == "integreringsplan-horing"
    assert b.plan_rows.focus_request["action"] == "up"
    b.plan_rows.act("turvenner-tempo", "remove")
    assert "turvenner-tempo" not in plan_ids(app) and len(plan_ids(app)) == 8
    assert "er fjernet fra planen" in text_of(b.message.value)
    b.clear_button.click()
    assert plan_ids(app) == [] and b.clear_button.disabled and b.save_button.disabled


def test_rows_update_in_place(app):
    """The lists are one widget model each: a whole-library plan, searches and moves make no widget."""
    b = app.picker
    b.choose_set("guide-45")
    before = len(_instances)
    b.choose_set("all")
    for word in ("t", "ti", "tir", "tirs", ""):
        b.search_box.value = word
    b.plan_rows.act(LIBRARY[5].id, "up")
    b.tier_choice.value = "lett"
    assert len(_instances) == before


# ---------------------------------------------------------------------------------- start


def test_start_creates_a_session_of_the_plan(store, app):
    b = app.picker
    b.choose_set("guide-45")
    b.plan_rows.act("q-ord-hull", "up")
    wanted = plan_ids(app)
    app.start_button.click()
    app.stop_polling()
    assert app.code is not None
    assert [i.id for i in store.session_items(app.code)] == wanted
    # the dashboard follows the session's cases
    assert [c.id for c in app.cases] == [i for i in wanted if not i.startswith("q-")]


def test_an_empty_plan_does_not_start(store, app):
    app.start_button.click()
    assert app.code is None
    assert t("splan_empty_start", "nb") in unescape(app.start_message.value)
    assert "role='alert'" in app.start_message.value
    app.picker.choose_set("guide-45")
    assert app.start_message.value == ""  # the plan is no longer empty


def test_the_address_chooses_the_plan(store, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "plan=guide-45&lang=en")
    assert requested_plan() == "guide-45"
    p = Presentator(store=store, refresh_seconds=60)
    assert p.lang == "en" and plan_ids(p) == GUIDE_45
    assert p.picker.set_buttons["guide-45"].pressed
    assert p.picker.title_box.value == "The guide: 45 minutes"
    monkeypatch.setenv("QUERY_STRING", "plan=%3Cscript%3E")
    p = Presentator(lang="nb", store=store, refresh_seconds=60)
    assert plan_ids(p) == [] and "&lt;script&gt;" in p.picker.message.value
    assert "<script>" not in p.picker.message.value


# ------------------------------------------------------------------------------- files


def test_save_and_load_a_plan(store, app):
    b = app.picker
    assert b.save() is None and "kit-error" in b.message.value  # nothing to save
    b.choose_set("guide-45")
    b.plan_rows.act("turvenner-drift", "remove")
    b.title_box.value = "Kurs på Hamar"
    data = b.save()
    link = b.save_link.value
    assert "download='samskaping-plan-kurs-pa-hamar.yaml'" in link
    assert base64.b64decode(re.search(r"base64,([^']+)'", link).group(1)) == data
    saved = plan_ids(app)
    b.plan_rows.act("q-ord-samarbeid", "remove")
    assert b.save_link.value == ""  # a changed plan: the old link is gone
    other = Presentator(lang="nn", store=store, refresh_seconds=60)
    other.picker.plan_upload.receive(data, "samskaping-plan-kurs-pa-hamar.yaml")
    assert plan_ids(other) == saved and other.picker.title_box.value == "Kurs på Hamar"
    assert "er lasta inn" in text_of(other.picker.message.value)


def test_a_broken_plan_file_says_why_in_the_ui_language(app):
    b = app.picker
    b.choose_set("guide-45")
    app.language.value = "en"
    b.plan_upload.receive(b"cases:\n  - id: a\n", "mine.yaml")
    assert plan_ids(app) == GUIDE_45  # unchanged
    assert "looks like a case file" in text_of(b.message.value)
    assert "kit-error" in b.message.value
    app.language.value = "nn"  # the message follows the language
    assert "ser ut som ei case-fil" in text_of(b.message.value)
    b.plan_upload.receive(b"\x00\x01\x02", "bin.yaml")
    assert "ikkje ei tekstfil" in text_of(b.message.value)


def test_a_plan_file_over_the_limit_is_not_sent(app):
    b = app.picker
    b.plan_upload.receive(b"#" * (64 * 1024 + 1), "big.yaml")
    assert b.plan_upload.message and plan_ids(app) == []


def test_a_plan_with_unknown_ids_loads_the_rest_and_lists_them(app):
    b = app.picker
    data = plan_to_yaml(
        SessionPlan("Fra et annet kurs", ("tirsdagslunsj", "borte-1", "q-ord-hull", "borte-2"))
    )
    b.load_plan_file(data, "annet.yaml")
    assert plan_ids(app) == ["tirsdagslunsj", "q-ord-hull"]
    message = text_of(b.message.value)
    assert "borte-1, borte-2" in message and "Resten av planen kan brukes" in message


# ---------------------------------------------------------------------- own case file


def test_own_cases_join_the_plan_and_the_search(store, app):
    b = app.picker
    b.choose_set("guide-45")
    b.own_upload.receive(OWN_CSV, "egne.csv")
    assert plan_ids(app) == [*GUIDE_45, "egen-1", "egen-2"]
    assert "✔" in b.own_status.value and "egne.csv" in b.own_status.value
    b.search_box.value = "vår egen"
    assert row_keys(b.result_rows) == ["egen-1"]
    b.search_box.value = ""
    b.domain_choice.value = "bydelen vår"  # a domain the file brought
    assert row_keys(b.result_rows) == ["egen-2"]
    b.domain_choice.value = "nabolag"  # the file's and the library's
    assert row_keys(b.result_rows)[0] == "egen-1" and len(b.result_rows.rows) > 1
    # a saved plan with own cases loads once the file is there again
    data = b.save()
    fresh = Presentator(lang="nb", store=store, refresh_seconds=60)
    fresh.picker.plan_upload.receive(data, "plan.yaml")
    assert "egen-1, egen-2" in text_of(fresh.picker.message.value)
    fresh.picker.own_upload.receive(OWN_CSV, "egne.csv")
    fresh.picker.plan_upload.receive(data, "plan.yaml")
    assert plan_ids(fresh) == plan_ids(app)
    app.start_button.click()
    app.stop_polling()
    assert [i.id for i in store.session_items(app.code)][-2:] == ["egen-1", "egen-2"]


def test_a_broken_case_file_changes_nothing(app):
    b = app.picker
    b.choose_set("guide-45")
    b.own_upload.receive(BAD_CSV, "feil.csv")
    assert plan_ids(app) == GUIDE_45
    assert "role='alert'" in b.own_status.value and "feil.csv" in b.own_status.value
    assert "kit-error" in b.message.value


# -------------------------------------------------------------------------- languages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_control_is_labelled(store, lang):
    p = Presentator(lang=lang, store=store, refresh_seconds=60)
    b = p.picker
    for field in (b.search_box, b.title_box, b.tier_choice, b.domain_choice, b.process_choice):
        assert field.description
    for button in (b.clear_button, b.save_button, b.add_all_button, *b.set_buttons.values()):
        assert button.description
    for rows in (b.plan_rows, b.result_rows, b.question_rows):
        assert rows.label
    assert b.plan_upload.label == t("splan_load_label", lang)
    assert b.own_upload.label == t("splan_own_label", lang)
    for r in b.result_rows.rows + b.question_rows.rows:
        for a in r["actions"]:
            assert a["label"] and a["name"].startswith(a["label"])  # the label is in the name


def test_a_language_switch_keeps_the_plan_and_makes_no_widget(app):
    b = app.picker
    b.choose_set("guide-45")
    b.search_box.value = "tirsdag"
    app.language.value = "nn"
    app.language.value = "nb"
    before = len(_instances)
    for lang in ("nn", "en", "nb", "en"):
        app.language.value = lang
    assert len(_instances) == before
    assert plan_ids(app) == GUIDE_45 and b.search_box.value == "tirsdag"
    assert b.title_box.value == "The guide: 45 minutes"  # a ready-made title follows
    assert b.set_buttons["guide-45"].description == "The guide: 45 minutes"
    b.title_box.value = "Mine"
    app.language.value = "nb"
    assert b.title_box.value == "Mine"  # one's own title stays
