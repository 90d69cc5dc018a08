// What changed between two configurations, as the gateway applies it on reload: services by SLIM
// name, routes by path, the HTTP access lists, and the sections that only a restart can change.
import { formatName } from '../slim/dataplane/name.js';
import type { GatewayConfig, RouteConfig, ServiceConfig } from './types.js';

export interface Changes<T> {
  readonly added: readonly T[];
  readonly removed: readonly T[];
  readonly changed: readonly { readonly before: T; readonly after: T }[];
}

export interface ConfigDiff {
  readonly services: Changes<ServiceConfig>;
  readonly routes: Changes<RouteConfig>;
  /** bearerTokens, allowedOrigins or allowedHosts changed (applied live). */
  readonly access: boolean;
  /** Changed settings that take effect only after a restart, e.g. `slim`, `http.listen`. */
  readonly restartNeeded: readonly string[];
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  const none = (c: Changes<unknown>) => c.added.length + c.removed.length + c.changed.length === 0;
  return none(d.services) && none(d.routes) && !d.access && d.restartNeeded.length === 0;
}

function changes<T>(before: readonly T[], after: readonly T[], key: (t: T) => string): Changes<T> {
  const a = new Map(before.map((t) => [key(t), t]));
  const b = new Map(after.map((t) => [key(t), t]));
  return {
    added: after.filter((t) => !a.has(key(t))),
    removed: before.filter((t) => !b.has(key(t))),
    changed: after
      .filter((t) => a.has(key(t)) && !sameValue(a.get(key(t)), t))
      .map((t) => ({ before: a.get(key(t))!, after: t })),
  };
}

const ACCESS_KEYS = ['bearerTokens', 'allowedOrigins', 'allowedHosts'] as const;

export function diffConfigs(before: GatewayConfig, after: GatewayConfig): ConfigDiff {
  const restartNeeded: string[] = [];
  if (!sameValue(before.slim, after.slim)) restartNeeded.push('slim');
  for (const k of Object.keys(after.http) as (keyof GatewayConfig['http'])[]) {
    if ((ACCESS_KEYS as readonly string[]).includes(k)) continue;
    if (!sameValue(before.http[k], after.http[k])) restartNeeded.push(`http.${k}`);
  }
  if (!sameValue(before.log, after.log)) restartNeeded.push('log');
  if (before.reload !== after.reload) restartNeeded.push('reload');
  if (before.warmUp !== after.warmUp) restartNeeded.push('warmUp');
  if (!sameValue(before.telemetry, after.telemetry)) restartNeeded.push('telemetry');
  return {
    services: changes(before.services, after.services, (s) => formatName(s.name)),
    routes: changes(before.routes, after.routes, (r) => r.path),
    access: ACCESS_KEYS.some((k) => !sameValue(before.http[k], after.http[k])),
    restartNeeded,
  };
}

/** Structural equality for configuration values (plain objects, arrays, bigints, byte arrays). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((v, i) => v === b[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
