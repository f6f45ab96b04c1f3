"""What the builder and the checker report: one `Problem` per mistake found.

Authors and CI both read these, so every problem names the file, the place and
the fix. Problems are collected, not raised one by one, so that a single run
reports every mistake at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scorm_builder.i18n import N_, _

# "info": a note for the reviewer (the checker's); it never fails a build, --strict or not.
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    rule: str
    severity: Severity
    file: str
    message: str
    fix: str = ""
    line: int | None = None

    def where(self, file: str | None = None) -> str:
        file = self.file if file is None else file
        return f"{file}:{self.line}" if self.line else file

    def describe(self, file: str | None = None) -> str:
        """The problem as the author reads it, in the active language (the message and fix
        were translated where they were found; the file and line are the same in every one).
        `file` names the file as the reader should see it (default: as the problem has it)."""
        severity = _(SEVERITY_WORDS.get(self.severity, self.severity))
        text = _("{where}: {severity}: {message}").format(
            where=self.where(file), severity=severity, message=self.message
        )
        if self.fix:
            text += "\n    " + _("fix: {fix}").format(fix=self.fix)
        return text


SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    """The warnings (what --strict fails on); notes ("info") are not among them."""
    return [p for p in problems if p.severity == "warning"]


class BuildError(Exception):
    """The course sources (or the output folder) have errors; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.describe() for p in problems))
        self.problems = problems


@dataclass
class FileProblems:
    """Collects the problems of one source file, so readers need not repeat its name."""

    file: str
    found: list[Problem]

    def error(self, rule: str, message: str, fix: str, line: int | None = None) -> None:
        self.found.append(Problem(rule, "error", self.file, message, fix, line))

    def warning(self, rule: str, message: str, fix: str, line: int | None = None) -> None:
        self.found.append(Problem(rule, "warning", self.file, message, fix, line))

    def error_count(self) -> int:
        return sum(1 for p in self.found if p.file == self.file and p.severity == "error")
