"""Reading authors' text files: UTF-8, with a BOM or Windows line ends accepted silently."""

from __future__ import annotations

from pathlib import Path

from scorm_builder.problems import Problem

# Encodings a Japanese author's editor may have saved with, most likely first.
_LIKELY_ENCODINGS = ("shift_jis", "cp932", "euc_jp", "iso2022_jp", "utf_16")


def read_text(path: Path, shown_as: str, problems: list[Problem]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            Problem(
                "file-unreadable",
                "error",
                shown_as,
                f"cannot read this file ({error.strerror})",
                "check that the file exists and that you may read it",
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(
            Problem(
                "file-not-utf8",
                "error",
                shown_as,
                f"this file is not UTF-8 text{_guess_encoding(data)}",
                "open it in your editor and save it again as 'UTF-8'",
                line,
            )
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _guess_encoding(data: bytes) -> str:
    for encoding in _LIKELY_ENCODINGS:
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return f" (it looks like {encoding.replace('_', '-').upper()})"
    return ""
