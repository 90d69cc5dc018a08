// GatewayDeps: everything the composition root builds on, injected as factories, so the root can
// be tested without a network (test/support/memory-deps.ts) and the real SLIM stack plugs in as one
// object (real-deps.ts). Each factory maps onto one seam of ARCHITECTURE.md: the embedded node,
// the Link to a node, a SlimApp, SLIMRPC server/client/multicast, and the MCP and A2A adapters.
// Generic in the node and app types so the real implementation needs no casts.
import type { A2aIngress, A2aServiceOptions } from '../adapters/a2a/index.js';
import type { IngressTarget } from '../adapters/ingress-target.js';
import type { McpIngress, McpServiceOptions } from '../adapters/mcp/index.js';
import type {
  EmbeddedServerConfig,
  HostPort,
  IdentityConfig,
  NodeAuthConfig,
  TlsMaterial,
  ToolFilterConfig,
} from '../config/types.js';
import type { Link } from '../slim/dataplane/link.js';
import type { CallObserver } from '../telemetry/index.js';
import type { SlimName } from '../slim/dataplane/name.js';
import type { MulticastClient, RpcClient, RpcServer, ServiceDefinition } from '../slim/rpc/types.js';
import type { Logger } from '../util/log.js';
import type { MetricsRegistry } from '../util/metrics.js';

type MaybePromise<T> = T | Promise<T>;

/** What every factory receives: a child logger for the thing it builds, and the registry. */
export interface DepsContext {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Access log and traces of calls (adapters); none: calls are not recorded. */
  readonly calls?: CallObserver;
}

/** A running embedded SLIM node. */
export interface NodeHandle {
  /** Where other processes reach it, e.g. `127.0.0.1:46357`. */
  readonly address: string;
  close(): Promise<void>;
}

/** A SLIM app (the real one is SlimApp from src/slim/session/types.ts). */
export interface AppHandle {
  /** Full name, with the instance id derived from the identity. */
  readonly name: SlimName;
  close(): Promise<void>;
}

/** Where a link goes: the node this process runs, or a node at a URL (TLS material if https). */
export type NodeEndpoint<N> =
  | { readonly kind: 'embedded'; readonly node: N }
  | {
      readonly kind: 'remote';
      readonly url: string;
      readonly tls?: TlsMaterial;
      /** Credentials presented on every connect (`slim.nodeAuth`). */
      readonly auth?: NodeAuthConfig;
    };

// ---- adapters (src/adapters/mcp, src/adapters/a2a) ----

interface IngressBase extends DepsContext {
  /** The route path, e.g. /mcp/weather (for logs and metrics; URLs come from the request context). */
  readonly route: string;
  /** Deadline of each call. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

export type IngressOptions = IngressBase & IngressTarget;

/** An MCP route's options: the A2A ones plus the client-side tool filter (`routes[].tools`). */
export type McpIngressOptions = IngressOptions & { readonly tools?: ToolFilterConfig };

export interface McpAdapter {
  createIngress(options: McpIngressOptions): MaybePromise<McpIngress>;
  createService(
    options: McpServiceOptions,
  ): MaybePromise<{ service: ServiceDefinition; close(): Promise<void> }>;
}

export interface A2aAdapter {
  createIngress(options: IngressOptions): MaybePromise<A2aIngress>;
  createService(
    options: A2aServiceOptions,
  ): MaybePromise<{ services: readonly ServiceDefinition[]; close(): Promise<void> }>;
}

// ---- the whole set ----

export interface GatewayDeps<N extends NodeHandle = NodeHandle, A extends AppHandle = AppHandle> {
  /** Starts the embedded node listening on `listen`; rejects if it cannot (e.g. port taken). */
  startNode(
    options: DepsContext & {
      readonly listen: HostPort;
      /** TLS, authentication and limits of its listener (`slim.server`). */
      readonly server?: EmbeddedServerConfig;
      readonly signal: AbortSignal;
    },
  ): Promise<N>;

  /** A started link (Link.start resolved); rejects with UNREACHABLE/TIMEOUT/CANCELLED, never hangs. */
  connectLink(
    options: DepsContext & {
      readonly endpoint: NodeEndpoint<N>;
      readonly timeoutMs: number;
      readonly signal: AbortSignal;
    },
  ): Promise<Link>;

  /**
   * A SLIM app named `name` on `link` (subscribed, accepting sessions). `mls` (`slim.mls`) is
   * decided here, once: the app's servers demand MLS and its channels use it when it is true.
   */
  createApp(
    options: DepsContext & {
      readonly link: Link;
      readonly name: SlimName;
      /** How the app proves who it is and checks its peers (`slim.sharedSecret` or `slim.jwt`). */
      readonly identity: IdentityConfig;
      readonly mls: boolean;
      readonly signal: AbortSignal;
      /**
       * `services[].allow`: patterns on the verified identity of whoever invites the app into a
       * group; others are refused at the JOIN (point-to-point sessions are refused per call).
       */
      readonly allow?: readonly string[];
    },
  ): Promise<A>;

  /**
   * Serves SLIMRPC calls addressed to the app's name (MLS required if the app's `mls`); with
   * `allow`, callers whose verified identity matches none of the patterns are refused per call
   * with PERMISSION_DENIED.
   */
  createRpcServer(app: A, options: DepsContext & { readonly allow?: readonly string[] }): RpcServer;

  /** A channel from the app to `target` (sessions are opened lazily, MLS if the app's `mls`). */
  createRpcClient(app: A, target: SlimName, options: DepsContext): RpcClient;

  /** A group channel from the app to `members` (MLS if the app's `mls`). */
  createMulticast(
    app: A,
    members: readonly SlimName[],
    options: DepsContext & { readonly signal: AbortSignal },
  ): Promise<MulticastClient>;

  readonly mcp: McpAdapter;
  readonly a2a: A2aAdapter;
}
