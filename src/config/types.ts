// The validated configuration as the rest of the gateway sees it: typed, resolved (SLIM names
// parsed, addresses split, relative paths made absolute, TLS files read) and deeply frozen. Each
// component receives only its slice (`config.http`, one `ServiceConfig`, ...).
import type { SlimName } from '../slim/dataplane/name.js';
import type { DefaultedVariable } from './expand.js';
import type { HostPort } from './host-port.js';

export type { HostPort } from './host-port.js';
export type { DefaultedVariable } from './expand.js';

/** PEM material read from the files named in `slim.tls`. */
export interface TlsMaterial {
  readonly ca?: Uint8Array;
  readonly cert?: Uint8Array;
  readonly key?: Uint8Array;
}

/** PEM material of the embedded node's listener (`slim.server.tls`). */
export interface ServerTlsMaterial {
  readonly cert: Uint8Array;
  readonly key: Uint8Array;
  /** Client certificates must chain to it (mTLS). */
  readonly clientCa?: Uint8Array;
}

/** Who may link to the embedded node (`slim.server.auth`). */
export type ServerAuthConfig =
  | {
      readonly kind: 'basic';
      readonly users: readonly { readonly username: string; readonly password: string }[];
    }
  /** Bearer JWTs checked as slim.trust says (the gateway's own JWT identity carries it). */
  | { readonly kind: 'jwt'; readonly identity: JwtIdentityConfig };

/** What remote peers may make the embedded node hold (the node's NodeLimits, same fields). */
export interface NodeLimitsConfig {
  readonly handshakeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxStreamsPerConnection: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptions: number;
}

/** The embedded node's listener: TLS, authentication and the limits of docs/security.md. */
export interface EmbeddedServerConfig {
  readonly tls?: ServerTlsMaterial;
  readonly auth?: ServerAuthConfig;
  readonly limits: NodeLimitsConfig;
}

/** Credentials our links present to the node (`slim.nodeAuth`). */
export type NodeAuthConfig =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** Absolute path; the link reads it before each connect, again when it changed. */
  | { readonly kind: 'bearer'; readonly tokenFile: string }
  /** The JWT identity of slim.jwt, presented as a bearer token. */
  | { readonly kind: 'jwt'; readonly identity: JwtIdentityConfig };

export type NodeConfig =
  | {
      readonly kind: 'embedded';
      readonly listen: HostPort;
      readonly server: EmbeddedServerConfig;
      /** For processes attaching to this node over its listener (`slim-gateway stdio`). */
      readonly tls?: TlsMaterial;
    }
  | { readonly kind: 'remote'; readonly url: string; readonly tls?: TlsMaterial };

/** Whose tokens a JWT identity accepts (`slim.trust`); files are absolute paths. */
export interface TrustConfig {
  readonly keyFiles: readonly string[];
  readonly jwksUrl?: string;
  readonly issuers: readonly string[];
  readonly audience?: string;
}

/** How this gateway proves who it is on SLIM and checks its peers (docs/security.md). */
export type IdentityConfig = { readonly kind: 'sharedSecret'; readonly secret: string } | JwtIdentityConfig;

export interface JwtIdentityConfig {
  readonly kind: 'jwt';
  /** Exactly one of keyFile / tokenFile (absolute paths). */
  readonly keyFile?: string;
  readonly tokenFile?: string;
  readonly issuer?: string;
  readonly audience: readonly string[];
  /** `sub`; default: slim.name. */
  readonly subject: string;
  readonly lifetimeSeconds: number;
  readonly trust: TrustConfig;
}

export interface SlimConfig {
  readonly node: NodeConfig;
  /** Credentials presented on links to the node (remote, or the embedded one's listener). */
  readonly nodeAuth?: NodeAuthConfig;
  /** The gateway's own name (routes call from it). */
  readonly name: SlimName;
  readonly identity: IdentityConfig;
  readonly mls: boolean;
  readonly connectTimeoutMs: number;
}

/** The parts of `http` that a reload may change without a restart. */
export interface HttpAccessConfig {
  readonly bearerTokens: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
}

export interface HttpConfig extends HttpAccessConfig {
  readonly listen: HostPort;
  readonly allowNonLoopback: boolean;
  readonly maxBodyBytes: number;
  readonly trustForwardedHeaders: boolean;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Open connections per client address (0: no limit). */
  readonly maxConnectionsPerClient: number;
}

/** A process the gateway runs: a stdio MCP server, or a `spawn:` for a service with a URL. */
export interface ProcessConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Absolute. */
  readonly cwd: string;
}

export interface SpawnConfig extends ProcessConfig {
  readonly readyTimeoutMs: number;
}

export type McpBackendConfig =
  | ({ readonly kind: 'stdio' } & ProcessConfig)
  | { readonly kind: 'http'; readonly url: string; readonly headers: Readonly<Record<string, string>> };

/** How many MCP sessions a service holds, and for how long an unused one lives. */
export interface McpSessionLimits {
  readonly maxSessions: number;
  readonly idleTimeoutMs: number;
  /** Most sessions one caller (client gateway) may hold. */
  readonly maxSessionsPerCaller: number;
  /** A session whose client looks gone is closed after this long. */
  readonly abandonedTimeoutMs: number;
}

/** Which MCP tools are offered: a tool is offered when it matches `allow` (if any) and no `deny`. */
export interface ToolFilterConfig {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

interface ServiceBase {
  readonly name: SlimName;
  readonly description?: string;
  readonly spawn?: SpawnConfig;
  /** Pass a caller's Authorization header on to the server or agent (else it is dropped). */
  readonly forwardAuthorization: boolean;
  /** Patterns on the caller's verified identity; absent: any identity this gateway trusts. */
  readonly allow?: readonly string[];
}

export type ServiceConfig =
  | (ServiceBase & {
      readonly kind: 'mcp';
      readonly backend: McpBackendConfig;
      readonly sessions: McpSessionLimits;
      readonly tools?: ToolFilterConfig;
    })
  | (ServiceBase & {
      readonly kind: 'a2a';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
    });

export type RouteTarget =
  | { readonly kind: 'one'; readonly name: SlimName }
  | { readonly kind: 'group'; readonly members: readonly SlimName[] };

export interface RouteConfig {
  readonly path: string;
  readonly protocol: 'mcp' | 'a2a';
  readonly target: RouteTarget;
  readonly description?: string;
  readonly timeoutMs: number;
  /** MCP routes: the client-side tool filter. */
  readonly tools?: ToolFilterConfig;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LogConfig {
  readonly level: LogLevel;
  readonly format: 'auto' | 'json' | 'pretty';
}

/** OpenTelemetry traces; absent: no tracing at all. */
export interface TelemetryConfig {
  /** OTLP/HTTP base URL (from the file, else OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpEndpoint: string;
}

export interface GatewayConfig {
  /** Absolute path of the file it came from, when it came from one. */
  readonly source?: string;
  readonly slim: SlimConfig;
  readonly http: HttpConfig;
  readonly services: readonly ServiceConfig[];
  readonly routes: readonly RouteConfig[];
  readonly log: LogConfig;
  readonly telemetry?: TelemetryConfig;
  readonly shutdownGraceMs: number;
  readonly reload: boolean;
  /** Run the start-up warm-up (src/gateway/warm-up.ts) before reporting ready. */
  readonly warmUp: boolean;
  /** Variables whose `:-default` was used (the gateway warns for secrets). */
  readonly defaultedVariables: readonly DefaultedVariable[];
  /** Every variable a value was read from, by path (hints name the one to change). */
  readonly variables: readonly DefaultedVariable[];
}
