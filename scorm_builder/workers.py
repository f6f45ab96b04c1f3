"""Per-lesson work spread over the machine's cores, when there is enough of it to pay.

`map` gives its results in the order of its items whatever the number of workers, so the
package and the order of the problems do not depend on it. The number of workers is
`build -j N`, else `$SCORM_BUILDER_JOBS`, else one per core; 1 (or 0) works in-process.
Workers are forked (cheap on Linux: they start with the modules already imported); where
fork is not available, the work is done in-process.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from scorm_builder.i18n import _

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

JOBS_VARIABLE = "SCORM_BUILDER_JOBS"
# Starting a worker costs about as much as converting a few lessons: below this many items
# per worker, the work is done in-process.
MIN_ITEMS_PER_WORKER = 8

Item = TypeVar("Item")
Result = TypeVar("Result")


def job_count(requested: int | None = None, environ: Mapping[str, str] = os.environ) -> int:
    """How many workers: `requested`, else the variable, else one per usable core."""
    if requested is None and environ.get(JOBS_VARIABLE, "").strip():
        requested = parse_jobs(environ[JOBS_VARIABLE])
    if requested is None:
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, requested)


def parse_jobs(text: str) -> int:
    """A job count as written by a person; ValueError with the reason if it is not one."""
    jobs = int(text.strip()) if text.strip().isdigit() else -1
    if jobs < 0:
        message = _("'{text}' is not a number of jobs (write 1, 2, ...; 1 = no pool)")
        raise ValueError(message.format(text=text))
    return jobs


class Workers:
    """A process pool, started on the first `map` that is worth it; a context manager."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs if hasattr(os, "fork") else 1  # only fork starts workers cheaply
        self._pool: ProcessPoolExecutor | None = None

    def map(self, function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
        if self.jobs <= 1 or len(items) < 2 * MIN_ITEMS_PER_WORKER:
            return [function(item) for item in items]
        if self._pool is None:
            # Imported only now: a rebuild of a lesson or two never starts a pool, and these
            # (with subprocess and socket) are a tenth of the build's start-up.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # The workers are forked with the parent's objects: frozen, the collector in a
            # worker never writes to them, so their memory pages stay shared, not copied
            # (half the page faults in a 200-lesson build; README, Performance).
            gc.freeze()
            self._pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
            )
        # Sixteen chunks per worker: the workers end together whatever the lessons' lengths
        # (with four, the last chunk of one worker could leave the other core idle).
        chunk = max(1, len(items) // (self.jobs * 16))
        return list(self._pool.map(function, items, chunksize=chunk))

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=error is not None)
            self._pool = None
            gc.unfreeze()  # the parent's objects are collected again


def _worker_start() -> None:
    # The parent turns SIGTERM and Ctrl+C into a clean stop of the build; a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
