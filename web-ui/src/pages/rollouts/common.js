// Pieces the rollout pages share: the states, the progress chart's series
// and a gauge with a sentence under it (the charts themselves are lib/charts.js).
import { html, nothing } from '../../lib/vendor.js';
import { gauge } from '../../lib/charts.js';

export const ROLLOUT_STATES = ['draft', 'waiting-for-approval', 'scheduled', 'running', 'paused', 'succeeded',
  'failed', 'cancelled', 'rolling-back', 'rolled-back'];
export const DEVICE_STATES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'rolling-back', 'rolled-back',
  'rollback-failed'];
export const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'rolled-back']);

/** Executed devices' share that succeeded, from a counts object. */
export function doneOf(counts) {
  if (!counts) return { done: 0, total: 0 };
  const done = counts.succeeded + counts.failed + counts.cancelled + counts.rolledBack + counts.rollbackFailed;
  const total = done + counts.pending + counts.running + counts.rollingBack;
  return { done, total };
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
    { name: 'Succeeded', points: points.map(p => ({ t: p.t, v: p.succeeded })) },
    { name: 'Failed', points: points.map(p => ({ t: p.t, v: p.failed })) },
    { name: 'Pending or running', points: points.map(p => ({ t: p.t, v: p.open })) },
  ];
}

/** A gauge of lib/charts.js with what it measures in words under it (devices, requests, the bound). */
export function meter({ note = '', value, ...options }) {
  // lib/charts.js reads a number; null (nothing reported) must stay unknown, not become 0
  const known = value !== null && value !== undefined && Number.isFinite(Number(value));
  return html`<div class="meter">${gauge({ ...options, value: known ? value : undefined })}${note ? html`<p class="help">${note}</p>` : nothing}</div>`;
}
