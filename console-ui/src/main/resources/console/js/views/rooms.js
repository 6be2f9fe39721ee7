// Rooms: the stored rooms (paged from the API) kept live from the stream: online/connection counts, last seq and
// activity (stats ticks), rooms created, closed and reopened (room.* events); create a room.

import { h, append, setText, say, coalesce, timeEl, fmtNumber, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on, roomIndex } from '../live.js';

const PAGE = 100;
const MAX_ROOMS = 1000;
const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@#-]{0,63}$/;

export function roomHref(name) {
  return `#/rooms/${seg(name)}`;
}

export function mount(root, { session }) {
  const canOperate = session.canOperate;
  const status = h('p', { id: 'rooms-status', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const loadError = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const table = h('table', { id: 'rooms', class: 'data stack', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Rooms'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Room'),
      h('th', { scope: 'col', class: 'num' }, 'Online'),
      h('th', { scope: 'col', class: 'num' }, 'Connections'),
      h('th', { scope: 'col', class: 'num' }, 'Members'),
      h('th', { scope: 'col', class: 'num' }, 'Last seq'),
      h('th', { scope: 'col' }, 'Last activity'),
      h('th', { scope: 'col' }, 'State'))),
    tbody);
  const empty = h('p', { class: 'empty', id: 'rooms-empty' }, 'Loading rooms…');
  const more = h('button', { type: 'button', id: 'rooms-more', class: 'secondary', hidden: true }, 'Load more rooms');
  const refresh = h('button', { type: 'button', id: 'rooms-refresh', class: 'secondary' }, 'Refresh');

  const nameInput = h('input', { id: 'room-create-name', type: 'text', required: true, maxlength: 64, autocomplete: 'off',
    spellcheck: 'false', pattern: ROOM_NAME.source, 'aria-describedby': 'room-create-hint', disabled: !canOperate });
  const createButton = h('button', { type: 'submit', id: 'room-create-submit', disabled: !canOperate }, 'Create room');
  const createForm = h('form', { class: 'inline-form card', id: 'room-create', 'aria-label': 'Create a room' },
    h('div', { class: 'field' }, h('label', { for: 'room-create-name' }, 'New room'), nameInput,
      h('p', { id: 'room-create-hint', class: 'hint' },
        canOperate ? 'Up to 64 letters, digits or _ . : @ # -, starting with a letter or digit.' : 'Creating rooms needs the operator role.')),
    createButton);

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Rooms'),
      h('p', { class: 'muted' }, 'Every stored room. Online counts are live; members are users who joined and have not left.')),
    createForm,
    status,
    loadError,
    h('div', { class: 'toolbar' }, refresh),
    h('div', { class: 'table-wrap' }, table),
    empty,
    more,
  );

  const rooms = new Map(); // name → {view, tr, cells}
  let nextCursor = null;
  let loading = false;
  const reloadedFor = new Set();

  function rowFor(r) {
    let row = rooms.get(r.name);
    if (!row) {
      const link = h('a', { href: roomHref(r.name) }, r.name);
      const td = (label, cls) => h('td', { class: cls, dataset: { label } });
      const cells = {
        online: td('Online', 'num'), connections: td('Connections', 'num'), members: td('Members', 'num'),
        lastSeq: td('Last seq', 'num'), activity: td('Last activity'), state: td('State'),
      };
      const tr = h('tr', { dataset: { room: r.name } }, h('td', { class: 'title-cell', dataset: { label: '' } }, link), cells.online, cells.connections, cells.members,
        cells.lastSeq, cells.activity, cells.state);
      row = { tr, cells, view: r };
      rooms.set(r.name, row);
      // Name order, like the API's pages: rows from a page land at the end, live ones where they belong.
      let before = null;
      for (const other of tbody.children) {
        if (other.dataset.room > r.name) {
          before = other;
          break;
        }
      }
      tbody.insertBefore(tr, before);
    }
    row.view = r;
    return row;
  }

  function renderRow(row, index) {
    const r = row.view;
    const activity = live.roomActivity.get(r.name);
    if (activity) {
      r.lastSeq = Math.max(r.lastSeq || 0, activity[0]);
      r.lastActivity = Math.max(r.lastActivity || 0, activity[1]);
    }
    const liveRoom = index.get(r.name);
    setText(row.cells.online, fmtNumber(liveRoom ? liveRoom.online : 0));
    setText(row.cells.connections, fmtNumber(liveRoom ? liveRoom.connections : 0));
    setText(row.cells.members, fmtNumber(r.members));
    setText(row.cells.lastSeq, fmtNumber(r.lastSeq));
    row.cells.activity.replaceChildren(timeEl(r.lastActivity));
    row.cells.state.replaceChildren(r.closed ? h('span', { class: 'badge warn' }, 'closed') : h('span', { class: 'badge ok' }, 'open'));
  }

  function render() {
    schedule.cancel();
    const index = roomIndex();
    for (const row of rooms.values()) renderRow(row, index);
    table.hidden = rooms.size === 0;
    empty.hidden = rooms.size > 0 && !loading;
    if (rooms.size === 0) setText(empty, loading ? 'Loading rooms…' : 'No rooms yet. A room is created by its first join, or here.');
    more.hidden = !nextCursor || rooms.size >= MAX_ROOMS;
    // A room we do not list yet became active: reload when the whole list is shown (names are the sort order).
    if (!loading && !nextCursor) {
      for (const name of index.keys()) {
        if (!rooms.has(name) && !reloadedFor.has(name)) {
          reloadedFor.add(name); // once per name, so a room the store does not list cannot cause a reload loop
          reloadSoon();
          break;
        }
      }
    }
  }
  const schedule = coalesce(render);
  const reloadSoon = coalesce(() => load(true), 1000);

  // Rooms created, closed or reopened while a page is being fetched wait for it, so a reset cannot drop them.
  let pending = [];
  function applyRoom(r) {
    if (!r || !r.name) return;
    if (loading) {
      pending.push(r);
      return;
    }
    const last = tbody.lastElementChild;
    // A room beyond the pages loaded so far belongs to a later page ("Load more" brings it); the list stays capped.
    if (!rooms.has(r.name) && ((nextCursor && last && r.name > last.dataset.room) || rooms.size >= MAX_ROOMS)) return;
    rowFor(r);
    schedule();
  }

  async function load(reset) {
    if (loading) return;
    loading = true;
    more.disabled = true;
    loadError.hidden = true;
    try {
      const cursor = reset ? null : nextCursor;
      const page = await request('GET', `/api/v1/rooms?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (reset) {
        rooms.clear();
        tbody.replaceChildren();
      }
      for (const r of page.items) rowFor(r);
      nextCursor = page.nextCursor;
    } catch (e) {
      loadError.hidden = false;
      setText(loadError, `Rooms could not be loaded: ${describe(e)}`);
    } finally {
      loading = false;
      more.disabled = false;
      const waiting = pending;
      pending = [];
      waiting.forEach(applyRoom);
      render();
    }
  }

  more.addEventListener('click', () => load(false));
  refresh.addEventListener('click', () => load(true));
  createForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = nameInput.value.trim();
    if (!ROOM_NAME.test(name)) {
      say(status, 'Room names are 1 to 64 letters, digits or _ . : @ # -, starting with a letter or digit.', 'error');
      nameInput.focus();
      return;
    }
    createButton.disabled = true;
    say(status, `Creating ${name}…`, 'busy');
    try {
      const created = await request('POST', '/api/v1/rooms', { room: name });
      say(status, `Created room ${name}.`, 'ok');
      nameInput.value = '';
      applyRoom(created); // the room.created event says the same; whichever comes first makes the row
    } catch (e) {
      say(status, describe(e), 'error');
    } finally {
      createButton.disabled = false;
    }
  });

  load(true);
  let lastActivity = null;
  const offs = [
    on('rooms', schedule),
    on('room.changed', (d) => applyRoom(d.room)),
    on('stats', () => {
      // Re-render only when a listed room's last seq or activity moved.
      const now = JSON.stringify([...live.roomActivity].filter(([name]) => rooms.has(name)));
      if (now !== lastActivity) {
        lastActivity = now;
        schedule();
      }
    }),
  ];
  return () => {
    schedule.cancel();
    reloadSoon.cancel();
    offs.forEach((off) => off());
  };
}

