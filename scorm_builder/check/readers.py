"""Read a package (zip or unpacked folder) with bounded memory and time, and the rules only
a zip or a folder can break.

Nothing is extracted to disk, so a hostile name such as `../../etc/passwd` can do no harm.
Declared sizes are checked before anything is decompressed, and then never trusted: each
member is read in chunks through `archive.open()`, its real bytes counted, and reading stops
at the declared size + 1 (a lying header is its own error). Only stored and deflated members
are read (what LMSs extract); bzip2 or LZMA would decompress a whole bomb in one call.

Only the files the content rules read as text (pages, styles, scripts, the manifest) are
kept, each up to a few MB; media are read to the end (a corrupt one is a finding) and
dropped: the rules need only their name.
"""

from __future__ import annotations

import copy
import os
import stat
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.i18n import N_, _
from scorm_builder.problems import Problem

from .paths import MANIFEST

# What the content rules read as text; every other file only needs to exist.
TEXT_SUFFIXES = (".html", ".htm", ".xhtml", ".css", ".js", ".mjs")
_PAGES = (".html", ".htm", ".xhtml")
_CHUNK = 1024**2
_READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_METHOD_NAMES = {12: "bzip2", 14: "LZMA", 93: "Zstandard", 98: "PPMd", 9: "deflate64"}


class CannotCheck(Exception):
    """The path cannot be read at all (missing, not permitted, not a file): exit status 2."""


@dataclass(frozen=True)
class Limits:
    """Bomb guard. Defaults are far above any real course (a long video course is a few
    hundred MB) and far below what would exhaust a CI runner."""

    max_total_bytes: int = 2 * 1024**3
    max_entries: int = 20_000
    # Text and media compress far less than 100:1; a bomb of zeros compresses ~1000:1.
    max_ratio: float = 100.0
    # Small files of repeated characters legitimately exceed the ratio; too small to harm.
    ratio_floor_bytes: int = 1024**2
    # The whole zip is held to the same ratio once it unpacks to more than this: 2,000
    # members of 1 MiB of zeros each pass the per-file rule but not this one.
    total_ratio_floor_bytes: int = 64 * 1024**2
    # One page, style or script kept as text (a big course's bundle is 2-5 MB).
    max_text_bytes: int = 8 * 1024**2
    # All of them together, and the pages among them (an HTML5 parse in Python reads
    # 0.2-0.5 MB/s: 8 MiB of pages is under a minute at worst; a real course has a few MB).
    max_total_text_bytes: int = 96 * 1024**2
    max_total_page_bytes: int = 8 * 1024**2


DEFAULT_LIMITS = Limits()


@dataclass
class PackageContents:
    # The files kept as text for the content rules.
    files: dict[str, bytes]
    # Names present in the package whose bytes are not here: media (not needed), or files
    # that could not be read (encrypted, corrupt, over a limit; a problem says why).
    unreadable: frozenset[str] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    # False when not even the list of names could be read: nothing else to check.
    opened: bool = True


def read_path(path: Path, limits: Limits = DEFAULT_LIMITS) -> PackageContents:
    try:
        status = path.stat()
    except FileNotFoundError as error:
        raise CannotCheck(_("{path}: no such file or folder").format(path=path)) from error
    except OSError as error:
        raise CannotCheck(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from error
    if stat.S_ISDIR(status.st_mode):
        return read_folder(path, limits)
    if not stat.S_ISREG(status.st_mode):
        # Opening a FIFO would wait forever for a writer.
        raise CannotCheck(
            _("{path} is not a regular file or a folder (a pipe or a device?)").format(path=path)
        )
    return read_zip(path, limits)


def _keeps_text(name: str) -> bool:
    return name == MANIFEST or name.lower().endswith(TEXT_SUFFIXES)


class _TextBudget:
    """Counts the bytes kept as text, so that the totals stay bounded too."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.used, self.pages = limits, 0, 0

    def admits(self, name: str, size: int) -> bool:
        if not _keeps_text(name) or size > self.limits.max_text_bytes:
            return False
        page = name.lower().endswith(_PAGES)
        if self.used + size > self.limits.max_total_text_bytes or (
            page and self.pages + size > self.limits.max_total_page_bytes
        ):
            return False
        self.used += size
        self.pages += size if page else 0
        return True


def _not_inspected(name: str, size: int, limits: Limits) -> Problem | None:
    if not _keeps_text(name):
        return None
    reason = (
        _("is {size} bytes, over the {limit} a page, style or script may have").format(
            size=f"{size:,}", limit=f"{limits.max_text_bytes:,}"
        )
        if size > limits.max_text_bytes
        else _(
            "is past the bytes of text the check reads in all ({pages} of pages, {total} in all)"
        ).format(pages=f"{limits.max_total_page_bytes:,}", total=f"{limits.max_total_text_bytes:,}")
    )
    return Problem(
        "content-not-inspected",
        "warning",
        name,
        _("{reason}: it was not inspected for external loads or missing files").format(
            reason=reason
        ),
        _("look at it by hand, or split it (a bundle this large also slows every launch)"),
    )


# --- folders ------------------------------------------------------------------------------


def read_folder(root: Path, limits: Limits = DEFAULT_LIMITS) -> PackageContents:
    """A folder is guarded like a zip: sizes and counts first, then only regular files,
    never a symlink out of it, never more than the limits."""
    root = root.resolve()
    found: dict[str, tuple[Path, int]] = {}
    problems: list[Problem] = []
    try:
        for folder, subfolders, names in os.walk(root):
            subfolders.sort()
            for entry in [*subfolders]:
                if (Path(folder) / entry).is_symlink():
                    # Not followed: it may lead out of the folder, or round in a loop.
                    subfolders.remove(entry)
                    problems.append(
                        _special(
                            f"{Path(folder, entry).relative_to(root).as_posix()}",
                            _("is a symbolic link to a folder (not followed)"),
                        )
                    )
            for entry in sorted(names):
                path = Path(folder) / entry
                name = path.relative_to(root).as_posix()
                size, problem = _regular_file(root, path, name)
                if problem is not None:
                    problems.append(problem)
                else:
                    found[name] = (path, size)
            if len(found) > limits.max_entries:
                break  # enough to say it is too many
    except OSError as error:
        raise CannotCheck(
            _("cannot read {path}: {reason}").format(path=root, reason=error)
        ) from error
    sizes = {name: size for name, (_, size) in found.items()}
    too_large = _size_limits(root.name, sizes, limits, N_("the folder"))
    if too_large:
        return PackageContents({}, frozenset(found), problems + too_large)
    files: dict[str, bytes] = {}
    budget = _TextBudget(limits)
    for name, (path, size) in found.items():
        if not budget.admits(name, size):
            problem = _not_inspected(name, size, limits)
            problems += [problem] if problem else []
            continue
        try:
            with path.open("rb") as stream:
                data = stream.read(size + 1)  # a file growing while read stops here
        except OSError as error:
            raise CannotCheck(
                _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
            ) from error
        files[name] = data[:size]
    return PackageContents(files, frozenset(found) - set(files), problems)


def _regular_file(root: Path, path: Path, name: str) -> tuple[int, Problem | None]:
    status = path.lstat()
    why = None
    if stat.S_ISLNK(status.st_mode):
        target = path.resolve()
        if not target.is_relative_to(root):
            why = _("is a symbolic link out of the folder")
        else:
            status = target.stat()
    if why is None and not stat.S_ISREG(status.st_mode):
        why = _("is not a regular file (a pipe, a socket or a device)")
    if why is None:
        return status.st_size, None
    return 0, _special(name, why)


def _special(name: str, why: str) -> Problem:
    return Problem(
        "folder-special-file",
        "warning",
        name,
        _("{why}: it was not read, and a zip made from this folder may not hold it").format(
            why=why
        ),
        _("replace it with the real file, or delete it"),
    )


# --- zips ---------------------------------------------------------------------------------


def read_zip(
    path: Path, limits: Limits = DEFAULT_LIMITS, skip: frozenset[str] = frozenset()
) -> PackageContents:
    """The zip's members as the content rules need them; those named in `skip` are not
    read at all (they count as present and unreadable)."""
    label = path.name
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise CannotCheck(
            _("cannot read {path}: {reason}").format(path=path, reason=error)
        ) from error
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        return PackageContents(
            {},
            problems=[
                Problem(
                    "zip-unreadable",
                    "error",
                    label,
                    _("not a readable zip file ({reason})").format(reason=error),
                    _("rebuild the package with a standard zip tool (or scorm-builder build)"),
                )
            ],
            opened=False,
        )
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        sizes = {info.filename: info.file_size for info in members}
        problems = _duplicate_names(members) + _size_limits(label, sizes, limits, N_("the zip"))
        problems += _total_ratio(label, members, limits)
        if any(p.rule in ("zip-too-large", "zip-compression-ratio") for p in problems):
            # Reading any of it is the danger: report names only.
            return PackageContents({}, frozenset(sizes), problems)
        files: dict[str, bytes] = {}
        budget = _TextBudget(limits)
        for info in members:
            if info.filename in skip:
                continue
            problem = _encrypted(info) or _method(info) or _bomb(info, limits)
            if problem is None:
                keep = budget.admits(info.filename, info.file_size)
                data, problem = _read_member(archive, info, keep)
                if data is not None:
                    files[info.filename] = data
                elif problem is None:
                    problem = _not_inspected(info.filename, info.file_size, limits)
            if problem is not None:
                problems.append(problem)
                files.pop(info.filename, None)
        return PackageContents(files, frozenset(sizes) - set(files), problems)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool
) -> tuple[bytes | None, Problem | None]:
    """Read one member in chunks, counting its real bytes; stop at the declared size + 1.
    Returns its bytes when `keep` (else None) and the problem found, if any."""
    # zipfile stops silently at the declared size; asking for one byte more shows a lie.
    # It would then check the CRC of what it read and call the member corrupt: the CRC is
    # checked here instead, once the size is known to be right.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    kept = bytearray()
    real, crc = 0, 0
    try:
        with archive.open(probe) as member:
            while chunk := member.read(_CHUNK):
                real += len(chunk)
                if real > info.file_size:
                    break
                crc = zlib.crc32(chunk, crc)
                if keep:
                    kept += chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        return None, _corrupt(info, str(error))
    if real != info.file_size:
        if real > info.file_size:
            message = _(
                "unpacks to more than the {declared} bytes its header declares"
                " (reading stopped there): a forged header or a corrupt zip"
            )
        else:
            message = _(
                "unpacks to {real} bytes, not the {declared} bytes its header declares"
                " (reading stopped there): a forged header or a corrupt zip"
            )
        return None, Problem(
            "zip-size-mismatch",
            "error",
            info.filename,
            message.format(real=f"{real:,}", declared=f"{info.file_size:,}"),
            _("rebuild the package with a standard zip tool"),
        )
    if crc != info.CRC:
        return None, _corrupt(info, f"Bad CRC-32 for file {info.filename!r}")
    return (bytes(kept) if keep else None), None


def _corrupt(info: zipfile.ZipInfo, reason: str) -> Problem:
    return Problem(
        "zip-unreadable",
        "error",
        info.filename,
        _("cannot be decompressed ({reason})").format(reason=reason),
        _("rebuild the package; the zip is corrupt (truncated upload?)"),
    )


def _duplicate_names(members: list[zipfile.ZipInfo]) -> list[Problem]:
    counts = Counter(info.filename for info in members)
    return [
        Problem(
            "zip-duplicate-name",
            "error",
            name,
            _("appears {count} times in the zip; which copy an LMS extracts is undefined").format(
                count=count
            ),
            _("rebuild the zip from a folder so that every name appears once"),
        )
        for name, count in counts.items()
        if count > 1
    ]


def _size_limits(label: str, sizes: dict[str, int], limits: Limits, what: str) -> list[Problem]:
    total = sum(sizes.values())
    problems = []
    if total > limits.max_total_bytes:
        problems.append(
            Problem(
                "zip-too-large",
                "error",
                label,
                _("{what} unpacks to {total} bytes, over the limit of {limit}").format(
                    what=_(what), total=f"{total:,}", limit=f"{limits.max_total_bytes:,}"
                ),
                _("shrink the media (or split the course); refusing to read a possible zip bomb"),
            )
        )
    if len(sizes) > limits.max_entries:
        problems.append(
            Problem(
                "zip-too-large",
                "error",
                label,
                _("{what} holds {count} files or more, over the limit of {limit}").format(
                    what=_(what), count=f"{len(sizes):,}", limit=f"{limits.max_entries:,}"
                ),
                _("bundle the files (one script, one stylesheet) or split the course"),
            )
        )
    return problems


def _total_ratio(label: str, members: list[zipfile.ZipInfo], limits: Limits) -> list[Problem]:
    total = sum(info.file_size for info in members)
    packed = max(sum(info.compress_size for info in members), 1)
    if total <= limits.total_ratio_floor_bytes or total / packed <= limits.max_ratio:
        return []
    return [
        Problem(
            "zip-compression-ratio",
            "error",
            label,
            _(
                "the zip compresses {ratio}:1 as a whole ({total} bytes from {packed}), over the "
                "limit of {limit}:1: a zip bomb?"
            ).format(
                ratio=f"{total / packed:,.0f}",
                total=f"{total:,}",
                packed=f"{packed:,}",
                limit=f"{limits.max_ratio:,.0f}",
            ),
            _("remove the files of repeated bytes, or store them in an already compressed format"),
        )
    ]


def _encrypted(info: zipfile.ZipInfo) -> Problem | None:
    if not info.flag_bits & 0x1:
        return None
    return Problem(
        "zip-encrypted",
        "error",
        info.filename,
        _("is encrypted; an LMS cannot unpack it"),
        _("zip the package again without a password"),
    )


def _method(info: zipfile.ZipInfo) -> Problem | None:
    if info.compress_type in _READABLE_METHODS:
        return None
    method = _METHOD_NAMES.get(info.compress_type) or _("method {number}").format(
        number=info.compress_type
    )
    return Problem(
        "zip-compression-method",
        "error",
        info.filename,
        _("is compressed with {method}; LMSs only unpack stored and deflated files").format(
            method=method
        ),
        _("zip the package again with the standard (deflate) compression"),
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
        _(
            "compresses {ratio}:1 ({size} bytes from {packed}), over the limit of {limit}:1: "
            "a zip bomb?"
        ).format(
            ratio=f"{ratio:,.0f}",
            size=f"{info.file_size:,}",
            packed=f"{info.compress_size:,}",
            limit=f"{limits.max_ratio:,.0f}",
        ),
        _("remove the file, or store it in a format that is already compressed"),
    )
