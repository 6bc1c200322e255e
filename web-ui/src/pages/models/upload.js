// #/models/:model/versions/:version/upload — upload one file to a draft: drag and drop or pick it, say
// its target (defaults from the file name), and send it through the resumable upload API in slices
// while a Web Worker computes its SHA-256; the server checks that digest when the upload finishes.
// A dropped connection resumes by itself from the server's offset; the bar shows speed and time left.
// The session is kept in sessionStorage (lib/upload.js): after a reload, picking the same file again
// resumes from the server's offset. Leaving mid-upload asks first; leaving cancels the server's upload
// unless the user chose "Keep for later".
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, progressBar, toast, badge, confirm } from '../../lib/ui.js';
import { bytes, duration, shortDigest } from '../../lib/format.js';
import { pathSeg } from '../../lib/router.js';
import { ResumableUpload, takeHandedOver, savedUpload, savedUploads, discardSaved } from '../../lib/upload.js';

const FORMATS = ['onnx', 'ort', 'tflite', 'swu', 'raucb', 'mender', 'tar', 'tar.gz', 'tar.xz', 'tar.zst', 'zip', 'bin', 'img',
  'img.gz', 'wic', 'wic.gz', 'hex', 'deb', 'ipk', 'rpm'];
const ARCHES = ['any', 'x86_64', 'aarch64', 'armv7', 'armv6', 'riscv64'];
const PRECISIONS = ['fp32', 'fp16', 'bf16', 'int8', 'uint8', 'int4', 'mixed'];
const ACCELERATORS = ['cpu', 'gpu', 'npu', 'tpu', 'dsp'];

/** Target defaults a file's name suggests: format from the extension, arch and precision from words in it. */
export function guessTarget(filename) {
  const lower = filename.toLowerCase();
  const format = [...FORMATS].sort((a, b) => b.length - a.length).find(f => lower.endsWith(`.${f}`)) || '';
  const words = lower.split(/[^a-z0-9_]+/);
  const arch = ARCHES.find(a => a !== 'any' && (words.includes(a) || lower.includes(`-${a}`) || lower.includes(`_${a}`)))
    || (words.includes('arm64') ? 'aarch64' : words.includes('amd64') ? 'x86_64' : 'any');
  const precision = PRECISIONS.find(p => words.some(w => w === p || w.endsWith(p))) || 'fp32';
  const accelerator = ACCELERATORS.find(a => a !== 'cpu' && words.includes(a)) || 'cpu';
  return { format, arch, precision, accelerator, runtime: '', runtimeVersion: '', minMemoryMb: '', os: '', cpuFeatures: '' };
}

export default function mount(el, ctx) {
  const { model: name, version: ref } = ctx.params;
  const versionPath = `/models/${pathSeg(name)}/versions/${pathSeg(ref)}`;
  let version = null;
  let error = null;
  let file = null;
  let filename = '';
  let target = guessTarget('');
  let upload = null;
  let dragging = false;
  let redraw = null;
  let kept = [];     // uploads of this version kept from an earlier page

  async function load() {
    try {
      version = await api.get(`/models/${seg(name)}/versions/${seg(ref)}`);
      kept = savedUploads(name, version.version);
    } catch (e) { error = e; }
    draw();
    ctx.ready();
  }

  function choose(f) {
    if (!f) return;
    if (busy()) return;
    file = f;
    filename = f.name;
    target = guessTarget(f.name);
    upload = null;
    const saved = version && savedUpload(name, version.version, f);
    if (saved) {
      // The same file (name, size, modification time) as a kept upload: go on with it right away.
      filename = saved.filename || f.name;
      target = { ...guessTarget(f.name), ...(saved.target || {}) };
      start();
      return;
    }
    draw();
  }

  async function discard(saved) {
    const ok = await confirm({ title: `Discard the kept upload of ${saved.fileName}?`, confirmLabel: 'Discard upload', danger: true,
      body: html`<p>What the server holds of it (${bytes(saved.offset)} of ${bytes(saved.size)}) is deleted; nothing is added to the version.</p>` });
    if (!ok) return;
    await discardSaved(saved);
    kept = savedUploads(name, version.version);
    draw();
  }

  /** Stops sending and keeps the server's session: the same file picked again (even after a reload) resumes. */
  function keepForLater() {
    upload.keepForLater();
    kept = savedUploads(name, version.version);
    draw();
  }

  async function start(e) {
    e?.preventDefault();
    if (!file || busy()) return;
    const params = {};
    for (const [k, v] of Object.entries(target)) if (String(v).trim()) params[k] = String(v).trim();
    if (params.arch === 'any') delete params.arch; // the server's default
    upload = new ResumableUpload({ model: name, version: version.version, file, filename: filename.trim() || file.name, target: params });
    kept = kept.filter(k => k.key !== upload.key);
    upload.addEventListener('change', () => {
      // At most ten redraws a second: progress events arrive per slice.
      if (!redraw) redraw = setTimeout(() => { redraw = null; draw(); }, 100);
    });
    draw();
    try {
      const artifact = await upload.start();
      if (artifact) toast(`${artifact.filename} uploaded; the server checked its SHA-256`);
    } catch (err) { /* shown from upload.error */ }
    draw();
    // A refused target parameter is shown at its field: take the user there.
    if (upload.state === 'failed' && upload.error?.parameter) el.querySelector(`#t-${CSS.escape(upload.error.parameter)}`)?.focus();
  }

  async function cancel() {
    const ok = await confirm({ title: `Cancel the upload of ${upload.filename}?`, confirmLabel: 'Cancel upload', danger: true,
      body: html`<p>What was sent so far is discarded on the server; nothing is added to the version.</p>` });
    if (ok) { await upload.cancel(); draw(); }
  }

  /** Leaving while sending: Stay, Leave (the server's upload is cancelled), or Keep for later and leave. */
  function askLeave() {
    return new Promise(resolve => {
      const dialog = document.createElement('dialog');
      dialog.className = 'confirm';
      dialog.setAttribute('aria-labelledby', 'leave-title');
      document.body.appendChild(dialog);
      const finish = value => { dialog.close(); dialog.remove(); resolve(value); };
      render(html`<form method="dialog" @submit=${ev => ev.preventDefault()}>
        <h2 id="leave-title">Leave while ${upload.filename} is uploading?</h2>
        <p>${bytes(upload.sent)} of ${bytes(upload.size)} are on the server. Leaving cancels the upload and discards them,
          unless you keep it for later: then choose the same file on this page again (within this browser tab) and it resumes.</p>
        <div class="actions">
          <button type="button" @click=${() => finish('stay')}>Stay</button>
          <button type="button" @click=${() => finish('keep')}>Keep for later and leave</button>
          <button type="button" class="danger" @click=${() => finish('leave')}>Cancel upload and leave</button>
        </div></form>`, dialog);
      dialog.addEventListener('cancel', ev => { ev.preventDefault(); finish('stay'); });
      dialog.showModal();
      dialog.querySelector('button')?.focus();
    });
  }

  // A link inside the console while sending: ask first. Reload, close or typed address: the browser's own question.
  async function onLinkClick(ev) {
    if (!busy() || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    const link = ev.target.closest?.('a[href^="#"]');
    if (!link || link.target) return;
    ev.preventDefault();
    const answer = await askLeave();
    if (answer === 'stay' || !busy()) { if (!busy()) location.hash = link.getAttribute('href'); return; }
    if (answer === 'keep') upload.keepForLater();
    location.hash = link.getAttribute('href'); // the page's cleanup cancels the upload unless it was kept
  }
  function onBeforeUnload(ev) {
    if (!busy()) return;
    ev.preventDefault();
    ev.returnValue = '';
  }
  function onPageHide() { if (busy()) upload.discardOnUnload(); }
  document.addEventListener('click', onLinkClick, true);
  window.addEventListener('beforeunload', onBeforeUnload);
  window.addEventListener('pagehide', onPageHide);

  /**
   * The server's refusal of a target parameter (400 invalid-parameter naming it), shown at that field; it
   * stays until the upload is tried again.
   */
  const fieldError = id => (upload?.state === 'failed' && upload.error?.parameter === id ? upload.error.detail : null);
  const errorBelow = id => (fieldError(id) ? html`<p class="error field-error" id="t-${id}-error">${fieldError(id)}</p>` : nothing);
  const described = (id, help) => [help ? `t-${id}-help` : '', fieldError(id) ? `t-${id}-error` : ''].filter(Boolean).join(' ') || nothing;
  const select = (id, label, options, help) => html`<div>
    <label for="t-${id}">${label}</label>
    <select id="t-${id}" ?disabled=${busy()} aria-invalid=${fieldError(id) ? 'true' : 'false'} aria-describedby=${described(id)}
      @change=${e => { target[id] = e.target.value; }}>
      ${options.map(o => html`<option value=${o} ?selected=${target[id] === o}>${o || help}</option>`)}
    </select>${errorBelow(id)}</div>`;
  const text = (id, label, help, hint = '') => html`<div>
    <label for="t-${id}">${label} <span class="optional">(optional)</span></label>
    <input id="t-${id}" .value=${target[id]} ?disabled=${busy()} placeholder=${help}
      aria-invalid=${fieldError(id) ? 'true' : 'false'} aria-describedby=${described(id, hint)}
      @input=${e => { target[id] = e.target.value; }}>
    ${hint ? html`<p class="help" id="t-${id}-help">${hint}</p>` : nothing}${errorBelow(id)}</div>`;
  const busy = () => Boolean(upload && !['done', 'failed', 'cancelled', 'kept'].includes(upload.state));

  function stateText(u) {
    switch (u.state) {
      case 'starting': return 'Opening the upload…';
      case 'sending': return u.resumedSession && !u.retries ? `Sending: resumed the kept upload from ${resumedAt(u)}`
        : u.retries ? `Sending (resumed after ${u.retries} failed attempt${u.retries === 1 ? '' : 's'}, from ${resumedAt(u)})` : 'Sending';
      case 'retrying': return `An append failed (${u.error?.detail || 'no answer'}); trying again from the server's offset…`;
      case 'waiting': return 'The server is still closing the broken append; resuming as soon as it has…';
      case 'stalled': return `The upload keeps failing: ${u.error?.detail || 'the server cannot be reached'}. Check the connection and press Resume.`;
      case 'finishing': return 'The server is checking the SHA-256 and storing the file…';
      case 'done': return u.retries ? `Uploaded and checked, resumed after ${u.retries} failed attempt${u.retries === 1 ? '' : 's'} from ${resumedAt(u)}.`
        : u.resumedSession ? `Uploaded and checked, resumed the kept upload from ${resumedAt(u)}.` : 'Uploaded and checked.';
      case 'cancelled': return 'Cancelled; nothing was kept.';
      case 'kept': return `Kept for later: ${bytes(u.sent)} of ${bytes(u.size)} are on the server. Choose the same file on this page again (also after a reload, in this browser tab) to resume.`;
      case 'failed': return 'The upload failed.';
      default: return u.state;
    }
  }

  const resumedAt = u => `byte ${Number(u.resumedFrom ?? 0).toLocaleString('en')} (the server's offset)`;

  function progressView(u) {
    return html`<section class="panel" aria-labelledby="progress-h">
      <h2 id="progress-h">Uploading ${u.filename}</h2>
      <p role="status" data-testid="upload-state">${stateText(u)}</p>
      ${u.resumedFrom !== null ? html`<p class="help">Last resumed from the server's offset:
        <span data-testid="upload-resumed-from">${u.resumedFrom}</span> bytes; failed appends tried again:
        <span data-testid="upload-retries">${u.retries}</span>.</p>` : nothing}
      <p class="help">Sent</p>
      ${progressBar(u.sent, u.size, 'Sent')}
      <p class="figures-line"><span data-testid="upload-sent">${bytes(u.sent)} of ${bytes(u.size)}</span>
        · <span>speed ${u.speed ? `${bytes(u.speed)}/s` : '—'}</span>
        · <span>time left ${u.state === 'done' ? '0 s' : duration(u.secondsLeft)}</span></p>
      <p class="help">SHA-256 computed in the browser</p>
      ${progressBar(u.hashed, u.size, 'SHA-256 computed')}
      <p>${u.sha256 ? html`<code data-testid="upload-sha256">${u.sha256}</code>` : 'computing…'}</p>
      ${u.state === 'failed' ? errorView(u.error) : nothing}
      <div class="actions">
        ${u.state === 'stalled' ? html`<button class="primary" @click=${() => u.resume()}>Resume</button>` : nothing}
        ${busy() ? html`<button @click=${keepForLater}>Keep for later</button><button @click=${cancel}>Cancel upload</button>` : nothing}
        ${u.state === 'done' ? html`<a class="button primary" href=${`#${versionPath}`}>Back to ${name} ${version.version}</a>
          <button @click=${() => { file = null; upload = null; draw(); }}>Upload another file</button>` : nothing}
        ${u.state === 'failed' || u.state === 'cancelled' || u.state === 'kept' ? html`<button @click=${() => { upload = null; draw(); }}>Try again</button>` : nothing}
      </div>
      ${u.artifact ? html`<p>Stored as <strong>${u.artifact.filename}</strong> (${bytes(u.artifact.size)}, SHA-256
        <code title=${u.artifact.sha256}>${shortDigest(u.artifact.sha256)}</code>, ${u.artifact.target?.format} · ${u.artifact.target?.arch} · ${u.artifact.target?.precision}).</p>` : nothing}
    </section>`;
  }

  function draw() {
    const crumbs = html`<p class="crumbs"><a href="#/models">Models</a> / <a href=${`#/models/${pathSeg(name)}`}>${name}</a> /
      <a href=${`#${versionPath}`}>${ref}</a> /</p>`;
    if (!version) {
      render(html`${crumbs}<h1>Upload to ${name} ${ref}</h1>${error ? errorView(error) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    if (version.status !== 'draft') {
      render(html`${crumbs}<h1>Upload to ${name} ${version.version}</h1>
        <p class="notice">Version ${version.version} is ${version.status}: released versions are immutable. Create a new draft version to upload files.</p>`, el);
      return;
    }
    render(html`${crumbs}
      <h1>Upload to ${name} ${version.version}</h1> ${badge(version.status)}
      <div class="dropzone ${dragging ? 'dragging' : ''}"
        @dragover=${e => { e.preventDefault(); if (!dragging) { dragging = true; draw(); } }}
        @dragleave=${() => { dragging = false; draw(); }}
        @drop=${e => { e.preventDefault(); dragging = false; choose(e.dataTransfer?.files?.[0]); }}>
        <p>Drop a file here, or</p>
        <label for="u-file">Choose a file</label>
        <input id="u-file" type="file" ?disabled=${busy()} @change=${e => choose(e.target.files[0])}>
        ${file ? html`<p>Chosen: <strong>${file.name}</strong> (${bytes(file.size)})</p>` : nothing}
      </div>
      ${kept.length ? html`<section class="panel" aria-labelledby="kept-h"><h2 id="kept-h">Unfinished uploads</h2>
        <p class="help">Kept from an earlier visit. Choose the same file again (same name, size and modification time) and
          the upload resumes from where the server stopped; the server discards an unfinished upload when it expires.</p>
        <ul>${kept.map(k => html`<li data-testid="kept-upload"><strong>${k.fileName}</strong>: about ${bytes(k.offset)} of ${bytes(k.size)} sent
          <button class="small" @click=${() => discard(k)} aria-label=${`Discard the kept upload of ${k.fileName}`}>Discard</button></li>`)}</ul>
      </section>` : nothing}
      ${file ? html`<form class="panel" @submit=${start}>
        <h2>Target</h2>
        <p class="help">What devices this file is for. The defaults come from the file name; leave a field as it is when unsure.</p>
        <div class="grid-fields">
          <div><label for="u-name">File name</label>
            <input id="u-name" .value=${filename} ?disabled=${busy()} @input=${e => { filename = e.target.value; }}></div>
          ${select('format', 'Format', ['', ...FORMATS], 'from the file name')}
          ${select('arch', 'Architecture', ARCHES)}
          ${select('accelerator', 'Accelerator', ACCELERATORS)}
          ${select('precision', 'Precision', PRECISIONS)}
          ${text('runtime', 'Runtime', 'from the format')}
          ${text('runtimeVersion', 'Runtime versions', '>=1.17,<2')}
          ${text('minMemoryMb', 'Minimum memory (MB)', '256')}
          ${text('os', 'Operating system', 'linux')}
          ${text('cpuFeatures', 'CPU features', 'avx2, fma',
            'Comma-separated features a device\'s CPU must have (e.g. avx2, fma or neon, dotprod); they need an architecture. Empty: any CPU of the architecture.')}
        </div>
        <div class="actions"><button type="submit" class="primary" ?disabled=${busy()}>Upload</button></div>
      </form>` : nothing}
      ${upload ? progressView(upload) : nothing}`, el);
  }

  const handed = takeHandedOver();
  if (handed) choose(handed);
  load();
  return () => {
    clearTimeout(redraw);
    document.removeEventListener('click', onLinkClick, true);
    window.removeEventListener('beforeunload', onBeforeUnload);
    window.removeEventListener('pagehide', onPageHide);
    // Leaving mid-upload (back button, a link after the question) cancels the server's upload unless it was kept.
    if (upload && busy() && !upload.kept) upload.cancel();
  };
}
