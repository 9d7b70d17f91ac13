"""Samarbeidsverkstedet's pure core (kit/workshop/model.py, kit/workshop/example.py): the agenda in
data/workshop.yaml holds the issue's clauses and the source's words, every text a participant
sends is bounded, and the response picture keeps a recipient's objection and the silence of the
recipients or the voluntary side in sight."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from kit.core.i18n import LANGUAGES, t, texts
from kit.core.paths import data_dir
from kit.core.text import Text
from kit.core.yamlio import ContentError
from kit.model.model import load_model
from kit.workshop.example import example_workshop, load_example
from kit.workshop.model import (
    CLAUSES_MAX,
    CUSTOM_CLAUSES_MAX,
    INITIATIVE_MAX,
    NAME_MAX,
    PARKING_MAX,
    PARKING_PER_PARTICIPANT,
    PROPOSAL_MAX,
    PROPOSALS_PER_CLAUSE,
    REASON_MAX,
    RESPONSES,
    WORDING_MAX,
    Workshop,
    WorkshopError,
    clean_text,
    error_keys,
    field_keys,
    load_agenda,
    new_workshop,
    parse_date,
    response_picture,
)

#: The issue's clause list (issue 16, "Build" 1), each item as the agenda names it: id, level,
#: and whose point it is.
ISSUE_CLAUSES = {
    "purpose": (1, "kit"),  # purpose and target group
    "roles": (1, "kit"),  # each party's roles and contributions
    "mode": (1, "source"),  # samproduksjon or samskaping
    "tasks": (2, "source"),  # division of tasks and of responsibility
    "decides": (1, "kit"),  # who decides what, and how the voluntary side can say no
    "statutory": (2, "kit"),  # the boundary to statutory services: the kit's points
    "expectations": (3, "source"),  # volunteers want, recipients need, the unit expects
    "value": (3, "source"),  # how the recipients judge the value
    "evaluation": (1, "source"),  # feedback upward and regular evaluation
    "contact": (2, "kit"),  # contact persons and meeting rhythm
    "duration": (1, "kit"),  # duration and how to end it
}
#: The issue's parties (bokmål, as the issue writes them) and the group each belongs to.
ISSUE_PARTIES = {
    "leadership": ("Politisk/administrativ ledelse", "municipality"),
    "unit": ("Kommunal virksomhet", "municipality"),
    "organisation": ("Frivillig organisasjon eller frivilligsentral", "voluntary"),
    "volunteer": ("Enkeltfrivillig", "voluntary"),
    "recipient": ("Tjenestemottaker eller pårørende", "recipients"),
    "partner": ("Annen samarbeidspartner", "other"),
}


def three_languages(text: Text) -> bool:
    return all(text.as_dict().get(lang, "").strip() for lang in ("nb", "nn", "en"))


def model_texts() -> list[Text]:
    """Every multilingual text of data/model.yaml."""
    model = load_model()
    found: list[Text] = [model.value_judge, *model.premises, *model.purposes]
    for level in model.levels:
        for name in ("actors", "purpose", "expectations", "how", "tasks", "continuous"):
            found += level.field(name)
    found += [flow.label for flow in model.flows]
    return found


@pytest.fixture
def w() -> Workshop:
    """A workshop with every party present and the default agenda."""
    return new_workshop("Møteplassen", "nb", list(ISSUE_PARTIES), held="2027-03-10")


# ---------------------------------------------------------------- the agenda's content


def test_the_agenda_has_every_clause_of_the_issue_in_three_languages():
    agenda = load_agenda()
    assert {c.id: (c.level, c.origin) for c in agenda.clauses} == ISSUE_CLAUSES
    for clause in agenda.clauses:
        assert three_languages(clause.title), clause.id
        assert three_languages(clause.question), clause.id
        assert clause.question.nb != clause.title.nb


def test_the_levels_quote_the_sources_expectations_as_the_model_has_them():
    agenda, model = load_agenda(), load_model()
    assert [lv.number for lv in agenda.levels] == [1, 2, 3]
    for level in agenda.levels:
        assert level.expectations == model.level(level.number).expectations
        assert all(three_languages(q) for q in level.expectations)
    assert agenda.levels[0].expectations[0].nb == "Samproduksjon eller samskaping?"
    assert agenda.levels[1].expectations[0].nb == "Oppgavedeling og ansvarsdeling"
    assert [q.nb for q in agenda.levels[2].expectations] == [
        "Hva ønsker de frivillige?",
        "Hva trenger tjenestemottakerne?",
        "Hva forventer virksomheten?",
    ]
    # the file marks them as the source's
    raw = yaml.safe_load((data_dir() / "workshop.yaml").read_text(encoding="utf-8"))
    assert all(lv["expectations"]["origin"] == "source" for lv in raw["levels"])
    assert raw["basis"]["origin"] == "source"


def test_every_quote_is_the_models_text_word_for_word():
    agenda, model = load_agenda(), load_model()
    known = model_texts()
    assert agenda.basis == model.level(1).how[1]  # "Skriftliggjøring av avklaringer som er gjort"
    for clause in agenda.clauses:
        if clause.origin == "source":
            assert clause.quotes, clause.id
        for quote in clause.quotes:
            assert quote in known, (clause.id, quote)
    # the expectation clauses quote their level's questions
    by_id = {c.id: c for c in agenda.clauses}
    assert by_id["mode"].quotes == model.level(1).expectations
    assert by_id["tasks"].quotes == model.level(2).expectations
    assert by_id["expectations"].quotes == model.level(3).expectations
    # on the voluntary sector's terms: the source's phrase, quoted, on the kit's clause
    assert "på frivillighetens premisser" in by_id["decides"].quotes[0].nb
    assert by_id["decides"].origin == "kit"


def test_the_statutory_boundary_is_marked_as_the_kits_discussion_points():
    clause = load_agenda().clause("statutory")
    assert clause.origin == "kit" and not clause.quotes
    assert clause.note is not None and three_languages(clause.note)
    for word in ("forsvarlighet", "taushetsplikt", "politiattest", "forsikring"):
        assert word in clause.question.nb.lower() and word in clause.note.nb.lower()
    assert "kitets diskusjonspunkter" in clause.note.nb
    assert "ikke kildens regler" in clause.note.nb
    assert "the kit's discussion points" in clause.note.en
    assert "diskusjonspunkta til kitet" in clause.note.nn
    for word in ("insurance", "confidentiality", "police certificates"):
        assert word in clause.question.en


def test_the_parties_and_the_response_options():
    agenda = load_agenda()
    assert {p.id: (p.label.nb, p.group) for p in agenda.parties} == ISSUE_PARTIES
    assert all(three_languages(p.label) for p in agenda.parties)
    assert [o.id for o in agenda.responses] == list(RESPONSES)
    assert [o.label.nb for o in agenda.responses] == ["Enig", "Kan leve med det", "Uenig"]
    assert [o.label.nn for o in agenda.responses] == ["Einig", "Kan leve med det", "Ueinig"]
    objection = agenda.response("object")
    assert objection.hint is not None and "begrunnelse" in objection.hint.nb


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = (data_dir() / "workshop.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "workshop.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("  - id: roles\n", "  - id: purpose\n", "clauses"),
        (
            "  - id: mode\n    level: 1\n    origin: source\n",
            "  - id: mode\n    level: 1\n    origin: someone\n",
            "origin",
        ),
        (
            "    quotes:\n      - {nb: Oppgavedeling",
            "    quotex:\n      - {nb: Oppgavedeling",
            "quotes",
        ),
        ("  - id: live_with\n", "  - id: maybe\n", "responses"),
        ("    group: recipients\n", "    group: other\n", "parties"),
        ("  - number: 3\n", "  - number: 4\n", "levels"),
        ("  - id: value\n    level: 3\n", "  - id: value\n    level: 4\n", "level"),
    ],
)
def test_a_broken_agenda_is_refused_naming_the_place(tmp_path, old, new, named):
    with pytest.raises(ContentError) as info:
        load_agenda(_broken_copy(tmp_path, old, new))
    assert str(tmp_path) in str(info.value) and named in str(info.value)


# ---------------------------------------------------------------- bounds and rules


def test_a_text_at_its_bound_is_kept_and_one_more_character_is_refused(w):
    at = "x" * PROPOSAL_MAX
    w2 = w.propose("purpose", "unit", at, "u1")
    assert w2.proposals[-1].text == at
    with pytest.raises(WorkshopError) as info:
        w.propose("purpose", "unit", at + "y", "u1")
    assert (info.value.key, info.value.field, info.value.limit) == (
        "too_long",
        "text",
        PROPOSAL_MAX,
    )
    assert str(PROPOSAL_MAX) in info.value.message("nb")


@pytest.mark.parametrize(
    ("call", "key", "field"),
    [
        (lambda w: w.propose("purpose", "unit", "", "u1"), "empty", "text"),
        (lambda w: w.propose("purpose", "unit", " \n\t ", "u1"), "empty", "text"),
        (lambda w: w.propose("purpose", "unit", None, "u1"), "empty", "text"),
        (lambda w: w.propose("purpose", "unit", 42, "u1"), "empty", "text"),
        (lambda w: w.propose("purpose", "unit", "a\x00b", "u1"), "bad_text", "text"),
        (lambda w: w.propose("purpose", "unit", "a\u202eb", "u1"), "bad_text", "text"),
        (lambda w: w.propose("purpose", "municipality", "Tekst", "u1"), "unknown_party", "party"),
        (lambda w: w.propose("nope", "unit", "Tekst", "u1"), "unknown_clause", "clause"),
        (lambda w: w.propose("purpose", "unit", "Tekst", ""), "participant", "participant"),
        (lambda w: w.propose("purpose", "unit", "Tekst", "u" * 65), "participant", "participant"),
        (
            lambda w: w.propose("purpose", "unit", "T", "u1", "n" * (NAME_MAX + 1)),
            "too_long",
            "name",
        ),
        (lambda w: w.respond("p9", "unit", "agree", "u1"), "unknown_proposal", "proposal"),
        (lambda w: w.park("unit", "p" * (PARKING_MAX + 1), "u1"), "too_long", "text"),
        (lambda w: w.park("unit", "Senere", "u1", clause="nope"), "unknown_clause", "clause"),
        (lambda w: w.park("nobody", "Senere", "u1"), "unknown_party", "party"),
        (lambda w: w.settle("purpose", "agreed"), "empty", "wording"),
        (lambda w: w.settle("purpose", "done", "Tekst"), "bad_status", "status"),
        (lambda w: w.settle("purpose", "agreed", "w" * (WORDING_MAX + 1)), "too_long", "wording"),
        (lambda w: w.settle("purpose", "open", due="31.12.2027"), "bad_date", "due"),
        (lambda w: w.plan_evaluation(""), "empty", "evaluation"),
        (lambda w: w.plan_evaluation("2027-02-30"), "bad_date", "evaluation"),
        (lambda w: w.with_custom_clause("", "Spørsmål", 2), "empty", "title"),
        (lambda w: w.with_custom_clause("Tittel", "Spørsmål", 4), "unknown_level", "level"),
        (lambda w: w.with_custom_clause("Tittel", "Spørsmål", True), "unknown_level", "level"),
        (lambda w: w.with_clause("purpose"), "duplicate_clause", "clause"),
        (lambda w: w.with_clause("nope"), "unknown_clause", "clause"),
        (lambda w: w.without_clause("nope"), "unknown_clause", "clause"),
    ],
)
def test_bad_input_is_refused_with_a_clear_key(w, call, key, field):
    with pytest.raises(WorkshopError) as info:
        call(w)
    assert (info.value.key, info.value.field) == (key, field)
    for lang in LANGUAGES:
        message = info.value.message(lang)
        assert message and "{" not in message and "workshop_" not in message


def test_new_workshop_refuses_bad_input():
    for args, key in [
        (("", "nb"), "empty"),
        (("x" * (INITIATIVE_MAX + 1), "nb"), "too_long"),
        (("Møteplassen", "de"), "bad_lang"),
    ]:
        with pytest.raises(WorkshopError) as info:
            new_workshop(*args)
        assert info.value.key == key
    with pytest.raises(WorkshopError, match="unknown_party"):
        new_workshop("Møteplassen", "nb", ["leadership", "mayor"])
    with pytest.raises(WorkshopError, match="no_clauses"):
        new_workshop("Møteplassen", "nb", clauses=[])
    with pytest.raises(WorkshopError, match="duplicate_clause"):
        new_workshop("Møteplassen", "nb", clauses=["mode", "mode"])
    with pytest.raises(WorkshopError, match="bad_date"):
        new_workshop("Møteplassen", "nb", held="i morgen")


def test_an_objection_needs_a_reason_and_the_other_answers_do_not(w):
    w = w.propose("value", "leadership", "Vi teller besøkende.", "m1")
    for reason in (None, "", "   "):
        with pytest.raises(WorkshopError) as info:
            w.respond("p1", "recipient", "object", "r1", reason)
        assert (info.value.key, info.value.field) == ("reason_needed", "reason")
    assert "begrunnelse" in WorkshopError("reason_needed", "reason").message("nb")
    with pytest.raises(WorkshopError, match="too_long"):
        w.respond("p1", "recipient", "object", "r1", "r" * (REASON_MAX + 1))
    with pytest.raises(WorkshopError, match="unknown_response"):
        w.respond("p1", "recipient", "maybe", "r1", "Fordi")
    w = w.respond("p1", "recipient", "object", "r1", "  Spør   oss\nsom går der. ")
    assert w.responses[-1].reason == "Spør oss som går der."
    w = w.respond("p1", "unit", "agree", "u1").respond("p1", "volunteer", "live_with", "v1")
    assert [r.choice for r in w.responses] == ["object", "agree", "live_with"]


def test_a_second_response_from_the_same_participant_replaces_the_first(w):
    w = w.propose("value", "leadership", "Vi teller besøkende.", "m1")
    w = w.respond("p1", "recipient", "object", "r1", "Spør oss.")
    w = w.respond("p1", "recipient", "live_with", "r1")
    assert [(r.participant, r.choice) for r in w.responses] == [("r1", "live_with")]


def test_proposals_per_participant_per_clause_are_bounded(w):
    for i in range(PROPOSALS_PER_CLAUSE):
        w = w.propose("purpose", "unit", f"Forslag {i}", "u1")
    with pytest.raises(WorkshopError) as info:
        w.propose("purpose", "unit", "Ett til", "u1")
    assert (info.value.key, info.value.limit) == ("too_many", PROPOSALS_PER_CLAUSE)
    assert str(PROPOSALS_PER_CLAUSE) in info.value.message("en")
    # another participant, or the same one on another clause, may still propose
    w = w.propose("purpose", "unit", "Fra en annen", "u2").propose("roles", "unit", "Roller", "u1")
    assert [p.id for p in w.proposals] == ["p1", "p2", "p3", "p4", "p5"]


def test_parking_points_per_participant_are_bounded(w):
    for i in range(PARKING_PER_PARTICIPANT):
        w = w.park("recipient", f"Senere {i}", "r1")
    with pytest.raises(WorkshopError, match="too_many"):
        w.park("recipient", "Én til", "r1")
    w = w.park("recipient", "Fra en annen", "r2", clause="statutory", name="Kari")
    assert (w.parking[-1].clause, w.parking[-1].name) == ("statutory", "Kari")


def test_texts_are_folded_to_one_line_and_an_empty_name_is_anonymous(w):
    w = w.propose("purpose", "unit", "  To\n\nlinjer\tog  mellomrom ", "u1", name="  ")
    assert (w.proposals[0].text, w.proposals[0].name) == ("To linjer og mellomrom", None)
    assert clean_text("e\u0301", 5, "text") == "\u00e9"  # NFC
    assert clean_text(None, 5, "name", required=False) is None
    assert parse_date("2027-09-15") == date(2027, 9, 15) and parse_date("") is None


def test_the_facilitator_trims_and_extends_the_agenda(w):
    w = w.propose("duration", "unit", "To år", "u1")
    w = w.respond("p1", "organisation", "agree", "f1")
    w = w.park("unit", "Oppsigelse?", "u1", clause="duration")
    trimmed = w.without_clause("duration")
    assert "duration" not in [c.id for c in trimmed.clauses]
    assert (trimmed.proposals, trimmed.responses) == ((), ())
    assert trimmed.parking[0].clause is None  # the point stays, no longer tied to the clause
    back = trimmed.with_clause("duration")
    assert [c.id for c in back.clauses] == [c.id for c in w.clauses]
    extended = w.with_custom_clause("Skyss til og fra", "Hvordan kommer folk dit?", 2)
    extended = extended.with_custom_clause("Økonomi", None, 1)
    ids = [c.id for c in extended.clauses]
    assert (
        ids.index("egen-2") < ids.index("tasks") < ids.index("egen-1") < ids.index("expectations")
    )
    custom = extended.clause("egen-2")
    assert custom.custom and custom.origin == "kit" and custom.question.get("en") == "Økonomi"
    assert extended.propose("egen-1", "recipient", "Vi trenger skyss", "r1").proposals
    with pytest.raises(WorkshopError, match="too_long"):
        w.with_custom_clause("t" * 101, None, 1)
    one = new_workshop("Møteplassen", "nb", clauses=["value", "mode"])
    assert [c.id for c in one.clauses] == ["mode", "value"]  # grouped by level
    with pytest.raises(WorkshopError, match="no_clauses"):
        one.without_clause("mode").without_clause("value")


def test_the_agenda_is_bounded(w):
    for i in range(CUSTOM_CLAUSES_MAX):
        w = w.with_custom_clause(f"Punkt {i}", None, 1 + i % 3)
    with pytest.raises(WorkshopError) as info:
        w.with_custom_clause("Ett til", None, 1)
    assert (info.value.key, info.value.limit) == ("too_many", CUSTOM_CLAUSES_MAX)
    assert len(w.clauses) <= CLAUSES_MAX


def test_every_error_key_and_field_has_a_text_in_every_language():
    source = (Path(__file__).parent.parent / "kit" / "workshop" / "model.py").read_text("utf-8")
    raised = set(re.findall(r'WorkshopError\(\s*"(\w+)"', source))
    fields = set(re.findall(r'WorkshopError\(\s*"\w+",\s*"(\w+)"', source))
    fields |= set(re.findall(r'clean_text\([^()]*?,\s*\w+,\s*"(\w+)"', source))
    fields |= set(re.findall(r'parse_date\(\w+,\s*"(\w+)"', source))
    assert raised and raised <= set(error_keys()), raised - set(error_keys())
    assert {"text", "reason", "wording", "due", "evaluation_by"} <= fields
    assert fields <= set(field_keys()), fields - set(field_keys())
    for lang in LANGUAGES:
        table = texts(lang)
        assert [k for k in error_keys() if f"workshop_err_{k}" not in table] == []
        assert [f for f in field_keys() if f"workshop_field_{f}" not in table] == []
    assert "høyst 600 tegn" in WorkshopError("too_long", "text", 600).message("nb")
    assert "høgst 600 teikn" in WorkshopError("too_long", "text", 600).message("nn")
    assert t("workshop_field_reason", "en") in WorkshopError("empty", "reason").message("en")


# ---------------------------------------------------------------- the response picture


def _value_clause(w: Workshop) -> Workshop:
    """Leadership proposes; the unit, the volunteer centre and a volunteer agree or can live
    with it."""
    w = w.propose("value", "leadership", "Vi teller besøkende hver måned.", "m1")
    w = w.respond("p1", "unit", "agree", "u1").respond("p1", "unit", "agree", "u2")
    w = w.respond("p1", "organisation", "live_with", "f1", "Tall sier lite.")
    return w.respond("p1", "volunteer", "agree", "v1")


def test_a_recipients_objection_stays_visible_when_outnumbered(w):
    w = _value_clause(w).respond("p1", "recipient", "object", "r1", "Spør oss som går der.")
    picture = response_picture(w, "value")
    assert picture.totals == {"agree": 3, "live_with": 1, "object": 1}
    assert picture.outnumbered
    assert [r.reason for r in picture.recipient_objections] == ["Spør oss som går der."]
    recipient = picture.party("recipient")
    assert (recipient.counts["object"], recipient.objections[0].participant) == (1, "r1")
    assert picture.party("unit").counts == {"agree": 2, "live_with": 0, "object": 0}
    assert picture.party("organisation").objections == ()
    assert not picture.flagged  # recipients and the voluntary side both spoke


def test_a_recipient_who_agrees_gives_no_objection_to_keep(w):
    w = _value_clause(w).respond("p1", "recipient", "agree", "r1")
    picture = w.response_picture("value")
    assert picture.recipient_objections == () and not picture.outnumbered
    assert picture.totals["object"] == 0


def test_a_recipients_objection_nobody_outnumbers_is_kept_but_not_outnumbered(w):
    w = w.propose("value", "leadership", "Vi teller besøkende.", "m1")
    w = w.respond("p1", "recipient", "object", "r1", "Spør oss.")
    w = w.respond("p1", "organisation", "object", "f1", "Enig med dem.")
    picture = w.response_picture("value")
    assert len(picture.recipient_objections) == 1 and not picture.outnumbered


def test_an_outnumbered_objection_from_others_is_not_a_recipients(w):
    w = _value_clause(w).respond("p1", "leadership", "object", "m2", "For dyrt.")
    w = w.respond("p1", "recipient", "agree", "r1")
    picture = w.response_picture("value")
    assert picture.recipient_objections == () and not picture.outnumbered
    assert [r.reason for r in picture.party("leadership").objections] == ["For dyrt."]


def test_a_clause_without_word_from_recipients_or_the_voluntary_side_is_flagged(w):
    assert w.response_picture("contact").silent_groups == ("recipients", "voluntary")
    w = w.propose("contact", "unit", "Én gang i måneden.", "u1")
    w = w.respond("p1", "partner", "agree", "x1")  # another partner is neither
    picture = w.response_picture("contact")
    assert picture.flagged and picture.silent_groups == ("recipients", "voluntary")
    w = w.respond("p1", "volunteer", "agree", "v1")  # an individual volunteer is the voluntary side
    assert w.response_picture("contact").silent_groups == ("recipients",)
    w = w.respond("p1", "recipient", "live_with", "r1")  # a response is a word too
    picture = w.response_picture("contact")
    assert not picture.flagged and picture.silent_groups == ()


def test_a_recipients_proposal_is_their_word_on_the_clause(w):
    w = w.propose("duration", "recipient", "Ett år først.", "r1")
    w = w.propose("duration", "organisation", "To år.", "f1")
    picture = w.response_picture("duration")
    assert not picture.flagged
    assert picture.party("recipient").proposals == 1 and picture.party("recipient").responses == 0


def test_the_picture_lists_the_parties_present_in_the_agendas_order():
    w = new_workshop("Møteplassen", "nb", ["recipient", "unit"])
    w = w.propose("mode", "organisation", "Samskaping.", "f1")  # a party not declared speaks
    assert w.present() == ("unit", "organisation", "recipient")
    assert [p.party for p in w.response_picture("mode").parties] == list(w.present())
    assert list(w.proposals_by_party("mode")) == ["organisation"]


# ---------------------------------------------------------------- the sample workshop


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_sample_workshop_builds_through_the_rules_in_every_language(lang):
    w = example_workshop(lang)
    assert w.lang == lang and w.held == date(2027, 3, 10)
    assert w.evaluation == date(2027, 9, 15) and w.evaluation_by
    assert w.note and {"nb": "konstruert", "nn": "konstruert", "en": "constructed"}[lang] in w.note
    assert {c.id for c in w.clauses} >= set(ISSUE_CLAUSES)
    assert any(c.custom for c in w.clauses)
    assert {o.status for o in w.outcomes} == {"agreed", "open"}
    assert w.parking
    # the sample shows what the picture is for: an outnumbered recipient, and a silent clause
    value = w.response_picture("value")
    assert value.outnumbered and value.recipient_objections
    assert w.response_picture("duration").silent_groups == ("recipients", "voluntary")


def test_the_sample_is_the_same_workshop_in_every_language():
    shapes = set()
    for lang in ("nb", "nn", "en"):
        w = example_workshop(lang)
        shapes.add(
            (
                tuple((p.clause, p.party, p.participant) for p in w.proposals),
                tuple((r.proposal, r.party, r.choice) for r in w.responses),
                tuple((o.clause, o.status, o.due) for o in w.outcomes),
            )
        )
    assert len(shapes) == 1
    texts_nb = {p.text for p in example_workshop("nb").proposals}
    texts_en = {p.text for p in example_workshop("en").proposals}
    assert not texts_nb & texts_en  # translated, not copied


def test_a_sample_that_breaks_a_rule_is_refused_naming_the_entry(tmp_path):
    text = (data_dir() / "workshop_example.yaml").read_text(encoding="utf-8")
    old = "    choice: object\n    reason:\n      nb: Åpningstidene"
    assert old in text
    broken = text.replace(old, "    choice: object\n    note:\n      nb: Åpningstidene", 1)
    path = tmp_path / "workshop_example.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_example(path).workshop("nb")
    message = str(info.value)
    assert str(path) in message and "responses[" in message and "reason_needed" in message
    assert "  - to: decides-unit\n" in text
    path.write_text(
        text.replace("  - to: decides-unit\n", "  - to: nowhere\n", 1), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="nowhere"):
        load_example(path).workshop("nb")
