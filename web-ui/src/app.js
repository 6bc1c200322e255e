// The console's entry point: restores the session, draws the shell (header, navigation, main area)
// and mounts the page of the current hash route into the main area.
import { html, render, nothing } from './lib/vendor.js';
import { api } from './lib/api.js';
import { session } from './lib/session.js';
import { Router, currentLocation, navigate } from './lib/router.js';
import { sections, allRoutes } from './routes.js';
import { mountSignIn } from './pages/signin.js';

const router = new Router(allRoutes);
const root = document.getElementById('app');
let cleanup = null;
let mountedKey = null;

async function start() {
  if (session.token) {
    try {
      session.loaded(await api.get('/session'));
    } catch (e) {
      session.signOut(e.status === 401 ? e.detail : null);
      if (e.status !== 401) console.warn('could not load the session', e.code);
    }
  }
  session.addEventListener('change', () => { mountedKey = null; show(); });
  window.addEventListener('hashchange', show);
  show();
}

function show() {
  if (!session.signedIn) {
    unmount();
    mountSignIn(root, { reason: session.expiredReason, onSignedIn: () => show() });
    return;
  }
  const { path, query } = currentLocation();
  const key = `${path}?${query}`;
  if (key === mountedKey) return;
  mountedKey = key;
  const found = router.resolve(path);
  drawShell(found?.route);
  mountPage(found, query);
}

function drawShell(route) {
  const info = session.info;
  render(html`
    <header class="topbar">
      <a class="brand" href="#/">Modelyard</a>
      <span class="tenant" title="Tenant">${info.tenant?.name || info.tenant?.id}</span>
      <span class="who">${info.token?.name || 'token'} · ${info.token?.role}</span>
      <button class="link" @click=${() => session.signOut()}>Sign out</button>
    </header>
    <div class="layout">
      <nav class="sidenav" aria-label="Sections">
        <ul>
          ${sections.filter(s => s.routes.length && (!s.permission || session.can(s.permission))).map(s => html`
            <li><a href=${s.href} aria-current=${route?.section === s.id ? 'page' : nothing}>${s.label}</a></li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1"><div id="page"></div></main>
    </div>`, root);
}

async function mountPage(found, query) {
  unmount();
  const page = document.getElementById('page');
  if (!found) {
    render(html`<h1>Not found</h1><p>No page at this address. <a href="#/">Go to the dashboard</a>.</p>`, page);
    document.title = 'Not found · Modelyard';
    return;
  }
  const { route, params } = found;
  document.title = `${route.title} · Modelyard`;
  if (route.permission && !session.can(route.permission)) {
    render(html`<h1>${route.title}</h1><p class="notice">Your token's role (${session.info.token?.role}) does not hold
      <code>${route.permission}</code>, which this page needs. Ask an admin for a token with that permission.</p>`, page);
    return;
  }
  const key = mountedKey;
  const module = await route.load();
  if (key !== mountedKey) return; // the user moved on while the module loaded
  render(nothing, page);
  delete document.documentElement.dataset.ready;
  document.documentElement.dataset.route = route.path;
  cleanup = module.default(page, { params, query, route, navigate, ready: () => pageReady(key) }) || null;
  document.getElementById('main')?.focus({ preventScroll: true });
}

/**
 * A page calls ctx.ready() once its first data is on screen: tests wait for <html data-ready>, and
 * the console's benchmark reads the 'page-ready' performance mark (time from navigation or click).
 */
function pageReady(key) {
  if (key !== mountedKey) return;
  document.documentElement.dataset.ready = 'true';
  performance.mark('page-ready', { detail: document.documentElement.dataset.route });
}

function unmount() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
}

start();
