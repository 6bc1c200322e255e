// #/git-sources/:name: one git source: its settings (secrets only as the references the server reads
// them from), its status, the last attempt with each error as file:line:col message, the drift of the
// objects it manages (field by field, server's value against git's), conflicts, and the managed objects
// with the commit each came from. "Sync now" (gitsync:update) asks the server to fetch at once and
// follows the attempt it starts. Re-read every few seconds while open (no live events for sources).
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, pager, confirm, toast } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { REFRESH_MS, OUTCOMES, commit, statusBadge, errorItem, shown } from './common.js';

const OBJECT_PAGE = 50;
/** While a requested sync has not finished: re-read this often. */
const FOLLOW_MS = 1000;

export default function mount(el, ctx) {
  const name = ctx.params.name;
  const base = `/git-sources/${seg(name)}`;
  let source = null;
  let objects = null;
  let objectPage = 0;
  let error = null;
  let actionError = null;
  let busy = null;
  /** The last attempt's time when "Sync now" was pressed; set until a later attempt shows. */
  let waitingAfter;
  let readyOnce = false;
  let timer = null;
  const controller = new AbortController();
  const signal = controller.signal;

  async function load() {
    try {
      const [s, o] = await Promise.all([api.get(base, undefined, { signal }),
        api.get(`${base}/objects`, { page: objectPage, size: OBJECT_PAGE }, { signal })]);
      source = s;
      objects = o;
      error = null;
      if (waitingAfter !== undefined && source.lastAttempt && source.lastAttempt.at !== waitingAfter) {
        waitingAfter = undefined;
        const a = source.lastAttempt;
        toast(a.outcome === 'failed' ? `Sync of ${name} failed: nothing changed` : `Sync of ${name}: ${OUTCOMES[a.outcome] || a.outcome}`,
          a.outcome === 'failed' ? 'error' : 'ok');
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    if (signal.aborted) return;
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
    schedule();
  }

  /** The next re-read: soon while a requested sync runs, else at the page's pace. */
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(load, waitingAfter !== undefined ? FOLLOW_MS : REFRESH_MS);
  }

  async function syncNow() {
    busy = 'sync';
    actionError = null;
    draw();
    try {
      const before = await api.post(`${base}/sync`);
      waitingAfter = before?.lastAttempt?.at ?? null;
      toast(`Sync of ${name} requested`);
    } catch (e) {
      actionError = e;
    } finally {
      busy = null;
      if (!signal.aborted) { draw(); schedule(); }
    }
  }

  async function remove() {
    const ok = await confirm({ title: `Delete git source ${name}?`, danger: true, confirmLabel: 'Delete git source',
      body: html`<p>The server stops syncing ${source.url}. The ${source.managedObjects ?? ''} objects it manages stay as they are,
        managed by nobody: nothing is deleted from the registry.</p>` });
    if (!ok) return;
    try {
      await api.del(base);
      toast(`Git source ${name} deleted`);
      ctx.navigate('/git-sources');
    } catch (e) {
      actionError = e;
      draw();
    }
  }

  function settings(s) {
    const c = s.credentials;
    return html`<dl class="facts">
      <dt>Repository</dt><dd><span class="mono">${s.url}</span></dd>
      <dt>Branch</dt><dd>${s.branch}</dd>
      <dt>Folder</dt><dd>${s.path ? html`<span class="mono">${s.path}</span>` : 'the repository\'s root'}</dd>
      <dt>Interval</dt><dd>${s.interval}</dd>
      <dt>Acts as role</dt><dd>${s.role}</dd>
      <dt>Drift policy</dt><dd>${s.driftPolicy === 'revert' ? 'revert: changes made outside git are put back' : 'flag: changes made outside git are reported and left'}</dd>
      <dt>Prune</dt><dd>${s.prune ? 'yes: objects a commit no longer declares are deleted' : 'no: objects a commit no longer declares stay'}</dd>
      <dt>Credentials</dt><dd>${c ? html`${c.username ? html`user ${c.username}, ` : nothing}password from <code>${c.passwordRef || '—'}</code>` : 'none (a public repository)'}</dd>
      <dt>Webhook</dt><dd>${s.webhookSecretRef ? html`<code>POST ${s.webhookPath}</code>, signed with the secret from <code>${s.webhookSecretRef}</code>` : 'off (no webhook secret)'}</dd>
      <dt>Created</dt><dd>${dateTime(s.createdAt)}${s.createdBy ? ` by ${s.createdBy}` : ''}</dd>
    </dl>`;
  }

  function status(s) {
    return html`<dl class="facts">
      <dt>Status</dt><dd>${statusBadge(s.status)}</dd>
      <dt>Synced commit</dt><dd data-testid="git-commit">${commit(s.lastSyncedCommit)}${s.lastSyncedAt ? html` <span class="help">${relative(s.lastSyncedAt)}</span>` : nothing}</dd>
      <dt>Managed objects</dt><dd>${s.managedObjects ?? 0}</dd>
      <dt>Next sync</dt><dd>${s.nextSyncAt ? relative(s.nextSyncAt) : '—'}</dd>
    </dl>`;
  }

  function attempt(a) {
    if (!a) return html`<p>No attempt yet: the first sync is on its way.</p>`;
    const errors = a.errors || [];
    return html`<dl class="facts">
        <dt>Outcome</dt><dd data-testid="git-outcome">${a.outcome}</dd>
        <dt>When</dt><dd>${dateTime(a.at)}</dd>
        <dt>Commit</dt><dd>${commit(a.commit)}</dd>
        ${a.message ? html`<dt>Message</dt><dd>${a.message}</dd>` : nothing}
      </dl>
      ${a.outcome === 'failed' ? html`<div class="notice bad"><p>This attempt changed nothing${source.lastSyncedCommit ? html`: the registry stays at ${commit(source.lastSyncedCommit)}` : nothing}.
        Fix the ${errors.length === 1 ? 'error' : 'errors'} below in git and push; the next sync applies the new commit.</p></div>` : nothing}
      ${errors.length ? html`<h3>Errors</h3><ul class="sync-errors" data-testid="git-errors">${errors.map(errorItem)}</ul>` : nothing}`;
  }

  function drift(s) {
    const items = s.drift || [];
    if (!items.length) return html`<p>None: every managed object is as its commit declares.</p>`;
    return html`<p class="help">${s.driftPolicy === 'revert' ? 'The drift policy is revert: the next sync puts git\'s values back.'
        : 'The drift policy is flag: these objects are left as they are; change them in git, or set the policy to revert.'}</p>
      <div class="table-wrap"><table data-testid="git-drift">
        <caption class="visually-hidden">Objects changed outside git</caption>
        <thead><tr><th scope="col">Object</th><th scope="col">Field</th><th scope="col">In the registry</th><th scope="col">In git</th></tr></thead>
        <tbody>${items.flatMap(d => ((d.differences || []).length ? d.differences : [{ path: `(${d.action || 'changed'})` }]).map((x, i) => html`<tr>
          <td>${i === 0 ? `${d.kind} ${d.name}` : ''}</td><td><span class="mono">${x.path}</span></td>
          <td><code>${shown(x.from)}</code></td><td><code>${shown(x.to)}</code></td></tr>`))}</tbody>
      </table></div>`;
  }

  function conflicts(s) {
    const items = s.conflicts || [];
    if (!items.length) return nothing;
    return html`<h2>Conflicts</h2>
      <p class="help">Declared in this repository but managed by another source: left alone until one of them lets go.</p>
      <ul>${items.map(c => html`<li>${c.kind} ${c.name}: ${c.note}</li>`)}</ul>`;
  }

  function managed() {
    if (!objects) return nothing;
    if (objects.total === 0) return html`<p>None yet.</p>`;
    return html`<div class="table-wrap"><table data-testid="git-objects">
        <caption class="visually-hidden">Objects managed by ${name}</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Commit</th><th scope="col">Applied</th></tr></thead>
        <tbody>${objects.items.map(o => html`<tr><td>${o.kind}</td><td>${o.name}</td><td>${commit(o.revision)}</td><td>${dateTime(o.appliedAt)}</td></tr>`)}</tbody>
      </table></div>
      ${pager(objects, p => { objectPage = p; load(); }, 'Managed object pages')}`;
  }

  function draw() {
    if (!source) {
      render(html`<p class="crumbs"><a href="#/git-sources">Git sync</a> ›</p><h1>Git source ${name}</h1>
        ${error ? errorView(error) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const s = source;
    render(html`
      <p class="crumbs"><a href="#/git-sources">Git sync</a> ›</p>
      <div class="page-head"><h1>Git source ${name}</h1>
        <div class="actions">
          ${session.can('gitsync:update') ? html`<button class="primary" ?disabled=${busy !== null || waitingAfter !== undefined} @click=${syncNow}>
            ${busy === 'sync' || waitingAfter !== undefined ? 'Syncing…' : 'Sync now'}</button>
            <a class="button" href=${href(`/git-sources/${seg(name)}/edit`)}>Edit</a>` : nothing}
          ${session.can('gitsync:delete') ? html`<button class="danger" @click=${remove}>Delete</button>` : nothing}
        </div></div>
      ${errorView(actionError)}
      ${error ? errorView(error) : nothing}
      ${waitingAfter !== undefined ? html`<p class="notice" role="status">Sync requested: the server is fetching ${s.branch}…</p>` : nothing}
      <h2>Status</h2>${status(s)}
      <h2>Last attempt</h2>${attempt(s.lastAttempt)}
      <h2>Drift</h2>${drift(s)}
      ${conflicts(s)}
      <h2>Managed objects</h2>${managed()}
      <h2>Settings</h2>${settings(s)}
    `, el);
  }

  draw();
  load();
  return () => { clearTimeout(timer); controller.abort(); };
}
