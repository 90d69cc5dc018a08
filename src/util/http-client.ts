// A small HTTP/1.1 client on node:http(s) for the adapters' backend calls (a POST per relayed
// message), used instead of the global `fetch` because it costs a fraction of the CPU per request:
// undici's fetch builds WHATWG Request/Headers/Response objects and web streams for every call,
// which measured ~0.6 ms of CPU per small request against ~0.1 ms here (BENCHMARKS.md, "MCP
// through two gateways"). Connections are kept alive by Node's global agents (keep-alive on by
// default since Node 19). Invariants: the returned promise settles once (headers received, or an
// error, or the abort); the body is read as Buffers through `chunks()` and released with
// `cancel()`, which lets it end (connection reused) but closes it after a grace period; an abort
// destroys the request and its response, so a reader sees an error, never a hang. Errors are the
// underlying Node errors: callers map them to their wire.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpClientRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

export interface HttpClientResponse {
  readonly status: number;
  readonly ok: boolean;
  /** The underlying Node response. */
  readonly raw: IncomingMessage;
  /** A response header (first value when repeated), lower-case name. */
  header(name: string): string | undefined;
  /** The body, chunk by chunk; read it at most once. Leaving the loop early does not end it. */
  chunks(): AsyncIterable<Buffer>;
  /**
   * Done with the response (idempotent): the rest of the body is read and discarded so the
   * connection can be reused, or the connection is closed if the body has not ended within
   * RELEASE_GRACE_MS (a stream the server keeps open).
   */
  cancel(): void;
}

/** Sends one request and resolves with the response once its headers have arrived. */
export function httpSend(url: URL, init: HttpClientRequest): Promise<HttpClientResponse> {
  return new Promise((resolve, reject) => {
    if (init.signal?.aborted) {
      reject(abortReason(init.signal));
      return;
    }
    const headers: OutgoingHttpHeaders = { ...init.headers };
    const body =
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? Buffer.from(init.body)
          : init.body;
    if (body !== undefined) headers['content-length'] = body.byteLength;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: init.method, headers, ...(init.signal ? { signal: init.signal } : {}) },
      (res) => resolve(wrap(res)),
    );
    req.on('error', (err) => reject(init.signal?.aborted ? abortReason(init.signal) : err));
    req.end(body);
  });
}

/**
 * How long a released response may take to end before its connection is closed. An MCP server
 * ends a POST's event stream right after the response, which a relay has already read: waiting
 * for that end keeps the connection alive for the next request (closing it cost a new TCP
 * connection per call on both sides).
 */
const RELEASE_GRACE_MS = 2_000;

function wrap(res: IncomingMessage): HttpClientResponse {
  const status = res.statusCode ?? 0;
  let released = false;
  return {
    raw: res,
    status,
    ok: status >= 200 && status < 300,
    header(name) {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    },
    chunks: () => res.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
    cancel() {
      if (released) return;
      released = true;
      if (res.readableEnded || res.destroyed) return;
      const timer = setTimeout(() => res.destroy(), RELEASE_GRACE_MS);
      timer.unref();
      res.once('close', () => clearTimeout(timer));
      res.on('error', () => {}); // nobody reads it any more: a reset is not an error to report
      res.resume();
    },
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
