// Small HTTP helpers of the Streamable HTTP front: Origin checking (DNS-rebinding protection),
// header access, JSON-RPC error answers, the HTTP status of a modern JSON-RPC error, and writes
// that respect backpressure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../../util/http.js';
import { errorResponse, JsonRpcCode } from '../jsonrpc.js';
import type { JsonRpcId } from '../jsonrpc.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request's Origin may use the endpoint. No Origin (non-browser clients) is allowed;
 * with no configured list only loopback origins are; `*` in the list allows any.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (origin === undefined) return true;
  if (allowed && allowed.length > 0) return allowed.includes('*') || allowed.includes(origin);
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  if (Array.isArray(v)) return v[0];
  return v === undefined || v === '' ? undefined : v;
}

/** What the client accepts: (json, sse). A missing or wildcard Accept allows both. */
export function accepts(req: IncomingMessage): { json: boolean; sse: boolean } {
  const a = header(req, 'accept');
  if (a === undefined || a.includes('*/*')) return { json: true, sse: true };
  return { json: a.includes('application/json'), sse: a.includes('text/event-stream') };
}

export function sendRpcError(
  res: ServerResponse,
  httpStatus: number,
  code: number,
  message: string,
  id: JsonRpcId | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(res, httpStatus, errorResponse(id, code, message), headers);
}

/**
 * HTTP status for a JSON-RPC error answering a modern (2026-07-28) request sent as plain JSON:
 * the revision gives unknown methods 404 and version / header / capability failures 400.
 */
export function modernErrorStatus(code: number): number {
  switch (code) {
    case JsonRpcCode.METHOD_NOT_FOUND:
      return 404;
    case JsonRpcCode.HEADER_MISMATCH:
    case JsonRpcCode.MISSING_CLIENT_CAPABILITY:
    case JsonRpcCode.UNSUPPORTED_PROTOCOL_VERSION:
      return 400;
    default:
      return 200;
  }
}

/** Writes a chunk; waits for 'drain' when the socket buffer is full. False if the response closed. */
export async function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.writableEnded || res.destroyed) return false;
  if (res.write(chunk)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
