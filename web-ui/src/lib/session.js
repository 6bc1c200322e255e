// Who is signed in: the API token, the tenant it belongs to, its role and permissions (from
// GET /api/v1/session). The token is kept in sessionStorage (this tab) or, when the user asks to be
// remembered, localStorage; it is sent only as an Authorization header, never in a URL.
const KEY = 'modelyard.session';

class Session extends EventTarget {
  constructor() {
    super();
    const saved = sessionStorage.getItem(KEY) || localStorage.getItem(KEY);
    const parsed = saved ? safeParse(saved) : null;
    this.token = parsed?.token || null;
    this.remember = Boolean(localStorage.getItem(KEY));
    /** GET /api/v1/session, once loaded: {tenant:{id,name}, token:{id,name,role,scope,expiresAt}, permissions:[...]} */
    this.info = null;
    this.expiredReason = null;
  }

  get signedIn() { return Boolean(this.token && this.info); }
  get tenant() { return this.info?.tenant?.id || null; }
  /**
   * The permissions the token can use. For a scoped token (a model-name glob) the server already cuts them to
   * the model catalogue's, since every other operation answers it 403 out-of-scope.
   */
  get permissions() { return this.info?.permissions || []; }

  /** The model-name glob a scoped token is confined to (it reaches only the model catalogue), or null. */
  get scope() { return this.info?.token?.scope || null; }

  /** True when the signed-in token's role holds the permission, e.g. can('models:update'). */
  can(permission) { return this.permissions.includes(permission); }

  /**
   * Whether the token may use something guarded by `permission`: none (anyone), one permission, or a list
   * of which any one will do (a route's or section's `permission`).
   */
  allows(permission) {
    if (!permission) return true;
    return Array.isArray(permission) ? permission.some(p => this.can(p)) : this.can(permission);
  }

  /** Milliseconds until the token expires (negative once it has), or null when it never does. */
  expiresIn(now = Date.now()) {
    const at = this.info?.token?.expiresAt;
    return at ? new Date(at).getTime() - now : null;
  }

  /** Keeps the token (before its check: api.js sends it) and, when remember, across browser restarts. */
  store(token, remember) {
    this.token = token;
    this.remember = remember;
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    (remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify({ token }));
  }

  loaded(info) {
    this.info = info;
    this.expiredReason = null;
    this.dispatchEvent(new Event('change'));
  }

  signOut(reason = null) {
    this.token = null;
    this.info = null;
    this.expiredReason = reason;
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    this.dispatchEvent(new Event('change'));
  }

  /** The server answered 401: the token was revoked, expired or its tenant disabled. */
  expired(error) {
    if (this.token) this.signOut(error.detail || 'Your token is no longer accepted. Sign in again.');
  }
}

function safeParse(text) {
  try { return JSON.parse(text); } catch (e) { return null; }
}

export const session = new Session();
