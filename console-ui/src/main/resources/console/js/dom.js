// DOM building without HTML parsing: every piece of text becomes a text node, so data can never turn into markup.

const BOOLEAN_PROPS = new Set(['disabled', 'hidden', 'required', 'checked', 'selected', 'open', 'multiple', 'readOnly']);
const FORBIDDEN = new Set(['style', 'innerHTML', 'outerHTML', 'srcdoc']);

/**
 * h('button', {class: 'kick', dataset: {id}, onclick: fn}, 'Kick') → element.
 * Children: strings/numbers (as text nodes), nodes, arrays, null/false (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined) continue;
    if (FORBIDDEN.has(key)) throw new Error(`h(): ${key} is not allowed`);
    if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'value') {
      el.value = String(value);
    } else if (BOOLEAN_PROPS.has(key)) {
      el[key] = Boolean(value);
    } else if (value !== false) {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children like h() does: null/false skipped (the DOM's own append would print "null"), text as text. */
export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** Sets text only when it changed (keeps selections and avoids needless layout). */
export function setText(el, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== t) el.textContent = t;
}

/** A status line: kind is '', 'ok', 'error' or 'busy'; an empty message hides it. */
export function say(el, message, kind = '') {
  setText(el, message || '');
  el.hidden = !message;
  el.classList.remove('ok', 'error', 'busy');
  if (kind) el.classList.add(kind);
}

/** Debounces renders triggered by bursts of events into one pass. */
export function coalesce(fn, delayMs = 40) {
  let timer = null;
  const run = () => {
    timer = null;
    fn();
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(run, delayMs);
  };
  schedule.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return schedule;
}

// ---- formatting -------------------------------------------------------------------------------------------------

export function plural(n, one, many = one + 's') {
  return `${n} ${n === 1 ? one : many}`;
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** 3725 → "1h 2m", 59 → "59s", 90061 → "1d 1h". */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

// One time format in the whole console, whatever the browser's locale: 24-hour local time (charts, message times)
// and the same time after an ISO-like date where the day matters (tables, audit, bans). Every view formats through
// these three functions.
const pad = (n) => String(n).padStart(2, '0');

/** 1767643534000 → "20:05:34" (local, 24-hour); empty → "–". */
export function fmtTime(ms) {
  if (!ms) return '–';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 1767643534000 → "2026-01-05 20:05:34" (local, 24-hour); empty → "–". */
export function fmtDateTime(ms) {
  if (!ms) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtTime(ms)}`;
}

/** A <time> element with the ISO instant as its machine value and the full local date-time as its tooltip. */
export function timeEl(ms, short = false) {
  if (!ms) return h('span', { class: 'muted' }, '–');
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: fmtDateTime(ms) }, short ? fmtTime(ms) : fmtDateTime(ms));
}

/** 65011712 → "62 MB", 6320816128 → "5.9 GB". */
export function fmtBytes(bytes) {
  if (bytes === null || bytes === undefined || bytes < 0) return '–';
  const mb = bytes / 1048576;
  return mb < 1024 ? `${fmtNumber(mb, 0)} MB` : `${fmtNumber(mb / 1024, 1)} GB`;
}

/** Path segment escaping for user-supplied names (rooms, users, ids). */
export const seg = encodeURIComponent;
