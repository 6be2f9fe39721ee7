// Connections: one page at a time from GET /api/v1/connections, which searches, sorts, pages and counts on the
// server (a node may hold tens of thousands of connections; the page never holds more than one page of them).
// The page refreshes itself every few seconds while shown, and at once after a kick.

import { h, append, setText, say, coalesce, fmtDuration, fmtNumber, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { on } from '../live.js';
import { askKick } from '../dialogs.js';

const PAGE_SIZE = 50;
/** The current page is fetched again this often while shown (and never while a fetch is under way). */
const REFRESH_MS = 2000;
/** Typing settles this long before the search is sent. */
const DEBOUNCE_MS = 150;

// `sort`: the server's sort key; `flip`: the column's natural order is the key's reverse ("connected for" grows as
// connectedAt shrinks). Columns without `sort` are not sortable on the server.
const COLUMNS = [
  { key: 'user', label: 'User', sort: 'user', value: (c) => c.user },
  { key: 'name', label: 'Name', value: (c) => c.name || '' },
  { key: 'address', label: 'Address', value: (c) => c.remoteAddress || '' },
  { key: 'agent', label: 'User agent', value: (c) => c.userAgent || '', cls: 'agent' },
  { key: 'rooms', label: 'Rooms', value: (c) => c.rooms.join(', '), cls: 'rooms' },
  { key: 'node', label: 'Node', value: (c) => c.node || '', cls: 'node' },
  { key: 'age', label: 'Connected for', num: true, sort: 'connectedAt', flip: true, text: (c, now) => fmtDuration((now - c.connectedAt) / 1000) },
  { key: 'in', label: 'Msgs in', num: true, sort: 'framesIn', text: (c) => fmtNumber(c.messagesIn || 0), title: 'Frames received from the client' },
  { key: 'out', label: 'Msgs out', num: true, sort: 'framesOut', text: (c) => fmtNumber(c.messagesOut || 0), title: 'Frames sent to the client' },
  { key: 'queued', label: 'Queue', num: true, sort: 'queued', text: (c) => fmtNumber(c.queued || 0), title: 'Frames waiting in the outbox' },
];

// Search and sort survive navigation within the page's lifetime; the page position does not. A link with
// parameters (#/connections?node=n2, from the Nodes page) sets the filters it names.
const sort = { key: 'age', dir: 'desc' };
const filters = { q: '', room: '', node: '' };

export function mount(root, { session, params }) {
  const canOperate = session.canOperate;
  if (params) {
    for (const key of Object.keys(filters)) if (params.has(key)) filters[key] = params.get(key);
  }
  const status = h('p', { id: 'connections-status', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const count = h('p', { id: 'connections-count', class: 'muted' });
  const empty = h('p', { id: 'connections-empty', class: 'empty', hidden: true });
  const loadError = h('p', { id: 'connections-error', class: 'notice error', role: 'alert', hidden: true });

  const filterInput = (key, id, label, placeholder) => {
    const input = h('input', { id, type: 'search', value: filters[key], placeholder, autocomplete: 'off', spellcheck: 'false' });
    input.addEventListener('input', () => {
      filters[key] = input.value;
      search();
    });
    return h('div', { class: 'field' }, h('label', { for: id }, label), input);
  };

  const headCells = COLUMNS.map((col) => {
    if (!col.sort) return h('th', { scope: 'col', dataset: { key: col.key } }, col.label);
    const button = h('button', { type: 'button', class: 'sort', dataset: { key: col.key }, title: col.title || null }, col.label,
      h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
    button.addEventListener('click', () => {
      if (sort.key === col.key) sort.dir = sort.dir === 'asc' ? 'desc' : 'asc';
      else {
        sort.key = col.key;
        sort.dir = col.num ? 'desc' : 'asc';
      }
      firstPage();
    });
    return h('th', { scope: 'col', class: col.num ? 'num' : null, dataset: { key: col.key } }, button);
  });
  const tbody = h('tbody');
  const table = h('table', { id: 'connections', class: 'data stack' },
    h('caption', { class: 'visually-hidden' }, 'Live chat connections'),
    h('thead', null, h('tr', null, headCells, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    tbody);
  const prevButton = h('button', { type: 'button', id: 'connections-prev', class: 'secondary', disabled: true }, 'Previous');
  const nextButton = h('button', { type: 'button', id: 'connections-next', class: 'secondary', disabled: true }, 'Next');
  const pageNote = h('span', { id: 'connections-page', class: 'muted' });

  append(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Connections'),
      h('p', { class: 'muted' }, 'Every open chat connection, searched and sorted on the server, refreshed every few seconds. Kicked clients may reconnect; ban a user to keep them out.')),
    canOperate ? null : h('p', { class: 'notice' }, 'You are signed in as a viewer: kicking is disabled.'),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      filterInput('q', 'connections-search', 'Search', 'user, name, id, address or user agent'),
      filterInput('room', 'filter-room', 'Room', 'exact room name'),
      filterInput('node', 'filter-node', 'Node', 'exact node id')),
    status,
    loadError,
    count,
    h('div', { class: 'table-wrap' }, table),
    empty,
    h('div', { class: 'actions pager' }, prevButton, nextButton, pageNote),
  );

  const rows = new Map(); // id → {tr, cells[], kick, kickUser}
  let items = [];
  let total = null;
  // Cursors of the pages before this one (null: the first page), so "Previous" goes back exactly.
  let cursors = [];
  let cursor = null;
  let nextCursor = null;
  let loaded = false;
  let inFlight = null; // the request sequence number under way
  let seq = 0;
  let lastLoad = 0;
  let stopped = false;

  function createRow(c) {
    const cells = COLUMNS.map((col) => h('td', { class: [col.num ? 'num' : null, col.cls].filter(Boolean).join(' ') || null, dataset: { col: col.key, label: col.label } }));
    const kick = h('button', { type: 'button', class: 'kick small danger', disabled: !canOperate,
      title: canOperate ? 'Close this connection' : 'Needs the operator role' }, 'Kick');
    const kickUser = h('button', { type: 'button', class: 'kick-user small secondary', disabled: !canOperate,
      title: canOperate ? "Close every connection of this user" : 'Needs the operator role' }, 'Kick user');
    const tr = h('tr', { dataset: { id: c.id, user: c.user } }, cells, h('td', { class: 'row-actions', dataset: { label: '' } }, kick, kickUser));
    const row = { tr, cells, kick, kickUser };
    rows.set(c.id, row);
    return row;
  }

  function updateRow(row, c, now) {
    COLUMNS.forEach((col, i) => {
      const text = col.text ? col.text(c, now) : col.value(c);
      setText(row.cells[i], text);
      if (col.key === 'agent' || col.key === 'rooms') row.cells[i].title = text;
    });
    row.kick.setAttribute('aria-label', `Kick connection ${c.id} of ${c.user}`);
    row.kickUser.setAttribute('aria-label', `Kick every connection of ${c.user}`);
  }

  function query(withCursor) {
    const col = COLUMNS.find((c) => c.key === sort.key && c.sort) || COLUMNS.find((c) => c.key === 'age');
    const asc = sort.dir === 'asc';
    const p = new URLSearchParams();
    if (filters.q.trim()) p.set('q', filters.q.trim());
    if (filters.room.trim()) p.set('room', filters.room.trim());
    if (filters.node.trim()) p.set('node', filters.node.trim());
    p.set('sort', col.sort);
    p.set('order', asc !== Boolean(col.flip) ? 'asc' : 'desc');
    p.set('limit', String(PAGE_SIZE));
    if (withCursor) p.set('cursor', withCursor);
    return `/api/v1/connections?${p}`;
  }

  /** Fetches the current page (same cursor); answers that arrive after a newer request was sent are dropped. */
  async function load() {
    const mine = ++seq;
    inFlight = mine;
    lastLoad = Date.now();
    count.dataset.loading = 'true';
    try {
      const page = await request('GET', query(cursor));
      if (mine !== seq || stopped) return;
      if (page.items.length === 0 && cursor !== null && page.total > 0) {
        // This page emptied (connections left): step back rather than show an empty page among full ones.
        cursor = cursors.pop() ?? null;
        load();
        return;
      }
      items = page.items;
      total = page.total;
      nextCursor = page.nextCursor;
      loaded = true;
      loadError.hidden = true;
      render();
    } catch (e) {
      if (mine !== seq || stopped) return;
      loadError.hidden = false;
      setText(loadError, e.status === 400 ? `The search was refused: ${describe(e)}` : `Connections are unavailable: ${describe(e)}`);
      if (e.status === 400 && cursor !== null) {
        cursors = [];
        cursor = null;
      }
    } finally {
      if (inFlight === mine) {
        inFlight = null;
        delete count.dataset.loading;
      }
    }
  }

  function firstPage() {
    search.cancel();
    cursors = [];
    cursor = null;
    renderHead();
    load();
  }
  const search = coalesce(firstPage, DEBOUNCE_MS);

  prevButton.addEventListener('click', () => {
    if (cursors.length === 0) return;
    cursor = cursors.pop();
    load();
  });
  nextButton.addEventListener('click', () => {
    if (!nextCursor) return;
    cursors.push(cursor);
    cursor = nextCursor;
    load();
  });

  function renderHead() {
    for (const th of headCells) {
      const active = th.dataset.key === sort.key;
      if (!th.querySelector('.sort-mark')) continue;
      th.setAttribute('aria-sort', active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      setText(th.querySelector('.sort-mark'), active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
    }
  }

  function render() {
    const now = Date.now();
    const keep = new Set(items.map((c) => c.id));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    let prev = null;
    for (const c of items) {
      const row = rows.get(c.id) || createRow(c);
      updateRow(row, c, now);
      const expected = prev ? prev.nextSibling : tbody.firstChild;
      if (row.tr !== expected) tbody.insertBefore(row.tr, expected); // moves only rows out of place (keeps focus)
      prev = row.tr;
    }
    renderHead();
    const filtered = filters.q.trim() || filters.room.trim() || filters.node.trim();
    let summary;
    if (!loaded) summary = 'Loading connections…';
    else if (filtered) summary = `${fmtNumber(total)} ${total === 1 ? 'connection matches' : 'connections match'}.`;
    else summary = `${fmtNumber(total)} ${total === 1 ? 'connection' : 'connections'}.`;
    setText(count, summary);
    count.dataset.total = total === null ? '' : String(total);
    const first = cursors.length * PAGE_SIZE + 1;
    setText(pageNote, items.length > 0 ? `${fmtNumber(first)}–${fmtNumber(first + items.length - 1)} of ${fmtNumber(total)}` : '');
    prevButton.disabled = cursors.length === 0;
    nextButton.disabled = !nextCursor;
    table.hidden = items.length === 0;
    empty.hidden = items.length > 0 || !loaded;
    setText(empty, filtered ? 'No connection matches this search.' : 'No chat connections right now. They appear here as soon as a client connects.');
  }

  tbody.addEventListener('click', async (ev) => {
    const button = ev.target.closest('button');
    if (!button || button.disabled) return;
    const tr = button.closest('tr');
    const id = tr.dataset.id;
    const user = tr.dataset.user;
    const c = items.find((x) => x.id === id);
    if (button.classList.contains('kick')) {
      const answer = await askKick(`Close connection ${id} of user “${user}”${c && c.remoteAddress ? ` from ${c.remoteAddress}` : ''}? The client may reconnect.`, 'Kick connection');
      if (!answer) return;
      say(status, 'Kicking…', 'busy');
      try {
        const q = answer.reason ? `?reason=${encodeURIComponent(answer.reason)}` : '';
        const r = await request('DELETE', `/api/v1/connections/${seg(id)}${q}`);
        say(status, r && r.kicked ? `Kicked connection ${id} of ${user}.` : `Connection ${id} was already closing.`, 'ok');
      } catch (e) {
        say(status, e.status === 404 ? `Connection ${id} is already gone.` : describe(e), 'error');
      }
      load();
    } else if (button.classList.contains('kick-user')) {
      let n = null;
      try {
        n = (await request('GET', `/api/v1/connections?user=${encodeURIComponent(user)}&limit=1`)).total;
      } catch (e) {
        n = null; // the question still makes sense without the number
      }
      const open = n === null ? '' : ` (${fmtNumber(n)} ${n === 1 ? 'connection' : 'connections'} open now)`;
      const answer = await askKick(`Close every connection of user “${user}”${open}? They may reconnect.`, 'Kick user');
      if (!answer) return;
      say(status, 'Kicking…', 'busy');
      try {
        const r = await request('POST', `/api/v1/users/${seg(user)}/kick`, answer.reason ? { reason: answer.reason } : {});
        say(status, `Kicked ${plural(r ? r.kicked : 0, 'connection')} of ${user}.`, 'ok');
      } catch (e) {
        say(status, describe(e), 'error');
      }
      load();
    }
  });

  // Live without holding every connection: the stats tick (every second) refreshes the page at most every
  // REFRESH_MS, and never stacks requests; a hidden tab does not refresh.
  function tick() {
    if (inFlight !== null || document.hidden || Date.now() - lastLoad < REFRESH_MS) return;
    load();
  }
  const timer = setInterval(tick, 500);

  render();
  load();
  const offs = [on('status', (s) => { if (s === 'live') tick(); })];
  return () => {
    stopped = true;
    clearInterval(timer);
    search.cancel();
    offs.forEach((off) => off());
  };
}
