"""Stage 1: read the course sources (settings, lessons, quizzes) into a `Course`.

Every mistake in every file is collected before giving up, so an author sees
all of them in one run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scorm_builder.lesson import read_lesson
from scorm_builder.markdown_html import MarkdownConverter
from scorm_builder.model import Course
from scorm_builder.problems import BuildError, Problem, errors
from scorm_builder.quiz import read_quiz
from scorm_builder.settings import LESSONS_DIR, SETTINGS_FILE, read_settings

QUIZ_SUFFIX = ".quiz.toml"


def read_course(source_dir: Path) -> tuple[Course, list[Problem]]:
    """Return the course and its warnings; raise BuildError listing every problem.

    Problems name files relative to `source_dir` and come in reading order
    (settings, then each lesson and its quiz): the order authors see them in.
    """
    problems: list[Problem] = []
    settings = read_settings(source_dir, problems)
    if settings is None:
        raise BuildError(problems)
    lessons_dir = source_dir / LESSONS_DIR
    lessons = []
    converter = MarkdownConverter()
    for lesson_id in settings.lessons:
        path = lessons_dir / f"{lesson_id}.md"
        lesson = read_lesson(path, lesson_id, f"{LESSONS_DIR}/{path.name}", converter, problems)
        quiz_path = lessons_dir / f"{lesson_id}{QUIZ_SUFFIX}"
        quiz = None
        if quiz_path.is_file():
            shown_as = f"{LESSONS_DIR}/{quiz_path.name}"
            quiz = read_quiz(quiz_path, shown_as, settings.pass_mark, problems)
        if lesson is not None:
            lessons.append(dataclasses.replace(lesson, quiz=quiz))
    problems += _unused_files(lessons_dir, settings.lessons)
    if errors(problems):
        raise BuildError(problems)
    return Course(settings=settings, lessons=tuple(lessons), source_dir=source_dir), problems


def _unused_files(lessons_dir: Path, listed: tuple[str, ...]) -> list[Problem]:
    """Lessons and quizzes that will not be in the package: usually a forgotten or typo'd name."""
    unused = []
    for path in sorted(lessons_dir.glob("*.md")):
        if path.stem not in listed:
            unused.append(
                Problem(
                    "course-lesson-not-listed",
                    "warning",
                    f"{LESSONS_DIR}/{path.name}",
                    f"this lesson is not in the course (it is not listed in {SETTINGS_FILE})",
                    f'list "{path.stem}" in lessons = [...] of {SETTINGS_FILE}, or move it away',
                )
            )
    for path in sorted(lessons_dir.glob(f"*{QUIZ_SUFFIX}")):
        lesson_id = path.name.removesuffix(QUIZ_SUFFIX)
        if (lessons_dir / f"{lesson_id}.md").is_file():
            continue
        unused.append(
            Problem(
                "course-quiz-without-lesson",
                "warning",
                f"{LESSONS_DIR}/{path.name}",
                f"this quiz belongs to no lesson: there is no {lesson_id}.md",
                f"name it after its lesson: <lesson>{QUIZ_SUFFIX} (for example llm-basics"
                f"{QUIZ_SUFFIX})",
            )
        )
    return unused
