"""Reading time, the minimum reading time before the quiz, and the attestation (issue 17),
played against scorm-again as the LMS.

Time is Playwright's clock: the tests move it on instead of waiting. The run-time counts the
time a lesson page is visible while the learner does something (an input in the last 5
minutes), and reports the total as the interaction `reading`; the attestation is the
interaction `attest`, with the time and the content version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame

from scorm_builder.content_version import content_version
from scorm_builder.sources import read_course
from tests.browser_support import SOURCE_DIR, BuiltCourse, Lms, Site, build_course
from tests.course_factory import copy_default_course
from tests.test_accessibility import run_axe
from tests.test_runtime import answer, drawn_questions, right_answers, submit, wrong_answer

STATEMENT = "院内感染対策マニュアル第3版を読み、内容を理解しました。"


def records(lms: Lms, name: str) -> list[dict[str, Any]]:
    """The interactions called `name` the LMS holds, in the order written."""
    cmi = lms.stored()
    stored = [cmi["interactions"][str(n)] for n in range(len(cmi["interactions"]))]
    return [i for i in stored if i["id"] == name]


def saved_state(lms: Lms) -> dict[str, Any]:
    return dict(json.loads(lms.stored()["suspend_data"]))


def read_for(lms: Lms, sco: Frame, seconds: int) -> None:
    """The learner reads the page on screen for `seconds`, moving the mouse now and then."""
    for _ in range(seconds // 60):
        lms.page.clock.fast_forward(60_000)
        sco.locator("main").hover()
        lms.page.mouse.move(5, 5)
        sco.locator("main").hover()
    if seconds % 60:
        lms.page.clock.fast_forward(seconds % 60 * 1000)
        lms.page.mouse.move(5, 5)
        sco.locator("main").hover()


def go_to(sco: Frame, index: int) -> None:
    """Open a page from the table of contents, as a learner does."""
    if not sco.locator(".toc details").evaluate("node => node.open"):
        sco.click(".toc summary")
    sco.click(f'[data-page-link="{index}"]')
    sco.wait_for_selector(f'section.page[data-page="{index}"]:not([hidden])')


def next_page(sco: Frame) -> None:
    sco.click('[data-go="next"]')


def seconds(span: str) -> float:
    hours, minutes, rest = span.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


@pytest.fixture(scope="module")
def strict_course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    """The default course with a minimum reading time of 2 minutes and an attestation."""
    work = tmp_path_factory.mktemp("records")
    source = copy_default_course(work / "source")
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\n[min_reading_minutes]\nllm-basics = 2\n",
        encoding="utf-8",
    )
    lesson = source / "lessons" / "llm-basics.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + f"\n:::attest\n{STATEMENT}\n:::\n", encoding="utf-8"
    )
    return build_course(site, source, work, "records")


# ---------- reading time ----------


def test_a_full_session_puts_the_reading_time_in_the_lms_record(
    lms: Lms, default_course: BuiltCourse
) -> None:
    lms.page.clock.install()
    sco = lms.launch(default_course)
    pages = sco.locator("section.page").count()
    for _ in range(pages - 1):  # 30 s on each lesson page, then the quiz
        read_for(lms, sco, 30)
        next_page(sco)
    lms.page.clock.fast_forward(600_000)  # 10 minutes on the quiz page: not reading
    answer(sco, right_answers(drawn_questions(sco)))
    submit(sco)
    [at_submit] = records(lms, "reading")
    assert at_submit["type"] == "performance"
    assert at_submit["result"] == "neutral"  # no minimum in the default course
    assert 30 * (pages - 1) <= seconds(at_submit["student_response"]) < 30 * (pages - 1) + 5
    assert seconds(at_submit["latency"]) == seconds(at_submit["student_response"])
    assert re.fullmatch(r"\d\d:\d\d:\d\d", at_submit["time"])
    lms.exit()
    # Kept locally per page, in seconds; the quiz page counts nothing.
    read = saved_state(lms)["w"]
    assert len(read) == pages and read[-1] == 0
    assert all(30 <= s <= 32 for s in read[:-1])
    # Nothing read since the submission: no second entry at exit.
    assert len(records(lms, "reading")) == 1


def test_an_idle_or_hidden_page_is_not_reading_and_the_time_survives_resume(
    lms: Lms, default_course: BuiltCourse
) -> None:
    lms.page.clock.install()
    sco = lms.launch(default_course)
    next_page(sco)  # saved progress starts once the learner moves (no bookmark before)
    sco.locator("main").hover()
    lms.page.clock.fast_forward(20 * 60_000)  # left alone for 20 minutes
    lms.page.mouse.move(5, 5)
    sco.evaluate(
        """() => {
          for (const [name, value] of [["visibilityState", "hidden"], ["hidden", true]])
            Object.defineProperty(document, name, { value, configurable: true });
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    lms.page.clock.fast_forward(60 * 60_000)  # an hour behind another tab
    lms.exit()
    first = saved_state(lms)["w"][1]
    assert 300 <= first <= 302  # 5 minutes until idle, nothing while hidden
    [entry] = records(lms, "reading")
    assert abs(seconds(entry["student_response"]) - sum(saved_state(lms)["w"])) <= 1

    sco = lms.launch(default_course, saved=lms.stored())
    read_for(lms, sco, 60)
    lms.exit()
    again = saved_state(lms)["w"][1]
    assert first + 60 <= again <= first + 63  # added to what was kept
    last = records(lms, "reading")[-1]
    assert abs(seconds(last["student_response"]) - sum(saved_state(lms)["w"])) <= 1


# ---------- the minimum reading time and the attestation ----------


def test_the_quiz_opens_after_the_attestation_and_the_minimum_reading_time(
    lms: Lms, site: Site, strict_course: BuiltCourse
) -> None:
    course, _ = read_course(SOURCE_DIR)
    lms.page.clock.install()
    sco = lms.launch(strict_course, saved={"core": {"student_name": "山田, 花子"}})
    pages = sco.locator("section.page").count()
    go_to(sco, pages - 1)  # straight to the quiz
    gate = sco.locator("[data-gate]")
    assert sco.locator("form[data-quiz]").is_hidden()
    assert gate.text_content() == (
        "確認テストは、レッスンのページを合わせて2分以上読むと始められます（あと約2分）。 "
        "確認テストは、「内容の確認」のページで確認を記録すると始められます。"
    )
    assert gate.get_attribute("role") == "status"
    assert run_axe(sco, site).problems() == ""

    go_to(sco, 0)
    read_for(lms, sco, 70)
    go_to(sco, pages - 1)
    assert "（あと約1分）" in (gate.text_content() or "")

    # The attestation page, just before the quiz.
    go_to(sco, pages - 2)
    attest = sco.locator("section.attest")
    assert attest.locator("h2").text_content() == "内容の確認"
    assert attest.locator("blockquote").text_content().strip() == STATEMENT
    assert run_axe(sco, site).problems() == ""
    attest.locator("button").click()  # not ticked: the browser asks for the tick
    assert records(lms, "attest") == [] and attest.locator("form").is_visible()
    attest.locator("input[type=checkbox]").check()
    attest.locator("button").click()
    done = attest.locator("[data-attested]")
    version = content_version("1.0", read_course(strict_course_source(strict_course))[0].lessons[0])
    assert done.text_content() == f"確認を記録しました（教材の版 {version}）。"
    assert attest.locator("form").is_hidden()
    assert sco.evaluate("() => document.activeElement.dataset.attested") == ""
    [record] = records(lms, "attest")
    assert record["type"] == "performance"
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d {re.escape(version)}", record["student_response"]
    )
    assert lms.commits()[-1]["by"] == "LMSCommit"  # committed at once
    assert run_axe(sco, site).problems() == ""

    read_for(lms, sco, 60)  # the attestation page counts as reading too
    next_page(sco)
    assert sco.locator("form[data-quiz]").is_visible() and gate.is_hidden()
    answer(sco, right_answers(drawn_questions(sco)))
    submit(sco)
    [reading] = records(lms, "reading")
    assert reading["correct_responses"]["0"]["pattern"] == "00:02:00.00"
    assert reading["result"] == "correct" and seconds(reading["student_response"]) >= 120
    certificate = sco.locator("[data-certificate]")
    assert certificate.is_visible()
    assert certificate.locator("dd").first.text_content() == "山田 花子"
    assert lms.stored()["core"]["lesson_status"] == "passed"
    assert course.lessons[0].title == certificate.locator("dd").nth(2).text_content()
    lms.exit()

    # On return: confirmed, passed, the certificate again.
    sco = lms.launch(strict_course, saved=lms.stored())
    assert sco.locator("[data-certificate]").is_visible()  # back on the quiz page, passed
    go_to(sco, pages - 2)
    assert sco.locator("section.attest [data-attested]").is_visible()
    assert sco.locator("section.attest form").is_hidden()


def strict_course_source(course: BuiltCourse) -> Path:
    return course.folder.parent / "source"


def test_the_reading_time_and_the_attestation_survive_resume_and_a_new_version_asks_again(
    lms: Lms, site: Site, tmp_path: Path, strict_course: BuiltCourse
) -> None:
    lms.page.clock.install()
    sco = lms.launch(strict_course)
    read_for(lms, sco, 90)
    pages = sco.locator("section.page").count()
    go_to(sco, pages - 2)
    sco.locator("section.attest input[type=checkbox]").check()
    sco.locator("section.attest button").click()
    lms.exit()
    saved = lms.stored()

    sco = lms.launch(strict_course, saved=saved)  # the same version: both kept
    go_to(sco, pages - 1)
    assert sco.locator("[data-gate]").text_content() == (
        "確認テストは、レッスンのページを合わせて2分以上読むと始められます（あと約1分）。"
    )
    lms.exit()

    # A changed lesson is another content version: its attestation is asked for again.
    changed = new_version_of(strict_course, site, tmp_path)
    sco = lms.launch(changed, saved=lms.stored())
    go_to(sco, pages - 2)
    assert sco.locator("section.attest form").is_visible()
    assert sco.locator("section.attest [data-attested]").is_hidden()


def new_version_of(course: BuiltCourse, site: Site, folder: Path) -> BuiltCourse:
    """The strict course with its lesson changed (another content version)."""
    source = copy_default_course(folder / "source")
    old = strict_course_source(course)
    (source / "course.toml").write_text(
        (old / "course.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    lesson = (old / "lessons" / "llm-basics.md").read_text(encoding="utf-8")
    (source / "lessons" / "llm-basics.md").write_text(
        lesson.replace("第3版", "第4版"), encoding="utf-8"
    )
    return build_course(site, source, folder / "v2", "records-v2")


def test_after_an_update_the_quiz_waits_for_the_new_attestation_even_after_a_try(
    lms: Lms, site: Site, tmp_path: Path, strict_course: BuiltCourse
) -> None:
    """A try keeps the quiz open against the minimum reading time, never against the
    attestation: "passed" always means "confirmed this version"."""
    lms.page.clock.install()
    sco = lms.launch(strict_course)
    read_for(lms, sco, 130)
    pages = sco.locator("section.page").count()
    go_to(sco, pages - 2)
    sco.locator("section.attest input[type=checkbox]").check()
    sco.locator("section.attest button").click()
    go_to(sco, pages - 1)
    answer(sco, {q.id: wrong_answer(q) for q in drawn_questions(sco)})
    submit(sco)
    assert lms.stored()["core"]["lesson_status"] == "failed"
    lms.exit()

    changed = new_version_of(strict_course, site, tmp_path)
    sco = lms.launch(changed, saved=lms.stored())
    go_to(sco, pages - 1)
    assert sco.locator("form[data-quiz]").is_hidden()
    assert sco.locator("[data-gate]").text_content() == (
        "確認テストは、「内容の確認」のページで確認を記録すると始められます。"
    )  # the reading time no longer holds it: a try was made
    go_to(sco, pages - 2)
    sco.locator("section.attest input[type=checkbox]").check()
    sco.locator("section.attest button").click()
    go_to(sco, pages - 1)
    assert sco.locator("form[data-quiz]").is_visible()
    assert sco.locator("[data-gate]").is_hidden()


def test_a_lesson_without_a_quiz_says_on_its_last_page_how_much_reading_is_left(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.quiz.toml").unlink()
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\n[min_reading_minutes]\nllm-basics = 2\n",
        encoding="utf-8",
    )
    course = build_course(site, source, tmp_path, "reading-only")
    lms.page.clock.install()
    sco = lms.launch(course)
    pages = sco.locator("section.page").count()
    gate = sco.locator("[data-gate]")
    assert gate.is_hidden()  # not on the first page
    go_to(sco, pages - 1)
    assert gate.is_visible() and gate.text_content() == (
        "このレッスンは、ページを合わせて2分以上読むと修了になります（あと約2分）。"
    )
    assert run_axe(sco, site).problems() == ""
    assert lms.stored()["core"]["lesson_status"] != "completed"
    read_for(lms, sco, 130)
    go_to(sco, 0)
    for _ in range(pages - 1):  # every page seen, read long enough: complete
        next_page(sco)
    assert gate.is_hidden()
    assert lms.stored()["core"]["lesson_status"] == "completed"
