"""What a reader needs, measured on the laid-out boxes: text at the document's least size
(large print 18 pt, physician documents 7.5 pt), and what the reader must act on (the
clinic's phone, the crisis line, the referral address) printed at least once clear of a
printer's hardware margin. Plain strings, for the cache and `check`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .pdf import Typeset

PX_PER_PT = 96 / 72
# CUPS's sample "HP LaserJet Series PCL 4/5" driver leaves 0.5 in top and bottom unprinted:
# what a reader acts on keeps clear of it on every side, at least once per document
CRITICAL_IN = 0.5
# data-keep-clear="..." on the elements that carry it (every layout of ours marks the phone;
# tests/test_legible.py reads each PDF back for it, so a layout of one's own is not refused)
CRITICAL = {"phone": "the clinic's phone", "crisis": "the crisis line",
            "referral": "the referral address"}


def small_text(typeset: Typeset, least_pt: float | None) -> list[str]:
    """Text set under `least_pt`: one description per element and size, with how many
    pieces of text there are like it."""
    if least_pt is None:
        return []
    assert typeset.document is not None
    found: dict[tuple[str, float], list[str]] = {}
    for number, page in enumerate(typeset.document.pages, start=1):
        for box in _texts(page._page_box):
            points = round(box.style["font_size"] / PX_PER_PT, 1)
            if points < least_pt - 0.05:
                found.setdefault((_selector(box), points), []).append(
                    f"'{box.text.strip()[:40]}' on page {number}")
    return [f"{places[0]} ({selector}{_more(len(places))}) is {points:g} pt, under the "
            f"{least_pt:g} pt this document keeps to"
            for (selector, points), places in found.items()]


def _more(count: int) -> str:
    return f", and {count - 1} more like it" if count > 1 else ""


def critical_near_edge(typeset: Typeset, inches: float = CRITICAL_IN) -> list[str]:
    """Each critical text (`data-keep-clear`) the document has, that no copy of it keeps
    `inches` clear of every edge of its sheet."""
    assert typeset.document is not None
    limit = inches * 96 - 0.5  # CSS px, half a pixel for rounding
    best: dict[str, tuple[float, str]] = {}  # kind -> the largest least gap, and where
    for number, page in enumerate(typeset.document.pages, start=1):
        copies: dict[tuple[str, int], list[float]] = {}
        texts: dict[tuple[str, int], str] = {}
        for kind, element, box in _marked(page._page_box, None, None):
            gaps = (box.position_x, box.position_y,
                    page.width - box.position_x - box.width,
                    page.height - box.position_y - box.height)
            copies.setdefault((kind, id(element)), []).append(min(gaps))
            texts.setdefault((kind, id(element)), box.text.strip()[:40])
        for (kind, key), least in copies.items():
            gap = min(least)
            if kind not in best or gap > best[kind][0]:
                best[kind] = (gap, f"'{texts[(kind, key)]}' on page {number}")
    return [f"{CRITICAL.get(kind, kind)} is printed nowhere {inches} in clear of the sheet's "
            f"edges (a printer's hardware margin cuts it): its best copy, {where}, is "
            f"{max(gap, 0) / 96:.2f} in from an edge"
            for kind, (gap, where) in best.items() if gap < limit]


def _marked(box: Any, kind: str | None, element: Any) -> Iterator[tuple[str, Any, Any]]:
    """(kind, marked element, text box) for the text inside each `data-keep-clear` element."""
    own = getattr(box, "element", None)
    if own is not None and own.get("data-keep-clear") and own is not element:
        kind, element = own.get("data-keep-clear"), own
    if kind is not None and type(box).__name__ == "TextBox" and box.text.strip():
        yield kind, element, box
    for child in getattr(box, "children", ()):
        yield from _marked(child, kind, element)


def _texts(box: Any) -> Iterator[Any]:
    if type(box).__name__ == "TextBox" and box.text.strip():
        yield box
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def _selector(box: Any) -> str:
    """The text's element as a CSS selector would name it (`sup.cite`)."""
    tag = str(getattr(box, "element_tag", "") or "text")
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    return tag + "".join(f".{name}" for name in classes)
