"""Stage 1: read the course sources (settings, lessons, quizzes) into a `Course`.

Every mistake in every file is collected before giving up, so an author sees
all of them in one run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scorm_builder.cache import BuildCache
from scorm_builder.lesson import read_lesson
from scorm_builder.markdown_html import MarkdownConverter
from scorm_builder.model import Course
from scorm_builder.problems import BuildError, Problem, errors
from scorm_builder.quiz import read_quiz
from scorm_builder.settings import LESSONS_DIR, RESERVED_NAMES, SETTINGS_FILE, read_settings

QUIZ_SUFFIX = ".quiz.toml"


def read_course(source_dir: Path, cache: BuildCache | None = None) -> tuple[Course, list[Problem]]:
    """Return the course and its warnings; raise BuildError listing every problem.

    Problems name files relative to `source_dir` and come in reading order
    (settings, then each lesson and its quiz): the order authors see them in.
    Lessons whose files did not change since the last build come from `cache`.
    """
    cache = cache or BuildCache()
    problems: list[Problem] = []
    settings = read_settings(source_dir, problems)
    if settings is None:
        raise BuildError(problems)
    lessons_dir = source_dir / LESSONS_DIR
    settings_bytes = (source_dir / SETTINGS_FILE).read_bytes()
    # The folder is part of each key: the same lesson elsewhere uses other image files.
    folder = str(source_dir.resolve()).encode()
    converter = MarkdownConverter()
    lessons = []
    for lesson_id in settings.lessons:
        path = lessons_dir / f"{lesson_id}.md"
        quiz_path = lessons_dir / f"{lesson_id}{QUIZ_SUFFIX}"
        key = cache.key(lesson_id, folder, settings_bytes, _content(path), _content(quiz_path))
        cached = cache.lesson(key, source_dir)
        if cached is not None:
            cache.use(key, lesson_id)
            problems += cached.warnings
            lessons.append(cached.lesson)
            continue
        found: list[Problem] = []
        lesson = read_lesson(path, lesson_id, f"{LESSONS_DIR}/{path.name}", converter, found)
        quiz = None
        if quiz_path.is_file():
            shown_as = f"{LESSONS_DIR}/{quiz_path.name}"
            quiz = read_quiz(quiz_path, shown_as, settings.pass_mark, found)
        problems += found
        if lesson is not None and not errors(found):
            lesson = dataclasses.replace(lesson, quiz=quiz)
            cache.remember(key, lesson, found)
            lessons.append(lesson)
    problems += _unused_files(lessons_dir, settings.lessons)
    if errors(problems):
        raise BuildError(problems)
    return Course(settings=settings, lessons=tuple(lessons), source_dir=source_dir), problems


def _content(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\0absent"  # a byte no text file starts with: absent differs from empty


def _unused_files(lessons_dir: Path, listed: tuple[str, ...]) -> list[Problem]:
    """Lessons and quizzes that will not be in the package: usually a forgotten or typo'd name."""
    unused = []
    for path in sorted(lessons_dir.glob("*.md")):
        # A reserved name is reported where it is listed; unlisted, it could not be added.
        if path.stem not in listed and path.stem not in RESERVED_NAMES:
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
