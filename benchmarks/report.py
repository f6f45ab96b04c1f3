"""The table on stdout and the same figures as JSON, each target with where we stand."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KB = 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Row:
    measure: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target, or not measured

    @property
    def status(self) -> str:
        return {True: "met", False: "NOT met", None: ""}[self.met]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def print_table(rows: list[Row]) -> None:
    widths = [
        max(len(getattr(row, name)) for row in rows) for name in ("measure", "value", "target")
    ]
    header = ("measure", "value", "target", "status")
    lines = [header, tuple("-" * width for width in (*widths, 7))]
    lines += [(row.measure, row.value, row.target, row.status) for row in rows]
    for measure, value, target, status in lines:
        line = f"{measure:<{widths[0]}}  {value:>{widths[1]}}  {target:<{widths[2]}}  {status}"
        print(line.rstrip())


def write_json(path: Path, results: dict[str, Any], rows: list[Row]) -> None:
    results = results | {
        "table": [
            {"measure": r.measure, "value": r.value, "target": r.target, "met": r.met} for r in rows
        ]
    }
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
