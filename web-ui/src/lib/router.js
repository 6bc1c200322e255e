// Hash routes (#/models/kws-small): the server serves one index.html, every view is a client route,
// and a reload or a shared link opens the same view. A route names its page module, loaded on first
// use, so the first paint loads only the shell.
//
// A page module's default export is mount(element, ctx) and may return a function that cleans up
// (closes live subscriptions, aborts fetches); ctx = {params, query, route, navigate, ready}; it calls ctx.ready() once its first data is
// on screen (tests and the benchmark wait for that).

/** Compiles '/models/:model/versions/:version' to a matcher returning the decoded params or null. */
export function compile(pattern) {
  const names = [];
  const source = pattern.replace(/\/:([a-zA-Z]+)/g, (_, name) => { names.push(name); return '/([^/]+)'; });
  const regex = new RegExp(`^${source}/?$`);
  return path => {
    const m = regex.exec(path);
    if (!m) return null;
    const params = {};
    names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
    return params;
  };
}

/** The current location: path and query of the hash ('#/devices?q=tag==lab' → '/devices', q). */
export function currentLocation() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const at = hash.indexOf('?');
  return {
    path: at < 0 ? hash : hash.slice(0, at),
    query: new URLSearchParams(at < 0 ? '' : hash.slice(at + 1)),
  };
}

/** Link target for a path and optional query object: href(`/models/${m}`) → '#/models/m'. */
export function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path, params, { replace = false } = {}) {
  const target = href(path, params);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Path segment of a name for links: encodes '/', '?', '#' and spaces. */
export const pathSeg = value => encodeURIComponent(String(value));

export class Router {
  /** @param routes [{path, title, load: () => import(...), permission?}] */
  constructor(routes) {
    this.routes = routes.map(route => ({ ...route, match: compile(route.path) }));
  }

  resolve(path) {
    for (const route of this.routes) {
      const params = route.match(path);
      if (params) return { route, params };
    }
    return null;
  }
}
