// An MCP server that wants OAuth, seen through two gateways (docs/mcp-over-slimrpc.md,
// "Authorization"). The serving gateway turns the server's HTTP 401 (or 403 insufficient_scope)
// into an UNAUTHENTICATED status
// whose message carries the challenge (the WWW-Authenticate value and the protected resource
// metadata it points to; both public documents, never a token). The route answers its client with
// a 401 whose `resource_metadata` points at the route itself, and serves the metadata there with
// `resource` set to the route URL, so an MCP client's discovery and resource check (RFC 9728)
// succeed against the URL it uses; the authorization servers are left as the server named them.
import { RpcError, StatusCode } from '../../slim/rpc/index.js';

export interface UpstreamChallenge {
  /** 401 (no or a bad token), or 403 with `error="insufficient_scope"` (a token lacking a scope). */
  readonly httpStatus?: 401 | 403;
  /** The server's WWW-Authenticate header. */
  readonly wwwAuthenticate: string;
  /** Its protected resource metadata document, when it could be fetched. */
  readonly resourceMetadata?: Record<string, unknown>;
}

const PREFIX = 'UpstreamUnauthorized: ';

/** Where the route serves the protected resource metadata, below its own path. */
export const RESOURCE_METADATA_SUBPATH = '/.well-known/oauth-protected-resource';

/** The status the serving gateway ends a call with when its server answered 401. */
export function upstreamUnauthorized(challenge: UpstreamChallenge): RpcError {
  return new RpcError(StatusCode.UNAUTHENTICATED, PREFIX + JSON.stringify(challenge));
}

/** The challenge of an UNAUTHENTICATED status built by upstreamUnauthorized, else undefined. */
export function readUpstreamChallenge(err: unknown): UpstreamChallenge | undefined {
  if (!(err instanceof RpcError) || err.status !== StatusCode.UNAUTHENTICATED) return undefined;
  if (!err.message.startsWith(PREFIX)) return undefined;
  try {
    const value = JSON.parse(err.message.slice(PREFIX.length)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { wwwAuthenticate, resourceMetadata, httpStatus } = value as Record<string, unknown>;
    if (typeof wwwAuthenticate !== 'string') return undefined;
    return {
      httpStatus: httpStatus === 403 ? 403 : 401,
      wwwAuthenticate,
      ...(isRecord(resourceMetadata) ? { resourceMetadata } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The `resource_metadata` parameter of a WWW-Authenticate value (RFC 9728 §5.1). */
export function resourceMetadataUrl(wwwAuthenticate: string): string | undefined {
  return /\bresource_metadata="([^"]*)"/i.exec(wwwAuthenticate)?.[1];
}

/** The challenge as the route's client must see it: resource_metadata pointing at the route. */
export function localWwwAuthenticate(wwwAuthenticate: string, routeUrl: string): string {
  const local = `resource_metadata="${routeUrl}${RESOURCE_METADATA_SUBPATH}"`;
  if (/\bresource_metadata="[^"]*"/i.test(wwwAuthenticate))
    return wwwAuthenticate.replace(/\bresource_metadata="[^"]*"/i, local);
  const bearer = /^\s*Bearer\b\s*(.*)$/is.exec(wwwAuthenticate);
  const rest = bearer?.[1]?.trim() ?? '';
  return `Bearer ${local}${rest ? `, ${rest}` : ''}`;
}

/** The server's metadata as the route serves it: `resource` is the route's URL. */
export function localResourceMetadata(
  metadata: Record<string, unknown>,
  routeUrl: string,
): Record<string, unknown> {
  return { ...metadata, resource: routeUrl };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
