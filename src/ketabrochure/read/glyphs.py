"""Characters the vendored fonts can draw: anything else would pull in a system font."""

from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from ..diagnostics import Diagnostics, Location
from ..files import FONT_SUFFIXES, beneath
from .yamlsource import Node

INVISIBLE = {"\n", "\t", "\r"}
MAX_FONT = 20_000_000  # bytes: a font file larger than this is not read


def coverage(fonts: Path) -> frozenset[str]:
    """Characters every vendored font file maps (so regular, bold and italic all have them);
    a file that is not a font is left out (`unreadable` names it)."""
    return _fonts(fonts)[0]


def unreadable(fonts: Path) -> list[tuple[str, str]]:
    """(file name, why) of each font file in the folder that is not a font fontTools reads."""
    return list(_fonts(fonts)[1])


@functools.cache
def _fonts(fonts: Path) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    charsets, bad = [], []
    if not fonts.is_dir():  # no fonts folder: nothing to check against (the build says so)
        return frozenset(), ()
    for path in sorted(fonts.iterdir()):
        if path.suffix in FONT_SUFFIXES:
            try:  # read through files.beneath: a link out of the fonts folder is not read
                data = beneath.read(fonts, path.name, MAX_FONT, links=True)
                if len(data) > MAX_FONT:
                    raise ValueError(f"more than {MAX_FONT:,} bytes")
                with TTFont(io.BytesIO(data), lazy=True) as font:
                    charsets.append({chr(code) for code in font.getBestCmap()})
            except Exception as exc:  # noqa: BLE001 - fontTools fails many ways on non-fonts
                bad.append((path.name, f"{type(exc).__name__}: {exc}"[:200]))
    return (frozenset(set.intersection(*charsets)) if charsets else frozenset()), tuple(bad)


def report_unreadable(fonts: Path, shown: str, diags: Diagnostics) -> bool:
    """One located error per font file that is not a font; whether all are fonts."""
    bad = unreadable(fonts)
    for name, why in bad:
        diags.error(Location(f"{shown}/{name}"), "asset.font", name,
                    f"is not a font file that can be read ({why}); put the real font file "
                    "back (the vendored fonts come with the ketabrochure repository)")
    return not bad


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
