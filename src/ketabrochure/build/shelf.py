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

import math
from html import escape
from typing import Any

INDEX = "index.html"
THUMBS = "thumbs"
LANGUAGES = {"en": "English", "es": "Spanish (Español)"}
PAPERS = {"letter": "US Letter", "a4": "A4"}
VARIANTS = {"office": "Office copy", "large-print": "Large print", "print-shop": "Print shop"}
VARIANT_ORDER = ("office", "large-print", "print-shop")  # what the front desk prints first
# What a document is about, by kind: one condition, every condition, or a packet's recipient.
# The manifest names the layout; a `kind` field (layout.yaml's `subjects`) wins when present.
KIND_OF_LAYOUT = {"evidence-sheet": "conditions", "report": "report",
                  "referral-packet": "recipients", "handout": "handouts", "trifold": "brochures"}
ABOUT_ALL = ("report", "brochures")  # kinds that are about ketamine therapy in general
SHORT_EDGE = ("brochures",)  # landscape tri-folds: the back side is flipped on the short edge
ONE_SIDED = ("recipients",)  # a packet's letter and each enclosed sheet stand alone
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
    """The entry's kind of subject: conditions, handouts, brochures, report or recipients."""
    found = entry.get("kind") or KIND_OF_LAYOUT.get(entry.get("layout", ""), "conditions")
    return str(found)


def variant(entry: dict[str, Any]) -> str:
    return str(entry.get("variant") or "office")


def section(entry: dict[str, Any]) -> str:
    if variant(entry) == "print-shop":
        return "print-shop"
    if kind(entry) == "recipients":
        return "packets"
    return "patients" if entry.get("audience") == "patient" else "physicians"


def conditions(entry: dict[str, Any]) -> list[str] | None:
    """The condition ids a document is about; None when it is about all of them."""
    found = kind(entry)
    if found in ABOUT_ALL:
        return None
    if found == "recipients":
        return [str(c) for c in entry.get("conditions", [])]  # the enclosed sheets, if listed
    return [str(entry.get("subject", ""))]


def sides(entry: dict[str, Any]) -> str:
    """How to print it: single-sided, or double-sided flipped on the long or the short edge."""
    pages = int(entry.get("pages") or 1)
    if pages == 1 or kind(entry) in ONE_SIDED:
        return "single-sided"
    if kind(entry) in SHORT_EDGE:
        return "double-sided, flip on short edge"
    return "double-sided, flip on long edge"


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
             if kind(e) in ("conditions", "handouts") for c in conditions(e) or []}
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
    subject = "All conditions" if about is None else str(entry.get("subject_name") or "")
    if kind(entry) == "recipients":
        subject = f"For {entry.get('subject_name') or entry.get('subject', '')}"
    reviewed = entry.get("reviewed_on", "")
    details = [subject, f"{pages} page{'s' * (pages != 1)}"]
    if reviewed:
        details.append(f"reviewed {reviewed}")
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


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Print shelf</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>Print shelf</h1>
<p>Find the document, press <strong>Print</strong>, and in the print dialog choose the paper
and two-sided setting written beside the button.</p>
<form class="filters" role="search" aria-label="Filter documents" onsubmit="return false">
{filters}
<button type="reset" class="button secondary" id="filter-reset">Clear filters</button>
</form>
<p id="count" role="status" aria-live="polite">Showing {total} documents</p>
<p id="print-shop-hidden" hidden><span></span>
<button type="button" class="button secondary" id="show-print-shop">Show print-shop copies
</button></p>
</header>
<main id="shelf" data-live>
{groups}
<p id="none" hidden>No document matches these filters.</p>
</main>
<iframe id="printer" title="Printing" tabindex="-1" aria-hidden="true"></iframe>
<script>{script}</script>
</body>
</html>
"""

STYLE = """
:root { --ink: #1b1b1b; --muted: #474747; --brand: #1f4e6b; --line: #b8c4cc; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { padding: 1rem 1.5rem; border-bottom: 2px solid var(--line); background: #f4f7f9; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; color: var(--brand); }
header p { margin: .25rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; margin: .75rem 0; }
.filters label { display: flex; flex-direction: column; font-weight: 600; gap: .2rem; }
select { font: inherit; padding: .35rem .5rem; border: 2px solid var(--muted);
  border-radius: 4px; background: #fff; color: var(--ink); min-width: 13rem; }
main { padding: 0 1.5rem 2rem; }
h2 { font-size: 1.35rem; margin: 1.5rem 0 .25rem; color: var(--brand); }
.intro { margin: 0 0 .75rem; color: var(--muted); }
#section-print-shop { border-top: 3px dashed #8a4b00; margin-top: 2rem; }
#section-print-shop h2 { color: #8a4b00; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); }
.card { display: flex; gap: 1rem; padding: .75rem; border: 1px solid var(--line);
  border-radius: 6px; background: #fff; }
.card[hidden], .group[hidden] { display: none; }
.thumb img, .nothumb { display: block; width: 120px; min-height: 150px;
  border: 1px solid var(--line); background: #fafafa; }
.about { min-width: 0; }
.about h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
.tags { margin: 0 0 .3rem; display: flex; flex-wrap: wrap; gap: .35rem; }
.tag { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .85rem;
  font-weight: 700; border: 1px solid currentColor; }
.lang-en { color: #0b4a75; background: #e8f1f8; }
.lang-es { color: #6b2c00; background: #fbeee4; }
.copy-office { color: #1b1b1b; background: #fff; }
.copy-large-print { color: #fff; background: #1f4e6b; border-color: #1f4e6b; }
.copy-print-shop { color: #fff; background: #8a4b00; border-color: #8a4b00; }
.place { color: #30493a; background: #eaf4ee; }
.paper { color: #5a1e6e; background: #f6ecfa; }
.details { margin: .1rem 0; color: var(--muted); }
.actions { margin: .5rem 0 .25rem; display: flex; gap: .5rem; }
.setting { margin: .2rem 0; font-size: .95rem; }
.file { margin: .2rem 0 0; font-size: .8rem; color: var(--muted); word-break: break-all; }
.button { font: inherit; font-weight: 600; display: inline-block; padding: .35rem 1.1rem;
  border-radius: 4px; border: 2px solid var(--brand); background: var(--brand); color: #fff;
  text-decoration: none; cursor: pointer; }
.button.secondary { background: #fff; color: var(--brand); }
a:focus-visible, button:focus-visible, select:focus-visible {
  outline: 3px solid #b35c00; outline-offset: 2px; }
#printer { position: fixed; right: 0; bottom: 0; width: 0; height: 0; border: 0; }
@media print { header, .actions { display: none; } }
"""

# Print: the PDF in a frame of the same page, then the frame's print(); from file:// a frame
# cannot be scripted, so the PDF opens in a tab to print from there.
PRINT_SCRIPT = """
(function () {
  var printer = document.getElementById('printer');
  var loaded = null;
  function printFrame(pdf) {
    try { printer.contentWindow.focus(); printer.contentWindow.print(); }
    catch (e) { window.open(pdf, '_blank'); }
  }
  function printPdf(pdf) {
    if (loaded === pdf) { printFrame(pdf); return; }
    printer.onload = function () { loaded = pdf; printFrame(pdf); };
    printer.src = pdf;
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.print');
    if (!button) { return; }
    var card = button.closest('.card'), pdf = button.dataset.pdf;
    if (location.protocol.indexOf('http') === 0 && card && card.dataset.sha) {
      pdf += '?v=' + card.dataset.sha;  // served: the PDF of this very build
    }
    printPdf(pdf);
  });
  window.ketabrochurePrint = printPdf;
})();
"""

FILTER_SCRIPT = """
(function () {
  function selects() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  }
  function matches(card, name, value) {
    var have = card.getAttribute('data-' + name) || '';
    if (name === 'variant') {
      if (value === 'all') { return true; }
      return value ? have === value : have !== 'print-shop';
    }
    return !value || have === '*' || have.split(' ').indexOf(value) >= 0;
  }
  function save() {
    var parts = selects().filter(function (s) { return s.value; }).map(function (s) {
      return s.dataset.filter + '=' + encodeURIComponent(s.value);
    });
    var hash = parts.length ? '#' + parts.join('&') : '';
    if (hash !== location.hash) {
      history.replaceState(null, '', location.pathname + location.search + hash);
    }
  }
  function restore() {
    var wanted = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var pair = part.split('=');
      if (pair.length === 2) { wanted[pair[0]] = decodeURIComponent(pair[1]); }
    });
    selects().forEach(function (s) {
      var value = wanted[s.dataset.filter] || '';
      var known = Array.prototype.some.call(s.options, function (o) { return o.value === value; });
      s.value = known ? value : '';
    });
  }
  function apply() {
    var cards = Array.prototype.slice.call(document.querySelectorAll('.card'));
    var shown = 0, shopHidden = 0;
    cards.forEach(function (card) {
      var others = true, copy = true;
      selects().forEach(function (s) {
        var ok = matches(card, s.dataset.filter, s.value);
        if (s.dataset.filter === 'variant') { copy = ok; } else { others = others && ok; }
      });
      card.hidden = !(others && copy);
      if (!card.hidden) { shown += 1; }
      if (others && !copy && card.dataset.variant === 'print-shop') { shopHidden += 1; }
    });
    document.querySelectorAll('.group').forEach(function (group) {
      group.hidden = !group.querySelector('.card:not([hidden])');
    });
    document.getElementById('count').textContent = 'Showing ' + shown + ' of ' +
      cards.length + ' documents';
    document.getElementById('none').hidden = shown > 0;
    var note = document.getElementById('print-shop-hidden');
    note.hidden = shopHidden === 0 || document.getElementById('filter-variant').value !== '';
    note.querySelector('span').textContent = shopHidden + ' print-shop cop' +
      (shopHidden === 1 ? 'y is' : 'ies are') + ' not shown: they are for sending to a print shop.';
    save();
  }
  var form = document.querySelector('.filters');
  form.addEventListener('change', apply);
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  window.addEventListener('hashchange', function () { restore(); apply(); });
  document.getElementById('show-print-shop').addEventListener('click', function () {
    document.getElementById('filter-variant').value = 'print-shop';
    apply();
    var heading = document.getElementById('heading-print-shop');
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  });
  window.ketabrochureShelf = {apply: apply, restore: restore};
  restore();
  apply();
})();
"""
