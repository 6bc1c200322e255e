// Sign in with an API token (and, optionally, the tenant it should belong to). The token is checked with
// GET /api/v1/session before it is kept; a tenant given is sent as Modelyard-Tenant, so the server itself
// refuses a token of another tenant (403 tenant-mismatch) and says why.
import { html, render, nothing } from '../lib/vendor.js';
import { api } from '../lib/api.js';
import { session } from '../lib/session.js';
import { advice } from '../lib/messages.js';

export function mountSignIn(el, { reason, onSignedIn }) {
  let error = reason ? { detail: reason, hint: 'Sign in again with a valid token.' } : null;
  let busy = false;

  const submit = async event => {
    event.preventDefault();
    const form = event.target;
    const token = form.token.value.trim();
    const tenant = form.tenant.value.trim();
    if (!token) {
      error = { detail: 'Paste an API token (it starts with myd_).', hint: null };
      draw();
      form.token.focus();
      return;
    }
    busy = true; error = null; draw();
    const headers = { Authorization: `Bearer ${token}` };
    if (tenant) headers['Modelyard-Tenant'] = tenant;
    try {
      const info = await api.get('/session', undefined, { headers });
      session.store(token, form.remember.checked);
      session.loaded(info);
      onSignedIn?.();
      return;
    } catch (e) {
      error = {
        detail: e.status === 401 ? `The server refused this token: ${e.detail}` : e.detail || e.message,
        hint: e.status === 401
          ? 'Check that you copied all of it (it starts with myd_) and that it was not revoked or expired.'
          : advice(e),
        code: e.code,
      };
    }
    busy = false;
    draw();
    el.querySelector('#token')?.focus();
  };

  const draw = () => render(html`
    <main id="main" class="signin" tabindex="-1">
      <div class="signin-brand" aria-hidden="true"><img src="favicon.svg" alt="" width="40" height="40"></div>
      <h1>Sign in to Modelyard</h1>
      <form @submit=${submit} novalidate>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false"
               aria-describedby="token-help${error ? ' signin-error' : ''}" aria-invalid=${error ? 'true' : 'false'}>
        <p id="token-help" class="help">An API token of your tenant (it starts with <code>myd_</code>). An admin issues
          one under Trust &amp; admin → API tokens, or with <code>POST /api/v1/tokens</code>.</p>
        <label for="tenant">Tenant <span class="optional">(optional)</span></label>
        <input id="tenant" name="tenant" type="text" autocomplete="organization" placeholder="default"
               aria-describedby="tenant-help" spellcheck="false">
        <p id="tenant-help" class="help">The tenant the token should belong to; the server refuses a token of another one.</p>
        <label class="check"><input name="remember" type="checkbox"> Keep me signed in on this browser</label>
        ${error ? html`<div id="signin-error" class="error-box" role="alert">
            <p><strong>${error.detail}</strong>${error.code ? html` <code class="code">${error.code}</code>` : nothing}</p>
            ${error.hint ? html`<p>${error.hint}</p>` : nothing}</div>` : nothing}
        <button class="primary" type="submit" ?disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`, el);

  draw();
  el.querySelector('#token')?.focus();
}
