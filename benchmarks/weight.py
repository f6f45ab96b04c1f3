"""Item 4: what the default course weighs, and what the run-time costs every SCO."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

from benchmarks.generator import DEFAULT_SOURCE
from scorm_builder.build import build
from scorm_builder.layout import SHARED_DIR

RUNTIME_FILES = (f"{SHARED_DIR}/runtime.js", f"{SHARED_DIR}/course.css")


def measure_weight(source: Path = DEFAULT_SOURCE) -> dict[str, Any]:
    """Zip size of the course in `source`, and the run-time's bytes as they are shipped."""
    with tempfile.TemporaryDirectory() as output:
        result = build(source, Path(output))
        path, package, size = result.written[0]
        with zipfile.ZipFile(path) as archive:
            entries = {info.filename: info for info in archive.infolist()}
    runtime = {
        name: {
            "bytes": entries[name].file_size,
            "deflated_bytes": entries[name].compress_size,
        }
        for name in RUNTIME_FILES
    }
    return {
        "zip_bytes": size,
        "pages": package.page_count,
        "runtime": runtime,
        "runtime_bytes": sum(item["bytes"] for item in runtime.values()),
        "largest_entries": sorted(
            ((info.compress_size, name) for name, info in entries.items()), reverse=True
        )[:5],
    }
