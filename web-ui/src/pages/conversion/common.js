// Pieces the conversion pages share: the sub-navigation, job states.
import { html, nothing } from '../../lib/vendor.js';
import { session } from '../../lib/session.js';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const CONVERTERS = {
  'ort-optimize': { writes: 'onnx', params: { level: ['basic', 'extended', 'all'] } },
  'ort-format': { writes: 'ort', params: { level: ['basic', 'extended', 'all'] } },
  'fp16-weights': { writes: 'onnx', params: { minElements: 'number' } },
  'int8-weights-qdq': { writes: 'onnx', params: { perChannel: 'boolean', minElements: 'number' } },
  'int8-dynamic': { writes: 'onnx', params: { perChannel: 'boolean', reduceRange: 'boolean', minElements: 'number' } },
  'int8-static': { writes: 'onnx', params: { perChannel: 'boolean', reduceRange: 'boolean' } },
};
/** The built-in converters whose results are optimized for speed (the server's default for a profile's optimized flag). */
export const OPTIMIZING = ['ort-optimize', 'ort-format', 'int8-dynamic', 'int8-static'];

/** Whether a built-in step makes its chain's result optimized by default (ort-format only beyond level basic: at basic it converts the format, and runs no faster). */
export const optimizes = step => step.type === 'builtin' && OPTIMIZING.includes(step.converter)
  && !(step.converter === 'ort-format' && (step.params?.level ?? 'basic') === 'basic');

/** Jobs | Profiles, with the current one marked. */
export function subnav(current) {
  const items = [
    ['jobs', 'Jobs', '#/conversion/jobs', 'artifacts:read'],
    ['profiles', 'Profiles', '#/conversion/profiles', 'profiles:read'],
  ].filter(([, , , permission]) => session.can(permission));
  return html`<nav class="subnav" aria-label="Conversion"><ul>${items.map(([id, label, link]) => html`
    <li><a href=${link} aria-current=${id === current ? 'page' : nothing}>${label}</a></li>`)}</ul></nav>`;
}

/** The JSON path of a field → the id of its input ('steps[1].params.level' → 'f-steps-1-params-level'). */
export const fid = path => `f-${path.replace(/[[\].]+/g, '-').replace(/-$/, '')}`;
