"""The print shelf's page: its HTML frame, style and scripts (Print in a same-page frame, the
filters kept in the URL). Data only: `shelf` fills it; `serve` shares the style and Print."""

from __future__ import annotations

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
<p id="from-file" hidden><strong>Opened as a file:</strong> here <strong>Print</strong> opens the
PDF in a new tab; print it from there (Ctrl+P, or Command+P on a Mac), with the setting
written beside the button.</p>
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
  if (location.protocol === 'file:') {  // say so: Print cannot open the dialog from here
    var note = document.getElementById('from-file');
    if (note) { note.hidden = false; }
  }
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
