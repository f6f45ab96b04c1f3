"""File names as authors meant them, to tell a misnamed file from an unrelated one.

Windows hides known endings, so `quiz.toml` saved by Notepad is `quiz.toml.txt` on disk
while Explorer shows `quiz.toml`; macOS writes Japanese names decomposed (NFD); and
case-insensitive disks accept `Lesson.MD` for `lesson.md` where the Linux CI does not.
The builder reads exact names only, the same on every system, and names the file it
found when it is not the one it reads.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from scorm_builder.i18n import _

# What Notepad adds and Explorer hides.
HIDDEN_ENDINGS = (".txt", ".text")
# Editor backups and lock files sit beside the sources and are nobody's mistake.
_LEFTOVERS_START = (".", "~$", "#")
_LEFTOVERS_END = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig", "#")


def meant(name: str) -> str:
    """`name` as the author meant it: NFC, case folded, without a hidden ending."""
    folded = unicodedata.normalize("NFC", name).casefold().strip()
    for ending in HIDDEN_ENDINGS:
        if folded.endswith(ending) and folded != ending:
            folded = folded.removesuffix(ending)
    return folded.strip()


def entries(folder: Path) -> list[str]:
    """The names in `folder` (sorted, NFC), without editor leftovers; [] if it cannot be read."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(
        unicodedata.normalize("NFC", name)
        for name in names
        if not name.startswith(_LEFTOVERS_START) and not name.endswith(_LEFTOVERS_END)
    )


def hidden_ending_note(name: str) -> str:
    """A word on why the author did not see the ending, when that is the likely story."""
    if any(name.casefold().endswith(ending) for ending in HIDDEN_ENDINGS):
        return _(" (Windows hides the ending '.txt': turn on 'File name extensions' in Explorer)")
    return ""
