"""Layout in Chromium from a 320 px phone to a 1366×768 hospital PC: nothing scrolls sideways,
the pager is at the thumb, Japanese and emoji are drawn with real fonts, print shows every page.

The pages are opened on their own with an LMS that accepts everything (tests/learner_view.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser_support import REPO, BuiltCourse, Site, build_course
from tests.learner_view import (
    ONE_WRONG,
    answer_quiz,
    horizontal_overflow,
    learner_course,
    open_lesson,
    turn_to,
)

SIZES = [(320, 568), (360, 640), (1366, 768)]
SCREENSHOTS = {
    "lesson-360.png": 360,
    "quiz-360.png": 360,
    "lesson-1366.png": 1366,
    "quiz-1366.png": 1366,
}


@pytest.fixture(scope="module")
def course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    work = tmp_path_factory.mktemp("learner-course")
    return build_course(site, learner_course(work / "source"), work, "learner")


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size({"width": 360, "height": 640})
    return page


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}px" for w, _ in SIZES])
def test_no_page_scrolls_sideways(page: Page, course: BuiltCourse, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    for lesson in ("llm-basics", "infection-control"):
        open_lesson(page, course, lesson)
        count = page.locator("section.page").count()
        for index in range(count):
            turn_to(page, index)
            assert horizontal_overflow(page) == 0, f"{lesson} page {index + 1} at {width}px"
            images = page.locator("section.page:not([hidden]) img")
            for n in range(images.count()):
                box = images.nth(n).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    answer_quiz(page, ONE_WRONG)  # feedback and the result are the widest quiz state
    assert horizontal_overflow(page) == 0, f"quiz after submitting at {width}px"


def test_a_wide_table_scrolls_in_its_own_box(page: Page, course: BuiltCourse) -> None:
    page.set_viewport_size({"width": 320, "height": 568})
    open_lesson(page, course, "infection-control")
    turn_to(page, 2)
    box = page.locator("section.page:not([hidden]) .table-scroll")
    widths = box.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth})")
    assert widths["scroll"] > widths["client"]  # the table is wider than the screen...
    assert horizontal_overflow(page) == 0  # ...and only its box scrolls
    box.focus()  # keyboard users scroll it with the arrow keys, without turning the page
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())  # it may glide
    assert page.get_attribute("section.page:not([hidden])", "data-page") == "2"


def test_pager_stays_at_the_bottom_within_thumb_reach(phone: Page, course: BuiltCourse) -> None:
    open_lesson(phone, course, "llm-basics")
    turn_to(phone, 1)
    phone.mouse.wheel(0, 1500)
    phone.wait_for_function("() => window.scrollY > 0")
    for button in ('[data-go="previous"]', '[data-go="next"]'):
        box = phone.locator(button).bounding_box()
        assert box and box["y"] >= 640 - 80 and box["y"] + box["height"] <= 640
        assert box["height"] >= 44 and box["width"] >= 44  # a finger-sized target


def test_lines_stay_a_comfortable_length_on_a_wide_screen(page: Page, course: BuiltCourse) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_lesson(page, course, "llm-basics")
    turn_to(page, 1)
    ems = page.locator("section.page:not([hidden]) p").first.evaluate(
        "p => p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize)"
    )
    assert 30 <= ems <= 42  # about 40 Japanese characters a line
    line_height = page.locator("section.page:not([hidden]) p").first.evaluate(
        "p => parseFloat(getComputedStyle(p).lineHeight) / parseFloat(getComputedStyle(p).fontSize)"
    )
    assert line_height >= 1.7


def fonts_used(page: Page, selector: str) -> set[str]:
    """The fonts Chromium actually drew the element's text with."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


def test_japanese_and_emoji_are_drawn_with_real_fonts(page: Page, course: BuiltCourse) -> None:
    open_lesson(page, course, "llm-basics")
    heading = fonts_used(page, "#page-1-title")  # "🎯 このレッスンで学ぶこと"
    assert "Noto Color Emoji" in heading, heading
    assert "Noto Sans CJK JP" in heading, heading
    assert fonts_used(page, "#page-1 p") == {"Noto Sans CJK JP"}


def test_print_shows_every_page_without_navigation(page: Page, course: BuiltCourse) -> None:
    open_lesson(page, course, "infection-control")
    page.emulate_media(media="print")
    pages = page.locator("section.page")
    assert all(pages.nth(n).is_visible() for n in range(pages.count()))
    for selector in ("nav.pager", "nav.toc", ".skip-link", ".quiz-actions"):
        assert not page.locator(selector).is_visible(), selector
    page.emulate_media(media="screen")
    assert page.locator("section.page:visible").count() == 1


def test_reduced_motion_turns_off_animation(page: Page, course: BuiltCourse) -> None:
    page.emulate_media(reduced_motion="reduce")
    open_lesson(page, course, "llm-basics")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(e => {
             const s = getComputedStyle(e);
             return s.animationName !== 'none' || parseFloat(s.transitionDuration) > 0
               || s.scrollBehavior === 'smooth';
           }).length"""
    )
    assert moving == 0


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_the_readme_shows_the_screenshots() -> None:
    """docs/*.png are made by scripts/screenshots; the README shows them to authors."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, width in SCREENSHOTS.items():
        assert f"(docs/{name})" in readme, name
        assert png_size(REPO / "docs" / name)[0] == width, name
        assert (REPO / "docs" / name).stat().st_size < 400_000, name
