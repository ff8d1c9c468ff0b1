"""What a `build --shard K/N` run records in out/shard.json, for `join`: which share it is,
the key of everything its documents were made from (content, layouts, assets, this package's
code, the libraries, SOURCE_DATE_EPOCH), and each document it made (the SHA-256 of its PDF and
thumbnail, as its render cache holds them). Reading a record back checks every field."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..diagnostics import Diagnostics, Location
from ..files import beneath
from ..typeset import print_shop
from .engine import Built
from .inputs import folder_digest
from .outputs import SHARD_RECORD

RECORD = SHARD_RECORD  # out/shard.json
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent.parent
PARTS = ("content", "layouts", "assets", "code", "libraries", "options")
MAX_RECORD = 1_000_000  # bytes: a larger record is not one this code wrote
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.pdf$")  # a PDF in out/ itself, no path


def _libraries() -> str:
    """Python, zlib (it compresses the PDFs), every library the package requires, at the
    versions installed, and the system's CMYK profile the print-shop copies embed."""
    try:
        required = metadata.requires("ketabrochure") or []
    except metadata.PackageNotFoundError:  # run from a source tree, not installed
        required = []
    names = sorted(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
                   for requirement in required if "extra ==" not in requirement)
    versions = [f"{name} {_version(name)}" for name in names]
    return _text_digest(sys.version, zlib.ZLIB_RUNTIME_VERSION, *versions,
                        f"profile {print_shop.profile_digest()}")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def _text_digest(*texts: str) -> str:
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()


def inputs(root: Path) -> dict[str, str]:
    """The key of everything a build's bytes are made from, part by part (so that a refusal
    can say which part differs)."""
    return {"content": folder_digest(root / "content"),
            "layouts": folder_digest(root / "layouts"),
            "assets": folder_digest(root / "assets"),
            "code": folder_digest(PACKAGE),
            "libraries": _libraries(),
            # the print-shop copies' dates when unsigned (typeset/pdf.py); the day itself is
            # not here: what it changes in a document's HTML is in its cache key, checked then
            "options": _text_digest("SOURCE_DATE_EPOCH "
                                    + os.environ.get("SOURCE_DATE_EPOCH", ""))}


def record(root: Path, share: tuple[int, int], built: list[Built]) -> bytes:
    """out/shard.json of a complete shard build."""
    data = {"format": FORMAT, "shard": f"{share[0]}/{share[1]}", "inputs": inputs(root),
            "documents": {b.document.file: {"pdf": b.sha256,
                                            "thumb": b.thumb.stem if b.thumb else None}
                          for b in sorted(built, key=lambda b: b.document.file)}}
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class Record:
    """One shard's record, read back and checked."""

    folder: Path  # the shard's out/ folder
    shown: str  # that folder as the command line named it
    k: int
    n: int
    inputs: dict[str, str]
    documents: dict[str, tuple[str, str | None]]  # file -> (PDF's SHA-256, thumbnail's)

    @property
    def location(self) -> Location:
        return location(self.shown)


def location(shown: str) -> Location:
    return Location(f"{shown.rstrip('/') or '/'}/{RECORD}")


def read(folder: Path, shown: str, diags: Diagnostics) -> Record | None:
    """The record in a shard's out/ folder, or None with one located error saying why."""
    try:
        raw = beneath.read(folder, RECORD, MAX_RECORD)  # no link followed
    except OSError as exc:
        diags.error(location(shown), "join.record", shown,
                    f"no readable {RECORD} ({exc.strerror or exc}): not the out/ of a complete "
                    "`ketabrochure build --shard K/N` (a shard build that names documents, or "
                    "fails, records nothing), or its upload left it out")
        return None
    try:
        data = json.loads(raw)
        found = _fields(data)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        found = None
    if found is None:
        diags.error(location(shown), "join.record", shown,
                    f"{RECORD} is not a shard record this version of ketabrochure writes "
                    "(edited, damaged, or from another version): build the shard again")
        return None
    (k, n), documents = found
    return Record(folder, shown, k, n, dict(data["inputs"]), documents)


def _fields(data: object) -> tuple[tuple[int, int], dict[str, tuple[str, str | None]]] | None:
    """(K, N) and the documents, if every field has its shape; else None."""
    if not isinstance(data, dict) or set(data) != {"format", "shard", "inputs", "documents"}:
        return None
    k, _, n = str(data["shard"]).partition("/")
    inputs, documents = data["inputs"], data["documents"]
    if not (data["format"] == FORMAT and k.isascii() and k.isdigit() and n.isascii()
            and n.isdigit() and 1 <= int(k) <= int(n) <= 10_000
            and isinstance(inputs, dict) and set(inputs) == set(PARTS)
            and all(isinstance(v, str) and SHA256_RE.match(v) for v in inputs.values())
            and isinstance(documents, dict)):
        return None
    found: dict[str, tuple[str, str | None]] = {}
    for file, made in documents.items():
        pdf, thumb = made["pdf"], made["thumb"]
        if not (FILE_RE.match(file) and set(made) == {"pdf", "thumb"}
                and isinstance(pdf, str) and SHA256_RE.match(pdf)
                and (thumb is None or (isinstance(thumb, str) and SHA256_RE.match(thumb)))):
            return None
        found[file] = (pdf, thumb)
    return (int(k), int(n)), found
