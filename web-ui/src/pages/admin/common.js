// What the Trust & admin pages share: their sub-navigation, and the expiry rule for keys and roots.
import { html, nothing } from '../../lib/vendor.js';
import { session } from '../../lib/session.js';

export const AREAS = [
  { path: '/admin', label: 'Overview', permission: null, anyOf: ['keys:read', 'tokens:read', 'roles:read', 'audit:read', 'tenants:read'] },
  { path: '/admin/trust', label: 'Trust', permission: 'keys:read' },
  { path: '/admin/tokens', label: 'API tokens', permission: 'tokens:read' },
  { path: '/admin/roles', label: 'Roles', permission: 'roles:read' },
  { path: '/admin/audit', label: 'Audit log', permission: 'audit:read' },
  { path: '/admin/settings', label: 'Tenant settings', permission: 'keys:read' },
  { path: '/admin/tenants', label: 'Tenants', permission: 'tenants:read' },
];

/** The tabs of the section, those the token may use, the current one marked. */
export function subnav(current) {
  const shown = AREAS.filter(a => session.allows(a.permission) && (!a.anyOf || session.allows(a.anyOf)));
  return html`<nav class="subnav" aria-label="Trust and admin pages"><ul>
    ${shown.map(a => html`<li><a href="#${a.path}" aria-current=${a.path === current ? 'page' : nothing}>${a.label}</a></li>`)}
  </ul></nav>`;
}

export const DAY = 86_400_000;
/** Within this many days of its expiry, a root (or token) gets a warning. */
export const WARN_DAYS = 30;

/** 'expired' | 'soon' | 'ok' | 'never' for an expiry instant. */
export function expiryState(iso, now = Date.now()) {
  if (!iso) return 'never';
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return 'expired';
  return ms <= WARN_DAYS * DAY ? 'soon' : 'ok';
}

/** Whole days until (positive) or since (negative) an instant. */
export const daysUntil = (iso, now = Date.now()) => Math.floor((new Date(iso).getTime() - now) / DAY);

/** Copies text to the clipboard; resolves true when it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    return false;
  }
}
