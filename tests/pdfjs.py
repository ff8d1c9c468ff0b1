"""pdf.js (the npm package pdfjs-dist, installed into tests/node/ from its package-lock.json) as
a PDF reader for the tests: the text its viewer gives (tests/node/pdftext.mjs)."""

from __future__ import annotations

import json
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


def read(paths: list[Path]) -> dict[Path, dict[str, object]]:
    """{path: {"text": the viewer's text}} for each PDF."""
    node = ensure()
    found: dict[Path, dict[str, object]] = {}
    for start in range(0, len(paths), 16):  # one node process per 16 PDFs
        chunk = paths[start:start + 16]
        names = [str(path.resolve()) for path in chunk]
        done = subprocess.run([node, str(SCRIPT), *names], cwd=NODE, check=True,
                              capture_output=True, text=True)
        result = json.loads(done.stdout)
        found.update({path: result[name] for path, name in zip(chunk, names, strict=True)})
    return found


def text(path: Path) -> str:
    """pdf.js's text of one PDF: lines end with a newline, pages with a form feed."""
    return str(read([path])[path]["text"])
