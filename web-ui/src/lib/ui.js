// Shared pieces every page uses, so errors, confirmations, paging and notices look and behave the same.
import { html, render, nothing } from './vendor.js';
import { advice } from './messages.js';

/**
 * An error as the user should see it: what went wrong (the server's detail) and what to do
 * (from the problem's stable code, see messages.js). Accepts an ApiError or any Error.
 */
export function errorView(error) {
  if (!error) return nothing;
  const hint = advice(error);
  return html`<div class="error-box" role="alert">
    <p><strong>${error.detail || error.message}</strong>${error.code ? html` <code class="code">${error.code}</code>` : nothing}</p>
    ${hint ? html`<p>${hint}</p>` : nothing}
  </div>`;
}

/** The error of one form field, linked to its input by id (aria-describedby=`${id}-error`). */
export function fieldError(id, message) {
  return message ? html`<p id="${id}-error" class="error field-error">${message}</p>` : nothing;
}

/**
 * Asks the user to confirm a consequential action in a modal <dialog>. Resolves true or false.
 * confirm({title, body, confirmLabel, danger, typeToConfirm}) — typeToConfirm makes the user type a name.
 */
/**
 * Where a form shows a server error about `path` (a field path such as `target.cpuFeatures` or
 * `steps[1].options`): the path itself when the form has a field with that id (`idOf(path)`), else
 * its nearest parent path that it has, else null (the error is shown at the top of the form).
 */
export function fieldFor(root, path, idOf) {
  let p = path;
  while (p) {
    if (root.querySelector(`#${CSS.escape(idOf(p))}`)) return p;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
  }
  return null;
}

export function confirm({ title, body = nothing, confirmLabel = 'Confirm', danger = false, typeToConfirm = null }) {
  return new Promise(resolve => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    document.body.appendChild(dialog);
    const finish = value => { dialog.close(); dialog.remove(); resolve(value); };
    let typed = '';
    const draw = () => render(html`
      <form method="dialog" @submit=${e => { e.preventDefault(); if (!typeToConfirm || typed === typeToConfirm) finish(true); }}>
        <h2 id="confirm-title">${title}</h2>
        <div>${body}</div>
        ${typeToConfirm ? html`<label for="confirm-typed">Type <code>${typeToConfirm}</code> to confirm</label>
          <input id="confirm-typed" autocomplete="off" @input=${e => { typed = e.target.value; draw(); }}>` : nothing}
        <div class="actions">
          <button type="button" @click=${() => finish(false)}>Cancel</button>
          <button type="submit" class=${danger ? 'danger' : 'primary'} ?disabled=${typeToConfirm && typed !== typeToConfirm}>${confirmLabel}</button>
        </div>
      </form>`, dialog);
    dialog.addEventListener('cancel', e => { e.preventDefault(); finish(false); });
    draw();
    dialog.showModal();
    dialog.querySelector(typeToConfirm ? '#confirm-typed' : 'button[type="submit"]')?.focus();
  });
}

let toastRegion = null;
/** A short notice in a polite live region ("Version 1.2.0 published"); kind: 'ok' | 'error'. */
export function toast(message, kind = 'ok') {
  if (!toastRegion) {
    toastRegion = document.createElement('div');
    toastRegion.className = 'toasts';
    toastRegion.setAttribute('role', 'status');
    toastRegion.setAttribute('aria-live', 'polite');
    document.body.appendChild(toastRegion);
  }
  const item = document.createElement('p');
  item.className = `toast ${kind}`;
  item.textContent = message;
  toastRegion.appendChild(item);
  setTimeout(() => item.remove(), 6000);
}

/**
 * Paging controls for the API's {items, page, size, total} pages (page is 0-based).
 * onPage(newPage) is called with the page to load.
 */
export function pager(result, onPage, label = 'Pages') {
  if (!result || result.total === undefined) return nothing;
  const pages = Math.max(1, Math.ceil(result.total / result.size));
  const from = result.total === 0 ? 0 : result.page * result.size + 1;
  const to = Math.min(result.total, (result.page + 1) * result.size);
  return html`<nav class="pager" aria-label=${label}>
    <button ?disabled=${result.page === 0} @click=${() => onPage(result.page - 1)}>Previous</button>
    <span>${from}–${to} of ${result.total.toLocaleString()}</span>
    <button ?disabled=${result.page + 1 >= pages} @click=${() => onPage(result.page + 1)}>Next</button>
  </nav>`;
}

/** A progress bar with a text equivalent (value and max numbers; label names what progresses). */
export function progressBar(value, max, label) {
  const pct = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  return html`<div class="progress"><progress value=${value} max=${max} aria-label=${label}></progress>
    <span>${pct.toFixed(0)} %</span></div>`;
}

/** Status as a coloured badge with the word always shown (colour is never the only signal). */
export function badge(status) {
  const kind = /fail|error|revoked|cancel|rolled/.test(status) ? 'bad'
      : /succe|publish|finish|online|ready|done|ok/.test(status) ? 'ok'
      : /pause|wait|deprecat|warn|pending|offline/.test(status) ? 'warn' : 'neutral';
  return html`<span class="badge ${kind}">${status}</span>`;
}
