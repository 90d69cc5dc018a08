// From the validated file to the typed, frozen GatewayConfig: names parsed, addresses split,
// relative paths resolved against the config file's directory. Runs only on a file that passed
// the schema and the cross-checks, so nothing here can fail.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { parseName } from '../slim/dataplane/name.js';
import type { DefaultedVariable } from './expand.js';
import { parseHostPort } from './host-port.js';
import type { HostPort } from './host-port.js';
import { DEFAULTS } from './schema.js';
import type { FileConfig } from './schema.js';
import type {
  GatewayConfig,
  EmbeddedServerConfig,
  IdentityConfig,
  McpBackendConfig,
  NodeAuthConfig,
  ServerAuthConfig,
  ProcessConfig,
  RouteConfig,
  ServerTlsMaterial,
  ServiceConfig,
  TelemetryConfig,
  TlsMaterial,
} from './types.js';

export interface ResolveContext {
  /** Directory relative paths are resolved against (the config file's). */
  readonly baseDir: string;
  readonly source?: string;
  readonly tls?: TlsMaterial;
  readonly serverTls?: ServerTlsMaterial;
  readonly defaulted: readonly DefaultedVariable[];
  readonly variables?: readonly DefaultedVariable[];
  /** OTEL_EXPORTER_OTLP_ENDPOINT, used when the file has no `telemetry` (already checked). */
  readonly otlpEndpointFromEnv?: string;
}

type EnvValues = Record<string, string | number | boolean> | undefined;

function hostPort(text: string): HostPort {
  const hp = parseHostPort(text);
  if (typeof hp === 'string') throw new Error(`unvalidated address: ${hp}`);
  return hp;
}

function processConfig(
  p: { command: string; args?: string[]; env?: EnvValues; cwd?: string },
  baseDir: string,
): ProcessConfig {
  return {
    command: p.command,
    args: p.args ?? [],
    env: Object.fromEntries(Object.entries(p.env ?? {}).map(([k, v]) => [k, String(v)])),
    cwd: p.cwd === undefined ? baseDir : isAbsolute(p.cwd) ? p.cwd : resolvePath(baseDir, p.cwd),
  };
}

export function resolveConfig(file: FileConfig, ctx: ResolveContext): GatewayConfig {
  const { slim, http } = file;
  const services = file.services.map((svc): ServiceConfig => {
    const base = {
      name: parseName(svc.name),
      forwardAuthorization: svc.forwardAuthorization,
      ...(svc.description !== undefined ? { description: svc.description } : {}),
      ...(svc.spawn
        ? { spawn: { ...processConfig(svc.spawn, ctx.baseDir), readyTimeoutMs: svc.spawn.readyTimeoutMs } }
        : {}),
      ...(svc.allow !== undefined ? { allow: svc.allow } : {}),
    };
    if (svc.mcp) {
      const backend: McpBackendConfig =
        svc.mcp.command !== undefined
          ? { kind: 'stdio', ...processConfig({ ...svc.mcp, command: svc.mcp.command }, ctx.baseDir) }
          : { kind: 'http', url: svc.mcp.url!, headers: svc.mcp.headers ?? {} };
      const maxSessions =
        svc.mcp.maxSessions ??
        (backend.kind === 'stdio' ? DEFAULTS.mcpStdioMaxSessions : DEFAULTS.mcpHttpMaxSessions);
      const idleTimeoutMs = svc.mcp.idleTimeoutMs ?? DEFAULTS.mcpIdleTimeoutMs;
      const sessions = {
        maxSessions,
        idleTimeoutMs,
        maxSessionsPerCaller: Math.min(maxSessions, svc.mcp.maxSessionsPerCaller ?? maxSessions),
        abandonedTimeoutMs: Math.min(
          idleTimeoutMs,
          svc.mcp.abandonedTimeoutMs ?? DEFAULTS.mcpAbandonedTimeoutMs,
        ),
      };
      return { ...base, kind: 'mcp', backend, sessions, ...(svc.tools ? { tools: svc.tools } : {}) };
    }
    return { ...base, kind: 'a2a', url: svc.a2a!.url, headers: svc.a2a!.headers ?? {} };
  });
  const routes = file.routes.map((r): RouteConfig => {
    const protocol = r.mcp !== undefined ? 'mcp' : 'a2a';
    const t = (r.mcp ?? r.a2a)!;
    return {
      path: r.path,
      protocol,
      target:
        typeof t === 'string'
          ? { kind: 'one', name: parseName(t) }
          : { kind: 'group', members: t.group.map((m) => parseName(m)) },
      ...(r.description !== undefined ? { description: r.description } : {}),
      timeoutMs: r.timeoutMs,
      ...(r.tools ? { tools: r.tools } : {}),
    };
  });
  const identity = identityConfig(slim, ctx.baseDir);
  const config: GatewayConfig = {
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    slim: {
      node:
        slim.node === 'embedded'
          ? {
              kind: 'embedded',
              listen: hostPort(slim.listen),
              server: embeddedServer(slim.server, ctx.serverTls, identity),
              ...(ctx.tls ? { tls: ctx.tls } : {}),
            }
          : { kind: 'remote', url: slim.node, ...(ctx.tls ? { tls: ctx.tls } : {}) },
      ...(slim.nodeAuth ? { nodeAuth: nodeAuth(slim.nodeAuth, ctx.baseDir, identity) } : {}),
      name: parseName(slim.name),
      identity,
      mls: slim.mls,
      connectTimeoutMs: slim.connectTimeoutMs,
    },
    http: {
      listen: hostPort(http.listen),
      allowNonLoopback: http.allowNonLoopback,
      bearerTokens: http.bearerTokens ?? [],
      allowedOrigins: http.allowedOrigins,
      allowedHosts: http.allowedHosts,
      maxBodyBytes: http.maxBodyBytes,
      trustForwardedHeaders: http.trustForwardedHeaders,
      keepAliveTimeoutMs: http.keepAliveTimeoutMs,
      headersTimeoutMs: http.headersTimeoutMs,
      requestTimeoutMs: http.requestTimeoutMs,
      maxConnectionsPerClient: http.maxConnectionsPerClient,
    },
    services,
    routes,
    log: file.log,
    ...telemetryOf(file, ctx),
    shutdownGraceMs: file.shutdownGraceMs,
    reload: file.reload,
    warmUp: file.warmUp,
    defaultedVariables: ctx.defaulted,
    variables: ctx.variables ?? [],
  };
  return deepFreeze(config);
}

function telemetryOf(file: FileConfig, ctx: ResolveContext): { telemetry?: TelemetryConfig } {
  const otlpEndpoint = file.telemetry?.otlpEndpoint ?? ctx.otlpEndpointFromEnv;
  return otlpEndpoint === undefined ? {} : { telemetry: { otlpEndpoint } };
}

function embeddedServer(
  server: FileConfig['slim']['server'],
  tls: ServerTlsMaterial | undefined,
  identity: IdentityConfig,
): EmbeddedServerConfig {
  const { tls: _files, auth: a, ...limits } = server ?? {};
  // Cross-checks guarantee slim.trust (hence a JWT identity) when auth.jwt is set.
  const auth: ServerAuthConfig | undefined = a?.basic
    ? { kind: 'basic', users: a.basic.map((u) => ({ ...u })) }
    : a?.jwt && identity.kind === 'jwt'
      ? { kind: 'jwt', identity }
      : undefined;
  return { ...(tls ? { tls } : {}), ...(auth ? { auth } : {}), limits: { ...DEFAULTS.node, ...limits } };
}

function nodeAuth(
  auth: NonNullable<FileConfig['slim']['nodeAuth']>,
  baseDir: string,
  identity: IdentityConfig,
): NodeAuthConfig {
  if (auth.basic) return { kind: 'basic', username: auth.basic.username, password: auth.basic.password };
  if (auth.bearer) return { kind: 'bearer', tokenFile: absolute(baseDir, auth.bearer.tokenFile) };
  // Cross-checks guarantee slim.jwt when nodeAuth.jwt is set.
  if (identity.kind !== 'jwt') throw new Error('unvalidated nodeAuth.jwt without slim.jwt');
  return { kind: 'jwt', identity };
}

/** Freezes plain objects and arrays (SLIM names are already frozen; byte arrays cannot be). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value))
    return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

function absolute(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolvePath(baseDir, file);
}

/** `slim.sharedSecret` or `slim.jwt` + `slim.trust` (cross-checks guarantee exactly one). */
function identityConfig(slim: FileConfig['slim'], baseDir: string): IdentityConfig {
  const jwt = slim.jwt;
  if (!jwt) return { kind: 'sharedSecret', secret: slim.sharedSecret! };
  const trust = slim.trust!;
  return {
    kind: 'jwt',
    ...(jwt.keyFile !== undefined ? { keyFile: absolute(baseDir, jwt.keyFile) } : {}),
    ...(jwt.tokenFile !== undefined ? { tokenFile: absolute(baseDir, jwt.tokenFile) } : {}),
    ...(jwt.issuer !== undefined ? { issuer: jwt.issuer } : {}),
    audience: jwt.audience ?? [],
    subject: jwt.subject ?? slim.name,
    lifetimeSeconds: jwt.lifetimeSeconds,
    trust: {
      keyFiles: trust.keyFiles.map((f) => absolute(baseDir, f)),
      ...(trust.jwksUrl !== undefined ? { jwksUrl: trust.jwksUrl } : {}),
      issuers: trust.issuers,
      ...(trust.audience !== undefined ? { audience: trust.audience } : {}),
    },
  };
}
