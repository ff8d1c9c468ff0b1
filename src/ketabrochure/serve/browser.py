"""What `serve` sends the browser beside out/'s files: the preview page, the page shown before
the first build, and the live script that polls /_version and refreshes the page."""

from __future__ import annotations

import json

WAITING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Print shelf</title></head>
<body><main><h1>Print shelf</h1><p>No build has finished yet: this page fills in as soon
as one does.</p></main></body></html>
"""

PREVIEW = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="/">
<title>{title}: preview</title>
<style>{style}</style>
</head>
<body>
<header>
<p><a href="/">Back to the print shelf</a></p>
<h1 lang="{lang}" id="preview-title" data-live>{title}</h1>
</header>
<main>
<h2>Print it</h2>
<div id="preview-card" data-live><ul class="cards">{card}</ul></div>
<h2>Its pages</h2>
<div id="preview-pages" data-live>{pages}</div>
</main>
<iframe id="printer" title="Printing" tabindex="-1" aria-hidden="true"></iframe>
<script>{script}</script>
<script>window.KETABROCHURE_OPEN = {name}; window.KETABROCHURE_MANIFEST = {version};</script>
<script src="/_live.js"></script>
</body>
</html>
"""

PREVIEW_STYLE = """
main { max-width: 1100px; }
#preview-card .cards { grid-template-columns: minmax(0, 1fr); margin-top: 1rem; }
.page { display: block; width: 100%; max-width: 1000px; height: auto; margin: 1rem 0;
  border: 1px solid var(--line); box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
"""

LIVE_STYLE = """
#live { padding: .5rem 1.5rem; border-bottom: 2px solid #b8c4cc; background: #fff;
  font-size: .95rem; }
#live.failed { background: #fdecea; border-color: #a4161a; }
#live.building { background: #fff8e1; }
#live .live-title { margin: 0; font-weight: 700; color: #1b1b1b; }
#live.failed .live-title { color: #a4161a; }
#live ul { margin: .4rem 0 0; padding-left: 1.2rem; }
#live code { font: .85rem/1.4 ui-monospace, monospace; white-space: pre-wrap;
  word-break: break-word; color: #1b1b1b; }
#live details { margin-top: .3rem; }
"""

# Polls /_version (a long poll: it answers when the build's state changes) and, when the
# manifest changed, swaps the parts of the page marked data-live (and the shelf's cards and
# filter options) for fresh ones; shows what is building and every problem, located.
LIVE_SCRIPT = """
(function () {
  var open = window.KETABROCHURE_OPEN || '';
  var manifest = window.KETABROCHURE_MANIFEST || null;
  var since = -1;
  var style = document.createElement('style');
  style.textContent = /*STYLE*/'';
  document.head.appendChild(style);
  var box = document.createElement('section');
  box.id = 'live';
  box.setAttribute('aria-label', 'Build status');
  var heading = document.createElement('p');
  heading.className = 'live-title';
  heading.setAttribute('role', 'status');
  var list = document.createElement('ul');
  var more = document.createElement('details');
  box.appendChild(heading); box.appendChild(list); box.appendChild(more);
  document.body.insertBefore(box, document.body.firstChild);
  function lines(target, items) {
    target.textContent = '';
    items.forEach(function (d) {
      var li = document.createElement('li'), code = document.createElement('code');
      // a document over its page budget was kept in out/.rejected/: its name opens it
      var rejected = /out[/][.]rejected[/]([A-Za-z0-9_.-]+[.]pdf)/.exec(d.text);
      if (rejected) {
        var link = document.createElement('a');
        link.href = '/_rejected/' + rejected[1]; link.textContent = rejected[0];
        link.target = '_blank'; link.rel = 'noopener';
        code.appendChild(document.createTextNode(d.text.slice(0, rejected.index)));
        code.appendChild(link);
        code.appendChild(document.createTextNode(
          d.text.slice(rejected.index + rejected[0].length)));
      } else {
        code.textContent = d.text;
      }
      li.appendChild(code); target.appendChild(li);
    });
  }
  function show(s) {
    var errors = s.diagnostics.filter(function (d) { return d.severity === 'error'; });
    var warnings = s.diagnostics.filter(function (d) { return d.severity !== 'error'; });
    box.className = s.building ? 'building' : (s.failed ? 'failed' : 'ok');
    if (s.building) {
      heading.textContent = s.building.length ?
        'Building ' + s.building.join(', ') + ' first (open in this browser)…' :
        'Building every document…';
    } else if (s.failed) {
      heading.textContent = 'The build failed at ' + s.finished + ' (' + s.summary +
        '): nothing was written, so this page shows the last good build.';
    } else if (s.finished) {
      heading.textContent = 'Up to date: built at ' + s.finished + ' in ' + s.seconds +
        ' s (' + s.summary + ').';
    } else {
      heading.textContent = 'Waiting for the first build…';
    }
    if (!s.building) { lines(list, errors); }
    list.setAttribute('role', errors.length && !s.building ? 'alert' : 'list');
    more.hidden = !warnings.length || !!s.building;
    more.textContent = '';
    if (warnings.length) {
      var summary = document.createElement('summary');
      summary.textContent = warnings.length + ' warning' + (warnings.length === 1 ? '' : 's');
      var inner = document.createElement('ul');
      more.appendChild(summary); more.appendChild(inner); lines(inner, warnings);
    }
  }
  function swap(part, other) {  // an unchanged page picture (same URL) stays as it is
    var kept = {};
    part.querySelectorAll('img.page').forEach(function (img) {
      kept[img.getAttribute('src')] = img;
    });
    var nodes = Array.prototype.slice.call(other.childNodes);
    part.textContent = '';
    nodes.forEach(function (node) {
      var same = node.nodeType === 1 && node.classList.contains('page') &&
        kept[node.getAttribute('src')];
      part.appendChild(same || document.importNode(node, true));
    });
  }
  function bust(root) {  // a card's thumbnail: this build's (page pictures carry their own)
    root.querySelectorAll('.card').forEach(function (card) {
      var v = card.dataset.sha;
      card.querySelectorAll('img').forEach(function (img) {
        img.src = img.getAttribute('src').split('?')[0] + '?v=' + v;
      });
    });
  }
  function refresh() {
    if (!document.querySelector('[data-live]')) { location.reload(); return Promise.resolve(); }
    return fetch(location.pathname, {cache: 'no-store'}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, 'text/html');
      document.querySelectorAll('[data-live]').forEach(function (part) {
        var other = fresh.getElementById(part.id);
        if (other) { swap(part, other); }
      });
      fresh.querySelectorAll('select[data-filter]').forEach(function (select) {
        var mine = document.getElementById(select.id);
        if (mine) { mine.innerHTML = select.innerHTML; }
      });
      bust(document);
      previews(document);
      if (window.ketabrochureShelf) {
        window.ketabrochureShelf.restore(); window.ketabrochureShelf.apply();
      }
    });
  }
  function poll() {
    var url = '/_version?since=' + since + (open ? '&open=' + encodeURIComponent(open) : '');
    fetch(url, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      since = s.generation;
      show(s);
      var changed = s.manifest !== manifest;
      manifest = s.manifest;
      (changed ? refresh() : Promise.resolve()).catch(function () { location.reload(); })
        .then(poll);
    }).catch(function () {
      box.className = 'failed';
      heading.textContent = 'ketabrochure serve has stopped or cannot be reached; trying again…';
      setTimeout(poll, 2000);
    });
  }
  function previews(root) {  // on the shelf: each file name leads to its live preview
    if (open) { return; }
    root.querySelectorAll('.card .file').forEach(function (p) {
      if (p.querySelector('a')) { return; }
      var a = document.createElement('a'), name = p.closest('.card').dataset.name;
      a.href = '/preview/' + encodeURIComponent(name);
      a.textContent = p.textContent + ' (live preview)';
      p.textContent = ''; p.appendChild(a);
    });
  }
  bust(document);
  previews(document);
  poll();
})();
""".replace("/*STYLE*/''", json.dumps(LIVE_STYLE))
