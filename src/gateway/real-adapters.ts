// The MCP and A2A adapters behind the GatewayDeps seams (deps.ts): thin shims from a route's
// options to the adapters' own option names (services take the adapters' options as they are).
//   - A route's `timeoutMs` is the deadline of each call: the MCP relay's request deadline, the
//     A2A ingress's unary deadline.
//   - A2A `headers:` of a service are added to every HTTP request to the agent (card included),
//     by the agent client (a call's own headers win).
//   - An MCP service's `maxSessions` and `idleTimeoutMs` bound its egress's session table.
//   - Group routes (a member list) pass the multicast client and the per-member unicast factory
//     through unchanged: the adapters present the group as one endpoint.
// Each adapter is imported when the first route or service of its protocol is created (start or
// reload), not with the gateway: a gateway without A2A (or without MCP) never loads that adapter
// and its libraries (BENCHMARKS.md, "Idle memory").
import type { IngressTarget } from '../adapters/ingress-target.js';
import type { McpIngress } from '../adapters/mcp/index.js';
import type { A2aAdapter, IngressOptions, McpAdapter, McpIngressOptions } from './deps.js';

/** The target fields of a route's options (the member list copied). */
function adapterTarget(o: IngressOptions): IngressTarget {
  if ('memberClient' in o) return { target: [...o.target], client: o.client, memberClient: o.memberClient };
  return { target: o.target, client: o.client };
}

const loadMcp = () => import('../adapters/mcp/index.js');
const loadA2a = () => import('../adapters/a2a/index.js');

/** The MCP ingress of a route (the adapter's own type: tests read its session count). */
export async function mcpIngressFor(o: McpIngressOptions): Promise<McpIngress> {
  const { createMcpIngress } = await loadMcp();
  return createMcpIngress({
    ...adapterTarget(o),
    route: o.route,
    logger: o.logger,
    metrics: o.metrics,
    ...(o.calls ? { calls: o.calls } : {}),
    maxBodyBytes: o.maxBodyBytes,
    timeouts: { requestTimeoutMs: o.timeoutMs },
    ...(o.tools ? { tools: o.tools } : {}),
  });
}

export function realMcpAdapter(): McpAdapter {
  return {
    createIngress: mcpIngressFor,
    createService: async (o) => {
      const { createMcpService } = await loadMcp();
      const s = createMcpService(o);
      return { service: s.service, close: () => s.close() };
    },
  };
}

export function realA2aAdapter(): A2aAdapter {
  return {
    createIngress: async (o) => {
      const { createA2aIngress } = await loadA2a();
      return createA2aIngress({
        ...adapterTarget(o),
        route: o.route,
        logger: o.logger,
        metrics: o.metrics,
        ...(o.calls ? { calls: o.calls } : {}),
        maxBodyBytes: o.maxBodyBytes,
        timeoutMs: o.timeoutMs,
      });
    },
    createService: async (o) => {
      const { createA2aService } = await loadA2a();
      const s = createA2aService(o);
      return { services: s.services, close: () => s.close() };
    },
  };
}
