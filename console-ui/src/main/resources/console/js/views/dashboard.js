// Dashboard: headline numbers and one-second charts fed by the stream's `stats` events (last 120 points). In a
// cluster the node count and the connections headline cover every node (GET /api/v1/nodes every two seconds, this
// node's own count from each stats tick); users, rooms and the charts are this node's, and say so.

import { h, append, setText, coalesce, fmtNumber, fmtDuration, fmtBytes, fmtTime, fmtDateTime } from '../dom.js';
import { request, describe } from '../api.js';
import { live, on, roomIndex, MAX_POINTS } from '../live.js';
import { roomHref } from './rooms.js';
import { fetchNodes, REFRESH_MS as NODES_REFRESH_MS } from './nodes.js';
import { every } from '../poll.js';

const MB = 1048576;

const CHARTS = [
  { id: 'chart-connections', title: 'Connections', unit: '', sets: [{ label: 'Connections', value: (s) => s.connections }] },
  {
    id: 'chart-messages', title: 'Messages per second', unit: '/s',
    sets: [
      { label: 'In', value: (s) => s.messagesInPerSecond },
      { label: 'Out', value: (s) => s.messagesOutPerSecond },
    ],
  },
  { id: 'chart-deliveries', title: 'Deliveries per second', unit: '/s', sets: [{ label: 'Deliveries', value: (s) => s.deliveriesPerSecond }] },
  { id: 'chart-latency', title: 'p99 delivery latency', unit: ' ms', sets: [{ label: 'p99 (ms)', value: (s) => s.p99DeliveryMillis }] },
  { id: 'chart-heap', title: 'Heap used', unit: ' MB', sets: [{ label: 'Heap used (MB)', value: (s) => Math.round(s.heapUsedBytes / MB) }] },
];

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function palette() {
  return {
    text: cssVar('--muted', '#666'),
    grid: cssVar('--grid', 'rgba(128,128,128,0.2)'),
    series: [cssVar('--chart-1', '#2563eb'), cssVar('--chart-2', '#d97706')],
  };
}

function stat(id, label) {
  const value = h('span', { class: 'stat-value', id }, '–');
  const note = h('span', { class: 'stat-note' });
  return { el: h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), value, note), value, note };
}

const TOP_ROOMS = 8;

export function mount(root) {
  const headline = {
    connections: stat('stat-connections', 'Connections'),
    nodes: stat('stat-nodes', 'Nodes'),
    rooms: stat('stat-rooms', 'Active rooms'),
    users: stat('stat-users', 'Users online'),
    uptime: stat('stat-uptime', 'Uptime'),
    heap: stat('stat-heap', 'Heap'),
    node: stat('stat-node', 'Node'),
    version: stat('stat-version', 'Version'),
  };
  const infoError = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const scope = h('p', { id: 'dashboard-scope', class: 'muted', hidden: true });
  const cards = [];
  const chartGrid = h('div', { class: 'charts' });

  append(root, 
    h('div', { class: 'page-head' }, h('h1', null, 'Dashboard'),
      h('p', { class: 'muted' }, 'Live figures, updated every second; the charts keep the last two minutes.'), scope),
    h('section', { class: 'stats', 'aria-label': 'Headline numbers' }, Object.values(headline).map((s) => s.el)),
    infoError,
    chartGrid,
  );

  let info = null;
  let cluster = null; // the last answer of GET /api/v1/nodes (see nodes.js fetchNodes)
  function renderHeadline() {
    const s = live.stats;
    const many = cluster !== null && cluster.totals.nodes > 1;
    // This node's count is the stats tick's (fresher than its node info); the others' come from their node info.
    let connections = s ? s.connections : null;
    if (cluster !== null) {
      const others = cluster.nodes.filter((n) => n.id !== cluster.self).reduce((sum, n) => sum + (n.connections || 0), 0);
      connections = (connections ?? (cluster.nodes.find((n) => n.id === cluster.self) || {}).connections ?? 0) + others;
    }
    setText(headline.connections.value, connections === null ? '–' : fmtNumber(connections));
    setText(headline.connections.note, many && s ? `${fmtNumber(s.connections)} on this node` : '');
    headline.connections.value.dataset.scope = many ? 'cluster' : 'node';
    setText(headline.nodes.value, cluster ? fmtNumber(cluster.totals.nodes) : '–');
    const trouble = [];
    if (cluster && cluster.totals.notReady > 0) trouble.push(`${fmtNumber(cluster.totals.notReady)} not ready`);
    if (cluster && cluster.totals.draining > 0) trouble.push(`${fmtNumber(cluster.totals.draining)} draining`);
    setText(headline.nodes.note, cluster ? (trouble.join(', ') || 'all ready') : '');
    setText(headline.rooms.value, s ? fmtNumber(s.rooms) : '–');
    setText(headline.users.value, s ? fmtNumber(s.users) : '–');
    setText(headline.rooms.note, many ? 'on this node' : '');
    setText(headline.users.note, many ? 'on this node' : '');
    scope.hidden = !many;
    setText(scope, many ? `Connections and nodes cover all ${cluster.totals.nodes} nodes; users, rooms, uptime, heap and the charts are this node’s (${cluster.self}).` : '');
    setText(headline.uptime.value, s ? fmtDuration(s.uptimeSeconds) : info ? fmtDuration(info.uptimeSeconds) : '–');
    setText(headline.heap.value, s ? fmtBytes(s.heapUsedBytes) : '–');
    setText(headline.heap.note, s && s.heapMaxBytes > 0 ? `of ${fmtBytes(s.heapMaxBytes)} max` : '');
    setText(headline.node.value, info ? info.nodeId || info.node : '–');
    setText(headline.node.note, live.node && live.node.draining ? 'draining' : info && info.nodeId ? `installation ${info.node}` : '');
    setText(headline.version.value, info ? info.version : '–');
    setText(headline.version.note, info && info.database ? `database ${info.database}` : '');
    setText(headline.uptime.note, info && info.startedAt ? `since ${fmtDateTime(info.startedAt)}` : '');
  }

  request('GET', '/api/v1/info').then((i) => {
    info = i;
    renderHeadline();
  }).catch((e) => {
    infoError.hidden = false;
    setText(infoError, `Server info is unavailable: ${describe(e)}`);
  });

  const hasCharts = typeof window.Chart === 'function';
  if (!hasCharts) {
    chartGrid.append(h('p', { class: 'notice error' },
      'The charts library did not load, so only the numbers above are shown. Reload the page to try again.'));
  }
  const colors = palette();
  for (const def of CHARTS) {
    const canvas = h('canvas', { id: def.id, role: 'img', 'aria-label': `${def.title}, last two minutes` });
    const now = h('span', { class: 'chart-now', 'aria-live': 'off' }, '–');
    const waiting = h('p', { class: 'chart-empty muted' }, 'Waiting for the first figures…');
    chartGrid.append(h('figure', { class: 'card chart-card' },
      h('figcaption', null, h('span', { class: 'chart-title' }, def.title), now),
      h('div', { class: 'chart-box' }, canvas), waiting));
    let chart = null;
    if (hasCharts) {
      const points = live.history;
      chart = new window.Chart(canvas, {
        type: 'line',
        data: {
          labels: points.map((p) => fmtTime(p.ts)),
          datasets: def.sets.map((set, i) => ({
            label: set.label,
            data: points.map(set.value),
            borderColor: colors.series[i % colors.series.length],
            backgroundColor: colors.series[i % colors.series.length],
            borderWidth: 2,
            pointRadius: 0,
            tension: 0.25,
          })),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { ticks: { color: colors.text, maxTicksLimit: 5, maxRotation: 0, autoSkipPadding: 16 }, grid: { color: colors.grid } },
            y: { beginAtZero: true, ticks: { color: colors.text, precision: 0 }, grid: { color: colors.grid } },
          },
          plugins: {
            legend: { display: def.sets.length > 1, labels: { color: colors.text, boxWidth: 12 } },
            tooltip: { enabled: true },
          },
        },
      });
    }
    cards.push({ def, chart, now, waiting });
  }

  // The busiest rooms right now, from the server's live room counts (links into each room's page).
  const roomsList = h('ol', { class: 'top-rooms', id: 'dashboard-rooms' });
  const roomsEmpty = h('p', { class: 'chart-empty muted' }, 'No one is in a room right now.');
  chartGrid.append(h('section', { class: 'card chart-card', 'aria-labelledby': 'dashboard-rooms-title' },
    h('div', { class: 'figcaption' }, h('h2', { class: 'chart-title', id: 'dashboard-rooms-title' }, 'Busiest rooms now'),
      h('a', { href: '#/rooms', class: 'chart-now' }, 'All rooms')),
    roomsList, roomsEmpty));
  function renderRooms() {
    const top = [...roomIndex().entries()]
      .sort((a, b) => b[1].connections - a[1].connections || a[0].localeCompare(b[0]))
      .slice(0, TOP_ROOMS);
    roomsList.replaceChildren(...top.map(([name, r]) => h('li', { dataset: { room: name } },
      h('a', { href: roomHref(name) }, name),
      h('span', { class: 'muted' }, `${fmtNumber(r.online)} ${r.online === 1 ? 'user' : 'users'} · ${fmtNumber(r.connections)} ${r.connections === 1 ? 'connection' : 'connections'}`))));
    roomsEmpty.hidden = top.length > 0;
    roomsList.hidden = top.length === 0;
  }
  const scheduleRooms = coalesce(renderRooms, 250);

  function renderNow() {
    const s = live.stats;
    for (const c of cards) {
      c.waiting.hidden = live.history.length > 0;
      if (!s) continue;
      setText(c.now, c.def.sets.map((set) => `${c.def.sets.length > 1 ? set.label + ' ' : ''}${fmtNumber(set.value(s), 2)}${c.def.unit}`).join(' · '));
    }
  }

  /** Redraws every chart from the kept history (a snapshot brings the server's last two minutes). */
  function refill() {
    renderNow();
    for (const c of cards) {
      if (!c.chart) continue;
      const points = live.history;
      c.chart.data.labels = points.map((p) => fmtTime(p.ts));
      c.def.sets.forEach((set, i) => {
        c.chart.data.datasets[i].data = points.map(set.value);
      });
      c.chart.update('none');
    }
  }

  function onStats(s) {
    renderHeadline();
    renderNow();
    for (const c of cards) {
      if (!c.chart) continue;
      const data = c.chart.data;
      data.labels.push(fmtTime(s.ts));
      c.def.sets.forEach((set, i) => data.datasets[i].data.push(set.value(s)));
      while (data.labels.length > MAX_POINTS) {
        data.labels.shift();
        for (const ds of data.datasets) ds.data.shift();
      }
      c.chart.update('none');
    }
  }

  // Follow the system's light/dark switch.
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  const recolor = () => {
    const p = palette();
    for (const c of cards) {
      if (!c.chart) continue;
      const o = c.chart.options;
      o.scales.x.ticks.color = o.scales.y.ticks.color = o.plugins.legend.labels.color = p.text;
      o.scales.x.grid.color = o.scales.y.grid.color = p.grid;
      c.chart.data.datasets.forEach((ds, i) => {
        ds.borderColor = ds.backgroundColor = p.series[i % p.series.length];
      });
      c.chart.update('none');
    }
  };
  scheme.addEventListener('change', recolor);

  const stopNodes = every(NODES_REFRESH_MS, async () => {
    try {
      cluster = await fetchNodes();
    } catch (e) {
      cluster = null; // the headline falls back to this node's own figures
    }
    renderHeadline();
  });

  renderHeadline();
  renderNow();
  renderRooms();
  const offs = [on('node', renderHeadline), on('stats', onStats), on('snapshot', refill), on('rooms', scheduleRooms)];
  return () => {
    offs.forEach((off) => off());
    stopNodes();
    scheduleRooms.cancel();
    scheme.removeEventListener('change', recolor);
    for (const c of cards) if (c.chart) c.chart.destroy();
  };
}
