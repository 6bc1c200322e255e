// Trust & admin: the overview and one page per area. A page shows only to tokens holding its permission;
// the overview (anyOf) to a token holding any one of the areas' permissions.
const AREAS = ['keys:read', 'tokens:read', 'roles:read', 'audit:read', 'tenants:read'];

export const routes = [
  { path: '/admin', title: 'Trust & admin', load: () => import('./overview.js'), anyOf: AREAS },
  { path: '/admin/trust', title: 'Trust', load: () => import('./trust.js'), permission: 'keys:read' },
  { path: '/admin/tokens', title: 'API tokens', load: () => import('./tokens.js'), permission: 'tokens:read' },
  { path: '/admin/roles', title: 'Roles', load: () => import('./roles.js'), permission: 'roles:read' },
  { path: '/admin/audit', title: 'Audit log', load: () => import('./audit.js'), permission: 'audit:read' },
  { path: '/admin/tenants', title: 'Tenants', load: () => import('./tenants.js'), permission: 'tenants:read' },
  { path: '/admin/settings', title: 'Tenant settings', load: () => import('./settings.js'), permission: 'keys:read' },
];
