"""What runs past a document's page budget, in the terms an editor acts on: how much (lines,
words), the sections it falls in, which column of a side-by-side row sets the height before
the break (shortening the shorter one moves nothing), what each list item or table row costs
in lines, and, laid out once more without a candidate, how many lines leaving it out saves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pdf import Typeset, relayout

SIDE_BY_SIDE = ("GridBox", "FlexBox")  # containers whose items stand in columns
ITEMS = {"li": "item", "tr": "row"}  # what a list or table is made of, as the advice names it
TRIES = 2  # candidates laid out once more without them (each costs one layout)


@dataclass
class Spill:
    """What runs past a document's last allowed page: about how many lines of text and how
    many words, the sections it falls in (in order, each with the `data-field`s of it there),
    and every `data-field` of the document with its words (the texts that could be shortened).
    A line is the document's usual line (the median line height); a table row counts as its
    height in lines, not as the lines of each of its cells."""

    page: int  # the first page past the budget
    lines: float
    words: int
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # heading, fields
    fields: dict[str, int] = field(default_factory=dict)  # data-field -> words
    # the taller of side-by-side columns before the break: [its name, lines, the name of the
    # one beside it, its lines, the data-fields in the taller one, those in the others]
    columns: list[list[Any]] = field(default_factory=list)
    costs: list[list[Any]] = field(default_factory=list)  # [section, item word, count, lines each]
    saves: dict[str, float] = field(default_factory=dict)  # data-field -> lines saved without it


def spill(typeset: Typeset, last: int | None) -> Spill | None:
    """What lies on the pages after page `last` (None when there are none)."""
    assert typeset.document is not None
    pages = typeset.document.pages
    if last is None or len(pages) <= last:
        return None
    walk = _SpillWalk()
    for number, page in enumerate(pages, start=1):
        walk.past = number > last
        for child in page._page_box.children:
            if type(child).__name__ != "MarginBox":  # running headers and footers
                walk.visit(child, "", None, False)
    heights = sorted(walk.heights) or [1.0]
    line = max(heights[len(heights) // 2], 1.0)
    costs = sorted(_costs(pages[:last + 1], line), key=lambda c: c[0] not in walk.sections)
    return Spill(last + 1, walk.height / line + walk.lines, walk.words,
                 [(name, fields) for name, fields in walk.sections.items()], walk.fields,
                 columns=_columns(pages[:last], line), costs=costs)


def spill_to_json(found: Spill | None) -> dict[str, Any] | None:
    return None if found is None else {
        "page": found.page, "lines": found.lines, "words": found.words,
        "sections": [[name, fields] for name, fields in found.sections],
        "fields": found.fields, "columns": found.columns, "costs": found.costs,
        "saves": found.saves}


def spill_from_json(data: dict[str, Any] | None) -> Spill | None:
    if data is None:
        return None
    return Spill(data["page"], data["lines"], data["words"],
                 [(name, list(fields)) for name, fields in data["sections"]],
                 dict(data["fields"]), columns=list(data.get("columns", [])),
                 costs=list(data.get("costs", [])), saves=dict(data.get("saves", {})))


def _columns(pages: list[Any], line: float) -> list[list[Any]]:
    """Each row of side-by-side columns on the pages within the budget whose tallest column
    stands out by a line or more: the page ends where the tallest one does."""
    found: list[list[Any]] = []
    for page in pages:
        for box in _boxes(page._page_box):
            items = [c for c in getattr(box, "children", ()) if hasattr(c, "margin_height")
                     and getattr(c, "element", None) is not None]
            if type(box).__name__ not in SIDE_BY_SIDE or len(items) < 2:
                continue
            tall, *others = sorted(items, key=lambda c: -_used(c))
            beside = others[0]
            if _used(tall) - _used(beside) < line:
                continue
            found.append([_name(tall.element), round(_used(tall) / line, 1),
                          _name(beside.element), round(_used(beside) / line, 1),
                          _fields([tall]), _fields(others)])
    return found


def _costs(pages: list[Any], line: float) -> list[list[Any]]:
    """What each list item or table row of a section costs in lines, on average (pages up
    to the first one past the budget): [section, 'item' or 'row', how many, lines each]."""
    sums: dict[tuple[str, str], list[float]] = {}
    for page in pages:
        for box, section, parent in _sectioned(page._page_box, "", ""):
            word = ITEMS.get(getattr(box.element, "tag", ""), "")
            if word and section and (word == "item" or parent == "tbody"):
                sums.setdefault((section, word), []).append(box.margin_height() / line)
    return [[section, word, len(heights), round(sum(heights) / len(heights), 1)]
            for (section, word), heights in sums.items()]


def _sectioned(box: Any, section: str, parent: str) -> Any:
    """(box, the name of the <section> it is in, its parent's tag) for each block or table
    row, in tree order; a box split over pages is given once per page, with its part there."""
    element = getattr(box, "element", None)
    if element is not None and element.tag == "section":
        section = _heading(element)
    if element is not None and hasattr(box, "margin_height") and \
            type(box).__name__ in ("BlockBox", "TableRowBox"):
        yield box, section, parent
    tag = str(getattr(box, "element_tag", "") or "")
    for child in getattr(box, "children", ()):
        yield from _sectioned(child, section, tag)


def _used(box: Any) -> float:
    """The height a grid or flex item's content takes (items are stretched to their row's
    height, so their own height says nothing of which one sets it)."""
    bottoms = [c.position_y + c.margin_height() for c in getattr(box, "children", ())
               if hasattr(c, "margin_height")]
    return max(bottoms) - box.content_box_y() if bottoms else float(box.height)


def _fields(boxes: list[Any]) -> list[str]:
    return [e.get("data-field") for box in boxes for e in box.element.iter()
            if e.get("data-field")]


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _name(element: Any) -> str:
    """A column as printed: the heading of the first section in it."""
    section = next((e for e in element.iter() if e.tag == "section"), element)
    return _heading(section) or str(element.get("class") or element.tag)


def saves(typeset: Typeset, found: Spill, base_dir: Path, allowed: tuple[Path, ...]) -> None:
    """Lay the document out again without each candidate (the longest item of the tallest
    column, then the longest text past the budget) and note how many lines it would save:
    its lines past the budget fewer, or all of them when it then fits."""
    tall = [f for column in found.columns for f in column[4]]
    by_words = sorted(found.fields, key=lambda f: -found.fields[f])
    candidates = [f for f in by_words if f in tall][:1] + [f for f in by_words if f not in tall]
    last = found.page - 1
    for name in list(dict.fromkeys(candidates))[:TRIES]:
        document = relayout(typeset, base_dir, allowed,
                            f'[data-field="{name}"] {{ display: none !important }}')
        again = spill(Typeset(document), last) if len(document.pages) > last else None
        found.saves[name] = round(found.lines - (again.lines if again else 0.0), 1)



class _SpillWalk:
    """The boxes of every page in tree order; on the pages past the budget (`past`), the
    lines, words, sections and fields they hold."""

    def __init__(self) -> None:
        self.past = False
        self.heights: list[float] = []  # every line's height, for the usual line
        self.lines = 0.0  # lines of text past the budget
        self.height = 0.0  # and, in px, table rows and pictures
        self.words = 0
        self.sections: dict[str, list[str]] = {}
        self.fields: dict[str, int] = {}

    def visit(self, box: Any, section: str, name: str | None, counted: bool) -> None:
        element = getattr(box, "element", None)
        kind = type(box).__name__
        if element is not None:
            if element.tag == "section":
                section = _heading(element)
            if element.get("data-field"):
                name = element.get("data-field")
                if name not in self.fields:
                    self.fields[name] = len(" ".join(element.itertext()).split())
        if kind == "LineBox" and _has_text(box):
            self.heights.append(box.height)
        if self.past:
            if kind == "TextBox" and box.text.strip():
                self.words += len(box.text.split())
                fields = self.sections.setdefault(section, [])
                if name is not None and name not in fields:
                    fields.append(name)
            if not counted and kind == "LineBox" and _has_text(box):
                self.lines, counted = self.lines + 1, True
            elif not counted and kind in ("TableRowBox", "BlockReplacedBox",
                                          "InlineReplacedBox"):
                self.height, counted = self.height + box.height, True
        for child in getattr(box, "children", ()):
            self.visit(child, section, name, counted)


def _has_text(box: Any) -> bool:
    if type(box).__name__ == "TextBox":
        return bool(box.text.strip())
    return any(_has_text(child) for child in getattr(box, "children", ()))


def _heading(section: Any) -> str:
    """A <section>'s name as printed: its aria-label, else its first heading."""
    label = str(section.get("aria-label") or "")
    if not label:
        heading = next((h for h in section.iter() if h.tag in ("h1", "h2", "h3", "h4")), None)
        label = " ".join("".join(heading.itertext()).split()) if heading is not None else ""
    return label if len(label) <= 48 else label[:47].rstrip() + "…"


