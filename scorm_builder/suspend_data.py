"""The largest cmi.suspend_data a lesson's run-time can write, proven at build time (issue 16).

Strict SCORM 1.2 LMSs keep 4,096 characters of suspend_data (Moodle keeps more by default;
others cut it or refuse the whole value). `worst_case_length` mirrors exactly what
`serialize()` in templates/static/runtime.js writes, filled with the longest values it can
hold; the build refuses a quiz whose worst case does not fit.
"""

from __future__ import annotations

import json

from scorm_builder.content_version import DIGEST_LENGTH
from scorm_builder.i18n import _
from scorm_builder.model import Lesson, Question, Quiz
from scorm_builder.problems import Problem
from scorm_builder.settings import MAX_VERSION  # characters of course.toml's version

LIMIT = 4096  # characters, SCORM 1.2's CMIString4096
MAX_NUMERIC = 20  # characters kept of a typed numeric answer (runtime.js MAX_NUMERIC)
MAX_TRIES = 9999  # the try counter stops there when attempts are unlimited (runtime.js MAX_TRIES)
LARGEST_SEED = 0x7FFFFFFF - 1  # Math.floor(Math.random() * 0x7fffffff)
LONGEST_SCORE = 99.99  # a percentage with two decimals, as long as one can be written
# The content version ("1.0+3f9a0c12"), every character of the version escaped in JSON at worst.
LONGEST_VERSION = 2 * MAX_VERSION + 1 + DIGEST_LENGTH
MAX_READ_SECONDS = 99999  # seconds of reading kept per page (runtime.js serialize): 27 h
# When the attestation was confirmed, "YYYY-MM-DD HH:MM" (toLocaleString("sv")).
ATTESTED_AT = "2026-12-31 23:59"
# Interaction ids the run-time writes besides the questions' (runtime.js journal()).


def worst_case_length(quiz: Quiz | None, page_count: int) -> int:
    """Characters of the longest suspend_data the run-time writes for this lesson."""
    answers = [""] * len(quiz.questions) if quiz else []
    if quiz:
        for indices in _drawn_at_most(quiz):
            for index in indices:
                answers[index] = "x" * _longest_answer(quiz.questions[index])
    tries = (quiz.max_attempts or MAX_TRIES) if quiz else 0
    state = {
        "s": "1" * page_count,
        "a": answers,
        "t": tries,
        "g": 1,
        "b": LONGEST_SCORE,
        "r": LARGEST_SEED,
        "v": "x" * LONGEST_VERSION,
        "d": "2026-12-31",  # the day the quiz was passed
        "w": [MAX_READ_SECONDS] * page_count,
        "e": ATTESTED_AT,
    }
    return len(json.dumps(state, ensure_ascii=False, separators=(",", ":")))


def budget_problems(lesson: Lesson) -> list[Problem]:
    """An author error when the lesson's saved progress could exceed what LMSs keep."""
    page_count = len(lesson.pages) + (1 if lesson.attestation else 0) + (1 if lesson.quiz else 0)
    worst = worst_case_length(lesson.quiz, page_count)
    if lesson.quiz is None:
        return []
    if worst <= LIMIT:
        return []
    over = worst - LIMIT
    return [
        Problem(
            rule="quiz-too-large",
            severity="error",
            file=f"lessons/{lesson.id}.quiz.toml",
            message=_(
                "a learner's saved progress in this quiz could reach {worst} characters, "
                "over the {limit} that SCORM 1.2 LMSs keep ({over} too many): the LMS "
                "would lose the answers of a learner who leaves and comes back"
            ).format(worst=f"{worst:,}", limit=f"{LIMIT:,}", over=f"{over:,}"),
            fix=_(
                "draw fewer questions per attempt (draw = ...), give multiple-choice "
                "questions fewer choices, or split the quiz over two lessons"
            ),
        ),
    ]


def _longest_answer(question: Question) -> int:
    if question.type == "numeric":
        return MAX_NUMERIC
    if question.type == "multiple":
        return len(question.choices)
    return 1  # single choice, true-false: one key


def _drawn_at_most(quiz: Quiz) -> list[list[int]]:
    """For each pool, the indices of the questions a draw may hold at worst: the longest answers.

    Questions that are not drawn keep an empty answer ("")."""
    if quiz.objectives:
        pools = [
            ([i for i, q in enumerate(quiz.questions) if q.objective == o.id], o.draw)
            for o in quiz.objectives
        ]
    else:
        pools = [(list(range(len(quiz.questions))), quiz.draw)]
    worst = []
    for pool, count in pools:
        longest = sorted(pool, key=lambda i: _longest_answer(quiz.questions[i]), reverse=True)
        worst.append(longest[: count or len(pool)])
    return worst
