"""QR codes (standard QR, never Micro QR) as data: URLs the URL policy allows."""

from __future__ import annotations

import functools

import segno


@functools.lru_cache(maxsize=256)  # each location's URL is drawn on many documents
def qr_data_uri(url: str) -> str:
    """An SVG QR code for the URL, with the 4-module quiet zone scanners need."""
    code = segno.make_qr(url, error="m")
    return code.svg_data_uri(scale=1, border=4, dark="#000000", light="#ffffff")
