// Roles: the built-in ones and the tenant's custom roles with their permissions; creating and editing a
// custom role (permissions as checkboxes grouped by resource) and deleting one no active token carries.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, confirm, toast, badge } from '../../lib/ui.js';
import { subnav } from './common.js';

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  /** editing: null, or {name, description, permissions:Set, isNew} */
  const state = { roles: [], error: null, editing: null, formError: null, busy: false };

  async function load() {
    try {
      state.roles = await api.get('/roles', undefined, opts);
      state.error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
  }

  /** Every permission: the system-admin role holds them all; grouped by resource, in the server's order. */
  const groups = () => {
    const all = state.roles.find(r => r.name === 'system-admin')?.permissions
      || [...new Set(state.roles.flatMap(r => r.permissions))];
    const byResource = new Map();
    for (const p of all) {
      const resource = p.slice(0, p.indexOf(':'));
      if (!byResource.has(resource)) byResource.set(resource, []);
      byResource.get(resource).push(p);
    }
    return [...byResource.entries()];
  };

  const startEdit = role => {
    state.editing = role
      ? { name: role.name, description: role.description || '', permissions: new Set(role.permissions), isNew: false }
      : { name: '', description: '', permissions: new Set(), isNew: true };
    state.formError = null;
    draw();
    el.querySelector(role ? '#role-description' : '#role-name')?.focus();
  };

  const save = async event => {
    event.preventDefault();
    const e = state.editing;
    const form = event.target;
    const body = { description: form.description.value.trim() || null, permissions: [...e.permissions] };
    state.busy = true; state.formError = null; draw();
    try {
      if (e.isNew) {
        const created = await api.post('/roles', { name: form.roleName.value.trim(), ...body }, opts);
        toast(`Role ${created.name} created`);
      } else {
        await api.put(`/roles/${seg(e.name)}`, body, opts);
        toast(`Role ${e.name} saved; its tokens hold the new permissions from their next request`);
      }
      state.editing = null;
      await load();
    } catch (err) {
      if (err.name !== 'AbortError') state.formError = err;
    }
    state.busy = false;
    draw();
  };

  const remove = async role => {
    const ok = await confirm({
      title: `Delete role ${role.name}?`,
      body: html`<p>The role and its ${role.permissions.length} permissions are deleted. Only a role no active token carries can be.</p>`,
      confirmLabel: 'Delete role', danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/roles/${seg(role.name)}`, opts);
      toast(`Role ${role.name} deleted`);
      state.error = null;
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') { state.error = e; draw(); el.querySelector('.error-box')?.scrollIntoView({ block: 'nearest' }); }
    }
  };

  const toggle = (permission, on) => {
    if (on) state.editing.permissions.add(permission); else state.editing.permissions.delete(permission);
    draw();
  };

  const editor = () => {
    const e = state.editing;
    if (!e) return nothing;
    return html`<form class="form-panel" @submit=${save} novalidate aria-labelledby="role-editor-title">
      <h2 id="role-editor-title">${e.isNew ? 'New custom role' : `Edit role ${e.name}`}</h2>
      ${e.isNew ? html`<label for="role-name">Name</label>
        <input id="role-name" name="roleName" required autocomplete="off" spellcheck="false" aria-describedby="role-name-help"
               aria-invalid=${state.formError?.code === 'invalid-name' || state.formError?.code === 'already-exists' || state.formError?.code === 'role-built-in' ? 'true' : 'false'}>
        <p id="role-name-help" class="help">Lower-case letters, digits, '.', '_', '-'; not a built-in role's name.</p>` : nothing}
      <label for="role-description">Description <span class="optional">(optional)</span></label>
      <input id="role-description" name="description" .value=${e.description} autocomplete="off">
      <h3>Permissions (${e.permissions.size})</h3>
      <p class="help">A role can only hold permissions your own token holds; the others are unavailable.</p>
      <div class="permission-groups">
        ${groups().map(([resource, perms]) => html`<fieldset>
          <legend>${resource}</legend>
          ${perms.map(p => html`<label class="check"><input type="checkbox" name="permission" value=${p}
              .checked=${e.permissions.has(p)} ?disabled=${!session.can(p) && !e.permissions.has(p)}
              @change=${ev => toggle(p, ev.target.checked)}> ${p.slice(p.indexOf(':') + 1)}<span class="visually-hidden"> (${p})</span></label>`)}
        </fieldset>`)}
      </div>
      ${errorView(state.formError)}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Saving…' : e.isNew ? 'Create role' : 'Save role'}</button>
        <button type="button" @click=${() => { state.editing = null; draw(); }}>Cancel</button>
      </div>
    </form>`;
  };

  const draw = () => {
    if (signal.signal.aborted) return; // the page was left: what finishes late draws nothing
    const canCreate = session.can('roles:create');
    const canUpdate = session.can('roles:update');
    const canDelete = session.can('roles:delete');
    render(html`
      <div class="page-head"><h1>Roles</h1>
        ${canCreate && !state.editing ? html`<button class="primary" type="button" @click=${() => startEdit(null)}>New custom role</button>` : nothing}</div>
      ${subnav('/admin/roles')}
      ${errorView(state.error)}
      ${editor()}
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Role</th><th scope="col">Kind</th><th scope="col">Permissions</th>
          ${canUpdate || canDelete ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
        <tbody>${state.roles.map(r => html`<tr>
          <th scope="row">${r.name}${r.description ? html`<br><span class="muted">${r.description}</span>` : nothing}</th>
          <td>${r.builtIn ? badge('built-in') : html`<span class="badge ok">custom</span>`}</td>
          <td><div class="perm-list">${r.permissions.length ? r.permissions.map(p => html`<span class="perm">${p}</span>`) : html`<span class="muted">none</span>`}</div></td>
          ${canUpdate || canDelete ? html`<td class="nowrap">${r.builtIn ? nothing : html`
            ${canUpdate ? html`<button type="button" class="small" aria-label="Edit role ${r.name}" @click=${() => startEdit(r)}>Edit</button>` : nothing}
            ${canDelete ? html`<button type="button" class="small" aria-label="Delete role ${r.name}" @click=${() => remove(r)}>Delete</button>` : nothing}`}</td>` : nothing}
        </tr>`)}</tbody></table></div>`, el);
  };

  render(html`<h1>Roles</h1>${subnav('/admin/roles')}<p class="loading" role="status">Loading…</p>`, el);
  load().then(() => ctx.ready());
  return () => signal.abort();
}
