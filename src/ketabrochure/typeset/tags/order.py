"""Repairs of the reading order: elements marked `data-reading-order` in the HTML moved into
that order, and the bookmarks re-ordered and re-nested to follow it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy import lazy_module
from .hints import Hints
from .structure import CONTAINERS, HEADINGS, Tree, is_elem, kids_of, norm, set_kids

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf", keep=True)


def fix_reading_order(tree: Tree, hints: Hints) -> bool:
    """Elements marked `data-reading-order` in the HTML are read in that order.

    WeasyPrint 70 (pdf/tags.py:46-60, `add_tags`) builds the tree page by page, each page in box
    order, so no HTML can make a reader go from page 1 to page 2 and back: the tri-fold's
    cover (page 1, right) comes before the inside panels (page 2), and the flap and back cover
    (page 1, left and middle) after them. The marked elements (matched to structure elements
    by their text) are moved, in order, to where the first of them is; wrappers left empty are
    dropped. Returns whether it changed the order.
    """
    if not hints.order:
        return False
    found: list[pikepdf.Object] = []
    candidates = [e for e in tree.walk() if tree.tag(e) in CONTAINERS]
    texts = {e.objgen: norm(tree.text(e, skip=("/Lbl",))) for e in candidates}
    for _, text in sorted(hints.order):
        match = next((e for e in candidates if texts[e.objgen] == text
                      and all(e.objgen != f.objgen for f in found)), None)
        if match is None:
            return False  # the HTML and the PDF disagree: leave the order alone
        found.append(match)
    first_page_parent = min(found, key=lambda e: _order_index(tree, e)).P
    at = next(i for i, k in enumerate(kids_of(first_page_parent))
              if any(is_elem(k) and k.objgen == f.objgen for f in found))
    for element in found:
        parent = element.P
        set_kids(parent, [k for k in kids_of(parent)
                           if not (is_elem(k) and k.objgen == element.objgen)])
    kids = kids_of(first_page_parent)
    set_kids(first_page_parent, kids[:at] + found + kids[at:])
    for element in found:
        element.P = first_page_parent
    _drop_empty(tree)
    return True


def _order_index(tree: Tree, element: pikepdf.Object) -> int:
    for i, e in enumerate(tree.walk()):
        if e.objgen == element.objgen:
            return i
    return -1


def _drop_empty(tree: Tree) -> None:
    """Remove structure elements left without kids (after moves and merges)."""
    changed = True
    while changed:
        changed = False
        for element in list(tree.walk()):
            if not tree.kids(element) and tree.tag(element) != "/Document" and "/P" in element:
                parent = element.P
                set_kids(parent, [k for k in kids_of(parent)
                                   if not (is_elem(k) and k.objgen == element.objgen)])
                changed = True


def fix_outlines(tree: Tree) -> None:
    """Bookmarks follow the structure tree's order after `fix_reading_order`, nested by
    their headings' levels.

    WeasyPrint 70 (pdf/anchors.py:59 `add_outlines`) writes bookmarks in page order, nested by
    that order. Each bookmark is matched to the heading with its title (the n-th bookmark of
    a title to the n-th heading of that text); if one matches none, they stay as they are.
    """
    outlines = tree.pdf.Root.get("/Outlines")
    if outlines is None or "/First" not in outlines:
        return
    headings: dict[str, list[tuple[int, int]]] = {}
    for i, element in enumerate(tree.walk()):
        if tree.tag(element) in HEADINGS:
            headings.setdefault(norm(tree.text(element)), []).append((i, int(tree.tag(element)[2])))
    flat: list[tuple[int, int, int, pikepdf.Object]] = []
    used: dict[str, int] = {}

    def gather(parent: pikepdf.Object) -> bool:
        item = parent.get("/First")
        while item is not None:
            title = norm(str(item.get("/Title", "")))
            n = used.get(title, 0)
            if n >= len(headings.get(title, [])):
                return False
            used[title] = n + 1
            place, level = headings[title][n]
            flat.append((place, len(flat), level, item))
            if not gather(item):
                return False
            item = item.get("/Next")
        return True
    if not gather(outlines):
        return
    flat.sort(key=lambda entry: entry[:2])
    children: dict[tuple[int, int], list[pikepdf.Object]] = {}
    stack: list[tuple[int, pikepdf.Object]] = [(0, outlines)]
    for _, _, level, item in flat:
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1]
        children.setdefault(parent.objgen, []).append(item)
        item.Parent = parent
        stack.append((level, item))
    everything = [outlines] + [entry[3] for entry in flat]
    for item in everything:
        for key in ("/First", "/Last", "/Prev", "/Next"):
            if key in item:
                del item[key]
    for item in everything:
        kids = children.get(item.objgen, [])
        if kids:
            item.First, item.Last = kids[0], kids[-1]
        for i, kid in enumerate(kids):
            if i:
                kid.Prev = kids[i - 1]
            if i < len(kids) - 1:
                kid.Next = kids[i + 1]

    def count(item: pikepdf.Object) -> int:
        """Open descendants, as /Count says (negative for a closed item)."""
        total = 0
        for kid in children.get(item.objgen, []):
            below = count(kid)
            total += 1 + (below if int(kid.get("/Count", 0)) >= 0 else 0)
        return total
    for item in [entry[3] for entry in flat]:
        closed = int(item.get("/Count", 0)) < 0
        below = count(item)
        item.Count = -below if closed else below
    outlines.Count = count(outlines)
