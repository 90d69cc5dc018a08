// Small helpers of the HTTP edge: the JSON error body (a code and a message, never a stack or a
// payload), the request path, and a bounded wait used during shutdown.
import { GatewayError } from '../util/errors.js';

export interface ErrorJson {
  readonly error: { readonly code: string; readonly message: string };
}

export function errorJson(code: string, message: string): ErrorJson {
  return { error: { code, message } };
}

/** The edge's body for a thrown error: GatewayErrors say what they are; anything else is INTERNAL. */
export function errorBody(err: unknown): ErrorJson {
  if (err instanceof GatewayError) return errorJson(err.code, err.message);
  return errorJson('INTERNAL', 'internal error');
}

/**
 * Why a request target's path cannot be routed as sent (undefined when it can): dot segments,
 * plain or percent-encoded (`..`, `%2e%2e`), an encoded slash, a backslash or broken percent-
 * encoding. URL parsing would resolve them before routing, so `/a2a/x/%2e%2e/mcp` would reach
 * another route than the one its text names; we refuse instead of guessing.
 */
export function pathProblem(url: string | undefined): string | undefined {
  let path = (url ?? '/').split(/[?#]/, 1)[0]!;
  if (!path.startsWith('/')) {
    const scheme = /^[a-z][a-z\d+.-]*:\/\/[^/]*/i.exec(path);
    if (!scheme) return path === '*' ? undefined : 'the request target must be a path';
    path = path.slice(scheme[0].length) || '/';
  }
  if (path.includes('\\')) return 'a backslash in the path';
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'broken percent-encoding in the path';
    }
    if (decoded === '.' || decoded === '..') return 'a dot segment (. or ..) in the path';
    if (decoded.includes('/') || decoded.includes('\\')) return 'an encoded slash in the path';
  }
  return undefined;
}

/** The path of a request target (origin or absolute form), without the query string. */
export function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/** A socket's peer address as one key per client (IPv4-mapped IPv6 folded to IPv4). */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return 'unknown';
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}

/** Resolves when every promise settled or after `ms`, whichever comes first; clears its timer. */
export async function waitAll(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
