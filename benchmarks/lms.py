"""Item 5: LMS traffic of one full learner session of the default course.

Driven with the browser harness of the run-time tests (tests/browser_support.py:
the test LMS page, scorm-again playing the LMS, its call and commit log), so the
figures count exactly what an LMS would receive. The learner reads every page in
order, answers every question drawn for the attempt correctly, submits once and exits.
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.generator import DEFAULT_SOURCE, ROOT


def unavailable_reason() -> str | None:
    """Why the session cannot be run here, or None when it can."""
    try:
        import playwright  # noqa: F401

        from tests import browser_support
    except ImportError as error:
        return f"browser harness not importable ({error})"
    if not Path(browser_support.CHROMIUM).exists():
        return f"{browser_support.CHROMIUM} is not installed (scripts/bench installs it)"
    if not (ROOT / "node_modules" / "scorm-again").is_dir():
        return "node_modules/scorm-again is missing (npm ci)"
    return None


def measure_session(source: Path = DEFAULT_SOURCE) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, Lms, build_course, served_site

    sites = served_site()
    site = next(sites)
    try:
        with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                course = build_course(site, source, Path(work), "bench")
                page = browser.new_page()
                page.set_default_timeout(10_000)
                lms = Lms(page, site)
                sessions = [_learner_session(lms, course, launch) for launch in course.launches]
            finally:
                browser.close()
    finally:
        sites.close()
    calls: collections.Counter[str] = collections.Counter()
    for session in sessions:
        calls.update(session["calls"])
    return {
        "pages": sum(session["pages"] for session in sessions),
        "calls": sum(calls.values()),
        "calls_by_name": dict(sorted(calls.items())),
        "commits": sum(session["commits"] for session in sessions),
        "lesson_status": [session["lesson_status"] for session in sessions],
    }


def _learner_session(lms: Any, course: Any, launch: str) -> dict[str, Any]:
    """One SCO from launch to exit: every page, the quiz passed, then "Exit activity"."""
    frame = lms.launch(course, launch)
    data = frame.evaluate("() => JSON.parse(document.getElementById('sco-data').textContent)")
    for _ in range(data["pageCount"] - 1):
        frame.click('[data-go="next"]')
    if data["quiz"]:
        from tests.browser_support import correct_answers  # the page's encoded answer key

        answers = correct_answers(frame)
        for question in data["quiz"]["questions"]:
            name = question["id"]
            if not frame.locator(f'[name="{name}"]').first.is_visible():
                continue  # not drawn for this attempt (a pool per objective)
            if question["type"] == "numeric":
                frame.fill(f'input[name="{name}"]', str(answers[name][0]))
                continue
            for key in answers[name]:
                frame.check(f'input[name="{name}"][value="{key}"]')
        frame.click("form[data-quiz] button[type=submit]")
        frame.wait_for_selector("[data-result]:not(:empty)")
    lms.exit()
    stored = lms.stored()
    return {
        "pages": data["pageCount"],
        "calls": [call["name"] for call in lms.calls()],
        "commits": len(lms.commits()),
        "lesson_status": stored["core"]["lesson_status"],
    }
