"""`repair(pdf_bytes, html)`: the structure tree WeasyPrint 70 writes, mended for PDF/UA-1 (see
the package's docstring for why each fix exists); the fixes of margins, page splits, tables,
headings and languages, and the parent tree rebuilt at the end."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from ...lazy import lazy_module
from .hints import Hints
from .links import fix_links
from .order import fix_outlines, fix_reading_order
from .structure import (
    HEADINGS,
    Kid,
    Page,
    Tree,
    is_elem,
    is_objr,
    kids_of,
    norm,
    set_kids,
    set_tag,
    tag_of,
)

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf", keep=True)


def repair(data: bytes, html: str = "") -> bytes:
    """The PDF with its structure tree repaired (see the `fix_*` functions); `html` is the
    HTML it was typeset from ("" for documents combined from parts: hints from it are skipped).
    A PDF without a structure tree is returned as it is."""
    pdf = pikepdf.open(io.BytesIO(data))
    tree = Tree(pdf)
    if tree.document is None:
        return data
    hints = Hints.parse(html) if html else Hints()
    fix_margins(tree)
    reordered = fix_reading_order(tree, hints)
    fix_page_splits(tree)
    fix_tables(tree)
    fix_headings(tree)
    fix_links(tree)
    fix_languages(tree, hints)
    if reordered:
        fix_outlines(tree)
    _rebuild_parent_tree(tree)
    for page in tree._pages.values():
        page.save(pdf)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _reachable(tree: Tree) -> set[tuple[int, int]]:
    return {element.objgen for element in tree.walk()}


def fix_margins(tree: Tree) -> None:
    """Margin-box content (running headers and footers, page numbers) becomes /Artifact.

    WeasyPrint 70 (pdf/tags.py:144-151, `_build_box_tree`, the `MarginBox` branch) builds
    elements for margin boxes but links them to no parent's /K ("could be included in tree as
    Artifact, but that's only allowed in PDF 2.0"), and draws their text as tagged /Span
    content (draw/__init__.py:633, pdf/stream.py:283-290): it is neither an artifact nor
    reachable, and no CSS or HTML changes that.

    One exception: the first copy of a running element written as paragraphs (an HTML
    `<footer>` with `<p>` inside, moved to the margin with `position: running()`) may hold
    what the page says nowhere else (an evidence sheet's clinic address, phone and e-mail, a
    handout's review date and edition): it is linked at the end of the document as a /Div, so
    a reader still reaches it; its repeats on later pages are artifacts. A copy whose text
    differs from every one kept (a referral packet's sheets, each with its own review date)
    is kept too.
    """
    document = tree.top
    reachable = _reachable(tree)
    nums = tree.structure.get("/ParentTree", pikepdf.Dictionary()).get("/Nums", pikepdf.Array())
    groups: dict[tuple[int, int], tuple[int, pikepdf.Object, list[int]]] = {}
    for i in range(0, len(nums) - 1, 2):
        key, entry = nums[i], nums[i + 1]
        if not isinstance(entry, pikepdf.Array):
            continue
        for mcid, element in enumerate(entry):
            if not is_elem(element) or element.objgen in reachable:
                continue
            top: pikepdf.Object = element
            while "/P" in top and top.P.objgen != document.objgen and is_elem(top.P):
                top = top.P
            groups.setdefault(top.objgen, (int(key), top, []))[2].append(mcid)

    kept: set[str] = set()  # the texts of the footers kept
    artifacts: dict[int, dict[int, str]] = {}
    for page, top, mcids in sorted(groups.values(), key=lambda g: (g[0], g[2][0])):
        paragraphs = any(tree.tag(e) == "/P" for e in tree.walk(top))
        text = " ".join("".join(tree.page(page).marks[mcid].text for mcid in mcids
                                if mcid in tree.page(page).marks).split()) if paragraphs else ""
        if paragraphs and text not in kept:  # (a page number's text is never decoded)
            kept.add(text)
            set_tag(top, "/Div")
            top.P = document
            set_kids(document, [*kids_of(document), top])
            continue
        media = tree.pdf.pages[page].obj.MediaBox
        middle = (float(media[1]) + float(media[3])) / 2
        marks = tree.page(page).marks
        for mcid in mcids:
            mark = marks.get(mcid)
            kind = "/Header" if mark is not None and mark.y > middle else "/Footer"
            artifacts.setdefault(page, {})[mcid] = kind
    for page, kinds in artifacts.items():
        _make_artifacts(tree.page(page), kinds)


def _make_artifacts(page: Page, kinds: dict[int, str]) -> None:
    """Turn the marked content with these MCIDs into pagination artifacts (when saved)."""
    for mcid, kind in kinds.items():
        if page.marks.pop(mcid, None) is not None:
            page.artifacts[mcid] = kind


def fix_page_splits(tree: Tree) -> None:
    """An element split across pages, or across the columns of a page, becomes one element
    again.

    WeasyPrint 70 (pdf/tags.py:46-60, `add_tags`) calls `_build_box_tree` once per page, so a box
    continued on the next page (a chapter's section, an article, a table, a list) gets a new
    element there, appended to the document's /K: the report had a new top-level section on
    every page. WeasyPrint keeps no link between the pieces, so a piece is taken as the
    continuation of the last element of the same type on the page before when:
    sections, articles, divisions and lists do not start with a heading of their own level
    (the level of the first heading in the piece before, or any if it has none); a table row's first
    cell has no content (the row's cells continue); a list item has no label where the one
    before had one; a paragraph's piece before the break does not end a sentence.
    A table's repeated header row (WeasyPrint repeats <thead>) becomes an artifact.
    """
    document = tree.top
    kids = kids_of(document)
    merged = [kids[0]] if kids else []
    for kid in kids[1:]:
        previous = merged[-1]
        if (is_elem(previous) and is_elem(kid)
                and (_page_after(tree, previous, kid) or _next_column(tree, previous, kid))
                and _continues(tree, previous, kid)):
            _merge(tree, previous, kid)
        else:
            merged.append(kid)
    set_kids(document, merged)


def _page_after(tree: Tree, a: pikepdf.Object, b: pikepdf.Object) -> bool:
    pa, pb = _edge_page(tree, a, last=True), _edge_page(tree, b, last=False)
    return pa is not None and pb is not None and pb == pa + 1


def _next_column(tree: Tree, a: pikepdf.Object, b: pikepdf.Object) -> bool:
    """b is in a later column of a's page: its first text sits higher on the page and further
    right than a's last. WeasyPrint 70 starts a new element for each column's piece of a box,
    as for each page's (a handout's list split by a column break was two lists); a box that
    follows another in the same column starts below it, and a spanner (column-span: all)
    below both columns."""
    page = _edge_page(tree, a, last=True)
    if page is None or page != _edge_page(tree, b, last=False):
        return False
    ends = [m for m in tree.marks(a) if not math.isnan(m.y)]
    starts = [m for m in tree.marks(b) if not math.isnan(m.y)]
    return bool(ends and starts) and starts[0].y > ends[-1].y and starts[0].x > ends[-1].x


def _edge_page(tree: Tree, element: pikepdf.Object, last: bool) -> int | None:
    """The page of the element's first (or last) marked content, else of the element."""
    kids = tree.kids(element)
    for kid in reversed(kids) if last else kids:
        if isinstance(kid, int):
            return tree.page_of(element)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and "/Pg" in kid:
            return tree.index.get(kid.Pg.objgen)
        if is_elem(kid):
            page = _edge_page(tree, kid, last)
            if page is not None:
                return page
    return tree.page_of(element)


def _continues(tree: Tree, a: pikepdf.Object, b: pikepdf.Object) -> bool:
    s = tag_of(a)
    if s != tag_of(b):
        return False
    first = next((k for k in kids_of(b) if is_elem(k)), None)
    if s in ("/Sect", "/Art", "/Div", "/Part", "/BlockQuote", "/NonStruct", "/L", "/Table",
             "/TBody", "/TFoot", "/LBody", "/THead"):
        if first is None or tag_of(first) not in HEADINGS:
            return True
        own = next((k for k in kids_of(a) if is_elem(k) and tag_of(k) in HEADINGS), None)
        return own is not None and int(tag_of(first)[2]) > int(tag_of(own)[2])
    if s == "/TR":
        cells = [k for k in kids_of(b) if is_elem(k)]
        return bool(cells) and not any(True for _ in tree.content(cells[0]))
    if s == "/LI":
        return _labelled(a) and not _labelled(b)
    if s == "/P":
        marks = tree.marks(a)
        return bool(marks) and not marks[-1].text.rstrip().endswith(
            (".", "!", "?", ":", ";", "”", '"', ")"))
    return False


def _labelled(item: pikepdf.Object) -> bool:
    first = next((k for k in kids_of(item) if is_elem(k)), None)
    return first is not None and tag_of(first) == "/Lbl"


def _merge(tree: Tree, a: pikepdf.Object, b: pikepdf.Object) -> None:
    """Append b's kids to a (b continues a on the next page), then merge at the seam."""
    b_page = b.get("/Pg")
    if tag_of(a) == "/Table":
        _drop_repeated_header(tree, a, b)
    a_kids = kids_of(a)
    seam = next((k for k in reversed(a_kids) if is_elem(k)), None)
    moved: list[Kid] = []
    for kid in kids_of(b):
        if isinstance(kid, int):
            kid = pikepdf.Dictionary(Type=pikepdf.Name("/MCR"), Pg=b_page, MCID=kid)
        elif (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"
              and "/Pg" not in kid):
            kid.Pg = b_page
        elif is_elem(kid):
            kid.P = a
        moved.append(kid)
    if tag_of(a) == "/TR":
        cells_a = [k for k in a_kids if is_elem(k)]
        cells_b = [k for k in moved if is_elem(k)]
        for cell_a, cell_b in zip(cells_a, cells_b, strict=False):
            _merge(tree, cell_a, cell_b)
        set_kids(a, [*a_kids, *(k for k in moved if not is_elem(k)), *cells_b[len(cells_a):]])
        return
    first = next((k for k in moved if is_elem(k)), None)
    if seam is not None and first is not None and _continues(tree, seam, first):
        rest = list(moved)
        rest.remove(first)
        set_kids(a, [*a_kids, *rest])
        _merge(tree, seam, first)
    else:
        set_kids(a, [*a_kids, *moved])


def _drop_repeated_header(tree: Tree, a: pikepdf.Object, b: pikepdf.Object) -> None:
    """b's THead repeats a's (WeasyPrint repeats <thead> on each page): make it an artifact
    and point b's cells at a's header cells."""
    head_a = next((k for k in kids_of(a) if is_elem(k) and tag_of(k) == "/THead"), None)
    head_b = next((k for k in kids_of(b) if is_elem(k) and tag_of(k) == "/THead"), None)
    if head_a is None or head_b is None:
        return
    ids_a = [str(e.ID) for e in tree.walk(head_a) if tag_of(e) == "/TH" and "/ID" in e]
    ids_b = [str(e.ID) for e in tree.walk(head_b) if tag_of(e) == "/TH" and "/ID" in e]
    rename = dict(zip(ids_b, ids_a, strict=False))
    for cell in tree.walk(b):
        attributes = cell.get("/A")
        if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
            attributes.Headers = pikepdf.Array([pikepdf.String(rename.get(str(h), str(h)))
                                        for h in attributes.Headers])
    by_page: dict[int, dict[int, str]] = {}
    for page, mcid in tree.content(head_b):
        by_page.setdefault(page, {})[mcid] = "/Header"
    for page, kinds in by_page.items():
        _make_artifacts(tree.page(page), kinds)
    set_kids(b, [k for k in kids_of(b) if not (is_elem(k) and k.objgen == head_b.objgen)])


def fix_tables(tree: Tree) -> None:
    """Header cells get /Scope, and the /Headers of data cells resolve through an /IDTree.

    WeasyPrint 70 (pdf/tags.py:320-359, end of `_build_box_tree`) gives each <th> an /ID and
    each <td> the /Headers that name them, but writes no /IDTree in the StructTreeRoot (so the
    names resolve to nothing) and reads the HTML `scope` only to pick row headers (line 336),
    never writing /Scope: a <th> in <thead> (or in a row of
    header cells) gets /Scope /Column, one that starts a body row gets /Scope /Row.
    """
    ids: dict[str, pikepdf.Object] = {}
    for element in tree.walk():
        if tree.tag(element) != "/TH":
            continue
        row = element.P
        cells = [k for k in kids_of(row) if is_elem(k)]
        in_head = tag_of(row.P) == "/THead" if "/P" in row else False
        all_headers = all(tag_of(c) == "/TH" for c in cells)
        scope = "/Column" if in_head or all_headers else (
            "/Row" if cells and cells[0].objgen == element.objgen else "/Column")
        attributes = element.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            attributes = pikepdf.Dictionary(O=pikepdf.Name("/Table"))
            element.A = attributes
        attributes.Scope = pikepdf.Name(scope)
        if "/ID" in element:
            ids[str(element.ID)] = element
    if ids:
        names = pikepdf.Array()
        for key in sorted(ids):
            names.extend([pikepdf.String(key), ids[key]])
        tree.structure.IDTree = tree.pdf.make_indirect(pikepdf.Dictionary(Names=names))


def fix_headings(tree: Tree) -> None:
    """No heading skips a level: one more than one level below the heading before it is
    moved up (the report's study titles are <h3> in every chapter, so they look the same,
    but two chapters have no <h2> above them; WeasyPrint 70 maps h1-h6 to H1-H6 as they are,
    pdf/tags.py:82-108 `_get_pdf_tag`). Changing the HTML would need a CSS rule for an <h2>
    that looks like the <h3> (the CSS is not this module's to change)."""
    level = 0
    for element in tree.walk():
        s = tree.tag(element)
        if s in HEADINGS:
            wanted = int(s[2])
            if wanted > level + 1:
                wanted = level + 1
                set_tag(element, f"/H{wanted}")
            level = wanted


def fix_languages(tree: Tree, hints: Hints) -> None:
    """Passages the HTML marks with another `lang` get /Lang on their element.

    WeasyPrint 70 writes only the document's /Lang (pdf/__init__.py:270); its structure
    elements never carry one (pdf/tags.py has no /Lang), whatever the HTML's `lang` says.
    Elements are matched to the HTML by their text; an inline element broken over lines (one
    element per line) gets it on each piece.
    """
    if not hints.langs:
        return
    document_lang = str(tree.pdf.Root.get("/Lang", ""))
    wanted = {text: lang for lang, text in hints.langs if lang != document_lang and text}
    if not wanted:
        return
    prefixes = {text[:i] for text in wanted for i in range(1, len(text))}
    for parent in list(tree.walk()):
        kids = tree.elements(parent)
        i = 0
        while i < len(kids):
            # an inline element broken over lines is one element per line (pdf/tags.py)
            run: list[pikepdf.Object] = []
            text = ""
            for kid in kids[i:]:
                if run and tree.tag(kid) != tree.tag(run[0]):
                    break
                text += norm(tree.text(kid))
                run.append(kid)
                if text in wanted or text not in prefixes:
                    break
            lang = wanted.get(text)
            if lang and not _inside_lang(parent, lang) and "/Lang" not in parent:
                for piece in run:
                    piece.Lang = pikepdf.String(lang)
                i += len(run)
            else:
                i += 1


def _inside_lang(element: pikepdf.Object, lang: str) -> bool:
    parent = element.get("/P")
    while is_elem(parent):
        if str(parent.get("/Lang", "")) == lang:
            return True
        parent = parent.get("/P")
    return False


def _rebuild_parent_tree(tree: Tree) -> None:
    """The /ParentTree again from the repaired tree: each page's MCIDs to their element, each
    annotation's /StructParent to its /Link (elements were moved, merged and dropped)."""
    per_page: dict[int, dict[int, pikepdf.Object]] = {}
    annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    for element in tree.walk():
        page = tree.page_of(element)
        for kid in tree.kids(element):
            if isinstance(kid, int) and page is not None:
                per_page.setdefault(page, {})[kid] = element
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = tree.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    per_page.setdefault(mcr_page, {})[int(kid.MCID)] = element
            elif is_objr(kid):
                annotations.append((kid.Obj, element))
    nums: list[int | pikepdf.Object] = []  # key, value, key, value, ...
    for number, pdf_page in enumerate(tree.pdf.pages):
        pdf_page.obj.StructParents = number
        mapping = per_page.get(number, {})
        size = max(mapping, default=-1) + 1
        nums += [number, tree.pdf.make_indirect(pikepdf.Array(
            [mapping.get(i) for i in range(size)]))]
    key = len(tree.pdf.pages)
    for annotation, element in annotations:
        annotation.StructParent = key
        nums += [key, element]
        key += 1
    tree.structure.ParentTree = tree.pdf.make_indirect(
        pikepdf.Dictionary(Nums=pikepdf.Array(nums)))

    tree.structure.ParentTreeNextKey = key
