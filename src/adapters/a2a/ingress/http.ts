// The local A2A endpoint of a route (docs/a2a-over-slim.md §1): JSON-RPC 2.0 at `POST <route>`
// with the A2A v1.0 and v0.3 method names, SSE for the streaming methods (relayed event by event
// as they arrive over SLIM), and the agent card at `<route>/.well-known/agent-card.json` (and the
// legacy `agent.json`), fetched from the remote agent over SLIM (GetExtendedAgentCard), cached
// briefly and rewritten to the route. Every call is carried over the A2A SLIMRPC binding by
// A2aBindingClient. Bad input is answered with a JSON-RPC error; nothing here throws to the edge.
// A list of names as the target makes it a group route instead (../group/ingress.ts; index.ts chooses).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create } from '@bufbuild/protobuf';
import { combineSignals } from '../../../util/abort.js';
import { GatewayError } from '../../../util/errors.js';
import { DEFAULT_MAX_BODY_BYTES, sendJson } from '../../../util/http.js';
import type { HttpHandler, HttpRequestContext } from '../../../util/http.js';
import { childLogger } from '../../../util/log.js';
import type { Logger } from '../../../util/log.js';
import type { MetricsRegistry } from '../../../util/metrics.js';
import { formatName, RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { SlimName } from '../../../slim/rpc/index.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import type { CallObserver } from '../../../telemetry/types.js';
import { NO_CALL_OBSERVER, traceContextOf, withTraceContext } from '../../../telemetry/calls.js';
import { A2aBindingClient } from './binding-client.js';
import type { BindingCall } from './binding-client.js';
import { cardJsonV03, cardJsonV1, localCardV1, slimVersionsOf, wantsV1 } from '../card.js';
import { cardToV03 } from '../transcode/card.js';
import { A2aError } from '../errors.js';
import { observeCall } from '../observed-call.js';
import { readUpstreamChallenge } from '../../upstream-challenge.js';
import type { UpstreamChallenge } from '../../upstream-challenge.js';
import { readA2aBody } from './input.js';
import { errorResponse, parseRequest, resultResponse } from '../jsonrpc.js';
import type { JsonRpcCall } from '../jsonrpc.js';
import { callMetrics } from '../metrics.js';
import { opByName, sideOf } from '../methods/table.js';
import { SseWriter } from '../sse.js';
import { cardToJson } from '../v03-json/card.js';
import { forwardedMetadata, supportedVersionHeader } from '../params.js';
import type { IngressTarget, SingleTarget } from '../../ingress-target.js';

export type A2aIngressOptions = A2aIngressCommon & IngressTarget;

export interface A2aIngressCommon {
  /** The route path (for logs and metrics; the edge mounts the handler there). */
  readonly route: string;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Access log and traces of calls (default: none). */
  readonly calls?: CallObserver;
  readonly maxBodyBytes?: number;
  /** Deadline of unary calls (default 5 min: a blocking SendMessage waits for the agent). */
  readonly timeoutMs?: number;
  /** Deadline of streams (default 1 h). */
  readonly streamTimeoutMs?: number;
  /** Interval of SSE keepalive comments (default 15 s; 0 disables). */
  readonly keepaliveMs?: number;
  /** How long a fetched agent card is reused (default 30 s). */
  readonly cardTtlMs?: number;
  /** How long a target's missing A2A version is remembered (default 5 min). */
  readonly versionMemoryMs?: number;
}

export interface A2aIngress {
  readonly handler: HttpHandler;
  close(): Promise<void>;
  /** Group routes only: makes the group exactly `members` (a config reload). */
  setMembers?(members: readonly SlimName[]): Promise<void>;
}

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json']);
const CARD_FETCH_TIMEOUT_MS = 15_000;

/** The endpoint of a route to one agent (index.ts chooses between this and a group's). */
export function createSingleIngress(options: A2aIngressCommon & SingleTarget): A2aIngress {
  const logger = childLogger(options.logger, 'a2a-ingress').child({ route: options.route });
  const binding = new A2aBindingClient(options.client, logger, options.versionMemoryMs);
  const metrics = callMetrics(options.metrics, 'ingress', { route: options.route });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const streamTimeoutMs = options.streamTimeoutMs ?? 3_600_000;
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const cardTtlMs = options.cardTtlMs ?? 30_000;
  const calls = options.calls ?? NO_CALL_OBSERVER;
  const targetName = formatName(options.target);
  const closing = new AbortController();
  let cached: { card: v1.AgentCard; expires: number } | undefined;
  let fetching: Promise<v1.AgentCard> | undefined;

  const cardOp = opByName('GetExtendedAgentCard');
  const fetchCard = async (
    metadata: Record<string, string>,
    signal: AbortSignal,
    authorization?: string,
  ): Promise<v1.AgentCard> => {
    const call: BindingCall = {
      metadata,
      timeoutMs: CARD_FETCH_TIMEOUT_MS,
      signal,
      ...(authorization !== undefined ? { authorization } : {}),
    };
    return (await binding.unary(
      cardOp,
      '1.0',
      create(v1.GetExtendedAgentCardRequestSchema),
      call,
    )) as v1.AgentCard;
  };

  const remoteCard = (): Promise<v1.AgentCard> => {
    if (cached && cached.expires > Date.now()) return Promise.resolve(cached.card);
    fetching ??= fetchCard({}, closing.signal)
      .then((card) => {
        cached = { card, expires: Date.now() + cardTtlMs };
        binding.learn(slimVersionsOf(card, options.target));
        return card;
      })
      .finally(() => {
        fetching = undefined;
      });
    return fetching;
  };

  const serveCard = async (req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) => {
    try {
      const card = localCardV1(await remoteCard(), ctx.baseUrl, options.target);
      const asV1 = wantsV1(header(req, 'a2a-version'));
      sendJson(res, 200, asV1 ? cardJsonV1(card) : cardJsonV03(card), {
        'cache-control': `max-age=${Math.floor(cardTtlMs / 1000)}`,
        vary: 'A2A-Version',
      });
    } catch (err) {
      const status = err instanceof RpcError ? err.status : undefined;
      const http =
        status === StatusCode.UNAVAILABLE
          ? 503
          : status === StatusCode.DEADLINE_EXCEEDED
            ? 504
            : status === StatusCode.PERMISSION_DENIED
              ? 403 // the agent's allow list refuses this gateway
              : 502;
      logger.debug({ err: (err as Error).message }, 'agent card unavailable');
      sendJson(res, http, {
        error: `agent card of ${formatName(options.target)} unavailable: ${(err as Error).message}`,
      });
    }
  };

  const runCall = async (
    call: JsonRpcCall,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
  ): Promise<void> => {
    const { op, version, id } = call;
    const side = sideOf(op, version)!;
    const parent = traceContextOf(req.headers);
    const observed = observeCall(metrics, calls, {
      side: 'route',
      protocol: 'a2a',
      name: options.route,
      method: op.name,
      remoteName: targetName,
      ...(parent ? { parent } : {}),
    });
    const done = observed.end;
    const signals = combineSignals([ctx.signal, closing.signal], op.streaming ? streamTimeoutMs : timeoutMs);
    try {
      supportedVersionHeader(header(req, 'a2a-version'));
      const request = side.reqFromJson(call.params);
      const authorization = header(req, 'authorization');
      const base = {
        metadata: withTraceContext(forwardedMetadata(req.headers), observed.propagate),
        signal: signals.signal,
        ...(authorization !== undefined ? { authorization } : {}),
      };
      if (!op.streaming) {
        const bindingCall = { ...base, timeoutMs };
        let result: unknown;
        if (op.name === 'GetExtendedAgentCard') {
          const card = localCardV1(
            await fetchCard(base.metadata, signals.signal, authorization),
            ctx.baseUrl,
            options.target,
          );
          result = version === '1.0' ? cardJsonV1(card) : cardToJson(cardToV03(card));
        } else {
          result = side.resToJson(await binding.unary(op, version, request, bindingCall));
        }
        sendJson(res, 200, resultResponse(id, result));
        done();
        return;
      }
      const events = binding.stream(op, version, request, { ...base, timeoutMs: streamTimeoutMs });
      const first = await events.next();
      // Headers go out only once the remote has answered, so an immediate failure (unknown task,
      // agent down) is a plain JSON-RPC error response rather than an SSE stream.
      const sse = new SseWriter(res, keepaliveMs);
      sse.start();
      try {
        for (let r = first; !r.done; r = await events.next()) {
          await sse.event(resultResponse(id, side.resToJson(r.value)), signals.signal);
        }
        done();
      } catch (err) {
        done(err);
        if (!signals.signal.aborted) await sse.event(errorResponse(id, err, version), signals.signal);
        logger.debug({ method: call.method, err: (err as Error).message }, 'stream ended with an error');
      } finally {
        sse.end(signals.signal.aborted);
        await events.return(undefined);
      }
    } catch (err) {
      done(err);
      logger.debug({ method: call.method, err: (err as Error).message }, 'call failed');
      const challenge = readUpstreamChallenge(err);
      if (challenge) {
        // The agent wants its caller authenticated: the same HTTP status and challenge here.
        sendJson(res, challenge.httpStatus ?? 401, errorResponse(id, agentRefused(challenge), version), {
          'www-authenticate': challenge.wwwAuthenticate,
        });
        return;
      }
      sendJson(res, 200, errorResponse(id, err, version));
    } finally {
      signals.dispose();
    }
  };

  const handler: HttpHandler = async (req, res, ctx) => {
    const path = ctx.subpath === '/' ? '' : ctx.subpath;
    if (closing.signal.aborted) {
      sendJson(res, 503, { error: 'the A2A route is closing' });
      return;
    }
    if (CARD_PATHS.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
      return serveCard(req, res, ctx);
    }
    if (path !== '') {
      sendJson(res, 404, { error: `no A2A endpoint at ${options.route}${path}` });
      return;
    }
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = await readA2aBody(req, res, maxBodyBytes);
    if (body === undefined) return;
    const parsed = parseRequest(body);
    if (!parsed.ok) {
      sendJson(res, 200, errorResponse(parsed.id, parsed.error, parsed.version));
      return;
    }
    logger.debug({ method: parsed.call.method, bytes: body.length }, 'A2A call');
    await runCall(parsed.call, req, res, ctx);
  };

  return {
    handler,
    close: () => {
      if (!closing.signal.aborted) {
        closing.abort(new GatewayError('CLOSED', 'the A2A route is closing'));
        logger.info('A2A route closed');
      }
      cached = undefined;
      return Promise.resolve();
    },
  };
}

/** The JSON-RPC error beside a relayed challenge (the HTTP status and header are what clients act on). */
function agentRefused(challenge: UpstreamChallenge): A2aError {
  return new A2aError(
    'InvalidRequestError',
    challenge.httpStatus === 403
      ? 'the agent requires a token with more scope'
      : 'the agent requires authentication (see WWW-Authenticate)',
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: `method not allowed (use ${allow})` }, { allow });
}
