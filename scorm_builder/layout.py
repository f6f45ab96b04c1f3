"""Stage 4: lay out the package: every path inside the zip is decided here, and only here.

    imsmanifest.xml            the manifest (its file lists are the paths below)
    *.xsd                      the SCORM 1.2 schema files
    <lesson>/index.html        one SCO per lesson
    <lesson>/media/...         that lesson's images and files (keys of `Lesson.media`)
    shared/runtime.js, ...     the run-time and styles every SCO of the package uses

The lesson page links `../shared/...` and `media/...` (templates/lesson.html and the lesson
reader); those relative links are the other side of the names below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scorm_builder.manifest import ScoEntry, write_manifest
from scorm_builder.model import Course, Lesson
from scorm_builder.package import Deflated, PackageFiles
from scorm_builder.schema import SCHEMA_DIR, SCHEMA_FILES

MANIFEST = "imsmanifest.xml"
SHARED_DIR = "shared"  # a lesson may not be called this (settings.RESERVED_NAMES)
LAUNCH_PAGE = "index.html"
MEDIA_DIR = "media"


def launch_path(lesson_id: str) -> str:
    return f"{lesson_id}/{LAUNCH_PAGE}"


def media_path(lesson_id: str, relative: str) -> str:
    """`relative`: a `Lesson.media` key, relative to the lesson page (`media/...`)."""
    return f"{lesson_id}/{relative}"


def shared_path(name: str) -> str:
    return f"{SHARED_DIR}/{name}"


@dataclass(frozen=True)
class Package:
    """One zip to be: its file name (without .zip), its title, its files (package path ->
    bytes; the pages kept compressed) and the lessons it holds."""

    name: str
    title: str
    files: PackageFiles
    lessons: tuple[Lesson, ...]

    @property
    def page_count(self) -> int:
        return sum(
            len(lesson.pages) + (1 if lesson.attestation else 0) + (1 if lesson.quiz else 0)
            for lesson in self.lessons
        )

    @property
    def question_count(self) -> int:
        return sum(len(lesson.quiz.questions) for lesson in self.lessons if lesson.quiz)


def lay_out(
    course: Course,
    pages: Mapping[str, Deflated],
    static_files: Mapping[str, bytes],
    split: bool,
) -> list[Package]:
    """The packages of the course: one, or one per lesson with `split`.

    `pages`: lesson id -> rendered SCO page, compressed; `static_files`: the theme's shared files.
    """
    groups = [(lesson,) for lesson in course.lessons] if split else [course.lessons]
    return [package_of(course, group, pages, static_files) for group in groups]


def package_of(
    course: Course,
    lessons: Sequence[Lesson],
    pages: Mapping[str, Deflated],
    static_files: Mapping[str, bytes],
) -> Package:
    settings = course.settings
    files: dict[str, bytes | Deflated] = {}
    scos = []
    for lesson in lessons:
        launch = launch_path(lesson.id)
        files[launch] = pages[lesson.id]
        media = {media_path(lesson.id, key): source for key, source in lesson.media.items()}
        for path in sorted(media):
            files[path] = media[path].read_bytes()
        scos.append(
            ScoEntry(
                lesson_id=lesson.id,
                title=lesson.title,
                launch=launch,
                files=(launch, *sorted(media)),
                mastery_score=mastery_score(lesson),
            )
        )
    shared = {shared_path(name): data for name, data in static_files.items()}
    files.update(shared)
    files.update(schema_files())
    if len(lessons) == 1 and len(course.lessons) > 1:
        name = f"{settings.identifier}-{lessons[0].id}"
        title = f"{settings.title}: {lessons[0].title}"
    else:
        name, title = settings.identifier, settings.title
    files[MANIFEST] = write_manifest(settings, name, title, scos, sorted(shared))
    return Package(name=name, title=title, files=PackageFiles(files), lessons=tuple(lessons))


def mastery_score(lesson: Lesson) -> float | None:
    """The lesson's adlcp:masteryscore: its quiz's pass mark; none when an objective has a
    pass mark of its own. Moodle's "mastery score overrides status" (on by default)
    recomputes passed from cmi.core.score.raw at LMSFinish, which would turn a lesson failed
    on an objective into passed; without a mastery score the run-time's own verdict (which
    applies every pass mark) stands."""
    quiz = lesson.quiz
    if quiz is None or any(objective.pass_mark is not None for objective in quiz.objectives):
        return None
    return quiz.pass_mark


def generated_files(package: Package) -> frozenset[str]:
    """The files the builder made itself (the lessons' pages, the shared run-time): the rest
    are the authors' media files, and the manifest, which is always checked against the
    schemas."""
    pages = {launch_path(lesson.id) for lesson in package.lessons}
    return frozenset(
        path for path in package.files if path in pages or path.startswith(f"{SHARED_DIR}/")
    )


def schema_files() -> dict[str, bytes]:
    """The schema files at the root of the package, where the manifest's schemaLocation
    names them."""
    return {name: (SCHEMA_DIR / name).read_bytes() for name in SCHEMA_FILES}


def zip_name(package: Package) -> str:
    return f"{package.name}.zip"
