"""Stage 1c: read a lesson's quiz (`<lesson>.quiz.toml`)."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from scorm_builder.model import Choice, Question, Quiz
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.toml_file import closest, read_toml

QUIZ_KEYS = ["pass_mark", "max_attempts", "shuffle_questions", "shuffle_choices", "questions"]
QUESTION_KEYS = ["id", "type", "text", "choices", "answer", "explanation", "points", "tolerance"]
TYPES = ["single", "multiple", "true-false", "numeric"]
# SCORM 1.2 "choice" responses are single characters, so a question has at most 26 choices.
CHOICE_KEYS = string.ascii_lowercase
# cmi.interactions.n.id: the strict SCORM 1.2 identifier characters.
QUESTION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def read_quiz(
    path: Path, shown_as: str, default_pass_mark: float, problems: list[Problem]
) -> Quiz | None:
    data = read_toml(path, shown_as, problems)
    if data is None:
        return None
    report = FileProblems(shown_as, problems)
    errors_before = report.error_count()

    for key in data:
        if key not in QUIZ_KEYS:
            report.error(
                "quiz-unknown-key",
                f"unknown setting '{key}'",
                f"{closest(key, QUIZ_KEYS)}the quiz settings are: {', '.join(QUIZ_KEYS)}",
            )
    pass_mark = data.get("pass_mark", default_pass_mark)
    if (
        isinstance(pass_mark, bool)
        or not isinstance(pass_mark, int | float)
        or not 0 <= pass_mark <= 100
    ):
        report.error(
            "quiz-pass-mark",
            f"the pass mark {pass_mark!r} is not a number from 0 to 100",
            "write a percentage without quotes, for example: pass_mark = 80",
        )
        pass_mark = default_pass_mark
    max_attempts = data.get("max_attempts", 0)
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 0:
        report.error(
            "quiz-max-attempts",
            f"max_attempts {max_attempts!r} is not a whole number",
            "write 0 for unlimited attempts, or the number of attempts allowed",
        )
        max_attempts = 0

    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        report.error(
            "quiz-no-questions",
            "the quiz has no questions",
            "add questions as [[questions]] blocks (see the README)",
        )
        raw_questions = []
    questions = []
    seen_ids: dict[str, int] = {}
    for number, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, dict):
            report.error(
                "quiz-question",
                f"question {number} is not a [[questions]] block",
                "write each question as a [[questions]] block",
            )
            continue
        question = _read_question(number, raw, report)
        if question is None:
            continue
        if question.id in seen_ids:
            report.error(
                "quiz-duplicate-id",
                f"question {number} has the id '{question.id}', already used by question "
                f"{seen_ids[question.id]}",
                "give every question its own id",
            )
            continue
        seen_ids[question.id] = number
        questions.append(question)

    if report.error_count() > errors_before:
        return None
    return Quiz(
        questions=tuple(questions),
        pass_mark=float(pass_mark),
        max_attempts=max_attempts,
        shuffle_questions=bool(data.get("shuffle_questions", False)),
        shuffle_choices=bool(data.get("shuffle_choices", False)),
    )


def _read_question(number: int, raw: dict[str, Any], report: FileProblems) -> Question | None:
    errors_before = report.error_count()
    place = f"question {number}"
    for key in raw:
        if key not in QUESTION_KEYS:
            report.error(
                "quiz-unknown-key",
                f"{place}: unknown setting '{key}'",
                f"{closest(key, QUESTION_KEYS)}a question has: {', '.join(QUESTION_KEYS)}",
            )
    qid = str(raw.get("id", f"q{number}"))
    if not QUESTION_ID.fullmatch(qid):
        report.error(
            "quiz-id",
            f"{place}: the id '{qid}' has characters that are not allowed",
            "use ASCII letters, digits, '-' and '_' (the LMS report shows this id)",
        )
    qtype = raw.get("type", "single")
    if qtype not in TYPES:
        report.error(
            "quiz-type",
            f"{place}: unknown question type '{qtype}'",
            f"{closest(str(qtype), TYPES)}the types are: {', '.join(TYPES)}",
        )
        return None
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        report.error("quiz-no-text", f"{place} has no text", 'add: text = "質問の文"')
    explanation = raw.get("explanation", "")
    if not isinstance(explanation, str) or not explanation.strip():
        report.warning(
            "quiz-no-explanation",
            f"{place} has no explanation",
            'add: explanation = "正解の理由" (learners see it after answering)',
        )
        explanation = ""
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or not 0 < points <= 100:
        report.error(
            "quiz-points",
            f"{place}: points {points!r} is not a number from 1 to 100",
            "write points = 1 (or leave it out)",
        )
        points = 1

    choices: tuple[Choice, ...] = ()
    correct: tuple[str, ...] = ()
    answer = raw.get("answer")
    tolerance = raw.get("tolerance", 0)
    if qtype in ("single", "multiple"):
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            report.error(
                "quiz-choices",
                f"{place} has fewer than two choices",
                'list at least two: choices = ["選択肢1", "選択肢2"]',
            )
            raw_choices = []
        elif len(raw_choices) > len(CHOICE_KEYS):
            report.error(
                "quiz-choices",
                f"{place} has more than {len(CHOICE_KEYS)} choices",
                "split it into several questions",
            )
            raw_choices = []
        pairs = zip(CHOICE_KEYS, raw_choices, strict=False)
        choices = tuple(Choice(key, str(label)) for key, label in pairs)
        numbers = answer if isinstance(answer, list) else [answer] if answer is not None else []
        if not numbers:
            report.error(
                "quiz-no-answer",
                f"{place} has no correct choice",
                "add: answer = 1 (the number of the correct choice, 1 = first)",
            )
        elif qtype == "single" and len(numbers) > 1:
            report.error(
                "quiz-several-answers",
                f"{place} is single choice but has {len(numbers)} answers",
                'use type = "multiple", or keep one number in answer',
            )
        for value in numbers:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= len(choices)
            ):
                if choices:
                    report.error(
                        "quiz-answer-not-a-choice",
                        f"{place}: the answer {value!r} names no choice "
                        f"(it has choices 1 to {len(choices)})",
                        "write the number of the correct choice, counting from 1",
                    )
                numbers = []
                break
        correct = tuple(sorted({CHOICE_KEYS[n - 1] for n in numbers}))
    elif qtype == "true-false":
        if not isinstance(answer, bool):
            report.error(
                "quiz-no-answer",
                f"{place}: a true-false question needs answer = true or false",
                "write answer = true or answer = false (no quotes)",
            )
        else:
            correct = ("t" if answer else "f",)
    else:  # numeric
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            report.error(
                "quiz-no-answer",
                f"{place}: a numeric question needs a number as its answer",
                "write the number without quotes, for example: answer = 175",
            )
        else:
            correct = (_number(answer),)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            report.error(
                "quiz-tolerance",
                f"{place}: tolerance {tolerance!r} is not a number >= 0",
                "write tolerance = 0 for an exact answer",
            )
            tolerance = 0

    if report.error_count() > errors_before:
        return None
    return Question(
        id=qid,
        type=qtype,
        text=str(text).strip(),
        choices=choices,
        correct=correct,
        explanation=explanation.strip(),
        points=float(points),
        tolerance=float(tolerance),
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
