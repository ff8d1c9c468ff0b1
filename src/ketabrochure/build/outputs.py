"""Publishing into out/: the PDFs, their thumbnails, manifest.json and the print shelf; stale
files of a full build removed. A file that already has the right bytes is left alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import beneath, publish
from . import shelf
from .engine import Built

MANIFEST = "manifest.json"


def write_outputs(out: Path, built: list[Built], full: bool) -> list[Path]:
    """Publish the new edition of out/ in one step (files.publish): every PDF, its thumbnail,
    the manifest and the print shelf; a full build drops PDFs it no longer makes. With nothing
    changed, nothing is touched. Returns the PDFs written (only those whose bytes changed)."""
    old = read_manifest(out)
    known = {e["file"]: e.get("sha256") for e in old}
    entries = {} if full else {e["file"]: e for e in old if _read(out / e["file"]) is not None}
    changes: dict[str, bytes | Path] = {}
    for item in built:
        name = item.document.file
        if item.pdf is not None and (known.get(name) != item.sha256
                                     or _digest(out, name) != item.sha256):
            changes[name] = item.pdf
        entries[name] = manifest_entry(item)
        thumb = shelf.thumb_file(name)
        if item.thumb is not None and _digest(out, thumb) != item.thumb.stem:
            changes[thumb] = item.thumb
    removed = {e["file"] for e in old} - set(entries)
    removed |= {shelf.thumb_file(name) for name in removed}
    manifest = {"documents": sorted(entries.values(), key=lambda e: e["file"])}
    for name, data in ((MANIFEST, (json.dumps(manifest, indent=2, allow_nan=False) + "\n")),
                       (shelf.INDEX, shelf.index_html(manifest["documents"]))):
        if _read(out / name) != data.encode():
            changes[name] = data.encode()
    removed = {name for name in removed if (out / name).exists()}
    if changes or removed:
        publish(out, changes, removed)
    return [out / item.document.file for item in built if item.document.file in changes]


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
