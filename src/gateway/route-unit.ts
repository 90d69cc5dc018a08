// One local route (DESIGN.md, Local endpoints): an RPC client from the gateway's own SLIM app to
// the route's target (a channel to one name, or a multicast group), and the protocol's ingress
// adapter that serves HTTP (and, for MCP, stdio) on top of it. The HTTP edge mounts a stable
// handler per path (routeHandler) that forwards to whichever unit is running, or answers 503 with
// the reason while none is.
import type { A2aIngress } from '../adapters/a2a/index.js';
import type { IngressTarget } from '../adapters/ingress-target.js';
import type { McpIngress } from '../adapters/mcp/index.js';
import type { RouteConfig } from '../config/types.js';
import { sameValue } from '../config/diff.js';
import { formatName } from '../slim/dataplane/name.js';
import type { SlimName } from '../slim/dataplane/name.js';
import { GatewayError } from '../util/errors.js';
import { sendJson } from '../util/http.js';
import type { HttpHandler } from '../util/http.js';
import type { Logger } from '../util/log.js';
import type { MetricsRegistry } from '../util/metrics.js';
import type { CallObserver } from '../telemetry/index.js';
import { Closer } from './closer.js';
import type { AppHandle, GatewayDeps, NodeHandle } from './deps.js';
import type { Supervisor, Unit } from './supervisor.js';

export interface RouteEnv<N extends NodeHandle, A extends AppHandle> {
  readonly deps: GatewayDeps<N, A>;
  readonly app: A;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly calls?: CallObserver;
}

export interface RunningRoute extends Unit {
  readonly handler: HttpHandler;
  /** Set for MCP routes (the `stdio` command serves it). */
  readonly mcp?: McpIngress;
  /** Set for group routes whose ingress can change members in place. */
  readonly setMembers?: (members: readonly SlimName[]) => Promise<void>;
}

/** True when a reload changes only the members of a group route (applied in place). */
export function onlyMembersChanged(before: RouteConfig, after: RouteConfig): boolean {
  return (
    before.target.kind === 'group' &&
    after.target.kind === 'group' &&
    before.protocol === after.protocol &&
    before.path === after.path &&
    before.timeoutMs === after.timeoutMs &&
    before.description === after.description &&
    sameValue(before.tools, after.tools)
  );
}

export function describeTarget(route: RouteConfig): string {
  return route.target.kind === 'one'
    ? formatName(route.target.name)
    : `group [${route.target.members.map(formatName).join(', ')}]`;
}

export async function startRoute<N extends NodeHandle, A extends AppHandle>(
  route: RouteConfig,
  env: RouteEnv<N, A>,
  signal: AbortSignal,
): Promise<RunningRoute> {
  const logger = env.logger.child({ route: route.path });
  const ctx = { logger, metrics: env.metrics, ...(env.calls ? { calls: env.calls } : {}) };
  const parts = new Closer(logger, 5_000);
  try {
    let target: IngressTarget;
    if (route.target.kind === 'one') {
      const client = env.deps.createRpcClient(env.app, route.target.name, ctx);
      parts.add('rpc client', () => client.close());
      target = { target: route.target.name, client };
    } else {
      const client = await env.deps.createMulticast(env.app, route.target.members, { ...ctx, signal });
      parts.add('multicast client', () => client.close());
      const memberClient = (name: SlimName) => env.deps.createRpcClient(env.app, name, ctx);
      target = { target: route.target.members, client, memberClient };
    }
    const options = {
      ...ctx,
      ...target,
      route: route.path,
      timeoutMs: route.timeoutMs,
      maxBodyBytes: env.maxBodyBytes,
    };
    let ingress: McpIngress | A2aIngress;
    if (route.protocol === 'mcp')
      ingress = await env.deps.mcp.createIngress({
        ...options,
        ...(route.tools ? { tools: route.tools } : {}),
      });
    else ingress = await env.deps.a2a.createIngress(options);
    parts.add('ingress', () => ingress.close());
    const setMembers = ingress.setMembers?.bind(ingress);
    return {
      handler: ingress.handler,
      ...(route.protocol === 'mcp' ? { mcp: ingress as McpIngress } : {}),
      ...(setMembers ? { setMembers } : {}),
      // The edge has drained HTTP calls before routes close, so grace is not needed here.
      close: () => parts.closeAll(),
    };
  } catch (err) {
    await parts.closeAll();
    throw err;
  }
}

/** The handler mounted for a route: forwards to the running unit, or 503 with the reason. */
export function routeHandler(path: string, current: () => Supervisor<RunningRoute> | undefined): HttpHandler {
  return async (req, res, ctx) => {
    const sup = current();
    const unit = sup?.value;
    if (!unit) {
      req.resume();
      const why = sup?.lastError ? `: ${sup.lastError}` : '';
      return sendJson(
        res,
        503,
        { error: { code: 'UNAVAILABLE', message: `route ${path} is not ready${why}` } },
        { 'retry-after': '1' },
      );
    }
    if (ctx.signal.aborted) throw new GatewayError('CANCELLED', 'request aborted');
    await unit.handler(req, res, ctx);
  };
}
