"""Reading the authors' TOML files (course settings, quizzes) with errors they can act on.

The TOML parser gives values without positions and messages written for programmers. This
module adds what authors need: a syntax error in their words at the line where the
mistake is (where the unclosed list opens, where the backslash is), and `SourceLines`,
the one place that finds the line of a key, a value or a block in the source.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from scorm_builder.i18n import N_, _
from scorm_builder.numbers import plain_decimal
from scorm_builder.problems import Problem
from scorm_builder.text_file import read_text

# No course.toml or quiz comes near this (a 100-question quiz is about 60 KB); a bigger
# file is the wrong file, and parsing it would only make the author wait.
MAX_BYTES = 1_000_000

_QUOTES = N_('text values need "double quotes" at both ends; numbers and true/false need none')
_BACKSLASH = N_("in double quotes a backslash \\ starts an escape code such as \\n (a line break)")
# tomllib's messages are written for programmers; authors get these instead.
# Keyed by the start of tomllib's message: (what is wrong, what to do).
_SYNTAX_HELP = {
    "Illegal character '\\n'": (
        N_("a text value has no closing double quote"),
        N_('add the missing " at the end of the text'),
    ),
    "Unterminated string": (
        N_("a text value has no closing quote"),
        N_('add the missing " (or """) at the end of the text'),
    ),
    'Expected "\'"': (N_("a text value has no closing quote"), N_("add the missing ' at the end")),
    "Expected \"'''\"": (
        N_("a text value has no closing quote"),
        N_("add the missing ''' at the end"),
    ),
    "Illegal character": (
        N_("the line has an invisible control character"),
        N_("retype the line; the character often comes from copying text out of another program"),
    ),
    "Invalid value": (N_("the value is not a text, a number or true/false"), _QUOTES),
    "Expected newline or end of document": (
        N_("there is something after the value on this line"),
        N_("put each setting on its own line; {quotes}"),
    ),
    "Expected '=' after a key": (
        N_("the line is not of the form: name = value"),
        N_("add '=' between the name and the value, or remove the line"),
    ),
    "Invalid statement": (
        N_("the line is not of the form: name = value"),
        N_("write the setting as: name = value, or remove the line"),
    ),
    "Invalid initial character for a key": (
        N_("the setting name is not valid"),
        N_("setting names are ASCII letters, digits, '_' and '-', for example: pass_mark"),
    ),
    "Cannot overwrite a value": (
        N_("this setting is written twice"),
        N_("keep one of the two lines"),
    ),
    "Cannot declare": (
        N_("this block is declared twice"),
        N_("merge the two blocks or rename one"),
    ),
    "Unclosed array": (
        N_("a list [ ... ] is not closed, or its items are not separated by commas"),
        N_('write lists as ["first", "second"]: commas between items and ] at the end'),
    ),
    "Unclosed inline table": (N_("a { ... } is not closed"), N_("add the missing } at the end")),
    "Expected ']": (N_("a [block] heading is not closed"), N_("add the missing ] (or ]])")),
}
# Both mean a backslash that does not start a valid escape: a Windows path, usually.
_BAD_ESCAPE = (
    "Unescaped '\\' in a string",
    "Invalid hex value",
    "Escaped character is not a Unicode scalar value",
)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[btnfr\"\\]|[ \t]*$)")
# A key (the first part of a dotted one) and its value.
_KEY_LINE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*[^=]+)?\s*=\s*(.*)$""")
_HEADER = re.compile(r"""^[ \t]*(\[\[?)[ \t]*([A-Za-z0-9_.-]+)[ \t]*\]\]?[ \t]*(#.*)?$""", re.M)


@dataclass(frozen=True)
class TomlFile:
    data: dict[str, Any]
    text: str  # the source, to find the line of a key (tomllib gives no positions)

    @functools.cached_property
    def lines(self) -> SourceLines:
        return SourceLines(self.text)


@dataclass(frozen=True)
class Header:
    line: int
    name: str
    array: bool  # [[name]] rather than [name]


class SourceLines:
    """Finds where things are in a TOML source: keys, quoted values, [[block]] headers."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.headers = []
        line, counted = 1, 0
        for found in _HEADER.finditer(text):
            line += text.count("\n", counted, found.start())
            counted = found.start()
            self.headers.append(Header(line, found.group(2), found.group(1) == "[["))

    def top_end(self) -> int | None:
        """The first line after the top-level settings (the first block header), if any."""
        return self.headers[0].line if self.headers else None

    def blocks(self, name: str) -> list[tuple[int, int | None]]:
        """(header line, end line) of each [[name]] block, in order."""
        bounds = []
        for index, header in enumerate(self.headers):
            if header.name == name and header.array:
                following = self.headers[index + 1 :]
                bounds.append((header.line, following[0].line if following else None))
        return bounds

    def key(self, key: str, start: int = 1, end: int | None = None) -> int | None:
        """The first line in [start, end) that assigns `key`; at the top level, a table header
        that makes it ([key] or [key.sub...], many levels deep at times) counts as well."""
        for number, line in self._numbered(start, end):
            found = _KEY_LINE.match(line)
            if found and found.group(1).strip("\"'") == key:
                return number
        if start > 1:
            return None
        return next((h.line for h in self.headers if h.name.split(".")[0] == key), None)

    def span(self, key: str, start: int = 1, end: int | None = None) -> tuple[int, int | None]:
        """The lines of `key`'s value in [start, end): from its line to the next key's.
        The whole range when the key is not found."""
        first = self.key(key, start, end)
        if first is None:
            return start, end
        for number, line in self._numbered(first + 1, end):
            if _KEY_LINE.match(line) or _HEADER.match(line):
                return first, number
        return first, end

    def value(
        self, value: str, start: int = 1, end: int | None = None, after: int | None = None
    ) -> int | None:
        """The first line in [start, end), below line `after`, where `value` is quoted."""
        quoted = (json.dumps(value, ensure_ascii=False), f'"{value}"', f"'{value}'")
        for number, line in self._numbered(start, end):
            if (after is None or number > after) and any(q in line for q in quoted):
                return number
        return None

    def escape(self, character: str, start: int = 1, end: int | None = None) -> int | None:
        """The first line in [start, end) with an escape code that writes `character`."""
        codes = [f"(?i:(?:u|U0000){ord(character):04x})"]
        codes += [re.escape(short) for short, meant in _SHORT_ESCAPES.items() if meant == character]
        pattern = re.compile(r"\\(?:" + "|".join(codes) + ")")
        for number, line in self._numbered(start, end):
            if pattern.search(line):
                return number
        return None

    def text(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def _numbered(self, start: int, end: int | None) -> Iterator[tuple[int, str]]:
        stop = len(self.lines) if end is None else end - 1
        for number in range(max(start, 1), stop + 1):
            yield number, self.lines[number - 1]


_SHORT_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}


def read_toml(
    path: Path, shown_as: str, problems: list[Problem], *, course_dir: Path | None = None
) -> TomlFile | None:
    """Parse a TOML file; on a syntax error add a problem with its line and return None.

    With `course_dir`, a file resolving outside it is refused (see read_text)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_text says what is wrong with it
    if size > MAX_BYTES:
        problems.append(
            Problem(
                "toml-too-large",
                "error",
                shown_as,
                _("the file is {size} MB; a course.toml or quiz file is at most {limit} MB").format(
                    size=f"{size / 1_000_000:.1f}", limit=MAX_BYTES // 1_000_000
                ),
                _("check that this is the right file (a quiz of 100 questions is about 60 KB)"),
            )
        )
        return None
    text = read_text(path, shown_as, problems, course_dir=course_dir)
    if text is None:
        return None
    try:
        return TomlFile(_parse(text), text)
    except (tomli.TOMLDecodeError, tomllib.TOMLDecodeError) as error:
        reason, fix, line = _explain(str(error), text)
    except RecursionError:
        reason = _("lists [ ] or tables { } are nested hundreds of levels deep")
        fix = _("no setting needs more than a list inside a list: remove the extra brackets")
        line = _Scan(text).deepest
    problems.append(
        Problem(
            "toml-syntax",
            "error",
            shown_as,
            _("this file is not valid TOML: {reason}").format(reason=reason),
            fix,
            line,
        )
    )
    return None


def _parse(text: str) -> dict[str, Any]:
    """tomli's compiled parser (twice as fast as tomllib, the same code and messages, since
    tomllib is tomli as Python took it in); it refuses nesting beyond 400 levels, dotted table
    names included, where tomllib reads a deep dotted name (its keys are then reported one by
    one, as settings or questions) and stops only at brackets nested past Python's limit."""
    try:
        return tomli.loads(text)
    except RecursionError:
        return tomllib.loads(text)


def _explain(message: str, text: str) -> tuple[str, str, int | None]:
    """tomllib's message in an author's words: what is wrong, the fix and the line."""
    found = re.search(r"\(at line (\d+), column \d+\)", message)
    line = int(found.group(1)) if found else None
    raw = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if raw.startswith(_BAD_ESCAPE) and line is not None:
        return (*_bad_escape(SourceLines(text).text(line)), line)
    other = _other_format(text)
    if other and raw.startswith(("Invalid statement", "Expected '=' after a key")):
        return (
            _("it looks like {format}, not TOML").format(format=_(other)),
            _(
                "write each setting as name = value, and each question as a [[questions]] block "
                "(see the example in the README)"
            ),
            line,
        )
    reason, fix = next(
        (help for start, help in _SYNTAX_HELP.items() if raw.startswith(start)),
        (raw, N_("check quotes, brackets and '=' on that line; {quotes}")),
    )
    # tomllib's own words (raw) have no translation: they are shown as they are.
    reason, fix = _(reason), _(fix).replace("{quotes}", _(_QUOTES))
    scan = _Scan(text) if line is None or raw.startswith(_LEFT_OPEN) else None
    if scan and scan.unclosed:
        # Where the list or the text opens, not where tomllib gave up (often the end).
        line, opener = scan.unclosed
        if not raw.startswith(_LEFT_OPEN):  # tomllib only noticed at the end of the file
            reason, fix = map(_, _SYNTAX_HELP[_LEFT_OPEN_HELP[opener]])
    elif raw.startswith("Cannot overwrite a value"):
        line = _second_assignment(text) or line
    return reason, fix, line


_LEFT_OPEN = ("Unclosed array", "Unclosed inline table", "Unterminated string", "Expected \"'")
_LEFT_OPEN_HELP = {
    "[": "Unclosed array",
    "{": "Unclosed inline table",
    '"': "Illegal character '\\n'",
    "'": 'Expected "\'"',
    '"""': "Unterminated string",
    "'''": "Expected \"'''\"",
}


def _bad_escape(source_line: str) -> tuple[str, str]:
    """A backslash that starts no escape code: almost always a Windows path or a ¥ sign."""
    codes = [
        m.group() for m in re.finditer(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.?)", source_line)
    ]
    wrong = next((code for code in codes if not _ESCAPE.match(code)), None)
    if wrong is None:  # well formed, but no character has that number (\uD800)
        wrong = next((code for code in codes if not _is_character(code)), "\\")
        message = _("the escape code '{code}' is not a character").format(code=wrong)
        return message, _("write the character itself")
    message = _("{backslash}, and '{code}' is not one").format(
        backslash=_(_BACKSLASH), code=wrong[:2]
    )
    return message, backslash_fix(source_line)


def _is_character(code: str) -> bool:
    if code[1:2] not in ("u", "U"):
        return True
    number = int(code[2:], 16)
    return number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF


def _other_format(text: str) -> str | None:
    """What a file that is not TOML was written in, when it is clear: JSON or YAML."""
    first = next((line.strip() for line in text.split("\n") if line.strip()[:1] not in "#"), "")
    if first.startswith("{") or first.startswith('["') or first == "[":
        return N_("JSON")
    if re.match(r"^[A-Za-z0-9_-]+\s*:(\s|$)", first) or first == "---":
        return N_("YAML (name: value)")
    return None


def backslash_fix(source_line: str) -> str:
    """How to write the text of this line so that its backslashes stay backslashes."""
    found = _KEY_LINE.match(source_line)
    written = found and re.fullmatch(r'"([^"]*)"\s*(#.*)?', found.group(2).strip())
    if found and written and "'" not in written.group(1):
        return _(
            "to write a backslash, put the text in single quotes: {key} = '{text}' "
            "(or write each \\ twice inside double quotes)"
        ).format(key=found.group(1), text=written.group(1))
    return _("to write a backslash, write it twice (\\\\) or put the text in single quotes")


def _second_assignment(text: str) -> int | None:
    """The line that assigns a key already assigned in the same block."""
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if _HEADER.match(line):
            seen = set()
        elif found := _KEY_LINE.match(line):
            key = found.group(1).strip("\"'")
            if key in seen:
                return number
            seen.add(key)
    return None


_DEEP = 50


class _Scan:
    """Brackets and quotes of a TOML source, outside strings and comments (for errors only)."""

    _TOKEN = re.compile(r'"""|\'\'\'|\\.|["\'#\[\]{}\n]', re.DOTALL)
    _STRINGS = ('"', "'", '"""', "'''")

    def __init__(self, text: str) -> None:
        # The innermost bracket or quote left open, and its line.
        self.unclosed: tuple[int, str] | None = None
        # Where the brackets are first nested deeper than any real file nests them.
        self.deepest: int | None = None
        line, depth, deepest = 1, 0, 0
        opened: list[tuple[str, int]] = []  # (bracket or quote, its line)
        comment = False
        for token in self._TOKEN.finditer(text):
            mark = token.group()
            quote = opened[-1][0] if opened and opened[-1][0] in self._STRINGS else None
            if mark.endswith("\n"):
                line += 1
                comment = False
                if quote in ('"', "'"):  # a one-line string ends with its line, closed or not
                    opened.pop()
                continue
            if comment:
                continue
            if quote:
                # In 'literal' strings a backslash is just a character, so \' closes them.
                if mark == quote or (quote == "'" and mark == "\\'"):
                    opened.pop()
            elif mark == "#":
                comment = True
            elif mark in self._STRINGS:
                opened.append((mark, line))
            elif mark in "[{":
                opened.append((mark, line))
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if depth <= _DEEP or self.deepest is None:
                        self.deepest = line
            elif mark in "]}" and opened:
                opened.pop()
                depth -= 1
        self.unclosed = (opened[-1][1], opened[-1][0]) if opened else None


def as_written(value: Any) -> str:
    """A value the way the author wrote it in TOML ("80%", true, 0.0000001), shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = plain_decimal(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def closest(name: str, known: Sequence[str]) -> str:
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return _("did you mean '{name}'? ").format(name=match[0]) if match else ""
