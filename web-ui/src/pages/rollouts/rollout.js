// #/rollouts/:id: one rollout live: state and reason, the actions the token may take, per-phase
// gauges (success, device error rate, p99 against the replaced version), the failure budget's
// burn, the progress chart, its events and its devices. Re-read on `rollout` and `action` events.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, pager, progressBar, badge, confirm, toast } from '../../lib/ui.js';
import { dateTime, percent } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { lineChart } from '../../lib/charts.js';
import { liveReload } from '../../lib/live.js';
import { DEVICE_STATES, FINISHED, doneOf, meter, progressSeries } from './common.js';

const DEVICE_PAGE = 50;
const hasBound = v => v !== null && v !== undefined;
const EVENT_PAGE = 50;
const SAMPLE_PAGE = 500;

export default function mount(el, ctx) {
  const id = ctx.params.id;
  const base = `/rollouts/${seg(id)}`;
  let rollout = null;
  let error = null;
  let actionError = null;
  let busy = null;
  let samples = [];
  const seen = new Set();
  let devices = null;
  let deviceState = ctx.query.get('devices') || '';
  let devicePage = 0;
  let events = [];
  let eventPage = 0;
  let readyOnce = false;
  const controller = new AbortController();
  const signal = controller.signal;

  async function loadRollout() {
    try {
      rollout = await api.get(base, undefined, { signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
  }

  /** Samples after the newest one held (all of them the first time), a page of 500 at a time. */
  async function loadSamples() {
    for (let page = 0; page < 40; page++) {
      const since = samples.length ? samples[samples.length - 1].at : undefined;
      let batch;
      try {
        batch = await api.get(`${base}/progress`, { since, page: since ? 0 : page, size: SAMPLE_PAGE }, { signal });
      } catch (e) {
        if (e.name !== 'AbortError') error = error || e;
        return;
      }
      for (const s of batch) {
        const key = `${s.at}/${s.phase}`;
        if (!seen.has(key)) { seen.add(key); samples.push(s); }
      }
      if (batch.length < SAMPLE_PAGE) return;
    }
  }

  async function loadDevices() {
    try {
      devices = await api.get(`${base}/devices`, { state: deviceState, page: devicePage, size: DEVICE_PAGE }, { signal });
    } catch (e) {
      if (e.name !== 'AbortError') error = error || e;
    }
  }

  async function loadEvents() {
    try {
      events = await api.get(`${base}/events`, { page: eventPage, size: EVENT_PAGE }, { signal });
    } catch (e) {
      if (e.name !== 'AbortError') error = error || e;
    }
  }

  async function loadAll() {
    await loadRollout();
    if (rollout) await Promise.all([loadSamples(), loadDevices(), loadEvents()]);
    if (signal.aborted) return;
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  async function act(action, { title, body, label, danger = false }) {
    if (!await confirm({ title, body, confirmLabel: label, danger })) return;
    busy = action;
    actionError = null;
    draw();
    try {
      if (action === 'delete') {
        await api.del(base);
        toast(`Rollout ${rollout.name} deleted`);
        ctx.navigate('/rollouts');
        return;
      }
      rollout = await api.post(`${base}/${action}`);
      toast(`${label}: done. The rollout is now ${rollout.state}.`);
      await Promise.all([loadSamples(), loadDevices(), loadEvents()]);
    } catch (e) {
      actionError = e;
    } finally {
      busy = null;
      if (!signal.aborted) draw();
    }
  }

  function actions() {
    const r = rollout;
    const buttons = [];
    const waitingPhase = r.phases.find(p => p.state === 'waiting-for-approval');
    const add = (action, text, permission, ask) => {
      if (session.can(permission)) {
        buttons.push(html`<button class=${ask.danger ? 'danger' : ''} ?disabled=${busy !== null}
          @click=${() => act(action, { ...ask, label: text })}>${busy === action ? `${text}…` : text}</button>`);
      }
    };
    if (r.state === 'draft') {
      add('start', 'Start', 'rollouts:update', { title: `Start rollout ${r.name}?`,
        body: html`<p>${r.approval ? 'It then waits for a second person\'s approval.' : r.schedule?.startAt ? `It waits until ${dateTime(r.schedule.startAt)}.` : `Its first phase (${r.phases[0]?.name}, ${r.phases[0]?.size}) is assigned ${r.version} at once.`}</p>` });
    }
    if (r.state === 'waiting-for-approval' || waitingPhase) {
      add('approve', 'Approve', 'rollouts:approve', { title: `Approve rollout ${r.name}?`,
        body: html`<p>${waitingPhase ? `Phase ${waitingPhase.name} starts: its devices are assigned ${r.model} ${r.version}.` : `The rollout starts: its first phase is assigned ${r.model} ${r.version}.`}
          The creator (${r.createdBy}) cannot approve their own rollout.</p>` });
    }
    if (r.state === 'running' || r.state === 'scheduled') {
      add('pause', 'Pause', 'rollouts:update', { title: `Pause rollout ${r.name}?`,
        body: html`<p>No new devices are assigned until you resume. Devices already assigned carry on and still count toward the failure budget.</p>` });
    }
    if (r.state === 'paused') {
      add('resume', 'Resume', 'rollouts:update', { title: `Resume rollout ${r.name}?`,
        body: html`<p>Assignments go on. The failure budget is counted afresh from now${r.phases[r.currentPhase]?.state === 'failed' ? ', and the failed phase counts as passed' : ''}.</p>` });
    }
    if (!FINISHED.has(r.state) && r.state !== 'rolling-back' && r.state !== 'draft') {
      add('cancel', 'Cancel', 'rollouts:update', { danger: true, title: `Cancel rollout ${r.name}?`,
        body: html`<p>No new assignments; the open actions this rollout gave its devices are cancelled (each device is asked).
          Devices that already installed ${r.version} keep it, unless you roll back afterwards.</p>` });
    }
    if (['running', 'paused', 'succeeded', 'failed', 'cancelled'].includes(r.state) && r.startedAt) {
      add('rollback', 'Roll back', 'rollouts:rollback', { danger: true, title: `Roll back rollout ${r.name}?`,
        body: html`<p>Every device given ${r.model} ${r.version} by this rollout gets back the version it ran before (a signed
          rollback), paced by the rollout's rate. Devices that ran no earlier version are reported as rollback-failed. A rollback cannot be cancelled.</p>` });
    }
    if (r.state === 'draft' || FINISHED.has(r.state)) {
      add('delete', 'Delete', 'rollouts:delete', { danger: true, title: `Delete rollout ${r.name}?`,
        body: html`<p>The rollout, its phases and history are removed. The actions it gave devices stay.</p>` });
    }
    return buttons.length ? html`<div class="actions" role="group" aria-label="Rollout actions">${buttons}</div>` : nothing;
  }

  function summary() {
    const r = rollout;
    const { done, total } = doneOf(r.counts);
    const all = Math.max(total, r.totalDevices || 0);
    const b = r.failureBudget;
    return html`
      <dl class="facts">
        <dt>Model and version</dt><dd><a href=${href(`/models/${seg(r.model)}`)}>${r.model}</a> <span class="mono">${r.version}</span>${r.requested !== r.version ? ` (asked for ${r.requested})` : ''}</dd>
        <dt>Devices</dt><dd>${r.group ? html`group <strong>${r.group}</strong>: ` : nothing}<code>${r.filter || 'every device'}</code>${r.dynamic ? ` · dynamic${r.maxDevices ? `, at most ${r.maxDevices}` : ''}` : ''}</dd>
        <dt>Type</dt><dd>${r.type}${r.lowPrecision ? ' · low precision' : ''}</dd>
        ${r.rate ? html`<dt>Rate</dt><dd>${r.rate.currentPerMinute} per minute now (start ${r.rate.maxPerMinute}${r.rate.growthFactor > 1 ? `, ×${r.rate.growthFactor} every ${r.rate.growEvery}` : ''})</dd>` : nothing}
        ${r.schedule ? html`<dt>Schedule</dt><dd>${r.schedule.startAt ? `from ${dateTime(r.schedule.startAt)} ` : ''}${r.schedule.endAt ? `until ${dateTime(r.schedule.endAt)}` : ''}</dd>` : nothing}
        ${r.maintenanceWindow ? html`<dt>Maintenance window</dt><dd><code>${r.maintenanceWindow.schedule}</code> for ${r.maintenanceWindow.duration}${r.maintenanceWindow.zone ? ` (${r.maintenanceWindow.zone})` : ' (device time)'}</dd>` : nothing}
        <dt>Created</dt><dd>${dateTime(r.createdAt)} by ${r.createdBy}${r.approval ? html` · needs approval${r.approvedBy ? `, approved by ${r.approvedBy}` : ''}` : nothing}</dd>
        ${r.startedAt ? html`<dt>Started</dt><dd>${dateTime(r.startedAt)}${r.finishedAt ? ` · finished ${dateTime(r.finishedAt)}` : ''}</dd>` : nothing}
      </dl>
      <div class="overall">
        <div>${progressBar(done, all, 'Devices done')}
          <p class="help" data-testid="rollout-counts">${done.toLocaleString()} of ${all.toLocaleString()} devices done:
            ${r.counts.succeeded} succeeded, ${r.counts.failed} failed, ${r.counts.running} running, ${r.counts.pending} pending${r.counts.cancelled ? `, ${r.counts.cancelled} cancelled` : ''}${r.counts.rolledBack ? `, ${r.counts.rolledBack} rolled back` : ''}${r.counts.rollbackFailed ? `, ${r.counts.rollbackFailed} could not be rolled back` : ''}</p></div>
        ${b ? meter({ label: 'Failure budget burn', value: b.burnPct, max: Math.max(100, Math.ceil(b.burnPct / 50) * 50), warnAt: 50, badAt: 100,
            note: `${b.failed} of ${b.executed} executed failed; the budget is ${b.maxFailurePct} % once ${b.minExecuted} executed, then ${b.onFailure}` })
          : html`<p class="help">No failure budget: only each phase's success rate stops this rollout.</p>`}
      </div>`;
  }

  function phase(p) {
    const h = p.health;
    const gate = p.gate;
    const executed = p.counts.succeeded + p.counts.failed;
    return html`<section class="phase" aria-labelledby="phase-${p.index}">
      <h3 id="phase-${p.index}">Phase ${p.index + 1}: ${p.name} ${badge(p.state)}</h3>
      <p class="help">${p.size} · ${p.devices} devices · bake ${p.bake} · needs ${p.minSuccessPct} % of ${p.minSamples}+ executed${p.approval ? ' · approval' : ''}${p.approvedBy ? ` (approved by ${p.approvedBy})` : ''}</p>
      ${progressBar(executed + p.counts.cancelled, p.devices, `Phase ${p.name} progress`)}
      <div class="gauges">
        ${meter({ label: 'Success', value: p.successPct, max: 100, badAt: p.minSuccessPct - 1e-9, higherIsBetter: true,
            note: `${p.counts.succeeded} of ${executed} executed succeeded; the phase needs ${p.minSuccessPct} % of at least ${p.minSamples}` })}
        ${meter({ label: 'Device error rate', value: h?.errorRate === null || h?.errorRate === undefined ? null : h.errorRate * 100,
            max: hasBound(gate?.maxErrorRate) ? Math.max(gate.maxErrorRate * 200, 0.1) : 5,
            badAt: hasBound(gate?.maxErrorRate) ? gate.maxErrorRate * 100 : null,
            note: h && h.devices ? `${h.errors.toLocaleString()} errors in ${h.requests.toLocaleString()} requests from ${h.devices} devices${hasBound(gate?.maxErrorRate) ? `; the gate allows ${percent(gate.maxErrorRate * 100, 2)}` : ''}` : 'No device of this phase reported serving figures yet.' })}
        ${meter({ label: 'p99 vs replaced version', value: h?.p99Ratio, unit: '×', max: Math.max(2, hasBound(gate?.maxP99Ratio) ? gate.maxP99Ratio * 1.5 : 2),
            badAt: hasBound(gate?.maxP99Ratio) ? gate.maxP99Ratio : null,
            note: h?.p99Ms ? `median p99 ${h.p99Ms.toFixed(1)} ms${h.p99Ratio ? `, ${h.p99Ratio.toFixed(2)} × the replaced version's` : ' (no replaced version to compare: first installs)'}${hasBound(gate?.maxP99Ratio) ? `; the gate allows ×${gate.maxP99Ratio}` : ''}${hasBound(gate?.maxP99Ms) ? ` and ${gate.maxP99Ms} ms` : ''}` : 'No latency reported yet.' })}
      </div>
      ${h && (h.selfTestPassed || h.selfTestFailed) ? html`<p class="help">Self-test: ${h.selfTestPassed} passed, ${h.selfTestFailed} failed.</p>` : nothing}
      ${p.gateVerdict ? html`<p>Health gate: ${badge(p.gateVerdict.outcome)} ${p.gateVerdict.reason || ''}</p>` : nothing}
    </section>`;
  }

  function devicesView() {
    return html`
      <form class="filters" @submit=${e => e.preventDefault()}>
        <label for="device-state">Device state</label>
        <select id="device-state" @change=${async e => { deviceState = e.target.value; devicePage = 0; await loadDevices(); draw(); }}>
          <option value="" ?selected=${!deviceState}>Any state</option>
          ${DEVICE_STATES.map(s => html`<option value=${s} ?selected=${s === deviceState}>${s}</option>`)}
        </select>
      </form>
      ${devices && devices.total === 0 ? html`<p>No device${deviceState ? ` is ${deviceState}` : ' yet'}.</p>` : devices ? html`
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">Device</th><th scope="col">Phase</th><th scope="col">State</th><th scope="col">Before</th>
            <th scope="col">Action</th><th scope="col">Reason and last message</th><th scope="col">Updated</th></tr></thead>
          <tbody>${devices.items.map(d => html`<tr>
            <td><a href=${href(`/devices/${seg(d.device)}`)}>${d.device}</a></td>
            <td>${d.phase + 1}</td><td>${badge(d.state)}</td><td class="mono">${d.previousVersion || '—'}</td>
            <td>${d.actionId ?? '—'}${d.rollbackActionId ? ` (rollback ${d.rollbackActionId})` : ''}</td>
            <td class="wrap">${d.reason || ''}${d.lastMessage && d.lastMessage !== d.reason
              ? html`<div class=${d.reason ? 'help' : ''}>${d.reason ? 'Last message: ' : ''}${d.lastMessage}</div>` : nothing}</td>
            <td>${dateTime(d.updatedAt)}</td></tr>`)}</tbody>
        </table></div>
        ${pager(devices, async p => { devicePage = p; await loadDevices(); draw(); }, 'Device pages')}` : nothing}`;
  }

  function eventsView() {
    if (!events.length && eventPage === 0) return html`<p>No events yet.</p>`;
    return html`<ol class="events" start=${eventPage * EVENT_PAGE + 1}>${events.map(e => html`<li>
        <time datetime=${e.at}>${dateTime(e.at)}</time> <strong>${e.kind}</strong>${e.phase !== null && e.phase !== undefined ? ` (phase ${e.phase + 1})` : ''}:
        ${e.message}${e.by ? html` <span class="help">by ${e.by}</span>` : nothing}</li>`)}</ol>
      <nav class="pager" aria-label="Event pages">
        <button ?disabled=${eventPage === 0} @click=${async () => { eventPage--; await loadEvents(); draw(); }}>Earlier events</button>
        <button ?disabled=${events.length < EVENT_PAGE} @click=${async () => { eventPage++; await loadEvents(); draw(); }}>Later events</button>
      </nav>`;
  }

  function draw() {
    if (!rollout) {
      render(html`<h1>Rollout ${id}</h1>${error ? errorView(error) : html`<p class="loading">Loading…</p>`}
        <p><a href="#/rollouts">All rollouts</a></p>`, el);
      return;
    }
    const r = rollout;
    render(html`
      <p class="crumbs"><a href="#/rollouts">Rollouts</a> ›</p>
      <div class="page-head"><h1>${r.name}</h1> <span data-testid="rollout-state">${badge(r.state)}</span></div>
      ${r.description ? html`<p>${r.description}</p>` : nothing}
      ${r.stateReason ? html`<p class="notice" role="status"><strong>Why ${r.state}:</strong> ${r.stateReason}</p>` : nothing}
      ${actions()}
      ${errorView(actionError)}
      ${errorView(error)}
      ${summary()}
      <h2>Phases</h2>
      ${r.phases.map(phase)}
      <h2>Progress</h2>
      ${samples.length ? lineChart({ series: progressSeries(samples), yLabel: 'devices', label: 'Devices of this rollout over time' })
        : html`<p class="help">No progress samples yet: they appear once devices are assigned.</p>`}
      <h2>Devices</h2>
      ${devicesView()}
      <h2>Events</h2>
      ${eventsView()}
    `, el);
  }

  async function refresh() {
    await loadRollout();
    if (rollout) await Promise.all([loadSamples(), loadDevices(), loadEvents()]);
    if (!signal.aborted) draw();
  }

  draw();
  loadAll();
  // The engine sends a rollout event on every step and sample and an action event on every device
  // change; polling (every 5 s) happens only while the event stream is down.
  const stop = liveReload(['rollout', 'action'],
      e => (e.topic === 'rollout' ? String(e.id) === String(id)
        : rollout && e.model === rollout.model && e.version === rollout.version),
      refresh, { fallbackEvery: 5000 });
  return () => { stop(); controller.abort(); };
}
