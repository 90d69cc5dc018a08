// The serving side of the A2A SLIMRPC binding (docs/a2a-over-slim.md §2): a local A2A
// agent (JSON-RPC over HTTP, v1.0 or v0.3) offered under a SLIM name with BOTH services
// registered, `lf.a2a.v1.A2AService` (v1.0) and `a2a.v1.A2AService` (v0.3), as the reference does.
// Each call is decoded, converted to the version the agent speaks (the same one when it can),
// sent to the agent, and its answer (SSE events relayed one by one) encoded back. A2A errors go
// back as the binding's status + "Name: text"; an agent that is down is UNAVAILABLE, and the
// service keeps serving. GetExtendedAgentCard answers the agent's extended card when it has one,
// else its public card, with the agent's HTTP endpoints replaced by this SLIM service.
import type { Message } from '@bufbuild/protobuf';
import { combineSignals } from '../../../util/abort.js';
import { childLogger } from '../../../util/log.js';
import type { Logger } from '../../../util/log.js';
import type { MetricsRegistry } from '../../../util/metrics.js';
import { formatName } from '../../../slim/rpc/index.js';
import type { MethodHandler, RpcContext, ServiceDefinition, SlimName } from '../../../slim/rpc/index.js';
import type * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { A2aAgentClient } from './agent-client.js';
import type { AgentInfo } from './agent-client.js';
import { egressCard } from '../card.js';
import { authorizationOf } from '../authorization.js';
import { A2aError, toRpcStatus } from '../errors.js';
import { callMetrics } from '../metrics.js';
import { observeCall } from '../observed-call.js';
import {
  OPS,
  SERVICE,
  convertRequest,
  convertResponse,
  decode,
  encode,
  opByName,
  sideOf,
} from '../methods/table.js';
import type { A2aVersion, Op, OpSide } from '../methods/table.js';
import { agentHeaders } from '../params.js';
import type { CallObserver } from '../../../telemetry/types.js';
import { NO_CALL_OBSERVER, withTraceContext } from '../../../telemetry/calls.js';

export interface A2aServiceOptions {
  /** The SLIM name the agent is offered under. */
  readonly name: SlimName;
  /** The agent's JSON-RPC endpoint, e.g. http://127.0.0.1:9999. */
  readonly url: string;
  /** Where its card is, when not at `<url>/.well-known/agent-card.json`. */
  readonly cardUrl?: string;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  /** How long the agent's card (and so its versions) is reused (default 30 s). */
  readonly cardTtlMs?: number;
  /** Deadline of a unary call to the agent (default 5 min), unless the caller's is sooner. */
  readonly timeoutMs?: number;
  /** Deadline of a stream from the agent (default 1 h), unless the caller's is sooner. */
  readonly streamTimeoutMs?: number;
  /** Headers added to every HTTP request to the agent (a call's own headers win). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Access log and traces of calls (default: none). */
  readonly calls?: CallObserver;
  /** Pass the caller's Authorization header on to the agent (default false: dropped). */
  readonly forwardAuthorization?: boolean;
}

export interface A2aService {
  readonly services: ServiceDefinition[];
  close(): Promise<void>;
}

export function createA2aService(options: A2aServiceOptions): A2aService {
  const logger = childLogger(options.logger, 'a2a-egress').child({ service: formatName(options.name) });
  const agent = new A2aAgentClient({
    url: options.url,
    cardUrl: options.cardUrl,
    logger,
    cardTtlMs: options.cardTtlMs,
    headers: options.headers,
  });
  const serviceName = formatName(options.name);
  const metrics = callMetrics(options.metrics, 'egress', { service: serviceName });
  const calls = options.calls ?? NO_CALL_OBSERVER;

  /** Starts a call's record (span, access log); `end` takes the error, if any, once. */
  const observe = (op: Op, ctx: RpcContext, bytes: Uint8Array) => {
    const caller = formatName(ctx.source);
    const traceparent = ctx.metadata['traceparent'];
    const tracestate = ctx.metadata['tracestate'];
    const observed = observeCall(metrics, calls, {
      side: 'service',
      protocol: 'a2a',
      name: serviceName,
      method: op.name,
      localName: serviceName,
      remoteName: caller,
      caller: ctx.identity,
      ...(traceparent !== undefined
        ? { parent: tracestate !== undefined ? { traceparent, tracestate } : { traceparent } }
        : {}),
    });
    const authorization = authorizationOf(bytes);
    if (authorization !== undefined && !options.forwardAuthorization)
      logger.debug('a caller sent an Authorization header; dropped (forwardAuthorization is off)');
    return {
      /** Headers for the agent: the binding's, this call's trace context, the forwarded Authorization. */
      headers(version: A2aVersion): Record<string, string> {
        const h = withTraceContext(agentHeaders(ctx.metadata, version), observed.propagate);
        if (authorization !== undefined && options.forwardAuthorization) h['authorization'] = authorization;
        return h;
      },
      end: observed.end,
    };
  };
  const closing = new AbortController();
  const cardOp = opByName('GetExtendedAgentCard');

  /** The agent version to use for a call arriving over `binding`, and the agent's card. */
  const route = async (op: Op, binding: A2aVersion, signal: AbortSignal) => {
    const info = await agent.info(signal);
    const other: A2aVersion = binding === '1.0' ? '0.3' : '1.0';
    const version = info.versions.has(binding) ? binding : other;
    const side = sideOf(op, version);
    if (!side || !info.versions.has(version))
      throw new A2aError(
        'UnsupportedOperationError',
        `${op.name} is not available from this agent (A2A ${[...info.versions].join(', ')})`,
      );
    return { info, version, side };
  };

  const request = (op: Op, binding: A2aVersion, bytes: Uint8Array, to: A2aVersion, side: OpSide): unknown => {
    const msg = decode(sideOf(op, binding)!.req, bytes, 'InvalidParamsError');
    return side.reqToJson(convertRequest(op, binding, to, msg));
  };

  const reply = (op: Op, binding: A2aVersion, from: A2aVersion, result: Message): Uint8Array =>
    encode(sideOf(op, binding)!.res, convertResponse(op, from, binding, result));

  const timeoutMs = options.timeoutMs ?? 300_000;
  const streamTimeoutMs = options.streamTimeoutMs ?? 3_600_000;
  /** The caller's deadline or cancellation, shutdown, or our own default deadline. */
  const signalOf = (ctx: RpcContext, op: Op) =>
    combineSignals([ctx.signal, closing.signal], op.streaming ? streamTimeoutMs : timeoutMs);

  /** The card answered over SLIM: the agent's extended card if it has one, else its public card. */
  const card = async (
    info: AgentInfo,
    version: A2aVersion,
    side: OpSide,
    headers: Record<string, string>,
    signal: AbortSignal,
  ) => {
    if (!info.card.capabilities?.extendedAgentCard) return info.card;
    const json = await agent.call(version, side.jsonRpc, undefined, headers, signal);
    return convertResponse(cardOp, version, '1.0', side.resFromJson(json)) as v1.AgentCard;
  };

  const unary = (op: Op, binding: A2aVersion): MethodHandler => ({
    kind: 'unary',
    handler: async (bytes, ctx) => {
      const call = observe(op, ctx, bytes);
      const done = call.end;
      const signals = signalOf(ctx, op);
      try {
        const { info, version, side } = await route(op, binding, signals.signal);
        let out: Uint8Array;
        if (op === cardOp) {
          const served = egressCard(
            await card(info, version, side, call.headers(version), signals.signal),
            options.name,
          );
          out = encode(sideOf(op, binding)!.res, convertResponse(op, '1.0', binding, served));
        } else {
          const params = request(op, binding, bytes, version, side);
          const headers = call.headers(version);
          const json = await agent.call(version, side.jsonRpc, params, headers, signals.signal);
          out = reply(op, binding, version, side.resFromJson(json));
        }
        done();
        return out;
      } catch (err) {
        done(err);
        logger.debug({ method: op.name, err: (err as Error).message }, 'call failed');
        throw toRpcStatus(err);
      } finally {
        signals.dispose();
      }
    },
  });

  const stream = (op: Op, binding: A2aVersion): MethodHandler => ({
    kind: 'serverStream',
    handler: async function* (bytes, ctx) {
      const call = observe(op, ctx, bytes);
      const done = call.end;
      const signals = signalOf(ctx, op);
      let ended = false;
      try {
        const { version, side } = await route(op, binding, signals.signal);
        const params = request(op, binding, bytes, version, side);
        const headers = call.headers(version);
        for await (const event of agent.stream(version, side.jsonRpc, params, headers, signals.signal)) {
          yield reply(op, binding, version, side.resFromJson(event));
        }
        ended = true;
        done();
      } catch (err) {
        ended = true;
        done(err);
        logger.debug({ method: op.name, err: (err as Error).message }, 'stream failed');
        throw toRpcStatus(err);
      } finally {
        // Returned at a yield by the SLIMRPC server (an event could not be delivered, or the call
        // was cancelled meanwhile): the call still ends here, as a failure.
        if (!ended) done(ctx.signal.aborted ? ctx.signal.reason : new Error('the stream was stopped'));
        signals.dispose();
      }
    },
  });

  const definition = (binding: A2aVersion): ServiceDefinition => {
    const methods: Record<string, MethodHandler> = {};
    for (const op of OPS) {
      const side = sideOf(op, binding);
      if (side) methods[side.slim] = op.streaming ? stream(op, binding) : unary(op, binding);
    }
    return { name: SERVICE[binding], methods };
  };

  logger.info({ url: options.url }, 'A2A agent offered on SLIM');
  return {
    services: [definition('1.0'), definition('0.3')],
    close: () => {
      if (!closing.signal.aborted) {
        closing.abort();
        agent.close();
      }
      return Promise.resolve();
    },
  };
}
