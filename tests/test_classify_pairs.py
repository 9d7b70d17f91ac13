"""The contrast-pair round of Klassifiser ("Kontrastpar"): the pure selection and session
(kit.classify.contrast) and the app driven without a browser."""

from __future__ import annotations

from html import escape

import pytest
from ipywidgets.widgets.widget import _instances

from kit import Klassifisering
from kit.cases.case import Answer
from kit.cases.casefile import load_cases
from kit.cases.pairs import find_pairs
from kit.classify.contrast import PairSession, select_pairs
from kit.classify.exercise import ALL, MIXED
from kit.core.i18n import t
from kit.core.text import Text
from tests.factories import make_case

LIBRARY = load_cases()

PAIR_CSV = (
    "id;tittel;tekst;prosess;nivå;forklaring;par;forskjell\n"
    "lunsj;Lunsj;Frivillige serverer lunsj etter sykehjemmets plan.;samproduksjon;3;"
    "Fordi de leverer.;lunsj-sammen;Hvem som planla måltidet.\n"
    "lunsj-sammen;Lunsj sammen;Frivillige, ansatte og beboere planlegger lunsjen sammen.;"
    "samskaping;2;Fordi de utvikler.;;\n"
    "alene;Alene;Kommunen gjør det selv.;ingen;;Fordi.;;\n"
).encode()
NO_PAIR_CSV = (
    "id;tittel;tekst;prosess;nivå;forklaring\n"
    "a;A;Tekst.;samproduksjon;3;Fordi.\n"
    "b;B;Tekst.;ingen;;Fordi.\n"
).encode()


def pairs_app(lang: str = "nb", **kwargs) -> Klassifisering:
    app = Klassifisering(lang=lang, seed=4, **kwargs)
    app.mode_choice.value = "pairs"
    return app


def answer_pair(app: Klassifisering, first: Answer, second: Answer) -> None:
    for i, given in enumerate((first, second)):
        app.pair_process[i].value = given.process
        app.pair_level[i].value = given.level_choice
    app.pair_check.click()


def keys(app: Klassifisering) -> tuple[Answer, Answer]:
    pair = app.session.current
    return tuple(Answer(c.process, c.level) for c in pair.cases)


# ---------------------------------------------------------------- the pure round


def test_select_pairs_takes_the_tier_and_count_and_shuffles_sides():
    pairs = find_pairs(LIBRARY)
    every = select_pairs(LIBRARY, MIXED, ALL, seed=None)
    assert every.pairs == pairs and every.available == len(pairs)
    two = select_pairs(LIBRARY, MIXED, 2, seed=1)
    assert len(two.pairs) == 2 and not two.short
    ids = {p.id for p in pairs}
    sides = set()
    for seed in range(20):
        chosen = select_pairs(LIBRARY, MIXED, ALL, seed).pairs
        assert {p.id for p in chosen} == ids
        sides.update(p.first.id for p in chosen)
    # each pair's cases come on either side over the seeds: the side tells nothing
    assert len(sides) > len(pairs) + 5
    middels = select_pairs(LIBRARY, "middels", ALL, seed=1)
    assert middels.pairs and all(p.tier == "middels" for p in middels.pairs)
    more = select_pairs(LIBRARY, "middels", len(middels.pairs) + 1, seed=1)
    assert more.short and more.pairs == middels.pairs and more.available == len(middels.pairs)
    with pytest.raises(ValueError):
        select_pairs(LIBRARY, "umulig")
    with pytest.raises(ValueError):
        select_pairs(LIBRARY, MIXED, 0)


def test_a_pair_session_judges_both_and_counts_cases():
    session = PairSession(find_pairs(LIBRARY)[:2])
    assert session.total == 4 and session.pair_total == 2 and not session.checked
    with pytest.raises(RuntimeError):
        session.advance()
    first, second = session.current.cases
    verdict = session.answer(Answer(first.process, first.level), Answer("ingen", None))
    assert verdict.correct == (1 if second.process != "ingen" else 2)
    assert session.answer(Answer("ingen", None), Answer("ingen", None)) is verdict  # once
    assert session.answered == 2 and [f.case for f in session.feedbacks] == [first, second]
    session.advance()
    session.stop()
    assert session.finished and session.score().answered == 2
    assert session.wrong_cases() == ((second,) if second.process != "ingen" else ())
    with pytest.raises(ValueError):
        PairSession([])


# ---------------------------------------------------------------- the app


def test_a_whole_pair_round_with_both_keys_the_difference_and_the_summary():
    app = pairs_app()
    app.count_choice.value = 5
    app.start_button.click()
    session = app.session
    assert isinstance(session, PairSession) and app.phase == "pairs"
    assert app.pair_box.layout.display is None and app.exercise_box.layout.display == "none"
    assert session.pair_total == 5
    assert "Kontrastpar 1 av 5" in app.pair_head.value and "data-kit-focus" in app.pair_head.value
    a, b = session.current.cases
    assert "Case A: " + a.title.nb in app.pair_views[0].value
    assert "Case B: " + b.title.nb in app.pair_views[1].value
    assert app.pair_process[1].description == "Prosess i case B"
    answer_pair(app, *keys(app))
    feedback = app.pair_feedback.value
    assert "Resultat: 2 av 2 helt riktige" in feedback
    assert a.explanation.nb in feedback and b.explanation.nb in feedback
    assert "Hva skiller dem?" in feedback
    assert app.pair_check.disabled and not app.pair_next.disabled
    assert all(c.disabled for c in (*app.pair_process, *app.pair_level))
    for _ in range(4):
        app.pair_next.click()
        answer_pair(app, Answer("ingen", None), Answer("ingen", None))
    assert app.pair_next.description == "Se oppsummering"
    assert app.pair_finish.layout.display == "none"
    app.pair_next.click()
    assert app.phase == "summary"
    score = session.score()
    assert score.answered == 10
    assert f"Du fikk {score.correct} av 10 helt riktige" in app.summary_text.value
    # "practise the ones I got wrong" goes on with one case at a time
    app.practise_button.click()
    assert app.phase == "exercise" and app.session.total == len(session.wrong_cases())


def test_a_wrong_answer_shows_both_keys_and_marks_the_choice():
    app = pairs_app("en")
    app.start_button.click()
    a, b = app.session.current.cases
    wrong = Answer("ingen", None) if a.process != "ingen" else Answer("samskaping", 1)
    answer_pair(app, wrong, Answer(b.process, b.level))
    feedback = app.pair_feedback.value
    assert "Result: 1 of 2 fully right" in feedback
    assert "Key: case A is" in feedback and "Case B is" in feedback
    assert "✘ Process: wrong." in feedback
    assert "right" in app.pair_process[0].verdicts and "wrong" in app.pair_process[0].verdicts


def test_the_difference_of_a_teachers_pair_is_shown_after_the_check():
    app = pairs_app()
    app.load_file(PAIR_CSV, "par.csv")
    app.start_button.click()
    assert app.session.pair_total == 1
    assert "Hvem som planla måltidet." not in app.pair_feedback.value
    answer_pair(app, Answer("ingen", None), Answer("ingen", None))
    assert "Hvem som planla måltidet." in app.pair_feedback.value
    assert "Resultat: 0 av 2 helt riktige" in app.pair_feedback.value


def test_without_a_difference_the_explanations_are_pointed_to():
    cases = (
        make_case("a", "samproduksjon", 3, pair="b"),
        make_case("b", "samskaping", 2, pair="a"),
    )
    app = pairs_app("nn", cases=cases)
    app.start_button.click()
    answer_pair(app, *keys(app))
    assert t("pair_difference_none", "nn") in app.pair_feedback.value


def test_check_without_all_four_choices_asks_for_them():
    app = pairs_app()
    app.start_button.click()
    app.pair_process[0].value = "samskaping"
    app.pair_level[0].value = 1
    app.pair_process[1].value = "ingen"
    app.pair_check.click()
    assert t("klass_pair_choose_all", "nb") in app.pair_feedback.value
    assert not app.session.checked


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_file_without_pairs_gives_a_clear_message(lang):
    app = pairs_app(lang)
    app.load_file(NO_PAIR_CSV, "uten-par.csv")
    app.start_button.click()
    assert app.phase == "setup" and app.session is None
    assert escape(t("klass_no_pairs", lang)) in app.start_message.value
    assert "role='alert'" in app.start_message.value


def test_a_tier_without_pairs_names_the_tier():
    cases = (
        make_case("a", "samproduksjon", 3, pair="b", tier="lett"),
        make_case("b", "ingen", None, tier="middels"),
        make_case("c", "ingen", None, tier="vanskelig"),
    )
    app = pairs_app(cases=cases)
    app.tier_choice.value = "vanskelig"
    app.start_button.click()
    assert app.phase == "setup"
    assert "«vanskelig»" in app.start_message.value
    app.tier_choice.value = "middels"  # the pair's harder case is middels
    assert app.start_message.value == ""
    app.start_button.click()
    assert app.phase == "pairs" and app.session.current.tier == "middels"


def test_more_pairs_than_the_set_has_says_so():
    app = pairs_app()
    app.load_file(PAIR_CSV, "par.csv")
    app.count_choice.value = 5
    app.start_button.click()
    assert "bare 1. Du får alle 1." in app.pair_note.value


def test_the_count_is_of_pairs_in_pair_mode_in_each_language():
    app = Klassifisering(lang="nn")
    assert app.count_choice.description == "Tal på case"
    app.mode_choice.value = "pairs"
    assert app.count_choice.description == "Tal på par"
    app.language.value = "en"
    assert app.count_choice.description == "Number of pairs"
    assert app.mode_choice.options == [
        ("One case at a time", "single"),
        ("Contrast pairs", "pairs"),
    ]
    assert app.mode_choice.value == "pairs" and app.mode_choice.description == "Kind of exercise"


def test_language_switch_keeps_the_pair_and_its_choices():
    app = pairs_app()
    app.start_button.click()
    pair = app.session.current
    app.pair_process[0].value = "samskaping"
    app.language.value = "en"
    assert app.session.current == pair and app.pair_process[0].value == "samskaping"
    assert "Contrast pair 1 of" in app.pair_head.value
    assert app.pair_level[1].description == "Level in case B"


def test_finish_early_counts_the_pairs_answered():
    app = pairs_app()
    app.start_button.click()
    answer_pair(app, *keys(app))
    app.pair_finish.click()
    assert app.phase == "summary"
    assert "Du fikk 2 av 2 helt riktige" in app.summary_text.value


def test_pair_rounds_make_no_new_widgets():
    app = pairs_app()
    app.start_button.click()
    answer_pair(app, *keys(app))
    app.pair_next.click()
    before = len(_instances)
    for _ in range(3):
        answer_pair(app, *keys(app))
        app.pair_next.click()
    assert len(_instances) == before


def test_hostile_text_in_a_pair_is_shown_as_text():
    cases = (
        make_case("a", "samproduksjon", 3, title="<b>A</b>", pair="b"),
        make_case("b", "ingen", None, difference=Text("<script>x</script>")),
    )
    app = pairs_app(cases=cases)
    app.start_button.click()
    answer_pair(app, *keys(app))
    shown = app.pair_views[0].value + app.pair_views[1].value + app.pair_feedback.value
    assert "<b>A</b>" not in shown and "&lt;b&gt;A&lt;/b&gt;" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
