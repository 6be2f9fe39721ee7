// Broadcast: a system message to everyone, to one room, or to one user's connections.

import { h, append, say, plural } from '../dom.js';
import { request, describe } from '../api.js';
import { live, roomIndex, countConnections } from '../live.js';
import { askConfirm } from '../dialogs.js';

export function mount(root, { session }) {
  const canOperate = session.canOperate;
  const target = h('select', { id: 'broadcast-target', disabled: !canOperate },
    h('option', { value: 'all' }, 'Everyone connected'),
    h('option', { value: 'room' }, 'One room'),
    h('option', { value: 'user' }, 'One user'));
  const roomList = h('datalist', { id: 'broadcast-room-options' });
  const userList = h('datalist', { id: 'broadcast-user-options' });
  const roomInput = h('input', { id: 'broadcast-room', type: 'text', list: 'broadcast-room-options', maxlength: '64', autocomplete: 'off', spellcheck: 'false', disabled: !canOperate });
  const userInput = h('input', { id: 'broadcast-user', type: 'text', list: 'broadcast-user-options', maxlength: '128', autocomplete: 'off', spellcheck: 'false', disabled: !canOperate });
  const roomField = h('div', { class: 'field', hidden: true }, h('label', { for: 'broadcast-room' }, 'Room'), roomInput, roomList,
    h('p', { class: 'hint' }, 'Stored in the room’s history; members who are offline see it when they come back.'));
  const userField = h('div', { class: 'field', hidden: true }, h('label', { for: 'broadcast-user' }, 'User id'), userInput, userList,
    h('p', { class: 'hint' }, 'Sent to every open connection of this user; not stored.'));
  const text = h('textarea', { id: 'broadcast-text', rows: '4', maxlength: '4000', required: true, disabled: !canOperate });
  const send = h('button', { type: 'submit', id: 'broadcast-send', disabled: !canOperate }, 'Send broadcast');
  const result = h('p', { id: 'broadcast-result', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const form = h('form', { class: 'card narrow', id: 'broadcast-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'broadcast-target' }, 'Send to'), target),
    roomField, userField,
    h('div', { class: 'field' }, h('label', { for: 'broadcast-text' }, 'Message'), text,
      h('p', { class: 'hint' }, 'Clients receive it as a system frame.')),
    h('div', { class: 'actions' }, send),
    result);

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Broadcast'),
      h('p', { class: 'muted' }, 'Send a system message. Broadcasts to everyone or to a user reach the connections open now; a room broadcast is also stored in the room’s history.')),
    canOperate ? null : h('p', { class: 'notice' }, 'You are signed in as a viewer: broadcasting needs the operator role.'),
    form,
  );

  function suggestions() {
    roomList.replaceChildren(...[...roomIndex().keys(), ...live.rooms.keys()]
      .filter((v, i, a) => a.indexOf(v) === i).sort().slice(0, 200).map((r) => h('option', { value: r })));
    if (target.value === 'user') suggestUsers();
  }

  // Users to suggest: the first 200 connected users by id, asked of the server (it holds every connection).
  let suggesting = false;
  async function suggestUsers() {
    if (suggesting) return;
    suggesting = true;
    try {
      const page = await request('GET', '/api/v1/connections?sort=user&limit=200');
      const users = [...new Set(page.items.map((c) => c.user))];
      userList.replaceChildren(...users.map((u) => h('option', { value: u })));
    } catch (e) {
      // suggestions are a convenience: without them the field still takes any user id
    } finally {
      suggesting = false;
    }
  }

  /** How many connections a broadcast would reach now, counted by the server; `fallback` when it cannot say. */
  async function reach(filter, fallback) {
    try {
      return await countConnections(filter);
    } catch (e) {
      return fallback;
    }
  }

  function showFields() {
    roomField.hidden = target.value !== 'room';
    userField.hidden = target.value !== 'user';
    roomInput.required = target.value === 'room';
    userInput.required = target.value === 'user';
  }
  target.addEventListener('change', () => {
    showFields();
    suggestions();
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { text: text.value.trim() };
    if (!body.text) {
      say(result, 'Write a message first.', 'error');
      text.focus();
      return;
    }
    let where = 'everyone';
    let question;
    if (target.value === 'all') {
      const n = await reach({}, live.stats ? live.stats.connections : 0);
      question = { title: 'Broadcast to everyone', confirmLabel: 'Send to everyone',
        text: `Send this message to every connected client? It reaches ${plural(n, 'connection')} open now.` };
    } else if (target.value === 'room') {
      body.room = roomInput.value.trim();
      if (!body.room) {
        say(result, 'Name the room to send to.', 'error');
        roomInput.focus();
        return;
      }
      where = `room ${body.room}`;
      const r = roomIndex().get(body.room);
      const n = await reach({ room: body.room }, r ? r.connections : 0);
      question = { title: 'Broadcast to a room', confirmLabel: 'Send to room',
        text: `Send this message to room ${body.room}? It reaches ${plural(n, 'connection')} in the room now, and is stored in the room’s history.` };
    } else if (target.value === 'user') {
      body.user = userInput.value.trim();
      if (!body.user) {
        say(result, 'Name the user to send to.', 'error');
        userInput.focus();
        return;
      }
      where = `user ${body.user}`;
      const n = await reach({ user: body.user }, 0);
      question = { title: 'Broadcast to a user', confirmLabel: 'Send to user',
        text: `Send this message to user ${body.user}? It reaches ${plural(n, 'connection')} of theirs open now; it is not stored.` };
    }
    if (!await askConfirm({ ...question, danger: false })) return;
    send.disabled = true;
    say(result, 'Sending…', 'busy');
    try {
      const r = await request('POST', '/api/v1/broadcast', body);
      say(result, `Reached ${plural(r.reached, 'connection')} (${where}).`, 'ok');
      text.value = '';
    } catch (e) {
      say(result, describe(e), 'error');
    } finally {
      send.disabled = !canOperate;
    }
  });

  showFields();
  suggestions();
  return null;
}
