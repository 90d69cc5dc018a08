// A group route of A2A agents over the in-memory SLIMRPC network, for component tests: each agent
// is the example planner (@a2a-js/sdk) behind our A2A service on its own RpcServer; the route is
// createA2aIngress over the network's multicast client (plus a unicast client per agent), on a
// real HTTP server. Agents can be stopped (their SLIM service goes away) and the membership
// changed through setMembers (what a config reload does).
import { createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import type { A2aIngress, A2aService } from '../../src/adapters/a2a/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MemoryRpcNetwork } from './memory-rpc.js';
import type { MulticastClient, RpcServer } from '../../src/slim/rpc/types.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import type { PlannerAgent, PlannerAgentOptions } from '../../examples/agents/planner-agent.js';
import { startEdge } from './a2a-edge.js';

export const A2A_GROUP_ROUTE = '/a2a/team';
const GATEWAY = parseName('acme/demo/gateway');

export interface A2aTestGroup {
  /** The route URL (no trailing slash). */
  readonly url: string;
  readonly ingress: A2aIngress;
  readonly multicast: MulticastClient;
  readonly metrics: MetricsRegistry;
  /** Stops an agent's SLIM service (as if its gateway died). */
  stop(name: string): Promise<void>;
  setMembers(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startA2aGroup(
  names: readonly string[],
  agentOptions: (name: string) => PlannerAgentOptions = () => ({}),
  options: { timeoutMs?: number; versions?: (name: string) => 'both' | '1.0' | '0.3' } = {},
): Promise<A2aTestGroup> {
  const metrics = new MetricsRegistry();
  const net = new MemoryRpcNetwork();
  const running = new Map<string, { agent: PlannerAgent; server: RpcServer; service: A2aService }>();
  for (const name of names) {
    const agent = await startPlannerAgent({ stepDelayMs: 0, ...agentOptions(name) });
    const server = net.server(parseName(name));
    const service = createA2aService({ name: parseName(name), url: agent.url, metrics, cardTtlMs: 200 });
    const register = options.versions?.(name) ?? 'both';
    for (const def of service.services) {
      const v = def.name === 'lf.a2a.v1.A2AService' ? '1.0' : '0.3';
      if (register === 'both' || register === v) server.register(def);
    }
    running.set(name, { agent, server, service });
  }
  const members = names.map((n) => parseName(n));
  const multicast = net.multicast(members, GATEWAY);
  const ingress = createA2aIngress({
    route: A2A_GROUP_ROUTE,
    target: members,
    client: multicast,
    memberClient: (name) => net.client(name, GATEWAY),
    metrics,
    keepaliveMs: 50,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const edge = await startEdge({ [A2A_GROUP_ROUTE]: ingress.handler });
  const stop = async (name: string) => {
    const r = running.get(name);
    if (!r) return;
    await r.server.close();
    await r.service.close();
  };
  return {
    url: edge.url(A2A_GROUP_ROUTE),
    ingress,
    multicast,
    metrics,
    stop,
    setMembers: (list) => ingress.setMembers!(list.map((n) => parseName(n))),
    async close() {
      await edge.close();
      await ingress.close();
      for (const [name, r] of running) {
        await stop(name);
        await r.agent.close();
      }
    },
  };
}
