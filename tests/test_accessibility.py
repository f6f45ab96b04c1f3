"""Accessibility of the learner's pages in Chromium, inside the test LMS (scorm-again).

axe-core (npm) checks every kind of page against the WCAG 2.1 A and AA rules; the quiz is
taken with the keyboard alone; the interface speaks the course's language.

    report = run_axe(sco)          # sco: the SCO's frame
    assert not report.violations
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page

from tests.browser_support import BuiltCourse, Lms, Site, build_course
from tests.learner_view import ONE_WRONG, RIGHT, answer_quiz, learner_course
from tests.test_runtime import read_to_quiz

WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LESSON = "infection-control/index.html"  # table, picture, footnote; a quiz of every type


@dataclass
class AxeReport:
    violations: list[dict[str, Any]]
    incomplete: list[dict[str, Any]]  # "needs review": treated as a failure too
    passes: list[dict[str, Any]]
    inapplicable: list[dict[str, Any]]

    @property
    def rules_applied(self) -> int:
        return len(self.violations) + len(self.incomplete) + len(self.passes)

    @property
    def nodes_checked(self) -> int:
        return sum(len(rule["nodes"]) for rule in self.violations + self.incomplete + self.passes)

    def problems(self) -> str:
        return "\n".join(
            f"{rule['id']} ({rule.get('impact')}): {rule['help']} at "
            + ", ".join(str(node["target"]) for node in rule["nodes"][:5])
            for rule in self.violations + self.incomplete
        )


def run_axe(frame: Frame, site: Site) -> AxeReport:
    """Run axe-core's WCAG 2.1 A/AA rules on the frame's document as it is now."""
    if not frame.evaluate("() => 'axe' in window"):
        frame.add_script_tag(url=f"{site.base_url}/axe-core/axe.min.js")
    result = frame.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA
    )
    return AxeReport(
        result["violations"], result["incomplete"], result["passes"], result["inapplicable"]
    )


@pytest.fixture(scope="module")
def course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    work = tmp_path_factory.mktemp("a11y-course")
    return build_course(site, learner_course(work / "source"), work, "a11y")


# ---------- axe on every kind of page ----------


def title_page(lms: Lms, course: BuiltCourse) -> Frame:
    """The first page of a lesson: course and lesson title, contents, first section."""
    return lms.launch(course)


def table_and_picture(lms: Lms, course: BuiltCourse) -> Frame:
    return lms.launch(course, LESSON)  # its first page has both


def wide_table_and_code(lms: Lms, course: BuiltCourse) -> Frame:
    sco = lms.launch(course, LESSON)
    sco.click('[data-go="next"]')
    sco.click('[data-go="next"]')
    return sco


def quiz_before_submitting(lms: Lms, course: BuiltCourse) -> Frame:
    sco = lms.launch(course, LESSON)
    read_to_quiz(sco)
    return sco


def quiz_not_all_answered(lms: Lms, course: BuiltCourse) -> Frame:
    sco = quiz_before_submitting(lms, course)
    sco.click('form[data-quiz] button[type="submit"]')
    sco.wait_for_selector("[data-form-error]:not([hidden])")
    return sco


def quiz_after_submitting(lms: Lms, course: BuiltCourse) -> Frame:
    """Feedback on every question, one wrong; the result "failed" and "try again"."""
    sco = quiz_before_submitting(lms, course)
    answer_quiz(sco, ONE_WRONG)
    return sco


def results_passed(lms: Lms, course: BuiltCourse) -> Frame:
    sco = quiz_before_submitting(lms, course)
    answer_quiz(sco, RIGHT)
    return sco


def warning_not_saved(lms: Lms, course: BuiltCourse) -> Frame:
    """The LMS refuses to save: the warning notice shows."""
    sco = lms.launch(course, LESSON, refuse={"setValue": -1, "commit": -1})
    sco.wait_for_selector('[data-notice][data-kind="error"]')
    return sco


PAGE_KINDS: dict[str, Callable[[Lms, BuiltCourse], Frame]] = {
    "title": title_page,
    "table-and-picture": table_and_picture,
    "wide-table-and-code": wide_table_and_code,
    "quiz-before": quiz_before_submitting,
    "quiz-not-all-answered": quiz_not_all_answered,
    "quiz-after": quiz_after_submitting,
    "results-passed": results_passed,
    "warning-not-saved": warning_not_saved,
}


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_axe_finds_no_wcag21_aa_problems(
    kind: str, lms: Lms, site: Site, course: BuiltCourse
) -> None:
    sco = PAGE_KINDS[kind](lms, course)
    report = run_axe(sco, site)
    assert not report.violations and not report.incomplete, report.problems()
    checked = {rule["id"] for rule in report.passes}
    # It really looked: the text's contrast, the language and the single h1 were checked.
    assert {"color-contrast", "html-has-lang", "html-lang-valid", "document-title"} <= checked
    if kind.startswith("quiz") or kind.startswith("results"):
        assert {"label", "aria-allowed-attr"} <= checked


def test_axe_finds_a_planted_problem(lms: Lms, site: Site, course: BuiltCourse) -> None:
    """The check can fail: pale text and an unlabelled input are reported."""
    sco = quiz_before_submitting(lms, course)
    sco.evaluate(
        """() => {
          document.querySelector('.quiz-intro').style.color = '#bbb';
          document.querySelector('input[type=text]').closest('label').replaceWith(
            document.createElement('input'));
        }"""
    )
    found = {rule["id"] for rule in run_axe(sco, site).violations}
    assert {"color-contrast", "label"} <= found


# ---------- structure ----------


def test_one_h1_landmarks_and_heading_levels(lms: Lms, course: BuiltCourse) -> None:
    sco = lms.launch(course, LESSON)
    assert sco.locator("h1").count() == 1
    assert sco.locator("html").get_attribute("lang") == "ja"
    levels = [
        int(tag[1])
        for tag in sco.eval_on_selector_all(
            "h1, h2, h3, h4, h5, h6", "hs => hs.map(h => h.tagName.toLowerCase())"
        )
    ]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for landmark in ("banner", "main"):
        assert sco.get_by_role(landmark).count() == 1, landmark
    assert sco.get_by_role("navigation").count() == 2  # contents and page navigation
    assert sco.locator("a.skip-link").get_attribute("href") == "#main"


def test_choices_are_labelled_form_controls(lms: Lms, course: BuiltCourse) -> None:
    sco = quiz_before_submitting(lms, course)
    group = sco.get_by_role(
        "group", name="問題 2: 個人防護具を外すとき、最初に外すのはどれですか。"
    )
    assert group.get_by_role("radio", name="手袋").count() == 1  # the visible "Q2." is not read
    moments = sco.get_by_role("group", name=re.compile("^問題 3: "))
    assert moments.get_by_role("checkbox").count() == 3
    assert sco.get_by_role("textbox", name="数字で答えてください").count() == 1


# ---------- the keyboard alone ----------


def focused(sco: Frame) -> dict[str, Any]:
    return sco.evaluate(
        """() => {
          const e = document.activeElement, style = getComputedStyle(e);
          return {tag: e.tagName.toLowerCase(), type: e.type || '', value: e.value || '',
                  question: e.closest('[data-question]')?.dataset.question || '',
                  go: e.dataset.go || '', text: e.textContent.trim(),
                  ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
        }"""
    )


def tab_until(page: Page, sco: Frame, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Press Tab until the focused element is `wanted`; every stop must show a focus ring."""
    for _ in range(60):
        page.keyboard.press("Tab")
        now = focused(sco)
        if now["tag"] not in ("body", "main", "h2", "div") or now["type"]:
            assert now["ring"], f"no visible focus on {now}"
        if wanted(now):
            return now
    raise AssertionError("never reached by Tab")


def test_the_quiz_can_be_completed_with_the_keyboard_alone(
    lms: Lms, page: Page, course: BuiltCourse
) -> None:
    sco = lms.launch(course, LESSON)
    page.keyboard.press("Tab")
    assert focused(sco)["text"] == "本文へスキップ"  # the first Tab shows the skip link
    page.keyboard.press("Enter")
    assert focused(sco)["tag"] == "main"
    while not sco.locator("form[data-quiz]").is_visible():  # every page, with "次へ"
        tab_until(page, sco, lambda e: e["go"] == "next")
        page.keyboard.press("Enter")
        assert focused(sco)["tag"] == "h2"  # the new page's heading, read out first

    # Submitting with nothing answered moves to the first question and says why.
    tab_until(page, sco, lambda e: e["type"] == "submit")
    page.keyboard.press("Enter")
    assert sco.locator("[data-form-error]").is_visible()
    assert focused(sco)["question"] == "hand-hygiene"

    for question_id, keys in RIGHT.items():
        if focused(sco)["question"] != question_id:
            tab_until(page, sco, lambda e, q=question_id: e["question"] == q)
        kind = focused(sco)["type"]
        if kind == "text":
            page.keyboard.type(keys)
        elif kind == "radio":  # arrows move and choose; Space chooses the first
            page.keyboard.press("Space")
            while focused(sco)["value"] != keys:
                page.keyboard.press("ArrowDown")
        else:  # check boxes: Space on each one to tick, Tab to the next
            while focused(sco)["question"] == question_id:
                if focused(sco)["value"] in keys:
                    page.keyboard.press("Space")
                page.keyboard.press("Tab")
    tab_until(page, sco, lambda e: e["type"] == "submit")
    page.keyboard.press("Enter")

    sco.wait_for_selector('[data-result][data-status="passed"]')
    assert sco.evaluate("() => document.activeElement.matches('[data-result]')")
    assert "合格" in sco.inner_text("[data-result]")
    assert lms.get("cmi.core.lesson_status") == "passed"
    assert lms.get("cmi.core.score.raw") == "100"


def test_arrow_keys_turn_pages_but_not_inside_a_choice(
    lms: Lms, page: Page, course: BuiltCourse
) -> None:
    sco = lms.launch(course, LESSON)
    sco.focus("main")
    page.keyboard.press("ArrowRight")
    assert sco.get_attribute("section.page:not([hidden])", "data-page") == "1"
    page.keyboard.press("ArrowLeft")
    assert sco.get_attribute("section.page:not([hidden])", "data-page") == "0"
    read_to_quiz(sco)
    sco.focus('[data-question="ppe-order"] input[value="a"]')
    page.keyboard.press("ArrowRight")  # in a radio group: the next choice, same page
    assert sco.is_checked('[data-question="ppe-order"] input[value="b"]')
    assert sco.locator("form[data-quiz]").is_visible()


# ---------- the course's language ----------


def test_japanese_interface_strings(lms: Lms, course: BuiltCourse) -> None:
    sco = lms.launch(course, LESSON)
    assert sco.inner_text('[data-go="previous"]') == "前へ"
    assert sco.inner_text('[data-go="next"]') == "次へ"
    assert sco.get_attribute(".table-scroll", "aria-label") == "表"
    assert sco.get_by_role("navigation", name="ページ移動").count() == 1


def english_course(source: Path) -> Path:
    settings = source / "course.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('language = "ja"', 'language = "en"'), encoding="utf-8")
    return source


def test_an_english_course_has_english_strings_and_lang_en(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    english = build_course(
        site, english_course(learner_course(tmp_path / "source")), tmp_path, "english"
    )
    sco = lms.launch(english, LESSON)
    assert sco.get_attribute("html", "lang") == "en"
    assert sco.inner_text('[data-go="previous"]') == "Previous"
    assert sco.inner_text('[data-go="next"]') == "Next"
    assert sco.inner_text("a.skip-link") == "Skip to content"
    assert sco.get_attribute(".table-scroll", "aria-label") == "Table"
    read_to_quiz(sco)
    assert sco.get_by_role("button", name="Submit").is_visible()
    answer_quiz(sco, ONE_WRONG)
    assert sco.inner_text('[data-question="ppe-order"] [data-verdict]').startswith("Wrong")
    assert "Failed" in sco.inner_text("[data-result]")
    report = run_axe(sco, site)
    assert not report.violations, report.problems()


def test_right_and_wrong_are_told_by_words_and_marks_not_colour_alone(
    lms: Lms, course: BuiltCourse
) -> None:
    sco = quiz_after_submitting(lms, course)

    def seen(selector: str) -> str:  # the text with the mark drawn before it
        return sco.eval_on_selector(
            selector,
            "e => getComputedStyle(e, '::before').content.replaceAll('\"', '') + e.innerText",
        )

    assert seen('[data-question="hand-hygiene"] [data-verdict]') == "✓ 正解"
    assert seen('[data-question="ppe-order"] [data-verdict]').startswith("✗ 不正解 — 正解: 手袋")
    assert seen("[data-result]").startswith("✗ 75点")
    assert seen("[data-result]").endswith("不合格")
