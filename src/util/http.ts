// The seam between the HTTP edge (src/http, src/gateway/index.ts) and the adapters: an adapter exposes
// an HttpHandler that the edge mounts under a route path. Helpers here keep every adapter's bad-input
// answers identical (body limits give 413, bad JSON is the caller's problem, never a crash).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from './errors.js';

export interface HttpRequestContext {
  /** Path below the mount point ('' or starting with '/'), without the query string. */
  readonly subpath: string;
  /** The externally visible URL of the mount point (honours X-Forwarded-Proto/Host/Prefix). */
  readonly baseUrl: string;
  /** Fires when the client goes away or the gateway shuts down. */
  readonly signal: AbortSignal;
}

export type HttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HttpRequestContext,
) => Promise<void>;

/** Default request body limit: 4 MiB (MCP results and A2A artifacts can be large). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Reads the whole body, failing with RESOURCE_EXHAUSTED (HTTP 413) past `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new GatewayError('RESOURCE_EXHAUSTED', `request body over the ${limitBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      req.resume();
      throw new GatewayError('RESOURCE_EXHAUSTED', `request body over the ${limitBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes a JSON response (unless headers already went out). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** HTTP status for a local error code (the HTTP edge's one table). */
export function httpStatusFor(err: unknown): number {
  if (!(err instanceof GatewayError)) return 500;
  switch (err.code) {
    case 'INVALID_ARGUMENT':
    case 'PROTOCOL':
      return 400;
    case 'AUTH':
      return 401;
    case 'NOT_FOUND':
      return 404;
    case 'ALREADY_EXISTS':
      return 409;
    case 'RESOURCE_EXHAUSTED':
      return 413;
    case 'UNIMPLEMENTED':
      return 501;
    case 'UNREACHABLE':
    case 'LINK_REFUSED':
    case 'LINK_CLOSED':
    case 'UNAVAILABLE':
    case 'CLOSED':
      return 503;
    case 'TIMEOUT':
      return 504;
    case 'CANCELLED':
      return 499;
    case 'CONFIG':
    case 'MLS':
    case 'INTERNAL':
      return 500;
  }
}
