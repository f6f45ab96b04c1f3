"""The SCO run-time (templates/static/runtime.js) in Chromium, against scorm-again as the LMS.

Every test asserts what the LMS holds (its API call log and the data stored at each commit),
not what the page shows; the page is only the learner's way in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Page

from scorm_builder.model import Question
from scorm_builder.sources import read_course
from tests.browser_support import (
    SOURCE_DIR,
    BuiltCourse,
    Lms,
    Site,
    answer_interactions,
    build_course,
)
from tests.course_factory import copy_default_course

SCORM12_ELEMENT = re.compile(
    r"^cmi\.(core\.(student_id|student_name|lesson_location|credit|lesson_status|entry"
    r"|score\.(raw|min|max)|total_time|lesson_mode|exit|session_time)"
    r"|suspend_data|launch_data|comments|comments_from_lms"
    r"|student_data\.(mastery_score|max_time_allowed|time_limit_action)"
    r"|student_preference\.(audio|language|speed|text)"
    r"|objectives\.(_count|\d+\.(id|status|score\.(raw|min|max)))"
    r"|interactions\.(_count|\d+\.(id|time|type|weighting|student_response|result|latency"
    r"|correct_responses\.\d+\.pattern|objectives\.\d+\.id)))$"
)
TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")  # CMITimespan, as Moodle checks it
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")  # CMITime
CHOICE = re.compile(r"^[0-9a-z](,[0-9a-z])*$")
RUNTIME = Path(__file__).resolve().parent.parent / "templates" / "static" / "runtime.js"

Answers = dict[str, str]  # question id -> keys ("ab"), "t"/"f", or the number typed


# ---------- what the learner does ----------


def questions_of(source: Path) -> list[Question]:
    course, _ = read_course(source)
    quiz = course.lessons[0].quiz
    assert quiz is not None
    return list(quiz.questions)


def drawn_questions(sco: Frame, source: Path = SOURCE_DIR) -> list[Question]:
    """The questions of the try on screen, in the quiz file's order (the order the LMS gets
    them in): the default course draws a few of each pool per try."""
    shown = set(
        sco.locator("[data-question]:not([hidden])").evaluate_all(
            "nodes => nodes.map(n => n.dataset.question)"
        )
    )
    return [q for q in questions_of(source) if q.id in shown]


def right_answers(questions: list[Question]) -> Answers:
    return {q.id: "".join(q.correct) for q in questions}


def wrong_answer(question: Question) -> str:
    if question.type == "true-false":
        return "f" if question.correct == ("t",) else "t"
    if question.type == "numeric":
        return str(float(question.correct[0]) + question.tolerance + 1)
    return next(c.key for c in question.choices if c.key not in question.correct)


def read_to_quiz(sco: Frame) -> None:
    """Press "next" until the last page (the quiz) shows."""
    while sco.is_enabled('[data-go="next"]'):
        sco.click('[data-go="next"]')
    sco.wait_for_selector("form[data-quiz]", state="visible")


def answer(sco: Frame, answers: Answers) -> None:
    """Answer the questions of `answers` that this try asks (the others are not drawn)."""
    for qid, given in answers.items():
        question = sco.locator(f'[data-question="{qid}"]')
        if question.is_hidden():
            continue
        text_input = question.locator('input[type="text"]')
        if text_input.count():
            text_input.fill(given)
        else:
            for key in given:
                question.locator(f'input[value="{key}"]').check()


def submit(sco: Frame) -> None:
    sco.click('form[data-quiz] button[type="submit"]')
    sco.wait_for_selector("[data-result][data-status]")


def page_shown(sco: Frame) -> int:
    return int(sco.locator("section.page:not([hidden])").get_attribute("data-page") or "-1")


# ---------- what the LMS holds ----------


def set_values(lms: Lms, element: str) -> list[str]:
    calls = lms.calls()
    return [c["args"][1] for c in calls if c["name"] == "LMSSetValue" and c["args"][0] == element]


def assert_one_session(calls: list[dict[str, Any]]) -> None:
    """LMSInitialize once and first, LMSFinish once and last, every call accepted."""
    names = [c["name"] for c in calls]
    assert names[0] == "LMSInitialize" and names.count("LMSInitialize") == 1
    assert names[-1] == "LMSFinish" and names.count("LMSFinish") == 1, names[-3:]
    refused = [c for c in calls if c["result"] == "false" or c["error"] != "0"]
    assert not refused, refused
    assert_formats_sent(calls)


def assert_formats_sent(calls: list[dict[str, Any]]) -> None:
    """Check the values as the SCO sent them: scorm-again accepts and rewrites looser ones.

    It also answers elements that SCORM 1.2 does not have (cmi.core.suspend_data), which
    Moodle refuses, so every element named must be one of the 1.2 data model.
    """
    for call in calls:
        if call["name"] in ("LMSGetValue", "LMSSetValue"):
            assert SCORM12_ELEMENT.match(call["args"][0]), call
        if call["name"] != "LMSSetValue":
            continue
        element, value = call["args"]
        if element == "cmi.core.session_time" or element.endswith(".latency"):
            assert TIMESPAN.match(value), call
        elif element.endswith(".time"):
            assert CLOCK.match(value), call
        elif element == "cmi.suspend_data":
            assert len(value) <= 4096, call
        elif element == "cmi.core.lesson_location":
            assert len(value) <= 255, call
        elif element.startswith("cmi.objectives.") and element.endswith(".status"):
            assert value in ("passed", "completed", "failed", "incomplete"), call
        elif element.startswith("cmi.objectives.") and ".score." in element:
            assert re.fullmatch(r"\d{1,3}(\.\d{1,2})?", value) and float(value) <= 100, call


def assert_interactions(
    cmi: dict[str, Any], questions: list[Question], attempts: list[Answers]
) -> None:
    """One interaction per question answered in each attempt, in the quiz file's order, in
    the SCORM 1.2 formats."""
    stored = answer_interactions(cmi)
    expected = [(q, given[q.id]) for given in attempts for q in questions if q.id in given]
    assert len(stored) == len(expected)
    for interaction, (question, given) in zip(stored, expected, strict=True):
        assert interaction["id"] == question.id and interaction["id"].isascii()
        kind = {"single": "choice", "multiple": "choice"}.get(question.type, question.type)
        assert interaction["type"] == kind
        response = interaction["student_response"]
        pattern = interaction["correct_responses"]["0"]["pattern"]
        if kind == "choice":
            assert CHOICE.match(response) and response == ",".join(sorted(given))
            assert pattern == ",".join(question.correct)
        elif kind == "true-false":
            assert response == given and pattern == question.correct[0]
            assert response in ("t", "f")
        else:
            assert float(response) == float(given) and pattern == question.correct[0]
        right = "".join(sorted(given)) == "".join(question.correct)
        if kind == "numeric":
            right = abs(float(given) - float(question.correct[0])) <= question.tolerance
        assert interaction["result"] == ("correct" if right else "wrong")
        assert float(interaction["weighting"]) == question.points
        assert TIMESPAN.match(interaction["latency"]), interaction["latency"]
        assert CLOCK.match(interaction["time"]), interaction["time"]


def is_right(question: Question, given: str) -> bool:
    if question.type == "numeric":
        return abs(float(given) - float(question.correct[0])) <= question.tolerance
    return "".join(sorted(given)) == "".join(question.correct)


def expected_score(questions: list[Question], given: Answers) -> float:
    got = sum(q.points for q in questions if is_right(q, given[q.id]))
    return round(100 * got / sum(q.points for q in questions), 2)


# ---------- 1. reading every page and passing ----------


def test_full_pass_records_passed_score_and_interactions(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course)
    assert sco.inner_text("[data-progress]") == "1 / 7"
    read_to_quiz(sco)
    questions = drawn_questions(sco)
    assert len(questions) == 6  # two of each of the three pools
    given = right_answers(questions)
    given[questions[-1].id] = wrong_answer(questions[-1])  # one wrong: 5/6 still passes 80
    score = expected_score(questions, given)
    assert 80 <= score < 100
    answer(sco, given)
    submit(sco)
    after_submit = lms.stored()  # committed the moment the result exists, not at exit
    assert after_submit["core"]["lesson_status"] == "passed"
    lms.exit()

    calls = lms.calls()
    assert_one_session(calls)
    cmi = lms.stored()
    core = cmi["core"]
    assert core["lesson_status"] == "passed"
    assert float(core["score"]["raw"]) == score
    assert (core["score"]["min"], core["score"]["max"]) == ("0", "100")
    assert core["exit"] == ""
    assert TIMESPAN.match(core["session_time"]), core["session_time"]
    assert set_values(lms, "cmi.core.lesson_status")[0] == "incomplete"
    assert_interactions(cmi, questions, [given])
    state = json.loads(cmi["suspend_data"])
    assert state["s"] == "1" * 7  # every page seen

    # The figures for the closing note, and the commit budget of a later issue.
    commits = [c for c in calls if c["name"] == "LMSCommit"]
    largest = max(len(v) for v in set_values(lms, "cmi.suspend_data"))
    print(
        f"\nfull pass: {len(calls)} LMS calls, {len(commits)} commits, "
        f"largest suspend_data {largest} chars, runtime.js {RUNTIME.stat().st_size} bytes"
    )
    assert len(commits) <= 7 + 4  # pages + 4: launch, answers in progress, result, leaving


# ---------- 2. failing, retrying, passing ----------


def test_fail_then_retry_and_pass(lms: Lms, default_course: BuiltCourse) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    wrong = {q.id: wrong_answer(q) for q in drawn_questions(sco)}
    answer(sco, wrong)
    submit(sco)
    failed = lms.stored()["core"]
    assert failed["lesson_status"] == "failed" and float(failed["score"]["raw"]) == 0
    assert failed["exit"] == "suspend"  # unlimited attempts: not finished yet

    sco.click("[data-retry]")
    assert sco.locator("input:checked").count() == 0
    right = right_answers(drawn_questions(sco))  # the retry's own draw
    assert right.keys() != wrong.keys()
    answer(sco, right)
    submit(sco)
    lms.exit()

    assert_one_session(lms.calls())
    cmi = lms.stored()
    assert cmi["core"]["lesson_status"] == "passed"
    assert float(cmi["core"]["score"]["raw"]) == 100
    assert cmi["core"]["exit"] == ""
    assert_interactions(cmi, questions, [wrong, right])  # appended, never rewritten
    assert json.loads(cmi["suspend_data"])["t"] == 2


def one_attempt_course(folder: Path) -> Path:
    """The default course with a quiz that allows one attempt."""
    source = copy_default_course(folder)
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("max_attempts = 0", "max_attempts = 1"),
        encoding="utf-8",
    )
    return source


def test_attempt_limit_stops_retries(lms: Lms, site: Site, tmp_path: Path) -> None:
    source = one_attempt_course(tmp_path / "source")
    course = build_course(site, source, tmp_path, "one-attempt")
    questions = questions_of(source)

    sco = lms.launch(course)
    read_to_quiz(sco)
    answer(sco, {q.id: wrong_answer(q) for q in questions})
    submit(sco)
    assert sco.is_hidden("[data-retry]")
    lms.exit()
    core = lms.stored()["core"]
    assert core["lesson_status"] == "failed"
    assert core["exit"] == ""  # no attempt left: the attempt is over


def test_the_attempt_limit_holds_when_the_saved_answers_are_gone(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    """After one failed attempt of one allowed, the author adds a question and rebuilds; the
    learner's saved answers no longer fit, but the quiz must stay closed."""
    source = one_attempt_course(tmp_path / "source")
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    course = build_course(site, source, tmp_path / "v1", "one-attempt-v1")
    questions = questions_of(source)
    sco = lms.launch(course)
    read_to_quiz(sco)
    answer(sco, {q.id: wrong_answer(q) for q in questions})
    submit(sco)
    lms.exit()
    saved = lms.stored()

    quiz.write_text(
        quiz.read_text(encoding="utf-8")
        + '\n[[questions]]\nid = "added"\nobjective = "scaling"\ntype = "true-false"\n'
        + 'text = "追加"\nanswer = true\n'
        + 'explanation = "追加の問題"\n',
        encoding="utf-8",
    )
    course = build_course(site, source, tmp_path / "v2", "one-attempt-v2")
    sco = lms.launch(course, saved=saved)
    read_to_quiz(sco)
    assert sco.is_hidden('form[data-quiz] button[type="submit"]')
    assert sco.get_attribute("[data-result]", "data-status") == "failed"
    sco.locator("form[data-quiz]").evaluate("form => form.requestSubmit()")
    lms.exit()
    written = {c["args"][0] for c in lms.calls() if c["name"] == "LMSSetValue"}
    assert not any(element.startswith("cmi.interactions.") for element in written)
    assert "cmi.core.score.raw" not in written


def test_numbers_typed_on_a_japanese_keyboard_count(lms: Lms, site: Site, tmp_path: Path) -> None:
    source = copy_default_course(tmp_path / "source")
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text(
        'pass_mark = 100\n[[questions]]\nid = "gpt35"\ntype = "numeric"\n'
        'text = "GPT-3.5のパラメータ数は約何億ですか。"\nanswer = 1750\n'
        'explanation = "約1,750億"\n',
        encoding="utf-8",
    )
    course = build_course(site, source, tmp_path, "numeric")
    sco = lms.launch(course)
    read_to_quiz(sco)
    answer(sco, {"gpt35": "１，７５０"})  # full-width digits and comma
    submit(sco)
    lms.exit()
    core = lms.stored()["core"]
    assert core["lesson_status"] == "passed" and core["score"]["raw"] == "100"


# ---------- 3. leaving and coming back ----------


def test_resume_in_the_middle_of_the_lesson(lms: Lms, default_course: BuiltCourse) -> None:
    sco = lms.launch(default_course)
    sco.click('[data-go="next"]')
    sco.click('[data-go="next"]')
    lms.exit()
    assert_one_session(lms.calls())
    saved = lms.stored()
    assert saved["core"]["lesson_location"] == "2"
    assert saved["core"]["exit"] == "suspend"
    assert saved["core"]["lesson_status"] == "incomplete"

    sco = lms.launch(default_course, saved=saved)
    assert lms.get("cmi.core.entry") == "resume"
    assert page_shown(sco) == 2
    assert sco.inner_text("[data-progress]") == "3 / 7"
    read_to_quiz(sco)
    questions = questions_of(SOURCE_DIR)
    answer(sco, right_answers(questions))
    submit(sco)
    lms.exit()
    assert_one_session(lms.calls())
    cmi = lms.stored()
    assert cmi["core"]["lesson_status"] == "passed"
    assert json.loads(cmi["suspend_data"])["s"] == "1" * 7  # pages of both sessions


def test_resume_in_the_middle_of_the_quiz_keeps_answers(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    questions = drawn_questions(sco)
    right = right_answers(questions)
    first_half = {q.id: right[q.id] for q in questions[:3] if q.type != "numeric"}
    answer(sco, first_half)
    lms.exit()
    saved = lms.stored()
    assert saved["core"]["lesson_location"] == "6"
    assert saved["core"]["lesson_status"] == "incomplete"

    sco = lms.launch(default_course, saved=saved)
    assert page_shown(sco) == 6
    assert drawn_questions(sco) == questions  # the same draw
    for qid, keys in first_half.items():
        checked = sco.locator(f'[data-question="{qid}"] input:checked')
        assert "".join(sorted(checked.evaluate_all("nodes => nodes.map(n => n.value)"))) == keys
    answer(sco, {q.id: right[q.id] for q in questions if q.id not in first_half})
    submit(sco)
    lms.exit()
    assert_one_session(lms.calls())
    cmi = lms.stored()
    assert cmi["core"]["lesson_status"] == "passed"
    assert float(cmi["core"]["score"]["raw"]) == 100
    assert_interactions(cmi, questions, [right])


def test_relaunch_after_passing_never_writes_a_worse_result(
    lms: Lms, default_course: BuiltCourse
) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    answer(sco, right_answers(questions))
    submit(sco)
    lms.exit()
    saved = lms.stored()

    sco = lms.launch(default_course, saved=saved)
    assert sco.get_attribute("[data-result]", "data-status") == "passed"
    assert sco.is_hidden("[data-retry]") and sco.is_hidden('button[type="submit"]')
    lms.exit()
    assert_one_session(lms.calls())
    written = {c["args"][0] for c in lms.calls() if c["name"] == "LMSSetValue"}
    assert not written & {"cmi.core.lesson_status", "cmi.core.score.raw"}
    assert lms.stored()["core"]["lesson_status"] == "passed"
    assert lms.stored()["core"]["score"]["raw"] == "100"


# ---------- 4. an LMS that refuses ----------


def test_lms_refusing_values_and_commits_shows_the_notice(
    lms: Lms, default_course: BuiltCourse
) -> None:
    strings = lms_strings(default_course)
    sco = lms.launch(default_course, refuse={"setValue": -1, "commit": -1})
    notice = sco.locator("[data-notice]")
    assert notice.is_visible() and notice.inner_text() == strings["not_saved"]
    read_to_quiz(sco)  # the learner carries on
    questions = questions_of(SOURCE_DIR)
    answer(sco, right_answers(questions))
    submit(sco)
    assert sco.get_attribute("[data-result]", "data-status") == "passed"
    lms.exit()
    calls = lms.calls()
    assert [c["name"] for c in calls].count("LMSFinish") == 1 and calls[-1]["name"] == "LMSFinish"
    # Each refused value was tried exactly twice (once, then one retry).
    tries = [c["args"][0] for c in calls if c["name"] == "LMSSetValue"]
    assert tries.count("cmi.core.score.raw") == 2


def test_lms_refusing_once_is_retried_silently(lms: Lms, default_course: BuiltCourse) -> None:
    sco = lms.launch(default_course, refuse={"setValue": 1, "commit": 1})
    sco.click('[data-go="next"]')
    assert sco.is_hidden("[data-notice]")
    lms.exit()
    calls = lms.calls()
    refused = [c for c in calls if c["result"] == "false"]
    assert [c["name"] for c in refused] == ["LMSSetValue", "LMSCommit"]
    for call in refused:  # the very next call repeats it
        following = calls[calls.index(call) + 1]
        assert (following["name"], following["args"]) == (call["name"], call["args"])
    assert lms.stored()["core"]["lesson_status"] == "incomplete"
    assert lms.stored()["core"]["lesson_location"] == "1"


def lms_strings(course: BuiltCourse) -> dict[str, str]:
    html = (course.folder / course.launches[0]).read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="sco-data">(.*?)</script>', html, re.S)
    assert data
    return json.loads(data.group(1))["strings"]


# ---------- 5. no LMS ----------


def test_without_an_lms_everything_works_and_says_so(
    page: Page, default_course: BuiltCourse
) -> None:
    strings = lms_strings(default_course)
    page.goto(default_course.url + default_course.launches[0])
    sco = page.main_frame
    sco.wait_for_selector("nav.pager:not([hidden])")
    assert sco.inner_text("[data-notice]") == strings["no_lms"]
    assert sco.locator("section.page:not([hidden])").count() == 1
    page.keyboard.press("ArrowRight")  # keyboard use
    assert page_shown(sco) == 1
    sco.click("summary")
    sco.click("[data-page-link='0']")  # the table of contents
    assert page_shown(sco) == 0
    read_to_quiz(sco)
    questions = questions_of(SOURCE_DIR)
    answer(sco, right_answers(questions))
    submit(sco)
    assert sco.get_attribute("[data-result]", "data-status") == "passed"
    assert sco.locator("[data-feedback]:not([hidden])").count() == len(drawn_questions(sco))


# ---------- 6. two SCOs ----------

SECOND_LESSON = """# 手指衛生

## いつ消毒するか

患者に触れる前と後に手指消毒をします。

## どう消毒するか

手のひら、指の間、親指、指先を忘れずに消毒します。
"""


def test_two_lessons_each_sco_has_its_own_session(lms: Lms, site: Site, tmp_path: Path) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "hand-hygiene.md").write_text(SECOND_LESSON, encoding="utf-8")
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            'lessons = ["llm-basics"]', 'lessons = ["llm-basics", "hand-hygiene"]'
        ),
        encoding="utf-8",
    )
    course = build_course(site, source, tmp_path, "two-lessons")
    first, second = course.launches

    sco = lms.launch(course, first)
    sco.click('[data-go="next"]')
    sco = lms.open_next(second)  # straight on, as from Moodle's table of contents
    assert sco.inner_text("[data-progress]") == "1 / 2"
    sco.click('[data-go="next"]')
    lms.exit()

    calls = lms.calls()
    by_sco = {launch: [c for c in calls if c["sco"] == launch] for launch in (first, second)}
    for launch_calls in by_sco.values():
        assert_one_session(launch_calls)
    # The first SCO finished before the second one started.
    assert calls.index(by_sco[first][-1]) < calls.index(by_sco[second][0])
    stored = {c["sco"]: c["cmi"] for c in lms.commits()}
    assert stored[first]["core"]["lesson_status"] == "incomplete"
    assert stored[first]["core"]["lesson_location"] == "1"
    assert stored[second]["core"]["lesson_status"] == "completed"  # every page seen, no quiz
    assert stored[second]["core"]["exit"] == ""


# ---------- limits: a 100-question quiz ----------


def hundred_question_quiz() -> str:
    """Worst cases for suspend_data: 26-choice multiples all ticked, long numbers."""
    letters = [f"選択肢{n}" for n in range(1, 27)]
    blocks = ["pass_mark = 80\nshuffle_questions = true\nshuffle_choices = true\n"]
    for n in range(100):
        kind = ["single", "multiple", "true-false", "numeric"][n % 4]
        block = f'[[questions]]\nid = "q{n:03d}"\ntype = "{kind}"\ntext = "問題 {n}"\n'
        block += 'explanation = "解説"\n'
        if kind == "single":
            block += f"choices = {json.dumps(letters[:4], ensure_ascii=False)}\nanswer = 2\n"
        elif kind == "multiple":
            block += f"choices = {json.dumps(letters, ensure_ascii=False)}\nanswer = [1, 26]\n"
        elif kind == "true-false":
            block += "answer = true\n"
        else:
            block += "answer = 175\ntolerance = 0.5\n"
        blocks.append(block)
    return "\n".join(blocks)


def test_hundred_questions_fit_location_and_suspend_data(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.quiz.toml").write_text(
        hundred_question_quiz(), encoding="utf-8"
    )
    course = build_course(site, source, tmp_path, "hundred")
    questions = questions_of(source)
    assert len(questions) == 100
    longest: Answers = {}
    for q in questions:
        if q.type == "multiple":
            longest[q.id] = "".join(c.key for c in q.choices)  # every choice ticked
        elif q.type == "numeric":
            longest[q.id] = "17" + "0" * 18  # 20 characters, as many as the field takes
        else:
            longest[q.id] = wrong_answer(q)

    sco = lms.launch(course)
    read_to_quiz(sco)
    order = question_order(sco)
    assert order != [q.id for q in questions]  # shuffled
    fill_quickly(sco, longest)
    lms.exit()  # halfway: answered, not submitted
    saved = lms.stored()
    sco = lms.launch(course, saved=saved)
    assert question_order(sco) == order  # the same order on return
    for q in questions:  # every answer is back
        given = sco.locator(f'[data-question="{q.id}"] input')
        if q.type == "numeric":
            assert given.input_value() == longest[q.id]
        else:
            checked = given.evaluate_all("nodes => nodes.filter(n => n.checked).map(n => n.value)")
            assert "".join(sorted(checked)) == longest[q.id]
    submit(sco)
    lms.exit()

    locations = set_values(lms, "cmi.core.lesson_location")
    suspends = set_values(lms, "cmi.suspend_data")
    assert suspends and max(len(s) for s in suspends) <= 4096
    print(f"\n100 questions: largest suspend_data {max(len(s) for s in suspends)} chars")
    assert max(len(v) for v in locations or ["0"]) <= 255
    assert max(len(saved["suspend_data"]), len(lms.stored()["suspend_data"])) <= 4096
    assert len(answer_interactions(lms.stored())) == 100
    assert_interactions(lms.stored(), questions, [longest])


def question_order(sco: Frame) -> list[str]:
    return sco.locator("[data-question]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.question)"
    )


def fill_quickly(sco: Frame, answers: Answers) -> None:
    """Answer many questions at once, with the events a learner's clicks would fire."""
    sco.evaluate(
        """answers => {
          for (const [id, given] of Object.entries(answers)) {
            const question = document.querySelector(`[data-question="${id}"]`);
            for (const input of question.querySelectorAll("input")) {
              if (input.type === "text") input.value = given;
              else input.checked = given.includes(input.value);
              input.dispatchEvent(new Event("change", { bubbles: true }));
            }
          }
        }""",
        answers,
    )


def test_fail_leave_and_retry_later_appends_interactions(
    lms: Lms, default_course: BuiltCourse
) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    wrong = {q.id: wrong_answer(q) for q in drawn_questions(sco)}
    answer(sco, wrong)
    submit(sco)
    lms.exit()
    saved = lms.stored()
    assert saved["core"]["lesson_status"] == "failed"

    sco = lms.launch(default_course, saved=saved)
    assert sco.get_attribute("[data-result]", "data-status") == "failed"  # the result is kept
    sco.click("[data-retry]")
    right = right_answers(drawn_questions(sco))
    answer(sco, right)
    submit(sco)
    lms.exit()
    assert_one_session(lms.calls())
    cmi = lms.stored()
    assert cmi["core"]["lesson_status"] == "passed"
    assert_interactions(cmi, questions, [wrong, right])  # index 6 on, after the stored ones


def test_hiding_the_page_commits_without_finishing(lms: Lms, default_course: BuiltCourse) -> None:
    questions = questions_of(SOURCE_DIR)
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    first = next(q for q in drawn_questions(sco) if q.type != "numeric")  # a change at once
    answer(sco, {first.id: "".join(first.correct)})
    commits_before = len(lms.commits())
    sco.evaluate(
        """() => {
          Object.defineProperty(document, "visibilityState", { value: "hidden" });
          Object.defineProperty(document, "hidden", { value: true }); // both, as browsers do
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    commits = lms.commits()
    assert len(commits) == commits_before + 1 and commits[-1]["by"] == "LMSCommit"
    saved_answers = json.loads(commits[-1]["cmi"]["suspend_data"])["a"]
    assert saved_answers[questions.index(first)] == "".join(first.correct)
    assert "LMSFinish" not in [c["name"] for c in lms.calls()]
