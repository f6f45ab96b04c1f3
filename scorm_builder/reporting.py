"""How the build's problems are shown: to the terminal (`build`) and in the preview's page."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path

from scorm_builder.console import native_path
from scorm_builder.i18n import _
from scorm_builder.problems import Problem

# C0 controls, DEL, C1 controls, and the marks that reorder text on screen (bidi overrides,
# embeddings, isolates): a file name or a lesson's text carrying them would move the cursor,
# retitle the terminal or make a line read other than it is.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with each control character written as an escape (ESC as \\x1b)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
    # Named as the OS writes paths: an author on Windows pastes them into Explorer.
    lines = [
        dataclasses.replace(p, message=printable(p.message), fix=printable(p.fix)).describe(
            printable(native_path(os.path.join(source, p.file)))
        )
        for p in ordered
    ]
    error_count = sum(p.severity == "error" for p in problems)
    warning_count = sum(p.severity == "warning" for p in problems)  # notes ("info") are not
    if error_count or strict:
        because = _(" (--strict: warnings count as errors)") if strict and warning_count else ""
        failed = _(
            "build failed: {errors} error(s), {warnings} warning(s){because}; nothing was written"
        )
        lines.append(failed.format(errors=error_count, warnings=warning_count, because=because))
    else:
        lines.append(_("{count} warning(s)").format(count=warning_count))
    return lines
