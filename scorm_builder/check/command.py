"""The `check` subcommand's arguments and run: the checker owns its command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import run_check_command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def run(arguments: argparse.Namespace) -> int:
    return run_check_command(arguments.path, arguments.format, arguments.strict)
