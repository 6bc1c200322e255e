// #/conversion/profiles/new and #/conversion/profiles/:name: create or edit a target profile:
// its steps (built-in converters with their parameters; command steps only with profiles:command),
// the target, the tolerance, timeout and attempts. The form checks what it can; the server's
// refusals are shown at their field (`field` is a JSON path such as steps[0].params.level).
import { html, render, nothing, live } from '../../lib/vendor.js';
import { api, seg } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, confirm, fieldFor, toast } from '../../lib/ui.js';
import { CONVERTERS, OPTIMIZING, optimizes, subnav, fid } from './common.js';

const ARCHES = ['any', 'x86_64', 'aarch64', 'armv7', 'armv6', 'riscv64'];
const PRECISIONS = ['fp32', 'fp16', 'bf16', 'int8', 'uint8', 'int4', 'mixed'];
const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

const newStep = () => ({ type: 'builtin', converter: 'ort-optimize', params: {}, command: '', paramsJson: '', timeoutSeconds: '', outputFormat: '' });

export default function mount(el, ctx) {
  const editing = ctx.params.name || null;
  const mayCommand = session.can('profiles:command');
  const mayWrite = editing ? session.can('profiles:update') : session.can('profiles:create');
  const f = {
    name: '', description: '', enabled: true, steps: [newStep()],
    target: { format: 'onnx', runtime: '', arch: 'any', accelerator: '', precision: 'fp32', minMemoryMb: '', os: '', cpuFeatures: '' },
    tolerance: { maxAbsError: '', minCosine: '' }, timeoutSeconds: '', maxAttempts: '',
    optimized: null, // null: the steps decide (the server's default); a boolean only with a command step
  };
  let errors = {};
  let loadError = null;
  let serverError = null;
  let busy = false;
  let loaded = !editing;
  let hasCommand = false;
  const controller = new AbortController();
  const signal = controller.signal;

  async function load() {
    try {
      const p = await api.get(`/conversion/profiles/${seg(editing)}`, undefined, { signal });
      Object.assign(f, {
        name: p.name, description: p.description || '', enabled: p.enabled,
        steps: p.steps.map(s => (s.type === 'command'
          ? { ...newStep(), type: 'command', converter: '', command: s.command.join('\n'), paramsJson: Object.keys(s.params || {}).length ? JSON.stringify(s.params) : '',
            timeoutSeconds: String(s.timeoutSeconds ?? ''), outputFormat: s.outputFormat || '' }
          : { ...newStep(), converter: s.converter, params: { ...(s.params || {}) } })),
        target: Object.fromEntries(Object.entries(f.target).map(([k]) => [k, p.target?.[k] === null || p.target?.[k] === undefined ? ''
          : Array.isArray(p.target[k]) ? p.target[k].join(', ') : String(p.target[k])])),
        tolerance: { maxAbsError: String(p.tolerance?.maxAbsError ?? ''), minCosine: String(p.tolerance?.minCosine ?? '') },
        timeoutSeconds: String(p.timeoutSeconds ?? ''), maxAttempts: String(p.maxAttempts ?? ''),
      });
      hasCommand = p.steps.some(s => s.type === 'command');
      f.optimized = hasCommand ? Boolean(p.optimized) : null;
      loaded = true;
    } catch (e) {
      if (e.name === 'AbortError') return;
      loadError = e;
    }
    draw();
    ctx.ready();
  }

  const num = v => (v === '' || v === undefined ? undefined : Number(v));
  const str = v => (v === '' || v === undefined ? undefined : String(v).trim());
  const prune = o => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  function body() {
    return prune({
      name: f.name.trim(), description: str(f.description), enabled: f.enabled,
      steps: f.steps.map(s => (s.type === 'command'
        ? prune({ type: 'command', command: s.command.split('\n').map(a => a.trim()).filter(Boolean),
          params: s.paramsJson.trim() ? safeJson(s.paramsJson) : undefined, timeoutSeconds: num(s.timeoutSeconds), outputFormat: str(s.outputFormat) })
        : prune({ converter: s.converter, params: Object.keys(s.params).length ? s.params : undefined }))),
      target: prune({ ...Object.fromEntries(Object.entries(f.target).map(([k, v]) => [k, str(v)])), minMemoryMb: num(f.target.minMemoryMb),
        cpuFeatures: features(f.target.cpuFeatures) }),
      tolerance: f.tolerance.maxAbsError || f.tolerance.minCosine
        ? prune({ maxAbsError: num(f.tolerance.maxAbsError), minCosine: num(f.tolerance.minCosine) }) : undefined,
      timeoutSeconds: num(f.timeoutSeconds), maxAttempts: num(f.maxAttempts),
      optimized: withCommand() && f.optimized !== null ? f.optimized : undefined,
    });
  }

  /** "avx2, fma" → ['avx2', 'fma']; empty → none. Empty items are kept for check() to refuse. */
  const features = text => (text.trim() ? text.split(',').map(x => x.trim()) : undefined);
  /** Only a chain with a command step may set optimized: the server cannot tell what a program does. */
  const withCommand = () => f.steps.some(s => s.type === 'command');
  /** What the server decides from the steps: optimized when a built-in step is an optimizing converter. */
  const optimizedByDefault = () => f.steps.some(optimizes);
  const optimized = () => (withCommand() && f.optimized !== null ? f.optimized : optimizedByDefault());

  function safeJson(text) {
    try { return JSON.parse(text); } catch (e) { return undefined; }
  }

  function check() {
    errors = {};
    const need = (path, ok, message) => { if (!ok && !errors[path]) errors[path] = message; };
    const isNum = (v, min, max) => v === '' || (Number.isFinite(Number(v)) && Number(v) >= min && (max === undefined || Number(v) <= max));
    if (!editing) need('name', NAME.test(f.name.trim()), 'A name of letters, digits, ".", "_" or "-" (at most 100), e.g. aarch64-cpu-int8.');
    f.steps.forEach((s, i) => {
      const at = `steps[${i}]`;
      if (s.type === 'command') {
        const argv = s.command.split('\n').map(a => a.trim()).filter(Boolean);
        need(`${at}.command`, argv.length, 'Give the command, one argument per line, starting with the program\'s absolute path.');
        if (argv.length) need(`${at}.command[0]`, argv[0].startsWith('/'), 'The program must be an absolute path (there is no search path).');
        if (argv.length) need(`${at}.command`, argv.some(a => a.includes('{output}')), 'One argument must name the output file with {output}.');
        need(`${at}.params`, !s.paramsJson.trim() || (safeJson(s.paramsJson) && typeof safeJson(s.paramsJson) === 'object'), 'A JSON object, e.g. {"level": 3}.');
        need(`${at}.timeoutSeconds`, isNum(s.timeoutSeconds, 1, 86400), 'Seconds from 1 to 86400 (default 600).');
        need(`${at}.outputFormat`, /^[a-z0-9][a-z0-9._-]{0,31}$/.test(s.outputFormat.trim()), 'The format it writes: onnx, ort or another lower-case token.');
      } else if (s.params.minElements !== undefined) {
        need(`${at}.params.minElements`, Number.isInteger(s.params.minElements) && s.params.minElements >= 0, 'A whole number, 0 or more.');
      }
    });
    const last = f.steps[f.steps.length - 1];
    const writes = last?.type === 'command' ? last.outputFormat.trim() : CONVERTERS[last?.converter]?.writes;
    need('target.format', f.target.format.trim(), 'The format of the result, e.g. onnx.');
    if (writes && f.target.format.trim()) need('target.format', writes === f.target.format.trim(), `The last step writes ${writes}: the target's format must be ${writes}.`);
    need('target.cpuFeatures', !(features(f.target.cpuFeatures) || []).includes(''), 'Names separated by commas, e.g. avx2, fma; an empty item is not allowed.');
    need('target.minMemoryMb', isNum(f.target.minMemoryMb, 1, 16777216), 'Megabytes, at least 1, or empty when unknown.');
    need('tolerance.maxAbsError', isNum(f.tolerance.maxAbsError, 0), 'A number of at least 0, e.g. 0.05.');
    need('tolerance.minCosine', isNum(f.tolerance.minCosine, -1, 1), 'A number from -1 to 1, e.g. 0.999.');
    need('timeoutSeconds', isNum(f.timeoutSeconds, 1, 604800), 'Seconds from 1 to 604800.');
    need('maxAttempts', isNum(f.maxAttempts, 1, 20), 'From 1 to 20.');
    return Object.keys(errors).length === 0;
  }

  async function save() {
    serverError = null;
    if (!check()) { draw(); focusError(); return; }
    busy = true; draw();
    try {
      const saved = editing
        ? await api.put(`/conversion/profiles/${seg(editing)}`, body())
        : await api.post('/conversion/profiles', body());
      toast(`Profile ${saved.name} saved`);
      ctx.navigate('/conversion/profiles');
      return;
    } catch (e) {
      serverError = e;
      const field = e.problem?.field;
      const place = field ? fieldFor(el, field, fid) : null;
      if (place) errors[place] = e.detail;
    } finally {
      busy = false;
      if (!signal.aborted) { draw(); focusError(); }
    }
  }

  function focusError() {
    requestAnimationFrame(() => el.querySelector('[aria-invalid="true"]')?.focus());
  }

  async function remove() {
    if (!await confirm({ title: `Delete profile ${editing}?`, danger: true, confirmLabel: 'Delete profile',
      body: html`<p>Versions published from now on are no longer converted by it. Artifacts it already made stay.</p>` })) return;
    try {
      await api.del(`/conversion/profiles/${seg(editing)}`);
      toast(`Profile ${editing} deleted`);
      ctx.navigate('/conversion/profiles');
    } catch (e) {
      serverError = e; draw();
    }
  }

  // ---- drawing ----------------------------------------------------------------------------------

  function describe(id, path, help) {
    return [help ? `${id}-help` : '', errors[path] ? `${id}-error` : ''].filter(Boolean).join(' ') || nothing;
  }

  function below(id, path, help) {
    return html`${help ? html`<p class="help" id="${id}-help">${help}</p>` : nothing}
      ${errors[path] ? html`<p class="error field-error" id="${id}-error">${errors[path]}</p>` : nothing}`;
  }

  function input(path, label, get, set, { type = 'text', help = '', placeholder = '', disabled = false } = {}) {
    const id = fid(path);
    return html`<div class="field"><label for=${id}>${label}</label>
      <input id=${id} type=${type} .value=${live(String(get() ?? ''))} placeholder=${placeholder} ?disabled=${disabled || !mayWrite}
        step=${type === 'number' ? 'any' : nothing}
        aria-invalid=${errors[path] ? 'true' : 'false'} aria-describedby=${describe(id, path, help)}
        @input=${e => { set(e.target.value); if (errors[path]) { delete errors[path]; draw(); } }}>
      ${below(id, path, help)}</div>`;
  }

  function select(path, label, options, get, set, help = '') {
    const id = fid(path);
    return html`<div class="field"><label for=${id}>${label}</label>
      <select id=${id} ?disabled=${!mayWrite} aria-invalid=${errors[path] ? 'true' : 'false'} aria-describedby=${describe(id, path, help)}
        @change=${e => { set(e.target.value); delete errors[path]; draw(); }}>
        ${options.map(o => (Array.isArray(o) ? html`<option value=${o[0]} ?selected=${get() === o[0]} ?disabled=${o[2]}>${o[1]}</option>`
          : html`<option ?selected=${get() === o}>${o}</option>`))}
      </select>${below(id, path, help)}</div>`;
  }

  function builtinParams(s, at) {
    const spec = CONVERTERS[s.converter]?.params || {};
    return Object.entries(spec).map(([key, kind]) => {
      const path = `${at}.params.${key}`;
      if (Array.isArray(kind)) {
        return select(path, html`${key} <span class="optional">(default: the converter's)</span>`, [['', 'default'], ...kind.map(k => [k, k])],
          () => s.params[key] ?? '', v => { if (v) s.params[key] = v; else delete s.params[key]; });
      }
      if (kind === 'boolean') {
        return select(path, key, [['', 'default'], ['true', 'yes'], ['false', 'no']],
          () => (s.params[key] === undefined ? '' : String(s.params[key])), v => { if (v) s.params[key] = v === 'true'; else delete s.params[key]; });
      }
      return input(path, html`${key} <span class="optional">(optional)</span>`, () => s.params[key] ?? '',
        v => { if (v === '') delete s.params[key]; else s.params[key] = Number(v); }, { type: 'number' });
    });
  }

  /** The optimized checkbox: it shows what the steps decide, and only a chain with a command step may change it. */
  function optimizedField() {
    const id = fid('optimized');
    const settable = withCommand();
    return html`<div class="field"><label class="check" for=${id}><input type="checkbox" id=${id} .checked=${live(optimized())}
        ?disabled=${!mayWrite || !settable || (hasCommand && !mayCommand)}
        aria-invalid=${errors.optimized ? 'true' : 'false'} aria-describedby=${describe(id, 'optimized', true)}
        @change=${e => { f.optimized = e.target.checked; if (errors.optimized) { delete errors.optimized; } draw(); }}>
        Optimized: devices that can run the result get it before an unoptimized file of the same target and precision</label>
      ${below(id, 'optimized', html`The default comes from the steps: optimized with ${OPTIMIZING.join(', ')} (ort-format beyond level basic), not otherwise.
        Only a chain with a command step may set it (the server cannot tell what a program does)${settable ? '' : '; add one to choose'}.`)}</div>`;
  }

  function stepView(s, i) {
    const at = `steps[${i}]`;
    const last = i === f.steps.length - 1;
    const commandLocked = s.type === 'command' && !mayCommand;
    return html`<li><fieldset class="phase-edit"><legend>Step ${i + 1}</legend>
      <div class="row">
        ${select(`${at}.type`, 'Kind', [['builtin', 'built-in converter'], ['command', mayCommand ? 'external command' : 'external command (needs profiles:command)', !mayCommand]],
          () => s.type, v => { s.type = v; })}
        ${s.type === 'builtin' ? select(`${at}.converter`, 'Converter', Object.keys(CONVERTERS).map(c => [c, `${c} (writes ${CONVERTERS[c].writes})`]),
          () => s.converter, v => { s.converter = v; s.params = {}; }) : nothing}
        ${s.type === 'builtin' ? builtinParams(s, at) : nothing}
      </div>
      ${s.type === 'command' ? html`
        ${commandLocked ? html`<p class="notice">Only a token with <code>profiles:command</code> (admins) may change command steps.</p>` : nothing}
        <div class="field"><label for=${fid(`${at}.command`)}>Command, one argument per line</label>
          <textarea id=${fid(`${at}.command`)} rows="5" .value=${live(s.command)} ?disabled=${commandLocked || !mayWrite}
            aria-invalid=${errors[`${at}.command`] || errors[`${at}.command[0]`] ? 'true' : 'false'}
            aria-describedby="${fid(`${at}.command`)}-help${errors[`${at}.command`] ? ` ${fid(`${at}.command`)}-error` : ''}${errors[`${at}.command[0]`] ? ` ${fid(`${at}.command[0]`)}-error` : ''}"
            @input=${e => { s.command = e.target.value; delete errors[`${at}.command`]; delete errors[`${at}.command[0]`]; }}></textarea>
          <p class="help" id="${fid(`${at}.command`)}-help">The first line is the program's absolute path; no shell. Placeholders: {input}, {output}, {param:name}.</p>
          ${errors[`${at}.command`] ? html`<p class="error field-error" id="${fid(`${at}.command`)}-error">${errors[`${at}.command`]}</p>` : nothing}
          ${errors[`${at}.command[0]`] ? html`<p class="error field-error" id="${fid(`${at}.command[0]`)}-error">${errors[`${at}.command[0]`]}</p>` : nothing}
          <span id=${fid(`${at}.command[0]`)} hidden></span>
        </div>
        <div class="row">
          ${input(`${at}.params`, html`Parameters <span class="optional">(JSON object)</span>`, () => s.paramsJson, v => { s.paramsJson = v; }, { placeholder: '{"level": 3}', disabled: commandLocked })}
          ${input(`${at}.timeoutSeconds`, html`Timeout (s) <span class="optional">(default 600)</span>`, () => s.timeoutSeconds, v => { s.timeoutSeconds = v; }, { type: 'number', disabled: commandLocked })}
          ${input(`${at}.outputFormat`, 'Output format', () => s.outputFormat, v => { s.outputFormat = v; }, { placeholder: 'onnx', disabled: commandLocked })}
        </div>` : nothing}
      ${mayWrite ? html`<div class="actions" role="group" aria-label="Step ${i + 1}">
        <button type="button" ?disabled=${i === 0} @click=${() => { f.steps.splice(i - 1, 0, ...f.steps.splice(i, 1)); errors = {}; draw(); }}>Move step ${i + 1} up</button>
        <button type="button" ?disabled=${last} @click=${() => { f.steps.splice(i + 1, 0, ...f.steps.splice(i, 1)); errors = {}; draw(); }}>Move step ${i + 1} down</button>
        <button type="button" ?disabled=${f.steps.length === 1 || commandLocked} @click=${() => { f.steps.splice(i, 1); errors = {}; draw(); }}>Remove step ${i + 1}</button>
      </div>` : nothing}
    </fieldset></li>`;
  }

  function draw() {
    const title = editing ? `Profile ${editing}` : 'New conversion profile';
    if (!loaded) {
      render(html`<h1>${title}</h1>${subnav('profiles')}${loadError ? errorView(loadError) : html`<p class="loading">Loading…</p>`}`, el);
      return;
    }
    const locked = hasCommand && !mayCommand;
    render(html`
      <p class="crumbs"><a href="#/conversion/profiles">Conversion profiles</a> ›</p>
      <h1>${title}</h1>
      ${!mayWrite ? html`<p class="notice">Your token may read this profile but not change it.</p>` : nothing}
      ${locked ? html`<p class="notice">This profile has command steps: only a token with <code>profiles:command</code> may change or delete it.</p>` : nothing}
      <form class="profile-form" novalidate @submit=${e => { e.preventDefault(); save(); }}>
        ${serverError ? errorView(serverError) : nothing}
        ${!editing ? input('name', 'Name', () => f.name, v => { f.name = v; }, { help: 'e.g. aarch64-cpu-int8; it names the artifacts it makes.' }) : nothing}
        ${input('description', html`Description <span class="optional">(optional)</span>`, () => f.description, v => { f.description = v; })}
        <label class="check" for="f-enabled"><input type="checkbox" id="f-enabled" ?disabled=${!mayWrite} .checked=${live(f.enabled)} @change=${e => { f.enabled = e.target.checked; }}>
          Enabled: run it for every version published from now on</label>
        <h2>Steps</h2>
        <p class="help">Steps run in order, each on the previous one's output; the last step's format must be the target's.</p>
        <span id=${fid('steps')} hidden></span>${errors.steps ? html`<p class="error field-error">${errors.steps}</p>` : nothing}
        <ol class="phase-list">${f.steps.map(stepView)}</ol>
        ${mayWrite ? html`<button type="button" @click=${() => { f.steps.push(newStep()); draw(); }}>Add a step</button>` : nothing}
        <h2>Target</h2>
        <span id=${fid('target')} hidden></span>${errors.target ? html`<p class="error field-error">${errors.target}</p>` : nothing}
        <div class="row">
          ${input('target.format', 'Format', () => f.target.format, v => { f.target.format = v; }, { placeholder: 'onnx' })}
          ${input('target.runtime', html`Runtime <span class="optional">(default onnxruntime)</span>`, () => f.target.runtime, v => { f.target.runtime = v; })}
          ${select('target.arch', 'Architecture', ARCHES, () => f.target.arch || 'any', v => { f.target.arch = v; })}
          ${input('target.accelerator', html`Accelerator <span class="optional">(default cpu)</span>`, () => f.target.accelerator, v => { f.target.accelerator = v; })}
          ${select('target.precision', 'Precision', PRECISIONS, () => f.target.precision || 'fp32', v => { f.target.precision = v; })}
          ${input('target.minMemoryMb', html`Min memory (MB) <span class="optional">(optional)</span>`, () => f.target.minMemoryMb, v => { f.target.minMemoryMb = v; }, { type: 'number' })}
          ${input('target.os', html`OS <span class="optional">(empty: any)</span>`, () => f.target.os, v => { f.target.os = v; })}
          ${input('target.cpuFeatures', html`CPU features <span class="optional">(optional)</span>`, () => f.target.cpuFeatures, v => { f.target.cpuFeatures = v; },
            { placeholder: 'avx2, fma', help: 'Comma-separated features a device\'s CPU must have to run the result; they need an architecture. Empty: any CPU of the architecture.' })}
        </div>
        ${optimizedField()}
        <h2>Checks and limits</h2>
        <div class="row">
          ${input('tolerance.maxAbsError', html`Max abs error <span class="optional">(default 1e-4)</span>`, () => f.tolerance.maxAbsError, v => { f.tolerance.maxAbsError = v; }, { type: 'number' })}
          ${input('tolerance.minCosine', html`Min cosine <span class="optional">(default 0.99999)</span>`, () => f.tolerance.minCosine, v => { f.tolerance.minCosine = v; }, { type: 'number' })}
          ${input('timeoutSeconds', html`Job timeout (s) <span class="optional">(default: server's)</span>`, () => f.timeoutSeconds, v => { f.timeoutSeconds = v; }, { type: 'number' })}
          ${input('maxAttempts', html`Max attempts <span class="optional">(default: server's)</span>`, () => f.maxAttempts, v => { f.maxAttempts = v; }, { type: 'number' })}
        </div>
        ${mayWrite && !locked ? html`<div class="actions">
          <button type="submit" class="primary" ?disabled=${busy}>${busy ? 'Saving…' : editing ? 'Save profile' : 'Create profile'}</button>
          ${editing && session.can('profiles:delete') ? html`<button type="button" class="danger" @click=${remove}>Delete profile</button>` : nothing}
          <a href="#/conversion/profiles">Cancel</a>
        </div>` : nothing}
      </form>`, el);
  }

  draw();
  if (editing) load(); else ctx.ready();
  return () => controller.abort();
}
