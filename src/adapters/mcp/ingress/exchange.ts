// One request POST relayed over SLIM (docs/mcp-over-slimrpc.md §6.2). The answer is plain JSON when
// the response is the first thing the server sends (the common case), and turns into an SSE stream
// as soon as the server sends a related message first or stays silent for a keep-alive period
// (then comment keep-alives flow until the end). A client that goes away cancels the request at
// the server (SLIMRPC has no cancel frame, so a `notifications/cancelled` is sent by Notify).
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../../util/log.js';
import { clientFailureFor } from '../errors.js';
import { errorResponse, isErrorResponse, JsonRpcCode } from '../jsonrpc.js';
import type { Classified, JsonRpcId, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { SSE_HEADERS, SSE_KEEPALIVE, sseMessage } from '../sse.js';
import { modernErrorStatus, sendRpcError, write } from './http-util.js';
import type { CallExtras, Frame, McpRelay, LaneRef } from './relay.js';

export interface ExchangeOptions {
  readonly relay: McpRelay;
  readonly lane: LaneRef;
  /** The request as sent over SLIM (its id may be rewritten). */
  readonly message: JsonRpcRequest;
  /** The id the client used. */
  readonly clientId: JsonRpcId;
  /** Restores rewritten ids in the server's messages. */
  readonly restore?: (c: Classified) => Classified | undefined;
  readonly modern: boolean;
  readonly accept: { json: boolean; sse: boolean };
  /** Extra response headers (Mcp-Session-Id). */
  readonly headers: Record<string, string>;
  readonly keepAliveMs: number;
  readonly target: string;
  /** Fires when the HTTP client goes away. */
  readonly signal: AbortSignal;
  /** True once the client cancelled this request with `notifications/cancelled`. */
  readonly cancelled: () => boolean;
  readonly onResponse?: (response: JsonRpcResponse) => void;
  readonly onSessionGone?: () => void;
  readonly onDropped?: () => void;
  /** Answers a failure that is the server's OAuth challenge (HTTP 401); true if it did. */
  readonly onChallenge?: (err: unknown) => boolean;
  readonly logger: Logger;
  /** Trace context and the client's Authorization, carried with the request. */
  readonly extras?: CallExtras;
}

const TIMEOUT = Symbol('timeout');

/** Relays one request; resolves with its outcome ('ok', a JSON-RPC code, or why it stopped). */
export async function runExchange(res: ServerResponse, o: ExchangeOptions): Promise<string> {
  const call = new AbortController();
  let answered = false;
  const onGone = () => {
    if (!answered) {
      const cancel = {
        jsonrpc: '2.0' as const,
        method: 'notifications/cancelled',
        params: { requestId: o.message.id, reason: 'the HTTP client went away' },
      };
      void o.relay.notify(cancel, o.lane).catch(() => {});
    }
    call.abort();
  };
  if (o.signal.aborted) return 'client-gone';
  o.signal.addEventListener('abort', onGone, { once: true });
  let sse = false;
  let keepalive: NodeJS.Timeout | undefined;
  const startSse = () => {
    if (sse) return;
    sse = true;
    res.writeHead(200, { ...SSE_HEADERS, ...o.headers });
    res.flushHeaders();
    keepalive = setInterval(() => void write(res, SSE_KEEPALIVE), o.keepAliveMs);
    keepalive.unref();
  };
  const finish = (text: string, isError: boolean, code: number) => {
    if (sse) {
      void write(res, sseMessage(text)).then(() => res.end());
      return;
    }
    const status = o.modern && isError ? modernErrorStatus(code) : 200;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...o.headers,
    });
    res.end(text);
  };
  const it = o.relay.request(o.message, o.lane, call.signal, o.extras)[Symbol.asyncIterator]();
  try {
    let next = it.next();
    if (o.accept.sse) {
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        next,
        new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), o.keepAliveMs))),
      ]);
      clearTimeout(timer);
      if (first === TIMEOUT) startSse();
    }
    for (;;) {
      const r = await next;
      if (r.done) break;
      const frame = restored(r.value, o.restore);
      const m = frame.message;
      if (m.kind === 'response') {
        answered = true;
        o.onResponse?.(m.message);
        const isError = isErrorResponse(m.message);
        const code = isError ? (m.message as { error: { code: number } }).error.code : 0;
        finish(frame.text, isError, code);
        return isError ? String(code) : 'ok';
      }
      if (!o.accept.sse) o.onDropped?.();
      else {
        startSse();
        if (!(await write(res, sseMessage(frame.text)))) return 'client-gone';
      }
      next = it.next();
    }
    answered = true;
    const text = JSON.stringify(
      errorResponse(
        o.clientId,
        JsonRpcCode.INTERNAL_ERROR,
        'the MCP service ended the call without a response',
      ),
    );
    finish(text, true, JsonRpcCode.INTERNAL_ERROR);
    return String(JsonRpcCode.INTERNAL_ERROR);
  } catch (err) {
    answered = true;
    if (o.signal.aborted) return 'client-gone';
    if (o.cancelled()) {
      // The client cancelled: MCP sends no response; close the exchange quietly.
      startSse();
      res.end();
      return 'cancelled';
    }
    if (!sse && o.onChallenge?.(err)) return 'unauthorized';
    const f = clientFailureFor(err, o.target);
    o.logger.debug({ code: f.code, id: o.clientId }, `MCP request failed: ${f.message}`);
    if (f.sessionGone) {
      o.onSessionGone?.();
      if (!sse) {
        sendRpcError(res, 404, f.code, f.message, o.clientId);
        return String(f.code);
      }
    }
    finish(JSON.stringify(errorResponse(o.clientId, f.code, f.message)), true, f.code);
    return String(f.code);
  } finally {
    clearInterval(keepalive);
    o.signal.removeEventListener('abort', onGone);
    if (!answered) call.abort();
  }
}

function restored(frame: Frame, restore: ((c: Classified) => Classified | undefined) | undefined): Frame {
  const changed = restore?.(frame.message);
  return changed ? { message: changed, text: JSON.stringify(changed.message) } : frame;
}
