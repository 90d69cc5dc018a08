// One service offered on SLIM (DESIGN.md, "Next to an MCP server"): optionally its own process
// (spawn), the adapter that turns the local server into SLIMRPC service definitions, and a SLIM app
// under the service's name with an RPC server that serves them. Started as one unit, closed as one
// unit (RPC server first, so in-flight calls finish within the grace period, then the adapter,
// the app, the link and the process).
import type { BackendSpec } from '../adapters/mcp/index.js';
import type { IdentityConfig, McpBackendConfig, ServiceConfig } from '../config/types.js';
import type { Link } from '../slim/dataplane/link.js';
import { formatName } from '../slim/dataplane/name.js';
import type { ServiceDefinition } from '../slim/rpc/types.js';
import { combineSignals } from '../util/abort.js';
import { GatewayError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { MetricsRegistry } from '../util/metrics.js';
import type { CallObserver } from '../telemetry/index.js';
import { Closer } from './closer.js';
import type { AppHandle, GatewayDeps, NodeEndpoint, NodeHandle } from './deps.js';
import { portAnswers, startProcess, waitForPort } from './spawn.js';
import type { Unit } from './supervisor.js';

export interface UnitEnv<N extends NodeHandle, A extends AppHandle> {
  readonly deps: GatewayDeps<N, A>;
  readonly endpoint: NodeEndpoint<N>;
  readonly identity: IdentityConfig;
  readonly mls: boolean;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly calls?: CallObserver;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
}

export interface RunningService extends Unit {
  readonly link: Link;
  readonly app: AppHandle;
  /** The fully-qualified SLIMRPC service names it serves. */
  readonly serviceNames: readonly string[];
}

/** A one-line description of the backend and its access rules, for the startup summary and `check`. */
export function describeBackend(svc: ServiceConfig): string {
  const spawned = svc.spawn ? ` (spawned: ${[svc.spawn.command, ...svc.spawn.args].join(' ')})` : '';
  const allow = svc.allow ? `; callers: ${svc.allow.join(', ')}` : '';
  if (svc.kind === 'a2a') return `A2A agent ${svc.url}${spawned}${allow}`;
  const b = svc.backend;
  const t = svc.tools;
  const tools = t
    ? `; tools: ${[t.allow ? `allow ${t.allow.join(', ')}` : '', t.deny ? `deny ${t.deny.join(', ')}` : ''].filter(Boolean).join('; ')}`
    : '';
  return b.kind === 'stdio'
    ? `MCP stdio server: ${[b.command, ...b.args].join(' ')}${allow}${tools}`
    : `MCP Streamable HTTP server ${b.url}${spawned}${allow}${tools}`;
}

/** The MCP adapter's backend for a configured one (copies: the adapter keeps what it is given). */
function backendSpec(b: McpBackendConfig): BackendSpec {
  return b.kind === 'stdio'
    ? { kind: 'stdio', command: b.command, args: [...b.args], env: { ...b.env }, cwd: b.cwd }
    : { kind: 'http', url: b.url, headers: { ...b.headers } };
}

export async function startService<N extends NodeHandle, A extends AppHandle>(
  svc: ServiceConfig,
  env: UnitEnv<N, A>,
  signal: AbortSignal,
  reportFailure: (err: unknown) => void,
): Promise<RunningService> {
  const name = formatName(svc.name);
  const logger = env.logger.child({ service: name });
  const ctx = { logger, metrics: env.metrics, ...(env.calls ? { calls: env.calls } : {}) };
  let closeGraceMs = 0;
  // Until the unit is up, a spawned process that dies fails this attempt at once; afterwards its
  // death is reported to the supervisor, which restarts the unit.
  let up = false;
  const parts = new Closer(logger, () => closeGraceMs + 5_000);
  try {
    const died = new AbortController();
    if (svc.spawn) {
      const url = svc.kind === 'a2a' ? svc.url : (svc.backend as { url: string }).url;
      // Something already answering there is not our process: it would fail to bind, and waiting
      // for the port would mistake the other program for it.
      if (await portAnswers(url, signal))
        throw new GatewayError(
          'UNAVAILABLE',
          `${new URL(url).host} already accepts connections before ${svc.spawn.command} is started: ` +
            `another program uses that port (stop it, or give this service another port)`,
        );
      const proc = startProcess(svc.spawn, {
        logger: logger.child({ part: 'process' }),
        baseEnv: env.baseEnv,
        onExit: (err) => (up ? reportFailure(err) : died.abort(err)),
      });
      parts.add('process', () => proc.stop(Math.max(closeGraceMs, 2_000)));
      const waiting = combineSignals([signal, died.signal]);
      try {
        await waitForPort(url, waiting.signal);
      } finally {
        waiting.dispose();
      }
    }

    let definitions: readonly ServiceDefinition[];
    if (svc.kind === 'mcp') {
      const h = await env.deps.mcp.createService({
        ...ctx,
        logger: logger.child({ part: 'mcp-adapter' }),
        name: svc.name,
        backend: backendSpec(svc.backend),
        maxSessions: svc.sessions.maxSessions,
        idleTimeoutMs: svc.sessions.idleTimeoutMs,
        forwardAuthorization: svc.forwardAuthorization,
        ...(svc.tools ? { tools: svc.tools } : {}),
        maxSessionsPerCaller: svc.sessions.maxSessionsPerCaller,
        abandonedTimeoutMs: svc.sessions.abandonedTimeoutMs,
      });
      parts.add('mcp adapter', () => h.close());
      definitions = [h.service];
    } else {
      const h = await env.deps.a2a.createService({
        ...ctx,
        logger: logger.child({ part: 'a2a-adapter' }),
        name: svc.name,
        url: svc.url,
        headers: svc.headers,
        forwardAuthorization: svc.forwardAuthorization,
      });
      parts.add('a2a adapter', () => h.close());
      definitions = h.services;
    }

    const link = await env.deps.connectLink({
      ...ctx,
      endpoint: env.endpoint,
      timeoutMs: env.connectTimeoutMs,
      signal,
    });
    parts.add('link', () => link.close());
    const app = await env.deps.createApp({
      ...ctx,
      link,
      name: svc.name,
      identity: env.identity,
      mls: env.mls,
      signal,
      ...(svc.allow ? { allow: svc.allow } : {}),
    });
    parts.add('app', () => app.close());
    const server = env.deps.createRpcServer(app, { ...ctx, ...(svc.allow ? { allow: svc.allow } : {}) });
    for (const def of definitions) server.register(def);
    parts.add('rpc server', () => server.close(closeGraceMs));
    logger.info(
      { app: formatName(app.name), rpc: definitions.map((d) => d.name) },
      'service offered on SLIM',
    );
    // The process may have died while the rest was starting.
    if (died.signal.aborted) throw died.signal.reason as Error;
    up = true;

    return {
      link,
      app,
      serviceNames: definitions.map((d) => d.name),
      close: async (graceMs) => {
        closeGraceMs = graceMs;
        await parts.closeAll();
      },
    };
  } catch (err) {
    await parts.closeAll();
    throw err;
  }
}
