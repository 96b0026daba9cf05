// The live portfolio page: polls /api/portfolio.json and renders the table with the
// filters applied. Only textContent and createElement: no value from the JSON is markup.
(function () {
  'use strict';
  var every = Number(document.body.getAttribute('data-refresh-ms')) || 5000;
  var data = null;
  var $ = function (id) { return document.getElementById(id); };
  $('every').textContent = (every / 1000) + ' s';

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function fillOptions(select, values) {
    var current = select.value;
    var keep = select.options[0];
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (v) { var o = el('option', v); o.value = v; select.appendChild(o); });
    select.value = values.indexOf(current) >= 0 ? current : '';
    void keep;
  }

  function uniq(list) { return list.filter(function (v, i) { return v !== null && list.indexOf(v) === i; }).sort(); }

  function matches(row) {
    var status = $('f-status').value, health = $('f-health').value, layer = $('f-layer').value;
    var text = $('f-text').value.trim().toLowerCase();
    if (status && row.status !== status) return false;
    if (health && (row.health ? row.health.status : 'unknown') !== health) return false;
    if (layer && row.layer !== layer) return false;
    if ($('f-flagged').checked && !row.overlaps.some(function (o) { return o.flags.length > 0; })) return false;
    if (text && row.id.toLowerCase().indexOf(text) < 0 && row.name.toLowerCase().indexOf(text) < 0) return false;
    return true;
  }

  function render() {
    if (!data) return;
    var body = $('portfolio').tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    var shown = data.experiments.filter(matches);
    shown.forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-experiment', r.id);
      var name = el('td');
      var link = el('a', r.id);
      link.href = 'experiments/' + encodeURIComponent(r.id) + '.html';
      name.appendChild(link);
      name.appendChild(el('div', r.name, 'muted'));
      tr.appendChild(name);
      tr.appendChild(el('td', r.status, 'col-status'));
      var h = r.health;
      var ht = el('td', h ? h.score + ' · ' + h.status : '–', 'col-health health-' + (h ? h.status : 'unknown'));
      if (h && h.flags.length) ht.title = h.flags.join(', ');
      tr.appendChild(ht);
      tr.appendChild(el('td', r.decision || '–', 'col-decision'));
      tr.appendChild(el('td', r.looks.taken + (r.looks.planned ? ' / ' + r.looks.planned : ''), 'col-looks'));
      tr.appendChild(el('td', r.alphaSpent === null ? '–' : r.alphaSpent.toFixed(4), 'col-alpha'));
      tr.appendChild(el('td', r.layer ? r.layer + ' (' + Math.round(r.traffic * 100) + '%)' : '–', 'col-layer'));
      tr.appendChild(el('td', r.start + ' → ' + r.end, 'col-window'));
      var ov = el('td', null, 'col-overlaps');
      if (!r.overlaps.length) ov.textContent = '–';
      r.overlaps.forEach(function (o, i) {
        if (i) ov.appendChild(document.createTextNode(', '));
        ov.appendChild(document.createTextNode(o.with + ' (' + o.usersBoth + ')'));
        o.flags.forEach(function (f) { ov.appendChild(el('span', f, 'flag')); });
      });
      tr.appendChild(ov);
      tr.appendChild(el('td', r.lastBuild || 'never', 'col-build'));
      body.appendChild(tr);
    });
    $('summary').textContent = shown.length + ' of ' + data.experiments.length + ' experiments' + (data.asOf ? ' · health as of ' + data.asOf : '');
    var notes = $('notes');
    while (notes.firstChild) notes.removeChild(notes.firstChild);
    data.notes.forEach(function (n) { notes.appendChild(el('div', n, 'note')); });
  }

  function refresh() {
    fetch('api/portfolio.json', { cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
      .then(function (json) {
        data = json;
        fillOptions($('f-status'), uniq(json.experiments.map(function (r) { return r.status; })));
        fillOptions($('f-layer'), uniq(json.experiments.map(function (r) { return r.layer; })));
        $('portfolio').classList.remove('stale');
        $('refreshed').textContent = json.generatedAt;
        render();
      })
      .catch(function (err) {
        $('portfolio').classList.add('stale');
        $('refreshed').textContent = 'failed (' + err.message + '), retrying';
      })
      .then(function () { setTimeout(refresh, every); });
  }

  ['f-status', 'f-health', 'f-layer', 'f-flagged', 'f-text'].forEach(function (id) {
    $(id).addEventListener('input', render);
    $(id).addEventListener('change', render);
  });
  $('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  refresh();
})();
