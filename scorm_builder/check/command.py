"""The `check` subcommand's arguments and run: the checker owns its command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import run_check_command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the package: a zip or an unpacked folder")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--strict", action="store_true", help="warnings fail the check too (info never does)"
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="OLD",
        help="the package the LMS holds now: also say what uploading PATH over it does"
        " to the learners' records",
    )


def run(arguments: argparse.Namespace) -> int:
    return run_check_command(arguments.path, arguments.format, arguments.strict, arguments.against)
