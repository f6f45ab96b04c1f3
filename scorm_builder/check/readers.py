"""Read a package (zip or unpacked folder) into memory, with the rules only a zip can break.

The zip is read with `zipfile` straight into memory: nothing is extracted to disk, so a
hostile name such as `../../etc/passwd` can do no harm. Sizes are checked against the
central directory before anything is decompressed, because `zipfile` stops reading a
member at its declared size: checking the declared sizes is a real zip-bomb guard.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.problems import Problem


class CannotCheck(Exception):
    """The path cannot be read at all (missing, not permitted): exit status 2, no report."""


@dataclass(frozen=True)
class Limits:
    """Zip-bomb guard. Defaults are far above any real course (a long video course is
    a few hundred MB) and far below what would exhaust a CI runner."""

    max_total_bytes: int = 2 * 1024**3
    max_entries: int = 20_000
    # Text and media compress far less than 100:1; a bomb of zeros compresses ~1000:1.
    max_ratio: float = 100.0
    # Small files of repeated characters legitimately exceed the ratio; too small to harm.
    ratio_floor_bytes: int = 1024**2


DEFAULT_LIMITS = Limits()


@dataclass
class PackageContents:
    files: dict[str, bytes]
    # Names present in the package whose bytes could not be read (encrypted, corrupt,
    # or not read because of the bomb guard): they exist for the manifest's sake, but
    # their content is not checked.
    unreadable: frozenset[str] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    # False when not even the list of names could be read: nothing else to check.
    opened: bool = True


def read_folder(root: Path) -> PackageContents:
    files: dict[str, bytes] = {}
    try:
        for path in sorted(root.rglob("*")):
            # A symlink leaving the folder would not be in the zip made from it.
            if path.is_file() and path.resolve().is_relative_to(root.resolve()):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    except OSError as error:
        raise CannotCheck(f"cannot read {root}: {error}") from error
    return PackageContents(files)


def read_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> PackageContents:
    label = path.name
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise CannotCheck(f"cannot read {path}: {error}") from error
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        return PackageContents(
            {},
            problems=[
                Problem(
                    "zip-unreadable",
                    "error",
                    label,
                    f"not a readable zip file ({error})",
                    "rebuild the package with a standard zip tool (or scorm-builder build)",
                )
            ],
            opened=False,
        )
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        problems = _duplicate_names(members) + _size_limits(label, members, limits)
        if any(p.rule == "zip-too-large" for p in problems):
            # Reading any of it is the danger: report names only.
            return PackageContents({}, frozenset(m.filename for m in members), problems)
        files, unreadable = {}, set()
        for info in members:
            problem = _encrypted(info) or _bomb(info, limits)
            if problem is None:
                try:
                    files[info.filename] = archive.read(info)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                    problem = Problem(
                        "zip-unreadable",
                        "error",
                        info.filename,
                        f"cannot be decompressed ({error})",
                        "rebuild the package; the zip is corrupt (truncated upload?)",
                    )
            if problem is not None:
                problems.append(problem)
                unreadable.add(info.filename)
                files.pop(info.filename, None)
        return PackageContents(files, frozenset(unreadable), problems)


def _duplicate_names(members: list[zipfile.ZipInfo]) -> list[Problem]:
    counts = Counter(info.filename for info in members)
    return [
        Problem(
            "zip-duplicate-name",
            "error",
            name,
            f"appears {count} times in the zip; which copy an LMS extracts is undefined",
            "rebuild the zip from a folder so that every name appears once",
        )
        for name, count in counts.items()
        if count > 1
    ]


def _size_limits(label: str, members: list[zipfile.ZipInfo], limits: Limits) -> list[Problem]:
    total = sum(info.file_size for info in members)
    problems = []
    if total > limits.max_total_bytes:
        problems.append(
            Problem(
                "zip-too-large",
                "error",
                label,
                f"unpacks to {total:,} bytes, over the limit of {limits.max_total_bytes:,}",
                "shrink the media (or split the course); refusing to unpack a possible zip bomb",
            )
        )
    if len(members) > limits.max_entries:
        problems.append(
            Problem(
                "zip-too-large",
                "error",
                label,
                f"holds {len(members):,} files, over the limit of {limits.max_entries:,}",
                "bundle the files (one script, one stylesheet) or split the course",
            )
        )
    return problems


def _encrypted(info: zipfile.ZipInfo) -> Problem | None:
    if not info.flag_bits & 0x1:
        return None
    return Problem(
        "zip-encrypted",
        "error",
        info.filename,
        "is encrypted; an LMS cannot unpack it",
        "zip the package again without a password",
    )


def _bomb(info: zipfile.ZipInfo, limits: Limits) -> Problem | None:
    if info.file_size <= limits.ratio_floor_bytes:
        return None
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio <= limits.max_ratio:
        return None
    return Problem(
        "zip-compression-ratio",
        "error",
        info.filename,
        f"compresses {ratio:,.0f}:1 ({info.file_size:,} bytes from {info.compress_size:,}),"
        f" over the limit of {limits.max_ratio:,.0f}:1: a zip bomb?",
        "remove the file, or store it in a format that is already compressed",
    )
