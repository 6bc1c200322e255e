// Version lifecycle and alias actions shared by the model and version pages. Every one asks for
// confirmation saying what will happen; buttons the token cannot use are not shown. A failure goes to
// the page's onError(error, what) (it shows errorView where the action was), else to a toast with the
// advice for its code (lib/messages.js).
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { confirm, toast, errorView, fieldError } from '../../lib/ui.js';
import { advice } from '../../lib/messages.js';

/** An action's failure as a toast: what failed, the server's detail and what to do. */
export function failureToast(what, e) {
  const hint = advice(e);
  toast(`${what}: ${e.detail || e.message}${e.code ? ` (${e.code})` : ''}${hint ? `. ${hint}` : ''}`, 'error');
}

export function versionActions({ model, onDone, onDeleted, onError }) {
  const base = v => `/models/${seg(model)}/versions/${seg(v)}`;

  async function run(label, action, done = onDone, what = label) {
    let failed = null;
    try {
      onError?.(null);
      await action();
      toast(label);
    } catch (e) {
      failed = e;
    }
    // On a failure the page stays (a failed draft deletion does not leave it) and re-reads what it shows.
    await (failed ? onDone : done)?.();
    if (failed) {
      if (onError) onError(failed, what);
      else failureToast(what, failed);
    }
  }

  async function publish(v) {
    const ok = await confirm({ title: `Publish ${model} ${v.version}?`, confirmLabel: 'Publish',
      body: html`<p>The version becomes immutable and deployable: its ${v.artifactCount} file${v.artifactCount === 1 ? '' : 's'}
        get signed release metadata, and every enabled conversion profile starts a job for it. It cannot go back to a draft.</p>` });
    if (ok) await run(`Version ${v.version} published`, () => api.post(`${base(v.version)}/publish`), onDone, `Could not publish ${v.version}`);
  }

  async function setStatus(v, status, aliases) {
    const texts = {
      deprecated: { title: `Deprecate ${model} ${v.version}?`, label: 'Deprecate',
        body: html`<p>Devices keep running it and it can still be deployed, but it is marked as on its way out. You can publish it again later.</p>` },
      published: { title: `Un-deprecate ${model} ${v.version}?`, label: 'Un-deprecate',
        body: html`<p>The version is marked published again.</p>` },
      revoked: { title: `Revoke ${model} ${v.version}?`, label: 'Revoke', danger: true, type: v.version,
        body: html`<p>Revoking is final. The version can no longer be deployed, its signed metadata is withdrawn
          (devices refuse it at their next check)${aliases.length ? html`, and its aliases (${aliases.join(', ')}) are removed` : nothing}.</p>` },
    }[status];
    const ok = await confirm({ title: texts.title, confirmLabel: texts.label, danger: texts.danger, typeToConfirm: texts.type || null, body: texts.body });
    if (ok) await run(`Version ${v.version} ${status}`, () => api.patch(base(v.version), { status }), onDone,
      `Could not ${texts.label.toLowerCase()} ${v.version}`);
  }

  async function remove(v) {
    const ok = await confirm({ title: `Delete draft ${model} ${v.version}?`, confirmLabel: 'Delete draft', danger: true,
      body: html`<p>The draft and its ${v.artifactCount} file${v.artifactCount === 1 ? '' : 's'} are deleted for good.</p>` });
    if (ok) await run(`Draft ${v.version} deleted`, () => api.del(base(v.version)), onDeleted, `Could not delete draft ${v.version}`);
  }

  function buttons(v, aliases = []) {
    const can = session.can('models:update');
    if (!can) return nothing;
    const label = verb => `${verb} ${v.version}`;
    switch (v.status) {
      case 'draft': return html`
        <button @click=${() => publish(v)} aria-label=${label('Publish')}>Publish</button>
        <button @click=${() => remove(v)} aria-label=${label('Delete draft')}>Delete</button>`;
      case 'published': return html`
        <button @click=${() => aliasDialog({ model, version: v.version, onDone, onError })} aria-label=${label('Set an alias on')}>Set alias</button>
        <button @click=${() => setStatus(v, 'deprecated', aliases)} aria-label=${label('Deprecate')}>Deprecate</button>
        <button @click=${() => setStatus(v, 'revoked', aliases)} aria-label=${label('Revoke')}>Revoke</button>`;
      case 'deprecated': return html`
        <button @click=${() => setStatus(v, 'published', aliases)} aria-label=${label('Un-deprecate')}>Un-deprecate</button>
        <button @click=${() => setStatus(v, 'revoked', aliases)} aria-label=${label('Revoke')}>Revoke</button>`;
      default: return nothing;
    }
  }

  return { buttons, publish, setStatus, remove };
}

/**
 * Points an alias at a published version: choose the alias (or the given one) and the version (or
 * the given one), then confirm "alias: from → to". onDone after a change.
 */
export async function aliasDialog({ model, alias = null, from = null, version = null, onDone, onError }) {
  let published = [];
  let aliases = {};
  let loadError = null;
  try {
    const [list, m] = await Promise.all([
      api.get(`/models/${seg(model)}/versions`, { status: 'published', size: 200 }),
      api.get(`/models/${seg(model)}`),
    ]);
    published = list.items.map(v => v.version);
    aliases = m.aliases || {};
  } catch (e) { loadError = e; }
  const choice = { alias: alias || '', version: version || published.find(v => v !== from) || '' };
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm';
  dialog.setAttribute('aria-labelledby', 'alias-title');
  document.body.appendChild(dialog);
  let error = null;
  let aliasError = null;
  const close = () => { dialog.close(); dialog.remove(); };
  const title = alias ? `Move alias ${alias}` : version ? `Set an alias on ${version}` : 'Add an alias';

  async function submit(e) {
    e.preventDefault();
    const name = choice.alias.trim();
    if (!name) { aliasError = 'Name the alias, e.g. production.'; draw(); return; }
    const current = aliases[name] || null;
    if (current === choice.version) { aliasError = `${name} already points at ${current}.`; draw(); return; }
    close();
    const ok = await confirm({ title: `Move alias ${name}?`, confirmLabel: current ? 'Move alias' : 'Set alias',
      body: html`<p class="move"><code>${name}</code>: <strong>${current || '(not set)'}</strong> → <strong>${choice.version}</strong></p>
        <p>Deployments and rollouts that name <code>${name}</code> from now on get ${choice.version}; devices already
        running ${current || 'a version'} keep it until they are given another.</p>` });
    if (!ok) return;
    let failed = null;
    try {
      onError?.(null);
      await api.put(`/models/${seg(model)}/aliases/${seg(name)}`, { version: choice.version });
      toast(`Alias ${name} now points at ${choice.version}`);
    } catch (err) {
      failed = err;
    }
    await onDone?.();
    if (failed) {
      if (onError) onError(failed, `Could not set alias ${name}`);
      else failureToast(`Could not set alias ${name}`, failed);
    }
  }

  function draw() {
    render(html`<form @submit=${submit} novalidate>
      <h2 id="alias-title">${title}</h2>
      ${loadError ? errorView(loadError) : nothing}
      ${alias ? html`<p>Now: <code>${alias}</code> → ${from}</p>` : html`
        <label for="alias-name">Alias</label>
        <input id="alias-name" list="alias-known" .value=${choice.alias} aria-invalid=${aliasError ? 'true' : 'false'}
          aria-describedby=${aliasError ? 'alias-name-error' : ''} @input=${e => { choice.alias = e.target.value; aliasError = null; }}>
        <datalist id="alias-known">${Object.keys(aliases).map(a => html`<option value=${a}></option>`)}</datalist>
        ${fieldError('alias-name', aliasError)}`}
      ${version ? html`<p>Version: <strong>${version}</strong></p>` : html`
        <label for="alias-version">Version</label>
        ${published.length ? html`<select id="alias-version" @change=${e => { choice.version = e.target.value; }}>
          ${published.map(v => html`<option ?selected=${v === choice.version} value=${v}>${v}${v === from ? ' (current)' : ''}</option>`)}
        </select>` : html`<p class="notice">No published version yet: an alias can only name a published version.</p>`}`}
      ${alias && aliasError ? fieldError('alias-version', aliasError) : nothing}
      ${error ? errorView(error) : nothing}
      <div class="actions">
        <button type="button" @click=${close}>Cancel</button>
        <button type="submit" class="primary" ?disabled=${!choice.version}>Continue</button>
      </div>
    </form>`, dialog);
  }
  dialog.addEventListener('cancel', e => { e.preventDefault(); close(); });
  draw();
  dialog.showModal();
  dialog.querySelector('#alias-name, #alias-version, button[type="submit"]')?.focus();
}

/**
 * A failed action shown where it was: what failed, then errorView (the server's detail and the advice
 * for its code). failure = {what, error} or null; onDismiss hides it.
 */
export function actionErrorView(failure, onDismiss) {
  if (!failure) return nothing;
  return html`<div class="action-error" tabindex="-1" data-testid="action-error">
    <p><strong>${failure.what}.</strong></p>
    ${errorView(failure.error)}
    <button type="button" class="small" @click=${onDismiss}>Dismiss</button>
  </div>`;
}
