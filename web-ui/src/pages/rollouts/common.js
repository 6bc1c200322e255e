// Pieces the rollout pages share: the states, a debounced live re-read, gauges and the progress chart.
import { html, svg, nothing } from '../../lib/vendor.js';
import { subscribe } from '../../lib/live.js';

export const ROLLOUT_STATES = ['draft', 'waiting-for-approval', 'scheduled', 'running', 'paused', 'succeeded',
  'failed', 'cancelled', 'rolling-back', 'rolled-back'];
export const DEVICE_STATES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'rolling-back', 'rolled-back',
  'rollback-failed'];
export const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'rolled-back']);

/**
 * Re-reads on live events: reload() at most once per 500 ms, whatever the number of events;
 * accept(event) picks the events that concern the page (a reconnect always does).
 * Returns the function that unsubscribes.
 */
export function liveReload(topics, accept, reload) {
  let timer = null;
  let last = 0;
  const run = () => { timer = null; last = Date.now(); reload(); };
  const unsubscribe = subscribe(topics, event => {
    if (!event.reconnected && !accept(event)) return;
    if (timer) return;
    timer = setTimeout(run, Math.max(0, 500 - (Date.now() - last)));
  });
  return () => { unsubscribe(); if (timer) clearTimeout(timer); };
}

/** Executed devices' share that succeeded, from a counts object. */
export function doneOf(counts) {
  if (!counts) return { done: 0, total: 0 };
  const done = counts.succeeded + counts.failed + counts.cancelled + counts.rolledBack + counts.rollbackFailed;
  const total = done + counts.pending + counts.running + counts.rollingBack;
  return { done, total };
}

/**
 * A semicircle gauge with its value in words beside (never colour alone): value on 0..max, `bad`
 * when the value is past its limit. limit draws a tick where the bound is.
 */
export function gauge({ label, value, max = 100, text, limit = null, bad = false, note = '' }) {
  const known = value !== null && value !== undefined && Number.isFinite(value);
  const frac = known ? Math.max(0, Math.min(1, value / max)) : 0;
  const arc = f => {
    const a = Math.PI * (1 - f);
    return [50 + 40 * Math.cos(a), 50 - 40 * Math.sin(a)];
  };
  const [x, y] = arc(frac);
  const tick = limit !== null && limit !== undefined && Number.isFinite(limit) ? arc(Math.max(0, Math.min(1, limit / max))) : null;
  return html`<figure class="gauge ${bad ? 'bad' : ''}">
    <svg viewBox="0 0 100 58" role="img" aria-label="${label}: ${text}">
      <path d="M10 50 A40 40 0 0 1 90 50" class="gauge-track"></path>
      ${known && frac > 0 ? svg`<path d="M10 50 A40 40 0 0 ${frac > 0.5 ? 1 : 0} ${x.toFixed(2)} ${y.toFixed(2)}" class="gauge-value"></path>` : nothing}
      ${tick ? svg`<line x1=${tick[0] * 0.85 + 7.5} y1=${tick[1] * 0.85 + 7.5} x2=${tick[0] * 1.15 - 7.5} y2=${tick[1] * 1.15 - 7.5} class="gauge-limit"></line>` : nothing}
    </svg>
    <figcaption><span class="gauge-label">${label}</span> <strong>${text}</strong>${bad ? html` <span class="badge bad">over limit</span>` : nothing}
      ${note ? html`<br><span class="help">${note}</span>` : nothing}</figcaption>
  </figure>`;
}

/**
 * The rollout's progress as lines over time (succeeded, failed, running+pending), summed over phases:
 * samples are per phase and written only when a phase's counts change, so each phase's latest
 * sample is carried forward.
 */
export function progressSeries(samples) {
  const latest = new Map();
  const points = [];
  for (const s of samples) {
    latest.set(s.phase, s);
    let succeeded = 0; let failed = 0; let open = 0;
    for (const p of latest.values()) { succeeded += p.succeeded; failed += p.failed; open += p.pending + p.running; }
    const t = new Date(s.at).getTime();
    if (points.length && points[points.length - 1].t === t) points.pop();
    points.push({ t, succeeded, failed, open });
  }
  return [
    { name: 'Succeeded', key: 'succeeded', points: points.map(p => ({ x: p.t, y: p.succeeded })) },
    { name: 'Failed', key: 'failed', points: points.map(p => ({ x: p.t, y: p.failed })) },
    { name: 'Pending or running', key: 'open', points: points.map(p => ({ x: p.t, y: p.open })) },
  ];
}

/** A small SVG line chart of series [{name, key, points:[{x (ms), y}]}], with a legend and a text summary. */
export function progressChart(series, { label = 'Progress' } = {}) {
  const all = series.flatMap(s => s.points);
  if (all.length === 0) return html`<p class="help">No progress samples yet: they appear once devices are assigned.</p>`;
  const W = 600; const H = 200; const L = 40; const B = 24; const T = 8; const R = 8;
  const minX = Math.min(...all.map(p => p.x)); const maxX = Math.max(...all.map(p => p.x));
  const maxY = Math.max(1, ...all.map(p => p.y));
  const sx = x => L + (maxX === minX ? (W - L - R) : ((x - minX) / (maxX - minX)) * (W - L - R));
  const sy = y => H - B - (y / maxY) * (H - B - T);
  const path = pts => pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join(' ');
  const lastOf = s => (s.points.length ? s.points[s.points.length - 1].y : 0);
  const summary = series.map(s => `${s.name} ${lastOf(s)}`).join(', ');
  const time = ms => new Date(ms).toLocaleTimeString();
  return html`<figure class="chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}: ${summary}" data-points=${all.length / series.length}>
      <line x1=${L} y1=${H - B} x2=${W - R} y2=${H - B} class="axis"></line>
      <line x1=${L} y1=${T} x2=${L} y2=${H - B} class="axis"></line>
      <text x=${L - 4} y=${T + 8} text-anchor="end" class="tick">${maxY}</text>
      <text x=${L - 4} y=${H - B} text-anchor="end" class="tick">0</text>
      <text x=${L} y=${H - 6} class="tick">${time(minX)}</text>
      <text x=${W - R} y=${H - 6} text-anchor="end" class="tick">${time(maxX)}</text>
      ${series.map(s => svg`<path d=${path(s.points)} class="line line-${s.key}"></path>`)}
    </svg>
    <figcaption class="legend">${series.map(s => html`<span class="key key-${s.key}">${s.name}: ${lastOf(s)}</span>`)}</figcaption>
  </figure>`;
}
