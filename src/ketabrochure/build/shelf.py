"""The print shelf, out/index.html: every document with a thumbnail, details, Open and Print.

One self-contained page (inline CSS and script, no outside assets) that works from file://,
by keyboard, for the front desk. It is made from the manifest entries alone.

Office and large-print copies come first, by audience (patients, physicians, then referral
packets by recipient); print-shop copies (oversize, crop marks) have a section of their own,
hidden until asked for, with a note instead of a Print button. Beside every Print button
stand the paper and the two-sided setting to choose in the print dialog. The filters
(condition, language, copy, location) are kept in the page's URL (#condition=ptsd&...).
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Any

from ..review.clock import today
from ..review.gate import DUE_WITHIN
from .shelfpage import FILTER_SCRIPT, PAGE, PRINT_SCRIPT, STYLE

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


def _select(label: str, name: str, default: str, values: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{escape(k)}">{escape(v)}</option>' for k, v in values)
    return (f'<label>{escape(label)} <select id="filter-{name}" data-filter="{name}">'
            f'<option value="">{escape(default)}</option>{items}</select></label>')


def _by_label(values: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(values.items(), key=lambda kv: kv[1].lower())


def filters(entries: list[dict[str, Any]]) -> str:
    """The filter controls: condition, language, copy and (when there are any) location."""
    named = {c: str(e.get("subject_name") or c) for e in entries
             if e.get("about") == "condition" for c in conditions(e) or []}
    for e in entries:  # a packet's enclosed conditions that have no document of their own
        named.update({c: c for c in conditions(e) or [] if c not in named})
    languages = {e["language"]: LANGUAGES.get(e["language"], e["language"]) for e in entries}
    present = {variant(e) for e in entries}
    copies = [(v, {"office": "Office copies only", "large-print": "Large print only",
                   "print-shop": "Print-shop copies only"}[v])
              for v in VARIANT_ORDER if v in present]
    copies.append(("all", "Every copy, print shop too"))
    places = {str(e["location"]): str(e.get("location_name") or e["location"])
              for e in entries if e.get("location")}
    html = (_select("Condition", "condition", "All conditions", _by_label(named))
            + _select("Language", "language", "All languages", _by_label(languages))
            + _select("Copy", "variant", "Office and large print", copies))
    if places:
        html += _select("Location", "location", "All locations", _by_label(places))
    return html


def card(entry: dict[str, Any]) -> str:
    file, name = entry["file"], entry["file"].removesuffix(".pdf")
    pages = int(entry.get("pages") or 0)
    about = conditions(entry)
    title = str(entry.get("title") or name)
    what = spoken(entry)
    copy = variant(entry)
    tags = [f'<span class="tag lang-{escape(entry["language"])}">'
            f'{escape(LANGUAGES.get(entry["language"], entry["language"]))}</span>',
            f'<span class="tag copy-{escape(copy)}">{escape(VARIANTS.get(copy, copy))}</span>']
    if entry.get("location_name"):
        tags.append(f'<span class="tag place">{escape(entry["location_name"])}</span>')
    if entry.get("paper") != "letter":  # the office printer holds US Letter: say so loudly
        paper = PAPERS.get(entry.get("paper", ""), entry.get("paper", ""))
        tags.append(f'<span class="tag paper">{escape(paper)} paper</span>')
    subject = {"all": "All conditions", "none": "",
               "enclosed": f"For {entry.get('subject_name') or entry.get('subject', '')}",
               }.get(entry.get("about", ""), str(entry.get("subject_name") or ""))
    reviewed = entry.get("reviewed_on", "")
    details = [subject, f"{pages} page{'s' * (pages != 1)}"]
    if reviewed:
        details.append(f"reviewed {reviewed}")
    due = entry.get("review_due")
    if due and dt.date.fromisoformat(due) - today() <= DUE_WITHIN:
        details.append(f"REVIEW DUE {due}")
    thumb = entry.get("thumb")
    image = (f'<img src="{escape(thumb)}" alt="" width="120" loading="lazy">' if thumb
             else '<span class="nothumb"></span>')
    setting = f'<p class="setting" id="setting-{escape(name)}">'
    if copy == "print-shop":
        action = (f'<a class="button" href="{escape(file)}" download '
                  f'aria-label="Download {escape(what)} for the print shop">Download</a>')
        setting += ('<strong>Print shop only.</strong> Oversize with crop marks: send this '
                    'file to the print shop; do not print it on the office printer.</p>')
    else:
        count = sheets(entry)
        action = (f'<button type="button" class="button print" data-pdf="{escape(file)}" '
                  f'aria-label="Print {escape(what)}" '
                  f'aria-describedby="setting-{escape(name)}">Print</button>')
        setting += (f'<strong>{escape(print_setting(entry))}</strong>'
                    f' · {count} sheet{"s" * (count != 1)} of paper</p>')
    return f"""<li class="card" id="doc-{escape(name)}" data-name="{escape(name)}"
 data-sha="{escape(str(entry.get('sha256', ''))[:12])}"
 data-condition="{'*' if about is None else escape(' '.join(about))}"
 data-language="{escape(entry['language'])}" data-variant="{escape(copy)}"
 data-location="{escape(str(entry.get('location') or '*'))}">
 <a class="thumb" href="{escape(file)}" tabindex="-1" aria-hidden="true">{image}</a>
 <div class="about">
  <h3>{escape(title)}</h3>
  <p class="tags">{' '.join(tags)}</p>
  <p class="details">{' · '.join(escape(d) for d in details if d)}</p>
  <div class="actions">{action}
   <a class="button secondary" href="{escape(file)}" target="_blank"
   aria-label="Open {escape(what)}">Open</a></div>
  {setting}
  <p class="file">{escape(file)}</p>
 </div>
</li>"""


def _shelf_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """Condition documents before general ones, by condition; then language, US Letter before
    A4, office copy before large print, then location. Packets by recipient."""
    copy = variant(entry)
    rank = VARIANT_ORDER.index(copy) if copy in VARIANT_ORDER else len(VARIANT_ORDER)
    general = conditions(entry) is None
    paper = list(PAPERS).index(entry["paper"]) if entry.get("paper") in PAPERS else len(PAPERS)
    return (general, str(entry.get("subject_name", "")).lower(), entry.get("language", ""),
            paper, rank, entry.get("location", ""), entry["file"])


def index_html(entries: list[dict[str, Any]]) -> str:
    """The shelf page for these manifest entries (by section, filterable)."""
    groups = []
    for key, label, intro in SECTIONS:
        cards = [card(e) for e in sorted(entries, key=_shelf_order) if section(e) == key]
        if cards:
            groups.append(f'<section class="group" id="section-{key}" data-group="{key}" '
                          f'aria-labelledby="heading-{key}"><h2 id="heading-{key}">{label}</h2>'
                          f'<p class="intro">{intro}</p>'
                          f'<ul class="cards">{"".join(cards)}</ul></section>')
    return PAGE.format(filters=filters(entries), groups="\n".join(groups), total=len(entries),
                       style=STYLE, script=PRINT_SCRIPT + FILTER_SCRIPT)
