"""Stage 1a: read the course settings (`course.toml`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scorm_builder.model import CourseSettings
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.toml_file import as_written, closest, line_of, read_toml

SETTINGS_FILE = "course.toml"
LESSONS_DIR = "lessons"
# A lesson's folder in the package is named after it; this one holds the run-time and styles.
RESERVED_NAMES = ("shared",)
KNOWN_KEYS = ["title", "identifier", "language", "version", "description", "pass_mark", "lessons"]
LANGUAGES = ("ja", "en")
DEFAULT_PASS_MARK = 80
# The identifier names the zip and the manifest; LMSs and file systems all accept this set.
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
LESSON_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# report(rule suffix, message, fix, line): one error in course.toml.
Report = Callable[..., None]


def read_settings(source_dir: Path, problems: list[Problem]) -> CourseSettings | None:
    """The settings, with defaults in place of wrong values (whose errors are in `problems`).

    Returns None only when the file cannot be read at all: the lessons are still
    read after other mistakes, so that one run reports them all.
    """
    path = source_dir / SETTINGS_FILE
    shown_as = SETTINGS_FILE
    if not path.is_file():
        problems.append(
            Problem(
                "course-missing",
                "error",
                shown_as,
                "the course settings file is missing",
                f"create {SETTINGS_FILE} in the course folder with at least title, identifier "
                "and lessons (see the README for an example)",
            )
        )
        return None
    toml = read_toml(path, shown_as, problems)
    if toml is None:
        return None
    data, report = toml.data, FileProblems(shown_as, problems)

    def problem(key: str, message: str, fix: str, line: int | None = None) -> None:
        report.error(f"course-{key}", message, fix, line or line_of(toml.text, key))

    for key in data:
        if key not in KNOWN_KEYS:
            problem(
                "unknown-key",
                f"unknown setting '{key}'",
                f"{closest(key, KNOWN_KEYS)}the settings are: {', '.join(KNOWN_KEYS)}",
                line_of(toml.text, key),
            )
    for key in ("title", "identifier", "language", "version", "description"):
        if isinstance(data.get(key, ""), list | dict | bool):
            problem(key, f"{key} must be a text", f'write it in double quotes: {key} = "…"')
            data.pop(key)

    title = _text(data, "title")
    if not title:
        problem("title", "the course has no title", 'add a line: title = "コースの名前"')
    identifier = _text(data, "identifier")
    if not identifier:
        problem(
            "identifier",
            "the course has no identifier",
            'add a line such as: identifier = "infection-control-2026"',
        )
    elif not IDENTIFIER.fullmatch(identifier):
        problem(
            "identifier",
            f"the identifier '{identifier}' has characters that are not allowed",
            "use ASCII letters, digits, '-' and '_' only, starting with a letter "
            "(at most 64 characters), for example: infection-control-2026",
        )
    language = _text(data, "language") or "ja"
    if language not in LANGUAGES:
        problem(
            "language",
            f"the language '{language}' is not supported",
            f"use one of: {', '.join(LANGUAGES)}",
        )
    pass_mark = data.get("pass_mark", DEFAULT_PASS_MARK)
    if not is_percentage(pass_mark):
        problem(
            "pass_mark",
            f"the pass mark {as_written(pass_mark)} is not a number from 0 to 100",
            "write a percentage without quotes or '%', for example: pass_mark = 80",
        )
        pass_mark = DEFAULT_PASS_MARK
    return CourseSettings(
        title=title,
        identifier=identifier,
        language=language,
        version=_text(data, "version") or "1.0",
        description=_text(data, "description"),
        pass_mark=float(pass_mark),
        lessons=_lessons(data.get("lessons"), source_dir / LESSONS_DIR, toml.text, problem),
    )


def is_percentage(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 100
    )


def _lessons(lessons: Any, lessons_dir: Path, text: str, problem: Report) -> tuple[str, ...]:
    """The listed lessons that exist, each once; the mistakes in the list are reported."""
    if lessons is None or lessons == []:
        problem(
            "lessons",
            "the course lists no lessons",
            'list the lesson files (without ".md") in order: lessons = ["llm-basics"]',
        )
        return ()
    if not isinstance(lessons, list) or not all(isinstance(name, str) for name in lessons):
        problem(
            "lessons",
            "lessons must be a list of lesson names in double quotes",
            'write them in square brackets, for example: lessons = ["llm-basics", "hand-hygiene"]',
        )
        return ()
    present = sorted(path.stem for path in lessons_dir.glob("*.md"))  # sorted for `closest`
    found: dict[str, None] = {}
    for name in lessons:
        if name in found:
            problem(
                "lessons",
                f"the lesson '{name}' is listed twice",
                "remove the second one",
                _line_of_value(text, name, after=_line_of_value(text, name)),
            )
            continue
        # Looked up only for a mistake: for every name it would cost more than the rest.
        fine = name in present and LESSON_ID.fullmatch(name) and name not in RESERVED_NAMES
        line = None if fine else _line_of_value(text, name)
        if name.endswith(".md") and name[:-3] in present:
            problem(
                "lesson-name",
                f"the lesson '{name}' is listed with '.md'",
                f'list it without ".md": "{name[:-3]}"',
                line,
            )
        elif not LESSON_ID.fullmatch(name):
            problem(
                "lesson-name",
                f"the lesson name '{name}' has characters that are not allowed",
                "name lesson files with lowercase ASCII letters, digits, '-' and '_' "
                "(for example 02-infection-control.md) and list that name",
                line,
            )
        elif name in RESERVED_NAMES:
            problem(
                "lesson-name",
                f"the lesson name '{name}' is reserved: the package keeps its shared files "
                f"in '{name}/'",
                f"rename {LESSONS_DIR}/{name}.md (for example to {name}-lesson.md) and list "
                "that name",
                line,
            )
        elif name not in present:
            shown = f"{LESSONS_DIR}/{name}.md"
            problem(
                "lesson-missing",
                f"the lesson '{name}' is listed, but {shown} does not exist",
                f"{closest(name, present)}create {shown}, or correct the name in lessons = [...]",
                line,
            )
        else:
            found[name] = None
    return tuple(found)


def _line_of_value(text: str, value: str, after: int | None = None) -> int | None:
    """The line of the quoted `value` (after line `after`), for values in a list."""
    quoted = (f'"{value}"', f"'{value}'")
    for number, line in enumerate(text.split("\n"), start=1):
        if (after is None or number > after) and any(q in line for q in quoted):
            return number
    return None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    # An unquoted version = 1.0 is a number; taking it as the text an author meant is kinder.
    return value.strip() if isinstance(value, str) else str(value)
