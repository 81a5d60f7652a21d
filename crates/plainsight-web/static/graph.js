// SPDX-License-Identifier: Apache-2.0
// Makes the network graphs drawn by plainsight-graphics (graph_svg) interactive: pan by dragging
// the background, zoom with the +/- buttons or ctrl+wheel (a plain wheel scrolls the page, as
// everywhere else), show or hide each kind of link, highlight a node with its edges and
// neighbours on hover or focus, pin a highlight by clicking a node without a link, Escape clears;
// and adds a PNG download beside the SVG one. Without this file the graph is still a picture
// with tooltips and working links, and downloads as SVG.
(() => {
  'use strict';

  const MIN_ZOOM = 0.25;
  const MAX_ZOOM = 8;
  const STEP = 1.25;

  function setup(svg) {
    const viewport = svg.querySelector('.ps-graph-viewport');
    if (!viewport || svg.dataset.psReady) return;
    svg.dataset.psReady = '1';

    // Node index (the data-node string) -> its group, and -> its neighbours and edges.
    const nodes = new Map();
    svg.querySelectorAll('.ps-node[data-node]').forEach((g) => nodes.set(g.dataset.node, g));
    const edges = Array.from(svg.querySelectorAll('.ps-edge[data-from][data-to]'));
    const links = new Map();
    nodes.forEach((_, key) => links.set(key, { near: new Set(), edges: new Set() }));
    for (const edge of edges) {
      const a = links.get(edge.dataset.from);
      const b = links.get(edge.dataset.to);
      if (!a || !b) continue;
      a.near.add(edge.dataset.to);
      a.edges.add(edge);
      b.near.add(edge.dataset.from);
      b.edges.add(edge);
    }

    let pinned = null;
    const clear = () => {
      svg.classList.remove('ps-graph-highlighting');
      svg.querySelectorAll('.ps-hl, .ps-dim').forEach((el) => el.classList.remove('ps-hl', 'ps-dim'));
    };
    const highlight = (key) => {
      clear();
      const own = key === null ? undefined : links.get(key);
      if (!own) return;
      svg.classList.add('ps-graph-highlighting');
      nodes.forEach((g, k) => g.classList.add(k === key || own.near.has(k) ? 'ps-hl' : 'ps-dim'));
      for (const edge of edges) edge.classList.add(own.edges.has(edge) ? 'ps-hl' : 'ps-dim');
    };
    // Back to the pinned highlight (or none) when the pointer or focus leaves a node.
    const restore = () => highlight(pinned);
    const nodeOf = (target) => {
      const g = target instanceof Element ? target.closest('.ps-node[data-node]') : null;
      return g && svg.contains(g) ? g : null;
    };
    const togglePin = (g) => {
      pinned = pinned === g.dataset.node ? null : g.dataset.node;
      restore();
    };

    svg.addEventListener('pointerover', (ev) => {
      const g = nodeOf(ev.target);
      if (g) highlight(g.dataset.node);
    });
    svg.addEventListener('pointerout', (ev) => {
      const g = nodeOf(ev.target);
      if (g && nodeOf(ev.relatedTarget) !== g) restore();
    });
    svg.addEventListener('focusin', (ev) => {
      const g = nodeOf(ev.target);
      if (g) highlight(g.dataset.node);
    });
    svg.addEventListener('focusout', (ev) => {
      if (!nodeOf(ev.relatedTarget)) restore();
    });
    svg.addEventListener('click', (ev) => {
      const g = nodeOf(ev.target);
      if (g && !g.querySelector('a')) togglePin(g);
    });

    // --- pan and zoom: a transform on the viewport group, in the SVG's own units ---
    const view = { x: 0, y: 0, k: 1 };
    const apply = () => {
      viewport.setAttribute('transform', `translate(${view.x.toFixed(1)} ${view.y.toFixed(1)}) scale(${view.k.toFixed(3)})`);
    };
    const toSvg = (clientX, clientY) => {
      const m = svg.getScreenCTM();
      if (!m) return { x: 0, y: 0 };
      return new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    };
    // Zooms by `factor` keeping the SVG point (px, py) where it is on screen.
    const zoom = (factor, px, py) => {
      const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.k * factor));
      view.x = px - ((px - view.x) * k) / view.k;
      view.y = py - ((py - view.y) * k) / view.k;
      view.k = k;
      apply();
    };
    const centre = () => {
      const vb = svg.viewBox.baseVal;
      return { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 };
    };
    const reset = () => {
      view.x = 0;
      view.y = 0;
      view.k = 1;
      apply();
    };

    svg.addEventListener('wheel', (ev) => {
      // Only a deliberate zoom (ctrl or cmd held, which is also what a trackpad pinch sends):
      // a plain wheel must scroll the page past the graph, not get caught by it.
      if (!ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      const p = toSvg(ev.clientX, ev.clientY);
      zoom(ev.deltaY < 0 ? STEP : 1 / STEP, p.x, p.y);
    }, { passive: false });

    let drag = null;
    svg.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0 || nodeOf(ev.target)) return;
      const p = toSvg(ev.clientX, ev.clientY);
      drag = { id: ev.pointerId, x: p.x - view.x, y: p.y - view.y };
      try {
        svg.setPointerCapture(ev.pointerId);
      } catch (_) {
        // The pointer is already gone; the drag simply ends at the next pointerup.
      }
      svg.classList.add('ps-graph-panning');
    });
    svg.addEventListener('pointermove', (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const p = toSvg(ev.clientX, ev.clientY);
      view.x = p.x - drag.x;
      view.y = p.y - drag.y;
      apply();
    });
    const endDrag = (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      drag = null;
      svg.classList.remove('ps-graph-panning');
    };
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);

    // --- keyboard: Tab moves between nodes natively (tabindex and links are in the SVG) ---
    svg.addEventListener('keydown', (ev) => {
      const g = nodeOf(ev.target);
      if (ev.key === 'Escape') {
        pinned = null;
        clear();
      } else if ((ev.key === 'Enter' || ev.key === ' ') && g && ev.target === g) {
        // Focus is on the group itself (a node without link): Enter pins. A linked node's focus
        // sits on its <a>, where Enter follows the link natively; a stray link inside a focused
        // group is followed here.
        const a = g.querySelector('a');
        ev.preventDefault();
        if (a) window.location.assign(a.getAttribute('href') || a.getAttribute('xlink:href'));
        else togglePin(g);
      } else if (ev.key === '+' || ev.key === '=') {
        const c = centre();
        zoom(STEP, c.x, c.y);
      } else if (ev.key === '-') {
        const c = centre();
        zoom(1 / STEP, c.x, c.y);
      } else if (ev.key === '0') {
        reset();
      }
    });

    // --- the +/- buttons, before the SVG so keyboard users meet them first ---
    const controls = document.createElement('div');
    controls.className = 'ps-graph-controls';
    controls.setAttribute('role', 'toolbar');
    controls.setAttribute('aria-label', 'Graph view');
    const button = (text, label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.title = label;
      b.setAttribute('aria-label', label);
      b.addEventListener('click', action);
      controls.appendChild(b);
    };
    button('+', 'Zoom in', () => { const c = centre(); zoom(STEP, c.x, c.y); });
    button('\u2212', 'Zoom out', () => { const c = centre(); zoom(1 / STEP, c.x, c.y); });
    button('Reset', 'Reset view', reset);

    // --- show or hide each kind of link; an identifier whose every link is hidden goes too ---
    const kinds = Array.from(new Set(edges.map((e) => e.dataset.kind).filter(Boolean))).sort();
    const hidden = new Set();
    const applyFilter = () => {
      for (const edge of edges) edge.classList.toggle('ps-filtered', hidden.has(edge.dataset.kind));
      nodes.forEach((g, key) => {
        if (g.classList.contains('ps-node-ad')) return;
        const own = links.get(key);
        const all = own ? Array.from(own.edges) : [];
        g.classList.toggle('ps-filtered', all.length > 0 && all.every((e) => hidden.has(e.dataset.kind)));
      });
    };
    if (kinds.length > 1) {
      const filter = document.createElement('fieldset');
      filter.className = 'ps-graph-filter';
      const legend = document.createElement('legend');
      legend.textContent = 'Links shown';
      filter.appendChild(legend);
      for (const kind of kinds) {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = true;
        box.value = kind;
        box.addEventListener('change', () => {
          if (box.checked) hidden.delete(kind);
          else hidden.add(kind);
          applyFilter();
        });
        label.appendChild(box);
        label.appendChild(document.createTextNode(' ' + kind.replace(/_/g, ' ')));
        filter.appendChild(label);
      }
      controls.appendChild(filter);
    }
    svg.parentNode.insertBefore(controls, svg);
  }

  // --- PNG export, beside the SVG download: the browser draws the audited SVG file into a
  // canvas and saves that (the server bundles no fonts to rasterise with). The file is fetched,
  // not read off the page, so the export is audited like the SVG one and carries its legend. ---
  const PNG_SCALE = 2; // twice the drawing's size, sharp enough to print

  const pngName = (response) => {
    const m = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '');
    return (m ? m[1] : 'network-graph.svg').replace(/\.svg$/, '') + '.png';
  };

  const svgToPng = async (href) => {
    const response = await fetch(href, { credentials: 'same-origin', redirect: 'manual' });
    // A redirect here is to the sign-in page: the session has ended.
    if (response.type === 'opaqueredirect') throw new Error('sign in again first');
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const text = await response.text();
    const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const width = parseFloat(root.getAttribute('width'));
    const height = parseFloat(root.getAttribute('height'));
    if (!(width > 0 && height > 0)) throw new Error('the drawing has no size');
    // A data: URL, which the page's CSP allows for images (img-src 'self' data:), and which
    // leaves the canvas readable.
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error('the drawing could not be read'));
      image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * PNG_SCALE);
    canvas.height = Math.round(height * PNG_SCALE);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff'; // a PNG viewer's background is not the page's
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve, reject) => {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser made no PNG'))), 'image/png');
    });
    return { blob, name: pngName(response) };
  };

  const addPngButton = (link) => {
    if (link.dataset.psPng) return;
    link.dataset.psPng = '1';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link ps-graph-png';
    button.textContent = 'Download the graph (PNG)';
    const status = document.createElement('span');
    status.className = 'ps-graph-png-status';
    status.setAttribute('role', 'status');
    button.addEventListener('click', async () => {
      button.disabled = true;
      status.textContent = ' Drawing the PNG…';
      try {
        const { blob, name } = await svgToPng(link.href);
        const url = URL.createObjectURL(blob);
        const save = document.createElement('a');
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        status.textContent = ` Saved ${name}.`;
      } catch (e) {
        status.textContent = ` No PNG: ${e.message}.`;
      } finally {
        button.disabled = false;
      }
    });
    link.after(' · ', button, status);
  };

  const init = () => {
    document.querySelectorAll('svg.ps-graph').forEach(setup);
    document.querySelectorAll('a.ps-graph-download').forEach(addPngButton);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
