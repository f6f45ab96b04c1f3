"""`scorm-builder preview`: the course in a strict local LMS, rebuilt when a source changes.

The LMS side (scorm_builder/preview/lms.js) is tested as a unit in the browser first, then the
whole preview page with the default course.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from scorm_builder.preview.server import PREVIEW_DIR, PreviewServer, PreviewState
from scorm_builder.render import TEMPLATES_DIR, Theme
from tests.browser_support import correct_answers
from tests.course_factory import copy_default_course


@pytest.fixture
def lms_page(page: Page) -> Page:
    """A blank page with the preview's LMS loaded and a fresh API in `window.api`."""
    page.set_content("<!DOCTYPE html><title>lms unit</title>")
    page.add_script_tag(content=(PREVIEW_DIR / "lms.js").read_text(encoding="utf-8"))
    page.evaluate(
        """() => {
        window.calls = [];
        window.store = new Map();
        const storage = { getItem: (k) => window.store.get(k) ?? null,
                          setItem: (k, v) => window.store.set(k, v) };
        window.launch = () => createLmsApi({ scoId: "s", masteryScore: "80", storage,
            storageKey: "k", onCall: (entry) => window.calls.push(entry) });
        window.api = window.launch();
        }"""
    )
    return page


def call(page: Page, method: str, *args: str) -> tuple[str, str]:
    """Call the API (with exactly `args`); return (result, LMSGetLastError())."""
    return tuple(
        page.evaluate(
            "([m, a]) => [window.api[m](...a), window.api.LMSGetLastError()]", [method, list(args)]
        )
    )


def last_violation(page: Page) -> str | None:
    return page.evaluate("() => window.calls.at(-1).violation ?? null")


def test_calls_before_initialize_are_refused(lms_page: Page) -> None:
    assert call(lms_page, "LMSGetValue", "cmi.core.lesson_status") == ("", "301")
    assert "before LMSInitialize" in last_violation(lms_page)


def test_initialize_without_its_empty_string_argument_is_refused(lms_page: Page) -> None:
    assert call(lms_page, "LMSInitialize") == ("false", "201")  # Moodle refuses it too


def test_objectives_are_part_of_the_data_model(lms_page: Page) -> None:
    call(lms_page, "LMSInitialize", "")
    assert call(lms_page, "LMSSetValue", "cmi.objectives.0.id", "hand-hygiene") == ("true", "0")
    assert call(lms_page, "LMSSetValue", "cmi.objectives.0.score.raw", "90") == ("true", "0")
    assert call(lms_page, "LMSGetValue", "cmi.objectives._count") == ("1", "0")
    assert call(lms_page, "LMSGetValue", "cmi.core.score._count") == ("", "203")


@pytest.mark.parametrize(
    ("element", "value", "error"),
    [
        ("cmi.core.session_time", "0:05:00", "405"),  # Moodle wants two hour digits
        ("cmi.core.session_time", "00:75:00x", "405"),
        ("cmi.core.lesson_status", "not attempted", "405"),
        ("cmi.core.lesson_status", "complete", "405"),
        ("cmi.core.score.raw", "101", "405"),
        ("cmi.core.score.raw", "abc", "405"),
        ("cmi.core.exit", "quit", "405"),
        ("cmi.suspend_data", "x" * 4097, "405"),
        ("cmi.core.lesson_location", "x" * 256, "405"),
        ("cmi.core.entry", "resume", "403"),  # read-only
        ("cmi.core.total_time", "00:00:01", "403"),
        ("cmi.core._children", "x", "402"),  # a keyword
        ("cmi.core.no_such_thing", "x", "401"),
        ("cmi.interactions.1.id", "q1", "201"),  # skips index 0
        ("cmi.interactions.0.id", "質問1", "405"),  # ids are ASCII
        ("cmi.interactions.0.result", "incorrect", "405"),  # 1.2 says "wrong"
        ("cmi.interactions.0.type", "multiple-choice", "405"),
    ],
)
def test_values_a_strict_lms_refuses(lms_page: Page, element: str, value: str, error: str) -> None:
    call(lms_page, "LMSInitialize", "")
    assert call(lms_page, "LMSSetValue", element, value) == ("false", error)
    assert last_violation(lms_page)  # shown in red in the panel, with the rule


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.core.session_time", "00:05:00"),
        ("cmi.core.session_time", "0001:02:03.4"),
        ("cmi.core.lesson_status", "incomplete"),
        ("cmi.core.score.raw", "87.5"),
        ("cmi.core.exit", "suspend"),
        ("cmi.core.exit", ""),
        ("cmi.suspend_data", "x" * 4096),
        ("cmi.interactions.0.id", "llm-definition"),
        ("cmi.interactions.0.result", "wrong"),
        ("cmi.interactions.0.latency", "00:00:12.5"),
        ("cmi.interactions.0.time", "13:45:07"),
    ],
)
def test_values_a_strict_lms_accepts(lms_page: Page, element: str, value: str) -> None:
    call(lms_page, "LMSInitialize", "")
    assert call(lms_page, "LMSSetValue", element, value) == ("true", "0")


def test_write_only_elements_cannot_be_read(lms_page: Page) -> None:
    call(lms_page, "LMSInitialize", "")
    assert call(lms_page, "LMSGetValue", "cmi.core.session_time") == ("", "404")
    call(lms_page, "LMSSetValue", "cmi.interactions.0.id", "q1")
    assert call(lms_page, "LMSGetValue", "cmi.interactions.0.id") == ("", "404")
    assert call(lms_page, "LMSGetValue", "cmi.interactions._count") == ("1", "0")


def test_initialize_twice_and_calls_after_finish_are_flagged(lms_page: Page) -> None:
    assert call(lms_page, "LMSInitialize", "") == ("true", "0")
    assert call(lms_page, "LMSInitialize", "") == ("false", "101")
    assert call(lms_page, "LMSFinish", "") == ("true", "0")
    assert call(lms_page, "LMSSetValue", "cmi.core.lesson_status", "passed") == ("false", "301")
    assert "after LMSFinish" in last_violation(lms_page)


def test_a_launch_closed_without_finish_is_flagged(lms_page: Page) -> None:
    call(lms_page, "LMSInitialize", "")
    lms_page.evaluate("() => window.api.endLaunch()")
    assert "without LMSFinish" in last_violation(lms_page)


def test_finish_applies_the_mastery_score_and_relaunch_resumes(lms_page: Page) -> None:
    call(lms_page, "LMSInitialize", "")
    call(lms_page, "LMSSetValue", "cmi.core.lesson_status", "incomplete")
    call(lms_page, "LMSSetValue", "cmi.core.score.raw", "60")
    call(lms_page, "LMSSetValue", "cmi.core.exit", "suspend")
    call(lms_page, "LMSSetValue", "cmi.core.session_time", "00:01:30.5")
    call(lms_page, "LMSSetValue", "cmi.suspend_data", "page=3")
    call(lms_page, "LMSFinish", "")

    lms_page.evaluate("() => { window.api = window.launch(); }")  # state comes from storage
    call(lms_page, "LMSInitialize", "")
    assert call(lms_page, "LMSGetValue", "cmi.core.lesson_status") == ("failed", "0")  # 60 < 80
    assert call(lms_page, "LMSGetValue", "cmi.core.entry") == ("resume", "0")
    assert call(lms_page, "LMSGetValue", "cmi.core.total_time") == ("0000:01:30.50", "0")
    assert call(lms_page, "LMSGetValue", "cmi.suspend_data") == ("page=3", "0")


# --- The preview page with a real course -------------------------------------------------


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    return copy_default_course(tmp_path / "source")


@pytest.fixture
def preview(course_copy: Path, page: Page) -> Iterator[PreviewServer]:
    server = PreviewServer(course_copy)
    yield server
    page.goto("about:blank")  # stop the page polling before its server goes away
    server.close()


def sco_frame(page: Page) -> Frame:
    page.wait_for_function(
        "() => document.querySelector('#scorm_object').contentDocument"
        "?.querySelector('nav.pager:not([hidden])')"
    )
    frame = page.frame(name="scorm_object")
    assert frame is not None
    return frame


def pass_quiz(frame: Frame) -> None:
    """Read every page with 次へ, then answer every question drawn correctly and submit."""
    data = json.loads(frame.locator("#sco-data").text_content())
    for _ in range(data["pageCount"] - 1):
        frame.locator("[data-go=next]").click()
    for question_id, keys in correct_answers(frame).items():
        question = frame.locator(f"[data-question='{question_id}']")
        if question.is_hidden():  # not drawn in this try
            continue
        if question.locator("input[type=text]").count():  # numeric: the number typed
            question.locator("input[type=text]").fill(keys[0])
            continue
        for key in keys:
            question.locator(f"input[value='{key}']").check()
    frame.locator("form[data-quiz] button[type=submit]").click()


def panel_value(page: Page, name: str) -> str:
    return page.locator(f"[data-values] dd[data-value='{name}']").text_content()


def test_passing_the_quiz_in_the_preview_shows_passed_and_the_score(
    page: Page, preview: PreviewServer
) -> None:
    page.goto(preview.url)
    frame = sco_frame(page)
    assert panel_value(page, "lesson_status") == "incomplete"
    pass_quiz(frame)
    expect(page.locator("[data-values] dd[data-value='lesson_status']")).to_have_text("passed")
    assert panel_value(page, "score.raw") == "100"
    # The reading time first (issue 17), then two questions of each pool; the strict LMS
    # took every value (no violation logged).
    rows = page.locator("[data-interactions] tr")
    assert rows.count() == 1 + 6
    index, name, kind, response, correct, result, _, latency = rows.nth(0).locator("td").all()
    assert (name.text_content(), kind.text_content()) == ("reading", "performance")
    assert re.fullmatch(r"00:00:\d\d\.00", response.text_content() or "")
    assert latency.text_content() == response.text_content()
    assert (correct.text_content(), result.text_content()) == ("", "neutral")  # no minimum set
    assert page.locator(".log .violation").count() == 0


HAND_MADE_SCO = """<!DOCTYPE html><html lang="en"><title>hand-made</title><script>
  const api = parent.API;
  api.LMSInitialize("");
  api.LMSSetValue("cmi.core.session_time", "0:05:00");
  api.LMSFinish("");
</script></html>"""


def test_a_wrong_call_is_shown_with_the_rule_it_breaks(page: Page, preview: PreviewServer) -> None:
    # A hand-made SCO launched in the preview: it writes a session time Moodle rejects.
    page.route(
        "**/package/hand-made/index.html",
        lambda route: route.fulfill(body=HAND_MADE_SCO, content_type="text/html"),
    )
    page.goto(preview.url)
    sco_frame(page)
    page.evaluate(
        "() => launch({id: 'hand-made', title: 'hand-made', href: 'hand-made/index.html',"
        " masteryScore: ''})"
    )
    violation = page.locator(".log li.violation")
    expect(violation).to_have_count(1)
    expect(violation).to_contain_text('LMSSetValue("cmi.core.session_time", "0:05:00")')
    expect(violation).to_contain_text("at least two hour digits")
    expect(page.locator(".log li").last).to_contain_text('LMSFinish("") → "true"')


def test_editing_a_lesson_rebuilds_and_reloads(
    page: Page, preview: PreviewServer, course_copy: Path
) -> None:
    page.goto(preview.url)
    frame = sco_frame(page)
    expect(frame.locator("h1")).to_have_text("大規模言語モデル（LLM）の基礎")
    lesson = course_copy / "lessons" / "llm-basics.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("の基礎\n", "の基礎（改訂版）\n", 1),
        encoding="utf-8",
    )
    expect(page.frame(name="scorm_object").locator("h1")).to_have_text(
        "大規模言語モデル（LLM）の基礎（改訂版）", timeout=10_000
    )


def test_a_build_error_is_shown_in_the_page(
    page: Page, preview: PreviewServer, course_copy: Path
) -> None:
    page.goto(preview.url)
    sco_frame(page)
    shutil.copy(course_copy / "course.toml", course_copy / "course.toml.bak")
    settings = course_copy / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("pass_mark = 80", "pass_mark = 180")
    )
    error = page.locator("[data-build-error]")
    expect(error).to_be_visible(timeout=10_000)
    expect(error).to_contain_text("course.toml:")
    expect(error).to_contain_text("pass mark")


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES_DIR, tmp_path / "templates"))


def test_a_template_error_is_shown_in_the_page_and_the_preview_goes_on(
    page: Page, course_copy: Path, templates_copy: Path
) -> None:
    server = PreviewServer(course_copy, theme=Theme(templates_copy))
    try:
        page.goto(server.url)
        sco_frame(page)
        template = templates_copy / "lesson.html"
        good = template.read_text(encoding="utf-8")
        template.write_text(good.replace("</main>", "{% if %}</main>", 1), encoding="utf-8")
        error = page.locator("[data-build-error]")
        expect(error).to_be_visible(timeout=10_000)
        expect(error).to_contain_text("TemplateSyntaxError")
        expect(error).to_contain_text("the course could not be built")

        template.write_text(good, encoding="utf-8")  # fixed: the next save builds again
        expect(error).to_be_hidden(timeout=10_000)
        sco_frame(page)
    finally:
        page.goto("about:blank")
        server.close()


def test_a_rebuild_that_fails_on_the_disk_is_reported_not_fatal(
    course_copy: Path, templates_copy: Path
) -> None:
    state = PreviewState(course_copy, Theme(templates_copy))
    state.rebuild()
    assert state.error is None and "imsmanifest.xml" in state.files
    shutil.move(templates_copy / "static", templates_copy.parent / "static-away")
    state.rebuild()
    assert state.error is not None and "FileNotFoundError" in state.error
    assert "imsmanifest.xml" in state.files  # the last good build is still served
    shutil.move(templates_copy.parent / "static-away", templates_copy / "static")
    state.rebuild()
    assert state.error is None
