// The composition root's implementation (see src/gateway/index.ts for the contract): owns the node, the
// gateway's own SLIM app, the HTTP edge, and one supervised unit per service and per route;
// applies reloads; shuts down in order. Everything it builds comes from the injected GatewayDeps.
import { diffConfigs } from '../config/diff.js';
import type { ConfigDiff } from '../config/diff.js';
import { formatHostPort } from '../config/host-port.js';
import type { GatewayConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import type { AppHandle, GatewayDeps, NodeEndpoint, NodeHandle } from './deps.js';
import { onlyMembersChanged, routeHandler, startRoute } from './route-unit.js';
import type { RunningRoute } from './route-unit.js';
import { startService } from './service-unit.js';
import type { RunningService, UnitEnv } from './service-unit.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { gatewayReadiness } from './readiness.js';
import { reloadCounts, reloadedConfig } from './reload.js';
import { shutdownInOrder } from './shutdown.js';
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
import { createCallObserver } from '../telemetry/index.js';
import type { CallObserver, Tracing } from '../telemetry/index.js';
import { startTelemetry } from './telemetry.js';
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
  /** Set only when telemetry is configured (then spans are exported). */
  private tracing: Tracing | undefined;
  private calls: CallObserver;
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
    this.calls = createCallObserver(options.logger, undefined);
    registerGatewayMetrics(this.metrics, {
      services: () => [...this.services.values()].map((m) => m.sup.state),
      routes: () => [...this.routes.values()].map((m) => m.sup.state),
      connected: () => this.link?.state === 'ready',
    });
  }

  /** Whether spans are exported (telemetry configured and started). */
  get tracingEnabled(): boolean {
    return this.tracing !== undefined;
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

    const telemetry = await startTelemetry(this.config, this.options.logger);
    this.calls = telemetry.calls;
    this.tracing = telemetry.tracing;
    if (this.tracing)
      this.log.info({ otlpEndpoint: this.config.telemetry?.otlpEndpoint }, 'traces exported over OTLP/HTTP');

    if (slim.node.kind === 'embedded') {
      const d = deadline();
      try {
        this.node = await this.deps.startNode({
          ...ctx('node'),
          listen: slim.node.listen,
          server: slim.node.server,
          signal: d.signal,
        });
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
        identity: slim.identity,
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
    const { node, nodeAuth } = this.config.slim;
    if (node.kind === 'embedded') return { kind: 'embedded', node: this.node! };
    return {
      kind: 'remote',
      url: node.url,
      ...(node.tls ? { tls: node.tls } : {}),
      ...(nodeAuth ? { auth: nodeAuth } : {}),
    };
  }

  /** Waits for the first start attempt of every unit (each bounded by its own deadline). */
  private async settled(): Promise<void> {
    await Promise.all([...this.routes.values(), ...this.services.values()].map((m) => m.sup.firstAttempt));
  }

  private addRoute(route: RouteConfig): void {
    const env = {
      deps: this.deps,
      app: this.app!,
      maxBodyBytes: this.config.http.maxBodyBytes,
      logger: childLogger(this.options.logger, 'route'),
      metrics: this.metrics,
      calls: this.calls,
    };
    // A restart uses the route's current configuration (group members may change in place).
    const current = { config: route };
    const sup = new Supervisor(`route ${route.path}`, (signal) => startRoute(current.config, env, signal), {
      logger: this.log,
      attemptTimeoutMs: this.config.slim.connectTimeoutMs,
    }).start();
    this.routes.set(route.path, Object.assign(current, { sup }));
    this.edge!.mount(
      route.path,
      routeHandler(route.path, () => this.routes.get(route.path)?.sup),
    );
  }

  private addService(svc: ServiceConfig): void {
    const { slim } = this.config;
    const env: UnitEnv<N, A> = {
      deps: this.deps,
      endpoint: this.endpoint(),
      identity: slim.identity,
      mls: slim.mls,
      connectTimeoutMs: slim.connectTimeoutMs,
      logger: childLogger(this.options.logger, 'service'),
      metrics: this.metrics,
      calls: this.calls,
      baseEnv: this.options.processEnv ?? {},
    };
    const start = (signal: AbortSignal, fail: (err: unknown) => void) => startService(svc, env, signal, fail);
    // A spawned process gets its readiness deadline on top of the connect deadline.
    const sup = new Supervisor(`service ${formatName(svc.name)}`, start, {
      logger: this.log,
      attemptTimeoutMs: slim.connectTimeoutMs + (svc.spawn?.readyTimeoutMs ?? 0),
    }).start();
    this.services.set(formatName(svc.name), { config: svc, sup });
  }

  readiness(): Readiness {
    return gatewayReadiness({
      closing: this.closing !== undefined,
      link: this.link,
      services: [...this.services].map(([name, m]) => [name, m.sup] as const),
    });
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
      ['result'],
    );
    const before = this.config;
    const diff = diffConfigs(before, next);
    if (this.closing) return diff;
    if (diff.restartNeeded.length > 0)
      this.log.warn({ settings: diff.restartNeeded }, 'these changed settings take effect after a restart');
    // The running configuration: new services, routes and access lists; the rest as started.
    this.config = reloadedConfig(before, next);
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
    this.log.info(reloadCounts(diff), 'configuration reloaded');
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
    this.log.info({ graceMs }, 'shutting down');
    await shutdownInOrder(
      {
        edge: this.edge,
        routes: [...this.routes.values()].map((m) => m.sup),
        services: [...this.services.values()].map((m) => m.sup),
        app: this.app,
        link: this.link,
        node: this.node,
      },
      graceMs,
      this.log,
    );
    // After the calls ended, so their spans go out with the last export.
    await this.tracing?.shutdown();
    this.log.info('stopped');
  }
}
