// The HTTP ingress's local MCP sessions (docs/mcp-over-slimrpc.md §13): each local Mcp-Session-Id
// (random, never sent over SLIM) maps to a SLIM-side session id (another random id). Bounded (a
// new session takes the place of the least recently used idle one when the route is full), reaped
// when idle and early when abandoned (sessions.ts): an MCP SDK client's close() sends no DELETE, so
// a session whose GET stream ended with no request since is ended here, which frees the server's
// process. Ending a session stops its GET stream and, unless the server already forgot it, tells
// the server (Close).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcCode } from '../jsonrpc.js';
import { DEFAULT_RECLAIM_AFTER_MS, SessionTable } from '../sessions.js';
import type { ReclaimReason, SessionRecord } from '../sessions.js';
import type { Logger } from '../../../util/log.js';
import type { AdapterMetrics } from '../metrics.js';
import { header, sendRpcError } from './http-util.js';
import type { McpRelay, LaneRef } from './relay.js';

export interface HttpSession {
  readonly httpId: string;
  readonly slimId: string;
  protocolVersion: string | undefined;
  /** Open GET stream, if any. */
  get: AbortController | undefined;
  /** Requests in flight by the client's idKey: whether the client cancelled them. */
  readonly inflight: Map<string, { cancelled: boolean }>;
}

export type HttpSessionRecord = SessionRecord<HttpSession>;

export class HttpSessions {
  private readonly table: SessionTable<HttpSession>;
  private readonly reaper: NodeJS.Timeout;
  private readonly logger: Logger | undefined;
  /** The client address each local session id belongs to (the table's caller key). */
  private readonly clientOf = new Map<string, string>();
  private readonly metrics: AdapterMetrics | undefined;

  constructor(
    private readonly relay: McpRelay,
    limits: {
      maxSessions: number;
      sessionIdleMs: number;
      sessionAbandonedMs: number;
      logger?: Logger;
      metrics?: AdapterMetrics;
    },
  ) {
    const abandonedMs = Math.min(limits.sessionIdleMs, limits.sessionAbandonedMs);
    this.table = new SessionTable<HttpSession>({
      maxSessions: limits.maxSessions,
      idleMs: limits.sessionIdleMs,
      abandonedMs,
      reclaimAfterMs: DEFAULT_RECLAIM_AFTER_MS,
    });
    this.logger = limits.logger;
    this.metrics = limits.metrics;
    this.reaper = setInterval(() => this.reap(), Math.max(1_000, Math.min(60_000, abandonedMs / 2)));
    this.reaper.unref();
  }

  get size(): number {
    return this.table.size;
  }

  static lane(s: HttpSession): LaneRef {
    return { sessionId: s.slimId, protocolVersion: s.protocolVersion };
  }

  /**
   * The session named by the request's Mcp-Session-Id: undefined when it names none, null (after
   * answering 404) when it names an unknown one.
   */
  lookup(req: IncomingMessage, res: ServerResponse): HttpSessionRecord | null | undefined {
    const sid = header(req, 'mcp-session-id');
    if (sid === undefined) return undefined;
    const client = this.clientOf.get(sid);
    const record = client === undefined ? undefined : this.table.get(client, sid);
    if (!record) {
      sendRpcError(res, 404, JsonRpcCode.REQUEST_TIMEOUT, 'Session not found');
      return null;
    }
    this.table.touch(record, Date.now());
    return record;
  }

  /**
   * A new session (for an `initialize`) of the client at `client` (its address); undefined when
   * the limit is reached and no session can give its place. Sessions are counted per client
   * address, so a newcomer takes an idle place from the client holding the most.
   */
  create(client: string): HttpSessionRecord | undefined {
    this.reap();
    const session: HttpSession = {
      httpId: randomUUID(),
      slimId: randomUUID(),
      protocolVersion: undefined,
      get: undefined,
      inflight: new Map(),
    };
    const record = this.table.add(client, session.httpId, session, Date.now(), (victim) =>
      this.letGo(victim, 'reclaimed'),
    );
    if (record) this.clientOf.set(session.httpId, client);
    return record;
  }

  /** Work starts on a session; `stream` for its GET stream. */
  acquire(record: HttpSessionRecord, stream = false): void {
    this.table.acquire(record, Date.now(), stream);
  }

  release(record: HttpSessionRecord): void {
    this.table.release(record, Date.now());
  }

  /** Ends a session locally; `tellServer` sends Close (not needed when the server lost it). */
  end(record: HttpSessionRecord, tellServer: boolean): void {
    this.table.remove(record);
    this.clientOf.delete(record.value.httpId);
    record.value.get?.abort();
    if (tellServer) void this.relay.close(HttpSessions.lane(record.value));
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    this.clientOf.clear();
    await Promise.allSettled(
      this.table.drain().map((r) => {
        r.value.get?.abort();
        return this.relay.close(HttpSessions.lane(r.value));
      }),
    );
  }

  private reap(): void {
    for (const { record, reason } of this.table.reap(Date.now())) this.letGo(record, reason);
  }

  /** Ends a session its client did not end (the table already let it go). */
  private letGo(record: HttpSessionRecord, reason: ReclaimReason): void {
    this.metrics?.reclaimed(reason);
    this.logger?.info({ session: record.value.httpId, reason }, `MCP session ended (${reason})`);
    this.end(record, true);
  }
}
