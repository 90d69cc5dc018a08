// The Streamable HTTP front of the ingress (docs/mcp-over-slimrpc.md §6): one MCP endpoint per
// route, speaking the stateful revisions (2025-03-26 … 2025-11-25: Mcp-Session-Id from initialize,
// POST → JSON or SSE, GET ↔ Listen, DELETE ↔ Close) and the stateless 2026-07-28 revision (POST
// only, no session, Mcp-Method / Mcp-Name checked against the body) on the same path. It relays:
// versions, capabilities and methods are the server's business, never checked here.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler, HttpRequestContext } from '../../../util/http.js';
import { readBody } from '../../../util/http.js';
import type { Logger } from '../../../util/log.js';
import { isGatewayError } from '../../../util/errors.js';
import { checkModernHeaders } from '../headers.js';
import { idKey, isModernVersion, JsonRpcCode, metaProtocolVersion, parseMessage } from '../jsonrpc.js';
import type { Classified, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { clientFailureFor } from '../errors.js';
import type { AdapterMetrics } from '../metrics.js';
import { SessionTable } from '../sessions.js';
import type { SessionRecord } from '../sessions.js';
import { SSE_HEADERS, SSE_KEEPALIVE, sseMessage } from '../sse.js';
import { runExchange } from './exchange.js';
import { accepts, header, originAllowed, sendRpcError, write } from './http-util.js';
import { IdRewriter } from './ids.js';
import type { IngressRelay, LaneRef } from './relay.js';

export interface HttpFrontOptions {
  readonly relay: IngressRelay;
  readonly target: string;
  readonly logger: Logger;
  readonly metrics: AdapterMetrics;
  readonly maxBodyBytes: number;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly keepAliveMs: number;
  readonly maxSessions: number;
  readonly sessionIdleMs: number;
}

interface HttpSession {
  readonly httpId: string;
  readonly slimId: string;
  protocolVersion: string | undefined;
  /** Open GET stream, if any. */
  get: AbortController | undefined;
  /** Requests in flight by the client's idKey: whether the client cancelled them. */
  readonly inflight: Map<string, { cancelled: boolean }>;
}

export interface HttpFront {
  readonly handler: HttpHandler;
  sessionCount(): number;
  close(): Promise<void>;
}

export function createHttpFront(o: HttpFrontOptions): HttpFront {
  const sessions = new SessionTable<HttpSession>({ maxSessions: o.maxSessions, idleMs: o.sessionIdleMs });
  const stateless = new Map<string, { cancelled: boolean; sentId: string }>();
  const rewriter = new IdRewriter(randomUUID());
  const laneOf = (s: HttpSession): LaneRef => ({ sessionId: s.slimId, protocolVersion: s.protocolVersion });
  o.metrics.sessions(() => sessions.size);

  const endSession = (record: SessionRecord<HttpSession>, tellServer: boolean) => {
    sessions.remove(record);
    record.value.get?.abort();
    if (tellServer) void o.relay.close(laneOf(record.value));
  };
  const reaper = setInterval(
    () => sessions.reap(Date.now()).forEach((r) => endSession(r, true)),
    Math.max(1_000, Math.min(60_000, o.sessionIdleMs / 2)),
  );
  reaper.unref();

  const lookup = (
    req: IncomingMessage,
    res: ServerResponse,
  ): SessionRecord<HttpSession> | null | undefined => {
    const sid = header(req, 'mcp-session-id');
    if (sid === undefined) return undefined;
    const record = sessions.get('', sid);
    if (!record) {
      sendRpcError(res, 404, JsonRpcCode.REQUEST_TIMEOUT, 'Session not found');
      return null;
    }
    sessions.touch(record, Date.now());
    return record;
  };

  async function post(req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) {
    let body: Buffer;
    try {
      body = await readBody(req, o.maxBodyBytes);
    } catch (err) {
      if (isGatewayError(err, 'RESOURCE_EXHAUSTED')) {
        return sendRpcError(
          res,
          413,
          JsonRpcCode.INVALID_REQUEST,
          `Request body over the ${o.maxBodyBytes}-byte limit`,
        );
      }
      throw err;
    }
    const type = header(req, 'content-type');
    if (type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      return sendRpcError(res, 415, JsonRpcCode.INVALID_REQUEST, 'Content-Type must be application/json');
    }
    const parsed = parseMessage(body);
    if (!parsed.ok) return sendRpcError(res, 400, parsed.code, parsed.message, parsed.id);
    const record = lookup(req, res);
    if (record === null) return;
    const c = parsed.value;
    if (c.kind !== 'request') return deliver(c, record, res);
    const m = c.message;
    const started = performance.now();
    const headerVersion = header(req, 'mcp-protocol-version');
    const modern = !record && isModernVersion(headerVersion ?? metaProtocolVersion(m));
    if (modern) {
      const wrong = checkModernHeaders(m, (n) => header(req, n), metaProtocolVersion(m));
      if (wrong)
        return sendRpcError(res, 400, JsonRpcCode.HEADER_MISMATCH, `Header mismatch: ${wrong}`, m.id);
    }
    let outcome: string;
    if (record) outcome = await inSession(record, m, req, res, ctx);
    else if (m.method === 'initialize') outcome = await initialize(m, req, res, ctx);
    else outcome = await statelessRequest(m, headerVersion ?? metaProtocolVersion(m), modern, req, res, ctx);
    o.metrics.call(m.method, outcome, (performance.now() - started) / 1000);
  }

  async function initialize(
    m: JsonRpcRequest,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
  ) {
    sessions.reap(Date.now()).forEach((r) => endSession(r, true));
    const session: HttpSession = {
      httpId: randomUUID(),
      slimId: randomUUID(),
      protocolVersion: undefined,
      get: undefined,
      inflight: new Map(),
    };
    const record = sessions.add('', session.httpId, session, Date.now());
    if (!record) {
      sendRpcError(res, 503, JsonRpcCode.INTERNAL_ERROR, 'Too many MCP sessions on this route', m.id);
      return 'TooManySessions';
    }
    let ok = false;
    const outcome = await inSession(record, m, req, res, ctx, (response) => {
      const v =
        'result' in response ? (response.result as { protocolVersion?: unknown }).protocolVersion : undefined;
      if (typeof v === 'string') {
        session.protocolVersion = v;
        ok = true;
      }
    });
    if (!ok) endSession(record, true);
    else
      o.logger.info(
        { session: session.httpId, protocolVersion: session.protocolVersion },
        'MCP session opened',
      );
    return outcome;
  }

  async function inSession(
    record: SessionRecord<HttpSession>,
    m: JsonRpcRequest,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
    onResponse?: (r: JsonRpcResponse) => void,
  ): Promise<string> {
    const s = record.value;
    const key = idKey(m.id);
    const flag = { cancelled: false };
    s.inflight.set(key, flag);
    sessions.acquire(record, Date.now());
    try {
      return await runExchange(res, {
        relay: o.relay,
        lane: laneOf(s),
        message: m,
        clientId: m.id,
        modern: false,
        accept: accepts(req),
        headers: { 'mcp-session-id': s.httpId },
        keepAliveMs: o.keepAliveMs,
        target: o.target,
        signal: ctx.signal,
        cancelled: () => flag.cancelled,
        ...(onResponse ? { onResponse } : {}),
        onSessionGone: () => endSession(record, false),
        onDropped: () => o.metrics.dropped(),
        logger: o.logger,
      });
    } finally {
      if (s.inflight.get(key) === flag) s.inflight.delete(key);
      sessions.release(record, Date.now());
    }
  }

  async function statelessRequest(
    m: JsonRpcRequest,
    version: string | undefined,
    modern: boolean,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
  ): Promise<string> {
    const rewritten = rewriter.rewrite(m);
    const key = idKey(m.id);
    const flag = { cancelled: false, sentId: rewritten.message.id as string };
    stateless.set(key, flag);
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
        logger: o.logger,
      });
    } finally {
      if (stateless.get(key) === flag) stateless.delete(key);
    }
  }

  async function deliver(
    c: Classified,
    record: SessionRecord<HttpSession> | undefined,
    res: ServerResponse,
  ): Promise<void> {
    let message = c.message as Exclude<Classified['message'], JsonRpcRequest>;
    const lane: LaneRef = record
      ? laneOf(record.value)
      : { sessionId: undefined, protocolVersion: undefined };
    if (c.kind === 'notification' && c.message.method === 'notifications/cancelled') {
      const id = c.message.params?.['requestId'];
      if (typeof id === 'string' || typeof id === 'number') {
        if (record) {
          const flag = record.value.inflight.get(idKey(id));
          if (flag) flag.cancelled = true;
        } else {
          const flag = stateless.get(idKey(id));
          if (flag) {
            flag.cancelled = true;
            message = { ...c.message, params: { ...c.message.params, requestId: flag.sentId } };
          }
        }
      }
    }
    try {
      await o.relay.notify(message, lane);
      res.writeHead(202).end();
    } catch (err) {
      const f = clientFailureFor(err, o.target);
      if (f.sessionGone && record) endSession(record, false);
      sendRpcError(res, f.httpStatus, f.code, f.message);
    }
  }

  async function get(req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) {
    if (!accepts(req).sse) {
      return sendRpcError(
        res,
        406,
        JsonRpcCode.INVALID_REQUEST,
        'Not Acceptable: GET needs Accept: text/event-stream',
      );
    }
    const record = lookup(req, res);
    if (record === null) return;
    if (!record) {
      res.setHeader('allow', 'POST, DELETE');
      return sendRpcError(
        res,
        405,
        JsonRpcCode.INVALID_REQUEST,
        'GET needs an Mcp-Session-Id (stateless MCP has no GET stream)',
      );
    }
    const s = record.value;
    if (s.get)
      return sendRpcError(res, 409, JsonRpcCode.INVALID_REQUEST, 'Conflict: a GET stream is already open');
    const stop = new AbortController();
    s.get = stop;
    const onGone = () => stop.abort();
    ctx.signal.addEventListener('abort', onGone, { once: true });
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': s.httpId });
    res.flushHeaders();
    const keepalive = setInterval(() => void write(res, SSE_KEEPALIVE), o.keepAliveMs);
    keepalive.unref();
    sessions.acquire(record, Date.now());
    try {
      const why = await o.relay.listenLoop(
        () => laneOf(s),
        stop.signal,
        async (frame) => {
          if (!(await write(res, sseMessage(frame.text)))) stop.abort();
        },
      );
      if (why === 'gone') endSession(record, false);
    } finally {
      clearInterval(keepalive);
      ctx.signal.removeEventListener('abort', onGone);
      if (s.get === stop) s.get = undefined;
      sessions.release(record, Date.now());
      res.end();
    }
  }

  async function del(req: IncomingMessage, res: ServerResponse) {
    const record = lookup(req, res);
    if (record === null) return;
    if (!record) return sendRpcError(res, 400, JsonRpcCode.INVALID_REQUEST, 'DELETE needs an Mcp-Session-Id');
    endSession(record, false);
    await o.relay.close(laneOf(record.value));
    o.logger.info({ session: record.value.httpId }, 'MCP session deleted by the client');
    res.writeHead(200).end();
  }

  const handler: HttpHandler = async (req, res, ctx) => {
    if (ctx.subpath !== '' && ctx.subpath !== '/') {
      return sendRpcError(res, 404, JsonRpcCode.INVALID_REQUEST, 'Not Found');
    }
    if (!originAllowed(header(req, 'origin'), o.allowedOrigins)) {
      req.resume();
      return sendRpcError(res, 403, JsonRpcCode.INVALID_REQUEST, 'Forbidden: Origin not allowed');
    }
    switch (req.method) {
      case 'POST':
        return post(req, res, ctx);
      case 'GET':
        return get(req, res, ctx);
      case 'DELETE':
        return del(req, res);
      default:
        req.resume();
        res.setHeader('allow', 'GET, POST, DELETE');
        return sendRpcError(res, 405, JsonRpcCode.INVALID_REQUEST, 'Method Not Allowed');
    }
  };

  return {
    handler,
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(reaper);
      await Promise.allSettled(
        sessions.drain().map((r) => {
          r.value.get?.abort();
          return o.relay.close(laneOf(r.value));
        }),
      );
    },
  };
}
