"""The build, as the list of its stages; each takes and returns plain data.

    read_sources       course folder      -> Sources    (settings, each lesson's files)
    read_lesson_files  LessonFiles        -> lesson     (model and quiz)        } per lesson:
    render_page        Lesson, settings   -> page       (its SCO page)          } one task in
    lesson_part        Lesson             -> LessonPart (its record sheet part) } a worker
    course_model       Sources, lessons   -> Course     (or BuildError with every problem)
    lay_out            Course, pages      -> [Package]  (every path in the zip: layout.py)
    check_package      Package            -> [Problem]  (what `scorm-builder check` says)
    output_files       Packages, parts    -> zips and record sheets (record_sheet.py)
    write_output       those files        -> dist/, all or none

Nothing is written to the output folder until every package exists (its pages compressed, in
their cache entries or in memory) and has passed the checks. The cache (cache.py) wraps the
per-lesson stages from here, one entry per lesson; no stage knows it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.cache import (
    Cache,
    MadeLesson,
    default_cache_dir,
    fingerprint,
    lesson_key,
    without_words,
)
from scorm_builder.check import CannotCheck, check_files, compare_packages
from scorm_builder.content_version import lesson_digest
from scorm_builder.layout import (
    Package,
    generated_files,
    lay_out,
    zip_name,
)
from scorm_builder.model import Course, CourseSettings
from scorm_builder.output import cache_changed, not_written, write_output
from scorm_builder.package import Deflated, StreamChanged, Writer, write_zip
from scorm_builder.problems import BuildError, Problem, errors, warnings
from scorm_builder.record_sheet import compile_templates, lesson_part, record_writers
from scorm_builder.render import (
    TEMPLATES_DIR,
    CompiledTemplates,
    LessonRenderer,
    MinifiedFiles,
    Theme,
)
from scorm_builder.sources import (
    LessonFiles,
    Sources,
    course_model,
    read_lesson_files,
    read_sources,
)
from scorm_builder.workers import Workers, job_count


@dataclass
class BuildResult:
    written: list[tuple[Path, Package, int]] = field(default_factory=list)  # path, package, size
    removed: list[Path] = field(default_factory=list)  # files of an earlier build, now gone
    warnings: list[Problem] = field(default_factory=list)


def build(
    source_dir: Path,
    output_dir: Path,
    split: bool = False,
    theme: Theme | None = None,
    strict: bool = False,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Build the course in `source_dir` into zips in `output_dir`; raise BuildError on errors
    (with `strict`, on warnings too), and then nothing is written. `jobs`: worker processes
    for the lessons (default: $SCORM_BUILDER_JOBS, else one per core; 1: none)."""
    theme = theme or Theme(TEMPLATES_DIR)
    with Workers(job_count(jobs)) as workers:
        stages = MemoisedStages(Cache(cache_dir or default_cache_dir()), theme, workers)
        sources = read_sources(source_dir)
        # A page from the cache is as much this builder's as one rendered now: its entry is
        # signed with a key the cache folder does not hold (cache.py), so a page edited or
        # forged there is never taken, and the lesson is made again.
        made = stages.make_lessons(sources)
        course, problems = course_model(sources, made)
    pages = {m.lesson.id: m.page for m in made if m.lesson and m.page}
    packages = lay_out(course, pages, stages.static_files(), split)
    paths = [output_dir / zip_name(package) for package in packages]
    for path, package in zip(paths, packages, strict=True):
        problems += check_package(package, path)
    if errors(problems) or (strict and warnings(problems)):
        raise BuildError(problems)
    # Added after the verdict, so they never fail the build, --strict or not: they are about
    # what the LMS already holds, not about these sources, and the new version may be meant
    # (a course is revised); the author decides whether to upload it over the old activity.
    try:
        problems += [
            finding
            for path, package in zip(paths, packages, strict=True)
            for finding in upload_findings(path, package)
        ]
        removed = write_output(output_dir, source_dir, output_files(course, packages, made))
    except StreamChanged as error:  # a page waiting in its cache entry (package.InFile)
        raise BuildError([*problems, cache_changed(error.path)]) from error
    except OSError as error:
        where = paths[0] if len(paths) == 1 else output_dir
        raise BuildError([*problems, not_written(where, error)]) from error
    written = [(path, p, path.stat().st_size) for path, p in zip(paths, packages, strict=True)]
    return BuildResult(written=written, removed=removed, warnings=problems)


def build_package(
    source_dir: Path, theme: Theme | None = None, cache: Cache | None = None
) -> Package:
    """The whole course as one package in memory, unchecked (for the preview and tests).

    Pass the same `cache` again to redo only the lessons that changed.
    """
    theme = theme or Theme(TEMPLATES_DIR)
    stages = MemoisedStages(cache or Cache(None), theme, Workers(1))
    sources = read_sources(source_dir)
    made = stages.make_lessons(sources)
    course, _ = course_model(sources, made)
    pages = {m.lesson.id: m.page for m in made if m.lesson and m.page}
    [package] = lay_out(course, pages, stages.static_files(), split=False)
    return package


class MemoisedStages:
    """The per-lesson stages (read_lesson_files, render_page, lesson_part), each lesson's results
    taken from `cache` when the digest of everything they depend on is the same as before;
    the others made by `workers`, one task per lesson from its files to its stored entry.
    The templates' compiled code and the minified static files are kept there too, signed."""

    def __init__(self, cache: Cache, theme: Theme, workers: Workers) -> None:
        self._cache = cache
        self._theme = theme
        self._workers = workers
        self._code = fingerprint(theme.directory)
        files = cache.signed_files("templates")
        self._compiled = CompiledTemplates(files, self._code) if files else None
        files = cache.signed_files("static")
        self._minified = MinifiedFiles(files, self._code) if files else None
        compile_templates(self._compiled)  # the record sheets'

    def static_files(self) -> dict[str, bytes]:
        """The theme's static files as shipped, as an earlier build minified them if the cache
        folder holds them."""
        return self._theme.static_files(self._minified)

    def make_lessons(self, sources: Sources) -> list[MadeLesson]:
        """Each lesson's model (without its words), problems, page and record sheet part."""
        folder = str(sources.folder.resolve())  # the same lesson elsewhere uses other images
        keys = [
            lesson_key(self._code, files.id, folder, sources.settings_digest, files.digest)
            for files in sources.lessons
        ]
        made = [self._cache.get(key, sources.folder) for key in keys]
        missing = [index for index, lesson in enumerate(made) if lesson is None]
        # A page needs only its lesson and the course settings, so a lesson goes from its
        # files to its cache entry in one task: the model with its HTML never travels back
        # from a worker, and storing is shared out too.
        make = functools.partial(
            _make_lesson,
            LessonJob(
                sources.settings, _table_label(self._theme, sources.settings), sources.folder
            ),
            self._theme,
            self._code,
            self._compiled,
            self._cache,
        )
        tasks = [(sources.lessons[index], keys[index]) for index in missing]
        if tasks:  # its templates compiled here, before the workers fork, not in each of them
            _renderer(sources.settings, self._theme, self._code, self._compiled)
        for index, result in zip(missing, self._workers.map(make, tasks), strict=True):
            made[index] = result
        return [lesson for lesson in made if lesson is not None]


@dataclass(frozen=True)
class LessonJob:
    settings: CourseSettings
    table_label: str  # the name of a table's caption, in the course language
    course_dir: Path  # the record sheet names the lesson's files from there


def _make_lesson(
    job: LessonJob,
    theme: Theme,
    code: str,
    compiled: CompiledTemplates | None,
    cache: Cache,
    task: tuple[LessonFiles, str],
) -> MadeLesson:
    files, key = task
    read = read_lesson_files(files, job.settings, job.table_label)
    if read.lesson is None:
        return MadeLesson(None, tuple(read.problems), key=key)
    content_digest = lesson_digest(read.lesson)  # the page and the record sheet both show it
    page = _renderer(job.settings, theme, code, compiled).render_page(read.lesson, content_digest)
    record = lesson_part(read.lesson, job.course_dir, job.settings, content_digest)
    # The page and the record part hold the lesson's words now: the lesson is kept without
    # them, here and in the cache (less memory for a large course).
    lesson = without_words(read.lesson)
    made = MadeLesson(lesson, tuple(read.problems), key, Deflated.of(page), record)
    # Once stored, its page is read back from the entry's file when the zip is written: it
    # never travels back from the worker, nor waits in memory.
    return cache.put(made)


@functools.lru_cache(maxsize=1)
def _renderer(
    settings: CourseSettings, theme: Theme, code: str, compiled: CompiledTemplates | None
) -> LessonRenderer:
    """One renderer (its template compiled once, or loaded from `compiled`) per process and
    build; `code` (the digest of the templates too) makes an edited template a new renderer."""
    return LessonRenderer(settings, theme, compiled)


def _table_label(theme: Theme, settings: CourseSettings) -> str:
    try:
        return theme.strings(settings.language)["table"]
    except (OSError, KeyError, TypeError):
        return ""  # the settings name no language we have: an error already, nothing is built


def check_package(package: Package, path: Path) -> list[Problem]:
    """The checks `scorm-builder check` makes, run on the package before it is written to
    `path`; its problems name their file inside that zip, not in the course folder.

    The lessons' pages and the shared run-time are the builder's own (the lesson reader
    refused whatever would load or run something) and are not parsed again; the manifest
    and the authors' media files are.
    """
    return [
        dataclasses.replace(problem, file=f"{path.absolute()}/{problem.file}")
        for problem in check_files(package.files, generated=generated_files(package))
    ]


def upload_findings(previous: Path, package: Package) -> list[Problem]:
    """What uploading `package` over `previous` (the zip of the same name an earlier build
    left) does to the learners' records, each as a warning naming the new zip's file;
    nothing if there is no previous zip, or it cannot be read."""
    if not previous.is_file():
        return []
    try:
        findings = compare_packages(previous, package.files)
    except CannotCheck:
        return []
    return [
        dataclasses.replace(p, severity="warning", file=f"{previous.absolute()}/{p.file}")
        for p in findings
    ]


def output_files(
    course: Course, packages: Sequence[Package], made: Sequence[MadeLesson]
) -> dict[str, Writer]:
    """What goes into the output folder: each zip, and its record sheets beside it."""
    parts = {m.lesson.id: m.record for m in made if m.lesson and m.record}
    writers: dict[str, Writer] = {}
    for package in packages:
        # The pages go in as their deflate streams, made with them (or kept by the cache).
        writers[zip_name(package)] = functools.partial(write_zip, files=package.files.entries())
        lesson_parts = [parts[lesson.id] for lesson in package.lessons]
        writers |= record_writers(course, package.lessons, lesson_parts, package.name)
    return writers
