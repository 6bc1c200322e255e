// Audit log: the tenant's trail filtered and paged by the server (the filter lives in the address, so a
// filtered view can be shared), exported as CSV with the same filter, and its hash chain checked.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, API, authHeaders, query as queryString, ApiError } from '../../lib/api.js';
import { errorView, pager, badge } from '../../lib/ui.js';
import { bytes, dateTime } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { subnav } from './common.js';

const FILTERS = ['actor', 'action', 'targetType', 'targetId', 'outcome', 'requestId', 'from', 'to'];
const SIZE = 50;

/** ISO instant → the value of a datetime-local input (local time, minutes). */
const toLocalInput = iso => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  const filter = {};
  for (const name of FILTERS) if (ctx.query.get(name)) filter[name] = ctx.query.get(name);
  const state = {
    filter, page: Number(ctx.query.get('page')) || 0, result: null, error: null, loading: true,
    exporting: null, exportError: null, verify: null, verifying: false, verifyError: null,
  };
  let readyOnce = false;

  async function load() {
    state.loading = true;
    draw();
    try {
      state.result = await api.get('/audit', { ...state.filter, page: state.page, size: SIZE, order: 'newest' }, opts);
      state.error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    state.loading = false;
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  /** Keeps the filter and page in the address (without a new history entry or a remount). */
  const remember = () => {
    history.replaceState(null, '', href('/admin/audit', { ...state.filter, page: state.page || undefined }));
  };

  const apply = event => {
    event.preventDefault();
    const form = event.target;
    const next = {};
    for (const name of FILTERS) {
      const value = form[name].value.trim();
      if (!value) continue;
      next[name] = name === 'from' || name === 'to' ? new Date(value).toISOString() : value;
    }
    state.filter = next;
    state.page = 0;
    remember();
    load();
  };

  const clear = () => {
    state.filter = {};
    state.page = 0;
    remember();
    el.querySelector('form.audit-filter')?.reset();
    load();
  };

  /** CSV of the current filter, streamed from the server and saved through a Blob (the token is a header, not a URL). */
  const exportCsv = async () => {
    state.exporting = { received: 0, rows: 0 };
    state.exportError = null;
    draw();
    try {
      const response = await fetch(`${API}/audit/export${queryString(state.filter)}`,
        { headers: authHeaders({ Accept: 'text/csv, application/problem+json' }), signal: signal.signal });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
        throw new ApiError(response.status, problem);
      }
      // Streamed: rows are counted as the bytes arrive (a row ends with CR LF; a line break inside a quoted
      // cell is a bare LF), and the parts go straight into the Blob that is saved, never copied into one string.
      const reader = response.body.getReader();
      const parts = [];
      let lines = 0;
      let lastWasCr = false;
      let lastDraw = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        for (let i = 0; i < value.length; i++) {
          const b = value[i];
          if (b === 10 && lastWasCr) lines++;
          lastWasCr = b === 13;
        }
        state.exporting.received += value.length;
        state.exporting.rows = Math.max(0, lines - 1); // the header line is not an entry
        const now = performance.now();
        if (now - lastDraw > 100) { lastDraw = now; draw(); }
      }
      const blob = new Blob(parts, { type: 'text/csv' });
      parts.length = 0;
      const name = (response.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/)?.[1] || 'audit.csv';
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.dataset.testid = 'audit-csv-link';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      state.exported = { name, size: blob.size, rows: Math.max(0, lines - 1) };
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.exportError = e;
    }
    state.exporting = null;
    draw();
  };

  const verify = async () => {
    state.verifying = true; state.verifyError = null; state.verify = null; draw();
    try {
      state.verify = await api.get('/audit/verify', undefined, opts);
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.verifyError = e;
    }
    state.verifying = false;
    draw();
  };

  const change = entry => {
    if (entry.before == null && entry.after == null) return html`<span class="muted">—</span>`;
    return html`<details class="audit-change"><summary>State</summary>
      <p><strong>Before</strong> <code>${entry.before == null ? 'did not exist' : JSON.stringify(entry.before)}</code></p>
      <p><strong>After</strong> <code>${entry.after == null ? 'no longer exists' : JSON.stringify(entry.after)}</code></p></details>`;
  };

  const outcome = status => badge(status < 400 ? `${status} ok` : status === 401 || status === 403 ? `${status} refused` : `${status} failed`);

  const field = (name, label, attrs = {}) => html`<div class="field">
    <label for="audit-${name}">${label}</label>
    <input id="audit-${name}" name=${name} type=${attrs.type || 'text'} autocomplete="off" spellcheck="false"
           placeholder=${attrs.placeholder || ''} size=${attrs.size || 16}
           .value=${name === 'from' || name === 'to' ? toLocalInput(state.filter[name]) : state.filter[name] || ''}
           aria-invalid=${state.error?.parameter === name ? 'true' : 'false'}>
  </div>`;

  const verifyView = () => {
    if (state.verifying) return html`<p role="status">Checking the chain… (every entry's hash is recomputed)</p>`;
    if (state.verifyError) return errorView(state.verifyError);
    const v = state.verify;
    if (!v) return nothing;
    return v.intact
      ? html`<p class="notice ok" role="status"><strong>The chain is intact:</strong> all ${v.checked.toLocaleString()} entries of
          tenant ${v.tenant} link to the one before and match their hashes.</p>`
      : html`<div class="notice bad" role="alert"><p><strong>The chain is broken at entry ${v.firstBroken.seq}:</strong>
          ${v.firstBroken.reason}.</p><p>An entry was changed, inserted or removed after it was written. Keep a copy of the
          database as it is, and compare it with your last export or backup to find what changed.</p></div>`;
  };

  const draw = () => {
    if (signal.signal.aborted) return; // the page was left: what finishes late draws nothing
    const r = state.result;
    render(html`
      <h1>Audit log</h1>
      ${subnav('/admin/audit')}
      <form class="audit-filter" @submit=${apply} novalidate aria-label="Filter the audit log">
        <div class="toolbar">
          ${field('actor', 'Actor', { placeholder: 'token name or id' })}
          ${field('action', 'Action', { placeholder: 'POST /api/v1/models', size: 22 })}
          ${field('targetType', 'Target type', { placeholder: 'models', size: 12 })}
          ${field('targetId', 'Target', { placeholder: 'resnet/1.2.0' })}
          ${field('outcome', 'Status', { type: 'number', size: 5, placeholder: '403' })}
          ${field('requestId', 'Request id')}
          ${field('from', 'From', { type: 'datetime-local' })}
          ${field('to', 'To (before)', { type: 'datetime-local' })}
        </div>
        <div class="actions">
          <button class="primary" type="submit">Apply filter</button>
          <button type="button" @click=${clear}>Clear filter</button>
          <button type="button" @click=${exportCsv} ?disabled=${Boolean(state.exporting)}>${state.exporting ? 'Exporting…' : 'Export CSV'}</button>
          <button type="button" @click=${verify} ?disabled=${state.verifying}>Verify chain</button>
        </div>
      </form>
      ${state.exporting ? html`<p role="status">Exporting the filtered entries… ${state.exporting.rows.toLocaleString()} entries,
        ${bytes(state.exporting.received)} received.</p>` : nothing}
      ${state.exported && !state.exporting ? html`<p class="muted" role="status">Saved <code>${state.exported.name}</code>:
        ${state.exported.rows.toLocaleString()} entries, ${bytes(state.exported.size)}.</p>` : nothing}
      ${errorView(state.exportError)}
      ${verifyView()}
      ${errorView(state.error)}
      ${state.loading && !r ? html`<p class="loading" role="status">Loading…</p>` : nothing}
      ${r ? html`
        <p class="muted" role="status">${r.total.toLocaleString()} entr${r.total === 1 ? 'y' : 'ies'} match${r.total === 1 ? 'es' : ''}, newest first.</p>
        ${r.items.length === 0 ? html`<p class="empty">No entries match this filter.</p>` : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col" class="num">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th>
            <th scope="col">Target</th><th scope="col">Status</th><th scope="col">Request id</th><th scope="col">Change</th></tr></thead>
          <tbody>${r.items.map(e => html`<tr>
            <td class="num">${e.seq}</td><td class="nowrap">${dateTime(e.at)}</td><td>${e.actorName}</td>
            <td><code>${e.action}</code></td>
            <td>${e.targetType ? html`${e.targetType} <code>${e.targetId ?? ''}</code>` : html`<span class="muted">—</span>`}</td>
            <td>${outcome(e.outcome)}</td><td><code>${e.requestId}</code></td><td>${change(e)}</td></tr>`)}</tbody></table></div>`}
        ${pager(r, page => { state.page = page; remember(); load(); }, 'Audit pages')}` : nothing}`, el);
  };

  load();
  return () => signal.abort();
}
