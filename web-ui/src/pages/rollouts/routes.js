// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/rollouts', title: 'Rollouts', load: () => import('./list.js'), permission: 'rollouts:read' },
  { path: '/rollouts/new', title: 'New rollout', load: () => import('./wizard.js'), permission: 'rollouts:create' },
  { path: '/rollouts/:id', title: 'Rollout', load: () => import('./rollout.js'), permission: 'rollouts:read' },
];
