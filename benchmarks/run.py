"""Run every benchmark, print the table and write benchmarks/results.json.

- `scripts/bench`: installs what it needs, then runs this;
- `python -m benchmarks [--repeats 5]`: the same, in the virtual environment;
- `python -m benchmarks --baseline-code DIR`: also the builder at another checkout (the code
  before a change), in the same run, so before/after figures share the machine's mood;
- `python -m benchmarks --profile 200`: where the time of one build goes (cProfile).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import lms, weight
from benchmarks.builds import (
    BASELINE,
    Rounds,
    measure_builds,
    measure_commands,
    measure_help,
    measure_traced_memory,
)
from benchmarks.report import KB, MB, Row, machine, print_table, write_json
from benchmarks.stages import print_profile

SIZES = (1, 20, 200, 1000)
LARGE = 1000  # measured in fewer rounds: one round takes about as long as all the others
TARGET_SIZE = 200  # the size the build-time target is set for
MEMORY_SIZES = (200, 1000)  # peak RSS of the timed builds
TRACED_SIZES = (20, 200)  # heap of the model against the build's (tracemalloc, slow)
REBUILD_SIZE = 200
RESULTS = Path(__file__).resolve().parent / "results.json"

# The targets (issue 15, and issue 8 before it).
MAX_RATIO_MKDOCS = 0.6  # wall time, 200 lessons
MAX_RATIO_MARKDOWN = 1.3
MAX_REBUILD_SHARE = 0.05
MAX_HELP_RATIO = 1.0  # `scorm-builder --help` against `mkdocs --help`
MAX_MEMORY_RATIO = 1.5  # peak RSS at 1000 lessons against 200
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
    parser.add_argument(
        "--baseline-code",
        type=Path,
        metavar="DIR",
        help="also measure the builder in this checkout (e.g. a worktree of an older commit)",
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
        repeats = {size: arguments.repeats for size in SIZES}
        repeats[LARGE] = max(1, arguments.repeats // 3)
        log(f"build times ({repeats} rounds per size, each run in a fresh process)")
        baseline = arguments.baseline_code.resolve() if arguments.baseline_code else None
        rounds = measure_builds(work, repeats, REBUILD_SIZE, log, baseline)
        log(f"commands, as an author runs them ({TARGET_SIZE} lessons, a new process each)")
        commands = measure_commands(work, TARGET_SIZE, arguments.repeats, baseline)
        log("memory (tracemalloc)")
        traced = measure_traced_memory(work, TRACED_SIZES)
    log("start-up (--help)")
    helps = measure_help(max(5, arguments.repeats), baseline)
    log("package weight")
    weighed = weight.measure_weight()
    reason = lms.unavailable_reason()
    session = None
    if reason is None:
        log("LMS traffic (browser session)")
        try:
            session = lms.measure_session()
        except Exception as error:  # noqa: BLE001 - the other figures are still worth keeping
            reason = f"the session failed: {type(error).__name__}: {error}"
            log(f"LMS traffic not measured: {reason}")
    else:
        log(f"LMS traffic not measured: {reason}")

    results["build"] = {str(size): _build_figures(r) for size, r in rounds.items()}
    results["rebuild"] = _rebuild_figures(rounds[REBUILD_SIZE])
    results["commands"] = _command_figures(commands)
    results["memory"] = _memory_figures(rounds, traced)
    results["help"] = {
        "median_seconds": {name: statistics.median(times) for name, times in helps.items()},
        "runs": helps,
    }
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
    candidates = [name for name in ("scorm", "mkdocs", "markdown", BASELINE) if name in rounds.runs]
    figures: dict[str, Any] = {
        "median_wall_seconds": {name: rounds.median(name, "wall_seconds") for name in candidates},
        "median_cpu_seconds": {name: rounds.median(name, "cpu_seconds") for name in candidates},
    }
    for name in candidates[1:]:
        figures[f"wall_ratio_to_{name}"] = rounds.ratio("scorm", name)
        figures[f"cpu_ratio_to_{name}"] = rounds.ratio("scorm", name, "cpu_seconds")
    figures["runs"] = rounds.runs
    return figures


def _rebuild_figures(rounds: Rounds) -> dict[str, Any]:
    figures: dict[str, Any] = {"lessons": rounds.lesson_count}
    for name in ("scorm", BASELINE):
        if f"{name}-rebuild" in rounds.runs:
            figures[name] = {
                "median_wall_seconds": rounds.median(f"{name}-rebuild", "wall_seconds"),
                "full_build_median_wall_seconds": rounds.median(name, "wall_seconds"),
                "share_of_full_build": rounds.ratio(f"{name}-rebuild", name),
                "cpu_share_of_full_build": rounds.ratio(f"{name}-rebuild", name, "cpu_seconds"),
            }
    if "scorm-preview-rebuild" in rounds.runs:
        figures["scorm-preview"] = {
            "median_wall_seconds": rounds.median("scorm-preview-rebuild", "wall_seconds"),
            "share_of_full_build": rounds.ratio("scorm-preview-rebuild", "scorm"),
            "cpu_share_of_full_build": rounds.ratio(
                "scorm-preview-rebuild", "scorm", "cpu_seconds"
            ),
        }
    return figures


def _command_figures(rounds: Rounds) -> dict[str, Any]:
    figures: dict[str, Any] = {"lessons": rounds.lesson_count}
    for name in ("scorm", BASELINE):
        if name in rounds.runs:
            figures[name] = {
                "build_median_wall_seconds": rounds.median(name, "wall_seconds"),
                "rebuild_median_wall_seconds": rounds.median(f"{name}-rebuild", "wall_seconds"),
                "build_ratio_to_mkdocs": rounds.ratio(name, "mkdocs"),
                "rebuild_share_of_build": rounds.ratio(f"{name}-rebuild", name),
            }
    figures["mkdocs_median_wall_seconds"] = rounds.median("mkdocs", "wall_seconds")
    figures["runs"] = rounds.runs
    return figures


def _memory_figures(rounds: dict[int, Rounds], traced: dict[int, dict[str, int]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for size in MEMORY_SIZES:
        figures[str(size)] = {
            "peak_rss_bytes": int(rounds[size].median("scorm", "rss_peak")),
            "rss_before_build_bytes": int(rounds[size].median("scorm", "rss_before")),
        }
        if BASELINE in rounds[size].runs:
            figures[str(size)]["baseline_peak_rss_bytes"] = int(
                rounds[size].median(BASELINE, "rss_peak")
            )
    small, large = (figures[str(size)]["peak_rss_bytes"] for size in MEMORY_SIZES)
    figures["peak_rss_ratio"] = large / small
    if "baseline_peak_rss_bytes" in figures[str(MEMORY_SIZES[0])]:
        figures["baseline_peak_rss_ratio"] = (
            figures[str(MEMORY_SIZES[1])]["baseline_peak_rss_bytes"]
            / figures[str(MEMORY_SIZES[0])]["baseline_peak_rss_bytes"]
        )
    small_traced, large_traced = (traced[size] for size in TRACED_SIZES)
    lessons = TRACED_SIZES[1] - TRACED_SIZES[0]
    model_growth = (large_traced["model_bytes"] - small_traced["model_bytes"]) / lessons
    heap_growth = (large_traced["build_peak_bytes"] - small_traced["build_peak_bytes"]) / lessons
    figures["traced"] = {str(size): traced[size] for size in TRACED_SIZES}
    figures["per_lesson"] = {
        "model_bytes": model_growth,
        "build_heap_peak_bytes": heap_growth,
        "heap_growth_over_model": heap_growth / model_growth,
    }
    return figures


def table(results: dict[str, Any]) -> list[Row]:
    rows = []
    for size, figures in results["build"].items():
        at_target = int(size) == TARGET_SIZE
        wall = figures["wall_ratio_to_mkdocs"]
        rows.append(
            Row(
                f"build {size} lessons / MkDocs, wall (CPU)",
                f"{wall:.2f}x ({figures['cpu_ratio_to_mkdocs']:.2f}x)",
                f"<= {MAX_RATIO_MKDOCS}x" if at_target else "",
                wall <= MAX_RATIO_MKDOCS if at_target else None,
            )
        )
        markdown = figures["wall_ratio_to_markdown"]
        rows.append(
            Row(
                f"build {size} lessons / Python-Markdown, wall (CPU)",
                f"{markdown:.2f}x ({figures['cpu_ratio_to_markdown']:.2f}x)",
                f"<= {MAX_RATIO_MARKDOWN}x" if at_target else "",
                markdown <= MAX_RATIO_MARKDOWN if at_target else None,
            )
        )
        if f"wall_ratio_to_{BASELINE}" in figures:
            rows.append(
                Row(
                    f"build {size} lessons / baseline code, wall (CPU)",
                    f"{figures[f'wall_ratio_to_{BASELINE}']:.2f}x "
                    f"({figures[f'cpu_ratio_to_{BASELINE}']:.2f}x)",
                )
            )
    for name, label in (("scorm", ""), (BASELINE, " (baseline code)")):
        rebuild = results["rebuild"].get(name)
        if rebuild is None:
            continue
        share = rebuild["share_of_full_build"]
        rows.append(
            Row(
                f"rebuild, 1 of {REBUILD_SIZE} lessons changed / full build{label}, wall (CPU)",
                f"{share:.3f}x ({rebuild['cpu_share_of_full_build']:.3f}x)",
                f"<= {MAX_REBUILD_SHARE}x" if name == "scorm" else "",
                share <= MAX_REBUILD_SHARE if name == "scorm" else None,
            )
        )
    preview = results["rebuild"].get("scorm-preview")
    if preview is not None:
        share, cpu_share = preview["share_of_full_build"], preview["cpu_share_of_full_build"]
        rows.append(
            Row(
                f"preview's rebuild, 1 of {REBUILD_SIZE} changed / full build, wall (CPU)",
                f"{share:.3f}x ({cpu_share:.3f}x)",
            )
        )
    commands = results["commands"]
    for name, label in (("scorm", ""), (BASELINE, " (baseline code)")):
        if name not in commands:
            continue
        figures, lessons = commands[name], commands["lessons"]
        mkdocs_ms = commands["mkdocs_median_wall_seconds"] * 1000
        rows.append(
            Row(
                f"`build` of {lessons} lessons as a command / `mkdocs build`{label}, wall",
                f"{figures['build_ratio_to_mkdocs']:.2f}x "
                f"({figures['build_median_wall_seconds'] * 1000:.0f} / {mkdocs_ms:.0f} ms)",
            )
        )
        rows.append(
            Row(
                f"`build` again, 1 of {lessons} changed / the first `build`{label}, wall",
                f"{figures['rebuild_share_of_build']:.3f}x "
                f"({figures['rebuild_median_wall_seconds'] * 1000:.0f} ms)",
            )
        )
    helps = results["help"]["median_seconds"]
    help_ratio = helps["scorm"] / helps["mkdocs"]
    rows.append(
        Row(
            "scorm-builder --help / mkdocs --help, wall",
            f"{help_ratio:.2f}x ({helps['scorm'] * 1000:.0f} / {helps['mkdocs'] * 1000:.0f} ms)",
            f"<= {MAX_HELP_RATIO}x",
            help_ratio <= MAX_HELP_RATIO,
        )
    )
    if BASELINE in helps:
        rows.append(
            Row(
                "baseline code --help / mkdocs --help, wall",
                f"{helps[BASELINE] / helps['mkdocs']:.2f}x",
            )
        )
    memory = results["memory"]
    for size in MEMORY_SIZES:
        rows.append(
            Row(f"peak RSS, {size} lessons", f"{memory[str(size)]['peak_rss_bytes'] / MB:.1f} MB")
        )
    rows.append(
        Row(
            f"peak RSS, {MEMORY_SIZES[1]} / {MEMORY_SIZES[0]} lessons",
            f"{memory['peak_rss_ratio']:.2f}x",
            f"<= {MAX_MEMORY_RATIO}x",
            memory["peak_rss_ratio"] <= MAX_MEMORY_RATIO,
        )
    )
    if "baseline_peak_rss_ratio" in memory:
        rows.append(
            Row(
                f"peak RSS, {MEMORY_SIZES[1]} / {MEMORY_SIZES[0]} lessons (baseline code)",
                f"{memory['baseline_peak_rss_ratio']:.2f}x",
            )
        )
    per_lesson = memory["per_lesson"]
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
