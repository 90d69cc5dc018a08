// A backend connection to an MCP server at a Streamable HTTP URL (docs/mcp-over-slimrpc.md §5.2),
// written here rather than taken from the SDK because a relay must know which POST stream each
// server message came on (that is what relates it to a request). One connection per lane: POST per
// client message (JSON or SSE answer), the server's Mcp-Session-Id kept from `initialize`, GET for
// unsolicited traffic (legacy revisions) re-opened with backoff while the lane lives, DELETE on
// close. Modern (2026-07-28) requests get Mcp-Method / Mcp-Name derived from the body, and tool
// calls the Mcp-Param-* headers their tool declares (param-headers.ts).
import type { Logger } from '../../../util/log.js';
import { GatewayError, describeError } from '../../../util/errors.js';
import { sleep } from '../../../util/abort.js';
import { httpSend } from '../../../util/http-client.js';
import type { HttpClientResponse } from '../../../util/http-client.js';
import { errorResponse, idKey, isModernVersion, JsonRpcCode, parseMessage } from '../jsonrpc.js';
import type { Classified, JsonRpcId, JsonRpcMessage, JsonRpcRequest } from '../jsonrpc.js';
import { modernHeadersFor } from '../headers.js';
import { SseParser } from '../sse.js';
import { MAX_LIST_PAGES, readResult, ToolParamHeaders, toolsListRequest } from './param-headers.js';
import type { BackendConnection, BackendEvents, SendContext } from './backend.js';
import type { Related } from './router.js';
import { resourceMetadataUrl } from '../upstream-auth.js';
import { challengeStatus, upstreamUnauthorized } from '../../upstream-challenge.js';

export interface HttpBackendSpec {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Largest message read from the server; the lane then applies the SLIM frame limit with a clear error. */
const MAX_READ_BYTES = 16 * 1024 * 1024;
const DELETE_TIMEOUT_MS = 5_000;
const GET_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** The protected resource metadata of a 401: a small public document, fetched with a short deadline. */
const MAX_RESOURCE_METADATA_BYTES = 64 * 1024;
const RESOURCE_METADATA_TIMEOUT_MS = 5_000;

export function httpBackend(spec: HttpBackendSpec, events: BackendEvents, logger: Logger): BackendConnection {
  let sessionId: string | undefined;
  let negotiated: string | undefined;
  let gone = false;
  let getRunning = false;
  let listed = 0;
  const life = new AbortController();
  const toolHeaders = new ToolParamHeaders();
  const url = new URL(spec.url);
  // The caller's Authorization (forwarded calls only), kept for the GET stream and the DELETE,
  // which no call of the caller carries. Never logged.
  let authorization: string | undefined;

  const headersFor = (message: JsonRpcMessage, ctx: SendContext | undefined): Record<string, string> => {
    const h: Record<string, string> = {
      ...spec.headers,
      ...ctx?.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (ctx?.headers?.['authorization'] !== undefined) authorization = ctx.headers['authorization'];
    if (sessionId !== undefined) h['mcp-session-id'] = sessionId;
    const method = (message as { method?: unknown }).method;
    const version = ctx?.protocolVersion ?? negotiated;
    if (version !== undefined && method !== 'initialize') h['mcp-protocol-version'] = version;
    if (typeof method === 'string' && isModernVersion(version)) {
      Object.assign(h, modernHeadersFor(message as JsonRpcRequest));
      if (method === 'tools/call') Object.assign(h, toolHeaders.headersFor(message as JsonRpcRequest));
    }
    return h;
  };

  const lost = () => {
    if (gone) return;
    gone = true;
    life.abort();
    events.closed('the MCP server no longer knows the session (HTTP 404)');
  };

  const post = async (message: JsonRpcMessage, ctx: SendContext): Promise<HttpClientResponse | undefined> => {
    let res: HttpClientResponse;
    try {
      res = await httpSend(url, {
        method: 'POST',
        headers: headersFor(message, ctx),
        body: JSON.stringify(message),
        signal: ctx.signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) return undefined;
      throw new GatewayError('UNAVAILABLE', `MCP server unreachable at ${spec.url}: ${describeError(err)}`, {
        cause: err,
      });
    }
    if (res.status === 404 && sessionId !== undefined) {
      res.cancel();
      lost();
      throw new GatewayError('NOT_FOUND', 'the MCP server no longer knows this session');
    }
    const wwwAuthenticate = res.header('www-authenticate');
    const challenged = challengeStatus(res.status, wwwAuthenticate);
    if (challenged !== undefined) {
      res.cancel();
      throw await challenge(challenged, wwwAuthenticate ?? 'Bearer', ctx.signal);
    }
    return res;
  };

  /** The server wants OAuth: its challenge, with the metadata it points to, for the caller. */
  const challenge = async (httpStatus: 401 | 403, wwwAuthenticate: string, signal: AbortSignal) => {
    const where = resourceMetadataUrl(wwwAuthenticate);
    let resourceMetadata: Record<string, unknown> | undefined;
    if (where !== undefined) {
      try {
        const bound = AbortSignal.any([signal, AbortSignal.timeout(RESOURCE_METADATA_TIMEOUT_MS)]);
        const res = await httpSend(new URL(where, url), {
          method: 'GET',
          headers: { accept: 'application/json' },
          signal: bound,
        });
        const body = res.ok ? await readLimited(res, MAX_RESOURCE_METADATA_BYTES) : (res.cancel(), undefined);
        const json = body && (JSON.parse(Buffer.from(body).toString('utf8')) as unknown);
        if (typeof json === 'object' && json !== null && !Array.isArray(json))
          resourceMetadata = json as Record<string, unknown>;
      } catch (err) {
        logger.debug({ err: describeError(err) }, 'protected resource metadata unavailable');
      }
    }
    logger.debug({ status: httpStatus }, 'the MCP server asks for authorization: relayed to the caller');
    return upstreamUnauthorized({
      httpStatus,
      wwwAuthenticate,
      ...(resourceMetadata ? { resourceMetadata } : {}),
    });
  };

  /** Lists the tools for their Mcp-Param-* declarations before calling one not seen listed. */
  const learnTools = async (call: JsonRpcRequest, ctx: SendContext): Promise<void> => {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const id = `slim-gateway-tools-${++listed}`;
      const res = await post(toolsListRequest(call, id, cursor), ctx);
      const result = res && (await readResult(res, id));
      toolHeaders.learn(result);
      const next = (result as { nextCursor?: unknown } | undefined)?.nextCursor;
      if (typeof next !== 'string') return;
      cursor = next;
    }
  };

  /** Reports one parsed message; a JSON-RPC error with a null id answers `request`. */
  const report = (c: Classified, related: Related, raw: Uint8Array | undefined, request?: JsonRpcRequest) => {
    if (request && c.kind === 'response' && c.message.id === null) {
      events.message({ kind: 'response', message: { ...c.message, id: request.id } }, related);
      return;
    }
    if (request?.method === 'initialize' && c.kind === 'response' && 'result' in c.message) {
      const v = (c.message.result as { protocolVersion?: unknown } | null)?.protocolVersion;
      if (typeof v === 'string') negotiated = v;
    }
    if (request?.method === 'tools/list' && c.kind === 'response' && 'result' in c.message)
      toolHeaders.learn(c.message.result);
    events.message(c, related, raw);
  };

  const readJson = async (
    res: HttpClientResponse,
    related: Related,
    request?: JsonRpcRequest,
  ): Promise<boolean> => {
    const bytes = await readLimited(res);
    const parsed = parseMessage(bytes);
    if (!parsed.ok) return false;
    report(parsed.value, related, bytes, request);
    return parsed.value.kind === 'response';
  };

  /** Reads SSE events until the response to `untilId` (if given) or the end; true if it was seen. */
  const readSse = async (
    res: HttpClientResponse,
    related: Related,
    request?: JsonRpcRequest,
  ): Promise<boolean> => {
    const decoder = new TextDecoder();
    const parser = new SseParser(MAX_READ_BYTES);
    const want = request ? idKey(request.id) : undefined;
    try {
      for await (const value of res.chunks()) {
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
          if (ev.event !== 'message' || ev.data === '') continue;
          const parsed = parseMessage(ev.data);
          if (!parsed.ok) {
            logger.debug({ reason: parsed.message }, 'MCP server sent an SSE event that is not JSON-RPC');
            continue;
          }
          // The event's text is the message as the server wrote it: relayed as is, not re-serialised.
          report(parsed.value, related, Buffer.from(ev.data), request);
          const m = parsed.value.message;
          if (
            want &&
            parsed.value.kind === 'response' &&
            m.id !== null &&
            idKey(m.id as JsonRpcId) === want
          ) {
            return true;
          }
        }
      }
      return false;
    } finally {
      res.cancel();
    }
  };

  const contentType = (res: HttpClientResponse) => (res.header('content-type') ?? '').split(';')[0]!.trim();

  const runGet = async () => {
    let attempt = 0;
    while (!life.signal.aborted) {
      try {
        const h: Record<string, string> = { ...spec.headers, accept: 'text/event-stream' };
        if (authorization !== undefined) h['authorization'] = authorization;
        if (sessionId !== undefined) h['mcp-session-id'] = sessionId;
        if (negotiated !== undefined) h['mcp-protocol-version'] = negotiated;
        const res = await httpSend(url, { method: 'GET', headers: h, signal: life.signal });
        if (res.status === 405 || (res.ok && contentType(res) !== 'text/event-stream')) {
          res.cancel();
          logger.debug({ status: res.status }, 'MCP server offers no stream for unsolicited messages');
          return;
        }
        if (res.status === 404 && sessionId !== undefined) {
          lost();
          return;
        }
        if (res.ok) {
          attempt = 0;
          await readSse(res, { kind: 'unsolicited' });
        } else res.cancel();
      } catch (err) {
        if (life.signal.aborted) return;
        logger.debug({ err: describeError(err) }, 'MCP server GET stream failed');
      }
      const wait = GET_BACKOFF_MS[Math.min(attempt++, GET_BACKOFF_MS.length - 1)]!;
      await sleep(wait, life.signal).catch(() => {});
    }
  };

  return {
    start() {
      return Promise.resolve();
    },
    async request(message, ctx) {
      const modernCall =
        message.method === 'tools/call' && isModernVersion(ctx.protocolVersion ?? negotiated);
      if (modernCall && !toolHeaders.knows(message))
        await learnTools(message, ctx).catch((err: unknown) => {
          logger.debug({ err: describeError(err) }, 'listing the tools for their parameter headers failed');
        });
      const res = await post(message, ctx);
      if (!res) return;
      const sid = res.header('mcp-session-id');
      if (sid && message.method === 'initialize') sessionId = sid;
      const related: Related = { kind: 'request', key: idKey(message.id) };
      const type = contentType(res);
      let answered = false;
      if (type === 'text/event-stream') answered = await readSse(res, related, message);
      else if (type === 'application/json') answered = await readJson(res, related, message);
      else res.cancel();
      if (answered || ctx.signal.aborted) return;
      const text = res.ok
        ? 'the MCP server ended its answer without a JSON-RPC response'
        : `the MCP server answered HTTP ${res.status}`;
      events.message(
        { kind: 'response', message: errorResponse(message.id, JsonRpcCode.INTERNAL_ERROR, text) },
        related,
      );
    },
    async send(message, ctx) {
      const res = await post(message, ctx);
      if (!res) return;
      res.cancel();
      if (!res.ok)
        throw new GatewayError('UNAVAILABLE', `the MCP server refused the message (HTTP ${res.status})`);
    },
    async cancel(notification, ctx) {
      // Modern revisions cancel by closing the request's stream (the lane aborts its fetch).
      if (isModernVersion(ctx.protocolVersion ?? negotiated)) return;
      await this.send(notification, ctx).catch(() => {});
    },
    openUnsolicited() {
      if (getRunning || gone) return;
      getRunning = true;
      void runGet().finally(() => (getRunning = false));
    },
    async close() {
      if (life.signal.aborted && gone) return;
      const sid = sessionId;
      gone = true;
      life.abort();
      if (sid === undefined) return;
      const h: Record<string, string> = { ...spec.headers, 'mcp-session-id': sid };
      if (authorization !== undefined) h['authorization'] = authorization;
      if (negotiated !== undefined) h['mcp-protocol-version'] = negotiated;
      await httpSend(url, { method: 'DELETE', headers: h, signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) })
        .then((r) => r.cancel())
        .catch((err: unknown) => logger.debug({ err: describeError(err) }, 'MCP session DELETE failed'));
    },
  };
}

async function readLimited(res: HttpClientResponse, limit = MAX_READ_BYTES): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const value of res.chunks()) {
      size += value.byteLength;
      if (size > limit) throw new GatewayError('RESOURCE_EXHAUSTED', `MCP server answer over ${limit} bytes`);
      chunks.push(value);
    }
  } finally {
    res.cancel();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
