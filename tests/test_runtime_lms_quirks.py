"""The run-time against what real LMSs do (issues 14 and 20): Moodle's pass mark and grading,
an API that appears late, an `entry` that always says "ab-initio", forma.lms closing the
session itself; and what the learner types into a numeric answer.

Like tests/test_runtime.py, every test asserts what the LMS holds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from playwright.sync_api import Frame

from tests.browser_support import (
    SOURCE_DIR,
    BuiltCourse,
    Lms,
    Site,
    answer_interactions,
    build_course,
)
from tests.course_factory import copy_default_course
from tests.test_runtime import (
    answer,
    assert_one_session,
    drawn_questions,
    page_shown,
    questions_of,
    read_to_quiz,
    right_answers,
    set_values,
    submit,
    wrong_answer,
)

NUMERIC_QUIZ = """pass_mark = 100
[[questions]]
id = "temp-high"
type = "numeric"
text = "発熱とする体温の目安は何度ですか。"
answer = 36.5
tolerance = 0.1
explanation = "36.5 ± 0.1"

[[questions]]
id = "temp-low"
type = "numeric"
text = "同じ問題（下側）"
answer = 36.5
tolerance = 0.1
explanation = "36.5 ± 0.1"

[[questions]]
id = "gpt35"
type = "numeric"
text = "GPT-3.5のパラメータ数は約何億ですか。"
answer = 1750
explanation = "約1,750億"

[[questions]]
id = "rub-seconds"
type = "numeric"
text = "擦り込む時間は少なくとも何秒ですか。"
answer = 20
explanation = "20秒"

[[questions]]
id = "outside"
type = "numeric"
text = "許容差のすぐ外"
answer = 36.5
tolerance = 0.1
explanation = "36.5 ± 0.1"
"""


def numeric_course(site: Site, tmp_path: Path) -> BuiltCourse:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.quiz.toml").write_text(NUMERIC_QUIZ, encoding="utf-8")
    return build_course(site, source, tmp_path, "numeric-boundary")


def results(lms: Lms) -> dict[str, tuple[str, str]]:
    """Question id -> (student_response, result) as the LMS holds them."""
    return {
        i["id"]: (i["student_response"], i["result"]) for i in answer_interactions(lms.stored())
    }


# ---------- numbers ----------


def test_numeric_answers_at_the_tolerance_boundary_and_with_a_unit_are_right(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    course = numeric_course(site, tmp_path)
    sco = lms.launch(course)
    read_to_quiz(sco)
    answer(
        sco,
        {
            "temp-high": "36.6",  # 36.5 + 0.1: in floating point 36.6 - 36.5 > 0.1
            "temp-low": "３６．４",  # full-width, 36.5 - 0.1
            "gpt35": "1750億",  # the unit the question asks in
            "rub-seconds": "20 秒",
            "outside": "36.61",
        },
    )
    submit(sco)
    lms.exit()
    assert results(lms) == {
        "temp-high": ("36.6", "correct"),
        "temp-low": ("36.4", "correct"),
        "gpt35": ("1750", "correct"),
        "rub-seconds": ("20", "correct"),
        "outside": ("36.61", "wrong"),
    }
    assert lms.stored()["core"]["score"]["raw"] == "80"
    patterns = answer_interactions(lms.stored())[0]["correct_responses"]["0"]["pattern"]
    assert patterns == "36.5"  # the LMS still gets the correct response


def test_an_answer_that_is_no_number_says_what_to_type(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    course = numeric_course(site, tmp_path)
    sco = lms.launch(course)
    read_to_quiz(sco)
    answer(sco, {"temp-high": "36.5", "temp-low": "36.5", "gpt35": "千七百五十"})
    answer(sco, {"rub-seconds": "20", "outside": "36.5"})
    sco.click('form[data-quiz] button[type="submit"]')
    error = sco.locator("[data-form-error]")
    assert error.is_visible()
    assert (
        error.inner_text()
        == "数字として読めない回答があります。数字だけを入力してください（例: 20）。"
    )
    assert sco.locator('[data-question="gpt35"] input').get_attribute("aria-invalid") == "true"
    assert sco.evaluate("() => document.activeElement.name") == "gpt35"
    lms.exit()
    assert answer_interactions(lms.stored()) == []  # nothing graded: only the reading time


# ---------- the best score and the pass mark ----------


def four_of_six(sco: Frame) -> dict[str, str]:
    questions = drawn_questions(sco)
    assert len(questions) == 6
    given = right_answers(questions)
    for q in questions[4:]:
        given[q.id] = wrong_answer(q)
    return given


def test_a_worse_retry_keeps_the_best_score_of_the_attempt(
    lms: Lms, default_course: BuiltCourse
) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    answer(sco, four_of_six(sco))
    submit(sco)
    assert lms.stored()["core"]["score"]["raw"] == "66.67"
    assert sco.inner_text("[data-result]").startswith("66.6点（合格点 80点）")
    sco.click("[data-retry]")
    answer(sco, {q.id: wrong_answer(q) for q in questions})
    submit(sco)
    shown = sco.inner_text("[data-result]")
    assert shown.startswith("0点（合格点 80点） — 不合格")
    assert "記録される得点は、これまでの最高の 66.6点です。" in shown
    core = lms.stored()["core"]
    assert (core["score"]["raw"], core["lesson_status"]) == ("66.67", "failed")
    lms.exit()
    assert set_values(lms, "cmi.core.score.raw") == ["66.67"]

    sco = lms.launch(default_course, saved=lms.stored())  # and after a relaunch
    assert "66.6点です" in sco.inner_text("[data-result]")
    sco.click("[data-retry]")
    answer(sco, {q.id: wrong_answer(q) for q in questions})
    submit(sco)
    lms.exit()
    assert lms.stored()["core"]["score"]["raw"] == "66.67"


def test_the_pass_mark_shown_is_the_one_the_lms_applies(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course, options={"masteryScore": "90"})
    read_to_quiz(sco)
    questions = drawn_questions(sco)
    given = right_answers(questions)
    given[questions[-1].id] = wrong_answer(questions[-1])  # 5 of 6: 83.33
    intro = sco.inner_text(".quiz-intro")
    assert "合格点は 90点（100点満点）です" in intro
    answer(sco, given)
    submit(sco)
    assert sco.inner_text("[data-result]").startswith("83.3点（合格点 90点） — 不合格")
    lms.exit()
    assert lms.stored()["core"]["lesson_status"] == "failed"


def test_several_correct_answers_are_listed_the_japanese_way(
    lms: Lms, default_course: BuiltCourse
) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    answer(sco, {q.id: wrong_answer(q) for q in questions})
    submit(sco)
    asked = sco.locator('[data-question="pretraining-data"]')
    if asked.is_hidden():  # not drawn (2 of its pool's 3): the next try draws it
        sco.click("[data-retry]")
        answer(sco, {q.id: wrong_answer(q) for q in questions})
        submit(sco)
    verdict = asked.locator("[data-verdict]").inner_text()
    assert verdict == "不正解 — 正解: 書籍、論文、ウェブページ"
    lms.exit()


# ---------- late and odd LMSs ----------


def test_an_api_created_late_is_found_and_the_session_recorded(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course, options={"apiDelay": 500})
    assert sco.is_hidden("[data-notice]")  # not "not connected"
    sco.click('[data-go="next"]')
    lms.exit()
    assert_one_session(lms.calls())
    core = lms.stored()["core"]
    assert (core["lesson_status"], core["lesson_location"]) == ("incomplete", "1")


def test_no_bookmark_is_written_before_the_learner_moves(
    lms: Lms, default_course: BuiltCourse
) -> None:
    lms.launch(default_course)
    lms.exit()
    assert_one_session(lms.calls())
    assert set_values(lms, "cmi.core.lesson_location") == []
    assert set_values(lms, "cmi.suspend_data") == []
    assert lms.stored()["core"]["lesson_status"] == "incomplete"


def test_an_lms_always_answering_ab_initio_still_gets_a_whole_resume(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course)
    for _ in range(3):
        sco.click('[data-go="next"]')
    lms.exit()
    saved = lms.stored()
    sco = lms.launch(default_course, saved=saved, options={"entry": "ab-initio"})
    assert page_shown(sco) == 3  # the bookmark together with the state saved beside it
    assert sco.locator("[data-page-link][data-seen]").count() == 4
    lms.exit()
    assert set_values(lms, "cmi.core.lesson_location") == []  # never "0" over the bookmark
    assert set_values(lms, "cmi.suspend_data") == []
    assert lms.stored()["core"]["lesson_location"] == "3"


# ---------- commits: answers in progress, time on task ----------


def test_answers_in_progress_are_committed_shortly_then_at_most_every_30_s(
    lms: Lms, default_course: BuiltCourse
) -> None:
    every = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    # A typed number changes when the box loses focus: choices give a change at once.
    questions = [q for q in drawn_questions(sco) if q.type != "numeric"]
    right = right_answers(questions)
    before = len(lms.commits())
    answer(sco, {questions[0].id: right[questions[0].id]})
    lms.page.wait_for_function(f"() => window.lms.commits.length > {before}", timeout=4000)
    committed = lms.commits()[-1]["cmi"]
    saved = json.loads(committed["suspend_data"])["a"]
    assert saved[every.index(questions[0])] == right[questions[0].id]
    answer(sco, {questions[1].id: right[questions[1].id]})
    lms.page.wait_for_timeout(4000)  # well past the first delay: still within 30 s
    assert len(lms.commits()) == before + 1
    lms.exit()  # leaving saves the rest
    saved = json.loads(lms.stored()["suspend_data"])["a"]
    assert saved[every.index(questions[1])] == right[questions[1].id]


def seconds(timespan: str) -> float:
    hours, minutes, secs = timespan.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(secs)


def test_an_lms_that_finishes_the_session_itself_keeps_the_time_and_the_answers(
    lms: Lms, default_course: BuiltCourse
) -> None:
    """forma.lms: its close button calls LMSFinish for the SCO, answers "true" to every later
    call and stores nothing more; return values are String objects, _count a number."""
    every = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course, options={"forma": True})
    read_to_quiz(sco)
    questions = [q for q in drawn_questions(sco) if q.type != "numeric"]  # changed at once
    right = right_answers(questions)
    lms.page.wait_for_timeout(4000)  # the learner reads the questions
    before = len(lms.commits())
    answer(sco, {q.id: right[q.id] for q in questions[:3]})
    lms.page.wait_for_function(f"() => window.lms.commits.length > {before}", timeout=4000)
    lms.close_by_lms()
    stored = lms.stored()
    real = lms.page.evaluate("() => (window.lms.closedAt - window.lms.launchedAt) / 1000")
    assert real > 5
    assert abs(seconds(stored["core"]["session_time"]) - real) < 3, (stored["core"], real)
    saved = json.loads(stored["suspend_data"])["a"]
    assert [saved[every.index(q)] for q in questions[:3]] == [right[q.id] for q in questions[:3]]
    # The SCO's own LMSFinish came later, was answered "true" and changed nothing.
    assert lms.calls()[-1]["name"] == "LMSFinish"


def test_a_full_session_stays_within_pages_plus_four_commits(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    for q in drawn_questions(sco):  # at a learner's pace: each answer may be committed by itself
        answer(sco, {q.id: right_answers([q])[q.id]})
        lms.page.wait_for_timeout(300)
    lms.page.wait_for_timeout(2500)
    submit(sco)
    started = time.monotonic()
    lms.exit()
    assert time.monotonic() - started < 5
    calls = lms.calls()
    assert_one_session(calls)
    commits = [c for c in calls if c["name"] == "LMSCommit"]
    session_times = set_values(lms, "cmi.core.session_time")
    print(f"\nfull session: {len(commits)} commits for 7 pages, {len(session_times)} session times")
    assert len(commits) <= 7 + 4
    assert len(session_times) >= len(commits)  # the time goes with every commit
    last_set = [c for c in calls if c["name"] == "LMSSetValue"][-1]
    assert last_set["args"][0] == "cmi.core.session_time"  # and last before LMSFinish


def test_forma_answers_after_a_pass_change_nothing_on_relaunch(
    lms: Lms, default_course: BuiltCourse
) -> None:
    """String objects, 2004 error numbers and credit "no-credit" once passed: the passed
    result is shown again and never written over."""
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course, options={"forma": True})
    read_to_quiz(sco)
    answer(sco, right_answers(questions))
    submit(sco)
    lms.exit()
    assert lms.stored()["core"]["lesson_status"] == "passed"
    sco = lms.launch(default_course, saved=lms.stored(), options={"forma": True})
    assert sco.get_attribute("[data-result]", "data-status") == "passed"
    assert sco.is_hidden("[data-notice]")  # "true" as a String object is still "true"
    lms.exit()
    written = {c["args"][0] for c in lms.calls() if c["name"] == "LMSSetValue"}
    assert not written & {"cmi.core.lesson_status", "cmi.core.score.raw"}
    assert not any(a.startswith("cmi.interactions") for a in written)
