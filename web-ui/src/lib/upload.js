// A resumable upload of one file as an artifact of a draft version (README "Resumable uploads"):
// POST …/uploads opens a session, PATCH appends one slice at the server's offset, PUT ?digest=sha256:…
// finishes (the server checks the digest the browser computed while reading). A dropped connection
// resumes from the offset the server reports (GET of the session), with exponential back-off; after MAX_TRIES failed
// tries in a row the upload stalls and waits for resume(). The file is read one slice at a time
// (File.slice), never whole, and hashed in a Web Worker alongside the transfer.
// The session (its URL, the offset last known, the target) is kept in sessionStorage under the model,
// version, file name, size and lastModified, so after a reload or a return to the page the same file
// picked again resumes from the server's offset; a finished or cancelled upload forgets it.
import { api, request, seg, query, ApiError, authHeaders } from './api.js';
import { hashFile } from './sha256.js';

export const CHUNK = 4 << 20;
// About two and a half minutes of tries: after a cut the server may still hold the broken append
// (concurrent-request) until it notices the connection is gone.
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000];
const MAX_TRIES = BACKOFF_MS.length;

/**
 * new ResumableUpload({model, version, file, filename, target}); listen to 'change' and read
 * .state ('starting' | 'sending' | 'retrying' | 'waiting' | 'stalled' | 'finishing' | 'done' | 'failed' | 'cancelled'), .sent, .hashed, .speed (bytes/s), .secondsLeft, .error, .artifact,
 * .retries (failed appends tried again so far), .resumedFrom (the server's offset the last resume went on
 * from, or null), .resumedSession (true when it went on with a session kept from an earlier page).
 */
export class ResumableUpload extends EventTarget {
  constructor({ model, version, file, filename, target = {}, chunkSize = CHUNK }) {
    super();
    Object.assign(this, { model, version, file, filename: filename || file.name, target, chunkSize });
    this.state = 'starting';
    this.sent = 0;
    this.hashed = 0;
    this.sha256 = null;
    this.speed = 0;
    this.secondsLeft = null;
    this.error = null;
    this.artifact = null;
    this.retries = 0;
    this.resumedFrom = null;
    this.resumedSession = false;
    this.kept = false;
    this.url = null;
    this.controller = new AbortController();
    this.samples = [];
    this.wake = null;
  }

  get size() { return this.file.size; }

  /** The sessionStorage key of this file's upload (model, version, name, size and lastModified). */
  get key() { return storageKey(this.model, this.version, this.file); }

  remember() {
    try {
      sessionStorage.setItem(this.key, JSON.stringify({ url: this.url, offset: this.sent, size: this.size,
        filename: this.filename, target: this.target, fileName: this.file.name, savedAt: Date.now() }));
    } catch (e) { /* storage full or disabled: the upload still works, it just cannot resume after a reload */ }
  }

  forget() { try { sessionStorage.removeItem(this.key); } catch (e) { /* nothing kept */ } }

  emit(state) {
    if (state) this.state = state;
    this.dispatchEvent(new Event('change'));
  }

  /** Runs the upload to the end; resolves to the artifact (or null when cancelled); rejects on a refusal. */
  async start() {
    const signal = this.controller.signal;
    const digest = hashFile(this.file, { signal, onProgress: n => { this.hashed = n; this.emit(); } })
      .then(hex => { this.sha256 = hex; this.emit(); return hex; });
    digest.catch(() => {}); // awaited below; an abort is reported through the upload's state
    try {
      const kept = savedUpload(this.model, this.version, this.file);
      let session = null;
      if (kept?.url) {
        // An upload of this very file was kept: go on from the server's offset if the server still has it.
        try {
          session = await request('GET', kept.url, { signal });
          this.filename = session.filename || kept.filename;
          this.target = kept.target || this.target;
          this.resumedSession = true;
          this.resumedFrom = session.offset;
          this.retries = 0;
        } catch (e) {
          if (signal.aborted) throw e;
          session = null; // finished, cancelled or expired meanwhile: start again
          this.forget();
        }
      }
      if (!session) {
        const params = { filename: this.filename, ...this.target };
        session = await api.post(`/models/${seg(this.model)}/versions/${seg(this.version)}/uploads${query(params)}`,
          undefined, { signal });
      }
      this.url = session.url;
      this.sent = session.offset || 0;
      this.samples = [[performance.now(), this.sent]];
      this.remember();
      this.emit('sending');
      await this.transfer(signal);
      const hex = await digest;
      this.emit('finishing');
      this.artifact = await request('PUT', this.url, { query: { digest: `sha256:${hex}` }, signal });
      this.forget();
      this.emit('done');
      return this.artifact;
    } catch (e) {
      if (signal.aborted) { this.emit(this.kept ? 'kept' : 'cancelled'); return null; }
      this.error = e;
      // A refusal that ends this session (gone, or a digest that does not match) leaves nothing to resume.
      if (e instanceof ApiError && (e.status === 404 || e.status === 410 || e.code === 'digest-mismatch')) this.forget();
      this.emit('failed');
      throw e;
    }
  }

  async transfer(signal) {
    let failures = 0;
    while (this.sent < this.size) {
      const from = this.sent;
      const to = Math.min(this.size, from + this.chunkSize);
      try {
        const response = await request('PATCH', this.url, {
          body: this.file.slice(from, to), signal, raw: true,
          headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(from) },
        });
        this.advance(Number(response.headers.get('Upload-Offset') ?? to));
        failures = 0;
      } catch (e) {
        if (signal.aborted) throw e;
        if (!retriable(e)) throw e;
        failures++;
        this.retries++;
        this.error = e;
        if (failures >= MAX_TRIES) {
          this.emit('stalled');
          await new Promise(resolve => { this.wake = resolve; });
          if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
          failures = 0;
        } else {
          this.emit('retrying');
          await sleep(BACKOFF_MS[failures - 1], signal);
        }
        await this.resync(signal);
        this.error = null;
        this.emit('sending');
      }
    }
  }

  /**
   * Asks the server where to go on: its offset is the truth after a cut. While it still holds the broken
   * append (it has not noticed the connection is gone yet) the session says `appending`: wait for that to end
   * (up to three minutes) rather than be refused.
   */
  async resync(signal) {
    const until = performance.now() + 180_000;
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      let session;
      try {
        session = await request('GET', this.url, { signal });
      } catch (e) {
        if (signal.aborted) throw e;
        return; // unreachable still, or gone: the next append fails and says why
      }
      this.sent = session.offset;
      this.resumedFrom = session.offset;
      this.samples = [[performance.now(), this.sent]];
      this.remember();
      if (!session.appending || performance.now() > until) return;
      this.emit('waiting');
      await sleep(wait, signal);
    }
  }

  /** The server acknowledged bytes up to offset: speed over the last 5 s, and time left at that speed. */
  advance(offset) {
    const now = performance.now();
    this.sent = offset;
    this.samples.push([now, offset]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0];
    if (now > t0 && offset > b0) this.speed = ((offset - b0) * 1000) / (now - t0);
    this.secondsLeft = this.speed > 0 ? (this.size - this.sent) / this.speed : null;
    this.remember();
    this.emit();
  }

  /** After a stall: try again now, from the server's offset. */
  resume() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Stops and discards what the server holds of this upload. */
  async cancel() {
    this.controller.abort();
    this.resume();
    this.forget();
    if (this.url) {
      try { await request('DELETE', this.url); } catch (e) { /* expired or gone already: nothing is kept either way */ }
    }
  }

  /** Stops sending but keeps the server's session (until it expires): picking the same file again resumes it. */
  keepForLater() {
    this.kept = true;
    this.remember();
    this.controller.abort();
    this.resume();
  }

  /**
   * The page is going away (closed or reloaded) while sending: discard the server's session with a
   * request that outlives the page (keepalive), unless the user chose to keep it.
   */
  discardOnUnload() {
    if (this.kept || !this.url) return;
    this.forget();
    this.controller.abort();
    try { fetch(this.url, { method: 'DELETE', keepalive: true, headers: authHeaders() }).catch(() => {}); } catch (e) { /* the page is gone */ }
  }
}

const PREFIX = 'modelyard.upload:';
function storageKey(model, version, file) {
  return PREFIX + JSON.stringify([model, version, file.name, file.size, file.lastModified]);
}

/** The upload of this file kept from an earlier page ({url, offset, size, filename, target}), or null. */
export function savedUpload(model, version, file) {
  try { return JSON.parse(sessionStorage.getItem(storageKey(model, version, file)) || 'null'); } catch (e) { return null; }
}

/** Every upload kept for this version: [{key, url, offset, size, fileName, filename}]. */
export function savedUploads(model, version) {
  const found = [];
  try {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i);
      if (!key?.startsWith(PREFIX)) continue;
      const [m, v] = JSON.parse(key.slice(PREFIX.length));
      if (m !== model || v !== version) continue;
      const value = JSON.parse(sessionStorage.getItem(key) || 'null');
      if (value?.url) found.push({ key, ...value });
    }
  } catch (e) { /* storage disabled */ }
  return found;
}

/** Discards a kept upload: forgets it here and on the server. */
export async function discardSaved(saved) {
  try { sessionStorage.removeItem(saved.key); } catch (e) { /* nothing kept */ }
  try { await request('DELETE', saved.url); } catch (e) { /* expired or gone already */ }
}

/** A cut connection, a cut-off or mis-placed append, a busy session, a slow link or a struggling server are worth another try. */
const RETRIABLE = new Set(['network-error', 'incomplete-upload', 'upload-offset-mismatch', 'concurrent-request',
  'upload-too-slow', 'too-many-uploads', 'database-unavailable']);
function retriable(e) {
  if (!(e instanceof ApiError)) return false;
  return RETRIABLE.has(e.code) || (e.status >= 500 && e.status !== 507);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('cancelled', 'AbortError')); }, { once: true });
  });
}

let handedOver = null;
/** A file dropped elsewhere (the version page) for the upload page to take: handOver(file), then takeHandedOver() once. */
export function handOver(file) { handedOver = file; }
export function takeHandedOver() { const file = handedOver; handedOver = null; return file; }
