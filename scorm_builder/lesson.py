"""Stage 1b: read a lesson (`lessons/<id>.md`) into pages.

The lesson is converted once by Python-Markdown (`markdown_html`); its tree is then cut into
pages: the first top-level `#` heading is the lesson title and every top-level `##` heading
starts a page, so a `##` line inside a code fence or a footnote stays what it is. Horizontal
rules at either end of a page merely separate sections and are dropped. The HTML is judged and
adjusted by `lesson_html`, local files by `lesson_media`; limits come first (`lesson_limits`),
then the `:::attest` block is taken out (`lesson_attestation`).
"""

from __future__ import annotations

import bisect
import dataclasses
import stat
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

from scorm_builder.content_version import pages_digest
from scorm_builder.i18n import _
from scorm_builder.lesson_attestation import take_attestation
from scorm_builder.lesson_html import Finding, HtmlRules, sanitise_fragment
from scorm_builder.lesson_limits import (
    MAX_FILE_BYTES,
    MAX_PAGES,
    MAX_TITLE,
    SPLIT_LESSON,
    check_limits,
)
from scorm_builder.lesson_media import MediaFiles
from scorm_builder.markdown_html import LessonMarkdown, ParsedLesson, plain_text
from scorm_builder.model import Lesson, Page
from scorm_builder.problems import FileProblems, Problem
from scorm_builder.text_file import read_text

# One converter per thread: building a Markdown instance costs more than a small lesson.
# It is reset before every lesson, so what it converted before never shows.
_converters = threading.local()


def _converter() -> LessonMarkdown:
    converter: LessonMarkdown | None = getattr(_converters, "converter", None)
    if converter is None:
        converter = _converters.converter = LessonMarkdown()
    return converter


def read_lesson(
    path: Path, lesson_id: str, shown_as: str, problems: list[Problem], *, table_label: str
) -> Lesson | None:
    """The lesson without its quiz (read separately), or None if it has errors."""
    report = FileProblems(shown_as, problems)
    if not _plain_file_of_sane_size(path, report):
        return None
    text = read_text(path, shown_as, problems, course_dir=path.parent.parent)
    if text is None:
        return None
    if not text.strip():
        report.error(
            "lesson-empty",
            _("the lesson file is empty"),
            _("write the lesson: a '# title' line, then '## section' headings with text"),
        )
        return None
    if not check_limits(text, report):
        return None
    taken = take_attestation(text, report)
    if taken is None:
        return None
    text = taken.markdown
    converter = _converter()
    try:
        parsed = converter.parse(text)
    except RecursionError:  # the limits keep nesting far below this; a last resort
        report.error(
            "lesson-too-deep",
            _("the lesson nests lists or quotes hundreds of levels deep"),
            _("check the lines starting with '-', '1.' or '>'"),
        )
        return None
    reader = _Reader(
        parsed,
        _Lines(text),
        report,
        HtmlRules(
            MediaFiles(path.parent, path.parent.parent, shown_dir=str(Path(shown_as).parent)),
            table_label,
        ),
    )
    lesson = reader.lesson(converter, lesson_id, path)
    if lesson is None:
        return None
    lesson = dataclasses.replace(lesson, attestation=taken.attestation)
    return dataclasses.replace(lesson, pages_digest=pages_digest(lesson))


def _plain_file_of_sane_size(path: Path, report: FileProblems) -> bool:
    """Before reading: a pipe would block the build forever, a huge file fill the memory."""
    try:
        status = path.stat()
    except OSError:
        return True  # read_text says what is wrong
    if not stat.S_ISREG(status.st_mode):
        report.error(
            "lesson-not-a-file",
            _("this is not a plain file (a folder, a pipe or a device)"),
            _("replace it with the lesson's Markdown file"),
        )
        return False
    if status.st_size > MAX_FILE_BYTES:
        report.error(
            "lesson-too-large",
            _("the lesson file is {size} MB (the limit is {limit} MB)").format(
                size=f"{status.st_size / 1_000_000:,.1f}",
                limit=f"{MAX_FILE_BYTES / 1_000_000:,.0f}",
            ),
            _(SPLIT_LESSON),
        )
        return False
    return True


@dataclass
class _Section:
    heading: etree.Element | None  # None: the text before the first `##`
    line: int
    elements: list[etree.Element] = field(default_factory=list)
    title: str = ""
    end_line: int = 0  # the line of the next section's heading


class _Reader:
    def __init__(
        self, parsed: ParsedLesson, lines: _Lines, report: FileProblems, rules: HtmlRules
    ) -> None:
        self.parsed, self.lines, self.report, self.rules = parsed, lines, report, rules
        # (line, severity, rule, message, fix): reported in line order at the end.
        self.found: list[tuple[int, str, str, str, str]] = []

    def lesson(self, converter: LessonMarkdown, lesson_id: str, path: Path) -> Lesson | None:
        parsed, report = self.parsed, self.report
        title_element, sections, footnotes = self._split()
        if title_element is None or not plain_text(title_element, parsed.raw_html):
            report.error(
                "lesson-no-title",
                _("the lesson has no '# ' title line"),
                _(
                    "start the file with a line such as: # 感染対策の基本 (a '#', a space, then "
                    "the title)"
                ),
                1,
            )
            return None
        title = plain_text(title_element, parsed.raw_html)
        if len(title) > MAX_TITLE:
            report.error(
                "lesson-title-too-long",
                _(
                    "the lesson title is {length} characters long; the LMS takes at most {limit}"
                ).format(length=len(title), limit=MAX_TITLE),
                _("shorten the '# ' title line; say more in the first section"),
                self.lines.heading(parsed.source_of_heading.get(title_element, ""), 0),
            )
            return None
        for section in sections:
            section.title = (
                plain_text(section.heading, parsed.raw_html)
                if section.heading is not None
                else title
            )
        sections = [s for s in sections if s.heading is not None or _has_content(s.elements)]
        if not sections:
            report.error(
                "lesson-no-sections",
                _("the lesson has no '## ' sections"),
                _("split the lesson into pages with '## section title' headings"),
            )
            return None
        if len(sections) > MAX_PAGES:  # setext headings, which the line limits do not see
            report.error(
                "lesson-too-many-sections",
                _(
                    "the lesson has more than {limit} sections; the LMS can remember at most "
                    "that many pages seen"
                ).format(limit=MAX_PAGES),
                _(SPLIT_LESSON),
                sections[MAX_PAGES].line,
            )
            return None
        kept = []
        for section in sections:
            _strip_breaks(section.elements)
            if section.heading is not None and not section.title:
                self._error(
                    "lesson-empty-heading",
                    _("a '## ' section heading has no title"),
                    _("write the section title after '## ', for example: ## 手指衛生"),
                    section.line,
                )
            elif not _has_content(section.elements):
                self._error(
                    "lesson-empty-section",
                    _("the section '{title}' has no text").format(title=section.title),
                    _("write text under the heading, or remove the heading"),
                    section.line,
                )
            else:
                kept.append(section)
        notes = _Section(None, 1, [footnotes] if footnotes is not None else [], title)
        notes.end_line = self.lines.count + 1
        for section in [_title_section(title_element, title, sections), *kept, notes]:
            self._judge(section)
        self._sanitise_raw_html(sections)
        self._flush()
        if report.error_count():
            return None
        for section in kept:
            holder = etree.Element("div")
            holder.extend(section.elements)
            self.rules.wrap_tables(holder)
            section.elements = list(holder)
        self._place_footnotes(kept, footnotes)
        pages = tuple(
            Page(
                title=section.title,
                title_html=(
                    converter.serialise_inside(section.heading)
                    if section.heading is not None
                    else converter.serialise_inside(title_element)
                ),
                html=converter.serialise(section.elements),
            )
            for section in kept
        )
        return Lesson(
            id=lesson_id,
            title=title,
            title_html=converter.serialise_inside(title_element),
            source=path,
            pages=pages,
            quiz=None,
            media=dict(sorted(self.rules.media.items())),
        )

    def _split(
        self,
    ) -> tuple[etree.Element | None, list[_Section], etree.Element | None]:
        """The title heading, the sections and the footnotes of the lesson's tree."""
        title: etree.Element | None = None
        sections: list[_Section] = []
        footnotes = None
        cursor = 0
        for child in list(self.parsed.root):
            if child.tag == "div" and child.get("class") == "footnote":
                footnotes = child
            elif child.tag == "h1" and title is None:
                title = child
                cursor = self.lines.heading(self.parsed.source_of_heading.get(child, ""), cursor)
            elif child.tag == "h2":
                line = self.lines.heading(self.parsed.source_of_heading.get(child, ""), cursor)
                cursor = line
                sections.append(_Section(child, line))
            else:
                if not sections:
                    sections.append(_Section(None, max(cursor, 1)))
                sections[-1].elements.append(child)
        for section, following in zip(sections, [*sections[1:], None], strict=False):
            section.end_line = following.line if following else self.lines.count + 1
        return title, sections, footnotes

    def _judge(self, section: _Section) -> None:
        """Judge and adjust the Markdown elements of a section, with the lines of findings."""
        before = len(self.rules.findings)
        roots = ([section.heading] if section.heading is not None else []) + section.elements
        for root in roots:
            self.rules.tree(root)
        cursor = self.lines.start(section.line)
        for finding in self.rules.findings[before:]:
            line, cursor = self.lines.find(finding.needle, cursor, section.line, section.end_line)
            self._report(finding, section.title, line)

    def _sanitise_raw_html(self, sections: list[_Section]) -> None:
        parsed = self.parsed
        stash = parsed.raw_html
        cursor = 0
        for index in [*parsed.html_blocks, *parsed.html_tags]:
            if index == parsed.html_tags.start:
                cursor = 0  # inline tags come in document order, after all blocks
            markup = stash[index]
            if markup.startswith("&"):
                continue  # an entity: text
            inline = index in parsed.html_tags
            cleaned, findings = sanitise_fragment(markup, self.rules, inline=inline)
            stash[index] = cleaned
            first_line = markup.strip().split("\n")[0]
            line, _ = self.lines.find(first_line, cursor, 1, self.lines.count + 1)
            cursor = self.lines.start(line) + 1
            for finding in findings:
                found, _ = self.lines.find(
                    finding.needle, self.lines.start(line), line, self.lines.count + 1
                )
                self._report(finding, _title_at(sections, found), found)
        for index in parsed.code_blocks:
            # Fenced code is escaped by Markdown, but `{ key=value }` after the fence adds
            # attributes to its <code>: judge the opening tags.
            opening = stash[index][: stash[index].find(">", stash[index].find("<code")) + 1]
            _, findings = sanitise_fragment(opening, self.rules, inline=False)
            for finding in findings:
                found, _ = self.lines.find(finding.needle, 0, 1, self.lines.count + 1)
                self._report(finding, _title_at(sections, found), found)

    def _report(self, finding: Finding, section_title: str, line: int) -> None:
        message = _("section '{title}': {message}").format(
            title=section_title, message=finding.message
        )
        self.found.append((line, finding.severity, finding.rule, message, finding.fix))

    def _error(self, rule: str, message: str, fix: str, line: int) -> None:
        self.found.append((line, "error", rule, message, fix))

    def _flush(self) -> None:
        for line, severity, rule, message, fix in sorted(self.found, key=lambda f: f[0]):
            if severity == "warning":
                self.report.warning(rule, message, fix, line)
            else:
                self.report.error(rule, message, fix, line)
        self.found = []

    def _place_footnotes(self, sections: list[_Section], footnotes: etree.Element | None) -> None:
        """Each page shows the footnotes it cites, numbered as in the whole lesson."""
        if footnotes is None:
            return
        items = {item.get("id", ""): item for item in footnotes.iter("li")}
        numbers = {key: number for number, key in enumerate(items, start=1)}
        for section in sections:
            cited = [
                reference.get("href", "")[1:]
                for element in section.elements
                for reference in element.iter("a")
                if reference.get("class") == "footnote-ref"
            ]
            here = [items.pop(key) for key in dict.fromkeys(cited) if key in items]
            if not here:
                continue
            block = etree.Element("div", {"class": "footnote"})
            block.text = "\n"
            rule = etree.SubElement(block, "hr")
            rule.tail = "\n"
            listing = etree.SubElement(block, "ol")
            listing.text, listing.tail = "\n", "\n"
            first = numbers[here[0].get("id", "")]
            if first != 1:
                listing.set("start", str(first))
            for position, item in enumerate(here, start=first):
                if numbers[item.get("id", "")] != position:
                    item.set("value", str(numbers[item.get("id", "")]))
                listing.append(item)
            block.tail = "\n"
            section.elements.append(block)


class _Lines:
    """Where things are in the lesson file: Markdown's tree has no line numbers, so each
    element is looked for in the source, in document order, within its section."""

    def __init__(self, text: str) -> None:
        # Searched as Markdown saw it: tabs expanded (line by line, so lines stay in place).
        self.source_lines = [line.expandtabs(4) for line in text.split("\n")]
        self.text = "\n".join(self.source_lines).lower()
        self.count = len(self.source_lines)
        self.starts = [0]
        for line in self.source_lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def start(self, line: int) -> int:
        return self.starts[min(max(line, 1), self.count) - 1]

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def heading(self, source: str, after_line: int) -> int:
        """The line of a heading (`## text` or text over a '---' line) after `after_line`."""
        wanted = source.strip()
        for index in range(after_line, self.count):
            line = self.source_lines[index].strip(" \t\u3000")
            if line.startswith("#"):
                content = line.lstrip("#").rstrip("#").strip(" \t\u3000")
                if content == wanted or line.lstrip("#").strip(" \t\u3000") == wanted:
                    return index + 1
            elif line == wanted and index + 1 < self.count:
                underline = self.source_lines[index + 1].strip()
                if underline and set(underline) <= {"-"} or set(underline) <= {"="}:
                    return index + 1
        return max(after_line, 1)

    def find(self, needle: str, cursor: int, first_line: int, end_line: int) -> tuple[int, int]:
        """(line, new cursor) of `needle` at or after `cursor`, within the lines given."""
        needle = needle.lower()
        limit = self.start(end_line) if end_line <= self.count else len(self.text)
        lowest = self.start(first_line)
        at = self.text.find(needle, max(cursor, lowest), limit) if needle else -1
        if at < 0:
            at = self.text.find(needle, lowest, limit) if needle else -1
        if at < 0:
            return first_line, cursor
        return self.line_at(at), at + 1


def _title_section(title: etree.Element, text: str, sections: list[_Section]) -> _Section:
    return _Section(title, 1, [], text, sections[0].line if sections else 1)


def _title_at(sections: list[_Section], line: int) -> str:
    title = sections[0].title if sections else ""
    for section in sections:
        if section.line <= line:
            title = section.title
    return title


def _has_content(elements: list[etree.Element]) -> bool:
    return any(element.tag != "hr" for element in elements)


def _strip_breaks(elements: list[etree.Element]) -> None:
    """Horizontal rules at either end of a section only separate it from the next."""
    while elements and elements[0].tag == "hr":
        elements.pop(0)
    while elements and elements[-1].tag == "hr":
        elements.pop()
