// qstream dashboard: renders the server's snapshots (server-sent events) with uPlot. No framework, no CDN.
'use strict';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const charts = {};          // chart id -> uPlot instance (the browser test reads these)
const feedbackSent = new Map(); // episodeId -> value sent from this page
window.qstream = { charts, snapshots: 0, feedbackSent, errors: [] };
window.addEventListener('error', e => window.qstream.errors.push(String(e.message)));

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function fmt(v, digits = 3) {
  if (v == null) return '–';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString();
  return Number(v.toPrecision(digits)).toString();
}

// Axis ticks: 12k rather than 12,000 so that wide numbers fit the axis.
function tick(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
  if (a >= 1e4) return +(v / 1e3).toPrecision(3) + 'k';
  return +v.toPrecision(4) + '';
}

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
}

// ---- charts ----

function renderChart(id, data) {
  const host = document.querySelector(`[data-chart="${id}"]`);
  if (!host || !data) return;
  let title = host.querySelector('.title');
  if (!title) { title = el('div', { class: 'title' }); host.prepend(title); }
  title.textContent = data.title + (data.unit ? ` (${data.unit})` : '');
  let plot = host.querySelector('.plot');
  if (!plot) { plot = el('div', { class: 'plot' }); host.append(plot); }
  let empty = host.querySelector('.empty');
  const points = data.lines.reduce((n, l) => n + l.values.filter(v => v != null).length, 0);
  host.dataset.points = points;
  if (points === 0) {
    if (!empty) host.append(el('div', { class: 'empty' }, 'waiting for data…'));
    plot.style.display = 'none';
  } else {
    if (empty) empty.remove();
    plot.style.display = '';
  }
  const aligned = [data.xs, ...data.lines.map(l => l.values)];
  const key = data.xKind + '|' + data.lines.map(l => l.label + (l.rightAxis ? '>' : '')).join('|');
  const existing = charts[id];
  if (existing && existing._qKey === key) {
    existing.setData(aligned);
    return;
  }
  if (existing) existing.destroy();
  const width = Math.max(300, host.clientWidth - 24);
  const few = data.xs.length < 40;
  const opts = {
    width, height: 220,
    scales: Object.assign({ x: { time: data.xKind === 'time' }, y: { auto: true } },
      data.lines.some(l => l.rightAxis) ? { y2: { auto: true } } : {}),
    axes: [{ label: data.xKind === 'version' ? 'model version' : undefined },
      { scale: 'y', size: 56, values: (u, splits) => splits.map(tick) },
      ...(data.lines.some(l => l.rightAxis)
        ? [{ scale: 'y2', side: 1, size: 56, grid: { show: false }, values: (u, splits) => splits.map(tick) }] : [])],
    series: [{ label: data.xKind === 'version' ? 'version' : 'time' },
      ...data.lines.map((l, i) => ({
        label: l.label + (l.rightAxis ? ' (right axis)' : ''), scale: l.rightAxis ? 'y2' : 'y',
        stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true,
        points: { show: few }, value: (u, v) => fmt(v),
      }))],
    legend: { live: true },
  };
  const chart = new uPlot(opts, aligned, plot);
  chart._qKey = key;
  charts[id] = chart;
}

window.addEventListener('resize', () => {
  for (const [id, chart] of Object.entries(charts)) {
    const host = document.querySelector(`[data-chart="${id}"]`);
    if (host) chart.setSize({ width: Math.max(300, host.clientWidth - 24), height: 220 });
  }
});

// ---- header and tables ----

function renderHealth(h) {
  const box = document.getElementById('health');
  box.replaceChildren();
  const chip = (label, value, cls) => box.append(el('span', { class: 'chip ' + (cls || '') }, label + ' ', el('b', {}, value)));
  chip('published', h.publishedVersion == null ? '–' : 'v' + h.publishedVersion);
  const served = Object.entries(h.servedVersions || {}).map(([a, v]) => `${a}: v${v}`).join(', ');
  chip('served', served || '–');
  const d = h.deployment;
  if (d && d.gated) {
    chip('champion', 'v' + d.champion);
    chip('challenger', d.challenger == null ? '–' : `v${d.challenger} on ${fmt(d.canaryFraction * 100, 2)}%`);
  }
  chip('updates', fmt(h.learnerUpdates));
  chip('updates/s', fmt(h.updatesPerSecond));
  chip('tokens/s', fmt(h.tokensPerSecond));
  chip('episodes scored', fmt(h.scoredEpisodes));
  chip('mean reward (1 min)', fmt(h.meanRewardLastMinute));
  if (h.heldOut) chip('held-out ROUGE-L', `${fmt(h.heldOut.rougeL)} @ v${h.heldOut.version}`);
  const up = h.instances.filter(i => i.up).length;
  const down = h.instances.length - up;
  chip('instances up', up, 'ok');
  if (down > 0) chip('down', down, 'bad');
  chip('dead letters', fmt(h.deadLetters), h.deadLetters > 0 ? 'warn' : '');
}

function table(id, headers, rows) {
  const t = document.getElementById(id);
  const body = rows.length ? rows : [[el('td', { class: 'empty-row', colSpan: headers.length }, 'none yet')]];
  t.replaceChildren(el('tr', {}, ...headers.map(h => el('th', {}, h))),
    ...body.map(r => r instanceof Node ? r : el('tr', {}, ...r.map(c => c instanceof Node ? c : el('td', {}, c)))));
}

function renderTables(s) {
  const now = s.health.generatedAtMillis;
  table('instances', ['service', 'instance', 'state', 'last heartbeat'], s.health.instances.map(i => [
    i.source, i.instanceId, el('span', { class: i.up ? 'up' : 'down' }, i.up ? 'up' : 'down'),
    ago(now - i.lastHeartbeatMillis)]));
  document.getElementById('lag-error').textContent = s.health.lagError || '';
  table('lag-table', ['group', 'lag', 'by topic'], s.health.lag.map(g => [
    g.group, el('td', { class: 'num' }, g.totalLag.toLocaleString()),
    Object.entries(g.lagByTopic).map(([t, n]) => `${t}: ${n}`).join(', ')]));
  table('dlq-counts', ['source topic', 'reason', 'count'], s.deadLetterCounts.map(c => [
    c.sourceTopic, c.reason, el('td', { class: 'num' }, c.count.toLocaleString())]));
  table('dlq-newest', ['when', 'source', 'reason', 'consumer', 'error'], s.newestDeadLetters.map(d => [
    ago(now - d.timestampMillis), `${d.sourceTopic}-${d.partition}@${d.offset}`, d.reason, d.consumer, d.error]));
  table('deployments', ['when', 'decision', 'version', 'champion', 'challenger', 'by', 'challenger vs champion reward', 'why'],
    (s.deployments || []).map(e => [
      ago(now - e.decidedAtMillis), e.action, 'v' + e.version, 'v' + e.champion,
      e.challenger == null ? '–' : `v${e.challenger} (${fmt(e.canaryFraction * 100, 2)}%)`, e.decidedBy,
      e.challengerReward == null ? '–'
        : `${fmt(e.challengerReward)} (n=${e.challengerEpisodes}) vs ${fmt(e.championReward)} (n=${e.championEpisodes})`,
      e.reason]));
}

// The table churns every push under live traffic; while the pointer is over it, it holds still so that a row can
// be read and rated, and it catches up when the pointer leaves.
let lastGenerations = '';
let pendingGenerations = null;
let holdGenerations = false;
const generationsTable = document.getElementById('generations');
generationsTable.addEventListener('mouseenter', () => { holdGenerations = true; });
generationsTable.addEventListener('mouseleave', () => {
  holdGenerations = false;
  if (pendingGenerations) renderGenerations(pendingGenerations);
});

function feedbackCell(episodeId) {
  const sent = feedbackSent.get(episodeId);
  // Plain symbols, not emoji: headless and minimal installs often lack an emoji font.
  if (sent != null) return el('span', { class: 'sent' }, sent > 0 ? '▲ sent' : '▼ sent');
  return el('span', {},
    el('button', { class: 'feedback feedback-up', title: 'thumbs up', onclick: () => sendFeedback(episodeId, 1) }, '▲ good'), ' ',
    el('button', { class: 'feedback feedback-down', title: 'thumbs down', onclick: () => sendFeedback(episodeId, -1) }, '▼ bad'));
}

function renderGenerations(rows) {
  if (holdGenerations) { pendingGenerations = rows; return; }
  pendingGenerations = null;
  const signature = JSON.stringify(rows);
  if (signature === lastGenerations) return;
  lastGenerations = signature;
  table('generations', ['version', 'reward', 'prompt', 'generated text', 'actor', 'feedback'], rows.map(g =>
    el('tr', { 'data-episode-id': g.episodeId },
      el('td', { class: 'num' }, 'v' + g.version),
      el('td', { class: 'num' }, g.reward == null ? 'scoring…' : fmt(g.reward)),
      el('td', { class: 'text' }, g.prompt), el('td', { class: 'text' }, g.text), el('td', {}, g.actorId),
      el('td', { class: 'feedback-cell' }, feedbackCell(g.episodeId)))));
}

async function sendFeedback(episodeId, value) {
  try {
    const r = await fetch('/api/feedback', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ episodeId, value }),
    });
    const body = await r.json();
    if (r.status !== 202) throw new Error(body.error || ('HTTP ' + r.status));
    feedbackSent.set(episodeId, value);
    const cell = generationsTable.querySelector(`tr[data-episode-id="${episodeId}"] td.feedback-cell`);
    if (cell) cell.replaceChildren(feedbackCell(episodeId));
  } catch (e) {
    alert('feedback not sent: ' + e.message);
  }
}

// ---- any metric ----

const select = document.getElementById('explore-name');
function renderMetricNames(names) {
  const current = select.value;
  if ([...select.options].map(o => o.value).join('|') === names.join('|')) return;
  select.replaceChildren(...names.map(n => el('option', { value: n }, n)));
  select.value = names.includes(current) ? current : (names.includes('learner.loss') ? 'learner.loss' : names[0] || '');
  explore();
}
async function explore() {
  if (!select.value) return;
  const r = await fetch('/api/explore?name=' + encodeURIComponent(select.value));
  if (r.ok) renderChart('explore', await r.json());
}
select.addEventListener('change', explore);
setInterval(explore, 5000);

// ---- the stream ----

function render(s) {
  window.qstream.last = s;
  window.qstream.snapshots++;
  renderHealth(s.health);
  for (const [id, data] of Object.entries(s.charts)) renderChart(id, data);
  renderTables(s);
  renderGenerations(s.generations);
  renderMetricNames(s.metricNames);
}

function connect() {
  const status = document.getElementById('connection');
  const events = new EventSource('/api/events');
  events.addEventListener('snapshot', e => {
    status.textContent = 'live · ' + new Date().toLocaleTimeString();
    status.className = 'chip ok';
    render(JSON.parse(e.data));
  });
  events.onerror = () => { status.textContent = 'reconnecting…'; status.className = 'chip bad'; };
}
connect();
