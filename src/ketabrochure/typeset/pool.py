"""Run typesetting jobs: in this process (jobs=1), or in a pool of forked, warm workers."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Self

from . import pdf
from .jobs import Job, Outcome, typeset_job


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1
DIED = "the worker process typesetting it died (killed, or out of memory)"
# A worker's address space (a soft limit: past it, allocations fail and the document is an
# error naming it). The largest default document peaks near 0.5 GB; a runaway one grew to 10.
WORKER_MEMORY = 3 * 2**30
GRACE = 3.0  # seconds workers get to end on their own when the pool closes; then SIGKILL


def _start_worker(parent: int) -> None:
    """A worker ignores Ctrl-C (the main process handles it), dies with the main process
    however that ends (Linux: the kernel sends it SIGKILL), and drops what it inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "prctl"):
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the main process ended before the line above
        os._exit(1)
    with contextlib.suppress(ValueError, OSError):  # (a hard limit below ours stays)
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY:
            resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, hard))
    pdf.forget_inherited_fonts()


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to load
        return None


_LIBC = _libc()


def give_back() -> None:
    """Return the memory a finished document freed to the system: glibc keeps freed heap
    pages mapped until asked (malloc_trim: about 1 ms a document, 0.14% of the CPU). No full
    collection here: one costs 50-170 ms in a worker, 8.7% of the CPU if run after every
    document; a long document's boxes are collected once written (pdf.RELEASE_PAGES)."""
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


def typeset_in_worker(job: Job) -> Outcome:
    """A job in a worker process, which then gives back what the document used (only a
    help: a worker near its memory limit may fail even at that, and keeps the outcome)."""
    try:
        return typeset_job(job)
    finally:
        with contextlib.suppress(Exception):
            give_back()


class Renderer:
    """Runs jobs in this process (jobs=1) or in a pool of warm workers, kept between calls."""

    def __init__(self, jobs: int | None = None, transient: bool = False) -> None:
        self.jobs = jobs or default_jobs()
        # transient: the workers end as soon as a run's last outcome is in (a build's own,
        # whose main process then makes the reading grades, web edition and claims ledger
        # alone); watch and serve keep theirs warm for the next build
        self.transient = transient
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def own(cls, jobs: int | None, cold: bool) -> Renderer:
        """A run's own workers (they end with its last outcome), forked now, while this
        process is small; `cold`: every document will be typeset, so they import WeasyPrint
        at once."""
        renderer = cls(jobs, transient=True)
        renderer.fork(warm=cold)
        return renderer

    def run(self, jobs: Iterable[Job], count: int) -> Iterator[Outcome]:
        """Outcomes of `count` jobs as they finish (not in job order); jobs are read lazily.

        With workers, the first jobs are handed out at once, before the first outcome is
        asked for, so the caller can do other work meanwhile."""
        queue = iter(jobs)
        if count == 0:
            return iter(())
        if self.jobs == 1 or (count == 1 and self._pool is None):
            return (typeset_job(job) for job in queue)  # one document: no worker to start
        futures: dict[Future[Outcome], Job] = {}
        self._fill(futures, queue)
        return self._collect(futures, queue)

    def _fill(self, futures: dict[Future[Outcome], Job], queue: Iterator[Job]) -> None:
        """Keep the workers busy without queueing thousands of HTML strings."""
        pool = self._ensure_pool()
        for job in queue:
            try:
                futures[pool.submit(typeset_in_worker, job)] = job
            except BrokenProcessPool as exc:  # a worker died since the last job was handed
                failed: Future[Outcome] = Future()  # out: this one is a suspect too, run
                failed.set_exception(exc)  # alone by _collect
                futures[failed] = job
            if len(futures) >= 2 * self.jobs:
                break

    def _collect(self, futures: dict[Future[Outcome], Job],
                 queue: Iterator[Job]) -> Iterator[Outcome]:
        """Outcomes as they finish. A worker that dies breaks the pool and every job it
        holds: those are run again one at a time in a new pool, so the document that kills
        its worker is named (an outcome with `failure`) and the others are made."""
        while futures:
            suspects: list[Job] = []
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    job = futures.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        suspects.append(job)
                        continue
                    except Exception:  # noqa: BLE001 - the worker could not even report its
                        outcome = Outcome(job.index, failure=DIED)  # failure: out of memory
                    yield outcome
                    if not suspects:
                        self._fill(futures, queue)
            for job in suspects:
                yield self._alone(job)
            if suspects:
                self._fill(futures, queue)
        if self.transient:
            self.close()

    def _alone(self, job: Job) -> Outcome:
        self._restart()
        try:
            return self._ensure_pool().submit(typeset_in_worker, job).result()
        except BrokenProcessPool:
            self._restart()
            return Outcome(job.index, failure=DIED)

    def _restart(self) -> None:
        """Drop a broken pool (its workers are gone); the next job starts a new one."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

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
                                             initializer=_start_worker,
                                             initargs=(os.getpid(),))
        return self._pool

    def close(self, kill: bool = False) -> None:
        """End the workers: every wait bounded (GRACE), SIGKILL for any still there after it
        (a worker deadlocked in a futex, or mid-layout). `kill`: at once (Ctrl-C, SIGTERM,
        an error), not waiting for the documents they typeset."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if kill:
            for process in processes:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + GRACE
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join(1.0)
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:  # it ends once the workers are gone: joined at exit too
            manager.join(max(0.5, deadline - time.monotonic()))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(kill=kind is not None)
