"""Stage 1c: read a lesson's quiz (`<lesson>.quiz.toml`)."""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorm_builder.model import Choice, Question, Quiz
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.settings import is_percentage
from scorm_builder.toml_file import as_written, closest, line_of, read_toml, table_lines

QUIZ_KEYS = ["pass_mark", "max_attempts", "shuffle_questions", "shuffle_choices", "questions"]
QUESTION_KEYS = ["id", "type", "text", "choices", "answer", "explanation", "points", "tolerance"]
TYPES = ["single", "multiple", "true-false", "numeric"]
# SCORM 1.2 "choice" responses are single characters, so a question has at most 26 choices.
CHOICE_KEYS = string.ascii_lowercase
# cmi.interactions.n.id: the strict SCORM 1.2 identifier characters.
QUESTION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Place:
    """Where a question is: its number for messages, its lines in the file for file:line."""

    number: int
    text: str
    start: int | None = None  # line of its [[questions]] header, when the file has one
    end: int | None = None  # line of the next header

    def line(self, key: str | None = None) -> int | None:
        if self.start is None:
            return None
        return (key and line_of(self.text, key, self.start, self.end)) or self.start

    def __str__(self) -> str:
        return f"question {self.number}"


def read_quiz(
    path: Path, shown_as: str, default_pass_mark: float, problems: list[Problem]
) -> Quiz | None:
    toml = read_toml(path, shown_as, problems)
    if toml is None:
        return None
    data, text = toml.data, toml.text
    report = FileProblems(shown_as, problems)
    headers = table_lines(text, "questions")
    # Quiz settings come before the first question; a key below it belongs to a question.
    settings_end = headers[0] if headers else None

    def setting_error(rule: str, key: str, message: str, fix: str) -> None:
        report.error(rule, message, fix, line_of(text, key, 1, settings_end))

    for key in data:
        if key not in QUIZ_KEYS:
            setting_error(
                "quiz-unknown-key",
                key,
                f"unknown setting '{key}'",
                f"{closest(key, QUIZ_KEYS)}the quiz settings are: {', '.join(QUIZ_KEYS)}",
            )
    pass_mark = data.get("pass_mark", default_pass_mark)
    if not is_percentage(pass_mark):
        setting_error(
            "quiz-pass-mark",
            "pass_mark",
            f"the pass mark {as_written(pass_mark)} is not a number from 0 to 100",
            "write a percentage without quotes or '%', for example: pass_mark = 80",
        )
        pass_mark = default_pass_mark
    max_attempts = data.get("max_attempts", 0)
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 0:
        setting_error(
            "quiz-max-attempts",
            "max_attempts",
            f"max_attempts {as_written(max_attempts)} is not a whole number",
            "write 0 for unlimited attempts, or the number of attempts allowed",
        )
        max_attempts = 0
    for key in ("shuffle_questions", "shuffle_choices"):
        if not isinstance(data.get(key, False), bool):
            setting_error(
                "quiz-shuffle",
                key,
                f"{key} {as_written(data[key])} is not true or false",
                f"write {key} = true or {key} = false, without quotes",
            )

    raw_questions = data.get("questions")
    if isinstance(raw_questions, dict):
        setting_error(
            "quiz-no-questions",
            "questions",
            "the questions are written as [questions], with single brackets",
            "start every question with [[questions]], with two brackets on each side",
        )
        raw_questions = []
    elif not isinstance(raw_questions, list) or not raw_questions:
        report.error(
            "quiz-no-questions",
            "the quiz has no questions",
            "add questions as [[questions]] blocks (see the README)",
        )
        raw_questions = []
    # Lines are only known when every question has its own [[questions]] header.
    bounds = list(zip(headers, [*headers[1:], None], strict=False))
    if len(bounds) != len(raw_questions):
        bounds = [(None, None)] * len(raw_questions)

    questions = []
    seen_ids: dict[str, int] = {}
    for number, (raw, (start, end)) in enumerate(zip(raw_questions, bounds, strict=True), 1):
        place = Place(number, text, start, end)
        if not isinstance(raw, dict):
            report.error(
                "quiz-question",
                f"{place} is not a [[questions]] block",
                "write each question as a [[questions]] block (see the README)",
                place.line(),
            )
            continue
        question = _read_question(place, raw, report)
        if question is None:
            continue
        if question.id in seen_ids:
            report.error(
                "quiz-duplicate-id",
                f"{place}: the id '{question.id}' is already used by question "
                f"{seen_ids[question.id]}",
                "give every question its own id",
                place.line("id"),
            )
            continue
        seen_ids[question.id] = number
        questions.append(question)

    if report.error_count():
        return None
    return Quiz(
        questions=tuple(questions),
        pass_mark=float(pass_mark),
        max_attempts=max_attempts,
        shuffle_questions=data.get("shuffle_questions", False),
        shuffle_choices=data.get("shuffle_choices", False),
    )


def _read_question(place: Place, raw: dict[str, Any], report: FileProblems) -> Question | None:
    errors_before = report.error_count()

    def error(rule: str, key: str | None, message: str, fix: str) -> None:
        report.error(rule, f"{place}: {message}", fix, place.line(key))

    for key in raw:
        if key not in QUESTION_KEYS:
            error(
                "quiz-unknown-key",
                key,
                f"unknown setting '{key}'",
                f"{closest(key, QUESTION_KEYS)}a question has: {', '.join(QUESTION_KEYS)}",
            )
    qid = str(raw.get("id", f"q{place.number}"))
    if not QUESTION_ID.fullmatch(qid):
        error(
            "quiz-id",
            "id",
            f"the id '{qid}' has characters that are not allowed",
            "use ASCII letters, digits, '-' and '_' (the LMS report shows this id)",
        )
    qtype = raw.get("type", "single")
    if qtype not in TYPES:
        error(
            "quiz-type",
            "type",
            f"unknown question type '{qtype}'",
            f"{closest(str(qtype), TYPES)}the types are: {', '.join(TYPES)}",
        )
        return None
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        error("quiz-no-text", "text", "the question has no text", 'add: text = "質問の文"')
    explanation = raw.get("explanation", "")
    if not isinstance(explanation, str) or not explanation.strip():
        report.warning(
            "quiz-no-explanation",
            f"{place} has no explanation",
            'add: explanation = "正解の理由" (learners see it after answering)',
            place.line("explanation"),
        )
        explanation = ""
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or not 0 < points <= 100:
        error(
            "quiz-points",
            "points",
            f"points {as_written(points)} is not a number from 1 to 100",
            "write points = 1 (or leave it out)",
        )
        points = 1

    choices: tuple[Choice, ...] = ()
    correct: tuple[str, ...] = ()
    answer = raw.get("answer")
    tolerance = raw.get("tolerance", 0)
    if qtype in ("single", "multiple"):
        choices = _choices(raw.get("choices"), error)
        numbers = answer if isinstance(answer, list) else [answer] if answer is not None else []
        if not numbers:
            error(
                "quiz-no-answer",
                "answer",
                "there is no correct choice",
                "add: answer = 1 (the number of the correct choice, 1 = first)",
            )
        elif qtype == "single" and len(numbers) > 1:
            error(
                "quiz-several-answers",
                "answer",
                f"a single-choice question has {len(numbers)} correct choices",
                'use type = "multiple" (learners choose all that apply), or keep one number',
            )
        wrong = [n for n in numbers if not _is_whole(n) or not 1 <= n <= len(choices)]
        if wrong and choices:
            error(
                "quiz-answer-not-a-choice",
                "answer",
                f"the answer {as_written(wrong[0])} names no choice "
                f"(there are choices 1 to {len(choices)})",
                "write the number of the correct choice without quotes, counting from 1",
            )
        elif not wrong:
            correct = tuple(sorted({CHOICE_KEYS[n - 1] for n in numbers}))
    elif qtype == "true-false":
        if not isinstance(answer, bool):
            error(
                "quiz-no-answer",
                "answer",
                "a true-false question needs answer = true or false",
                "write answer = true or answer = false (no quotes)",
            )
        else:
            correct = ("t" if answer else "f",)
    else:  # numeric
        if not _is_number(answer):
            error(
                "quiz-no-answer",
                "answer",
                "a numeric question needs a number as its answer",
                "write the number without quotes, for example: answer = 175",
            )
        else:
            correct = (_number(answer),)
        if not _is_number(tolerance) or tolerance < 0:
            error(
                "quiz-tolerance",
                "tolerance",
                f"tolerance {as_written(tolerance)} is not a number >= 0",
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


def _choices(raw: Any, error: Any) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        error(
            "quiz-choices",
            "choices",
            "there are fewer than two choices",
            'list at least two: choices = ["選択肢1", "選択肢2"]',
        )
        return ()
    if len(raw) > len(CHOICE_KEYS):
        error(
            "quiz-choices",
            "choices",
            f"there are more than {len(CHOICE_KEYS)} choices",
            "split it into several questions",
        )
        return ()
    for number, label in enumerate(raw, start=1):
        if isinstance(label, list | dict) or not str(label).strip():
            error(
                "quiz-choices",
                "choices",
                f"choice {number} is empty or not a text",
                'write every choice as a text in double quotes: choices = ["はい", "いいえ"]',
            )
            return ()
    # A number or true/false as a choice is shown as written: kinder than an error.
    return tuple(Choice(key, _label(label)) for key, label in zip(CHOICE_KEYS, raw, strict=False))


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _number(value) if isinstance(value, int | float) else str(value).strip()


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
