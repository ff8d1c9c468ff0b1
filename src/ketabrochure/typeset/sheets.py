"""Each linked stylesheet parsed once per process, not once per document.

WeasyPrint 70 parses every `<link rel=stylesheet>` of every document afresh (tinycss2, then
cssselect2 compiling each selector), although a build links the same few files from every
document. A parsed `CSS` is reusable: WeasyPrint keeps its own user-agent stylesheet as one
`CSS` object for every document (weasyprint.UA_STYLESHEET), and a stylesheet's @page rules
are read from each sheet's own `page_rules` (css.StyleFor.add_page_declarations), so a
sheet with its own list cascades as one sharing the document's.

`install` makes `weasyprint.css` build linked stylesheets through `_linked`: the file is still
fetched through the document's URL fetcher for every document (the project's URL policy, and
its SHA-256 in the files the cache keys on), and the parsed sheet is reused while that file,
every file it @imports and the font configuration are the same. A sheet that declares what
lives in the document rather than the sheet (@layer, @counter-style, @color-profile) is
parsed per document as before. What parsing logged (an ignored declaration) is logged again
for every document that uses the sheet, so each document keeps its own warnings.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

MAX_SHEETS = 256  # parsed sheets kept per process (a build links a dozen)


@dataclass
class Parsed:
    css: Any  # weasyprint.CSS, with its own page_rules and layers lists
    imports: tuple[tuple[str, str], ...]  # (URL, SHA-256) of every stylesheet it @imported
    records: tuple[logging.LogRecord, ...]  # what parsing it logged (warnings, errors)
    fonts: Any  # the FontConfiguration its @font-face rules went to


_PARSED: dict[tuple[str, str, str], Parsed | None] = {}  # None: parsed per document
_IMPORTING: list[list[str]] = []  # the URLs each sheet being parsed @imports


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def install() -> None:
    """Route WeasyPrint's linked stylesheets through `_linked` (once per process)."""
    import weasyprint.css

    original = weasyprint.css.CSS
    if getattr(original, "parsed_once", False):
        return

    def factory(*args: Any, **kwargs: Any) -> Any:
        # find_stylesheets builds a <link>ed sheet with _check_mime_type and no matcher; an
        # @import (matcher given) and a <style> (string) are built as before
        if kwargs.get("matcher") is not None and _IMPORTING and "url" in kwargs:
            _IMPORTING[-1].append(kwargs["url"])
        if args or not kwargs.get("_check_mime_type") or kwargs.get("matcher") is not None:
            return original(*args, **kwargs)
        return _linked(original, **kwargs)

    factory.parsed_once = True  # type: ignore[attr-defined]
    weasyprint.css.CSS = factory


def _linked(original: Any, *, url: str, url_fetcher: Any, media_type: str, font_config: Any,
            **kwargs: Any) -> Any:
    """The parsed sheet of this URL, from this process's memo when nothing it read changed."""
    if not (url.startswith("file:") and url.split("?")[0].lower().endswith(".css")
            and hasattr(url_fetcher, "served")):  # a sheet our fetcher does not serve
        return original(url=url, url_fetcher=url_fetcher, media_type=media_type,
                        font_config=font_config, **kwargs)
    response = url_fetcher.fetch(url)  # the URL policy; recorded in `served`
    key = (url, media_type, hashlib.sha256(response.read()).hexdigest())
    parsed = _PARSED.get(key)
    if parsed is not None and parsed.fonts is font_config and _same(parsed, url_fetcher):
        for record in parsed.records:
            logging.getLogger(record.name).handle(record)
        return parsed.css
    if key in _PARSED and parsed is None:
        return original(url=url, url_fetcher=url_fetcher, media_type=media_type,
                        font_config=font_config, **kwargs)
    return _parse(original, key, url_fetcher, font_config, kwargs)


def _parse(original: Any, key: tuple[str, str, str], fetcher: Any, font_config: Any,
           kwargs: dict[str, Any]) -> Any:
    """Parse the sheet once with lists of its own: kept when it declared nothing that lives
    in the document; else parsed again for the document, as WeasyPrint would."""
    url, media_type, _ = key
    counters: dict[str, Any] = {}
    profiles: dict[str, Any] = {}
    records = _Records()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(records)
    _IMPORTING.append([])
    try:
        css = original(url=url, url_fetcher=fetcher, media_type=media_type,
                       font_config=font_config, counter_style=counters,
                       color_profiles=profiles, page_rules=[], layers=[],
                       _check_mime_type=True)
    finally:
        logger.removeHandler(records)
        imported = _IMPORTING.pop()
    if len(_PARSED) >= MAX_SHEETS:
        _PARSED.clear()
    if counters or profiles or css.layers:
        _PARSED[key] = None
        return original(url=url, url_fetcher=fetcher, media_type=media_type,
                        font_config=font_config, **kwargs)
    # what each @import read: fetched again (a file changed meanwhile is only a miss later)
    imports = tuple((u, hashlib.sha256(fetcher.fetch(u).read()).hexdigest()) for u in imported)
    _PARSED[key] = Parsed(css, imports, tuple(records.records), font_config)
    return css


def _same(parsed: Parsed, fetcher: Any) -> bool:
    """Every sheet it @imported still has its bytes (fetched again: the URL policy, and the
    document's `served` files)."""
    for url, digest in parsed.imports:
        if hashlib.sha256(fetcher.fetch(url).read()).hexdigest() != digest:
            return False
    return True
