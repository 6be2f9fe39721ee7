// The one live stream (Server-Sent Events): a snapshot, then deltas and a stats tick every second. Keeps the state
// every view reads (stats history, live room counts) in bounded collections and tells views what changed.
// The stream carries no per-connection data (?connections=false): a node may hold tens of thousands of
// connections and see thousands connect per second; views that list connections or count a user's connections
// ask GET /api/v1/connections, which searches and counts on the server.

import { request } from './api.js';

export const MAX_POINTS = 120;

export const live = {
  /** 'connecting' | 'live' | 'reconnecting' | 'off' */
  status: 'off',
  /** active rooms from the last snapshot: name → {name, online, connections, lastSeq, lastActivity} */
  rooms: new Map(),
  stats: null,
  /** the last MAX_POINTS stats ticks, oldest first (the snapshot brings the server's last two minutes) */
  history: [],
  /** active room → [lastSeq, lastActivity, usersOnline, connections] from the last stats tick */
  roomActivity: new Map(),
  /** this node's state from the stream: {draining: false}, or a drain's status (see docs/admin-api.md) */
  node: { draining: false },
  /** the room whose messages the stream carries (null: none) */
  room: null,
  snapshots: 0,
};

const listeners = new Map();

/** Subscribes to a live event ('snapshot', 'rooms', 'room.changed', 'bans', 'stats', 'message',
 *  'message.deleted', 'audit', 'node', 'status', 'stream-error', 'signed-out'); returns the unsubscribe function. */
export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

function emit(name, data) {
  const set = listeners.get(name);
  if (!set) return;
  for (const fn of [...set]) {
    try {
      fn(data);
    } catch (e) {
      console.error(`live handler for ${name} failed`, e);
    }
  }
}

function setStatus(status) {
  if (live.status === status) return;
  live.status = status;
  emit('status', status);
}

function pushStats(s) {
  if (!s) return;
  const last = live.history[live.history.length - 1];
  if (last && last.ts >= s.ts) return;
  const { counters, roomActivity, ...figures } = s; // the history keeps the charted figures only
  live.history.push(figures);
  while (live.history.length > MAX_POINTS) live.history.shift();
}

/** One handler per event name: the whole protocol of the stream in one table. */
const handlers = {
  snapshot(d) {
    live.rooms = new Map((d.rooms || []).map((r) => [r.name, r]));
    if (Array.isArray(d.history)) {
      // The server's own record of the last two minutes: charts are full at once, also after a reconnect.
      live.history = d.history.filter((s) => s && typeof s.ts === 'number').slice(-MAX_POINTS);
    }
    if (d.stats) {
      live.stats = d.stats;
      pushStats(d.stats);
      live.roomActivity = new Map(Object.entries(d.stats.roomActivity || {}));
    }
    live.snapshots++;
    setStatus('live');
    if (d.node && typeof d.node === 'object') {
      live.node = d.node;
      emit('node', d.node);
    }
    emit('snapshot', d);
    emit('rooms');
  },
  // Only for the room this stream follows (?room=): its page refreshes its members' online state.
  'room.joined'(d) {
    emit('rooms', { ...d, event: 'joined' });
  },
  'room.left'(d) {
    emit('rooms', { ...d, event: 'left' });
  },
  message(m) {
    emit('message', m);
  },
  'message.deleted'(d) {
    emit('message.deleted', d);
  },
  audit(entry) {
    emit('audit', entry);
  },
  'room.created'(r) {
    emit('room.changed', { event: 'created', room: r });
  },
  'room.closed'(r) {
    emit('room.changed', { event: 'closed', room: r });
  },
  'room.reopened'(r) {
    emit('room.changed', { event: 'reopened', room: r });
  },
  'ban.added'(b) {
    emit('bans', { event: 'added', ban: b });
  },
  'ban.lifted'(d) {
    emit('bans', { event: 'lifted', user: d.user });
  },
  node(n) {
    live.node = n && typeof n === 'object' ? n : { draining: false };
    emit('node', live.node);
  },
  stats(s) {
    live.stats = s;
    pushStats(s);
    live.roomActivity = new Map(Object.entries(s.roomActivity || {}));
    emit('stats', s);
    emit('rooms');
  },
};

let source = null;
let retryTimer = null;
let retryDelay = 1000;

/** Opens the stream, carrying the messages of `room` when given; replaces any stream already open. */
export function openStream(room = null) {
  closeSource();
  live.room = room || null;
  if (live.status !== 'reconnecting') setStatus('connecting');
  const url = `/api/v1/events?connections=false${room ? `&room=${encodeURIComponent(room)}` : ''}`;
  const es = new EventSource(url);
  source = es;
  es.addEventListener('open', () => {
    if (es === source) retryDelay = 1000;
  });
  for (const [name, fn] of Object.entries(handlers)) {
    es.addEventListener(name, (ev) => {
      if (es !== source) return;
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      fn(data);
    });
  }
  es.addEventListener('error', (ev) => {
    if (es !== source) return;
    if (ev instanceof MessageEvent && ev.data) {
      // The server's own `error` event: it is about to drop the stream; EventSource reconnects on its own.
      let detail = null;
      try {
        detail = JSON.parse(ev.data);
      } catch (e) {
        detail = { message: String(ev.data) };
      }
      emit('stream-error', detail);
      return;
    }
    setStatus('reconnecting');
    // CLOSED means the browser gave up (the server answered with an error status, e.g. 401 after a restart).
    if (es.readyState === EventSource.CLOSED) scheduleReopen();
  });
}

function scheduleReopen() {
  const es = source;
  if (es) es.close();
  clearTimeout(retryTimer);
  const delay = retryDelay;
  retryDelay = Math.min(retryDelay * 2, 15000);
  retryTimer = setTimeout(async () => {
    if (source !== es) return;
    try {
      await request('GET', '/console/session', undefined, { quiet401: true });
    } catch (e) {
      if (e.status === 401) {
        emit('signed-out');
        return;
      }
      scheduleReopen(); // unreachable: keep waiting, the indicator says so
      return;
    }
    if (source === es) openStream(live.room);
  }, delay);
}

function closeSource() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) {
    source.close();
    source = null;
  }
}

export function stopStream() {
  closeSource();
  setStatus('off');
}

export function streamRoom() {
  return source ? live.room : undefined;
}

/**
 * Live counts by room: name → {online (users), connections}, true totals counted by the server every second (the
 * busiest 1,000 rooms when there are more); a room missing here has nobody in it, or is beyond those 1,000.
 */
export function roomIndex() {
  const index = new Map();
  for (const [name, a] of live.roomActivity) {
    if (Array.isArray(a) && a.length >= 4 && a[3] > 0) index.set(name, { online: a[2], connections: a[3] });
  }
  return index;
}

/** Connections matching a filter of GET /api/v1/connections (e.g. {user: 'alice'}), counted by the server. */
export async function countConnections(filter) {
  const p = new URLSearchParams({ ...filter, limit: '1' });
  return (await request('GET', `/api/v1/connections?${p}`)).total;
}
