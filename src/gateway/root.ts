// The composition root's implementation (see src/gateway.ts for the contract): owns the node, the
// gateway's own SLIM app, the HTTP edge, and one supervised unit per service and per route;
// applies reloads; shuts down in order. Everything it builds comes from the injected GatewayDeps.
import { diffConfigs } from '../config/diff.js';
import type { ConfigDiff } from '../config/diff.js';
import { formatHostPort } from '../config/host-port.js';
import type { GatewayConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import { closeWithin } from './closer.js';
import type { AppHandle, GatewayDeps, NodeEndpoint, NodeHandle } from './deps.js';
import { onlyMembersChanged, routeHandler, startRoute } from './route-unit.js';
import type { RunningRoute } from './route-unit.js';
import { startService } from './service-unit.js';
import type { RunningService, UnitEnv } from './service-unit.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { buildSummary } from './summary.js';
import type { GatewaySummary } from './summary.js';
import { Supervisor } from './supervisor.js';
import { HttpEdge } from '../http/edge.js';
import type { Readiness } from '../http/edge.js';
import type { Link } from '../slim/dataplane/link.js';
import { formatName } from '../slim/dataplane/name.js';
import { combineSignals } from '../util/abort.js';
import { childLogger } from '../util/log.js';
import type { Logger } from '../util/log.js';
import { MetricsRegistry } from '../util/metrics.js';
import type { Gateway, GatewayOptions } from './types.js';

interface Managed<C, U extends RunningRoute | RunningService> {
  config: C;
  sup: Supervisor<U>;
}

export class GatewayImpl<N extends NodeHandle, A extends AppHandle> implements Gateway {
  config: GatewayConfig;
  readonly metrics: MetricsRegistry;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private node: N | undefined;
  private edge: HttpEdge | undefined;
  private link: Link | undefined;
  private app: A | undefined;
  private readonly routes = new Map<string, Managed<RouteConfig, RunningRoute>>();
  private readonly services = new Map<string, Managed<ServiceConfig, RunningService>>();
  private reloads: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.markClosed = r));

  constructor(
    initial: GatewayConfig,
    private readonly deps: GatewayDeps<N, A>,
    private readonly options: GatewayOptions,
  ) {
    this.config = initial;
    this.log = childLogger(options.logger, 'gateway');
    this.metrics = options.metrics ?? new MetricsRegistry();
    registerGatewayMetrics(this.metrics, {
      services: () => [...this.services.values()].map((m) => m.sup.state),
      routes: () => [...this.routes.values()].map((m) => m.sup.state),
      connected: () => this.link?.state === 'ready',
    });
  }

  get url(): string {
    return this.edge?.url ?? `http://${formatHostPort(this.config.http.listen)}`;
  }

  async start(): Promise<void> {
    const { slim, http } = this.config;
    const ctx = (component: string) => ({
      logger: childLogger(this.options.logger, component),
      metrics: this.metrics,
    });
    const deadline = () => combineSignals([this.stopping.signal], slim.connectTimeoutMs);

    if (slim.node.kind === 'embedded') {
      const d = deadline();
      try {
        this.node = await this.deps.startNode({ ...ctx('node'), listen: slim.node.listen, signal: d.signal });
      } finally {
        d.dispose();
      }
      this.log.info({ address: this.node.address }, 'embedded SLIM node listening');
    }

    this.edge = new HttpEdge({
      ...http,
      access: http,
      readiness: () => this.readiness(),
      metrics: this.metrics,
      logger: childLogger(this.options.logger, 'http'),
    });
    await this.edge.start();

    const d = deadline();
    try {
      this.link = await this.deps.connectLink({
        ...ctx('link'),
        endpoint: this.endpoint(),
        timeoutMs: slim.connectTimeoutMs,
        signal: d.signal,
      });
      this.app = await this.deps.createApp({
        ...ctx('app'),
        link: this.link,
        name: slim.name,
        sharedSecret: slim.sharedSecret,
        mls: slim.mls,
        signal: d.signal,
      });
    } finally {
      d.dispose();
    }
    this.log.info({ name: formatName(this.app.name) }, 'connected to the SLIM node');

    for (const r of this.config.routes) this.addRoute(r);
    for (const s of this.config.services) this.addService(s);
    await this.settled();
  }

  private endpoint(): NodeEndpoint<N> {
    const node = this.config.slim.node;
    if (node.kind === 'embedded') return { kind: 'embedded', node: this.node! };
    return { kind: 'remote', url: node.url, ...(node.tls ? { tls: node.tls } : {}) };
  }

  /** Waits for the first start attempt of every unit (each bounded by its own deadline). */
  private async settled(): Promise<void> {
    await Promise.all([...this.routes.values(), ...this.services.values()].map((m) => m.sup.firstAttempt));
  }

  private unitEnv(): UnitEnv<N, A> {
    const { slim } = this.config;
    return {
      deps: this.deps,
      endpoint: this.endpoint(),
      sharedSecret: slim.sharedSecret,
      mls: slim.mls,
      connectTimeoutMs: slim.connectTimeoutMs,
      logger: childLogger(this.options.logger, 'service'),
      metrics: this.metrics,
      baseEnv: this.options.processEnv ?? {},
    };
  }

  private supervise<U extends RunningRoute | RunningService>(
    label: string,
    attemptTimeoutMs: number,
    start: (signal: AbortSignal, fail: (err: unknown) => void) => Promise<U>,
  ): Supervisor<U> {
    return new Supervisor(label, start, { logger: this.log, attemptTimeoutMs }).start();
  }

  private addRoute(route: RouteConfig): void {
    const env = {
      deps: this.deps,
      app: this.app!,
      mls: this.config.slim.mls,
      maxBodyBytes: this.config.http.maxBodyBytes,
      logger: childLogger(this.options.logger, 'route'),
      metrics: this.metrics,
    };
    // A restart uses the route's current configuration (group members may change in place).
    const current = { config: route };
    const sup = this.supervise(`route ${route.path}`, this.config.slim.connectTimeoutMs, (signal) =>
      startRoute(current.config, env, signal),
    );
    this.routes.set(route.path, Object.assign(current, { sup }));
    this.edge!.mount(
      route.path,
      routeHandler(route.path, () => this.routes.get(route.path)?.sup),
    );
  }

  private addService(svc: ServiceConfig): void {
    const env = this.unitEnv();
    // A spawned process gets its readiness deadline on top of the connect deadline.
    const timeoutMs = this.config.slim.connectTimeoutMs + (svc.spawn?.readyTimeoutMs ?? 0);
    const sup = this.supervise(`service ${formatName(svc.name)}`, timeoutMs, (signal, fail) =>
      startService(svc, env, signal, fail),
    );
    this.services.set(formatName(svc.name), { config: svc, sup });
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    if (this.closing) reasons.push('the gateway is shutting down');
    if (!this.link) reasons.push('not connected to the SLIM node yet');
    else if (this.link.state !== 'ready')
      reasons.push(`not connected to the SLIM node (link ${this.link.state})`);
    for (const [name, { sup }] of this.services) {
      if (sup.state !== 'up')
        reasons.push(`service ${name} ${sup.state}${sup.lastError ? `: ${sup.lastError}` : ''}`);
      else if (sup.value && sup.value.link.state !== 'ready')
        reasons.push(`service ${name}: not connected to the SLIM node (link ${sup.value.link.state})`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  summary(): GatewaySummary {
    return buildSummary({
      config: this.config,
      ...(this.node ? { nodeAddress: this.node.address } : {}),
      ...(this.app ? { appName: this.app.name } : {}),
      url: this.url,
      routes: [...this.routes.values()],
      services: [...this.services.values()],
    });
  }

  reload(next: GatewayConfig): Promise<ConfigDiff> {
    const run = this.reloads.then(() => this.applyReload(next));
    this.reloads = run.catch(() => {});
    return run;
  }

  private async applyReload(next: GatewayConfig): Promise<ConfigDiff> {
    const reloads = this.metrics.counter(
      'slim_gateway_config_reloads_total',
      'Configuration reloads, by result',
    );
    const before = this.config;
    const diff = diffConfigs(before, next);
    if (this.closing) return diff;
    if (diff.restartNeeded.length > 0)
      this.log.warn({ settings: diff.restartNeeded }, 'these changed settings take effect after a restart');
    // The running configuration: new services, routes and access lists; the rest as started.
    this.config = Object.freeze({
      ...next,
      slim: before.slim,
      http: Object.freeze({
        ...before.http,
        bearerTokens: next.http.bearerTokens,
        allowedOrigins: next.http.allowedOrigins,
        allowedHosts: next.http.allowedHosts,
      }),
      log: before.log,
      reload: before.reload,
    });
    if (diff.access) this.edge!.setAccess(this.config.http);
    const grace = this.config.shutdownGraceMs;

    for (const r of diff.routes.removed) {
      const m = this.routes.get(r.path);
      this.routes.delete(r.path);
      this.edge!.unmount(r.path);
      await m?.sup.close(grace);
    }
    // A group whose members alone changed keeps its clients: members join or leave its MLS group,
    // after the services of this reload are up (a new member may be one of them).
    const inPlace: { managed: Managed<RouteConfig, RunningRoute>; after: RouteConfig }[] = [];
    for (const { before: was, after } of diff.routes.changed) {
      const old = this.routes.get(after.path);
      if (old?.sup.value?.setMembers && onlyMembersChanged(was, after)) {
        inPlace.push({ managed: old, after });
        continue;
      }
      this.addRoute(after); // swaps the unit behind the mounted path
      await old?.sup.close(grace);
    }
    for (const r of diff.routes.added) this.addRoute(r);

    for (const s of [...diff.services.removed, ...diff.services.changed.map((c) => c.before)]) {
      const key = formatName(s.name);
      const m = this.services.get(key);
      this.services.delete(key);
      await m?.sup.close(grace);
    }
    for (const s of [...diff.services.changed.map((c) => c.after), ...diff.services.added])
      this.addService(s);
    await this.settled();
    for (const { managed, after } of inPlace) await this.changeMembers(managed, after);
    reloads.inc({ result: 'applied' });
    const count = (c: ConfigDiff['routes'] | ConfigDiff['services']) => ({
      added: c.added.length,
      removed: c.removed.length,
      changed: c.changed.length,
    });
    this.log.info(
      { routes: count(diff.routes), services: count(diff.services), access: diff.access },
      'configuration reloaded',
    );
    return diff;
  }

  private async changeMembers(
    managed: Managed<RouteConfig, RunningRoute>,
    after: RouteConfig,
  ): Promise<void> {
    const setMembers = managed.sup.value?.setMembers;
    try {
      if (!setMembers || after.target.kind !== 'group') throw new Error('the route is not running');
      await setMembers(after.target.members);
      managed.config = after;
    } catch (err) {
      this.log.warn(
        { route: after.path, err: String(err) },
        'group members not changed in place; restarting the route',
      );
      this.addRoute(after);
      await managed.sup.close(this.config.shutdownGraceMs);
    }
  }

  close(graceMs = this.config.shutdownGraceMs): Promise<void> {
    this.closing ??= this.shutdown(graceMs).finally(() => this.markClosed());
    return this.closing;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopping.abort();
    await this.reloads;
    const log = this.log;
    const bound = graceMs + 5_000;
    log.info({ graceMs }, 'shutting down');
    // Stop accepting and drain HTTP calls into routes; then close the routes, which end their MCP
    // sessions at the services (a service of this same gateway is still up to hear it: closed
    // first, it would leave each route waiting for an answer that cannot come); then drain the
    // SLIMRPC calls into services until the same deadline.
    const deadline = Date.now() + graceMs;
    if (this.edge) await closeWithin('http', () => this.edge!.close(graceMs), bound, log);
    await Promise.all(
      [...this.routes.values()].map(({ sup }) => closeWithin(sup.label, () => sup.close(0), 5_000, log)),
    );
    const rest = Math.max(0, deadline - Date.now());
    await Promise.all(
      [...this.services.values()].map(({ sup }) => closeWithin(sup.label, () => sup.close(rest), bound, log)),
    );
    if (this.app) await closeWithin('app', () => this.app!.close(), 5_000, log);
    if (this.link) await closeWithin('link', () => this.link!.close(), 5_000, log);
    if (this.node) await closeWithin('node', () => this.node!.close(), 5_000, log);
    log.info('stopped');
  }
}
