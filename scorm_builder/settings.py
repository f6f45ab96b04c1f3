"""Stage 1a: read the course settings (`course.toml`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scorm_builder.model import CourseSettings
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.toml_file import closest, line_of, read_toml

SETTINGS_FILE = "course.toml"
KNOWN_KEYS = ["title", "identifier", "language", "version", "description", "pass_mark", "lessons"]
LANGUAGES = ("ja", "en")
# The identifier names the zip and the manifest; LMSs and file systems all accept this set.
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
LESSON_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def read_settings(source_dir: Path, problems: list[Problem]) -> CourseSettings | None:
    path = source_dir / SETTINGS_FILE
    if not path.is_file():
        problems.append(
            Problem(
                "course-missing",
                "error",
                SETTINGS_FILE,
                f"the course settings file is missing from {source_dir}",
                f"create {SETTINGS_FILE} with at least title, identifier and lessons "
                "(see the README for an example)",
            )
        )
        return None
    data = read_toml(path, SETTINGS_FILE, problems)
    if data is None:
        return None
    text = path.read_text(encoding="utf-8-sig")
    report = FileProblems(SETTINGS_FILE, problems)

    def problem(key: str, message: str, fix: str) -> None:
        report.error(f"course-{key}", message, fix, line_of(text, key))

    for key in data:
        if key not in KNOWN_KEYS:
            report.error(
                "course-unknown-key",
                f"unknown setting '{key}'",
                f"{closest(key, KNOWN_KEYS)}the settings are: {', '.join(KNOWN_KEYS)}",
                line_of(text, key),
            )

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
            "(at most 64 characters)",
        )
    language = _text(data, "language") or "ja"
    if language not in LANGUAGES:
        problem(
            "language",
            f"the language '{language}' is not supported",
            f"use one of: {', '.join(LANGUAGES)}",
        )
    pass_mark = data.get("pass_mark", 80)
    if (
        isinstance(pass_mark, bool)
        or not isinstance(pass_mark, int | float)
        or not 0 <= pass_mark <= 100
    ):
        problem(
            "pass_mark",
            f"the pass mark {pass_mark!r} is not a number from 0 to 100",
            "write a percentage without quotes, for example: pass_mark = 80",
        )
        pass_mark = 80
    lessons = data.get("lessons")
    if not isinstance(lessons, list) or not lessons or not all(isinstance(x, str) for x in lessons):
        problem(
            "lessons",
            "the course lists no lessons",
            'list the lesson files (without ".md") in order: lessons = ["llm-basics"]',
        )
        lessons = []
    seen: set[str] = set()
    for name in lessons:
        if name in seen:
            problem("lessons", f"the lesson '{name}' is listed twice", "remove the second one")
        seen.add(name)

    if report.error_count():
        return None
    return CourseSettings(
        title=title,
        identifier=identifier,
        language=language,
        version=_text(data, "version") or "1.0",
        description=_text(data, "description"),
        pass_mark=float(pass_mark),
        lessons=tuple(dict.fromkeys(lessons)),
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else str(value)
