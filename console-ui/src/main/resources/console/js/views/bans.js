// Bans: who is banned and until when; ban a user (kicks their connections) or lift a ban.

import { h, append, setText, say, timeEl, plural, seg } from '../dom.js';
import { request, describe } from '../api.js';
import { on } from '../live.js';
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
  let count = 0;

  function row(b) {
    const lift = h('button', { type: 'button', class: 'lift small secondary', disabled: !canOperate,
      title: canOperate ? null : 'Needs the operator role', 'aria-label': `Lift the ban on ${b.user}` }, 'Lift');
    lift.addEventListener('click', () => liftBan(b.user));
    return h('tr', { dataset: { user: b.user } },
      h('td', { class: 'title-cell', dataset: { label: '' } }, b.user),
      h('td', { dataset: { label: 'Reason' } }, b.reason || h('span', { class: 'muted' }, 'no reason given')),
      h('td', { dataset: { label: 'Since' } }, timeEl(b.createdAt)),
      h('td', { dataset: { label: 'Until' } }, b.expiresAt ? timeEl(b.expiresAt) : h('span', { class: 'badge warn' }, 'permanent')),
      h('td', { dataset: { label: 'By' } }, b.createdBy || '–'),
      h('td', { class: 'row-actions', dataset: { label: '' } }, lift));
  }

  async function load(reset) {
    more.disabled = true;
    loadError.hidden = true;
    try {
      const page = await request('GET', `/api/v1/bans?limit=${PAGE}${!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (reset) {
        tbody.replaceChildren();
        count = 0;
      }
      for (const b of page.items) {
        if (count >= MAX_BANS) break;
        tbody.append(row(b));
        count++;
      }
      cursor = page.nextCursor;
    } catch (e) {
      loadError.hidden = false;
      setText(loadError, `Bans could not be loaded: ${describe(e)}`);
    } finally {
      more.disabled = false;
      more.hidden = !cursor || count >= MAX_BANS;
      table.hidden = count === 0;
      empty.hidden = count > 0;
      setText(empty, loadError.hidden ? 'No one is banned.' : 'No bans to show.');
    }
  }

  async function liftBan(name) {
    const answer = await askConfirm({ title: 'Lift ban', text: `Lift the ban on ${name}? They can connect again at once.`, confirmLabel: 'Lift ban', danger: false });
    if (!answer) return;
    say(status, 'Lifting…', 'busy');
    try {
      await request('DELETE', `/api/v1/bans/${seg(name)}`);
      say(status, `Lifted the ban on ${name}.`, 'ok');
    } catch (e) {
      say(status, describe(e), 'error');
    }
    await load(true);
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
    const answer = await askConfirm({
      title: 'Ban user',
      text: `Ban ${body.user} ${d ? `for ${d}` : 'permanently'}? Their open connections are closed now.`,
      confirmLabel: 'Ban user',
    });
    if (!answer) return;
    submit.disabled = true;
    say(status, 'Banning…', 'busy');
    try {
      const res = await request('POST', '/api/v1/bans', body);
      say(status, `Banned ${body.user}${d ? ` for ${d}` : ' permanently'}; ${plural(res.kicked, 'connection')} closed.`, 'ok');
      form.reset();
      await load(true);
    } catch (e) {
      say(status, describe(e), 'error');
    } finally {
      submit.disabled = !canOperate;
    }
  });
  more.addEventListener('click', () => load(false));
  refresh.addEventListener('click', () => load(true));

  load(true);
  // Another operator's ban or unban shows up without a reload.
  return on('audit', (entry) => {
    if (entry && (entry.action === 'ban' || entry.action === 'unban')) load(true);
  });
}
