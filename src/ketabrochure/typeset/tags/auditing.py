"""`audit(pdf_bytes)`: a PDF's structure tree read back, and what is still wrong with it listed,
so a build can gate on it."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ...lazy import lazy_module
from .structure import HEADINGS, Tree, id_tree_names, is_elem, is_objr, tag_of

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf", keep=True)

Problem = tuple[int | None, str, str]  # page number (None: the document), element, problem


def audit(data: bytes) -> list[Problem]:
    """Breaches of the structure rules this package repairs, as (page number or None, element,
    problem): marked content neither reachable from the structure tree nor an artifact, list
    items outside a list and lists with other kids, header cells without /Scope, /Headers
    that no /IDTree resolves, heading levels skipped, a first heading that is not H1, links
    without a /Link element or a description, a document without /Lang."""
    pdf = pikepdf.open(io.BytesIO(data))
    tree = Tree(pdf, placed=False)  # which marks each page has, not where or what they say
    problems: list[Problem] = []
    if not str(pdf.Root.get("/Lang", "")).strip():
        problems.append((None, "Document", "no /Lang in the catalog"))
    if tree.document is None:
        problems.append((None, "StructTreeRoot", "no structure tree"))
        return problems

    def where(element: pikepdf.Object) -> int | None:
        page = tree.page_of(element)
        return page + 1 if page is not None else None

    reached: dict[int, set[int]] = {}
    id_tree = id_tree_names(tree.structure)
    level = 0
    annotations_in_links: set[tuple[int, int]] = set()
    for element in tree.walk():
        s = tree.tag(element)
        for page, mcid in tree.content(element, deep=False):  # the walk reaches each kid
            reached.setdefault(page, set()).add(mcid)
        parent = element.get("/P")
        if s == "/LI" and (not is_elem(parent) or tag_of(parent) != "/L"):
            inside = tag_of(parent) if is_elem(parent) else "no element"
            problems.append((where(element), "LI", f"list item inside {inside}, not L"))
        if s == "/L":
            problems.extend((where(kid), tag_of(kid)[1:], "child of a list that is no LI")
                            for kid in tree.elements(element)
                            if tag_of(kid) not in ("/LI", "/L", "/Caption"))
        if s == "/TH":
            attributes = element.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary) or "/Scope" not in attributes:
                problems.append((where(element), "TH", "header cell without /Scope"))
        if s in ("/TD", "/TH"):
            attributes = element.get("/A")
            if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                missing = [str(h) for h in attributes.Headers if str(h) not in id_tree]
                if missing:
                    problems.append((where(element), s[1:],
                                     f"/Headers {', '.join(missing)} not in the /IDTree"))
        if s in HEADINGS:
            number = int(s[2])
            if level == 0 and number != 1:
                problems.append((where(element), s[1:], "first heading is not H1"))
            elif number > level + 1 and level:
                problems.append((where(element), s[1:], f"heading level skipped after H{level}"))
            level = number
        objrs = [k for k in tree.kids(element) if is_objr(k)]
        for objr in objrs:
            annotation = objr.Obj
            if annotation.get("/Subtype") != "/Link":
                continue
            annotations_in_links.add(annotation.objgen)
            if s != "/Link":
                problems.append((where(element), s[1:], "link annotation outside a Link element"))
            elif not _described(annotation):
                problems.append((where(element), "Link", "link without a readable description"))
    for number, pdf_page in enumerate(pdf.pages):
        problems.extend((number + 1, "Link", "link annotation not in the structure tree")
                        for annotation in pdf_page.obj.get("/Annots", pikepdf.Array())
                        if (annotation.get("/Subtype") == "/Link"
                            and annotation.objgen not in annotations_in_links))

        content = tree.page(number)
        unreached = sorted(set(content.marks) - reached.get(number, set()))
        if unreached:
            problems.append((number + 1, "marked content",
                             f"MCID {', '.join(map(str, unreached[:8]))}"
                             f"{' …' if len(unreached) > 8 else ''} neither an artifact nor "
                             "reachable from the structure tree"))
        if content.untagged_text:
            problems.append((number + 1, "text", f"{content.untagged_text} text operators "
                             "outside marked content"))
    return problems


def _described(annotation: pikepdf.Object) -> bool:
    """A description that is there and is not just the raw target (an id or the URL for a
    link whose text says something else)."""
    contents = str(annotation.get("/Contents", "")).strip()
    if not contents:
        return False
    dest = annotation.get("/Dest")
    return not (dest is not None and contents == str(dest))
