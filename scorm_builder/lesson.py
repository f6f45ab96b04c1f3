"""Stage 1b: read a lesson (`lessons/<id>.md`) into pages.

The `#` heading is the lesson title and every `##` section becomes one page.
Horizontal rules that merely separate sections are section breaks, not content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scorm_builder.html_rules import SectionHtml, clean_section_html
from scorm_builder.markdown_html import MarkdownConverter
from scorm_builder.model import Lesson, Page
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.text_file import read_text

# Japanese input methods often type a full-width space after '#'; it means the same.
HEADING = re.compile(r"^(#{1,2})[ \t\u3000]+(.*)$|^(#{1,2})$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
THEMATIC_BREAK = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]]+)\]:")


@dataclass(frozen=True)
class Section:
    title: str
    body: str
    line: int  # line of the `##` heading in the lesson file
    body_line: int  # line of the first line of `body`


def read_lesson(
    path: Path,
    lesson_id: str,
    shown_as: str,
    converter: MarkdownConverter,
    problems: list[Problem],
) -> Lesson | None:
    """The lesson without its quiz (read separately), or None if it has errors."""
    text = read_text(path, shown_as, problems)
    if text is None:
        return None
    report = FileProblems(shown_as, problems)
    if not text.strip():
        report.error(
            "lesson-empty",
            "the lesson file is empty",
            "write the lesson: a '# title' line, then '## section' headings with text",
        )
        return None
    title, sections = split_sections(text)
    if not title:
        report.error(
            "lesson-no-title",
            "the lesson has no '# ' title line",
            "start the file with a line such as: # 感染対策の基本 (a '#', a space, then the title)",
            1,
        )
        return None
    if not sections:
        report.error(
            "lesson-no-sections",
            "the lesson has no '## ' sections",
            "split the lesson into pages with '## section title' headings",
        )
        return None

    footnotes = _footnote_definitions(text)
    pages = []
    media: dict[str, Path] = {}
    for number, section in enumerate(sections, start=1):
        if not section.title:
            report.error(
                "lesson-empty-heading",
                "a '## ' section heading has no title",
                "write the section title after '## ', for example: ## 手指衛生",
                section.line,
            )
            continue
        if not section.body.strip():
            report.error(
                "lesson-empty-section",
                f"the section '{section.title}' has no text",
                "write text under the heading, or remove the heading",
                section.line,
            )
            continue
        try:
            markup = converter.convert(section.body, footnotes, number)
        except RecursionError:  # the Markdown library recurses once per level of nesting
            report.error(
                "lesson-too-deep",
                f"the section '{section.title}' nests lists or quotes hundreds of levels deep",
                "check the lines starting with '-', '1.' or '>' in this section",
                section.line,
            )
            continue
        html: SectionHtml = clean_section_html(markup, section, path.parent, lesson_id, report)
        media.update(html.media)
        pages.append(Page(title=section.title, html=html.html))
    if report.error_count():
        return None
    return Lesson(
        id=lesson_id, title=title, source=path, pages=tuple(pages), quiz=None, media=media
    )


def split_sections(text: str) -> tuple[str | None, list[Section]]:
    """Split a lesson into its `#` title and its `##` sections, ignoring code fences."""
    title: str | None = None
    sections: list[Section] = []
    current: list[str] = []
    current_title: str | None = None
    current_start = 1  # line number of current[0]
    heading_line = 0
    fence: str | None = None

    def close() -> None:
        skipped, kept = _strip_breaks(_without_footnotes(current))
        body = "\n".join(kept)
        body_line = current_start + skipped
        if current_title is not None:
            sections.append(Section(current_title, body, heading_line, body_line))
        elif body.strip() and title is not None:
            # Text between the title and the first section is a page of its own.
            sections.append(Section(title, body, heading_line, body_line))

    for number, line in enumerate(text.split("\n"), start=1):
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            current.append(line)
            continue
        if opened:
            fence = opened.group(1)
        elif heading := HEADING.match(line):
            level = heading.group(1) or heading.group(3)
            heading_text = _heading_text(heading.group(2) or "")
            if level == "#" and title is None:
                title, heading_line = heading_text, number
                current.append("")  # keeps current[i] on line current_start + i
                continue
            if level == "##":
                close()
                current, current_title, current_start = [], heading_text, number + 1
                heading_line = number
                continue
        current.append(line)
    close()
    return title, sections


def _heading_text(text: str) -> str:
    """A heading's text without the optional closing '#'s and spaces (full-width too)."""
    return re.sub(r"[ \t\u3000]+#+[ \t\u3000]*$|^#+$", "", text).strip(" \t\u3000")


def _without_footnotes(lines: list[str]) -> list[str]:
    """Footnote definitions blanked out (each page gets the ones it cites), lines kept in place."""
    kept, in_definition = [], False
    for line in lines:
        if FOOTNOTE_DEFINITION.match(line):
            in_definition = True
        elif in_definition and not line.startswith(("    ", "\t")):
            in_definition = False
        kept.append("" if in_definition else line)
    return kept


def _strip_breaks(lines: list[str]) -> tuple[int, list[str]]:
    """Drop blank lines and horizontal rules at either end of a section: they are breaks.

    Returns how many lines were dropped at the start, so line numbers stay right.
    """
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or THEMATIC_BREAK.match(lines[start])):
        start += 1
    while end > start and (not lines[end - 1].strip() or THEMATIC_BREAK.match(lines[end - 1])):
        end -= 1
    return start, lines[start:end]


def _footnote_definitions(text: str) -> dict[str, str]:
    """Footnote definitions anywhere in the lesson, so a page can cite one defined at the end."""
    definitions: dict[str, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        found = FOOTNOTE_DEFINITION.match(line)
        if found:
            block = [line]
            for following in lines[index + 1 :]:
                if not following.startswith(("    ", "\t")):
                    break
                block.append(following)
            definitions[found.group(1)] = "\n".join(block)
    return definitions
