"""A lesson's attestation: the `:::attest` … `:::` block a learner confirms (issue 17).

    :::attest
    院内感染対策マニュアル第3版を読み、内容を理解しました。
    :::

The block is taken out of the Markdown before it is converted (its lines left blank, so
every other line keeps its number) and becomes the lesson's attestation page, just before
the quiz, wherever it stands: one place learners and officers know to look. Its text is a
statement recorded as it was shown, so it is plain text: markup inside is an error, not
silently shown as asterisks or dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scorm_builder.i18n import _
from scorm_builder.problems import FileProblems

OPENING = ":::attest"
CLOSING = ":::"
MAX_LENGTH = 500  # characters: a statement, not a page
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
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
    lines = text.split("\n")
    fence = ""
    blocks: list[tuple[int, int | None]] = []  # (opening index, closing index or None)
    opened: int | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if opened is None:
            found = _FENCE.match(line)
            if found and (not fence or found.group(1).startswith(fence)):
                fence = "" if fence else found.group(1)[0] * 3
                continue
            if not fence and stripped == OPENING:
                opened = index
        elif stripped == CLOSING:
            blocks.append((opened, index))
            opened = None
    if opened is not None:
        blocks.append((opened, None))
    if not blocks:
        return Taken(text, "")
    errors = report.error_count()
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
