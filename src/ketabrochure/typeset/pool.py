"""Run typesetting jobs: in this process (jobs=1), or in a pool of forked, warm workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Self

from . import pdf
from .jobs import Job, Outcome, typeset_job


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _start_worker() -> None:
    """A worker ignores Ctrl-C (the main process handles it) and drops what it inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pdf.forget_inherited_fonts()


class Renderer:
    """Runs jobs in this process (jobs=1) or in a pool of warm workers, kept between calls."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or default_jobs()
        self._pool: ProcessPoolExecutor | None = None

    def run(self, jobs: Iterable[Job], count: int) -> Iterator[Outcome]:
        """Outcomes of `count` jobs as they finish (not in job order); jobs are read lazily.

        With workers, the first jobs are handed out at once, before the first outcome is
        asked for, so the caller can do other work meanwhile."""
        queue = iter(jobs)
        if count == 0:
            return iter(())
        if self.jobs == 1 or (count == 1 and self._pool is None):
            return (typeset_job(job) for job in queue)  # one document: no worker to start
        pool = self._ensure_pool()
        futures: set[Future[Outcome]] = set()
        for job in queue:  # keep the workers busy without queueing thousands of HTML strings
            futures.add(pool.submit(typeset_job, job))
            if len(futures) >= 2 * self.jobs:
                break
        return self._collect(pool, futures, queue)

    @staticmethod
    def _collect(pool: ProcessPoolExecutor, futures: set[Future[Outcome]],
                 queue: Iterator[Job]) -> Iterator[Outcome]:
        while futures:
            done, futures = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                job = next(queue, None)
                if job is not None:
                    futures.add(pool.submit(typeset_job, job))

    def fork(self, warm: bool = False) -> None:
        """Start the worker processes now, while this process is small: a forked worker
        shares its parent's memory as it was then (not the content and reading-grade data
        this process loads next). They import nothing more until `warm_up`, unless `warm`."""
        if warm:
            self.warm_up()
        elif self.jobs > 1:
            self._ensure_pool().submit(int)

    def warm_up(self) -> None:
        """Workers import WeasyPrint and set fonts up now, while this process renders the HTML.

        (Importing WeasyPrint here before forking was tried: no measurable gain, and every
        process grew by about 20 MB.)
        """
        if self.jobs > 1:
            pool = self._ensure_pool()
            for _ in range(self.jobs):  # each worker takes one (unless one is very quick)
                pool.submit(pdf.warm_up)

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: workers start with this process's modules already imported
            context = multiprocessing.get_context("fork" if os.name == "posix" else None)
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context,
                                             initializer=_start_worker)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
