"""What the HTML says that WeasyPrint does not carry into the PDF: `lang` on passages and the
tri-fold's `data-reading-order`, each with its text."""

from __future__ import annotations

from html.parser import HTMLParser

from .structure import norm


class Hints(HTMLParser):
    """What the HTML says that WeasyPrint does not carry into the PDF: elements with another
    `lang`, and elements with a `data-reading-order`, each with its text (normalized)."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.langs: list[tuple[str, str]] = []
        self.order: list[tuple[int, str]] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self._skip = 0
        self._root_lang = ""

    @classmethod
    def parse(cls, html: str) -> Hints:
        hints = cls()
        if "data-reading-order" in html or _passage_lang(html):
            hints.feed(html)
            hints.close()
        return hints

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attributes = {name: value or "" for name, value in attrs}  # `<p lang>`: value None
        if tag == "html":
            self._root_lang = attributes.get("lang", "")
        if tag in ("style", "script", "title", "head"):
            self._skip += 1
        self._open.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or all(name != tag for name, _, _ in self._open):
            return
        while self._open:
            name, attributes, text = self._open.pop()
            if name in ("style", "script", "title", "head"):
                self._skip -= 1
            joined = norm("".join(text))
            if self._open:
                self._open[-1][2].extend(text)
            if name != "html" and attributes.get("lang"):
                self.langs.append((attributes["lang"], joined))
            if attributes.get("data-reading-order", "").isdigit():
                self.order.append((int(attributes["data-reading-order"]), joined))
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._open[-1][2].append(data)


def _passage_lang(html: str) -> bool:
    """Whether any element but <html> may have a `lang` (else parsing finds nothing: most
    documents are in one language, and parsing each took more CPU than the repair's fixes)."""
    count = html.count("lang=")
    if count != 1:
        return count > 1
    start = html.find("<html")
    end = html.find(">", start)
    at = html.find("lang=")
    inside_root = (start >= 0 and html[start + 5:start + 6] in (" ", "\t", "\n", "\r", ">")
                   and start < at < end)
    return not inside_root
