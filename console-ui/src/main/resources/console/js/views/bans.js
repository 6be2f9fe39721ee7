// Bans: who is banned and until when, kept live from the stream (ban.added / ban.lifted, expiry); ban a user (kicks
// their connections) or lift a ban.

import { h, append, setText, say, timeEl, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on, countConnections } from '../live.js';
import { askConfirm } from '../dialogs.js';

const PAGE = 100;
const MAX_BANS = 1000;
const DURATION = /^\d+(ms|s|m|h|d)$/;

export function mount(root, { session }) {
  const canOperate = session.canOperate;
  const status = h('p', { id: 'bans-status', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  const loadError = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const user = h('input', { id: 'ban-user', type: 'text', required: true, maxlength: '128', autocomplete: 'off', spellcheck: 'false', disabled: !canOperate });
  const duration = h('input', { id: 'ban-duration', type: 'text', maxlength: '32', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. 1h or 7d', 'aria-describedby': 'ban-duration-hint', disabled: !canOperate });
  const reason = h('input', { id: 'ban-reason', type: 'text', maxlength: '500', autocomplete: 'off', disabled: !canOperate });
  const submit = h('button', { type: 'submit', id: 'ban-submit', class: 'danger', disabled: !canOperate }, 'Ban user');
  const form = h('form', { class: 'card inline-form', id: 'ban-form', novalidate: true, 'aria-label': 'Ban a user' },
    h('div', { class: 'field' }, h('label', { for: 'ban-user' }, 'User id'), user),
    h('div', { class: 'field' }, h('label', { for: 'ban-duration' }, 'Duration'), duration,
      h('p', { class: 'hint', id: 'ban-duration-hint' }, 'Like 30m, 12h or 7d. Empty: permanent.')),
    h('div', { class: 'field grow' }, h('label', { for: 'ban-reason' }, 'Reason (shown to the user)'), reason),
    submit);

  const tbody = h('tbody');
  const table = h('table', { id: 'bans', class: 'data stack', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Bans in force'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col' }, 'Since'),
      h('th', { scope: 'col' }, 'Until'), h('th', { scope: 'col' }, 'By'),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    tbody);
  const empty = h('p', { class: 'empty', id: 'bans-empty' }, 'Loading bans…');
  const more = h('button', { type: 'button', id: 'bans-more', class: 'secondary', hidden: true }, 'Load more');
  const refresh = h('button', { type: 'button', id: 'bans-refresh', class: 'secondary' }, 'Refresh');

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Bans'),
      h('p', { class: 'muted' }, 'A banned user’s connections are closed (4003) and new ones refused until the ban ends.')),
    canOperate ? null : h('p', { class: 'notice' }, 'You are signed in as a viewer: banning and lifting bans are disabled.'),
    form, status, loadError,
    h('div', { class: 'toolbar' }, refresh),
    h('div', { class: 'table-wrap' }, table), empty, more,
  );

  let cursor = null;
  let loading = false;
  let pending = [];
  const rows = new Map(); // user → {tr, ban}

  function row(b) {
    const lift = h('button', { type: 'button', class: 'lift small secondary', disabled: !canOperate,
      title: canOperate ? null : 'Needs the operator role', 'aria-label': `Lift the ban on ${b.user}` }, 'Lift');
    lift.addEventListener('click', () => liftBan(b.user));
    return h('tr', { dataset: { user: b.user, expires: b.expiresAt || '' } },
      h('td', { class: 'title-cell', dataset: { label: '' } }, b.user),
      h('td', { dataset: { label: 'Reason' } }, b.reason || h('span', { class: 'muted' }, 'no reason given')),
      h('td', { dataset: { label: 'Since' } }, timeEl(b.createdAt)),
      h('td', { dataset: { label: 'Until' } }, b.expiresAt ? timeEl(b.expiresAt) : h('span', { class: 'badge warn' }, 'permanent')),
      h('td', { dataset: { label: 'By' } }, b.createdBy || '–'),
      h('td', { class: 'row-actions', dataset: { label: '' } }, lift));
  }

  /** Puts a ban's row in user order (replacing the user's earlier ban), or drops it; keeps the list capped. */
  function put(b) {
    const old = rows.get(b.user);
    if (old) {
      old.tr.remove();
      rows.delete(b.user);
    }
    if (!b.expired) {
      const last = tbody.lastElementChild;
      const beyond = !old && cursor && last && b.user > last.dataset.user; // belongs to a page not loaded yet
      if (!beyond && rows.size < MAX_BANS) {
        const tr = row(b);
        let before = null;
        for (const other of tbody.children) {
          if (other.dataset.user > b.user) {
            before = other;
            break;
          }
        }
        tbody.insertBefore(tr, before);
        rows.set(b.user, { tr, ban: b });
      }
    }
    renderState();
  }

  function renderState() {
    const count = rows.size;
    more.hidden = !cursor || count >= MAX_BANS;
    table.hidden = count === 0;
    empty.hidden = count > 0;
    setText(empty, loading ? 'Loading bans…' : loadError.hidden ? 'No one is banned.' : 'No bans to show.');
  }

  /** A live change: applied now, or after the page being fetched (so that a reset cannot undo it). */
  function apply(change) {
    if (loading) pending.push(change);
    else put(change);
  }

  async function load(reset) {
    if (loading) return;
    loading = true;
    more.disabled = true;
    loadError.hidden = true;
    try {
      const page = await request('GET', `/api/v1/bans?limit=${PAGE}${!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (reset) {
        tbody.replaceChildren();
        rows.clear();
      }
      cursor = null; // rows append in order while the page is applied
      for (const b of page.items) put(b);
      cursor = page.nextCursor;
    } catch (e) {
      loadError.hidden = false;
      setText(loadError, `Bans could not be loaded: ${describe(e)}`);
    } finally {
      loading = false;
      more.disabled = false;
      const waiting = pending;
      pending = [];
      waiting.forEach(put);
      renderState();
    }
  }

  /** Bans end by themselves: drop the rows whose time is up. */
  function dropExpired() {
    const now = Date.now();
    for (const { ban } of [...rows.values()]) {
      if (ban.expiresAt && ban.expiresAt <= now) put({ user: ban.user, expired: true });
    }
  }

  async function liftBan(name) {
    const answer = await askConfirm({ title: 'Lift ban', text: `Lift the ban on ${name}? They can connect again at once.`, confirmLabel: 'Lift ban', danger: false });
    if (!answer) return;
    say(status, 'Lifting…', 'busy');
    try {
      await request('DELETE', `/api/v1/bans/${seg(name)}`);
      say(status, `Lifted the ban on ${name}.`, 'ok');
      apply({ user: name, expired: true });
    } catch (e) {
      say(status, describe(e), 'error');
      if (e.status === 404) apply({ user: name, expired: true }); // already lifted or ended
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { user: user.value.trim() };
    const d = duration.value.trim();
    const r = reason.value.trim();
    if (!body.user) {
      say(status, 'Enter the user id to ban.', 'error');
      user.focus();
      return;
    }
    if (d && !DURATION.test(d)) {
      say(status, 'Write the duration like 30m, 12h or 7d, or leave it empty for a permanent ban.', 'error');
      duration.focus();
      return;
    }
    if (d) body.duration = d;
    if (r) body.reason = r;
    let open = 0;
    try {
      open = await countConnections({ user: body.user });
    } catch (e) {
      open = 0; // an id no token could carry has no connections; the ban request itself says what is wrong
    }
    const answer = await askConfirm({
      title: 'Ban user',
      text: `Ban ${body.user} ${d ? `for ${d}` : 'permanently'}? Their open connections (${plural(open, 'connection')} now) are closed, and they cannot connect until the ban ends.`,
      confirmLabel: 'Ban user',
    });
    if (!answer) return;
    submit.disabled = true;
    say(status, 'Banning…', 'busy');
    try {
      const res = await request('POST', '/api/v1/bans', body);
      say(status, `Banned ${body.user}${d ? ` for ${d}` : ' permanently'}; ${plural(res.kicked, 'connection')} closed.`, 'ok');
      form.reset();
      apply(res.ban); // the ban.added event says the same; the row is keyed by user
    } catch (e) {
      say(status, describe(e), 'error');
    } finally {
      submit.disabled = !canOperate;
    }
  });
  more.addEventListener('click', () => load(false));
  refresh.addEventListener('click', () => load(true));

  load(true);
  const expiry = setInterval(dropExpired, 1000);
  // Bans made or lifted anywhere (another console, a script) show up without a reload; a new snapshot after the
  // stream dropped means some may have been missed.
  let snapshots = live.status === 'live' ? 1 : 0; // the first snapshot is the one of the stream this page opened with
  const offs = [
    on('bans', (d) => apply(d.event === 'added' ? d.ban : { user: d.user, expired: true })),
    on('snapshot', () => {
      if (++snapshots > 1) load(true);
    }),
  ];
  return () => {
    clearInterval(expiry);
    offs.forEach((off) => off());
  };
}
