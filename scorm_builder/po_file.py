"""Reading gettext catalogues (.po files) as they are, for scorm_builder.i18n.

Enough of the format for catalogues written by Babel and by hand; `to_mo` turns them into
what gettext's `GNUTranslations` reads, so there is no compile step at install time.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass


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
