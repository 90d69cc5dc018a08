// The Streamable HTTP GET stream of a legacy MCP session (docs/mcp-over-slimrpc.md §5.4, §13): an
// SSE response fed by a Listen re-issued for as long as the client keeps the stream open, with
// keep-alive comments while it is quiet.
import type { ServerResponse } from 'node:http';
import { SSE_HEADERS, SSE_KEEPALIVE, sseMessage } from '../sse.js';
import { write } from './http-util.js';
import type { McpRelay, LaneRef } from './relay.js';

export interface ListenStreamOptions {
  readonly relay: McpRelay;
  readonly lane: () => LaneRef;
  /** The local Mcp-Session-Id, echoed in the response headers. */
  readonly httpSessionId: string;
  readonly keepAliveMs: number;
  /** Fires when the HTTP client goes away. */
  readonly clientGone: AbortSignal;
  /** Aborted to end the stream from our side (session deleted, ingress closing). */
  readonly stop: AbortController;
}

/** Serves the stream; resolves 'gone' if the server no longer knows the session. */
export async function serveListenStream(
  res: ServerResponse,
  o: ListenStreamOptions,
): Promise<'gone' | 'stopped'> {
  const onGone = () => o.stop.abort();
  o.clientGone.addEventListener('abort', onGone, { once: true });
  if (o.clientGone.aborted) o.stop.abort();
  res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': o.httpSessionId });
  res.flushHeaders();
  const keepalive = setInterval(() => void write(res, SSE_KEEPALIVE), o.keepAliveMs);
  keepalive.unref();
  try {
    return await o.relay.listenLoop(o.lane, o.stop.signal, async (frame) => {
      if (!(await write(res, sseMessage(frame.text)))) o.stop.abort();
    });
  } finally {
    clearInterval(keepalive);
    o.clientGone.removeEventListener('abort', onGone);
    res.end();
  }
}
