"""First-page thumbnails for the print shelf, drawn with pdfium (imported only when needed)."""

from __future__ import annotations

import io

THUMB_WIDTH = 240  # pixels; the shelf shows them at half that size on a 2x screen


def thumbnail(pdf: bytes, width: int = THUMB_WIDTH) -> bytes:
    """The first page of a PDF as a PNG `width` pixels wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale).to_pil()
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
