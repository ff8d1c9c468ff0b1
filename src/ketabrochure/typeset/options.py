"""How to lay a document out and make its PDF: one record, which the typesetting job carries
and the cache keys on, so the two cannot disagree.

Its `cache_key()` covers every field and also what makes the bytes besides the HTML: the
typesetting code itself (every module of this package and every ketabrochure module they
import, found by reading their imports, hashed once per process) and the versions of the
libraries that lay out, write, mend and picture the PDF, as Black's Mode.get_cache_key()
does. Changing any of them makes every cached document a miss, with no format number to bump
by hand. Found from the imports, a module the worker comes to use outside this package (say
pages.PageBudget, which decides the alternative kept) is in the key by construction.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path

from . import print_shop
from .pdf import PDF_VARIANT

# Libraries whose version can change a PDF's or a thumbnail's bytes: the layout and the PDF
# writer, font subsetting, the tag repair, the print shop's colours and the thumbnail.
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "pikepdf", "pillow", "pypdfium2")
DATE_VARIABLE = "SOURCE_DATE_EPOCH"  # typeset.pdf reads it for an unsigned copy's dates


@dataclass(frozen=True)
class PrintOptions:
    bleed: float | None = None  # print-shop BleedBox distance, in points
    duplex: str = "long-edge"  # how to print it on both sides (one page: single-sided)
    office: bool = True  # printed on an office printer: nothing in its unprintable band
    measure_css: str | None = None  # brochures: CSS to lay out again with, to measure panels
    pdf_variant: str = PDF_VARIANT  # pdf/ua-1; the print-shop copy: print_shop.PDF_VARIANT
    least_pt: float | None = None  # the smallest text size allowed (large print: 18 pt)

    def cache_key(self) -> str:
        """A SHA-256 over every field, the typesetting code and its libraries; for the
        print-shop copy also the CMYK profile (a system file no served file records) and
        SOURCE_DATE_EPOCH (the PDF/X dates of a copy nobody has signed)."""
        digest = hashlib.sha256(code_digest().encode())
        for option in fields(self):
            digest.update(f"\0{option.name}={getattr(self, option.name)!r}".encode())
        if self.pdf_variant == print_shop.PDF_VARIANT:
            # the press profile, and the date an unsigned copy is given (pdf._fixed_dates)
            digest.update(f"\0profile={print_shop.profile_digest()}".encode())
            digest.update(f"\0epoch={os.environ.get(DATE_VARIABLE, '')}".encode())
        return digest.hexdigest()


@functools.cache
def code_digest(package: Path = Path(__file__).parent) -> str:
    """The SHA-256 of the typesetting code (this package and what it imports of ketabrochure)
    and of its libraries' versions: computed once per process."""
    digest = hashlib.sha256(files_digest(package.parent, worker_modules(package)).encode())
    for name in LIBRARIES:
        digest.update(f"\0{name} {metadata.version(name)}".encode())
    return digest.hexdigest()


def source_digest(package: Path) -> str:
    """The SHA-256 of every module of a package, each by its path in it and its bytes."""
    return files_digest(package, sorted(package.rglob("*.py")))


def files_digest(root: Path, paths: list[Path]) -> str:
    """The SHA-256 of source files, each by its path under `root` and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def worker_modules(package: Path) -> list[Path]:
    """Every module of `package` and every module of its top-level package (the folder
    above) that they import, directly or through others, with the __init__.py each import
    runs on the way (`from ..files import put_object` runs files/__init__.py and all it
    imports). Imports under `if TYPE_CHECKING:` never run and are left out; a module put off
    with lazy_module("ketabrochure.x") is in."""
    top = package.parent
    todo, seen = sorted(package.rglob("*.py")), set[Path]()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported(path, top):
            todo += module_files(top, name)
    return sorted(seen)


def imported(path: Path, top: Path) -> list[str]:
    """The dotted names (under `top`'s package) a module imports at run time."""
    tree = ast.parse(path.read_bytes(), str(path))
    parts = list(path.relative_to(top.parent).with_suffix("").parts)
    package = parts[:-1]  # what a relative import starts from (for __init__ too)
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test)
                   for statement in node.body for n in ast.walk(statement)}
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from . import pdf` imports submodules; `from .x import y` may too
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "lazy_module" and node.args
              and isinstance(node.args[0], ast.Constant)):
            names.append(str(node.args[0].value))
    return [name for name in names if name.split(".")[0] == top.name]


def module_files(top: Path, name: str) -> list[Path]:
    """The files importing the dotted name runs: each package's __init__.py on the way and
    the module itself (none for a name that is no module: an attribute imported from one)."""
    found, folder = [], top.parent
    for piece in name.split("."):
        folder = folder / piece
        if (folder / "__init__.py").is_file():
            found.append(folder / "__init__.py")
        elif folder.with_suffix(".py").is_file():
            found.append(folder.with_suffix(".py"))
            break
        else:
            break
    return found
