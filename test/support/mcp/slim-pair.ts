// The MCP pair over real SLIM, for end-to-end tests: two whole gateways on the production deps,
// configured from YAML. The server side runs our SLIM node (embedded, on a free port) and offers the
// MCP server as acme/demo/mcp-test; the client side attaches to that node over gRPC (or both attach
// to `nodeUrl`, e.g. a reference node) and serves the route /mcp/test. MLS is on. So every call
// goes: HTTP -> ingress -> SLIMRPC channel -> gRPC link -> node -> link -> SLIMRPC server ->
// egress -> the MCP server.
import type { Logger } from 'pino';
import type { BackendSpec } from '../../../src/adapters/mcp/index.js';
import { formatName } from '../../../src/slim/dataplane/name.js';
import { SHARED_SECRET, startRealGateway } from '../real-gateway.js';
import type { RealGateway } from '../real-gateway.js';
import { ROUTE, SERVICE_NAME } from './gateway.js';
import type { McpPair } from './gateway.js';

export interface SlimPairOptions {
  /** Attach both gateways to this node instead of the server side's embedded one. */
  readonly nodeUrl?: string;
  readonly mls?: boolean;
  /** Extra `http:` settings of the client side, as YAML flow entries (e.g. "maxBodyBytes: 10000"). */
  readonly clientHttp?: string;
  /** Record what every app link hands to the node (RealGateway.taps). */
  readonly tap?: boolean;
  /** The identity of each side as YAML flow entries (default: the shared secret). */
  readonly identity?: (side: 'client' | 'server') => string;
  /** Loggers of the two gateways (default: silent). */
  readonly loggers?: { client?: Logger; server?: Logger };
}

export interface SlimPair extends McpPair {
  readonly client: RealGateway;
  readonly server: RealGateway;
}

/** The backend as a `services[].mcp` value (JSON is YAML). */
export function backendYaml(backend: BackendSpec): string {
  return JSON.stringify(
    backend.kind === 'stdio'
      ? {
          command: backend.command,
          args: backend.args,
          ...(backend.env ? { env: backend.env } : {}),
          ...(backend.cwd ? { cwd: backend.cwd } : {}),
        }
      : { url: backend.url, ...(backend.headers ? { headers: backend.headers } : {}) },
  );
}

export async function startSlimPair(backend: BackendSpec, options: SlimPairOptions = {}): Promise<SlimPair> {
  const mls = options.mls ?? true;
  const identity = options.identity ?? (() => `sharedSecret: ${SHARED_SECRET}`);
  const slim = (name: string, node: string, side: 'client' | 'server') =>
    `slim: { ${node}, name: ${name}, ${identity(side)}, mls: ${mls} }`;
  const server = await startRealGateway(
    `${slim(
      'acme/demo/server-gateway',
      options.nodeUrl ? `node: "${options.nodeUrl}"` : 'node: embedded, listen: "127.0.0.1:0"',
      'server',
    )}
http: { listen: "127.0.0.1:0" }
services:
  - name: ${formatName(SERVICE_NAME)}
    mcp: ${backendYaml(backend)}
`,
    {
      label: 'server',
      tap: options.tap ?? false,
      ...(options.loggers?.server ? { logger: options.loggers.server } : {}),
    },
  );
  try {
    const nodeUrl = options.nodeUrl ?? server.nodeUrl!;
    const client = await startRealGateway(
      `${slim('acme/demo/gateway', `node: "${nodeUrl}"`, 'client')}
http: { listen: "127.0.0.1:0"${options.clientHttp ? `, ${options.clientHttp}` : ''} }
routes:
  - { path: ${ROUTE}, mcp: ${formatName(SERVICE_NAME)} }
`,
      {
        label: 'client',
        tap: options.tap ?? false,
        ...(options.loggers?.client ? { logger: options.loggers.client } : {}),
      },
    );
    return {
      client,
      server,
      url: `${client.url}${ROUTE}`,
      origin: client.url,
      ingress: { sessionCount: () => client.mcpIngresses.reduce((n, i) => n + i.sessionCount(), 0) },
      service: { sessionCount: () => server.mcpServices.reduce((n, s) => n + s.sessionCount(), 0) },
      metrics: {
        render: async () => (await client.gw.metrics.render()) + (await server.gw.metrics.render()),
      },
      async close() {
        await client.close();
        await server.close();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
