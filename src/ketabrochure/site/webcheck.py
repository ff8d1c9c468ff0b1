"""`check` over the web edition, without a browser: each page read back as HTML.

Content text (marked data-field) is checked where it is written, by the content rules; what
the web alone prints (its words, the templates' text) is held here to the same rules: no
forbidden phrase, no claim word (wording.claims: FDA approval, proof, safety, permanence).
And every page must hold together: its internal links lead to a file and an anchor of the
edition, every image and chart has a text alternative, every table header says its scope,
one h1 and no heading skipped, a lang on the page."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..wording import claims
from .web import Edition, pdf_name

EXTERNAL = re.compile(r"^(https?:|mailto:|tel:)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
BLOCKS = {"address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt",
          "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li",
          "main", "nav", "ol", "p", "section", "table", "td", "th", "title", "tr", "ul", "br"}
CODE = "web.check"


@dataclass
class Page(HTMLParser):
    """One page, read: its ids, links, headings, text outside content fields, and problems."""

    name: str
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, tuple[int, int]]] = field(default_factory=list)
    headings: list[tuple[int, tuple[int, int]]] = field(default_factory=list)
    own_text: list[tuple[str, tuple[int, int]]] = field(default_factory=list)
    problems: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    lang: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside a content field or a script)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.block(tag)
        where = self.getpos()
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang") or None
        if tag == "a" and a.get("href"):
            self.links.append((str(a["href"]), where))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), where))
        if tag == "img" and a.get("alt") is None:
            self.problems.append((where, "an image without alt text"))
        if tag == "svg" and (a.get("role") != "img" or not (
                a.get("aria-label") or a.get("aria-labelledby"))):
            self.problems.append((where, "a chart (svg) without role=\"img\" and a text "
                                         "alternative (aria-label or aria-labelledby)"))
        if tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.problems.append((where, "a table header without scope"))
        quiet = bool(self.stack and self.stack[-1][1]) or "data-field" in a or \
            tag in ("script", "style", "svg", "title")
        if tag not in VOID:
            self.stack.append((tag, quiet))

    def block(self, tag: str) -> None:
        """A block's edge ends a run of text: a sentence never runs across it."""
        if tag in BLOCKS and self.own_text and self.own_text[-1][0]:
            self.own_text.append(("", self.getpos()))

    def handle_endtag(self, tag: str) -> None:
        self.block(tag)
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not (self.stack and self.stack[-1][1]):
            if self.own_text and self.own_text[-1][0]:  # the run goes on (inline markup)
                text, pos = self.own_text[-1]
                self.own_text[-1] = (f"{text} {data}", pos)
            else:
                self.own_text.append((data, self.getpos()))


def read(name: str, html: str) -> Page:
    page = Page(name)
    page.feed(html)
    page.close()
    return page


def check_edition(edition: Edition, project: m.Project, diags: Diagnostics) -> None:
    """Every page of the edition: its structure, its links, and the rules over its own words."""
    read_pages = {name: read(name, data.decode()) for name, data in edition.files.items()
                  if name.endswith(".html")}
    present = set(edition.files) | {pdf_name(f) for f in edition.pdfs}
    phrases = [p for p, _ in project.patient.common.forbidden] if project.patient.common else []
    # a phrase that is also a claim word is said once, by the claim rule (as patient.rules)
    phrases = [p for p in phrases if not claims.find(p, "en") and not claims.find(p, "es")]
    # one pattern for every phrase: whole words, any case (as patient.rules.says)
    forbidden = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases),
                           re.IGNORECASE) if phrases else None
    for name, page in read_pages.items():
        def error(pos: tuple[int, int], message: str, page: Page = page) -> None:
            diags.error(Location(f"out/{page.name}", pos[0], pos[1] + 1), CODE,
                        "web edition", message)
        if not page.lang:
            error((1, 0), "the page has no lang")
        for pos, found in page.problems:
            error(pos, found)
        _headings(page, error)
        for href, pos in page.links:
            broken = _broken(name, href, present, read_pages)
            if broken:
                error(pos, broken)
        for run, pos in page.own_text:
            _rules(" ".join(run.split()), page.lang or "en", pos, forbidden, error)


def _rules(text: str, lang: str, pos: tuple[int, int], forbidden: re.Pattern[str] | None,
           error: Callable[[tuple[int, int], str], None]) -> None:
    """The rules over a run of the web's own words: the forbidden phrases of patient.yaml and
    the claim words no text may use (wording.claims: approval, proof, safety, permanence)."""
    for found in forbidden.finditer(text) if forbidden else ():
        error(pos, f"the web page says '{found.group(0).lower()}' (forbidden in patient.yaml)")
    for claim in claims.find(text, "es" if lang == "es" else "en"):
        error(pos, f"the web page {claim.message}")


def _headings(page: Page, error: Callable[[tuple[int, int], str], None]) -> None:
    ones = [pos for level, pos in page.headings if level == 1]
    if len(ones) != 1:
        error(ones[1] if len(ones) > 1 else (1, 0),
              f"a page has one h1; this one has {len(ones)}")
    previous = 1
    for level, pos in page.headings:
        if level > previous + 1:
            error(pos, f"h{level} after h{previous}: a heading level is skipped")
        previous = level


def _broken(name: str, href: str, present: set[str], pages: dict[str, Page]) -> str | None:
    """Why an internal link leads nowhere (None: it leads somewhere, or out of the edition)."""
    if EXTERNAL.match(href):
        return None
    path, _, anchor = href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) if path else name
    if target not in present:
        return f"the link {href!r} leads to no file of the web edition"
    if anchor and target in pages and anchor not in pages[target].ids:
        return f"the link {href!r} leads to no anchor #{anchor} in {target}"
    return None
