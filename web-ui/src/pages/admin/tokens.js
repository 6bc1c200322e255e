// API tokens: the list (never secrets), issuing one (its secret shown once, with a copy button) and revoking.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, confirm, toast, badge } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { subnav, expiryState, copyText, WARN_DAYS } from './common.js';

const BUILT_IN = ['viewer', 'publisher', 'operator', 'admin', 'system-admin'];

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  const state = { tokens: [], roles: null, error: null, formError: null, busy: false, issued: null, copied: false, showInactive: false };

  async function load() {
    try {
      const [tokens, roles] = await Promise.all([
        api.get('/tokens', undefined, opts),
        session.can('tokens:create') && session.can('roles:read') ? api.get('/roles', undefined, opts) : null,
      ]);
      Object.assign(state, { tokens, roles, error: null });
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
  }

  /** Roles a token may be issued with: those whose permissions this token holds all of (the server's rule). */
  const issuable = () => (state.roles || BUILT_IN.map(name => ({ name, builtIn: true, permissions: [] })))
    .filter(r => !state.roles || r.permissions.every(p => session.can(p)));

  const issue = async event => {
    event.preventDefault();
    const form = event.target;
    const body = { name: form.tokenName.value.trim(), role: form.role.value };
    if (form.scope.value.trim()) body.scope = form.scope.value.trim();
    if (form.expires.value) body.expiresAt = new Date(`${form.expires.value}T23:59:59`).toISOString();
    state.busy = true; state.formError = null; state.issued = null; draw();
    try {
      state.issued = await api.post('/tokens', body, opts);
      state.copied = false;
      form.reset();
      await load();
      el.querySelector('#issued-secret-heading')?.focus();
    } catch (e) {
      if (e.name !== 'AbortError') state.formError = e;
    }
    state.busy = false;
    draw();
  };

  const revoke = async token => {
    const own = token.id === session.info.token?.id;
    const ok = await confirm({
      title: `Revoke token ${token.name}?`,
      body: html`<p>Every request with this token is refused from now on (role ${token.role}, hint <code>${token.hint}…</code>).
        This cannot be undone.</p>${own ? html`<p><strong>This is the token you are signed in with: you will be signed out.</strong></p>` : nothing}`,
      confirmLabel: 'Revoke token', danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/tokens/${seg(token.id)}`, opts);
      toast(`Token ${token.name} revoked`);
      if (own) { session.signOut('You revoked the token you were signed in with.'); return; }
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') { state.error = e; draw(); }
    }
  };

  const copy = async () => {
    state.copied = await copyText(state.issued.token);
    if (!state.copied) toast('Copying failed: select the token and copy it by hand.', 'error');
    draw();
  };

  const status = t => {
    if (t.revokedAt) return html`${badge('revoked')} <span class="muted">${dateTime(t.revokedAt)}</span>`;
    const e = expiryState(t.expiresAt);
    if (e === 'expired') return html`<span class="badge bad">expired</span> <span class="muted">${dateTime(t.expiresAt)}</span>`;
    if (e === 'soon') return html`<span class="badge warn">expires ${relative(t.expiresAt)}</span>`;
    return html`${badge('active')}${t.expiresAt ? html` <span class="muted">until ${dateTime(t.expiresAt)}</span>` : nothing}`;
  };

  const issuedView = () => state.issued ? html`<section class="notice ok" aria-labelledby="issued-secret-heading">
      <h2 id="issued-secret-heading" tabindex="-1">Token ${state.issued.name} issued</h2>
      <p><strong>Copy the token now: it is shown only this once.</strong> Modelyard keeps only its hash; if you lose it, revoke
        it and issue another.</p>
      <div class="secret"><code data-testid="issued-token">${state.issued.token}</code>
        <button type="button" class="primary" @click=${copy}>${state.copied ? 'Copied' : 'Copy token'}</button></div>
      <div class="actions"><button type="button" @click=${() => { state.issued = null; draw(); }}>I have stored it</button></div>
    </section>` : nothing;

  const formView = () => session.can('tokens:create') ? html`<form class="form-panel" @submit=${issue} novalidate>
      <h2>Issue a token</h2>
      <div class="form-row">
        <div><label for="token-name">Name</label>
          <input id="token-name" name="tokenName" required autocomplete="off" spellcheck="false" aria-describedby="token-name-help"
                 aria-invalid=${state.formError?.field === 'name' || state.formError?.code === 'invalid-name' ? 'true' : 'false'}>
          <p id="token-name-help" class="help">Lower-case letters, digits, '.', '_', '-' (e.g. <code>ci-vision</code>).</p></div>
        <div><label for="token-role">Role</label>
          <select id="token-role" name="role" aria-describedby="token-role-help">
            ${issuable().map(r => html`<option value=${r.name} ?selected=${r.name === 'viewer'}>${r.name}${r.builtIn ? '' : ' (custom)'}</option>`)}
          </select>
          <p id="token-role-help" class="help">Only roles whose permissions your own token holds.</p></div>
        <div><label for="token-scope">Model scope <span class="optional">(optional)</span></label>
          <input id="token-scope" name="scope" autocomplete="off" spellcheck="false" placeholder="vision-*" aria-describedby="token-scope-help"
                 aria-invalid=${state.formError?.field === 'scope' ? 'true' : 'false'}>
          <p id="token-scope-help" class="help">A glob over model names; the token then reaches only those models.</p></div>
        <div><label for="token-expires">Expires <span class="optional">(optional)</span></label>
          <input id="token-expires" name="expires" type="date" aria-describedby="token-expires-help"
                 aria-invalid=${state.formError?.field === 'expiresAt' ? 'true' : 'false'}>
          <p id="token-expires-help" class="help">At the end of that day; empty: never.</p></div>
      </div>
      ${errorView(state.formError)}
      <div class="actions"><button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Issuing…' : 'Issue token'}</button></div>
    </form>` : nothing;

  const draw = () => {
    if (signal.signal.aborted) return; // the page was left: what finishes late draws nothing
    const shown = state.tokens.filter(t => state.showInactive || (!t.revokedAt && expiryState(t.expiresAt) !== 'expired'));
    const hidden = state.tokens.length - shown.length;
    const canRevoke = session.can('tokens:delete');
    render(html`
      <h1>API tokens</h1>
      ${subnav('/admin/tokens')}
      ${errorView(state.error)}
      ${issuedView()}
      <div class="toolbar">
        <label class="check"><input type="checkbox" .checked=${state.showInactive}
          @change=${e => { state.showInactive = e.target.checked; draw(); }}> Show revoked and expired tokens${hidden && !state.showInactive ? ` (${hidden})` : ''}</label>
      </div>
      ${shown.length === 0 ? html`<p class="empty">No tokens to show.</p>` : html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Hint</th>
          <th scope="col">Created</th><th scope="col">Status</th>${canRevoke ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
        <tbody>${shown.map(t => html`<tr>
          <td>${t.name}${t.id === session.info.token?.id ? html` <span class="badge neutral">this token</span>` : nothing}</td>
          <td>${t.role}</td><td>${t.scope ? html`<code>${t.scope}</code>` : html`<span class="muted">all models</span>`}</td>
          <td><code>${t.hint}…</code></td>
          <td>${dateTime(t.createdAt)}${t.createdBy ? html`<br><span class="muted">by ${t.createdBy}</span>` : nothing}</td>
          <td>${status(t)}</td>
          ${canRevoke ? html`<td>${t.revokedAt ? nothing : html`<button type="button" class="small" aria-label="Revoke token ${t.name}"
              @click=${() => revoke(t)}>Revoke</button>`}</td>` : nothing}
        </tr>`)}</tbody></table></div>`}
      <p class="help">Tokens within ${WARN_DAYS} days of expiry are marked; their holders see a banner in their last 7 days.</p>
      ${formView()}`, el);
  };

  render(html`<h1>API tokens</h1>${subnav('/admin/tokens')}<p class="loading" role="status">Loading…</p>`, el);
  load().then(() => ctx.ready());
  return () => signal.abort();
}
