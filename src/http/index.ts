// The HTTP edge's public surface.
export { HttpEdge } from './edge.js';
export type { HttpAccess, HttpEdgeOptions, Readiness } from './edge.js';
export { RouteTable } from './router.js';
export { externalBaseUrl } from './forwarded.js';
export { checkBearer, hostAllowed, originAllowed } from './access.js';
