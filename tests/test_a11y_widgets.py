"""The keyboard and screen-reader controls (kit.core.ui.controls) and the apps that use them,
driven without a browser; and the apps keeping their widgets across language switches."""

from __future__ import annotations

from functools import partial

import pytest
import traitlets
from ipywidgets.widgets.widget import _instances

from kit import Begreper, Klassifisering, Kommuneplaner, Kompass, Modellen
from kit.cases.casefile import load_cases
from kit.core.i18n import LANGUAGES, t
from kit.core.ui.app import _tree
from kit.core.ui.controls import ChoiceGroup, PressButton, Region
from tests.factories import make_case

# -- ChoiceGroup ---------------------------------------------------------------------------


def test_choice_group_keeps_value_and_index_in_step():
    group = ChoiceGroup([("Én", "a"), ("To", "b"), ("Tre", 3)], description="Velg")
    assert group.labels == ["Én", "To", "Tre"] and group.index == -1 and group.value is None
    seen = []
    group.observe(lambda change: seen.append(change["new"]), names="value")
    group.value = "b"
    assert group.index == 1
    group.index = 2  # what a click in the browser sends
    assert group.value == 3 and seen == ["b", 3]
    group.value = None
    assert group.index == -1
    with pytest.raises(traitlets.TraitError):
        group.value = "x"


def test_choice_group_new_labels_keep_the_choice_and_a_lost_value_is_cleared():
    group = ChoiceGroup([("Én", "a"), ("To", "b")], value="b")
    assert group.index == 1
    group.options = [("One", "a"), ("Two", "b")]  # a language switch: same values
    assert group.value == "b" and group.index == 1 and group.labels == ["One", "Two"]
    group.options = [("Two", "b"), ("Three", "c")]
    assert group.value == "b" and group.index == 0
    group.options = [("Three", "c")]
    assert group.value is None and group.index == -1


# -- Region and PressButton -------------------------------------------------------------------


def test_region_focuses_only_when_asked():
    region = Region(role="status", cls="kit-fb")
    assert region.value == "" and "kit-fb" in region._dom_classes
    region.show("<p>Riktig</p>")
    assert region.value == "<p>Riktig</p>" and region.focus_token == 0
    region.show("<p>Feil</p>", focus=True)
    assert region.value == "<p>Feil</p>" and region.focus_token == 1
    region.focus()
    assert region.focus_token == 2


def test_press_button_clicks_from_python_and_from_the_browser():
    button = PressButton(description="Nivå 1")
    clicks = []
    button.on_click(lambda b: clicks.append(b.description))
    button.click()
    button._handle_message(button, {"event": "click"}, [])
    button._handle_message(button, {"event": "other"}, [])
    assert clicks == ["Nivå 1", "Nivå 1"]
    button.disabled = True
    button.click()
    assert len(clicks) == 2


# -- the classification exercise ----------------------------------------------------------------


#: the exercise's cases: "Tittel 1", "Tittel 2", ... in bokmål only
exercise_case = partial(make_case, explanation="Forklaring.", domain="kultur")
TWO_CASES = tuple(exercise_case(f"c{i}", title=f"Tittel {i}", text=f"Tekst {i}.") for i in (1, 2))


def test_exercise_feedback_is_a_live_region_from_the_start_and_takes_the_focus():
    app = Klassifisering(lang="nb", cases=TWO_CASES, seed=1)
    assert app.feedback.role == "status" and app.feedback.value == ""
    assert app.feedback.label == "Tilbakemelding"
    assert app.process_choice.description == "Prosess" and app.level_choice.description == "Nivå"
    app.shuffle_box.value = False
    app.start_button.click()
    assert app.case_view.focus_token == 1  # the first case's title
    assert "data-kit-focus" in app.case_view.value and "Tittel 1" in app.case_view.value
    app.check_button.click()  # nothing chosen: said in the live region, focus stays
    assert "Velg både prosess og nivå" in app.feedback.value
    assert app.feedback.focus_token == 0
    app.process_choice.value = "samskaping"
    app.level_choice.value = 1
    app.check_button.click()
    assert "Helt riktig!" in app.feedback.value and app.feedback.focus_token == 1
    assert "role=" not in app.feedback.value  # the region itself is the live region
    assert app.process_choice.disabled and app.level_choice.disabled
    app.next_button.click()
    assert app.case_view.focus_token == 2 and "Tittel 2" in app.case_view.value
    assert app.feedback.value == "" and app.process_choice.value is None
    app.process_choice.value = "ingen"
    app.level_choice.value = 0
    app.check_button.click()
    app.next_button.click()  # to the summary: its heading takes the focus
    assert app.phase == "summary" and app.summary_text.focus_token == 1
    assert "data-kit-focus" in app.summary_text.value
    app.restart_button.click()
    assert app.phase == "setup" and app.setup_heading.focus_token == 1


def test_exercise_language_switch_changes_texts_in_the_same_widgets():
    app = Klassifisering(lang="nb", cases=tuple(load_cases()[:3]), seed=2)
    app.start_button.click()
    app.process_choice.value = "samproduksjon"
    before = dict(_tree([app]))
    app.language.value = "en"
    assert dict(_tree([app])).keys() == before.keys()  # the very same widgets
    assert app.process_choice.description == "Process"
    assert app.process_choice.labels[0] == t("process_samskaping", "en") != t("process_samskaping")
    assert app.process_choice.value == "samproduksjon"  # the choice stays
    assert app.check_button.description == "Check answer"
    assert app.feedback.label == "Feedback"
    assert app.source_choice.description == "Case set"


# -- the model explorer ---------------------------------------------------------------------------


def test_explorer_exposes_the_chosen_level_as_pressed_and_checked():
    app = Modellen(lang="nb")
    assert [app.level_buttons[n].pressed for n in (1, 2, 3)] == [True, False, False]
    assert isinstance(app.level_select, ChoiceGroup) and app.level_select.value == 1
    assert app.level_select.description == "Velg nivå"
    app.level_select.index = 1  # the browser checks "Nivå 2"
    assert app.selected == 2
    assert [app.level_buttons[n].pressed for n in (1, 2, 3)] == [False, True, False]
    app.level_buttons[3].click()
    assert app.level_select.value == 3 and app.level_select.index == 2
    assert app.level_buttons[3].tip == "Vis nivå 3"
    app.language.value = "en"
    assert app.level_select.labels == ["Level 1", "Level 2", "Level 3"]
    assert app.level_select.value == 3 and app.level_buttons[3].pressed
    assert app.level_buttons[3].description.startswith("Level 3")


# -- the concepts app: one name per question ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_concepts_repeated_controls_have_unique_names(lang):
    app = Begreper(lang=lang)
    buttons = [q.check.description for q in app.questions]
    groups = [q.choice.description for q in app.questions]
    assert len(set(buttons)) == len(buttons) == len(app.questions)
    assert len(set(groups)) == len(groups)
    assert buttons[1] == t("check_button_n", lang, n=2)
    # the visible text of the old button is part of the name (WCAG 2.5.3)
    assert buttons[0].startswith(t("check_button", lang))


def test_concepts_check_moves_focus_to_the_feedback_only_for_an_answer():
    app = Begreper(lang="nb")
    q = app.questions[0]
    assert q.feedback.role == "status" and q.feedback.value == ""
    q.check.click()
    assert "Velg et svar først." in q.feedback.value and q.feedback.focus_token == 0
    q.choice.value = q.question.answer
    q.check.click()
    assert "Riktig." in q.feedback.value and q.feedback.focus_token == 1


def test_compass_result_takes_the_focus_when_shown():
    app = Kompass(lang="nb")
    app.show_button.click()
    assert app.result.focus_token == 1 and "data-kit-focus" in app.result.value
    app.questions["participants"].value = "frivillige"  # updates without moving the focus
    assert app.result.focus_token == 1


# -- widgets kept, not rebuilt -------------------------------------------------------------------


def _exercise_in_summary() -> Klassifisering:
    second = exercise_case("c2", "ingen", None, title="Tittel 2", text="Tekst 2.")
    app = Klassifisering(lang="nb", cases=(TWO_CASES[0], second), seed=3)
    app.start_button.click()
    for _ in range(2):
        app.process_choice.value = "samskaping"
        app.level_choice.value = 1
        app.check_button.click()
        app.next_button.click()
    assert app.phase == "summary"
    return app


def _plans_with_example() -> Kommuneplaner:
    app = Kommuneplaner(lang="nb")
    app.use_example()
    return app


def _compass_shown() -> Kompass:
    app = Kompass(lang="nb")
    app.questions["participants"].value = "frivillige"
    app.show_button.click()
    return app


@pytest.mark.parametrize(
    "make",
    [Begreper, Modellen, _compass_shown, _exercise_in_summary, _plans_with_example],
    ids=["begreper", "modellen", "kompass", "klassifiser", "kommuneplaner"],
)
def test_language_switches_keep_the_widgets(make):
    app = make()
    kept = set(_tree([app]))
    app.language.value = "nn"  # a first switch may make nothing either
    counts = []
    for lang in ("en", "nb", "nn") * 3:
        app.language.value = lang
        counts.append(len(_instances))
    assert len(set(counts)) == 1, counts
    assert set(_tree([app])) == kept  # the same widget objects, texts changed in place
    assert app.page.lang == "nn"


def test_plans_reading_table_after_table_leaves_no_widgets_behind():
    app = _plans_with_example()
    counts = []
    for _ in range(4):
        app.use_example()
        app.load_file(b"kommune;\xe5r\n", "tom.csv")  # a table with problems: no charts
        app.use_example()
        counts.append(len(_instances))
    assert len(set(counts)) == 1, counts
