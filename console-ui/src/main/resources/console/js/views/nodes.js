// Nodes: every node of the cluster as last heard through its periodic node info (GET /api/v1/nodes; a single node
// lists itself), refreshed every two seconds while shown. Node ids and addresses come from each node's
// configuration: they are shown as text like everything else.

import { h, append, setText, fmtDuration, fmtNumber, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { every } from '../poll.js';

/** The list is fetched again this long after the previous answer (never two requests at once). */
export const REFRESH_MS = 2000;

/** The Connections page filtered to one node's connections. */
export function nodeConnectionsHref(id) {
  return `#/connections?node=${seg(id)}`;
}

/**
 * GET /api/v1/nodes → {self, nodes, totals: {nodes, connections, notReady, draining}}: `self` is the id of the node
 * answering (the one this console is signed in to).
 */
export async function fetchNodes() {
  const r = await request('GET', '/api/v1/nodes');
  const nodes = Array.isArray(r && r.items) ? r.items : [];
  const totals = { nodes: nodes.length, connections: 0, notReady: 0, draining: 0 };
  for (const n of nodes) {
    totals.connections += n.connections || 0;
    if (!n.ready) totals.notReady++;
    if (n.draining) totals.draining++;
  }
  return { self: r ? r.node : null, nodes, totals };
}

const rate = (v) => fmtNumber(v || 0, 2);

// `text`: the cell's text; `num`: right-aligned figure.
const COLUMNS = [
  { key: 'address', label: 'Address', text: (n) => n.address || '' },
  { key: 'version', label: 'Version', text: (n) => n.version || '' },
  // The node's own clock for both ends: a browser or node clock that is off does not skew it.
  { key: 'uptime', label: 'Uptime', num: true, text: (n) => fmtDuration(((n.updatedAt || 0) - (n.startedAt || 0)) / 1000) },
  { key: 'connections', label: 'Connections', num: true, text: (n) => fmtNumber(n.connections || 0) },
  { key: 'users', label: 'Users', num: true, text: (n) => fmtNumber(n.users || 0) },
  { key: 'rooms', label: 'Rooms', num: true, text: (n) => fmtNumber(n.rooms || 0) },
  { key: 'in', label: 'Msgs in/s', num: true, text: (n) => rate(n.messagesInPerSecond), title: 'Frames received per second (one-minute average)' },
  { key: 'deliveries', label: 'Deliveries/s', num: true, text: (n) => rate(n.deliveriesPerSecond), title: 'Room and direct-message deliveries per second (one-minute average)' },
];

export function mount(root) {
  const loadError = h('p', { id: 'nodes-error', class: 'notice error', role: 'alert', hidden: true });
  const summary = h('p', { id: 'nodes-summary', class: 'muted' }, 'Loading nodes…');
  const tbody = h('tbody');
  const table = h('table', { id: 'nodes', class: 'data stack', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Nodes of the cluster'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Node'),
      COLUMNS.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, title: c.title || null }, c.label)),
      h('th', { scope: 'col' }, 'Health'),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Links')))),
    tbody);

  append(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Nodes'),
      h('p', { class: 'muted' }, 'Every node of the cluster as it last reported itself (each node reports every second), refreshed every two seconds.')),
    loadError,
    summary,
    h('div', { class: 'table-wrap' }, table),
  );

  const rows = new Map(); // node id → {tr, cells, self, health}
  let stopped = false;

  function createRow(n) {
    const self = h('span', { class: 'badge ok self-badge', hidden: true }, 'this node');
    const draining = h('span', { class: 'badge warn draining-badge', hidden: true }, 'draining');
    const id = h('span', { class: 'node-id' }, n.id);
    const cells = COLUMNS.map((c) => h('td', { class: c.num ? 'num' : null, dataset: { col: c.key, label: c.label } }));
    const state = h('span', { class: 'badge' });
    const problem = h('span', { class: 'problem' });
    const health = h('td', { class: 'health', dataset: { col: 'health', label: 'Health' } }, state, ' ', draining, ' ', problem);
    const link = h('a', { href: nodeConnectionsHref(n.id), class: 'node-connections' }, 'Connections');
    const tr = h('tr', { dataset: { node: n.id } },
      h('td', { class: 'title-cell', dataset: { col: 'id', label: '' } }, id, ' ', self),
      cells, health,
      h('td', { class: 'row-actions', dataset: { label: '' } }, link));
    const row = { tr, cells, self, draining, state, problem, link };
    rows.set(n.id, row);
    return row;
  }

  function render({ self, nodes, totals }) {
    const seen = new Set(nodes.map((n) => n.id));
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    let prev = null;
    for (const n of nodes) {
      const row = rows.get(n.id) || createRow(n);
      COLUMNS.forEach((c, i) => setText(row.cells[i], c.text(n)));
      const isSelf = n.id === self;
      row.self.hidden = !isSelf;
      row.tr.classList.toggle('self', isSelf);
      row.tr.dataset.self = String(isSelf);
      setText(row.state, n.ready ? 'ready' : 'not ready');
      row.state.classList.toggle('ok', !!n.ready);
      row.state.classList.toggle('warn', !n.ready);
      setText(row.problem, n.problem || '');
      row.draining.hidden = !n.draining;
      row.link.setAttribute('aria-label', `Connections on node ${n.id}`);
      const expected = prev ? prev.nextSibling : tbody.firstChild;
      if (row.tr !== expected) tbody.insertBefore(row.tr, expected);
      prev = row.tr;
    }
    const notes = [];
    if (totals.notReady > 0) notes.push(`${fmtNumber(totals.notReady)} not ready`);
    if (totals.draining > 0) notes.push(`${fmtNumber(totals.draining)} draining`);
    setText(summary, `${plural(totals.nodes, 'node')}, ${plural(totals.connections, 'connection')} in all${notes.length ? ` (${notes.join(', ')})` : ''}.`);
    summary.dataset.nodes = String(totals.nodes);
    summary.dataset.connections = String(totals.connections);
    table.hidden = nodes.length === 0;
  }

  const stop = every(REFRESH_MS, async () => {
    try {
      const answer = await fetchNodes();
      if (stopped) return;
      loadError.hidden = true;
      render(answer);
    } catch (e) {
      if (stopped) return;
      loadError.hidden = false;
      setText(loadError, `Nodes are unavailable: ${describe(e)}`);
    }
  });

  return () => {
    stopped = true;
    stop();
  };
}
