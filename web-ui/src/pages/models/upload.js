// #/models/:model/versions/:version/upload — upload one file to a draft: drag and drop or pick it, say
// its target (defaults from the file name), and send it through the resumable upload API in slices
// while a Web Worker computes its SHA-256; the server checks that digest when the upload finishes.
// A dropped connection resumes by itself from the server's offset; the bar shows speed and time left.
import { html, render, nothing } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, progressBar, toast, badge, confirm } from '../../lib/ui.js';
import { bytes, duration, shortDigest } from '../../lib/format.js';
import { pathSeg } from '../../lib/router.js';
import { ResumableUpload, takeHandedOver } from '../../lib/upload.js';

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
  return { format, arch, precision, accelerator, runtime: '', runtimeVersion: '', minMemoryMb: '', os: '' };
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

  async function load() {
    try {
      version = await api.get(`/models/${seg(name)}/versions/${seg(ref)}`);
    } catch (e) { error = e; }
    draw();
    ctx.ready();
  }

  function choose(f) {
    if (!f) return;
    if (upload && !['done', 'failed', 'cancelled'].includes(upload.state)) return;
    file = f;
    filename = f.name;
    target = guessTarget(f.name);
    upload = null;
    draw();
  }

  async function start(e) {
    e.preventDefault();
    if (!file) return;
    const params = {};
    for (const [k, v] of Object.entries(target)) if (String(v).trim()) params[k] = String(v).trim();
    if (params.arch === 'any') delete params.arch; // the server's default
    upload = new ResumableUpload({ model: name, version: version.version, file, filename: filename.trim() || file.name, target: params });
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
  }

  async function cancel() {
    const ok = await confirm({ title: `Cancel the upload of ${upload.filename}?`, confirmLabel: 'Cancel upload', danger: true,
      body: html`<p>What was sent so far is discarded on the server; nothing is added to the version.</p>` });
    if (ok) { await upload.cancel(); draw(); }
  }

  const select = (id, label, options, help) => html`<div>
    <label for="t-${id}">${label}</label>
    <select id="t-${id}" ?disabled=${busy()} @change=${e => { target[id] = e.target.value; }}>
      ${options.map(o => html`<option value=${o} ?selected=${target[id] === o}>${o || help}</option>`)}
    </select></div>`;
  const text = (id, label, help) => html`<div>
    <label for="t-${id}">${label} <span class="optional">(optional)</span></label>
    <input id="t-${id}" .value=${target[id]} ?disabled=${busy()} placeholder=${help} @input=${e => { target[id] = e.target.value; }}></div>`;
  const busy = () => Boolean(upload && !['done', 'failed', 'cancelled'].includes(upload.state));

  function stateText(u) {
    switch (u.state) {
      case 'starting': return 'Opening the upload…';
      case 'sending': return u.retries ? `Sending (resumed after ${u.retries} failed attempt${u.retries === 1 ? '' : 's'})` : 'Sending';
      case 'retrying': return `An append failed (${u.error?.detail || 'no answer'}); trying again from the server's offset…`;
      case 'waiting': return 'The server is still closing the broken append; resuming as soon as it has…';
      case 'stalled': return `The upload keeps failing: ${u.error?.detail || 'the server cannot be reached'}. Check the connection and press Resume.`;
      case 'finishing': return 'The server is checking the SHA-256 and storing the file…';
      case 'done': return u.retries ? `Uploaded and checked, resumed after ${u.retries} failed attempt${u.retries === 1 ? '' : 's'}.` : 'Uploaded and checked.';
      case 'cancelled': return 'Cancelled; nothing was kept.';
      case 'failed': return 'The upload failed.';
      default: return u.state;
    }
  }

  function progressView(u) {
    return html`<section class="panel" aria-labelledby="progress-h">
      <h2 id="progress-h">Uploading ${u.filename}</h2>
      <p role="status" data-testid="upload-state">${stateText(u)}</p>
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
        ${busy() ? html`<button @click=${cancel}>Cancel upload</button>` : nothing}
        ${u.state === 'done' ? html`<a class="button primary" href=${`#${versionPath}`}>Back to ${name} ${version.version}</a>
          <button @click=${() => { file = null; upload = null; draw(); }}>Upload another file</button>` : nothing}
        ${u.state === 'failed' || u.state === 'cancelled' ? html`<button @click=${() => { upload = null; draw(); }}>Try again</button>` : nothing}
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
    if (upload && busy()) upload.controller.abort(); // leaving the page stops sending; the session expires on the server
  };
}
