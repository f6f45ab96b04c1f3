"""Stage 3: render each lesson into the HTML page of its SCO, with Jinja2."""

from __future__ import annotations

import functools
import hashlib
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.bccache import Bucket

from scorm_builder import answer_key, content_version
from scorm_builder.minify import minify
from scorm_builder.model import Choice, CourseSettings, Lesson, Page, Question, Quiz
from scorm_builder.numbers import plain_decimal
from scorm_builder.signed_files import SignedFiles

# templates/ of the repository; `pip install .` puts it inside the package (pyproject.toml).
_PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = next(
    folder
    for folder in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates")
    if folder.is_dir()
)
STATIC_DIR = "static"  # shipped as-is, shared by every SCO of a package


INCLUDED = ("attest.html", "quiz.html")  # by lesson.html


@dataclass(frozen=True)
class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier build, kept signed in the cache folder: a rebuild
    that renders one lesson loads its templates' code instead of compiling them again.

    `code` (cache.fingerprint: this code, the templates, the libraries) names the files too,
    since the environment's options, which shape the compiled code, are not in Jinja's own
    checksum of a template's source.
    """

    files: SignedFiles
    code: str

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.files.read(self._name(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)  # refused by Jinja if the source has changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.files.write(self._name(bucket), bucket.bytecode_to_string())

    def _name(self, bucket: Bucket) -> str:
        return hashlib.sha256(f"{self.code}\0{bucket.key}".encode()).hexdigest()


@dataclass(frozen=True)
class Theme:
    """The templates, interface strings and static files a package is made with."""

    directory: Path

    def environment(self, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.directory),
            bytecode_cache=compiled,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            # A template is never edited under a renderer: an edited one makes a new renderer
            # (build._renderer), so no page render needs to look at the files again.
            auto_reload=False,
        )
        # Japanese as characters, not \u escapes: a third of the bytes.
        environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        return environment

    def strings(self, language: str) -> dict[str, str]:
        with (self.directory / "strings" / f"{language}.toml").open("rb") as file:
            return tomllib.load(file)

    def static_files(self, minified: MinifiedFiles | None = None) -> dict[str, bytes]:
        """Static file name -> bytes as shipped (scripts and styles minified), in a stable
        order; with `minified`, as an earlier build minified them."""
        folder = self.directory / STATIC_DIR
        shipped = minified.get if minified else _minified
        return {
            p.name: shipped(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()
        }


@dataclass(frozen=True)
class MinifiedFiles:
    """Static files as an earlier build minified them, kept signed in the cache folder: a
    build in a new process reads them instead of minifying the run-time again (8 ms)."""

    files: SignedFiles
    code: str  # cache.fingerprint: the minifier is part of it

    def get(self, name: str, data: bytes) -> bytes:
        source = hashlib.sha256(data).hexdigest()
        key = hashlib.sha256(f"{self.code}\0{name}\0{source}".encode()).hexdigest()
        kept = self.files.read(key)
        if kept is None:
            kept = _minified(name, data)
            self.files.write(key, kept)
        return kept


class LessonRenderer:
    """Renders the lessons of one course: `render(lesson)` is the page of its SCO."""

    def __init__(
        self, settings: CourseSettings, theme: Theme, compiled: CompiledTemplates | None = None
    ) -> None:
        self._settings = settings
        self._theme = theme
        self._strings = theme.strings(settings.language)
        # Made only when a lesson is to be rendered: a rebuild whose pages all come from the
        # cache never compiles them. The pages it includes are compiled now too, not at the
        # first page each worker renders.
        environment = theme.environment(compiled)
        self._template = environment.get_template("lesson.html")
        for included in INCLUDED:
            environment.get_template(included)

    @property
    def table_label(self) -> str:
        """The name screen readers give a wide table's scroll box, in the course language."""
        return self._strings["table"]

    def render_page(self, lesson: Lesson, content_digest: str) -> bytes:
        return self.render(lesson, content_digest).encode("utf-8")

    def render(self, lesson: Lesson, content_digest: str) -> str:
        """The page; `content_digest` is `content_version.lesson_digest(lesson)`, taken once
        by the caller for the page and the record sheet alike."""
        strings = self._strings
        quiz = lesson.quiz
        version = content_version.label(self._settings.version, content_digest)
        lesson_pages = list(lesson.pages)
        pages = list(lesson_pages)
        if lesson.attestation:
            title = strings["attest_title"]
            pages.append(Page(title=title, title_html=title, html=""))
        if quiz:
            pages.append(
                Page(title=strings["quiz_title"], title_html=strings["quiz_title"], html="")
            )
        return self._template.render(
            course=self._settings,
            lesson=lesson,
            lesson_pages=lesson_pages,
            pages=pages,
            quiz=quiz,
            min_reading=self._settings.min_reading(lesson.id),
            quiz_intro=self._quiz_intro(quiz) if quiz else "",
            attest_page=len(lesson_pages) + 1,  # its number (id="page-N"), after the lesson's
            statement=lesson.attestation.split("\n"),
            version=version,
            attested=strings["attested"].format(version=version),
            strings=strings,
            hints={
                "single": strings["single_hint"],
                "multiple": strings["multiple_hint"],
                "true-false": strings["true_false_hint"],
                "numeric": strings["numeric_hint"],
            },
            choice_lists={q.id: self._choices(q) for q in quiz.questions} if quiz else {},
            sco_data=self._sco_data(lesson, len(pages), version),
        )

    def _choices(self, question: Question) -> tuple[Choice, ...]:
        if question.type == "true-false":
            return (Choice("t", self._strings["true"]), Choice("f", self._strings["false"]))
        return question.choices

    def _quiz_intro(self, quiz: Quiz) -> markupsafe.Markup:
        # The run-time puts the LMS's own pass mark (its mastery score) in the span at launch.
        before, _, after = self._strings["quiz_intro"].partition("{pass_mark}")
        return markupsafe.Markup("{}<span data-pass-mark>{}</span>{}").format(
            before, figure(quiz.pass_mark), after
        )

    def _sco_data(self, lesson: Lesson, page_count: int, version: str) -> dict[str, Any]:
        """What the run-time needs: the answer key (never in plain text), the pools, the pass
        mark and its own strings."""
        quiz = lesson.quiz
        data: dict[str, Any] = {
            "lesson": lesson.id,
            # Saved with the learner's data, so a record names the content it was taken on.
            "version": version,
            "pageCount": page_count,
            # Milliseconds of reading on the lesson's pages before its quiz opens (0: none).
            "minReading": self._settings.min_reading(lesson.id) * 60000,
            "strings": self._strings,
            "quiz": None,
        }
        if quiz:
            data["quiz"] = {
                "passMark": quiz.pass_mark,
                "maxAttempts": quiz.max_attempts,
                "shuffleQuestions": quiz.shuffle_questions,
                "shuffleChoices": quiz.shuffle_choices,
                "draw": quiz.draw,
                "objectives": [
                    {"id": o.id, "title": o.title, "draw": o.draw, "passMark": o.pass_mark}
                    for o in quiz.objectives
                ],
                "questions": [self._question_data(lesson.id, q) for q in quiz.questions],
                "pools": _pools(quiz),
            }
        return data

    def _question_data(self, lesson_id: str, question: Question) -> dict[str, Any]:
        salt = answer_key.salt(lesson_id, question.id)
        numeric = question.type == "numeric"
        correct = [_plain(c) for c in question.correct] if numeric else sorted(question.correct)
        key = {
            "correct": correct,
            "tolerance": _plain(question.tolerance) if numeric else "0",
            "explanation": question.explanation,
        }
        return {
            "id": question.id,
            "objective": question.objective,
            "type": question.type,
            # cmi.interactions.n.type: SCORM 1.2 has one "choice" for one or several answers
            "interaction": "choice" if question.type in ("single", "multiple") else question.type,
            "points": question.points,
            "choices": [c.key for c in self._choices(question)],
            "salt": salt,
            # Choices are graded by digest; a numeric answer needs its value (and tolerance).
            "digest": "" if numeric else answer_key.digest(salt, question.id, ",".join(correct)),
            "key": answer_key.encode(salt, question.id, key),
        }


def _pools(quiz: Quiz) -> list[tuple[list[int], int]]:
    """What each try draws from: each objective's questions (indices) and how many of them,
    or the whole quiz and its `draw` (0: all)."""
    if not quiz.objectives:
        return [(list(range(len(quiz.questions))), quiz.draw)]
    return [
        ([i for i, q in enumerate(quiz.questions) if q.objective == o.id], o.draw)
        for o in quiz.objectives
    ]


@functools.lru_cache(maxsize=16)  # the preview rebuilds with the same files again and again
def _minified(name: str, data: bytes) -> bytes:
    return minify(name, data)


def figure(value: float) -> str:
    """A score or pass mark as the run-time shows it: 80, 85.7 (rounded down to tenths)."""
    tenths = math.floor(round(value * 1000) / 100)
    return plain_decimal(tenths // 10 if tenths % 10 == 0 else tenths / 10)


def _plain(value: float | str) -> str:
    """A number as plain decimal digits ("0.00001", not "1e-05"), as the run-time compares them."""
    return plain_decimal(float(value))
