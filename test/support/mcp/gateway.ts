// Two gateways' worth of MCP adapter joined by the in-memory SLIMRPC network, for component tests:
// egress (createMcpService on an RpcServer under the service's SLIM name) and ingress
// (createMcpIngress over an RpcClient), with the ingress mounted on a real HTTP server.
import { join } from 'node:path';
import { createMcpIngress, createMcpService } from '../../../src/adapters/mcp/index.js';
import type {
  BackendSpec,
  McpIngress,
  McpIngressCommon,
  McpService,
} from '../../../src/adapters/mcp/index.js';
import { parseName } from '../../../src/slim/dataplane/name.js';
import { MemoryRpcNetwork } from '../memory-rpc.js';
import { MetricsRegistry } from '../../../src/util/metrics.js';
import { REPO_ROOT } from '../paths.js';
import { startEdge } from './http-edge.js';

export const ROUTE = '/mcp/test';
export const SERVICE_NAME = parseName('acme/demo/mcp-test');
export const CALLER_NAME = parseName('acme/demo/gateway');

/**
 * A client-side ingress and a server-side service with a route between them, however they are
 * joined (in-memory SLIMRPC here; real SLIM in slim-pair.ts): what the shared scenarios need.
 */
export interface McpPair {
  /** The MCP endpoint of the route, e.g. http://127.0.0.1:<port>/mcp/test */
  readonly url: string;
  readonly origin: string;
  readonly ingress: { sessionCount(): number };
  readonly service: { sessionCount(): number };
  /** Prometheus text of both sides. */
  readonly metrics: { render(): Promise<string> };
  close(): Promise<void>;
}

/** Starts a pair in front of an MCP server. */
export type StartPair = (backend: BackendSpec) => Promise<McpPair>;

export interface McpTestGateway extends McpPair {
  /** The MCP endpoint: http://127.0.0.1:<port>/mcp/test */
  readonly url: string;
  readonly origin: string;
  readonly ingress: McpIngress;
  readonly service: McpService;
  readonly metrics: MetricsRegistry;
  readonly network: MemoryRpcNetwork;
  close(): Promise<void>;
}

export async function startGateway(
  backend: BackendSpec,
  ingressOptions: Partial<McpIngressCommon> = {},
  serviceOptions: {
    maxSessions?: number;
    idleTimeoutMs?: number;
    maxSessionsPerCaller?: number;
    abandonedTimeoutMs?: number;
  } = {},
): Promise<McpTestGateway> {
  const metrics = new MetricsRegistry();
  const network = new MemoryRpcNetwork();
  const server = network.server(SERVICE_NAME);
  const service = createMcpService({ name: SERVICE_NAME, backend, metrics, ...serviceOptions });
  server.register(service.service);
  const client = network.client(SERVICE_NAME, CALLER_NAME);
  const ingress = createMcpIngress({
    route: ROUTE,
    target: SERVICE_NAME,
    client,
    metrics,
    ...ingressOptions,
  });
  const edge = await startEdge({ [ROUTE]: ingress.handler });
  return {
    url: `${edge.origin}${ROUTE}`,
    origin: edge.origin,
    ingress,
    service,
    metrics,
    network,
    async close() {
      await ingress.close();
      await edge.close();
      await server.close(0);
      await service.close();
    },
  };
}

/** server-everything over stdio, as a service backend. */
export function everythingBackend(): BackendSpec {
  const entry = join(
    REPO_ROOT,
    'node_modules',
    '@modelcontextprotocol',
    'server-everything',
    'dist',
    'index.js',
  );
  return { kind: 'stdio', command: process.execPath, args: [entry, 'stdio'] };
}

/** Our test server over stdio (compiled fixture). */
export function testStdioBackend(): BackendSpec {
  return {
    kind: 'stdio',
    command: process.execPath,
    args: [join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js')],
  };
}
