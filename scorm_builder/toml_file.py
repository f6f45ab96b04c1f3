"""Reading the authors' TOML files (course settings, quizzes) with errors they can act on."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorm_builder.problems import Problem
from scorm_builder.text_file import read_text

# tomllib's messages are written for programmers; authors get these instead.
# Keyed by the start of tomllib's message: (what is wrong, what to do).
_QUOTES = 'text values need "double quotes" at both ends; numbers and true/false need none'
_SYNTAX_HELP = {
    "Illegal character '\\n'": (
        "a text value has no closing double quote",
        'add the missing " at the end of the text',
    ),
    "Unterminated string": (
        "a text value has no closing quote",
        'add the missing " (or """) at the end of the text',
    ),
    'Expected "\'"': ("a text value has no closing quote", "add the missing ' at the end"),
    "Illegal character": (
        "the line has an invisible control character",
        "retype the line; the character often comes from copying text out of another program",
    ),
    "Invalid value": ("the value is not a text, a number or true/false", _QUOTES),
    "Expected newline or end of document": (
        "there is something after the value on this line",
        f"put each setting on its own line; {_QUOTES}",
    ),
    "Expected '=' after a key": (
        "the line is not of the form: name = value",
        "add '=' between the name and the value, or remove the line",
    ),
    "Invalid statement": (
        "the line is not of the form: name = value",
        "write the setting as: name = value, or remove the line",
    ),
    "Invalid initial character for a key": (
        "the setting name is not valid",
        "setting names are ASCII letters, digits, '_' and '-', for example: pass_mark",
    ),
    "Cannot overwrite a value": (
        "this setting is written twice",
        "keep one of the two lines",
    ),
    "Cannot declare": ("this block is declared twice", "merge the two blocks or rename one"),
    "Unclosed array": (
        "a list [ ... ] is not closed, or its items are not separated by commas",
        'write lists as ["first", "second"]: commas between items and ] at the end',
    ),
    "Unclosed inline table": ("a { ... } is not closed", "add the missing } at the end"),
    "Expected ']": ("a [block] heading is not closed", "add the missing ] (or ]])"),
    "Unescaped '\\' in a string": (
        "a backslash \\ inside double quotes",
        "write \\\\ for one backslash, or use 'single quotes' around the text",
    ),
}


@dataclass(frozen=True)
class TomlFile:
    data: dict[str, Any]
    text: str  # the source, to find the line of a key (tomllib gives no positions)


def read_toml(path: Path, shown_as: str, problems: list[Problem]) -> TomlFile | None:
    """Parse a TOML file; on a syntax error add a problem with its line and return None."""
    text = read_text(path, shown_as, problems)
    if text is None:
        return None
    try:
        return TomlFile(tomllib.loads(text), text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        raw_reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        reason, fix = next(
            (help for start, help in _SYNTAX_HELP.items() if raw_reason.startswith(start)),
            (raw_reason, f"check quotes, brackets and '=' on that line; {_QUOTES}"),
        )
        problems.append(
            Problem(
                "toml-syntax",
                "error",
                shown_as,
                f"this file is not valid TOML: {reason}",
                fix,
                int(found.group(1)) if found else None,
            )
        )
        return None


def line_of(text: str, key: str, start: int = 1, end: int | None = None) -> int | None:
    """The first line in [start, end) that assigns `key`, so a problem can point at it."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.split("\n")[start - 1 : end and end - 1], start=start):
        if pattern.match(line):
            return number
    return None


def table_lines(text: str, name: str) -> list[int]:
    """The lines of the `[[name]]` headers, one per block, in order."""
    pattern = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
    return [n for n, line in enumerate(text.split("\n"), start=1) if pattern.match(line)]


def as_written(value: Any) -> str:
    """A value the way the author wrote it in TOML ("80%", true), not as Python shows it."""
    return json.dumps(value, ensure_ascii=False, default=str)


def closest(name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"did you mean '{match[0]}'? " if match else ""
