// The lineage page's behaviour: pan, zoom, select a node (side panel with its SQL,
// ancestors and descendants highlighted), search. Plain browser JavaScript, no
// dependencies; all data comes from the JSON embedded in the page and is shown as text.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('xp-graph').textContent);
  var svg = document.querySelector('svg.lineage');
  var viewport = svg.querySelector('g.viewport');
  var panel = document.getElementById('panel');
  var panelBody = document.getElementById('panel-body');
  var search = document.getElementById('search');
  var results = document.getElementById('search-results');
  var byId = new Map();
  var elById = new Map();
  var parents = new Map();
  var children = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); parents.set(n.id, []); children.set(n.id, []); });
  data.edges.forEach(function (e) { children.get(e.from).push(e.to); parents.get(e.to).push(e.from); });
  svg.querySelectorAll('g.node').forEach(function (g) { elById.set(g.getAttribute('data-id'), g); });
  var edgeEls = Array.prototype.slice.call(svg.querySelectorAll('path.edge'));

  // ---- pan and zoom: one transform on the viewport group ----
  var view = { k: 1, x: 0, y: 0 };
  var graphW = Number(svg.getAttribute('data-width')) || 1;
  var graphH = Number(svg.getAttribute('data-height')) || 1;
  function apply() { viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 800, h: r.height || 600 }; }
  function clampK(k) { return Math.min(4, Math.max(0.05, k)); }
  function zoomAt(factor, px, py) {
    var k = clampK(view.k * factor);
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  // the width the side panel covers on the right, when it is open
  function covered() { return panel.hidden ? 0 : panel.getBoundingClientRect().width + 12; }
  function fit() {
    var s = size();
    var w = Math.max(200, s.w - covered());
    var k = clampK(Math.min(w / graphW, s.h / graphH, 1.2) * 0.95);
    view = { k: k, x: (w - graphW * k) / 2, y: (s.h - graphH * k) / 2 };
    apply();
  }
  // a big graph fitted whole has unreadable labels: start at a readable scale at its sources
  var READABLE = 0.55;
  function home() {
    var s = size();
    var k = Math.min(s.w / graphW, s.h / graphH, 1.2) * 0.95;
    if (k >= READABLE) return fit();
    view = { k: READABLE, x: 10, y: 10 };
    apply();
  }
  function centerOn(id) {
    var g = elById.get(id);
    if (!g) return;
    var box = g.getBBox();
    var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute('transform'));
    var cx = Number(m[1]) + box.width / 2;
    var cy = Number(m[2]) + box.height / 2;
    var s = size();
    // centre in the part of the graph the side panel leaves visible
    view.k = Math.max(view.k, 0.8);
    view.x = (s.w - covered()) / 2 - cx * view.k;
    view.y = s.h / 2 - cy * view.k;
    apply();
  }
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  var dragged = false;
  svg.addEventListener('pointerdown', function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
    dragged = false;
  });
  window.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x;
    var dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) dragged = true;
    if (dragged) {
      svg.classList.add('panning');
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      apply();
    }
  });
  window.addEventListener('pointerup', function () { drag = null; svg.classList.remove('panning'); });
  function centerOfSvg() { var s = size(); return [s.w / 2, s.h / 2]; }
  document.getElementById('zoom-in').addEventListener('click', function () { var c = centerOfSvg(); zoomAt(1.25, c[0], c[1]); });
  document.getElementById('zoom-out').addEventListener('click', function () { var c = centerOfSvg(); zoomAt(0.8, c[0], c[1]); });
  document.getElementById('zoom-fit').addEventListener('click', fit);

  // ---- selection ----
  function walk(start, edges) {
    var seen = new Set();
    var pending = (edges.get(start) || []).slice();
    while (pending.length) {
      var n = pending.pop();
      if (seen.has(n)) continue;
      seen.add(n);
      (edges.get(n) || []).forEach(function (x) { pending.push(x); });
    }
    return seen;
  }
  function clearSelection() {
    svg.classList.remove('has-selection');
    elById.forEach(function (g) { g.classList.remove('selected', 'ancestor', 'descendant'); });
    edgeEls.forEach(function (e) { e.classList.remove('lit'); });
    panel.hidden = true;
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  }
  function select(id, center) {
    var node = byId.get(id);
    if (!node) return;
    var up = walk(id, parents);
    var down = walk(id, children);
    svg.classList.add('has-selection');
    elById.forEach(function (g, nid) {
      g.classList.toggle('selected', nid === id);
      g.classList.toggle('ancestor', up.has(nid));
      g.classList.toggle('descendant', down.has(nid));
    });
    edgeEls.forEach(function (e) {
      var a = e.getAttribute('data-from');
      var b = e.getAttribute('data-to');
      var onUp = up.has(a) && (b === id || up.has(b));
      var onDown = down.has(b) && (a === id || down.has(a));
      e.classList.toggle('lit', onUp || onDown);
    });
    showPanel(node);
    history.replaceState(null, '', '#' + encodeURIComponent(id));
    if (center) centerOn(id);
  }
  elById.forEach(function (g, id) {
    g.addEventListener('click', function (ev) { ev.stopPropagation(); if (!dragged) select(id, false); });
    g.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(id, true); } });
  });
  svg.addEventListener('click', function () { if (!dragged) clearSelection(); });
  document.getElementById('clear').addEventListener('click', clearSelection);
  document.getElementById('panel-close').addEventListener('click', clearSelection);

  // ---- the side panel: built with DOM calls and textContent only ----
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function nodeButtons(title, ids) {
    var box = el('div', { class: 'rel' });
    box.appendChild(el('h3', {}, title + ' (' + ids.length + ')'));
    var p = el('p', { class: 'chips' });
    ids.forEach(function (nid) {
      var n = byId.get(nid);
      var b = el('button', { type: 'button', class: 'chip kind-' + n.kind, 'data-id': nid }, n.label);
      b.addEventListener('click', function () { select(nid, true); });
      p.appendChild(b);
    });
    if (!ids.length) p.appendChild(el('span', { class: 'missing' }, 'none'));
    box.appendChild(p);
    return box;
  }
  function showPanel(n) {
    panelBody.textContent = '';
    panelBody.appendChild(el('p', { class: 'kind kind-' + n.kind }, n.kind));
    panelBody.appendChild(el('h2', {}, n.label));
    panelBody.appendChild(el('p', { class: 'where' }, n.detail));
    if (n.description) panelBody.appendChild(el('p', { class: 'description' }, n.description));
    var open = el('a', { class: 'action', href: n.href }, n.kind === 'model' ? 'open the model page' : 'open its page');
    panelBody.appendChild(open);
    var dl = el('dl', { class: 'facts' });
    n.facts.forEach(function (f) { dl.appendChild(el('dt', {}, f[0])); dl.appendChild(el('dd', {}, f[1])); });
    panelBody.appendChild(dl);
    panelBody.appendChild(nodeButtons('Upstream', parents.get(n.id)));
    panelBody.appendChild(nodeButtons('Downstream', children.get(n.id)));
    if (n.sql) {
      var tabs = el('div', { class: 'tabs', role: 'tablist' });
      var pre = el('pre', { class: 'sql-code' });
      var code = el('code', {});
      pre.appendChild(code);
      var show = function (which) {
        code.textContent = which === 'compiled' ? (n.sql.compiled || '') : n.sql.raw;
        tabs.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === which)); });
      };
      [['compiled', 'Compiled SQL'], ['raw', 'Source']].forEach(function (t) {
        var b = el('button', { type: 'button', role: 'tab', 'data-tab': t[0] }, t[1]);
        b.addEventListener('click', function () { show(t[0]); });
        tabs.appendChild(b);
      });
      panelBody.appendChild(tabs);
      panelBody.appendChild(el('p', { class: 'where' }, n.sql.compiledLabel));
      panelBody.appendChild(pre);
      show(n.sql.compiled ? 'compiled' : 'raw');
    }
    panel.hidden = false;
  }

  // ---- search: by name, or by a metric the node computes ----
  var MAX_RESULTS = 12;
  var matches = [];
  var hidden = 0;
  var active = 0;
  var query = '';
  function metricHit(n, q) {
    return (n.metrics || []).filter(function (m) { return m.toLowerCase().indexOf(q) >= 0; });
  }
  function hits(n, q) { return n.label.toLowerCase().indexOf(q) >= 0 || metricHit(n, q).length > 0; }
  function renderResults() {
    results.textContent = '';
    matches.forEach(function (n, i) {
      var li = el('li', { role: 'option', 'data-id': n.id, 'aria-selected': String(i === active) });
      li.appendChild(el('span', { class: 'swatch kind-' + n.kind }));
      li.appendChild(el('span', { class: 'label' }, n.label));
      var byMetric = n.label.toLowerCase().indexOf(query) < 0 ? metricHit(n, query) : [];
      li.appendChild(el('span', { class: 'where' }, byMetric.length ? n.kind + ' · computes ' + byMetric.join(', ') : n.kind));
      li.addEventListener('mousedown', function (ev) { ev.preventDefault(); choose(n.id); });
      results.appendChild(li);
    });
    // the list stays short; the graph highlights every match, so say how many more it shows
    if (hidden > 0) results.appendChild(el('li', { class: 'more', 'aria-disabled': 'true' }, '+ ' + hidden + ' more, highlighted in the graph'));
    results.hidden = matches.length === 0;
  }
  function choose(id) {
    results.hidden = true;
    search.value = byId.get(id).label;
    elById.forEach(function (g) { g.classList.remove('match'); });
    select(id, true);
  }
  search.addEventListener('input', function () {
    var q = search.value.trim().toLowerCase();
    query = q;
    elById.forEach(function (g, id) { g.classList.toggle('match', q !== '' && hits(byId.get(id), q)); });
    // a name that starts with the query first, then other names, then nodes found by a metric
    var rank = function (n) { var i = n.label.toLowerCase().indexOf(q); return i === 0 ? 0 : i > 0 ? 1 : 2; };
    // nodes found by a metric keep the graph's order: the models that compute it, then the analyses
    var order = new Map(data.nodes.map(function (n, i) { return [n.id, i]; }));
    var all = q === '' ? [] : data.nodes.filter(function (n) { return hits(n, q); })
      .sort(function (a, b) {
        var r = rank(a) - rank(b);
        if (r || rank(a) === 2) return r || order.get(a.id) - order.get(b.id);
        return a.label.length - b.label.length || (a.label < b.label ? -1 : 1);
      });
    matches = all.slice(0, MAX_RESULTS);
    hidden = all.length - matches.length;
    active = 0;
    renderResults();
  });
  search.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!matches.length) return;
      active = (active + (ev.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
      renderResults();
    } else if (ev.key === 'Enter' && matches.length) {
      ev.preventDefault();
      choose(matches[active].id);
    }
  });
  search.addEventListener('blur', function () { results.hidden = true; });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') {
      search.value = '';
      matches = [];
      hidden = 0;
      renderResults();
      elById.forEach(function (g) { g.classList.remove('match'); });
      clearSelection();
    } else if (ev.key === '/' && document.activeElement !== search) {
      ev.preventDefault();
      search.focus();
    }
  });

  home();
  if (location.hash.length > 1) select(decodeURIComponent(location.hash.slice(1)), true);
  document.body.setAttribute('data-ready', 'true');
})();
