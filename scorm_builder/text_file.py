"""Reading authors' text files: UTF-8, with a BOM or Windows line ends accepted silently."""

from __future__ import annotations

import re
from pathlib import Path

from scorm_builder.i18n import N_, _
from scorm_builder.problems import Problem

SAVE_AS_UTF8 = N_("open it in your editor and save it again with the encoding 'UTF-8'")
# Characters no text editor shows and no web page may contain.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
# Text copied out of Word carries its manual line breaks as vertical tabs (and page
# breaks as form feeds); in Markdown a line break within a paragraph is a space anyway.
WORD_BREAKS = {0x0B: " ", 0x0C: " "}


def read_text(
    path: Path, shown_as: str, problems: list[Problem], *, course_dir: Path | None = None
) -> str | None:
    """The file's text with '\\n' line ends, or None after adding a problem.

    With `course_dir`, a file that resolves outside it (a link to /etc/passwd, say) is refused
    unread, as the lessons' media files are: the package holds the course folder only.
    """
    if course_dir is not None and not _inside(path, course_dir):
        problems.append(
            Problem(
                "file-outside-course",
                "error",
                shown_as,
                _("this file is a link to a file outside the course folder"),
                _("copy the file itself into the course folder in place of the link"),
            )
        )
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            Problem(
                "file-unreadable",
                "error",
                shown_as,
                _("cannot read this file ({reason})").format(reason=error.strerror or error),
                _("check that the file exists and that you may read it"),
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                "file-not-utf8",
                "error",
                shown_as,
                _("this file is not UTF-8 text{looks_like}").format(looks_like=_looks_like(data)),
                _(SAVE_AS_UTF8),
                data.count(b"\n", 0, error.start) + 1,
            )
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x0b" in text or "\x0c" in text:  # translate() is slow on Japanese text: only if needed
        text = text.translate(WORD_BREAKS)
    control = CONTROL.search(text)
    if control is None:
        return text
    line = text.count("\n", 0, control.start()) + 1
    if "\x1b$B" in text or "\x1b(B" in text:
        # ISO-2022-JP (JIS) is 7-bit, so it passes as UTF-8 but shows as garbage.
        rule, fix = "file-not-utf8", _(SAVE_AS_UTF8)
        message = _("this file is not UTF-8 text{looks_like}").format(
            looks_like=_looks_like_encoding("ISO-2022-JP")
        )
    else:
        rule = "file-control-character"
        message = _("the line has an invisible control character ({code})").format(
            code=f"U+{ord(control.group()):04X}"
        )
        fix = _(
            "retype the line; the character often comes from copying text out of another program"
        )
    problems.append(Problem(rule, "error", shown_as, message, fix, line))
    return None


def _inside(path: Path, course_dir: Path) -> bool:
    try:
        return path.resolve().is_relative_to(course_dir.resolve())
    except (OSError, RuntimeError):  # a loop of links: read_bytes says so
        return True


def _looks_like(data: bytes) -> str:
    """What an author's editor probably saved the file as, to tell them what they see."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _looks_like_encoding("UTF-16")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        return _(" (it looks like a Word document or another non-text file)")
    # EUC-JP first: Shift_JIS text almost never decodes as EUC-JP, the reverse often does.
    for encoding, name in (("euc_jp", "EUC-JP"), ("cp932", "Shift_JIS")):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _looks_like_encoding(name)
    return ""


def _looks_like_encoding(name: str) -> str:
    return _(" (it looks like {encoding})").format(encoding=name)
