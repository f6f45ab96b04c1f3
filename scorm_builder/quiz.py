"""Stage 1c: read a lesson's quiz (`<lesson>.quiz.toml`).

The keys of a quiz, of its questions and of its objectives are the tables QUIZ,
QUESTION and OBJECTIVE (read by `toml_schema.read_block`); what one key cannot
check alone (an answer against the choices, questions against their objectives,
how many to draw against the pool) is checked here.
"""

from __future__ import annotations

import difflib
import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scorm_builder.file_names import entries, hidden_ending_note, meant
from scorm_builder.i18n import N_, _
from scorm_builder.model import Choice, Objective, Question, Quiz
from scorm_builder.numbers import decimals, plain_decimal
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.toml_file import SourceLines, as_written, closest, read_toml
from scorm_builder.toml_schema import (
    FLAG_RULE,
    PASS_MARK_RULES,
    Block,
    Key,
    Need,
    Rule,
    Schema,
    is_number,
    is_whole,
    max_length,
    pattern,
    read_block,
)

QUIZ_SUFFIX = ".quiz.toml"
TYPES = ["single", "multiple", "true-false", "numeric"]
# SCORM 1.2 "choice" responses are single characters, so a question has at most 26 choices.
CHOICE_KEYS = string.ascii_lowercase
# cmi.interactions.n.id and cmi.objectives.n.id are CMIIdentifiers: the strict SCORM 1.2
# characters, and a length every LMS report shows whole.
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")
MAX_ID = 64
# The answer box keeps this many characters (runtime.js MAX_NUMERIC), so a longer number
# can never be typed.
MAX_NUMERIC_ANSWER = 20
# cmi.interactions.n.weighting is a CMIDecimal: plain decimals that every LMS stores as is.
MIN_POINTS, MAX_POINTS, POINTS_DECIMALS = 0.01, 100, 2
MAX_ATTEMPTS = 100
MAX_TITLE = 200

_DRAW = Rule(
    lambda value: is_whole(value) and value >= 1,
    N_("draw {value} is not a whole number from 1 up"),
    N_(
        "write how many questions to draw for each attempt, for example: draw = 3 "
        "(leave draw out to use every question)"
    ),
)


def _id_rules(what: str) -> tuple[Rule, ...]:
    """`what` says where the id is seen: an English message id (N_)."""
    return (
        pattern(
            IDENTIFIER,
            N_("the id '{text}' has characters that are not allowed"),
            N_("use ASCII letters, digits, '-' and '_' ({what})"),
            values={"what": what},
        ),
        max_length(MAX_ID, N_("the LMS report allows")),
    )


QUIZ = Schema(
    "quiz",
    (
        Key("pass_mark", None, PASS_MARK_RULES),
        Key(
            "max_attempts",
            0,
            (
                Rule(
                    lambda value: is_whole(value) and value >= 0,
                    N_("max_attempts {value} is not a whole number"),
                    N_("write 0 for unlimited attempts, or the number of attempts allowed"),
                ),
                Rule(
                    lambda value: value <= MAX_ATTEMPTS,
                    N_("max_attempts {value} is more than {limit}"),
                    N_("write 0 for unlimited attempts"),
                    values={"limit": MAX_ATTEMPTS},
                ),
            ),
        ),
        Key("shuffle_questions", False, (FLAG_RULE,)),
        Key("shuffle_choices", False, (FLAG_RULE,)),
        Key("draw", 0, (_DRAW,)),
        Key("objectives"),
        Key("questions"),
    ),
    listing=N_("the quiz settings are: {keys}"),
)
QUESTION = Schema(
    "question",
    (
        Key("id", None, _id_rules(N_("the LMS report shows this id")), text="line"),
        Key(
            "type",
            "single",
            (
                Rule(
                    lambda value: value in TYPES,
                    N_("unknown question type '{text}'"),
                    N_("{suggestion}the types are: {types}"),
                    suggest=TYPES,
                    values={"types": ", ".join(TYPES)},
                ),
            ),
            text="line",
            gate=True,  # the other keys mean different things for each type
        ),
        Key(
            "text",
            "",
            text="text",
            need=Need(N_("the question has no text"), N_('add: text = "質問の文"')),
        ),
        Key("choices", None, text="lines", item=N_("choice")),
        Key("answer"),
        Key(
            "explanation",
            "",
            text="text",
            need=Need(
                N_("{place} has no explanation"),
                N_('add: explanation = "正解の理由" (learners see it after answering)'),
                "warning",
            ),
        ),
        Key(
            "points",
            1,
            (
                Rule(
                    lambda value: (
                        is_number(value)
                        and MIN_POINTS <= value <= MAX_POINTS
                        and decimals(value) <= POINTS_DECIMALS
                    ),
                    N_(
                        "points {value} is not a number from {low} to {high} "
                        "with at most {decimals} decimals"
                    ),
                    N_(
                        "write how much the question counts as a plain number, for example "
                        "points = 2 or points = 0.5 (or leave it out: 1)"
                    ),
                    values={
                        "low": plain_decimal(MIN_POINTS),
                        "high": MAX_POINTS,
                        "decimals": POINTS_DECIMALS,
                    },
                ),
            ),
        ),
        Key(
            "tolerance",
            0,
            (
                Rule(
                    lambda value: is_number(value) and value >= 0,
                    N_("tolerance {value} is not a number >= 0"),
                    N_("write tolerance = 0 for an exact answer"),
                ),
            ),
        ),
        Key("objective", "", text="line"),
    ),
    listing=N_("a question has: {keys}"),
)
OBJECTIVE = Schema(
    "objective",
    (
        Key(
            "id",
            "",
            _id_rules(N_("the LMS stores it as the objective's id")),
            text="line",
            need=Need(
                N_("{place} has no id"),
                N_('add: id = "basics" (the questions name it: objective = "basics")'),
            ),
        ),
        Key(
            "title",
            "",
            (max_length(MAX_TITLE, N_("a title has")),),
            text="line",
            need=Need(
                N_("{place} has no title"),
                N_('add: title = "LLMの仕組み" (learners see it with their result)'),
            ),
        ),
        Key("draw", 0, (_DRAW,)),
        Key("pass_mark", None, PASS_MARK_RULES),
    ),
    listing=N_("an objective has: {keys}"),
)
QUIZ_KEYS = QUIZ.names
QUESTION_KEYS = QUESTION.names
OBJECTIVE_KEYS = OBJECTIVE.names


def read_quiz(
    path: Path, shown_as: str, default_pass_mark: float, problems: list[Problem]
) -> Quiz | None:
    toml = read_toml(path, shown_as, problems, course_dir=path.parent.parent)
    if toml is None:
        return None
    lines = toml.lines
    report = FileProblems(shown_as, problems)
    top = Block(lines, end=lines.top_end())
    settings = read_block(toml.data, QUIZ, top, report, {"pass_mark": default_pass_mark})
    objective_blocks = _blocks(settings["objectives"], "objectives", OBJECTIVE_WORDS, lines, report)
    objectives = [_read_objective(raw, block, report) for raw, block in objective_blocks]
    # Counted from what is written, so that one broken block does not make others look wrong.
    known = [_as_id(raw.get("id")) for raw, _ in objective_blocks]
    objective_written = settings["objectives"] is not None
    raw_questions = settings["questions"]
    if not isinstance(raw_questions, list | dict) or not raw_questions:
        report.error(
            "quiz-no-questions",
            _("the quiz has no questions"),
            _("add questions as [[questions]] blocks (see the README)"),
        )
        raw_questions = []
    question_blocks = _blocks(raw_questions, "questions", QUESTION_WORDS, lines, report)
    pools = Counter(_as_id(raw.get("objective")) for raw, _ in question_blocks)
    questions = []
    seen_ids: dict[str, int] = {}
    for number, (raw, block) in enumerate(question_blocks, start=1):
        question = _read_question(raw, block, number, report)
        if question is None:
            continue
        if known or not objective_written:  # written but unreadable: reported already
            _check_objective_named(question, known, block, report)
        if question.id in seen_ids:
            report.error(
                "quiz-duplicate-id",
                _("{place}: the id '{id}' is already used by question {number}").format(
                    place=block.place, id=question.id, number=seen_ids[question.id]
                ),
                _("give every question its own id"),
                block.line("id"),
            )
            continue
        seen_ids[question.id] = number
        questions.append(question)
    objectives_read = [objective for objective in objectives if objective is not None]
    _check_draws(settings["draw"], objectives_read, pools, len(question_blocks), top, report)

    if report.error_count():
        return None
    return Quiz(
        questions=tuple(questions),
        pass_mark=float(settings["pass_mark"]),
        max_attempts=settings["max_attempts"],
        shuffle_questions=settings["shuffle_questions"],
        shuffle_choices=settings["shuffle_choices"],
        objectives=tuple(objective for objective, _ in objectives_read),
        draw=settings["draw"],
    )


def _as_id(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# What one block is called in messages: the word, and the place ("question 3").
QUESTION_WORDS = (N_("question"), N_("question {number}"))
OBJECTIVE_WORDS = (N_("objective"), N_("objective {number}"))


def _blocks(
    raw: Any, name: str, words: tuple[str, str], lines: SourceLines, report: FileProblems
) -> list[tuple[Any, Block]]:
    """The [[name]] blocks of the file, each with where it is (when that can be known)."""
    what, place = _(words[0]), _(words[1])
    if raw is None:
        return []
    if isinstance(raw, dict):
        header = next((h.line for h in lines.headers if h.name == name and not h.array), None)
        report.error(
            f"quiz-{name}",
            _("the {name} are written as [{name}], with single brackets").format(name=name),
            _("start every {what} with [[{name}]], with two brackets on each side").format(
                what=what, name=name
            ),
            header,
        )
        return []
    if not isinstance(raw, list):
        report.error(
            f"quiz-{name}",
            _("{name} must be [[{name}]] blocks").format(name=name),
            _("start every {what} with [[{name}]] on a line of its own (see the README)").format(
                what=what, name=name
            ),
            lines.key(name, 1, lines.top_end()),
        )
        return []
    bounds = lines.blocks(name)
    # Lines are only known when every block has its own [[name]] header.
    located = len(bounds) == len(raw)
    blocks = []
    for number, item in enumerate(raw, start=1):
        start, end = bounds[number - 1] if located else (1, None)
        shown = place.format(number=number)
        block = Block(lines, start, end, start if located else None, shown, located)
        if not isinstance(item, dict):
            report.error(
                f"quiz-{words[0]}",
                _("{place} is not a [[{name}]] block").format(place=block.place, name=name),
                _("write each {what} as a [[{name}]] block (see the README)").format(
                    what=what, name=name
                ),
                block.line(),
            )
            continue
        blocks.append((item, block))
    return blocks


def _read_objective(
    raw: dict[str, Any], block: Block, report: FileProblems
) -> tuple[Objective, Block] | None:
    errors_before = report.error_count()
    values = read_block(raw, OBJECTIVE, block, report)
    if report.error_count() > errors_before:
        return None
    pass_mark = values["pass_mark"]
    objective = Objective(
        id=values["id"],
        title=values["title"],
        draw=values["draw"],
        pass_mark=None if pass_mark is None else float(pass_mark),
    )
    return objective, block


Error = Callable[[str, str, str, str], None]  # (rule, key, message, fix) of one question
# The ids of the run-time's own interactions (runtime.js): a question of that id would be
# mixed up with them in the LMS's report.
RESERVED_IDS = {"reading": N_("reading time"), "attest": N_("attestation")}


def _read_question(
    raw: dict[str, Any], block: Block, number: int, report: FileProblems
) -> Question | None:
    errors_before = report.error_count()
    values = read_block(raw, QUESTION, block, report, {"id": f"q{number}"})
    if report.error_count() > errors_before:
        return None

    def error(rule: str, key: str, message: str, fix: str) -> None:
        text = _("{place}: {message}").format(place=block.place, message=message)
        report.error(rule, text, fix, block.line(key))

    if values["id"] in RESERVED_IDS:
        error(
            "quiz-reserved-id",
            "id",
            _(
                "the question id '{id}' is the one the LMS record uses for the lesson's {what}"
            ).format(id=values["id"], what=_(RESERVED_IDS[values["id"]])),
            _('give the question another id, for example: id = "{id}-1"').format(id=values["id"]),
        )

    qtype, answer = values["type"], values["answer"]
    choices: tuple[Choice, ...] = ()
    if qtype in ("single", "multiple"):
        choices = _choices(values["choices"], error)
        correct = _chosen(qtype, answer, len(choices), error)
    elif qtype == "true-false":
        correct = _true_or_false(answer, error)
    else:
        correct = _number_typed(answer, error)
    if report.error_count() > errors_before:
        return None
    return Question(
        id=values["id"],
        type=qtype,
        text=values["text"],
        choices=choices,
        correct=correct,
        explanation=values["explanation"],
        points=float(values["points"]),
        tolerance=float(values["tolerance"]),
        objective=values["objective"],
    )


def _chosen(qtype: str, answer: Any, choice_count: int, error: Error) -> tuple[str, ...]:
    """The keys of the correct choices: `answer` counts them from 1."""
    numbers = answer if isinstance(answer, list) else [answer] if answer is not None else []
    if not numbers:
        error(
            "quiz-no-answer",
            "answer",
            _("there is no correct choice"),
            _("add: answer = 1 (the number of the correct choice, 1 = first)"),
        )
    elif qtype == "single" and len(numbers) > 1:
        error(
            "quiz-several-answers",
            "answer",
            _("a single-choice question has {count} correct choices").format(count=len(numbers)),
            _('use type = "multiple" (learners choose all that apply), or keep one number'),
        )
    wrong = [n for n in numbers if not is_whole(n) or not 1 <= n <= choice_count]
    if wrong and choice_count:
        error(
            "quiz-answer-not-a-choice",
            "answer",
            _("the answer {answer} names no choice (there are choices 1 to {count})").format(
                answer=as_written(wrong[0]), count=choice_count
            ),
            _("write the number of the correct choice without quotes, counting from 1"),
        )
    return () if wrong else tuple(sorted({CHOICE_KEYS[n - 1] for n in numbers}))


def _true_or_false(answer: Any, error: Error) -> tuple[str, ...]:
    if isinstance(answer, bool):
        return ("t" if answer else "f",)
    error(
        "quiz-no-answer",
        "answer",
        _("a true-false question needs answer = true or false"),
        _("write answer = true or answer = false (no quotes)"),
    )
    return ()


def _number_typed(answer: Any, error: Error) -> tuple[str, ...]:
    """The answer of a numeric question as learners type it and the LMS records it."""
    if not is_number(answer):
        error(
            "quiz-no-answer",
            "answer",
            _("a numeric question needs a number as its answer"),
            _("write the number without quotes, for example: answer = 175"),
        )
        return ()
    typed = plain_decimal(answer)
    if len(typed) > MAX_NUMERIC_ANSWER:
        error(
            "quiz-answer-too-long",
            "answer",
            _(
                "the answer {answer} has {length} characters; the answer box takes at most "
                "{limit}, so it can never be typed"
            ).format(answer=typed, length=len(typed), limit=MAX_NUMERIC_ANSWER),
            _(
                "use a number with fewer digits (for example in a larger unit), or make it a "
                "choice question"
            ),
        )
        return ()
    return (typed,)


def _choices(raw: Any, error: Error) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        error(
            "quiz-choices",
            "choices",
            _("there are fewer than two choices"),
            _('list at least two: choices = ["選択肢1", "選択肢2"]'),
        )
        return ()
    if len(raw) > len(CHOICE_KEYS):
        error(
            "quiz-choices",
            "choices",
            _("there are more than {limit} choices").format(limit=len(CHOICE_KEYS)),
            _("split it into several questions"),
        )
        return ()
    for number, label in enumerate(raw, start=1):
        if isinstance(label, list | dict) or not _label(label):
            error(
                "quiz-choices",
                "choices",
                _("choice {number} is empty or not a text").format(number=number),
                _('write every choice as a text in double quotes: choices = ["はい", "いいえ"]'),
            )
            return ()
    # A number or true/false as a choice is shown as written: kinder than an error.
    labels = [_label(label) for label in raw]
    return tuple(Choice(key, label) for key, label in zip(CHOICE_KEYS, labels, strict=False))


def _label(value: Any) -> str:
    return value if isinstance(value, str) else as_written(value)


def _check_objective_named(
    question: Question, known: list[str], block: Block, report: FileProblems
) -> None:
    """A question of a quiz with objectives names one of them; other questions name none."""
    if not known and question.objective:
        report.error(
            "quiz-objective",
            _(
                "{place}: it names the objective '{objective}', but the quiz has no [[objectives]]"
            ).format(place=block.place, objective=question.objective),
            _(
                'add an [[objectives]] block with id = "{objective}" (see the README), '
                "or remove the objective line"
            ).format(objective=question.objective),
            block.line("objective"),
        )
    elif known and not question.objective:
        report.error(
            "quiz-objective",
            _(
                "{place} names no objective; in a quiz with [[objectives]], every question "
                "belongs to one"
            ).format(place=block.place),
            _('add: objective = "{first}" (the objectives are: {objectives})').format(
                first=known[0], objectives=", ".join(known)
            ),
            block.line(),
        )
    elif known and question.objective not in known:
        report.error(
            "quiz-objective",
            _(
                "{place}: the objective '{objective}' is not one of this quiz's [[objectives]]"
            ).format(place=block.place, objective=question.objective),
            closest(question.objective, known)
            + _("the objectives are: {objectives}").format(objectives=", ".join(known)),
            block.line("objective"),
        )


def _check_draws(
    draw: int,
    objectives: list[tuple[Objective, Block]],
    pools: Counter[str],
    question_count: int,
    top: Block,
    report: FileProblems,
) -> None:
    """Every objective has questions, and no draw asks for more questions than there are."""
    if objectives and draw:
        report.error(
            "quiz-draw",
            _("draw at the top is for a quiz without objectives"),
            _("remove it: each [[objectives]] block draws its own questions (draw = N there)"),
            top.line("draw"),
        )
    elif draw > question_count > 0:
        report.error(
            "quiz-draw",
            _("the quiz draws {draw} questions, but has only {count}").format(
                draw=draw, count=question_count
            ),
            _("draw at most {count}, or add questions (leave draw out to use them all)").format(
                count=question_count
            ),
            top.line("draw"),
        )
    seen: dict[str, int] = {}
    for number, (objective, block) in enumerate(objectives, start=1):
        pool = pools[objective.id]
        if objective.id in seen:
            report.error(
                "objective-duplicate-id",
                _("{place}: the id '{id}' is already used by objective {number}").format(
                    place=block.place, id=objective.id, number=seen[objective.id]
                ),
                _("give every objective its own id"),
                block.line("id"),
            )
            continue
        seen[objective.id] = number
        if pool == 0:
            report.error(
                "objective-no-questions",
                _("{place}: no question names the objective '{id}'").format(
                    place=block.place, id=objective.id
                ),
                _(
                    'write objective = "{id}" in the questions that test it, or remove '
                    "this [[objectives]] block"
                ).format(id=objective.id),
                block.line(),
            )
        elif objective.draw > pool:
            report.error(
                "objective-draw",
                _(
                    "{place}: it draws {draw} questions, but only {count} name the objective '{id}'"
                ).format(place=block.place, draw=objective.draw, count=pool, id=objective.id),
                _('draw at most {count}, or add questions with objective = "{id}"').format(
                    count=pool, id=objective.id
                ),
                block.line("draw"),
            )


def misnamed_quiz_files(lessons_dir: Path, lesson_ids: Sequence[str]) -> list[Problem]:
    """Files in lessons/ that look like a quiz but will not be read as one.

    A lesson whose quiz is not read reaches the LMS with no score at all, so each is an
    error naming the file and the name it should have: `x.quiz.toml.txt` (Windows hides
    the ending), `x.quiz.TOML`, `x-quiz.toml`, `x.toml`, a folder called `x.quiz.toml`.
    """
    problems = []
    names = entries(lessons_dir)
    present = frozenset(names)
    without_quiz = [lesson for lesson in lesson_ids if f"{lesson}{QUIZ_SUFFIX}" not in present]
    listed = frozenset(lesson_ids)
    for name in names:
        read_as_quiz = name.endswith(QUIZ_SUFFIX) and name.removesuffix(QUIZ_SUFFIX) in listed
        if read_as_quiz and not (lessons_dir / name).is_dir():
            continue  # the quiz that is read
        if not _looks_like_quiz(meant(name)):
            continue  # before the lookup below, which goes through every lesson
        lesson = _lesson_of(meant(name), lesson_ids)
        if name.endswith(QUIZ_SUFFIX) and not read_as_quiz and not lesson:
            lesson = _near_miss(name.removesuffix(QUIZ_SUFFIX), without_quiz)
            if not lesson:
                continue  # a quiz of no lesson: a warning of its own (sources.py)
        shown = f"{lesson}{QUIZ_SUFFIX}" if lesson else f"<lesson>{QUIZ_SUFFIX}"
        if meant(name) == "course.toml":
            message = _("the course settings are read from the course folder, not from lessons/")
            fix = _("move course.toml up one folder, beside lessons/")
        elif (lessons_dir / name).is_dir():
            message = _("this is a folder, not a quiz file: quizzes are files named {name}")
            fix = _("move the quiz out of the folder into lessons/ as {name}")
        elif lesson and (lessons_dir / shown).is_file():
            message = _("this looks like a quiz, but it is not read: the quiz read is {name}")
            fix = _("delete this file, or move it out of lessons/ (keep one quiz per lesson)")
        else:
            message = _("this looks like a quiz, but it is not read")
            fix = _("rename it to {name}") + hidden_ending_note(name)
            if not lesson:
                fix += _(", with the name of its lesson (the lessons are: {lessons})").format(
                    lessons=", ".join(lesson_ids)
                )
        # Only {name} is left to fill (a lesson's name has no braces).
        message, fix = message.replace("{name}", shown), fix.replace("{name}", shown)
        problems.append(Problem("quiz-misnamed", "error", f"lessons/{name}", message, fix))
    return problems


def _near_miss(stem: str, lesson_ids: Sequence[str]) -> str | None:
    """The lesson (of those without a quiz) that `stem` was surely meant to name.

    `llm_basics` for `llm-basics`: the quiz of no lesson it would otherwise be leaves a listed
    lesson without a score in the LMS, so a near miss is the lesson's quiz misnamed.
    """

    def plain(name: str) -> str:
        return re.sub(r"[-_. ]+", "-", name.casefold()).strip("-")

    by_plain = {plain(lesson): lesson for lesson in lesson_ids}
    close = difflib.get_close_matches(plain(stem), list(by_plain), n=1, cutoff=0.85)
    return by_plain[close[0]] if close else None


def _looks_like_quiz(name: str) -> bool:
    """A TOML file, or a text file with "quiz" in its name (`name` is case folded)."""
    endings = name.split(".")[1:]
    if any(ending in ("toml", "tml", "tom", "quiz") for ending in endings):
        return True
    return "quiz" in name and (not endings or endings[-1] in _TEXT_ENDINGS)


_TEXT_ENDINGS = ("txt", "text", "ini", "yaml", "yml", "json", "cfg", "conf")


def _lesson_of(name: str, lesson_ids: Sequence[str]) -> str | None:
    """The listed lesson whose name `name` starts with (the longest such, case folded)."""
    matching = [
        lesson
        for lesson in lesson_ids
        if name.startswith(lesson.casefold())
        and name[len(lesson) : len(lesson) + 1] in (".", "-", "_", " ", "")
    ]
    return max(matching, key=len) if matching else None
