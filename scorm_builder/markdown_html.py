"""Markdown to HTML with the extensions lesson authors use."""

from __future__ import annotations

import re

import markdown

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]]+)\](?!:)")


class MarkdownConverter:
    """Converts the sections of one lesson; all its pages end up in one HTML document."""

    def __init__(self, footnotes: dict[str, str]) -> None:
        self._footnotes = footnotes
        # UNIQUE_IDS numbers footnote ids per conversion, so ids stay unique across pages.
        self._markdown = markdown.Markdown(
            extensions=EXTENSIONS,
            extension_configs={"footnotes": {"UNIQUE_IDS": True, "BACKLINK_TITLE": "%d"}},
            output_format="html",
        )

    def convert(self, body: str) -> str:
        cited = dict.fromkeys(FOOTNOTE_REFERENCE.findall(body))
        definitions = [self._footnotes[name] for name in cited if name in self._footnotes]
        if definitions:
            body = body + "\n\n" + "\n".join(definitions) + "\n"
        self._markdown.reset()
        return self._markdown.convert(body)
