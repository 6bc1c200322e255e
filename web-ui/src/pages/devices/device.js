// One device: what it reports (attributes, tags, status), the models it runs with their serving
// health, its action history with every status message the device sent, and what an operator does
// with it: deploy a version or alias, cancel an open action, edit, rotate its token, delete.
// Live: re-reads on device and action events about this device (debounced).
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, badge, toast, confirm, pager } from '../../lib/ui.js';
import { relative, dateTime, duration, bytes, percent } from '../../lib/format.js';
import { combobox } from '../../lib/filter-input.js';
import { liveReload } from '../../lib/live.js';
import { advice } from '../../lib/messages.js';

const ACTIONS_PAGE = 20;
const TYPES = [
  ['forced', 'forced: install at once'],
  ['soft', 'soft: the device may postpone'],
  ['downloadonly', 'download only: fetch, do not install'],
];

const num = (v, digits = 1) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));

/** The serving health figures of one model (ActionHealthView), or "no reports". */
export function healthView(h) {
  if (!h) return html`<p class="help">No health reports for this model (only Modelyard's updater sends them).</p>`;
  return html`<dl class="kv">
    <dt>Requests</dt><dd>${h.requests.toLocaleString()}</dd>
    <dt>Errors</dt><dd>${h.errors.toLocaleString()}${h.errorRate !== undefined && h.errorRate !== null ? ` (${percent(h.errorRate * 100, 2)})` : ''}</dd>
    <dt>Latency p50</dt><dd>${num(h.p50Ms)} ms</dd>
    <dt>Latency p99</dt><dd>${num(h.p99Ms)} ms${h.baselineP99Ms !== undefined ? ` (was ${num(h.baselineP99Ms)} ms on ${h.replacedVersion || 'the replaced version'}, ×${num(h.p99Ratio, 2)})` : ''}</dd>
    <dt>Self-test</dt><dd>${h.selfTest || '—'}</dd>
    <dt>Served</dt><dd>${duration(h.servedSeconds)}${h.complete ? ' (health window complete)' : ' (health window running)'}</dd>
    <dt>Reported</dt><dd>${dateTime(h.reportedAt)}</dd>
  </dl>`;
}

export default function mount(el, ctx) {
  const id = ctx.params.id;
  const canActions = session.can('deployments:read');
  const state = {
    device: null, error: null,
    actions: null, actionsError: null, actionsPage: 0,
    expanded: new Map(),      // action id → {history, detail, error}
    editing: false, editError: null,
    deploy: { model: '', version: '', type: 'forced', models: [], versions: [], busy: false, error: null, result: null },
    secret: null,             // a rotated token, shown once
    busy: false,
  };
  const modelBox = combobox('deploy-model', () => draw());
  const versionBox = combobox('deploy-version', () => draw());
  let abort = new AbortController();
  let readyCalled = false;
  let gone = false;

  const loadDevice = async () => {
    try {
      state.device = await api.get(`/devices/${seg(id)}`, null, { signal: abort.signal });
      state.error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
  };

  const loadActions = async () => {
    if (!canActions) return;
    try {
      state.actions = await api.get('/actions', { device: id, page: state.actionsPage, size: ACTIONS_PAGE }, { signal: abort.signal });
      state.actionsError = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.actionsError = e;
    }
  };

  const loadExpanded = async actionId => {
    try {
      const [detail, history] = await Promise.all([
        api.get(`/actions/${actionId}`, null, { signal: abort.signal }),
        api.get(`/actions/${actionId}/status`, null, { signal: abort.signal }),
      ]);
      if (state.expanded.has(actionId)) state.expanded.set(actionId, { detail, history, error: null });
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (state.expanded.has(actionId)) state.expanded.set(actionId, { error: e });
    }
  };

  const reload = async () => {
    await Promise.all([loadDevice(), loadActions(), ...[...state.expanded.keys()].map(loadExpanded)]);
    if (gone) return;
    draw();
    if (!readyCalled) { readyCalled = true; ctx.ready(); }
  };

  const toggle = async actionId => {
    if (state.expanded.has(actionId)) { state.expanded.delete(actionId); draw(); return; }
    state.expanded.set(actionId, { loading: true });
    draw();
    await loadExpanded(actionId);
    draw();
  };

  // ---- writes -----------------------------------------------------------------------------

  const saveEdit = async event => {
    event.preventDefault();
    const form = event.target;
    const tags = form.tags.value.split(',').map(t => t.trim()).filter(Boolean);
    state.busy = true; state.editError = null; draw();
    try {
      state.device = await api.patch(`/devices/${seg(id)}`, { name: form.deviceName.value.trim(), description: form.description.value.trim(), tags });
      state.editing = false;
      toast(`Device ${id} saved`);
    } catch (e) {
      state.editError = e;
    }
    state.busy = false;
    draw();
  };

  /** A failed write as a notice: what went wrong (the server's detail) and what to do (by its code). */
  const failed = (what, e) => {
    const hint = advice(e);
    toast(`${what}: ${e.detail || e.message}${hint ? ` ${hint}` : ''}`, 'error');
  };

  const rotate = async () => {
    const ok = await confirm({ title: `Rotate the token of ${id}?`, confirmLabel: 'Rotate token', danger: true,
      body: html`<p>The device's current token stops working at once. It polls again only once it is configured with the new one.</p>` });
    if (!ok) return;
    try {
      const d = await api.post(`/devices/${seg(id)}/token`);
      state.secret = d.token;
      toast('New token issued');
      await reload();
    } catch (e) {
      failed('Could not rotate the token', e);
    }
  };

  const remove = async () => {
    const ok = await confirm({ title: `Delete device ${id}?`, confirmLabel: 'Delete device', danger: true, typeToConfirm: id,
      body: html`<p>The device and its action history are deleted; it can no longer poll. This cannot be undone.</p>` });
    if (!ok) return;
    try {
      await api.del(`/devices/${seg(id)}`);
      toast(`Device ${id} deleted`);
      ctx.navigate('/devices');
    } catch (e) {
      failed(`Could not delete ${id}`, e);
    }
  };

  const cancel = async action => {
    const force = action.status === 'canceling';
    const ok = await confirm({
      title: force ? `Close action ${action.id} without the device?` : `Cancel action ${action.id}?`,
      confirmLabel: force ? 'Close action now' : 'Cancel action', danger: true,
      body: force
        ? html`<p>The device was asked to cancel but has not confirmed. Closing it now marks it canceled whatever the device does.</p>`
        : html`<p>The device is asked to stop installing ${action.model} ${action.version}; the action stays "canceling" until it confirms.</p>`,
    });
    if (!ok) return;
    try {
      await api.post(`/actions/${action.id}/cancel${force ? '?force=true' : ''}`);
      toast(force ? `Action ${action.id} closed` : `Action ${action.id}: cancel requested`);
      await reload();
    } catch (e) {
      failed(`Could not cancel action ${action.id}`, e);
    }
  };

  // ---- deploy -----------------------------------------------------------------------------

  let modelTimer = null;
  const suggestModels = () => {
    clearTimeout(modelTimer);
    if (!session.can('models:read')) return;
    modelTimer = setTimeout(async () => {
      try {
        const r = await api.get('/models', { q: state.deploy.model.trim() || undefined, size: 20 }, { signal: abort.signal });
        state.deploy.models = r.items;
        draw();
      } catch (e) { /* suggestions only: the deploy answer names a bad model */ }
    }, 200);
  };

  const suggestVersions = async () => {
    const model = state.deploy.model.trim();
    state.deploy.versions = [];
    // only a model the suggestions know (a name that does not exist would be a failed request)
    if (!model || !session.can('models:read') || !state.deploy.models.some(m => m.name === model)) { draw(); return; }
    try {
      const [m, versions] = await Promise.all([
        api.get(`/models/${seg(model)}`, null, { signal: abort.signal }),
        api.get(`/models/${seg(model)}/versions`, { status: 'published', size: 50 }, { signal: abort.signal }),
      ]);
      if (state.deploy.model.trim() !== model) return;
      const aliases = Object.entries(m.aliases || {}).map(([alias, v]) => ({ value: alias, label: `${alias} → ${v}` }));
      state.deploy.versions = [
        ...(m.latestVersion ? [{ value: 'latest', label: `latest → ${m.latestVersion}` }] : []),
        ...aliases,
        ...versions.items.map(v => ({ value: v.version, label: v.version })),
      ];
    } catch (e) { /* no such model yet: the deploy answer says so */ }
    draw();
  };

  const deploy = async event => {
    event?.preventDefault();
    const d = state.deploy;
    if (!d.model.trim() || !d.version.trim()) {
      d.error = new Error('Pick a model and a version (a number, an alias, or latest).'); draw(); return;
    }
    d.busy = true; d.error = null; d.result = null; draw();
    try {
      // check what can be checked first, so a typo is explained here rather than by a failed request
      if (session.can('models:read')) {
        const found = await api.get('/models', { q: d.model.trim(), size: 50 }, { signal: abort.signal });
        d.models = found.items;
        if (!found.items.some(m => m.name === d.model.trim())) {
          throw new Error(`There is no model '${d.model.trim()}'. Pick one from the suggestions (type the start of its name).`);
        }
        if (!d.versions.length) await suggestVersions();
        if (d.versions.length && !d.versions.some(v => v.value === d.version.trim())) {
          throw new Error(`'${d.version.trim()}' is no published version or alias of ${d.model.trim()}. Pick one from the suggestions; drafts cannot be deployed.`);
        }
      }
      d.result = await api.post('/deployments', { model: d.model.trim(), version: d.version.trim(), device: id, type: d.type });
      const a = d.result.actions?.[0];
      if (d.result.failed > 0) toast(`No deployment: ${a?.reason || 'the action failed'}`, 'error');
      else if (d.result.alreadyAssigned > 0) toast(`${d.model} ${d.version} was already assigned to ${id}`);
      else toast(`${d.model} ${a?.version || d.version} assigned to ${id}`);
      await reload();
    } catch (e) {
      d.error = e;
    }
    d.busy = false;
    draw();
  };

  // ---- rendering --------------------------------------------------------------------------

  const detailsView = dev => state.editing ? html`
    <form class="panel" @submit=${saveEdit} novalidate aria-labelledby="edit-title">
      <h2 id="edit-title">Edit device</h2>
      <label for="e-name">Name</label><input id="e-name" name="deviceName" .value=${dev.name || ''} autocomplete="off">
      <label for="e-description">Description</label><input id="e-description" name="description" .value=${dev.description || ''} autocomplete="off">
      <label for="e-tags">Tags <span class="optional">(comma-separated)</span></label>
      <input id="e-tags" name="tags" .value=${(dev.tags || []).join(', ')} autocomplete="off" aria-describedby="e-tags-help">
      <p id="e-tags-help" class="help">Lower-case letters, digits, <code>. _ -</code>.</p>
      ${errorView(state.editError)}
      <div class="toolbar"><button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Saving…' : 'Save'}</button>
        <button type="button" @click=${() => { state.editing = false; state.editError = null; draw(); }}>Cancel</button></div>
    </form>` : html`
    <dl class="kv">
      <dt>Controller id</dt><dd class="mono">${dev.controllerId}</dd>
      <dt>Name</dt><dd>${dev.name || '—'}</dd>
      <dt>Description</dt><dd>${dev.description || '—'}</dd>
      <dt>Tags</dt><dd>${(dev.tags || []).join(', ') || '—'}</dd>
      <dt>Registered</dt><dd>${dateTime(dev.createdAt)}${dev.createdBy ? ` by ${dev.createdBy}` : ''}</dd>
      <dt>Token</dt><dd>${dev.tokenHint ? html`<span class="mono">${dev.tokenHint}</span>` : 'none (gateway token only)'}</dd>
    </dl>`;

  const installedView = dev => {
    if (!(dev.installed || []).length) return html`<p>No model installed yet.</p>`;
    return html`<div class="device-cards">${dev.installed.map(i => html`
      <section class="device-card" aria-labelledby="inst-${i.model}">
        <h3 id="inst-${i.model}">${i.model} <span class="mono">${i.version}</span></h3>
        <p class="help">Since ${dateTime(i.installedAt)} (action ${i.actionId})</p>
        ${healthView(i.health)}
      </section>`)}</div>`;
  };

  const historyView = (action, entry) => {
    if (!entry || entry.loading) return html`<p class="loading" role="status">Loading history…</p>`;
    if (entry.error) return errorView(entry.error);
    const t = entry.detail?.transfer;
    return html`
      ${entry.detail?.artifact ? html`<p class="help">Artifact <span class="mono">${entry.detail.artifact.filename}</span>
        (${bytes(entry.detail.artifact.size)}, ${entry.detail.artifact.target?.arch || ''} ${entry.detail.artifact.target?.precision || ''})</p>` : nothing}
      ${t ? html`<p class="help">Transfer: ${t.kind}${t.method ? ` (${t.method})` : ''}, ${bytes(t.bytes)} of ${bytes(t.fullBytes)}${t.savedPct !== undefined && t.savedPct !== null ? `, ${t.savedPct} % saved` : ''}${t.fallback ? `; fell back: ${t.fallback}` : ''}</p>` : nothing}
      ${(entry.detail?.health || []).map(h => html`<div class="device-card"><h3>Health of ${h.model} ${h.version}</h3>${healthView(h)}</div>`)}
      <ol class="history" aria-label="Status history of action ${action.id}, newest first">
        ${entry.history.map(s => html`<li>
          <strong>${s.type}</strong>${s.code !== null && s.code !== undefined ? html` <span class="mono">code ${s.code}</span>` : nothing}
          <span class="help"> ${dateTime(s.occurredAt)}</span>
          ${s.messages.length ? html`<ul>${s.messages.map(m => html`<li class="mono">${m}</li>`)}</ul>` : nothing}
        </li>`)}
      </ol>`;
  };

  const actionsView = () => {
    if (!canActions) return html`<p class="notice">Your token's role cannot read deployments (<code>deployments:read</code>).</p>`;
    if (state.actionsError) return errorView(state.actionsError);
    if (!state.actions) return html`<p class="loading" role="status">Loading actions…</p>`;
    if (state.actions.total === 0) return html`<p>No deployment to this device yet.</p>`;
    const canCancel = session.can('deployments:update');
    return html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Action</th><th scope="col">Model and version</th><th scope="col">Type</th><th scope="col">Status</th>
        <th scope="col">Created</th><th scope="col">Updated</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${state.actions.items.map(a => {
        const open = state.expanded.has(a.id);
        return html`<tr>
          <td class="mono">${a.id}${a.rollback ? html` <span class="badge warn">rollback</span>` : nothing}</td>
          <td>${a.model} <span class="mono">${a.version}</span>${a.requested && a.requested !== a.version ? html` <span class="help">(asked: ${a.requested})</span>` : nothing}</td>
          <td>${a.type}</td>
          <td>${badge(a.status)}${a.reason ? html`<div class="error">${a.reason}</div>` : nothing}</td>
          <td>${dateTime(a.createdAt)}</td>
          <td title=${dateTime(a.updatedAt)}>${relative(a.updatedAt)}</td>
          <td class="toolbar">
            <button type="button" aria-expanded=${open ? 'true' : 'false'} aria-controls="history-${a.id}"
                    @click=${() => toggle(a.id)}>${open ? 'Hide' : 'Show'} history of action ${a.id}</button>
            ${canCancel && a.active ? html`<button type="button" @click=${() => cancel(a)}>${a.status === 'canceling' ? 'Force close' : 'Cancel'} action ${a.id}</button>` : nothing}
          </td>
        </tr>
        ${open ? html`<tr id="history-${a.id}"><td colspan="7">${historyView(a, state.expanded.get(a.id))}</td></tr>` : nothing}`;
      })}</tbody></table></div>
      ${pager(state.actions, p => { state.actionsPage = p; state.expanded.clear(); loadActions().then(draw); }, 'Action pages')}`;
  };

  const deployView = () => {
    const d = state.deploy;
    const typed = d.model.trim().toLowerCase();
    const failedAction = d.result?.failed > 0 ? d.result.actions?.find(a => a.reason) : null;
    return html`<form class="panel" @submit=${deploy} novalidate aria-labelledby="deploy-title">
      <h2 id="deploy-title">Deploy to this device</h2>
      <label for="deploy-model">Model</label>
      ${modelBox.view({ value: d.model, placeholder: 'kws-small',
        options: d.models.filter(m => !typed || m.name.includes(typed)).map(m => ({ value: m.name, label: m.name })),
        onInput: v => { d.model = v; d.version = ''; modelBox.open(); suggestModels(); draw(); },
        onPick: v => { d.model = v; modelBox.close(); suggestVersions(); draw(); } })}
      <label for="deploy-version">Version or alias</label>
      ${versionBox.view({ value: d.version, placeholder: '1.2.0, production or latest',
        options: d.versions.filter(v => !d.version || v.value.startsWith(d.version.trim())),
        onInput: v => { d.version = v; versionBox.open(); if (!d.versions.length) suggestVersions(); draw(); },
        onPick: v => { d.version = v; versionBox.close(); draw(); }, onEnter: () => deploy() })}
      <label for="deploy-type">Type</label>
      <select id="deploy-type" @change=${e => { d.type = e.target.value; }}>
        ${TYPES.map(([value, label]) => html`<option value=${value} ?selected=${d.type === value}>${label}</option>`)}
      </select>
      ${d.error ? errorView(d.error) : nothing}
      ${failedAction ? html`<div class="error-box" role="alert"><p><strong>Not deployed: ${failedAction.reason}</strong></p>
        <p>No artifact of this version fits what the device reports (or its updater would refuse it). Upload or convert an artifact for its target, or pick another version.</p></div>` : nothing}
      <div class="toolbar"><button class="primary" type="submit" ?disabled=${d.busy}>${d.busy ? 'Deploying…' : 'Deploy'}</button></div>
    </form>`;
  };

  const draw = () => {
    if (gone) return;
    const dev = state.device;
    if (!dev) {
      render(html`<h1>Device ${id}</h1>${state.error ? html`${errorView(state.error)}<p><a href="#/devices">Back to the devices</a></p>`
          : html`<p class="loading" role="status">Loading…</p>`}`, el);
      return;
    }
    const attributes = Object.entries(dev.attributes || {}).sort(([a], [b]) => a.localeCompare(b));
    render(html`
      <p><a href="#/devices">Devices</a> ›</p>
      <h1>${dev.name ? html`${dev.name} <span class="mono help">${dev.controllerId}</span>` : html`Device <span class="mono">${dev.controllerId}</span>`}</h1>
      <div class="status-line">${badge(dev.status)}
        <span title=${dev.lastSeenAt ? dateTime(dev.lastSeenAt) : ''}>Last seen: ${dev.lastSeenAt ? relative(dev.lastSeenAt) : 'never'}</span></div>
      ${state.error ? errorView(state.error) : nothing}
      ${state.secret ? html`<section class="token-once" aria-labelledby="secret-title"><h2 id="secret-title">New device token</h2>
        <p>Shown this once; the old token no longer works. Configure the device with it now:</p>
        <p><code data-testid="device-token">${state.secret}</code>
          <button type="button" @click=${() => navigator.clipboard?.writeText(state.secret).then(() => toast('Token copied'), () => toast('Copy it by hand: the browser refused the clipboard', 'error'))}>Copy token</button>
          <button type="button" class="link" @click=${() => { state.secret = null; draw(); }}>Dismiss</button></p></section>` : nothing}
      <div class="toolbar">
        ${session.can('devices:update') && !state.editing ? html`<button type="button" @click=${() => { state.editing = true; draw(); el.querySelector('#e-name')?.focus(); }}>Edit device</button>` : nothing}
        ${session.can('devices:credentials') ? html`<button type="button" @click=${rotate}>Rotate token</button>` : nothing}
        ${session.can('devices:delete') ? html`<button type="button" class="danger" @click=${remove}>Delete device</button>` : nothing}
      </div>
      <section aria-labelledby="details-title"><h2 id="details-title">Details</h2>${detailsView(dev)}</section>
      <section aria-labelledby="installed-title"><h2 id="installed-title">Installed models and health</h2>${installedView(dev)}</section>
      ${session.can('deployments:create') ? deployView() : nothing}
      <section aria-labelledby="actions-title"><h2 id="actions-title">Action history</h2>${actionsView()}</section>
      <section aria-labelledby="attributes-title"><h2 id="attributes-title">Attributes</h2>
        ${attributes.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
          <tbody>${attributes.map(([k, v]) => html`<tr><td class="mono">${k}</td><td class="mono">${v}</td></tr>`)}</tbody></table></div>`
          : html`<p>The device has reported no attributes yet (it does on its first poll).</p>`}
      </section>`, el);
  };

  draw();
  reload();
  if (session.can('deployments:create')) suggestModels();
  // Live events are the way updates arrive; only while the event stream is down does the page
  // re-read every 5 s instead (lib/live.js), so it follows the device without it.
  const stopLive = liveReload(['device', 'action'],
      e => (e.topic === 'device' && e.id === id) || (e.topic === 'action' && e.device === id), reload,
      { fallbackEvery: 5000 });

  return () => {
    gone = true;
    stopLive();
    abort.abort();
    clearTimeout(modelTimer);
  };
}
