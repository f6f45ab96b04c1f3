"""The authors' TOML files as tables of keys, and the one reader that checks them.

Each kind of block (course.toml, a quiz's settings, a question, an objective) is a
`Schema`: its keys in the order authors read them, each with its default and the
rules its value must keep, each rule with the message and the fix an author reads
when it is broken. `read_block` checks one block against its schema, so that unknown
keys (with "did you mean"), the line of each mistake, and invisible characters in
texts are handled once, the same way in every file.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from scorm_builder.i18n import N_, _
from scorm_builder.numbers import decimals
from scorm_builder.problems import FileProblems, Severity
from scorm_builder.toml_file import SourceLines, as_written, backslash_fix, closest

# line: a text on one line (a title, an id); text: several lines allowed (a question);
# lines: a list of one-line texts (choices); None: not a text.
TextKind = Literal["line", "text", "lines"] | None

# Characters that no page may show and no manifest may hold (lxml refuses them). Raw
# ones are refused when the file is read; these are the ones written as escape codes.
# The bidirectional overrides and isolates too: they show a text in another order than
# it is stored (and no Japanese or English course needs them).
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
# Zero-width characters in a title or an id (often copied in from a web page) make two that
# look the same differ, in the LMS's lists as here: an error too. Not in longer texts,
# where the zero-width joiner builds emoji such as 👩‍⚕️; nor the joiners in titles, for that.
_ZERO_WIDTH = "\u200b\u2060\ufeff"
_UNWANTED_IN_LINE = re.compile(rf"{_INVISIBLE.pattern}|[\t\n\r\u2028\u2029{_ZERO_WIDTH}]")
_SHORT_ESCAPED = re.compile(r"[\t\n\r]")
_ESCAPE_NAMES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


@dataclass(frozen=True)
class Rule:
    """What a value must be. `message` and `fix` may use {key}, {value} (as written in TOML),
    {text} (the text itself), {length} and {suggestion} ("did you mean 'x'? ", from
    `suggest`), and the names in `values`. Both are English message ids (marked with N_),
    translated when the rule is broken; a text in `values` is translated too."""

    holds: Callable[[Any], bool]
    message: str
    fix: str
    suggest: Sequence[str] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Need:
    """What to say when a key is left out (or left empty): English message ids (N_)."""

    message: str
    fix: str
    severity: Severity = "error"


@dataclass(frozen=True)
class Key:
    name: str
    default: Any = None
    rules: tuple[Rule, ...] = ()
    text: TextKind = None
    need: Need | None = None  # None: the key may be left out
    gate: bool = False  # when this value is wrong, the rest of the block is not checked
    item: str = N_("item")  # what one item of a list of texts is called in messages


@dataclass(frozen=True)
class Schema:
    name: str  # the first part of the problems' rule names: course, quiz, question
    keys: tuple[Key, ...]
    listing: str  # how the fix of an unknown key lists the keys: "the settings are: {keys}"

    @functools.cached_property
    def names(self) -> list[str]:
        return [key.name for key in self.keys]

    @functools.cached_property
    def known(self) -> frozenset[str]:
        return frozenset(self.names)


@dataclass(frozen=True)
class Block:
    """One block of a file: where its keys are, and how its messages start."""

    lines: SourceLines
    start: int = 1
    end: int | None = None
    header: int | None = None  # its [[...]] line: where a missing key is reported
    place: str = ""  # "question 3": what its messages start with
    located: bool = True  # False when its lines are not known (headers do not match the data)

    def line(self, key: str | None = None) -> int | None:
        if not self.located:
            return None
        found = key and self.lines.key(key, self.start, self.end)
        return found or self.header


def read_block(
    data: Mapping[str, Any],
    schema: Schema,
    block: Block,
    report: FileProblems,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The block's values: each as written when it keeps its rules, else its default
    (after reporting why, at its line), texts stripped and numbers given as texts where
    a text is wanted."""

    def problem(rule: str, key: str, message: str, fix: str, severity: Severity = "error") -> None:
        if block.place and "{place}" not in message:
            text = _("{place}: {message}").format(place=block.place, message=message)
        else:
            text = message.replace("{place}", block.place)
        add = report.error if severity == "error" else report.warning
        add(f"{schema.name}-{rule}", text, fix, block.line(key))

    for name in data:
        if name not in schema.known:
            problem(
                "unknown-key",
                name,
                _("unknown setting '{name}'").format(name=name),
                closest(name, schema.names)
                + _(schema.listing).format(keys=", ".join(schema.names)),
            )
    values: dict[str, Any] = {}
    for key in schema.keys:
        default = defaults.get(key.name, key.default) if defaults else key.default
        value = _as_text(data[key.name]) if key.text and key.name in data else data.get(key.name)
        if value is None or _empty(value):
            if key.need:
                need = key.need
                problem(key.name, key.name, _(need.message), _(need.fix), need.severity)
            values[key.name] = default
            continue
        # A text is checked for invisible characters first: they explain the rest.
        broken = _text_rule(key, value, block) if key.text else None
        broken = broken or next((rule for rule in key.rules if not rule.holds(value)), None)
        if broken is not None:
            fields = _fields(key.name, data[key.name], value, broken)
            message, fix = _(broken.message).format(**fields), _(broken.fix).format(**fields)
            problem(key.name, key.name, message, fix)
            values[key.name] = default
            if key.gate:
                break
            continue
        values[key.name] = value
    return values


def _as_text(value: Any) -> Any:
    """An unquoted `version = 1.0` is a number; taking it as the text meant is kinder."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float | date | datetime | time) and not isinstance(value, bool):
        return as_written(value) if isinstance(value, int | float) else str(value)
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def _empty(value: Any) -> bool:
    return isinstance(value, str | list) and not value


def _text_rule(key: Key, value: Any, block: Block) -> Rule | None:
    """A text with invisible characters, or a line break where none belongs: on one line,
    or written as the escape code \\n (a Windows path, usually: no page shows it as a break
    anyway). The broken rule says where the escape is in the source."""
    if key.text == "lines" and not isinstance(value, list):
        return None
    if key.text != "lines" and not isinstance(value, str):
        return _NOT_A_TEXT
    texts = value if isinstance(value, list) else [value]
    # The items of a list that are not texts are the business of the list's own checks.
    for number, text in enumerate(texts, start=1):
        if not isinstance(text, str):
            continue
        found = (_INVISIBLE if key.text == "text" else _UNWANTED_IN_LINE).search(text)
        lines = block.lines.span(key.name, block.start, block.end) if found else (0, None)
        if found is None and key.text == "text" and _SHORT_ESCAPED.search(text):
            # Only a one-line "text" can hold an escape by mistake: in a """block""" the
            # breaks are typed, and its lines may hold anything.
            first = block.lines.key(key.name, block.start, block.end)
            one_line = first and re.search(r'=\s*"(?!"")', block.lines.text(first))
            lines = (first, first + 1) if first and one_line else (0, 0)
            found = next(
                (c for c in _SHORT_ESCAPED.finditer(text) if block.lines.escape(c.group(), *lines)),
                None,
            )
        if found:
            if key.text == "lines":
                what = _("{item} {number}").format(item=_(key.item), number=number)
            else:
                what = _("the {key}")
            return _escape_rule(what, found.group(), block.lines, lines)
    return None


_NOT_A_TEXT = Rule(
    lambda value: False, N_("{key} must be a text"), N_('write it in double quotes: {key} = "…"')
)


def _escape_rule(
    what: str, character: str, lines: SourceLines, where: tuple[int, int | None]
) -> Rule:
    code = _ESCAPE_NAMES.get(character, f"\\u{ord(character):04X}")
    written = lines.escape(character, *where)
    # Made while the file is read, so in the active language already.
    if character in "\n\r\u2028\u2029":
        has = _("a line break")
    elif character == "\t":
        has = _("a tab")
    elif character in _ZERO_WIDTH:
        has = _("the invisible zero-width character {code}").format(code=f"U+{ord(character):04X}")
    else:
        has = _("the invisible control character {code}").format(code=f"U+{ord(character):04X}")
    if character in _ESCAPE_NAMES and written:  # \n, \t, \b: a Windows path, most likely
        fix = _("in double quotes {code} means {has}; ").format(code=code, has=has)
        fix += backslash_fix(lines.text(written))
    elif written:
        fix = _("remove the {code} (in double quotes a backslash starts an escape code)").format(
            code=code
        )
    elif character in _ZERO_WIDTH:  # typed (pasted) as it is: nothing shows where
        fix = _(
            "retype the text without pasting it (the character comes with text copied from a "
            "web page or another program)"
        )
    else:
        fix = _("remove it; in double quotes a backslash starts an escape code")
    if written:
        message = _("{what} has {has}, written as {code}").format(what=what, has=has, code=code)
    else:
        message = _("{what} has {has}").format(what=what, has=has)
    return Rule(lambda value: False, message, fix.replace("{", "{{").replace("}", "}}"))


def _fields(key: str, raw: Any, value: Any, rule: Rule) -> dict[str, Any]:
    text = value if isinstance(value, str) else as_written(raw)
    return {
        **{name: _(v) if isinstance(v, str) else v for name, v in rule.values.items()},
        "key": key,
        "value": as_written(raw),
        "text": text,
        "length": len(value) if isinstance(value, str | list) else 0,
        "suggestion": closest(text, rule.suggest) if rule.suggest else "",
    }


# Rules that several schemas share.


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_percentage(value: Any) -> bool:
    return is_number(value) and 0 <= value <= 100


PASS_MARK_RULES = (
    Rule(
        is_percentage,
        N_("the pass mark {value} is not a number from 0 to 100"),
        N_("write a percentage without quotes or '%', for example: pass_mark = 80"),
    ),
    # The LMS compares score.raw (two decimals at most) with it.
    Rule(
        lambda value: decimals(value) <= 2,
        N_("the pass mark {value} has more than 2 decimals"),
        N_("round it to 2 decimals at most, for example: pass_mark = 66.67"),
    ),
)
FLAG_RULE = Rule(
    lambda value: isinstance(value, bool),
    N_("{key} {value} is not true or false"),
    N_("write {key} = true or {key} = false, without quotes"),
)


def max_length(limit: int, what: str) -> Rule:
    """`what` says who sets the limit ("SCORM 1.2 allows"), an English message id (N_)."""
    return Rule(
        lambda value: not isinstance(value, str) or len(value) <= limit,
        N_("the {key} is {length} characters long; {what} at most {limit}"),
        N_("shorten it to {limit} characters or fewer"),
        values={"what": what, "limit": limit},
    )


def pattern(
    regex: re.Pattern[str], message: str, fix: str, values: Mapping[str, Any] | None = None
) -> Rule:
    return Rule(
        lambda value: isinstance(value, str) and bool(regex.fullmatch(value)),
        message,
        fix,
        values=values or {},
    )
