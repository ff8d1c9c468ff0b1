"""Keep the space where a line breaks, as an invisible glyph at the end of the line.

WeasyPrint 70 drops the space at which it breaks a line (`split_text_box` resumes the next
line after it, `weasyprint/layout/inline.py`), and wraps each line in its own marked content
(`draw_inline_level`, `weasyprint/draw/__init__.py`). A reader that follows the tag tree or
joins marked content (pdf.js's text layer, screen readers) then glues the last word of one line
to the first of the next: "What isketaminetherapy?". Here the text box that ended at such a
space is marked, and when it is drawn its line is shaped with that space again: one more blank
glyph after the last word, past the box's width, so nothing printed moves. Extracted text then
has "What is ketamine therapy?" in every reader.

A text box that is only a space between two elements ("CLINIC ·</span> <span>INFORMATION",
the references' "</span> <span>") is not drawn at all by WeasyPrint 70 (`draw_first_line`
returns at once for blank text): its space glyph is drawn as well, for the same reason.

A break at a space that begins the next element ("</a> <span>", breaking before the space) is
found where the next line starts: WeasyPrint skips the space there (`skip_first_whitespace`),
and the previous line's last text box is marked instead.
"""

from __future__ import annotations

from typing import Any

MARK = "_ketabrochure_line_end_space"  # on a text box whose line ended at a space
_last_box: list[Any] = [None]  # the last text box of the line laid out last (one per process)


def install() -> None:
    """Wrap WeasyPrint's line splitting and first-line drawing (once per process)."""
    import weasyprint.draw.text as drawing
    import weasyprint.layout.inline as inline
    from weasyprint.formatting_structure import boxes

    if getattr(inline.split_text_box, MARK, False):
        return
    inline.split_text_box = _marking(inline.split_text_box)
    inline.remove_last_whitespace = _marking_blank(inline.remove_last_whitespace,
                                                   (boxes.LineBox, boxes.InlineBox))
    inline.skip_first_whitespace = _marking_previous(inline.skip_first_whitespace, boxes)
    drawing.draw_first_line = _spaced(drawing.draw_first_line, boxes.TextBox)


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


def _marking_blank(remove: Any, inline_boxes: tuple[Any, ...]) -> Any:
    """A line that ends with a space between two elements ("</a> <span>"): WeasyPrint empties
    that text box; it is marked, so its space is drawn (at no width) all the same."""
    def remove_last_whitespace(context: Any, line: Any) -> None:
        box: Any = line
        while isinstance(box, inline_boxes) and box.children:  # the box WeasyPrint strips
            box = box.children[-1]
        before = getattr(box, "text", None)
        remove(context, line)
        if before and not before.strip(" ") and box.text == "":
            setattr(box, MARK, True)
        _last_box[0] = box if before is not None else None

    return remove_last_whitespace


def _marking_previous(skip: Any, boxes: Any) -> Any:
    """A line that starts at a space WeasyPrint skips: the line before it broke there."""
    def skip_first_whitespace(box: Any, skip_stack: Any) -> Any:
        if (isinstance(box, boxes.LineBox) and skip_stack is not None
                and _last_box[0] is not None and _starts_with_space(box, skip_stack, boxes)):
            setattr(_last_box[0], MARK, True)
            _last_box[0] = None
        return skip(box, skip_stack)

    return skip_first_whitespace


def _starts_with_space(box: Any, skip_stack: Any, boxes: Any) -> bool | None:
    """Whether the text from `skip_stack` on starts with a space (None: no text there)."""
    index, rest = (0, None) if skip_stack is None else next(iter(skip_stack.items()))
    if isinstance(box, boxes.TextBox):
        text = box.text.encode()[index:]
        return text.startswith(b" ") if text else None
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children[index:]:
            found = _starts_with_space(child, rest, boxes)
            if found is not None:
                return found
            rest = None
        return None
    return False


def _spaced(draw: Any, text_box: Any) -> Any:
    def draw_first_line(stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any,
                        matrix: Any) -> Any:
        marked = getattr(textbox, MARK, False)
        if (not isinstance(textbox, text_box)  # SVG text: its own box class, left alone
                or text_overflow == "ellipsis" or block_ellipsis != "none"
                or textbox.style["text_align_all"] == "justify"
                or textbox.style["direction"] == "rtl"):
            return draw(stream, textbox, text_overflow, block_ellipsis, matrix)
        layout = textbox.pango_layout
        if not textbox.text.strip(" ") and (marked or textbox.width > 0):
            return _blank(draw, stream, textbox, text_overflow, block_ellipsis, matrix)
        if not marked or layout.text.endswith(" "):
            return draw(stream, textbox, text_overflow, block_ellipsis, matrix)
        text = layout.text
        layout.set_text(text + " ", justify=True)  # as `reactivate` does, with the space
        try:
            return draw(stream, textbox, text_overflow, block_ellipsis, matrix)
        finally:
            layout.set_text(text, justify=True)

    return draw_first_line


def _blank(draw: Any, stream: Any, textbox: Any, *args: Any) -> Any:
    """Draw a text box that is only a space: its layout shaped as one space, and its text set
    to a non-blank stand-in while WeasyPrint's "nothing to draw" test looks at it."""
    layout, text = textbox.pango_layout, textbox.text
    shaped = layout.text
    layout.set_text(" ", justify=True)
    textbox.text = "-"
    try:
        return draw(stream, textbox, *args)
    finally:
        textbox.text = text
        layout.set_text(shaped, justify=True)
