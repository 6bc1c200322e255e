// Hashes one File or Blob off the page's thread: reads it in 4 MiB slices (File.slice, so the file is
// never in memory at once), feeds the incremental SHA-256, reports progress, answers the hex digest.
import { Sha256 } from './sha256.js';

const SLICE = 4 << 20;

self.onmessage = async ({ data }) => {
  try {
    const { file } = data;
    const hash = new Sha256();
    for (let at = 0; at < file.size; at += SLICE) {
      hash.update(new Uint8Array(await file.slice(at, Math.min(file.size, at + SLICE)).arrayBuffer()));
      self.postMessage({ type: 'progress', hashed: Math.min(file.size, at + SLICE) });
    }
    self.postMessage({ type: 'done', hex: hash.hex() });
  } catch (e) {
    self.postMessage({ type: 'error', message: `could not read the file: ${e.message}` });
  }
};
