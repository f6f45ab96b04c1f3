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
# few thousand. The '(' of a link's '](' scans ahead for its ')' in the same way, and a '<' for
# its '>' (2,000 of '[a](' in one paragraph: 10 s; 20 KB of '<a ': 8 s); they share the budget.
MAX_BRACKET_SCAN = 1_000_000
# Every inline element Markdown finds rebuilds the paragraph's text around it, so the cost is
# the paragraph's length times its marks: 240 KB of '`a' took 25 s, of '*a' over 30 s. A long
# real paragraph (5,000 characters, 100 marks) costs half a million.
MAX_INLINE_WORK = 50_000_000
INLINE_MARKS = frozenset("`*_[]<>!&")
_BRACKET = re.compile(r"[\[\]()<>]")
_INLINE_MARK = re.compile("[" + re.escape("".join(sorted(INLINE_MARKS))) + "]")

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
    paragraph = _Paragraph()
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
            paragraph = _Paragraph()  # a blank line ends the paragraph, and its scans
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
        broken = paragraph.add(line, number)
        if broken is not None:
            return broken
    return None


def _depth(line: str) -> int:
    containers = CONTAINERS.match(line)
    if containers is None or THEMATIC_BREAK.match(line):
        return 0
    markers = len(MARKER.findall(containers.group()))
    indent = len(line) - len(line.lstrip(" \t"))
    return markers + line[:indent].expandtabs(4).count(" ") // 4


class _Paragraph:
    """What Markdown will scan in the paragraph read so far, line by line."""

    def __init__(self) -> None:
        self.brackets = 0  # '[' still open
        self.parens = 0  # '(' after a ']' (and those nested in it) still open
        self.angles = 0  # '<' still open
        self.scan = 0
        self.length = 0
        self.marks = 0

    def add(self, line: str, number: int) -> Limit | None:
        self.length += len(line) + 1
        # One scan of the line (most have no mark at all), not one per kind of mark.
        self.marks += len(_INLINE_MARK.findall(line))
        if self.marks * self.length > MAX_INLINE_WORK:
            return Limit(
                "lesson-too-many-marks",
                _(
                    "the paragraph that ends on this line has {marks} Markdown marks ('*', '_', "
                    "'`', '[', '<' and the like) in {length} characters; it would take Markdown "
                    "too long to read"
                ).format(marks=f"{self.marks:,}", length=f"{self.length:,}"),
                _(
                    "split the paragraph with blank lines, and write a mark that is only text "
                    "with a backslash before it (\\*)"
                ),
                number,
            )
        if not (self.brackets or self.parens or self.angles or "[" in line or "<" in line):
            return None
        # Every character adds what is open after it; between two brackets that stays the
        # same, so only the brackets are visited (a loop over every character cost a lesson
        # of links more than its conversion).
        after = 0  # where the characters not yet counted start
        for found in _BRACKET.finditer(line):
            at = found.start()
            self.scan += (self.brackets + self.parens + self.angles) * (at - after)
            character = found.group()
            if character == "[":
                self.brackets += 1
            elif character == "]" and self.brackets:
                self.brackets -= 1
            elif character == "(" and ((at and line[at - 1] == "]") or self.parens):
                self.parens += 1
            elif character == ")" and self.parens:
                self.parens -= 1
            elif character == "<":
                self.angles += 1
            elif character == ">" and self.angles:
                self.angles -= 1
            self.scan += self.brackets + self.parens + self.angles
            after = at + 1
        # The rest of the line, and its line break.
        self.scan += (self.brackets + self.parens + self.angles) * (len(line) - after + 1)
        if self.scan > MAX_BRACKET_SCAN:
            return self._too_many_open(number)
        return None

    def _too_many_open(self, number: int) -> Limit:
        if self.brackets >= max(self.parens, self.angles):
            return Limit(
                "lesson-too-many-brackets",
                _(
                    "too many '[' without a matching ']' up to this line ({count} in "
                    "this paragraph)"
                ).format(count=f"{self.brackets:,}"),
                _(
                    "every '[' of a link or a picture needs its ']'; write a bracket that is "
                    "only text as \\["
                ),
                number,
            )
        if self.parens >= self.angles:
            return Limit(
                "lesson-too-many-brackets",
                _(
                    "too many links whose '](' has no matching ')' up to this line ({count} in "
                    "this paragraph)"
                ).format(count=f"{self.parens:,}"),
                _(
                    "close each link's address with ')', as in [text](page.html); write a "
                    "bracket that is only text as \\] or \\("
                ),
                number,
            )
        return Limit(
            "lesson-too-many-brackets",
            _(
                "too many '<' without a matching '>' up to this line ({count} in this paragraph)"
            ).format(count=f"{self.angles:,}"),
            _("write a '<' that is only text as \\< or &lt;"),
            number,
        )
