"""Print right first time, read back from the built PDFs: office printers, faxes, line length.

- Office printers cannot print the outer ~0.25 in of a sheet: in every PDF that is not a
  print-shop variant, nothing is drawn within 0.3 in of a page edge.
- Physician documents go by fax (1-bit, about 200 dpi): their text is pure black and at least
  7.5 pt, on white (benchmarks/fax.py measures what a fax keeps; a fax loses type under 7 pt,
  and `check` keeps every physician document's text at 7.5 pt or more).
- Patient handouts: body lines of at most about 75 characters (50-75 reads best).
"""

from __future__ import annotations

import functools
import itertools
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.layout import LTAnno, LTChar, LTContainer, LTCurve

# one xdist worker runs the module: the PDFs are read once per process (pages() is cached)
pytestmark = pytest.mark.xdist_group("test_print")

PT_PER_IN = 72.0
EDGE = 0.3 * PT_PER_IN
PHYSICIAN = ("evidence-sheet-*.pdf", "report-*.pdf", "referral-packet-*.pdf")
WHITE = {(1,), (1, 1, 1), (0, 0, 0, 0)}
BLACK = {(0,), (0, 0, 0), (0, 0, 0, 1)}
MIN_PT = 7.5
MAX_LINE = 75


def colour(value: Any) -> tuple[float, ...] | None:
    """A pdfplumber colour as a tuple of rounded floats (None: no colour, or a pattern)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = (value,)
    try:
        return tuple(round(float(v), 3) for v in value)
    except (TypeError, ValueError):
        return None  # a pattern name


@dataclass(frozen=True)
class Page:
    """What pdfplumber reads from one page (read once per file: the tests share it)."""

    number: int
    width: float
    height: float
    chars: list[dict[str, Any]]
    images: list[dict[str, Any]]
    paths: list[dict[str, Any]]  # rects, lines and curves


# what the tests read of each layout object (pdfplumber's Page.objects converts every
# attribute of every object, which cost a third of reading the PDFs: test_lean_pages_are_
# pdfplumbers checks these are its values)
CHAR_KEYS = ("text", "size", "matrix", "tag")
PATH_KEYS = ("fill", "stroke", "non_stroking_color", "stroking_color", "tag")
PATHS = ("rect", "line", "curve")  # in pdfplumber's order


def lean(page: Any, obj: Any) -> dict[str, Any]:
    """The keys the tests read of one object, computed as pdfplumber's Page.process_object
    does (its layout: pdfminer's interpreter and pdfplumber's marked-content device)."""
    kind = type(obj).__name__.removeprefix("LT").lower()
    item: dict[str, Any] = {"object_type": kind}
    mb_x0, mb_top = page.mediabox[:2]
    item["x0"], item["x1"] = obj.x0 + mb_x0, obj.x1 + mb_x0
    item["top"] = page.height - obj.y1 + mb_top
    item["bottom"] = page.height - obj.y0 + mb_top
    if isinstance(obj, LTChar):
        item.update((key, getattr(obj, key, None)) for key in CHAR_KEYS if key != "text")
        item["text"] = obj.get_text()
        ncolor = obj.graphicstate.ncolor
        item["non_stroking_color"] = ncolor if isinstance(ncolor, tuple) else (ncolor,)
    elif isinstance(obj, LTCurve):
        item.update((key, getattr(obj, key, None)) for key in PATH_KEYS)
    else:
        item["tag"] = getattr(obj, "tag", None)
    return item


def leaves(objects: list[Any]) -> Iterator[Any]:
    for obj in objects:
        if isinstance(obj, LTAnno):  # none without layout analysis; pdfplumber skips them
            continue
        if isinstance(obj, LTContainer):  # a form XObject (LTFigure): its contents
            yield from leaves(obj._objs)
        else:
            yield obj


@functools.cache
def pages(path: Path) -> list[Page]:
    found = []
    with pdfplumber.open(path) as pdf:
        for n, p in enumerate(pdf.pages, 1):
            items = [lean(p, obj) for obj in leaves(p.layout._objs)]
            found.append(Page(n, float(p.width), float(p.height),
                              [i for i in items if i["object_type"] == "char"],
                              [i for i in items if i["object_type"] == "image"],
                              [i for kind in PATHS for i in items if i["object_type"] == kind]))
    return found


def pdfs(built: Path, *patterns: str) -> list[Path]:
    found = sorted({p for pattern in patterns for p in (built / "out").glob(pattern)})
    assert found, patterns
    return found


def drawn(page: Page) -> Iterator[dict[str, Any]]:
    """Everything that leaves ink: characters but spaces (a line's last space is drawn past
    the line, at no width, for readers: typeset.linespace), images, and paths that are
    stroked, or filled with anything but white (pdfplumber lists a path even when it paints
    nothing)."""
    yield from (char for char in page.chars if char["text"].strip())
    yield from page.images
    for item in page.paths:
        filled = item.get("fill") and colour(item.get("non_stroking_color")) not in WHITE
        stroked = item.get("stroke") and colour(item.get("stroking_color")) not in WHITE
        if filled or stroked:
            yield item


def test_this_module_runs_as_one_group(request: pytest.FixtureRequest) -> None:
    """Under `--dist loadgroup` (pyproject.toml) one worker runs this module, so pages() reads
    each PDF once: the test's id carries its group (conftest.py puts it there on pytest 9)."""
    if not request.config.getoption("loadgroup", False):
        pytest.skip("not an xdist worker under --dist loadgroup")
    assert request.node.nodeid.endswith("@test_print"), request.node.nodeid


def test_lean_pages_are_pdfplumbers(built: Path) -> None:
    """pages() keeps, of every object, what pdfplumber's own chars, images, rects, lines and
    curves say, in their order: on a sheet (charts: Figure tags) and a brochure."""
    seen: dict[str, int] = {}
    for name in ("evidence-sheet-ptsd-letter-en.pdf",
                 "trifold-what-is-ketamine-therapy-letter-es.pdf"):
        with pdfplumber.open(built / "out" / name) as pdf:
            for ours, theirs in zip(pages(built / "out" / name), pdf.pages, strict=True):
                for kind, mine, their in (
                        ("chars", ours.chars, theirs.chars), ("images", ours.images, theirs.images),
                        ("paths", ours.paths, [*theirs.rects, *theirs.lines, *theirs.curves])):
                    assert [{k: t.get(k) for k in o} for o, t in zip(mine, their, strict=True)] \
                        == mine, (name, kind)
                    seen[kind] = seen.get(kind, 0) + len(mine)
    assert seen["chars"] and seen["paths"], seen  # (the PDFs draw no raster image today)


def test_office_and_large_print_keep_clear_of_the_sheet_edges(built: Path) -> None:
    """Office printers leave about 0.25 in unprinted: nothing within 0.3 in of an edge."""
    office = [p for p in pdfs(built, "*.pdf") if "print-shop" not in p.name]
    too_close = []
    for path in office:
        for page in pages(path):
            for item in drawn(page):
                gaps = {"left": item["x0"], "right": page.width - item["x1"],
                        "top": item["top"], "bottom": page.height - item["bottom"]}
                side, gap = min(gaps.items(), key=lambda kv: kv[1])
                if gap < EDGE - 0.01:
                    what = item.get("text") or item["object_type"]
                    too_close.append(f"{path.name} p{page.number}: {what!r} "
                                     f"{gap / PT_PER_IN:.3f} in from the {side} edge")
                    break
    assert not too_close, "\n".join(too_close)


def in_figure(item: dict[str, Any]) -> bool:
    """Drawn by an image: the logo, or an inline SVG chart (charts.py). The PDFs are tagged:
    an image's content is marked as a Figure, HTML text as spans, borders and backgrounds as
    artifacts."""
    return item.get("tag") == "Figure"


def physician_chars(built: Path, charts: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in pdfs(built, *PHYSICIAN):
        for page in pages(path):
            for char in page.chars:
                if char["text"].strip() and in_figure(char) == charts:
                    yield f"{path.name} p{page.number}", char


def faults(chars: Iterator[tuple[str, dict[str, Any]]]) -> list[str]:
    """One line per place and kind of fault: colour not pure black, or under 7.5 pt."""
    found: dict[tuple[str, str], str] = {}
    for where, char in chars:
        fill = colour(char["non_stroking_color"])
        if fill not in BLACK:
            found.setdefault((where, f"colour {fill}"), char["text"])
        if char["size"] < MIN_PT - 0.01:
            found.setdefault((where, f"{char['size']:.1f} pt"), char["text"])
    return [f"{where}: {kind} ({text!r} ...)" for (where, kind), text in found.items()]


def test_physician_text_is_pure_black_and_at_least_7_5_pt(built: Path) -> None:
    """A fax halftones grey, tints and colours and loses type under 7 pt."""
    found = faults(physician_chars(built, charts=False))
    assert not found, "\n".join(found)


def test_physician_pages_are_black_on_white(built: Path) -> None:
    """No tinted panels, coloured rules or white-on-colour bands (they halftone to dots in a
    fax): every border, rule and box outside the images (logo, charts) is pure black."""
    found = set()
    for path in pdfs(built, *PHYSICIAN):
        for page in pages(path):
            for item in page.paths:
                if in_figure(item):
                    continue
                for key, on in (("non_stroking_color", "fill"), ("stroking_color", "stroke")):
                    value = colour(item.get(key))
                    if item.get(on) and value not in BLACK | WHITE:
                        found.add(f"{path.name} p{page.number}: {item['object_type']} {on} {value}")
    assert not found, "\n".join(sorted(found))


def test_chart_text_is_pure_black_and_at_least_7_5_pt(built: Path) -> None:
    """The same rule for the text of the charts (inline SVG drawn by charts.py, not CSS)."""
    chart = list(physician_chars(built, charts=True))
    assert chart, "no chart text found: the sheets and the report have charts"
    found = faults(iter(chart))
    assert not found, "\n".join(found)


def lines(path: Path) -> list[str]:
    """The body-size text lines of a PDF, one entry per line of each column: characters of the
    most common size, grouped by baseline and split where the gap between two characters is
    wider than two ems (a column gap); a space wherever the gap is over a fifth of an em."""
    found = []
    chars = [(page.number, c) for page in pages(path) for c in page.chars
             if c["text"].strip()]
    body = statistics.mode(round(c["size"], 1) for _, c in chars)
    rows: dict[tuple[int, float], list[dict[str, Any]]] = {}
    for number, c in chars:
        if abs(c["size"] - body) < 0.05:
            rows.setdefault((number, round(c["matrix"][5])), []).append(c)
    for row in rows.values():
        row.sort(key=lambda c: c["x0"])
        text = row[0]["text"]
        for before, char in itertools.pairwise(row):
            gap = char["x0"] - before["x1"]
            if gap > 2 * body:
                found.append(text)
                text = ""
            elif gap > 0.2 * body and text:
                text += " "
            text += char["text"]
        found.append(text)
    return found


def p90(values: list[int]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def test_handout_lines_are_at_most_75_characters(built: Path) -> None:
    """50-75 characters a line read best; the 90th percentile of body lines is 75 at most."""
    long = {}
    for path in pdfs(built, "handout-*.pdf"):
        lengths = [len(line) for line in lines(path)]
        if p90(lengths) > MAX_LINE:
            long[path.name] = f"90th percentile {p90(lengths):.0f}, longest {max(lengths)}"
    assert not long, "\n".join(f"{name}: {why}" for name, why in long.items())
