"""The `scorm-builder` command: build, check and preview SCORM 1.2 packages.

Exit status: 0 done, 1 the sources (or the package) have errors, 2 the command was used wrongly.
Each subcommand imports what it needs when it runs, so `--help` and `check` do not pay for
the build pipeline.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from scorm_builder import i18n
from scorm_builder.console import make_output_safe, native_path
from scorm_builder.i18n import _

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    make_output_safe()
    # The language first: the parser's help texts are translated as it is built.
    i18n.use_language(i18n.choose_language(i18n.requested_language(argv)))
    i18n.translate_argparse()
    parser = argparse.ArgumentParser(
        prog="scorm-builder",
        description=_("Build SCORM 1.2 packages from Markdown lessons and quiz files."),
    )
    parser.add_argument(
        "--lang",
        choices=i18n.available_languages(),
        help=_(
            "the language of messages and help: ja or en "
            "(default: from SCORM_BUILDER_LANG, then the locale)"
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build_command = commands.add_parser("build", help=_("build the course into a SCORM 1.2 zip"))
    build_command.add_argument(
        "source",
        nargs="?",
        default="source",
        type=Path,
        help=_("the course folder (default: source)"),
    )
    build_command.add_argument(
        "-o",
        "--output",
        default="dist",
        type=Path,
        help=_("where to write the zip (default: dist)"),
    )
    build_command.add_argument(
        "--split",
        action="store_true",
        help=_("one zip per lesson, for one LMS activity per lesson"),
    )
    build_command.add_argument(
        "--strict", action="store_true", help=_("treat warnings as errors (for CI)")
    )
    build_command.add_argument(
        "-j", "--jobs", type=_jobs, help=_("worker processes for the lessons (1: none)")
    )

    check_command = commands.add_parser(
        "check", help=_("check a SCORM 1.2 package (zip or folder)")
    )
    if _subcommand(argv) == "check":  # the checker's options, only when they are needed
        from scorm_builder.check import command as check

        check.add_arguments(check_command)

    preview_command = commands.add_parser(
        "preview", help=_("try the course in a local LMS on 127.0.0.1, rebuilt on every change")
    )
    preview_command.add_argument("source", nargs="?", default="source", type=Path)
    preview_command.add_argument("--port", type=int, default=8000, help=_("default: 8000"))

    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK

    if arguments.command == "check":
        from scorm_builder.check import command as check

        return check.run(arguments)
    # build and preview both take a course folder
    if not arguments.source.is_dir():
        message = _("scorm-builder: the course folder '{source}' does not exist")
        print(message.format(source=native_path(arguments.source)), file=sys.stderr)
        return EXIT_USAGE
    if arguments.command == "preview":
        from scorm_builder.preview.server import serve

        return serve(arguments.source, arguments.port)
    return _build(arguments)


def _jobs(text: str) -> int:
    from scorm_builder.workers import parse_jobs

    try:
        return parse_jobs(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _subcommand(argv: list[str]) -> str | None:
    """The subcommand named in `argv` (the first command name: `--lang ja check x.zip`)."""
    return next((arg for arg in argv if arg in ("build", "check", "preview")), None)


def _build(arguments: argparse.Namespace) -> int:
    from scorm_builder.build import build
    from scorm_builder.problems import BuildError
    from scorm_builder.reporting import report
    from scorm_builder.workers import JOBS_VARIABLE, job_count

    source: Path = arguments.source
    try:
        jobs = job_count(arguments.jobs)
    except ValueError as error:
        print(f"scorm-builder: {JOBS_VARIABLE}: {error}", file=sys.stderr)
        return EXIT_USAGE
    # A CI timeout sends SIGTERM, a closed terminal or SSH session SIGHUP: end like Ctrl+C
    # does, through the same clean-up (no temporary file is left in the output folder, no
    # package half replaced).
    previous = {number: signal.signal(number, _terminated) for number in STOP_SIGNALS}
    try:
        result = build(
            source,
            arguments.output,
            split=arguments.split,
            strict=arguments.strict,
            jobs=jobs,
        )
    except BuildError as error:
        report(error.problems, source, strict=arguments.strict)
        return EXIT_ERRORS
    except Terminated as stopped:
        number = signal.Signals(stopped.args[0])
        print(
            _("scorm-builder: stopped ({signal}); nothing was written").format(signal=number.name),
            file=sys.stderr,
        )
        return 128 + number
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    report(result.warnings, source)
    for path in result.removed:
        print(_("removed {path}: the course no longer makes it").format(path=native_path(path)))
    for path, package, size in result.written:
        built = _(
            "built {path} ({size} KB): {lessons} lesson(s), {pages} pages, {questions} questions"
        )
        lessons = len(package.lessons)
        print(
            built.format(
                path=native_path(path),
                size=f"{size / 1024:.1f}",
                lessons=lessons,
                pages=package.page_count,
                questions=package.question_count,
            )
        )
        if lessons > 1:
            print(_(MOODLE_POINTER).format(count=lessons))
    return EXIT_OK


# After a zip of several lessons: Moodle's defaults for such a package surprise (docs/moodle.md).
MOODLE_POINTER = i18n.N_(
    "Moodle: this zip has {count} lessons in one activity: set its grading and completion "
    "as docs/moodle.md says, or build with --split for one activity per lesson"
)


# SIGHUP does not exist on Windows.
STOP_SIGNALS = (signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []))


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived (not an Exception: nothing may catch it by accident)."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)
