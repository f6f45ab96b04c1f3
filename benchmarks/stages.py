"""Where the time of one build goes: `python -m benchmarks --profile [N]`.

cProfile's cumulative time of the function that starts each stage of the
pipeline, so the figures say which stage to make faster or to cache. Profiling
slows everything down a little, evenly; read the shares, not the seconds.
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
from pathlib import Path

from benchmarks.generator import make_course

# (label, module file suffix, function name); nested stages are indented in the label.
# A function that is renamed or gone shows 0 s: keep this list in step with the pipeline.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("build (total)", "scorm_builder/build.py", "build"),
    ("read sources", "scorm_builder/sources.py", "read_sources"),
    ("lessons (read, render, store)", "scorm_builder/build.py", "make_lessons"),
    ("  read files", "scorm_builder/text_file.py", "read_text"),
    ("  lessons", "scorm_builder/lesson.py", "read_lesson"),
    ("    markdown tree", "scorm_builder/markdown_html.py", "parse"),
    ("    sanitiser", "scorm_builder/lesson_html.py", "sanitise_fragment"),
    ("  quizzes", "scorm_builder/quiz.py", "read_quiz"),
    ("  cache lookups", "scorm_builder/cache.py", "get"),
    ("  render (Jinja2)", "scorm_builder/render.py", "render_page"),
    ("  record sheet part", "scorm_builder/record_sheet.py", "lesson_part"),
    ("  cache stores", "scorm_builder/cache.py", "put"),
    ("lay out", "scorm_builder/layout.py", "lay_out"),
    ("  manifest", "scorm_builder/manifest.py", "write_manifest"),
    ("  run-time (minify)", "scorm_builder/render.py", "static_files"),
    ("checks", "scorm_builder/build.py", "check_package"),
    ("  manifest", "scorm_builder/check/manifest.py", "check_manifest"),
    ("  per-file facts", "scorm_builder/check/content.py", "facts_of"),
    ("  scorm api", "scorm_builder/check/content.py", "check_scorm_api"),
    ("write (zip, record sheets)", "scorm_builder/output.py", "write_output"),
)


def profile_build(lesson_count: int) -> tuple[float, list[tuple[str, float]], pstats.Stats]:
    """Profile one warm build of `lesson_count` lessons; return total and per-stage seconds."""
    from scorm_builder.build import build

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        warm_up = make_course(root / "warm-up", 1, first=9001)
        build(warm_up, root / "warm-out", cache_dir=root / "warm-cache", jobs=1)
        course = make_course(root / "course", lesson_count)
        profiler = cProfile.Profile()
        profiler.enable()
        # In-process (jobs=1): cProfile does not see into worker processes.
        build(course, root / "out", cache_dir=root / "cache", jobs=1)
        profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative: dict[tuple[str, str], float] = {}
    for (file, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = (file.replace("\\", "/"), function)
        cumulative[key] = cumulative.get(key, 0.0) + ct
    rows = []
    for label, suffix, function in STAGES:
        seconds = sum(
            t
            for (file, name), t in cumulative.items()
            if name == function and file.endswith(suffix)
        )
        rows.append((label, seconds))
    return rows[0][1], rows, stats


def print_profile(lesson_count: int, top: int = 15) -> list[tuple[str, float]]:
    total, rows, stats = profile_build(lesson_count)
    print(f"Profile of one build of {lesson_count} lessons (cProfile, cumulative time)")
    for label, seconds in rows:
        print(f"  {label:<18} {seconds:7.3f} s  {seconds / total:6.1%}")
    print(f"\nTop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)
    return rows
