"""The course record sheet: what each zip holds, for the people who read the LMS's records.

Moodle's SCORM report shows each quiz answer as an interaction id, a response such as `a,b`
and a result; SCORM 1.2 cannot carry the question's text. The sheet, written beside each zip,
is the key to those reports: every question with its interaction id, its choices with their
response ids, the correct response as the LMS stores it, the points and the explanation; the
lessons' pages; the content version and a digest of the sources, so that a printed sheet can be
matched to the package (and the sources) that made it.

    files = record_files(course, lessons, "ai-basics")
    files["ai-basics.record.html"]   # one printable page
    files["ai-basics.record.csv"]    # one row per question, UTF-8 with BOM (Excel)

The build makes each lesson's part (`lesson_part`: its section of the page, its CSV rows)
with the lesson's page, in a worker, and the cache keeps it; `record_writers` then streams
the sheets into the output folder from those parts, so a rebuild renders only the lesson
that changed and a large course's sheet is never held in memory whole.

Like the zip, the files depend on the sources only: same sources, same bytes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import os
import tomllib
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import jinja2
from markupsafe import Markup

from scorm_builder.content_version import label, lesson_digest
from scorm_builder.model import Course, CourseSettings, Lesson, Question, Quiz
from scorm_builder.package import InFile, bytes_of
from scorm_builder.render import TEMPLATES_DIR, CompiledTemplates
from scorm_builder.settings import SETTINGS_FILE
from scorm_builder.sources import QUIZ_SUFFIX

RECORD_DIR = TEMPLATES_DIR / "record"
HTML_SUFFIX = ".record.html"
CSV_SUFFIX = ".record.csv"
# Excel opens a CSV without a BOM in the system's code page (cp932 on a Japanese Windows).
BOM = "\ufeff"
# What the run-time writes as cmi.interactions.n.type for each question type.
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "true-false": "true-false",
    "numeric": "numeric",
}


@dataclass(frozen=True)
class ChoiceRow:
    key: str  # the response id the LMS stores: a, b, … (t/f for true-false)
    text: str
    correct: bool


@dataclass(frozen=True)
class QuestionRow:
    number: int
    id: str  # cmi.interactions.n.id
    objective: str  # its objective's id, "" when the quiz has none
    objective_title: str
    type: str  # as in the quiz file
    interaction_type: str  # as in the LMS's report
    text: str
    choices: tuple[ChoiceRow, ...]
    correct_response: str  # cmi.interactions.n.correct_responses.0.pattern, as stored
    correct_text: str  # the same in words
    tolerance: str  # numeric questions only, else ""
    points: str
    explanation: str


@dataclass(frozen=True)
class ObjectiveRow:
    id: str
    title: str
    drawn: str  # questions drawn from it per attempt: a number, or "" for all of them
    pass_mark: str  # its own pass mark, "" when it has none


@dataclass(frozen=True)
class LessonRecord:
    id: str
    title: str
    digest: str  # of this lesson's files
    pages: tuple[str, ...]  # page titles, the attestation and quiz pages not included
    attestation: tuple[str, ...]  # the paragraphs of the statement the learner confirms
    quiz: Quiz | None
    pass_mark: str
    max_attempts: int
    drawn: str  # "5 per attempt (of 10)" in the course language; "" when every question is asked
    objectives: tuple[ObjectiveRow, ...]
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True, slots=True)
class LessonPart:
    """One lesson's part of the sheets, made with its page and kept by the cache: its HTML
    and CSV rows stay in the cache entry's file (`InFile`) until they are written, since a
    course of a thousand lessons holds a thousand of them."""

    digest: str  # of the lesson's source files
    # The content version's digest (content_version.lesson_digest), taken here from the whole
    # lesson: the build keeps the lesson without its words afterwards.
    content_digest: str
    attestation: str  # its statement, "" when it has none
    question_count: int
    html: bytes | InFile  # its section of the page (lesson.html), UTF-8
    # Its CSV rows as written (UTF-8) without the package's columns, which start each
    # row; `csv_row_ends` says where each row ends (a field may hold a line break). Written
    # once here, in the worker, so a sheet is only joined, never parsed or encoded again.
    csv_rows: bytes | InFile
    csv_row_ends: tuple[int, ...]


@dataclass(frozen=True)
class SheetLesson:
    number: int  # its place in this package
    id: str
    title: str
    part: LessonPart
    content_version: str  # the label the run-time saves with the learner's data
    min_reading: int  # minutes of reading before its quiz opens; 0: none
    min_reading_text: str  # the same in words, "" when none

    # Where the template puts the lesson's section: `write_html` writes the section there as
    # it is stored, UTF-8, never decoded to be encoded again (half the time of a large sheet).
    # It cannot be one of the author's texts, which are escaped: "<" is never left as it is.
    html = Markup("<!-- the lesson's section -->")


@dataclass(frozen=True)
class Sheet:
    package: str
    course_title: str
    identifier: str
    language: str
    version: str
    digest: str  # of all the package's sources
    lessons: tuple[SheetLesson, ...]

    @property
    def question_count(self) -> int:
        return sum(lesson.part.question_count for lesson in self.lessons)


def lesson_part(
    lesson: Lesson,
    course_dir: Path,
    settings: CourseSettings,
    content_digest: str,
) -> LessonPart:
    """The lesson's section of the record sheet and its rows of the CSV; `content_digest` is
    `content_version.lesson_digest(lesson)`, taken once for the page and the sheet."""
    language = settings.language
    strings = _strings(language)
    record = _lesson_record(lesson, _digest(course_dir, lesson_sources(lesson)), strings)
    template = _environment().get_template("lesson.html")
    html = template.render(lesson=record, strings=_words(language))
    facts = [
        label(settings.version, content_digest),
        settings.min_reading(lesson.id) or "",
        lesson.attestation,
    ]
    # A lesson without questions gets a row of its own: its content version and attestation
    # are records too.
    rows: list[list[str | int]] = [_csv_row(record, q) for q in record.questions] or [
        [lesson.id, lesson.title, *[""] * (len(CSV_COLUMNS) - 8)]
    ]
    lines = [_csv_line([*row[:2], *facts, *row[2:]]).encode("utf-8") for row in rows]
    return LessonPart(
        digest=record.digest,
        content_digest=content_digest,
        attestation=lesson.attestation,
        question_count=len(record.questions),
        html=html.encode("utf-8"),
        csv_rows=b"".join(lines),
        csv_row_ends=tuple(itertools.accumulate(map(len, lines))),
    )


def _csv_line(fields: Sequence[str | int]) -> str:
    """One CSV row in Excel's own dialect: every field quoted where needed, CRLF at the end.
    Fields are quoted one by one, so two rows' fields joined by a comma are one row."""
    line = io.StringIO()
    csv.writer(line, dialect="excel").writerow(fields)
    return line.getvalue()


def record_writers(
    course: Course,
    lessons: Sequence[Lesson],
    parts: Sequence[LessonPart],
    package_name: str,
) -> dict[str, Callable[[BinaryIO], None]]:
    """`<package>.record.html` and `.record.csv` for the zip holding `lessons` (with their
    `parts`), each as a function that writes it into a file."""
    sheet = make_sheet(course, lessons, parts, package_name)
    return {
        f"{package_name}{HTML_SUFFIX}": functools.partial(write_html, sheet=sheet),
        f"{package_name}{CSV_SUFFIX}": functools.partial(write_csv, sheet=sheet),
    }


def record_files(course: Course, lessons: Sequence[Lesson], package_name: str) -> dict[str, bytes]:
    """The same two files as bytes, their parts made here (tests and tools)."""
    parts = [
        lesson_part(lesson, course.source_dir, course.settings, lesson_digest(lesson))
        for lesson in lessons
    ]
    files = {}
    for name, write in record_writers(course, lessons, parts, package_name).items():
        buffer = io.BytesIO()
        write(buffer)
        files[name] = buffer.getvalue()
    return files


def make_sheet(
    course: Course, lessons: Sequence[Lesson], parts: Sequence[LessonPart], package_name: str
) -> Sheet:
    settings = course.settings
    settings_digest = _digest(course.source_dir, [course.source_dir / SETTINGS_FILE])
    lesson_digests = [
        f"{lesson.id} {part.digest}" for lesson, part in zip(lessons, parts, strict=True)
    ]
    package_digest = hashlib.sha256(
        "\n".join([f"{SETTINGS_FILE} {settings_digest}", *lesson_digests]).encode()
    ).hexdigest()
    return Sheet(
        package=package_name,
        course_title=settings.title,
        identifier=settings.identifier,
        language=settings.language,
        version=settings.version,
        digest=package_digest,
        lessons=tuple(
            SheetLesson(
                number,
                lesson.id,
                lesson.title,
                part,
                content_version=label(settings.version, part.content_digest),
                min_reading=settings.min_reading(lesson.id),
                min_reading_text=_minutes(
                    settings.min_reading(lesson.id),
                    _strings(course.settings.language),
                    has_quiz=lesson.quiz is not None,
                ),
            )
            for number, (lesson, part) in enumerate(zip(lessons, parts, strict=True), start=1)
        ),
    )


def lesson_sources(lesson: Lesson) -> list[Path]:
    """The files a lesson is made of: its Markdown, its quiz, the images it uses."""
    files = [lesson.source]
    quiz = lesson.source.with_name(f"{lesson.id}{QUIZ_SUFFIX}")
    if lesson.quiz is not None:
        files.append(quiz)
    files += sorted(set(lesson.media.values()))
    return files


def _digest(root: Path, files: Sequence[Path]) -> str:
    """SHA-256 over each file's name (relative to the course folder) and content's SHA-256.

    Names are part of it so that renaming an image changes the digest; the absolute path of
    the course folder is not, so the same sources give the same digest on any machine.
    """
    lines = []
    top = root.absolute()
    for path in files:
        try:
            relative = Path(os.path.relpath(path.absolute(), top))
        except ValueError:  # another drive (Windows)
            relative = Path("..", path.name)
        name = path.name if relative.parts[:1] == ("..",) else relative.as_posix()
        lines.append(f"{name} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _lesson_record(lesson: Lesson, digest: str, strings: dict[str, str]) -> LessonRecord:
    quiz = lesson.quiz
    objectives = tuple(
        ObjectiveRow(
            id=o.id,
            title=o.title,
            drawn=str(o.draw) if o.draw else "",
            pass_mark=_number(o.pass_mark) if o.pass_mark is not None else "",
        )
        for o in (quiz.objectives if quiz else ())
    )
    titles = {o.id: o.title for o in objectives}
    questions = (
        tuple(_question_row(n, q, titles, strings) for n, q in enumerate(quiz.questions, 1))
        if quiz
        else ()
    )
    return LessonRecord(
        id=lesson.id,
        title=lesson.title,
        digest=digest,
        pages=tuple(page.title for page in lesson.pages),
        attestation=tuple(lesson.attestation.split("\n")) if lesson.attestation else (),
        quiz=quiz,
        pass_mark=_number(quiz.pass_mark) if quiz else "",
        max_attempts=quiz.max_attempts if quiz else 0,
        drawn=_drawn(quiz.draw if quiz else 0, len(questions), strings),
        objectives=objectives,
        questions=questions,
    )


def _minutes(minutes: int, strings: dict[str, str], has_quiz: bool) -> str:
    """The minimum in words: before the quiz opens, or (without a quiz) before completion."""
    words = strings["minutes"] if has_quiz else strings["minutes_to_complete"]
    return words.format(minutes=minutes) if minutes else ""


def _drawn(drawn: int, count: int, strings: dict[str, str]) -> str:
    return strings["drawn_of"].format(drawn=drawn, count=count) if drawn else ""


def _question_row(
    number: int, question: Question, objective_titles: dict[str, str], strings: dict[str, str]
) -> QuestionRow:
    shown: tuple[tuple[str, str], ...]
    if question.type == "true-false":
        shown = (("t", strings["true"]), ("f", strings["false"]))
    else:
        shown = tuple((choice.key, choice.text) for choice in question.choices)
    choices = tuple(ChoiceRow(key, text, key in question.correct) for key, text in shown)
    if question.type == "numeric":
        pattern = question.correct[0]
        in_words = pattern
    else:
        # As runtime.js writes it: the keys in order, comma-separated.
        pattern = ",".join(sorted(question.correct))
        in_words = strings["list_separator"].join(c.text for c in choices if c.correct)
    return QuestionRow(
        number=number,
        id=question.id,
        objective=question.objective,
        objective_title=objective_titles.get(question.objective, ""),
        type=question.type,
        interaction_type=INTERACTION_TYPES[question.type],
        text=question.text,
        choices=choices,
        correct_response=pattern,
        correct_text=in_words,
        tolerance=_number(question.tolerance) if question.type == "numeric" else "",
        points=_number(question.points),
        explanation=question.explanation,
    )


def write_html(file: BinaryIO, sheet: Sheet) -> None:
    template = _environment().get_template("sheet.html")
    sections = iter(sheet.lessons)  # opened one at a time, as the template reaches each
    for piece in template.generate(
        sheet=sheet, sections=sheet.lessons, strings=_words(sheet.language)
    ):
        if piece == SheetLesson.html:
            file.write(bytes_of(next(sections).part.html))
        else:
            file.write(piece.encode("utf-8"))


def write_csv(file: BinaryIO, sheet: Sheet) -> None:
    """One row per question; the course-level columns repeat so that any row stands alone."""
    strings = _strings(sheet.language)
    file.write((BOM + _csv_line([strings[f"csv_{c}"] for c in CSV_COLUMNS])).encode("utf-8"))
    package_columns = _csv_line([sheet.package, sheet.version, sheet.digest]).removesuffix("\r\n")
    first = f"{package_columns},".encode()
    for lesson in sheet.lessons:
        rows = bytes_of(lesson.part.csv_rows)
        starts = (0, *lesson.part.csv_row_ends)
        file.write(b"".join(first + rows[a:b] for a, b in itertools.pairwise(starts)))


def _csv_row(lesson: LessonRecord, q: QuestionRow) -> list[str | int]:
    """A question's CSV columns after the package's (CSV_COLUMNS from "lesson" on)."""
    return [
        lesson.id,
        lesson.title,
        q.number,
        q.id,
        q.objective,
        q.interaction_type,
        q.text,
        "\n".join(f"{c.key}: {c.text}" for c in q.choices),
        q.correct_response,
        q.correct_text,
        q.tolerance,
        q.points,
        q.explanation,
    ]


CSV_COLUMNS = (
    "package",
    "version",
    "digest",
    "lesson",
    "lesson_title",
    "content_version",
    "min_reading",
    "attestation",
    "number",
    "interaction_id",
    "objective",
    "type",
    "text",
    "choices",
    "correct_response",
    "correct_text",
    "tolerance",
    "points",
    "explanation",
)


def compile_templates(compiled: CompiledTemplates | None) -> None:
    """The sheets' templates compiled in this process now, or loaded from `compiled` (1 ms
    instead of 20 in a new process): workers forked afterwards start with them. The
    environment is the process's, so a process that builds again (the preview, with any cache
    folder) keeps them compiled, and the first store given is the one used."""
    environment = _environment()
    if environment.bytecode_cache is None:
        environment.bytecode_cache = compiled
    for name in ("lesson.html", "sheet.html"):
        environment.get_template(name)


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(RECORD_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@functools.cache
def _words(language: str) -> types.SimpleNamespace:
    # As attributes: Jinja reads `strings.x` with getattr first, and a dict's miss costs an
    # exception each time (a third of the time of a 200-lesson sheet).
    return types.SimpleNamespace(**_strings(language))


@functools.cache
def _strings(language: str) -> dict[str, str]:
    with (RECORD_DIR / f"{language}.toml").open("rb") as file:
        data: dict[str, Any] = tomllib.load(file)
    return {key: str(value) for key, value in data.items()}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
