"""Run every benchmark, print the table and write benchmarks/results.json.

- `scripts/bench`: installs what it needs, then runs this;
- `python -m benchmarks [--repeats 5]`: the same, in the virtual environment;
- `python -m benchmarks --profile 200`: where the time of one build goes (cProfile).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import lms, weight
from benchmarks.builds import Rounds, measure_builds, measure_traced_memory
from benchmarks.report import KB, MB, Row, machine, print_table, write_json
from benchmarks.stages import print_profile

SIZES = (1, 50, 200)
MEMORY_SIZES = (50, 200)
REBUILD_SIZE = 200
RESULTS = Path(__file__).resolve().parent / "results.json"

# The targets of issue 8.
MAX_RATIO_MKDOCS = 0.6
MAX_RATIO_MARKDOWN = 1.3
MAX_REBUILD_SHARE = 0.05
MAX_ZIP_BYTES = 60 * KB
MAX_RUNTIME_BYTES = 25 * KB
EXTRA_COMMITS = 2  # commits allowed beyond one per page
# "Memory should not grow with N beyond the course model": the build's heap may grow per
# lesson by at most this many times what the course model itself grows per lesson.
MAX_HEAP_GROWTH_OVER_MODEL = 1.2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--repeats", type=int, default=5, help="rounds per course size (default 5)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="only profile one build of N lessons, by stage"
    )
    arguments = parser.parse_args(argv)
    if arguments.profile:
        print_profile(arguments.profile)
        return 0

    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "repeats": arguments.repeats,
    }
    with tempfile.TemporaryDirectory(prefix="scorm-bench-") as temporary:
        work = Path(temporary)
        log(f"build times ({arguments.repeats} rounds per size, each run in a fresh process)")
        rounds = measure_builds(work, SIZES, arguments.repeats, REBUILD_SIZE, log)
        log("memory (tracemalloc)")
        traced = measure_traced_memory(work, MEMORY_SIZES)
    log("package weight")
    weighed = weight.measure_weight()
    reason = lms.unavailable_reason()
    session = None
    if reason is None:
        log("LMS traffic (browser session)")
        session = lms.measure_session()
    else:
        log(f"LMS traffic not measured: {reason}")

    results["build"] = {str(size): _build_figures(r) for size, r in rounds.items()}
    results["rebuild"] = _rebuild_figures(rounds[REBUILD_SIZE])
    results["memory"] = _memory_figures(rounds, traced)
    results["weight"] = weighed
    results["lms"] = session if session else {"not_measured": reason}
    rows = table(results)
    results["seconds_taken"] = round(time.monotonic() - started, 1)
    print()
    print_table(rows)
    write_json(arguments.output, results, rows)
    print(f"\n{results['date']}, {results['machine']['cpus']} CPUs ({results['machine']['cpu']})")
    print(f"written {arguments.output} in {results['seconds_taken']} s")
    return 0


def _build_figures(rounds: Rounds) -> dict[str, Any]:
    return {
        "median_seconds": {
            candidate: rounds.median(candidate) for candidate in ("scorm", "mkdocs", "markdown")
        },
        "ratio_to_mkdocs": rounds.ratio("scorm", "mkdocs"),
        "ratio_to_markdown": rounds.ratio("scorm", "markdown"),
        "runs": rounds.runs,
    }


def _rebuild_figures(rounds: Rounds) -> dict[str, Any]:
    return {
        "lessons": rounds.lesson_count,
        "median_seconds": rounds.median("rebuild"),
        "full_build_median_seconds": rounds.median("scorm"),
        "share_of_full_build": rounds.ratio("rebuild", "scorm"),
    }


def _memory_figures(rounds: dict[int, Rounds], traced: dict[int, dict[str, int]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for size in MEMORY_SIZES:
        figures[str(size)] = {
            "peak_rss_bytes": int(rounds[size].median("scorm", "rss_peak")),
            "rss_before_build_bytes": int(rounds[size].median("scorm", "rss_before")),
            **traced[size],
        }
    small, large = (figures[str(size)] for size in MEMORY_SIZES)
    lessons = MEMORY_SIZES[1] - MEMORY_SIZES[0]
    model_growth = (large["model_bytes"] - small["model_bytes"]) / lessons
    heap_growth = (large["build_peak_bytes"] - small["build_peak_bytes"]) / lessons
    figures["per_lesson"] = {
        "model_bytes": model_growth,
        "build_heap_peak_bytes": heap_growth,
        "peak_rss_bytes": (large["peak_rss_bytes"] - small["peak_rss_bytes"]) / lessons,
        "heap_growth_over_model": heap_growth / model_growth,
    }
    return figures


def table(results: dict[str, Any]) -> list[Row]:
    rows = []
    for size, figures in results["build"].items():
        last = int(size) == SIZES[-1]
        rows.append(
            Row(
                f"build {size} lessons / MkDocs",
                f"{figures['ratio_to_mkdocs']:.2f}x",
                f"<= {MAX_RATIO_MKDOCS}x" if last else "",
                figures["ratio_to_mkdocs"] <= MAX_RATIO_MKDOCS if last else None,
            )
        )
        rows.append(
            Row(
                f"build {size} lessons / Python-Markdown",
                f"{figures['ratio_to_markdown']:.2f}x",
                f"<= {MAX_RATIO_MARKDOWN}x" if last else "",
                figures["ratio_to_markdown"] <= MAX_RATIO_MARKDOWN if last else None,
            )
        )
    share = results["rebuild"]["share_of_full_build"]
    rows.append(
        Row(
            f"rebuild, 1 of {REBUILD_SIZE} lessons changed / full build",
            f"{share:.2f}x",
            f"<= {MAX_REBUILD_SHARE}x",
            share <= MAX_REBUILD_SHARE,
        )
    )
    memory = results["memory"]
    for size in MEMORY_SIZES:
        rows.append(
            Row(f"peak RSS, {size} lessons", f"{memory[str(size)]['peak_rss_bytes'] / MB:.1f} MB")
        )
    per_lesson = memory["per_lesson"]
    rows.append(
        Row(
            "peak RSS growth per lesson",
            f"{per_lesson['peak_rss_bytes'] / KB:.1f} KB",
        )
    )
    rows.append(
        Row(
            "heap peak growth / course model growth",
            f"{per_lesson['heap_growth_over_model']:.2f}x",
            f"<= {MAX_HEAP_GROWTH_OVER_MODEL}x",
            per_lesson["heap_growth_over_model"] <= MAX_HEAP_GROWTH_OVER_MODEL,
        )
    )
    weighed = results["weight"]
    rows.append(
        Row(
            "default course zip",
            f"{weighed['zip_bytes'] / KB:.1f} KB",
            f"< {MAX_ZIP_BYTES // KB} KB",
            weighed["zip_bytes"] < MAX_ZIP_BYTES,
        )
    )
    for name, sizes in weighed["runtime"].items():
        rows.append(Row(f"  {name}", f"{sizes['bytes'] / KB:.1f} KB"))
    rows.append(
        Row(
            "run-time JS + CSS, uncompressed",
            f"{weighed['runtime_bytes'] / KB:.1f} KB",
            f"< {MAX_RUNTIME_BYTES // KB} KB",
            weighed["runtime_bytes"] < MAX_RUNTIME_BYTES,
        )
    )
    session = results["lms"]
    if "not_measured" in session:
        rows.append(Row("LMS calls / commits in a full session", "not measured yet"))
    else:
        allowed = session["pages"] + EXTRA_COMMITS
        rows.append(Row("LMS calls in a full session", str(session["calls"])))
        rows.append(
            Row(
                f"commits in a full session ({session['pages']} pages)",
                str(session["commits"]),
                f"<= pages + {EXTRA_COMMITS} = {allowed}",
                session["commits"] <= allowed,
            )
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
