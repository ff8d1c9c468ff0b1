"""pdf.js (the npm package pdfjs-dist, installed into tests/node/ from its package-lock.json) as
a PDF reader for the tests: the text its viewer gives (tests/node/pdftext.mjs)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import NODE, node_modules

PDFJS = NODE / "node_modules" / "pdfjs-dist" / "legacy" / "build" / "pdf.mjs"
SCRIPT = NODE / "pdftext.mjs"


def ensure() -> str:
    """The node executable, with pdfjs-dist installed (npm ci, like the shelf's axe-core);
    the test is skipped, with the reason, only where Node.js itself is missing."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is missing, so pdf.js cannot run (Debian: apt-get install nodejs npm)")
    node_modules(PDFJS)
    return node


# Set by conftest.py to a folder of the test run that every pytest-xdist worker shares: what
# pdf.js read from a PDF is kept there, so two tests reading the session build's PDFs (the
# URL test and the extracted-text test) run it once per PDF.
CACHE: Path | None = None


def _kept(path: Path) -> Path | None:
    """Where pdf.js's reading of this PDF as it is now (its path, size and change time) is
    kept, or None when nothing is."""
    if CACHE is None:
        return None
    stat = path.stat()
    key = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    return CACHE / f"{hashlib.sha256(key).hexdigest()}.json"


def read(paths: list[Path]) -> dict[Path, dict[str, object]]:
    """{path: {"text": the viewer's text}} for each PDF."""
    found: dict[Path, dict[str, object]] = {}
    for path in paths:
        kept = _kept(path)
        if kept is not None and kept.is_file():
            found[path] = json.loads(kept.read_text())
    todo = [path for path in paths if path not in found]
    node = ensure() if todo else ""
    for start in range(0, len(todo), 16):  # one node process per 16 PDFs
        chunk = todo[start:start + 16]
        names = [str(path.resolve()) for path in chunk]
        done = subprocess.run([node, str(SCRIPT), *names], cwd=NODE, check=True,
                              capture_output=True, text=True)
        result = json.loads(done.stdout)
        for path, name in zip(chunk, names, strict=True):
            found[path] = result[name]
            if (kept := _kept(path)) is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                part = kept.with_suffix(f".{os.getpid()}.tmp")  # whole or absent for the others
                part.write_text(json.dumps(result[name]))
                part.replace(kept)
    return {path: found[path] for path in paths}


def text(path: Path) -> str:
    """pdf.js's text of one PDF: lines end with a newline, pages with a form feed."""
    return str(read([path])[path]["text"])
