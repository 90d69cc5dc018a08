// An HTTP server behind a serving gateway that asks its caller to authenticate, carried back over
// SLIM (docs/mcp-over-slimrpc.md, "Authorization"; docs/a2a-over-slim.md#authorization). The
// serving gateway turns the server's HTTP 401 (or 403 insufficient_scope) into an UNAUTHENTICATED
// status whose message carries the challenge (the WWW-Authenticate value and, for MCP, the
// protected resource metadata it points to; public documents, never a token); the route answers
// its client with the same HTTP status and challenge. Shared by the MCP and A2A adapters.
import { RpcError, StatusCode } from '../slim/rpc/index.js';

export interface UpstreamChallenge {
  /** 401 (no or a bad token), or 403 with `error="insufficient_scope"` (a token lacking a scope). */
  readonly httpStatus?: 401 | 403;
  /** The server's WWW-Authenticate header. */
  readonly wwwAuthenticate: string;
  /** Its protected resource metadata document, when it could be fetched (MCP). */
  readonly resourceMetadata?: Record<string, unknown>;
}

const PREFIX = 'UpstreamUnauthorized: ';

/**
 * A challenge comes from a remote peer and becomes a header of our answer: only visible ASCII,
 * spaces and tabs (RFC 9110 field values without obs-text), and bounded, or it is not relayed.
 */
const MAX_CHALLENGE_CHARS = 4096;
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

/** The HTTP status of a server's answer that is a challenge to relay, else undefined. */
export function challengeStatus(status: number, wwwAuthenticate: string | undefined): 401 | 403 | undefined {
  if (status === 401) return 401;
  return status === 403 && /insufficient_scope/i.test(wwwAuthenticate ?? '') ? 403 : undefined;
}

/** The status the serving gateway ends a call with when its server answered 401. */
export function upstreamUnauthorized(challenge: UpstreamChallenge): RpcError {
  return new RpcError(StatusCode.UNAUTHENTICATED, PREFIX + JSON.stringify(challenge));
}

/**
 * The challenge of an UNAUTHENTICATED status built by upstreamUnauthorized (or of an error caused
 * by one), else undefined.
 */
export function readUpstreamChallenge(err: unknown): UpstreamChallenge | undefined {
  const status = err instanceof RpcError ? err : (err as { cause?: unknown } | undefined)?.cause;
  if (!(status instanceof RpcError) || status.status !== StatusCode.UNAUTHENTICATED) return undefined;
  if (!status.message.startsWith(PREFIX)) return undefined;
  try {
    const value = JSON.parse(status.message.slice(PREFIX.length)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { wwwAuthenticate, resourceMetadata, httpStatus } = value as Record<string, unknown>;
    if (typeof wwwAuthenticate !== 'string') return undefined;
    if (wwwAuthenticate.length > MAX_CHALLENGE_CHARS || !FIELD_VALUE.test(wwwAuthenticate)) return undefined;
    return {
      httpStatus: httpStatus === 403 ? 403 : 401,
      wwwAuthenticate,
      ...(isRecord(resourceMetadata) ? { resourceMetadata } : {}),
    };
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
