// `slim-gateway stdio`: one MCP route spoken over stdin/stdout, for MCP clients that launch their
// servers as commands (DESIGN.md, "Next to an MCP client"). It is a client only: it attaches to the
// SLIM node (with `node: embedded`, to the node a `run` gateway serves on slim.listen), opens the
// route's channel or group, and hands stdin/stdout to the MCP ingress. It fails fast with a clear
// error rather than retrying: the client that launched it shows stderr to its user.
import type { GatewayConfig } from '../config/types.js';
import { formatHostPort } from '../config/host-port.js';
import { combineSignals } from '../util/abort.js';
import { GatewayError } from '../util/errors.js';
import { childLogger } from '../util/log.js';
import type { Logger } from '../util/log.js';
import { MetricsRegistry } from '../util/metrics.js';
import type { Readable, Writable } from 'node:stream';
import { Closer } from './closer.js';
import type { AppHandle, GatewayDeps, NodeEndpoint, NodeHandle } from './deps.js';
import { startRoute } from './route-unit.js';
import { startTelemetry } from './telemetry.js';

export interface StdioOptions {
  readonly logger: Logger;
  readonly input: Readable;
  readonly output: Writable;
  /** Fires on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** The MCP route at `path`, or a CONFIG error naming the MCP routes there are. */
export function findMcpRoute(config: GatewayConfig, path: string) {
  const route = config.routes.find((r) => r.path === path);
  if (route?.protocol === 'mcp') return route;
  const mcp = config.routes.filter((r) => r.protocol === 'mcp').map((r) => r.path);
  const known = mcp.length > 0 ? `MCP routes in this file: ${mcp.join(', ')}` : 'this file has no MCP route';
  throw new GatewayError(
    'CONFIG',
    route ? `route ${path} is an A2A route; stdio speaks MCP (${known})` : `no route ${path} (${known})`,
  );
}

export async function runStdio<N extends NodeHandle, A extends AppHandle>(
  config: GatewayConfig,
  path: string,
  deps: GatewayDeps<N, A>,
  options: StdioOptions,
): Promise<void> {
  const route = findMcpRoute(config, path);
  const log = options.logger;
  const metrics = new MetricsRegistry();
  const ctx = (c: string) => ({ logger: childLogger(log, c), metrics });
  const { node, nodeAuth } = config.slim;
  // The embedded node belongs to a `run` gateway; this process attaches to its listener like any
  // client: https:// when it serves TLS (slim.tls says whom to trust), with slim.nodeAuth if set.
  const url =
    node.kind === 'embedded'
      ? `${node.server.tls ? 'https' : 'http'}://${formatHostPort(node.listen)}`
      : node.url;
  const endpoint: NodeEndpoint<N> = {
    kind: 'remote',
    url,
    ...(node.tls ? { tls: node.tls } : {}),
    ...(nodeAuth ? { auth: nodeAuth } : {}),
  };
  const parts = new Closer(log, 5_000);
  const setup = combineSignals([options.signal], config.slim.connectTimeoutMs);
  const telemetry = await startTelemetry(config, log);
  try {
    const link = await deps.connectLink({
      ...ctx('link'),
      endpoint,
      timeoutMs: config.slim.connectTimeoutMs,
      signal: setup.signal,
    });
    parts.add('link', () => link.close());
    const app = await deps.createApp({
      ...ctx('app'),
      link,
      name: config.slim.name,
      identity: config.slim.identity,
      mls: config.slim.mls,
      signal: setup.signal,
    });
    parts.add('app', () => app.close());
    const unit = await startRoute(
      route,
      {
        deps,
        app,
        maxBodyBytes: config.http.maxBodyBytes,
        ...ctx('route'),
        calls: telemetry.calls,
      },
      setup.signal,
    );
    parts.add('route', () => unit.close(0));
    setup.dispose();
    log.info(
      { route: route.path, endpoint: endpoint.kind === 'remote' ? endpoint.url : 'embedded' },
      'serving MCP on stdio',
    );
    await unit.mcp!.serveStdio(options.input, options.output, options.signal);
  } finally {
    setup.dispose();
    await parts.closeAll();
    await telemetry.tracing?.shutdown();
  }
}
