// The embedded SLIM node: a DataPlaneService gRPC server (docs/dataplane.md#grpc-service,
// #node-routing) plus in-process links for the gateway's own apps. Owns the forwarder (routing
// table) and every connection; close() ends every stream, closes every in-process link and stops
// the server.
// Its listener (docs/security.md): TLS or mTLS, optional authentication of every link (Basic or a
// pluggable LinkAuthenticator; refused streams end with UNAUTHENTICATED), and the limits of
// limits.ts, enforced on TCP sockets the node accepts itself (connection-guard.ts).
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../util/log.js';
import { childLogger } from '../../util/log.js';
import { GatewayError, describeError } from '../../util/errors.js';
import type { Link } from '../dataplane/link.js';
import { AUTHORIZATION_HEADER } from '../dataplane/link-auth.js';
import type { LinkAuthResult, LinkAuthenticator } from '../dataplane/link-auth.js';
import { dataPlaneService } from '../dataplane/grpc-transport.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../dataplane/wire.js';
import { ConnectionGuard } from './connection-guard.js';
import type { StreamSlot } from './connection-guard.js';
import { Forwarder } from './forwarder.js';
import { DEFAULT_NODE_LIMITS } from './limits.js';
import type { NodeLimits } from './limits.js';
import { InProcessLink } from './in-process-link.js';
import { ServerConnection } from './server-connection.js';
import type { ServerCall } from './server-connection.js';

export interface NodeTlsOptions {
  /** PEM certificate chain and key of the node. */
  cert: Uint8Array;
  key: Uint8Array;
  /** PEM roots that client certificates must chain to (mTLS). */
  ca?: Uint8Array;
  /** Refuse clients without a valid certificate (default: true when `ca` is given). */
  requireClientCert?: boolean;
}

export interface SlimNodeOptions {
  /** host:port to serve gRPC on (port 0 picks one); no server when absent (in-process links only). */
  listen?: string;
  tls?: NodeTlsOptions;
  /** When set, every link must authenticate (UNAUTHENTICATED otherwise); in-process links need not. */
  auth?: LinkAuthenticator;
  /** Bounds on what remote peers may hold (limits.ts); each field defaults separately. */
  limits?: Partial<NodeLimits>;
  logger?: Logger;
  nodeId?: string;
  /** Clients that do not negotiate in time are closed (default 5 s, as the reference). */
  negotiationTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Refuse clients that offer no X25519 key (default false, as a reference node run from the bindings). */
  requireHeaderMac?: boolean;
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  /** Send GOAWAY to connections older than this (default: never); clients reconnect. */
  maxConnectionAgeMs?: number;
  slowConsumerTimeoutMs?: number;
  /** In-process links: frames waiting for delivery before senders wait (default 1024). */
  inProcessQueueCapacity?: number;
}

/** Ends a stream that was never accepted, with `code` and `details` (a trailers-only answer). */
function refuse(call: ServerCall, code: grpc.status, details: string): void {
  try {
    call.emit('error', { code, details });
  } catch {
    // already ended
  }
}

/** Splits "host:port" (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new GatewayError('INVALID_ARGUMENT', `listen address "${listen}" must be HOST:PORT`);
  return { host: m[1]!, port };
}

export class SlimNode {
  readonly nodeId: string;
  private readonly log: Logger;
  private readonly forwarder: Forwarder;
  private readonly connections = new Set<ServerConnection>();
  private readonly inProcess = new Set<InProcessLink>();
  private server: grpc.Server | undefined;
  private guard: ConnectionGuard | undefined;
  private readonly limits: NodeLimits;
  private boundHost = '';
  private boundPort = 0;
  private nextId = 1;
  private isClosed = false;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(private readonly options: SlimNodeOptions) {
    this.nodeId = options.nodeId ?? `node-${randomUUID()}`;
    this.log = childLogger(options.logger, 'node');
    this.limits = { ...DEFAULT_NODE_LIMITS, ...options.limits };
    for (const [k, v] of Object.entries(this.limits))
      if (!Number.isInteger(v) || v < 1)
        throw new GatewayError('INVALID_ARGUMENT', `node limit ${k} must be a positive integer`);
    this.forwarder = new Forwarder(this.log, this.limits);
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
  }

  /** Starts a node; with `listen`, resolves once the gRPC port is bound. */
  static async create(options: SlimNodeOptions = {}): Promise<SlimNode> {
    const node = new SlimNode(options);
    if (options.listen !== undefined) await node.listen(options.listen);
    return node;
  }

  private async listen(listen: string): Promise<void> {
    const { host, port } = parseListen(listen);
    const o = this.options;
    const serverOptions: grpc.ServerOptions = {
      'grpc.keepalive_time_ms': o.keepaliveTimeMs ?? 120_000,
      'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? 20_000,
      // Well over our own limit, so that we (not grpc-js) see an oversized frame and log why we
      // close its connection; grpc-js still refuses, before buffering, anything beyond this bound.
      'grpc.max_receive_message_length': 4 * (o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) + 1024,
      'grpc.max_send_message_length': -1,
      // Announced to clients; connection-guard.ts also counts, for clients that ignore it.
      'grpc.max_concurrent_streams': this.limits.maxStreamsPerConnection,
    };
    if (o.maxConnectionAgeMs !== undefined) {
      serverOptions['grpc.max_connection_age_ms'] = o.maxConnectionAgeMs;
      serverOptions['grpc.max_connection_age_grace_ms'] = 1_000;
    }
    const server = new grpc.Server(serverOptions);
    server.addService(dataPlaneService, { OpenChannel: (call: ServerCall) => this.accept(call) });
    const creds = o.tls
      ? grpc.ServerCredentials.createSsl(
          o.tls.ca ? Buffer.from(o.tls.ca) : null,
          [{ cert_chain: Buffer.from(o.tls.cert), private_key: Buffer.from(o.tls.key) }],
          o.tls.requireClientCert ?? o.tls.ca !== undefined,
        )
      : grpc.ServerCredentials.createInsecure();
    // The node accepts TCP connections itself and injects them into gRPC, so that it can bound them.
    const injector = server.createConnectionInjector(creds);
    const guard = new ConnectionGuard(this.limits, this.log, (socket) => injector.injectConnection(socket));
    this.boundPort = await guard.listen(host, port);
    this.guard = guard;
    this.boundHost = host;
    this.server = server;
    this.log.info(
      {
        listen: `${host}:${this.boundPort}`,
        nodeId: this.nodeId,
        tls: o.tls ? (o.tls.ca ? 'mtls' : 'tls') : false,
        auth: o.auth?.scheme ?? false,
      },
      'node listening',
    );
  }

  /** The bound port (the real one when asked for port 0); undefined without a server. */
  get port(): number | undefined {
    return this.server ? this.boundPort : undefined;
  }

  /** The URL clients use, e.g. http://127.0.0.1:46357. */
  get endpoint(): string | undefined {
    return this.server
      ? `${this.options.tls ? 'https' : 'http'}://${this.boundHost}:${this.boundPort}`
      : undefined;
  }

  stats(): {
    connections: number;
    subscriptions: number;
    forwarded: number;
    noRoute: number;
    ttlExpired: number;
    /** Open gRPC connections whose frames leave in batched socket writes (all, unless grpc-js changed). */
    batchedConnections: number;
  } {
    const t = this.forwarder.table;
    let batchedConnections = 0;
    for (const c of this.connections) if (c.batched) batchedConnections++;
    return {
      connections: t.connectionCount,
      subscriptions: t.subscriptionCount,
      ...this.forwarder.stats,
      batchedConnections,
    };
  }

  private accept(call: ServerCall): void {
    if (this.isClosed) {
      call.end();
      return;
    }
    const peer = call.getPeer();
    const slot = this.guard?.openStream(peer);
    if (slot && 'refused' in slot) {
      if (slot.reason === 'credentials') {
        // Logged once, at the refusal; more attempts on the same connection only at debug level.
        this.log.debug({ peer }, `refusing stream: ${slot.refused}`);
        return refuse(call, grpc.status.UNAUTHENTICATED, `authentication failed: ${slot.refused}`);
      }
      this.log.warn({ peer }, `refusing stream: ${slot.refused}`);
      return refuse(call, grpc.status.RESOURCE_EXHAUSTED, slot.refused);
    }
    const auth = this.options.auth;
    if (!auth) return this.open(call, slot);
    const values = call.metadata.get(AUTHORIZATION_HEADER);
    const given = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    const denied = (reason: string) => {
      slot?.refusedCredentials();
      slot?.release();
      // Never the credential itself: the reason names what was wrong with it.
      this.log.warn({ peer, scheme: auth.scheme }, `refusing link: authentication failed: ${reason}`);
      refuse(call, grpc.status.UNAUTHENTICATED, `authentication failed: ${reason}`);
    };
    if (values.length > 1) return denied('more than one authorization header');
    let checked: LinkAuthResult | Promise<LinkAuthResult>;
    try {
      checked = auth.check(given);
    } catch (err) {
      return denied(`check failed: ${describeError(err)}`);
    }
    void Promise.resolve(checked).then(
      (r) => {
        if (call.cancelled || this.isClosed) {
          slot?.release();
          if (!call.cancelled) call.end();
          return;
        }
        if (!r.ok) return denied(r.reason);
        this.open(call, slot, r.principal);
      },
      (err: unknown) => denied(`check failed: ${describeError(err)}`),
    );
  }

  private open(call: ServerCall, slot: StreamSlot | undefined, principal?: string): void {
    const o = this.options;
    const conn = new ServerConnection(
      this.nextId++,
      call,
      this.forwarder,
      {
        nodeId: this.nodeId,
        negotiationTimeoutMs: o.negotiationTimeoutMs ?? 5_000,
        maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        requireHeaderMac: o.requireHeaderMac ?? false,
        slowConsumerTimeoutMs: o.slowConsumerTimeoutMs ?? 10_000,
      },
      this.log,
      (c) => this.connections.delete(c),
      slot,
      principal,
    );
    this.connections.add(conn);
    this.log.debug({ conn: conn.id, peer: conn.label }, 'connection accepted');
  }

  /** A link for an app in this process; call start() on it. */
  connectInProcess(): Link {
    if (this.isClosed) throw new GatewayError('CLOSED', 'node closed');
    const link = new InProcessLink(
      {
        forwarder: this.forwarder,
        nextConnectionId: () => this.nextId++,
        isClosed: () => this.isClosed,
        onLinkClosed: (l) => this.inProcess.delete(l),
      },
      this.log,
      this.options.inProcessQueueCapacity ?? 1024,
      30_000,
    );
    this.inProcess.add(link);
    return link;
  }

  /** Idempotent: ends every stream, closes in-process links, stops the server. */
  async close(): Promise<void> {
    if (this.isClosed) return this.closedPromise;
    this.isClosed = true;
    for (const conn of [...this.connections]) conn.shutdown();
    for (const link of [...this.inProcess]) await link.close('node closed');
    const server = this.server;
    const guard = this.guard;
    if (server) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown((err) => {
          clearTimeout(force);
          if (err) {
            this.log.debug({ err: describeError(err) }, 'forcing shutdown');
            server.forceShutdown();
          }
          resolve();
        });
      });
    }
    await guard?.close();
    this.log.info({ nodeId: this.nodeId }, 'node closed');
    this.resolveClosed();
    return this.closedPromise;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }
}
