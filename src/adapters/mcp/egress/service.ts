// The server side of MCP over SLIMRPC (docs/mcp-over-slimrpc.md §4): `mcp.v1.McpService` with
// Request, Notify, Listen and Close, registered on an RpcServer under the service's SLIM name. Each
// (caller, mcp-session-id) gets its own lane and backend connection, so clients never share state:
// one spawned process per MCP session by default. Lanes are bounded in total and per caller: a new
// session takes the place of an idle one (least recently used, from the caller holding the most)
// and is refused with TooManySessions only when every lane in the way has work in flight. Lanes
// are reaped when idle, early when their client looks gone (sessions.ts), and closed with the
// service. The memory of each session's server process is reported (/metrics, the close log line).
import { formatName, statusName } from '../../../slim/rpc/index.js';
import type { RpcContext, ServiceDefinition, SlimName } from '../../../slim/rpc/index.js';
import type { MetricsRegistry } from '../../../util/metrics.js';
import type { CallObserver, CallRecord } from '../../../telemetry/types.js';
import { NO_CALL_OBSERVER, withTraceContext } from '../../../telemetry/calls.js';
import { toolOf } from '../call-info.js';
import type { Logger } from '../../../util/log.js';
import { childLogger } from '../../../util/log.js';
import { parseClientMessage } from '../jsonrpc.js';
import type { Classified } from '../jsonrpc.js';
import { mcpFailure, toMcpFailure } from '../errors.js';
import {
  AUTHORIZATION_MEMBER,
  checkSize,
  EMPTY_OBJECT,
  isValidSessionId,
  MCP_SERVICE,
  McpRpcMethod,
  META_PROTOCOL_VERSION,
  META_RESPONSE_ENDS_CALL,
  META_SESSION_ID,
  META_TRACEPARENT,
  META_TRACESTATE,
  takeAuthorization,
} from '../wire.js';
import { egressMetrics } from '../metrics.js';

/** Members of a Request or Notify payload beside JSON-RPC's own that a route may add. */
const SERVICE_MEMBERS: readonly string[] = [AUTHORIZATION_MEMBER];
import type { BackendSpec } from './backend.js';
import { httpBackend } from './http-backend.js';
import { Lane } from './lane.js';
import { DEFAULT_RECLAIM_AFTER_MS, SessionTable } from '../sessions.js';
import type { ReclaimReason, SessionRecord } from '../sessions.js';
import { processRssBytes } from '../../../util/process-memory.js';
import { stdioBackend } from './stdio-backend.js';
import { calledTool, compileToolFilter } from '../tool-filter.js';
import type { ToolRules } from '../tool-filter.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface McpServiceOptions {
  /** The SLIM name the service is offered under (for logs and metrics). */
  readonly name: SlimName;
  readonly backend: BackendSpec;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Most MCP sessions (lanes) at once; default 64 for a stdio backend, 1,000 for HTTP. */
  readonly maxSessions?: number;
  /** An unused session is closed after this long; default 30 min. */
  readonly idleTimeoutMs?: number;
  /** Access log and traces of calls (default: none). */
  readonly calls?: CallObserver;
  /** Pass the caller's Authorization header on to an HTTP server (default false: dropped). */
  readonly forwardAuthorization?: boolean;
  /** `services[].tools`: tools hidden from tools/list and refused at call (tool-filter.ts). */
  readonly tools?: ToolRules;
  /** Most sessions one caller (a client gateway) may hold; default maxSessions. */
  readonly maxSessionsPerCaller?: number;
  /**
   * A session whose client looks gone (its Listen ended and nothing came since, or nothing came
   * after its initialize) is closed after this long; default 60 s (never above idleTimeoutMs).
   */
  readonly abandonedTimeoutMs?: number;
}

export interface McpService {
  readonly service: ServiceDefinition;
  /** Open lanes (for tests and /metrics). */
  sessionCount(): number;
  /** Ends every session (processes stopped, HTTP sessions deleted); idempotent. */
  close(): Promise<void>;
  closed(): Promise<void>;
}

/** A stdio backend is one process per session (tens of MB each): few sessions by default. */
export const DEFAULT_STDIO_MAX_SESSIONS = 64;
/** An HTTP backend session costs the gateway about 20-30 KiB of heap: as many as a route accepts. */
export const DEFAULT_HTTP_MAX_SESSIONS = 1_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_ABANDONED_TIMEOUT_MS = 60_000;
const MAX_QUEUED = 1024;
/** How long a new session waits for a place when every session in the way is busy. */
export const SESSION_WAIT_MS = 5_000;
const MAX_BACKLOG = 512;

export function createMcpService(options: McpServiceOptions): McpService {
  const serviceName = formatName(options.name);
  const logger = childLogger(options.logger, 'mcp-egress').child({ service: serviceName });
  const metrics = egressMetrics(options.metrics, serviceName);
  const calls = options.calls ?? NO_CALL_OBSERVER;
  const forwardAuthorization = options.forwardAuthorization ?? false;

  /**
   * Headers for the server: this call's trace context, and the caller's Authorization when the
   * service forwards it (else it is dropped here, and goes nowhere).
   */
  const upstreamHeaders = (
    record: CallRecord | undefined,
    ctx: RpcContext,
    authorization: string | undefined,
  ) => {
    const h = withTraceContext({}, record ? record.propagate : traceOf(ctx));
    if (authorization !== undefined) {
      if (forwardAuthorization) h['authorization'] = authorization;
      else logger.debug('a caller sent an Authorization header; dropped (forwardAuthorization is off)');
    }
    return h;
  };
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxSessions =
    options.maxSessions ??
    (options.backend.kind === 'stdio' ? DEFAULT_STDIO_MAX_SESSIONS : DEFAULT_HTTP_MAX_SESSIONS);
  const maxPerCaller = Math.min(maxSessions, options.maxSessionsPerCaller ?? maxSessions);
  const abandonedMs = Math.min(idleMs, options.abandonedTimeoutMs ?? DEFAULT_ABANDONED_TIMEOUT_MS);
  const table = new SessionTable<Lane>({
    maxSessions,
    idleMs,
    abandonedMs,
    maxPerCaller,
    reclaimAfterMs: DEFAULT_RECLAIM_AFTER_MS,
  });
  const tools = compileToolFilter(options.tools, `MCP service ${serviceName}`);
  metrics.sessions(() => table.size);
  metrics.memory(() => {
    let total = 0;
    let max = 0;
    let measured = 0;
    for (const r of table.values()) {
      const rss = processRssBytes(r.value.pid);
      if (rss === undefined) continue;
      total += rss;
      max = Math.max(max, rss);
      measured++;
    }
    return { total, max, measured };
  });
  let closing = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));

  /** Closes a lane its client did not close, saying why and how much memory it held. */
  const letGo = (record: SessionRecord<Lane>, reason: ReclaimReason) => {
    metrics.reclaimed(reason);
    const rssBytes = processRssBytes(record.value.pid);
    const why =
      reason === 'reclaimed'
        ? 'reclaimed for a new session (least recently used idle session)'
        : reason === 'abandoned'
          ? 'abandoned (its client is gone)'
          : 'idle';
    logger.info(
      { caller: record.caller, session: record.sessionId, reason, ...(rssBytes ? { rssBytes } : {}) },
      `MCP session ${why}: closed`,
    );
    void record.value.close(reason, mcpFailure('SessionNotFound', `the MCP session was closed (${why})`));
  };
  const reap = () => {
    for (const { record, reason } of table.reap(Date.now())) letGo(record, reason);
  };
  const reaper = setInterval(reap, Math.max(1_000, Math.min(60_000, abandonedMs / 2)));
  reaper.unref();

  // Callers waiting for a place (the service full of busy sessions); woken when work ends.
  const placeWaiters = new Set<() => void>();
  const placeFreed = () => {
    for (const wake of [...placeWaiters]) wake();
  };
  const waitForPlace = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        placeWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      placeWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  const open = async (
    caller: string,
    sessionId: string | undefined,
    signal: AbortSignal,
  ): Promise<SessionRecord<Lane>> => {
    let record: SessionRecord<Lane> | undefined = undefined;
    const laneLogger = logger.child({ caller, session: sessionId ?? '(stateless)' });
    const spec = options.backend;
    const lane = new Lane({
      logger: laneLogger,
      maxQueued: MAX_QUEUED,
      maxBacklog: MAX_BACKLOG,
      connect: (events) =>
        spec.kind === 'stdio'
          ? stdioBackend(spec, events, laneLogger.child({ component: 'mcp-server' }))
          : httpBackend(spec, events, laneLogger),
      onClosed: () => {
        if (record && table.remove(record)) laneLogger.info('MCP session closed');
        placeFreed();
      },
      onDropped: () => metrics.dropped(),
    });
    // Lanes past their timeouts go first (the reaper may not have run yet), then idle ones. When
    // every lane in the way is busy, wait a little: work ending (a client that just left, whose
    // Listen is still being cancelled) frees a place more often than not.
    const until = Date.now() + SESSION_WAIT_MS;
    for (;;) {
      reap();
      // Another call made the lane while this one waited: the caller's stateless lane is shared;
      // a session id is not.
      const existing = table.get(caller, sessionId);
      if (existing && sessionId === undefined) return existing;
      if (existing) throw mcpFailure('SessionExists', `MCP session ${sessionId} is already initialized`);
      record = table.add(caller, sessionId, lane, Date.now(), (victim) => letGo(victim, 'reclaimed'));
      const left = until - Date.now();
      if (record || left <= 0 || signal.aborted || closing) break;
      // Woken when work ends; otherwise checked again as idle lanes age past DEFAULT_RECLAIM_AFTER_MS.
      await waitForPlace(Math.min(left, 250), signal);
    }
    if (!record) {
      logger.warn(
        { caller, limit: maxSessions },
        'MCP session refused: every session in the way has work in flight',
      );
      metrics.refused();
      throw mcpFailure(
        'TooManySessions',
        `MCP service ${serviceName} holds its limit of ${maxSessions} MCP sessions (maxSessions; ` +
          `${maxPerCaller} per caller), each with work in flight; try again when one ends`,
      );
    }
    laneLogger.info('MCP session opened');
    return record;
  };

  const common = (payload: Uint8Array, ctx: RpcContext) => {
    if (closing) throw mcpFailure('ServiceClosed', 'the MCP service is shutting down');
    checkSize(payload.byteLength);
    const sessionId = ctx.metadata[META_SESSION_ID];
    if (sessionId !== undefined && !isValidSessionId(sessionId)) {
      throw mcpFailure('InvalidMessage', `${META_SESSION_ID} must be 1 to 128 visible ASCII characters`);
    }
    return { caller: formatName(ctx.source), sessionId, version: ctx.metadata[META_PROTOCOL_VERSION] };
  };

  const parse = (payload: Uint8Array, kinds: Classified['kind'][], method: string): Classified => {
    // The route's own member (the client's Authorization, inside the encrypted payload) is ours to
    // take off before the message goes on; any other unknown member is refused.
    const parsed = parseClientMessage(payload, SERVICE_MEMBERS);
    if (!parsed.ok) throw mcpFailure('InvalidMessage', parsed.message);
    if (!kinds.includes(parsed.value.kind)) {
      throw mcpFailure(
        'InvalidMessage',
        `${method} carries a ${kinds.join(' or ')}, not a ${parsed.value.kind}`,
      );
    }
    return parsed.value;
  };

  async function* request(payload: Uint8Array, ctx: RpcContext): AsyncIterable<Uint8Array> {
    const started = performance.now();
    let method = 'invalid';
    let outcome = 'ok';
    let call: CallRecord | undefined;
    try {
      const { caller, sessionId, version } = common(payload, ctx);
      const c = parse(payload, ['request'], McpRpcMethod.Request);
      if (c.kind !== 'request') return;
      method = c.message.method;
      // The stream ends on the response whenever it ends without error (inflight.ts).
      if (ctx.metadata[META_RESPONSE_ENDS_CALL] === '1') ctx.omitEos();
      const authorization = takeAuthorization(c.message);
      call = calls.start({
        side: 'service',
        protocol: 'mcp',
        name: serviceName,
        method,
        ...toolOf(c.message),
        localName: serviceName,
        remoteName: caller,
        caller: ctx.identity,
        ...parentOf(ctx),
      });
      const headers = upstreamHeaders(call, ctx, authorization);
      const tool = tools ? calledTool(c.message) : undefined;
      if (tools && tool !== undefined && !tools.permits(tool)) {
        logger.info({ caller: ctx.identity, tool }, 'tool call refused by the tools filter');
        outcome = 'tool-denied';
        yield encoder.encode(JSON.stringify(tools.refusal(c.message, tool)));
        return;
      }
      let record = table.get(caller, sessionId);
      if (method === 'initialize') {
        if (sessionId === undefined)
          throw mcpFailure('InvalidMessage', `initialize needs ${META_SESSION_ID}`);
        if (record) throw mcpFailure('SessionExists', `MCP session ${sessionId} is already initialized`);
        record = await open(caller, sessionId, ctx.signal);
      } else if (!record) {
        if (sessionId !== undefined)
          throw mcpFailure('SessionNotFound', `no MCP session ${sessionId} for ${caller}`);
        record = await open(caller, undefined, ctx.signal);
      }
      logger.debug({ method, id: c.message.id, session: sessionId }, 'MCP request');
      table.acquire(record, Date.now());
      try {
        const answers = record.value.request(c.message, version, ctx.signal, (o) => (outcome = o), headers);
        if (tools && method === 'tools/list') {
          for await (const bytes of answers) yield encoder.encode(tools.filterList(decoder.decode(bytes)));
        } else yield* answers;
      } finally {
        table.release(record, Date.now());
        placeFreed();
      }
    } catch (err) {
      const failure = toMcpFailure(err);
      if (outcome === 'ok') outcome = statusName(failure.status);
      throw failure;
    } finally {
      call?.end(outcome);
      metrics.call(method, outcome, (performance.now() - started) / 1000);
    }
  }

  const notify = async (payload: Uint8Array, ctx: RpcContext): Promise<Uint8Array> => {
    const { caller, sessionId, version } = common(payload, ctx);
    const c = parse(payload, ['notification', 'response'], McpRpcMethod.Notify);
    if (c.kind === 'request') throw mcpFailure('InvalidMessage', 'Notify carries no request');
    const headers = upstreamHeaders(undefined, ctx, takeAuthorization(c.message));
    const record = table.get(caller, sessionId);
    if (!record) {
      if (sessionId !== undefined)
        throw mcpFailure('SessionNotFound', `no MCP session ${sessionId} for ${caller}`);
      logger.debug({ kind: c.kind }, 'stateless notification with no traffic in flight: dropped');
      return EMPTY_OBJECT;
    }
    table.touch(record, Date.now());
    await record.value.deliver(c, version, headers);
    return EMPTY_OBJECT;
  };

  async function* listen(payload: Uint8Array, ctx: RpcContext): AsyncIterable<Uint8Array> {
    const { caller, sessionId } = common(payload, ctx);
    if (sessionId === undefined) throw mcpFailure('InvalidMessage', `Listen needs ${META_SESSION_ID}`);
    const record = table.get(caller, sessionId);
    if (!record) throw mcpFailure('SessionNotFound', `no MCP session ${sessionId} for ${caller}`);
    table.acquire(record, Date.now(), true);
    try {
      yield* record.value.listen(ctx.deadline, ctx.signal);
    } finally {
      table.release(record, Date.now());
      placeFreed();
    }
  }

  const close = async (payload: Uint8Array, ctx: RpcContext): Promise<Uint8Array> => {
    const { caller, sessionId } = common(payload, ctx);
    if (sessionId === undefined) throw mcpFailure('InvalidMessage', `Close needs ${META_SESSION_ID}`);
    const record = table.get(caller, sessionId);
    if (!record) throw mcpFailure('SessionNotFound', `no MCP session ${sessionId} for ${caller}`);
    table.remove(record);
    const rssBytes = processRssBytes(record.value.pid);
    // The answer does not wait for the server process to exit.
    void record.value.close('closed by the client', mcpFailure('Cancelled', 'the MCP session was closed'));
    logger.info(
      { caller, session: sessionId, ...(rssBytes ? { rssBytes } : {}) },
      'MCP session closed by the client',
    );
    return EMPTY_OBJECT;
  };

  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toMcpFailure(err);
      }
    };

  const service: ServiceDefinition = {
    name: MCP_SERVICE,
    methods: {
      [McpRpcMethod.Request]: { kind: 'serverStream', handler: request },
      [McpRpcMethod.Notify]: { kind: 'unary', handler: guard(notify) },
      [McpRpcMethod.Listen]: {
        kind: 'serverStream',
        handler: async function* (payload, ctx) {
          try {
            yield* listen(payload, ctx);
          } catch (err) {
            throw toMcpFailure(err);
          }
        },
      },
      [McpRpcMethod.Close]: { kind: 'unary', handler: guard(close) },
    },
  };

  return {
    service,
    sessionCount: () => table.size,
    async close() {
      if (closing) return closedPromise;
      closing = true;
      clearInterval(reaper);
      const failure = mcpFailure('ServiceClosed', 'the MCP service is shutting down');
      await Promise.allSettled(table.drain().map((r) => r.value.close('service closed', failure)));
      logger.info('MCP service closed');
      resolveClosed();
      return closedPromise;
    },
    closed: () => closedPromise,
  };
}

/** The trace context a call arrived with (SLIMRPC metadata). */
function traceOf(ctx: RpcContext): { traceparent?: string; tracestate?: string } {
  return parentOf(ctx).parent ?? {};
}

function parentOf(ctx: RpcContext): { parent?: { traceparent: string; tracestate?: string } } {
  const traceparent = ctx.metadata[META_TRACEPARENT];
  if (traceparent === undefined) return {};
  const tracestate = ctx.metadata[META_TRACESTATE];
  return { parent: tracestate === undefined ? { traceparent } : { traceparent, tracestate } };
}
