// Console entry point: the session (sign-in / sign-out), the header, hash routing and the one live stream.

import { request, setCsrf, onUnauthorized, describe } from './api.js';
import { live, on, openStream, stopStream, streamRoom } from './live.js';
import { say, setText, fmtTime } from './dom.js';
import * as dashboard from './views/dashboard.js';
import * as nodes from './views/nodes.js';
import * as connections from './views/connections.js';
import * as rooms from './views/rooms.js';
import * as room from './views/room.js';
import * as broadcast from './views/broadcast.js';
import * as bans from './views/bans.js';
import * as audit from './views/audit.js';

const ROUTES = [
  { pattern: /^\/dashboard$/, view: dashboard, nav: 'nav-dashboard', title: 'Dashboard' },
  { pattern: /^\/nodes$/, view: nodes, nav: 'nav-nodes', title: 'Nodes' },
  { pattern: /^\/connections$/, view: connections, nav: 'nav-connections', title: 'Connections' },
  { pattern: /^\/rooms$/, view: rooms, nav: 'nav-rooms', title: 'Rooms' },
  { pattern: /^\/rooms\/(.+)$/, view: room, nav: 'nav-rooms', title: 'Room', room: true },
  { pattern: /^\/broadcast$/, view: broadcast, nav: 'nav-broadcast', title: 'Broadcast' },
  { pattern: /^\/bans$/, view: bans, nav: 'nav-bans', title: 'Bans' },
  { pattern: /^\/audit$/, view: audit, nav: 'nav-audit', title: 'Audit log' },
];

const $ = (id) => document.getElementById(id);

let session = null;
let unmount = null;
let expiryTimer = null;

const STATUS_TEXT = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  off: 'offline',
};

function showStatus(status) {
  const el = $('live-status');
  setText(el, STATUS_TEXT[status] || status);
  el.dataset.state = status;
}

/** A node that drains says so on every page: it is leaving service and its chat clients are moving elsewhere. */
function showNode(node) {
  const el = $('drain-notice');
  document.body.classList.toggle('draining', !!(node && node.draining));
  if (!node || !node.draining) {
    el.hidden = true;
    setText(el, '');
    return;
  }
  const by = node.cause ? ` (${node.cause})` : '';
  let what;
  if (node.finished) what = `all ${node.closed} chat connection(s) have been moved to other nodes.`;
  else if (node.toClose >= 0) what = `closing chat connections: ${node.closed} of ${node.toClose}, until ${fmtTime(node.closingUntil)}.`;
  else what = `not ready for new connections; closing chat connections from ${fmtTime(node.closingFrom)} to ${fmtTime(node.closingUntil)}.`;
  setText(el, `This node is draining${by}: ${what}`);
  el.hidden = false;
}

function unmountView() {
  if (unmount) {
    try {
      unmount();
    } catch (e) {
      console.error('view cleanup failed', e);
    }
  }
  unmount = null;
  $('view').replaceChildren();
}

function showSignIn(message) {
  session = null;
  setCsrf(null);
  clearTimeout(expiryTimer);
  stopStream();
  unmountView();
  document.body.classList.remove('signed-in', 'viewer', 'operator');
  $('boot').hidden = true;
  $('topbar').hidden = true;
  $('view').hidden = true;
  $('stream-notice').hidden = true;
  $('drain-notice').hidden = true;
  $('signin').hidden = false;
  say($('signin-error'), message || '', 'error');
  document.title = 'Sign in · Switchboard';
  $('signin-token').focus();
}

function signedIn(s) {
  session = s;
  setCsrf(s.csrf);
  $('boot').hidden = true;
  $('signin').hidden = true;
  say($('signin-error'), '');
  $('topbar').hidden = false;
  $('view').hidden = false;
  setText($('admin-name'), s.admin);
  setText($('role'), s.role);
  $('role').title = s.canOperate ? 'May view and act' : 'May view only: actions are disabled';
  document.body.classList.add('signed-in');
  document.body.classList.toggle('viewer', !s.canOperate);
  document.body.classList.toggle('operator', !!s.canOperate);
  clearTimeout(expiryTimer);
  const left = (s.expiresAt || 0) - Date.now();
  if (left > 0 && left < 2 ** 31 - 1) {
    expiryTimer = setTimeout(() => showSignIn('Your session expired. Sign in again.'), left + 500);
  }
  route(false);
}

async function signIn(ev) {
  ev.preventDefault();
  const input = $('signin-token');
  const button = $('signin-submit');
  const token = input.value.trim();
  if (!token) {
    say($('signin-error'), 'Enter the admin token.', 'error');
    input.focus();
    return;
  }
  button.disabled = true;
  say($('signin-error'), '');
  try {
    const s = await request('POST', '/console/session', { token }, { quiet401: true });
    input.value = '';
    signedIn(s);
  } catch (e) {
    let message;
    if (e.status === 401) message = 'That token was not accepted. Check it and try again.';
    else if (e.status === 429) message = 'Too many sign-in attempts. Wait a minute, then try again.';
    else message = describe(e);
    say($('signin-error'), message, 'error');
    input.select();
    input.focus();
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  const button = $('signout');
  button.disabled = true;
  try {
    await request('DELETE', '/console/session', undefined, { quiet401: true });
  } catch (e) {
    // Signed out on the server or not: this page forgets the session either way.
  } finally {
    button.disabled = false;
  }
  showSignIn('You are signed out.');
  $('signin-error').classList.remove('error');
}

function route(fromNavigation = true) {
  if (!session) return;
  // A route may carry parameters after '?' (e.g. #/connections?node=n2); names in a path are percent-encoded, so
  // the first literal '?' starts them.
  const hash = location.hash.replace(/^#/, '') || '/dashboard';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  let match = null;
  let found = null;
  for (const r of ROUTES) {
    match = r.pattern.exec(path);
    if (match) {
      found = r;
      break;
    }
  }
  if (!found) {
    location.replace('#/dashboard'); // hashchange routes there
    return;
  }
  let roomName = null;
  if (found.room) {
    try {
      roomName = decodeURIComponent(match[1]);
    } catch (e) {
      roomName = match[1];
    }
  }
  unmountView();
  // One EventSource at a time: with ?room= on a room page, without it elsewhere.
  if (streamRoom() !== roomName) openStream(roomName);
  for (const r of ROUTES) $(r.nav).removeAttribute('aria-current');
  $(found.nav).setAttribute('aria-current', 'page');
  document.title = `${roomName || found.title} · Switchboard`;
  const container = $('view');
  try {
    unmount = found.view.mount(container, { session, room: roomName, params }) || null;
  } catch (e) {
    console.error(e);
    container.replaceChildren();
    const p = document.createElement('p');
    p.className = 'notice error';
    p.textContent = `This page failed to load: ${e.message}`;
    container.appendChild(p);
  }
  if (fromNavigation) {
    const heading = container.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }
}

async function boot() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('skip-link').addEventListener('click', () => $('main').focus());
  window.addEventListener('hashchange', () => route(true));
  on('status', showStatus);
  on('node', showNode);
  // The server drops a stream it cannot serve (too many consoles, or this one fell behind); say so until the next
  // snapshot arrives.
  on('stream-error', (d) => say($('stream-notice'),
    `The live stream was interrupted${d && d.message ? `: ${d.message}` : ''}. Reconnecting…`, 'error'));
  on('snapshot', () => say($('stream-notice'), ''));
  on('signed-out', () => showSignIn('Your session has ended (the server may have restarted). Sign in again.'));
  onUnauthorized(() => {
    if (session) showSignIn('Your session has ended. Sign in again.');
  });
  showStatus(live.status);
  try {
    signedIn(await request('GET', '/console/session', undefined, { quiet401: true }));
  } catch (e) {
    showSignIn(e.status === 401 ? '' : describe(e));
  }
}

boot();
