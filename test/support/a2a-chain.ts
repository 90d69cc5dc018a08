// The whole A2A path for tests:
//   A2A client -> HTTP (test edge) -> A2A ingress -> SLIMRPC -> A2A service -> HTTP ->
//   @a2a-js/sdk agent (examples/agents/planner-agent.ts), with a pacing hook the test controls.
// SLIMRPC is the in-memory network by default, or the real stack (our node, sessions, MLS) with
// `transport: 'slim'` (test/support/a2a-transport.ts). Everything listens on 127.0.0.1:0 and
// stops in close().
import { parseName } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import type { RpcClient } from '../../src/slim/rpc/types.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import type { A2aIngress, A2aService } from '../../src/adapters/a2a/index.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import type { PlannerAgent, PlannerAgentOptions } from '../../examples/agents/planner-agent.js';
import { startEdge } from './a2a-edge.js';
import { startTransport } from './a2a-transport.js';
import type { A2aTransport, TransportKind } from './a2a-transport.js';
import type { TestEdge } from './a2a-edge.js';

export const AGENT_NAME = parseName('acme/demo/planner');
export const CALLER_NAME = parseName('acme/demo/gateway');
export const ROUTE = '/a2a/planner';

export type Pacing = (taskId: string, index: number, signal: AbortSignal) => Promise<void>;

export interface Chain {
  readonly agent: PlannerAgent;
  readonly transport: A2aTransport;
  readonly service: A2aService;
  readonly ingress: A2aIngress;
  readonly edge: TestEdge;
  readonly metrics: MetricsRegistry;
  /** The local route URL (no trailing slash). */
  readonly url: string;
  /** Replace to pace the agent (default: no pause). */
  pacing: Pacing;
  close(): Promise<void>;
}

export interface ChainOptions {
  /** What carries SLIMRPC (default the in-memory network); a given transport is closed with the chain. */
  readonly transport?: TransportKind | A2aTransport;
  readonly agent?: PlannerAgentOptions;
  /** Which of the service's definitions to register on the SLIM server (default both). */
  readonly register?: 'both' | '1.0' | '0.3';
  /** Wraps the ingress's RPC client (to observe calls). */
  readonly wrapClient?: (client: RpcClient) => RpcClient;
  readonly target?: SlimName;
  /** How long the service reuses the agent's card (default 200 ms). */
  readonly serviceCardTtlMs?: number;
  /** The service's deadline for unary calls to the agent (default: its own). */
  readonly serviceTimeoutMs?: number;
}

/** Waits until `signal` fires (a task held open until cancelled). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const metrics = new MetricsRegistry();
  const chain = { pacing: (() => Promise.resolve()) as Pacing } as { pacing: Pacing };
  const agent = await startPlannerAgent({
    stepDelayMs: 0,
    extendedCard: true,
    pushSender: { send: () => Promise.resolve() },
    beforeEvent: (taskId, index, signal) => chain.pacing(taskId, index, signal),
    ...options.agent,
  });
  const transport =
    typeof options.transport === 'object' ? options.transport : await startTransport(options.transport);
  const server = await transport.server(AGENT_NAME);
  const service = createA2aService({
    name: AGENT_NAME,
    url: agent.url,
    metrics,
    cardTtlMs: options.serviceCardTtlMs ?? 200,
    timeoutMs: options.serviceTimeoutMs,
  });
  const register = options.register ?? 'both';
  for (const def of service.services) {
    const v = def.name === 'lf.a2a.v1.A2AService' ? '1.0' : '0.3';
    if (register === 'both' || register === v) server.register(def);
  }
  const raw = await transport.client(options.target ?? AGENT_NAME, CALLER_NAME);
  const client = options.wrapClient ? options.wrapClient(raw) : raw;
  const ingress = createA2aIngress({
    route: ROUTE,
    target: options.target ?? AGENT_NAME,
    client,
    metrics,
    keepaliveMs: 50,
  });
  const edge = await startEdge({ [ROUTE]: ingress.handler });
  return Object.assign(chain, {
    agent,
    transport,
    service,
    ingress,
    edge,
    metrics,
    url: edge.url(ROUTE),
    close: async () => {
      await edge.close();
      await ingress.close();
      await transport.close();
      await service.close();
      await agent.close();
    },
  });
}
