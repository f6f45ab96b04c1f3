"""Peak memory and time of `scorm-builder check` on hostile packages.

    .venv/bin/python -m benchmarks.check_bombs

Each package is checked by a fresh `python -m scorm_builder check` process; its peak RSS
(ru_maxrss, from wait4) and wall time are printed, with the default course's zip as the
baseline of the same run. Targets (issue 12): every bomb under 100 MB and 2 s.

The bombs are made once and kept in the temporary folder (the bzip2 one takes a minute or
two to compress: 3 GiB of zeros into 2.4 KB):
- bzip2: one member of 3 GiB of zeros, bzip2-compressed, declaring 1,000 bytes;
- deflate: one member of 1 GiB of zeros (1 MB deflated), declaring 1,000 bytes;
- many zeros: 2,000 members of 1 MiB of zeros each (2.3 MB of zip);
- a folder holding a 3 GiB file (sparse: no disk used);
- a page with 300 nested <div>s followed by a CDN script.
"""

from __future__ import annotations

import bz2
import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "scorm-builder-bombs"
sys.path.insert(0, str(ROOT))

from tests.package_corpus import make_zip, minimal, write_folder  # noqa: E402

CHUNK = bytes(64 * 1024**2)


def _member_zip(name: str, method: int, compressed: bytes, crc: int, declared: int) -> bytes:
    """The minimal package plus one member whose compressed bytes are given and whose
    declared size is `declared` (a forged header)."""
    data = bytearray(make_zip(minimal()))
    end = data.rindex(b"PK\x05\x06")
    central_start = struct.unpack_from("<I", data, end + 16)[0]
    central = bytes(data[central_start:end])
    count = struct.unpack_from("<H", data, end + 10)[0]
    encoded = name.encode()
    offset = central_start
    local = (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(compressed),
            declared,
            len(encoded),
            0,
        )  # fmt: skip
        + encoded
        + compressed
    )
    entry = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(compressed),
            declared,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )  # fmt: skip
        + encoded
    )
    body = bytes(data[:central_start]) + local
    directory = central + entry
    tail = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(directory), len(body), 0
    )
    return body + directory + tail


def _compressed_zeros(compressor: bz2.BZ2Compressor | zlib._Compress, chunks: int) -> bytes:
    out = io.BytesIO()
    for _ in range(chunks):
        out.write(compressor.compress(CHUNK))
    out.write(compressor.flush())
    return out.getvalue()


def _crc_of_zeros(chunks: int) -> int:
    crc = 0
    for _ in range(chunks):
        crc = zlib.crc32(CHUNK, crc)
    return crc


def bzip2_bomb(path: Path) -> None:
    chunks = 48  # 3 GiB
    payload = _compressed_zeros(bz2.BZ2Compressor(9), chunks)
    path.write_bytes(_member_zip("sco/movie.mp4", 12, payload, _crc_of_zeros(chunks), 1000))


def deflate_bomb(path: Path) -> None:
    chunks = 16  # 1 GiB
    payload = _compressed_zeros(zlib.compressobj(9, zlib.DEFLATED, -15), chunks)
    path.write_bytes(_member_zip("sco/movie.mp4", 8, payload, _crc_of_zeros(chunks), 1000))


def many_zeros(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in minimal().items():
            archive.writestr(name, data)
        zeros = bytes(1024**2)
        for number in range(2000):
            archive.writestr(f"sco/pad/{number:04}.bin", zeros)


def huge_folder(path: Path) -> None:
    write_folder(minimal(), path)
    with (path / "sco" / "lecture.mp4").open("wb") as sparse:
        sparse.truncate(3 * 1024**3)


def deep_page(path: Path) -> None:
    files = minimal()
    page = (
        b"<!DOCTYPE html><html><head><title>x</title></head><body>"
        + b"<div>" * 300
        + b'<script src="https://cdn.example.com/x.js"></script>'
        + b"</div>" * 300
        + b'<script>API.LMSInitialize("")</script></body></html>'
    )
    path.write_bytes(make_zip({**files, "sco/launch.htm": page}))


def default_course(path: Path) -> None:
    from scorm_builder.build import build_package
    from scorm_builder.package import zip_bytes

    path.write_bytes(zip_bytes(build_package(ROOT / "source").files))


CASES: list[tuple[str, str, Callable[[Path], None]]] = [
    ("default course zip (baseline)", "default.zip", default_course),
    ("bzip2 bomb: 3 GiB real, 1,000 bytes declared", "bzip2-bomb.zip", bzip2_bomb),
    ("deflate bomb: 1 GiB real in 1 MB, 1,000 bytes declared", "deflate-bomb.zip", deflate_bomb),
    ("2,000 members of 1 MiB of zeros", "many-zeros.zip", many_zeros),
    ("folder with a 3 GiB file", "huge-folder", huge_folder),
    ("page with 300 nested <div>s", "deep-page.zip", deep_page),
]


def measure(path: Path) -> tuple[float, float, float, int, str]:
    """Peak RSS (MB), CPU and wall seconds (start-up and imports included), exit status
    and the report's last line."""
    command = [sys.executable, "-m", "scorm_builder", "check", str(path)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    last = (output.strip().splitlines() or [""])[-1]
    cpu = usage.ru_utime + usage.ru_stime
    return usage.ru_maxrss / 1024, cpu, seconds, process.returncode, last


def main() -> None:
    CACHE.mkdir(exist_ok=True)
    print(f"{'package':66} {'peak RSS':>10} {'CPU':>6} {'wall':>6}  exit  verdict")
    for label, name, make in CASES:
        path = CACHE / name
        if not path.exists() or name == "default.zip":
            make(path)
        megabytes, cpu, seconds, status, last = measure(path)
        size = path.stat().st_size if path.is_file() else 0
        shown = f"{label} ({size:,} B)" if size else label
        verdict = last.rsplit(": ", 2)[-2:]
        print(
            f"{shown:66} {megabytes:7.1f} MB {cpu:5.2f}s {seconds:5.2f}s  {status:4}"
            f"  {': '.join(verdict)}"
        )


if __name__ == "__main__":
    main()
