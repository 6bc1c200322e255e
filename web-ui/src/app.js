// The console's entry point: restores the session, draws the shell (header, navigation, main area)
// and mounts the page of the current hash route into the main area.
//
// Content-Security-Policy: the server forbids inline scripts and inline styles on every console
// answer. Pages use classes from app.css and SVG presentation attributes, never style="…".
import { html, render, nothing } from './lib/vendor.js';
import { api } from './lib/api.js';
import { session } from './lib/session.js';
import { Router, currentLocation, navigate } from './lib/router.js';
import { errorView } from './lib/ui.js';
import { dateTime, relative } from './lib/format.js';
import { sections, allRoutes, routeAllowed, routeRefusal, sectionReachable, sectionOf } from './routes.js';
import { mountSignIn } from './pages/signin.js';

const router = new Router(allRoutes);
const root = document.getElementById('app');
/** A token that expires within this many days gets a banner. */
const EXPIRY_WARNING_DAYS = 7;
let cleanup = null;
let mountedKey = null;
let menuOpen = false;
let headingWatch = null;

async function start() {
  if (session.token) {
    try {
      session.loaded(await api.get('/session'));
    } catch (e) {
      // A 401 signed the session out already (api.js) with the server's reason; keep it for the sign-in page.
      if (e.status !== 401) session.signOut(`The server could not be asked who this token is: ${e.detail} Sign in again.`);
    }
  }
  session.addEventListener('change', () => { mountedKey = null; show(); });
  window.addEventListener('hashchange', show);
  document.querySelector('.skip-link')?.addEventListener('click', skipToContent);
  show();
}

/** The skip link's '#main' would be a route: move focus to the main area instead. */
function skipToContent(event) {
  event.preventDefault();
  const target = document.querySelector('#page h1') || document.getElementById('main');
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

const allowed = permission => session.allows(permission);

/** Sections shown in the navigation: they have pages, and the token may use the section and one of its pages. */
function visibleSections() {
  return sections.filter(s => s.routes.length && sectionReachable(s) && allowed(s.permission)
    && s.routes.some(r => routeAllowed({ ...r, section: s.id })));
}

function show() {
  // lit-html renders beside what a container holds: the static "Loading the console…" goes first.
  document.getElementById('boot')?.remove();
  if (!session.signedIn) {
    unmount();
    mountedKey = null;
    document.title = 'Sign in · Modelyard';
    mountSignIn(root, { reason: session.expiredReason, onSignedIn: () => show() });
    return;
  }
  const { path, query } = currentLocation();
  const key = `${path}?${query}`;
  if (key === mountedKey) return;
  const found = router.resolve(path);
  if ((path === '/' || path === '') && (!found || !routeAllowed(found.route))) {
    // No page at the root (or none this token may see): open the first section it can use.
    const first = visibleSections()[0];
    if (first && first.href !== '#/') {
      navigate(first.href.replace(/^#/, ''), undefined, { replace: true });
      return;
    }
  }
  mountedKey = key;
  menuOpen = false;
  drawShell(found?.route);
  mountPage(found, query);
}

function expiryBanner() {
  const expiresAt = session.info?.token?.expiresAt;
  const ms = session.expiresIn();
  if (ms === null || ms > EXPIRY_WARNING_DAYS * 86_400_000) return nothing;
  return html`<div class="banner warn" role="status">
    <strong>Your token expires ${relative(expiresAt)}</strong> (${dateTime(expiresAt)}).
    Ask an admin for a new token${session.can('tokens:create') ? html`, or issue one under <a href="#/admin/tokens">API tokens</a>` : nothing},
    before it stops working.
  </div>`;
}

function drawShell(route) {
  const info = session.info;
  const shown = visibleSections();
  const toggleMenu = () => { menuOpen = !menuOpen; drawShell(route); };
  render(html`
    <header class="topbar">
      <a class="brand" href="#/">Modelyard</a>
      <button class="menu-button" type="button" aria-expanded=${menuOpen ? 'true' : 'false'} aria-controls="sidenav"
              @click=${toggleMenu}>Menu</button>
      <div class="who">
        <span class="tenant"><span class="label">Tenant</span> ${info.tenant?.name || info.tenant?.id}</span>
        <span class="token"><span class="label">Token</span> ${info.token?.name || 'token'}
          <span class="role">${info.token?.role}</span></span>
        <button class="signout" type="button" @click=${() => session.signOut()}>Sign out</button>
      </div>
    </header>
    ${expiryBanner()}
    <div class="layout">
      <nav id="sidenav" class="sidenav ${menuOpen ? 'open' : ''}" aria-label="Sections">
        <ul>
          ${shown.map(s => html`
            <li><a href=${s.href} aria-current=${route?.section === s.id ? 'page' : nothing}
                   @click=${() => { menuOpen = false; }}>${s.label}</a></li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1"><div id="page"></div></main>
    </div>`, root);
}

async function mountPage(found, query) {
  unmount();
  // A fresh element for every mounted page: a page the user left may still render when a late fetch
  // answers; it then draws into this detached element, never over the next page.
  const page = document.createElement('div');
  page.className = 'page-body';
  document.getElementById('page').replaceChildren(page);
  delete document.documentElement.dataset.ready;
  if (!found) {
    document.documentElement.dataset.route = 'not-found';
    render(html`<h1>Page not found</h1>
      <p>There is no page at <code>${location.hash || '#/'}</code>. The link may be old, or mistyped.</p>
      <p><a href="#/">Go to the start page</a></p>`, page);
    document.title = 'Page not found · Modelyard';
    focusHeading(page);
    pageReady(mountedKey);
    return;
  }
  const { route, params } = found;
  document.title = `${route.title} · Modelyard`;
  document.documentElement.dataset.route = route.path;
  if (!routeAllowed(route) && !sectionReachable(sectionOf(route))) {
    render(html`<h1>${route.title}</h1><p class="notice">Your token is scoped to models named
      <code>${session.scope}</code>: ${routeRefusal(route)}. Use an unscoped token for this page.</p>
      <p><a href="#/models">Go to Models</a></p>`, page);
    focusHeading(page);
    pageReady(mountedKey);
    return;
  }
  if (!routeAllowed(route)) {
    const needed = routeRefusal(route);
    render(html`<h1>${route.title}</h1><p class="notice">Your token's role (${session.info.token?.role}) does not hold
      <code>${needed}</code>, which this page needs. Ask an admin for a token with that permission.</p>`, page);
    focusHeading(page);
    pageReady(mountedKey);
    return;
  }
  const key = mountedKey;
  render(html`<p class="loading" role="status">Loading ${route.title}…</p>`, page);
  let module;
  try {
    module = await route.load();
  } catch (e) {
    if (key !== mountedKey) return;
    showPageError(page, route, 'This page could not be loaded',
      'The console may have been upgraded while it was open, or the connection dropped. Reload the page to try again.', e);
    return;
  }
  if (key !== mountedKey) return; // the user moved on while the module loaded
  render(nothing, page);
  try {
    cleanup = module.default(page, { params, query, route, navigate, ready: () => pageReady(key) }) || null;
  } catch (e) {
    showPageError(page, route, 'This page failed to start', 'Reload the page; if it happens again, report it with the error below.', e);
    return;
  }
  focusHeading(page);
}

function showPageError(page, route, what, todo, error) {
  render(html`<h1>${route.title}</h1>
    ${errorView({ detail: `${what}: ${error?.message || error}`, code: error?.code })}
    <p>${todo}</p>
    <p><button type="button" class="primary" @click=${() => location.reload()}>Reload</button></p>`, page);
  focusHeading(page);
}

/**
 * After navigation focus moves to the page's heading, so keyboard and screen-reader users start there.
 * Pages draw their h1 at once or after their first fetch, and may draw it anew when their data arrives
 * (another template replaces the element): until the user moves the focus elsewhere, it follows the
 * page's current h1 until the page is ready (at most a few seconds).
 */
function focusHeading(page) {
  headingWatch?.disconnect();
  headingWatch = null;
  const focus = h1 => {
    if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  };
  const lost = () => !document.activeElement || document.activeElement === document.body;
  const now = page.querySelector('h1');
  if (now) focus(now);
  // A page that called ready() while it mounted has drawn its heading: nothing left to follow, and a
  // watch now would take the focus back from wherever the user (or a later redraw) moved it.
  if (document.documentElement.dataset.ready === 'true') return;
  const observer = new MutationObserver(() => {
    const h1 = page.querySelector('h1');
    if (h1 && h1 !== document.activeElement && lost()) focus(h1);
  });
  observer.observe(page, { childList: true, subtree: true });
  headingWatch = observer;
  setTimeout(() => { if (headingWatch === observer) { observer.disconnect(); headingWatch = null; } }, 5_000);
}

/**
 * A page calls ctx.ready() once its first data is on screen: tests wait for <html data-ready>, and
 * the console's benchmark reads the 'page-ready' performance mark (time from navigation or click).
 */
function pageReady(key) {
  if (key !== mountedKey) return;
  // The first data is on screen, with the page's heading: give it the focus if the redraw took it away,
  // and stop following the heading (later redraws, live updates, never move the focus).
  if (headingWatch) {
    const h1 = document.querySelector('#page h1');
    if (h1 && (!document.activeElement || document.activeElement === document.body)) {
      if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
    headingWatch.disconnect();
    headingWatch = null;
  }
  document.documentElement.dataset.ready = 'true';
  performance.mark('page-ready', { detail: document.documentElement.dataset.route });
}

function unmount() {
  headingWatch?.disconnect();
  headingWatch = null;
  if (typeof cleanup === 'function') {
    try { cleanup(); } catch (e) { console.error('page cleanup failed', e); }
  }
  cleanup = null;
}

start();
