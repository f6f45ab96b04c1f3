"""Build time against the baselines, rebuild after one edit, peak memory, start-up.

Every figure comes from a fresh child process (`benchmarks.child`). Within a
round the candidates run one after the other, in an order that rotates from round
to round, so slow spells of a noisy machine fall on all of them alike; a ratio is
taken within each round and the median of the rounds is reported.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generator import ROOT, edit_lesson, make_course, markdown_files
from scorm_builder.markdown_html import EXTENSIONS

CANDIDATES = ("scorm", "mkdocs", "markdown")
BASELINE = "scorm-baseline"  # the builder at another checkout, when one is given
WARM_UP_FIRST_LESSON = 9001  # the warm-up course shares no prose with the measured ones


@dataclass(frozen=True)
class Workspace:
    """A generated course and the same Markdown files set up as a plain MkDocs site."""

    root: Path
    lesson_count: int
    course: Path
    mkdocs_config: Path
    site: Path
    files: tuple[str, ...]

    @classmethod
    def create(cls, root: Path, lesson_count: int, first: int = 1) -> Workspace:
        course = make_course(root / "course", lesson_count, first)
        files = markdown_files(course)
        docs = root / "docs"  # only the .md files: MkDocs would copy the quizzes as assets
        docs.mkdir()
        for path in files:
            shutil.copyfile(path, docs / path.name)
        site = root / "site"
        config = root / "mkdocs.yml"
        # A plain site: default theme, no plugins (not even search), the same Markdown
        # extensions as the lessons, so both sides convert the same Markdown the same way.
        config.write_text(
            "\n".join(
                [
                    "site_name: bench",
                    f"docs_dir: {docs}",
                    f"site_dir: {site}",
                    "theme:",
                    "  name: mkdocs",
                    "plugins: []",
                    "use_directory_urls: false",
                    f"markdown_extensions: [{', '.join(EXTENSIONS)}]",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        return cls(root, lesson_count, course, config, site, tuple(str(p) for p in files))

    def job(self, candidate: str, source: Path | None = None, output: Path | None = None) -> dict:
        if candidate == "mkdocs":
            return {"config": str(self.mkdocs_config)}
        if candidate == "markdown":
            return {"files": list(self.files)}
        output = output or self.root / "out"
        # The cache folder goes with the output folder: a clean build starts without one.
        return {
            "source": str(source or self.course),
            "output": str(output),
            "cache": str(output.parent / f"{output.name}-cache"),
        }


def run_child(task: dict[str, Any], task_file: Path) -> dict[str, Any]:
    task_file.write_text(json.dumps(task), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", str(task_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({task['candidate']}):\n{done.stderr}")
    return json.loads(done.stdout)


@dataclass
class Rounds:
    """The raw results of the rounds for one course size."""

    lesson_count: int
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def seconds(self, candidate: str, key: str = "wall_seconds") -> list[float]:
        return [run[key] for run in self.runs.get(candidate, [])]

    def ratio(self, candidate: str, baseline: str, key: str = "wall_seconds") -> float:
        """Median over the rounds of candidate/baseline, each pair timed in the same round."""
        pairs = zip(self.seconds(candidate, key), self.seconds(baseline, key), strict=True)
        return statistics.median(ours / theirs for ours, theirs in pairs)

    def median(self, candidate: str, key: str = "seconds") -> float:
        return statistics.median(run[key] for run in self.runs[candidate])


def measure_builds(
    work: Path,
    sizes: dict[int, int],
    rebuild_size: int,
    log: Any,
    baseline_code: Path | None = None,
) -> dict[int, Rounds]:
    """Time every candidate on every size (`sizes`: lessons -> rounds); on `rebuild_size`
    also an edited rebuild. With `baseline_code`, the builder at that checkout too."""
    warm_up = Workspace.create(_fresh(work / "warm-up"), 1, WARM_UP_FIRST_LESSON)
    candidates = CANDIDATES + ((BASELINE,) if baseline_code else ())
    results: dict[int, Rounds] = {}
    for size, repeats in sizes.items():
        workspace = Workspace.create(_fresh(work / f"n{size}"), size)
        rounds = results[size] = Rounds(size)
        for round_number in range(repeats):
            log(f"  N={size}: round {round_number + 1}/{repeats}")
            shift = round_number % len(candidates)
            for candidate in candidates[shift:] + candidates[:shift]:
                if candidate in ("scorm", BASELINE):
                    rebuild = size == rebuild_size
                    code = str(baseline_code) if candidate == BASELINE else None
                    _time_scorm(work, workspace, warm_up, rounds, round_number, rebuild, code)
                    continue
                if candidate == "mkdocs":  # MkDocs gets an empty site folder, as we do
                    shutil.rmtree(workspace.site, ignore_errors=True)
                    shutil.rmtree(warm_up.site, ignore_errors=True)
                task = {
                    "candidate": candidate,
                    "warm_up": warm_up.job(candidate),
                    "job": workspace.job(candidate),
                }
                rounds.runs.setdefault(candidate, []).append(run_child(task, work / "task.json"))
    return results


def _time_scorm(
    work: Path,
    workspace: Workspace,
    warm_up: Workspace,
    rounds: Rounds,
    round_number: int,
    rebuild: bool,
    code: str | None,
) -> None:
    """A clean build (fresh copy of the sources, empty output and cache folders), then maybe
    a rebuild."""
    name = "scorm" if code is None else BASELINE
    run_dir = _fresh(workspace.root / f"round-{round_number}")
    source = run_dir / "course"
    shutil.copytree(workspace.course, source)
    task = {
        "candidate": name,
        "warm_up": warm_up.job("scorm", output=_fresh(work / "warm-out") / "out"),
        "job": workspace.job("scorm", source, run_dir / "out"),
        "code": code,
    }
    rounds.runs.setdefault(name, []).append(run_child(task, work / "task.json"))
    if rebuild:
        # The author fixes one lesson and builds again: same folders, the previous package
        # still in the output folder, a new process (as running scripts/build again).
        edit_lesson(source, 1 + (round_number * 37) % workspace.lesson_count, round_number + 1)
        rebuilt = run_child(task, work / "task.json")
        rounds.runs.setdefault(f"{name}-rebuild", []).append(rebuilt)
        if code is None:
            # The same edit in the preview, which stays running: built once, one lesson
            # edited, built again in the same process (the figure is the second build).
            lesson = 1 + (round_number * 53 + 11) % workspace.lesson_count
            preview = {
                "candidate": "scorm-preview",
                "warm_up": task["warm_up"],
                "prepare": {"source": str(source), "then_edit": [lesson, round_number + 101]},
                "job": {"source": str(source)},
            }
            previewed = run_child(preview, work / "task.json")
            rounds.runs.setdefault("scorm-preview-rebuild", []).append(previewed)
    shutil.rmtree(run_dir)


def measure_help(repeats: int, baseline_code: Path | None) -> dict[str, list[float]]:
    """Wall time of `--help` in a fresh process: ours, MkDocs', and the baseline's."""
    commands = {
        "scorm": [sys.executable, "-m", "scorm_builder", "--help"],
        "mkdocs": [sys.executable, "-m", "mkdocs", "--help"],
    }
    if baseline_code:
        commands[BASELINE] = [sys.executable, *_command_line_of(baseline_code), "--help"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            times[name].append(time.perf_counter() - started)
    return times


def measure_commands(
    work: Path, lesson_count: int, repeats: int, baseline_code: Path | None
) -> Rounds:
    """Wall time of the commands an author types, each a new process with its start-up and
    imports: `scorm-builder build` of a course never built, the same command again after one
    lesson is edited, and `mkdocs build` of the same Markdown (as "scorm", "scorm-rebuild",
    "mkdocs"; with `baseline_code`, that checkout's build too)."""
    workspace = Workspace.create(_fresh(work / "commands"), lesson_count)
    # As on an author's machine, Python keeps the modules it compiled (.pyc): without, every
    # run would compile the modules again, the same for every candidate.
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(workspace.mkdocs_config)]
    ours = {"scorm": ["-m", "scorm_builder"]}
    if baseline_code:
        ours[BASELINE] = _command_line_of(baseline_code)
    rounds = Rounds(lesson_count)

    def timed(name: str, command: list[str], cache: Path | None = None) -> None:
        env = environ | ({"SCORM_BUILDER_CACHE_DIR": str(cache)} if cache else {})
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
        rounds.runs.setdefault(name, []).append({"wall_seconds": time.perf_counter() - started})

    def ours_then_rebuild(name: str, round_number: int) -> None:
        run_dir = _fresh(workspace.root / f"{name}-{round_number}")
        source = run_dir / "course"
        shutil.copytree(workspace.course, source)
        build = [sys.executable, *ours[name], "build", str(source), "-o", str(run_dir / "out")]
        timed(name, build, run_dir / "cache")
        edit_lesson(source, 1 + (round_number * 37) % lesson_count, round_number + 1)
        timed(f"{name}-rebuild", build, run_dir / "cache")
        shutil.rmtree(run_dir)

    candidates = [*ours, "mkdocs"]
    for round_number in range(repeats + 1):  # the first round only writes the .pyc files
        shift = round_number % len(candidates)
        for name in candidates[shift:] + candidates[:shift]:
            if name == "mkdocs":
                shutil.rmtree(workspace.site, ignore_errors=True)
                timed("mkdocs", mkdocs)
            else:
                ours_then_rebuild(name, round_number)
        if round_number == 0:
            rounds.runs.clear()
    return rounds


def _command_line_of(code: Path) -> list[str]:
    """Python's arguments that run the command line of the builder at `code` (an older
    checkout) with the arguments that follow them."""
    return [
        "-c",
        f"import sys; sys.path.insert(0, {str(code)!r}); "
        "from scorm_builder.cli import main; sys.exit(main(sys.argv[1:]))",
    ]


def measure_traced_memory(work: Path, sizes: tuple[int, ...]) -> dict[int, dict[str, int]]:
    """The course model's heap and the build's heap peak (tracemalloc), one run per size."""
    warm_up = Workspace.create(_fresh(work / "warm-up-traced"), 1, WARM_UP_FIRST_LESSON)
    found = {}
    for size in sizes:
        course = make_course(_fresh(work / f"traced-{size}") / "course", size)
        task = {
            "candidate": "scorm-traced",
            "warm_up": warm_up.job("scorm", output=_fresh(work / "warm-out") / "out"),
            "job": warm_up.job("scorm", course, course.parent / "out"),
        }
        found[size] = run_child(task, work / "task.json")
    return found


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
