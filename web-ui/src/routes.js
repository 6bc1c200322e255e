// Every view of the console, by section. Each section's routes.js lists its own routes (path,
// title, load); the nav shows a section when the signed-in token holds its permission. A scoped token
// (confined to a model-name glob) reaches only the sections marked `catalogue` (the server answers it
// 403 out-of-scope everywhere else).
import { routes as dashboard } from './pages/dashboard/routes.js';
import { routes as models } from './pages/models/routes.js';
import { routes as conversion } from './pages/conversion/routes.js';
import { routes as devices } from './pages/devices/routes.js';
import { routes as rollouts } from './pages/rollouts/routes.js';
import { routes as gitsync } from './pages/gitsync/routes.js';
import { routes as admin } from './pages/admin/routes.js';
import { session } from './lib/session.js';

export const sections = [
  { id: 'dashboard', label: 'Dashboard', href: '#/', permission: 'devices:read', routes: dashboard },
  { id: 'models', label: 'Models', href: '#/models', permission: 'models:read', routes: models, catalogue: true },
  { id: 'conversion', label: 'Conversion', href: '#/conversion/jobs', permission: 'artifacts:read', routes: conversion },
  { id: 'devices', label: 'Devices', href: '#/devices', permission: 'devices:read', routes: devices },
  { id: 'rollouts', label: 'Rollouts', href: '#/rollouts', permission: 'rollouts:read', routes: rollouts },
  { id: 'gitsync', label: 'Git sync', href: '#/git-sources', permission: 'gitsync:read', routes: gitsync },
  { id: 'admin', label: 'Trust & admin', href: '#/admin', permission: null, routes: admin },
];

export const allRoutes = sections.flatMap(section => section.routes.map(route => ({ ...route, section: section.id })));

/** A scoped token reaches only the model catalogue: the sections marked `catalogue`. */
export const sectionReachable = section => !session.scope || Boolean(section?.catalogue);

/** The section a route (of allRoutes) belongs to. */
export const sectionOf = route => sections.find(s => s.id === route.section);

/**
 * Whether the signed-in token may open a route (of allRoutes): its `permission`, and when it has `anyOf`, one
 * of those too (an overview of several areas); for a scoped token, a route of the catalogue only.
 */
export const routeAllowed = route => session.allows(route.permission) && (!route.anyOf || session.allows(route.anyOf))
  && (!route.section || sectionReachable(sectionOf(route)));

/** Why a route is closed to the signed-in token, in the words its page shows; null when it is open. */
export function routeRefusal(route) {
  if (routeAllowed(route)) return null;
  if (!sectionReachable(sectionOf(route))) return 'it reaches only the model catalogue';
  return route.permission && !session.allows(route.permission) ? [].concat(route.permission).join(' or ') : route.anyOf.join(' or ');
}
