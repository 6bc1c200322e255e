// Routes of this section: {path, title, load: () => import('./page.js'), permission?}.
export const routes = [
  { path: '/devices', title: 'Devices', load: () => import('./list.js'), permission: 'devices:read' },
  { path: '/devices/:id', title: 'Device', load: () => import('./device.js'), permission: 'devices:read' },
];
