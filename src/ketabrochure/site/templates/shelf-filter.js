// The filters: kept in the page's URL (#condition=ptsd&...), restored from it.
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
  form.addEventListener('submit', function (event) { event.preventDefault(); apply(); });
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
