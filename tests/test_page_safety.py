"""What a shipped page lets run and what it shows before the learner answers (issue 12).

- Every page carries a Content-Security-Policy: only the package's own scripts run; an inline
  script or event handler that got into a page anyway is blocked by the browser.
  An author's colour on a word (a style attribute the sanitiser allowed) still shows.
- The answer key is not in the page in plain text: each correct response is a salted digest,
  the correct answer and explanation are encoded until the learner submits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import pytest
from playwright.sync_api import Browser, Frame, Page

from scorm_builder import answer_key
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
from tests.test_runtime import (
    answer,
    drawn_questions,
    read_to_quiz,
    right_answers,
    submit,
)

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "img-src": "'self' data:",
    # The sanitiser lets authors colour a word (<span style="color: …">, filtered properties);
    # <style> elements stay blocked.
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
}


def page_html(course: BuiltCourse) -> str:
    return (course.folder / course.launches[0]).read_text(encoding="utf-8")


def sco_data(course: BuiltCourse) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="sco-data">(.*?)</script>', page_html(course), re.S
    )
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_every_page_has_the_content_security_policy(default_course: BuiltCourse) -> None:
    tree = html5lib.parse(page_html(default_course), namespaceHTMLElements=False)
    metas = [m for m in tree.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    head = list(tree.find("head") or ())
    assert head.index(metas[0]) < min(head.index(e) for e in head if e.tag in ("link", "script"))
    policy = metas[0].get("content") or ""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives == POLICY
    scripts = [s for s in tree.iter("script")]
    # Only the run-time file runs; the data block is JSON, which browsers never execute.
    assert [s.get("src") for s in scripts if s.get("src")] == ["../shared/runtime.js"]
    assert [s.get("type") for s in scripts if not s.get("src")] == ["application/json"]


@pytest.fixture
def bare_page(browser: Browser) -> Iterator[Page]:
    """A page whose console errors are the test's to read (the CSP reports blocked code)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_an_injected_inline_script_is_blocked(
    bare_page: Page, default_course: BuiltCourse, tmp_path: Path
) -> None:
    launch = default_course.folder / default_course.launches[0]
    injected = launch.with_name("injected.html")
    planted = (
        '<script>window.ran = "inline script"</script>'
        '<img src="x" onerror="window.ran = \'event handler\'">'
        '<a id="js" href="javascript:window.ran=\'link\'">x</a>'
    )
    injected.write_text(
        page_html(default_course).replace("<main", planted + "<main", 1), encoding="utf-8"
    )
    blocked: list[str] = []
    bare_page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    bare_page.goto(
        default_course.url + default_course.launches[0].replace("index.html", "injected.html")
    )
    bare_page.wait_for_selector("nav.pager:not([hidden])")  # the run-time itself still runs
    bare_page.click("#js")
    bare_page.wait_for_timeout(200)
    assert bare_page.evaluate("() => window.ran") is None
    assert len(blocked) >= 3, blocked  # the script, the handler and the link, each refused


def test_the_answer_key_is_not_in_the_page_in_plain_text(default_course: BuiltCourse) -> None:
    html = page_html(default_course)
    course, _ = read_course(SOURCE_DIR)
    quiz = course.lessons[0].quiz
    assert quiz
    data = sco_data(default_course)["quiz"]["questions"]
    assert not any("correct" in q or "explanation" in q for q in data)
    for question, shipped in zip(quiz.questions, data, strict=True):
        assert question.explanation not in html  # "view source" shows no explanation...
        # ...and no correct response: only its salted digest (none for a number, which is
        # graded against the value in the key), and an encoded key.
        assert shipped["digest"] == (
            ""
            if question.type == "numeric"
            else answer_key.digest(shipped["salt"], question.id, ",".join(question.correct))
        )
        assert answer_key.decode(shipped["salt"], question.id, shipped["key"]) == {
            "correct": list(question.correct),
            "tolerance": "0",
            "explanation": question.explanation,
        }
    assert len({q["salt"] for q in data}) == len(data)  # the same answer never looks the same


def test_explanations_appear_after_submitting_and_the_lms_gets_correct_responses(
    lms: Lms, default_course: BuiltCourse
) -> None:
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    questions = drawn_questions(sco)
    assert sco.locator("[data-explanation]:visible").count() == 0
    answer(sco, right_answers(questions))
    submit(sco)
    shown = sco.locator("[data-question]:not([hidden]) [data-explanation]").all_inner_texts()
    assert shown == [f"解説: {q.explanation}" for q in sco_order(sco, questions)]
    lms.exit()
    patterns = {
        i["id"]: i["correct_responses"]["0"]["pattern"] for i in answer_interactions(lms.stored())
    }
    assert patterns == {q.id: ",".join(q.correct) for q in questions}


def sco_order(sco: Frame, questions: list[Question]) -> list[Question]:
    """The questions in the order the page shows them (those of the try on screen)."""
    order = sco.locator("[data-question]:not([hidden])").evaluate_all(
        "nodes => nodes.map(n => n.dataset.question)"
    )
    by_id = {q.id: q for q in questions}
    return [by_id[i] for i in order]


def test_a_colour_the_author_gave_a_word_still_shows(
    page: Page, site: Site, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    text = lesson.read_text(encoding="utf-8")
    heading_end = text.index("\n", text.index("\n## ") + 1)
    styled = '\n<span style="color: #c00" id="warned">必ず確認</span>してください。\n'
    lesson.write_text(text[: heading_end + 1] + styled + text[heading_end + 1 :], encoding="utf-8")
    course = build_course(site, source, tmp_path, "styled")
    page.goto(course.url + course.launches[0])
    page.wait_for_selector("nav.pager:not([hidden])")
    assert page.eval_on_selector("#warned", "e => getComputedStyle(e).color") == "rgb(204, 0, 0)"
