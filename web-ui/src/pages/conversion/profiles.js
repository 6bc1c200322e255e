// #/conversion/profiles: the tenant's target profiles (what each published version is converted
// to), with links to edit them and, with the permission, delete them after a confirmation.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, badge, confirm, toast } from '../../lib/ui.js';
import { href } from '../../lib/router.js';
import { subnav } from './common.js';

export default function mount(el, ctx) {
  let profiles = null;
  let error = null;
  let readyOnce = false;
  const controller = new AbortController();

  async function load() {
    try {
      profiles = await api.get('/conversion/profiles', undefined, { signal: controller.signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
  }

  async function remove(p) {
    const ok = await confirm({ title: `Delete profile ${p.name}?`, danger: true, confirmLabel: 'Delete profile',
      body: html`<p>Versions published from now on are no longer converted to ${p.target?.format} for ${p.target?.arch}.
        Artifacts it already made, and jobs already queued, stay.</p>` });
    if (!ok) return;
    try {
      await api.del(`/conversion/profiles/${seg(p.name)}`);
      toast(`Profile ${p.name} deleted`);
      await load();
    } catch (e) {
      error = e;
      draw();
    }
  }

  const mayDelete = p => session.can('profiles:delete') && (!hasCommand(p) || session.can('profiles:command'));
  const hasCommand = p => (p.steps || []).some(s => s.type === 'command');

  function draw() {
    render(html`
      <div class="page-head"><h1>Conversion profiles</h1>
        ${session.can('profiles:create') ? html`<a class="button primary" href="#/conversion/profiles/new">New profile</a>` : nothing}</div>
      ${subnav('profiles')}
      <p class="help">Every enabled profile runs when a version is published; any profile can be requested for a published version later.</p>
      ${errorView(error)}
      ${!profiles ? (error ? nothing : html`<p class="loading">Loading profiles…</p>`) : profiles.length === 0
        ? html`<p>No profiles yet. ${session.can('profiles:create') ? html`<a href="#/conversion/profiles/new">Create one</a> to convert every published version, e.g. to int8 for aarch64.` : nothing}</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Profile</th><th scope="col">Steps</th><th scope="col">Target</th><th scope="col">Tolerance</th>
            <th scope="col">Enabled</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${profiles.map(p => html`<tr>
            <td><a href=${href(`/conversion/profiles/${seg(p.name)}`)}>${p.name}</a>${p.description ? html`<div class="help">${p.description}</div>` : nothing}</td>
            <td>${(p.steps || []).map(s => (s.type === 'command' ? `command ${s.command?.[0] || ''}` : s.converter)).join(' → ')}</td>
            <td>${['format', 'arch', 'accelerator', 'precision'].map(k => p.target?.[k]).filter(Boolean).join(' · ')}${p.target?.cpuFeatures?.length
              ? html`<div class="help">needs ${p.target.cpuFeatures.join(', ')}</div>` : nothing}${p.optimized ? html` <span class="badge ok">optimized</span>` : nothing}</td>
            <td>${p.tolerance ? `${p.tolerance.maxAbsError} / ${p.tolerance.minCosine}` : '—'}</td>
            <td>${badge(p.enabled ? 'enabled' : 'disabled')}</td>
            <td><a href=${href('/conversion/jobs', { profile: p.name })}>Jobs</a>
              ${mayDelete(p) ? html` <button class="link" @click=${() => remove(p)}>Delete ${p.name}</button>` : nothing}</td>
          </tr>`)}</tbody></table></div>`}
    `, el);
    if ((profiles || error) && !readyOnce) { readyOnce = true; ctx.ready(); }
  }

  draw();
  load();
  return () => controller.abort();
}
