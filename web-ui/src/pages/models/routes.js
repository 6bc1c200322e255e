// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/models', title: 'Models', load: () => import('./list.js'), permission: 'models:read' },
  { path: '/models/:model', title: 'Model', load: () => import('./model.js'), permission: 'models:read' },
  { path: '/models/:model/versions/:version', title: 'Version', load: () => import('./version.js'), permission: 'models:read' },
  { path: '/models/:model/versions/:version/upload', title: 'Upload', load: () => import('./upload.js'), permission: 'artifacts:create' },
];
