// The fleet: devices filtered by the filter language (with the selector builder), paged on the
// server, the filter in the URL (#/devices?q=…&page=…) so a view can be shared; device groups with
// their live counts; saving the filter as a group; registering a device (its token shown once).
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, pager, badge, toast, confirm, fieldError } from '../../lib/ui.js';
import { relative, dateTime } from '../../lib/format.js';
import { mountFilterInput, checkFilter, quoteValue } from '../../lib/filter-input.js';
import { pathSeg } from '../../lib/router.js';
import { liveReload } from '../../lib/live.js';
import { advice } from '../../lib/messages.js';

const PAGE_SIZE = 50;
/** Live events re-read the page at most this often (a fleet of 100,000 sends many). */
const LIVE_INTERVAL = 5000;
const KEY_ATTRIBUTES = ['arch', 'os', 'accelerator', 'hardware', 'cpu', 'memory.mb', 'modelyard.updater'];

/** Up to three attributes worth a column: the well-known keys first, then the rest by name. */
export function keyAttributes(attributes) {
  const keys = Object.keys(attributes || {});
  const preferred = KEY_ATTRIBUTES.filter(k => keys.includes(k));
  const rest = keys.filter(k => !preferred.includes(k) && !k.startsWith('modelyard.')).sort();
  return [...preferred, ...rest].slice(0, 3).map(k => [k, attributes[k]]);
}

export default function mount(el, ctx) {
  const q = ctx.query.get('q') || '';
  const pageIndex = Math.max(0, Number.parseInt(ctx.query.get('page') || '0', 10) || 0);
  const state = {
    result: null, error: null, loading: true,
    groups: null, groupsError: null,
    panel: null,            // 'register' | 'group' | null
    formError: null, busy: false,
    registered: null,       // the device just registered, with its token (shown once)
  };
  let abort = null;
  let filter = null;
  let readyCalled = false;

  const go = (params, replace = false) => ctx.navigate('/devices', params, { replace });

  const load = async () => {
    abort?.abort();
    abort = new AbortController();
    try {
      // a shared link may hold a filter that no longer compiles: check it first (no failed request)
      const check = q ? await checkFilter(q, { count: false, signal: abort.signal }) : null;
      if (check && !check.valid) throw check.error;
      const result = await api.get('/devices', { q: q || undefined, page: pageIndex, size: PAGE_SIZE }, { signal: abort.signal });
      state.result = result; state.error = null;
      if (result.items.length === 0 && pageIndex > 0 && result.total > 0) {
        go({ q, page: Math.floor((result.total - 1) / PAGE_SIZE) }, true);
        return;
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e; state.result = null;
      if (e.code === 'invalid-filter') filter?.showError(e);
    }
    state.loading = false;
    draw();
    if (!readyCalled) { readyCalled = true; ctx.ready(); }
  };

  // An action event changes the rows of its device, not which devices match (a device event does):
  // re-read only the visible rows, by their ids (no count over the fleet).
  let rowsAbort = null;
  const loadRows = async () => {
    const items = state.result?.items;
    if (!items?.length) return;
    const rows = `controllerId=in=(${items.map(d => quoteValue(d.controllerId)).join(',')})`;
    if (rows.length > 4000) { load(); return; } // past the filter's length limit: read the page as a whole
    rowsAbort?.abort();
    rowsAbort = new AbortController();
    try {
      const fresh = await api.get('/devices', { q: rows, size: items.length }, { signal: rowsAbort.signal });
      const byId = new Map(fresh.items.map(d => [d.controllerId, d]));
      if (state.result?.items !== items) return; // the page was read again meanwhile
      state.result = { ...state.result, items: items.map(d => byId.get(d.controllerId) || d) };
      draw();
    } catch (e) {
      if (e.name !== 'AbortError') { state.error = e; draw(); }
    }
  };

  const loadGroups = async () => {
    try {
      state.groups = await api.get('/device-groups', { size: 100 });
      state.groupsError = null;
    } catch (e) {
      state.groupsError = e;
    }
    draw();
  };

  // ---- writes -----------------------------------------------------------------------------

  const register = async event => {
    event.preventDefault();
    const form = event.target;
    const body = { controllerId: form.controllerId.value.trim() };
    if (form.deviceName.value.trim()) body.name = form.deviceName.value.trim();
    if (form.description.value.trim()) body.description = form.description.value.trim();
    const tags = form.tags.value.split(',').map(t => t.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    if (!body.controllerId) { state.formError = { field: 'controllerId', message: 'Enter a controller id: letters, digits, . _ : - (up to 128).' }; draw(); return; }
    state.busy = true; state.formError = null; draw();
    try {
      state.registered = await api.post('/devices', body);
      state.panel = null;
      toast(`Device ${state.registered.controllerId} registered`);
      load();
    } catch (e) {
      state.formError = { error: e };
    }
    state.busy = false;
    draw();
  };

  const saveGroup = async event => {
    event.preventDefault();
    const form = event.target;
    const name = form.groupName.value.trim();
    if (!name) { state.formError = { field: 'groupName', message: 'Enter a name for the group: lower-case letters, digits, . _ -' }; draw(); return; }
    state.busy = true; state.formError = null; draw();
    try {
      const body = { name, filter: filter?.value.trim() ?? q };
      if (!body.filter) {
        state.formError = { field: 'groupName', message: 'A group saves a filter: type or build one above first (an empty filter is every device).' };
        state.busy = false; draw(); return;
      }
      const check = await checkFilter(body.filter, { count: false });
      if (!check.valid) { filter?.showError(check.error); throw check.error; }
      if (state.groups?.items.some(g => g.name === name)) {
        state.formError = { field: 'groupName', message: `A group named ${name} exists. Choose another name, or delete that group first.` };
        state.busy = false; draw(); return;
      }
      if (form.groupDescription.value.trim()) body.description = form.groupDescription.value.trim();
      const group = await api.post('/device-groups', body);
      toast(`Group ${group.name} saved: ${group.count ?? '?'} devices match now`);
      state.panel = null;
      loadGroups();
    } catch (e) {
      state.formError = { error: e };
      if (e.code === 'invalid-filter') filter?.showError(e);
    }
    state.busy = false;
    draw();
  };

  const deleteGroup = async group => {
    const ok = await confirm({ title: `Delete group ${group.name}?`, danger: true, confirmLabel: 'Delete group',
      body: html`<p>The saved filter <code>${group.filter}</code> is removed. Its devices are not touched.</p>` });
    if (!ok) return;
    try {
      await api.del(`/device-groups/${seg(group.name)}`);
      toast(`Group ${group.name} deleted`);
      loadGroups();
    } catch (e) {
      const hint = advice(e);
      toast(`Could not delete group ${group.name}: ${e.detail || e.message}${hint ? ` ${hint}` : ''}`, 'error');
    }
  };

  // ---- rendering --------------------------------------------------------------------------

  const formProblem = () => state.formError?.error ? errorView(state.formError.error) : nothing;
  const fieldProblem = name => state.formError?.field === name ? fieldError(`f-${name}`, state.formError.message) : nothing;
  const invalid = name => state.formError?.field === name ? 'true' : 'false';

  const registerPanel = () => html`
    <form class="panel" @submit=${register} novalidate aria-labelledby="register-title">
      <h2 id="register-title">Register a device</h2>
      <label for="f-controllerId">Controller id</label>
      <input id="f-controllerId" name="controllerId" autocomplete="off" required aria-invalid=${invalid('controllerId')}
             aria-describedby="f-controllerId-help f-controllerId-error">
      <p id="f-controllerId-help" class="help">How the device names itself when it polls: letters, digits, <code>. _ : -</code>, up to 128.</p>
      ${fieldProblem('controllerId')}
      <label for="f-deviceName">Name <span class="optional">(optional)</span></label>
      <input id="f-deviceName" name="deviceName" autocomplete="off">
      <label for="f-description">Description <span class="optional">(optional)</span></label>
      <input id="f-description" name="description" autocomplete="off">
      <label for="f-tags">Tags <span class="optional">(optional, comma-separated)</span></label>
      <input id="f-tags" name="tags" autocomplete="off" placeholder="store, kiosk">
      ${formProblem()}
      <div class="toolbar">
        <button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Registering…' : 'Register device'}</button>
        <button type="button" @click=${() => { state.panel = null; state.formError = null; draw(); }}>Cancel</button>
      </div>
    </form>`;

  const groupPanel = () => html`
    <form class="panel" @submit=${saveGroup} novalidate aria-labelledby="group-title">
      <h2 id="group-title">Save the filter as a group</h2>
      <p>Filter: <code>${filter?.value || q || '(every device)'}</code>. Members are whatever matches when the group is read.</p>
      <label for="f-groupName">Group name</label>
      <input id="f-groupName" name="groupName" autocomplete="off" aria-invalid=${invalid('groupName')} aria-describedby="f-groupName-error">
      ${fieldProblem('groupName')}
      <label for="f-groupDescription">Description <span class="optional">(optional)</span></label>
      <input id="f-groupDescription" name="groupDescription" autocomplete="off">
      ${formProblem()}
      <div class="toolbar">
        <button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Saving…' : 'Save group'}</button>
        <button type="button" @click=${() => { state.panel = null; state.formError = null; draw(); }}>Cancel</button>
      </div>
    </form>`;

  const registeredNotice = () => {
    const d = state.registered;
    if (!d) return nothing;
    return html`<section class="token-once" aria-labelledby="token-title">
      <h2 id="token-title">Device ${d.controllerId} registered</h2>
      <p>Its token, shown this once (only its hash is kept). Configure the device with it now:</p>
      <p><code data-testid="device-token">${d.token}</code>
        <button type="button" @click=${() => navigator.clipboard?.writeText(d.token).then(() => toast('Token copied'), () => toast('Copy it by hand: the browser refused the clipboard', 'error'))}>Copy token</button></p>
      <p><a href="#/devices/${pathSeg(d.controllerId)}">Open device ${d.controllerId}</a>
        <button type="button" class="link" @click=${() => { state.registered = null; draw(); }}>Dismiss</button></p>
    </section>`;
  };

  const table = () => {
    if (state.error && !state.result) return errorView(state.error);
    if (!state.result) return html`<p class="loading" role="status">Loading devices…</p>`;
    const r = state.result;
    if (r.total === 0) return html`<p>No device matches${q ? html` <code>${q}</code>` : nothing}.
      ${session.can('devices:create') ? 'Register one, or change the filter.' : 'Change the filter.'}</p>`;
    return html`
      <div class="table-wrap">
        <table aria-describedby="devices-caption">
          <caption id="devices-caption" class="help">Devices ${r.page * r.size + 1}–${Math.min(r.total, (r.page + 1) * r.size)}
            of ${r.total.toLocaleString()}, by controller id</caption>
          <thead><tr><th scope="col">Controller id</th><th scope="col">Name</th><th scope="col">Status</th>
            <th scope="col">Last seen</th><th scope="col">Attributes</th><th scope="col">Tags</th><th scope="col">Installed models</th></tr></thead>
          <tbody>
            ${r.items.map(d => html`<tr>
              <td><a href="#/devices/${pathSeg(d.controllerId)}" class="mono">${d.controllerId}</a></td>
              <td>${d.name || '—'}</td>
              <td>${badge(d.status)}</td>
              <td title=${d.lastSeenAt ? dateTime(d.lastSeenAt) : 'never polled'}>${d.lastSeenAt ? relative(d.lastSeenAt) : 'never'}</td>
              <td>${keyAttributes(d.attributes).map(([k, v]) => html`<div class="mono">${k}=${v}</div>`)}</td>
              <td>${(d.tags || []).join(', ') || '—'}</td>
              <td>${(d.installed || []).length ? d.installed.map(i => html`<div>${i.model} <span class="mono">${i.version}</span></div>`) : '—'}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      ${pager(r, p => go({ q, page: p }), 'Device pages')}`;
  };

  const groupsView = () => {
    if (state.groupsError) return errorView(state.groupsError);
    if (!state.groups) return html`<p class="loading" role="status">Loading groups…</p>`;
    if (state.groups.items.length === 0) return html`<p>No groups yet.${session.can('devices:update') ? ' Filter the devices, then "Save as group".' : ''}</p>`;
    return html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Group</th><th scope="col">Filter</th><th scope="col">Devices</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${state.groups.items.map(g => html`<tr>
        <td><a href=${`#/devices?${new URLSearchParams({ q: g.filter })}`} aria-label="Show the devices of group ${g.name}">${g.name}</a>
          ${g.description ? html`<div class="help">${g.description}</div>` : nothing}</td>
        <td><code>${g.filter}</code></td>
        <td>${g.filterProblem ? html`<span class="error">Filter no longer valid: ${g.filterProblem}</span>` : (g.count ?? 0).toLocaleString()}</td>
        <td>${session.can('devices:delete') ? html`<button type="button" @click=${() => deleteGroup(g)} aria-label="Delete group ${g.name}">Delete</button>` : nothing}</td>
      </tr>`)}</tbody></table></div>
      ${state.groups.total > state.groups.items.length ? html`<p class="help">Showing ${state.groups.items.length} of ${state.groups.total} groups.</p>` : nothing}`;
  };

  const draw = () => render(html`
    <h1>Devices</h1>
    <div id="devices-filter-slot"></div>
    <div class="toolbar">
      ${session.can('devices:update') ? html`<button type="button" aria-expanded=${state.panel === 'group' ? 'true' : 'false'}
          @click=${() => { state.panel = state.panel === 'group' ? null : 'group'; state.formError = null; draw(); el.querySelector('#f-groupName')?.focus(); }}>Save as group</button>` : nothing}
      ${session.can('devices:create') ? html`<button type="button" aria-expanded=${state.panel === 'register' ? 'true' : 'false'}
          @click=${() => { state.panel = state.panel === 'register' ? null : 'register'; state.formError = null; draw(); el.querySelector('#f-controllerId')?.focus(); }}>Register a device</button>` : nothing}
    </div>
    ${registeredNotice()}
    ${state.panel === 'register' ? registerPanel() : nothing}
    ${state.panel === 'group' ? groupPanel() : nothing}
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">${q ? 'Matching devices' : 'All devices'}</h2>
      ${state.error && state.result ? errorView(state.error) : nothing}
      ${table()}
    </section>
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Device groups</h2>
      ${groupsView()}
    </section>`, el);

  draw();
  filter = mountFilterInput(el.querySelector('#devices-filter-slot'), {
    id: 'device-filter', label: 'Filter devices', value: q, count: true, submitLabel: 'Apply filter',
    onSubmit: text => { if (text !== q) go({ q: text }); else load(); },
  });
  load();
  loadGroups();
  // events are hints: a device event may change which devices match (re-read the page and its count),
  // an action event only the rows of a visible device
  const stopDevices = liveReload(['device'], () => true, () => { load(); }, { minInterval: LIVE_INTERVAL });
  const stopActions = liveReload(['action'], e => !!state.result?.items.some(d => d.controllerId === e.device),
      () => { loadRows(); }, { minInterval: LIVE_INTERVAL });

  return () => {
    stopDevices();
    stopActions();
    rowsAbort?.abort();
    abort?.abort();
    filter?.destroy();
  };
}
