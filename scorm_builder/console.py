"""Printing that works on any console: a Japanese Windows, or output redirected to a file.

    make_output_safe()          # once, first thing in main()
    print(native_path("lessons/llm-basics.md"))   # lessons\\llm-basics.md on Windows

When Python's output encoding is not UTF-8 (redirected output on a Japanese Windows is cp932;
also PYTHONIOENCODING=cp932 with PYTHONUTF8=0), a character the encoding lacks, such as an
emoji or a rare kanji in a lesson title (🧼, 𠮷), raises UnicodeEncodeError and the command
dies in the middle of its report. `make_output_safe` makes both streams write such a character
as a backslash escape (\\U0001f9fc) instead. Escapes, not "?": the line still says which
character it was (a file name can then be found), Python's own stderr already does this, and
every message of the interface itself is plain cp932 text (tests/test_i18n.py checks that), so
only what authors wrote can ever be escaped.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import PurePath

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import TextIO

ERRORS = "backslashreplace"


def make_output_safe(*streams: TextIO) -> None:
    """Never fail on an unencodable character in `streams` (default: stdout and stderr)."""
    for stream in streams or (sys.stdout, sys.stderr):
        # A stream replaced by a test (StringIO) or a closed one has nothing to encode.
        if isinstance(stream, io.TextIOWrapper) and not stream.closed:
            stream.reconfigure(errors=ERRORS)


def native_path(path: str | os.PathLike[str], flavour: type[PurePath] = PurePath) -> str:
    """A path as this OS writes it: with backslashes on Windows, slashes elsewhere.

    Problems name files with "/" (as in the package and in course.toml); an author on
    Windows copies the path into Explorer, which wants "\\".
    """
    return str(flavour(path))
