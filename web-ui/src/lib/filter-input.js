// A device filter input: a text field for the filter language (README "Device filters and groups")
// with a selector builder beside it, inline errors at the bad token and a live match count.
//
// Usage (the rollout wizard, the devices page):
//
//   import { mountFilterInput } from '../../lib/filter-input.js';
//   const filter = mountFilterInput(slotElement, {
//     id: 'rollout-filter',            // prefix of every element id inside (unique on the page)
//     label: 'Devices',                // the text field's label
//     value: 'tag==store',             // initial filter text
//     onChange: text => …,             // after each edit (typed or built), debounced 300 ms
//     onSubmit: text => …,             // Enter in the text field or the Apply button (omit: no Apply button)
//     submitLabel: 'Apply filter',
//     count: true,                     // show the live match count (GET /api/v1/devices/filter-check?q=)
//     onCount: (count, error) => …,    // the count (null while unknown) or the ApiError the server gave
//   });
//   filter.value            // the current text
//   filter.setValue(text)   // replaces the text (no onChange), re-checks and re-counts
//   filter.showError(e)     // shows an ApiError (invalid-filter: marks its offset) the page got itself
//   filter.focus()
//   filter.destroy()        // aborts requests and timers; call it from the page's cleanup
//
// The text is checked as it is typed (debounced 300 ms, stale answers ignored), with or without the
// count; checkFilter(text) does the same for a page (e.g. before it lists or saves).
// The slot element must be one the page's own template leaves empty (lit-html keeps its children).
// The builder suggests selectors and values from what the fleet reports
// (GET /api/v1/devices/suggestions and …/suggestions/values?selector=&prefix=); both need devices:read, and without it the
// input is a plain text field (no request is made). Keyboard: the selector and value fields are
// comboboxes (ARIA 1.2): Down/Up open and move, Enter picks, Escape closes; "Append to filter" composes
// `selector operator value` and joins it to the text with the chosen and/or.
import { html, render, nothing } from './vendor.js';
import { api, ApiError } from './api.js';
import { session } from './session.js';
import { advice } from './messages.js';

const TEXT_OPS = ['==', '!=', '=in=', '=out='];
const ORDER_OPS = ['=lt=', '=le=', '=gt=', '=ge='];
const OPERATORS = {
  text: TEXT_OPS, status: TEXT_OPS, tag: TEXT_OPS,
  attribute: [...TEXT_OPS, ...ORDER_OPS],
  installed: [...TEXT_OPS, ...ORDER_OPS],
  time: ['=lt=', '=le=', '=gt=', '=ge=', '==', '!='],
};
const OP_NAMES = {
  '==': 'equals', '!=': 'differs from', '=in=': 'is one of', '=out=': 'is none of',
  '=lt=': 'less than (before)', '=le=': 'at most', '=gt=': 'greater than (after)', '=ge=': 'at least',
};
const TIME_VALUES = [
  { value: '-PT5M', label: '5 minutes ago' }, { value: '-PT1H', label: 'an hour ago' },
  { value: '-P1D', label: 'a day ago' }, { value: '-P7D', label: 'a week ago' }, { value: '-P30D', label: '30 days ago' },
];
const VALUE_SELECTORS = ['controllerid', 'id', 'name', 'description', 'status', 'updatestatus', 'tag', 'tag.name'];
const FALLBACK_SELECTORS = ['controllerId', 'name', 'description', 'status', 'tag', 'lastSeen', 'createdAt']
    .map(selector => ({ selector, kind: kindOf(selector) }));

/** The kind of a selector: which operators and values it takes. */
export function kindOf(selector) {
  const s = String(selector || '').toLowerCase();
  if (s.startsWith('attribute.')) return 'attribute';
  if (s.startsWith('installed.')) return 'installed';
  if (s === 'status' || s === 'updatestatus') return 'status';
  if (s === 'tag') return 'tag';
  if (s === 'lastseen' || s === 'createdat' || s === 'lastcontrollerrequestat') return 'time';
  return 'text';
}

/** A value as the filter language needs it: quoted when it holds a space or a special character. */
export function quoteValue(value) {
  const v = String(value);
  if (v !== '' && !/[\s()'";,=!<>]/.test(v)) return v;
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One comparison: `selector op value`, or `selector =in= (a,b)` for list operators (values split at commas). */
export function composeComparison(selector, op, value) {
  if (op === '=in=' || op === '=out=') {
    const values = String(value).split(',').map(v => v.trim()).filter(Boolean).map(quoteValue);
    return `${selector}${op}(${values.join(',')})`;
  }
  return `${selector}${op}${quoteValue(String(value).trim())}`;
}

/**
 * True when text has an or (`,` or the keyword `or`) outside brackets and quotes, so that
 * appending `;x` would bind only to its last part. Errs on the side of true (bracketing is always safe).
 */
export function hasTopLevelOr(text) {
  let depth = 0;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && c === ',') return true;
    else if (depth === 0 && /\s/.test(c) && /^or(\s|\(|$)/i.test(text.slice(i + 1))) return true;
  }
  return false;
}

/**
 * Joins a comparison to an existing filter with and (;) or or (,). `;` binds tighter than `,`, so an
 * and-join brackets each side that has a top-level or: `a,b` and `c` give `(a,b);c`, not a or (b and c).
 * An or-join needs no brackets.
 */
export function joinFilter(existing, comparison, join = 'and') {
  const old = (existing || '').trim();
  if (!old) return comparison;
  if (join === 'or') return `${old},${comparison}`;
  const wrap = t => (hasTopLevelOr(t) ? `(${t})` : t);
  return `${wrap(old)};${wrap(comparison)}`;
}

/** The token that starts at offset (up to the next delimiter), for marking it. */
export function tokenAt(text, offset) {
  const at = Math.max(0, Math.min(offset ?? 0, text.length));
  const rest = text.slice(at);
  const m = /^(=[a-z]*=|[!<>=]=?|'(?:\\.|[^'])*'?|"(?:\\.|[^"])*"?|[^\s()'";,=!<>]+|.)/.exec(rest);
  return { start: at, end: at + (m ? m[0].length : 0) };
}

const suggestionCache = new Map(); // key → {at, promise}
const CACHE_MS = 30_000;

function cached(key, load) {
  const hit = suggestionCache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.promise;
  const promise = load().catch(e => { suggestionCache.delete(key); throw e; });
  suggestionCache.set(key, { at: Date.now(), promise });
  return promise;
}

let instances = 0;

/**
 * Checks a filter without an error status (GET /api/v1/devices/filter-check): resolves to
 * {valid, count, error}, error an ApiError (code invalid-filter, problem.offset) when refused.
 * count: false only checks. Needs devices:read.
 */
export async function checkFilter(text, { count = true, signal } = {}) {
  const q = String(text || '').trim();
  const result = await api.get('/devices/filter-check', { q: q || undefined, count: count ? undefined : 'false' }, { signal });
  return { valid: result.valid, count: result.count ?? null, error: result.valid ? null : new ApiError(400, { status: 400, ...result.problem }) };
}

export function mountFilterInput(slot, options = {}) {
  const id = options.id || `filter-${++instances}`;
  const canRead = session.can('devices:read');
  const state = {
    text: options.value || '',
    error: null,           // ApiError of the last count (or one the page showed)
    count: null,
    counting: false,
    selectors: FALLBACK_SELECTORS,
    selector: '',
    op: '==',
    value: '',
    join: 'and',
    values: [],            // suggestions for the value field
    valuesFor: null,
    builderOpen: false,
    builderError: null,
  };
  const selectorBox = combobox(`${id}-selector`, () => draw());
  const valueBox = combobox(`${id}-value`, () => draw());
  let countTimer = null;
  let changeTimer = null;
  let valueTimer = null;
  let countSeq = 0;
  let countAbort = null;
  let valueSeq = 0;
  let destroyed = false;

  // ---- the live count ---------------------------------------------------------------------

  const recount = () => {
    clearTimeout(countTimer);
    if (!canRead) return;
    countTimer = setTimeout(runCount, 300);
  };

  // GET /devices/filter-check answers 200 with the problem, so a half-typed filter leaves no
  // failed request in the browser console.
  const runCount = async () => {
    const seq = ++countSeq;
    countAbort?.abort();
    countAbort = new AbortController();
    state.counting = Boolean(options.count); draw();
    try {
      const result = await checkFilter(state.text, { count: Boolean(options.count), signal: countAbort.signal });
      if (seq !== countSeq || destroyed) return;
      state.count = result.count ?? null;
      state.error = result.error;
    } catch (e) {
      if (e.name === 'AbortError' || seq !== countSeq || destroyed) return;
      state.count = null; state.error = e;
    }
    state.counting = false;
    options.onCount?.(state.count, state.error);
    draw();
  };

  const changed = () => {
    clearTimeout(changeTimer);
    changeTimer = setTimeout(() => options.onChange?.(state.text), 300);
    recount();
  };

  // ---- suggestions ------------------------------------------------------------------------

  const loadSelectors = async () => {
    if (!canRead) return;
    try {
      const result = await cached(`${session.tenant}|selectors`, () => api.get('/devices/suggestions'));
      if (destroyed) return;
      state.selectors = result.selectors;
      draw();
    } catch (e) {
      if (!destroyed) { state.builderError = e; draw(); }
    }
  };

  const loadValues = () => {
    clearTimeout(valueTimer);
    const selector = state.selector.trim();
    const kind = kindOf(selector);
    if (!selector || !canRead) { state.values = []; draw(); return; }
    if (kind === 'time') {
      state.values = TIME_VALUES.map(v => ({ value: v.value, label: v.label }));
      state.valuesFor = selector; draw(); return;
    }
    // only selectors the server suggests values for (a half-typed one would be a refused request)
    const known = VALUE_SELECTORS.includes(selector.toLowerCase()) || state.selectors.some(s => s.selector === selector);
    if (!known) { state.values = []; state.valuesFor = selector; draw(); return; }
    const prefix = lastListValue(state.value);
    valueTimer = setTimeout(async () => {
      const seq = ++valueSeq;
      try {
        const result = await cached(`${session.tenant}|${selector}|${prefix}`,
            () => api.get('/devices/suggestions/values', { selector, prefix: prefix || undefined }));
        if (seq !== valueSeq || destroyed) return;
        state.values = result.values.map(v => ({ value: v.value, label: v.value, devices: v.devices }));
        state.valuesFor = selector;
      } catch (e) {
        if (seq !== valueSeq || destroyed) return;
        state.values = []; state.builderError = e;
      }
      draw();
    }, 150);
  };

  // ---- builder ----------------------------------------------------------------------------

  const pickSelector = selector => {
    state.selector = selector;
    const ops = OPERATORS[kindOf(selector)];
    if (!ops.includes(state.op)) state.op = ops[0];
    state.value = '';
    state.builderError = null;
    selectorBox.close();
    loadValues();
    draw();
  };

  const pickValue = value => {
    if (state.op === '=in=' || state.op === '=out=') {
      const parts = state.value.split(',').map(v => v.trim());
      parts[parts.length - 1] = value;
      state.value = parts.filter(Boolean).join(', ') + ', ';
    } else {
      state.value = value;
    }
    valueBox.close();
    draw();
  };

  const add = () => {
    const selector = state.selector.trim();
    const value = state.value.trim().replace(/,$/, '').trim();
    if (!selector) { state.builderError = new Error('Pick a selector first (what to compare).'); draw(); return; }
    if (!value) { state.builderError = new Error('Pick or type a value to compare with.'); draw(); return; }
    state.text = joinFilter(state.text, composeComparison(selector, state.op, value), state.join);
    state.builderError = null;
    state.value = '';
    draw();
    changed();
    slot.querySelector(`#${id}-text`)?.focus();
  };

  // ---- rendering --------------------------------------------------------------------------

  const selectorOptions = () => {
    const typed = state.selector.trim().toLowerCase();
    return state.selectors
        .filter(s => !typed || s.selector.toLowerCase().includes(typed))
        .slice(0, 50)
        .map(s => ({ value: s.selector, label: s.selector, devices: s.devices }));
  };

  const valueOptions = () => {
    if (state.valuesFor !== state.selector.trim()) return [];
    const typed = lastListValue(state.value).toLowerCase();
    return state.values.filter(v => !typed || v.value.toLowerCase().startsWith(typed) || kindOf(state.selector) === 'time');
  };

  const errorLine = () => {
    const e = state.error;
    if (!e) return nothing;
    const offset = e.problem?.offset;
    const marked = e.code === 'invalid-filter' && Number.isInteger(offset);
    const { start, end } = marked ? tokenAt(state.text, offset) : { start: 0, end: 0 };
    const hint = advice(e);
    return html`<div id="${id}-error" class="filter-error" role="alert">
      ${marked ? html`<p class="filter-echo mono" aria-hidden="true">${state.text.slice(0, start)}<mark>${state.text.slice(start, end) || ' '}</mark>${state.text.slice(end)}</p>` : nothing}
      <p class="error"><strong>${e.detail || e.message}</strong>
        ${e.code ? html` <code class="code">${e.code}</code>` : nothing}</p>
      ${hint ? html`<p class="help">${hint}</p>` : nothing}
      ${marked ? html`<button type="button" class="link" @click=${() => {
        const input = slot.querySelector(`#${id}-text`);
        input?.focus(); input?.setSelectionRange(start, Math.max(start, end));
      }}>Select the marked text</button>` : nothing}
    </div>`;
  };

  const countLine = () => {
    if (!options.count || !canRead) return nothing;
    let text;
    if (state.error) text = 'No count: the filter has an error.';
    else if (state.count === null) text = state.counting ? 'Counting…' : '';
    else text = `${state.count.toLocaleString()} ${state.count === 1 ? 'device matches' : 'devices match'}${state.counting ? ' (updating…)' : ''}`;
    return html`<p id="${id}-count" class="filter-count" role="status" aria-live="polite">${text}</p>`;
  };

  const submit = () => { clearTimeout(changeTimer); options.onSubmit?.(state.text.trim()); };

  const draw = () => {
    if (destroyed) return;
    const kind = kindOf(state.selector);
    const ops = OPERATORS[kind];
    const describedBy = [`${id}-help`, state.error ? `${id}-error` : null, options.count ? `${id}-count` : null].filter(Boolean).join(' ');
    render(html`
      <div class="filter-input">
        <label for="${id}-text">${options.label || 'Device filter'}</label>
        <div class="filter-row">
          <input id="${id}-text" class="mono filter-text" type="text" spellcheck="false" autocomplete="off"
                 .value=${state.text} aria-invalid=${state.error?.code === 'invalid-filter' ? 'true' : 'false'}
                 aria-describedby=${describedBy} placeholder="attribute.arch==aarch64;tag==store"
                 @input=${e => { state.text = e.target.value; changed(); }}
                 @keydown=${e => { if (e.key === 'Enter' && options.onSubmit) { e.preventDefault(); submit(); } }}>
          ${options.onSubmit ? html`<button type="button" class="primary" @click=${submit}>${options.submitLabel || 'Apply filter'}</button>` : nothing}
          ${state.text ? html`<button type="button" @click=${() => { state.text = ''; state.error = null; draw(); changed(); if (options.onSubmit) submit(); }}>Clear</button>` : nothing}
          ${canRead ? html`<button type="button" aria-expanded=${state.builderOpen ? 'true' : 'false'} aria-controls="${id}-builder"
              @click=${() => { state.builderOpen = !state.builderOpen; draw(); if (state.builderOpen) slot.querySelector(`#${id}-selector`)?.focus(); }}>
              ${state.builderOpen ? 'Hide builder' : 'Build a condition'}</button>` : nothing}
        </div>
        <p id="${id}-help" class="help">E.g. <code>attribute.arch==aarch64;tag=in=(store,kiosk)</code>: <code>;</code> is and,
          <code>,</code> is or. Leave empty for every device.</p>
        ${errorLine()}
        ${countLine()}
        ${state.builderOpen ? html`
          <fieldset id="${id}-builder" class="filter-builder">
            <legend>Build a condition</legend>
            <div class="builder-grid">
              <div>
                <label for="${id}-selector">Selector</label>
                ${selectorBox.view({ value: state.selector, options: selectorOptions(), placeholder: 'attribute.arch',
                  onInput: v => { state.selector = v; state.value = ''; state.values = []; selectorBox.open(); draw(); },
                  onPick: pickSelector })}
              </div>
              <div>
                <label for="${id}-op">Operator</label>
                <select id="${id}-op" @change=${e => { state.op = e.target.value; draw(); }}>
                  ${ops.map(op => html`<option value=${op} ?selected=${op === state.op}>${op} ${OP_NAMES[op]}</option>`)}
                </select>
              </div>
              <div>
                <label for="${id}-value">Value${state.op === '=in=' || state.op === '=out=' ? ' (comma-separated)' : ''}</label>
                ${valueBox.view({ value: state.value, options: valueOptions(), placeholder: kind === 'time' ? '-P1D' : '',
                  onInput: v => { state.value = v; valueBox.open(); loadValues(); draw(); },
                  onPick: pickValue, onEnter: add, onFocus: () => { if (state.valuesFor !== state.selector.trim()) loadValues(); } })}
              </div>
              <div>
                <label for="${id}-join">Join with</label>
                <select id="${id}-join" @change=${e => { state.join = e.target.value; }}>
                  <option value="and" ?selected=${state.join === 'and'}>and (;)</option>
                  <option value="or" ?selected=${state.join === 'or'}>or (,)</option>
                </select>
              </div>
              <div class="builder-add"><button type="button" @click=${add}>Append to filter</button></div>
            </div>
            ${state.builderError ? html`<p class="error" role="alert">${state.builderError.detail || state.builderError.message}</p>` : nothing}
          </fieldset>` : nothing}
      </div>`, slot);
  };

  draw();
  loadSelectors();
  recount();

  return {
    get value() { return state.text; },
    setValue(text) { state.text = text || ''; state.error = null; draw(); recount(); },
    showError(e) { state.error = e instanceof ApiError ? e : null; draw(); },
    focus() { slot.querySelector(`#${id}-text`)?.focus(); },
    destroy() {
      destroyed = true;
      clearTimeout(countTimer); clearTimeout(changeTimer); clearTimeout(valueTimer);
      countAbort?.abort();
      render(nothing, slot);
    },
  };
}

/** The last comma-separated part (what is being typed in a list value). */
function lastListValue(value) {
  const parts = String(value).split(',');
  return parts[parts.length - 1].trim();
}

/**
 * A combobox with a listbox popup (ARIA 1.2 pattern): the input keeps focus, the active option is
 * aria-activedescendant. view({value, options:[{value,label,devices?}], onInput, onPick, onEnter?, onFocus?}).
 */
export function combobox(id, redraw) {
  let expanded = false;
  let active = -1;
  const self = {
    open() { expanded = true; },
    close() { expanded = false; active = -1; },
    view({ value, options, placeholder = '', onInput, onPick, onEnter, onFocus }) {
      const shown = expanded && options.length > 0;
      if (active >= options.length) active = options.length - 1;
      const keydown = e => {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          if (!expanded) { expanded = true; active = e.key === 'ArrowDown' ? 0 : options.length - 1; }
          else if (options.length) active = (active + (e.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
          redraw();
        } else if (e.key === 'Enter') {
          if (shown && active >= 0) { e.preventDefault(); onPick(options[active].value); }
          else if (onEnter) { e.preventDefault(); expanded = false; onEnter(); }
          else if (shown) { e.preventDefault(); }
        } else if (e.key === 'Escape') {
          if (expanded) { e.preventDefault(); e.stopPropagation(); self.close(); redraw(); }
        } else if (e.key === 'Tab') {
          if (expanded) { self.close(); redraw(); }
        }
      };
      return html`<div class="combobox">
        <input id=${id} type="text" role="combobox" autocomplete="off" spellcheck="false" placeholder=${placeholder}
               aria-autocomplete="list" aria-expanded=${shown ? 'true' : 'false'} aria-controls="${id}-listbox"
               aria-activedescendant=${shown && active >= 0 ? `${id}-opt-${active}` : nothing}
               .value=${value} @input=${e => { active = -1; onInput(e.target.value); }} @keydown=${keydown}
               @focus=${() => { onFocus?.(); if (!expanded) { expanded = true; redraw(); } }}
               @blur=${() => setTimeout(() => { if (expanded) { self.close(); redraw(); } }, 150)}>
        <ul id="${id}-listbox" role="listbox" aria-label="Suggestions" class="listbox" ?hidden=${!shown}>
          ${shown ? options.map((o, i) => html`<li id="${id}-opt-${i}" role="option" aria-selected=${i === active ? 'true' : 'false'}
              class=${i === active ? 'active' : ''} @mousedown=${e => { e.preventDefault(); onPick(o.value); }}>
              <span>${o.label}</span>${o.devices !== undefined && o.devices !== null
                ? html`<span class="option-count">${o.devices.toLocaleString()} ${o.devices === 1 ? 'device' : 'devices'}</span>` : nothing}
            </li>`) : nothing}
        </ul>
      </div>`;
    },
  };
  return self;
}
