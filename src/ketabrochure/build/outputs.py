"""Publishing into out/: the PDFs, their thumbnails, manifest.json, the print shelf and the web
edition (out/web/); stale files of a full build removed. A file that already has the right
bytes is left alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import beneath, publish
from ..site import shelf
from ..site.web import WEB, Edition, pdf_name
from .engine import Built

MANIFEST = "manifest.json"
SHARD_RECORD = "shard.json"  # a `build --shard K/N` run's record, for `join` (build/shards.py)
REVIEW = "review.html"  # the medical director's page (build/claimfiles.py): the shelf links it


def entries(out: Path, built: list[Built], full: bool) -> list[dict[str, Any]]:
    """The manifest's entries after this run: the old ones (unless full) with the new ones."""
    found = {} if full else {e["file"]: e for e in read_manifest(out)
                             if _read(out / e["file"]) is not None}
    found.update({item.document.file: manifest_entry(item) for item in built})
    return sorted(found.values(), key=lambda e: e["file"])


def write_outputs(out: Path, built: list[Built], full: bool, web: Edition | None = None,
                  extra: dict[str, bytes] | None = None) -> list[Path]:
    """Publish the new edition of out/ in one step (files.publish): every PDF, its thumbnail,
    the manifest, the print shelf and the web edition; a full build drops PDFs it no longer
    makes. With nothing changed, nothing is touched. Returns the PDFs written (only those
    whose bytes changed)."""
    old = read_manifest(out)
    known = {e["file"]: e.get("sha256") for e in old}
    changes: dict[str, bytes | Path] = {}
    for item in built:
        name = item.document.file
        if item.pdf is not None and (known.get(name) != item.sha256
                                     or _digest(out, name) != item.sha256):
            changes[name] = item.pdf
        thumb = shelf.thumb_file(name)
        if item.thumb is not None and _digest(out, thumb) != item.thumb.stem:
            changes[thumb] = item.thumb
    documents = entries(out, built, full)
    removed = {e["file"] for e in old} - {e["file"] for e in documents}
    removed |= {shelf.thumb_file(name) for name in removed}
    if SHARD_RECORD not in (extra or {}):  # out/ is no longer that shard's alone
        removed.add(SHARD_RECORD)
    manifest = {"documents": documents}
    pages = {MANIFEST: (json.dumps(manifest, indent=2, allow_nan=False) + "\n").encode(),
             shelf.INDEX: shelf.index_html(documents, web=bool(web.files) if web else
                                           (out / WEB / "index.html").is_file(),
                                           review=REVIEW in (extra or {})
                                           or (out / REVIEW).is_file()).encode(),
             **(web.files if web else {})}
    changes.update({name: data for name, data in pages.items() if _read(out / name) != data})
    # a full build's claims.json and review.html (build/claimfiles.py)
    changes.update({name: raw for name, raw in (extra or {}).items() if _read(out / name) != raw})
    if web is not None:
        removed |= _web_copies(out, web, documents, changes, full)
    removed = {name for name in removed if (out / name).exists()}
    if changes or removed:
        publish(out, changes, removed)
    return [out / item.document.file for item in built if item.document.file in changes]


def _web_copies(out: Path, web: Edition, documents: list[dict[str, Any]],
                changes: dict[str, bytes | Path], full: bool) -> set[str]:
    """Copy the PDFs the web pages link to into web/pdf/ (from this run, or from out/);
    return the web edition's stale files (on a full build)."""
    sha = {e["file"]: e.get("sha256") for e in documents}
    for file in web.pdfs:
        target = pdf_name(file)
        if _digest(out, target) != sha.get(file):
            source = changes.get(file)
            if source is None:
                source = _read(out / file)
            if source is not None:
                changes[target] = source
    if not full or not (out / WEB).is_dir():
        return set()
    wanted = set(web.files) | {pdf_name(f) for f in web.pdfs}
    return {p.relative_to(out).as_posix() for p in (out / WEB).rglob("*")
            if p.is_file() and p.relative_to(out).as_posix() not in wanted}


def _digest(out: Path, name: str) -> str | None:
    data = _read(out / name)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _read(path: Path) -> bytes | None:
    """A file of out/ (no link on the way: a linked one is rewritten, not read)."""
    try:
        return beneath.read(path.parent, path.name)
    except OSError:
        return None


def manifest_entry(item: Built) -> dict[str, Any]:
    d = item.document
    entry: dict[str, Any] = {
        "file": d.file, "layout": d.layout.name, "subject": d.subject, "paper": d.paper,
        "language": d.language, "variant": d.variant, "pages": item.pages,
        "sha256": item.sha256}
    entry.update(item.meta)
    if item.grade is not None:
        entry["reading_grade"] = round(item.grade, 1)
    if item.thumb is not None:
        entry["thumb"] = shelf.thumb_file(d.file)
    return entry


def unlisted(out: Path) -> list[str]:
    """PDFs in out/ that its manifest does not list (copied in from another build or shard):
    no build made them for this edition, and none will update or remove them."""
    listed = {e["file"] for e in read_manifest(out)}
    try:
        names = sorted(p.name for p in out.iterdir() if p.suffix.lower() == ".pdf")
    except OSError:
        return []
    return [name for name in names if name not in listed]


def read_manifest(out: Path) -> list[dict[str, Any]]:
    """The manifest's entries that name a PDF in out/ itself (anything else is ignored)."""
    try:
        data = json.loads(beneath.read(out, MANIFEST))
        return [e for e in data["documents"] if isinstance(e.get("file"), str)
                and "/" not in e["file"] and e["file"].endswith(".pdf")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
