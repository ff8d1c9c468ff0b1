"""Typesetting jobs: what to lay out for one document, and the small outcome it returns.

A job carries the HTML (rendered in the main process) and returns a small, picklable outcome;
the PDF and its thumbnail go straight into the cache's object store, so large builds never
hold every PDF in memory.
"""

from __future__ import annotations

import dataclasses
import re
import resource
from dataclasses import dataclass, field
from pathlib import Path

from ..files import put_object
from ..pages import Part
from . import legible, measure, pdf, print_shop, spill, tags
from .findings import Findings
from .options import PrintOptions
from .thumbs import thumbnail


@dataclass(frozen=True)
class Job:
    index: int
    parts: tuple[Part, ...]  # one, or several whose pages are combined (a referral packet)
    allowed: tuple[Path, ...]
    # (project folder, its cache folder) the PDF and thumbnail go to; None when only checking
    cache: tuple[Path, str] | None
    options: PrintOptions = field(default_factory=PrintOptions)  # the cache keys on it too


@dataclass
class Outcome:
    """What typesetting one document gave: what laying out found, and what is this run's."""

    index: int
    findings: Findings = field(default_factory=Findings)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    served: dict[Path, str] = field(default_factory=dict)
    pdf: str | None = None  # SHA-256 of the PDF in the object store
    thumb: str | None = None
    failure: str | None = None  # why the document could not be made (a worker died, disk full)
    # each alternative laid out and dropped: (part, alternative, pages, files it read)
    dropped: list[tuple[int, int, int, dict[Path, str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.failure is None


def fit(part: Part, allowed: tuple[Path, ...]
        ) -> tuple[pdf.Typeset, list[tuple[int, int, dict[Path, str]]]]:
    """The first alternative that fits the part's budget, else the last; `served` names the
    files every attempt read (the choice depends on them all). An alternative known not to fit
    (`part.known`) is not laid out again; the one kept always is, so its budget is proven on
    its real layout. Also: each alternative laid out and dropped (index, pages, files read)."""
    served: dict[Path, str] = {}
    dropped: list[tuple[int, int, dict[Path, str]]] = []
    last = len(part.htmls) - 1
    for i, html in enumerate(part.htmls):
        known = part.known[i] if i < len(part.known) else None
        if i < last and known is not None and not part.budget.allows(known.pages):
            served.update(known.served)  # what it read still decides the choice
            continue
        result = pdf.typeset(html, part.base_dir, allowed)
        served.update(result.served)
        if i == last or result.document is None or part.budget.allows(result.pages):
            break
        dropped.append((i, result.pages, result.served))
    result.served = served
    return result, dropped


def typeset_parts(parts: tuple[Part, ...], allowed: tuple[Path, ...]
                  ) -> tuple[pdf.Typeset, list[int], list[tuple[int, int, int, dict[Path, str]]]]:
    """Every part fitted, their pages combined into one document; each part's pages; and the
    alternatives laid out and dropped, by part (see `fit`)."""
    fitted, dropped = [], []
    for number, part in enumerate(parts):
        result, tried = fit(part, allowed)
        fitted.append(result)
        dropped += [(number, *t) for t in tried]
    combined = fitted[0] if len(fitted) == 1 else pdf.combine(fitted)
    return combined, [part.pages for part in fitted], dropped


TOO_MUCH = ("it prints far too much: shorten or remove what it prints (for the report, "
            "studies in content/studies/), then check again")
OUT_OF_MEMORY = f"ran out of memory (past the limit a worker may use); {TOO_MUCH}"


def typeset_job(job: Job) -> Outcome:
    """`typeset_one`, where a document past the bounds (pdf.TooLarge) or past its process's
    memory limit is a failure that names it, never a traceback or a hung build."""
    try:
        return typeset_one(job)
    except pdf.TooLarge as exc:
        return Outcome(job.index, failure=f"{exc}; {TOO_MUCH}")
    except (Exception, pdf.fatal_fetch_error()) as exc:  # noqa: BLE001 - any library's
        # failure fails this document only (WeasyPrint's fatal fetch error is a BaseException)
        try:
            if any(isinstance(e, MemoryError) for e in _chain(exc)) or _near_memory_limit():
                return Outcome(job.index, failure=OUT_OF_MEMORY)
            return Outcome(job.index, failure=f"typesetting failed: {type(exc).__name__}: {exc}")
        except Exception:  # noqa: BLE001 - even the report failed: an interpreter near its
            return Outcome(job.index, failure=OUT_OF_MEMORY)  # limit fails in odd ways


def _near_memory_limit() -> bool:
    """Whether this process came close to its address-space limit (then a C library's
    failure, a SystemError or an error wrapped by WeasyPrint, is really memory running out)."""
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    except MemoryError:  # too little left even to read it (a worker importing under its limit)
        return True
    found = re.search(r"^VmPeak:\s+(\d+) kB", status, re.MULTILINE)
    return found is not None and int(found[1]) * 1024 > 0.9 * soft


def _chain(exc: BaseException | None) -> list[BaseException]:
    """The exception and those it was raised from (at most 20)."""
    found: list[BaseException] = []
    while exc is not None and len(found) < 20:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def typeset_one(job: Job) -> Outcome:
    """Typeset one document and check its pages and its tagged PDF; with a cache, write the
    PDF and its thumbnail into the object store. Without one (a check that cannot write), the
    PDF is still made, in memory, for the accessibility audit, then dropped."""
    result, part_pages, dropped = typeset_parts(job.parts, job.allowed)
    outcome = Outcome(job.index, Findings(result.pages, tuple(part_pages)), result.warnings,
                      result.problems, result.served, dropped=dropped)
    if result.document is None:
        return outcome
    outcome.findings = measured(job, result, tuple(part_pages))
    options = job.options
    try:
        data = pdf.pdf_bytes(result, options.bleed, options.duplex, options.pdf_variant,
                             release=True)
    except print_shop.MissingProfile as exc:  # Debian's libgs-common is not installed
        outcome.failure = str(exc)
        return outcome
    outcome.findings = dataclasses.replace(outcome.findings,
                                           accessibility=tuple(tags.audit(data)))
    if job.cache is not None:
        try:
            outcome.pdf = put_object(*job.cache, data, "pdf")
            outcome.thumb = put_object(*job.cache, thumbnail(data), "png")
        except OSError as exc:  # disk full, read-only: the build says so and writes nothing
            outcome.failure = f"cannot store its PDF in out/.cache/ ({exc.strerror or exc})"
    return outcome


def measured(job: Job, result: pdf.Typeset, part_pages: tuple[int, ...]) -> Findings:
    """What the laid-out pages show (the PDF's audit is added once the PDF is written)."""
    options = job.options
    overflows = tuple(measure.overflows(result))
    near_edge = tuple(measure.near_the_edge(result) + legible.critical_near_edge(result)
                      if options.office else [])
    small_text = tuple(legible.small_text(result, options.least_pt))
    contrasts = tuple(measure.contrasts(result))
    spilled, regions = None, None
    if len(job.parts) == 1:
        spilled = spill.spill(result, job.parts[0].budget.last)
        if spilled is not None:  # over budget: what leaving out a candidate would save
            spill.saves(result, spilled, job.parts[0].base_dir, job.allowed)
    if options.measure_css is not None:
        part = job.parts[0]
        regions = measure.panels(result, part.base_dir, job.allowed, options.measure_css,
                                 split=not part.budget.allows(result.pages))
    return Findings(result.pages, part_pages, regions, overflows, near_edge, small_text,
                    contrasts, spill=spilled)
