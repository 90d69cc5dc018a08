// Who may use the local endpoints. Three independent checks, each a pure function:
// - Origin: a browser page may call us only from a loopback origin or one listed in
//   http.allowedOrigins (cross-site requests and DNS rebinding, as the MCP transport spec asks);
// - Host: while we listen on loopback, the Host header must name loopback or an allowed host (a
//   rebinding page has its own domain in Host even when it sends no Origin);
// - Bearer: with http.bearerTokens, `Authorization: Bearer <token>`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '../config/host-port.js';

export interface AccessPolicy {
  readonly bearerTokens: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
  /** Enforce the Host check (on when listening on loopback, or when allowedHosts is not empty). */
  readonly checkHost: boolean;
}

/** `Origin` absent (not a browser, or same-origin GET) passes; `null` and unknown origins do not. */
export function originAllowed(origin: string | undefined, policy: AccessPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
}

export function hostAllowed(host: string | undefined, policy: AccessPolicy): boolean {
  if (!policy.checkHost || host === undefined) return true;
  if (policy.allowedHosts.includes(host)) return true;
  const name = host.replace(/:[0-9]+$/, '');
  if (policy.allowedHosts.includes(name)) return true;
  return isLoopbackHost(name);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export type BearerResult = 'ok' | 'missing' | 'invalid';

export function checkBearer(authorization: string | undefined, tokens: readonly string[]): BearerResult {
  if (tokens.length === 0) return 'ok';
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization ?? '');
  if (!m) return 'missing';
  const given = digest(m[1]!);
  // Compare against every token (no early exit) so timing says nothing about which one matched.
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(given, digest(t)) || ok;
  return ok ? 'ok' : 'invalid';
}

/** The WWW-Authenticate header for a 401 (RFC 6750 §3). */
export function wwwAuthenticate(result: Exclude<BearerResult, 'ok'>): string {
  return result === 'invalid'
    ? 'Bearer realm="slim-gateway", error="invalid_token", error_description="unknown bearer token"'
    : 'Bearer realm="slim-gateway"';
}

/** Response headers exposed to allowed browser pages (MCP needs its session and version headers). */
export const CORS_EXPOSE = 'Mcp-Session-Id, Mcp-Protocol-Version, X-Request-Id, WWW-Authenticate';
export const CORS_METHODS = 'GET, POST, DELETE, OPTIONS';
