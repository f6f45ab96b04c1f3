"""A lesson's attestation: the `:::attest` … `:::` block a learner confirms (issue 17).

    :::attest
    院内感染対策マニュアル第3版を読み、内容を理解しました。
    :::

The block is taken out of the Markdown before it is converted (its lines left blank, so
every other line keeps its number) and becomes the lesson's attestation page, just before
the quiz, wherever it stands: one place learners and officers know to look. Its text is a
statement recorded as it was shown, so it is plain text: markup inside is an error, not
silently shown as asterisks or dropped.

Code is tracked as CommonMark does, so a lesson may show the block as an example: a fenced
code block (also one opened in a quote or on a list item's line) runs to a closing fence of
the same character, at least as long, with nothing after it but spaces (or to the end of the
lesson), and a line indented 4 spaces or more is code or a continuation, never an opening.
Outside code, a line that looks like an opening but is not one (`:::ATTEST`, `::: attest`,
`- :::attest`, the statement on the same line) is an error: it would be shown as text and
nothing recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scorm_builder.i18n import _
from scorm_builder.problems import FileProblems

OPENING = ":::attest"
CLOSING = ":::"
MAX_LENGTH = 500  # characters: a statement, not a page
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_CLOSING_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
_QUOTE = re.compile(r" {0,3}> ?")
# A list item's marker and the spaces after it (5 or more: the content starts after one).
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?: {1,4}(?! )| )")
# What an author may have meant as an opening: after quote or list markers, any case, spaced.
_NEAR_OPENING = re.compile(r" {0,3}(?:(?:>|[-*+]|\d{1,9}[.)])[ \t]*)*:::[ \t]*attest", re.I)
SHOWN = 40  # characters of the line quoted in a message
# What would be Markdown or HTML in a lesson: a statement has none of it.
_MARKUP = re.compile(
    r"<[A-Za-z/!?]|\*\*|__|`|!\[|\]\(|^\s*(?:#|>|[-*+]\s|\d+[.)]\s|\||:::)", re.MULTILINE
)


@dataclass(frozen=True)
class Taken:
    markdown: str  # the lesson without its attestation block (same lines, left blank)
    attestation: str  # paragraphs joined by "\n"; "" when the lesson has none


def take_attestation(text: str, report: FileProblems) -> Taken | None:
    """The attestation out of the lesson's text, or None after reporting its mistakes."""
    if CLOSING not in text:
        return Taken(text, "")  # no opening and nothing like one: most lessons, at once
    lines = text.split("\n")
    fence: _Fence | None = None
    blocks: list[tuple[int, int | None]] = []  # (opening index, closing index or None)
    near: list[int] = []  # lines that look like an opening but are not one
    opened: int | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if opened is not None:
            if stripped == CLOSING:
                blocks.append((opened, index))
                opened = None
            continue
        columns = line.expandtabs(4)
        if fence is not None:
            inside = fence.inside(columns)
            if inside is not None:
                if fence.closed_by(inside):
                    fence = None
                continue
            fence = None  # its quote or list item ended before this line, and so did it
        fence = _Fence.opened_by(columns)
        if fence is not None or len(columns) - len(columns.lstrip(" ")) >= 4:
            continue  # a line indented 4 spaces is code or a continuation: never an opening
        if stripped == OPENING:
            opened = index
        elif _NEAR_OPENING.match(columns):
            near.append(index)
    if opened is not None:
        blocks.append((opened, None))
    errors = report.error_count()
    for index in near:
        shown = lines[index].strip()
        report.error(
            "lesson-attest-opening",
            _(
                "this line does not start an attestation block ('{text}'): it would be shown "
                "as text, and nothing would be recorded"
            ).format(text=shown if len(shown) <= SHOWN else shown[:SHOWN] + "…"),
            _(
                "the attestation block starts with a line that holds only ':::attest' (at the "
                "start of the line, lowercase), then the statement, then a line ':::'"
            ),
            index + 1,
        )
    if not blocks:
        return None if near else Taken(text, "")
    opening, closing = blocks[0]
    if closing is None:
        report.error(
            "lesson-attest-unclosed",
            _("the ':::attest' block is never closed"),
            _("end the statement with a line that holds only ':::'"),
            opening + 1,
        )
        return None
    body = lines[opening + 1 : closing]
    paragraphs = _paragraphs(body)
    statement = "\n".join(paragraphs)
    if not statement:
        report.error(
            "lesson-attest-empty",
            _("the ':::attest' block has no text"),
            _(
                "write what the learner confirms between ':::attest' and ':::', for example: "
                "院内感染対策マニュアル第3版を読み、内容を理解しました。"
            ),
            opening + 1,
        )
    for number, line in enumerate(body, start=opening + 2):
        markup = _MARKUP.search(line)
        if markup:
            report.error(
                "lesson-attest-markup",
                _(
                    "the attestation is recorded as plain text, but this line has markup "
                    "('{markup}')"
                ).format(markup=markup.group().strip()),
                _("write the statement as plain sentences, without Markdown or HTML"),
                number,
            )
            break
    if len(statement) > MAX_LENGTH:
        report.error(
            "lesson-attest-too-long",
            _("the attestation is {length} characters long; at most {limit} are allowed").format(
                length=len(statement), limit=MAX_LENGTH
            ),
            _("keep it to the statement the learner confirms; explain in the lesson's pages"),
            opening + 1,
        )
    for second, _closing in blocks[1:]:
        report.error(
            "lesson-attest-twice",
            _("the lesson has a second ':::attest' block (the first is at line {line})").format(
                line=opening + 1
            ),
            _("a lesson has one attestation: merge the two statements into the first block"),
            second + 1,
        )
    if report.error_count() > errors:
        return None
    for index in range(opening, closing + 1):
        lines[index] = ""
    return Taken("\n".join(lines), statement)


@dataclass(frozen=True)
class _Fence:
    """An open fenced code block, as CommonMark reads it."""

    containers: tuple[int | None, ...]  # opened in: None a quote, a number a list item's width
    character: str
    length: int

    @staticmethod
    def opened_by(line: str) -> _Fence | None:
        containers: list[int | None] = []
        while True:
            quote = _QUOTE.match(line)
            if quote is not None:
                containers.append(None)
                line = line[quote.end() :]
                continue
            item = _LIST_ITEM.match(line)
            if item is None:
                break
            containers.append(item.end())
            line = line[item.end() :]
        found = _FENCE.fullmatch(line)
        # A backtick fence's info string has no backtick (```a`b` is inline code).
        if found is None or (found.group(1)[0] == "`" and "`" in found.group(2)):
            return None
        return _Fence(tuple(containers), found.group(1)[0], len(found.group(1)))

    def inside(self, line: str) -> str | None:
        """The line within the block's quotes and list items, or None if they end before it."""
        for width in self.containers:
            if width is None:
                quote = _QUOTE.match(line)
                if quote is None:
                    return None
                line = line[quote.end() :]
            elif not line.strip():
                return ""
            elif len(line) - len(line.lstrip(" ")) >= width:
                line = line[width:]
            else:
                return None
        return line

    def closed_by(self, line: str) -> bool:
        found = _CLOSING_FENCE.fullmatch(line)
        return (
            found is not None
            and found.group(1)[0] == self.character
            and len(found.group(1)) >= self.length
        )


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined as Markdown joins them (no space between Japanese lines), blank lines
    between paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [_joined(p) for p in paragraphs if p]


def _joined(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        wide = _wide(text[-1]) and _wide(line[0])
        text += line if wide else " " + line
    return text


def _wide(character: str) -> bool:
    return "\u3000" <= character <= "\u9fff" or "\uf900" <= character <= "\uffef"
