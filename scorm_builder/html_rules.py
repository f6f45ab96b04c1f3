"""Check and adjust the HTML of a lesson page.

Authors may write simple raw HTML in Markdown, so the rendered page is checked
as HTML: anything that runs code or loads from outside the package is refused,
local images and files are collected into the package, external links open in
a new window, and tables get a scrolling wrapper for narrow screens.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

from scorm_builder.problems import FileProblems

if TYPE_CHECKING:
    from scorm_builder.lesson import Section

SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
EMBEDDING_TAGS = {"iframe", "frame", "object", "embed", "video", "audio", "source", "track"}
# Japanese has no spaces between words: a line break inside a paragraph must not become one.
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
VERBATIM_TAGS = ("pre", "code", "textarea")  # where a line break is content
URL_ATTRIBUTES = {"href", "src", "data", "action", "formaction", "xlink:href", "poster"}
# Browsers ignore these inside a URL's scheme, so "java\tscript:" still runs.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")


@dataclass
class SectionHtml:
    html: str
    media: dict[str, Path] = field(default_factory=dict)  # package path -> source file


def clean_section_html(
    markup: str, section: Section, lesson_dir: Path, lesson_id: str, report: FileProblems
) -> SectionHtml:
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    result = SectionHtml(html="")

    body = section.body.lower()
    after = 0  # elements come in document order: look for each after the previous one

    def line_of(needle: str) -> int:
        nonlocal after
        at = body.find(needle.lower(), after)
        if at < 0:
            at = body.find(needle.lower())
        if at < 0:
            return section.line
        after = at + 1
        return section.body_line + section.body.count("\n", 0, at)

    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue  # comments
        tag = element.tag.lower()
        if tag == "script":
            report.error(
                "lesson-script",
                f"section '{section.title}': <script> is not allowed",
                "remove the <script> element; lessons cannot run their own code",
                line_of("<script"),
            )
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "srcdoc":
                report.error(
                    "lesson-event-handler",
                    f"section '{section.title}': the attribute {name}= runs code",
                    f'remove {name}="…" from the <{tag}> element',
                    line_of(name),
                )
            elif name.lower() in URL_ATTRIBUTES and _runs_code(value):
                report.error(
                    "lesson-javascript-url",
                    f"section '{section.title}': a javascript: link runs code",
                    "link to a page or a file instead",
                    line_of("script:"),  # Markdown turns tabs into spaces: the value may differ
                )
        if tag == "img" and not element.get("alt", "").strip():
            report.warning(
                "lesson-image-alt",
                f"section '{section.title}': the image '{element.get('src', '')}' has no alt text",
                "describe the image in the brackets, for screen readers: ![手洗いの手順](file.png)",
                line_of(element.get("src", "") or "<img"),
            )
        if tag in EMBEDDING_TAGS or tag == "img":
            for attribute in ("data",) if tag == "object" else ("src", "poster"):
                _local_file(
                    element, attribute, section, lesson_dir, lesson_id, report, result, line_of
                )
        if element.get("srcset") is not None:
            # Each candidate would have to be collected; one image that fits is enough here.
            report.error(
                "lesson-srcset",
                f"section '{section.title}': srcset (several sizes of one image) is not supported",
                "remove srcset and keep one image in src; it is scaled to fit the screen",
                line_of("srcset"),
            )
        if tag == "a" and element.get("href"):
            _link(element, section, lesson_dir, lesson_id, report, result, line_of)
        if tag == "table":
            _wrap_table(element)

    _join_cjk_lines(root)
    result.html = (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return result


def _local_file(element, attribute, section, lesson_dir, lesson_id, report, result, line_of):  # noqa: ANN001
    url = element.get(attribute)
    if not url or _runs_code(url):
        return
    parts = urlsplit(url)
    if parts.scheme or url.startswith("//"):
        report.error(
            "lesson-external-media",
            f"section '{section.title}': <{element.tag}> loads '{url}' from outside the "
            "course, which hospital networks block",
            "download the file, put it beside the lesson and link to it by name",
            line_of(url),
        )
        return
    package_href = _collect(
        parts.path, lesson_dir, lesson_id, section, report, result, line_of, url
    )
    if package_href:
        element.set(attribute, package_href)


def _link(element, section, lesson_dir, lesson_id, report, result, line_of):  # noqa: ANN001
    href = element.get("href")
    if _runs_code(href):
        return
    parts = urlsplit(href)
    if parts.scheme in ("http", "https") or href.startswith("//"):
        element.set("target", "_blank")
        element.set("rel", "noopener noreferrer")
    elif not parts.scheme and parts.path:
        package_href = _collect(
            parts.path, lesson_dir, lesson_id, section, report, result, line_of, href
        )
        if package_href:
            element.set("href", package_href + (f"#{parts.fragment}" if parts.fragment else ""))
            element.set("target", "_blank")


def _collect(path_text, lesson_dir, lesson_id, section, report, result, line_of, url):  # noqa: ANN001
    """Add a local file to the lesson's media; return its href from the lesson page."""
    course_dir = lesson_dir.parent.resolve()
    try:
        source = (lesson_dir / unquote(path_text)).resolve()
        exists = source.is_file()
    except (OSError, ValueError):  # a name no file system accepts (too long, NUL)
        source, exists = lesson_dir / "?", False
    if exists and not source.is_relative_to(course_dir):
        report.error(
            "lesson-file-outside",
            f"section '{section.title}': the file '{url}' is outside the course folder",
            "copy the file into the lessons folder, beside the lesson, and use its name",
            line_of(url),
        )
        return None
    if not exists:
        shown = Path(report.file).parent / unquote(path_text)
        report.error(
            "lesson-missing-file",
            f"section '{section.title}': the file '{url}' does not exist",
            f"put the file at {os.path.normpath(shown)} in the course folder, or correct "
            "the name (names are case-sensitive)",
            line_of(url),
        )
        return None
    # Named by content: two files called pic.png in different folders stay two files, the
    # same image used twice is packed once, and non-ASCII names (which LMSs mangle) go.
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    stem = source.stem if SAFE_FILE_NAME.fullmatch(source.stem) else "file"
    suffix = source.suffix.lower() if SAFE_FILE_NAME.fullmatch(source.suffix[1:]) else ""
    name = f"{stem}-{digest}{suffix}"
    result.media[f"{lesson_id}/media/{name}"] = source
    return f"media/{name}"


def _join_cjk_lines(root) -> None:  # noqa: ANN001
    """Drop line breaks between Japanese characters, also across inline markup
    (`**強調**\nです`), but not in code or text areas, where lines are content."""
    slots: list[tuple[object, str]] = []  # (element, "text" or "tail") in reading order

    def collect(element, verbatim: bool) -> None:  # noqa: ANN001
        verbatim = verbatim or (isinstance(element.tag, str) and element.tag in VERBATIM_TAGS)
        if isinstance(element.tag, str) and not verbatim:
            slots.append((element, "text"))
        for child in element:
            collect(child, verbatim)
            if not verbatim:
                slots.append((child, "tail"))

    collect(root, False)
    texts = [getattr(element, place) or "" for element, place in slots]
    for index, text in enumerate(texts):
        if "\n" not in text:
            continue
        before = next((t[-1] for t in reversed(texts[:index]) if t), "")
        after = next((t[0] for t in texts[index + 1 :] if t), "")
        # One character of context on each side, so a break at either end can be judged.
        joined = CJK_LINE_BREAK.sub("", f"{before or ' '}{text}{after or ' '}")[1:-1]
        if joined != text:
            texts[index] = joined
            element, place = slots[index]
            setattr(element, place, joined)


def _runs_code(url: str) -> bool:
    scheme = _IGNORED_IN_SCHEME.sub("", url).lower()
    return scheme.startswith(("javascript:", "vbscript:"))


# The wrapper's label in the course language ("表", "Table"): render.py puts it in.
TABLE_LABEL = 'aria-label="{table}"'


def _wrap_table(table) -> None:  # noqa: ANN001
    """Wide tables scroll sideways in their own keyboard-reachable box instead of the page."""
    wrapper = lxml_html.Element(
        "div", {"class": "table-scroll", "tabindex": "0", "role": "region", "aria-label": "{table}"}
    )
    table.addprevious(wrapper)
    wrapper.tail, table.tail = table.tail, None
    wrapper.append(table)
