// Connections: the live table (from the stream's snapshot and deltas, counters from stats), filters, sorting,
// and kicking one connection or every connection of a user.

import { h, append, setText, say, coalesce, fmtDuration, fmtNumber, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on } from '../live.js';
import { askKick } from '../dialogs.js';

const MAX_ROWS = 500;

const COLUMNS = [
  { key: 'user', label: 'User', value: (c) => c.user },
  { key: 'name', label: 'Name', value: (c) => c.name || '' },
  { key: 'address', label: 'Address', value: (c) => c.remoteAddress || '' },
  { key: 'agent', label: 'User agent', value: (c) => c.userAgent || '', cls: 'agent' },
  { key: 'rooms', label: 'Rooms', value: (c) => c.rooms.join(', '), cls: 'rooms' },
  { key: 'age', label: 'Connected for', num: true, value: (c) => -c.connectedAt, text: (c, now) => fmtDuration((now - c.connectedAt) / 1000) },
  { key: 'in', label: 'Msgs in', num: true, value: (c) => c.messagesIn || 0, text: (c) => fmtNumber(c.messagesIn || 0), title: 'Frames received from the client' },
  { key: 'out', label: 'Msgs out', num: true, value: (c) => c.messagesOut || 0, text: (c) => fmtNumber(c.messagesOut || 0), title: 'Frames sent to the client' },
  { key: 'queued', label: 'Queue', num: true, value: (c) => c.queued || 0, text: (c) => fmtNumber(c.queued || 0), title: 'Frames waiting in the outbox' },
];

// Sort state survives navigation within the page's lifetime.
const sort = { key: 'age', dir: 'desc' };
const filters = { user: '', room: '', address: '' };

export function mount(root, { session }) {
  const canOperate = session.canOperate;
  const status = h('p', { id: 'connections-status', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const count = h('p', { id: 'connections-count', class: 'muted' });
  const empty = h('p', { id: 'connections-empty', class: 'empty', hidden: true });

  const filterInput = (key, label, placeholder) => {
    const id = `filter-${key}`;
    const input = h('input', { id, type: 'search', value: filters[key], placeholder, autocomplete: 'off', spellcheck: 'false' });
    input.addEventListener('input', () => {
      filters[key] = input.value;
      render();
    });
    return h('div', { class: 'field' }, h('label', { for: id }, label), input);
  };

  const headCells = COLUMNS.map((col) => {
    const button = h('button', { type: 'button', class: 'sort', dataset: { key: col.key }, title: col.title || null }, col.label,
      h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
    button.addEventListener('click', () => {
      if (sort.key === col.key) sort.dir = sort.dir === 'asc' ? 'desc' : 'asc';
      else {
        sort.key = col.key;
        sort.dir = col.num ? 'desc' : 'asc';
      }
      render();
    });
    return h('th', { scope: 'col', class: col.num ? 'num' : null, dataset: { key: col.key } }, button);
  });
  const tbody = h('tbody');
  const table = h('table', { id: 'connections', class: 'data stack' },
    h('caption', { class: 'visually-hidden' }, 'Live chat connections'),
    h('thead', null, h('tr', null, headCells, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    tbody);

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Connections'),
      h('p', { class: 'muted' }, 'Every open chat connection, live. Kicked clients may reconnect; ban a user to keep them out.')),
    canOperate ? null : h('p', { class: 'notice' }, 'You are signed in as a viewer: kicking is disabled.'),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      filterInput('user', 'User', 'user id or name'),
      filterInput('room', 'Room', 'room name'),
      filterInput('address', 'Address', 'IP address')),
    status,
    count,
    h('div', { class: 'table-wrap' }, table),
    empty,
  );

  const rows = new Map(); // id → {tr, cells[], kick, kickUser}

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

  function matches(c) {
    const f = (v) => v.trim().toLowerCase();
    const user = f(filters.user);
    const room = f(filters.room);
    const address = f(filters.address);
    if (user && !c.user.toLowerCase().includes(user) && !(c.name || '').toLowerCase().includes(user)) return false;
    if (room && !c.rooms.some((r) => r.toLowerCase().includes(room))) return false;
    if (address && !(c.remoteAddress || '').toLowerCase().includes(address)) return false;
    return true;
  }

  function render() {
    schedule.cancel();
    const now = Date.now();
    const col = COLUMNS.find((c) => c.key === sort.key) || COLUMNS[0];
    const dir = sort.dir === 'asc' ? 1 : -1;
    const all = [...live.connections.values()];
    const list = all.filter(matches).sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const d = col.num ? va - vb : String(va).localeCompare(String(vb));
      return d !== 0 ? d * dir : a.connectedAt - b.connectedAt;
    });
    const shown = list.slice(0, MAX_ROWS);
    const keep = new Set(shown.map((c) => c.id));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    let prev = null;
    for (const c of shown) {
      const row = rows.get(c.id) || createRow(c);
      updateRow(row, c, now);
      const expected = prev ? prev.nextSibling : tbody.firstChild;
      if (row.tr !== expected) tbody.insertBefore(row.tr, expected); // moves only rows out of place (keeps focus)
      prev = row.tr;
    }
    for (const th of headCells) {
      const active = th.dataset.key === sort.key;
      th.setAttribute('aria-sort', active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      setText(th.querySelector('.sort-mark'), active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
    }
    const filtered = filters.user || filters.room || filters.address;
    let summary = filtered ? `${plural(list.length, 'connection')} match of ${all.length}.` : `${plural(all.length, 'connection')}.`;
    if (list.length > shown.length) summary += ` Showing the first ${shown.length}; narrow it down with the filters.`;
    if (live.status !== 'live' && live.snapshots === 0) summary = 'Loading connections…';
    setText(count, summary);
    table.hidden = shown.length === 0;
    empty.hidden = shown.length > 0 || (live.status !== 'live' && live.snapshots === 0);
    setText(empty, filtered ? 'No connection matches these filters.' : 'No chat connections right now. They appear here as soon as a client connects.');
  }
  const schedule = coalesce(render);

  tbody.addEventListener('click', async (ev) => {
    const button = ev.target.closest('button');
    if (!button || button.disabled) return;
    const tr = button.closest('tr');
    const c = live.connections.get(tr.dataset.id);
    const id = tr.dataset.id;
    const user = tr.dataset.user;
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
    } else if (button.classList.contains('kick-user')) {
      const n = [...live.connections.values()].filter((x) => x.user === user).length;
      const answer = await askKick(`Close every connection of user “${user}” (${plural(n, 'connection')} open now)? They may reconnect.`, 'Kick user');
      if (!answer) return;
      say(status, 'Kicking…', 'busy');
      try {
        const r = await request('POST', `/api/v1/users/${seg(user)}/kick`, answer.reason ? { reason: answer.reason } : {});
        say(status, `Kicked ${plural(r ? r.kicked : 0, 'connection')} of ${user}.`, 'ok');
      } catch (e) {
        say(status, describe(e), 'error');
      }
    }
  });

  render();
  const offs = [on('connections', schedule), on('stats', schedule), on('status', schedule)];
  return () => {
    schedule.cancel();
    offs.forEach((off) => off());
  };
}
