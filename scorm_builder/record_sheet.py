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

Like the zip, the files depend on the sources only: same sources, same bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import os
import tomllib
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from scorm_builder.content_version import content_version
from scorm_builder.model import Course, Lesson, Question, Quiz
from scorm_builder.render import TEMPLATES_DIR
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
    number: int
    id: str
    title: str
    digest: str  # of this lesson's files
    content_version: str  # the label the run-time saves with the learner's data
    min_reading: int  # minutes of reading before the quiz opens; 0: none
    min_reading_text: str  # the same in words ("10分（確認テストの前に）"); "" when none
    attestation: tuple[str, ...]  # the paragraphs of the statement the learner confirms
    pages: tuple[str, ...]  # page titles, the quiz page not included
    quiz: Quiz | None
    pass_mark: str
    max_attempts: int
    drawn: str  # "5 per attempt (of 10)" in the course language; "" when every question is asked
    objectives: tuple[ObjectiveRow, ...]
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class Sheet:
    package: str
    course_title: str
    identifier: str
    language: str
    version: str
    digest: str  # of all the package's sources
    lessons: tuple[LessonRecord, ...]

    @property
    def question_count(self) -> int:
        return sum(len(lesson.questions) for lesson in self.lessons)


def record_files(course: Course, lessons: Sequence[Lesson], package_name: str) -> dict[str, bytes]:
    """`<package>.record.html` and `<package>.record.csv` for the zip holding `lessons`."""
    strings = _strings(course.settings.language)
    sheet = make_sheet(course, lessons, package_name, strings)
    return {
        f"{package_name}{HTML_SUFFIX}": render_html(sheet, strings).encode("utf-8"),
        f"{package_name}{CSV_SUFFIX}": (BOM + render_csv(sheet, strings)).encode("utf-8"),
    }


def make_sheet(
    course: Course, lessons: Sequence[Lesson], package_name: str, strings: dict[str, str]
) -> Sheet:
    settings = course.settings
    records = []
    lesson_digests = []
    for number, lesson in enumerate(lessons, start=1):
        files = lesson_sources(lesson)
        digest = _digest(course.source_dir, files)
        lesson_digests.append(f"{lesson.id} {digest}")
        record = _lesson_record(number, lesson, digest, strings)
        records.append(
            dataclasses.replace(
                record,
                content_version=content_version(settings.version, lesson),
                min_reading=settings.min_reading(lesson.id),
                min_reading_text=_minutes(settings.min_reading(lesson.id), strings),
            )
        )
    settings_digest = _digest(course.source_dir, [course.source_dir / SETTINGS_FILE])
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
        lessons=tuple(records),
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


def _lesson_record(
    number: int, lesson: Lesson, digest: str, strings: dict[str, str]
) -> LessonRecord:
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
        number=number,
        id=lesson.id,
        title=lesson.title,
        digest=digest,
        content_version="",
        min_reading=0,
        min_reading_text="",
        attestation=tuple(lesson.attestation.split("\n")) if lesson.attestation else (),
        pages=tuple(page.title for page in lesson.pages),
        quiz=quiz,
        pass_mark=_number(quiz.pass_mark) if quiz else "",
        max_attempts=quiz.max_attempts if quiz else 0,
        drawn=_drawn(quiz.draw if quiz else 0, len(questions), strings),
        objectives=objectives,
        questions=questions,
    )


def _minutes(minutes: int, strings: dict[str, str]) -> str:
    return strings["minutes"].format(minutes=minutes) if minutes else ""


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


def render_html(sheet: Sheet, strings: dict[str, str]) -> str:
    # As attributes: Jinja reads `strings.x` with getattr first, and a dict's miss costs an
    # exception each time (a third of the time of a 200-lesson sheet).
    words = types.SimpleNamespace(**strings)
    return _environment().get_template("sheet.html").render(sheet=sheet, strings=words)


def render_csv(sheet: Sheet, strings: dict[str, str]) -> str:
    """One row per question; the course-level columns repeat so that any row stands alone."""
    out = io.StringIO()
    # Excel's own CSV dialect: every field quoted where needed, CRLF line ends.
    writer = csv.writer(out, dialect="excel")
    writer.writerow([strings[f"csv_{column}"] for column in CSV_COLUMNS])
    for lesson in sheet.lessons:
        facts = [lesson.content_version, lesson.min_reading or "", "\n".join(lesson.attestation)]
        if not lesson.questions:  # a row of its own: its version and attestation are records
            writer.writerow(
                [sheet.package, sheet.version, sheet.digest, lesson.id, lesson.title, *facts]
                + [""] * (len(CSV_COLUMNS) - 8)
            )
        for q in lesson.questions:
            writer.writerow(
                [
                    sheet.package,
                    sheet.version,
                    sheet.digest,
                    lesson.id,
                    lesson.title,
                    *facts,
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
            )
    return out.getvalue()


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


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(RECORD_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _strings(language: str) -> dict[str, str]:
    with (RECORD_DIR / f"{language}.toml").open("rb") as file:
        data: dict[str, Any] = tomllib.load(file)
    return {key: str(value) for key, value in data.items()}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
