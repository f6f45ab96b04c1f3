"""The lesson's Markdown converts exactly as Python-Markdown converts it.

markdown_html offers a text only to the inline patterns that can match in it (a speed-up);
these tests convert the same Markdown with Python-Markdown's own inline processing and with
ours, and the HTML must be the same, character for character.
"""

from __future__ import annotations

from pathlib import Path

import markdown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown.extensions.footnotes import FootnoteExtension
from markdown.treeprocessors import InlineProcessor

from scorm_builder.markdown_html import EXTENSIONS, NEEDS, offer_only_matching_patterns

ROOT = Path(__file__).parent.parent

# Every inline construct of the extensions, and near misses of them.
SNIPPETS = [
    "`code` and ``two `ticks` `` and \\`not code\\` and \\\\`code after a backslash`",
    "\\*not em\\* \\_ \\[ \\< \\& \\\\ \\# \\! \\` \\{",
    "脚注です[^1]と[^note]。\n\n[^1]: 一つ目。\n[^note]: **二つ目**、`コード`。",
    '[link](https://example.org "title") [ref][r] [short] ![img](a.png) ![ref img][r]'
    " ![short img]\n\n[r]: https://example.org/r\n[short]: b.png",
    "<https://example.org/x?a=1&b=2> <mail@example.org> <not a link> < spaced >",
    "line ending in two spaces  \nnext line  \n",
    '<span class="x">raw</span> <b>bold<b> <!-- comment --> <br/> a < b > c',
    "&amp; &#12354; &#x3042; &copy; & alone &; &#xZZ;",
    "*em* **strong** ***both*** _em_ __strong__ ___both___ a*b*c snake_case_name * lone _ lone",
    "**強調**です。*斜体*と`コード`、[リンク](a.html)。\n改行は空白にならない。",
    "| a | b |\n| --- | --- |\n| *x* | `y` |\n| [z](z.html) | &amp; |",
    "- item *one*\n- item [two](t.html)\n\n1. first `c`\n2. second **b**",
    "## Heading with *markup* {: #custom-id .cls }\n\ntext {: .para }",
    "```python\n*not* `inline` [here]\n```\n\n    indented *code*",
    "> quote with **bold** and <em>html</em>\n> and a footnote[^q]\n\n[^q]: q.",
    "\\\\\\*escaped backslash then star\\* ``` `` ` \\`\\` [^] [^missing] []() ![]()",
]


def converter(filtered: bool) -> markdown.Markdown:
    footnotes = FootnoteExtension(BACKLINK_TITLE="%d")
    md = markdown.Markdown(
        extensions=[footnotes if name == "footnotes" else name for name in EXTENSIONS],
        output_format="html",
    )
    if filtered:
        offer_only_matching_patterns(md)
    return md


PLAIN, FILTERED = converter(False), converter(True)


def both(text: str) -> tuple[str, str]:
    return PLAIN.reset().convert(text), FILTERED.reset().convert(text)


def test_our_inline_processing_replaces_python_markdowns() -> None:
    inline = FILTERED.treeprocessors["inline"]
    assert isinstance(inline, InlineProcessor) and type(inline) is not InlineProcessor
    assert type(PLAIN.treeprocessors["inline"]) is InlineProcessor


def test_every_pattern_of_the_extensions_is_filtered_by_what_it_needs() -> None:
    # A pattern that is not in NEEDS is always tried: correct, but no faster. This fails if
    # Python-Markdown renames or adds one, so that NEEDS is looked at again.
    names = {item.name for item in FILTERED.inlinePatterns._priority}
    assert names <= set(NEEDS)


def test_the_lessons_convert_as_python_markdown_converts_them() -> None:
    lessons = [*ROOT.glob("source/lessons/*.md"), ROOT.parent / "shared/seed/llm-basics.md"]
    texts = [path.read_text(encoding="utf-8") for path in lessons if path.is_file()]
    assert texts
    for text in texts:
        plain, filtered = both(text)
        assert filtered == plain
        assert "<strong>" in plain or "<code>" in plain  # the lesson has inline markup


def test_each_inline_construct_converts_as_python_markdown_converts_it() -> None:
    for snippet in SNIPPETS:
        plain, filtered = both(snippet)
        assert filtered == plain, snippet


# Text made of the characters the patterns look for, and some that they do not.
pieces = [*"`\\[]()!<>&;#*_^:@/. \n-|{}=\"'ax1あ漢", "  \n", "http://", "```\n", "[^1]: "]
markdownish = st.lists(st.sampled_from(pieces), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
@example("*a `b* c` <d> &amp; [^x]\n\n[^x]: y")
def test_any_text_converts_as_python_markdown_converts_it(text: str) -> None:
    plain, filtered = both(text)
    assert filtered == plain
