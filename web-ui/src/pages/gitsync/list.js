// #/git-sources: the tenant's git sources, each with its status (synced, failed, pending), the last
// synced commit, its drift and managed objects, re-read every few seconds while the page is open.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, pager } from '../../lib/ui.js';
import { relative } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { REFRESH_MS, commit, statusBadge } from './common.js';

const SIZE = 50;

export default function mount(el, ctx) {
  const page = Number(ctx.query.get('page') || 0);
  let result = null;
  let error = null;
  let readyOnce = false;
  const controller = new AbortController();

  async function load() {
    try {
      result = await api.get('/git-sources', { page, size: SIZE }, { signal: controller.signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  function draw() {
    render(html`
      <div class="page-head">
        <h1>Git sync</h1>
        ${session.can('gitsync:create') ? html`<a class="button primary" href="#/git-sources/new">New git source</a>` : nothing}
      </div>
      <p class="help">The server keeps this tenant's models, device groups, profiles and rollouts converged to the manifests in these
        repositories: a new commit is applied all-or-nothing, a bad one changes nothing and is reported with file and line.</p>
      ${errorView(error)}
      ${result ? table() : (error ? nothing : html`<p class="loading">Loading git sources…</p>`)}
    `, el);
  }

  function table() {
    if (result.total === 0) {
      return html`<p>No git sources yet.
        ${session.can('gitsync:create') ? html`<a href="#/git-sources/new">Add one</a> to keep this tenant's desired state in git.` : nothing}</p>`;
    }
    return html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Git sources</caption>
      <thead><tr><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Synced commit</th><th scope="col">Drift</th>
        <th scope="col">Objects</th><th scope="col">Repository</th><th scope="col">Last attempt</th></tr></thead>
      <tbody>${result.items.map(s => html`<tr>
        <td><a href=${href(`/git-sources/${seg(s.name)}`)}>${s.name}</a></td>
        <td>${statusBadge(s.status)}</td>
        <td>${commit(s.lastSyncedCommit)}</td>
        <td>${(s.drift || []).length ? html`<span class="badge warn">${s.drift.length} drifted</span>` : '0'}</td>
        <td>${s.managedObjects ?? '—'}</td>
        <td><span class="mono">${s.url}</span><div class="help">${s.branch}${s.path ? ` · ${s.path}` : ''}</div></td>
        <td>${s.lastAttempt ? html`${s.lastAttempt.outcome} <span class="help">${relative(s.lastAttempt.at)}</span>` : '—'}</td>
      </tr>`)}</tbody>
    </table></div>
    ${pager(result, p => ctx.navigate('/git-sources', { page: p || '' }), 'Git source pages')}`;
  }

  draw();
  load();
  // No live events for git sources: re-read while the page is open.
  const timer = setInterval(load, REFRESH_MS);
  return () => { clearInterval(timer); controller.abort(); };
}
