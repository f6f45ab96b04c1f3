"""Ship the run-time's JavaScript and CSS without comments and indentation.

Every SCO loads them on every launch, often over a slow hospital network, so the package
carries them small; the readable source stays in templates/static/. Only comments and
whitespace go: strings, template literals and regular expressions are copied as they are,
and line breaks stay (JavaScript's automatic semicolons depend on them), so the minified
file runs exactly as the source does.
"""

from __future__ import annotations

import re

_JS_TOKEN = re.compile(
    r"""
    (?P<comment>//[^\n]*|/\*[\s\S]*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*')
  | (?P<newline>[ \t]*\n\s*)
  | (?P<space>[ \t]+)
  | (?P<word>[\w$]+)
  | (?P<template>`)
  | (?P<slash>/)
  | (?P<other>[^\s\w$"'`/]+)
    """,
    re.VERBOSE,
)
# After these a `/` starts a regular expression, not a division.
_BEFORE_REGEX_WORDS = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
    "do", "else", "yield", "await",
}  # fmt: skip
_REGEX_BODY = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")


def minify_js(source: str) -> str:
    out: list[str] = []
    previous = ""  # the last token that was not a comment or whitespace
    position = 0
    pending = ""  # whitespace to emit before the next token: "", " " or "\n"
    while position < len(source):
        match = _JS_TOKEN.match(source, position)
        assert match is not None  # the alternatives above cover every character
        kind, text = match.lastgroup, match.group()
        if kind == "comment":
            if "\n" in text:
                pending = "\n"
            elif not pending:
                pending = " "
            position = match.end()
            continue
        if kind in ("newline", "space"):
            if kind == "newline" or not pending:
                pending = "\n" if kind == "newline" else " "
            position = match.end()
            continue
        if kind == "template":
            text = source[position : _template_end(source, position)]
        elif kind == "slash" and _starts_regex(previous):
            regex = _REGEX_BODY.match(source, position)
            if regex is not None:
                text = regex.group()
        if pending and out and _needs_space(previous, text, pending):
            out.append(pending)
        pending = ""
        out.append(text)
        previous = text
        position += len(text)
    return "".join(out) + "\n"


def _needs_space(before: str, after: str, space: str) -> bool:
    """Whether the whitespace between two tokens must stay (as one space or line break).

    Line breaks stay, for automatic semicolon insertion, except after `;`, `{` or `,` and
    before `}`, where no statement can continue or end differently. A space stays between
    two words (`return x`), between `+ +` or `- -` (not `++`), next to a `/` (a division, a
    regular expression or a comment must not be made of it) and before a `.` after a number.
    """
    last, first = before[-1], after[0]
    if space == "\n":
        return last not in ";{," and first != "}"
    if _is_word(last) and _is_word(first):
        return True
    if (last, first) in (("+", "+"), ("-", "-")) or "/" in (last, first):
        return True
    return first == "." and before[-1].isdigit()


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_$\\" or ord(char) > 127


def _starts_regex(previous: str) -> bool:
    if not previous:
        return True
    if previous[-1].isalnum() or previous[-1] in "_$":
        return previous in _BEFORE_REGEX_WORDS
    return previous[-1] not in ")]}\"'`"


def _template_end(source: str, start: int) -> int:
    """The index just after the template literal starting at `start` (nested ${...} too)."""
    position = start + 1
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
        elif char == "`":
            return position + 1
        elif source.startswith("${", position):
            position = _expression_end(source, position + 2)
        else:
            position += 1
    return len(source)


def _expression_end(source: str, position: int) -> int:
    depth = 1
    while position < len(source):
        char = source[position]
        if char in "\"'":
            string = _JS_TOKEN.match(source, position)
            position = string.end() if string and string.lastgroup == "string" else position + 1
        elif char == "`":
            position = _template_end(source, position)
        elif char == "{":
            depth, position = depth + 1, position + 1
        elif char == "}":
            depth, position = depth - 1, position + 1
            if depth == 0:
                return position
        else:
            position += 1
    return len(source)


_CSS_TOKEN = re.compile(
    r"""
    (?P<comment>/\*[\s\S]*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*')
  | (?P<space>\s+)
  | (?P<other>[^\s"'/]+|/)
    """,
    re.VERBOSE,
)
# No space is needed next to these (but not ':' or '(': `a :hover` is not `a:hover`).
_CSS_TIGHT = set("{};,>")


def minify_css(source: str) -> str:
    out: list[str] = []
    pending = False
    for match in _CSS_TOKEN.finditer(source):
        kind, text = match.lastgroup, match.group()
        if kind in ("comment", "space"):
            pending = True
            continue
        # After a ':' a space is never needed: in a declaration it means nothing, and in a
        # selector a pseudo-class cannot be written with one (`a: hover` is not valid).
        tight = out and (out[-1][-1] in _CSS_TIGHT or out[-1][-1] == ":")
        if pending and out and not tight and text[0] not in _CSS_TIGHT and text[0] != "!":
            out.append(" ")
        pending = False
        if kind == "other":
            # The last declaration of a block needs no ';' (outside strings, ';}' is only that).
            text = text.replace(";}", "}")
            if text[0] == "}" and out and out[-1].endswith(";") and out[-1][0] not in "\"'":
                out[-1] = out[-1][:-1]
        out.append(text)
    return "".join(out) + "\n"


def minify(name: str, data: bytes) -> bytes:
    """`data` minified if `name` is a .js or .css file, else as it is."""
    if name.endswith(".js"):
        return minify_js(data.decode("utf-8")).encode("utf-8")
    if name.endswith(".css"):
        return minify_css(data.decode("utf-8")).encode("utf-8")
    return data
