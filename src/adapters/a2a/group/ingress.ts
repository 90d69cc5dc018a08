// The local A2A endpoint of a group route (docs/a2a-over-slim.md §5): the same URLs, methods
// and headers as a route to one agent (../ingress/http.ts), answered by the group. A message goes to
// every agent over one multicast call; the JSON-RPC client gets every agent's outcome, attributed:
// one aggregated Message for SendMessage, each agent's events as they come (tagged with the agent
// in metadata, then a summary) for SendStreamingMessage. Methods on a task go to the agent its
// presented id names. The agent card describes the group.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import type { SlimName } from '../../../slim/rpc/index.js';
import type { GroupTarget } from '../../ingress-target.js';
import { combineSignals, derivedSignal } from '../../../util/abort.js';
import { GatewayError } from '../../../util/errors.js';
import { DEFAULT_MAX_BODY_BYTES, sendJson } from '../../../util/http.js';
import type { HttpHandler, HttpRequestContext } from '../../../util/http.js';
import { childLogger } from '../../../util/log.js';
import type { Logger } from '../../../util/log.js';
import type { MetricsRegistry } from '../../../util/metrics.js';
import { GroupMembers, isUnreachable } from '../../group/members.js';
import type { Member } from '../../group/members.js';
import { A2aBindingClient } from '../ingress/binding-client.js';
import type { BindingCall } from '../ingress/binding-client.js';
import { cardJsonV03, cardJsonV1, wantsV1 } from '../card.js';
import { cardToV03 } from '../transcode/card.js';
import { readA2aBody } from '../ingress/input.js';
import { A2aError } from '../errors.js';
import { observeCall } from '../observed-call.js';
import type { CallObserver } from '../../../telemetry/types.js';
import { NO_CALL_OBSERVER, traceContextOf, withTraceContext } from '../../../telemetry/calls.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { errorResponse, parseRequest, resultResponse } from '../jsonrpc.js';
import type { JsonRpcCall } from '../jsonrpc.js';
import { callMetrics } from '../metrics.js';
import { convertRequest, convertResponse, encode, opByName, SERVICE, sideOf } from '../methods/table.js';
import { forwardedMetadata, supportedVersionHeader } from '../params.js';
import { cardToJson } from '../v03-json/card.js';
import { groupSends } from './send.js';
import { groupCard } from './card.js';
import type { MemberCard } from './card.js';
import type { GroupEnv } from './fanout.js';
import { messageOwner, prefixSendResponse, tagSendResponse } from './ids.js';
import { isRouted, listTasks, ownerOfRequest, presentAnswer } from './method-routing.js';

export interface A2aGroupIngressOptions extends GroupTarget {
  readonly route: string;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Access log and traces of calls (default: none); every member's call is the route span's child. */
  readonly calls?: CallObserver;
  readonly maxBodyBytes?: number;
  /** The route's deadline: SendMessage collects what answered within it (default 5 min). */
  readonly timeoutMs?: number;
  readonly streamTimeoutMs?: number;
  readonly keepaliveMs?: number;
  readonly cardTtlMs?: number;
  readonly probeDelaysMs?: readonly number[];
}

export interface A2aGroupIngress {
  readonly handler: HttpHandler;
  readonly members: GroupMembers;
  setMembers(members: readonly SlimName[]): Promise<void>;
  close(): Promise<void>;
}

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json']);
const CARD_TIMEOUT_MS = 15_000;
const CARD = opByName('GetExtendedAgentCard');

export function createA2aGroupIngress(o: A2aGroupIngressOptions): A2aGroupIngress {
  const logger = childLogger(o.logger, 'a2a-ingress').child({ route: o.route, group: true });
  const metrics = callMetrics(o.metrics, 'ingress', { route: o.route });
  const timeoutMs = o.timeoutMs ?? 300_000;
  const streamTimeoutMs = o.streamTimeoutMs ?? 3_600_000;
  const keepaliveMs = o.keepaliveMs ?? 15_000;
  const cardTtlMs = o.cardTtlMs ?? 30_000;
  const calls = o.calls ?? NO_CALL_OBSERVER;
  const closing = new AbortController();
  const bindings = new WeakMap<Member, A2aBindingClient>();
  const members = new GroupMembers(o.target, {
    route: o.route,
    protocol: 'a2a',
    multicast: o.client,
    connect: o.memberClient,
    probe: async (m, signal) => {
      const bytes = encode(
        v1.GetExtendedAgentCardRequestSchema,
        create(v1.GetExtendedAgentCardRequestSchema),
      );
      try {
        await m.client.unary(SERVICE['1.0'], CARD.v1.slim, bytes, { timeoutMs: CARD_TIMEOUT_MS, signal });
      } catch (err) {
        if (isUnreachable(err)) throw err;
      }
    },
    timeoutMs,
    logger,
    metrics: o.metrics,
    ...(o.probeDelaysMs ? { probeDelaysMs: o.probeDelaysMs } : {}),
  });
  const env: GroupEnv = {
    members,
    multicast: o.client,
    binding: (m) => {
      let b = bindings.get(m);
      if (!b) bindings.set(m, (b = new A2aBindingClient(m.client, logger.child({ member: m.key }))));
      return b;
    },
  };
  const known = (p: string) => members.byPrefix(p) !== undefined;
  let cards: { at: number; list: MemberCard[] } | undefined;

  const memberCards = async (signal: AbortSignal): Promise<MemberCard[]> => {
    if (cards && cards.at + cardTtlMs > Date.now()) return cards.list;
    const call: BindingCall = { metadata: {}, timeoutMs: CARD_TIMEOUT_MS, signal };
    const list = await Promise.all(
      members.all().map(async (m): Promise<MemberCard> => {
        try {
          const card = (await env
            .binding(m)
            .unary(CARD, '1.0', create(v1.GetExtendedAgentCardRequestSchema), call)) as v1.AgentCard;
          members.reportOk(m);
          return { member: m.key, prefix: m.prefix, card };
        } catch (err) {
          members.reportFailure(m, err, CARD.name);
          return { member: m.key, prefix: m.prefix, error: (err as Error).message };
        }
      }),
    );
    cards = { at: Date.now(), list };
    return list;
  };

  const send = groupSends(env, keepaliveMs);

  const runCall = async (
    call: JsonRpcCall,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HttpRequestContext,
  ) => {
    const { op, version, id } = call;
    const parent = traceContextOf(req.headers);
    const observed = observeCall(metrics, calls, {
      side: 'route',
      protocol: 'a2a',
      name: o.route,
      method: op.name,
      ...(parent ? { parent } : {}),
    });
    const done = observed.end;
    // The route's closing signal through one shared listener, not one per call in flight.
    const closed = derivedSignal(closing.signal);
    const signals = combineSignals([ctx.signal, closed.signal], op.streaming ? streamTimeoutMs : timeoutMs);
    const reply = (answer: Message) => {
      sendJson(
        res,
        200,
        resultResponse(id, sideOf(op, version)!.resToJson(convertResponse(op, '1.0', version, answer))),
      );
    };
    try {
      supportedVersionHeader(header(req, 'a2a-version'));
      const reqV = sideOf(op, version)!.reqFromJson(call.params);
      const req1 = convertRequest(op, version, '1.0', reqV);
      const bc: BindingCall = {
        metadata: withTraceContext(forwardedMetadata(req.headers), observed.propagate),
        signal: signals.signal,
        timeoutMs: op.streaming ? streamTimeoutMs : timeoutMs,
      };
      if (op.name === 'GetExtendedAgentCard') {
        const card = groupCard(o.route, ctx.baseUrl, await memberCards(signals.signal));
        sendJson(
          res,
          200,
          resultResponse(id, version === '1.0' ? cardJsonV1(card) : cardToJson(cardToV03(card))),
        );
      } else if (op.name === 'SendMessage' || op.name === 'SendStreamingMessage') {
        const msg = req1 as v1.SendMessageRequest;
        const prefix = msg.message ? messageOwner(msg.message, known) : undefined;
        const owner = prefix === undefined ? undefined : members.byPrefix(prefix);
        if (owner && op.streaming) await send.streamOne(call, op, owner, msg, res, bc, signals.signal);
        else if (owner) {
          const answer = (await env.binding(owner).unary(op, '1.0', msg, bc)) as v1.SendMessageResponse;
          prefixSendResponse(answer, owner.prefix);
          tagSendResponse(answer, owner.key);
          reply(answer);
        } else if (op.streaming) await send.streamAll(call, msg, res, bc, signals.signal);
        else reply(await send.sendAll(msg, version, bc));
      } else if (op.name === 'ListTasks') {
        reply(await listTasks(env, op, req1 as v1.ListTasksRequest, bc));
      } else if (isRouted(op)) {
        const m = ownerOfRequest(env, op, req1);
        if (op.streaming) await send.streamOne(call, op, m, req1, res, bc, signals.signal);
        else reply(presentAnswer(op, await env.binding(m).unary(op, '1.0', req1, bc), m.prefix));
      } else {
        throw new A2aError('MethodNotFoundError', `${call.method} is not available on a group route`);
      }
      done();
    } catch (err) {
      done(err);
      logger.debug({ method: call.method, err: (err as Error).message }, 'group call failed');
      if (!res.headersSent) sendJson(res, 200, errorResponse(id, err, version));
      else res.end();
    } finally {
      signals.dispose();
      closed.release();
    }
  };

  const serveCard = async (req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) => {
    const card = groupCard(o.route, ctx.baseUrl, await memberCards(closing.signal));
    sendJson(res, 200, wantsV1(header(req, 'a2a-version')) ? cardJsonV1(card) : cardJsonV03(card), {
      'cache-control': `max-age=${Math.floor(cardTtlMs / 1000)}`,
      vary: 'A2A-Version',
    });
  };

  const handler: HttpHandler = async (req, res, ctx) => {
    const path = ctx.subpath === '/' ? '' : ctx.subpath;
    if (closing.signal.aborted) return sendJson(res, 503, { error: 'the A2A route is closing' });
    if (CARD_PATHS.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
      return serveCard(req, res, ctx);
    }
    if (path !== '') return sendJson(res, 404, { error: `no A2A endpoint at ${o.route}${path}` });
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = await readA2aBody(req, res, o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (body === undefined) return;
    const parsed = parseRequest(body);
    if (!parsed.ok) return sendJson(res, 200, errorResponse(parsed.id, parsed.error, parsed.version));
    logger.debug({ method: parsed.call.method, bytes: body.length }, 'A2A group call');
    await runCall(parsed.call, req, res, ctx);
  };

  return {
    handler,
    members,
    setMembers: async (list) => {
      await members.setMembers(list);
      cards = undefined;
    },
    close: async () => {
      if (closing.signal.aborted) return;
      closing.abort(new GatewayError('CLOSED', 'the A2A route is closing'));
      await members.close();
      logger.info('A2A group route closed');
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: `method not allowed (use ${allow})` }, { allow });
}
