"""The build pipeline: read the sources, render pages, write the manifest, check, package.

    read_course -> LessonRenderer -> write_manifest -> check_files -> write_zip (atomically)

Each stage takes and returns plain data; nothing is written to the output
folder until the whole package exists in memory and has passed the checks.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.cache import CACHE_FILE, BuildCache
from scorm_builder.check import check_files
from scorm_builder.manifest import ScoEntry, write_manifest
from scorm_builder.model import Course, Lesson
from scorm_builder.package import write_all_atomically, write_zip
from scorm_builder.problems import BuildError, Problem, errors
from scorm_builder.render import TEMPLATES_DIR, LessonRenderer, Theme
from scorm_builder.schema import SCHEMA_DIR, SCHEMA_FILES
from scorm_builder.settings import RESERVED_NAMES
from scorm_builder.sources import read_course

SHARED_DIR = RESERVED_NAMES[0]  # the run-time and styles every SCO uses


@dataclass
class Package:
    """One zip to be: its file name, its files (package path -> bytes) and what it holds."""

    name: str
    files: dict[str, bytes]
    lessons: tuple[Lesson, ...]

    @property
    def page_count(self) -> int:
        return sum(len(lesson.pages) + (1 if lesson.quiz else 0) for lesson in self.lessons)

    @property
    def question_count(self) -> int:
        return sum(len(lesson.quiz.questions) for lesson in self.lessons if lesson.quiz)


@dataclass
class BuildResult:
    written: list[tuple[Path, Package, int]] = field(default_factory=list)  # path, package, size
    removed: list[Path] = field(default_factory=list)  # zips of an earlier build, now gone
    warnings: list[Problem] = field(default_factory=list)


def build(
    source_dir: Path,
    output_dir: Path,
    split: bool = False,
    theme: Theme | None = None,
    strict: bool = False,
) -> BuildResult:
    """Build the course in `source_dir` into zips in `output_dir`; raise BuildError on errors.

    With `strict`, warnings are errors too, and nothing is written.
    """
    theme = theme or Theme(TEMPLATES_DIR)
    cache = BuildCache.load(output_dir / CACHE_FILE, theme.directory)
    packages, warnings = _packages(source_dir, theme, cache, split)
    paths = [output_dir / f"{package.name}.zip" for package in packages]
    found = warnings + [
        problem
        for path, package in zip(paths, packages, strict=True)
        for problem in check_package(package, path, cache)
    ]
    if errors(found) or (strict and found):
        raise BuildError(found)
    writers = {
        path: functools.partial(write_zip, files=package.files)
        for path, package in zip(paths, packages, strict=True)
    }
    try:
        write_all_atomically(writers)
    except OSError as error:
        where = paths[0] if len(paths) == 1 else output_dir
        raise BuildError([*found, _not_written(where, error)]) from error
    result = BuildResult(warnings=found)
    result.written = [
        (path, package, path.stat().st_size) for path, package in zip(paths, packages, strict=True)
    ]
    result.removed = _remove_stale_zips(cache, source_dir, paths)
    cache.written, cache.written_for = [path.name for path in paths], str(source_dir.resolve())
    cache.save(package.files for package in packages)
    return result


def _remove_stale_zips(cache: BuildCache, source_dir: Path, written: list[Path]) -> list[Path]:
    """Zips the previous build of this course wrote that this one did not (a removed lesson,
    --split or not): left there, they would be uploaded with the rest of dist/."""
    if cache.written_for != str(source_dir.resolve()):
        return []  # another course's zips, built into the same folder
    kept = {path.name.casefold() for path in written}  # case-insensitive file systems too
    removed = []
    for name in sorted(cache.written):
        stale = written[0].parent / name
        # Only a zip right in the output folder: the cache file is data, not a trusted list.
        if Path(name).name != name or not name.endswith(".zip") or name.casefold() in kept:
            continue
        if stale.is_file():
            stale.unlink()
            removed.append(stale)
    return removed


def _not_written(path: Path, error: OSError) -> Problem:
    """Why a zip could not be written, in words an author can act on."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
        fix = "free some space on the disk, or choose another output folder with -o"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "you may not write to the output folder"
        fix = "choose a folder you may write to with -o, or ask for write access to this one"
    elif error.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = "the output folder is not a folder (a file has its name or its parent's)"
        fix = "choose another output folder with -o, or move that file away"
    else:
        reason = error.strerror or str(error)
        fix = "check the output folder, then build again"
    return Problem(
        "output-not-written",
        "error",
        str(path.absolute()),
        f"the package could not be written: {reason}; a previous package there is unchanged",
        fix,
    )


def build_package(
    source_dir: Path, theme: Theme | None = None, cache: BuildCache | None = None
) -> Package:
    """The whole course as one package in memory (for the checker, preview and tests).

    Pass the same in-memory `cache` again to redo only the lessons that changed.
    """
    cache = cache or BuildCache()
    [package], _ = _packages(source_dir, theme or Theme(TEMPLATES_DIR), cache, split=False)
    cache.save([package.files])
    return package


def _packages(
    source_dir: Path, theme: Theme, cache: BuildCache, split: bool
) -> tuple[list[Package], list[Problem]]:
    """Read the course and make its package (one per lesson with `split`), and the warnings."""
    course, warnings = read_course(source_dir, cache)
    renderer = LessonRenderer(course, theme)

    def page(lesson: Lesson) -> bytes:
        return cache.page(lesson, renderer.render)

    if split:
        return [make_package(course, (lesson,), theme, page) for lesson in course.lessons], warnings
    return [make_package(course, course.lessons, theme, page)], warnings


def make_package(
    course: Course,
    lessons: tuple[Lesson, ...],
    theme: Theme,
    page: Callable[[Lesson], bytes],
) -> Package:
    """The files of one zip: a SCO page per lesson with its media, the shared run-time and
    styles, the schemas, and the manifest that lists them."""
    settings = course.settings
    files: dict[str, bytes] = {}
    scos = []
    for lesson in lessons:
        launch = f"{lesson.id}/index.html"
        files[launch] = page(lesson)
        for package_path, source in sorted(lesson.media.items()):
            files[package_path] = source.read_bytes()
        scos.append(
            ScoEntry(
                lesson_id=lesson.id,
                title=lesson.title,
                launch=launch,
                files=(launch, *sorted(lesson.media)),
                mastery_score=lesson.quiz.pass_mark if lesson.quiz else None,
            )
        )
    shared = {f"{SHARED_DIR}/{name}": data for name, data in theme.static_files().items()}
    files.update(shared)
    for schema_file in SCHEMA_FILES:
        files[schema_file] = (SCHEMA_DIR / schema_file).read_bytes()

    if len(lessons) == 1 and len(course.lessons) > 1:
        name = f"{settings.identifier}-{lessons[0].id}"
        title = f"{settings.title}: {lessons[0].title}"
    else:
        name, title = settings.identifier, settings.title
    files["imsmanifest.xml"] = write_manifest(settings, name, title, scos, sorted(shared))
    return Package(name=name, files=files, lessons=lessons)


def check_package(package: Package, path: Path, cache: BuildCache) -> list[Problem]:
    """The checks `scorm-builder check` makes, run on the package before it is written to
    `path`; its problems name their file inside that zip, not in the course folder."""
    return [
        dataclasses.replace(problem, file=f"{path.absolute()}/{problem.file}")
        for problem in check_files(package.files, memo=cache.checks)
    ]
