// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/', title: 'Dashboard', load: () => import('./dashboard.js'), permission: 'devices:read' },
];
