"""Typeset HTML with WeasyPrint (the only module that imports it): URL policy, logs, PDF bytes."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

WEASYPRINT_VERSION = weasyprint.__version__
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(FatalURLFetchingError):
    """Raised for any resource outside the project's allowed folders: stops the document."""


class ProjectFetcher(URLFetcher):
    """Serves `data:` URLs and files under the allowed folders; refuses everything else."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=("data", "file"))
        self.allowed = tuple(p.resolve() for p in allowed)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed):
                if not path.is_file():
                    return self._refuse(url, f"no such file {path}")
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            return self._refuse(url, "outside the project's layouts/, assets/ and content/")
        return self._refuse(url, "network and other URLs are not allowed")

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        self.refused.append(f"{url} ({why})")
        raise RefusedURL(f"refused {url}: {why}")


@dataclass
class Typeset:
    """A laid-out document, or the reasons it could not be laid out."""

    document: weasyprint.Document | None
    problems: list[str] = field(default_factory=list)  # errors: refused URLs, attachments
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's own log

    @property
    def pages(self) -> int:
        return len(self.document.pages) if self.document else 0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _captured_log() -> Iterator[_Collect]:
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


_FONT_CONFIG: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One font configuration per process: @font-face files are loaded once, not per document."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def typeset(html: str, base_dir: Path, allowed: tuple[Path, ...]) -> Typeset:
    """Lay the HTML out into pages, fetching only what the URL policy allows."""
    fetcher = ProjectFetcher(allowed)
    with _captured_log() as log:
        try:
            source = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/",
                                     url_fetcher=fetcher)
            document = source.render(font_config=font_config())
        except RefusedURL:
            document = None
    result = Typeset(document, [f"refused {r}" for r in fetcher.refused], log.messages)
    if document is not None:
        result.problems += _attachments(document)
    if result.problems:
        result.document = None
    return result


def _attachments(document: weasyprint.Document) -> list[str]:
    """Attachments would embed files in the PDF: never allowed."""
    found = ["a <link rel=attachment> is not allowed" for _ in document.metadata.attachments]
    for page in document.pages:
        found += [f"attachment link {target!r} is not allowed"
                  for kind, target, *_ in page.links if kind == "attachment"]
    return found


def pdf_bytes(typeset: Typeset, bleed: float | None = None) -> bytes:
    """The tagged PDF (PDF/UA-1); dates come from the HTML metadata, so output is reproducible.

    With `bleed` (in points), each page's BleedBox is set that far outside its TrimBox: the CSS
    bleed area (the MediaBox) may be wider, to hold crop marks off the artwork.
    """
    assert typeset.document is not None
    finisher = None if bleed is None else _bleed_box_setter(bleed)
    return typeset.document.write_pdf(pdf_variant=PDF_VARIANT, finisher=finisher)


def _bleed_box_setter(bleed: float) -> Callable[[weasyprint.Document, object], None]:
    def finish(document: weasyprint.Document, pdf: object) -> None:
        for obj in pdf.objects:  # type: ignore[attr-defined]
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = obj["TrimBox"]
                obj["BleedBox"] = type(obj["TrimBox"])(
                    [left - bleed, top - bleed, right + bleed, bottom + bleed])
    return finish


@dataclass
class Region:
    """An element marked `data-panel` in the HTML and the `data-field` elements inside it (CSS px)."""

    top: float
    bottom: float
    fields: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # top, bottom, words


def measure(html: str, base_dir: Path, allowed: tuple[Path, ...], css: str) -> dict[str, Region]:
    """Lay the HTML out again with extra CSS (e.g. one very tall page) and measure its panels."""
    fetcher = ProjectFetcher(allowed)
    with _captured_log():
        document = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/",
                                   url_fetcher=fetcher).render(
            font_config=font_config(), stylesheets=[weasyprint.CSS(string=css)])
    regions: dict[str, Region] = {}
    for page in document.pages:
        _walk(page._page_box, None, regions, set())
    return regions


def _walk(box: object, region: Region | None, regions: dict[str, Region], seen: set) -> None:
    element = getattr(box, "element", None)
    if element is not None and hasattr(box, "margin_height"):
        top = box.position_y
        bottom = top + box.margin_height()
        if element.get("data-panel") and id(element) not in seen:
            seen.add(id(element))
            region = regions.setdefault(element.get("data-panel"), Region(top, bottom))
        elif element.get("data-field") and region is not None:
            # an inline text is laid out as one box per line: the field spans all of them
            name = element.get("data-field")
            old = region.fields.get(name)
            words = old[2] if old else len(" ".join(element.itertext()).split())
            if old:
                top, bottom = min(top, old[0]), max(bottom, old[1])
            region.fields[name] = (top, bottom, words)
    for child in getattr(box, "children", ()):
        _walk(child, region, regions, seen)


def combine(parts: list[Typeset]) -> Typeset:
    """One document of all the parts' pages, in order, with the first part's metadata
    (WeasyPrint: `documents[0].copy(all_pages)`); bookmarks and links stay with their pages."""
    combined = Typeset(None)
    for part in parts:
        combined.problems += part.problems
        combined.warnings += part.warnings
    if all(part.document is not None for part in parts) and parts and not combined.problems:
        pages = [page for part in parts for page in part.document.pages]  # type: ignore[union-attr]
        combined.document = parts[0].document.copy(pages)  # type: ignore[union-attr]
    return combined
