"""Publishing into out/: the PDFs, their thumbnails, manifest.json and the print shelf; stale
files of a full build removed. A file that already has the right bytes is left alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..files import atomic_write, sha256_file, write_if_changed
from . import shelf
from .engine import Built

MANIFEST = "manifest.json"


def write_outputs(out: Path, built: list[Built], full: bool) -> list[Path]:
    """Write every PDF atomically, then the manifest and the print shelf; a full build removes
    PDFs it no longer makes. A PDF already in out/ with the same bytes is left alone."""
    out.mkdir(parents=True, exist_ok=True)
    old = read_manifest(out)
    known = {e["file"]: e.get("sha256") for e in old}
    entries = {} if full else {e["file"]: e for e in old if (out / e["file"]).is_file()}
    written = []
    for item in built:
        target = out / item.document.file
        if known.get(item.document.file) != item.sha256 or sha256_file(target) != item.sha256:
            atomic_write(target, item.data())
        written.append(target)
        entries[item.document.file] = manifest_entry(item)
        if item.thumb is not None:
            shelf.copy_thumb(item.thumb, out, item.document.name)
    for stale in {e["file"] for e in old} - set(entries):
        (out / stale).unlink(missing_ok=True)
        (out / shelf.thumb_file(stale)).unlink(missing_ok=True)
    manifest = {"documents": sorted(entries.values(), key=lambda e: e["file"])}
    write_if_changed(out / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    write_if_changed(out / shelf.INDEX, shelf.index_html(manifest["documents"]).encode())
    return written


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


def read_manifest(out: Path) -> list[dict[str, Any]]:
    """The manifest's entries that name a PDF in out/ itself (anything else is ignored)."""
    try:
        data = json.loads((out / MANIFEST).read_text())
        return [e for e in data["documents"] if isinstance(e.get("file"), str)
                and "/" not in e["file"] and e["file"].endswith(".pdf")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
