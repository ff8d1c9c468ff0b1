"""Repairs of links: one /Link element per link, holding its annotations, each with a readable
description of what it leads to (read from the named destination's target)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...lazy import lazy_module
from .structure import Kid, Tree, is_elem, is_objr, kids_of, norm, set_kids, set_tag, tag_of

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf", keep=True)

# Words of link descriptions, by the document's language ("Reference 3: …, page 12").
WORDS = {"en": ("Reference", "page"), "es": ("Referencia", "página")}


def fix_links(tree: Tree) -> None:
    """Every link annotation sits in one /Link element with a readable description.

    WeasyPrint 70 (anchors.py:84-88 `gather_anchors`: `link = box.link or parent_link`) makes an
    annotation for every box inside an <a>, so a contents entry (an <a> with a <span> and an
    ::after leader) had four annotations, under a /Span and nested /Link elements
    (pdf/tags.py:239-248). The nested elements' content is moved up into the outermost /Link.
    Its /Contents was the raw target (pdf/anchors.py:38 `add_links`:
    `Contents = link_target`, e.g. `ref-1`): it becomes what the link leads to, read from the
    target (e.g. "Reference 3: Anand 2023", "1 Anxiety disorders, page 3"), also set as the
    element's /Alt. Annotations also get the Print flag, so print and screen agree.
    """
    dests = _named_destinations(tree.pdf)
    for element in list(tree.walk()):
        if tree.tag(element) != "/Link" or "/P" not in element:
            continue
        ancestor: pikepdf.Object | None = element.P
        outer = True
        while is_elem(ancestor):
            if tag_of(ancestor) == "/Link":
                outer = False
                break
            ancestor = ancestor.get("/P")
        if not outer:
            continue
        _flatten_link(element)

    for element in list(tree.walk()):  # annotations under a non-Link element
        if tree.tag(element) != "/Link" and any(is_objr(k) for k in tree.kids(element)):
            set_tag(element, "/Link")
    for element in tree.walk():
        if tree.tag(element) != "/Link":
            continue
        annotations = [k.Obj for k in tree.kids(element) if is_objr(k)]
        if not annotations:
            continue
        description = _describe(tree, element, annotations[0], dests)
        element.Alt = pikepdf.String(description)
        for annotation in annotations:
            annotation.Contents = pikepdf.String(description)
            annotation.F = 4


def _flatten_link(link: pikepdf.Object) -> None:
    """Move the content of elements nested in a /Link (spans, inner links) into it."""
    page = link.get("/Pg")
    flat: list[Kid] = []

    def collect(element: pikepdf.Object, own_page: pikepdf.Object | None) -> None:
        for kid in kids_of(element):
            if is_elem(kid):
                collect(kid, kid.get("/Pg", own_page))
            elif isinstance(kid, int):
                same = own_page is None or (page is not None and own_page.objgen == page.objgen)
                flat.append(kid if same else pikepdf.Dictionary(
                    Type=pikepdf.Name("/MCR"), Pg=own_page, MCID=kid))
            else:
                flat.append(kid)
    collect(link, page)
    set_kids(link, flat)


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    found: dict[str, tuple[int, float, float]] = {}
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return found
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    stack = [names.Dests]
    while stack:
        node = stack.pop()
        stack.extend(node.get("/Kids", []))
        entries = node.get("/Names", pikepdf.Array())
        for i in range(0, len(entries) - 1, 2):
            dest: pikepdf.Object | None = entries[i + 1]
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")

            if isinstance(dest, pikepdf.Array) and len(dest) >= 4 and dest[0].objgen in index:
                found[str(entries[i])] = (index[dest[0].objgen], float(dest[2]), float(dest[3]))
    return found


def _describe(tree: Tree, link: pikepdf.Object, annotation: pikepdf.Object,
              dests: dict[str, tuple[int, float, float]]) -> str:
    text = tree.text(link)
    action = annotation.get("/A")
    if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
        uri = str(action.URI)
        if uri.startswith("mailto:"):
            return uri[len("mailto:"):]
        if not text or norm(text) in norm(uri):
            return uri
        if norm(re.sub(r"^[a-z]+:", "", text)) in norm(uri):
            return uri  # the text spells the address (e.g. "doi:10.1056/…", maybe one line of it)
        host = re.match(r"[a-z]+://([^/]+)", uri)
        return f"{text} ({host[1]})" if host and host[1] not in text else text
    dest = annotation.get("/Dest")
    target = dests.get(str(dest)) if dest is not None else None
    if target is None:
        return text or (str(dest) if dest is not None else "link")
    reference_word, page_word = WORDS.get(str(tree.pdf.Root.get("/Lang", "en"))[:2],
                                          WORDS["en"])
    page, x, y = target
    block = _element_at(tree, page, x, y)
    if block is None:
        return f"{text}, {page_word} {page + 1}" if text else f"{page_word} {page + 1}"
    target_text = tree.text(block, skip=("/Link", "/Lbl"))
    label = next((tree.text(k) for k in kids_of(block) if is_elem(k) and tag_of(k) == "/Lbl"), "")
    body = tree.text(block, skip=("/Lbl",))
    numbered = re.match(r"(\d+)[.)]\s*(\S.*)", body)  # "3. Anand A, …", or "3." as marker
    number = numbered[1] if numbered else "".join(re.findall(r"\d", label))
    rest = numbered[2] if numbered else body
    if tag_of(block) == "/LI" and number:
        author = re.match(r"([A-Z][\w'’-]+)[ ,]", rest)  # "Anand A, ..." -> Anand
        year = re.search(r"\b(19|20)\d\d\b", rest)
        if author and year:
            return f"{reference_word} {number}: {author[1]} {year[0]}"
        return f"{reference_word} {number}: {' '.join(rest.split()[:6]).rstrip('.,;:')}"
    return f"{target_text[:80].rstrip()}, {page_word} {page + 1}"


def _element_at(tree: Tree, page: int, x: float, y: float) -> pikepdf.Object | None:
    """The block element whose first line is the first below (x, y) on the page: what a
    named destination (an HTML id) points at. A section or article that starts with a
    heading is represented by the heading, a list item's body by the item."""
    best, best_key = None, None
    for element, first in tree.blocks().get(page, []):
        if first.y > y + 1 or first.x < x - 2:
            continue
        key = (round(y - first.y, 1), first.x)
        if best_key is None or key <= best_key:  # on a tie, the innermost (later in the walk)
            best, best_key = element, key
    while best is not None and tag_of(best) == "/LBody":
        best = best.P
    return best
