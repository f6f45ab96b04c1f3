"""Zip a package deterministically, and write files without ever leaving half a file."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

# Same sources, same bytes: every entry gets this time and these permissions.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16


def write_zip(file: BinaryIO, files: Mapping[str, bytes]) -> None:
    """Zip `files` (package path -> content) into `file`: manifest first, the rest sorted."""
    names = sorted(files, key=lambda name: (name != "imsmanifest.xml", name))
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.create_system = 3  # Unix, so the permissions above are read as such
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)


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
