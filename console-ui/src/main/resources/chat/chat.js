// The demo chat page: one room, history plus live messages, presence, and per-message pending/acked state.
// Everything the server or other users send is shown with textContent, never parsed as markup.

import { connect, tokenClaims } from '/client/switchboard.js';

const MAX_ROWS = 500;
const HISTORY_PAGE = 50;
const USER = /^[\p{L}\p{N}_.-]{1,32}$/u;
const STATUS = {
  idle: 'not connected',
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
  offline: 'offline',
  closed: 'disconnected',
};

const $ = (id) => document.getElementById(id);

let demo = null; // true: /demo/token hands out tokens; false: paste one
let client = null;
let room = null;
let me = null;
let members = new Set();
/** seq → li of a room message; id → li of one of our own messages (pending ones have no seq yet) */
let bySeq = new Map();
let own = new Map();

const pad = (n) => String(n).padStart(2, '0');

/** Local time as 2026-01-05 20:05:34 (24-hour), the form the web console uses too. */
function fmtDateTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function show(id, text) {
  const e = $(id);
  e.textContent = text || '';
  e.hidden = !text;
}

function setStatus(state) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = STATUS[state] || state;
}

async function probeDemo() {
  try {
    const r = await fetch('/demo/token', { cache: 'no-store' });
    demo = r.status !== 404; // on: 422 (no user given); off: no such route
  } catch {
    demo = false;
  }
  $('token-box').hidden = demo;
}

async function demoToken(user) {
  const r = await fetch(`/demo/token?user=${encodeURIComponent(user)}`, { cache: 'no-store' });
  if (r.status === 404) throw new Error('this server does not hand out demo tokens; paste a token');
  if (!r.ok) {
    let detail = `HTTP ${r.status}`;
    try {
      detail = (await r.json()).detail || detail;
    } catch {
      // not a problem document
    }
    throw new Error(detail);
  }
  return (await r.json()).token;
}

// --- messages -----------------------------------------------------------------------------------------------------

function list() {
  return $('messages');
}

function nearBottom() {
  const l = list();
  return l.scrollHeight - l.scrollTop - l.clientHeight < 40;
}

function row(id) {
  const li = el('li', 'msg');
  if (id) li.dataset.id = id;
  li.append(el('span', 'msg-from'), el('span', 'msg-text'), el('span', 'msg-state'));
  return li;
}

function fill(li, m) {
  if (m.id) li.dataset.id = m.id;
  if (typeof m.seq === 'number') li.dataset.seq = String(m.seq);
  const system = m.system === true || m.type === 'system';
  li.classList.toggle('system', system);
  li.classList.toggle('mine', !system && m.from === me);
  li.querySelector('.msg-from').textContent = system ? 'system' : (m.name || m.from || '');
  li.title = m.ts ? fmtDateTime(m.ts) : '';
  if (m.deleted) markDeleted(li);
  else li.querySelector('.msg-text').textContent = m.text ?? '';
}

function markDeleted(li) {
  li.classList.add('deleted');
  li.querySelector('.msg-text').textContent = '(message removed)';
}

/** Puts a row with a seq in seq order; rows without one (our pending messages, notices) stay at the bottom. */
function place(li) {
  const seq = Number(li.dataset.seq);
  let after = null;
  for (let e = list().lastElementChild; e; e = e.previousElementSibling) {
    if (e !== li && e.dataset.seq && Number(e.dataset.seq) < seq) {
      after = e;
      break;
    }
  }
  if (after) after.after(li);
  else list().prepend(li);
}

function trim() {
  while (list().children.length > MAX_ROWS) {
    const first = list().firstElementChild;
    if (first.dataset.seq) bySeq.delete(Number(first.dataset.seq));
    if (first.dataset.id) own.delete(first.dataset.id);
    first.remove();
  }
}

/** A room message from history, the replay or live; each seq gets exactly one row. */
function showMessage(m) {
  if (m.room !== room) return;
  const stick = nearBottom();
  let li = bySeq.get(m.seq) || (m.from === me && m.id ? own.get(m.id) : null);
  if (!li) li = row(m.id);
  fill(li, m);
  bySeq.set(m.seq, li);
  place(li);
  trim();
  if (stick) list().scrollTop = list().scrollHeight;
}

function showNotice(text) {
  const li = el('li', 'msg system notice');
  li.append(el('span', 'msg-from', 'system'), el('span', 'msg-text', text));
  list().append(li);
  trim();
  list().scrollTop = list().scrollHeight;
}

function setOwnState(li, state, label) {
  li.dataset.state = state;
  li.querySelector('.msg-state').textContent = label;
}

function sendMessage(text) {
  const p = client.send(room, text);
  const li = row(p.id);
  fill(li, { id: p.id, from: me, name: client.name || me, text });
  setOwnState(li, 'pending', 'sending…');
  own.set(p.id, li);
  list().append(li);
  trim();
  list().scrollTop = list().scrollHeight;
  p.then(
    (ack) => {
      setOwnState(li, 'acked', 'sent ✓');
      if (!li.dataset.seq) {
        li.dataset.seq = String(ack.seq);
        bySeq.set(ack.seq, li);
        place(li);
      }
    },
    (err) => setOwnState(li, 'failed', `not sent (${err.code || err.message})`),
  );
}

// --- members ------------------------------------------------------------------------------------------------------

function renderMembers() {
  const ul = $('members');
  ul.replaceChildren(...[...members].sort().map((u) => {
    const li = el('li', u === me ? 'me' : '', u);
    li.dataset.user = u;
    if (u === me) li.append(el('span', 'you', ' (you)'));
    return li;
  }));
}

// --- wiring -------------------------------------------------------------------------------------------------------

function reset() {
  if (client) client.close();
  client = null;
  members = new Set();
  bySeq = new Map();
  own = new Map();
  list().replaceChildren();
  $('members').replaceChildren();
  show('notice', '');
}

async function join(e) {
  e.preventDefault();
  show('join-error', '');
  // Empty fields mean what their placeholders show (a guest name, the lobby): nothing is prefilled, so typing a
  // name never appends to a default.
  const name = $('name').value.trim() || $('name').placeholder;
  const roomName = $('room').value.trim() || $('room').placeholder;
  if (demo === null) await probeDemo();
  const options = { reconnect: { baseMs: 500, capMs: 5000 } };
  try {
    if (demo) {
      if (!USER.test(name)) throw new Error('Name: 1 to 32 letters, digits, _ . or -');
      options.token = await demoToken(name);
      options.getToken = () => demoToken(name); // a fresh one when it expires
    } else {
      const token = $('token').value.trim();
      if (!token) throw new Error('Paste a client token first');
      options.token = token;
    }
  } catch (err) {
    show('join-error', err.message);
    return;
  }
  reset();
  room = roomName;
  me = demo ? name : (tokenClaims(options.token) || {}).sub || null; // welcome confirms it
  $('room-title').textContent = `# ${room}`;
  $('chat').hidden = false;
  const c = connect('/ws', options);
  client = c;
  setStatus(c.state);
  c.on('state', ({ state }) => {
    setStatus(state);
    $('members').classList.toggle('stale', state !== 'open'); // who is online is unknown while disconnected
    if (state === 'open') show('notice', '');
  });
  c.on('welcome', (w) => {
    me = w.user;
  });
  c.on('joined', (j) => {
    if (j.room !== room) return;
    members = new Set(j.members || []);
    renderMembers();
  });
  c.on('presence', (p) => {
    if (p.room !== room) return;
    if (p.event === 'join') members.add(p.user);
    else members.delete(p.user);
    renderMembers();
  });
  c.on('reset', (r) => {
    // The server's log of the room is another one now (restored from a backup, reset by an operator): what is
    // shown is not its history any more. The client delivers the newest messages again right after this.
    if (r.room !== room) return;
    for (const li of [...list().children]) {
      if (li.dataset.state === 'pending') continue; // not stored yet: it is sent again and stays ours
      if (li.dataset.seq) bySeq.delete(Number(li.dataset.seq));
      if (li.dataset.id) own.delete(li.dataset.id);
      li.remove();
    }
  });
  c.on('message', showMessage);
  c.on('system', (s) => {
    if (s.room === room && typeof s.seq === 'number') showMessage({ ...s, from: 'system' });
    else if (!s.room) showNotice(s.text);
  });
  c.on('deleted', (d) => {
    const li = d.room === room && bySeq.get(d.seq);
    if (li) markDeleted(li);
  });
  c.on('kicked', (k) => show('notice', `An operator disconnected you${k.reason ? `: ${k.reason}` : ''}.`));
  c.on('left', (l) => {
    if (l.room === room) show('notice', `You are no longer in ${room} (${l.reason}).`);
  });
  c.on('error', (err) => {
    if (err.terminal) show('notice', `Disconnected for good: ${err.message || err.code}`);
    else if (err.code !== 'rate_limited') show('notice', `${err.code}: ${err.message || ''}`);
  });
  try {
    const joined = await c.join(room);
    if (client !== c) return;
    const h = await c.history(room, { before: joined.seq + 1, limit: HISTORY_PAGE });
    if (client !== c) return;
    for (const m of h.messages) showMessage(m);
    $('text').focus();
  } catch (err) {
    if (client === c) show('notice', `Could not join ${room}: ${err.code || err.message}`);
  }
}

function send(e) {
  e.preventDefault();
  const input = $('text');
  const text = input.value.trim();
  if (!text || !client) return;
  input.value = '';
  sendMessage(text);
}

document.addEventListener('DOMContentLoaded', () => {
  $('name').placeholder = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
  $('join-form').addEventListener('submit', join);
  $('send-form').addEventListener('submit', send);
  probeDemo();
});
