// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [];
