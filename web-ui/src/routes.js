// Every view of the console, by section. Each section's routes.js lists its own routes (path,
// title, load); the nav shows a section when the signed-in token holds its permission.
import { routes as dashboard } from './pages/dashboard/routes.js';
import { routes as models } from './pages/models/routes.js';
import { routes as conversion } from './pages/conversion/routes.js';
import { routes as devices } from './pages/devices/routes.js';
import { routes as rollouts } from './pages/rollouts/routes.js';
import { routes as admin } from './pages/admin/routes.js';

export const sections = [
  { id: 'dashboard', label: 'Dashboard', href: '#/', permission: 'devices:read', routes: dashboard },
  { id: 'models', label: 'Models', href: '#/models', permission: 'models:read', routes: models },
  { id: 'conversion', label: 'Conversion', href: '#/conversion/jobs', permission: 'artifacts:read', routes: conversion },
  { id: 'devices', label: 'Devices', href: '#/devices', permission: 'devices:read', routes: devices },
  { id: 'rollouts', label: 'Rollouts', href: '#/rollouts', permission: 'rollouts:read', routes: rollouts },
  { id: 'admin', label: 'Trust & admin', href: '#/admin', permission: null, routes: admin },
];

export const allRoutes = sections.flatMap(section => section.routes.map(route => ({ ...route, section: section.id })));
