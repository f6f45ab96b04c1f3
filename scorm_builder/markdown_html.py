"""A lesson's Markdown as one Python-Markdown tree, with the extensions lesson authors use.

Each lesson is converted once: the preprocessors, the block parser and the tree processors
run as in `Markdown.convert`, but the tree is handed back instead of serialised, so that the
lesson reader can split it into pages, check it and adjust it; each page is then serialised
on its own (`serialise`). Raw HTML stays in Markdown's stash until then, so that it can be
sanitised fragment by fragment (`raw_html`).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.fenced_code import FencedBlockPreprocessor, FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import ETX, STX, AtomicString

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
PLACEHOLDER = re.compile(f"{STX}wzxhzdk:(\\d+){ETX}")
AMP = f"{STX}amp{ETX}"
# Japanese has no spaces between words: a line break inside a paragraph must not become one.
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_PLACEHOLDERS = f"(?:{STX}wzxhzdk:\\d+{ETX})*"  # raw HTML tags between the characters
CJK_LINE_BREAK = re.compile(f"([{_CJK}]{_PLACEHOLDERS})\n(?={_PLACEHOLDERS}[{_CJK}])")
VERBATIM_TAGS = ("pre", "code", "textarea")  # where a line break is content
# Between these, a line break only lays out the HTML: it is no text to join.
BLOCK_TAGS = frozenset(
    "address blockquote dd details div dl dt figcaption figure h1 h2 h3 h4 h5 h6 hr li ol p "
    "pre summary table tbody td tfoot th thead tr ul".split()
)


@dataclass
class ParsedLesson:
    """The lesson's tree, and where in Markdown's stash each kind of raw HTML sits."""

    root: etree.Element
    raw_html: list[str]  # Markdown's stash: replace entries to change what is shipped
    code_blocks: range  # stash entries made by fenced code (our Markdown's own escaping)
    html_blocks: range  # raw HTML blocks as the author wrote them
    html_tags: range  # single tags, comments and entities cut out of paragraphs
    source_of_heading: dict[etree.Element, str]  # heading element -> its Markdown text


# EXTENSIONS as instances, not names: Markdown looks a name up among every installed package's
# entry points, and importlib.metadata is a tenth of the time a build takes to start.
_EXTENSIONS: dict[str, Callable[[], Extension]] = {
    "tables": TableExtension,
    "fenced_code": FencedCodeExtension,
    "footnotes": functools.partial(FootnoteExtension, BACKLINK_TITLE="%d"),
    "sane_lists": SaneListExtension,
    "attr_list": AttrListExtension,
}


class LessonMarkdown:
    """One Markdown instance, reused for every lesson a process reads (making one is costly).

    `Markdown.reset()` between lessons clears every piece of state, footnotes included, so a
    lesson's HTML never depends on what was converted before it.
    """

    def __init__(self) -> None:
        self._markdown = markdown.Markdown(
            extensions=[_EXTENSIONS[name]() for name in EXTENSIONS], output_format="html"
        )
        offer_only_matching_patterns(self._markdown)
        self._headings = _HeadingSource(self._markdown)
        # Before inline processing, while headings still hold their Markdown text.
        self._markdown.treeprocessors.register(self._headings, "heading-source", 25)
        # After everything else: the text as it will be shown.
        self._markdown.treeprocessors.register(_JapaneseLines(self._markdown), "japanese", -10)

    def parse(self, text: str) -> ParsedLesson:
        md = self._markdown
        md.reset()
        self._headings.found = {}
        lines = text.split("\n")
        stash = md.htmlStash.rawHtmlBlocks
        code_end = 0
        for preprocessor in md.preprocessors:
            lines = preprocessor.run(lines)
            if isinstance(preprocessor, FencedBlockPreprocessor):
                code_end = len(stash)
        root = md.parser.parseDocument(lines).getroot()
        assert root is not None  # parseDocument always makes the document element
        blocks_end = len(stash)
        for treeprocessor in md.treeprocessors:
            replaced = treeprocessor.run(root)
            if replaced is not None:
                root = replaced
        # The stash may hold elements too: as text, every entry is judged the same way.
        raw_html = [e if isinstance(e, str) else md.serializer(e) for e in stash]
        stash[:] = raw_html  # in place: Markdown puts its own list back into the pages
        return ParsedLesson(
            root=root,
            raw_html=stash,  # type: ignore[arg-type]  # strings only now, see above
            code_blocks=range(code_end),
            html_blocks=range(code_end, blocks_end),
            html_tags=range(blocks_end, len(stash)),
            source_of_heading=self._headings.found,
        )

    def serialise(self, elements: list[etree.Element]) -> str:
        """The HTML of some top-level elements of the last parsed lesson, raw HTML put back."""
        holder = etree.Element("div")
        holder.extend(elements)
        return self.serialise_inside(holder)

    def serialise_inside(self, element: etree.Element) -> str:
        """The HTML inside `element` (without its own tags), raw HTML put back."""
        output: str = self._markdown.serializer(element)
        start = output.index(">") + 1
        end = output.rindex("</")
        output = output[start:end].strip()
        for postprocessor in self._markdown.postprocessors:
            output = postprocessor.run(output)
        return output.strip()


def plain_text(element: etree.Element, raw_html: list[str]) -> str:
    """What a heading says, without its markup: for titles, the contents and the manifest."""

    def raw(found: re.Match[str]) -> str:
        fragment = raw_html[int(found.group(1))]
        return html.unescape(fragment) if fragment.startswith("&") else ""

    text = PLACEHOLDER.sub(raw, "".join(element.itertext()))
    return " ".join(text.replace(AMP, "&").split())


# For each inline pattern of these extensions (by its name in Python-Markdown's registry),
# characters of which a text must hold one for the pattern to match in it. A pattern not
# named here (a new one, another extension's) is always tried.
NEEDS: dict[str, str] = {
    "backtick": "`",
    "escape": "\\",
    "footnote": "^",
    "reference": "[",
    "link": "[",
    "image_link": "!",
    "image_reference": "!",
    "short_reference": "[",
    "short_image_ref": "!",
    "autolink": "<",
    "automail": "<",
    "linebreak": "\n",
    "html": "<",
    "entity": "&",
    "em_strong": "*_",
    "em_strong2": "_",
    "not_strong": "*_",
}


def offer_only_matching_patterns(md: markdown.Markdown) -> None:
    """Replace `md`'s inline processing by one that is the same but faster (_FilteredInline)."""
    md.treeprocessors.register(_FilteredInline(md), "inline", 20)


class _FilteredInline(InlineProcessor):
    """Python-Markdown's inline processing, which offers a text only to the patterns that
    can match in it.

    Python-Markdown tries each of its patterns (fifteen with these extensions) on every text
    of the tree, and a lesson's prose holds none of most patterns' characters: skipping them
    makes converting a lesson a third faster (the 200 lessons of scripts/bench). It changes
    nothing: a match only ever removes characters from the text, adding a placeholder that
    holds none of these, so a pattern skipped could not have matched later either (and
    tests/test_markdown_html.py compares the HTML with Python-Markdown's own processor's).
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._triggers = frozenset("".join(NEEDS.values()))
        self._tried: dict[frozenset[str], tuple[int, ...]] = {}  # by the triggers a text has

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self._patterns = list(self.inlinePatterns)  # the registry sorts again on every lookup
        needs = {
            id(self.inlinePatterns[n]): c for n, c in NEEDS.items() if n in self.inlinePatterns
        }
        self._needs = [needs.get(id(pattern)) for pattern in self._patterns]
        self._tried.clear()
        return super().run(tree, ancestors)

    def _tried_for(self, present: frozenset[str]) -> tuple[int, ...]:
        return tuple(
            index
            for index, needs in enumerate(self._needs)
            if needs is None or not present.isdisjoint(needs)
        )

    # Replaces InlineProcessor.__handleInline (a private method: the name is mangled), with
    # the same steps on the patterns it tries.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        present = self._triggers.intersection(data)
        tried = self._tried.get(present)
        if tried is None:
            tried = self._tried[present] = self._tried_for(present)
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        for index in tried:
            if index >= patternIndex:
                pattern = self._patterns[index]
                matched, start = True, 0
                while matched:  # again after a match, from just after it
                    data, matched, start = apply(pattern, data, index, start)
        return data


class _HeadingSource(Treeprocessor):
    """Remembers each top-level heading's Markdown text, for its line in the lesson file."""

    found: dict[etree.Element, str]

    def run(self, root: etree.Element) -> None:
        self.found = {child: child.text or "" for child in root if child.tag in ("h1", "h2")}


class _JapaneseLines(Treeprocessor):
    """A line break between Japanese characters is no space, also across inline markup
    (`**強調**\\nです`), but in code and text areas lines are content."""

    def run(self, root: etree.Element) -> None:
        slots: list[tuple[etree.Element, str]] = []  # (element, "text" or "tail") in order

        def collect(element: etree.Element, verbatim: bool) -> None:
            verbatim = verbatim or element.tag in VERBATIM_TAGS
            if not verbatim:
                slots.append((element, "text"))
            for child in element:
                collect(child, verbatim)
                if not verbatim:
                    slots.append((child, "tail"))

        collect(root, False)
        # Raw HTML tags between the characters do not separate them.
        texts = [PLACEHOLDER.sub("", getattr(element, place) or "") for element, place in slots]
        # The first character after each text (later texts are not joined yet when it is read).
        after = [" "] * len(texts)
        for index in range(len(texts) - 1, 0, -1):
            after[index - 1] = texts[index][0] if texts[index] else after[index]
        before = " "  # the last character before this text, as joined so far
        for index, (element, place) in enumerate(slots):
            value = getattr(element, place) or ""
            if "\n" in value and not (
                element.tag in BLOCK_TAGS and (place == "tail" or not value.strip())
            ):
                # One character of context on each side, so a break at either end is judged.
                joined = CJK_LINE_BREAK.sub(r"\1", f"{before}{value}{after[index]}")[1:-1]
                if joined != value:
                    setattr(element, place, joined)
                    texts[index] = PLACEHOLDER.sub("", joined)
            if texts[index]:
                before = texts[index][-1]
