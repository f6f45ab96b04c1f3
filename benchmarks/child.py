"""One measurement, run in a fresh Python process: `python -m benchmarks.child TASK.json`.

Every candidate gets the same treatment: its modules are imported, it does one
warm-up run on a separate one-lesson course (lazy imports, compiled schemas and
first-call set-up are then paid), and only the next run is timed. Interpreter
start-up and imports are therefore outside every figure, ours and the baselines'.
The process prints one JSON object: the seconds, and its memory high-water marks.

It reports both clocks: "wall_seconds" (what an author waits; the targets are in wall time,
since the builder uses a process pool) and "cpu_seconds" (this process and the pool's
workers, which `process_time` alone would hide; on a small shared machine it is the steadier
figure, since wall time also measures the neighbours).

Candidate "scorm-baseline" is the builder at another checkout (`code` in the task): the
code before a change, measured in the same run as the code after it.
"""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _max_rss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux; the largest of this process and its pool's workers.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the pool's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def scorm_runner() -> Callable[[dict[str, Any]], None]:
    from scorm_builder.build import build

    return lambda job: build(Path(job["source"]), Path(job["output"]), cache_dir=Path(job["cache"]))


def baseline_runner(code: str) -> Callable[[dict[str, Any]], None]:
    sys.path.insert(0, code)  # before the installed checkout: the baseline's own modules
    from scorm_builder.build import build

    assert Path(sys.modules["scorm_builder"].__file__ or "").is_relative_to(code)
    # Its cache folder goes with its output folder, as ours: not the user's own, which grows
    # from run to run and whose folders already exist (code older than the cache has none).
    has_cache = "cache_dir" in inspect.signature(build).parameters

    def run(job: dict[str, Any]) -> None:
        cache = {"cache_dir": Path(job["cache"])} if has_cache else {}
        build(Path(job["source"]), Path(job["output"]), **cache)

    return run


def mkdocs_runner() -> Callable[[dict[str, Any]], None]:
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    # MkDocs logs every page at INFO/DEBUG when asked; keep it as quiet as `mkdocs build -q`.
    logging.getLogger("mkdocs").setLevel(logging.ERROR)

    def run(job: dict[str, Any]) -> None:
        # Loading mkdocs.yml is part of its build, as reading course.toml is part of ours.
        build(load_config(job["config"]))

    return run


def markdown_runner() -> Callable[[dict[str, Any]], None]:
    import markdown

    from scorm_builder.markdown_html import EXTENSIONS

    def run(job: dict[str, Any]) -> None:
        converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        for name in job["files"]:
            converter.reset()
            converter.convert(Path(name).read_text(encoding="utf-8"))

    return run


def preview_runner() -> Callable[[dict[str, Any]], None]:
    """The preview's rebuild: one process that keeps its lessons in memory between builds, as
    `scorm-builder preview` does. A job with `then_edit` changes that lesson once built (the
    task's untimed `prepare` step), so that the timed job is the rebuild after one edit."""
    from benchmarks.generator import edit_lesson
    from scorm_builder.build import build_package
    from scorm_builder.cache import Cache
    from scorm_builder.render import TEMPLATES_DIR, Theme

    cache, theme = Cache(None), Theme(TEMPLATES_DIR)

    def run(job: dict[str, Any]) -> None:
        build_package(Path(job["source"]), theme, cache)
        if "then_edit" in job:
            edit_lesson(Path(job["source"]), *job["then_edit"])

    return run


RUNNERS: dict[str, Callable[[], Callable[[dict[str, Any]], None]]] = {
    "scorm": scorm_runner,
    "scorm-preview": preview_runner,
    "mkdocs": mkdocs_runner,
    "markdown": markdown_runner,
}


def traced_memory(job: dict[str, Any]) -> dict[str, int]:
    """Python heap of the course model alone, and the heap's peak during a whole build.

    tracemalloc slows the build down, so this is its own run and is never timed.
    """
    import tracemalloc

    from scorm_builder.build import build
    from scorm_builder.sources import read_course

    tracemalloc.start()
    course = read_course(Path(job["source"]))
    model = tracemalloc.get_traced_memory()[0]
    del course
    tracemalloc.stop()
    tracemalloc.start()
    build(Path(job["source"]), Path(job["output"]), cache_dir=Path(job["cache"]), jobs=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"model_bytes": model, "build_peak_bytes": peak}


def main(task_file: str) -> None:
    task = json.loads(Path(task_file).read_text(encoding="utf-8"))
    if task["candidate"] == "scorm-traced":
        scorm_runner()(task["warm_up"])
        json.dump(traced_memory(task["job"]), sys.stdout)
        return
    if task["candidate"] == "scorm-baseline":
        run = baseline_runner(task["code"])
    else:
        run = RUNNERS[task["candidate"]]()
    run(task["warm_up"])
    if "prepare" in task:
        run(task["prepare"])
    rss_before = _max_rss_bytes()
    cpu_start, wall_start = _cpu_seconds(), time.perf_counter()
    run(task["job"])
    cpu, wall = _cpu_seconds() - cpu_start, time.perf_counter() - wall_start
    json.dump(
        {
            "seconds": wall,
            "cpu_seconds": cpu,
            "wall_seconds": wall,
            "rss_before": rss_before,
            "rss_peak": _max_rss_bytes(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
