"""Shared fixtures for browser tests: one Chromium per session, a local site, the built course.

    def test_something(lms: Lms, default_course: BuiltCourse) -> None:
        sco = lms.launch(default_course)   # the SCO's frame, running inside the test LMS
        ...
        lms.exit()
        assert lms.stored()["core"]["lesson_status"] == "incomplete"

Any console error or uncaught exception in the LMS page or the SCO fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SOURCE_DIR,
    BrowserErrors,
    BuiltCourse,
    Lms,
    Site,
    build_course,
    served_site,
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    yield from served_site()


@pytest.fixture(scope="session")
def default_course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    """The course in source/, built once per session and served."""
    return build_course(site, SOURCE_DIR, tmp_path_factory.mktemp("default-course"), "default")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; it fails the test on any console error or page error."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = BrowserErrors(page)
    yield page
    context.close()
    assert not errors.messages, "errors in the browser:\n" + "\n".join(errors.messages)


@pytest.fixture
def lms(page: Page, site: Site) -> Lms:
    return Lms(page, site)
