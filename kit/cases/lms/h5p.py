"""H5P (pure): a ``.h5p`` package per language, a Question Set of Multiple Choice questions,
for an H5P-enabled platform (Moodle's and KS Læring's H5P activity, itslearning, NDLA's and
other H5P hosts).

The package holds ``h5p.json`` and ``content/content.json`` only: the libraries it names
(:data:`LIBRARIES`, as ``preloadedDependencies``) are ones an H5P platform has already or
installs from the H5P hub, so none is copied in. Every text the player shows is in the
package's language. A group of one field in a library's semantics is written as that field's
value (H5P's rule), as ``overallFeedback`` is. A Multiple Choice question with one answer is all or nothing in H5P, so
the answer the exercise gives half a point scores 0 here, and its feedback says it was
nearly right.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from kit.cases.lms.items import Item
from kit.cases.lms.package import stable_uuid, zip_bytes
from kit.core.i18n import t

QUESTION_SET = ("H5P.QuestionSet", 1, 20)
MULTIPLE_CHOICE = ("H5P.MultiChoice", 1, 16)
#: The libraries the package names, (machine name, major, minor).
LIBRARIES = (QUESTION_SET, MULTIPLE_CHOICE)


def _library(library: tuple[str, int, int]) -> str:
    name, major, minor = library
    return f"{name} {major}.{minor}"


def _texts(lang: str, keys: dict[str, str]) -> dict[str, str]:
    return {field: t(key, lang) for field, key in keys.items()}


_SET_TEXTS = {
    "prevButton": "h5p_qs_prev_button",
    "previous": "h5p_qs_previous",
    "nextButton": "h5p_qs_next_button",
    "next": "h5p_qs_next",
    "finishButton": "h5p_qs_finish_button",
    "submitButton": "h5p_qs_submit_button",
    "textualProgress": "h5p_qs_textual_progress",
    "jumpToQuestion": "h5p_qs_jump_to_question",
    "questionLabel": "h5p_qs_question_label",
    "readSpeakerProgress": "h5p_qs_read_speaker_progress",
    "unansweredText": "h5p_qs_unanswered",
    "answeredText": "h5p_qs_answered",
    "currentQuestionText": "h5p_qs_current_question",
    "navigationLabel": "h5p_qs_navigation_label",
    "questionSetInstruction": "h5p_qs_instruction",
}
_END_TEXTS = {
    "noResultMessage": "h5p_qs_no_result",
    "message": "h5p_qs_message",
    "amountCorrect": "h5p_qs_amount_correct",
    "scoreBarLabel": "h5p_qs_score_bar",
    "scoreHeader": "h5p_qs_score_header",
    "solutionButtonText": "h5p_qs_solution_button",
    "retryButtonText": "h5p_qs_retry_button",
    "finishButtonText": "h5p_qs_finish_button",
    "submitButtonText": "h5p_qs_submit_button",
    "skipButtonText": "h5p_qs_skip_button",
}
_CHOICE_UI = {
    "checkAnswerButton": "h5p_mc_check",
    "submitAnswerButton": "h5p_mc_submit",
    "showSolutionButton": "h5p_mc_show_solution",
    "tryAgainButton": "h5p_mc_try_again",
    "tipsLabel": "h5p_mc_tips_label",
    "scoreBarLabel": "h5p_mc_score_bar",
    "tipAvailable": "h5p_mc_tip_available",
    "feedbackAvailable": "h5p_mc_feedback_available",
    "readFeedback": "h5p_mc_read_feedback",
    "wrongAnswer": "h5p_mc_wrong_answer",
    "correctAnswer": "h5p_mc_correct_answer",
    "shouldCheck": "h5p_mc_should_check",
    "shouldNotCheck": "h5p_mc_should_not_check",
    "noInput": "h5p_mc_no_input",
    "a11yCheck": "h5p_mc_a11y_check",
    "a11yShowSolution": "h5p_mc_a11y_show_solution",
    "a11yRetry": "h5p_mc_a11y_retry",
}


def _question(item: Item) -> dict[str, Any]:
    lang = item.lang
    explanation = escape(item.explanation, quote=False)
    params = {
        "media": {"disableImageZooming": False},
        "question": f"<p><strong>{escape(item.title, quote=False)}</strong></p>" + item.stem_html(),
        "answers": [
            {
                "text": f"<div>{escape(choice.label, quote=False)}</div>",
                "correct": choice.points == 1,
                "tipsAndFeedback": {
                    "tip": "",
                    "chosenFeedback": f"<div>{escape(choice.feedback, quote=False)} "
                    f"{explanation}</div>",
                    "notChosenFeedback": "",
                },
            }
            for choice in item.choices
        ],
        "overallFeedback": [{"from": 0, "to": 100}],
        "UI": _texts(lang, _CHOICE_UI),
        "behaviour": {
            "enableRetry": True,
            "enableSolutionsButton": True,
            "enableCheckButton": True,
            "type": "single",
            "singlePoint": False,
            "randomAnswers": False,
            "showSolutionsRequiresInput": True,
            "confirmCheckDialog": False,
            "confirmRetryDialog": False,
            "autoCheck": False,
            "passPercentage": 100,
            "showScorePoints": True,
        },
        "confirmCheck": {
            "header": t("h5p_mc_confirm_check_header", lang),
            "body": t("h5p_mc_confirm_check_body", lang),
            "cancelLabel": t("h5p_mc_cancel", lang),
            "confirmLabel": t("h5p_qs_finish_button", lang),
        },
        "confirmRetry": {
            "header": t("h5p_mc_confirm_retry_header", lang),
            "body": t("h5p_mc_confirm_retry_body", lang),
            "cancelLabel": t("h5p_mc_cancel", lang),
            "confirmLabel": t("h5p_mc_confirm", lang),
        },
    }
    return {
        "library": _library(MULTIPLE_CHOICE),
        "params": params,
        "subContentId": stable_uuid("h5p", item.id),
        "metadata": {"contentType": "Multiple Choice", "license": "U", "title": item.title},
    }


def content(items: Sequence[Item], lang: str) -> dict[str, Any]:
    """``content/content.json`` of the Question Set of ``lang``'s items."""
    return {
        "introPage": {
            "showIntroPage": True,
            "title": t("lms_title", lang),
            "introduction": f"<p>{escape(t('lms_constructed', lang), quote=False)}</p>",
            "startButtonText": t("h5p_qs_start", lang),
        },
        "progressType": "textual",
        "passPercentage": 50,
        "questions": [_question(item) for item in items if item.lang == lang],
        "texts": _texts(lang, _SET_TEXTS),
        "disableBackwardsNavigation": False,
        "randomQuestions": False,
        "endGame": {
            "showResultPage": True,
            "showSolutionButton": True,
            "showRetryButton": True,
            "overallFeedback": [{"from": 0, "to": 100}],
            "showAnimations": False,
            "skippable": False,
            **_texts(lang, _END_TEXTS),
        },
        "override": {"checkButton": True},
    }


def h5p_json(lang: str) -> dict[str, Any]:
    """``h5p.json``: the package's title, language, main library and the libraries it uses."""
    return {
        "title": t("lms_title", lang),
        "language": lang,
        "mainLibrary": QUESTION_SET[0],
        "embedTypes": ["iframe"],
        "license": "U",
        "defaultLanguage": lang,
        "preloadedDependencies": [
            {"machineName": name, "majorVersion": major, "minorVersion": minor}
            for name, major, minor in LIBRARIES
        ],
    }


def h5p_package(items: Sequence[Item], lang: str) -> bytes:
    """The ``.h5p`` file of ``lang``'s items."""

    def dump(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")

    return zip_bytes(
        [("h5p.json", dump(h5p_json(lang))), ("content/content.json", dump(content(items, lang)))]
    )
