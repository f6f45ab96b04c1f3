"""The suspend_data budget is proven at build time (issue 16): scorm_builder/suspend_data.py
computes the longest suspend_data the run-time can write, exactly as runtime.js writes it,
and the build refuses a quiz whose worst case does not fit.

The largest quiz that fits is played in the browser with the longest answers it can hold, and
its suspend_data is exactly as long as predicted; one more question is an author error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorm_builder.cli import main
from scorm_builder.content_version import content_version
from scorm_builder.model import Choice, Question, Quiz
from scorm_builder.sources import read_course
from scorm_builder.suspend_data import LIMIT, LONGEST_VERSION, budget_problems, worst_case_length
from tests.browser_support import Lms, Site, answer_interactions, build_course
from tests.course_factory import copy_default_course
from tests.test_runtime import fill_quickly, read_to_quiz, set_values, submit

KEYS = "abcdefghijklmnopqrstuvwxyz"


def every_choice(n: int) -> Question:
    """The longest answer a question can have: 26 choices, all of them ticked."""
    return Question(
        id=f"q{n:03d}",
        type="multiple",
        text=f"問題 {n}",
        choices=tuple(Choice(key, f"選択肢{key}") for key in KEYS),
        correct=("a", "z"),
        explanation="解説",
    )


def largest_that_fits(page_count: int) -> int:
    n = 1
    while (
        worst_case_length(Quiz(tuple(every_choice(i) for i in range(n + 1)), 80), page_count)
        <= LIMIT
    ):
        n += 1
    return n


def quiz_toml(count: int) -> str:
    choices = json.dumps([f"選択肢{key}" for key in KEYS], ensure_ascii=False)
    blocks = ["pass_mark = 80\n"]
    for n in range(count):
        blocks.append(
            f'[[questions]]\nid = "q{n:03d}"\ntype = "multiple"\ntext = "問題 {n}"\n'
            f'choices = {choices}\nanswer = [1, 26]\nexplanation = "解説"\n'
        )
    return "\n".join(blocks)


def course_with_questions(folder: Path, count: int) -> Path:
    source = copy_default_course(folder)
    (source / "lessons" / "llm-basics.quiz.toml").write_text(quiz_toml(count), encoding="utf-8")
    return source


def test_the_largest_quiz_that_fits_plays_to_the_end_within_4096(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    course_source, _ = read_course(copy_default_course(tmp_path / "default"))
    pages = len(course_source.lessons[0].pages) + 1
    count = largest_that_fits(pages)
    source = course_with_questions(tmp_path / "source", count)
    lesson = read_course(source)[0].lessons[0]
    worst = worst_case_length(lesson.quiz, pages)
    assert (
        worst
        <= LIMIT
        < worst_case_length(Quiz(tuple(every_choice(i) for i in range(count + 1)), 80), pages)
    )
    assert budget_problems(lesson) == []
    course = build_course(site, source, tmp_path, "largest")

    sco = lms.launch(course)
    read_to_quiz(sco)
    fill_quickly(sco, {f"q{n:03d}": KEYS for n in range(count)})
    lms.exit()  # halfway: every page seen, every answer as long as it can be
    saved = lms.stored()
    state = json.loads(saved["suspend_data"])
    assert state["a"] == [KEYS] * count  # nothing dropped to make it fit
    # Exactly the prediction, less the digits the counters and the seed do not use yet:
    # 0 tries of 9999, best -1 of 99.99; and the content version ("1.0+…") is shorter than
    # the longest one course.toml allows; the day of the pass ("d") is written once passed.
    assert state["v"] == content_version("1.0", lesson)
    unused = (4 - 1) + (5 - 2) + (10 - len(str(state["r"]))) + LONGEST_VERSION - len(state["v"])
    unused += len(',"d":"2026-12-31"') if "d" not in state else 0
    # Seconds read per page (at most 99999 each) and the attestation's time, empty here.
    unused += sum(5 - len(str(seconds)) for seconds in state["w"]) + len("2026-12-31 23:59")
    print(
        f"\nlargest quiz: {count} questions, suspend_data {len(saved['suspend_data'])} "
        f"of worst case {worst} chars"
    )
    assert len(saved["suspend_data"]) == worst - unused

    sco = lms.launch(course, saved=saved)
    submit(sco)
    lms.exit()
    assert max(len(v) for v in set_values(lms, "cmi.suspend_data")) <= LIMIT
    assert len(answer_interactions(lms.stored())) == count


def test_one_more_question_fails_the_build_with_the_figure_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course_source, _ = read_course(copy_default_course(tmp_path / "default"))
    pages = len(course_source.lessons[0].pages) + 1
    count = largest_that_fits(pages) + 1
    source = course_with_questions(tmp_path / "source", count)
    questions = tuple(every_choice(i) for i in range(count))
    worst = worst_case_length(Quiz(questions, 80), pages)
    out = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(out)]) == 1
    printed = capsys.readouterr().err
    assert (
        "lessons/llm-basics.quiz.toml: error: a learner's saved progress in this quiz could "
        f"reach {worst:,} characters, over the 4,096 that SCORM 1.2 LMSs keep "
        f"({worst - 4096:,} too many): the LMS would lose the answers of a learner who leaves "
        "and comes back\n"
        "    fix: draw fewer questions per attempt (draw = ...), give multiple-choice questions "
        "fewer choices, or split the quiz over two lessons"
    ) in printed
    assert not list(out.glob("*.zip"))  # nothing half-written


def test_the_default_course_is_far_inside_the_budget() -> None:
    course, _ = read_course(Path(__file__).resolve().parent.parent / "source")
    lesson = course.lessons[0]
    assert worst_case_length(lesson.quiz, len(lesson.pages) + 1) < LIMIT // 10
    assert worst_case_length(None, 3) == len(
        '{"s":"111","a":[],"t":0,"g":1,"b":99.99,"r":2147483646,"v":"'
        + "x" * 49
        + '","d":"2026-12-31","w":[99999,99999,99999],"e":"2026-12-31 23:59"}'
    )
