"""Stage 1a: read the course settings (`course.toml`)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from scorm_builder.file_names import entries, hidden_ending_note, meant
from scorm_builder.i18n import N_, _
from scorm_builder.model import CourseSettings
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.toml_file import TomlFile, as_written, closest, read_toml
from scorm_builder.toml_schema import (
    PASS_MARK_RULES,
    Block,
    Key,
    Need,
    Rule,
    Schema,
    max_length,
    pattern,
    read_block,
)

SETTINGS_FILE = "course.toml"
LESSONS_DIR = "lessons"
LESSON_SUFFIX = ".md"
# A lesson's folder in the package is named after it; this one holds the run-time and styles.
RESERVED_NAMES = ("shared",)
LANGUAGES = ("ja", "en")
DEFAULT_PASS_MARK = 80
# The identifier names the zip and the manifest (an xsd:ID); LMSs and file systems all
# accept this set.
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
MAX_IDENTIFIER = 64
LESSON_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# The limits of SCORM 1.2's content packaging schema (imscp_rootv1p1p2.xsd): titleType, and
# the manifest's version attribute. Over them, an LMS refuses the whole package.
MAX_TITLE = 200
MAX_VERSION = 20
# A minimum reading time past a working shift is a typing mistake (600 for 60, say).
MAX_READING_MINUTES = 480
# Other spellings of a lesson file that authors' editors produce.
_LESSON_ENDINGS = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")

SETTINGS = Schema(
    "course",
    (
        Key(
            "title",
            "",
            (max_length(MAX_TITLE, N_("SCORM 1.2 allows")),),
            text="line",
            need=Need(N_("the course has no title"), N_('add a line: title = "コースの名前"')),
        ),
        Key(
            "identifier",
            "",
            (
                pattern(
                    IDENTIFIER,
                    N_("the identifier '{text}' has characters that are not allowed"),
                    N_(
                        "use ASCII letters, digits, '-' and '_' only, starting with a letter "
                        "(at most {limit} characters), for example: infection-control-2026"
                    ),
                    values={"limit": MAX_IDENTIFIER},
                ),
                max_length(MAX_IDENTIFIER, N_("the builder allows")),
            ),
            text="line",
            need=Need(
                N_("the course has no identifier"),
                N_('add a line such as: identifier = "infection-control-2026"'),
            ),
        ),
        Key(
            "language",
            "ja",
            (
                Rule(
                    lambda value: value in LANGUAGES,
                    N_("the language '{text}' is not supported"),
                    N_("use one of: {languages}"),
                    values={"languages": ", ".join(LANGUAGES)},
                ),
            ),
            text="line",
        ),
        Key("version", "1.0", (max_length(MAX_VERSION, N_("SCORM 1.2 allows")),), text="line"),
        Key("description", "", text="text"),
        Key("pass_mark", DEFAULT_PASS_MARK, PASS_MARK_RULES),
        Key(
            "lessons",
            (),
            (
                Rule(
                    lambda value: (
                        isinstance(value, list) and all(isinstance(name, str) for name in value)
                    ),
                    N_("lessons must be a list of lesson names in double quotes"),
                    N_(
                        "write them in square brackets, for example: "
                        'lessons = ["llm-basics", "hand-hygiene"]'
                    ),
                ),
            ),
            text="lines",
            item=N_("lesson name"),
            need=Need(
                N_("the course lists no lessons"),
                N_('list the lesson files (without ".md") in order: lessons = ["llm-basics"]'),
            ),
        ),
        Key(
            "min_reading_minutes",
            None,
            (
                Rule(
                    lambda value: isinstance(value, dict),
                    N_("min_reading_minutes must be a table of lessons and minutes"),
                    N_(
                        "write it at the end of the file as a table, one line per lesson: "
                        "[min_reading_minutes] and below it llm-basics = 10"
                    ),
                ),
            ),
        ),
    ),
    listing=N_("the settings are: {keys}"),
)
KNOWN_KEYS = SETTINGS.names


def read_settings(source_dir: Path, problems: list[Problem]) -> CourseSettings | None:
    """The settings, with defaults in place of wrong values (whose errors are in `problems`).

    Returns None only when the file cannot be read at all: the lessons are still
    read after other mistakes, so that one run reports them all.
    """
    path = source_dir / SETTINGS_FILE
    if not path.is_file():
        problems.append(_missing_settings(source_dir))
        return None
    toml = read_toml(path, SETTINGS_FILE, problems)
    if toml is None:
        return None
    report = FileProblems(SETTINGS_FILE, problems)
    data = _settings_under_the_table(toml, report)
    # Settings found below the table are looked for there too, for their lines.
    block = Block(toml.lines, end=toml.lines.top_end() if data is toml.data else None)
    values = read_block(data, SETTINGS, block, report)
    lessons_dir = source_dir / LESSONS_DIR
    return CourseSettings(
        title=values["title"],
        identifier=values["identifier"],
        language=values["language"],
        version=values["version"] or "1.0",
        description=values["description"],
        pass_mark=float(values["pass_mark"]),
        lessons=_lessons(values["lessons"], lessons_dir, toml, report),
        min_reading_minutes=_min_reading(values, toml, report),
    )


def _settings_under_the_table(toml: TomlFile, report: FileProblems) -> dict[str, Any]:
    """The settings as the author meant them. In TOML every line below a [table] header
    belongs to that table: settings written below [min_reading_minutes] are not settings.
    That is one error, at the header; the settings are then read where they were meant, so
    that the other messages are about them and not about their place."""
    table = toml.data.get("min_reading_minutes")
    if not isinstance(table, dict):
        return toml.data
    below = [name for name in table if name in KNOWN_KEYS and name not in toml.data]
    if not below:
        return toml.data
    header = next((h for h in toml.lines.headers if h.name == "min_reading_minutes"), None)
    report.error(
        "course-min-reading-order",
        _(
            "the settings below [min_reading_minutes] ({names}) are read as part of that "
            "table: in TOML, every line after a [table] line belongs to the table"
        ).format(names=", ".join(below)),
        _("move [min_reading_minutes] and its lines to the end of {file}").format(
            file=SETTINGS_FILE
        ),
        header.line if header else None,
    )
    data = dict(toml.data)
    data["min_reading_minutes"] = {k: v for k, v in table.items() if k not in below}
    data.update({name: table[name] for name in below})
    return data


def _min_reading(
    values: dict[str, Any], toml: TomlFile, report: FileProblems
) -> tuple[tuple[str, int], ...]:
    """The [min_reading_minutes] table: each key a listed lesson, each value whole minutes."""
    table = values["min_reading_minutes"] or {}
    listed = [name for name in values["lessons"] if isinstance(name, str)]
    lines = toml.lines
    header = next((h for h in lines.headers if h.name == "min_reading_minutes"), None)
    start = header.line if header else 1
    end = next((h.line for h in lines.headers if h.line > start), None) if header else None
    kept = []
    for name, minutes in table.items():
        line = (lines.key(name, start + 1, end) if header else None) or lines.key(
            "min_reading_minutes"
        )
        if name not in listed:
            report.error(
                "course-min-reading-lesson",
                _(
                    "[min_reading_minutes] names the lesson '{name}', which lessons = [...] "
                    "does not list"
                ).format(name=name),
                closest(name, listed)
                + _("use the name of a listed lesson, for example: {name} = 10").format(
                    name=listed[0] if listed else "llm-basics"
                ),
                line,
            )
        elif (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 1 <= minutes <= MAX_READING_MINUTES
        ):
            report.error(
                "course-min-reading",
                _(
                    "the minimum reading time of '{name}' is {value}, not a whole number of "
                    "minutes from 1 to {limit}"
                ).format(name=name, value=as_written(minutes), limit=MAX_READING_MINUTES),
                _(
                    "write the minutes as a whole number without quotes, for example: "
                    "{name} = 10 (or remove the line for no minimum)"
                ).format(name=name),
                line,
            )
        else:
            kept.append((name, minutes))
    return tuple(kept)


def _missing_settings(source_dir: Path) -> Problem:
    found = [name for name in entries(source_dir) if _close(meant(name), SETTINGS_FILE)]
    fix = _(
        "create {file} in the course folder with at least title, identifier "
        "and lessons (see the README for an example)"
    ).format(file=SETTINGS_FILE)
    if found:
        fix = _("the file '{name}' must be named exactly {file}: rename it").format(
            name=found[0], file=SETTINGS_FILE
        )
        fix += hidden_ending_note(found[0])
    message = _("the course settings file is missing")
    return Problem("course-missing", "error", SETTINGS_FILE, message, fix)


def _close(name: str, wanted: str) -> bool:
    return name == wanted or difflib.SequenceMatcher(None, name, wanted).ratio() >= 0.85


def _lessons(
    lessons: Any, lessons_dir: Path, toml: TomlFile, report: FileProblems
) -> tuple[str, ...]:
    """The listed lessons that exist, each once; the mistakes in the list are reported."""
    names = entries(lessons_dir)
    # sorted, for `closest`
    present = [name.removesuffix(LESSON_SUFFIX) for name in names if name.endswith(LESSON_SUFFIX)]
    found: dict[str, None] = {}

    def problem(rule: str, name: str, message: str, fix: str, after: int | None = None) -> None:
        report.error(f"course-{rule}", message, fix, toml.lines.value(name, after=after))

    for name in lessons:
        if name in found:
            first = toml.lines.value(name)
            problem(
                "lessons",
                name,
                _("the lesson '{name}' is listed twice").format(name=name),
                _("remove the second one"),
                first,
            )
            continue
        if name.endswith(LESSON_SUFFIX) and name[: -len(LESSON_SUFFIX)] in present:
            problem(
                "lesson-name",
                name,
                _("the lesson '{name}' is listed with '.md'").format(name=name),
                _('list it without ".md": "{name}"').format(name=name[: -len(LESSON_SUFFIX)]),
            )
        elif not LESSON_ID.fullmatch(name):
            problem(
                "lesson-name",
                name,
                _("the lesson name '{name}' has characters that are not allowed").format(name=name),
                _(
                    "rename the file {file} to a name of lowercase ASCII letters, digits, '-' "
                    "and '_' (for example 02-infection-control.md), and list that name here "
                    "instead"
                ).format(file=f"{LESSONS_DIR}/{name}{LESSON_SUFFIX}"),
            )
        elif name in RESERVED_NAMES:
            problem(
                "lesson-name",
                name,
                _(
                    "the lesson name '{name}' is reserved: the package keeps its shared files "
                    "in '{name}/'"
                ).format(name=name),
                _(
                    "rename {folder}/{name}.md (for example to {name}-lesson.md) and list that name"
                ).format(folder=LESSONS_DIR, name=name),
            )
        elif name not in present:
            shown = f"{LESSONS_DIR}/{name}{LESSON_SUFFIX}"
            misnamed = next((n for n in names if _is_lesson_file_of(n, name)), None)
            fix = closest(name, present) + _(
                "create {file}, or correct the name in lessons = [...]"
            ).format(file=shown)
            if misnamed:
                fix = _("the file is called '{name}': rename it to {right}").format(
                    name=misnamed, right=f"{name}{LESSON_SUFFIX}"
                )
                fix += hidden_ending_note(misnamed)
            problem(
                "lesson-missing",
                name,
                _("the lesson '{name}' is listed, but {file} does not exist").format(
                    name=name, file=shown
                ),
                fix,
            )
        else:
            found[name] = None
    _misnamed_lessons(names, lessons, report)
    return tuple(found)


def _is_lesson_file_of(file_name: str, lesson: str) -> bool:
    """Whether `file_name` is the lesson `lesson` saved under another spelling."""
    name = meant(file_name)
    return file_name != f"{lesson}{LESSON_SUFFIX}" and any(
        name == f"{lesson.casefold()}{ending}" for ending in _LESSON_ENDINGS
    )


def _misnamed_lessons(names: list[str], listed: list[str], report: FileProblems) -> None:
    """Lesson files under a name the builder does not read, and whose lesson is not listed
    (a listed one is reported where it is listed)."""
    for file_name in names:
        name = meant(file_name)
        stem = next(
            (name.removesuffix(e) for e in _LESSON_ENDINGS if name.endswith(e) and name != e),
            None,
        )
        if stem is None or file_name == f"{stem}{LESSON_SUFFIX}":
            continue
        if any(_is_lesson_file_of(file_name, lesson) for lesson in listed):
            continue
        right = f"{stem}{LESSON_SUFFIX}"
        report.found.append(
            Problem(
                "course-lesson-misnamed",
                "warning",
                f"{LESSONS_DIR}/{file_name}",
                _("this looks like a lesson, but only files named <lesson>.md are read"),
                _(
                    'rename it to {right} and list "{stem}" in lessons = [...] of {file}, '
                    "or move it out of {folder}/"
                ).format(right=right, stem=stem, file=SETTINGS_FILE, folder=LESSONS_DIR)
                + hidden_ending_note(file_name),
            )
        )
