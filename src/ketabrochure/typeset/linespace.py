"""Keep the space where a line breaks, as an invisible glyph at the end of the line.

WeasyPrint 70 drops the space at which it breaks a line (`split_text_box` resumes the next
line after it, `weasyprint/layout/inline.py`), and wraps each line in its own marked content
(`draw_inline_level`, `weasyprint/draw/__init__.py`). A reader that follows the tag tree or
joins marked content (pdf.js's text layer, screen readers) then glues the last word of one line
to the first of the next: "What isketaminetherapy?". Here the text box that ended at such a
space is marked, and when it is drawn its line is shaped with that space again: one more blank
glyph after the last word, past the box's width, so nothing printed moves. Extracted text then
has "What is ketamine therapy?" in every reader.

Not covered: a break at a space that begins the next element ("<b>it</b> work" breaking
before " work"); that space is skipped as the next line's leading space, not the split's.
"""

from __future__ import annotations

from typing import Any

MARK = "_ketabrochure_line_end_space"


def install() -> None:
    """Wrap WeasyPrint's line splitting and first-line drawing (once per process)."""
    import weasyprint.draw.text as drawing
    import weasyprint.layout.inline as inline

    if getattr(inline.split_text_box, MARK, False):
        return
    inline.split_text_box = _marking(inline.split_text_box)
    drawing.draw_first_line = _spaced(drawing.draw_first_line)


def _marking(split: Any) -> Any:
    def split_text_box(context: Any, box: Any, available_width: Any, skip: Any,
                       *args: Any, **kwargs: Any) -> Any:
        new_box, resume, preserved = split(context, box, available_width, skip, *args, **kwargs)
        if new_box is not None and resume is not None and not preserved:
            end = (skip or 0) + len(new_box.text.encode())
            between = box.text.encode()[end:resume]  # what the next line skips
            if between and not between.strip(b" "):
                setattr(new_box, MARK, True)
        return new_box, resume, preserved

    setattr(split_text_box, MARK, True)
    return split_text_box


def _spaced(draw: Any) -> Any:
    def draw_first_line(stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any,
                        matrix: Any) -> Any:
        if (not getattr(textbox, MARK, False) or text_overflow == "ellipsis"
                or block_ellipsis != "none" or textbox.style["text_align_all"] == "justify"
                or textbox.style["direction"] == "rtl"):
            return draw(stream, textbox, text_overflow, block_ellipsis, matrix)
        layout = textbox.pango_layout
        text = layout.text
        layout.set_text(text + " ", justify=True)  # as `reactivate` does, with the space
        try:
            return draw(stream, textbox, text_overflow, block_ellipsis, matrix)
        finally:
            layout.set_text(text, justify=True)

    return draw_first_line
