// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/git-sources', title: 'Git sync', load: () => import('./list.js'), permission: 'gitsync:read' },
  { path: '/git-sources/new', title: 'New git source', load: () => import('./form.js'), permission: 'gitsync:create' },
  { path: '/git-sources/:name/edit', title: 'Edit git source', load: () => import('./form.js'), permission: 'gitsync:update' },
  { path: '/git-sources/:name', title: 'Git source', load: () => import('./source.js'), permission: 'gitsync:read' },
];
