"""Stage 1: read the course sources (settings, lessons, quizzes) into a `Course`.

Every mistake in every file is collected before giving up, so an author sees
all of them in one run.
"""

from __future__ import annotations

from pathlib import Path

from scorm_builder.lesson import read_lesson
from scorm_builder.model import Course
from scorm_builder.problems import BuildError, Problem, errors
from scorm_builder.quiz import read_quiz
from scorm_builder.settings import LESSON_ID, SETTINGS_FILE, read_settings

LESSONS_DIR = "lessons"
QUIZ_SUFFIX = ".quiz.toml"


def read_course(source_dir: Path) -> tuple[Course, list[Problem]]:
    """Return the course and its warnings; raise BuildError listing every error."""
    problems: list[Problem] = []
    settings = read_settings(source_dir, problems)
    lessons = []
    if settings is not None:
        lessons_dir = source_dir / LESSONS_DIR
        for lesson_id in settings.lessons:
            shown_as = f"{LESSONS_DIR}/{lesson_id}.md"
            path = lessons_dir / f"{lesson_id}.md"
            if not LESSON_ID.fullmatch(lesson_id):
                problems.append(
                    Problem(
                        "course-lesson-name",
                        "error",
                        SETTINGS_FILE,
                        f"the lesson name '{lesson_id}' has characters that are not allowed",
                        "name lesson files with lowercase ASCII letters, digits, '-' and '_' "
                        "(for example 02-infection-control.md) and list that name",
                    )
                )
                continue
            if not path.is_file():
                problems.append(
                    Problem(
                        "course-lesson-missing",
                        "error",
                        SETTINGS_FILE,
                        f"the lesson '{lesson_id}' is listed, but {shown_as} does not exist",
                        f"create {shown_as}, or correct the name in lessons = [...]",
                    )
                )
                continue
            quiz_path = lessons_dir / f"{lesson_id}{QUIZ_SUFFIX}"
            quiz = None
            if quiz_path.is_file():
                quiz = read_quiz(
                    quiz_path, f"{LESSONS_DIR}/{quiz_path.name}", settings.pass_mark, problems
                )
            lesson = read_lesson(path, lesson_id, shown_as, quiz, problems)
            if lesson is not None:
                lessons.append(lesson)
        for path in sorted(lessons_dir.glob("*.md")):
            if path.stem not in settings.lessons:
                problems.append(
                    Problem(
                        "course-lesson-not-listed",
                        "warning",
                        f"{LESSONS_DIR}/{path.name}",
                        "this lesson is not in the course (it is not listed in course.toml)",
                        f'list "{path.stem}" in lessons = [...] of course.toml, or move it away',
                    )
                )
    found_errors = errors(problems)
    if found_errors or settings is None:
        raise BuildError(problems)
    course = Course(settings=settings, lessons=tuple(lessons), source_dir=source_dir)
    return course, problems
