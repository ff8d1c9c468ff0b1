"""Characters the vendored fonts can draw: anything else would pull in a system font."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from ..diagnostics import Diagnostics
from ..files import FONT_SUFFIXES
from .yamlsource import Node

INVISIBLE = {"\n", "\t", "\r"}


@functools.cache
def coverage(fonts: Path) -> frozenset[str]:
    """Characters every vendored font file maps (so regular, bold and italic all have them)."""
    charsets = []
    if not fonts.is_dir():  # no fonts folder: nothing to check against (the build says so)
        return frozenset()
    for path in sorted(fonts.iterdir()):
        if path.suffix in FONT_SUFFIXES:
            with TTFont(path, lazy=True) as font:
                charsets.append({chr(code) for code in font.getBestCmap()})
    return frozenset(set.intersection(*charsets)) if charsets else frozenset()


def check(node: Node, charset: frozenset[str], diags: Diagnostics, where: str = "") -> None:
    """Report each text value holding a character the fonts lack, at the value's location."""
    if not charset:
        return
    if isinstance(node.value, dict):
        for key, child in node.value.items():
            check(child, charset, diags, f"{where}.{key}" if where else key)
    elif isinstance(node.value, list):
        for index, child in enumerate(node.value):
            check(child, charset, diags, f"{where}[{index + 1}]")
    elif isinstance(node.value, str):
        missing = sorted({c for c in node.value if c not in charset and c not in INVISIBLE})
        if missing:
            names = ", ".join(f"'{c}' ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in missing)
            diags.error(node.loc, "content.glyph", where or "text",
                        f"the vendored fonts cannot print {names}; use other characters "
                        "(e.g. 'at least' for '≥') or add a font that has them")
