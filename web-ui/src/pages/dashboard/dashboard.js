// Dashboard: the fleet at a glance from one read (GET /api/v1/overview): devices online, offline
// and in error, the versions each model runs across the fleet, rollouts in progress with their
// failure budget, and the latest failures with the device's own words. Live: device, action and
// rollout events re-read it (at most once per 5 s: the overview counts the whole fleet); while the
// stream is down it is read again every 30 s instead.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { liveReload } from '../../lib/live.js';
import { errorView, progressBar, badge } from '../../lib/ui.js';
import { dateTime, relative, percent, duration } from '../../lib/format.js';
import { distribution } from '../../lib/charts.js';

const MIN_INTERVAL_MS = 5_000;
const FALLBACK_MS = 30_000;

export default function mount(el, ctx) {
  let abort = new AbortController();
  const state = { overview: null, error: null, updatedAt: null, live: false };
  let readyCalled = false;
  // Set by an event: the next read is an update that came live (shown as "updated live").
  let byEvent = false;

  async function load() {
    abort.abort();
    abort = new AbortController();
    const live = byEvent;
    byEvent = false;
    try {
      state.overview = await api.get('/overview', undefined, { signal: abort.signal });
      state.error = null;
      state.updatedAt = new Date();
      state.live = live;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
    if (!readyCalled) { readyCalled = true; ctx.ready(); }
  }

  const topics = ['device', 'action', ...(session.can('rollouts:read') ? ['rollout'] : [])];
  const stop = liveReload(topics, () => { byEvent = true; return true; }, load,
    { minInterval: MIN_INTERVAL_MS, fallbackEvery: FALLBACK_MS });

  const tiles = d => html`<section aria-labelledby="devices-heading">
    <h2 id="devices-heading">Devices</h2>
    <ul class="tiles">
      <li class="tile"><a href="#/devices"><span class="tile-value">${d.total.toLocaleString()}</span> <span class="tile-label">devices</span></a></li>
      <li class="tile ok"><span class="tile-value">${d.online.toLocaleString()}</span> <span class="tile-label">online</span></li>
      <li class="tile warn"><span class="tile-value">${d.offline.toLocaleString()}</span> <span class="tile-label">offline</span></li>
      <li class="tile bad"><a href="#/devices?q=${encodeURIComponent('status==error')}"><span class="tile-value">${d.error.toLocaleString()}</span> <span class="tile-label">in error</span></a></li>
    </ul>
    <p class="help">Online: polled within the last ${duration(d.onlineWindowSeconds)} and the last action did not fail.
      Offline: not polled within that time (or never). In error: the last action failed.</p>
  </section>`;

  const versions = models => {
    if (models === null) return nothing;
    const rows = models.map(m => ({
      label: m.model,
      parts: [...m.versions.map(v => ({ label: v.version, value: v.devices })), ...(m.other > 0 ? [{ label: 'other', value: m.other }] : [])],
    }));
    return html`<section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions in the fleet</h2>
      ${models.length === 0 ? html`<p>No device runs a model yet. Assign a published version to devices, or start a rollout.</p>`
        : html`${distribution({ rows, unit: 'devices', label: 'Installed versions per model, by number of devices' })}
          <ul class="inline-links">${models.map(m => html`<li><a href="#/models/${seg(m.model)}">${m.model}</a>: ${m.devices.toLocaleString()} devices</li>`)}</ul>`}
    </section>`;
  };

  const rollouts = list => {
    if (list === null) return nothing;
    return html`<section aria-labelledby="rollouts-heading">
      <h2 id="rollouts-heading">Active rollouts</h2>
      ${list.length === 0 ? html`<p>No rollout is in progress.</p>` : html`<div class="table-wrap"><table>
        <caption class="visually-hidden">Rollouts in progress with their progress and failure budget</caption>
        <thead><tr><th scope="col">Rollout</th><th scope="col">Version</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Failure budget</th></tr></thead>
        <tbody>${list.map(r => {
          const total = r.totalDevices || (r.pending + r.running + r.succeeded + r.failed + r.cancelled);
          const done = r.succeeded + r.failed + r.cancelled;
          return html`<tr>
            <th scope="row"><a href="#/rollouts/${r.id}">${r.name}</a></th>
            <td>${r.model} ${r.version}</td>
            <td>${badge(r.state)}</td>
            <td>${progressBar(done, Math.max(total, 1), `Progress of ${r.name}`)}
              <span class="help">${r.succeeded.toLocaleString()} succeeded, ${r.failed.toLocaleString()} failed, ${(r.pending + r.running).toLocaleString()} to go</span></td>
            <td>${r.burnPct === null ? html`<span class="help">no budget</span>` : html`
              ${progressBar(Math.min(r.burnPct, 100), 100, `Failure budget used by ${r.name}`)}
              <span class="help">${percent(r.failedPct)} failed of ${percent(r.allowedPct)} allowed
                ${r.burnPct >= 100 ? html` <span class="badge bad">budget spent</span>` : r.burnPct >= 50 ? html` <span class="badge warn">over half used</span>` : nothing}</span>`}</td>
          </tr>`;
        })}</tbody></table></div>`}
    </section>`;
  };

  const failures = list => html`<section aria-labelledby="failures-heading">
    <h2 id="failures-heading">Recent failures</h2>
    ${list.length === 0 ? html`<p>No action has failed.</p>` : html`<div class="table-wrap"><table>
      <caption class="visually-hidden">The last ${list.length} failed actions, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Device</th><th scope="col">Model version</th><th scope="col">Reason</th><th scope="col">Action</th></tr></thead>
      <tbody>${list.map(f => html`<tr>
        <td><time datetime=${f.at} title=${dateTime(f.at)}>${relative(f.at)}</time></td>
        <td><a href="#/devices/${seg(f.device)}">${f.device}</a></td>
        <td>${f.model} ${f.version}</td>
        <td class="reason">${f.reason || 'no reason given'}</td>
        <td><a href="#/devices/${seg(f.device)}?action=${f.action}" aria-label="Action ${f.action} on ${f.device}">#${f.action}</a></td>
      </tr>`)}</tbody></table></div>`}
  </section>`;

  const draw = () => {
    const o = state.overview;
    render(html`
      <h1>Dashboard</h1>
      ${state.error ? errorView(state.error) : nothing}
      ${o ? html`
        <p class="help" role="status">As of ${state.updatedAt.toLocaleTimeString()}${state.live ? ', updated live' : ''}.</p>
        ${tiles(o.devices)}
        ${versions(o.models)}
        ${rollouts(o.rollouts)}
        ${failures(o.recentFailures)}` : nothing}`, el);
  };

  render(html`<h1>Dashboard</h1><p class="loading" role="status">Loading…</p>`, el);
  load();
  return () => {
    stop();
    abort.abort();
  };
}
