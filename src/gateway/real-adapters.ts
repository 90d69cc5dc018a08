// The MCP and A2A adapters behind the GatewayDeps seams (deps.ts): thin shims from the gateway's
// options (a route, a service of the configuration) to the adapters' own option names.
//   - A route's `timeoutMs` is the deadline of each call: the MCP relay's request deadline, the
//     A2A ingress's unary deadline.
//   - A2A `headers:` of a service are added to every HTTP request to the agent (card included),
//     by the agent client (a call's own headers win).
//   - An MCP service's `maxSessions` and `idleTimeoutMs` bound its egress's session table.
//   - Group routes (a member list) pass the multicast client and the per-member unicast factory
//     through unchanged: the adapters present the group as one endpoint.
import { createA2aIngress, createA2aService } from '../adapters/a2a/index.js';
import { createMcpIngress, createMcpService } from '../adapters/mcp/index.js';
import type { BackendSpec, McpIngress, McpService } from '../adapters/mcp/index.js';
import type { McpBackendConfig } from '../config/types.js';
import type { SlimName } from '../slim/dataplane/index.js';
import type { MulticastClient, RpcClient } from '../slim/rpc/index.js';
import type { A2aAdapter, IngressOptions, McpAdapter, McpServiceOptions } from './deps.js';

type AdapterTarget =
  | { target: SlimName; client: RpcClient }
  | { target: SlimName[]; client: MulticastClient; memberClient: (name: SlimName) => RpcClient };

function adapterTarget(o: IngressOptions): AdapterTarget {
  if ('memberClient' in o) return { target: [...o.target], client: o.client, memberClient: o.memberClient };
  return { target: o.target, client: o.client };
}

export function mcpBackendSpec(b: McpBackendConfig): BackendSpec {
  return b.kind === 'stdio'
    ? { kind: 'stdio', command: b.command, args: [...b.args], env: { ...b.env }, cwd: b.cwd }
    : { kind: 'http', url: b.url, headers: { ...b.headers } };
}

/** The MCP ingress of a route (the adapter's own type: tests read its session count). */
export function mcpIngressFor(o: IngressOptions): McpIngress {
  return createMcpIngress({
    ...adapterTarget(o),
    route: o.route,
    logger: o.logger,
    metrics: o.metrics,
    maxBodyBytes: o.maxBodyBytes,
    timeouts: { requestTimeoutMs: o.timeoutMs },
  });
}

/** The MCP egress of a service (the adapter's own type). */
export function mcpServiceFor(o: McpServiceOptions): McpService {
  return createMcpService({
    name: o.name,
    backend: mcpBackendSpec(o.backend),
    logger: o.logger,
    metrics: o.metrics,
    maxSessions: o.sessions.maxSessions,
    idleTimeoutMs: o.sessions.idleTimeoutMs,
    maxSessionsPerCaller: o.sessions.maxSessionsPerCaller,
    abandonedTimeoutMs: o.sessions.abandonedTimeoutMs,
  });
}

export function realMcpAdapter(): McpAdapter {
  return {
    createIngress: mcpIngressFor,
    createService: (o) => {
      const s = mcpServiceFor(o);
      return { service: s.service, close: () => s.close() };
    },
  };
}

export function realA2aAdapter(): A2aAdapter {
  return {
    createIngress: (o) =>
      createA2aIngress({
        ...adapterTarget(o),
        route: o.route,
        logger: o.logger,
        metrics: o.metrics,
        maxBodyBytes: o.maxBodyBytes,
        timeoutMs: o.timeoutMs,
      }),
    createService: (o) => {
      const s = createA2aService({
        name: o.name,
        url: o.url,
        logger: o.logger,
        metrics: o.metrics,
        headers: o.headers,
      });
      return { services: s.services, close: () => s.close() };
    },
  };
}
