"""Reading the authors' TOML files (course settings, quizzes) with errors they can act on."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from scorm_builder.problems import Problem
from scorm_builder.text_file import read_text


def read_toml(path: Path, shown_as: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse a TOML file; on a syntax error add a problem with its line and return None."""
    text = read_text(path, shown_as, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", message)
        problems.append(
            Problem(
                "toml-syntax",
                "error",
                shown_as,
                f"this file is not valid TOML ({reason})",
                "check quotes, brackets and '=' on that line; text values need \"double quotes\"",
                line,
            )
        )
        return None


def line_of(text: str, key: str) -> int | None:
    """The first line that assigns `key`, so a problem with a value can point at it."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def closest(name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"did you mean '{match[0]}'? " if match else ""
