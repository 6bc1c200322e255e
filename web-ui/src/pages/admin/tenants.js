// Tenants (system administrator): the list, creating one (its first admin token shown once), and
// disabling or enabling one. A tenant's gateway token is its own admins' business: see Tenant settings.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, confirm, toast, badge } from '../../lib/ui.js';
import { dateTime } from '../../lib/format.js';
import { subnav, copyText } from './common.js';

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  const state = { tenants: [], error: null, formError: null, busy: false, created: null, copied: false };

  async function load() {
    try {
      state.tenants = await api.get('/tenants', undefined, opts);
      state.error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
  }

  const create = async event => {
    event.preventDefault();
    const form = event.target;
    state.busy = true; state.formError = null; state.created = null; draw();
    try {
      state.created = await api.post('/tenants', { id: form.tenantId.value.trim(), name: form.tenantName.value.trim() || null }, opts);
      state.copied = false;
      form.reset();
      await load();
      el.querySelector('#created-tenant-heading')?.focus();
    } catch (e) {
      if (e.name !== 'AbortError') state.formError = e;
    }
    state.busy = false;
    draw();
  };

  const setEnabled = async (tenant, enabled) => {
    const ok = await confirm(enabled
      ? { title: `Enable tenant ${tenant.id}?`, body: html`<p>Its tokens and devices are accepted again, its conversion jobs
          continue and its signed metadata is renewed at once.</p>`, confirmLabel: 'Enable tenant' }
      : { title: `Disable tenant ${tenant.id}?`, body: html`<p>Its API tokens and devices are refused (401
          <code>tenant-disabled</code>) and its conversion jobs wait. Its data is kept; enable it again at any time.</p>`,
          confirmLabel: 'Disable tenant', danger: true, typeToConfirm: tenant.id });
    if (!ok) return;
    try {
      // The tenant API takes a plain JSON body (not a merge patch).
      await api.patch(`/tenants/${seg(tenant.id)}`, { enabled }, { ...opts, headers: { 'Content-Type': 'application/json' } });
      toast(`Tenant ${tenant.id} ${enabled ? 'enabled' : 'disabled'}`);
      state.error = null;
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') { state.error = e; draw(); }
    }
  };

  const copy = async () => {
    state.copied = await copyText(state.created.adminToken.token);
    if (!state.copied) toast('Copying failed: select the token and copy it by hand.', 'error');
    draw();
  };

  const createdView = () => {
    const c = state.created;
    if (!c) return nothing;
    return html`<section class="notice ok" aria-labelledby="created-tenant-heading">
      <h2 id="created-tenant-heading" tabindex="-1">Tenant ${c.tenant.id} created</h2>
      <p>Its first admin token (role <code>${c.adminToken.role}</code>) is below. <strong>Copy it now: it is shown only this once.</strong>
        Give it to the tenant's administrator; they sign in with it and issue their team's tokens.</p>
      <div class="secret"><code data-testid="tenant-admin-token">${c.adminToken.token}</code>
        <button type="button" class="primary" @click=${copy}>${state.copied ? 'Copied' : 'Copy token'}</button></div>
      <div class="actions"><button type="button" @click=${() => { state.created = null; draw(); }}>I have stored it</button></div>
    </section>`;
  };

  const draw = () => {
    if (signal.signal.aborted) return; // the page was left: what finishes late draws nothing
    const canUpdate = session.can('tenants:update');
    render(html`
      <h1>Tenants</h1>
      ${subnav('/admin/tenants')}
      ${errorView(state.error)}
      ${createdView()}
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Tenant</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Created</th>
          ${canUpdate ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
        <tbody>${state.tenants.map(t => html`<tr>
          <th scope="row"><code>${t.id}</code>${t.id === session.tenant ? html` <span class="badge neutral">yours</span>` : nothing}</th>
          <td>${t.name}</td>
          <td>${t.enabled ? badge('enabled') : html`<span class="badge warn">disabled</span>`}</td>
          <td>${dateTime(t.createdAt)}${t.createdBy ? html`<br><span class="muted">by ${t.createdBy}</span>` : nothing}</td>
          ${canUpdate ? html`<td>${t.id === 'default' ? html`<span class="muted">holds the system token</span>` : t.enabled
            ? html`<button type="button" class="small" aria-label="Disable tenant ${t.id}" @click=${() => setEnabled(t, false)}>Disable</button>`
            : html`<button type="button" class="small" aria-label="Enable tenant ${t.id}" @click=${() => setEnabled(t, true)}>Enable</button>`}</td>` : nothing}
        </tr>`)}</tbody></table></div>
      ${session.can('tenants:create') ? html`<form class="form-panel" @submit=${create} novalidate>
        <h2>Create a tenant</h2>
        <div class="form-row">
          <div><label for="tenant-id">Id</label>
            <input id="tenant-id" name="tenantId" required autocomplete="off" spellcheck="false" aria-describedby="tenant-id-help"
                   aria-invalid=${state.formError?.field === 'id' || state.formError?.code === 'already-exists' ? 'true' : 'false'}>
            <p id="tenant-id-help" class="help">Lower-case slug (e.g. <code>team-b</code>): it appears in its devices' DDI paths.</p></div>
          <div><label for="tenant-name">Name <span class="optional">(optional)</span></label>
            <input id="tenant-name" name="tenantName" autocomplete="off"></div>
        </div>
        ${errorView(state.formError)}
        <div class="actions"><button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Creating…' : 'Create tenant'}</button></div>
      </form>` : nothing}`, el);
  };

  render(html`<h1>Tenants</h1>${subnav('/admin/tenants')}<p class="loading" role="status">Loading…</p>`, el);
  load().then(() => ctx.ready());
  return () => signal.abort();
}
