"""What a full edition publishes for its reviewers: out/claims.json (every printed number,
where it comes from) and out/review.html (the printed text not signed off yet, which serve
shows at /review.html)."""

from __future__ import annotations

import hashlib
import hmac
from contextlib import suppress
from pathlib import Path

import jinja2

from .. import model as m
from ..files import beneath, seal, sha256_file
from ..review import claims
from ..review import diff as review_diff
from .engine import Built


def editorial_files(root: Path, project: m.Project, env: jinja2.Environment,
                    built: list[Built]) -> dict[str, bytes]:
    return {"claims.json": _claims(root, project, env, built),
            "review.html": review_diff.review_page(root, project, env,
                                                   [b.document for b in built])}


def _claims(root: Path, project: m.Project, env: jinja2.Environment, built: list[Built]) -> bytes:
    """The claims ledger, remembered in out/.cache/ under its inputs (every PDF and every
    content file, whose line numbers it quotes): reading the pages of every PDF takes seconds."""
    inputs = hashlib.sha256()
    for item in sorted(built, key=lambda b: b.document.file):
        inputs.update(f"{item.document.file} {item.sha256}\n".encode())
    for path in sorted((root / "content").rglob("*.yaml")):
        inputs.update(f"{path.relative_to(root)} {sha256_file(path)}\n".encode())
    key = inputs.hexdigest()
    memo = f"out/.cache/claims/{key}.json"
    with suppress(OSError, ValueError):  # sealed like the cache's entries: never trusted unsealed
        mark, data = beneath.read(root, memo).split(b"\n", 1)
        if hmac.compare_digest(mark.decode(), seal("claims", key, data)):
            return data
    data = claims.ledger_json(root, project, env, [(b.document, b.data) for b in built])
    with suppress(OSError):
        beneath.remove_tree(root, "out/.cache/claims")  # keep only the latest
        beneath.write(root, memo, seal("claims", key, data).encode() + b"\n" + data)
    return data
