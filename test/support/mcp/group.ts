// A group route over the in-memory SLIMRPC network, for component tests: each member is our egress
// (createMcpService) on its own RpcServer, the route is createMcpIngress over the network's
// multicast client (plus a unicast client per member), mounted on a real HTTP server. Members can
// be stopped (their server goes away, as a killed gateway would), started again, and added or
// removed through setMembers (what a config reload does).
import { createMcpIngress, createMcpService } from '../../../src/adapters/mcp/index.js';
import type {
  BackendSpec,
  McpIngress,
  McpIngressCommon,
  McpService,
} from '../../../src/adapters/mcp/index.js';
import { parseName } from '../../../src/slim/dataplane/name.js';
import type { SlimName } from '../../../src/slim/dataplane/name.js';
import { MemoryRpcNetwork } from '../memory-rpc.js';
import type { MulticastClient, RpcServer, ServiceDefinition } from '../../../src/slim/rpc/types.js';
import { MetricsRegistry } from '../../../src/util/metrics.js';
import { startEdge } from './http-edge.js';

export const GROUP_ROUTE = '/mcp/group';
export const GATEWAY_NAME = parseName('acme/demo/gateway');

interface Running {
  server: RpcServer;
  service: McpService;
}

export interface McpTestGroup {
  readonly url: string;
  readonly ingress: McpIngress;
  readonly metrics: MetricsRegistry;
  readonly network: MemoryRpcNetwork;
  readonly multicast: MulticastClient;
  /** Serves `name` on the network (again). */
  start(name: string, backend: BackendSpec): void;
  /** Stops serving `name`: its calls fail with UNAVAILABLE, as for a gateway that died. */
  stop(name: string): Promise<void>;
  setMembers(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A member: our egress in front of `backend`, or any SLIMRPC service definition (a fake peer). */
export type GroupMemberSpec =
  { name: string; backend: BackendSpec } | { name: string; service: ServiceDefinition };

export async function startMcpGroup(
  members: readonly GroupMemberSpec[],
  options: Partial<McpIngressCommon> = {},
): Promise<McpTestGroup> {
  const metrics = new MetricsRegistry();
  const network = new MemoryRpcNetwork();
  const running = new Map<string, Running>();
  const start = (name: string, backend: BackendSpec) => {
    const server = network.server(parseName(name));
    const service = createMcpService({ name: parseName(name), backend, metrics });
    server.register(service.service);
    running.set(name, { server, service });
  };
  const stop = async (name: string) => {
    const r = running.get(name);
    running.delete(name);
    if (!r) return;
    await r.server.close(0);
    await r.service.close();
  };
  for (const m of members) {
    if ('backend' in m) start(m.name, m.backend);
    else {
      const server = network.server(parseName(m.name));
      server.register(m.service);
      running.set(m.name, { server, service: { close: () => Promise.resolve() } as unknown as McpService });
    }
  }
  const names: SlimName[] = members.map((m) => parseName(m.name));
  const multicast = network.multicast(names, GATEWAY_NAME);
  const ingress = createMcpIngress({
    route: GROUP_ROUTE,
    target: names,
    client: multicast,
    memberClient: (name) => network.client(name, GATEWAY_NAME),
    metrics,
    timeoutMs: 20_000,
    ...options,
  });
  const edge = await startEdge({ [GROUP_ROUTE]: ingress.handler });
  return {
    url: `${edge.origin}${GROUP_ROUTE}`,
    ingress,
    metrics,
    network,
    multicast,
    start,
    stop,
    setMembers: (list) => ingress.setMembers!(list.map((n) => parseName(n))),
    async close() {
      await ingress.close();
      await edge.close();
      for (const name of [...running.keys()]) await stop(name);
    },
  };
}
