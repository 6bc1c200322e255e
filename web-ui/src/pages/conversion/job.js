// #/conversion/jobs/:id: a conversion job's status, attempts, error, chain, target, result lineage
// and its log, followed live (GET …/log?after= the last line held) as `job` events arrive.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, badge, confirm, toast } from '../../lib/ui.js';
import { dateTime, duration, bytes, shortDigest } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { liveReload } from '../../lib/live.js';
import { subnav } from './common.js';

const LOG_LIMIT = 1000;
const OPEN = new Set(['queued', 'running']);

export default function mount(el, ctx) {
  const id = ctx.params.id;
  const base = `/conversion/jobs/${seg(id)}`;
  let job = null;
  let error = null;
  let actionError = null;
  let busy = null;
  const lines = [];
  let lastLine = 0;
  let follow = true;
  let readyOnce = false;
  const controller = new AbortController();
  const signal = controller.signal;

  async function loadLog() {
    for (let round = 0; round < 50; round++) {
      const batch = await api.get(`${base}/log`, { after: lastLine, limit: LOG_LIMIT }, { signal });
      for (const line of batch) { lines.push(line); lastLine = Math.max(lastLine, line.id); }
      if (batch.length < LOG_LIMIT) return;
    }
  }

  async function load() {
    try {
      job = await api.get(base, undefined, { signal });
      await loadLog();
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  async function act(action, { title, body, label, danger }) {
    if (!await confirm({ title, body, confirmLabel: label, danger })) return;
    busy = action; actionError = null; draw();
    try {
      job = await api.post(`${base}/${action}`);
      toast(`Job ${id}: ${label.toLowerCase()} done (${job.status})`);
      await loadLog();
    } catch (e) {
      actionError = e;
    } finally {
      busy = null;
      if (!signal.aborted) draw();
    }
  }

  function actions() {
    const buttons = [];
    if (OPEN.has(job.status) && !job.cancelRequested && session.can('artifacts:update')) {
      buttons.push(html`<button class="danger" ?disabled=${busy} @click=${() => act('cancel', { label: 'Cancel job', danger: true,
        title: `Cancel job ${id}?`, body: html`<p>${job.status === 'queued' ? 'The job will not run.' : 'Its running process is killed; nothing is stored.'} You can retry it later.</p>` })}>Cancel job</button>`);
    }
    if ((job.status === 'failed' || job.status === 'cancelled') && session.can('artifacts:create')) {
      buttons.push(html`<button class="primary" ?disabled=${busy} @click=${() => act('retry', { label: 'Retry',
        title: `Run job ${id} again?`, body: html`<p>The job is queued again with a fresh count of attempts; its log goes on below.</p>` })}>Retry</button>`);
    }
    return buttons.length ? html`<div class="actions" role="group" aria-label="Job actions">${buttons}</div>` : nothing;
  }

  function stepText(s) {
    if (s.type === 'command') return html`<code>${s.command.join(' ')}</code> → ${s.outputFormat} (timeout ${s.timeoutSeconds} s)`;
    const params = Object.entries(s.params || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    return html`<strong>${s.converter}</strong>${params ? html` <span class="help">${params}</span>` : nothing}`;
  }

  function lineage() {
    const r = job.result;
    if (!r) return nothing;
    const lin = r.lineage || r.metadata?.lineage;
    const eq = r.equivalence || r.metadata?.equivalence;
    return html`<h2>Result</h2>
      <dl class="facts">
        ${job.filename ? html`<dt>Artifact</dt><dd><a href=${href(`/models/${seg(job.model)}/versions/${seg(job.version)}`)}><span class="mono">${job.filename}</span></a></dd>` : nothing}
        ${lin?.steps ? html`<dt>Steps</dt><dd><ol>${lin.steps.map(s => html`<li>${s.converter}${s.version ? html` <span class="help">${s.version}</span>` : nothing}
          → ${s.outputFormat}${s.outputBytes !== undefined ? `, ${bytes(s.outputBytes)}` : ''}${s.millis !== undefined ? `, ${s.millis} ms` : ''}</li>`)}</ol>
          ${lin.totalMillis !== undefined ? html`<span class="help">${lin.totalMillis} ms in all</span>` : nothing}</dd>` : nothing}
        ${lin?.sourceSha256 ? html`<dt>Source</dt><dd>${lin.sourceFilename || ''} <span class="mono">${shortDigest(lin.sourceSha256)}</span></dd>` : nothing}
        ${eq?.skipped ? html`<dt>Equivalence</dt><dd>not checked: ${eq.skipped}</dd>` : eq ? html`<dt>Equivalence</dt><dd>max abs error ${eq.maxAbsError ?? '—'}, min cosine ${eq.minCosine ?? '—'}${eq.tolerance ? html` <span class="help">(tolerance ${eq.tolerance.maxAbsError}, ${eq.tolerance.minCosine})</span>` : nothing}</dd>` : nothing}
      </dl>
      <details><summary>Everything the job recorded</summary><pre class="json" tabindex="0" role="region" aria-label="The job's result as recorded">${JSON.stringify(r, null, 2)}</pre></details>`;
  }

  function draw() {
    if (!job) {
      render(html`<h1>Conversion job ${id}</h1>${subnav('jobs')}${error ? errorView(error) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const t = job.target || {};
    render(html`
      <p class="crumbs"><a href="#/conversion/jobs">Conversion jobs</a> ›</p>
      <div class="page-head"><h1>Conversion job ${job.id}</h1> <span data-testid="job-status">${badge(job.status)}</span></div>
      ${actions()}
      ${errorView(actionError)}
      ${errorView(error)}
      ${job.error ? html`<div class="error-box" role="status"><p><strong>Why it failed:</strong> ${job.error}</p>
        <p>${session.can('artifacts:create') ? 'Fix the cause (the log below says more), then retry the job.' : 'The log below says more.'}</p></div>` : nothing}
      <dl class="facts">
        <dt>Model and version</dt><dd><a href=${href(`/models/${seg(job.model)}`)}>${job.model}</a> <span class="mono">${job.version}</span></dd>
        <dt>Profile</dt><dd>${job.profile ? html`<a href=${href(`/conversion/profiles/${seg(job.profile)}`)}>${job.profile}</a>` : 'ad-hoc chain'}</dd>
        <dt>Attempts</dt><dd>${job.attempts} of ${job.maxAttempts}${job.nextRunAt && OPEN.has(job.status) ? ` · next try ${dateTime(job.nextRunAt)}` : ''}${job.cancelRequested ? ' · cancel requested' : ''}</dd>
        <dt>Target</dt><dd>${['format', 'runtime', 'arch', 'accelerator', 'precision', 'os'].filter(k => t[k]).map(k => `${k} ${t[k]}`).join(' · ')}${t.minMemoryMb ? ` · ${t.minMemoryMb} MB` : ''}${t.cpuFeatures?.length ? ` · needs ${t.cpuFeatures.join(', ')}` : ''}</dd>
        <dt>Tolerance</dt><dd>${job.tolerance ? `max abs error ${job.tolerance.maxAbsError}, min cosine ${job.tolerance.minCosine}` : '—'} · timeout ${duration(job.timeoutSeconds)}</dd>
        <dt>Times</dt><dd>created ${dateTime(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ''}${job.startedAt ? ` · started ${dateTime(job.startedAt)}` : ''}${job.finishedAt ? ` · finished ${dateTime(job.finishedAt)}` : ''}</dd>
      </dl>
      <h2>Chain</h2>
      <ol class="chain">${(job.steps || []).map(s => html`<li>${stepText(s)}</li>`)}</ol>
      ${lineage()}
      <h2 id="log-heading">Log</h2>
      <label class="check" for="log-follow"><input type="checkbox" id="log-follow" .checked=${follow} @change=${e => { follow = e.target.checked; draw(); }}> Follow new lines</label>
      ${lines.length ? html`<pre class="log" tabindex="0" role="region" aria-labelledby="log-heading" data-testid="job-log">${lines.map(l => `${new Date(l.at).toLocaleTimeString()}  ${l.line}\n`)}</pre>`
        : html`<p class="help">${OPEN.has(job.status) ? 'No log lines yet: they appear as the job runs.' : 'This job wrote no log.'}</p>`}
      ${OPEN.has(job.status) ? html`<p class="help" role="status">The job is ${job.status}; this page follows it.</p>` : nothing}
    `, el);
    if (follow) {
      const pre = el.querySelector('pre.log');
      if (pre) pre.scrollTop = pre.scrollHeight;
    }
  }

  draw();
  load();
  // A job event comes with every status change and log line; polling (every 3 s) only while the
  // event stream is down.
  const stop = liveReload(['job'], e => String(e.id) === String(id), load, { fallbackEvery: 3000 });
  return () => { stop(); controller.abort(); };
}
