"""Stage 6: write the build's files into the output folder, all or none, and tidy it.

The output folder is what gets uploaded (often all of dist/ by CI), so it holds exactly the
build's files: the temporary files of an interrupted build are removed, and so are the files
an earlier build of the same course wrote that this one no longer makes (a removed lesson, a
switch to or from --split). Which files those were is in a small ledger beside them
(`.scorm-builder-written`), not in the build cache: deleting the cache keeps this working.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from pathlib import Path

from scorm_builder.i18n import _
from scorm_builder.package import Writer, write_all_atomically, write_atomically
from scorm_builder.problems import Problem

LEDGER_FILE = ".scorm-builder-written"
OLD_CACHE_FILE = ".scorm-builder-cache"  # where builders before 0.2 kept their cache
# Only names like these are ever removed, whatever the ledger says: it is data from dist/.
OUTPUT_SUFFIXES = (".zip", ".record.html", ".record.csv")


def write_output(output_dir: Path, course_dir: Path, writers: Mapping[str, Writer]) -> list[Path]:
    """Write every file (name in `output_dir` -> writer) atomically, then remove what an
    earlier build of this course wrote and this one did not. Returns the removed files.

    Raises OSError (nothing replaced) if any file cannot be written.
    """
    for name in writers:
        remove_temporaries(output_dir, name)
    write_all_atomically({output_dir / name: write for name, write in writers.items()})
    course = str(course_dir.resolve())
    previous_course, previous_files = read_ledger(output_dir)
    removed = []
    if previous_course == course:  # another course's files, built into the same folder, stay
        kept = {name.casefold() for name in writers}  # case-insensitive file systems too
        for name in sorted(previous_files):
            path = output_dir / name
            if _ours(name) and name.casefold() not in kept and path.is_file():
                path.unlink()
                removed.append(path)
    try:
        ledger = {"course": course, "files": sorted(writers)}
        data = json.dumps(ledger, ensure_ascii=False).encode("utf-8")
        write_atomically(output_dir / LEDGER_FILE, lambda file: file.write(data))
        (output_dir / OLD_CACHE_FILE).unlink(missing_ok=True)
    except OSError:
        pass  # the next build then removes nothing: the worst case is a stale zip left
    return removed


def remove_temporaries(output_dir: Path, name: str) -> None:
    """The temporary files of `name` an interrupted build left (package.write_all_atomically
    names them `.<name>.<random>.tmp`)."""
    for path in output_dir.glob(f".{_glob_escape(name)}.*.tmp"):
        path.unlink(missing_ok=True)


def read_ledger(output_dir: Path) -> tuple[str, list[str]]:
    """The course folder the last build here was of, and the files it wrote ("" and [] if
    there is no ledger, or a damaged one)."""
    try:
        ledger = json.loads((output_dir / LEDGER_FILE).read_bytes())
        course, files = ledger["course"], ledger["files"]
    except (OSError, ValueError, TypeError, KeyError):
        return "", []
    if not isinstance(course, str) or not isinstance(files, list):
        return "", []
    return course, [name for name in files if isinstance(name, str)]


def _ours(name: str) -> bool:
    """A plain file name right in the output folder, of a kind the build writes."""
    return Path(name).name == name and "\\" not in name and name.endswith(OUTPUT_SUFFIXES)


def _glob_escape(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[]" else char for char in name)


def not_written(path: Path, error: OSError) -> Problem:
    """Why the package could not be written, in words an author can act on."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = _("the disk is full")
        fix = _("free some space on the disk, or choose another output folder with -o")
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = _("you may not write to the output folder")
        fix = _("choose a folder you may write to with -o, or ask for write access to this one")
    elif error.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = _("the output folder is not a folder (a file has its name or its parent's)")
        fix = _("choose another output folder with -o, or move that file away")
    else:
        reason = error.strerror or str(error)
        fix = _("check the output folder, then build again")
    return Problem(
        "output-not-written",
        "error",
        str(path.absolute()),
        _(
            "the package could not be written: {reason}; a previous package there is unchanged"
        ).format(reason=reason),
        fix,
    )


def cache_changed(entry: Path) -> Problem:
    """A page kept in its cache entry until the zip is written (package.InFile) is not there
    as it was put: nothing may be zipped from it."""
    return Problem(
        "build-cache-changed",
        "error",
        str(entry),
        _(
            "this page in the build cache was changed or deleted while the build ran (another "
            "program wrote to the cache folder)"
        ),
        _("build again; nothing was written, the previous package is unchanged"),
    )
