"""The `scorm-builder` command: build (and check) SCORM 1.2 packages.

Exit status: 0 done, 1 the sources (or the package) have errors, 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scorm_builder.build import build
from scorm_builder.problems import BuildError, Problem

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scorm-builder",
        description="Build SCORM 1.2 packages from Markdown lessons and quiz files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build_command = commands.add_parser("build", help="build the course into a SCORM 1.2 zip")
    build_command.add_argument(
        "source", nargs="?", default="source", type=Path, help="the course folder (default: source)"
    )
    build_command.add_argument(
        "-o", "--output", default="dist", type=Path, help="where to write the zip (default: dist)"
    )
    build_command.add_argument(
        "--split", action="store_true", help="one zip per lesson, for one LMS activity per lesson"
    )
    build_command.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (for CI)"
    )

    check_command = commands.add_parser("check", help="check a SCORM 1.2 package (zip or folder)")
    from scorm_builder.check import command as check

    check.add_arguments(check_command)

    preview_command = commands.add_parser(
        "preview", help="try the course in a local LMS on 127.0.0.1, rebuilt on every change"
    )
    preview_command.add_argument("source", nargs="?", default="source", type=Path)
    preview_command.add_argument("--port", type=int, default=8000, help="default: 8000")

    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK

    if arguments.command == "check":
        return check.run(arguments)
    # build and preview both take a course folder
    if not arguments.source.is_dir():
        print(
            f"scorm-builder: the course folder '{arguments.source}' does not exist", file=sys.stderr
        )
        return EXIT_USAGE
    if arguments.command == "preview":
        from scorm_builder.preview.server import serve

        return serve(arguments.source, arguments.port)
    return _build(arguments)


def _build(arguments: argparse.Namespace) -> int:
    source: Path = arguments.source
    try:
        result = build(source, arguments.output, split=arguments.split, strict=arguments.strict)
    except BuildError as error:
        report(error.problems, source, strict=arguments.strict)
        return EXIT_ERRORS
    report(result.warnings, source)
    for path in result.removed:
        print(f"removed {path}: the course no longer makes it")
    for path, package, size in result.written:
        print(
            f"built {path} ({size / 1024:.1f} KB): {len(package.lessons)} lesson(s), "
            f"{package.page_count} pages, {package.question_count} questions"
        )
    return EXIT_OK


def report(problems: list[Problem], source: Path, strict: bool = False) -> None:
    for line in report_lines(problems, source, strict):
        print(line, file=sys.stderr)


def report_lines(problems: list[Problem], source: Path, strict: bool = False) -> list[str]:
    """Errors first, then warnings, each group in file order; then a one-line summary.

    File order is the order the build read the files in (settings, then each lesson
    and its quiz), so the first line printed is the first thing to fix.
    """
    if not problems:
        return []
    rank = {file: index for index, file in reversed(list(enumerate(p.file for p in problems)))}
    ordered = sorted(problems, key=lambda p: (p.severity != "error", rank[p.file], p.line or 0))
    # Source files are named relative to the course folder; output files are absolute.
    lines = [os.path.join(source, problem.describe()) for problem in ordered]
    error_count = sum(p.severity == "error" for p in problems)
    warning_count = len(problems) - error_count
    if error_count or strict:
        because = " (--strict: warnings count as errors)" if strict and warning_count else ""
        lines.append(
            f"build failed: {error_count} error(s), {warning_count} warning(s){because}; "
            "nothing was written"
        )
    else:
        lines.append(f"{warning_count} warning(s)")
    return lines
