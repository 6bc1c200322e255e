// #/git-sources/new and #/git-sources/:name/edit: create or change a git source. Secrets are never
// typed here: the form takes where the server reads them from (env:NAME or file:/path). The form
// checks what it can; the server's refusals are shown at the field they name (url, interval,
// credentials.passwordRef, role, ...), and a role the signed-in token could not give is refused there too.
import { html, render, nothing, live } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, fieldFor, toast } from '../../lib/ui.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const URL_SCHEMES = /^(https?|file):\/\//;
const INTERVAL = /^([0-9]+(s|m|h)|P(T([0-9]+H)?([0-9]+M)?([0-9]+S)?))$/i;
const REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/;
const BUILT_IN_ROLES = ['viewer', 'publisher', 'operator', 'admin'];
/** The id of a field's input from its JSON path ('credentials.passwordRef' → 'g-credentials-passwordRef'). */
const fid = path => `g-${path.replace(/[[\].]+/g, '-').replace(/-$/, '')}`;

export default function mount(el, ctx) {
  const editing = ctx.params.name || null;
  const f = { name: '', url: '', branch: 'main', path: '', interval: '1m', role: '', driftPolicy: 'flag', prune: false,
    username: '', passwordRef: '', webhookSecretRef: '' };
  let errors = {};
  let loadError = null;
  let serverError = null;
  let busy = false;
  let loaded = !editing;
  const controller = new AbortController();
  const signal = controller.signal;

  async function load() {
    try {
      const s = await api.get(`/git-sources/${seg(editing)}`, undefined, { signal });
      Object.assign(f, { name: s.name, url: s.url, branch: s.branch || '', path: s.path || '', interval: s.interval || '',
        role: s.role || '', driftPolicy: s.driftPolicy || 'flag', prune: Boolean(s.prune), username: s.credentials?.username || '',
        passwordRef: s.credentials?.passwordRef || '', webhookSecretRef: s.webhookSecretRef || '' });
      loaded = true;
    } catch (e) {
      if (e.name === 'AbortError') return;
      loadError = e;
    }
    draw();
    ctx.ready();
  }

  const str = v => (v.trim() === '' ? undefined : v.trim());

  function body() {
    const credentials = str(f.username) || str(f.passwordRef) ? { username: str(f.username), passwordRef: str(f.passwordRef) } : undefined;
    return { name: editing ? undefined : f.name.trim(), url: f.url.trim(), branch: str(f.branch), path: str(f.path), interval: str(f.interval),
      credentials, webhookSecretRef: str(f.webhookSecretRef), driftPolicy: f.driftPolicy, prune: f.prune, role: f.role.trim() };
  }

  function check() {
    errors = {};
    const need = (path, ok, message) => { if (!ok && !errors[path]) errors[path] = message; };
    if (!editing) need('name', NAME.test(f.name.trim()), 'Lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63.');
    need('url', URL_SCHEMES.test(f.url.trim()), 'An https://, http:// or file:// address of the repository.');
    need('interval', !f.interval.trim() || INTERVAL.test(f.interval.trim()), 'A duration such as 30s, 5m or 1h (at least 10 s).');
    need('role', f.role.trim(), 'The role the sync acts with, e.g. operator.');
    need('credentials.passwordRef', !f.passwordRef.trim() || REF.test(f.passwordRef.trim()), 'Where the server reads it: env:NAME or file:/path (never the secret itself).');
    need('credentials.passwordRef', !f.username.trim() || f.passwordRef.trim(), 'A user name needs a password reference.');
    need('webhookSecretRef', !f.webhookSecretRef.trim() || REF.test(f.webhookSecretRef.trim()), 'Where the server reads it: env:NAME or file:/path.');
    return Object.keys(errors).length === 0;
  }

  async function save() {
    serverError = null;
    if (!check()) { draw(); focusError(); return; }
    busy = true; draw();
    try {
      const saved = editing ? await api.put(`/git-sources/${seg(editing)}`, body()) : await api.post('/git-sources', body());
      toast(editing ? `Git source ${saved.name} saved` : `Git source ${saved.name} created: the first sync is on its way`);
      ctx.navigate(`/git-sources/${seg(saved.name)}`);
      return;
    } catch (e) {
      serverError = e;
      const field = e.field || (e.code === 'forbidden' || e.code === 'permission-not-held' ? 'role' : null);
      const at = field ? fieldFor(el, field, fid) : null;
      if (at) errors[at] = e.detail;
    } finally {
      busy = false;
      if (!signal.aborted) { draw(); focusError(); }
    }
  }

  function focusError() {
    requestAnimationFrame(() => el.querySelector('[aria-invalid="true"]')?.focus());
  }

  function describedBy(id, path, help) {
    return [help ? `${id}-help` : '', errors[path] ? `${id}-error` : ''].filter(Boolean).join(' ') || nothing;
  }

  function below(id, path, help) {
    return html`${help ? html`<p class="help" id="${id}-help">${help}</p>` : nothing}
      ${errors[path] ? html`<p class="error field-error" id="${id}-error">${errors[path]}</p>` : nothing}`;
  }

  function input(path, key, label, { help = '', placeholder = '', list = null } = {}) {
    const id = fid(path);
    return html`<div class="field"><label for=${id}>${label}</label>
      <input id=${id} .value=${live(f[key])} placeholder=${placeholder} autocomplete="off" list=${list || nothing}
        aria-invalid=${errors[path] ? 'true' : 'false'} aria-describedby=${describedBy(id, path, help)}
        @input=${e => { f[key] = e.target.value; if (errors[path]) { delete errors[path]; draw(); } }}>
      ${below(id, path, help)}</div>`;
  }

  function draw() {
    const title = editing ? `Edit git source ${editing}` : 'New git source';
    if (!loaded) {
      render(html`<h1>${title}</h1>${loadError ? errorView(loadError) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const policyId = fid('driftPolicy');
    render(html`
      <p class="crumbs"><a href="#/git-sources">Git sync</a> ›${editing ? html` <a href="#/git-sources/${seg(editing)}">${editing}</a> ›` : nothing}</p>
      <h1>${title}</h1>
      <form class="profile-form" novalidate @submit=${e => { e.preventDefault(); save(); }}>
        ${serverError ? errorView(serverError) : nothing}
        ${!editing ? input('name', 'name', 'Name', { help: 'e.g. fleet; objects it manages are recorded as managed by git:<name>.' }) : nothing}
        <h2>Repository</h2>
        ${input('url', 'url', 'Repository URL', { placeholder: 'https://git.example.com/ml/fleet.git', help: 'https://, http:// or file://; the server fetches it itself (no git program).' })}
        <div class="row">
          ${input('branch', 'branch', html`Branch <span class="optional">(default main)</span>`)}
          ${input('path', 'path', html`Folder <span class="optional">(empty: the repository's root)</span>`, { placeholder: 'fleet/prod' })}
          ${input('interval', 'interval', html`Interval <span class="optional">(default 1m)</span>`, { help: 'How often to look for a new commit: 30s, 5m, 1h; at least 10 s.' })}
        </div>
        <h2>Credentials</h2>
        <p class="help">Never the secret itself: the server reads it from its environment (<code>env:GITSYNC_…</code>) or a file (<code>file:/run/secrets/gitsync/…</code>) when it fetches; the server allows only its configured prefix and folder.</p>
        <div class="row">
          ${input('credentials.username', 'username', html`User name <span class="optional">(optional)</span>`)}
          ${input('credentials.passwordRef', 'passwordRef', html`Password or token from <span class="optional">(optional)</span>`, { placeholder: 'env:GITSYNC_FLEET_TOKEN' })}
          ${input('webhookSecretRef', 'webhookSecretRef', html`Webhook secret from <span class="optional">(optional)</span>`, { placeholder: 'env:GITSYNC_FLEET_HOOK',
            help: 'With it, POST /hooks/git/<tenant>/<name> signed with X-Hub-Signature-256 syncs at once.' })}
        </div>
        <h2>How it syncs</h2>
        ${input('role', 'role', 'Acts as role', { list: 'g-roles', help: 'The sync changes only what this role may; you must hold every permission it has.' })}
        <datalist id="g-roles">${BUILT_IN_ROLES.map(r => html`<option value=${r}></option>`)}</datalist>
        <div class="field"><label for=${policyId}>Drift policy</label>
          <select id=${policyId} aria-invalid=${errors.driftPolicy ? 'true' : 'false'} aria-describedby=${describedBy(policyId, 'driftPolicy', false)}
            @change=${e => { f.driftPolicy = e.target.value; delete errors.driftPolicy; draw(); }}>
            <option value="flag" ?selected=${f.driftPolicy === 'flag'}>flag: report objects changed outside git, leave them</option>
            <option value="revert" ?selected=${f.driftPolicy === 'revert'}>revert: put git's values back</option>
          </select>${below(policyId, 'driftPolicy', '')}</div>
        <label class="check" for=${fid('prune')}><input type="checkbox" id=${fid('prune')} .checked=${live(f.prune)} @change=${e => { f.prune = e.target.checked; }}>
          Prune: delete objects this source manages that a commit no longer declares</label>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${busy}>${busy ? 'Saving…' : editing ? 'Save git source' : 'Create git source'}</button>
          <a href=${editing ? `#/git-sources/${seg(editing)}` : '#/git-sources'}>Cancel</a>
        </div>
      </form>`, el);
  }

  draw();
  if (editing) load(); else ctx.ready();
  return () => controller.abort();
}
