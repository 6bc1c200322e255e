// Trust: the release key and the root of trust devices verify releases against (expiry warnings with
// what to do), the root versions, and the publisher keys uploads may be signed with.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, fieldError, confirm, toast, badge } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { subnav, expiryState, daysUntil, WARN_DAYS } from './common.js';

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  const state = { status: null, roots: [], keys: [], error: null, formError: null, busy: false, rootBusy: false, rootError: null };

  async function load() {
    try {
      const [status, roots, keys] = await Promise.all([
        api.get('/trust/status', undefined, opts),
        api.get('/trust/roots', undefined, opts),
        api.get('/publisher-keys', undefined, opts),
      ]);
      Object.assign(state, { status, roots, keys, error: null });
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
  }

  const register = async event => {
    event.preventDefault();
    const form = event.target;
    state.busy = true; state.formError = null; draw();
    try {
      const key = await api.post('/publisher-keys', { name: form.keyName.value.trim(), publicKey: form.publicKey.value.trim() }, opts);
      toast(`Publisher key ${key.name} registered`);
      form.reset();
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') state.formError = e;
    }
    state.busy = false;
    draw();
  };

  const revoke = async key => {
    const ok = await confirm({
      title: `Revoke publisher key ${key.name}?`,
      body: html`<p>Uploads signed with key <code>${key.keyId}</code> are refused from now on. Releases it signed stay
        valid. This cannot be undone: register the key again to trust it again.</p>`,
      confirmLabel: 'Revoke key', danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/publisher-keys/${seg(key.id)}`, opts);
      toast(`Publisher key ${key.name} revoked`);
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') { state.error = e; draw(); }
    }
  };

  const uploadRoot = async event => {
    event.preventDefault();
    const file = event.target.rootFile.files[0];
    if (!file) { state.rootError = { detail: 'Choose the signed root file (e.g. 2.root.json) first.' }; draw(); return; }
    state.rootBusy = true; state.rootError = null; draw();
    try {
      const root = await api.post('/trust/roots', await file.text(), { ...opts, headers: { 'Content-Type': 'application/json' } });
      toast(`Root version ${root.version} added`);
      event.target.reset();
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') state.rootError = e;
    }
    state.rootBusy = false;
    draw();
  };

  const rootAdvice = s => {
    const exp = expiryState(s.rootExpires);
    if (s.rootVersion == null) {
      return html`<div class="notice bad" role="alert"><p><strong>No root of trust has been uploaded.</strong> Devices cannot be
        provisioned and verify nothing.</p><p>Sign a root offline with <code>modelyard root init</code> (it lists this server's
        release key <code>${s.releaseKeyId}</code>) and upload it below or with <code>POST /api/v1/trust/roots</code>.</p></div>`;
    }
    if (exp === 'expired') {
      return html`<div class="notice bad" role="alert"><p><strong>The root expired ${relative(s.rootExpires)}</strong>
        (${dateTime(s.rootExpires)}). Devices refuse every release until a new root version is uploaded.</p>
        <p>Sign root version ${s.rootVersion + 1} offline with <code>modelyard root rotate</code> using the current root keys,
        and upload it here.</p></div>`;
    }
    if (exp === 'soon') {
      return html`<div class="notice" role="status"><p><strong>The root expires in ${daysUntil(s.rootExpires)} days</strong>
        (${dateTime(s.rootExpires)}). After that devices refuse every release.</p>
        <p>Before then, sign root version ${s.rootVersion + 1} with a later expiry (<code>modelyard root rotate</code>) and
        upload it here.</p></div>`;
    }
    return html`<p class="notice ok">The root is valid until ${dateTime(s.rootExpires)} (${relative(s.rootExpires)}).</p>`;
  };

  const statusView = () => {
    const s = state.status;
    if (!s) return nothing;
    const exp = expiryState(s.rootExpires);
    return html`
      <h2>Release key and root</h2>
      ${rootAdvice(s)}
      ${!s.releaseKeyTrusted && s.rootVersion != null ? html`<div class="notice bad" role="alert"><p><strong>The current root does
        not list this server's release key.</strong> Devices refuse its releases.</p><p>Sign a new root version listing
        <code>${s.releaseKeyId}</code> and upload it.</p></div>` : nothing}
      <dl class="facts">
        <dt>Release key id</dt><dd><code>${s.releaseKeyId}</code></dd>
        <dt>Release public key</dt><dd><code>${s.releasePublicKey}</code></dd>
        <dt>Trusted by the root</dt><dd>${s.releaseKeyTrusted ? badge('trusted') : html`<span class="badge bad">not trusted</span>`}</dd>
        <dt>Root version</dt><dd>${s.rootVersion ?? '—'}</dd>
        <dt>Root expires</dt><dd>${s.rootExpires ? html`${dateTime(s.rootExpires)}
          ${exp === 'expired' ? html`<span class="badge bad">expired</span>` : exp === 'soon' ? html`<span class="badge warn">within ${WARN_DAYS} days</span>` : nothing}` : '—'}</dd>
      </dl>
      ${s.problems.length ? html`<h3>Problems the server reports</h3><ul>${s.problems.map(p => html`<li>${p}</li>`)}</ul>` : nothing}`;
  };

  const rootsView = () => html`
    <h2>Root versions</h2>
    ${state.roots.length === 0 ? html`<p class="empty">None yet.</p>` : html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Root metadata versions, oldest first</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Expires</th><th scope="col">Root keys (threshold)</th>
        <th scope="col">Release keys (threshold)</th><th scope="col">File</th></tr></thead>
      <tbody>${state.roots.map(r => html`<tr>
        <td>${r.version}</td>
        <td>${dateTime(r.expires)} ${expiryState(r.expires) === 'expired' ? html`<span class="badge neutral">expired</span>` : nothing}</td>
        <td>${r.rootKeyIds.length} (${r.rootThreshold})</td>
        <td><code>${r.releaseKeyIds.join(', ')}</code> (${r.releaseThreshold})</td>
        <td><code>${r.url}</code></td></tr>`)}</tbody></table></div>`}
    ${session.can('keys:create') ? html`<form class="form-panel" @submit=${uploadRoot}>
      <h3>Add the next root version</h3>
      <label for="root-file">Signed root file</label>
      <input id="root-file" name="rootFile" type="file" accept=".json,application/json" aria-describedby="root-file-help">
      <p id="root-file-help" class="help">Made offline with <code>modelyard root init</code> (version 1) or <code>root rotate</code>;
        it must be signed by the previous version's root keys.</p>
      ${errorView(state.rootError)}
      <div class="actions"><button class="primary" type="submit" ?disabled=${state.rootBusy}>${state.rootBusy ? 'Uploading…' : 'Upload root'}</button></div>
    </form>` : nothing}`;

  const keysView = () => html`
    <h2>Publisher keys</h2>
    <p class="help">Ed25519 keys publishers sign uploads with (header <code>Modelyard-Signature</code>).</p>
    ${state.keys.length === 0 ? html`<p class="empty">No publisher keys registered.</p>` : html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Key id</th><th scope="col">Registered</th><th scope="col">Status</th>
        ${session.can('keys:delete') ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
      <tbody>${state.keys.map(k => html`<tr>
        <td>${k.name}</td><td><code>${k.keyId}</code></td>
        <td>${dateTime(k.createdAt)}${k.createdBy ? html` by ${k.createdBy}` : nothing}</td>
        <td>${k.revokedAt ? html`${badge('revoked')} ${dateTime(k.revokedAt)}` : badge('active')}</td>
        ${session.can('keys:delete') ? html`<td>${k.revokedAt ? nothing : html`<button class="small" type="button"
            aria-label="Revoke publisher key ${k.name}" @click=${() => revoke(k)}>Revoke</button>`}</td>` : nothing}
      </tr>`)}</tbody></table></div>`}
    ${session.can('keys:create') ? html`<form class="form-panel" @submit=${register} novalidate>
      <h3>Register a publisher key</h3>
      <div class="form-row">
        <div><label for="key-name">Name</label>
          <input id="key-name" name="keyName" required autocomplete="off" aria-invalid=${state.formError?.field === 'name' ? 'true' : 'false'}></div>
        <div><label for="key-public">Public key (base64 of the raw 32 bytes)</label>
          <input id="key-public" name="publicKey" required autocomplete="off" spellcheck="false"
                 aria-invalid=${state.formError?.field === 'publicKey' ? 'true' : 'false'}></div>
      </div>
      ${errorView(state.formError)}
      <div class="actions"><button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Registering…' : 'Register key'}</button></div>
    </form>` : nothing}`;

  // Once the page was left (aborted), what finishes late draws nothing.
  const draw = () => signal.signal.aborted || render(html`
    <h1>Trust</h1>
    ${subnav('/admin/trust')}
    ${errorView(state.error)}
    ${statusView()}
    ${rootsView()}
    ${keysView()}`, el);

  render(html`<h1>Trust</h1>${subnav('/admin/trust')}<p class="loading" role="status">Loading…</p>`, el);
  load().then(() => ctx.ready());
  return () => signal.abort();
}
