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

/** The path of a request target (origin or absolute form), without the query string. */
export function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/** Resolves when every promise settled or after `ms`, whichever comes first; clears its timer. */
export async function waitAll(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
