"""Question pools and learning objectives in the run-time, against scorm-again (issue 16).

Each try draws questions from each objective's pool (seeded: a resume shows the same draw),
avoiding the previous try's questions while the pool has enough others; the LMS gets one
cmi.objectives.n per objective and interactions that name theirs; passing needs the overall
mark and every objective's own mark.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect

from scorm_builder.preview.server import PreviewServer
from tests.browser_support import (
    BuiltCourse,
    Lms,
    Site,
    answer_interactions,
    build_course,
    correct_answers,
)
from tests.course_factory import copy_default_course
from tests.test_accessibility import run_axe
from tests.test_runtime import (
    assert_formats_sent,
    assert_one_session,
    read_to_quiz,
    set_values,
    submit,
)

POOL_QUIZ = """pass_mark = 80

[[objectives]]
id = "basics"
title = "基礎"
draw = 2

[[objectives]]
id = "training"
title = "学習の方法"
draw = 2

[[objectives]]
id = "limits"
title = "限界"
draw = 2
pass_mark = 100
""" + "".join(
    f"""
[[questions]]
id = "{group}-{n}"
objective = "{group}"
type = "single"
text = "{title}の問題 {n}"
choices = ["正しい答え", "誤った答え"]
answer = 1
explanation = "{title} {n} の解説"
"""
    for group, title, size in (
        ("basics", "基礎", 4),
        ("training", "学習", 3),
        ("limits", "限界", 3),
    )
    for n in range(1, size + 1)
)


@pytest.fixture(scope="module")
def pool_course(site: Site, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    work = tmp_path_factory.mktemp("pools")
    source = copy_default_course(work / "source")
    (source / "lessons" / "llm-basics.quiz.toml").write_text(POOL_QUIZ, encoding="utf-8")
    return build_course(site, source, work, "pools")


def drawn(sco: Frame) -> list[str]:
    """The questions of the try on screen, in the order shown."""
    ids: list[str] = sco.locator("[data-question]:not([hidden])").evaluate_all(
        "nodes => nodes.map(n => n.dataset.question)"
    )
    return ids


def answer_drawn(sco: Frame, wrong: frozenset[str] = frozenset()) -> None:
    """Answer every drawn question rightly, except those named in `wrong`."""
    key = correct_answers(sco)
    for qid in drawn(sco):
        inputs = sco.locator(f'[data-question="{qid}"] input')
        values = inputs.evaluate_all("nodes => nodes.map(n => n.value)")
        chosen = [next(v for v in values if v not in key[qid])] if qid in wrong else key[qid]
        for value in chosen:
            sco.check(f'[data-question="{qid}"] input[value="{value}"]')


def objectives_of(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    stored = cmi["objectives"]
    return [stored[str(n)] for n in range(len(stored))]


def test_each_try_draws_other_questions_while_the_pool_allows(
    lms: Lms, pool_course: BuiltCourse
) -> None:
    sco = lms.launch(pool_course)
    read_to_quiz(sco)
    first = drawn(sco)
    assert len(first) == 6 and sum(q.startswith("basics") for q in first) == 2
    answer_drawn(sco, wrong=frozenset(first))
    submit(sco)
    sco.click("[data-retry]")
    second = drawn(sco)
    assert len(second) == 6
    basics = [{q for q in draw if q.startswith("basics")} for draw in (first, second)]
    assert basics[0].isdisjoint(basics[1])  # 4 in the pool, 2 drawn: none again
    for group in ("training", "limits"):  # 3 in the pool, 2 drawn: only one may come again
        again = {q for q in first if q.startswith(group)} & {
            q for q in second if q.startswith(group)
        }
        assert len(again) == 1, (group, first, second)
    lms.exit()
    assert_one_session(lms.calls())


def test_a_resume_keeps_the_draw_and_the_answers(lms: Lms, pool_course: BuiltCourse) -> None:
    sco = lms.launch(pool_course)
    read_to_quiz(sco)
    shown = drawn(sco)
    answer_drawn(sco)
    lms.exit()
    sco = lms.launch(pool_course, saved=lms.stored())
    assert drawn(sco) == shown
    assert sco.locator("input:checked").count() == 6
    submit(sco)
    lms.exit()
    assert lms.stored()["core"]["lesson_status"] == "passed"


def test_objectives_arrive_with_scores_and_statuses(lms: Lms, pool_course: BuiltCourse) -> None:
    sco = lms.launch(pool_course)
    read_to_quiz(sco)
    answer_drawn(sco, wrong=frozenset([q for q in drawn(sco) if q.startswith("training")][:1]))
    submit(sco)
    lms.exit()
    calls = lms.calls()
    assert_one_session(calls)
    assert_formats_sent(calls)
    cmi = lms.stored()
    assert [
        (o["id"], o["score"]["raw"], o["score"]["min"], o["score"]["max"], o["status"])
        for o in objectives_of(cmi)
    ] == [
        ("basics", "100", "0", "100", "completed"),
        ("training", "50", "0", "100", "completed"),
        ("limits", "100", "0", "100", "passed"),
    ]
    interactions = answer_interactions(cmi)
    assert [i["objectives"]["0"]["id"] for i in interactions] == [
        i["id"].split("-")[0] for i in interactions
    ]
    assert cmi["core"]["score"]["raw"] == "83.33"
    assert cmi["core"]["lesson_status"] == "passed"


def test_passing_overall_but_failing_an_objective_fails(
    lms: Lms, site: Site, pool_course: BuiltCourse
) -> None:
    # An LMS with a mastery score recomputes the status from score.raw at LMSFinish (Moodle's
    # "mastery score overrides status"), which would turn this failed try into passed: a quiz
    # whose objectives have their own pass marks ships without adlcp:masteryscore, so the
    # SCO's decision stands.
    sco = lms.launch(pool_course, options={"masteryScore": ""})
    read_to_quiz(sco)
    answer_drawn(sco, wrong=frozenset([q for q in drawn(sco) if q.startswith("limits")][:1]))
    submit(sco)
    result = sco.inner_text("[data-result]")
    assert result.startswith("83.3点（合格点 80点） — 不合格")
    assert "限界: 50点（合格点 100点） — 不合格" in result
    assert "基礎: 100点" in result
    assert "合格には、全体の合格点と、合格点のある各項目の合格点の両方が必要です。" in result
    report = run_axe(sco, site)  # the result with its objectives, a new state of the page
    assert not report.violations and not report.incomplete, report.problems()
    lms.exit()
    assert set_values(lms, "cmi.core.lesson_status") == ["incomplete", "failed"]
    cmi = lms.stored()
    assert cmi["core"]["lesson_status"] == "failed"
    assert objectives_of(cmi)[2]["status"] == "failed"


def test_the_preview_shows_the_objectives_and_its_strict_lms_accepts_them(
    page: Page, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.quiz.toml").write_text(POOL_QUIZ, encoding="utf-8")
    server = PreviewServer(source)
    try:
        page.goto(server.url)
        page.wait_for_function(
            "() => document.querySelector('#scorm_object').contentDocument"
            "?.querySelector('nav.pager:not([hidden])')"
        )
        sco = page.frame(name="scorm_object")
        assert sco is not None
        read_to_quiz(sco)
        answer_drawn(sco)
        submit(sco)
        rows = page.locator("[data-objectives] tr")
        expect(rows).to_have_count(3)
        assert rows.all_inner_texts() == [
            "0\tbasics\t100\t0\t100\tcompleted",
            "1\ttraining\t100\t0\t100\tcompleted",
            "2\tlimits\t100\t0\t100\tpassed",
        ]
        assert page.locator(".log .violation").count() == 0  # every call within the rules
    finally:
        page.goto("about:blank")
        server.close()


def test_a_quiz_without_objectives_draws_from_all_its_questions(
    lms: Lms, site: Site, tmp_path: Path
) -> None:
    source = copy_default_course(tmp_path / "source")
    questions = POOL_QUIZ[POOL_QUIZ.index("[[questions]]") :]
    ungrouped = re.sub(r'^objective = ".*"\n', "", questions, flags=re.M)
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text("pass_mark = 80\ndraw = 3\n\n" + ungrouped, encoding="utf-8")
    course = build_course(site, source, tmp_path, "drawn")
    sco = lms.launch(course)
    read_to_quiz(sco)
    first = drawn(sco)
    assert len(first) == 3
    answer_drawn(sco, wrong=frozenset(first))
    submit(sco)
    assert sco.locator("[data-feedback]:not([hidden])").count() == 3  # only the drawn ones
    sco.click("[data-retry]")
    second = drawn(sco)
    assert len(second) == 3 and set(first).isdisjoint(second)  # 10 in the pool: all new
    lms.exit()
    assert [i["id"] for i in answer_interactions(lms.stored())] == first
