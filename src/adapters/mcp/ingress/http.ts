// The Streamable HTTP front of the ingress (docs/mcp-over-slimrpc.md §13): one MCP endpoint per
// route, speaking the stateful revisions (2025-03-26 … 2025-11-25: Mcp-Session-Id from initialize,
// POST → JSON or SSE, GET ↔ Listen, DELETE ↔ Close) and the stateless 2026-07-28 revision (POST
// only, no session, Mcp-Method / Mcp-Name checked against the body) on the same path. It relays:
// versions, capabilities and methods are the server's business, never checked here. Stateless
// requests (their ids rewritten, cancellable by the client's id) are in stateless.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler, HttpRequestContext } from '../../../util/http.js';
import { readBody, sendJson } from '../../../util/http.js';
import { acceptsMedia, contentTypeProblem } from '../../../util/http-input.js';
import type { CallObserver } from '../../../telemetry/types.js';
import { traceContextOf } from '../../../telemetry/calls.js';
import type { Logger } from '../../../util/log.js';
import { isGatewayError } from '../../../util/errors.js';
import { checkModernHeaders } from '../headers.js';
import { idKey, isModernVersion, JsonRpcCode, metaProtocolVersion, parseClientMessage } from '../jsonrpc.js';
import type { Classified, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { clientFailureFor } from '../errors.js';
import type { AdapterMetrics } from '../metrics.js';
import { runExchange } from './exchange.js';
import { metaTraceContext, toolOf } from '../call-info.js';
import { localResourceMetadata, localWwwAuthenticate, RESOURCE_METADATA_SUBPATH } from '../upstream-auth.js';
import { readUpstreamChallenge } from '../../upstream-challenge.js';
import { accepts, header, originAllowed, sendRpcError } from './http-util.js';
import { serveListenStream } from './listen-stream.js';
import { HttpSessions } from './http-sessions.js';
import type { HttpSessionRecord } from './http-sessions.js';
import type { CallExtras, McpRelay, LaneRef } from './relay.js';
import { StatelessRequests } from './stateless.js';

/** Subpaths of a route that reach its MCP endpoint. */
const MCP_SUBPATHS = new Set(['', '/', '/mcp', '/mcp/']);

export interface HttpFrontOptions {
  readonly relay: McpRelay;
  /** The route path (access log, spans). */
  readonly route: string;
  readonly target: string;
  /** Our SLIM name and the target's, for spans (undefined for groups). */
  readonly localName?: string;
  readonly remoteName?: string;
  readonly calls: CallObserver;
  readonly logger: Logger;
  readonly metrics: AdapterMetrics;
  readonly maxBodyBytes: number;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly keepAliveMs: number;
  readonly maxSessions: number;
  readonly sessionIdleMs: number;
  readonly sessionAbandonedMs: number;
}

export interface HttpFront {
  readonly handler: HttpHandler;
  sessionCount(): number;
  close(): Promise<void>;
}

export function createHttpFront(o: HttpFrontOptions): HttpFront {
  const sessions = new HttpSessions(o.relay, o);
  const stateless = new StatelessRequests(o);
  const laneOf = HttpSessions.lane;
  const lookup = (req: IncomingMessage, res: ServerResponse) => sessions.lookup(req, res);
  const endSession = (record: HttpSessionRecord, tellServer: boolean) => sessions.end(record, tellServer);
  o.metrics.sessions(() => sessions.size);
  /** The protected resource metadata of the server's last 401 (served, rewritten, at the route). */
  let resourceMetadata: Record<string, unknown> | undefined;

  /** Relays an upstream 401 (the server wants OAuth); false when `err` is something else. */
  const challenged = (err: unknown, res: ServerResponse, ctx: HttpRequestContext): boolean => {
    const challenge = readUpstreamChallenge(err);
    if (!challenge || res.headersSent) return false;
    if (challenge.resourceMetadata) resourceMetadata = challenge.resourceMetadata;
    const scope = challenge.httpStatus === 403;
    sendJson(
      res,
      challenge.httpStatus ?? 401,
      {
        error: scope ? 'insufficient_scope' : 'invalid_token',
        error_description: 'the MCP server requires authorization',
      },
      { 'www-authenticate': localWwwAuthenticate(challenge.wwwAuthenticate, ctx.baseUrl) },
    );
    return true;
  };

  async function post(req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) {
    // Streamable HTTP: a POST accepts both answers we may give, and carries JSON.
    const accept = header(req, 'accept');
    if (!acceptsMedia(accept, 'application/json') || !acceptsMedia(accept, 'text/event-stream')) {
      req.resume();
      return sendRpcError(
        res,
        406,
        JsonRpcCode.INVALID_REQUEST,
        'Not Acceptable: a POST must accept both application/json and text/event-stream',
      );
    }
    const wrongType = contentTypeProblem(header(req, 'content-type'));
    if (wrongType) {
      req.resume();
      return sendRpcError(res, 415, JsonRpcCode.INVALID_REQUEST, wrongType);
    }
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
    const parsed = parseClientMessage(body);
    if (!parsed.ok) return sendRpcError(res, 400, parsed.code, parsed.message, parsed.id);
    const record = lookup(req, res);
    if (record === null) return;
    const c = parsed.value;
    if (c.kind !== 'request') return deliver(c, record, req, res, ctx);
    const m = c.message;
    const started = performance.now();
    const call = o.calls.start({
      side: 'route',
      protocol: 'mcp',
      name: o.route,
      method: m.method,
      ...toolOf(m),
      ...(o.localName !== undefined ? { localName: o.localName } : {}),
      ...(o.remoteName !== undefined ? { remoteName: o.remoteName } : {}),
      ...parentOf(req, m),
    });
    const authorization = header(req, 'authorization');
    const extras: CallExtras = {
      trace: call.propagate,
      ...(authorization !== undefined ? { authorization } : {}),
    };
    const headerVersion = header(req, 'mcp-protocol-version');
    const modern = !record && isModernVersion(headerVersion ?? metaProtocolVersion(m));
    if (modern) {
      const wrong = checkModernHeaders(m, (n) => header(req, n), metaProtocolVersion(m));
      if (wrong) {
        call.end(String(JsonRpcCode.HEADER_MISMATCH));
        return sendRpcError(res, 400, JsonRpcCode.HEADER_MISMATCH, `Header mismatch: ${wrong}`, m.id);
      }
    }
    let outcome = 'internal';
    try {
      if (record) outcome = await inSession(record, m, req, res, ctx, extras);
      else if (m.method === 'initialize') outcome = await initialize(m, req, res, ctx, extras);
      else
        outcome = await stateless.run(
          m,
          headerVersion ?? metaProtocolVersion(m),
          modern,
          req,
          res,
          ctx,
          extras,
          challenged,
        );
    } finally {
      call.end(outcome);
    }
    o.metrics.call(m.method, outcome, (performance.now() - started) / 1000);
  }

  async function initialize(
    m: JsonRpcRequest,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
    extras: CallExtras,
  ) {
    const record = sessions.create(req.socket.remoteAddress ?? 'unknown');
    if (!record) {
      o.metrics.refused();
      sendRpcError(res, 503, JsonRpcCode.INTERNAL_ERROR, 'Too many MCP sessions on this route', m.id);
      return 'TooManySessions';
    }
    const session = record.value;
    let ok = false;
    const outcome = await inSession(record, m, req, res, ctx, extras, (response) => {
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
    record: HttpSessionRecord,
    m: JsonRpcRequest,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
    extras: CallExtras,
    onResponse?: (r: JsonRpcResponse) => void,
  ): Promise<string> {
    const s = record.value;
    const key = idKey(m.id);
    const flag = { cancelled: false };
    s.inflight.set(key, flag);
    sessions.acquire(record);
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
        onChallenge: (err) => challenged(err, res, ctx),
        logger: o.logger,
        extras,
      });
    } finally {
      if (s.inflight.get(key) === flag) s.inflight.delete(key);
      sessions.release(record);
    }
  }

  async function deliver(
    c: Classified,
    record: HttpSessionRecord | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
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
          const sentId = stateless.cancel(id);
          if (sentId !== undefined)
            message = { ...c.message, params: { ...c.message.params, requestId: sentId } };
        }
      }
    }
    const authorization = header(req, 'authorization');
    const parent = parentOf(req, message).parent;
    const extras: CallExtras = {
      ...(parent ? { trace: parent } : {}),
      ...(authorization !== undefined ? { authorization } : {}),
    };
    try {
      await o.relay.notify(message, lane, undefined, extras);
      res.writeHead(202).end();
    } catch (err) {
      if (challenged(err, res, ctx)) return;
      const f = clientFailureFor(err, o.target);
      if (f.sessionGone && record) endSession(record, false);
      sendRpcError(res, f.httpStatus, f.code, f.message);
    }
  }

  async function get(req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) {
    if (!acceptsMedia(header(req, 'accept'), 'text/event-stream')) {
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
    sessions.acquire(record, true);
    try {
      const why = await serveListenStream(res, {
        relay: o.relay,
        lane: () => laneOf(s),
        httpSessionId: s.httpId,
        keepAliveMs: o.keepAliveMs,
        clientGone: ctx.signal,
        stop,
      });
      if (why === 'gone') endSession(record, false);
    } finally {
      if (s.get === stop) s.get = undefined;
      sessions.release(record);
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
    if (ctx.subpath === RESOURCE_METADATA_SUBPATH && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      if (!resourceMetadata) return sendRpcError(res, 404, JsonRpcCode.INVALID_REQUEST, 'Not Found');
      return sendJson(res, 200, localResourceMetadata(resourceMetadata, ctx.baseUrl));
    }
    // `<route>/mcp` is the same endpoint: some clients (the MCP Inspector 0.15) rewrite a URL that
    // does not end in /mcp, so a route can be given to them as http://host/mcp/weather/mcp.
    if (!MCP_SUBPATHS.has(ctx.subpath)) {
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
    close: () => sessions.close(),
  };
}

/** The trace context of a request: the HTTP header, else the message's `_meta.traceparent`. */
function parentOf(
  req: IncomingMessage,
  m: object,
): { parent?: { traceparent?: string; tracestate?: string } } {
  const parent = traceContextOf(req.headers) ?? metaTraceContext(m);
  return parent ? { parent } : {};
}
