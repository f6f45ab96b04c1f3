"""Markdown to HTML with the extensions lesson authors use."""

from __future__ import annotations

import re

import markdown
from markdown.extensions.footnotes import FootnoteExtension

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]]+)\](?!:)")


class MarkdownConverter:
    """Converts lesson sections; one per build, since making a Markdown instance is costly.

    All pages of a lesson end up in one HTML document, so footnote ids must differ between
    pages: they carry the page number (fn:3-1), which also keeps a page's HTML the same
    whatever else the build converted before it.
    """

    def __init__(self) -> None:
        self._footnotes = FootnoteExtension(UNIQUE_IDS=True, BACKLINK_TITLE="%d")
        self._markdown = markdown.Markdown(
            extensions=[self._footnotes if name == "footnotes" else name for name in EXTENSIONS],
            output_format="html",
        )

    def convert(self, body: str, footnotes: dict[str, str], page: int) -> str:
        """`footnotes`: the lesson's definitions, so a page can cite one defined elsewhere."""
        cited = dict.fromkeys(FOOTNOTE_REFERENCE.findall(body))
        definitions = [footnotes[name] for name in cited if name in footnotes]
        if definitions:
            body = body + "\n\n" + "\n".join(definitions) + "\n"
        self._footnotes.unique_prefix = page - 1  # reset() adds one
        self._markdown.reset()
        return self._markdown.convert(body)
