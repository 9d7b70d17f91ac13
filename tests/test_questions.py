"""Questions besides the cases: the ready-made bank in data/, checking a response, a session's
items as JSON, and the word cloud's normalising, banned words and counting."""

from __future__ import annotations

import re

import pytest

from kit.cases.case import cases_from_json
from kit.core.i18n import LANGUAGES
from kit.core.text import Text
from kit.core.yamlio import ContentError
from kit.live.questions import (
    KINDS,
    OPEN_MAX,
    Question,
    ResponseError,
    check_items,
    items_from_json,
    items_to_json,
    load_questions,
    parse_questions,
)
from kit.live.words import Entry, banned_keys, cloud, is_banned, key, parse_banned
from kit.model.model import load_model
from tests.factories import make_case

QUOTE = re.compile(r"[«“]([^»”]+)[»”]")


def test_the_bank_has_every_kind_in_every_language():
    bank = load_questions()
    assert {q.kind for q in bank.questions} == set(KINDS)
    for q in bank.questions:
        assert set(q.prompt.languages) >= {"nb", "nn", "en"}, q.id
        for text in (*q.options, *(t for t in (q.low, q.high) if t)):
            assert set(text.languages) >= {"nb", "nn", "en"}, q.id
    for lang in LANGUAGES:
        assert bank.banned[lang], lang


def test_the_sources_expectation_questions_are_all_there_and_quoted_verbatim():
    """Each level's expectations ("Forventningsavklaringer") in the model are asked by a
    question marked source: true, which quotes them word for word in nb, nn and en."""
    model = load_model()
    bank = load_questions()
    quoted: dict[tuple[int, str], set[str]] = {}
    for q in bank.questions:
        found = {lang: QUOTE.findall(q.prompt.get(lang)) for lang in ("nb", "nn", "en")}
        if q.source:
            assert q.level is not None and all(found.values()), q.id
            for lang, quotes in found.items():
                quoted.setdefault((q.level, lang), set()).update(quotes)
        else:
            assert not any(found.values()), f"{q.id} quotes but is not marked source: true"
    for level in model.levels:
        for expectation in level.field("expectations"):
            for lang in ("nb", "nn", "en"):
                wanted = expectation.get(lang)
                assert wanted in quoted.get((level.number, lang), set()), (level.number, wanted)


def test_question_ids_never_look_like_case_ids():
    with pytest.raises(ValueError, match="q-"):
        Question("tirsdagslunsj", "open", Text("Hva?"))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"questions": [{"id": "q-a", "kind": "quiz", "prompt": {"nb": "a", "en": "a"}}]}, "kind"),
        (
            {"questions": [{"id": "q-a", "kind": "poll", "prompt": {"nb": "a", "en": "a"}}]},
            "options",
        ),
        (
            {"questions": [{"id": "q-a", "kind": "scale", "prompt": {"nb": "a", "en": "a"}}]},
            "low",
        ),
        (
            {
                "questions": [
                    {"id": "a", "kind": "open", "prompt": {"nb": "a", "en": "a"}},
                ]
            },
            "q-",
        ),
        (
            {"questions": [{"id": "q-a", "kind": "open", "prompt": {"nb": "a", "en": "a"}}]},
            "banned",
        ),
    ],
)
def test_a_broken_question_file_names_the_place(tmp_path, raw, problem):
    with pytest.raises(ContentError, match=problem):
        parse_questions(raw, tmp_path / "questions.yaml")


def test_checking_a_response():
    open_q = Question("q-o", "open", Text("Hva?"))
    assert open_q.check("  Frivillighet \n og  glede ") == "Frivillighet og glede"
    with pytest.raises(ResponseError, match="too_long"):
        open_q.check("x" * (OPEN_MAX + 1))
    scale = Question("q-s", "scale", Text("?"), low=Text("lite"), high=Text("mye"))
    assert [scale.check(n) for n in range(1, 6)] == ["1", "2", "3", "4", "5"]
    poll = Question("q-p", "poll", Text("?"), options=(Text("a"), Text("b"), Text("c")))
    assert poll.check(2) == "2"
    with pytest.raises(ResponseError):
        poll.check(3)


def test_items_keep_their_order_and_old_readers_still_find_the_cases():
    bank = load_questions().questions
    items = (bank[0], make_case("c1"), bank[5], make_case("c2"))
    raw = items_to_json(items)
    assert items_from_json(raw) == items
    assert cases_from_json(raw) == (items[1], items[3])
    only_cases = (make_case("c1"),)
    assert items_from_json(items_to_json(only_cases)) == only_cases
    with pytest.raises(ValueError):
        check_items(())


def test_a_phone_sees_what_it_needs_to_answer():
    bank = {q.id: q for q in load_questions().questions}
    scale = bank["q-skala-niva1"].phone_json()
    assert scale["kind"] == "scale" and scale["points"] == 5 and scale["low"]["nn"]
    poll = bank["q-niva1-samproduksjon-samskaping"].phone_json()
    assert [o["en"] for o in poll["options"]][:2] == ["Co-production", "Co-creation"]
    assert bank["q-ord-hull"].phone_json()["max"] == OPEN_MAX


# ------------------------------------------------------------------------------ the word cloud


def test_inflections_and_punctuation_count_as_one_word():
    assert key("Frivillighet", "nb") == key("frivilligheten,", "nb") == key("FRIVILLIGHET!", "nb")
    assert key("samarbeid", "nn") == key("samarbeidet", "nn")
    assert key("volunteers", "en") == key("Volunteering.", "en")
    assert key("frivillighet", "nb") != key("kommune", "nb")  # positive control


def test_the_cloud_counts_groups_shows_the_common_form_and_leaves_out_hidden_and_banned():
    entries = [
        Entry(1, "Frivilligheten,"),
        Entry(2, "frivillighet"),
        Entry(3, "frivillighet"),
        Entry(4, "Tillit"),
        Entry(5, "tillit", hidden=True),
        Entry(6, "faen"),
        Entry(7, "jævla kommune"),
    ]
    words = cloud(entries, banned_keys(load_questions().banned["nb"], "nb"), "nb")
    assert [(w.label, w.count) for w in words] == [("frivillighet", 3), ("tillit", 1)]


def test_a_banned_word_is_caught_in_its_inflections_and_the_list_is_parsed_kindly():
    banned = banned_keys(parse_banned("Kaffe, pølse\n\n  vaffel  ;kaffe"), "nb")
    assert is_banned("Kaffen", banned, "nb") and is_banned("mange pølser", banned, "nb")
    assert not is_banned("te", banned, "nb")
    assert parse_banned("Kaffe, pølse\n\n  vaffel  ;kaffe") == ("kaffe", "pølse", "vaffel")
