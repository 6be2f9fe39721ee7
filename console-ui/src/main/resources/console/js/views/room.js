// One room: state and counts, members with live online state, recent messages plus live ones (the stream is opened
// with ?room= for this page), and moderation: delete a message, broadcast to the room, close or reopen it.

import { h, append, setText, say, coalesce, timeEl, fmtNumber, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on, roomIndex, countConnections } from '../live.js';
import { askConfirm } from '../dialogs.js';

const MAX_MESSAGES = 500;
const MAX_MEMBERS = 1000;
const PAGE = 50;

export function mount(root, { session, room }) {
  const canOperate = session.canOperate;
  const base = `/api/v1/rooms/${seg(room)}`;
  let disposed = false;

  const status = h('p', { id: 'room-status', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const loadError = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const stateBadge = h('span', { id: 'room-state', class: 'badge' }, '…');
  const figures = {
    online: h('span', { class: 'stat-value', id: 'room-online' }, '–'),
    connections: h('span', { class: 'stat-value', id: 'room-connections' }, '–'),
    members: h('span', { class: 'stat-value', id: 'room-members-count' }, '–'),
    lastSeq: h('span', { class: 'stat-value', id: 'room-last-seq' }, '–'),
  };
  const figure = (label, el) => h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), el);

  const closeButton = h('button', { type: 'button', id: 'room-close', class: 'danger', hidden: true, disabled: !canOperate }, 'Close room…');
  const openButton = h('button', { type: 'button', id: 'room-open', class: 'secondary', hidden: true, disabled: !canOperate }, 'Reopen room…');

  const list = h('ol', { id: 'room-messages', class: 'messages', 'aria-label': `Messages in ${room}` });
  const listBox = h('div', { class: 'messages-box', tabindex: '0', 'aria-label': 'Message list, scrollable' }, list);
  const messagesEmpty = h('p', { class: 'empty', id: 'room-messages-empty' }, 'Loading messages…');
  const older = h('button', { type: 'button', id: 'room-older', class: 'secondary small', hidden: true }, 'Load older messages');
  const capNote = h('p', { class: 'hint', hidden: true }, `Only the newest ${MAX_MESSAGES} messages are kept on this page.`);

  const membersList = h('ul', { id: 'room-members', class: 'members' });
  const membersEmpty = h('p', { class: 'empty' }, 'Loading members…');
  const moreMembers = h('button', { type: 'button', id: 'room-members-more', class: 'secondary small', hidden: true }, 'More members');

  const castText = h('textarea', { id: 'room-broadcast-text', rows: '2', maxlength: '4000', required: true, disabled: !canOperate });
  const castSend = h('button', { type: 'submit', id: 'room-broadcast-send', disabled: !canOperate }, 'Send to room');
  const castResult = h('p', { id: 'room-broadcast-result', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const castForm = h('form', { class: 'card', id: 'room-broadcast', 'aria-labelledby': 'room-broadcast-title' },
    h('h2', { id: 'room-broadcast-title' }, 'Broadcast to this room'),
    h('div', { class: 'field' }, h('label', { for: 'room-broadcast-text' }, 'System message'), castText,
      h('p', { class: 'hint' }, canOperate ? 'Stored in the room’s history and shown to every member as a system message.' : 'Broadcasting needs the operator role.')),
    h('div', { class: 'actions' }, castSend), castResult);

  append(root, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/rooms' }, '← All rooms')),
    h('div', { class: 'page-head room-head' },
      h('h1', null, h('span', { class: 'visually-hidden' }, 'Room '), h('span', { id: 'room-name' }, room)), stateBadge,
      h('div', { class: 'actions' }, closeButton, openButton)),
    canOperate ? null : h('p', { class: 'notice' }, 'You are signed in as a viewer: moderation is disabled.'),
    loadError,
    status,
    h('section', { class: 'stats', 'aria-label': 'Room figures' },
      figure('Users online', figures.online), figure('Connections', figures.connections),
      figure('Members', figures.members), figure('Last seq', figures.lastSeq)),
    h('div', { class: 'room-grid' },
      h('section', { class: 'card', 'aria-labelledby': 'room-messages-title' },
        h('div', { class: 'section-head' }, h('h2', { id: 'room-messages-title' }, 'Messages'), older),
        capNote, listBox, messagesEmpty),
      h('div', { class: 'room-side' },
        castForm,
        h('section', { class: 'card', 'aria-labelledby': 'room-members-title' },
          h('h2', { id: 'room-members-title' }, 'Members'), membersList, membersEmpty, moreMembers))),
  );

  // ---- room and members ------------------------------------------------------------------------------------------
  let view = null;
  let members = new Map(); // user → {view, li, dot, state}
  let membersCursor = null;
  let maxSeq = 0;

  function renderFigures() {
    const idx = roomIndex().get(room);
    setText(figures.online, fmtNumber(idx ? idx.online : 0));
    setText(figures.connections, fmtNumber(idx ? idx.connections : 0));
    setText(figures.members, view ? fmtNumber(Math.max(view.members, members.size)) : '–');
    setText(figures.lastSeq, view || maxSeq ? fmtNumber(Math.max(view ? view.lastSeq : 0, maxSeq)) : '–');
    if (view) {
      setText(stateBadge, view.closed ? 'closed' : 'open');
      stateBadge.className = `badge ${view.closed ? 'warn' : 'ok'}`;
      closeButton.hidden = view.closed;
      openButton.hidden = !view.closed;
    }
    for (const m of members.values()) {
      const isOnline = !!m.view.online;
      m.li.classList.toggle('online', isOnline);
      setText(m.state, isOnline ? 'online' : 'offline');
    }
    membersEmpty.hidden = members.size > 0;
    if (members.size === 0 && view) setText(membersEmpty, 'No members. Users become members when they join.');
    moreMembers.hidden = !membersCursor || members.size >= MAX_MEMBERS;
  }
  const scheduleFigures = coalesce(renderFigures);

  function addMember(m) {
    if (members.has(m.user)) return;
    const state = h('span', { class: 'member-state' });
    const li = h('li', { dataset: { user: m.user } }, h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'member-user' }, m.user), state);
    members.set(m.user, { view: m, li, state });
    membersList.append(li);
  }

  async function loadRoom(reset) {
    try {
      const cursor = reset ? null : membersCursor;
      const r = await request('GET', `${base}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (disposed) return;
      view = r.room;
      if (reset) {
        members = new Map();
        membersList.replaceChildren();
      }
      for (const m of r.members) addMember(m);
      membersCursor = r.nextCursor;
      loadError.hidden = true;
    } catch (e) {
      if (disposed) return;
      loadError.hidden = false;
      setText(loadError, e.status === 404 ? `There is no room “${room}”.` : `This room could not be loaded: ${describe(e)}`);
      if (e.status === 404) {
        setText(membersEmpty, 'No members.');
        setText(messagesEmpty, 'No messages.');
      }
    }
    renderFigures();
  }

  // ---- messages --------------------------------------------------------------------------------------------------
  const messages = new Map(); // seq → {m, li}
  let hasOlder = false;
  let trimmed = false;

  function messageItem(m) {
    const author = m.system || m.from === 'system'
      ? h('span', { class: 'msg-from' }, 'System')
      : h('span', { class: 'msg-from' }, m.name || m.from, m.name && m.name !== m.from ? h('span', { class: 'msg-user' }, ` (${m.from})`) : null);
    const text = h('p', { class: 'msg-text' });
    const del = canOperate ? h('button', { type: 'button', class: 'delete-message small secondary', 'aria-label': `Delete message ${m.seq}` }, 'Delete') : null;
    const li = h('li', { dataset: { seq: m.seq }, class: 'msg' },
      h('div', { class: 'msg-meta' }, h('span', { class: 'msg-seq' }, `#${m.seq}`), author, timeEl(m.ts, true), del),
      text);
    return { li, text, del };
  }

  function paint(entry) {
    const m = entry.m;
    entry.li.classList.toggle('system', !!(m.system || m.from === 'system'));
    entry.li.classList.toggle('deleted', !!m.deleted);
    setText(entry.text, m.deleted ? 'Message removed by an operator.' : m.text);
    if (entry.del) entry.del.hidden = !!m.deleted;
  }

  function addMessage(m) {
    if (!m || typeof m.seq !== 'number') return;
    maxSeq = Math.max(maxSeq, m.seq);
    const existing = messages.get(m.seq);
    if (existing) {
      existing.m = { ...existing.m, ...m };
      paint(existing);
      return;
    }
    const entry = { m, ...messageItem(m) };
    paint(entry);
    messages.set(m.seq, entry);
    // Insert in seq order; live messages land at the end, older pages at the start.
    let after = list.lastElementChild;
    while (after && Number(after.dataset.seq) > m.seq) after = after.previousElementSibling;
    list.insertBefore(entry.li, after ? after.nextSibling : list.firstChild);
    while (messages.size > MAX_MESSAGES) {
      const first = list.firstElementChild;
      messages.delete(Number(first.dataset.seq));
      first.remove();
      trimmed = true;
    }
  }

  function atBottom() {
    return listBox.scrollHeight - listBox.scrollTop - listBox.clientHeight < 40;
  }

  function renderMessagesState() {
    messagesEmpty.hidden = messages.size > 0;
    if (messages.size === 0) setText(messagesEmpty, loadingMessages ? 'Loading messages…' : 'No messages in this room yet.');
    listBox.hidden = messages.size === 0;
    older.hidden = !(hasOlder || trimmed) || messages.size >= MAX_MESSAGES;
    capNote.hidden = messages.size < MAX_MESSAGES;
  }

  let loadingMessages = false;
  async function loadMessages(before) {
    loadingMessages = true;
    older.disabled = true;
    renderMessagesState();
    const wasAtBottom = atBottom();
    const prevHeight = listBox.scrollHeight;
    try {
      const r = await request('GET', `${base}/messages?limit=${PAGE}${before ? `&before=${before}` : ''}`);
      if (disposed) return;
      for (const m of r.messages) addMessage(m);
      hasOlder = before ? r.hasMore : hasOlder || r.hasMore;
      if (before) trimmed = false;
      if (before) listBox.scrollTop += listBox.scrollHeight - prevHeight; // keep the reader's place
      else if (wasAtBottom) listBox.scrollTop = listBox.scrollHeight;
    } catch (e) {
      if (disposed) return;
      if (e.status !== 404) say(status, `Messages could not be loaded: ${describe(e)}`, 'error');
    } finally {
      loadingMessages = false;
      older.disabled = false;
      renderMessagesState();
      renderFigures();
    }
  }

  older.addEventListener('click', () => {
    const first = list.firstElementChild;
    loadMessages(first ? Number(first.dataset.seq) : undefined);
  });
  moreMembers.addEventListener('click', () => loadRoom(false));

  list.addEventListener('click', async (ev) => {
    const button = ev.target.closest('button.delete-message');
    if (!button) return;
    const seq = Number(button.closest('li').dataset.seq);
    const entry = messages.get(seq);
    const who = entry ? (entry.m.name || entry.m.from) : 'someone';
    const answer = await askConfirm({
      title: 'Delete message',
      text: `Remove message #${seq} by ${who} from ${room}? Members see it disappear; history keeps an empty placeholder.`,
      confirmLabel: 'Delete message', reason: true,
    });
    if (!answer) return;
    say(status, 'Deleting…', 'busy');
    try {
      await request('DELETE', `${base}/messages/${seq}${answer.reason ? `?reason=${encodeURIComponent(answer.reason)}` : ''}`);
      if (entry) addMessage({ ...entry.m, deleted: true, text: '' });
      say(status, `Deleted message #${seq}.`, 'ok');
    } catch (e) {
      say(status, describe(e), 'error');
    }
  });

  // ---- actions ---------------------------------------------------------------------------------------------------
  /** Connections in the room now, counted by the server (the last stats tick's figure if it cannot answer). */
  async function connectionsInRoom() {
    try {
      return await countConnections({ room });
    } catch (e) {
      const idx = roomIndex().get(room);
      return idx ? idx.connections : 0;
    }
  }

  async function setClosed(closed) {
    const n = await connectionsInRoom();
    const answer = await askConfirm(closed ? {
      title: 'Close room',
      text: `Close ${room}? Every member is removed from it (${plural(n, 'connection')} in it now) and joins are refused until it is reopened.`,
      confirmLabel: 'Close room', reason: true,
    } : {
      title: 'Reopen room', text: `Reopen ${room}? Users may join it again.`, confirmLabel: 'Reopen room', reason: true, danger: false,
    });
    if (!answer) return;
    say(status, closed ? 'Closing…' : 'Reopening…', 'busy');
    try {
      const q = answer.reason ? `?reason=${encodeURIComponent(answer.reason)}` : '';
      const r = await request('POST', `${base}/${closed ? 'close' : 'open'}${q}`);
      say(status, closed ? `Closed ${room}; ${plural(r ? r.removed : 0, 'connection')} removed.` : `Reopened ${room}.`, 'ok');
      await loadRoom(true);
    } catch (e) {
      say(status, describe(e), 'error');
    }
  }
  closeButton.addEventListener('click', () => setClosed(true));
  openButton.addEventListener('click', () => setClosed(false));

  castForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = castText.value.trim();
    if (!text) {
      say(castResult, 'Write a message first.', 'error');
      castText.focus();
      return;
    }
    const n = await connectionsInRoom();
    const answer = await askConfirm({
      title: 'Broadcast to this room', confirmLabel: 'Send to room', danger: false,
      text: `Send this message to room ${room}? It reaches ${plural(n, 'connection')} in the room now, and is stored in the room’s history.`,
    });
    if (!answer) return;
    castSend.disabled = true;
    say(castResult, 'Sending…', 'busy');
    try {
      const r = await request('POST', '/api/v1/broadcast', { room, text });
      say(castResult, `Reached ${plural(r.reached, 'connection')}.`, 'ok');
      castText.value = '';
    } catch (e) {
      say(castResult, describe(e), 'error');
    } finally {
      castSend.disabled = !canOperate;
    }
  });

  // ---- live ------------------------------------------------------------------------------------------------------
  // Members who left, rechecked together at most once a second (a few at a time; beyond that, the list reloads).
  const leftUsers = new Set();
  const recheckLeft = coalesce(async () => {
    const users = [...leftUsers];
    leftUsers.clear();
    if (users.length > 20) {
      loadRoom(true);
      return;
    }
    for (const user of users) {
      try {
        const n = await countConnections({ user, room });
        const m = members.get(user);
        if (m && !disposed) m.view = { ...m.view, online: n > 0, connections: n };
      } catch (e) {
        // left as it was; the next event or reload corrects it
      }
    }
    scheduleFigures();
  }, 1000);
  let snapshotsSinceMount = live.status === 'live' ? 1 : 0;
  const offs = [
    on('message', (m) => {
      if (m.room !== room) return;
      const stick = atBottom();
      addMessage(m);
      renderMessagesState();
      scheduleFigures();
      if (stick) listBox.scrollTop = listBox.scrollHeight;
    }),
    on('message.deleted', (d) => {
      if (d.room !== room) return;
      const entry = messages.get(d.seq);
      if (entry) addMessage({ ...entry.m, deleted: true, text: '' });
    }),
    on('rooms', (d) => {
      if (d && d.room === room && d.user) {
        if (d.event === 'joined') {
          if (!members.has(d.user) && !membersCursor && view) {
            addMember({ user: d.user, joinedAt: Date.now(), online: true, connections: 1 });
            view = { ...view, members: Math.max(view.members, members.size) };
          }
          const m = members.get(d.user);
          if (m) m.view = { ...m.view, online: true };
        } else if (d.event === 'left' && members.has(d.user)) {
          // Still online if another of the user's connections is in the room: the server counts them.
          leftUsers.add(d.user);
          recheckLeft();
        }
      }
      scheduleFigures();
    }),
    on('room.changed', (d) => {
      // Closed or reopened elsewhere (another console, a script): the badge and buttons follow.
      if (!d.room || d.room.name !== room || !view) return;
      view = { ...view, ...d.room };
      scheduleFigures();
    }),
    on('snapshot', () => {
      // The first snapshot belongs to the stream opened for this page; a later one means the stream dropped and
      // came back: fetch what may have been missed meanwhile.
      snapshotsSinceMount++;
      if (snapshotsSinceMount > 1) {
        loadMessages();
        loadRoom(true);
      }
    }),
  ];

  loadRoom(true);
  loadMessages().then(() => {
    listBox.scrollTop = listBox.scrollHeight;
  });
  renderFigures();
  return () => {
    disposed = true;
    scheduleFigures.cancel();
    recheckLeft.cancel();
    offs.forEach((off) => off());
  };
}
