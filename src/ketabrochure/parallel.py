"""Typeset many documents: in this process, or in worker processes that set fonts up once.

A job carries the HTML (rendered in the main process) and returns a small, picklable outcome;
the PDF and its thumbnail go straight into the cache's object store, so large builds never
hold every PDF in memory.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from . import pdf
from .cache import put_object
from .model import PageBudget


@dataclass(frozen=True)
class Part:
    """HTML to lay out: its alternatives are tried in order until one fits the budget (the
    last one is kept)."""

    htmls: tuple[str, ...]
    budget: PageBudget
    base_dir: Path  # relative URLs resolve from here (the layout's folder)


@dataclass(frozen=True)
class Job:
    index: int
    parts: tuple[Part, ...]  # one, or several whose pages are combined (a referral packet)
    allowed: tuple[Path, ...]
    cache: Path | None  # the cache folder the PDF and thumbnail go to; None when only checking
    bleed: float | None = None  # print-shop BleedBox distance, in points
    measure_css: str | None = None  # brochures: CSS to lay out again with, to measure panels


@dataclass
class Outcome:
    index: int
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    served: dict[Path, str] = field(default_factory=dict)
    pdf: str | None = None  # SHA-256 of the PDF in the object store
    thumb: str | None = None
    regions: dict | None = None  # measured brochure panels (pdf.regions_to_json)
    part_pages: list[int] = field(default_factory=list)  # each part's pages, as laid out

    @property
    def ok(self) -> bool:
        return not self.problems


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


def fit(part: Part, allowed: tuple[Path, ...]) -> pdf.Typeset:
    """The first alternative that fits the part's budget, else the last; `served` names the
    files every attempt read (the choice depends on them all)."""
    served: dict[Path, str] = {}
    for i, html in enumerate(part.htmls):
        result = pdf.typeset(html, part.base_dir, allowed)
        served.update(result.served)
        if i == len(part.htmls) - 1 or result.document is None or part.budget.allows(result.pages):
            break
    result.served = served
    return result


def typeset_parts(parts: tuple[Part, ...],
                  allowed: tuple[Path, ...]) -> tuple[pdf.Typeset, list[int]]:
    """Every part fitted, their pages combined into one document; and each part's pages."""
    fitted = [fit(part, allowed) for part in parts]
    combined = fitted[0] if len(fitted) == 1 else pdf.combine(fitted)
    return combined, [part.pages for part in fitted]


def typeset_job(job: Job) -> Outcome:
    """Typeset one document; with a cache, write its PDF and thumbnail into the object store."""
    result, part_pages = typeset_parts(job.parts, job.allowed)
    outcome = Outcome(job.index, result.pages, result.warnings, result.problems, result.served,
                      part_pages=part_pages)
    if result.document is not None and job.measure_css is not None:
        part = job.parts[0]
        regions = pdf.panels(result, part.base_dir, job.allowed, job.measure_css,
                             split=not part.budget.allows(result.pages))
        outcome.regions = pdf.regions_to_json(regions)
    if result.document is not None and job.cache is not None:
        from .thumbs import thumbnail

        data = pdf.pdf_bytes(result, job.bleed)
        outcome.pdf = put_object(job.cache, data, "pdf")
        outcome.thumb = put_object(job.cache, thumbnail(data), "png")
    return outcome


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
