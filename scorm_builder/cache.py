"""What each lesson became in the last build, so that a rebuild redoes only what changed.

A lesson's entry is found by a key made of everything its result depends on: the builder's
own code and templates, the course settings, the lesson file and its quiz file. The files a
lesson uses (images) are checked by size and modification time on every lookup. The cache
lives in the output folder (`dist/.scorm-builder-cache`) and is rewritten after each
successful build with only the entries that build used; anything unreadable is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.check.content import FactsMemo
from scorm_builder.model import Lesson
from scorm_builder.package import write_atomically
from scorm_builder.problems import Problem

CACHE_FILE = ".scorm-builder-cache"
_CODE_DIR = Path(__file__).resolve().parent


@dataclass
class CachedLesson:
    lesson: Lesson
    warnings: list[Problem]
    file_stamps: dict[Path, tuple[int, int]]  # size and mtime of each file the lesson uses
    page: bytes | None = None  # the rendered SCO page, once rendered


@dataclass
class BuildCache:
    """Lesson results by key; `path` None keeps it in memory only (preview, tests)."""

    path: Path | None = None
    fingerprint: str = ""
    entries: dict[str, CachedLesson] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)  # lesson id -> key used in this build
    checks: FactsMemo = field(default_factory=dict)  # the checker's per-file results

    @classmethod
    def load(
        cls, path: Path | None, templates_dir: Path, previous: BuildCache | None = None
    ) -> BuildCache:
        """The cache stored at `path`, or kept in memory by a `previous` build."""
        fingerprint = _fingerprint([*sorted(_CODE_DIR.rglob("*.py")), *_files(templates_dir)])
        entries, checks = (previous.entries, previous.checks) if previous else ({}, {})
        if path is not None and path.is_file():
            try:
                stored = pickle.loads(path.read_bytes())
                if stored.get("fingerprint") == fingerprint:
                    entries, checks = stored["entries"], stored["checks"]
            except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
                entries, checks = {}, {}
        return cls(path, fingerprint, entries, checks=checks)

    def key(self, lesson_id: str, *inputs: bytes) -> str:
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in (lesson_id.encode(), *inputs):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def lesson(self, key: str) -> CachedLesson | None:
        entry = self.entries.get(key)
        if entry is None or any(_stamp(p) != stamp for p, stamp in entry.file_stamps.items()):
            return None
        return entry

    def remember(self, key: str, lesson: Lesson, warnings: list[Problem]) -> None:
        stamps = {source: _stamp(source) for source in lesson.media.values()}
        self.entries[key] = CachedLesson(lesson, warnings, stamps)
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
        stored = {"fingerprint": self.fingerprint, "entries": kept, "checks": self.checks}
        data = pickle.dumps(stored)
        try:
            write_atomically(self.path, data)
        except OSError:
            pass


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
