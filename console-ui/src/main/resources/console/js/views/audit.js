// Audit log: every admin action, newest first, paged back with "Older entries"; entries written while the page is
// open are put on top as the stream announces them (no reload), and the list stays capped.

import { h, append, setText, timeEl } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on } from '../live.js';

const PAGE = 50;
const MAX_ENTRIES = 1000;

export function mount(root) {
  const loadError = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const table = h('table', { id: 'audit', class: 'data stack', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Audit log, newest first'),
    h('thead', null, h('tr', null,
      ['Time', 'Admin', 'Action', 'Target', 'Reason', 'From', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const empty = h('p', { class: 'empty', id: 'audit-empty' }, 'Loading the audit log…');
  const olderButton = h('button', { type: 'button', id: 'audit-older', class: 'secondary', hidden: true }, 'Older entries');
  const refresh = h('button', { type: 'button', id: 'audit-refresh', class: 'secondary' }, 'Refresh');
  const capNote = h('p', { class: 'hint', hidden: true }, `Showing the newest ${MAX_ENTRIES} entries; use the API for more.`);

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Audit log'),
      h('p', { class: 'muted' }, 'Who did what, when and from where. Newest first.')),
    h('div', { class: 'toolbar' }, refresh),
    loadError,
    h('div', { class: 'table-wrap' }, table),
    empty, olderButton, capNote,
  );

  let cursor = null;
  let count = 0;
  let loading = false;
  let capped = false;
  let pending = [];
  const dash = () => h('span', { class: 'muted' }, '–');

  function entryRow(e) {
    return h('tr', { dataset: { id: e.id } },
      h('td', { class: 'nowrap', dataset: { label: 'Time' } }, timeEl(e.at)),
      h('td', { dataset: { label: 'Admin' } }, e.admin || dash()),
      h('td', { dataset: { label: 'Action' } }, h('span', { class: 'badge' }, e.action)),
      h('td', { dataset: { label: 'Target' } }, e.target || dash()),
      h('td', { dataset: { label: 'Reason' } }, e.reason || dash()),
      h('td', { dataset: { label: 'From' } }, e.address || dash()),
      h('td', { class: 'detail', dataset: { label: 'Detail' } }, e.detail || dash()));
  }

  function renderState() {
    olderButton.hidden = !cursor || count >= MAX_ENTRIES;
    capNote.hidden = !((cursor || capped) && count >= MAX_ENTRIES);
    table.hidden = count === 0;
    empty.hidden = count > 0;
    setText(empty, loadError.hidden ? 'The audit log is empty.' : 'No entries to show.');
  }

  /** A new entry from the stream goes on top (once); the oldest shown one goes when the cap is reached. */
  function prepend(e) {
    if (!e || typeof e.id !== 'number' || e.id <= 0) return;
    if (loading) {
      pending.push(e);
      return;
    }
    const first = tbody.firstElementChild;
    if (first && Number(first.dataset.id) >= e.id) return; // already shown (it came with a page)
    tbody.insertBefore(entryRow(e), first);
    count++;
    if (count > MAX_ENTRIES) {
      tbody.lastElementChild.remove(); // at the cap "Older entries" is hidden; the note points to the API
      count--;
      capped = true;
    }
    renderState();
  }

  async function load(reset) {
    if (loading) return;
    loading = true;
    olderButton.disabled = true;
    refresh.disabled = true;
    loadError.hidden = true;
    try {
      const page = await request('GET', `/api/v1/audit?limit=${PAGE}${!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (reset) {
        tbody.replaceChildren();
        count = 0;
        capped = false;
      }
      for (const e of page.items) {
        if (count >= MAX_ENTRIES) break;
        tbody.append(entryRow(e));
        count++;
      }
      cursor = page.nextCursor;
    } catch (e) {
      loadError.hidden = false;
      setText(loadError, `The audit log could not be loaded: ${describe(e)}`);
    } finally {
      loading = false;
      olderButton.disabled = false;
      refresh.disabled = false;
      const waiting = pending;
      pending = [];
      waiting.sort((a, b) => a.id - b.id).forEach(prepend);
      renderState();
    }
  }

  olderButton.addEventListener('click', () => load(false));
  refresh.addEventListener('click', () => load(true));
  load(true);
  // New actions appear as they happen; a new snapshot after the stream dropped means some may have been missed.
  let snapshots = live.status === 'live' ? 1 : 0;
  const offs = [
    on('audit', prepend),
    on('snapshot', () => {
      if (++snapshots > 1) load(true);
    }),
  ];
  return () => offs.forEach((off) => off());
}
