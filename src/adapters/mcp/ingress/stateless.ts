// Stateless MCP requests on the HTTP front (2026-07-28 revision, docs/mcp-over-slimrpc.md §6):
// POSTs without a session, each relayed on the session-less lane with its id rewritten to one
// unique on this gateway (ids.ts), so two clients that both use id 1 cannot collide on the server.
// Invariant: while a request is in flight, the client's id maps to the id sent, so a
// notifications/cancelled naming the client's id can be marked and forwarded with the sent id.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequestContext } from '../../../util/http.js';
import type { Logger } from '../../../util/log.js';
import { idKey } from '../jsonrpc.js';
import type { JsonRpcRequest } from '../jsonrpc.js';
import type { AdapterMetrics } from '../metrics.js';
import { runExchange } from './exchange.js';
import { accepts } from './http-util.js';
import { IdRewriter } from './ids.js';
import type { CallExtras, McpRelay } from './relay.js';

export interface StatelessOptions {
  readonly relay: McpRelay;
  readonly target: string;
  readonly logger: Logger;
  readonly metrics: AdapterMetrics;
  readonly keepAliveMs: number;
}

export class StatelessRequests {
  private readonly inflight = new Map<string, { cancelled: boolean; sentId: string }>();
  private readonly rewriter = new IdRewriter(randomUUID());

  constructor(private readonly o: StatelessOptions) {}

  /** Relays `m` and answers on `res`; resolves with the call's outcome for the metrics. */
  async run(
    m: JsonRpcRequest,
    version: string | undefined,
    modern: boolean,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
    extras: CallExtras,
    onChallenge: (err: unknown, res: ServerResponse, ctx: HttpRequestContext) => boolean,
  ): Promise<string> {
    const o = this.o;
    const rewritten = this.rewriter.rewrite(m);
    const key = idKey(m.id);
    const flag = { cancelled: false, sentId: rewritten.message.id as string };
    this.inflight.set(key, flag);
    try {
      return await runExchange(res, {
        relay: o.relay,
        lane: { sessionId: undefined, protocolVersion: version },
        message: rewritten.message,
        clientId: m.id,
        restore: (c) => rewritten.restore(c),
        modern,
        accept: accepts(req),
        headers: {},
        keepAliveMs: o.keepAliveMs,
        target: o.target,
        signal: ctx.signal,
        cancelled: () => flag.cancelled,
        onDropped: () => o.metrics.dropped(),
        onChallenge: (err) => onChallenge(err, res, ctx),
        logger: o.logger,
        extras,
      });
    } finally {
      if (this.inflight.get(key) === flag) this.inflight.delete(key);
    }
  }

  /** The client cancelled request `id`: marks it, and returns the id it was sent with (if in flight). */
  cancel(id: string | number): string | undefined {
    const flag = this.inflight.get(idKey(id));
    if (!flag) return undefined;
    flag.cancelled = true;
    return flag.sentId;
  }
}
