// Sign in with an API token (and, optionally, the tenant it should belong to).
import { html, render, nothing } from '../lib/vendor.js';
import { api } from '../lib/api.js';
import { session } from '../lib/session.js';

export function mountSignIn(el, { reason, onSignedIn }) {
  let error = reason || null;
  let busy = false;

  const submit = async event => {
    event.preventDefault();
    const form = event.target;
    const token = form.token.value.trim();
    const tenant = form.tenant.value.trim();
    if (!token) { error = 'Paste an API token (it starts with myd_).'; draw(); return; }
    busy = true; error = null; draw();
    session.store(token, form.remember.checked);
    try {
      const info = await api.get('/session');
      if (tenant && info.tenant?.id !== tenant) {
        session.signOut();
        error = `This token belongs to tenant '${info.tenant?.id}', not '${tenant}'. Leave the tenant empty or use a token of '${tenant}'.`;
      } else {
        session.loaded(info);
        onSignedIn();
        return;
      }
    } catch (e) {
      session.signOut();
      error = e.status === 401
        ? `The server refused this token: ${e.detail} Check that you copied all of it and that it was not revoked or expired.`
        : e.detail;
    }
    busy = false;
    draw();
  };

  const draw = () => render(html`
    <main id="main" class="signin">
      <h1>Sign in to Modelyard</h1>
      <form @submit=${submit} novalidate>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required
               aria-describedby="token-help ${error ? 'signin-error' : ''}" aria-invalid=${error ? 'true' : 'false'}>
        <p id="token-help" class="help">An API token of your tenant (it starts with <code>myd_</code>). An admin issues
          one under Trust &amp; admin → Tokens, or with <code>POST /api/v1/tokens</code>.</p>
        <label for="tenant">Tenant <span class="optional">(optional)</span></label>
        <input id="tenant" name="tenant" type="text" autocomplete="organization" placeholder="default">
        <label class="check"><input name="remember" type="checkbox"> Keep me signed in on this browser</label>
        ${error ? html`<p id="signin-error" class="error" role="alert">${error}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`, el);

  draw();
  el.querySelector('#token')?.focus();
}
