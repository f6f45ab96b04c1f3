"""What ties a learner's LMS record to the content taken, and the certificate of a pass
(issue 17, learner side).

The content version (course.toml's `version` and a digest of the lesson) travels in
cmi.suspend_data, which every SCORM 1.2 LMS keeps and Moodle's track details list.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from playwright.sync_api import Frame

from scorm_builder.content_version import content_version
from scorm_builder.sources import read_course
from tests.browser_support import SOURCE_DIR, BuiltCourse, Lms, Site, build_course
from tests.course_factory import copy_default_course
from tests.test_accessibility import run_axe
from tests.test_runtime import answer, drawn_questions, read_to_quiz, right_answers, submit


def saved_version(lms: Lms) -> str:
    return str(json.loads(lms.stored()["suspend_data"])["v"])


def test_a_full_session_saves_the_content_version_it_was_taken_on(
    lms: Lms, default_course: BuiltCourse
) -> None:
    course, _ = read_course(SOURCE_DIR)
    expected = content_version(course.settings.version, course.lessons[0])
    assert expected.startswith(course.settings.version + "+")
    sco = lms.launch(default_course)
    read_to_quiz(sco)
    answer(sco, right_answers(drawn_questions(sco)))
    submit(sco)
    assert saved_version(lms) == expected  # with the result, not only at exit
    lms.exit()
    assert saved_version(lms) == expected


def test_a_changed_lesson_saves_another_version_on_resume(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    v1 = build_course(site, source, tmp_path / "v1", "version-1")
    sco = lms.launch(v1)
    sco.click('[data-go="next"]')
    lms.exit()
    saved = lms.stored()
    first = saved_version(lms)

    lesson = source / "lessons" / "llm-basics.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("約1,750億", "約1,800億"), encoding="utf-8")
    v2 = build_course(site, source, tmp_path / "v2", "version-2")
    sco = lms.launch(v2, saved=saved)
    sco.click('[data-go="next"]')
    lms.exit()
    second = saved_version(lms)
    assert first != second
    assert first.split("+")[0] == second.split("+")[0] == "1.0"  # same course.toml version


def test_the_digest_depends_on_the_content_not_on_the_folder(tmp_path: Path) -> None:
    here = read_course(copy_default_course(tmp_path / "a"))[0].lessons[0]
    there = read_course(copy_default_course(tmp_path / "b"))[0].lessons[0]
    assert content_version("1.0", here) == content_version("1.0", there)
    assert content_version("1.0", here) != content_version("1.1", here)


# ---------- the certificate (修了証) ----------


def test_a_pass_shows_a_certificate_with_the_lms_name_printable_on_one_a4_page(
    lms: Lms, site: Site, default_course: BuiltCourse
) -> None:
    course, _ = read_course(SOURCE_DIR)
    lesson = course.lessons[0]
    sco = lms.launch(default_course, saved={"core": {"student_name": "山田, 花子"}})  # as Moodle
    read_to_quiz(sco)
    certificate = sco.locator("[data-certificate]")
    assert certificate.is_hidden()  # not before a pass
    answer(sco, right_answers(drawn_questions(sco)))
    submit(sco)
    today = datetime.date.today()
    shown = {
        "氏名": "山田 花子",
        "コース": course.settings.title,
        "レッスン": lesson.title,
        "修了日": today.isoformat(),
        "得点": "100点",
        "教材の版": content_version(course.settings.version, lesson),
    }
    assert certificate_of(sco) == shown
    report = run_axe(sco, site)
    assert report.problems() == ""

    # Printing (its button, or Ctrl+P) gives the certificate alone, on one A4 page (257 mm
    # inside the margins).
    lms.page.emulate_media(media="print")
    printed = sco.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
          .filter((node) => node.getClientRects().length && !node.closest("[data-certificate]"))
          .filter((node) => !node.querySelector("[data-certificate]"))
          .filter((node) => !node.matches(".viewport-probe"))
          .map((node) => node.tagName)"""
    )
    assert printed == []  # nothing else is printed but the certificate's own ancestors
    height = certificate.evaluate("node => node.getBoundingClientRect().height")
    assert 0 < height <= 257 / 25.4 * 96
    assert sco.locator("[data-print]").is_hidden()
    lms.page.emulate_media(media="screen")
    lms.exit()

    sco = lms.launch(default_course, saved=lms.stored())  # the same certificate on return
    read_to_quiz(sco)
    assert certificate_of(sco) == shown


def certificate_of(sco: Frame) -> dict[str, str]:
    certificate = sco.locator("[data-certificate]")
    assert certificate.is_visible()
    terms = certificate.locator("dt").all_inner_texts()
    return dict(zip(terms, certificate.locator("dd").all_inner_texts(), strict=True))
