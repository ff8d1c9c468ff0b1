"""Repair the structure tree WeasyPrint 70 writes for PDF/UA-1, and audit structure trees.

`repair(pdf_bytes, html)` post-processes the bytes `Document.write_pdf` returns; `audit(pdf_bytes)`
reads a PDF's structure tree back and lists what is still wrong, so a build can gate on it.

Each `_fix_*` function says which part of WeasyPrint 70 makes it necessary (paths under
`site-packages/weasyprint/`, lines of 70.0), so it can be dropped when WeasyPrint tags that
case itself. What HTML can fix is fixed in the templates instead (the handout glossary as a real
list, alternative text in the document's language, addresses as links). Two things WeasyPrint
does not carry into the PDF are read from the HTML: `lang` on passages and the tri-fold's
`data-reading-order`. This module uses only the standard library and pikepdf; it imports
nothing else from ketabrochure.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from ..lazy import lazy_module

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf")

HEADINGS = tuple(f"/H{i}" for i in range(1, 7))
CONTAINERS = ("/Sect", "/Art", "/Div", "/Part", "/BlockQuote", "/NonStruct", "/Table",
              "/THead", "/TBody", "/TFoot", "/L", "/LBody", "/Document")
BLOCKS = (*HEADINGS, "/P", "/LI", "/TD", "/TH", "/Caption", "/Figure", "/Art", "/Sect")
Problem = tuple[int | None, str, str]  # page number (None: the document), element, problem
Kid: TypeAlias = "int | pikepdf.Object"  # of /K: an MCID, an element, an MCR or OBJR

# Words of link descriptions, by the document's language ("Reference 3: …, page 12").
WORDS = {"en": ("Reference", "page"), "es": ("Referencia", "página")}


# --- reading the PDF ---------------------------------------------------------------------


class Mark:
    """One marked-content sequence with an MCID: where its first glyph sits, and its text
    (decoded when first asked for: most marks are only placed)."""

    __slots__ = ("_parts", "_text", "x", "y")

    def __init__(self, text: str = "", x: float = float("nan"), y: float = float("nan")) -> None:
        self.x, self.y = x, y
        self._parts: list[tuple[dict[int, str], Iterable[pikepdf.Object]]] = []
        self._text: str | None = text or None

    def add(self, font: dict[int, str], shown: Iterable[pikepdf.Object]) -> None:
        """Text shown in this mark: a TJ array, or a Tj string (in a list)."""
        self._parts.append((font, shown))
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            chars = []
            for font, shown in self._parts:
                for item in shown:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        codes = struct.unpack(f">{len(raw) // 2}H", raw[:len(raw) // 2 * 2])
                        chars += [font.get(code, "\ufffd") for code in codes]
            self._text = "".join(chars)
        return self._text


def _cmap(font: pikepdf.Object) -> dict[int, str]:
    """A font's ToUnicode map (WeasyPrint writes 2-byte codes in bfchar/bfrange blocks)."""
    table: dict[int, str] = {}
    if "/ToUnicode" not in font:
        return table
    text = font.ToUnicode.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
                r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(int(dst, 16) + i)
    return table


Matrix = tuple[float, float, float, float, float, float]


def _mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _matrix(operands: Iterable[pikepdf.Object]) -> Matrix:
    """The six operands of `cm` or `Tm` as a matrix."""
    a, b, c, d, e, f = (float(v) for v in operands)
    return (a, b, c, d, e, f)



class _Page:
    """A page's content stream, parsed once: its instructions and its marked content."""

    OPERATORS = "BDC BMC EMC q Q cm Tf Tm TJ Tj ' \""  # all it reads (parsing is faster)

    def __init__(self, page: pikepdf.Page) -> None:
        self.page = page
        self.ops = pikepdf.parse_content_stream(page, self.OPERATORS)
        self.marks: dict[int, Mark] = {}
        self.untagged_text = 0  # text shown outside any marked content
        self.artifacts: dict[int, str] = {}  # MCID -> /Header or /Footer, to rewrite
        fonts: dict[str, dict[int, str]] = {}
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        stack: list[int] = []  # open marked content: its MCID, or -1 for none
        ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        saved: list[Matrix] = []
        font: dict[int, str] = {}
        for instruction in self.ops:
            operands, op = instruction.operands, str(instruction.operator)
            if op == "BDC":
                props = operands[1] if len(operands) > 1 else None
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                stack.append(int(mcid) if mcid is not None else -1)
                if mcid is not None:
                    self.marks[int(mcid)] = Mark()
            elif op == "BMC":
                stack.append(-1)
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op == "q":
                saved.append(ctm)
            elif op == "Q":
                ctm = saved.pop() if saved else ctm
            elif op == "cm":
                ctm = _mul(_matrix(operands), ctm)
            elif op == "Tf":
                name = str(operands[0])
                if name not in fonts:
                    fonts[name] = _cmap(resources.Font[name]) if "/Font" in resources else {}
                font = fonts[name]
            elif op == "Tm" and stack and stack[-1] >= 0:
                mark = self.marks[stack[-1]]
                if mark.x != mark.x:  # not placed yet: the first glyph's origin
                    tm = _mul(_matrix(operands), ctm)
                    mark.x, mark.y = tm[4], tm[5]
            elif op in ("TJ", "Tj", "'", '"'):
                if not stack:
                    self.untagged_text += 1
                    continue
                current = next((m for m in reversed(stack) if m >= 0), None)
                if current is None:
                    continue
                self.marks[current].add(font, operands[0] if op == "TJ" else [operands[-1]])

    def save(self, pdf: pikepdf.Pdf) -> None:
        """Write the artifacts into the content stream: each `/Span <</MCID n>> BDC` that
        WeasyPrint wrote for them becomes `/Artifact <</Type /Pagination …>> BDC` (a byte
        substitution: everything else stays as it was)."""
        if not self.artifacts:
            return

        def artifact(match: re.Match[bytes]) -> bytes:
            kind = self.artifacts.get(int(match[2]))
            if kind is None:
                return match[0]

            return b"/Artifact <</Type /Pagination /Subtype " + kind.encode() + b">> BDC"
        contents = self.page.obj.Contents
        data = (b"\n".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array)
                else contents.read_bytes())
        data, count = _MCID_BDC.subn(artifact, data)
        assert count >= len(self.artifacts)
        self.page.obj.Contents = pdf.make_stream(data)


_MCID_BDC = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


class _Tree:
    """The structure tree of an open PDF, with page lookups and text per element."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.get("/StructTreeRoot")
        self.index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self._pages: dict[int, _Page] = {}
        self._blocks: dict[int, list[tuple[pikepdf.Object, Mark]]] | None = None

    def page(self, number: int) -> _Page:
        if number not in self._pages:
            self._pages[number] = _Page(self.pdf.pages[number])
        return self._pages[number]

    def blocks(self) -> dict[int, list[tuple[pikepdf.Object, Mark]]]:
        """Per page, each block element (in tree order) that starts there, with its first mark."""
        if self._blocks is None:
            self._blocks = {}
            for element in self.walk():
                if _s(element) not in BLOCKS:
                    continue
                for page, mcid in self._content_skipping(element, ("/Lbl",)):  # not a marker
                    mark = self.page(page).marks.get(mcid) if page >= 0 else None
                    if mark is not None and mark.x == mark.x:  # text, placed (not an image)
                        self._blocks.setdefault(page, []).append((element, mark))
                        break
        return self._blocks

    def page_of(self, element: pikepdf.Object) -> int | None:
        page = element.get("/Pg")
        return self.index.get(page.objgen) if page is not None else None

    @property
    def document(self) -> pikepdf.Object | None:
        if self.root is None:
            return None
        kids = _kids(self.root)
        return kids[0] if kids and _is_elem(kids[0]) else None

    @property
    def structure(self) -> pikepdf.Object:
        """The StructTreeRoot, for code that runs once `document` was found (repair, audit)."""
        if self.root is None:
            raise ValueError("the PDF has no structure tree")
        return self.root

    @property
    def top(self) -> pikepdf.Object:
        """The /Document element, for code that runs once `document` was found."""
        document = self.document
        if document is None:
            raise ValueError("the PDF's structure tree has no /Document element")
        return document

    def walk(self, element: pikepdf.Object | None = None) -> Iterator[pikepdf.Object]:
        """Every structure element reachable from the root, in tree (reading) order."""
        stack = [element if element is not None else self.root]
        while stack:
            current = stack.pop()
            if current is None:
                continue
            if _is_elem(current):
                yield current
            stack.extend(reversed([k for k in _kids(current) if _is_elem(k)]))

    def content(self, element: pikepdf.Object) -> Iterator[tuple[int, int]]:
        """(page, MCID) of every marked-content kid under the element, in order."""
        page = self.page_of(element)
        for kid in _kids(element):
            if isinstance(kid, int):
                if page is not None:
                    yield page, kid
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = self.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    yield mcr_page, int(kid.MCID)
            elif _is_elem(kid):
                yield from self.content(kid)

    def marks(self, element: pikepdf.Object, skip: tuple[str, ...] = ()) -> list[Mark]:
        found = []
        for elem_page, mcid in self._content_skipping(element, skip):
            if elem_page < 0:
                found.append(Mark(" ", float("nan"), float("nan")))
                continue
            mark = self.page(elem_page).marks.get(mcid)
            if mark is not None:
                found.append(mark)
        return found

    def _content_skipping(self, element: pikepdf.Object, skip: tuple[str, ...]
                          ) -> Iterator[tuple[int, int]]:
        page = self.page_of(element)
        for kid in _kids(element):
            if _is_elem(kid):
                if str(kid.get("/S")) not in skip:
                    yield from self._content_skipping(kid, skip)
                else:
                    yield -1, -1  # a word boundary where the skipped element was
            elif isinstance(kid, int) and page is not None:
                yield page, kid
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = self.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    yield mcr_page, int(kid.MCID)


    def text(self, element: pikepdf.Object, skip: tuple[str, ...] = ()) -> str:
        """The element's text, a space between lines, whitespace collapsed."""
        out = ""
        last: Mark | None = None
        for mark in self.marks(element, skip):
            if last is not None and abs(mark.y - last.y) > 0.5 and not out.endswith(" "):
                out += " "
            out += mark.text
            last = mark
        return " ".join(out.split())


def _kids(element: pikepdf.Object) -> list[Kid]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _set_kids(element: pikepdf.Object, kids: list[Kid]) -> None:
    element.K = pikepdf.Array(kids)


def _is_elem(obj: object) -> TypeGuard[pikepdf.Dictionary]:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj  # MCR and OBJR dicts have no /S


def _s(element: pikepdf.Object) -> str:
    return str(element.get("/S"))


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


# --- repairing -----------------------------------------------------------------------------


def repair(data: bytes, html: str = "") -> bytes:
    """The PDF with its structure tree repaired (see the `_fix_*` functions); `html` is the
    HTML it was typeset from ("" for documents combined from parts: hints from it are skipped).
    A PDF without a structure tree is returned as it is."""
    pdf = pikepdf.open(io.BytesIO(data))
    tree = _Tree(pdf)
    if tree.document is None:
        return data
    hints = _Hints.parse(html) if html else _Hints()
    _fix_margins(tree)
    reordered = _fix_reading_order(tree, hints)
    _fix_page_splits(tree)
    _fix_tables(tree)
    _fix_headings(tree)
    _fix_links(tree)
    _fix_languages(tree, hints)
    if reordered:
        _fix_outlines(tree)
    _rebuild_parent_tree(tree)
    for page in tree._pages.values():
        page.save(pdf)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _reachable(tree: _Tree) -> set[tuple[int, int]]:
    return {element.objgen for element in tree.walk()}


def _fix_margins(tree: _Tree) -> None:
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
    a reader still reaches it; its repeats on later pages are artifacts.
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
            if not _is_elem(element) or element.objgen in reachable:
                continue
            top: pikepdf.Object = element
            while "/P" in top and top.P.objgen != document.objgen and _is_elem(top.P):
                top = top.P
            groups.setdefault(top.objgen, (int(key), top, []))[2].append(mcid)

    kept = False
    artifacts: dict[int, dict[int, str]] = {}
    for page, top, mcids in sorted(groups.values(), key=lambda g: (g[0], g[2][0])):
        paragraphs = any(_s(e) == "/P" for e in tree.walk(top))
        if paragraphs and not kept:
            kept = True
            top.S = pikepdf.Name("/Div")
            top.P = document
            _set_kids(document, [*_kids(document), top])
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


def _make_artifacts(page: _Page, kinds: dict[int, str]) -> None:
    """Turn the marked content with these MCIDs into pagination artifacts (when saved)."""
    for mcid, kind in kinds.items():
        if page.marks.pop(mcid, None) is not None:
            page.artifacts[mcid] = kind


def _fix_reading_order(tree: _Tree, hints: _Hints) -> bool:
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
    candidates = [e for e in tree.walk() if _s(e) in CONTAINERS]
    texts = {e.objgen: _norm(tree.text(e, skip=("/Lbl",))) for e in candidates}
    for _, text in sorted(hints.order):
        match = next((e for e in candidates if texts[e.objgen] == text
                      and all(e.objgen != f.objgen for f in found)), None)
        if match is None:
            return False  # the HTML and the PDF disagree: leave the order alone
        found.append(match)
    first_page_parent = min(found, key=lambda e: _order_index(tree, e)).P
    at = next(i for i, k in enumerate(_kids(first_page_parent))
              if any(_is_elem(k) and k.objgen == f.objgen for f in found))
    for element in found:
        parent = element.P
        _set_kids(parent, [k for k in _kids(parent)
                           if not (_is_elem(k) and k.objgen == element.objgen)])
    kids = _kids(first_page_parent)
    _set_kids(first_page_parent, kids[:at] + found + kids[at:])
    for element in found:
        element.P = first_page_parent
    _drop_empty(tree)
    return True


def _order_index(tree: _Tree, element: pikepdf.Object) -> int:
    for i, e in enumerate(tree.walk()):
        if e.objgen == element.objgen:
            return i
    return -1


def _drop_empty(tree: _Tree) -> None:
    """Remove structure elements left without kids (after moves and merges)."""
    changed = True
    while changed:
        changed = False
        for element in list(tree.walk()):
            if not _kids(element) and _s(element) != "/Document" and "/P" in element:
                parent = element.P
                _set_kids(parent, [k for k in _kids(parent)
                                   if not (_is_elem(k) and k.objgen == element.objgen)])
                changed = True


def _fix_page_splits(tree: _Tree) -> None:
    """An element split across pages becomes one element again.

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
    kids = _kids(document)
    merged = [kids[0]] if kids else []
    for kid in kids[1:]:
        previous = merged[-1]
        if (_is_elem(previous) and _is_elem(kid) and _page_after(tree, previous, kid)
                and _continues(tree, previous, kid)):
            _merge(tree, previous, kid)
        else:
            merged.append(kid)
    _set_kids(document, merged)


def _page_after(tree: _Tree, a: pikepdf.Object, b: pikepdf.Object) -> bool:
    pa, pb = _edge_page(tree, a, last=True), _edge_page(tree, b, last=False)
    return pa is not None and pb is not None and pb == pa + 1


def _edge_page(tree: _Tree, element: pikepdf.Object, last: bool) -> int | None:
    """The page of the element's first (or last) marked content, else of the element."""
    kids = _kids(element)
    for kid in reversed(kids) if last else kids:
        if isinstance(kid, int):
            return tree.page_of(element)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and "/Pg" in kid:
            return tree.index.get(kid.Pg.objgen)
        if _is_elem(kid):
            page = _edge_page(tree, kid, last)
            if page is not None:
                return page
    return tree.page_of(element)


def _continues(tree: _Tree, a: pikepdf.Object, b: pikepdf.Object) -> bool:
    s = _s(a)
    if s != _s(b):
        return False
    first = next((k for k in _kids(b) if _is_elem(k)), None)
    if s in ("/Sect", "/Art", "/Div", "/Part", "/BlockQuote", "/NonStruct", "/L", "/Table",
             "/TBody", "/TFoot", "/LBody", "/THead"):
        if first is None or _s(first) not in HEADINGS:
            return True
        own = next((k for k in _kids(a) if _is_elem(k) and _s(k) in HEADINGS), None)
        return own is not None and int(_s(first)[2]) > int(_s(own)[2])
    if s == "/TR":
        cells = [k for k in _kids(b) if _is_elem(k)]
        return bool(cells) and not any(True for _ in tree.content(cells[0]))
    if s == "/LI":
        return _labelled(a) and not _labelled(b)
    if s == "/P":
        marks = tree.marks(a)
        return bool(marks) and not marks[-1].text.rstrip().endswith(
            (".", "!", "?", ":", ";", "”", '"', ")"))
    return False


def _labelled(item: pikepdf.Object) -> bool:
    first = next((k for k in _kids(item) if _is_elem(k)), None)
    return first is not None and _s(first) == "/Lbl"


def _merge(tree: _Tree, a: pikepdf.Object, b: pikepdf.Object) -> None:
    """Append b's kids to a (b continues a on the next page), then merge at the seam."""
    b_page = b.get("/Pg")
    if _s(a) == "/Table":
        _drop_repeated_header(tree, a, b)
    a_kids = _kids(a)
    seam = next((k for k in reversed(a_kids) if _is_elem(k)), None)
    moved: list[Kid] = []
    for kid in _kids(b):
        if isinstance(kid, int):
            kid = pikepdf.Dictionary(Type=pikepdf.Name("/MCR"), Pg=b_page, MCID=kid)
        elif (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"
              and "/Pg" not in kid):
            kid.Pg = b_page
        elif _is_elem(kid):
            kid.P = a
        moved.append(kid)
    if _s(a) == "/TR":
        cells_a = [k for k in a_kids if _is_elem(k)]
        cells_b = [k for k in moved if _is_elem(k)]
        for cell_a, cell_b in zip(cells_a, cells_b, strict=False):
            _merge(tree, cell_a, cell_b)
        _set_kids(a, [*a_kids, *(k for k in moved if not _is_elem(k)), *cells_b[len(cells_a):]])
        return
    first = next((k for k in moved if _is_elem(k)), None)
    if seam is not None and first is not None and _continues(tree, seam, first):
        rest = list(moved)
        rest.remove(first)
        _set_kids(a, [*a_kids, *rest])
        _merge(tree, seam, first)
    else:
        _set_kids(a, [*a_kids, *moved])



def _drop_repeated_header(tree: _Tree, a: pikepdf.Object, b: pikepdf.Object) -> None:
    """b's THead repeats a's (WeasyPrint repeats <thead> on each page): make it an artifact
    and point b's cells at a's header cells."""
    head_a = next((k for k in _kids(a) if _is_elem(k) and _s(k) == "/THead"), None)
    head_b = next((k for k in _kids(b) if _is_elem(k) and _s(k) == "/THead"), None)
    if head_a is None or head_b is None:
        return
    ids_a = [str(e.ID) for e in tree.walk(head_a) if _s(e) == "/TH" and "/ID" in e]
    ids_b = [str(e.ID) for e in tree.walk(head_b) if _s(e) == "/TH" and "/ID" in e]
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
    _set_kids(b, [k for k in _kids(b) if not (_is_elem(k) and k.objgen == head_b.objgen)])


def _fix_tables(tree: _Tree) -> None:
    """Header cells get /Scope, and the /Headers of data cells resolve through an /IDTree.

    WeasyPrint 70 (pdf/tags.py:320-359, end of `_build_box_tree`) gives each <th> an /ID and
    each <td> the /Headers that name them, but writes no /IDTree in the StructTreeRoot (so the
    names resolve to nothing) and reads the HTML `scope` only to pick row headers (line 336),
    never writing /Scope: a <th> in <thead> (or in a row of
    header cells) gets /Scope /Column, one that starts a body row gets /Scope /Row.
    """
    ids: dict[str, pikepdf.Object] = {}
    for element in tree.walk():
        if _s(element) != "/TH":
            continue
        row = element.P
        cells = [k for k in _kids(row) if _is_elem(k)]
        in_head = _s(row.P) == "/THead" if "/P" in row else False
        all_headers = all(_s(c) == "/TH" for c in cells)
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


def _fix_headings(tree: _Tree) -> None:
    """No heading skips a level: one more than one level below the heading before it is
    moved up (the report's study titles are <h3> in every chapter, so they look the same,
    but two chapters have no <h2> above them; WeasyPrint 70 maps h1-h6 to H1-H6 as they are,
    pdf/tags.py:82-108 `_get_pdf_tag`). Changing the HTML would need a CSS rule for an <h2>
    that looks like the <h3> (the CSS is not this module's to change)."""
    level = 0
    for element in tree.walk():
        s = _s(element)
        if s in HEADINGS:
            wanted = int(s[2])
            if wanted > level + 1:
                wanted = level + 1
                element.S = pikepdf.Name(f"/H{wanted}")
            level = wanted


def _fix_links(tree: _Tree) -> None:
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
        if _s(element) != "/Link" or "/P" not in element:
            continue
        ancestor: pikepdf.Object | None = element.P
        outer = True
        while _is_elem(ancestor):
            if _s(ancestor) == "/Link":
                outer = False
                break
            ancestor = ancestor.get("/P")
        if not outer:
            continue
        _flatten_link(element)

    for element in list(tree.walk()):  # annotations under a non-Link element
        if _s(element) != "/Link" and any(_is_objr(k) for k in _kids(element)):
            element.S = pikepdf.Name("/Link")
    for element in tree.walk():
        if _s(element) != "/Link":
            continue
        annotations = [k.Obj for k in _kids(element) if _is_objr(k)]
        if not annotations:
            continue
        description = _describe(tree, element, annotations[0], dests)
        element.Alt = pikepdf.String(description)
        for annotation in annotations:
            annotation.Contents = pikepdf.String(description)
            annotation.F = 4


def _is_objr(kid: object) -> TypeGuard[pikepdf.Dictionary]:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"


def _flatten_link(link: pikepdf.Object) -> None:
    """Move the content of elements nested in a /Link (spans, inner links) into it."""
    page = link.get("/Pg")
    flat: list[Kid] = []

    def collect(element: pikepdf.Object, own_page: pikepdf.Object | None) -> None:
        for kid in _kids(element):
            if _is_elem(kid):
                collect(kid, kid.get("/Pg", own_page))
            elif isinstance(kid, int):
                same = own_page is None or (page is not None and own_page.objgen == page.objgen)
                flat.append(kid if same else pikepdf.Dictionary(
                    Type=pikepdf.Name("/MCR"), Pg=own_page, MCID=kid))
            else:
                flat.append(kid)
    collect(link, page)
    _set_kids(link, flat)


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


def _describe(tree: _Tree, link: pikepdf.Object, annotation: pikepdf.Object,
              dests: dict[str, tuple[int, float, float]]) -> str:
    text = tree.text(link)
    action = annotation.get("/A")
    if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
        uri = str(action.URI)
        if uri.startswith("mailto:"):
            return uri[len("mailto:"):]
        if not text or _norm(text) in _norm(uri):
            return uri
        if _norm(re.sub(r"^[a-z]+:", "", text)) in _norm(uri):
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
    label = next((tree.text(k) for k in _kids(block) if _is_elem(k) and _s(k) == "/Lbl"), "")
    body = tree.text(block, skip=("/Lbl",))
    numbered = re.match(r"(\d+)[.)]\s*(\S.*)", body)  # "3. Anand A, …", or "3." as marker
    number = numbered[1] if numbered else "".join(re.findall(r"\d", label))
    rest = numbered[2] if numbered else body
    if _s(block) == "/LI" and number:
        author = re.match(r"([A-Z][\w'’-]+)[ ,]", rest)  # "Anand A, ..." -> Anand
        year = re.search(r"\b(19|20)\d\d\b", rest)
        if author and year:
            return f"{reference_word} {number}: {author[1]} {year[0]}"
        return f"{reference_word} {number}: {' '.join(rest.split()[:6]).rstrip('.,;:')}"
    return f"{target_text[:80].rstrip()}, {page_word} {page + 1}"


def _element_at(tree: _Tree, page: int, x: float, y: float) -> pikepdf.Object | None:
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
    while best is not None and _s(best) == "/LBody":
        best = best.P
    return best


def _fix_languages(tree: _Tree, hints: _Hints) -> None:
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
        kids = [k for k in _kids(parent) if _is_elem(k)]
        i = 0
        while i < len(kids):
            # an inline element broken over lines is one element per line (pdf/tags.py)
            run: list[pikepdf.Object] = []
            text = ""
            for kid in kids[i:]:
                if run and _s(kid) != _s(run[0]):
                    break
                text += _norm(tree.text(kid))
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
    while _is_elem(parent):
        if str(parent.get("/Lang", "")) == lang:
            return True
        parent = parent.get("/P")
    return False


def _fix_outlines(tree: _Tree) -> None:
    """Bookmarks follow the structure tree's order after `_fix_reading_order`, nested by
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
        if _s(element) in HEADINGS:
            headings.setdefault(_norm(tree.text(element)), []).append((i, int(_s(element)[2])))
    flat: list[tuple[int, int, int, pikepdf.Object]] = []
    used: dict[str, int] = {}

    def gather(parent: pikepdf.Object) -> bool:
        item = parent.get("/First")
        while item is not None:
            title = _norm(str(item.get("/Title", "")))
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


def _rebuild_parent_tree(tree: _Tree) -> None:
    """The /ParentTree again from the repaired tree: each page's MCIDs to their element, each
    annotation's /StructParent to its /Link (elements were moved, merged and dropped)."""
    per_page: dict[int, dict[int, pikepdf.Object]] = {}
    annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    for element in tree.walk():
        page = tree.page_of(element)
        for kid in _kids(element):
            if isinstance(kid, int) and page is not None:
                per_page.setdefault(page, {})[kid] = element
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = tree.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    per_page.setdefault(mcr_page, {})[int(kid.MCID)] = element
            elif _is_objr(kid):
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


# --- hints from the HTML -------------------------------------------------------------------


class _Hints(HTMLParser):
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
    def parse(cls, html: str) -> _Hints:
        hints = cls()
        if "lang=" in html or "data-reading-order" in html:
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
            joined = _norm("".join(text))
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


# --- auditing ------------------------------------------------------------------------------


def audit(data: bytes) -> list[Problem]:
    """Breaches of the structure rules this module repairs, as (page number or None, element,
    problem): marked content neither reachable from the structure tree nor an artifact, list
    items outside a list and lists with other kids, header cells without /Scope, /Headers
    that no /IDTree resolves, heading levels skipped, a first heading that is not H1, links
    without a /Link element or a description, a document without /Lang."""
    pdf = pikepdf.open(io.BytesIO(data))
    tree = _Tree(pdf)
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
    id_tree = _id_tree_names(tree.structure)
    level = 0
    annotations_in_links: set[tuple[int, int]] = set()
    for element in tree.walk():
        s = _s(element)
        for page, mcid in tree.content(element):
            reached.setdefault(page, set()).add(mcid)
        parent = element.get("/P")
        if s == "/LI" and (not _is_elem(parent) or _s(parent) != "/L"):
            inside = _s(parent) if _is_elem(parent) else "no element"
            problems.append((where(element), "LI", f"list item inside {inside}, not L"))
        if s == "/L":
            problems.extend((where(kid), _s(kid)[1:], "child of a list that is no LI")
                            for kid in _kids(element)
                            if _is_elem(kid) and _s(kid) not in ("/LI", "/L", "/Caption"))
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
        objrs = [k for k in _kids(element) if _is_objr(k)]
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


def _id_tree_names(root: pikepdf.Object) -> set[str]:
    names: set[str] = set()
    node = root.get("/IDTree")
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.get("/Kids", []))
        entries = node.get("/Names", pikepdf.Array())
        names.update(str(entries[i]) for i in range(0, len(entries), 2))
    return names
