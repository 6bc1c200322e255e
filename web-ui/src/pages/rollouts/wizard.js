// #/rollouts/new: the rollout wizard. Steps: what (model, version or alias), who (a filter with its
// live count, or a device group), phases, safety (failure budget, rate, schedule, maintenance
// window, approval), review (the JSON it sends, devices per phase). Each step checks its fields
// before Next; the server's refusals are shown at their field (`field` is a JSON path such as
// phases[1].size) on the step that holds it.
import { html, render, nothing, live, ref } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, toast } from '../../lib/ui.js';
import { mountFilterInput } from '../../lib/filter-input.js';

const STEPS = ['What', 'Who', 'Phases', 'Safety', 'Review'];
const SIZE = /^(\d{1,9}|\d{1,3}(\.\d{1,4})?%)$/;
const DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

const newPhase = (name, size) => ({ name, sizeKind: '%', sizeValue: size, bake: '', minSuccessPct: '', minSamples: '',
  approval: false, gateOn: false, gate: { maxErrorRate: '', maxP99Ratio: '', maxP99Ms: '', requireSelfTest: false, minDevices: '', minRequests: '', timeout: '' } });

/** The JSON path of a field → the id of its input ('phases[1].size' → 'f-phases-1-size'). */
const fid = path => `f-${path.replace(/[[\].]+/g, '-').replace(/-$/, '')}`;

/** Which step holds a field (by the first segment of its JSON path). */
function stepOf(path) {
  const head = (path || '').split(/[.[]/)[0];
  if (['name', 'description', 'model', 'version', 'type', 'lowPrecision'].includes(head)) return 0;
  if (['filter', 'group', 'dynamic', 'maxDevices'].includes(head)) return 1;
  if (head === 'phases') return 2;
  if (['failureBudget', 'rate', 'schedule', 'maintenanceWindow', 'approval'].includes(head)) return 3;
  return 4;
}

const num = v => (v === '' || v === null || v === undefined ? undefined : Number(v));
const text = v => (v === '' || v === null || v === undefined ? undefined : String(v).trim());
const prune = o => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export default function mount(el, ctx) {
  const f = {
    name: '', description: '', model: ctx.query.get('model') || '', version: ctx.query.get('version') || '',
    type: 'forced', lowPrecision: false,
    who: 'filter', filter: ctx.query.get('filter') || '', group: '', dynamic: false, maxDevices: '',
    phases: [newPhase('canary', '5'), newPhase('rest', '')],
    budgetOn: true, budget: { maxFailurePct: '5', minExecuted: '20', onFailure: 'pause' },
    rateOn: false, rate: { maxPerMinute: '1000', growthFactor: '', growEvery: '' },
    startAt: '', endAt: '',
    windowOn: false, window: { schedule: '0 2 * * *', duration: 'PT2H', zone: '' },
    approval: false,
  };
  f.phases[1].sizeValue = '';
  let step = 0;
  const errors = {};
  let serverError = null;
  let busy = false;
  let models = [];
  let choices = null; // {aliases, versions} of the chosen model
  let choicesFor = null;
  let groups = null;
  let count = null; // {q, count} or {q, error}
  const canCount = session.can('devices:read');
  const controller = new AbortController();
  const signal = controller.signal;

  // ---- data the steps offer -----------------------------------------------------------------

  let modelTimer = null;
  function searchModels() {
    clearTimeout(modelTimer);
    if (!session.can('models:read')) return;
    modelTimer = setTimeout(async () => {
      try {
        models = (await api.get('/models', { q: f.model.trim() || undefined, size: 20 }, { signal })).items;
        if (models.some(m => m.name === f.model.trim())) loadChoices();
        draw();
      } catch (e) { /* suggestions only */ }
    }, 250);
  }

  async function loadChoices() {
    const model = f.model.trim();
    if (!model || model === choicesFor || !session.can('models:read')) return;
    choicesFor = model;
    choices = null;
    try {
      const [aliases, versions] = await Promise.all([
        api.get(`/models/${seg(model)}/aliases`, undefined, { signal }),
        api.get(`/models/${seg(model)}/versions`, { status: 'published', size: 100 }, { signal }),
      ]);
      if (choicesFor === model) choices = { aliases, versions: versions.items };
      delete errors.model;
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (choicesFor === model) { choices = { aliases: [], versions: [] }; errors.model = e.status === 404 ? `There is no model '${model}'.` : e.detail; }
    }
    draw();
  }

  // the picker lists groups without counts (each count runs a filter over the fleet); the chosen one is counted
  async function loadGroups() {
    if (groups || !canCount) return;
    try { groups = (await api.get('/device-groups', { size: 500, counts: false }, { signal })).items; } catch (e) { groups = []; }
    draw();
    if (f.who === 'group' && f.group) countGroup(f.group);
  }

  const groupCounts = new Map(); // group name → devices matching now
  async function countGroup(name) {
    if (!name || groupCounts.has(name) || !canCount) return;
    try {
      const g = await api.get(`/device-groups/${seg(name)}`, undefined, { signal });
      groupCounts.set(name, g.count ?? null);
    } catch (e) { if (e.name !== 'AbortError') groupCounts.set(name, null); }
    draw();
  }

  /**
   * The filter step's input (lib/filter-input.js: builder, inline error at the bad token, live
   * count), mounted into its slot while the step is shown and destroyed when lit-html removes it.
   */
  let filterInput = null;
  let filterSlot = null;
  const filterRef = slot => {
    if (slot === filterSlot) return;
    if (filterInput) { f.filter = filterInput.value; filterInput.destroy(); }
    filterInput = null;
    filterSlot = slot || null;
    if (!slot) return;
    filterInput = mountFilterInput(slot, {
      id: 'rollout-filter', label: 'Filter', value: f.filter, count: true,
      onChange: text => { f.filter = text; delete errors.filter; },
      onCount: (n, e) => {
        f.filter = filterInput ? filterInput.value : f.filter;
        count = e ? { q: f.filter.trim(), error: e } : { q: f.filter.trim(), count: n };
        draw();
      },
    });
    if (pendingFilterError) { filterInput.showError(pendingFilterError); pendingFilterError = null; }
  };
  let pendingFilterError = null;
  const syncFilter = () => { if (filterInput) f.filter = filterInput.value; };

  /** How many devices the rollout reaches now: the filter's count, or the group's. */
  function reach() {
    if (f.who === 'group') return groupCounts.get(f.group) ?? null;
    return count && !count.error && count.q === f.filter.trim() ? count.count : null;
  }

  // ---- the request -----------------------------------------------------------------------------

  function phaseSize(p) {
    const v = String(p.sizeValue).trim();
    return v === '' ? undefined : p.sizeKind === '%' ? `${v}%` : v;
  }

  function body(start) {
    const iso = v => (v ? new Date(v).toISOString() : undefined);
    return prune({
      name: text(f.name), description: text(f.description), model: text(f.model), version: text(f.version),
      type: f.type, lowPrecision: f.lowPrecision || undefined,
      filter: f.who === 'filter' ? f.filter.trim() : undefined,
      group: f.who === 'group' ? f.group || undefined : undefined,
      dynamic: f.dynamic || undefined, maxDevices: f.dynamic ? num(f.maxDevices) : undefined,
      phases: f.phases.map(p => prune({
        name: text(p.name), size: phaseSize(p), bake: text(p.bake), minSuccessPct: num(p.minSuccessPct),
        minSamples: num(p.minSamples), approval: p.approval || undefined,
        gate: p.gateOn ? prune({
          maxErrorRate: num(p.gate.maxErrorRate), maxP99Ratio: num(p.gate.maxP99Ratio), maxP99Ms: num(p.gate.maxP99Ms),
          requireSelfTest: p.gate.requireSelfTest || undefined, minDevices: num(p.gate.minDevices),
          minRequests: num(p.gate.minRequests), timeout: text(p.gate.timeout) }) : undefined,
      })),
      failureBudget: f.budgetOn ? prune({ maxFailurePct: num(f.budget.maxFailurePct), minExecuted: num(f.budget.minExecuted), onFailure: f.budget.onFailure }) : undefined,
      rate: f.rateOn ? prune({ maxPerMinute: num(f.rate.maxPerMinute), growthFactor: num(f.rate.growthFactor), growEvery: text(f.rate.growEvery) }) : undefined,
      schedule: f.startAt || f.endAt ? prune({ startAt: iso(f.startAt), endAt: iso(f.endAt) }) : undefined,
      maintenanceWindow: f.windowOn ? prune({ schedule: text(f.window.schedule), duration: text(f.window.duration), zone: text(f.window.zone) }) : undefined,
      approval: f.approval || undefined,
      start: start || undefined,
    });
  }

  /** Devices each phase reaches with `total` matching now, as the server splits them (RolloutSpec.Phase.devicesOf; the last takes the rest). */
  function split(total) {
    if (total === null || total === undefined) return null;
    let left = total;
    return f.phases.map((p, i) => {
      if (i === f.phases.length - 1) return left;
      const size = phaseSize(p) || '0';
      const n = size.endsWith('%') ? (total > 0 ? Math.max(1, Math.ceil((total * parseFloat(size)) / 100 - 1e-9)) : 0) : Number(size);
      const take = Math.max(0, Math.min(left, n));
      left -= take;
      return take;
    });
  }

  // ---- checks per step --------------------------------------------------------------------

  function check(s) {
    for (const key of Object.keys(errors)) if (stepOf(key) === s) delete errors[key];
    const need = (path, ok, message) => { if (!ok && !errors[path]) errors[path] = message; };
    const isNum = (v, min, max) => v === '' || (Number.isFinite(Number(v)) && Number(v) >= min && (max === undefined || Number(v) <= max));
    const isDur = v => v === '' || DURATION.test(String(v).trim());
    if (s === 0) {
      need('name', f.name.trim(), 'Give the rollout a name (at most 200 characters).');
      need('name', f.name.length <= 200, 'At most 200 characters.');
      need('model', f.model.trim(), 'Choose the model to roll out.');
      need('version', f.version.trim(), 'Choose a version or an alias.');
    }
    if (s === 1) {
      if (f.who === 'group') need('group', f.group, 'Choose a device group.');
      if (f.who === 'filter' && count?.error && count.q === f.filter.trim()) errors.filter = errors.filter || count.error.detail;
      if (f.dynamic) need('maxDevices', isNum(f.maxDevices, 1), 'A whole number of at least 1, or empty for no limit.');
    }
    if (s === 2) {
      f.phases.forEach((p, i) => {
        const at = `phases[${i}]`;
        const size = phaseSize(p);
        if (i < f.phases.length - 1) need(`${at}.size`, size, 'Give a size: a percentage of the matching devices or a count.');
        if (size) need(`${at}.size`, SIZE.test(size) && parseFloat(size) > 0 && (!size.endsWith('%') || parseFloat(size) <= 100),
            p.sizeKind === '%' ? 'A percentage above 0 and at most 100.' : 'A whole number of devices, at least 1.');
        need(`${at}.bake`, isDur(p.bake), 'An ISO-8601 duration such as PT30M (30 minutes) or PT1H.');
        need(`${at}.minSuccessPct`, isNum(p.minSuccessPct, 0, 100), 'A percentage from 0 to 100.');
        need(`${at}.minSamples`, isNum(p.minSamples, 0) && Number.isInteger(Number(p.minSamples || 0)), 'A whole number, 0 or more.');
        if (p.gateOn) {
          need(`${at}.gate.maxErrorRate`, isNum(p.gate.maxErrorRate, 0, 1), 'A fraction from 0 to 1, e.g. 0.01 for 1 %.');
          need(`${at}.gate.maxP99Ratio`, isNum(p.gate.maxP99Ratio, 0), 'A number of at least 0, e.g. 1.5.');
          need(`${at}.gate.maxP99Ms`, isNum(p.gate.maxP99Ms, 0), 'Milliseconds, at least 0.');
          need(`${at}.gate.minDevices`, isNum(p.gate.minDevices, 0), 'A whole number, 0 or more.');
          need(`${at}.gate.minRequests`, isNum(p.gate.minRequests, 0), 'A whole number, 0 or more.');
          need(`${at}.gate.timeout`, isDur(p.gate.timeout), 'An ISO-8601 duration such as PT30M.');
        }
      });
    }
    if (s === 3) {
      if (f.budgetOn) {
        need('failureBudget.maxFailurePct', f.budget.maxFailurePct !== '' && isNum(f.budget.maxFailurePct, 0, 100), 'A percentage from 0 to 100.');
        need('failureBudget.minExecuted', isNum(f.budget.minExecuted, 1), 'A whole number of at least 1.');
      }
      if (f.rateOn) {
        need('rate.maxPerMinute', f.rate.maxPerMinute !== '' && isNum(f.rate.maxPerMinute, 1), 'Devices per minute, at least 1.');
        need('rate.growthFactor', isNum(f.rate.growthFactor, 1, 100), 'A factor from 1 to 100 (1: no growth).');
        need('rate.growEvery', isDur(f.rate.growEvery), 'An ISO-8601 duration such as PT5M.');
      }
      if (f.startAt && f.endAt) need('schedule.endAt', new Date(f.endAt) > new Date(f.startAt), 'The end must be after the start.');
      if (f.windowOn) {
        need('maintenanceWindow.schedule', f.window.schedule.trim().split(/\s+/).length === 5, 'A cron schedule of 5 fields, e.g. 0 2 * * * (02:00 every day).');
        need('maintenanceWindow.duration', f.window.duration.trim() && isDur(f.window.duration), 'An ISO-8601 duration such as PT2H.');
        need('maintenanceWindow', f.type !== 'downloadonly', 'A download-only rollout installs nothing, so it takes no maintenance window.');
      }
    }
    return !Object.keys(errors).some(key => stepOf(key) === s);
  }

  function goTo(target) {
    syncFilter();
    if (target > step) {
      for (let s = step; s < target; s++) {
        if (!check(s)) { step = s; draw(); focusFirstError(); return; }
      }
    }
    step = target;
    serverError = null;
    if (step === 1) loadGroups();
    draw();
    el.querySelector('h2')?.focus();
  }

  function focusFirstError() {
    requestAnimationFrame(() => el.querySelector('[aria-invalid="true"]')?.focus());
  }

  async function submit(start) {
    syncFilter();
    for (let s = 0; s < 4; s++) if (!check(s)) { step = s; draw(); focusFirstError(); return; }
    busy = true; serverError = null; draw();
    try {
      const created = await api.post('/rollouts', body(start));
      toast(start ? `Rollout ${created.name} created and started (${created.state})` : `Rollout ${created.name} saved as a draft`);
      ctx.navigate(`/rollouts/${created.id}`);
      return;
    } catch (e) {
      serverError = e;
      const path = e.problem?.field || (e.code === 'invalid-filter' ? 'filter' : null);
      if (path) {
        errors[path] = e.detail;
        if (path === 'filter') pendingFilterError = e;
        step = stepOf(path);
        focusFirstError();
      }
    } finally {
      busy = false;
      if (!signal.aborted) draw();
    }
  }

  // ---- drawing ----------------------------------------------------------------------------------

  /** An input bound to a path of the form, labelled, with its error beside it. */
  function field(path, label, get, set, { type = 'text', help = '', placeholder = '', attrs = {}, list } = {}) {
    const id = fid(path);
    const error = errors[path];
    const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type=${type} .value=${live(String(get() ?? ''))} placeholder=${placeholder} list=${list ?? nothing}
        step=${attrs.step ?? nothing} min=${attrs.min ?? nothing} max=${attrs.max ?? nothing}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
        @input=${e => { set(e.target.value); if (errors[path]) { delete errors[path]; draw(); } }}>
      ${help ? html`<p class="help" id="${id}-help">${help}</p>` : nothing}
      ${error ? html`<p class="error field-error" id="${id}-error">${error}</p>` : nothing}
    </div>`;
  }

  function check1(id, label, get, set) {
    return html`<label class="check" for=${id}><input type="checkbox" id=${id} .checked=${live(get())}
      @change=${e => { set(e.target.checked); draw(); }}> ${label}</label>`;
  }

  function stepWhat() {
    const versions = choices?.versions || [];
    return html`
      ${field('name', 'Name', () => f.name, v => { f.name = v; }, { help: 'Unique within the tenant, e.g. detector-2.1-stores.' })}
      ${field('description', html`Description <span class="optional">(optional)</span>`, () => f.description, v => { f.description = v; })}
      ${field('model', 'Model', () => f.model, v => { f.model = v; searchModels(); }, { list: 'model-options', help: 'Type to search; the versions and aliases appear below once the model is known.' })}
      <datalist id="model-options">${models.map(m => html`<option value=${m.name}></option>`)}</datalist>
      <p><button type="button" @click=${() => loadChoices()}>Show versions and aliases</button></p>
      ${field('version', 'Version or alias', () => f.version, v => { f.version = v; }, { list: 'version-options',
        help: 'A version number, an alias (resolved when the rollout is created) or latest.' })}
      <datalist id="version-options">
        ${(choices?.aliases || []).map(a => html`<option value=${a.name}>alias → ${a.version}</option>`)}
        ${versions.map(v => html`<option value=${v.version}>${v.status}</option>`)}
      </datalist>
      ${choices ? html`<p class="help">${choices.aliases.length ? html`Aliases: ${choices.aliases.map(a => html`<button type="button" class="link" @click=${() => { f.version = a.name; draw(); }}>${a.name} (→ ${a.version})</button> `)}` : 'No aliases.'}
        ${versions.length ? html`· Published: ${versions.slice(0, 8).map(v => html`<button type="button" class="link" @click=${() => { f.version = v.version; draw(); }}>${v.version}</button> `)}` : '· No published version: publish one first.'}</p>` : nothing}
      <div class="field"><label for="f-type">Deployment type</label>
        <select id="f-type" @change=${e => { f.type = e.target.value; draw(); }}>
          ${['forced', 'soft', 'downloadonly'].map(t => html`<option ?selected=${f.type === t}>${t}</option>`)}
        </select>
        <p class="help">forced installs at once; soft lets the device choose when; downloadonly only downloads.</p></div>
      ${check1('f-lowPrecision', 'Allow low-precision artifacts (int8, fp16) where a device prefers them', () => f.lowPrecision, v => { f.lowPrecision = v; })}`;
  }

  function stepWho() {
    const n = reach();
    return html`
      <fieldset><legend>Devices</legend>
        <label class="check"><input type="radio" name="who" value="filter" .checked=${live(f.who === 'filter')} @change=${() => { f.who = 'filter'; draw(); }}> A device filter</label>
        <label class="check"><input type="radio" name="who" value="group" .checked=${live(f.who === 'group')} @change=${() => { f.who = 'group'; loadGroups(); draw(); }}> A device group (its filter is copied now)</label>
      </fieldset>
      ${f.who === 'filter' ? html`<div ${ref(filterRef)}></div>
        ${errors.filter && errors.filter !== count?.error?.detail && errors.filter !== pendingFilterError?.detail ? html`<p class="error field-error" role="alert">${errors.filter}</p>` : nothing}` : html`
        <div class="field"><label for="f-group">Device group</label>
          <select id="f-group" aria-invalid=${errors.group ? 'true' : 'false'} aria-describedby=${errors.group ? 'f-group-error' : nothing}
            @change=${e => { f.group = e.target.value; delete errors.group; countGroup(f.group); draw(); }}>
            <option value="">Choose a group…</option>
            ${(groups || []).map(g => html`<option value=${g.name} ?selected=${g.name === f.group}>${g.name}${groupCounts.has(g.name) && groupCounts.get(g.name) != null ? ` (${groupCounts.get(g.name)} devices)` : ''}</option>`)}
          </select>
          ${errors.group ? html`<p class="error field-error" id="f-group-error">${errors.group}</p>` : nothing}
          ${groups && !groups.length ? html`<p class="help">No device groups yet: use a filter, or create a group on the Devices page.</p>` : nothing}</div>`}
      ${f.who === 'group' || !canCount ? html`<p role="status" aria-live="polite" data-testid="reach">${!canCount ? 'Your token cannot read devices, so the match count is not shown.'
        : n === null ? 'Choose a group to see how many devices it has.' : html`<strong>${n.toLocaleString()}</strong> devices match now.`}</p>` : nothing}
      ${check1('f-dynamic', 'Dynamic: devices that match later (new, or changed) join the current phase', () => f.dynamic, v => { f.dynamic = v; })}
      ${f.dynamic ? field('maxDevices', html`At most this many devices <span class="optional">(optional)</span>`, () => f.maxDevices, v => { f.maxDevices = v; }, { type: 'number', attrs: { min: 1 } }) : nothing}`;
  }

  function stepPhases() {
    const counts = split(reach());
    const move = (i, d) => { const [p] = f.phases.splice(i, 1); f.phases.splice(i + d, 0, p); clearPhaseErrors(); draw(); };
    return html`
      <p class="help">Each phase is assigned in turn; the last phase takes every device that remains. A phase passes when enough
        of its devices succeeded (and its health gate, if any, passes) after its bake time.</p>
      <ol class="phase-list">${f.phases.map((p, i) => {
        const at = `phases[${i}]`;
        const last = i === f.phases.length - 1;
        return html`<li><fieldset class="phase-edit"><legend>Phase ${i + 1}${counts ? ` · ${counts[i].toLocaleString()} devices now` : ''}</legend>
          <div class="row">
            ${field(`${at}.name`, 'Phase name', () => p.name, v => { p.name = v; })}
            <div class="field"><label for=${fid(`${at}.sizeKind`)}>Size in</label>
              <select id=${fid(`${at}.sizeKind`)} @change=${e => { p.sizeKind = e.target.value; draw(); }}>
                <option value="%" ?selected=${p.sizeKind === '%'}>% of matching devices</option>
                <option value="count" ?selected=${p.sizeKind !== '%'}>devices (a count)</option>
              </select></div>
            ${field(`${at}.size`, last ? html`Size <span class="optional">(empty: all the rest)</span>` : 'Size', () => p.sizeValue, v => { p.sizeValue = v; draw(); }, { type: 'number', attrs: { min: 0, step: 'any' } })}
          </div>
          <div class="row">
            ${field(`${at}.bake`, html`Bake time <span class="optional">(ISO-8601)</span>`, () => p.bake, v => { p.bake = v; }, { placeholder: 'PT30M' })}
            ${field(`${at}.minSuccessPct`, html`Minimum success % <span class="optional">(default 100)</span>`, () => p.minSuccessPct, v => { p.minSuccessPct = v; }, { type: 'number', attrs: { min: 0, max: 100, step: 'any' } })}
            ${field(`${at}.minSamples`, html`Minimum executed devices <span class="optional">(default 1)</span>`, () => p.minSamples, v => { p.minSamples = v; }, { type: 'number', attrs: { min: 0 } })}
          </div>
          ${check1(fid(`${at}.approval`), 'Wait for an approval before this phase starts', () => p.approval, v => { p.approval = v; })}
          ${check1(fid(`${at}.gateOn`), 'Health gate: judge what the devices report about the new version', () => p.gateOn, v => { p.gateOn = v; })}
          ${p.gateOn ? html`<div class="row">
            ${field(`${at}.gate.maxErrorRate`, 'Max error rate (0–1)', () => p.gate.maxErrorRate, v => { p.gate.maxErrorRate = v; }, { type: 'number', attrs: { min: 0, max: 1, step: 'any' }, placeholder: '0.01' })}
            ${field(`${at}.gate.maxP99Ratio`, 'Max p99 vs replaced (×)', () => p.gate.maxP99Ratio, v => { p.gate.maxP99Ratio = v; }, { type: 'number', attrs: { min: 0, step: 'any' }, placeholder: '1.5' })}
            ${field(`${at}.gate.maxP99Ms`, 'Max p99 (ms)', () => p.gate.maxP99Ms, v => { p.gate.maxP99Ms = v; }, { type: 'number', attrs: { min: 0, step: 'any' } })}
            ${field(`${at}.gate.minDevices`, 'Min devices reporting', () => p.gate.minDevices, v => { p.gate.minDevices = v; }, { type: 'number', attrs: { min: 0 }, placeholder: '1' })}
            ${field(`${at}.gate.minRequests`, 'Min requests', () => p.gate.minRequests, v => { p.gate.minRequests = v; }, { type: 'number', attrs: { min: 0 }, placeholder: '0' })}
            ${field(`${at}.gate.timeout`, 'Wait for data at most', () => p.gate.timeout, v => { p.gate.timeout = v; }, { placeholder: 'PT30M' })}
            ${check1(fid(`${at}.gate.requireSelfTest`), 'Require a passed self-test', () => p.gate.requireSelfTest, v => { p.gate.requireSelfTest = v; })}
          </div>` : nothing}
          <div class="actions" role="group" aria-label="Phase ${i + 1}">
            <button type="button" ?disabled=${i === 0} @click=${() => move(i, -1)}>Move phase ${i + 1} up</button>
            <button type="button" ?disabled=${last} @click=${() => move(i, 1)}>Move phase ${i + 1} down</button>
            <button type="button" ?disabled=${f.phases.length === 1} @click=${() => { f.phases.splice(i, 1); clearPhaseErrors(); draw(); }}>Remove phase ${i + 1}</button>
          </div>
        </fieldset></li>`;
      })}</ol>
      <button type="button" @click=${() => { f.phases.splice(f.phases.length - 1, 0, newPhase(`phase-${f.phases.length}`, '20')); draw(); }}
        ?disabled=${f.phases.length >= 100}>Add a phase</button>`;
  }

  function clearPhaseErrors() {
    for (const key of Object.keys(errors)) if (key.startsWith('phases')) delete errors[key];
  }

  function stepSafety() {
    return html`
      <fieldset><legend>Failure budget</legend>
        ${check1('f-budgetOn', 'Stop the rollout when too many devices fail', () => f.budgetOn, v => { f.budgetOn = v; })}
        ${f.budgetOn ? html`<div class="row">
          ${field('failureBudget.maxFailurePct', 'Max failed %', () => f.budget.maxFailurePct, v => { f.budget.maxFailurePct = v; }, { type: 'number', attrs: { min: 0, max: 100, step: 'any' } })}
          ${field('failureBudget.minExecuted', 'Once this many executed', () => f.budget.minExecuted, v => { f.budget.minExecuted = v; }, { type: 'number', attrs: { min: 1 } })}
          <div class="field"><label for="f-failureBudget-onFailure">Then</label>
            <select id="f-failureBudget-onFailure" aria-invalid=${errors['failureBudget.onFailure'] ? 'true' : 'false'} @change=${e => { f.budget.onFailure = e.target.value; draw(); }}>
              <option value="pause" ?selected=${f.budget.onFailure === 'pause'}>pause</option>
              <option value="rollback" ?selected=${f.budget.onFailure === 'rollback'} ?disabled=${!session.can('rollouts:rollback')}>roll back${session.can('rollouts:rollback') ? '' : ' (needs rollouts:rollback)'}</option>
            </select>
            ${errors['failureBudget.onFailure'] ? html`<p class="error field-error">${errors['failureBudget.onFailure']}</p>` : nothing}</div>
        </div>` : nothing}
      </fieldset>
      <fieldset><legend>Rate</legend>
        ${check1('f-rateOn', 'Limit how fast devices are assigned', () => f.rateOn, v => { f.rateOn = v; })}
        ${f.rateOn ? html`<div class="row">
          ${field('rate.maxPerMinute', 'Devices per minute', () => f.rate.maxPerMinute, v => { f.rate.maxPerMinute = v; }, { type: 'number', attrs: { min: 1 } })}
          ${field('rate.growthFactor', html`Grow by × <span class="optional">(optional)</span>`, () => f.rate.growthFactor, v => { f.rate.growthFactor = v; }, { type: 'number', attrs: { min: 1, max: 100, step: 'any' }, placeholder: '2' })}
          ${field('rate.growEvery', html`every <span class="optional">(ISO-8601, default PT1M)</span>`, () => f.rate.growEvery, v => { f.rate.growEvery = v; }, { placeholder: 'PT5M' })}
        </div>` : nothing}
      </fieldset>
      <fieldset><legend>Schedule <span class="optional">(optional, your local time)</span></legend><div class="row">
        ${field('schedule.startAt', 'Start at', () => f.startAt, v => { f.startAt = v; }, { type: 'datetime-local', help: 'A started rollout waits until then.' })}
        ${field('schedule.endAt', 'End at', () => f.endAt, v => { f.endAt = v; }, { type: 'datetime-local', help: 'No new assignments after it.' })}
      </div></fieldset>
      <fieldset><legend>Maintenance window</legend>
        ${check1('f-windowOn', 'Install only inside a maintenance window', () => f.windowOn, v => { f.windowOn = v; })}
        ${errors.maintenanceWindow ? html`<p class="error field-error">${errors.maintenanceWindow}</p>` : nothing}
        ${f.windowOn ? html`<div class="row">
          ${field('maintenanceWindow.schedule', 'Opens (cron, 5 fields)', () => f.window.schedule, v => { f.window.schedule = v; })}
          ${field('maintenanceWindow.duration', 'Lasts (ISO-8601)', () => f.window.duration, v => { f.window.duration = v; })}
          ${field('maintenanceWindow.zone', html`Time zone <span class="optional">(empty: the device's)</span>`, () => f.window.zone, v => { f.window.zone = v; }, { placeholder: 'Europe/Berlin' })}
        </div>` : nothing}
      </fieldset>
      <fieldset><legend>Approval</legend>
        ${check1('f-approval', 'A second person must approve before the rollout starts', () => f.approval, v => { f.approval = v; })}
      </fieldset>`;
  }

  function stepReview() {
    const n = reach();
    const counts = split(n);
    const json = JSON.stringify(body(false), null, 2);
    return html`
      <p>${f.model} <strong>${f.version}</strong> for ${f.who === 'group' ? html`group <strong>${f.group}</strong>` : html`<code>${f.filter || 'every device'}</code>`}
        ${n === null ? nothing : html`: <strong>${n.toLocaleString()}</strong> devices match now`}.</p>
      <div class="table-wrap"><table>
        <caption>Devices each phase reaches now</caption>
        <thead><tr><th scope="col">Phase</th><th scope="col">Size</th><th scope="col">Devices</th><th scope="col">Then</th></tr></thead>
        <tbody>${f.phases.map((p, i) => html`<tr><td>${i + 1}. ${p.name || `phase-${i + 1}`}</td><td>${phaseSize(p) || 'the rest'}</td>
          <td>${counts ? counts[i].toLocaleString() : '—'}</td>
          <td>${p.approval ? 'approval, ' : ''}bake ${p.bake || 'none'}, ${p.minSuccessPct || 100} % success${p.gateOn ? ', health gate' : ''}</td></tr>`)}</tbody>
      </table></div>
      <h3>The request</h3>
      <pre class="json" tabindex="0" role="region" aria-label="Request body" data-testid="rollout-json">${json}</pre>
      ${serverError && !serverError.problem?.field ? errorView(serverError) : nothing}
      <div class="actions">
        <button type="button" ?disabled=${busy} @click=${() => submit(false)}>Create as draft</button>
        ${session.can('rollouts:update') ? html`<button type="button" class="primary" ?disabled=${busy} @click=${() => submit(true)}>Create and start</button>` : nothing}
        ${busy ? html`<span role="status">Creating…</span>` : nothing}
      </div>`;
  }

  function draw() {
    const views = [stepWhat, stepWho, stepPhases, stepSafety, stepReview];
    render(html`
      <p class="crumbs"><a href="#/rollouts">Rollouts</a> ›</p>
      <h1>New rollout</h1>
      <ol class="steps" aria-label="Steps">${STEPS.map((s, i) => html`<li aria-current=${i === step ? 'step' : nothing}
          class=${i < step ? 'done' : ''}><button type="button" class="link" @click=${() => goTo(i)}>${i + 1}. ${s}${i < step ? ' ✓' : ''}</button></li>`)}</ol>
      <form class="wizard" novalidate @submit=${e => { e.preventDefault(); if (step < 4) goTo(step + 1); }}>
        <h2 tabindex="-1">Step ${step + 1} of ${STEPS.length}: ${STEPS[step]}</h2>
        ${serverError && serverError.problem?.field && stepOf(serverError.problem.field) === step
          ? html`<p class="error" role="alert">The server refused ${serverError.problem.field}: see the marked field.</p>` : nothing}
        ${views[step]()}
        <div class="actions wizard-nav">
          <button type="button" ?disabled=${step === 0} @click=${() => goTo(step - 1)}>Back</button>
          ${step < 4 ? html`<button type="submit" class="primary">Next</button>` : nothing}
        </div>
      </form>`, el);
  }

  draw();
  searchModels();
  if (f.model) loadChoices();
  ctx.ready();
  return () => { controller.abort(); filterInput?.destroy(); clearTimeout(modelTimer); };
}
