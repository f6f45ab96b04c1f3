"""Limits on what a lesson may contain, checked before Markdown runs.

Python-Markdown recurses once per level of nesting and scans ahead from every '[' for its ']',
so a pathological file (a list nested 2,000 levels deep, 30 KB of '[') takes minutes and
gigabytes. Each limit is far beyond any real lesson (the default lesson: 10 KB, lines under
400 characters, lists 2 levels deep, 6 sections) and fails fast with a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scorm_builder.i18n import N_, _
from scorm_builder.problems import FileProblems

MAX_CHARACTERS = 1_000_000  # about 300 printed pages of Japanese
MAX_FILE_BYTES = 4 * MAX_CHARACTERS  # checked before reading: UTF-8 takes up to 4 bytes each
MAX_LINE = 10_000
MAX_DEPTH = 20  # lists and quotes inside each other
MAX_TITLE = 200  # the manifest schema's limit on an item's title
MAX_PAGES = 200  # every page seen is saved in cmi.suspend_data (4,096 characters)
# '[' scans ahead for its ']': the cost is the sum, over the characters of each paragraph, of
# the '[' still open there (2,000 unclosed '[': 2 million, 2 s). A lesson full of links costs a
# few thousand.
MAX_BRACKET_SCAN = 1_000_000

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
SECTION = re.compile(r"^##(?!#)")
CONTAINERS = re.compile(r"(?:[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?=[ \t]|$))+")
MARKER = re.compile(r">|[-*+]|\d{1,9}[.)]")
THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")

SPLIT_LESSON = N_("split it into several lessons, each its own file listed in course.toml")


@dataclass(frozen=True)
class Limit:
    rule: str
    message: str
    fix: str
    line: int | None = None


def check_limits(text: str, report: FileProblems) -> bool:
    """True if the lesson is within every limit; otherwise the first broken one is reported."""
    broken = _first_broken(text)
    if broken is None:
        return True
    report.error(broken.rule, broken.message, broken.fix, broken.line)
    return False


def _first_broken(text: str) -> Limit | None:
    if len(text) > MAX_CHARACTERS:
        return Limit(
            "lesson-too-large",
            _("the lesson is {length} characters long (the limit is {limit})").format(
                length=f"{len(text):,}", limit=f"{MAX_CHARACTERS:,}"
            ),
            _(SPLIT_LESSON),
        )
    fence: str | None = None
    sections = 0
    open_brackets = scan = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            return Limit(
                "lesson-line-too-long",
                _("the line is {length} characters long (the limit is {limit})").format(
                    length=f"{len(line):,}", limit=f"{MAX_LINE:,}"
                ),
                _(
                    "break the paragraph into shorter lines (a line break inside a paragraph "
                    "does not show)"
                ),
                number,
            )
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if not line.strip():
            open_brackets = 0  # a blank line ends the paragraph, and its scans
            continue
        if SECTION.match(line):
            sections += 1
            if sections > MAX_PAGES:
                return Limit(
                    "lesson-too-many-sections",
                    _(
                        "the lesson has more than {limit} sections ('## ' headings); the LMS "
                        "can remember at most that many pages seen"
                    ).format(limit=MAX_PAGES),
                    _(SPLIT_LESSON),
                    number,
                )
        depth = _depth(line)
        if depth > MAX_DEPTH:
            return Limit(
                "lesson-too-deep",
                _(
                    "the lists or quotes on this line are nested {depth} levels deep "
                    "(the limit is {limit})"
                ).format(depth=depth, limit=MAX_DEPTH),
                _(
                    "check the spaces and the '-', '1.' or '>' at the start of the line; a lesson "
                    "needs a few levels at most"
                ),
                number,
            )
        if "[" in line or open_brackets:
            for character in line:
                if character == "[":
                    open_brackets += 1
                elif character == "]" and open_brackets:
                    open_brackets -= 1
                scan += open_brackets
            scan += open_brackets  # the line break
            if scan > MAX_BRACKET_SCAN:
                return Limit(
                    "lesson-too-many-brackets",
                    _(
                        "too many '[' without a matching ']' up to this line ({count} in "
                        "this paragraph)"
                    ).format(count=f"{open_brackets:,}"),
                    _(
                        "every '[' of a link or a picture needs its ']'; write a bracket that is "
                        "only text as \\["
                    ),
                    number,
                )
    return None


def _depth(line: str) -> int:
    containers = CONTAINERS.match(line)
    if containers is None or THEMATIC_BREAK.match(line):
        return 0
    markers = len(MARKER.findall(containers.group()))
    indent = len(line) - len(line.lstrip(" \t"))
    return markers + line[:indent].expandtabs(4).count(" ") // 4
