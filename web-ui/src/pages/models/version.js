// #/models/:model/versions/:version — one version: its artifacts per target, the lineage from the
// source artifact to each converted one (with the equivalence figures the conversion measured), the
// I/O signature, the self-test vectors (their shape, not their numbers), the signed metadata's status
// and expiry per artifact, the version's conversion jobs, downloads, and the lifecycle actions.
// Live: re-read on version, artifact and job events of this version (liveReload; while a conversion
// runs it also polls, only while the stream is down). The signed metadata of each artifact is read once
// per page life (by artifact id and digest), not on every re-read. Downloads stream with a progress bar;
// a file above IN_BROWSER_LIMIT is not read into the tab (it would hold it all in memory): the curl
// command is shown instead. Files dropped on a draft's page go to the upload page.
// "Deltas and transfers" (released versions) is read only when the user opens it: each artifact's deltas
// (request one from a base, retry a failed or useless one, with artifacts:create) and the version's transfer
// totals (deployments:read); while open it re-reads on artifact events of this version (a build ending is one).
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg, request } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { liveReload } from '../../lib/live.js';
import { errorView, toast, badge, confirm, progressBar } from '../../lib/ui.js';
import { bytes, dateTime, relative, shortDigest, duration } from '../../lib/format.js';
import { pathSeg } from '../../lib/router.js';
import { handOver } from '../../lib/upload.js';
import { versionActions, actionErrorView } from './actions.js';

const WEEK = 7 * 86_400_000;
/** Above this size a download is not read into the browser tab (it keeps the whole file in memory until saved). */
export const IN_BROWSER_LIMIT = 512 * 1024 * 1024;

export default function mount(el, ctx) {
  const { model: name, version: ref } = ctx.params;
  const base = `/models/${seg(name)}/versions/${seg(ref)}`;
  let version = null;
  let aliases = [];
  let artifacts = null;
  let jobs = null;
  let signatures = new Map(); // artifact id → {counter, expiresAt, issuedAt} | {error}
  const signedCache = new Map(); // `${artifact id}:${sha256}` → promise of {counter, expiresAt, issuedAt, keys}: read once per page life
  const pageController = new AbortController(); // aborted when the page goes (the signed metadata reads)
  let error = null;
  let dragging = false;
  let controller = new AbortController();
  let readyCalled = false;
  let jobPoll = null;     // while a conversion runs: the re-read that polls only while the stream is down
  let failure = null;     // {what, error}: the last action that failed, shown by the actions
  const downloads = new Map(); // artifact id → {received, total, controller}
  let tooLarge = null;    // the artifact whose in-browser download was refused (the curl command is shown)
  // Deltas and transfers: nothing is read until the user opens the section.
  let deltasOpen = false;
  let deltas = new Map();  // artifact id → {items, total} | {error}
  let transfers = null;    // TransferTotals | {error} | null (not read: no deployments:read, or not open)
  let bases = null;        // published versions of the model (the bases a delta can be requested from) | {error}
  let deltaController = new AbortController();
  let deltaStop = null;    // the section's liveReload while it is open
  const deltaForms = new Map(); // artifact id → {mode: 'version'|'sha', baseVersion, baseSha, busy, error}

  async function load() {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    try {
      const readArtifacts = session.can('artifacts:read');
      const [v, m, a, j] = await Promise.all([
        api.get(base, undefined, { signal }),
        api.get(`/models/${seg(name)}`, undefined, { signal }),
        readArtifacts ? api.get(`${base}/artifacts`, { size: 500 }, { signal }) : null,
        readArtifacts ? api.get(`${base}/conversions`, { size: 20 }, { signal }).catch(e => { if (e.name === 'AbortError') throw e; return { error: e }; }) : null,
      ]);
      version = v;
      aliases = Object.entries(m.aliases || {}).filter(([, target]) => target === v.version).map(([alias]) => alias);
      artifacts = a;
      jobs = j;
      error = null;
      draw();
      if (!readyCalled) { readyCalled = true; ctx.ready(); }
      // While a conversion runs, also look every 5 s while the live stream is down (never while it is up).
      const running = Boolean(j?.items?.some(job => job.status === 'queued' || job.status === 'running'));
      if (running && !jobPoll) jobPoll = liveReload(['job'], () => false, load, { fallbackEvery: 5000 });
      if (!running && jobPoll) { jobPoll(); jobPoll = null; }
      if (a && (v.status === 'published' || v.status === 'deprecated')) await loadSignatures(a.items, signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
      draw();
      if (!readyCalled) { readyCalled = true; ctx.ready(); }
    }
  }

  /**
   * The signed release metadata of each artifact (released versions only: a draft has none, a revoked one
   * answers 410). Read once per artifact (id and digest) per page life: the read in flight is shared, and a
   * newer re-read does not abort it (so it is not asked twice); a failure is asked again at the next re-read.
   */
  async function loadSignatures(items, signal) {
    const next = new Map();
    await Promise.all(items.map(async a => {
      if (!a.signedMetadataUrl) return;
      const key = `${a.id}:${a.sha256}`;
      if (!signedCache.has(key)) {
        signedCache.set(key, api.get(a.signedMetadataUrl, undefined, { signal: pageController.signal }).then(envelope => {
          const signed = envelope.signed || {};
          return { counter: signed.releaseCounter, expiresAt: signed.expiresAt, issuedAt: signed.issuedAt,
            keys: (envelope.signatures || []).map(s => s.keyid) };
        }).catch(e => { signedCache.delete(key); throw e; }));
      }
      try {
        next.set(a.id, await signedCache.get(key));
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        next.set(a.id, { error: e });
      }
    }));
    if (signal.aborted) return; // a newer re-read shows its own
    signatures = next;
    draw();
  }

  /** An action failed (error) or starts again (null): show it by the actions and move the focus there. */
  function onError(e, what) {
    failure = e ? { error: e, what } : null;
    draw();
    if (e) el.querySelector('.action-error')?.focus();
  }

  const act = versionActions({ model: name, onDone: load, onDeleted: () => ctx.navigate(`/models/${pathSeg(name)}`), onError });

  /**
   * Downloads one file: the token travels as a header, so a plain link cannot download; the body is read
   * as a stream (progress shown), then handed over as a Blob. A file above IN_BROWSER_LIMIT is refused:
   * the tab would hold all of it in memory; the curl command is shown instead.
   */
  async function download(a) {
    if (a.size > IN_BROWSER_LIMIT) { tooLarge = a; draw(); el.querySelector('#too-large')?.focus(); return; }
    if (downloads.has(a.id)) return;
    const state = { received: 0, total: a.size, controller: new AbortController() };
    downloads.set(a.id, state);
    draw();
    let redraw = null;
    try {
      const response = await request('GET', a.contentUrl, { raw: true, headers: { Accept: '*/*' }, signal: state.controller.signal });
      state.total = Number(response.headers.get('Content-Length')) || a.size;
      const reader = response.body.getReader();
      const parts = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        state.received += value.byteLength;
        if (!redraw) redraw = setTimeout(() => { redraw = null; draw(); }, 100); // at most ten redraws a second
      }
      const url = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: a.filename });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      toast(`${a.filename} downloaded (${bytes(state.received)})`);
    } catch (e) {
      if (!state.controller.signal.aborted) {
        failure = { error: e, what: `Could not download ${a.filename}; the curl command (next to Download) fetches it outside the browser` };
      }
    } finally {
      clearTimeout(redraw);
      downloads.delete(a.id);
      draw();
      if (failure) el.querySelector('.action-error')?.focus();
    }
  }

  function downloadsView() {
    if (!downloads.size && !tooLarge) return nothing;
    const byId = new Map((artifacts?.items || []).map(a => [a.id, a]));
    return html`<section class="panel" aria-labelledby="downloads-h"><h2 id="downloads-h">Downloads</h2>
      ${[...downloads].map(([id, d]) => html`<div class="download">
        <p>${byId.get(id)?.filename || id}: <span data-testid="download-received">${bytes(d.received)} of ${bytes(d.total)}</span></p>
        ${progressBar(d.received, d.total, `Downloading ${byId.get(id)?.filename || id}`)}
        <button class="small" @click=${() => d.controller.abort()}>Cancel download</button></div>`)}
      ${tooLarge ? html`<div id="too-large" tabindex="-1" class="notice" data-testid="too-large">
        <p><strong>${tooLarge.filename} is ${bytes(tooLarge.size)}: too large to download in the browser.</strong>
          The console would have to hold the whole file in this tab's memory (above ${bytes(IN_BROWSER_LIMIT)} that can crash the tab).
          Download it with curl instead (set MODELYARD_TOKEN to your API token first):</p>
        <pre><code>${curl(tooLarge)}</code></pre>
        <button class="small" @click=${() => copy(curl(tooLarge), 'curl command')}>Copy the curl command</button>
        <button class="small" @click=${() => { tooLarge = null; draw(); }}>Close</button></div>` : nothing}
    </section>`;
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      toast(`${what} copied`);
    } catch (e) {
      toast(`Could not copy: select the text and copy it by hand.`, 'error');
    }
  }

  const curl = a => `curl -H "Authorization: Bearer $MODELYARD_TOKEN" -o '${a.filename}' '${location.origin}${a.contentUrl}'`;

  async function convert() {
    const ok = await confirm({ title: `Convert ${name} ${version.version}?`, confirmLabel: 'Convert',
      body: html`<p>Starts a conversion job for every enabled conversion profile this version does not have yet,
        from its uploaded ONNX fp32 artifact. Results appear below as converted artifacts.</p>` });
    if (!ok) return;
    try {
      const r = await api.post(`${base}/conversions`, {});
      toast(r.created ? `${r.created} conversion job${r.created === 1 ? '' : 's'} started` : 'Every enabled profile has a job already');
      failure = null;
    } catch (e) {
      failure = { error: e, what: `Could not convert ${version.version}` };
    }
    await load();
    if (failure) el.querySelector('.action-error')?.focus();
  }

  async function removeArtifact(a) {
    const ok = await confirm({ title: `Remove ${a.filename}?`, danger: true, confirmLabel: 'Remove file',
      body: html`<p>The file is removed from draft ${version.version}.</p>` });
    if (!ok) return;
    try { await api.del(`${base}/artifacts/${seg(a.id)}`); toast(`${a.filename} removed`); failure = null; } catch (e) { failure = { error: e, what: `Could not remove ${a.filename}` }; }
    await load();
    if (failure) el.querySelector('.action-error')?.focus();
  }

  function signatureCell(a) {
    if (version.status === 'draft') return html`<span class="muted">signed at publication</span>`;
    if (version.status === 'revoked') return badge('revoked');
    const s = signatures.get(a.id);
    if (!s) return html`<span class="muted">checking…</span>`;
    if (s.error) return html`${badge('error')} <span>${s.error.detail}</span>`;
    const left = new Date(s.expiresAt).getTime() - Date.now();
    const state = left <= 0 ? html`${badge('expired')}` : left <= WEEK ? html`<span class="badge warn">expires soon</span>` : badge('ok');
    return html`${state}<br><span>release ${s.counter}, expires <time datetime=${s.expiresAt} title=${dateTime(s.expiresAt)}>${relative(s.expiresAt)}</time></span>`;
  }

  function target(t = {}) {
    return html`${t.format} · ${t.runtime}${t.runtimeVersion ? ` ${t.runtimeVersion}` : ''} · ${t.arch} · ${t.accelerator} · ${t.precision}${t.os ? ` · ${t.os}` : ''}${t.minMemoryMb ? ` · ≥${t.minMemoryMb} MB` : ''}${t.cpuFeatures?.length ? ` · ${needs(t)}` : ''}`;
  }

  /** "needs avx2, fma": the CPU features a device must have to run the file (empty: any CPU of its arch). */
  const needs = t => `needs ${t.cpuFeatures.join(', ')}`;

  /** A file an optimizing conversion made: devices that can run it get it before an unoptimized one of the same target. */
  const optimizedBadge = a => (a.optimized ? html` <span class="badge ok" data-testid="optimized"
    title="Made by an optimizing conversion: devices that can run it get it before an unoptimized file of the same target and precision">optimized</span>` : nothing);

  function artifactsTable(items) {
    const canDelete = version.status === 'draft' && session.can('artifacts:delete');
    return html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">File</th><th scope="col">Format</th><th scope="col">Runtime</th><th scope="col">Arch</th>
        <th scope="col">Accelerator</th><th scope="col">Precision</th><th scope="col">Size</th><th scope="col">SHA-256</th>
        <th scope="col">Origin</th><th scope="col">Signature</th></tr></thead>
      <tbody>${items.map(a => html`<tr>
        <td>${a.filename}<div class="row-actions">
          <button class="small" @click=${() => download(a)} ?disabled=${downloads.has(a.id)} aria-label=${`Download ${a.filename}`}>Download</button>
          <button class="small" @click=${() => copy(curl(a), 'curl command')} aria-label=${`Copy a curl command that downloads ${a.filename}`}>curl</button>
          ${canDelete ? html`<button class="small" @click=${() => removeArtifact(a)} aria-label=${`Remove ${a.filename}`}>Remove</button>` : nothing}
        </div></td><td>${a.target?.format}</td>
        <td>${a.target?.runtime}${a.target?.runtimeVersion ? html` <span class="muted">${a.target.runtimeVersion}</span>` : nothing}</td>
        <td>${a.target?.arch}${a.target?.cpuFeatures?.length ? html`<br><span class="muted" data-testid="cpu-features">${needs(a.target)}</span>` : nothing}</td>
        <td>${a.target?.accelerator}</td><td>${a.target?.precision}</td>
        <td>${bytes(a.size)}</td>
        <td><code title=${a.sha256}>${shortDigest(a.sha256)}</code>
          <button class="small" @click=${() => copy(a.sha256, 'Digest')} aria-label=${`Copy the SHA-256 of ${a.filename}`}>Copy</button></td>
        <td>${a.origin}${optimizedBadge(a)}</td>
        <td>${signatureCell(a)}</td></tr>`)}
      </tbody></table></div>`;
  }

  /** Source → converter/profile → result, with the equivalence the conversion measured. */
  function lineageTree(items) {
    const converted = items.filter(a => a.origin === 'converted');
    if (!converted.length) return html`<p>No converted artifact yet.${version.status === 'draft' ? ' Enabled conversion profiles run when the version is published.' : ''}</p>`;
    const byId = new Map(items.map(a => [a.id, a]));
    const groups = new Map();
    for (const c of converted) {
      const source = c.lineage?.sourceArtifactId || c.metadata?.lineage?.sourceArtifactId || 'unknown';
      if (!groups.has(source)) groups.set(source, []);
      groups.get(source).push(c);
    }
    return html`<ul class="tree" aria-label="Lineage">${[...groups].map(([sourceId, results]) => {
      const source = byId.get(sourceId);
      return html`<li><span class="node">Source: <strong>${source ? source.filename : results[0].metadata?.lineage?.sourceFilename || sourceId}</strong>
          ${source ? html`<span class="muted">(${target(source.target)}, ${bytes(source.size)})</span>` : nothing}</span>
        <ul>${results.map(c => {
          const lineage = c.metadata?.lineage || {};
          const eq = c.metadata?.equivalence || {};
          const steps = lineage.steps || c.lineage?.parameters?.steps || [];
          return html`<li><span class="node">${lineage.profile ? html`profile <code>${lineage.profile}</code>: ` : nothing}
              ${steps.map((s, i) => html`${i ? ' → ' : ''}<code>${s.converter || s.type || 'step'}</code>${stepVersion(s) ? html` <span class="muted">version ${stepVersion(s)}</span>` : nothing}${s.millis !== undefined ? html` <span class="muted">(${duration(s.millis / 1000)})</span>` : nothing}`)}</span>
            <ul><li><span class="node">Result: <strong>${c.filename}</strong>${optimizedBadge(c)} <span class="muted">(${target(c.target)}, ${bytes(c.size)}${c.metadata?.sizeRatio ? `, ${(100 / c.metadata.sizeRatio).toFixed(0)} % of the source's size` : ''})</span></span>
              <dl class="figures">${eq.skipped ? html`<dt>Equivalence</dt><dd>not checked: ${eq.skipped}</dd>` : html`
                <dt>Max abs difference</dt><dd>${fmt(eq.maxAbsError)} <span class="muted">(tolerance ${fmt(eq.tolerance?.maxAbsError)})</span>
                  ${within(eq.maxAbsError, eq.tolerance?.maxAbsError, (x, t) => x <= t)}</dd>
                <dt>Min cosine</dt><dd>${fmt(eq.minCosine)} <span class="muted">(at least ${fmt(eq.tolerance?.minCosine)})</span>
                  ${within(eq.minCosine, eq.tolerance?.minCosine, (x, t) => x >= t)}</dd>
                <dt>Inputs compared</dt><dd>${eq.inputs?.generated ?? '—'} generated${eq.inputs?.selfTestCases ? `, ${eq.inputs.selfTestCases} self-test cases` : ''}</dd>
                ${eq.selfTest ? html`<dt>Self-test</dt><dd>max error ${fmt(eq.selfTest.maxErrorToExpected)} (tolerance ${fmt(eq.selfTest.tolerance)})</dd>` : nothing}`}
                ${lineage.totalMillis !== undefined ? html`<dt>Conversion time</dt><dd>${duration(lineage.totalMillis / 1000)}</dd>` : nothing}
              </dl></li></ul></li>`;
        })}</ul></li>`;
    })}</ul>`;
  }

  function signatureTable(sig) {
    if (!sig || (!sig.inputs?.length && !sig.outputs?.length)) return html`<p>No I/O signature. It is taken from the first ONNX or TensorFlow Lite file uploaded to a draft.</p>`;
    const rows = (kind, list) => (list || []).map(t => html`<tr><td>${kind}</td><td><code>${t.name}</code></td><td>${t.dtype}</td>
      <td><code>[${(t.shape || []).map(d => d === null ? '?' : d).join(', ')}]</code></td></tr>`);
    return html`<div class="table-wrap"><table><thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Shape</th></tr></thead>
      <tbody>${rows('input', sig.inputs)}${rows('output', sig.outputs)}</tbody></table></div>`;
  }

  function selfTestView(st) {
    if (!st || !Array.isArray(st.cases) || !st.cases.length) return html`<p>No self-test vectors. Devices run them, when set, before they swap a new version in.</p>`;
    const tensors = map => Object.entries(map || {}).map(([n, t]) => html`<code>${n}</code> ${t.dtype} [${(t.shape || []).join(', ')}]<br>`);
    return html`<p>Tolerance ${fmt(st.tolerance)} (absolute)${version.selfTestSha256 ? html`; document SHA-256 <code title=${version.selfTestSha256}>${shortDigest(version.selfTestSha256)}</code>` : nothing}.</p>
      <div class="table-wrap"><table><thead><tr><th scope="col">Case</th><th scope="col">Inputs</th><th scope="col">Expected outputs</th></tr></thead>
      <tbody>${st.cases.map((c, i) => html`<tr><td>${c.name || `case ${i + 1}`}</td><td>${tensors(c.inputs)}</td><td>${tensors(c.outputs)}</td></tr>`)}</tbody></table></div>`;
  }

  function jobsView() {
    const link = `#/conversion/jobs?model=${encodeURIComponent(name)}&version=${encodeURIComponent(version.version)}`;
    if (!jobs) return nothing;
    if (jobs.error) return errorView(jobs.error);
    return html`${jobs.items.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Job</th><th scope="col">Profile</th><th scope="col">Status</th><th scope="col">Result or error</th><th scope="col">Updated</th></tr></thead>
      <tbody>${jobs.items.map(j => html`<tr><td>${j.id}</td><td>${j.profile || 'ad hoc'}</td><td>${badge(j.status)}</td>
        <td>${j.error ? html`<span class="error">${j.error}</span>` : j.filename || '—'}</td><td>${relative(j.updatedAt)}</td></tr>`)}</tbody></table></div>`
      : html`<p>No conversion job for this version.</p>`}
      <p><a href=${link}>All conversion jobs of this version</a>${jobs.total > jobs.items.length ? ` (${jobs.total})` : ''}</p>`;
  }

  const canUpload = () => version?.status === 'draft' && session.can('artifacts:create');
  const uploadPath = () => `/models/${pathSeg(name)}/versions/${pathSeg(version.version)}/upload`;

  function onDrop(e) {
    e.preventDefault();
    dragging = false;
    const file = e.dataTransfer?.files?.[0];
    if (!file || !canUpload()) { draw(); return; }
    handOver(file);
    ctx.navigate(uploadPath());
  }

  const released = () => version && version.status !== 'draft';

  /** The section's data: every artifact's deltas, the version's transfer totals, and the possible bases. */
  async function loadDeltas() {
    deltaController.abort();
    deltaController = new AbortController();
    const signal = deltaController.signal;
    const items = artifacts?.items || [];
    const quiet = p => p.catch(e => { if (e.name === 'AbortError') throw e; return { error: e }; });
    try {
      const [lists, t, b] = await Promise.all([
        Promise.all(items.map(a => quiet(api.get(`${base}/artifacts/${seg(a.id)}/deltas`, { size: 100 }, { signal })))),
        session.can('deployments:read') ? quiet(api.get(`${base}/transfers`, undefined, { signal })) : null,
        session.can('artifacts:create') && !bases?.items
          ? quiet(api.get(`/models/${seg(name)}/versions`, { status: 'published', size: 200 }, { signal })) : bases,
      ]);
      deltas = new Map(items.map((a, i) => [a.id, lists[i]]));
      transfers = t;
      bases = b;
      draw();
    } catch (e) {
      if (e.name !== 'AbortError') throw e;
    }
  }

  function toggleDeltas() {
    deltasOpen = !deltasOpen;
    if (deltasOpen) {
      loadDeltas();
      deltaStop = liveReload(['artifact'], event => event.model === name && (event.version === ref || event.version === version?.version), loadDeltas);
    } else {
      deltaStop?.();
      deltaStop = null;
      deltaController.abort();
    }
    draw();
  }

  const form = id => { if (!deltaForms.has(id)) deltaForms.set(id, { mode: 'version', baseVersion: '', baseSha: '', busy: false, error: null }); return deltaForms.get(id); };

  async function requestDelta(a, e) {
    e.preventDefault();
    const f = form(a.id);
    const body = f.mode === 'sha' ? { baseSha256: f.baseSha.trim().toLowerCase() } : { baseVersion: f.baseVersion };
    f.busy = true; f.error = null; draw();
    try {
      const d = await api.post(`${base}/artifacts/${seg(a.id)}/deltas`, body);
      toast(`Delta for ${a.filename} from ${d.base?.version || shortDigest(d.baseSha256)}: ${d.status}`);
    } catch (err) {
      f.error = err;
    }
    f.busy = false;
    await loadDeltas();
    if (f.error) el.querySelector(`[data-delta-error="${a.id}"]`)?.focus();
  }

  async function retryDelta(a, d) {
    const f = form(a.id);
    f.error = null;
    try {
      await api.post(`${base}/artifacts/${seg(a.id)}/deltas/${seg(d.id)}/retry`, {});
      toast(`Delta for ${a.filename} queued again`);
    } catch (err) {
      f.error = err;
    }
    await loadDeltas();
    if (f.error) el.querySelector(`[data-delta-error="${a.id}"]`)?.focus();
  }

  function deltaBase(d) {
    if (!d.baseSha256) return html`<span class="muted">none: compressed full file</span>`;
    return html`${d.base ? html`${d.base.model !== name ? `${d.base.model} ` : ''}${d.base.version} <span class="muted">${d.base.filename}</span><br>` : nothing}<code title=${d.baseSha256}>${shortDigest(d.baseSha256)}</code>`;
  }

  function deltaTable(a, list) {
    if (!list) return html`<p class="loading">Loading…</p>`;
    if (list.error) return errorView(list.error);
    if (!list.items.length) return html`<p>No delta for this file yet.</p>`;
    const canRetry = session.can('artifacts:create');
    return html`<div class="table-wrap"><table aria-label=${`Deltas of ${a.filename}`}>
      <thead><tr><th scope="col">Base</th><th scope="col">Method</th><th scope="col">Status</th><th scope="col">Size</th>
        <th scope="col">Ratio</th><th scope="col">Build time</th><th scope="col">Requested by</th><th scope="col">Error</th></tr></thead>
      <tbody>${list.items.map(d => html`<tr>
        <td>${deltaBase(d)}</td><td>${d.method || '—'}</td><td data-testid="delta-status">${badge(d.status)}</td>
        <td>${d.size != null ? bytes(d.size) : '—'}</td>
        <td>${d.ratio == null ? '—' : d.ratio > 0 && d.ratio < 0.001 ? '< 0.1 %' : `${(d.ratio * 100).toFixed(1)} %`}</td>
        <td>${d.buildMillis == null ? '—' : d.buildMillis < 1000 ? `${d.buildMillis} ms` : duration(d.buildMillis / 1000)}</td>
        <td>${d.requestedBy || '—'}</td>
        <td>${d.error ? html`<span class="error">${d.error}</span>` : '—'}
          ${canRetry && (d.status === 'failed' || d.status === 'useless') ? html`<div class="row-actions"><button class="small"
            @click=${() => retryDelta(a, d)} aria-label=${`Retry the delta of ${a.filename} from ${d.base?.version || shortDigest(d.baseSha256 || '') || 'nothing'}`}>Retry</button></div>` : nothing}</td>
      </tr>`)}</tbody></table></div>
      ${list.total > list.items.length ? html`<p class="muted">The first ${list.items.length} of ${list.total} deltas.</p>` : nothing}`;
  }

  function deltaRequestForm(a) {
    if (!session.can('artifacts:create') || (version.status !== 'published' && version.status !== 'deprecated')) return nothing;
    const f = form(a.id);
    const choices = (bases?.items || []).filter(v => v.version !== version.version);
    const id = `delta-${a.id}`;
    return html`<form class="filters" @submit=${e => requestDelta(a, e)} aria-label=${`Request a delta for ${a.filename}`}>
      <label for=${`${id}-base`}>Base for ${a.filename}</label>
      <select id=${`${id}-base`} @change=${e => { const v = e.target.value; f.mode = v === '#sha' ? 'sha' : 'version'; f.baseVersion = f.mode === 'version' ? v : ''; draw(); }}>
        <option value="" ?selected=${f.mode === 'version' && !f.baseVersion}>Choose a published version…</option>
        ${choices.map(v => html`<option value=${v.version} ?selected=${f.mode === 'version' && f.baseVersion === v.version}>${v.version}</option>`)}
        <option value="#sha" ?selected=${f.mode === 'sha'}>A file by its SHA-256…</option>
      </select>
      ${f.mode === 'sha' ? html`<label for=${`${id}-sha`}>Base SHA-256</label>
        <input id=${`${id}-sha`} size="40" pattern="[0-9a-fA-F]{64}" required .value=${f.baseSha} @input=${e => { f.baseSha = e.target.value; }}
          title="64 hexadecimal digits: the SHA-256 of a file of this model">` : nothing}
      <button type="submit" ?disabled=${f.busy || (f.mode === 'version' && !f.baseVersion)} aria-label=${`Request delta for ${a.filename}`}>${f.busy ? 'Requesting…' : 'Request delta'}</button>
    </form>
    ${bases?.error ? errorView(bases.error) : nothing}`;
  }

  function transfersView() {
    if (!session.can('deployments:read')) return nothing;
    if (!transfers) return html`<p class="loading">Loading…</p>`;
    if (transfers.error) return errorView(transfers.error);
    const t = transfers;
    return html`<h3>Transfers</h3>${t.reported ? html`<dl class="facts" data-testid="transfers">
        <dt>Reported transfers</dt><dd>${t.reported}</dd>
        <dt>Downloaded</dt><dd>${bytes(t.bytes)}</dd>
        <dt>Full downloads would be</dt><dd>${bytes(t.fullBytes)}</dd>
        <dt>Saved</dt><dd>${bytes(t.savedBytes)}${t.savedPct != null ? ` (${t.savedPct} %)` : ''}</dd>
        <dt>By kind</dt><dd>${Object.entries(t.byKind || {}).map(([k, n]) => html`<span class="chip">${k} ${n}</span> `)}</dd>
      </dl>` : html`<p data-testid="transfers">No device has reported how it downloaded this version yet (reported transfers: 0).
        Modelyard's updater reports it after each deployment.</p>`}`;
  }

  function deltasSection(items) {
    if (!released() || !items.length) return nothing;
    return html`<section aria-labelledby="deltas-h"><h2 id="deltas-h">Deltas and transfers</h2>
      <button class="small" aria-expanded=${deltasOpen ? 'true' : 'false'} aria-controls="deltas-body" @click=${toggleDeltas}>
        ${deltasOpen ? 'Hide deltas and transfers' : 'Show deltas and transfers'}</button>
      ${deltasOpen ? html`<div id="deltas-body">
        <p class="help">A delta rebuilds a file from one a device holds (its base), so devices download what changed.
          The server keeps one only when it is small enough to be worth it; a bigger one is kept as "useless".</p>
        ${items.map(a => html`<h3>${a.filename} <span class="muted">(${bytes(a.size)})</span></h3>
          ${deltaTable(a, deltas.get(a.id))}
          ${deltaForms.get(a.id)?.error ? html`<div tabindex="-1" data-delta-error=${a.id}>${errorView(deltaForms.get(a.id).error)}</div>` : nothing}
          ${deltaRequestForm(a)}`)}
        ${transfersView()}
      </div>` : nothing}
    </section>`;
  }

  function draw() {
    if (!version) {
      render(html`<p class="crumbs"><a href="#/models">Models</a> / <a href=${`#/models/${pathSeg(name)}`}>${name}</a> /</p>
        <h1>Version ${ref}</h1>${error ? errorView(error) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const items = artifacts?.items || [];
    render(html`
      <div class=${dragging ? 'drop-target dragging' : 'drop-target'}
        @dragover=${e => { if (canUpload()) { e.preventDefault(); if (!dragging) { dragging = true; draw(); } } }}
        @dragleave=${e => { if (e.currentTarget === e.target && dragging) { dragging = false; draw(); } }}
        @drop=${onDrop}>
      <p class="crumbs"><a href="#/models">Models</a> / <a href=${`#/models/${pathSeg(name)}`}>${name}</a> /</p>
      <div class="page-head models-head">
        <h1>${name} ${version.version}</h1> ${badge(version.status)}
        ${aliases.map(a => html`<span class="chip alias">${a}</span>`)}
      </div>
      ${errorView(error)}
      <dl class="facts">
        <dt>Created</dt><dd>${dateTime(version.createdAt)} by ${version.createdBy || '—'}</dd>
        <dt>Published</dt><dd>${version.publishedAt ? dateTime(version.publishedAt) : '—'}</dd>
        ${version.releaseCounter ? html`<dt>Release counter</dt><dd>${version.releaseCounter}</dd>` : nothing}
        ${version.changelog ? html`<dt>Changelog</dt><dd class="pre">${version.changelog}</dd>` : nothing}
        ${version.metrics && Object.keys(version.metrics).length ? html`<dt>Metrics</dt><dd>${Object.entries(version.metrics).map(([k, v]) => html`<span class="chip">${k} ${v}</span> `)}</dd>` : nothing}
      </dl>
      <div class="actions">
        ${canUpload() ? html`<a class="button primary" href=${`#${uploadPath()}`}>Upload a file</a>` : nothing}
        ${act.buttons({ ...version, artifactCount: items.length || version.artifactCount }, aliases)}
        ${session.can('artifacts:create') && (version.status === 'published' || version.status === 'deprecated') ? html`<button @click=${convert}>Convert</button>` : nothing}
      </div>
      ${actionErrorView(failure, () => { failure = null; draw(); })}
      ${downloadsView()}
      ${canUpload() ? html`<p class="help">Drop a file anywhere on this page to upload it to this draft.</p>` : nothing}
      ${artifacts ? html`
        <section aria-labelledby="artifacts-h"><h2 id="artifacts-h">Artifacts</h2>
          ${items.length ? artifactsTable(items) : html`<p>No file yet.${canUpload() ? ' Upload one (drag it here) before publishing.' : ''}</p>`}
        </section>
        <section aria-labelledby="lineage-h"><h2 id="lineage-h">Lineage</h2>${lineageTree(items)}</section>` : html`<p class="notice">Your token cannot read artifacts (<code>artifacts:read</code>).</p>`}
      <section aria-labelledby="io-h"><h2 id="io-h">I/O signature</h2>${signatureTable(version.ioSignature)}</section>
      <section aria-labelledby="selftest-h"><h2 id="selftest-h">Self-test vectors</h2>${selfTestView(version.selfTest)}</section>
      ${jobs ? html`<section aria-labelledby="jobs-h"><h2 id="jobs-h">Conversion jobs</h2>${jobsView()}</section>` : nothing}
      ${artifacts ? deltasSection(items) : nothing}
      </div>`, el);
  }

  load();
  const stop = liveReload(['version', 'artifact', 'job'],
    event => event.model === name && (event.version === ref || event.version === version?.version), load);
  return () => {
    controller.abort();
    pageController.abort();
    deltaController.abort();
    stop();
    deltaStop?.();
    jobPoll?.();
    for (const d of downloads.values()) d.controller.abort();
  };
}

/** A step's converter version without the converter's name it may start with ("fp16-weights 1" → "1"). */
function stepVersion(step) {
  const v = String(step.version ?? '').trim();
  return step.converter && v.startsWith(step.converter) ? v.slice(step.converter.length).trim() : v;
}

function fmt(x) {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? x.toExponential(2) : String(Number(x.toPrecision(6)));
}

function within(value, limit, ok) {
  if (typeof value !== 'number' || typeof limit !== 'number') return nothing;
  return ok(value, limit) ? html`<span class="badge ok">within</span>` : html`<span class="badge bad">beyond</span>`;
}
