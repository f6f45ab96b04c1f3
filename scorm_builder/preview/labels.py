"""The preview page in the language the command speaks: its panel labels and buttons.

    page = preview_page()    # preview.html, its labels in the active language

preview.html is written in English, like every message id. Each label below is an exact
text of that page (the text of an element, or an aria-label or title): the page is served
with each one replaced by its translation, and the `lang` of the page set to match. The few
words preview.js writes itself are given to it as JSON in the page (`#preview-text`).
The names of the SCORM data (cmi.core.lesson_status, score.raw...) stay as they are: they
are what the LMS and its documentation call them.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from scorm_builder.i18n import N_, _, current_language

PAGE = Path(__file__).parent / "preview.html"

LABELS = (
    N_("Preview – scorm-builder"),
    N_("Course"),
    N_("preview: a strict SCORM 1.2 LMS on your machine"),
    N_("Close and relaunch"),
    N_("Reset all progress"),
    N_("Lessons (SCOs)"),
    N_("The course has errors: fix them and save, the preview rebuilds by itself"),
    N_("Lesson"),
    N_("What the LMS holds"),
    N_("Objectives"),
    N_("Interactions"),
    N_("API calls"),
)
# The words of preview.js, by the English it falls back to.
SCRIPT_TEXTS = (
    N_("launch phase"),
    N_("{count} / {limit} characters"),
)


def preview_page(page: str | None = None) -> str:
    """preview.html (or `page`) with its labels in the active language."""
    text = PAGE.read_text(encoding="utf-8") if page is None else page
    for label in LABELS:
        shown = html.escape(_(label), quote=True)
        escaped = re.escape(html.escape(label, quote=True))
        # The whole text of an element (before its first child, as in "API calls <small>"),
        # or the whole value of an attribute.
        text = re.sub(
            f'(>){escaped}(\\s*<)|(="){escaped}(")', functools.partial(_around, shown=shown), text
        )
    words = json.dumps({word: _(word) for word in SCRIPT_TEXTS}, ensure_ascii=False)
    script = f'<script type="application/json" id="preview-text">{_json_in_html(words)}</script>'
    text = text.replace('<html lang="en">', f'<html lang="{current_language()}">', 1)
    return text.replace("</head>", f"{script}\n</head>", 1)


def _around(found: re.Match[str], shown: str) -> str:
    before, after = (found[1], found[2]) if found[1] else (found[3], found[4])
    return f"{before}{shown}{after}"


def _json_in_html(text: str) -> str:
    # Inside <script>, only "</" could end it early.
    return text.replace("</", "<\\/")
