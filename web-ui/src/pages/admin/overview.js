// Trust & admin overview: one card per area the token may use, with what needs attention first
// (an expired or expiring root, a release key the root does not list, tokens about to expire).
import { html, render, nothing } from '../../lib/vendor.js';
import { api } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { subnav, expiryState, WARN_DAYS } from './common.js';

export default function mount(el, ctx) {
  const signal = new AbortController();
  const state = { trust: null, tokens: null, roles: null, tenants: null, errors: [] };

  const guard = (what, promise) => promise.catch(e => {
    if (e.name !== 'AbortError') state.errors.push(Object.assign(e, { detail: `${what}: ${e.detail || e.message}` }));
    return null;
  });

  async function load() {
    const opts = { signal: signal.signal };
    const [trust, tokens, roles, tenants] = await Promise.all([
      session.can('keys:read') ? guard('Trust status', api.get('/trust/status', undefined, opts)) : null,
      session.can('tokens:read') ? guard('API tokens', api.get('/tokens', undefined, opts)) : null,
      session.can('roles:read') ? guard('Roles', api.get('/roles', undefined, opts)) : null,
      session.can('tenants:read') ? guard('Tenants', api.get('/tenants', undefined, opts)) : null,
    ]);
    Object.assign(state, { trust, tokens, roles, tenants });
    draw();
    ctx.ready();
  }

  const trustCard = () => {
    const t = state.trust;
    if (!t) return nothing;
    const root = expiryState(t.rootExpires);
    const kind = t.problems.length || root === 'expired' ? 'bad' : root === 'soon' ? 'warn' : 'ok';
    return html`<section class="card ${kind}" aria-labelledby="card-trust">
      <h2 id="card-trust"><a href="#/admin/trust">Trust</a></h2>
      ${t.rootVersion == null ? html`<p><strong>No root of trust yet.</strong> Devices cannot be provisioned.</p>`
        : html`<p>Root version ${t.rootVersion}, expires ${relative(t.rootExpires)}
            ${root === 'expired' ? html`<span class="badge bad">expired</span>` : root === 'soon' ? html`<span class="badge warn">expires soon</span>` : nothing}</p>`}
      <p>Release key ${t.releaseKeyTrusted ? html`<span class="badge ok">trusted by the root</span>` : html`<span class="badge bad">not trusted</span>`}</p>
      ${t.problems.length ? html`<p>${t.problems.length} problem${t.problems.length > 1 ? 's' : ''}: see Trust.</p>` : nothing}
    </section>`;
  };

  const tokensCard = () => {
    const all = state.tokens;
    if (!all) return nothing;
    const active = all.filter(t => !t.revokedAt && expiryState(t.expiresAt) !== 'expired');
    const soon = active.filter(t => expiryState(t.expiresAt) === 'soon');
    return html`<section class="card ${soon.length ? 'warn' : ''}" aria-labelledby="card-tokens">
      <h2 id="card-tokens"><a href="#/admin/tokens">API tokens</a></h2>
      <p>${active.length} active of ${all.length}.</p>
      ${soon.length ? html`<p>${soon.length} expire within ${WARN_DAYS} days: ${soon.map(t => t.name).join(', ')}.</p>` : nothing}
    </section>`;
  };

  const rolesCard = () => state.roles ? html`<section class="card" aria-labelledby="card-roles">
      <h2 id="card-roles"><a href="#/admin/roles">Roles</a></h2>
      <p>${state.roles.filter(r => r.builtIn).length} built-in, ${state.roles.filter(r => !r.builtIn).length} custom.</p>
    </section>` : nothing;

  const auditCard = () => session.can('audit:read') ? html`<section class="card" aria-labelledby="card-audit">
      <h2 id="card-audit"><a href="#/admin/audit">Audit log</a></h2>
      <p>Every change made through the API: filter it, export it as CSV, check its hash chain.</p>
    </section>` : nothing;

  const settingsCard = () => session.can('keys:read') ? html`<section class="card" aria-labelledby="card-settings">
      <h2 id="card-settings"><a href="#/admin/settings">Tenant settings</a></h2>
      <p>Device polling interval, upload limit and the DDI gateway token of this tenant.</p>
    </section>` : nothing;

  const tenantsCard = () => state.tenants ? html`<section class="card" aria-labelledby="card-tenants">
      <h2 id="card-tenants"><a href="#/admin/tenants">Tenants</a></h2>
      <p>${state.tenants.length} tenant${state.tenants.length === 1 ? '' : 's'}, ${state.tenants.filter(t => !t.enabled).length} disabled.</p>
    </section>` : nothing;

  // Once the page was left (aborted), what finishes late draws nothing.
  const draw = () => signal.signal.aborted || render(html`
    <h1>Trust &amp; admin</h1>
    ${subnav('/admin')}
    ${state.errors.map(e => errorView(e))}
    <p class="muted">Tenant <strong>${session.info.tenant?.name}</strong> (<code>${session.info.tenant?.id}</code>), as of ${dateTime(new Date().toISOString())}.</p>
    <div class="cards">${trustCard()}${tokensCard()}${rolesCard()}${auditCard()}${settingsCard()}${tenantsCard()}</div>`, el);

  render(html`<h1>Trust &amp; admin</h1>${subnav('/admin')}<p class="loading" role="status">Loading…</p>`, el);
  load();
  return () => signal.abort();
}
