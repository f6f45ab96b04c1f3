"""`scorm-builder check`: say exactly what is wrong with a SCORM 1.2 package.

The core, `check_files`, checks an in-memory package (POSIX name -> bytes), so that the
build can check what it is about to write before writing it. `check_path` adds the
readers: a zip (read in memory, never extracted, with the zip-only rules) or a folder.

Every rule has an id, and each finding is a `Problem` naming the file, the line and
the fix. See RULES for the list.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from scorm_builder.problems import Problem

from . import content, manifest
from .paths import check_names
from .readers import DEFAULT_LIMITS, CannotCheck, Limits, PackageContents, read_folder, read_zip
from .report import Verdict, to_json, to_text

__all__ = [
    "RULES",
    "CannotCheck",
    "Limits",
    "check_files",
    "check_path",
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
    "zip-non-ascii-name": "warning",
    "manifest-missing": "error",
    "manifest-not-at-root": "error",
    "manifest-not-well-formed": "error",
    "manifest-schema": "error",
    "manifest-schema-version": "error",
    "manifest-no-schema-version": "warning",
    "manifest-adlcp-prefix": "error",
    "manifest-duplicate-identifier": "error",
    "manifest-unresolved-reference": "error",
    "manifest-scormtype": "error",
    "manifest-masteryscore": "error",
    "manifest-empty-masteryscore": "warning",
    "manifest-launch-missing": "error",
    "manifest-missing-file": "error",
    "manifest-unlisted-file": "warning",
    "content-external-url": "error",
    "content-no-scorm-api": "warning",
}


def check_files(
    files: Mapping[str, bytes],
    *,
    unreadable: frozenset[str] = frozenset(),
    memo: content.FactsMemo | None = None,
) -> list[Problem]:
    """Every problem of an in-memory package, sorted by file and line.

    `unreadable` names files that exist but whose bytes could not be read (the zip
    reader already reported why); they count as present but are not inspected.
    `memo` keeps the per-file content results, so a rebuild rechecks only changed files.
    """
    problems = check_names(set(files) | unreadable)
    manifest_problems, parsed = manifest.check_manifest(files, unreadable)
    facts = content.facts_of(files, memo)
    problems += manifest_problems + content.check_external(facts)
    if parsed is not None:
        problems += content.check_manifest_hrefs(parsed) + content.check_scorm_api(parsed, facts)
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.rule))


def read_path(path: Path, limits: Limits = DEFAULT_LIMITS) -> PackageContents:
    if path.is_dir():
        return read_folder(path)
    if not path.exists():
        raise CannotCheck(f"{path}: no such file or folder")
    return read_zip(path, limits)


def check_path(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem of a zip or unpacked folder. Raises CannotCheck if it cannot be read."""
    package = read_path(path, limits)
    if not package.opened:
        return package.problems
    return package.problems + check_files(package.files, unreadable=package.unreadable)


def run_check_command(path: Path, output_format: str, strict: bool) -> int:
    """The `check` subcommand: print the report, return 0 (clean), 1 (errors; warnings
    too with strict) or 2 (could not check: bad arguments, unreadable path)."""
    if output_format not in ("text", "json"):
        message = f"unknown format {output_format!r}; use text or json"
        print(f"scorm-builder check: {message}", file=sys.stderr)
        return 2
    try:
        problems = check_path(Path(path))
    except CannotCheck as error:
        print(f"scorm-builder check: {error}", file=sys.stderr)
        return 2
    verdict = Verdict(str(path), problems, strict)
    print(to_json(verdict) if output_format == "json" else to_text(verdict))
    return verdict.exit_status
