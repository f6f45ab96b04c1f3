"""What each lesson became in the last build, so that a rebuild redoes only what changed.

A lesson's entry is found by a key made of everything its result depends on: the builder's
own code, templates and libraries, the course folder and settings, the lesson file and its
quiz file. The files a lesson uses (images) are checked by content on every lookup. The cache
lives in the output folder (`dist/.scorm-builder-cache`) and is rewritten after each
successful build with only the entries that build used, and the names of the zips it wrote
(so that the next build can remove those it no longer makes); anything unreadable is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from scorm_builder.check.content import FactsMemo, FileFacts
from scorm_builder.model import Choice, Lesson, Page, Question, Quiz
from scorm_builder.package import write_atomically
from scorm_builder.problems import Problem

CACHE_FILE = ".scorm-builder-cache"
_CODE_DIR = Path(__file__).resolve().parent


@dataclass
class CachedLesson:
    lesson: Lesson
    warnings: list[Problem]
    media_digests: dict[Path, str]  # content digest of each file the lesson uses
    page: bytes | None = None  # the rendered SCO page, once rendered
    line: bytes | None = None  # as read from the cache file, to write back unchanged


@dataclass
class BuildCache:
    """Lesson results by key; `path` None keeps it in memory only (preview, tests)."""

    path: Path | None = None
    fingerprint: str = ""
    entries: dict[str, CachedLesson] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)  # lesson id -> key used in this build
    checks: FactsMemo = field(default_factory=dict)  # the checker's per-file results
    written: list[str] = field(default_factory=list)  # the zips the last build wrote
    written_for: str = ""  # ... from this course folder

    @classmethod
    def load(
        cls, path: Path | None, templates_dir: Path, previous: BuildCache | None = None
    ) -> BuildCache:
        """The cache stored at `path`, or kept in memory by a `previous` build."""
        versions = " ".join(metadata.version(name) for name in ("jinja2", "lxml", "markdown"))
        code = [*sorted(_CODE_DIR.rglob("*.py")), *_files(templates_dir)]
        fingerprint = _fingerprint(code, versions)
        cache = cls(path, fingerprint)
        if previous is not None:
            cache.entries, cache.checks = previous.entries, previous.checks
        if path is not None and path.is_file():
            try:
                cache._read_lines(path)
            except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
                cache.entries, cache.checks = {}, {}
        return cache

    def _read_lines(self, path: Path) -> None:
        with path.open("rb") as file:
            header = json.loads(file.readline())
            self.written = [str(name) for name in header["written"]]
            self.written_for = str(header["written_for"])
            if header["fingerprint"] != self.fingerprint:
                return  # another version of the builder: its results do not hold
            for raw in file:
                item = json.loads(raw)
                if "key" in item:
                    self.entries[item["key"]] = _lesson_entry(item, line=raw)
                else:
                    key, facts = _facts(item["facts"])
                    self.checks[key] = facts

    def key(self, lesson_id: str, *inputs: bytes) -> str:
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in (lesson_id.encode(), *inputs):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def lesson(self, key: str, course_dir: Path) -> CachedLesson | None:
        """The entry for `key`, if the files it uses are still the same and in the course.

        The cache file is data from dist/, which may have come from elsewhere: an entry
        that names a file outside the course folder, or not all of its files, is not used.
        """
        entry = self.entries.get(key)
        if entry is None:
            return None
        sources = set(entry.lesson.media.values())
        if sources != set(entry.media_digests):
            return None
        for source, digest in entry.media_digests.items():
            if (
                not source.resolve().is_relative_to(course_dir.resolve())
                or _digest(source) != digest
            ):
                return None
        return entry

    def remember(self, key: str, lesson: Lesson, warnings: list[Problem]) -> None:
        digests = {source: _digest(source) for source in lesson.media.values()}
        self.entries[key] = CachedLesson(lesson, warnings, digests)
        self.used[lesson.id] = key

    def use(self, key: str, lesson_id: str) -> None:
        self.used[lesson_id] = key

    def page(self, lesson: Lesson, render: Callable[[Lesson], str]) -> bytes:
        """The lesson's rendered page: rendered once, then kept with the lesson."""
        entry = self.entries.get(self.used.get(lesson.id, ""))
        if entry is None:
            return render(lesson).encode("utf-8")
        if entry.page is None:
            entry.page = render(lesson).encode("utf-8")
            # The page holds the sections' HTML now; the kept lesson needs only their titles.
            pages = tuple(dataclasses.replace(page, html="") for page in lesson.pages)
            entry.lesson = dataclasses.replace(lesson, pages=pages)
        return entry.page

    def save(self, packages: Iterable[Mapping[str, bytes]]) -> None:
        """Keep what this build used (the files of its packages); a failure to save
        only makes the next build slower."""
        kept = {key: self.entries[key] for key in self.used.values() if key in self.entries}
        self.entries, self.used = kept, {}
        used_checks = {
            (name, hashlib.sha256(data).digest())
            for files in packages
            for name, data in files.items()
        }
        self.checks = {key: found for key, found in self.checks.items() if key in used_checks}
        if self.path is None:
            return
        try:
            write_atomically(self.path, self._write_lines)
        except OSError:
            pass

    def _write_lines(self, file: BinaryIO) -> None:
        """JSON lines, one per entry, so that a large course is never one string in memory."""

        def line(value: object) -> None:
            file.write(json.dumps(value, ensure_ascii=False).encode("utf-8") + b"\n")

        header = {"written": self.written, "written_for": self.written_for}
        line({"fingerprint": self.fingerprint, **header})
        for key, entry in self.entries.items():
            if entry.line is None:  # encoding is the costly part: only new entries are
                text = json.dumps({"key": key, **_lesson_json(entry)}, ensure_ascii=False)
                entry.line = text.encode("utf-8") + b"\n"
            file.write(entry.line)
        for key, facts in self.checks.items():
            line({"facts": _facts_json(key, facts)})


# The cache is JSON, not pickle: dist/ may be restored from a shared CI cache, and reading
# it must never run code. These turn the dataclasses into JSON and back.


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(**data)


def _lesson_json(entry: CachedLesson) -> dict[str, Any]:
    # vars(), not dataclasses.asdict: asdict deep-copies, a tenth of a full build's time.
    lesson, quiz = entry.lesson, entry.lesson.quiz
    quiz_json = None
    if quiz is not None:
        questions = [
            {**vars(question), "choices": [vars(choice) for choice in question.choices]}
            for question in quiz.questions
        ]
        quiz_json = {**vars(quiz), "questions": questions}
    return {
        "lesson": {
            **vars(lesson),
            "source": str(lesson.source),
            "pages": [vars(page) for page in lesson.pages],
            "quiz": quiz_json,
            "media": {name: str(path) for name, path in lesson.media.items()},
        },
        "warnings": [vars(problem) for problem in entry.warnings],
        "media_digests": {str(path): digest for path, digest in entry.media_digests.items()},
        "page": entry.page.decode("utf-8") if entry.page is not None else None,
    }


def _lesson_entry(data: dict[str, Any], line: bytes) -> CachedLesson:
    raw = data["lesson"]
    quiz = None
    if raw["quiz"] is not None:
        questions = tuple(
            Question(
                **{
                    **question,
                    "choices": tuple(Choice(**choice) for choice in question["choices"]),
                    "correct": tuple(question["correct"]),
                }
            )
            for question in raw["quiz"]["questions"]
        )
        quiz = Quiz(**{**raw["quiz"], "questions": questions})
    lesson = Lesson(
        id=raw["id"],
        title=raw["title"],
        source=Path(raw["source"]),
        pages=tuple(Page(**page) for page in raw["pages"]),
        quiz=quiz,
        media={name: Path(path) for name, path in raw["media"].items()},
    )
    return CachedLesson(
        lesson=lesson,
        warnings=[_problem(problem) for problem in data["warnings"]],
        media_digests={Path(path): digest for path, digest in data["media_digests"].items()},
        page=data["page"].encode("utf-8") if data["page"] is not None else None,
        line=line,
    )


def _facts_json(key: tuple[str, bytes], facts: FileFacts) -> list[Any]:
    external = [vars(problem) for problem in facts.external]
    return [key[0], key[1].hex(), external, facts.calls_api, list(facts.scripts)]


def _facts(item: list[Any]) -> tuple[tuple[str, bytes], FileFacts]:
    name, digest, external, calls_api, scripts = item
    facts = FileFacts([_problem(p) for p in external], calls_api, tuple(scripts))
    return (name, bytes.fromhex(digest)), facts


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _fingerprint(paths: list[Path], versions: str) -> str:
    """What every cached result depends on: this code, the templates, the libraries."""
    digest = hashlib.sha256(versions.encode())
    for path in paths:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
