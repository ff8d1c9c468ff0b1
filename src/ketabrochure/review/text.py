"""A document's printed text, as a reviewer reads it: the sentences of its rendered HTML.

The HTML is the template filled from the records (every number and every sentence as printed),
so its text is the same for every paper and variant and does not move with the CSS: that is
what a sign-off binds. The review line itself (`data-signoff`) is left out, as is everything
not printed (the <head>, scripts, styles). Each sentence keeps the `data-field` it was printed
from, so a change can be shown at its YAML line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
                    "caption", "figcaption", "div", "section", "header", "footer", "tr", "br",
                    "text", "title", "blockquote", "table", "ul", "ol", "dl", "figure",
                    "aside", "article", "main", "nav", "summary"})
HIDDEN = frozenset({"head", "script", "style", "template"})
VOID = frozenset({"br", "img", "meta", "link", "hr", "input", "wbr", "col", "source"})
# a sentence ends at . ! ? before a space, unless the word is a short abbreviation
_END = re.compile(r"(?<=[.!?])\s+")
_ABBREVIATIONS = ("Dr.", "Dra.", "e.g.", "i.e.", "vs.", "al.", "No.", "St.", "approx.", "Fig.")


@dataclass(frozen=True)
class Sentence:
    text: str
    field: str | None = None  # the innermost data-field it was printed inside


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, field, hidden)
        self.blocks: list[tuple[str, str | None]] = []
        self.current: list[str] = []
        self.field: str | None = None

    def hidden(self) -> bool:
        return any(h for _, _, h in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag in BLOCKS:
            self.flush()
        if tag in VOID:
            return
        hidden = tag in HIDDEN or "data-signoff" in names or "hidden" in names
        self.stack.append((tag, names.get("data-field"), hidden))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.hidden() or (not data.strip() and not self.current):
            return
        if self.field is None and data.strip():
            self.field = next((f for _, f, _ in reversed(self.stack) if f), None)
        self.current.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append((text, self.field))
        self.current, self.field = [], None


def sentences(html: str) -> list[Sentence]:
    """The printed sentences of one HTML, in reading order of the source."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    found: list[Sentence] = []
    for text, field in parser.blocks:
        found += [Sentence(s, field) for s in split(text)]
    return found


def split(text: str) -> list[str]:
    """One block's text cut into sentences (a heading or a table cell is one)."""
    pieces: list[str] = []
    for piece in _END.split(text):
        if pieces and pieces[-1].endswith(_ABBREVIATIONS):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return [p for p in pieces if p]


def joined(found: list[Sentence]) -> str:
    """The text a sign-off stores: one sentence a line."""
    return "".join(f"{s.text}\n" for s in found)


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
