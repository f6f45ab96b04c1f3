"""Make the README's pictures of what learners see, at 360×640 (phone) and 1366×768 (PC).

Run with `scripts/screenshots`; it uses the same headless Chromium as the tests and the
course of tests/learner_view.py. Each picture is the window (the quiz on a PC: the whole page):

    docs/lesson-<width>.png  a lesson page with a table and a picture
    docs/quiz-<width>.png    the quiz after submitting, one answer wrong
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, build_course, served_site  # noqa: E402
from tests.learner_view import (  # noqa: E402
    ONE_WRONG,
    answer_quiz,
    horizontal_overflow,
    learner_course,
    open_lesson,
    turn_to,
)

SIZES = [(360, 640), (1366, 768)]


def shoot(page: Page, path: Path, full_page: bool = False) -> None:
    assert horizontal_overflow(page) == 0, f"{path.name}: the page scrolls sideways"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} KB)")


def main() -> None:
    docs = REPO / "docs"
    docs.mkdir(exist_ok=True)
    sites = served_site()
    site = next(sites)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        course = build_course(site, learner_course(Path(work) / "source"), Path(work), "course")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            open_lesson(page, course, "infection-control")
            shoot(page, docs / f"lesson-{width}.png")
            quiz_page = page.locator("section.page").count() - 1
            turn_to(page, quiz_page)
            answer_quiz(page, ONE_WRONG)
            if width < 1000:  # a phone: the wrong answer with its feedback
                page.locator('[data-question="ppe-order"]').evaluate(
                    "q => window.scrollTo(0, q.getBoundingClientRect().top + scrollY - 16)"
                )
                shoot(page, docs / f"quiz-{width}.png")
            else:  # a PC: the whole quiz, with the result under it
                shoot(page, docs / f"quiz-{width}.png", full_page=True)
            page.close()
        browser.close()
    sites.close()


if __name__ == "__main__":
    main()
