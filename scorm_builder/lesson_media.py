"""The files a lesson uses: found as the author named them, checked by content, named by digest.

A course folder is written on a Mac or on Windows and built on Linux CI, so file names are
compared the way authors see them: NFC-normalised (macOS saves Japanese names decomposed), and
a name that differs from the file's only in capitals is its own error on every system (the LMS's
server tells capitals apart even when the author's computer does not). The folder is listed,
never asked with `exists()`, so the answer is the same on case-insensitive file systems.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from scorm_builder.check.readers import DEFAULT_LIMITS
from scorm_builder.i18n import N_, _
from scorm_builder.package import deflate

SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
LARGE_FILE = 5_000_000  # bytes: a few seconds per learner on a busy hospital network
TOO_LARGE = 200_000_000  # bytes: not read at all (an LMS refuses uploads far smaller)
# Deflate at level 1 packs at most about 5 times worse than the package's level (zeros: 229:1
# against 1,028:1 at levels 4 to 9), so a file under a fifth of the checker's ratio at level 1
# is surely under it in the package; real media (already compressed) shows that within its
# first megabyte.
_QUICK_RATIO = DEFAULT_LIMITS.max_ratio / 5
_CHUNK = 1024**2

Kind = Literal["image", "svg", "audio", "video", "captions", "document"]

# What a lesson may ship, by extension: an allowlist, so a page, a script or a program
# never reaches the package under a lesson's name.
KINDS: dict[str, Kind] = {
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp", "avif"), "image"),
    "svg": "svg",
    **dict.fromkeys(("mp3", "m4a", "aac", "ogg", "oga", "opus", "wav"), "audio"),
    **dict.fromkeys(("mp4", "m4v", "webm", "ogv", "mov"), "video"),
    "vtt": "captions",
    **dict.fromkeys(("pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt"), "document"),
}
# Where each kind may appear: SVG only as an image, where browsers run none of its scripts.
USES: dict[str, frozenset[Kind]] = {
    "image": frozenset({"image", "svg"}),
    "poster": frozenset({"image"}),
    "audio": frozenset({"audio"}),
    "video": frozenset({"video", "audio"}),
    "track": frozenset({"captions"}),
    "link": frozenset({"image", "audio", "video", "captions", "document"}),
    "frame": frozenset({"image", "audio", "video", "document"}),
}
PAGES_AND_CODE = frozenset({"html", "htm", "xhtml", "xht", "svg", "js", "mjs", "php", "swf"})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office documents (doc, xls, ppt)
_ZIP = b"PK\x03\x04"  # new Office documents are zips


def _looks_like(extension: str, head: bytes) -> bool:
    """Whether the file's first bytes are those of its extension's format."""
    box = head[4:8] == b"ftyp"  # ISO media: mp4, m4a, mov, avif
    checks = {
        "png": head.startswith(b"\x89PNG"),
        "jpg": head.startswith(b"\xff\xd8\xff"),
        "gif": head.startswith((b"GIF87a", b"GIF89a")),
        "webp": head.startswith(b"RIFF") and head[8:12] == b"WEBP",
        "avif": box,
        "svg": b"<svg" in head.lower(),
        "mp3": head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0),
        "m4a": box,
        "aac": head.startswith((b"\xff\xf1", b"\xff\xf9")) or box,
        "ogg": head.startswith(b"OggS"),
        "wav": head.startswith(b"RIFF") and head[8:12] == b"WAVE",
        "mp4": box,
        "mov": box or head[4:8] in (b"moov", b"mdat", b"wide"),
        "webm": head.startswith(b"\x1a\x45\xdf\xa3"),
        "vtt": head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"),
        "pdf": head.startswith(b"%PDF-"),
        "docx": head.startswith(_ZIP),
        "doc": head.startswith(_OLE),
    }
    same = {"jpeg": "jpg", "oga": "ogg", "opus": "ogg", "ogv": "ogg", "m4v": "mp4"}
    same |= {"xlsx": "docx", "pptx": "docx", "xls": "doc", "ppt": "doc"}
    return checks[same.get(extension, extension)]


def _format_of(head: bytes) -> str:
    """What a file really is, in words an author recognises."""
    if head.startswith(b"BM"):
        return BMP
    for extension, name in (
        ("png", N_("a PNG image")),
        ("jpg", N_("a JPEG image")),
        ("gif", N_("a GIF image")),
        ("pdf", N_("a PDF document")),
        ("docx", N_("a zip file (or a Word, Excel or PowerPoint document)")),
        ("svg", N_("an SVG drawing")),
    ):
        if _looks_like(extension, head):
            return name
    if head.lstrip().lower().startswith((b"<!doctype", b"<html")):
        return N_("a web page")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return N_("a file of another format")
    return N_("a text file")


BMP = N_("a BMP image")


SAVE_AS_PNG = N_("open it in an image editor (Paint, Preview) and save it as PNG")
# The kinds of file, as messages name them.
KIND_WORDS = (N_("image"), N_("svg"), N_("audio"), N_("video"), N_("captions"), N_("document"))
ADVICE: dict[Kind, str] = {
    "image": N_(
        "save photos as JPEG (quality about 80) and drawings as PNG, at most about 1600 pixels wide"
    ),
    "svg": N_("simplify the drawing, or save it as PNG"),
    "audio": N_("save it as MP3 at 128 kbit/s"),
    "video": N_("save it as MP4 (H.264) at 720p, or shorten it"),
    "captions": N_("check that it holds only the captions"),
    "document": N_("export it again with a smaller file size (in PDF: 'reduce file size')"),
}


@dataclass(frozen=True)
class FileIssue:
    rule: str
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"


@dataclass
class MediaFiles:
    """The local files one lesson uses, looked up by listing folders (cached per lesson)."""

    lesson_dir: Path
    course_dir: Path
    shown_dir: str = "lessons"  # the lesson folder as messages name it
    listings: dict[Path, list[str] | None] = field(default_factory=dict)
    named: dict[Path, tuple[str, list[FileIssue]]] = field(default_factory=dict)

    def collect(self, url_path: str, use: str) -> tuple[str | None, Path | None, list[FileIssue]]:
        """(package name `media/<stem>-<digest>.<ext>`, source file, issues) for a local file.

        The name is None when the file cannot be shipped (an error among the issues).
        """
        shown = unquote(url_path)
        found, issues = self._find(shown)
        if found is None:
            return None, None, [self._where_to_put(issue, shown) for issue in issues]
        extension = found.suffix[1:].lower()
        kind = KINDS.get(extension)
        allowed = USES[use]
        if kind is None or kind not in allowed:
            return None, None, [_refused_type(shown, extension, kind, use)]
        if found not in self.named:
            self.named[found] = self._name(found, extension, kind)
        name, content_issues = self.named[found]
        return (name or None), found, content_issues

    def _find(self, shown: str) -> tuple[Path | None, list[FileIssue]]:
        parts = posixpath.normpath(shown.replace("\\", "/")).lstrip("/").split("/")
        folder = self.lesson_dir
        while parts and parts[0] == "..":  # normpath leaves only leading '..'
            parts.pop(0)
            folder = folder.parent
            if not folder.resolve().is_relative_to(self.course_dir.resolve()):
                return None, [_outside(shown)]
        parts = [part for part in parts if part not in ("", ".")]
        for index, part in enumerate(parts):
            if "\0" in part:
                return None, [_missing(shown)]
            names = self._listing(folder)
            wanted = unicodedata.normalize("NFC", part)
            exact = [n for n in names if unicodedata.normalize("NFC", n) == wanted]
            if not exact:
                folded = [
                    n
                    for n in names
                    if unicodedata.normalize("NFC", n).casefold() == wanted.casefold()
                ]
                if folded:
                    called = "/".join([*parts[:index], unicodedata.normalize("NFC", folded[0])])
                    return None, [_case(shown, called)]
                return None, [_missing(shown)]
            folder = folder / exact[0]
        if not parts:
            return None, [_missing(shown)]
        try:
            real = folder.resolve()
            regular = folder.is_file()
        except (OSError, RuntimeError):
            return None, [_missing(shown)]
        if not real.is_relative_to(self.course_dir.resolve()):
            return None, [_outside(shown)]
        if not regular:
            return None, [_not_a_file(shown)]
        return folder, []

    def _where_to_put(self, issue: FileIssue, shown: str) -> FileIssue:
        if issue.rule != "lesson-missing-file":
            return issue
        place = posixpath.normpath(posixpath.join(self.shown_dir, shown.replace("\\", "/")))
        fix = _(
            "put the file at {place} in the course folder, or correct the name (names are "
            "case-sensitive)"
        ).format(place=place)
        return FileIssue(issue.rule, issue.message, fix)

    def _listing(self, folder: Path) -> list[str]:
        if folder not in self.listings:
            try:
                self.listings[folder] = os.listdir(folder)
            except OSError:
                self.listings[folder] = None
        return self.listings[folder] or []

    def _name(self, source: Path, extension: str, kind: Kind) -> tuple[str, list[FileIssue]]:
        size = source.stat().st_size
        if size > TOO_LARGE:
            return "", [
                FileIssue(
                    "lesson-file-too-large",
                    _("the file '{name}' is {size} MB, too large for a course package").format(
                        name=source.name, size=f"{size / 1_000_000:,.0f}"
                    ),
                    _(ADVICE[kind]),
                )
            ]
        data = source.read_bytes()
        issues: list[FileIssue] = []
        if not _looks_like(extension, data[:64]):
            really = _format_of(data[:64])
            if really == BMP:
                fix = _(SAVE_AS_PNG)
            else:
                fix = _(
                    "save the file again as .{extension}, or give it the extension of its format"
                ).format(extension=extension)
            issues.append(
                FileIssue(
                    "lesson-file-not-what-its-name-says",
                    _("the file '{name}' is called .{extension} but is {really}").format(
                        name=source.name, extension=extension, really=_(really)
                    ),
                    fix,
                )
            )
        elif not _header_complete(extension, data):
            issues.append(
                FileIssue(
                    "lesson-file-cut-short",
                    _(
                        "the image '{name}' is cut short: it is {size} bytes, too few for even "
                        "the start of a picture"
                    ).format(name=source.name, size=f"{len(data):,}"),
                    _("copy or save the image again from the original"),
                )
            )
        elif (ratio := _packs_too_well(data)) is not None:
            issues.append(
                FileIssue(
                    "lesson-file-compression-ratio",
                    _(
                        "the file '{name}' is {size} MB but packs {ratio}:1 (the limit is "
                        "{limit}:1): it is mostly silence or empty space, and the package "
                        "checker would refuse the package as a zip bomb"
                    ).format(
                        name=source.name,
                        size=f"{len(data) / 1_000_000:.1f}",
                        ratio=f"{ratio:,.0f}",
                        limit=f"{DEFAULT_LIMITS.max_ratio:,.0f}",
                    ),
                    _(
                        "cut the silent or empty part out, or save the file again from the "
                        "program that made it"
                    ),
                )
            )
        elif len(data) > LARGE_FILE:
            issues.append(
                FileIssue(
                    "lesson-large-file",
                    _(
                        "the file '{name}' is {size} MB: every learner downloads it, which is "
                        "slow on hospital networks"
                    ).format(name=source.name, size=f"{len(data) / 1_000_000:.1f}"),
                    _(ADVICE[kind]),
                    "warning",
                )
            )
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem = source.stem if SAFE_FILE_NAME.fullmatch(source.stem) else "file"
        return f"media/{stem}-{digest}.{extension}", issues


def _header_complete(extension: str, data: bytes) -> bool:
    """Whether an image holds at least its header, where the format makes that cheap to see."""
    if extension == "png":  # signature, then the IHDR chunk: length, type, 13 bytes, CRC
        return len(data) >= 33 and data[12:16] == b"IHDR"
    if extension in ("jpg", "jpeg"):  # start of image, then a whole first segment
        return len(data) >= 6 and 4 + int.from_bytes(data[4:6], "big") <= len(data)
    if extension == "gif":  # signature and the logical screen descriptor
        return len(data) >= 13
    if extension == "webp":  # RIFF says its own length; the first chunk's header follows
        riff = int.from_bytes(data[4:8], "little") + 8
        return len(data) >= 20 and riff <= len(data) and data[12:15] == b"VP8"
    return True


def _packs_too_well(data: bytes) -> float | None:
    """The file's ratio in the package when it is over the checker's limit, else None."""
    if len(data) <= DEFAULT_LIMITS.ratio_floor_bytes:
        return None
    quick = zlib.compressobj(1, zlib.DEFLATED, -15)
    packed = 0
    for start in range(0, len(data), _CHUNK):
        packed += len(quick.compress(data[start : start + _CHUNK]))
        if packed * _QUICK_RATIO > len(data):
            return None
    ratio = len(data) / max(len(deflate(data)), 1)
    return ratio if ratio > DEFAULT_LIMITS.max_ratio else None


def _missing(shown: str) -> FileIssue:
    return FileIssue(
        "lesson-missing-file",
        _("the file '{name}' does not exist").format(name=shown),
        "",  # the reader adds where to put it: it knows the lesson's folder as shown
    )


def _not_a_file(shown: str) -> FileIssue:
    return FileIssue(
        "lesson-not-a-file",
        _("'{name}' is not a plain file (a folder, a pipe or a device)").format(name=shown),
        _("use the name of a picture, sound, video or document file"),
    )


def _case(shown: str, called: str) -> FileIssue:
    return FileIssue(
        "lesson-file-name-case",
        _("the file is called {called}; the lesson says {shown}").format(
            called=called, shown=shown
        ),
        _(
            "write the name exactly as the file is called ({called}): the LMS's server tells "
            "capital letters apart"
        ).format(called=called),
    )


def _outside(shown: str) -> FileIssue:
    return FileIssue(
        "lesson-file-outside",
        _("the file '{name}' is outside the course folder").format(name=shown),
        _("copy the file into the lessons folder, beside the lesson, and use its name"),
    )


def _refused_type(shown: str, extension: str, kind: Kind | None, use: str) -> FileIssue:
    if extension == "bmp":
        return FileIssue(
            "lesson-file-type",
            _("the file '{name}' is a BMP image, which is large and uncompressed").format(
                name=shown
            ),
            _(SAVE_AS_PNG),
        )
    if extension in PAGES_AND_CODE and not (extension == "svg" and use == "image"):
        what = (
            _("an SVG drawing, which can run scripts")
            if extension == "svg"
            else _("a page or a program")
        )
        return FileIssue(
            "lesson-file-type",
            _("the file '{name}' is {what}: a lesson may not link, frame or embed it").format(
                name=shown, what=what
            ),
            _(
                "show an SVG drawing as an image (![説明](file.svg)); put the text of a page into "
                "the lesson itself, or export it as PDF"
            ),
        )
    if kind is None and not extension:
        return FileIssue(
            "lesson-file-type",
            _("a lesson may not ship a file without an extension ('{name}')").format(name=shown),
            _(
                "give the file the extension of its format (.png, .jpg, .mp3, .mp4, .pdf) and "
                "use that name"
            ),
        )
    if kind is None:
        return FileIssue(
            "lesson-file-type",
            _("a lesson may not ship files of the type '.{extension}' ('{name}')").format(
                extension=extension, name=shown
            ),
            _(
                "use images (PNG, JPEG, GIF, WebP, SVG), audio (MP3, M4A), video (MP4, WebM), "
                "captions (VTT), PDF or Office documents"
            ),
        )
    return FileIssue(
        "lesson-file-type",
        _("the file '{name}' ({kind}) cannot be used here").format(name=shown, kind=_(kind)),
        _(
            {
                "image": N_("use an image file here (PNG, JPEG, GIF, WebP, SVG)"),
                "poster": N_("use an image file (PNG, JPEG) as the poster"),
                "audio": N_("use an audio file here (MP3, M4A, OGG, WAV)"),
                "video": N_("use a video file here (MP4, WebM)"),
                "track": N_("use a captions file (.vtt) here"),
            }.get(use, N_("link to the file instead: [資料](file.pdf)"))
        ),
    )
