"""The benchmark generator makes buildable courses whose lessons share no prose."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generator import edit_lesson, lesson_id, make_course, markdown_files
from scorm_builder.build import build


def test_generated_course_builds_with_every_lesson(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", 3)
    result = build(course, tmp_path / "out")
    _, package, _ = result.written[0]
    assert [lesson.id for lesson in package.lessons] == [lesson_id(i) for i in (1, 2, 3)]
    assert not result.warnings
    assert all(lesson.quiz and lesson.quiz.questions for lesson in package.lessons)
    assert len({len(lesson.pages) for lesson in package.lessons}) == 1  # same structure


def test_lessons_share_no_prose_and_an_edit_changes_one(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", 3)
    texts = [path.read_text(encoding="utf-8") for path in markdown_files(course)]
    paragraphs = [
        {line for line in text.splitlines() if line and not line.startswith(("#", "---"))}
        for text in texts
    ]
    assert not paragraphs[0] & paragraphs[1]
    assert not paragraphs[1] & paragraphs[2]
    edited = edit_lesson(course, 2, revision=1)
    assert edited.read_text(encoding="utf-8") != texts[1]
    assert [path.read_text(encoding="utf-8") for path in markdown_files(course)][::2] == texts[::2]
