"""Repair the structure tree WeasyPrint 70 writes for PDF/UA-1, and audit structure trees.

`repair(pdf_bytes, html)` post-processes the bytes `Document.write_pdf` returns; `audit(pdf_bytes)`
reads a PDF's structure tree back and lists what is still wrong, so a build can gate on it.

Each `fix_*` function says which part of WeasyPrint 70 makes it necessary (paths under
`site-packages/weasyprint/`, lines of 70.0), so it can be dropped when WeasyPrint tags that
case itself. What HTML can fix is fixed in the templates instead (the handout glossary as a real
list, alternative text in the document's language, addresses as links). Two things WeasyPrint
does not carry into the PDF are read from the HTML: `lang` on passages and the tri-fold's
`data-reading-order`. This package uses only the standard library and pikepdf; it imports
nothing else from ketabrochure.

    structure.py   reading the PDF: marked content per page, the structure tree (Tree)
    hints.py       what the HTML says that the PDF does not carry (Hints)
    repairing.py   repair(): margins, page splits, tables, headings, languages, parent tree
    order.py       the tri-fold's reading order, and the bookmarks that follow it
    links.py       one /Link element per link, with a readable description
    auditing.py    audit(): what is still wrong with a PDF's structure tree
"""

from .auditing import Problem, audit
from .repairing import repair

__all__ = ["Problem", "audit", "repair"]
