"""The print shelf, out/index.html: every document with a thumbnail, details, Open and Print.

One self-contained page (inline CSS and script, no outside assets) that works from file://,
by keyboard, for the front desk. It is made from the manifest entries alone.
"""

from __future__ import annotations

from html import escape
from typing import Any

INDEX = "index.html"
THUMBS = "thumbs"
LANGUAGES = {"en": "English", "es": "Español"}
PAPERS = {"letter": "US Letter", "a4": "A4"}
AUDIENCES = (("patient", "For patients"), ("physician", "For physicians"))


def thumb_file(pdf_file: str) -> str:
    """out/-relative path of a PDF's thumbnail: thumbs/<name>.png."""
    return f"{THUMBS}/{pdf_file.removesuffix('.pdf')}.png"


def _options(label: str, name: str, values: dict[str, str]) -> str:
    items = "".join(f'<option value="{escape(k)}">{escape(v)}</option>'
                    for k, v in sorted(values.items(), key=lambda kv: kv[1].lower()))
    return (f'<label>{label} <select id="filter-{name}" data-filter="{name}">'
            f'<option value="">All</option>{items}</select></label>')


def _card(entry: dict[str, Any]) -> str:
    file, name = entry["file"], entry["file"].removesuffix(".pdf")
    pages = entry.get("pages", 0)
    details = [entry.get("subject_name", entry.get("subject", "")),
               LANGUAGES.get(entry["language"], entry["language"]),
               PAPERS.get(entry["paper"], entry["paper"])]
    if entry.get("variant", "office") != "office":
        details.append(entry["variant"])
    if entry.get("location_name"):
        details.append(entry["location_name"])
    thumb = entry.get("thumb")
    image = (f'<img src="{escape(thumb)}" alt="First page of {escape(entry.get("title", name))}"'
             f' width="120" loading="lazy">' if thumb else '<div class="nothumb"></div>')
    reviewed = entry.get("reviewed_on", "")
    return f"""<li class="card" data-condition="{escape(entry.get('subject', ''))}"
 data-language="{escape(entry['language'])}" data-audience="{escape(entry.get('audience', ''))}">
 <a class="thumb" href="{escape(file)}" tabindex="-1" aria-hidden="true">{image}</a>
 <div class="about">
  <h3>{escape(entry.get('title', name))}</h3>
  <p class="details">{' · '.join(escape(d) for d in details if d)}</p>
  <p class="details">{pages} page{'s' * (pages != 1)}{' · reviewed ' + escape(reviewed)
                                                       if reviewed else ''}</p>
  <p class="file">{escape(file)}</p>
  <p class="actions"><a class="button" href="{escape(file)}" target="_blank"
   aria-label="Open {escape(name)}">Open</a>
   <button type="button" class="button print" data-pdf="{escape(file)}"
   aria-label="Print {escape(name)}">Print</button></p>
 </div>
</li>"""


def index_html(entries: list[dict[str, Any]]) -> str:
    """The shelf page for these manifest entries (grouped by audience, filterable)."""
    conditions = {e.get("subject", ""): e.get("subject_name", e.get("subject", ""))
                  for e in entries}
    languages = {e["language"]: LANGUAGES.get(e["language"], e["language"]) for e in entries}
    audiences = {a: label for a, label in AUDIENCES if any(e.get("audience") == a for e in entries)}
    groups = []
    for audience, label in AUDIENCES:
        cards = [_card(e) for e in sorted(entries, key=_shelf_order)
                 if e.get("audience", "physician") == audience]
        if cards:
            groups.append(f'<section class="group" data-group="{audience}" aria-label="{label}">'
                          f'<h2>{label}</h2><ul class="cards">{"".join(cards)}</ul></section>')
    filters = (_options("Condition", "condition", conditions)
               + _options("Language", "language", languages)
               + _options("Audience", "audience", audiences))
    return PAGE.format(filters=filters, groups="\n".join(groups), total=len(entries),
                       style=STYLE, script=SCRIPT)


VARIANT_ORDER = ("office", "large-print", "print-shop")  # what the front desk prints first


def _shelf_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """By condition, then language, then the office copy before large print and print-shop."""
    variant = entry.get("variant", "office")
    rank = VARIANT_ORDER.index(variant) if variant in VARIANT_ORDER else len(VARIANT_ORDER)
    return (entry.get("subject_name", ""), entry.get("language", ""), entry.get("paper", ""),
            rank, entry.get("location", ""), entry["file"])


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
<p>Choose a document, then <strong>Open</strong> it or <strong>Print</strong> it.</p>
<form class="filters" role="search" aria-label="Filter documents" onsubmit="return false">
{filters}
<button type="reset" class="button secondary" id="filter-reset">Show all</button>
</form>
<p id="count" role="status" aria-live="polite">Showing {total} of {total} documents</p>
</header>
<main>
{groups}
<p id="none" hidden>No document matches these filters.</p>
</main>
<iframe id="printer" title="Printing" hidden></iframe>
<script>{script}</script>
</body>
</html>
"""

STYLE = """
:root { --ink: #1b1b1b; --muted: #4a4a4a; --brand: #1f4e6b; --line: #c9d2d8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { padding: 1rem 1.5rem; border-bottom: 2px solid var(--line); background: #f4f7f9; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; color: var(--brand); }
header p { margin: .25rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; margin: .75rem 0; }
.filters label { display: flex; flex-direction: column; font-weight: 600; gap: .2rem; }
select { font: inherit; padding: .35rem .5rem; border: 2px solid var(--muted);
  border-radius: 4px; background: #fff; color: var(--ink); min-width: 12rem; }
main { padding: 0 1.5rem 2rem; }
h2 { font-size: 1.3rem; margin: 1.25rem 0 .5rem; color: var(--brand); }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); }
.card { display: flex; gap: 1rem; padding: .75rem; border: 1px solid var(--line);
  border-radius: 6px; background: #fff; }
.card[hidden], .group[hidden] { display: none; }
.thumb img, .nothumb { display: block; width: 120px; min-height: 150px;
  border: 1px solid var(--line); background: #fafafa; }
.about h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.details { margin: .1rem 0; color: var(--muted); }
.file { margin: .1rem 0; font-size: .8rem; color: var(--muted); word-break: break-all; }
.actions { margin: .5rem 0 0; display: flex; gap: .5rem; }
.button { font: inherit; font-weight: 600; display: inline-block; padding: .35rem 1rem;
  border-radius: 4px; border: 2px solid var(--brand); background: var(--brand); color: #fff;
  text-decoration: none; cursor: pointer; }
.button.secondary, .button.print { background: #fff; color: var(--brand); }
a:focus-visible, button:focus-visible, select:focus-visible {
  outline: 3px solid #c8702a; outline-offset: 2px; }
@media print { header, .actions { display: none; } }
"""

SCRIPT = """
(function () {
  var selects = Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  var cards = Array.prototype.slice.call(document.querySelectorAll('.card'));
  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var ok = selects.every(function (s) {
        return !s.value || card.dataset[s.dataset.filter] === s.value;
      });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll('.group').forEach(function (group) {
      group.hidden = !group.querySelector('.card:not([hidden])');
    });
    document.getElementById('count').textContent =
      'Showing ' + shown + ' of ' + cards.length + ' documents';
    document.getElementById('none').hidden = shown > 0;
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  document.getElementById('filter-reset').addEventListener('click', function () {
    setTimeout(apply, 0);
  });
  var printer = document.getElementById('printer');
  document.querySelectorAll('.print').forEach(function (button) {
    button.addEventListener('click', function () {
      var pdf = button.dataset.pdf;
      printer.onload = function () {
        try { printer.contentWindow.focus(); printer.contentWindow.print(); }
        catch (e) { window.open(pdf, '_blank'); }  // file:// pages may not script the frame
      };
      printer.src = pdf;
    });
  });
  apply();
})();
"""
