// The HTTP edge (README.md#local-endpoints): one node:http server on http.listen that mounts each
// route's HttpHandler under its path, serves /healthz, /readyz and /metrics, and applies the access
// checks. Every request gets an id (X-Request-Id), a per-request AbortSignal (client disconnect or
// shutdown) and its mount's external base URL. Shutdown stops accepting, lets calls finish for a
// grace period, then aborts what is left with CLOSED so handlers answer with a clear error.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { formatHostPort, isLoopbackHost } from '../config/host-port.js';
import type { HostPort } from '../config/host-port.js';
import { GatewayError, describeError } from '../util/errors.js';
import { httpStatusFor, sendJson } from '../util/http.js';
import type { HttpHandler } from '../util/http.js';
import type { Logger } from '../util/log.js';
import type { MetricsRegistry } from '../util/metrics.js';
import type { AccessPolicy } from './access.js';
import { edgeMetrics } from './edge-metrics.js';
import { admitBearer, admitOrigin } from './gate.js';
import { clientAddress, errorBody, errorJson, pathOf, pathProblem, waitAll } from './helpers.js';
import { PROBES, serveProbe } from './probes.js';
import type { Readiness } from './probes.js';

export type { Readiness } from './probes.js';
import { externalBaseUrl } from './forwarded.js';
import { RouteTable } from './router.js';

/** Open connections one client address may hold (http.maxConnectionsPerClient). */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;

export interface HttpAccess {
  readonly bearerTokens: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
}

export interface HttpEdgeOptions {
  readonly listen: HostPort;
  readonly access: HttpAccess;
  readonly maxBodyBytes: number;
  readonly trustForwardedHeaders: boolean;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Open connections per client address; past it a new one gets 503 and is closed (0: none). */
  readonly maxConnectionsPerClient?: number;
  readonly readiness: () => Readiness;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

interface InFlight {
  readonly controller: AbortController;
  /** A long-lived event stream (GET text/event-stream): cut at once on shutdown. */
  readonly stream: boolean;
  readonly done: Promise<void>;
}

export class HttpEdge {
  private readonly server: Server;
  private readonly routes = new RouteTable<HttpHandler>();
  private readonly inflight = new Set<InFlight>();
  /** Open connections by client address. */
  private readonly perClient = new Map<string, number>();
  private readonly metrics;
  private readonly log: Logger;
  private policy: AccessPolicy;
  private bound: HostPort | undefined;
  private draining = false;
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.resolveClosed = r));

  constructor(private readonly options: HttpEdgeOptions) {
    this.log = options.logger;
    this.metrics = edgeMetrics(options.metrics);
    this.policy = this.policyFor(options.access);
    // Node checks the headers and request deadlines every `connectionsCheckingInterval` (30 s by
    // default, which would let a slow client keep its connection well past them). Those deadlines
    // cover receiving a request only: a long answer (SSE, a slow tool call) is never cut.
    const checkEvery = Math.max(100, Math.min(1_000, Math.floor(options.headersTimeoutMs / 4) || 1_000));
    this.server = createServer({ connectionsCheckingInterval: checkEvery }, this.listener);
    this.server.keepAliveTimeout = options.keepAliveTimeoutMs;
    this.server.headersTimeout = options.headersTimeoutMs;
    this.server.requestTimeout = options.requestTimeoutMs;
    // No socket inactivity timeout: SSE streams may stay quiet for a long time.
    this.server.timeout = 0;
    this.server.on('connection', (socket: Socket) => this.admitConnection(socket));
  }

  /** The per-address connection cap: over it, a short 503 and the connection is closed. */
  private admitConnection(socket: Socket): void {
    const limit = this.options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
    if (limit <= 0) return;
    const address = clientAddress(socket.remoteAddress);
    const open = this.perClient.get(address) ?? 0;
    if (open >= limit) {
      this.metrics.refusedConnections.inc();
      this.log.warn({ client: address, limit }, 'connection refused: too many open from this client');
      const body = JSON.stringify(
        errorJson(
          'UNAVAILABLE',
          `too many open connections from ${address} (limit ${limit}: http.maxConnectionsPerClient)`,
        ),
      );
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\n' +
          `Retry-After: 1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      socket.destroySoon();
      return;
    }
    this.perClient.set(address, open + 1);
    socket.once('close', () => {
      const n = (this.perClient.get(address) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(address);
      else this.perClient.set(address, n);
    });
  }

  /** What the server runs for each request (tests drive it directly, without a socket of ours). */
  readonly listener: RequestListener = (req, res) => void this.handle(req, res);

  /** Binds http.listen; rejects with UNAVAILABLE when the address is taken or not local. */
  async start(): Promise<void> {
    const { host, port } = this.options.listen;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : describeError(err);
        reject(
          new GatewayError('UNAVAILABLE', `cannot listen on ${formatHostPort(this.options.listen)}: ${why}`, {
            cause: err,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.bound = Object.freeze({ host, port: addr.port });
    this.log.info({ url: this.url }, 'local endpoints listening');
  }

  /** The bound address (port resolved when http.listen asked for port 0). */
  get address(): HostPort {
    if (!this.bound) throw new GatewayError('CLOSED', 'the HTTP edge is not listening');
    return this.bound;
  }

  /** `http://host:port`, without a trailing slash. */
  get url(): string {
    return `http://${formatHostPort(this.address)}`;
  }

  /** Mounts (or replaces) the handler for `path`. */
  mount(path: string, handler: HttpHandler): void {
    this.routes.set(path, handler);
  }

  unmount(path: string): void {
    this.routes.delete(path);
  }

  mounted(): string[] {
    return this.routes.paths();
  }

  setAccess(access: HttpAccess): void {
    this.policy = this.policyFor(access);
  }

  private policyFor(access: HttpAccess): AccessPolicy {
    return {
      ...access,
      checkHost: isLoopbackHost(this.options.listen.host) || access.allowedHosts.length > 0,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    const badPath = pathProblem(req.url);
    const pathname = badPath ? '/' : pathOf(req.url);
    const match = PROBES.has(pathname) ? undefined : this.routes.match(pathname);
    const label = PROBES.has(pathname) ? pathname : (match?.path ?? 'unmatched');
    const method = req.method ?? 'GET';

    const controller = new AbortController();
    let finish!: () => void;
    const entry: InFlight = {
      controller,
      stream: method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream'),
      done: new Promise<void>((r) => (finish = r)),
    };
    this.inflight.add(entry);
    this.metrics.inFlight.inc({ route: label });
    res.on('close', () => {
      if (!res.writableFinished)
        controller.abort(new GatewayError('CANCELLED', 'the client closed the connection'));
      this.inflight.delete(entry);
      this.metrics.inFlight.dec({ route: label });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      this.metrics.requests.inc({ route: label, method, status });
      this.metrics.duration.observe({ route: label }, seconds);
      this.log.debug({ requestId, method, route: label, status, ms: Math.round(seconds * 1000) }, 'request');
      finish();
    });

    try {
      if (badPath) {
        req.resume();
        throw new GatewayError('INVALID_ARGUMENT', `bad request path: ${badPath}`);
      }
      await this.dispatch(req, res, pathname, match, controller.signal, method);
    } catch (err) {
      const status = httpStatusFor(err);
      if (status >= 500)
        this.log.warn({ requestId, route: label, err: describeError(err) }, 'request failed');
      if (!res.headersSent) sendJson(res, status, errorBody(err));
      else if (!res.writableEnded) res.destroy();
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    match: ReturnType<RouteTable<HttpHandler>['match']>,
    signal: AbortSignal,
    method: string,
  ): Promise<void> {
    const policy = this.policy;
    if (this.draining) {
      res.setHeader('connection', 'close');
      throw new GatewayError('CLOSED', 'the gateway is shutting down');
    }
    if (!admitOrigin(req, res, policy, method)) return;
    if (pathname === '/healthz' || pathname === '/readyz')
      return serveProbe(req, res, pathname, {
        readiness: this.options.readiness,
        metrics: this.options.metrics,
        draining: this.draining,
      });

    if (!admitBearer(req, res, policy)) return;
    if (pathname === '/metrics')
      return serveProbe(req, res, pathname, {
        readiness: this.options.readiness,
        metrics: this.options.metrics,
        draining: this.draining,
      });

    if (!match) {
      return sendJson(res, 404, {
        error: { code: 'NOT_FOUND', message: `no route for ${pathname}` },
        routes: this.routes.paths(),
      });
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxBodyBytes) {
      res.setHeader('connection', 'close');
      throw new GatewayError(
        'RESOURCE_EXHAUSTED',
        `request body over the ${this.options.maxBodyBytes}-byte limit`,
      );
    }
    const baseUrl = externalBaseUrl(req.headers, match.path, {
      trustForwarded: this.options.trustForwardedHeaders,
      fallbackHost: formatHostPort(this.address),
    });
    await match.value(req, res, { subpath: match.subpath, baseUrl, signal });
  }

  /** Requests being answered right now. */
  get inFlightCount(): number {
    return this.inflight.size;
  }

  /**
   * Stops accepting connections; event streams are cut at once, other requests get `graceMs` to
   * finish, then their signals fire with CLOSED. Idempotent; never rejects.
   */
  close(graceMs = 0): Promise<void> {
    this.closing ??= this.shutdown(graceMs).finally(() => this.resolveClosed());
    return this.closing;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.draining = true;
    const stopped = new Promise<void>((r) => (this.bound ? this.server.close(() => r()) : r()));
    this.server.closeIdleConnections();
    const shuttingDown = () => new GatewayError('CLOSED', 'the gateway is shutting down');
    for (const f of this.inflight) if (f.stream) f.controller.abort(shuttingDown());
    if (this.inflight.size > 0) {
      this.log.info({ inFlight: this.inflight.size, graceMs }, 'waiting for in-flight requests');
      await waitAll(
        [...this.inflight].map((f) => f.done),
        graceMs,
      );
    }
    if (this.inflight.size > 0) {
      this.log.warn(
        { inFlight: this.inflight.size },
        'grace period over: failing the requests still in flight',
      );
      for (const f of this.inflight) f.controller.abort(shuttingDown());
      // Handlers answer their aborted requests; then whatever is left is cut.
      await waitAll(
        [...this.inflight].map((f) => f.done),
        1000,
      );
    }
    this.server.closeAllConnections();
    await waitAll([stopped], 1000);
  }
}
