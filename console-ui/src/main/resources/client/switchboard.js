// Switchboard browser client: see docs/client-js.md
//
// One WebSocket to a Switchboard server that survives drops: it reconnects with exponential backoff and full
// jitter (after a drain's 1012: at once, with up to a second of jitter), refreshes an expired token, re-joins its rooms with `since` and `epoch` and pages back what a bounded
// replay left out, resumes the user's direct-message stream with `dmSince`/`dmEpoch`, re-sends unacked messages
// under their original ids (the server dedups them), and delivers each room message (room, seq) and each direct
// message (stream seq) at most once, in seq order. When a sequence's epoch changes (or it is shorter than what was
// delivered) it emits `reset` and re-pages the newest messages. No dependencies.

const DEFAULT_RECONNECT = Object.freeze({ baseMs: 500, capMs: 30000, maxTries: Infinity });
const DEFAULT_OUTBOX = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10000;
const DEFAULT_HEARTBEAT_S = 25;
/** Newest messages delivered again after a room's or the DM stream's reset. */
const DEFAULT_RESET_PAGE = 50;
/** A connection that lasted this long counts as a success: the backoff starts again from its base. */
const STABLE_MS = 5000;
/** Refresh a token this close to its expiry before using it. */
const EXPIRY_MARGIN_MS = 5000;
/** Errors that mean "nothing happened, try the same frame again later". */
const RETRYABLE = new Set(['busy', 'unavailable']);
/** Closes after which the same token must not be used again. */
const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_EXPIRED = 4002;
const CLOSE_BANNED = 4003;
/** Service Restart: the server drains this node. Reconnect at once (elsewhere, behind a load balancer) and resume. */
const CLOSE_DRAINING = 1012;
/** After a drain's close, the reconnect waits a random delay below this instead of the backoff. */
const DRAIN_JITTER_MS = 1000;

/** A refused operation: `code` is the server's error code (see docs/protocol.md) or one of the client's own. */
export class SwitchboardError extends Error {
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = 'SwitchboardError';
    this.code = code;
    Object.assign(this, details);
  }
}

/**
 * Opens a client. `url` is the WebSocket endpoint ("/ws", "ws://host/ws", or http(s) URLs, which are mapped);
 * options: {token} or {getToken: async () => token}, reconnect {baseMs, capMs, maxTries}, outboxLimit,
 * pingIntervalMs, connectTimeoutMs, resetPage, and dmSince/dmEpoch (a stored DM stream position to resume from).
 */
export function connect(url, options = {}) {
  return new SwitchboardClient(url, options);
}

/** The claims of a JWT (not verified: only the server can), or null when it cannot be read. */
export function tokenClaims(token) {
  try {
    const part = String(token).split('.')[1];
    if (!part) return null;
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (ch) => ch.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** The expiry of a JWT in milliseconds since the epoch, or null when it has none or cannot be read. */
export function tokenExpiry(token) {
  const claims = tokenClaims(token);
  return claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
}

/** A random full-jitter delay: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt, baseMs, capMs) {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}

function newId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toWebSocketUrl(url) {
  const base = globalThis.location ? globalThis.location.href : undefined;
  const u = new URL(url || '/ws', base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${url}`);
  return u;
}

/** True when the string has a lone surrogate: not Unicode, and the server refuses it (invalid_frame). */
function hasLoneSurrogate(s) {
  if (typeof s.isWellFormed === 'function') return !s.isWellFormed();
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** The spec's reset rule: another epoch than the stored one, or a sequence shorter than what was delivered. */
function mustReset(stored, seq, epoch) {
  return (stored.epoch != null && epoch != null && epoch !== stored.epoch) || seq < stored.lastSeq;
}

function checkNumber(name, value, min) {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new TypeError(`${name} must be a number >= ${min}, got ${value}`);
  }
}

/** The client; created by connect(). Events: see docs/client-js.md. */
export class SwitchboardClient extends EventTarget {
  #url;
  #token;
  #getToken;
  #needFreshToken = false;
  #reconnect;
  #outboxLimit;
  #pingIntervalOption;
  #connectTimeoutMs;
  #resetPage;

  #state = 'connecting';
  #ws = null;
  #socketGen = 0; // grows with every socket, so that late callbacks of an old one are ignored
  #welcomed = false;
  #everOpen = false;
  #openedAt = 0;
  #attempt = 0;
  #reconnectTimer = null;
  #connectTimer = null;
  #pingTimer = null;
  #pumpTimer = null;
  #lastFrameAt = 0;
  #unansweredSince = null; // when the first ping not followed by any frame went out
  #heartbeatMs = DEFAULT_HEARTBEAT_S * 1000;

  // Send pacing, so that resending a full outbox does not run into the server's rate limit.
  #rate = 18;
  #burst = 20;
  #tokens = 20;
  #refilledAt = 0;
  #pausedUntil = 0;
  #rateStrikes = 0;
  #wire = [];

  /** room → {name, lastSeq, epoch, confirmed, joinId, joinFrame, waiters, catchingUp, buffer} */
  #rooms = new Map();
  /** The user's direct-message stream: last seq delivered (null: none yet), its epoch, and a catch-up in progress. */
  #dm = { name: null, lastSeq: null, epoch: null, streamed: false, catchingUp: false, buffer: [] };
  /** id → {frame, resolve, reject, retries, queued, timer, waitingJoin}: unacked send/dm, in send order */
  #pending = new Map();
  /** id → {frame, resolve, reject, internal, retries, queued, timer}: join, leave and history requests */
  #requests = new Map();
  #listeners = [];

  user = null;
  name = null;
  connectionId = null;
  limits = null;

  constructor(url, options = {}) {
    super();
    this.#url = toWebSocketUrl(url);
    this.#token = options.token || null;
    this.#getToken = options.getToken || null;
    if (!this.#token && typeof this.#getToken !== 'function') {
      throw new TypeError('connect() needs {token} or {getToken: async () => token}');
    }
    if (this.#getToken && typeof this.#getToken !== 'function') throw new TypeError('getToken must be a function');
    const r = { ...DEFAULT_RECONNECT, ...(options.reconnect || {}) };
    checkNumber('reconnect.baseMs', r.baseMs, 1);
    checkNumber('reconnect.capMs', r.capMs, r.baseMs);
    checkNumber('reconnect.maxTries', r.maxTries, 0);
    this.#reconnect = r;
    this.#outboxLimit = options.outboxLimit ?? DEFAULT_OUTBOX;
    checkNumber('outboxLimit', this.#outboxLimit, 1);
    this.#pingIntervalOption = options.pingIntervalMs ?? null;
    if (this.#pingIntervalOption !== null) checkNumber('pingIntervalMs', this.#pingIntervalOption, 100);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    checkNumber('connectTimeoutMs', this.#connectTimeoutMs, 100);
    this.#resetPage = options.resetPage ?? DEFAULT_RESET_PAGE;
    checkNumber('resetPage', this.#resetPage, 0);
    if (options.dmSince !== undefined && options.dmSince !== null) {
      checkNumber('dmSince', options.dmSince, 0);
      this.#dm.lastSeq = options.dmSince;
      this.#dm.epoch = options.dmEpoch ?? null;
    }

    this.#listen('offline', () => this.#goOffline());
    this.#listen('online', () => this.#goOnline());
    if (globalThis.navigator && globalThis.navigator.onLine === false) {
      this.#setState('offline');
    } else {
      this.#open();
    }
  }

  /** "connecting" | "open" | "reconnecting" | "offline" | "closed" */
  get state() {
    return this.#state;
  }

  /** Messages sent but not acked yet (queued while disconnected or in flight). */
  get unacked() {
    return this.#pending.size;
  }

  /** Rooms this client is in (it re-joins them after every reconnect). */
  get rooms() {
    return [...this.#rooms.keys()];
  }

  /** The highest seq delivered in the room, or null. */
  lastSeq(room) {
    const r = this.#rooms.get(room);
    return r ? r.lastSeq : null;
  }

  /** The room's position to store for a later join(room, {since, epoch}): {seq, epoch}, or null. */
  position(room) {
    const r = this.#rooms.get(room);
    return r && r.lastSeq !== null ? { seq: r.lastSeq, epoch: r.epoch } : null;
  }

  /** The DM stream's position to store for a later connect(url, {dmSince: seq, dmEpoch: epoch}), or null. */
  get dmPosition() {
    return this.#dm.lastSeq !== null ? { seq: this.#dm.lastSeq, epoch: this.#dm.epoch } : null;
  }

  /** Subscribes; the handler gets the event's detail (usually the server frame). Returns the unsubscribe function. */
  on(type, handler) {
    const listener = (e) => handler(e.detail, e);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Joins a room; resolves with the `joined` frame. {since}: deliver messages after that seq (default: only new
   * ones); {epoch}: the epoch that seq belongs to (from position(room)), so that a position from another epoch is
   * dropped (a `reset` event) instead of resumed. After a reconnect the client re-joins by itself.
   */
  join(room, { since, epoch } = {}) {
    if (this.#state === 'closed') return Promise.reject(new SwitchboardError('closed', 'client is closed'));
    const existing = this.#rooms.get(room);
    if (existing) {
      if (existing.confirmed && existing.joinFrame) return Promise.resolve(existing.joinFrame);
      return new Promise((resolve, reject) => existing.waiters.push({ resolve, reject }));
    }
    const r = {
      name: room, lastSeq: since ?? null, epoch: since != null ? (epoch ?? null) : null,
      confirmed: false, joinId: null, joinFrame: null, waiters: [],
      catchingUp: false, buffer: [],
    };
    this.#rooms.set(room, r);
    const p = new Promise((resolve, reject) => r.waiters.push({ resolve, reject }));
    if (this.#welcomed) this.#sendJoin(r);
    return p;
  }

  /** Leaves a room; its messages stop at once. Resolves with the `left` frame (or null when not connected). */
  leave(room) {
    const r = this.#rooms.get(room);
    if (!r) return Promise.resolve(null);
    this.#rooms.delete(room);
    if (r.joinId) this.#requests.delete(r.joinId);
    for (const w of r.waiters) w.reject(new SwitchboardError('left', `left room ${room}`));
    if (!this.#welcomed || !r.confirmed) return Promise.resolve(null);
    return this.#request({ type: 'leave', room });
  }

  /**
   * Sends a room message; resolves with its `ack` once stored. Survives reconnects (re-sent with the same id).
   * The promise has an `id` property: the message's id, which the echoed `message` event carries too.
   */
  send(room, text, { id } = {}) {
    if (!this.#rooms.has(room)) {
      return withId(Promise.reject(new SwitchboardError('not_joined', `join room ${room} first`, { room })), id);
    }
    return this.#enqueue({ type: 'send', room, id: id || newId(), text });
  }

  /** Sends a direct message; resolves with its `ack`. Same delivery guarantees as send(). */
  dm(user, text, { id } = {}) {
    return this.#enqueue({ type: 'dm', to: user, id: id || newId(), text });
  }

  /** A page of a room's history: resolves with the `history` frame (messages oldest first, hasMore). */
  history(room, { before, limit } = {}) {
    const frame = { type: 'history', room };
    if (before !== undefined && before !== null) frame.before = before;
    if (limit !== undefined && limit !== null) frame.limit = limit;
    return this.#request(frame);
  }

  /**
   * A page of the user's direct-message stream (sent and received): resolves with the `dm_history` frame
   * (messages: dm frames with seq < before, default the newest, oldest first; hasMore). Like history(), it is not
   * passed through the dedup gate: a fresh client shows recent DMs with it.
   */
  dmHistory({ before, limit } = {}) {
    const frame = { type: 'dm_history' };
    if (before !== undefined && before !== null) frame.before = before;
    if (limit !== undefined && limit !== null) frame.limit = limit;
    return this.#request(frame);
  }

  /** Closes for good: unacked messages and open requests are rejected with code "closed". */
  close() {
    if (this.#state === 'closed') return;
    this.#shutdown(new SwitchboardError('closed', 'client closed'));
  }

  // --- connection ---------------------------------------------------------------------------------------------

  #listen(type, fn) {
    if (typeof globalThis.addEventListener !== 'function') return;
    globalThis.addEventListener(type, fn);
    this.#listeners.push([type, fn]);
  }

  #setState(state) {
    if (this.#state === state) return;
    const previous = this.#state;
    this.#state = state;
    this.#emit('state', { state, previous });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async #currentToken() {
    const expiry = this.#token ? tokenExpiry(this.#token) : null;
    const expired = expiry !== null && expiry - EXPIRY_MARGIN_MS <= Date.now();
    if (this.#getToken && (!this.#token || expired || this.#needFreshToken)) {
      const fresh = await this.#getToken();
      if (!fresh || typeof fresh !== 'string') throw new SwitchboardError('token_failed', 'getToken() returned no token');
      this.#token = fresh;
      this.#needFreshToken = false;
    }
    return this.#token;
  }

  async #open() {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#setState(this.#everOpen ? 'reconnecting' : 'connecting');
    const gen = ++this.#socketGen;
    let token;
    try {
      token = await this.#currentToken();
    } catch (e) {
      if (gen !== this.#socketGen || this.#state === 'closed' || this.#state === 'offline') return;
      this.#emit('error', { code: 'token_failed', message: String(e && e.message ? e.message : e) });
      this.#scheduleReconnect();
      return;
    }
    if (gen !== this.#socketGen || this.#state === 'closed' || this.#state === 'offline') return;
    const url = new URL(this.#url);
    url.searchParams.set('token', token);
    // The DM stream resumes where delivery stopped: the server replays every DM after it, then live ones.
    if (this.#dm.lastSeq !== null) {
      url.searchParams.set('dmSince', String(this.#dm.lastSeq));
      if (this.#dm.epoch != null) url.searchParams.set('dmEpoch', this.#dm.epoch);
    }
    let ws;
    try {
      ws = new WebSocket(url.toString());
    } catch (e) {
      this.#terminate('bad_url', String(e && e.message ? e.message : e));
      return;
    }
    this.#ws = ws;
    this.#lastFrameAt = Date.now();
    this.#unansweredSince = null;
    this.#connectTimer = setTimeout(() => {
      if (gen === this.#socketGen && !this.#welcomed) this.#drop('connect_timeout');
    }, this.#connectTimeoutMs);
    ws.onmessage = (e) => {
      if (gen === this.#socketGen) this.#onFrame(e.data);
    };
    ws.onclose = (e) => {
      if (gen === this.#socketGen) this.#onClosed(e.code, e.reason);
    };
    ws.onerror = () => {}; // a close event always follows
  }

  /** Gives up on the current socket at once (dead, offline, timed out) without waiting for its close handshake. */
  #drop(reason) {
    const ws = this.#ws;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, reason);
      } catch {
        // already closing
      }
    }
    this.#onClosed(1006, reason);
  }

  #onClosed(code, reason) {
    const wasWelcomed = this.#welcomed;
    const lived = wasWelcomed ? Date.now() - this.#openedAt : 0;
    this.#ws = null;
    this.#welcomed = false;
    this.#socketGen++;
    this.#stopTimers();
    this.#forgetConnection();
    if (this.#state === 'closed') return;
    if (lived >= STABLE_MS) this.#attempt = 0;
    if (code === CLOSE_BANNED) {
      this.#terminate('banned', 'the user is banned', code, reason);
      return;
    }
    if (code === CLOSE_UNAUTHORIZED || code === CLOSE_EXPIRED) {
      if (!this.#getToken) {
        this.#terminate(code === CLOSE_EXPIRED ? 'token_expired' : 'unauthorized',
          `the server refused the token (${reason || code})`, code, reason);
        return;
      }
      this.#needFreshToken = true;
    }
    if (this.#state === 'offline') return;
    if (code === CLOSE_DRAINING && wasWelcomed) {
      // The node is being taken out of service, not failing: come back at once, spread over up to a second, and
      // resume as after any reconnect. A 1012 before a welcome (a draining node refusing us) takes the backoff.
      this.#attempt = 0;
      this.#setState('reconnecting');
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = setTimeout(() => this.#open(), Math.random() * DRAIN_JITTER_MS);
      return;
    }
    this.#scheduleReconnect(code, reason);
  }

  #scheduleReconnect(code, reason) {
    if (this.#attempt >= this.#reconnect.maxTries) {
      this.#terminate('reconnect_failed', `gave up after ${this.#attempt} attempt(s)`, code, reason);
      return;
    }
    const delay = backoffDelay(this.#attempt, this.#reconnect.baseMs, this.#reconnect.capMs);
    this.#attempt++;
    this.#setState(this.#everOpen ? 'reconnecting' : 'connecting');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#open(), delay);
  }

  #goOffline() {
    if (this.#state === 'closed' || this.#state === 'offline') return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#setState('offline');
    if (this.#ws) this.#drop('offline');
    else this.#socketGen++; // a connect in progress (awaiting getToken) is abandoned
  }

  #goOnline() {
    if (this.#state !== 'offline') return;
    this.#attempt = 0;
    this.#open();
  }

  #terminate(code, message, closeCode, reason) {
    const err = new SwitchboardError(code, message, { closeCode, reason, terminal: true });
    this.#emit('error', { code, message, closeCode, reason, terminal: true });
    this.#shutdown(err);
  }

  #shutdown(err) {
    this.#setState('closed');
    for (const [type, fn] of this.#listeners) globalThis.removeEventListener(type, fn);
    this.#listeners = [];
    clearTimeout(this.#reconnectTimer);
    const ws = this.#ws;
    this.#ws = null;
    this.#welcomed = false;
    this.#socketGen++;
    this.#stopTimers();
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, 'bye');
      } catch {
        // already closing
      }
    }
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    for (const q of this.#requests.values()) {
      clearTimeout(q.timer);
      q.reject(err);
    }
    this.#requests.clear();
    for (const r of this.#rooms.values()) for (const w of r.waiters) w.reject(err);
    this.#rooms.clear();
  }

  #stopTimers() {
    clearTimeout(this.#connectTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pumpTimer);
    this.#connectTimer = this.#pingTimer = this.#pumpTimer = null;
  }

  /** What belonged to the socket that just went away; what must survive it (rooms, unacked messages) stays. */
  #forgetConnection() {
    this.#wire = [];
    for (const r of this.#rooms.values()) {
      r.confirmed = false;
      r.catchingUp = false;
      r.buffer = [];
      r.joinId = null;
    }
    // A catch-up in progress is abandoned: the next welcome's replay (dmSince) brings the rest.
    this.#dm.catchingUp = false;
    this.#dm.buffer = [];
    for (const [id, q] of this.#requests) {
      clearTimeout(q.timer);
      q.queued = false;
      if (q.internal || q.frame.type === 'join' || q.frame.type === 'leave') {
        this.#requests.delete(id);
        if (q.internal) q.reject(new SwitchboardError('disconnected', 'connection lost'));
        else if (q.frame.type === 'leave') q.resolve(null); // a new connection is not in the room anyway
      }
    }
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.queued = false;
      p.waitingJoin = false;
    }
  }

  #onWelcome(f) {
    clearTimeout(this.#connectTimer);
    this.#welcomed = true;
    this.#everOpen = true;
    this.#openedAt = Date.now();
    this.user = f.user;
    this.name = f.name ?? null;
    this.connectionId = f.connectionId;
    this.limits = f.limits || null;
    const heartbeatS = f.heartbeat > 0 ? f.heartbeat : DEFAULT_HEARTBEAT_S;
    this.#heartbeatMs = heartbeatS * 1000;
    const rate = this.limits && this.limits.ratePerSecond > 0 ? this.limits.ratePerSecond : 20;
    const burst = this.limits && this.limits.burst > 0 ? this.limits.burst : 40;
    this.#rate = Math.max(1, rate * 0.9);
    this.#burst = Math.max(1, Math.floor(burst * 0.5));
    this.#tokens = this.#burst;
    this.#refilledAt = Date.now();
    this.#pausedUntil = 0;
    this.#rateStrikes = 0;
    const every = this.#pingIntervalOption ?? this.#heartbeatMs / 2;
    this.#pingTimer = setInterval(() => this.#heartbeat(), every);
    this.#setState('open');
    this.#emit('welcome', f);
    // Re-join first (the server needs the membership before a send), then unacked messages, then open requests.
    const requests = [...this.#requests.values()]; // history requests that outlived the last connection
    for (const r of this.#rooms.values()) this.#sendJoin(r);
    for (const p of this.#pending.values()) this.#queue(p);
    for (const q of requests) this.#queue(q);
    this.#onDmPosition(f.dms); // after the re-sends: a reset's own page requests are queued once
  }

  /** The DM stream's position from welcome: keep ours, start at it, or (another epoch, shorter) reset. */
  #onDmPosition(d) {
    const s = this.#dm;
    s.streamed = !!d && typeof d.seq === 'number';
    if (!s.streamed) return; // a server without DM streams: DMs are only deduplicated by seq
    if (s.lastSeq === null) {
      s.lastSeq = d.seq; // a fresh client: live from here; older ones through dmHistory()
      s.epoch = d.epoch ?? null;
    } else if (mustReset(s, d.seq, d.epoch ?? null)) {
      this.#reset(s, d.seq, d.epoch ?? null);
    } else if (d.epoch != null) {
      s.epoch = d.epoch;
    }
  }

  /** Drops a room's or the DM stream's position, says so, and re-pages the newest `resetPage` messages. */
  #reset(s, seq, epoch) {
    const dropped = { seq: s.lastSeq, epoch: s.epoch };
    const base = Math.max(0, seq - this.#resetPage);
    s.lastSeq = base;
    s.epoch = epoch;
    this.#emit('reset', { room: s.name, dms: s.name === null, dropped, current: { seq, epoch } });
    if (seq > base) this.#catchUp(s, base, seq + 1);
  }

  /**
   * Browsers cannot see WebSocket pings, so the client pings at application level. A socket is dead when a ping
   * is outstanding and nothing at all arrived for 2 x heartbeat. (Only counting from an outstanding ping keeps a
   * background tab, whose timers the browser slows to once a minute, from dropping a healthy connection.)
   */
  #heartbeat() {
    if (!this.#welcomed) return;
    const now = Date.now();
    if (this.#unansweredSince !== null && now - this.#lastFrameAt > 2 * this.#heartbeatMs) {
      this.#drop('heartbeat_timeout');
      return;
    }
    if (this.#unansweredSince === null) this.#unansweredSince = now;
    this.#wire.push({ frame: { type: 'ping' } });
    this.#pump();
  }

  // --- outgoing -----------------------------------------------------------------------------------------------

  #enqueue(frame) {
    if (this.#state === 'closed') return withId(Promise.reject(new SwitchboardError('closed', 'client is closed')), frame.id);
    // Refused here rather than by the server, where each refusal counts against the connection's allowance.
    if (typeof frame.text !== 'string' || frame.text.trim() === '') {
      return withId(Promise.reject(new SwitchboardError('invalid_frame', 'text must not be empty')), frame.id);
    }
    for (const field of ['text', 'to', 'id']) {
      if (typeof frame[field] === 'string' && hasLoneSurrogate(frame[field])) {
        return withId(Promise.reject(new SwitchboardError('invalid_frame',
          `${field} contains a lone surrogate (not valid Unicode)`)), frame.id);
      }
    }
    const maxChars = this.limits && this.limits.textChars;
    if (maxChars && frame.text.length > maxChars && [...frame.text].length > maxChars) {
      return withId(Promise.reject(new SwitchboardError('text_too_long', `text longer than ${maxChars} characters`)), frame.id);
    }
    if (this.#pending.has(frame.id)) return withId(Promise.reject(new SwitchboardError('duplicate_id', 'id in use')), frame.id);
    if (this.#pending.size >= this.#outboxLimit) {
      const detail = { limit: this.#outboxLimit, id: frame.id, room: frame.room, to: frame.to, text: frame.text };
      this.#emit('overflow', detail);
      return withId(Promise.reject(new SwitchboardError('overflow',
        `more than ${this.#outboxLimit} messages wait for their ack`, detail)), frame.id);
    }
    const p = new Promise((resolve, reject) => {
      this.#pending.set(frame.id, { frame, resolve, reject, retries: 0, queued: false, timer: null, waitingJoin: false });
    });
    if (this.#welcomed) this.#queue(this.#pending.get(frame.id));
    return withId(p, frame.id);
  }

  #request(frame, { internal = false } = {}) {
    const id = frame.id || newId();
    frame.id = id;
    if (this.#state === 'closed') return Promise.reject(new SwitchboardError('closed', 'client is closed'));
    const p = new Promise((resolve, reject) => {
      this.#requests.set(id, { frame, resolve, reject, internal, retries: 0, queued: false, timer: null });
    });
    if (this.#welcomed) this.#queue(this.#requests.get(id));
    return p;
  }

  #sendJoin(r) {
    const frame = { type: 'join', room: r.name, id: newId() };
    if (r.lastSeq !== null) frame.since = r.lastSeq;
    if (r.lastSeq !== null && r.epoch != null) frame.epoch = r.epoch;
    r.joinId = frame.id;
    r.sentSince = r.lastSeq;
    this.#requests.set(frame.id, {
      frame, internal: false, retries: 0, queued: false, timer: null,
      resolve: () => {}, reject: () => {}, // waiters live on the room
    });
    this.#queue(this.#requests.get(frame.id));
  }

  #queue(entry) {
    if (entry.queued || !this.#welcomed) return;
    entry.queued = true;
    this.#wire.push(entry);
    this.#pump();
  }

  #pump() {
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    if (!this.#welcomed || !this.#ws) return;
    const now = Date.now();
    if (now < this.#pausedUntil) {
      this.#pumpTimer = setTimeout(() => this.#pump(), this.#pausedUntil - now);
      return;
    }
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    this.#refilledAt = now;
    while (this.#wire.length > 0 && this.#tokens >= 1) {
      const entry = this.#wire.shift();
      if (entry.frame.type !== 'ping') {
        entry.queued = false;
        const live = entry.frame.type === 'send' || entry.frame.type === 'dm'
          ? this.#pending.get(entry.frame.id) === entry
          : this.#requests.get(entry.frame.id) === entry;
        if (!live) continue; // acked or cancelled meanwhile
      }
      this.#tokens -= 1;
      this.#ws.send(JSON.stringify(entry.frame));
    }
    if (this.#wire.length > 0) {
      const wait = Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
      this.#pumpTimer = setTimeout(() => this.#pump(), Math.max(1, wait));
    }
  }

  /** Sends the frame again after a jittered delay, on this connection (a new one re-sends everything anyway). */
  #retryLater(entry) {
    entry.retries++;
    const gen = this.#socketGen;
    const delay = backoffDelay(Math.min(entry.retries, 6), this.#reconnect.baseMs, this.#reconnect.capMs);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (gen === this.#socketGen) this.#queue(entry);
    }, delay);
  }

  /** The server dropped a frame for the rate limit: pause sending, then send it first. */
  #rateLimited(entry) {
    this.#rateStrikes++;
    const delay = 1000 + backoffDelay(this.#rateStrikes, this.#reconnect.baseMs, this.#reconnect.capMs);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
    this.#tokens = 0;
    if (entry && !entry.queued) {
      entry.queued = true;
      this.#wire.unshift(entry);
    }
    this.#pump();
  }

  // --- incoming -----------------------------------------------------------------------------------------------

  #onFrame(data) {
    this.#lastFrameAt = Date.now();
    this.#unansweredSince = null;
    let f;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (!f || typeof f !== 'object') return;
    switch (f.type) {
      case 'welcome': this.#onWelcome(f); break;
      case 'joined': this.#onJoined(f); break;
      case 'left': this.#onLeft(f); break;
      case 'message': this.#roomFrame('message', f); break;
      case 'system':
        if (f.room && typeof f.seq === 'number') this.#roomFrame('system', f);
        else this.#emit('system', f);
        break;
      case 'dm': this.#onDm(f); break;
      case 'ack': this.#onAck(f); break;
      case 'history': this.#onHistory(f); break;
      case 'dm_history': this.#onHistory(f); break;
      case 'presence':
        if (this.#rooms.has(f.room)) this.#emit('presence', f);
        break;
      case 'deleted':
        if (this.#rooms.has(f.room)) this.#emit('deleted', f);
        break;
      case 'kicked': this.#emit('kicked', f); break;
      case 'error': this.#onError(f); break;
      case 'pong': break;
      default: break;
    }
  }

  #onJoined(f) {
    const r = this.#rooms.get(f.room);
    if (f.id) this.#requests.delete(f.id);
    if (!r || (f.id && r.joinId && f.id !== r.joinId)) return;
    const since = r.sentSince ?? null;
    r.confirmed = true;
    r.joinFrame = f;
    let reset = false;
    if (r.lastSeq === null) {
      r.lastSeq = f.seq; // a first join: only what comes after it
      r.epoch = f.epoch ?? null;
    } else if (mustReset(r, f.seq, f.epoch ?? null)) {
      reset = true; // another epoch, or shorter than what we saw: the server replayed nothing usable
      this.#reset(r, f.seq, f.epoch ?? null);
    } else {
      if (f.epoch != null) r.epoch = f.epoch;
      if (f.hasMore && since !== null && typeof f.firstReplayed === 'number' && f.firstReplayed > since + 1) {
        this.#catchUp(r, since, f.firstReplayed);
      }
    }
    const detail = { ...f, resumed: since !== null, reset };
    this.#emit('joined', detail);
    const waiters = r.waiters;
    r.waiters = [];
    for (const w of waiters) w.resolve(f);
    for (const p of this.#pending.values()) {
      if (p.waitingJoin && p.frame.room === f.room) {
        p.waitingJoin = false;
        this.#queue(p);
      }
    }
  }

  /**
   * Pages back from `before` down to `since` (a bounded replay, or the newest messages after a reset) while
   * holding what arrives meanwhile, then delivers all of it through the gate in seq order. `s` is a room or the
   * DM stream.
   */
  async #catchUp(s, since, before) {
    const gen = this.#socketGen;
    const isDm = s === this.#dm;
    const alive = () => gen === this.#socketGen && (isDm || this.#rooms.get(s.name) === s);
    s.catchingUp = true;
    s.buffer = [];
    const older = [];
    const pageMax = (this.limits && this.limits.historyPageMax) || 200;
    try {
      while (before > since + 1) {
        const limit = Math.min(pageMax, before - since - 1);
        const frame = isDm ? { type: 'dm_history', before, limit } : { type: 'history', room: s.name, before, limit };
        const h = await this.#request(frame, { internal: true });
        if (!alive()) return;
        const msgs = h.messages || [];
        for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i].seq > since) older.push(msgs[i]);
        if (!h.hasMore || msgs.length === 0) break;
        before = msgs[0].seq;
      }
    } catch (e) {
      if (!alive()) return;
      this.#emit('error', { code: 'resume_incomplete', room: s.name ?? undefined, dms: isDm,
        message: `could not page back: ${e.code || e}` });
    }
    older.sort((a, b) => a.seq - b.seq);
    s.catchingUp = false;
    const buffered = s.buffer;
    s.buffer = [];
    if (isDm) {
      for (const m of older) this.#onDm(m);
      for (const [, m] of buffered) this.#onDm(m);
    } else {
      for (const m of older) this.#roomFrame('message', m);
      for (const [type, m] of buffered) this.#roomFrame(type, m);
    }
  }

  #onLeft(f) {
    if (f.id) {
      const q = this.#requests.get(f.id);
      if (q) {
        this.#requests.delete(f.id);
        q.resolve(f);
      }
    }
    if (f.reason) {
      const r = this.#rooms.get(f.room);
      if (r) {
        this.#rooms.delete(f.room);
        const err = new SwitchboardError(f.reason, `left room ${f.room}: ${f.reason}`, { room: f.room });
        for (const w of r.waiters) w.reject(err);
      }
      this.#emit('left', f);
    }
  }

  /** The one gate for seq-numbered room frames: each (room, seq) passes once, in order. */
  #roomFrame(type, f) {
    const r = this.#rooms.get(f.room);
    if (!r) return;
    if (r.catchingUp) {
      r.buffer.push([type, f]);
      return;
    }
    if (r.lastSeq !== null && f.seq <= r.lastSeq) return;
    r.lastSeq = f.seq;
    this.#emit(type, f);
  }

  /** The gate for direct messages: each stream seq passes once, in order (held while a catch-up runs). */
  #onDm(f) {
    const s = this.#dm;
    if (s.catchingUp) {
      s.buffer.push(['dm', f]);
      return;
    }
    if (s.lastSeq !== null && f.seq <= s.lastSeq) return;
    s.lastSeq = f.seq;
    this.#emit('dm', f);
  }

  #onAck(f) {
    const p = this.#pending.get(f.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(f.id);
    this.#rateStrikes = 0;
    p.resolve(f);
  }

  #onHistory(f) {
    const q = f.id && this.#requests.get(f.id);
    if (!q) return;
    this.#requests.delete(f.id);
    q.resolve(f);
  }

  #onError(f) {
    const id = f.id;
    const p = id ? this.#pending.get(id) : null;
    const q = id ? this.#requests.get(id) : null;
    if (f.code === 'rate_limited') {
      this.#rateLimited(p || q || null);
      return;
    }
    if (p) {
      if (RETRYABLE.has(f.code)) {
        this.#retryLater(p);
      } else if (f.code === 'not_joined' && this.#rooms.has(p.frame.room) && !this.#rooms.get(p.frame.room).confirmed) {
        p.waitingJoin = true; // our join failed transiently; re-send once it went through
      } else if (f.code === 'id_conflict') {
        // The id already names another message of this user: no retry can ever store this one.
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(new SwitchboardError('id_conflict',
          `id ${id} already names another message; this one was not stored (${f.message || 'id_conflict'})`,
          { id, frame: p.frame }));
      } else {
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(new SwitchboardError(f.code, f.message, { id, frame: p.frame }));
      }
      return;
    }
    if (q) {
      if (RETRYABLE.has(f.code)) {
        this.#retryLater(q);
        return;
      }
      this.#requests.delete(id);
      if (q.frame.type === 'join') {
        const r = this.#rooms.get(q.frame.room);
        if (r && r.joinId === id) {
          this.#rooms.delete(q.frame.room);
          const err = new SwitchboardError(f.code, f.message, { room: q.frame.room });
          for (const w of r.waiters) w.reject(err);
          for (const [pid, m] of this.#pending) {
            if (m.frame.room === q.frame.room) {
              this.#pending.delete(pid);
              m.reject(err);
            }
          }
        }
        this.#emit('error', f);
      } else if (q.frame.type === 'leave' && f.code === 'not_joined') {
        q.resolve(null);
      } else {
        q.reject(new SwitchboardError(f.code, f.message, { id }));
      }
      return;
    }
    this.#emit('error', f);
  }
}

function withId(promise, id) {
  promise.id = id;
  return promise;
}
