"""The way on is always in sight inside Moodle's player (issue 14).

The test LMS page (tests/browser/lms.html) has Moodle 5.1's geometry: the SCO's frame is at
least 680 px tall and starts about 300 px down, under a header, a breadcrumb and an activity
title that wraps, so on a 1366×768 or 1280×900 window its bottom is below the fold. A test
fails when a pager button is not inside the visible viewport of the top window.

    sco = lms.launch(course, LESSON)
    assert pager_in_view(lms, sco)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import Frame

from tests.browser_support import BuiltCourse, Lms, Site, build_course, in_top_viewport
from tests.learner_view import ONE_WRONG, RIGHT, answer_quiz, learner_course
from tests.test_runtime import read_to_quiz

WINDOWS = [(1366, 768), (1280, 900)]
LESSON = "infection-control/index.html"  # table, picture, wide table, code; a quiz of every type
PAGER = ('[data-go="previous"]', '[data-go="next"]', "[data-progress]")
SHOTS = Path(tempfile.gettempdir()) / "scorm-builder-moodle-frame"  # for people to look at


@pytest.fixture(scope="module")
def course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    work = tmp_path_factory.mktemp("moodle-frame")
    return build_course(site, learner_course(work / "source"), work, "moodle-frame")


def pager_in_view(lms: Lms, sco: Frame, within: float = 2.0) -> bool:
    """Whether every pager control is (or, within a moment, comes) into the top window's view:
    the run-time places it from an IntersectionObserver, which reports asynchronously."""
    deadline = time.monotonic() + within
    while True:
        if all(in_top_viewport(lms.page, sco, selector) for selector in PAGER):
            return True
        if time.monotonic() > deadline:
            return False
        lms.page.wait_for_timeout(50)


def frame_geometry(lms: Lms) -> dict[str, float]:
    geometry: dict[str, float] = lms.page.evaluate(
        """() => { const r = document.getElementById('scorm_object').getBoundingClientRect();
                   return {top: r.top, height: r.height, window: innerHeight}; }"""
    )
    return geometry


def shoot(lms: Lms, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    lms.page.screenshot(path=str(SHOTS / name))


@pytest.mark.parametrize(("width", "height"), WINDOWS, ids=[f"{w}x{h}" for w, h in WINDOWS])
def test_the_pager_is_in_view_on_every_page_kind(
    lms: Lms, course: BuiltCourse, width: int, height: int
) -> None:
    lms.page.set_viewport_size({"width": width, "height": height})
    sco = lms.launch(course, LESSON)
    geometry = frame_geometry(lms)
    # Moodle's geometry, or the test proves nothing: the frame's bottom is below the fold.
    assert geometry["height"] >= 680 and 260 <= geometry["top"] <= 340
    assert geometry["top"] + geometry["height"] > geometry["window"]
    count = sco.locator("section.page").count()
    for index in range(count):
        if index:
            sco.click('[data-go="next"]')
        assert pager_in_view(lms, sco), f"page {index + 1} at {width}x{height}"
        shoot(lms, f"moodle-{width}x{height}-page{index + 1}.png")
    sco.click('form[data-quiz] button[type="submit"]')  # nothing answered: the error shows
    assert pager_in_view(lms, sco), "quiz with the 'answer every question' error"
    answer_quiz(sco, ONE_WRONG)
    assert pager_in_view(lms, sco), "quiz after submitting"
    shoot(lms, f"moodle-{width}x{height}-quiz-after.png")
    sco.click("[data-retry]")
    answer_quiz(sco, RIGHT)
    assert pager_in_view(lms, sco), "results, passed"


@pytest.mark.parametrize(("width", "height"), WINDOWS, ids=[f"{w}x{h}" for w, h in WINDOWS])
def test_the_pager_stays_in_view_while_either_page_scrolls(
    lms: Lms, course: BuiltCourse, width: int, height: int
) -> None:
    lms.page.set_viewport_size({"width": width, "height": height})
    sco = lms.launch(course, LESSON)
    read_to_quiz(sco)
    sco.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert pager_in_view(lms, sco), "the lesson scrolled to its end inside the frame"
    # The end of the page can be read above the pager, not hidden below the fold.
    last = sco.locator("[data-result]")
    assert last.bounding_box()["y"] < sco.locator("nav.pager").bounding_box()["y"]  # type: ignore[index]
    lms.page.evaluate("() => window.scrollTo(0, 150)")  # Moodle's page scrolled part way
    assert pager_in_view(lms, sco), "Moodle's page scrolled"
    shoot(lms, f"moodle-{width}x{height}-scrolled.png")


def test_keyboard_focus_brings_the_pager_into_view(lms: Lms, course: BuiltCourse) -> None:
    lms.page.set_viewport_size({"width": 1366, "height": 768})
    sco = lms.launch(course, LESSON)
    # Moodle's page scrolled so far down that the frame is out of sight above.
    lms.page.evaluate(
        """() => { const footer = document.createElement('div');
                   footer.style.height = '3000px';
                   document.body.append(footer);
                   window.scrollTo(0, 2500); }"""
    )
    assert not in_top_viewport(lms.page, sco, '[data-go="next"]')
    sco.focus("h2")
    lms.page.keyboard.press("Tab")
    while sco.evaluate("() => document.activeElement.dataset.go") != "next":
        lms.page.keyboard.press("Tab")
    assert pager_in_view(lms, sco)


def test_a_phone_keeps_the_pager_at_the_thumb_in_a_small_frame(
    lms: Lms, course: BuiltCourse
) -> None:
    lms.page.set_viewport_size({"width": 360, "height": 640})
    sco = lms.launch(course, LESSON)
    assert pager_in_view(lms, sco)
    box = sco.locator('[data-go="next"]').bounding_box()
    assert box and box["y"] + box["height"] >= 640 - 80  # at the bottom of what is seen


def test_titles_break_between_words_not_inside_them(lms: Lms, course: BuiltCourse) -> None:
    sco = lms.launch(course, LESSON)
    for selector in ("h1", "h2"):
        style = sco.eval_on_selector(selector, "e => getComputedStyle(e).wordBreak")
        assert style == "auto-phrase", (selector, style)
