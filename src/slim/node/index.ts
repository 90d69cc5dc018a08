// The embedded SLIM node: public surface.
export { SlimNode, parseListen } from './node.js';
export type { SlimNodeOptions, NodeTlsOptions } from './node.js';
export { RoutingTable, NULL_NAME_ID } from './routing-table.js';
export type { RouteName, ConnectionKind, TableResult } from './routing-table.js';
export { DEFAULT_NODE_LIMITS } from './limits.js';
export type { NodeLimits } from './limits.js';
