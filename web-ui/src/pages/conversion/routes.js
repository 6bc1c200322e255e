// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/conversion/jobs', title: 'Conversion jobs', load: () => import('./jobs.js'), permission: 'artifacts:read' },
  { path: '/conversion/jobs/:id', title: 'Conversion job', load: () => import('./job.js'), permission: 'artifacts:read' },
  { path: '/conversion/profiles', title: 'Conversion profiles', load: () => import('./profiles.js'), permission: 'profiles:read' },
  { path: '/conversion/profiles/new', title: 'New conversion profile', load: () => import('./profile.js'), permission: 'profiles:create' },
  { path: '/conversion/profiles/:name', title: 'Conversion profile', load: () => import('./profile.js'), permission: 'profiles:read' },
];
