// Pieces the git sync pages share: the status badge, short commits, an error's place, the refresh
// period. The server sends no live events for git sources, so their pages re-read on a timer, and
// only while they are open.
import { html, nothing } from '../../lib/vendor.js';

/** How often an open git sync page re-reads its source(s). */
export const REFRESH_MS = 5000;

/** A commit as git shows it short; the full SHA is in the title for hover and copy. */
export function commit(sha) {
  if (!sha) return html`<span class="help">none yet</span>`;
  return html`<code class="mono" title=${sha}>${sha.slice(0, 12)}</code>`;
}

/** The source's status as a badge whose word is always shown: synced, failed or pending. */
export function statusBadge(status) {
  const kind = status === 'synced' ? 'ok' : status === 'failed' ? 'bad' : 'warn';
  return html`<span class="badge ${kind}" data-testid="git-status">${status || 'pending'}</span>`;
}

/** What an attempt's outcome means, in words. */
export const OUTCOMES = {
  applied: 'applied the commit',
  unchanged: 'nothing to change',
  'drift-reverted': 'put back objects changed outside git',
  'drift-flagged': 'found objects changed outside git (flagged, left as they are)',
  failed: 'failed: nothing changed',
};

/** Where an error is, as file:line:col (the parts there are), or null for an error not about a file. */
export function place(e) {
  if (!e.file) return null;
  return `${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}`;
}

/** One error of an attempt: `file:line:col message` (the message starts with the field's path when it has one). */
export function errorItem(e) {
  const where = place(e);
  return html`<li>${where ? html`<code class="mono">${where}</code> ` : nothing}${e.message}</li>`;
}

/** A field difference's value as JSON, or (none). */
export const shown = v => (v === null || v === undefined ? '(none)' : JSON.stringify(v));
