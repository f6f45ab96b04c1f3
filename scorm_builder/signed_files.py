"""Files kept in the (maybe shared) cache folder, each signed with the cache's key.

The lesson entries have their own layout (cache.py); this is for the rest: the compiled
templates (render.CompiledTemplates), which Jinja loads with pickle and marshal, so a file
that anyone who can write the folder could have made must never reach it unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SignedFiles:
    """Files by name in `folder`, signed (HMAC-SHA256) with `key`; compared by value, so a
    copy sent to a worker is the same store."""

    folder: Path
    key: bytes

    def read(self, name: str) -> bytes | None:
        """The file's data if its signature is ours; None if it is missing or not ours."""
        try:
            signature, _, data = (self.folder / name).read_bytes().partition(b"\n")
        except OSError:
            return None
        return data if hmac.compare_digest(signature, self._signature(name, data)) else None

    def write(self, name: str, data: bytes) -> None:
        """Keep `data` under `name`; a failure only means it is made again next time."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace(self.folder / name, self._signature(name, data) + b"\n" + data)
        except OSError:
            pass

    def _signature(self, name: str, data: bytes) -> bytes:
        # The name is signed too: a file copied under another name is not taken for it.
        mac = hmac.new(self.key, name.encode() + b"\0", digestmod=hashlib.sha256)
        mac.update(data)
        return mac.hexdigest().encode()


def replace(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a reader never sees half a file. Not synced to
    disk: after a crash a file may be lost or torn, which its signature catches."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
