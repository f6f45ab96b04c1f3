"""Shared fixtures for browser tests: one Chromium per session, a local site, the built course.

    def test_something(lms: Lms, default_course: BuiltCourse) -> None:
        sco = lms.launch(default_course)   # the SCO's frame, running inside the test LMS
        ...
        lms.exit()
        assert lms.stored()["core"]["lesson_status"] == "incomplete"

Any console error or uncaught exception in the LMS page or the SCO fails the test.

A test that uses the browser (the `browser` or `page` fixture, or one built on them) carries
the `browser` marker without saying so: `scripts/test -m "not browser"` runs the fast part.
Without Chromium those tests fail, never skip: a run that tested nothing must not pass.
"""

from __future__ import annotations

import os
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

BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def build_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' builds keep their cache here, never in the user's own cache folder, and
    sign it with a key of their own (not one made in the user's config folder). Messages are
    in English whatever the developer's locale (tests of the language choice set their own)."""
    folder = tmp_path_factory.mktemp("build-cache")
    ours = {
        "SCORM_BUILDER_CACHE_DIR": str(folder),
        "SCORM_BUILDER_CACHE_KEY": "tests' own key",
        "SCORM_BUILDER_LANG": "en",
    }
    previous = {name: os.environ.get(name) for name in ours}
    os.environ.update(ours)  # subprocesses inherit them too
    yield folder
    for name, value in previous.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed (scripts/test installs it)", pytrace=False)
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
