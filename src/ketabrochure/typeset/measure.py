"""What the laid-out boxes say, measured once a document is typeset: the tri-fold's panels,
what runs past the page budget, text running out of its box, ink too near the paper's edge,
and text too faint on its background. Each result is plain data the cache keeps (`*_to_json`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pdf import Typeset, relayout


@dataclass
class Region:
    """An element marked `data-panel` in the HTML and the `data-field` elements inside it
    (in CSS px)."""

    top: float
    bottom: float
    fields: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # top, bottom, words


def panels(typeset: Typeset, base_dir: Path, allowed: tuple[Path, ...], css: str,
           split: bool) -> dict[str, Region]:
    """The document's `data-panel` regions, measured where they were laid out; or, if its
    content was `split` across more pages than planned (a panel overflowed), laid out again
    with `css` (e.g. one very tall page) to measure each panel whole."""
    assert typeset.document is not None
    document = relayout(typeset, base_dir, allowed, css) if split else typeset.document
    regions: dict[str, Region] = {}
    for page in document.pages:
        _walk(page._page_box, None, regions, set())
    return regions


def regions_to_json(regions: dict[str, Region]) -> dict[str, Any]:
    return {name: {"top": r.top, "bottom": r.bottom, "fields": r.fields}
            for name, r in regions.items()}


def regions_from_json(data: dict[str, Any]) -> dict[str, Region]:
    return {name: Region(r["top"], r["bottom"], {k: tuple(v) for k, v in r["fields"].items()})
            for name, r in data.items()}


def _walk(box: Any, region: Region | None, regions: dict[str, Region], seen: set[int]) -> None:
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


def overflows(typeset: Typeset) -> list[str]:
    """Text that runs out of its box sideways (a long unbreakable word over the next table
    column, a line past the page edge): WeasyPrint lays it out without a word, so it is
    looked for here, in the laid-out boxes. One description per piece of text."""
    assert typeset.document is not None
    found: list[str] = []
    for number, page in enumerate(typeset.document.pages, start=1):
        _overflowing(page._page_box, None, None, number, found)
    return list(dict.fromkeys(found))


def _overflowing(box: Any, block: Any, field_name: str | None, page: int,
                 found: list[str]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-field"):
        field_name = element.get("data-field")
    if block is not None and type(box).__name__ == "TextBox" and box.text.strip():
        limit = block.content_box_x() + block.width + block.padding_right
        over = box.position_x + box.width - limit
        if over > 0.5:
            where = f" ({field_name})" if field_name else ""
            found.append(f"'{box.text.strip()[:60]}' on page {page}{where} runs "
                         f"{over * 0.75:.1f} pt past its box")
    if hasattr(box, "content_box_x") and type(box).__name__ in _CONTAINERS:
        block = box
    for child in getattr(box, "children", ()):
        _overflowing(child, block, field_name, page, found)


# boxes whose content area text must stay inside (inline boxes may be wider than a line)
_CONTAINERS = {"BlockBox", "TableCellBox", "PageBox", "MarginBox", "FlexBox", "GridBox",
               "InlineBlockBox", "FootnoteAreaBox"}


PRINTABLE_IN = 0.3  # office printers cannot print the outer ~0.25 in of a sheet
# <html data-hardware-band="0.5">: a layout that keeps everything this many inches clear of
# the top and bottom edges (CUPS's sample HP LaserJet PCL driver leaves 0.5 in unprinted there)
HARDWARE_BAND = "data-hardware-band"


def near_the_edge(typeset: Typeset, inches: float = PRINTABLE_IN) -> list[str]:
    """Text or pictures within `inches` of the sheet's edge, where an office printer leaves
    them out (top and bottom: the page's hardware band, where its layout declares a wider
    one): one description per page and side."""
    assert typeset.document is not None
    found: list[str] = []
    for number, page in enumerate(typeset.document.pages, start=1):
        width, height = page.width, page.height
        band = max(inches, _band(page._page_box))
        keep = {"left": inches, "top": band, "right": inches, "bottom": band}
        for box in _inked(page._page_box):
            left, top = box.position_x, box.position_y
            right, bottom = left + box.width, top + box.height
            for side, gap in (("left", left), ("top", top), ("right", width - right),
                              ("bottom", height - bottom)):
                if gap < keep[side] * 96 - 0.5:  # CSS px, half a pixel for rounding
                    text = getattr(box, "text", "").strip()[:40] or "a picture"
                    found.append(f"'{text}' on page {number} is {max(gap, 0) / 96:.2f} in "
                                 f"from the {side} edge (keep {keep[side]:g} in clear)")
    return list(dict.fromkeys(found))


def _band(page_box: Any) -> float:
    """The top and bottom band, in inches, the page's document declares on its root element
    (0 when it declares none, or a value that is not a number)."""
    for child in getattr(page_box, "children", ()):
        element = getattr(child, "element", None)
        value = element.get(HARDWARE_BAND) if element is not None else None
        if value:
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 0.0


def _inked(box: Any) -> Iterator[Any]:
    """The boxes that put ink on the page: text and replaced elements (images, SVG)."""
    name = type(box).__name__
    if (name == "TextBox" and box.text.strip()) or name in ("InlineReplacedBox",
                                                            "BlockReplacedBox"):
        yield box
    for child in getattr(box, "children", ()):
        yield from _inked(child)


# --- contrast ------------------------------------------------------------------------------

RGB = tuple[float, float, float]  # sRGB, each 0-1
WHITE: RGB = (1.0, 1.0, 1.0)  # the paper behind every page
NORMAL_RATIO, LARGE_RATIO = 4.5, 3.0  # WCAG 2.x SC 1.4.3 (AA)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """The WCAG 2.x contrast ratio of two opaque colours, 1 to 21."""
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def large_text(points: float, weight: int) -> bool:
    """WCAG's large text: 18 pt and above, or 14 pt and above in bold."""
    return points >= 18 - 0.01 or (points >= 14 - 0.01 and weight >= 700)


def hex_colour(rgb: RGB) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def contrasts(typeset: Typeset) -> list[str]:
    """Text whose colour stands out too little from its background (WCAG 2.x SC 1.4.3):
    under 4.5:1, or under 3:1 for large text (18 pt, or 14 pt bold). Each piece of text is
    taken from the laid-out boxes with its computed colour, size and weight. Its background is
    what is painted under it, composited over white paper: the background colours of the
    boxes it sits in, and of positioned boxes laid out before it that cover it (the
    tri-fold's cover art is a sibling of the cover text, not its ancestor). One description
    per failing pair of colours: where it is first, and how many more there are.

    Not seen: text drawn inside SVG or raster images (the evidence sheets' charts draw ink on
    paper), background images and gradients, `opacity`, and boxes painted out of tree order
    (z-index)."""
    assert typeset.document is not None
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for number, page in enumerate(typeset.document.pages, start=1):
        walk = _ContrastWalk(number, found)
        walk.visit(page._page_box, None)
    return [_first_and_more(places) for places in found.values()]


def _first_and_more(places: list[tuple[str, str]]) -> str:
    """The first place a pair of colours fails, and which elements fail with it elsewhere
    ("and 3 more: span.grade-word 2, span.toc-number")."""
    first, *rest = places
    if not rest:
        return first[1]
    counts: dict[str, int] = {}
    for selector, _ in rest:
        counts[selector] = counts.get(selector, 0) + 1
    more = ", ".join(f"{selector} {n}" if n > 1 else selector for selector, n in counts.items())
    return f"{first[1]} (and {len(rest)} more: {more})"


Layer = tuple[int, Any]  # a painted background: its place in tree order, its CSS colour
Rect = tuple[float, float, float, float]  # left, top, right, bottom (CSS px)


class _ContrastWalk:
    """One page's boxes in tree order (the order they are painted in, near enough), with the
    backgrounds painted so far."""

    def __init__(self, page: int, found: dict[tuple[str, str], list[tuple[str, str]]]) -> None:
        self.page, self.found = page, found
        self.order = 0
        self.ancestors: list[Layer] = []  # backgrounds of the boxes the walk is inside
        self.positioned: list[tuple[Layer, Rect]] = []  # of positioned boxes walked past

    def visit(self, box: Any, field_name: str | None) -> None:
        style = box.style
        element = getattr(box, "element", None)
        if element is not None and element.get("data-field"):
            field_name = element.get("data-field")
        self.order += 1
        painted = style["background_color"]
        if painted == "currentcolor":
            painted = style["color"]
        layer = (self.order, painted) if float(painted.alpha) > 0 else None
        if layer is not None:
            self.ancestors.append(layer)
        if type(box).__name__ == "TextBox":
            self.text(box, field_name)
        for child in getattr(box, "children", ()):
            self.visit(child, field_name)
        if layer is not None:
            self.ancestors.pop()
            if style["position"] in ("absolute", "fixed", "relative"):
                rect = (box.border_box_x(), box.border_box_y(),
                        box.border_box_x() + box.border_width(),
                        box.border_box_y() + box.border_height())
                self.positioned.append((layer, rect))

    def background(self, x: float, y: float) -> RGB:
        """What is painted under the point (x, y) so far, over white paper."""
        layers = self.ancestors + [layer for layer, (left, top, right, bottom) in self.positioned
                                   if left <= x <= right and top <= y <= bottom]
        colour = WHITE
        for _, painted in sorted(layers, key=lambda layer: layer[0]):
            colour = _over(painted, colour)
        return colour

    def text(self, box: Any, field_name: str | None) -> None:
        style = box.style
        text = box.text.strip()
        if not text or style["visibility"] != "visible":
            return
        background = self.background(box.position_x + box.width / 2,
                                     box.position_y + box.height / 2)
        colour = _over(style["color"], background)
        ratio = contrast_ratio(colour, background)
        points, weight = style["font_size"] * 0.75, int(style["font_weight"])
        needed = LARGE_RATIO if large_text(points, weight) else NORMAL_RATIO
        if ratio >= needed:
            return
        pair = (hex_colour(colour), hex_colour(background))
        where = f", {field_name}" if field_name else ""
        bold = "bold " if weight >= 700 else ""
        selector = _selector(box)
        self.found.setdefault(pair, []).append((selector, (
            f"'{text[:60]}' on page {self.page} ({selector}{where}): {pair[0]} on {pair[1]} "
            f"is {math.floor(ratio * 100) / 100:.2f}:1 at {points:.3g} pt {bold}text, which "
            f"needs {needed:g}:1")))


def _over(colour: Any, background: RGB) -> RGB:
    """A CSS colour (tinycss2's, any colour space, maybe translucent) painted over an opaque
    one."""
    alpha = float(colour.alpha)
    if alpha <= 0:
        return background
    if colour.space == "device-cmyk":  # print-shop CSS: the naive conversion (tinycss2 has none)
        c, m, y, k = (float(v) for v in colour.coordinates)
        rgb: tuple[float, ...] = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    else:
        rgb = tuple(min(1.0, max(0.0, float(v))) for v in colour.to("srgb").coordinates)
    return (rgb[0] * alpha + background[0] * (1 - alpha),
            rgb[1] * alpha + background[1] * (1 - alpha),
            rgb[2] * alpha + background[2] * (1 - alpha))


def _selector(box: Any) -> str:
    """The text's element as a CSS selector would name it (`span.grade-word`), to find the
    rule that colours it."""
    tag = str(getattr(box, "element_tag", "") or "text")
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    return tag + "".join(f".{name}" for name in classes)
