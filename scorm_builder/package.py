"""Zip a package deterministically, and write files without ever leaving half a file."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

# Same sources, same bytes: every entry gets this time and these permissions.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_UNIX = 3  # "made by" system, so that the permissions above are read as Unix ones
_VERSION = 20  # 2.0: deflate
_UTF8_NAMES = 1 << 11
_LIMIT = 0xFFFFFFFF  # sizes and offsets beyond this need Zip64, which no course comes near


def deflate(data: bytes) -> bytes:
    """Raw deflate at level 9: the stream a zip entry of `data` holds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def write_zip(
    file: BinaryIO, files: Mapping[str, bytes], deflated: Mapping[str, bytes] | None = None
) -> None:
    """Zip `files` (package path -> content) into `file`: manifest first, the rest sorted.

    `deflated` may give an entry's deflate stream already made (`deflate(files[name])`, e.g.
    kept by the cache): a rebuild then compresses only what changed, and its bytes are
    those of a clean build, since every other entry is compressed the same way here.
    """
    deflated = deflated or {}
    names = sorted(files, key=lambda name: (name != "imsmanifest.xml", name))
    central = []
    offset = 0
    for name in names:
        data = files[name]
        stream = deflated.get(name)
        if stream is None:
            stream = deflate(data)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else _UTF8_NAMES
        crc = zlib.crc32(data)
        if max(len(data), len(stream), offset) > _LIMIT:
            raise ValueError(f"{name}: too large for a zip without Zip64")
        common = struct.pack(
            "<HHHHHIIIH",
            _VERSION, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, len(stream), len(data), len(encoded),
        )  # fmt: skip
        file.write(b"PK\x03\x04" + common + b"\0\0" + encoded)
        file.write(stream)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<BB", _VERSION, _UNIX)
            + common
            + struct.pack("<HHHHII", 0, 0, 0, 0, FILE_MODE, offset)
            + encoded
        )
        offset += 30 + len(encoded) + len(stream)
    directory = b"".join(central)
    if len(names) > 0xFFFF or offset > _LIMIT:
        raise ValueError("too many files or bytes for a zip without Zip64")
    file.write(directory)
    file.write(
        b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(names), len(names), len(directory), offset, 0)
    )


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    write_zip(buffer, files)
    return buffer.getvalue()


Writer = Callable[[BinaryIO], object]


def write_atomically(path: Path, write: Writer) -> None:
    """Write a temporary file beside `path` with `write`, then rename it over `path`.

    A failure at any point (disk full, Ctrl+C, SIGTERM: the command line turns it into an
    exception) leaves the previous file as it was and no temporary file.
    """
    write_all_atomically({path: write})


def write_all_atomically(writers: Mapping[Path, Writer]) -> None:
    """Write every file to a temporary file beside it first, then rename them all.

    If any write fails, none of the files is replaced: a split build never leaves a mix of
    new and old zips. (The renames themselves do not fail on a healthy file system.)
    Writing straight to the file, not to bytes first, keeps a large package out of memory.
    """
    temporaries: dict[Path, str] = {}
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporaries[path] = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
            with os.fdopen(descriptor, "wb") as file:
                write(file)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporaries[path], 0o644)
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
    except BaseException:
        for temporary in temporaries.values():
            Path(temporary).unlink(missing_ok=True)
        raise
