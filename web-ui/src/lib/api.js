// The one way pages talk to the server: the REST API under /api/v1 with the signed-in token.
// Errors arrive as RFC 9457 problem+json with a stable `code`; they are thrown as ApiError so a page
// can show `error.detail` and branch on `error.code` (see messages.js for what to tell the user).
import { session } from './session.js';

export const API = '/api/v1';

export class ApiError extends Error {
  /** @param {number} status @param {object} problem the problem+json body (or one made up for network errors) */
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code || (status === 0 ? 'network-error' : `http-${status}`);
    this.detail = problem.detail || problem.title || '';
    /** The body field (JSON path) or the parameter the problem is about, when the server names one. */
    this.field = problem.field || null;
    this.parameter = problem.parameter || null;
  }
}

/** Query string from an object; undefined, null and '' values are left out, arrays repeat the key. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach(v => q.append(key, String(v)));
    else q.append(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Headers every API call carries: the token, and JSON unless the caller sends something else. */
export function authHeaders(extra = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...extra };
  if (session.token && !headers.Authorization) headers.Authorization = `Bearer ${session.token}`;
  return headers;
}

/**
 * One API call. `path` is below /api/v1 (or absolute when it starts with /api/ or /q/).
 * Options: query (object), body (JSON-serialised unless it is a Blob/ArrayBuffer/FormData/string),
 * headers, signal, raw (return the Response itself, for downloads and streams).
 * Resolves to the parsed JSON (or null for 204); rejects with ApiError.
 */
export async function request(method, path, { query: params, body, headers, signal, raw } = {}) {
  const url = (path.startsWith('/api/') || path.startsWith('/q/') ? path : API + path) + query(params);
  const init = { method, headers: authHeaders(headers), signal };
  if (body !== undefined) {
    const binary = body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body)
        || body instanceof FormData || typeof body === 'string';
    init.body = binary ? body : JSON.stringify(body);
    if (!binary && !init.headers['Content-Type']) init.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection; the console retries live updates by itself.' });
  }
  if (!response.ok && !(raw && response.status === 304)) {
    const problem = await problemOf(response);
    const error = new ApiError(response.status, problem);
    if (response.status === 401) session.expired(error);
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

async function problemOf(response) {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed;
  } catch (ignored) { /* not JSON: a proxy's page, say */ }
  return { status: response.status, title: response.statusText, detail: text.slice(0, 300) || `HTTP ${response.status}` };
}

export const api = {
  get: (path, params, options = {}) => request('GET', path, { ...options, query: params }),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, {
    ...options, body, headers: { 'Content-Type': 'application/merge-patch+json', ...(options.headers || {}) } }),
  del: (path, options = {}) => request('DELETE', path, options),
};

/** Encodes one path segment (model names, versions, filenames). */
export const seg = value => encodeURIComponent(String(value));
