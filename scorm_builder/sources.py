"""Stages 1 and 2: read the course folder, then each lesson into the course model.

    read_sources(folder) -> Sources            settings, and which files make each lesson
    read_lesson_files(files, settings, label)  -> ReadLesson: one lesson and its quiz, or errors
    course_model(sources, lessons) -> Course   every lesson read, or BuildError listing all

Every mistake in every file is collected before giving up, so an author sees all of them in
one run, in reading order (settings, then each lesson and its quiz).
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import operator
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scorm_builder.i18n import _
from scorm_builder.lesson import read_lesson
from scorm_builder.model import Course, CourseSettings, Lesson
from scorm_builder.problems import BuildError, Problem, errors
from scorm_builder.quiz import QUIZ_SUFFIX as QUIZ_SUFFIX  # record_sheet.py imports it here
from scorm_builder.quiz import misnamed_quiz_files, read_quiz
from scorm_builder.settings import LESSONS_DIR, RESERVED_NAMES, SETTINGS_FILE, read_settings
from scorm_builder.suspend_data import budget_problems


@dataclass(frozen=True)
class LessonFiles:
    """The files one lesson is made of, and the digest of their content."""

    id: str
    markdown: Path
    quiz: Path
    digest: str  # of both files' bytes (an absent file differs from an empty one)


@dataclass(frozen=True)
class Sources:
    """The course folder as read: its settings and, per listed lesson, its files."""

    folder: Path
    settings: CourseSettings
    settings_digest: str
    lessons: tuple[LessonFiles, ...]
    settings_problems: tuple[Problem, ...]
    folder_problems: tuple[Problem, ...]  # files in lessons/ that no listed lesson uses


@dataclass(frozen=True)
class ReadLesson:
    """One lesson with its quiz, or None when its files have errors; and its problems."""

    lesson: Lesson | None
    problems: tuple[Problem, ...]


def read_sources(folder: Path) -> Sources:
    """The settings and the lesson files; raise BuildError if the settings cannot be read."""
    problems: list[Problem] = []
    settings = read_settings(folder, problems)
    if settings is None:
        raise BuildError(problems)
    lessons_dir = folder / LESSONS_DIR
    misnamed = misnamed_quiz_files(lessons_dir, settings.lessons)
    lessons = []
    for lesson_id in settings.lessons:
        markdown = lessons_dir / f"{lesson_id}.md"
        quiz = lessons_dir / f"{lesson_id}{QUIZ_SUFFIX}"
        lessons.append(LessonFiles(lesson_id, markdown, quiz, _digest(markdown, quiz)))
    return Sources(
        folder=folder,
        settings=settings,
        settings_digest=_digest(folder / SETTINGS_FILE),
        lessons=tuple(lessons),
        settings_problems=tuple(problems),
        folder_problems=tuple(
            _unused_files(lessons_dir, settings.lessons, {p.file for p in misnamed}) + misnamed
        ),
    )


def read_lesson_files(files: LessonFiles, settings: CourseSettings, table_label: str) -> ReadLesson:
    """The lesson (its pages converted to HTML, its media collected) and its quiz."""
    found: list[Problem] = []
    shown_as = f"{LESSONS_DIR}/{files.markdown.name}"
    lesson = _read_lesson(files.markdown, files.id, shown_as, found, table_label)
    quiz = None
    if files.quiz.is_file():
        shown_as = f"{LESSONS_DIR}/{files.quiz.name}"
        quiz = read_quiz(files.quiz, shown_as, settings.pass_mark, found)
    if lesson is None or errors(found):
        return ReadLesson(None, tuple(found))
    lesson = dataclasses.replace(lesson, quiz=quiz)
    found += budget_problems(lesson)  # what the run-time saves must fit what LMSs keep
    return ReadLesson(None if errors(found) else lesson, tuple(found))


class LessonRead(Protocol):
    """What course_model needs of each lesson: a ReadLesson, or the cache's version of it."""

    @property
    def lesson(self) -> Lesson | None: ...

    @property
    def problems(self) -> tuple[Problem, ...]: ...


def course_model(sources: Sources, lessons: Sequence[LessonRead]) -> tuple[Course, list[Problem]]:
    """The course and its warnings; raise BuildError listing every problem if any is an error."""
    problems = [
        *sources.settings_problems,
        *(problem for read in lessons for problem in read.problems),
        *sources.folder_problems,
    ]
    if errors(problems):
        raise BuildError(problems)
    course = Course(
        settings=sources.settings,
        lessons=tuple(read.lesson for read in lessons if read.lesson is not None),
        source_dir=sources.folder,
    )
    return course, problems


def read_course(folder: Path, table_label: str = "") -> tuple[Course, list[Problem]]:
    """Stages 1 and 2 in one call, nothing memoised (tests and tools)."""
    sources = read_sources(folder)
    read = [read_lesson_files(files, sources.settings, table_label) for files in sources.lessons]
    return course_model(sources, read)


def _read_lesson(
    path: Path, lesson_id: str, shown_as: str, found: list[Problem], table_label: str
) -> Lesson | None:
    return read_lesson(path, lesson_id, shown_as, found, table_label=table_label)


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file; OSError for anything else. A FIFO or device would block
    or never end a read: opened without waiting, it is refused before it is read."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        size = os.fstat(descriptor)
        if not stat.S_ISREG(size.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        chunks = []
        while chunk := os.read(descriptor, max(size.st_size, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _digest(*paths: Path) -> str:
    """Of regular files only (the reader reports anything else): others digest as absent."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            data = read_regular_file(path)
        except OSError:
            digest.update(b"absent")
            continue
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _unused_files(lessons_dir: Path, listed: tuple[str, ...], reported: set[str]) -> list[Problem]:
    """Lessons and quizzes that will not be in the package: usually a forgotten or typo'd name.
    A quiz already `reported` (shown as lessons/<name>) as misnamed gets no second warning."""
    unused = []
    listed_names = frozenset(listed)
    by_name = operator.attrgetter("name")  # comparing paths themselves is slow in a large course
    for path in sorted(lessons_dir.glob("*.md"), key=by_name):
        # A reserved name is reported where it is listed; unlisted, it could not be added.
        if path.stem not in listed_names and path.stem not in RESERVED_NAMES:
            unused.append(
                Problem(
                    "course-lesson-not-listed",
                    "warning",
                    f"{LESSONS_DIR}/{path.name}",
                    _("this lesson is not in the course (it is not listed in {file})").format(
                        file=SETTINGS_FILE
                    ),
                    _('list "{name}" in lessons = [...] of {file}, or move it away').format(
                        name=path.stem, file=SETTINGS_FILE
                    ),
                )
            )
    for path in sorted(lessons_dir.glob(f"*{QUIZ_SUFFIX}"), key=by_name):
        lesson_id = path.name.removesuffix(QUIZ_SUFFIX)
        if (lessons_dir / f"{lesson_id}.md").is_file() or f"{LESSONS_DIR}/{path.name}" in reported:
            continue
        unused.append(
            Problem(
                "course-quiz-without-lesson",
                "warning",
                f"{LESSONS_DIR}/{path.name}",
                _("this quiz belongs to no lesson: there is no {name}.md").format(name=lesson_id),
                _(
                    "name it after its lesson: <lesson>{suffix} (for example llm-basics{suffix})"
                ).format(suffix=QUIZ_SUFFIX),
            )
        )
    return unused
