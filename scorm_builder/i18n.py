"""The language the command speaks to its user: English or Japanese (or any language with a
catalogue), chosen once at start-up.

    from scorm_builder.i18n import _, N_, ngettext

    print(_("built {path} ({size} KB)").format(path=path, size=size))
    print(ngettext("{count} file", "{count} files", n).format(count=n))
    RULES = {"x": N_("a message in a module-level table")}   # marked here, translated with
    print(_(RULES["x"]))                                       # _() where it is shown

Which language (`choose_language`): `--lang ja|en`, then the environment variable
SCORM_BUILDER_LANG, then the locale as gettext reads it (the first of LC_ALL, LC_MESSAGES,
LANG that is set): Japanese when it starts with "ja". Anything else is English. The course's
own language never decides it: a Japanese administrator may build an English course.

The catalogues are standard gettext `.po` files, `scorm_builder/locale/<lang>/LC_MESSAGES/
scorm_builder.po`; the English text in the code is the message id. They are read at first use,
by the small reader below, into gettext's own `GNUTranslations` (which does the plural forms):
no compile step at install time, and no Babel at run time. Babel extracts the messages from the
code (see babel.cfg). A third language is one more `.po` file, not code.

The active catalogue is the one piece of process-wide state here: `use_language` sets it once,
where the command line starts (tests use the `language` context manager). Until then, and for
English, messages are returned as written.
"""

from __future__ import annotations

import argparse
import functools
import gettext
import io
import os
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "scorm_builder"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENVIRONMENT_VARIABLE = "SCORM_BUILDER_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # in gettext's order of precedence
SOURCE_LANGUAGE = "en"  # the language of the message ids in the code


def available_languages() -> tuple[str, ...]:
    """English and every language that has a catalogue, sorted: the choices of --lang."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


def choose_language(requested: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The interface language: `requested` (--lang), else SCORM_BUILDER_LANG, else the locale."""
    environ = os.environ if environ is None else environ
    candidates = [requested, environ.get(ENVIRONMENT_VARIABLE)]
    # As gettext: the first locale variable that is set decides, even if it names no catalogue.
    candidates.append(next((environ[v] for v in LOCALE_VARIABLES if environ.get(v)), None))
    for value in candidates:
        if value:
            return _language_of(value)
    return SOURCE_LANGUAGE


def requested_language(argv: Sequence[str]) -> str | None:
    """The value of --lang in a command line, read before the parser exists: the parser's own
    help texts must already be in the chosen language when it is built."""
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--lang="):
            return argument.removeprefix("--lang=")
    return None


def _language_of(value: str) -> str:
    """'ja_JP.UTF-8' -> 'ja'; a language without a catalogue (or 'C', 'POSIX') -> English."""
    language = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return language if language in available_languages() else SOURCE_LANGUAGE


# ---------- the active catalogue ----------


@dataclass
class _Active:
    language: str = SOURCE_LANGUAGE
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)


_active = _Active()


def use_language(language: str) -> None:
    """Make `language` the one every `_()` answers in, from now on."""
    _active.language = language
    _active.translations = catalogue(language)


def current_language() -> str:
    return _active.language


@contextmanager
def language(name: str) -> Iterator[None]:
    """Speak `name` inside the block only (for tests, and for the preview's per-request text)."""
    before = (_active.language, _active.translations)
    use_language(name)
    try:
        yield
    finally:
        _active.language, _active.translations = before


def _(message: str) -> str:
    """`message` (English, a `str.format` template) in the active language."""
    return _active.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for `count` (English has two, Japanese one)."""
    return _active.translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined (a module-level table); translate it
    with `_()` where it is shown, when the language is known."""
    return message


# ---------- reading catalogues ----------


@functools.cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The translations of `language`, read from its .po file once per process."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE and not path.is_file():
        return gettext.NullTranslations()
    entries = read_po(path.read_text(encoding="utf-8"))
    return gettext.GNUTranslations(io.BytesIO(to_mo(entries)))


@dataclass(frozen=True)
class Entry:
    """One message of a .po file."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: tuple[str, ...] = ("",)  # one string, or one per plural form
    fuzzy: bool = False
    line: int = 0  # where its msgid is, for the catalogue test's messages


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file (the header is the entry whose msgid is "").

    Enough of the format for catalogues written by Babel and by hand: comments, flags,
    msgctxt is not used here, multi-line strings, C escapes, plural forms. Obsolete
    entries (#~) are skipped, as gettext does.
    """
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current: str | None = None
    start = 0

    def finish() -> None:
        nonlocal fields, flags, current
        if "msgid" in fields:
            plural = sorted((k for k in fields if k.startswith("msgstr[")), key=_form)
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=tuple(fields[k] for k in plural) or (fields.get("msgstr", ""),),
                    fuzzy="fuzzy" in flags,
                    line=start,
                )
            )
        fields, flags, current = {}, set(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if "msgid" in fields:
                finish()
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if current is None:
                raise ValueError(f"line {number}: a string continues nothing")
            fields[current] += _unquote(line, number)
        else:
            keyword, _space, value = line.partition(" ")
            if keyword == "msgid" and "msgid" in fields:
                finish()
            if keyword == "msgid":
                start = number
            fields[keyword] = _unquote(value.strip(), number)
            current = keyword
    finish()
    return entries


def _form(key: str) -> int:
    return int(key[len("msgstr[") : -1])


def _unquote(token: str, number: int) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"line {number}: expected a string in double quotes, found {token!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


# The C escapes .po files use; any other escaped character stands for itself (\" and \\).
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def to_mo(entries: list[Entry]) -> bytes:
    """The entries as a GNU .mo file (what gettext's GNUTranslations reads).

    Untranslated and fuzzy entries are left out, so their English shows, as msgfmt does.
    """
    messages: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.fuzzy and entry.msgid or not any(entry.msgstr):
            continue
        msgid = entry.msgid
        if entry.msgid_plural is not None:
            msgid += "\0" + entry.msgid_plural
        messages[msgid.encode()] = "\0".join(entry.msgstr).encode()
    keys = sorted(messages)
    header_size = 7 * 4
    ids_at = header_size
    strs_at = ids_at + len(keys) * 8
    data_at = strs_at + len(keys) * 8
    ids = b"".join(k + b"\0" for k in keys)
    offsets_ids, offsets_strs, position = [], [], data_at
    for key in keys:
        offsets_ids += [len(key), position]
        position += len(key) + 1
    for key in keys:
        offsets_strs += [len(messages[key]), position]
        position += len(messages[key]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), ids_at, strs_at, 0, 0)
    tables = struct.pack(f"<{len(offsets_ids)}I", *offsets_ids) + struct.pack(
        f"<{len(offsets_strs)}I", *offsets_strs
    )
    strings = ids + b"".join(messages[k] + b"\0" for k in keys)
    return header + tables + strings


# ---------- argparse's own words ----------


def translate_argparse() -> None:
    """Let argparse's own texts ("usage: ", "options", its error messages) follow the active
    language too: argparse looks its `_` and `ngettext` up in its module at each call."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
