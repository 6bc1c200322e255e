// #/models/:model — the model (description, task, framework, labels), its versions paged on the
// server with the aliases on every row, and what the token may do: create a draft, publish,
// deprecate, revoke, delete a draft, move or remove an alias, delete the model.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { liveReload } from '../../lib/live.js';
import { errorView, fieldError, pager, toast, confirm, badge } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { pathSeg } from '../../lib/router.js';
import { versionActions, aliasDialog, actionErrorView } from './actions.js';

const SIZE = 25;
const STATUSES = ['draft', 'published', 'deprecated', 'revoked'];

export default function mount(el, ctx) {
  const name = ctx.params.model;
  const base = `/models/${seg(name)}`;
  let model = null;
  let versions = null;
  let error = null;
  let versionsError = null;
  let page = Number(ctx.query.get('page') || 0);
  let status = ctx.query.get('status') || '';
  let editing = false;
  let edit = {};
  let editErrors = {};
  let newDraft = null; // {version, changelog, errors}
  let controller = new AbortController();
  let readyCalled = false;
  let failure = null; // {what, error}: the last action that failed, shown above the versions

  async function load() {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    try {
      const [m, v] = await Promise.all([
        api.get(base, undefined, { signal }),
        api.get(`${base}/versions`, { status, page, size: SIZE }, { signal }).catch(e => { if (e.name === 'AbortError') throw e; versionsError = e; return null; }),
      ]);
      model = m;
      if (v) { versions = v; versionsError = null; }
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
    if (!readyCalled) { readyCalled = true; ctx.ready(); }
  }

  /** An action failed (error) or starts again (null): show it where the actions are and move the focus there. */
  function onError(e, what, where = 'versions') {
    failure = e ? { error: e, what, where } : null;
    draw();
    if (e) el.querySelector('.action-error')?.focus();
  }

  /** version → its aliases, from the model's alias map (alias → version). */
  function aliasesByVersion() {
    const map = new Map();
    for (const [alias, version] of Object.entries(model?.aliases || {})) {
      if (!map.has(version)) map.set(version, []);
      map.get(version).push(alias);
    }
    return map;
  }

  function startEdit() {
    editing = true;
    editErrors = {};
    edit = { description: model.description || '', task: model.task || '', framework: model.framework || '',
      labels: Object.entries(model.labels || {}).map(([k, v]) => ({ k, v })) };
    draw();
    el.querySelector('#m-description')?.focus();
  }

  async function saveEdit(e) {
    e.preventDefault();
    editErrors = {};
    const patch = {};
    for (const key of ['description', 'task', 'framework']) {
      const value = edit[key].trim();
      if (value !== (model[key] || '')) patch[key] = value || null;
    }
    const labels = {};
    const seen = new Set();
    edit.labels.forEach((row, i) => {
      const k = row.k.trim();
      if (!k && !row.v.trim()) return;
      if (!k) editErrors[`label-${i}`] = 'A label needs a key.';
      else if (seen.has(k)) editErrors[`label-${i}`] = `Label '${k}' appears twice; keep one.`;
      seen.add(k);
      labels[k] = row.v.trim();
    });
    if (Object.keys(editErrors).length) { draw(); return; }
    const labelPatch = {};
    for (const [k, v] of Object.entries(labels)) if (model.labels?.[k] !== v) labelPatch[k] = v;
    for (const k of Object.keys(model.labels || {})) if (!(k in labels)) labelPatch[k] = null;
    if (Object.keys(labelPatch).length) patch.labels = labelPatch;
    if (!Object.keys(patch).length) { editing = false; draw(); return; }
    try {
      model = await api.patch(base, patch);
      editing = false;
      toast(`Model ${name} saved`);
    } catch (err) {
      const field = (err.problem?.field || '').split(/[.[]/)[0];
      editErrors[field && field in edit ? field : 'form'] = err.detail;
      if (!(field && field in edit)) editErrors.formError = err;
    }
    draw();
  }

  async function createDraft(e) {
    e.preventDefault();
    const body = { version: newDraft.version.trim() };
    if (newDraft.changelog.trim()) body.changelog = newDraft.changelog.trim();
    try {
      const v = await api.post(`${base}/versions`, body);
      toast(`Draft ${v.version} created`);
      ctx.navigate(`/models/${pathSeg(name)}/versions/${pathSeg(v.version)}`);
    } catch (err) {
      newDraft.error = err;
      newDraft.fieldError = err.problem?.field === 'version' || err.code === 'already-exists' || err.code === 'invalid-version' ? err.detail : null;
      draw();
      el.querySelector('#d-version')?.focus();
    }
  }

  async function deleteModel() {
    const ok = await confirm({
      title: `Delete model ${name}?`, danger: true, confirmLabel: 'Delete model', typeToConfirm: name,
      body: html`<p>The model, its drafts and their files are deleted for good. A model with released versions
        (published, deprecated or revoked) cannot be deleted: devices may run them, and the audit trail names them.</p>`,
    });
    if (!ok) return;
    try {
      await api.del(base);
      toast(`Model ${name} deleted`);
      ctx.navigate('/models');
    } catch (err) {
      error = err;
      draw();
    }
  }

  async function removeAlias(alias) {
    const ok = await confirm({ title: `Remove alias ${alias}?`, danger: true, confirmLabel: 'Remove alias',
      body: html`<p><code>${alias}</code> points at ${model.aliases[alias]} now. Deployments and rollouts that name
        <code>${alias}</code> will fail until it is set again; devices keep what they run.</p>` });
    if (!ok) return;
    try {
      await api.del(`${base}/aliases/${seg(alias)}`);
      toast(`Alias ${alias} removed`);
      failure = null;
    } catch (err) { failure = { error: err, what: `Could not remove alias ${alias}`, where: 'aliases' }; }
    await load();
    if (failure) el.querySelector('.action-error')?.focus();
  }

  const aliasFailed = (e, what) => onError(e, what, 'aliases');
  const act = versionActions({ model: name, onDone: load, onDeleted: load, onError });

  function draw() {
    if (!model) {
      render(html`<h1>Model ${name}</h1>${error ? errorView(error) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const canUpdate = session.can('models:update');
    const byVersion = aliasesByVersion();
    render(html`
      <p class="crumbs"><a href="#/models">Models</a> /</p>
      <div class="page-head models-head">
        <h1>Model ${model.name}</h1>
        ${session.can('models:create') ? html`<button class="primary" @click=${() => { newDraft = { version: '', changelog: '' }; draw(); el.querySelector('#d-version')?.focus(); }}>New draft version</button>` : nothing}
      </div>
      ${errorView(error)}
      ${newDraft ? html`<form class="panel" @submit=${createDraft} novalidate>
        <h2>New draft version</h2>
        <label for="d-version">Version</label>
        <p class="help" id="d-version-help">A semantic version, e.g. 1.2.0 or 2.0.0-rc.1.</p>
        <input id="d-version" required .value=${newDraft.version} aria-invalid=${newDraft.fieldError ? 'true' : 'false'}
          aria-describedby="d-version-help ${newDraft.fieldError ? 'd-version-error' : ''}" @input=${e => { newDraft.version = e.target.value; }}>
        ${fieldError('d-version', newDraft.fieldError)}
        <label for="d-changelog">Changelog <span class="optional">(optional)</span></label>
        <textarea id="d-changelog" rows="3" .value=${newDraft.changelog} @input=${e => { newDraft.changelog = e.target.value; }}></textarea>
        ${newDraft.error && !newDraft.fieldError ? errorView(newDraft.error) : nothing}
        <div class="actions"><button type="submit" class="primary">Create draft</button>
          <button type="button" @click=${() => { newDraft = null; draw(); }}>Cancel</button></div>
      </form>` : nothing}
      <section aria-labelledby="about-h">
        <h2 id="about-h">About</h2>
        ${editing ? editForm() : html`
          <dl class="facts">
            <dt>Description</dt><dd>${model.description || '—'}</dd>
            <dt>Task</dt><dd>${model.task || '—'}</dd>
            <dt>Framework</dt><dd>${model.framework || '—'}</dd>
            <dt>Labels</dt><dd>${Object.keys(model.labels || {}).length ? Object.entries(model.labels).map(([k, v]) => html`<span class="chip">${k}=${v}</span> `) : '—'}</dd>
            <dt>Latest release</dt><dd>${model.latestVersion || 'none yet'}</dd>
            <dt>Created</dt><dd>${dateTime(model.createdAt)} by ${model.createdBy || '—'}</dd>
          </dl>
          ${session.can('models:update') ? html`<button @click=${startEdit}>Edit details</button>` : nothing}`}
      </section>
      <section aria-labelledby="aliases-h">
        <h2 id="aliases-h">Aliases</h2>
        ${actionErrorView(failure?.where === 'aliases' ? failure : null, () => { failure = null; draw(); })}
        ${Object.keys(model.aliases || {}).length === 0 ? html`<p>No alias yet. An alias (e.g. <code>production</code>) names a published version; deployments and rollouts may use it.</p>` : html`
        <div class="table-wrap"><table><thead><tr><th scope="col">Alias</th><th scope="col">Version</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${Object.entries(model.aliases).map(([alias, version]) => html`<tr>
            <td><code>${alias}</code></td><td><a href=${`#/models/${pathSeg(name)}/versions/${pathSeg(version)}`}>${version}</a></td>
            <td class="row-actions">${canUpdate ? html`
              <button @click=${() => aliasDialog({ model: name, alias, from: version, onDone: load, onError: aliasFailed })} aria-label=${`Move alias ${alias}`}>Move</button>
              <button @click=${() => removeAlias(alias)} aria-label=${`Remove alias ${alias}`}>Remove</button>` : nothing}</td></tr>`)}
          </tbody></table></div>`}
        ${canUpdate ? html`<button @click=${() => aliasDialog({ model: name, onDone: load, onError: aliasFailed })}>Add alias</button>` : nothing}
      </section>
      <section aria-labelledby="versions-h">
        <h2 id="versions-h">Versions</h2>
        ${actionErrorView(failure?.where === 'versions' ? failure : null, () => { failure = null; draw(); })}
        <div class="filters">
          <div><label for="v-status">Status</label>
            <select id="v-status" @change=${e => { status = e.target.value; page = 0; load(); }}>
              <option value="" ?selected=${!status}>any</option>
              ${STATUSES.map(s => html`<option ?selected=${status === s}>${s}</option>`)}
            </select></div>
        </div>
        ${errorView(versionsError)}
        ${versions ? html`
          ${versions.items.length === 0 ? html`<p>${status ? `No ${status} version.` : 'No version yet. Create a draft, upload its files, then publish it.'}</p>` : html`
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Aliases</th><th scope="col">Files</th>
              <th scope="col">Created</th><th scope="col">Published</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${versions.items.map(v => html`<tr>
              <td><a href=${`#/models/${pathSeg(name)}/versions/${pathSeg(v.version)}`}>${v.version}</a></td>
              <td>${badge(v.status)}</td>
              <td>${(byVersion.get(v.version) || []).map(a => html`<span class="chip alias">${a}</span> `)}</td>
              <td>${v.artifactCount}</td>
              <td title=${dateTime(v.createdAt)}>${relative(v.createdAt)}</td>
              <td title=${v.publishedAt ? dateTime(v.publishedAt) : ''}>${v.publishedAt ? relative(v.publishedAt) : '—'}</td>
              <td class="row-actions">${act.buttons(v, byVersion.get(v.version) || [])}</td></tr>`)}
            </tbody></table></div>`}
          ${pager(versions, p => { page = p; load(); }, 'Version pages')}` : html`<p class="loading">Loading versions…</p>`}
      </section>
      ${session.can('models:delete') ? html`<section aria-labelledby="danger-h">
        <h2 id="danger-h">Delete this model</h2>
        <p>Only a model without released versions can be deleted.</p>
        <button class="danger" @click=${deleteModel}>Delete model</button>
      </section>` : nothing}`, el);
  }

  function editForm() {
    const text = (id, label) => html`<label for="m-${id}">${label}</label>
      <input id="m-${id}" .value=${edit[id]} aria-invalid=${editErrors[id] ? 'true' : 'false'}
        aria-describedby=${editErrors[id] ? `m-${id}-error` : ''} @input=${e => { edit[id] = e.target.value; }}>
      ${fieldError(`m-${id}`, editErrors[id])}`;
    return html`<form class="panel" @submit=${saveEdit} novalidate>
      ${text('description', 'Description')}${text('task', 'Task')}${text('framework', 'Framework')}
      <fieldset><legend>Labels</legend>
        ${edit.labels.map((row, i) => html`<div class="label-row">
          <label for="l-k-${i}">Key</label><input id="l-k-${i}" .value=${row.k} @input=${e => { row.k = e.target.value; }}>
          <label for="l-v-${i}">Value</label><input id="l-v-${i}" .value=${row.v} @input=${e => { row.v = e.target.value; }}>
          <button type="button" @click=${() => { edit.labels.splice(i, 1); draw(); }} aria-label=${`Remove label ${row.k || i + 1}`}>Remove</button>
          ${fieldError(`l-k-${i}`, editErrors[`label-${i}`])}</div>`)}
        <button type="button" @click=${() => { edit.labels.push({ k: '', v: '' }); draw(); el.querySelector(`#l-k-${edit.labels.length - 1}`)?.focus(); }}>Add label</button>
      </fieldset>
      ${editErrors.formError ? errorView(editErrors.formError) : nothing}
      <div class="actions"><button type="submit" class="primary">Save details</button>
        <button type="button" @click=${() => { editing = false; draw(); }}>Cancel</button></div>
    </form>`;
  }

  load();
  const stop = liveReload(['version', 'model', 'artifact'], event => event.model === name || event.name === name || event.id === name, load);
  return () => { controller.abort(); stop(); };
}
