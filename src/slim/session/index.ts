// The session layer: SLIM apps and their point-to-point and group sessions, with MLS, reliability
// and heartbeats, wire-compatible with the reference (docs/sessions-mls.md).
export { createSlimApp } from './app.js';
export type { SlimAppOptions } from './app.js';
export { realClock } from './clock.js';
export type { SessionClock } from './clock.js';
export { DiscoveryRefusedError, NoReplyError } from './errors.js';
export type * from './types.js';
