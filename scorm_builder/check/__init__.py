"""`scorm-builder check`: say exactly what is wrong with a SCORM 1.2 package.

The core, `check_files`, checks an in-memory package (POSIX name -> bytes), so that the
build can check what it is about to write before writing it. `check_path` adds the
readers: a zip (streamed with bounded memory, never extracted, with the zip-only rules) or a
folder (guarded like a zip). `compare_packages` says what an upload over an older package
does to learners' records (`check --against`).

Every rule has an id, and each finding is a `Problem` naming the file, the line and
the fix. See RULES for the list.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from scorm_builder.i18n import _
from scorm_builder.problems import Problem

from . import content, manifest
from .against import compare_packages, compare_paths
from .paths import check_names
from .readers import DEFAULT_LIMITS, CannotCheck, Limits, read_path
from .report import Verdict, to_json, to_text
from .severity import INFO

__all__ = [
    "RULES",
    "CannotCheck",
    "Limits",
    "check_files",
    "check_path",
    "compare_packages",
    "run_check_command",
]

# id -> severity; the README's rule table and the tests' corpus follow this list.
RULES: dict[str, str] = {
    "zip-unreadable": "error",
    "zip-encrypted": "error",
    "zip-unsafe-path": "error",
    "zip-duplicate-name": "error",
    "zip-too-large": "error",
    "zip-compression-ratio": "error",
    "zip-compression-method": "error",
    "zip-size-mismatch": "error",
    "zip-non-ascii-name": "warning",
    "folder-special-file": "warning",
    "manifest-missing": "error",
    "manifest-not-at-root": "error",
    "manifest-not-well-formed": "error",
    "manifest-dtd": "error",
    "manifest-scorm-2004": "error",
    "manifest-schema": "error",
    "manifest-schema-version": "error",
    "manifest-no-schema-version": "warning",
    "manifest-adlcp-prefix": "error",
    "manifest-duplicate-identifier": "error",
    "manifest-identifier-spelling": "warning",
    "manifest-unresolved-reference": "error",
    "manifest-scormtype": "error",
    "manifest-masteryscore": "error",
    "manifest-empty-masteryscore": "warning",
    "manifest-launch-missing": "error",
    "manifest-missing-file": "error",
    "manifest-unlisted-file": "info",
    "content-external-url": "error",
    "content-missing-file": "error",
    "content-plugin": "error",
    "content-external-url-in-script": "warning",
    "content-backslash-path": "warning",
    "content-no-scorm-api": "warning",
    "content-not-inspected": "warning",
    "content-unreached": "info",
}


def order(problem: Problem) -> tuple[bool, str, int, str]:
    """By file, then line; the info notes last, after what needs attention."""
    return (problem.severity == INFO, problem.file, problem.line or 0, problem.rule)


def check_files(
    files: Mapping[str, bytes],
    *,
    unreadable: frozenset[str] = frozenset(),
    generated: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every problem of an in-memory package, sorted by file and line.

    `unreadable` names files that exist but whose bytes are not given (media the reader
    did not keep, or files it could not read and already reported); they count as present
    but are not inspected. `generated` names files the builder made and vouched for: they
    are not parsed, and are assumed to reach any file of the package.
    """
    names = frozenset(files) | unreadable
    problems = check_names(names)
    manifest_problems, parsed = manifest.check_manifest(files, unreadable)
    package = content.package_of(files, names, generated, parsed)
    problems += manifest_problems + content.check_content(package, parsed)
    return sorted(problems, key=order)


def check_path(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem of a zip or unpacked folder. Raises CannotCheck if it cannot be read."""
    package = read_path(path, limits)
    if not package.opened:
        return package.problems
    found = package.problems + check_files(package.files, unreadable=package.unreadable)
    return sorted(found, key=order)


def run_check_command(
    path: Path, output_format: str, strict: bool, against: Path | None = None
) -> int:
    """The `check` subcommand: print the report, return 0 (clean), 1 (errors; warnings
    too with strict) or 2 (could not check: bad arguments, unreadable path).
    With `against`, the report also says what uploading `path` over `against` does to
    the learners' records."""
    if output_format not in ("text", "json"):
        message = _("unknown format {format}; use text or json").format(format=repr(output_format))
        print(_("scorm-builder check: {message}").format(message=message), file=sys.stderr)
        return 2
    try:
        problems = check_path(Path(path))
        if against is not None:
            problems = sorted(problems + compare_paths(Path(against), Path(path)), key=order)
    except CannotCheck as error:
        print(_("scorm-builder check: {message}").format(message=error), file=sys.stderr)
        return 2
    verdict = Verdict(str(path), problems, strict)
    write_report(to_json(verdict) if output_format == "json" else to_text(verdict))
    return verdict.exit_status


def write_report(text: str) -> None:
    """Print the report; a reader that stops early (`| head`) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python would report the pipe again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
