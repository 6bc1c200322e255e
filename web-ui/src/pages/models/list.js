// #/models: the models of the tenant, searched by name prefix and filtered by label, framework and task
// on the server (one page at a time), and a form to create one.
import { html, render, nothing } from '../../lib/vendor.js';
import { api } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, fieldError, pager, toast } from '../../lib/ui.js';
import { relative } from '../../lib/format.js';
import { href, pathSeg } from '../../lib/router.js';

const SIZE = 50;

export default function mount(el, ctx) {
  const q = ctx.query;
  const filters = { q: q.get('q') || '', label: q.get('label') || '', framework: q.get('framework') || '', task: q.get('task') || '' };
  let page = Number(q.get('page') || 0);
  let result = null;
  let error = null;
  let loading = true;
  let creating = false;
  let form = { name: '', description: '', task: '', framework: '', labels: '' };
  let formErrors = {};
  let formError = null;
  let controller = null;
  let typing = null;
  let readyCalled = false;

  async function load() {
    controller?.abort();
    controller = new AbortController();
    loading = true;
    draw();
    try {
      result = await api.get('/models', { ...filters, page, size: SIZE }, { signal: controller.signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    loading = false;
    draw();
    if (!readyCalled) { readyCalled = true; ctx.ready(); }
  }

  /** Keeps the filters in the address (a reload or a shared link shows the same list) without remounting. */
  function remember() {
    history.replaceState(null, '', href('/models', { ...filters, page: page || '' }));
  }

  function setFilter(name, value, { debounce = false } = {}) {
    filters[name] = value.trim();
    page = 0;
    remember();
    clearTimeout(typing);
    if (debounce) typing = setTimeout(load, 250); else load();
  }

  function labelsOf(text) {
    const labels = {};
    for (const part of text.split(',').map(s => s.trim()).filter(Boolean)) {
      const at = part.indexOf('=') >= 0 ? part.indexOf('=') : part.indexOf(':');
      if (at <= 0) throw new Error(`'${part}' is not key=value`);
      labels[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    return labels;
  }

  async function create(e) {
    e.preventDefault();
    formErrors = {};
    formError = null;
    let labels;
    try { labels = labelsOf(form.labels); } catch (bad) { formErrors.labels = `Labels: ${bad.message}; write them as team=vision, stage=beta.`; draw(); return; }
    const body = { name: form.name.trim() };
    for (const key of ['description', 'task', 'framework']) if (form[key].trim()) body[key] = form[key].trim();
    if (Object.keys(labels).length) body.labels = labels;
    try {
      const model = await api.post('/models', body);
      toast(`Model ${model.name} created`);
      ctx.navigate(`/models/${pathSeg(model.name)}`);
    } catch (err) {
      const field = (err.problem?.field || '').split(/[.[]/)[0];
      if (field && field in form) formErrors[field] = err.detail;
      else if (err.code === 'already-exists') formErrors.name = err.detail;
      else formError = err;
      draw();
      el.querySelector('[aria-invalid="true"]')?.focus();
    }
  }

  const input = (id, label, help, attrs = {}) => html`
    <label for="new-${id}">${label}${attrs.optional ? html` <span class="optional">(optional)</span>` : nothing}</label>
    ${help ? html`<p class="help" id="new-${id}-help">${help}</p>` : nothing}
    <input id="new-${id}" .value=${form[id]} ?required=${!attrs.optional} aria-invalid=${formErrors[id] ? 'true' : 'false'}
      aria-describedby="${help ? `new-${id}-help` : ''} ${formErrors[id] ? `new-${id}-error` : ''}"
      @input=${e => { form[id] = e.target.value; }}>
    ${fieldError(`new-${id}`, formErrors[id])}`;

  function draw() {
    const canCreate = session.can('models:create');
    render(html`
      <div class="page-head models-head">
        <h1>Models</h1>
        ${canCreate && !creating ? html`<button class="primary" @click=${() => { creating = true; draw(); el.querySelector('#new-name')?.focus(); }}>New model</button>` : nothing}
      </div>
      ${creating ? html`
        <form class="panel" @submit=${create} novalidate>
          <h2>New model</h2>
          ${input('name', 'Name', 'Lowercase letters, digits, dot, dash, underscore; up to 63 characters, e.g. kws-small.')}
          ${input('description', 'Description', null, { optional: true })}
          ${input('task', 'Task', 'e.g. keyword-spotting, object-detection', { optional: true })}
          ${input('framework', 'Framework', 'e.g. pytorch, tensorflow, onnx', { optional: true })}
          ${input('labels', 'Labels', 'key=value pairs separated by commas, e.g. team=vision, stage=beta', { optional: true })}
          ${errorView(formError)}
          <div class="actions">
            <button type="submit" class="primary">Create model</button>
            <button type="button" @click=${() => { creating = false; formErrors = {}; formError = null; draw(); }}>Cancel</button>
          </div>
        </form>` : nothing}
      <form class="filters" role="search" aria-label="Filter models" @submit=${e => { e.preventDefault(); load(); }}>
        <div><label for="f-q">Name starts with</label>
          <input id="f-q" type="search" .value=${filters.q} @input=${e => setFilter('q', e.target.value, { debounce: true })}></div>
        <div><label for="f-label">Filter by label</label>
          <input id="f-label" placeholder="team:vision" .value=${filters.label} @change=${e => setFilter('label', e.target.value)}></div>
        <div><label for="f-framework">Filter by framework</label>
          <input id="f-framework" .value=${filters.framework} @change=${e => setFilter('framework', e.target.value)}></div>
        <div><label for="f-task">Filter by task</label>
          <input id="f-task" .value=${filters.task} @change=${e => setFilter('task', e.target.value)}></div>
      </form>
      ${errorView(error)}
      ${result ? html`
        <p class="help" aria-live="polite">${loading ? 'Loading…' : `${result.total.toLocaleString()} model${result.total === 1 ? '' : 's'}`}</p>
        ${result.items.length === 0 && !loading ? html`<p>No model matches. ${Object.values(filters).some(Boolean) ? 'Clear the filters to see all models.' : canCreate ? 'Create the first one with "New model".' : ''}</p>` : html`
        <div class="table-wrap"><table>
          <caption class="visually-hidden">Models</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Task</th><th scope="col">Framework</th><th scope="col">Labels</th>
            <th scope="col">Latest release</th><th scope="col">Aliases</th><th scope="col">Updated</th></tr></thead>
          <tbody>${result.items.map(m => html`<tr>
            <td><a href=${`#/models/${pathSeg(m.name)}`}>${m.name}</a>${m.description ? html`<div class="help">${m.description}</div>` : nothing}</td>
            <td>${m.task || '—'}</td><td>${m.framework || '—'}</td>
            <td>${Object.entries(m.labels || {}).map(([k, v]) => html`<span class="chip">${k}=${v}</span> `)}</td>
            <td>${m.latestVersion || '—'}</td>
            <td>${Object.entries(m.aliases || {}).map(([a, v]) => html`<span class="chip">${a} → ${v}</span> `)}</td>
            <td title=${m.updatedAt || ''}>${relative(m.updatedAt)}</td></tr>`)}
          </tbody></table></div>
        ${pager(result, p => { page = p; remember(); load(); }, 'Model pages')}`}` : loading ? html`<p class="loading">Loading models…</p>` : nothing}`, el);
  }

  load();
  return () => { controller?.abort(); clearTimeout(typing); };
}
