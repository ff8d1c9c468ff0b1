"""Reading a tagged PDF: its pages' marked content (where each mark sits, its text) and its
structure tree (elements, their kids, pages and text), for the repairs and the audit."""

from __future__ import annotations

import re
import sys
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import TYPE_CHECKING, TypeAlias, TypeGuard, TypeVar

from ...lazy import lazy_module

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a build that writes a PDF needs it
    pikepdf = lazy_module("pikepdf", keep=True)

HEADINGS = tuple(f"/H{i}" for i in range(1, 7))
CONTAINERS = ("/Sect", "/Art", "/Div", "/Part", "/BlockQuote", "/NonStruct", "/Table",
              "/THead", "/TBody", "/TFoot", "/L", "/LBody", "/Document")
BLOCKS = (*HEADINGS, "/P", "/LI", "/TD", "/TH", "/Caption", "/Figure", "/Art", "/Sect")
Kid: TypeAlias = "int | pikepdf.Object"  # of /K: an MCID, an element, an MCR or OBJR
T = TypeVar("T")


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
            chars: list[str] = []
            for font, shown in self._parts:
                # WeasyPrint shows each glyph as its own string in a TJ array, between kerning
                # numbers (ints and Decimals here): the strings joined, then decoded at once
                chunks = [bytes(item) for item in shown
                          if type(item) is pikepdf.Object and isinstance(item, pikepdf.String)]
                if any(len(chunk) % 2 for chunk in chunks):
                    chunks = [chunk[:len(chunk) // 2 * 2] for chunk in chunks]
                codes = array("H", b"".join(chunks))  # 2-byte big-endian codes
                if sys.byteorder == "little":
                    codes.byteswap()
                chars += map(font.get, codes, repeat("\ufffd"))
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



class Page:
    """A page's content stream, parsed once: its instructions and its marked content."""

    OPERATORS = "BDC BMC EMC q Q cm Tf Tm TJ Tj ' \""  # all it reads (parsing is faster)
    MARKS = "BDC BMC EMC TJ Tj ' \""  # enough for which MCIDs it has and untagged text

    def __init__(self, page: pikepdf.Page, placed: bool = True) -> None:
        """`placed`: also where each mark sits and its text (the repairs); else only which
        marks there are (the audit: the page's other instructions are not looked at)."""
        self.page = page
        # (not kept: a long document's parsed instructions, every page's at once until the
        # repair ends, were the largest thing its worker held, the report's 25 MB)
        ops = pikepdf.parse_content_stream(page, self.OPERATORS if placed else self.MARKS)
        self.marks: dict[int, Mark] = {}
        self.untagged_text = 0  # text shown outside any marked content
        self.artifacts: dict[int, str] = {}  # MCID -> /Header or /Footer, to rewrite
        fonts: dict[str, dict[int, str]] = {}
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        stack: list[int] = []  # open marked content: its MCID, or -1 for none
        ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        saved: list[Matrix] = []
        font: dict[int, str] = {}
        for instruction in ops:
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
                if not placed:  # (its text is not asked for)
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


class Tree:
    """The structure tree of an open PDF, with page lookups and text per element."""

    def __init__(self, pdf: pikepdf.Pdf, placed: bool = True) -> None:
        self.pdf = pdf
        self.placed = placed  # read where marks sit and their text (Page)
        self.root = pdf.Root.get("/StructTreeRoot")
        self.index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self._pages: dict[int, Page] = {}
        self._blocks: dict[int, list[tuple[pikepdf.Object, Mark]]] | None = None
        self._walked: list[pikepdf.Object] | None = None  # until a /K changes
        # per element (objgen): its /K as a list, its kid elements, its tag, its marked content
        # per `skip`, kept until `set_kids` or `set_tag` changes what they were read from (the
        # repairs and the audit ask about 300 000 times over a build's 54 PDFs, mostly again)
        self._kids: dict[tuple[int, int], list[Kid]] = {}
        self._elements: dict[tuple[int, int], list[pikepdf.Dictionary]] = {}
        self._tags: dict[tuple[int, int], str] = {}
        self._content: dict[tuple[tuple[int, int], tuple[str, ...]], list[tuple[int, int]]] = {}
        _TREES.add(self)

    def page(self, number: int) -> Page:
        if number not in self._pages:
            self._pages[number] = Page(self.pdf.pages[number], self.placed)
        return self._pages[number]

    def blocks(self) -> dict[int, list[tuple[pikepdf.Object, Mark]]]:
        """Per page, each block element (in tree order) that starts there, with its first mark."""
        if self._blocks is None:
            self._blocks = {}
            for element in self.walk():
                if tag_of(element) not in BLOCKS:
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
        kids = kids_of(self.root)
        return kids[0] if kids and is_elem(kids[0]) else None

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

    def forget(self, objgen: tuple[int, int], tag: bool) -> None:
        """What was kept of an element whose /K (or, `tag`, whose /S) changed, all kept
        content (an ancestor's content holds the element's) and, for a /K, the tree's walk."""
        if tag:
            self._tags.pop(objgen, None)
        else:
            self._kids.pop(objgen, None)
            self._elements.pop(objgen, None)
            self._walked = None
        self._content.clear()

    def kids(self, element: pikepdf.Object) -> list[Kid]:
        """`kids_of(element)`, kept (do not change the list returned)."""
        return _kept(self._kids, element, kids_of)

    def elements(self, element: pikepdf.Object) -> list[pikepdf.Dictionary]:
        """The kids that are structure elements (not MCIDs, MCRs or OBJRs), kept likewise."""
        return _kept(self._elements, element,
                     lambda e: [k for k in self.kids(e) if is_elem(k)])

    def tag(self, element: pikepdf.Object) -> str:
        """`tag_of(element)`, kept likewise."""
        return _kept(self._tags, element, tag_of)

    def walk(self, element: pikepdf.Object | None = None) -> Iterator[pikepdf.Object]:
        """Every structure element reachable from the root (or `element`), in tree (reading)
        order. The whole tree's walk is kept until a /K changes (`set_kids`): the repairs walk
        it about ten times, most of them with no /K changed in between."""
        if element is not None:
            return self._walk(element)
        if self._walked is None:
            self._walked = list(self._walk(self.root))
        return iter(self._walked)

    def _walk(self, top: pikepdf.Object | None) -> Iterator[pikepdf.Object]:
        stack = [top]
        while stack:
            current = stack.pop()
            if current is None:
                continue
            if current is not top or is_elem(current):  # (the rest are kid elements)
                yield current
            stack.extend(reversed(self.elements(current)))

    def content(self, element: pikepdf.Object, deep: bool = True) -> Iterator[tuple[int, int]]:
        """(page, MCID) of every marked-content kid under the element, in order; not `deep`:
        only its own (a walk over every element then sees each once, not once per level)."""
        page = self.page_of(element)
        for kid in self.kids(element):
            if isinstance(kid, int):
                if page is not None:
                    yield page, kid
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = self.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    yield mcr_page, int(kid.MCID)
            elif deep and is_elem(kid):
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
                          ) -> list[tuple[int, int]]:
        """(page, MCID) of the marked content under the element, in order, (-1, -1) where
        an element tagged as in `skip` is; kept per element (a parent's is its kids' joined,
        so asking for every element's text is not one walk per level)."""
        key = (element.objgen, skip)
        kept = self._content.get(key)
        if kept is not None:
            return kept
        found: list[tuple[int, int]] = []
        page = self.page_of(element)
        for kid in self.kids(element):
            if isinstance(kid, int):
                if page is not None:
                    found.append((page, kid))
            elif is_elem(kid):
                if self.tag(kid) not in skip:
                    found += self._content_skipping(kid, skip)
                else:
                    found.append((-1, -1))  # a word boundary where the skipped element was
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = self.index.get(kid.Pg.objgen) if "/Pg" in kid else page
                if mcr_page is not None:
                    found.append((mcr_page, int(kid.MCID)))
        if key[0] != (0, 0):
            self._content[key] = found
        return found

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


def _kept(store: dict[tuple[int, int], T], element: pikepdf.Object,
          read: Callable[[pikepdf.Object], T]) -> T:
    """What `read` finds of an element, kept in `store` by the element's object number (a
    direct object has none to keep it by: read each time)."""
    objgen = element.objgen
    value = store.get(objgen)
    if value is None:
        value = read(element)
        if objgen != (0, 0):
            store[objgen] = value
    return value


def kids_of(element: pikepdf.Object) -> list[Kid]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


_TREES: weakref.WeakSet[Tree] = weakref.WeakSet()  # the open trees, told of every change


def set_kids(element: pikepdf.Object, kids: list[Kid]) -> None:
    """Every change of a /K goes through here (a kept `Tree.walk` relies on it)."""
    element.K = pikepdf.Array(kids)
    for tree in list(_TREES):
        tree.forget(element.objgen, tag=False)


def set_tag(element: pikepdf.Object, tag: str) -> None:
    """Every change of an /S goes through here (`Tree.tag` and the content kept per `skip`
    rely on it)."""
    element.S = pikepdf.Name(tag)
    for tree in list(_TREES):
        tree.forget(element.objgen, tag=True)


def is_elem(obj: object) -> TypeGuard[pikepdf.Dictionary]:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj  # MCR and OBJR dicts have no /S


def tag_of(element: pikepdf.Object) -> str:
    return str(element.get("/S"))


def norm(text: str) -> str:
    return "".join(text.split()).casefold()


def is_objr(kid: object) -> TypeGuard[pikepdf.Dictionary]:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"


def id_tree_names(root: pikepdf.Object) -> set[str]:
    names: set[str] = set()
    node = root.get("/IDTree")
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.get("/Kids", []))
        entries = node.get("/Names", pikepdf.Array())
        names.update(str(entries[i]) for i in range(0, len(entries), 2))
    return names
