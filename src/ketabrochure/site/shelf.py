"""The print shelf, out/index.html: every document with a thumbnail, details, Open and Print.

One self-contained page (inline CSS and script, no outside assets) that works from file://,
by keyboard, for the front desk. It is made from the manifest entries alone, by the templates
shelf.html.j2 and shelf-card.html.j2 (autoescaped); its style and scripts are files beside
them, shelf.css, shelf-print.js and shelf-filter.js.

Office and large-print copies come first, by audience (patients, physicians, then referral
packets by recipient); print-shop copies (oversize, crop marks) have a section of their own,
hidden until asked for, with a note instead of a Print button. Beside every Print button
stand the paper and the two-sided setting to choose in the print dialog. In each section the
documents about every condition (the brochure, the report) come first. The filters
(condition, document, language, copy, location) are kept in the page's URL
(#condition=ptsd&...).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from markupsafe import Markup

from ..review.clock import today
from ..review.gate import DUE_WITHIN
from . import pages

INDEX = "index.html"
THUMBS = "thumbs"
LANGUAGES = {"en": "English", "es": "Spanish (Español)"}
PAPERS = {"letter": "US Letter", "a4": "A4"}
VARIANTS = {"office": "Office copy", "large-print": "Large print", "print-shop": "Print shop"}
VARIANT_ORDER = ("office", "large-print", "print-shop")  # what the front desk prints first
SECTIONS = (
    ("patients", "For patients",
     "Handouts and brochures to give to patients. Large print is for anyone who asks for "
     "bigger text."),
    ("physicians", "For physicians", "Evidence sheets and the research report."),
    ("packets", "Referral packets, by recipient",
     "A cover letter to one physician, with the evidence sheets it encloses."),
    ("print-shop", "For the print shop",
     "These copies are oversize, with crop marks and a bleed, for a print shop to trim. "
     "Do not print them here: send the PDF to the print shop."),
)


def thumb_file(pdf_file: str) -> str:
    """out/-relative path of a PDF's thumbnail: thumbs/<name>.png."""
    return f"{THUMBS}/{pdf_file.removesuffix('.pdf')}.png"


def kind(entry: dict[str, Any]) -> str:
    """The entry's kind of document (layout.yaml's `subjects`), as the manifest says."""
    return str(entry.get("kind") or "")


def document_type(entry: dict[str, Any]) -> str:
    """The Document filter's name for it: its layout's, in words ('Evidence sheet')."""
    return str(entry.get("layout") or "").replace("-", " ").capitalize()


def variant(entry: dict[str, Any]) -> str:
    return str(entry.get("variant") or "office")


def section(entry: dict[str, Any]) -> str:
    """The section it is filed in: the print shop's, else the one its kind declared."""
    if variant(entry) == "print-shop":
        return "print-shop"
    return str(entry.get("shelf") or ("patients" if entry.get("audience") == "patient"
                                      else "physicians"))


def conditions(entry: dict[str, Any]) -> list[str] | None:
    """The condition ids a document is about, as its kind declared; None: all of them."""
    if entry.get("about") in ("all", "none"):
        return None
    if "conditions" not in entry:  # an entry from before kinds declared it: its subject
        return [str(entry.get("subject", ""))]
    return [str(c) for c in entry.get("conditions") or []]


def sides(entry: dict[str, Any]) -> str:
    """How to print it: single-sided, or double-sided flipped on the long or the short edge
    (as its kind declared)."""
    pages = int(entry.get("pages") or 1)
    duplex = entry.get("duplex", "long-edge")
    if pages == 1 or duplex == "simplex":
        return "single-sided"
    return f"double-sided, flip on {'short' if duplex == 'short-edge' else 'long'} edge"


def sheets(entry: dict[str, Any]) -> int:
    pages = int(entry.get("pages") or 1)
    return pages if sides(entry) == "single-sided" else math.ceil(pages / 2)


def print_setting(entry: dict[str, Any]) -> str:
    """What to choose in the print dialog, e.g. 'US Letter, double-sided, flip on long edge'."""
    paper = PAPERS.get(entry.get("paper", ""), entry.get("paper", ""))
    return f"{paper}, {sides(entry)}"


def spoken(entry: dict[str, Any]) -> str:
    """The document's name as a screen reader says it: its title and what tells copies apart."""
    title = str(entry.get("title") or entry["file"].removesuffix(".pdf"))
    parts = [LANGUAGES.get(entry.get("language", ""), entry.get("language", ""))]
    if variant(entry) != "office":
        parts.append(VARIANTS.get(variant(entry), variant(entry)).lower())
    if entry.get("location_name"):
        parts.append(str(entry["location_name"]))
    parts.append(PAPERS.get(entry.get("paper", ""), entry.get("paper", "")))
    return f"{title} ({', '.join(p for p in parts if p)})"


def _by_label(values: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(values.items(), key=lambda kv: kv[1].lower())


def _select(label: str, name: str, default: str,
            values: list[tuple[str, str]]) -> dict[str, Any]:
    return {"label": label, "name": name, "default": default, "values": values}


def filters(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The filter controls: condition, document, language, copy and (when there are any)
    location."""
    named = {c: str(e.get("subject_name") or c) for e in entries
             if e.get("about") == "condition" for c in conditions(e) or []}
    for e in entries:  # a packet's enclosed conditions that have no document of their own
        named.update({c: c for c in conditions(e) or [] if c not in named})
    types = {str(e.get("layout") or ""): document_type(e) for e in entries}
    languages = {e["language"]: LANGUAGES.get(e["language"], e["language"]) for e in entries}
    present = {variant(e) for e in entries}
    copies = [(v, {"office": "Office copies only", "large-print": "Large print only",
                   "print-shop": "Print-shop copies only"}[v])
              for v in VARIANT_ORDER if v in present]
    copies.append(("all", "Every copy, print shop too"))
    places = {str(e["location"]): str(e.get("location_name") or e["location"])
              for e in entries if e.get("location")}
    found = [_select("Condition", "condition", "All conditions", _by_label(named)),
             _select("Document", "layout", "All documents", _by_label(types)),
             _select("Language", "language", "All languages", _by_label(languages)),
             _select("Copy", "variant", "Office and large print", copies)]
    if places:
        found.append(_select("Location", "location", "All locations", _by_label(places)))
    return found


def card_view(entry: dict[str, Any]) -> dict[str, Any]:
    """What the card template (shelf-card.html.j2) shows of one manifest entry."""
    pages_n = int(entry.get("pages") or 0)
    about = conditions(entry)
    copy = variant(entry)
    tags = [(f"lang-{entry['language']}", LANGUAGES.get(entry["language"], entry["language"])),
            (f"copy-{copy}", VARIANTS.get(copy, copy))]
    if entry.get("location_name"):
        tags.append(("place", str(entry["location_name"])))
    if entry.get("paper") != "letter":  # the office printer holds US Letter: say so loudly
        tags.append(("paper", f"{PAPERS.get(entry.get('paper', ''), entry.get('paper', ''))} "
                              "paper"))
    subject = {"all": "All conditions", "none": "",
               "enclosed": f"For {entry.get('subject_name') or entry.get('subject', '')}",
               }.get(entry.get("about", ""), str(entry.get("subject_name") or ""))
    details = [subject, f"{pages_n} page{'s' * (pages_n != 1)}"]
    if entry.get("reviewed_on"):
        details.append(f"reviewed {entry['reviewed_on']}")
    due = entry.get("review_due")  # the sign-off expires within 60 days: say so
    if due and dt.date.fromisoformat(due) - today() <= DUE_WITHIN:
        details.append(f"REVIEW DUE {due}")
    # keys that are no dict method's name: Jinja would find `c.copy` as the method
    return {"file": entry["file"], "name": entry["file"].removesuffix(".pdf"),
            "sha": str(entry.get("sha256", ""))[:12],
            "about": "*" if about is None else " ".join(about),
            "language": entry["language"], "variant": copy,
            "layout": str(entry.get("layout") or ""),
            "location": str(entry.get("location") or "*"), "thumb": entry.get("thumb"),
            "title": str(entry.get("title") or entry["file"].removesuffix(".pdf")),
            "tags": tags, "details": [d for d in details if d], "what": spoken(entry),
            "setting": print_setting(entry), "sheets": sheets(entry)}


def card(entry: dict[str, Any]) -> Markup:
    """One card's HTML (serve's preview page shows it alone)."""
    template = pages.environment().get_template("shelf-card.html.j2")
    return Markup(template.module.card(card_view(entry)))  # type: ignore[attr-defined]


def _shelf_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """General documents first (for patients the brochure: what the front desk hands out
    most), then by condition; then language, US Letter before A4, office copy before large
    print, then location. Packets by recipient."""
    copy = variant(entry)
    rank = VARIANT_ORDER.index(copy) if copy in VARIANT_ORDER else len(VARIANT_ORDER)
    general = conditions(entry) is None
    paper = list(PAPERS).index(entry["paper"]) if entry.get("paper") in PAPERS else len(PAPERS)
    return (not general, str(entry.get("subject_name", "")).lower(), entry.get("language", ""),
            paper, rank, entry.get("location", ""), entry["file"])


def index_html(entries: list[dict[str, Any]], web: bool = False, review: bool = False) -> str:
    """The shelf page for these manifest entries (by section, filterable); with `web`, a link
    to the web edition beside it; with `review`, one to the medical director's review page."""
    ordered = sorted(entries, key=_shelf_order)
    groups = [{"key": key, "label": label, "intro": intro,
               "cards": [card_view(e) for e in ordered if section(e) == key]}
              for key, label, intro in SECTIONS]
    return pages.render("shelf.html.j2", filters=filters(entries), total=len(entries),
                        groups=[g for g in groups if g["cards"]], web=web, review=review)


STYLE = pages.asset("shelf.css").decode()  # serve's preview page shares the style and Print
PRINT_SCRIPT = pages.asset("shelf-print.js").decode()
