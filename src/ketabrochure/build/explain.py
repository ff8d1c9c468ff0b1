"""`ketabrochure explain [CODE]`: what a diagnostic code means and what to do about it (as
`ruff rule` does), every code of a family (`explain yaml`), or all of them. Needs no project."""

from __future__ import annotations

import argparse
import difflib
import json
import re
from typing import Any, TextIO

from ..codes import CODES, Code, family
from ..diagnostics import UsageError
from .results import EXIT_OK


def add_command(sub: Any) -> None:
    x = sub.add_parser("explain", help="what a diagnostic code (the [code] of an error) means "
                       "and what to do about it; every code without CODE")
    x.add_argument("code", nargs="?", default=None, metavar="CODE",
                   help="a code such as content.glyph (or error[content.glyph] as printed), "
                        "or a family such as yaml (default: all)")
    x.add_argument("--all", action="store_true", help="list every code (as without CODE)")
    x.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default); json: the entries as JSON")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Print one code's entry, or a table of a family's codes (all of them without CODE)."""
    name = None if args.all else args.code
    pasted = re.fullmatch(r"(?:error|warning)\[(.+)\]:?", name or "")
    name = pasted.group(1) if pasted else name  # as printed: error[content.glyph]
    one = CODES.get(name) if name else None
    found = [one] if one else family(name) if name else list(CODES.values())
    if not found:
        close = nearest(str(name))
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UsageError(f"no diagnostic code {name!r}{hint}; `ketabrochure explain` "
                         "lists them all")
    if args.format == "json":
        shown: object = one.as_json() if one else [c.as_json() for c in found]
        print(json.dumps(shown, indent=2, ensure_ascii=False), file=stdout)
    elif one:
        print(one.explained(), end="", file=stdout)
    else:
        print(_table(found), file=stdout)
    return EXIT_OK


def _table(found: list[Code]) -> str:
    width = max(len(c.name) for c in found)
    return "\n".join(f"{c.name:<{width}}  {c.severity:<7}  {c.meaning}" for c in found)


def nearest(code: str) -> list[str]:
    """The known codes nearest a misspelt one, best first: in its own family if it names one
    (all codes if not), those whose last part starts as its does (yaml.dup), then by that last
    part (content.glif: content.glyph before content.id), then any by the whole name."""
    stem, _, tail = code.rpartition(".")
    pool = [c.name for c in family(stem)] if stem else []
    pool = pool or list(CODES)
    tails: dict[str, list[str]] = {}
    for name in pool:
        tails.setdefault(name.rpartition(".")[2], []).append(name)
    near = [name for name in pool if tail and name.rpartition(".")[2].startswith(tail)]
    for close in difflib.get_close_matches(tail, tails, n=3, cutoff=0.4):
        near += tails[close]
    near += difflib.get_close_matches(code, CODES, n=3, cutoff=0.6)
    return list(dict.fromkeys(near))[:3]
