// What a configuration reload changes in the running gateway (README "reload"): services, routes
// and the HTTP access lists (bearer tokens, allowed origins and hosts) take effect at once; the
// SLIM, HTTP listen, log and reload settings stay as started (diffConfigs names them as needing
// a restart). Pure.
import type { ConfigDiff } from '../config/diff.js';
import type { GatewayConfig } from '../config/types.js';

/** The running configuration after a reload to `next`. */
export function reloadedConfig(before: GatewayConfig, next: GatewayConfig): GatewayConfig {
  return Object.freeze({
    ...next,
    slim: before.slim,
    http: Object.freeze({
      ...before.http,
      bearerTokens: next.http.bearerTokens,
      allowedOrigins: next.http.allowedOrigins,
      allowedHosts: next.http.allowedHosts,
    }),
    log: before.log,
    reload: before.reload,
  });
}

/** How many routes and services a reload added, removed and changed (for its log line). */
export function reloadCounts(diff: ConfigDiff) {
  const count = (c: ConfigDiff['routes'] | ConfigDiff['services']) => ({
    added: c.added.length,
    removed: c.removed.length,
    changed: c.changed.length,
  });
  return { routes: count(diff.routes), services: count(diff.services), access: diff.access };
}
