"""Typeset HTML with WeasyPrint (the only module that imports it): URL policy, logs, PDF bytes.
What the laid-out boxes say (panels, overflow, contrast) is measured in `measure`.

WeasyPrint is imported lazily, on the first document that must really be typeset: a build
whose documents all come from the cache never pays for importing it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import io
import logging
import mimetypes
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

from ..files import FONT_SUFFIXES, beneath, sha256_file
from . import linespace, print_shop, sheets, tags

if TYPE_CHECKING:
    import weasyprint

PDF_VARIANT = "pdf/ua-1"
MAX_RESOURCE = 20_000_000  # bytes: a stylesheet, font or image larger is refused
# What one document may become, checked before and while it is laid out (the largest of the
# default content, the research report: 122,000 characters, 3,841 elements, about 20 pages)
MAX_HTML = 2_000_000  # characters of HTML
MAX_ELEMENTS = 50_000  # HTML elements (each one or more boxes to lay out)
MAX_PAGES = 200  # pages laid out: layout stops at the next one
# pdf_bytes(release=True) collects a document this long as soon as it is written (a full
# collection costs 50-170 ms: worth it only where the boxes are tens of MB, the report's 45)
RELEASE_PAGES = 8


class TooLarge(Exception):
    """A document past one of the bounds above: not laid out, or layout stopped."""


class _PageLimit(logging.Handler):
    """Stops a layout at page MAX_PAGES + 1, from WeasyPrint's own progress log ("Step 5 -
    Creating layout - Page N"), so a runaway document costs seconds, not hours and gigabytes."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        if (str(record.msg).startswith("Step 5 - Creating layout - Page") and record.args
                and isinstance(record.args, tuple) and isinstance(record.args[0], int)
                and record.args[0] > MAX_PAGES):
            raise TooLarge(f"layout stopped at page {MAX_PAGES + 1}: {MAX_PAGES} pages is the "
                           "most one document may have")


def check_size(html: str) -> None:
    """Refuse HTML past the bounds before any layout starts (TooLarge)."""
    if len(html) > MAX_HTML:
        raise TooLarge(f"its HTML is {len(html):,} characters, past the {MAX_HTML:,} one "
                       "document may be; it was not laid out")
    elements = html.count("<") - html.count("</")
    if elements > MAX_ELEMENTS:
        raise TooLarge(f"it has {elements:,} HTML elements, past the {MAX_ELEMENTS:,} one "
                       "document may have; it was not laid out")


@functools.cache
def _weasyprint() -> Any:
    """The weasyprint module, imported on first use (about 0.4 s); linked stylesheets are
    parsed once per process from then on (typeset.sheets), and line-end spaces kept
    (typeset.linespace)."""
    import weasyprint

    sheets.install()
    linespace.install()
    return weasyprint


@functools.cache
def _classes() -> tuple[Any, type[Exception]]:
    """The URL fetcher class and its refusal exception, built once WeasyPrint is imported."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusedURL(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint has no types
        """Raised for any resource outside the project's allowed folders: stops the document."""

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Serves `data:` URLs and files under the allowed folders; refuses everything else.

        Every file it serves is remembered with its SHA-256 (`served`): the cache keys on them.
        """

        def __init__(self, allowed: tuple[Path, ...]) -> None:
            super().__init__(fail_on_errors=True, allowed_protocols=("data", "file"))
            self.root = Path(os.path.abspath(allowed[0].parent))  # they share the project
            self.folders = {p.name for p in allowed}
            self.allowed = tuple(self.root / name for name in sorted(self.folders))
            self.refused: list[str] = []
            self.served: dict[Path, str] = {}

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                return self._file(url)
            return self._refuse(url, "network and other URLs are not allowed")

        def _file(self, url: str) -> Any:
            """A project file, opened by walking from the project folder (files.beneath):
            a link is followed only while it stays in the project, with no window between
            that check and the read."""
            path = Path(os.path.normpath(unquote(urlsplit(url).path)))
            relative = beneath.relative_to(path, self.root)
            if relative is None:  # the base URL may spell the project folder resolved
                relative = beneath.relative_to(path, self.root.resolve())
            if relative is None or relative.split("/")[0] not in self.folders:
                return self._refuse(url, "outside the project's layouts/, assets/ and content/")
            try:
                data = beneath.read(self.root, relative, MAX_RESOURCE, links=True)
            except beneath.Outside:
                return self._refuse(url, "a link that leads outside the project")
            except OSError as exc:
                return self._refuse(url, f"cannot read {relative}: {exc.strerror}")
            if len(data) > MAX_RESOURCE:
                return self._refuse(url, f"larger than {MAX_RESOURCE:,} bytes")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.served[self.root / relative] = hashlib.sha256(data).hexdigest()
            return URLFetcherResponse(url, data, {"Content-Type": kind})

        def _refuse(self, url: str, why: str) -> Any:
            self.refused.append(f"{url} ({why})")
            raise RefusedURL(f"refused {url}: {why}")

    return ProjectFetcher, RefusedURL


def fatal_fetch_error() -> type[BaseException]:
    """WeasyPrint's FatalURLFetchingError (a BaseException: it wraps what a fetcher raised)."""
    from weasyprint.urls import FatalURLFetchingError

    return FatalURLFetchingError  # type: ignore[no-any-return]


def project_fetcher(allowed: tuple[Path, ...]) -> Any:
    """A URL fetcher that enforces the project's URL policy (see `_classes`)."""
    return _classes()[0](allowed)


@dataclass
class Typeset:
    """A laid-out document, or the reasons it could not be laid out."""

    document: weasyprint.Document | None
    problems: list[str] = field(default_factory=list)  # errors: refused URLs, attachments
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's own log
    served: dict[Path, str] = field(default_factory=dict)  # files read for it, with SHA-256
    html: str = ""  # the HTML laid out ("" for a document combined from parts)

    @property
    def pages(self) -> int:
        return len(self.document.pages) if self.document else 0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """The message; where WeasyPrint logs an exception that has no text of its own (70.0:
        `raise ImageLoadingError from ...`, e.g. for a decompression bomb), its cause's."""
        message = record.getMessage()
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, BaseException) and not str(arg) and arg.__cause__ is not None:
                cause = arg.__cause__
                message = f"{message.rstrip()} {type(cause).__name__}: {cause}"
        self.messages.append(message)


@contextmanager
def _captured_log() -> Iterator[_Collect]:
    handler, limit = _Collect(), _PageLimit()
    logger, progress = logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")
    logger.addHandler(handler)
    progress.addHandler(limit)
    level = progress.level
    progress.setLevel(logging.INFO)  # (setLevel: the loggers' cached levels are cleared)
    propagate, logger.propagate = logger.propagate, False
    progress_propagates, progress.propagate = progress.propagate, False  # counted, not shown
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        progress.removeHandler(limit)
        logger.propagate, progress.propagate = propagate, progress_propagates
        progress.setLevel(level)


class _Fonts:
    """One font configuration per process, and the font files it has loaded.

    @font-face files are loaded once per process, not per document, so later documents do not
    fetch them again: every document's `served` files include the fonts loaded so far.
    """

    config: ClassVar[Any] = None
    files: ClassVar[dict[Path, str]] = {}


def font_config() -> Any:
    """The process's FontConfiguration; a new one if a font file it loaded has changed on disk."""
    if _Fonts.config is not None and any(sha256_file(p) != h for p, h in _Fonts.files.items()):
        _Fonts.config, _Fonts.files = None, {}
    if _Fonts.config is None:
        from weasyprint.text.fonts import FontConfiguration

        _Fonts.config = FontConfiguration()
    return _Fonts.config


def forget_inherited_fonts() -> None:
    """A forked worker may inherit its parent's font configuration, whose font files live in
    the parent's temporary folder: it must not share (or, when dropped, delete) that folder,
    so it forgets the inherited one and makes its own."""
    if _Fonts.config is not None:
        _Fonts.config._folder = None  # the parent's: keep FontConfiguration.__del__ off it
        _Fonts.config, _Fonts.files = None, {}


def warm_up() -> None:
    """Import WeasyPrint and set fonts up (once per process; later calls cost nothing)."""
    _weasyprint()
    _classes()
    font_config()


def typeset(html: str, base_dir: Path, allowed: tuple[Path, ...]) -> Typeset:
    """Lay the HTML out into pages, fetching only what the URL policy allows; a document past
    the bounds (MAX_HTML, MAX_ELEMENTS, MAX_PAGES) raises TooLarge."""
    check_size(html)
    weasyprint = _weasyprint()
    fetcher_class, refused_url = _classes()
    fetcher = fetcher_class(allowed)
    config = font_config()
    with _captured_log() as log:
        try:
            source = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/",
                                     url_fetcher=fetcher)
            document = source.render(font_config=config)
        except refused_url:
            document = None
    _Fonts.files.update((p, h) for p, h in fetcher.served.items() if p.suffix in FONT_SUFFIXES)
    fonts = {p: h for p, h in _Fonts.files.items()
             if any(p.is_relative_to(root) for root in fetcher.allowed)}  # this project's
    result = Typeset(document, [f"refused {r}" for r in fetcher.refused], log.messages,
                     {**fonts, **fetcher.served}, html)
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


DUPLEX = {"long-edge": "/DuplexFlipLongEdge", "short-edge": "/DuplexFlipShortEdge",
          "simplex": "/Simplex"}


def pdf_bytes(typeset: Typeset, bleed: float | None = None, duplex: str = "long-edge",
              variant: str = PDF_VARIANT, release: bool = False) -> bytes:
    """The tagged PDF (PDF/UA-1); dates come from the HTML metadata, so output is reproducible.

    With `bleed` (in points), each page's BleedBox is set that far outside its TrimBox: the CSS
    bleed area (the MediaBox) may be wider, to hold crop marks off the artwork. The viewer
    preferences ask for actual size (no "fit to page", which moves a tri-fold's folds), for
    the tray that holds the PDF's paper size, and for `duplex` (long-edge, short-edge; a
    one-page document: simplex).

    `variant` print_shop.PDF_VARIANT ("pdf/x-4", the print-shop copy): still tagged, with the
    CMYK output intent of print_shop.PROFILE, finished by `print_shop.finish` (marks, no RGB).

    `release`: the laid-out document is dropped (typeset.document = None) once written.
    """
    assert typeset.document is not None
    sides = "simplex" if typeset.pages == 1 else duplex
    finisher = _finisher(bleed, DUPLEX[sides])
    press = variant == print_shop.PDF_VARIANT
    if press:
        _use_press_profile(typeset.document)
        _fixed_dates(typeset.document)
    data: bytes = typeset.document.write_pdf(pdf_variant=variant, finisher=finisher,
                                             pdf_tags=True)
    folds = print_shop.fold_lines(typeset.document) if press else None
    if release:  # its boxes are the most this process holds while the tags are mended
        pages, typeset.document = typeset.pages, None
        if pages >= RELEASE_PAGES:  # boxes hold cycles: collected now, not after the tags
            gc.collect()
    data = tags.repair(data, typeset.html)  # the structure tree WeasyPrint 70 writes, mended
    if folds is not None:
        data = print_shop.finish(data, folds)
    return data


def _fixed_dates(document: weasyprint.Document) -> None:
    """PDF/X needs both dates, and WeasyPrint 70 fills a missing one with the clock
    (`weasyprint/pdf/pdfx.py`): a document nobody has signed off has none in its HTML, so it
    gets SOURCE_DATE_EPOCH's (the reproducible-builds convention; 0 when unset), never now."""
    metadata = document.metadata
    if not (metadata.created and metadata.modified):
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        seconds = int(epoch) if epoch.isascii() and epoch.isdigit() else 0
        when = dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()
        metadata.created = metadata.created or when
        metadata.modified = metadata.modified or when


def _use_press_profile(document: weasyprint.Document) -> None:
    """What `@color-profile device-cmyk { src: url(...); components: c, m, y, k }` would do
    (weasyprint/css/__init__.py, lines 1701-1752 of 70.0); done here because the URL policy
    serves only the project's files, and the profile is the system's (Debian's libgs-common).
    WeasyPrint then writes it as the output intent, and transparency groups in DeviceCMYK."""
    import weasyprint.css

    profile = weasyprint.css.ColorProfile(io.BytesIO(print_shop.profile_bytes()),
                                          print_shop.PROFILE.as_uri(), "relative-colorimetric",
                                          ["c", "m", "y", "k"])
    document.color_profiles["device-cmyk"] = profile


def _finisher(bleed: float | None,
              duplex: str) -> Callable[[weasyprint.Document, Any], None]:
    def finish(_document: weasyprint.Document, pdf: Any) -> None:
        preferences = pdf.catalog["ViewerPreferences"]  # WeasyPrint's, with DisplayDocTitle
        preferences["PrintScaling"] = "/None"
        # the printer's tray follows the page size: an A4 copy on A4, a Letter copy on Letter,
        # each at 100% (PDF 1.7, 12.2): never a copy shrunk onto the other paper
        preferences["PickTrayByPDFSize"] = "true"  # a PDF boolean, as WeasyPrint writes them
        preferences["Duplex"] = duplex
        if bleed is None:
            return
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = obj["TrimBox"]
                obj["BleedBox"] = type(obj["TrimBox"])(
                    [left - bleed, top - bleed, right + bleed, bottom + bleed])
    return finish


def relayout(typeset: Typeset, base_dir: Path, allowed: tuple[Path, ...],
             css: str) -> weasyprint.Document:
    """The typeset HTML laid out again with `css` added (e.g. one very tall page, to measure
    what overflowed its page whole); its log is kept out of the document's."""
    weasyprint = _weasyprint()
    with _captured_log():
        source = weasyprint.HTML(string=typeset.html, url_fetcher=project_fetcher(allowed),
                                 base_url=base_dir.resolve().as_uri() + "/")
        return source.render(font_config=font_config(), stylesheets=[weasyprint.CSS(string=css)])


def combine(parts: list[Typeset]) -> Typeset:
    """One document of all the parts' pages, in order, with the first part's metadata
    (WeasyPrint: `documents[0].copy(all_pages)`); bookmarks and links stay with their pages."""
    combined = Typeset(None)
    for part in parts:
        combined.problems += part.problems
        combined.warnings += part.warnings
        combined.served.update(part.served)
    if all(part.document is not None for part in parts) and parts and not combined.problems:
        pages = [page for part in parts for page in part.document.pages]  # type: ignore[union-attr]
        combined.document = parts[0].document.copy(pages)  # type: ignore[union-attr]
    return combined
