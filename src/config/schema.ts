// The configuration file's shape (README.md#configuration), as a strict zod schema: unknown keys
// are errors, defaults are explicit, and each field checks itself (names with parseName, paths,
// addresses, secret lengths). Checks that span several fields (exactly one of mcp/a2a, unique
// paths, tls only with https) live in cross-checks.ts so they run even when a field is wrong.
// config/gateway.schema.json is generated from this schema for editors (drift-checked in tests).
import { z } from 'zod';
import { parseName, NULL_ID } from '../slim/dataplane/name.js';
import { describeError } from '../util/errors.js';
import { DEFAULT_MAX_BODY_BYTES } from '../util/http.js';
import { patternProblem } from '../util/name-pattern.js';
import { parseHostPort } from './host-port.js';

export const DEFAULTS = {
  slimListen: '127.0.0.1:46357',
  httpListen: '127.0.0.1:8080',
  connectTimeoutMs: 15_000,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  // Longer than the usual 60 s idle timeout of proxies and load balancers in front of us, so they
  // close first.
  keepAliveTimeoutMs: 65_000,
  // Receiving a request (not answering it: SSE streams and long tool calls are not cut): a client
  // gets 10 s for its headers and 30 s for the whole request, so slow clients cannot hold
  // connections (docs/security.md, "Local edge limits").
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Open connections from one client address at once; loopback clients all share one address.
  maxConnectionsPerClient: 256,
  routeTimeoutMs: 300_000,
  spawnReadyTimeoutMs: 30_000,
  // MCP sessions one service holds at once. A stdio server is one process per session (50-100 MB
  // of RSS each for a Node server), so 64; an HTTP server session costs the gateway about 20-30 KiB of heap
  // (BENCHMARKS.md), so as many as a route accepts (1,000).
  mcpStdioMaxSessions: 64,
  mcpHttpMaxSessions: 1_000,
  mcpIdleTimeoutMs: 30 * 60_000,
  // A session whose client looks gone (its Listen ended, or nothing came after initialize).
  mcpAbandonedTimeoutMs: 60_000,
  shutdownGraceMs: 10_000,
  minSecretLength: 32,
  // The embedded node's listener limits (src/slim/node/limits.ts holds the same defaults for a node
  // built without a configuration; a unit test keeps the two equal).
  node: {
    handshakeTimeoutMs: 10_000,
    maxConnections: 1_024,
    maxConnectionsPerAddress: 128,
    maxStreamsPerConnection: 8,
    maxSubscriptionsPerConnection: 4_096,
    maxSubscriptions: 32_768,
  },
  jwtLifetimeSeconds: 3600,
} as const;

/** Paths the HTTP edge serves itself; routes may not use them. */
export const RESERVED_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

const ms = (what: string) => z.number().int().min(0).describe(`${what}, in milliseconds`);

const nonEmpty = z.string().min(1);

function slimName(allowId: boolean) {
  return z
    .string()
    .superRefine((text, ctx) => {
      try {
        const name = parseName(text);
        if (!allowId && name.id !== NULL_ID)
          ctx.addIssue({
            code: 'custom',
            message: `"${text}" must be org/namespace/app, without an instance id`,
          });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: describeError(err) });
      }
    })
    .meta({ examples: ['acme/demo/weather'] });
}

const hostPort = z.string().superRefine((text, ctx) => {
  const hp = parseHostPort(text);
  if (typeof hp === 'string') ctx.addIssue({ code: 'custom', message: hp });
});

function httpUrl(what: string) {
  return z.string().superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${what} "${text}" is not a URL` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      ctx.addIssue({ code: 'custom', message: `${what} must be an http:// or https:// URL` });
  });
}

// The length is checked in a refinement rather than with min(): in the editor the value is often a
// `${VAR}` reference, shorter than the secret it stands for, and the JSON Schema must not flag it.
const secret = (what: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      // Never echo the value: say how long it is, not what it is.
      if (text.length < DEFAULTS.minSecretLength)
        ctx.addIssue({
          code: 'custom',
          message: `${what} must be at least ${DEFAULTS.minSecretLength} characters (it has ${text.length})`,
        });
    })
    .describe(`${what}, at least ${DEFAULTS.minSecretLength} characters`);

const routePath = z
  .string()
  .superRefine((text, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (!text.startsWith('/')) return bad(`route path "${text}" must start with /`);
    if (text === '/') return bad('route path must not be / (it would capture every endpoint)');
    if (text.endsWith('/')) return bad(`route path "${text}" must not end with /`);
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(text))
      return bad(`route path "${text}" may only hold segments of letters, digits and . _ ~ -`);
    if (text.split('/').some((s) => s === '.' || s === '..'))
      return bad(`route path "${text}" must not contain . or .. segments`);
    for (const reserved of RESERVED_PATHS)
      if (text === reserved || text.startsWith(`${reserved}/`))
        return bad(`route path "${text}" is reserved for the gateway's ${reserved} endpoint`);
  })
  .meta({ examples: ['/mcp/weather'] });

const origin = z.string().superRefine((text, ctx) => {
  if (!/^https?:\/\/[^/\s]+$/.test(text))
    ctx.addIssue({
      code: 'custom',
      message: `origin "${text}" must be scheme://host[:port], e.g. http://localhost:3000`,
    });
});

/** Environment values may be written as numbers or booleans in YAML; children get strings. */
const envMap = z
  .record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }),
  )
  .describe('extra environment variables for the process (added to the gateway environment)');

const stringMap = z.record(z.string(), z.string());

const tlsSchema = z
  .strictObject({
    caFile: nonEmpty.optional().describe('CA bundle (PEM) to verify the node, relative to this file'),
    certFile: nonEmpty.optional().describe('client certificate (PEM), for mTLS'),
    keyFile: nonEmpty.optional().describe('client private key (PEM), for mTLS'),
  })
  .describe('TLS to an https:// node');

const jwtSchema = z
  .strictObject({
    keyFile: nonEmpty
      .optional()
      .describe('private key (PEM or JWK) our tokens are signed with; the algorithm comes from the key'),
    tokenFile: nonEmpty
      .optional()
      .describe('instead of keyFile: a JWT an IdP issued, re-read when it changes'),
    issuer: nonEmpty.optional().describe('iss of our tokens'),
    audience: z
      .union([nonEmpty.transform((a) => [a]), z.array(nonEmpty)])
      .optional()
      .describe('aud of our tokens (a list; peers require their trust.audience in it)'),
    subject: nonEmpty
      .optional()
      .describe("sub of our tokens (default: slim.name); what peers' allow lists match"),
    lifetimeSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(DEFAULTS.jwtLifetimeSeconds)
      .describe('token lifetime; tokens are re-minted at 4/5 of it'),
  })
  .describe("a real identity: signed tokens, as the reference's Jwt / StaticJwt providers");

const trustSchema = z
  .strictObject({
    keyFiles: z
      .array(nonEmpty)
      .default([])
      .describe('PEM public keys, JWK or JWKS files whose tokens we accept (re-read when they change)'),
    jwksUrl: httpUrl('jwksUrl')
      .optional()
      .describe('a JWKS fetched at start, cached, and fetched again on an unknown kid (at most every 30 s)'),
    issuers: z
      .array(nonEmpty)
      .default([])
      .describe('accepted iss values (none: any issuer the keys sign for)'),
    audience: nonEmpty.optional().describe('required member of aud'),
  })
  .describe('whose tokens we accept (required with jwt)');

/** One of the listed keys, exactly (the schema accepts each; the message names them all). */
function exactlyOne<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[], what: string) {
  return (v: T, ctx: z.RefinementCtx) => {
    const set = keys.filter((k) => v[k] !== undefined);
    if (set.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `${what} needs exactly one of ${keys.join(', ')}${set.length > 1 ? ` (found ${set.join(', ')})` : ''}`,
      });
  };
}

const linkJwt = z.literal(true);

const nodeAuthSchema = z
  .strictObject({
    basic: z
      .strictObject({
        username: nonEmpty.regex(/^[^:]*$/, 'a Basic username cannot contain ":"'),
        password: nonEmpty,
      })
      .optional()
      .describe('HTTP Basic, as the reference client sends it'),
    bearer: z
      .strictObject({
        tokenFile: nonEmpty.describe(
          'file holding the token, relative to this file; read again when it changes',
        ),
      })
      .optional()
      .describe('a bearer token from a file (the reference static JWT client auth)'),
    jwt: linkJwt
      .optional()
      .describe('a JWT of slim.jwt (signed with its key, or its token file), re-minted before it expires'),
  })
  .superRefine(exactlyOne(['basic', 'bearer', 'jwt'], 'nodeAuth'))
  .describe('credentials presented to the SLIM node on every connect (one of basic, bearer, jwt)');

const serverTlsSchema = z
  .strictObject({
    certFile: nonEmpty.describe("the node's certificate chain (PEM), relative to this file"),
    keyFile: nonEmpty.describe("the node's private key (PEM)"),
    clientCaFile: nonEmpty
      .optional()
      .describe('CA bundle (PEM) client certificates must chain to: mTLS, clients without one are refused'),
  })
  .describe("TLS on the embedded node's listener (https://)");

const serverAuthSchema = z
  .strictObject({
    basic: z
      .array(
        z.strictObject({
          username: nonEmpty.regex(/^[^:]*$/, 'a Basic username cannot contain ":"'),
          password: secret('a node password'),
        }),
      )
      .min(1)
      .optional()
      .describe('users allowed to link with HTTP Basic'),
    jwt: linkJwt.optional().describe('a bearer JWT that slim.trust accepts (keys, issuers, audience)'),
  })
  .superRefine(exactlyOne(['basic', 'jwt'], 'server.auth'))
  .describe('every link to the embedded node must authenticate (refused with UNAUTHENTICATED)');

const positive = (what: string) => z.number().int().min(1).describe(what);
const L = DEFAULTS.node;

const serverSchema = z
  .strictObject({
    tls: serverTlsSchema.optional(),
    auth: serverAuthSchema.optional(),
    handshakeTimeoutMs: positive(
      'a connection without a negotiated link for this long is closed, in milliseconds',
    ).default(L.handshakeTimeoutMs),
    maxConnections: positive('TCP connections held at once').default(L.maxConnections),
    maxConnectionsPerAddress: positive('TCP connections held at once from one IP address').default(
      L.maxConnectionsPerAddress,
    ),
    maxStreamsPerConnection: positive('concurrent OpenChannel streams on one connection').default(
      L.maxStreamsPerConnection,
    ),
    maxSubscriptionsPerConnection: positive('subscriptions of one link; past it the link is closed').default(
      L.maxSubscriptionsPerConnection,
    ),
    maxSubscriptions: positive('subscriptions of all links together; past it a Subscribe is refused').default(
      L.maxSubscriptions,
    ),
  })
  .describe("the embedded node's listener: TLS, authentication and limits (node: embedded only)");

const slimSchema = z
  .strictObject({
    node: z
      .string()
      .default('embedded')
      .superRefine((text, ctx) => {
        if (text === 'embedded') return;
        try {
          const url = new URL(text);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: `node must be "embedded" or the http(s):// URL of a SLIM node, not "${text}"`,
          });
        }
      })
      .describe('"embedded" (a SLIM node in this process) or the URL of an existing node'),
    listen: hostPort
      .default(DEFAULTS.slimListen)
      .describe('address of the embedded node (node: embedded only)'),
    name: slimName(false).describe("this gateway's SLIM name, org/namespace/app"),
    sharedSecret: secret('the shared identity secret')
      .optional()
      .describe('development identity: a secret shared with peers (any holder can claim any name)'),
    jwt: jwtSchema.optional(),
    trust: trustSchema.optional(),
    mls: z.boolean().default(true).describe('end-to-end encryption of every session with MLS'),
    tls: tlsSchema.optional(),
    nodeAuth: nodeAuthSchema.optional(),
    server: serverSchema.optional(),
    connectTimeoutMs: ms('deadline for reaching the SLIM node at startup').default(DEFAULTS.connectTimeoutMs),
  })
  .describe('the SLIM side: node, identity, encryption');

const httpSchema = z
  .strictObject({
    listen: hostPort.default(DEFAULTS.httpListen).describe('address of the local MCP/A2A endpoints'),
    allowNonLoopback: z
      .boolean()
      .default(false)
      .describe('allow a listen address other than loopback (then set bearerTokens)'),
    bearerTokens: z
      .array(secret('a bearer token'))
      .optional()
      .describe('if set, every local endpoint but /healthz and /readyz requires Authorization: Bearer'),
    allowedOrigins: z
      .array(origin)
      .default([])
      .describe('browser origins allowed besides loopback ones (DNS-rebinding protection)'),
    allowedHosts: z
      .array(nonEmpty)
      .default([])
      .describe('Host header values allowed besides loopback names, with an optional :port'),
    maxBodyBytes: z.number().int().min(1).default(DEFAULTS.maxBodyBytes).describe('request body limit'),
    trustForwardedHeaders: z
      .boolean()
      .default(true)
      .describe('build public URLs (agent cards) from X-Forwarded-Proto/Host/Prefix'),
    keepAliveTimeoutMs: ms('idle keep-alive connection timeout').default(DEFAULTS.keepAliveTimeoutMs),
    headersTimeoutMs: ms('deadline for receiving request headers (also an idle new connection)').default(
      DEFAULTS.headersTimeoutMs,
    ),
    requestTimeoutMs: ms(
      'deadline for receiving a whole request, headers and body (0: none); the answer is not limited',
    ).default(DEFAULTS.requestTimeoutMs),
    maxConnectionsPerClient: z
      .number()
      .int()
      .min(0)
      .default(DEFAULTS.maxConnectionsPerClient)
      .describe(
        'open connections one client address may hold at once; past it a new connection gets 503 ' +
          'and is closed (0: no limit)',
      ),
  })
  .describe('local endpoints for MCP and A2A clients');

const mcpBackendSchema = z
  .strictObject({
    command: nonEmpty.optional().describe('stdio server: the command to spawn'),
    args: z.array(z.string()).optional(),
    env: envMap.optional(),
    cwd: nonEmpty.optional().describe('working directory, relative to this file (default: its directory)'),
    url: httpUrl('mcp.url').optional().describe('Streamable HTTP server URL'),
    headers: stringMap.optional().describe('HTTP headers sent to the server'),
    maxSessions: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        `most MCP sessions held at once (each caller's stateless traffic counts as one); past it a new ` +
          `session is refused with TooManySessions. Default ${DEFAULTS.mcpStdioMaxSessions} for a stdio ` +
          `server (one process per session), ${DEFAULTS.mcpHttpMaxSessions} for a url`,
      ),
    idleTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .optional()
      .describe(
        `an MCP session with nothing in flight for this long is closed, in milliseconds ` +
          `(default ${DEFAULTS.mcpIdleTimeoutMs}: 30 minutes)`,
      ),
    maxSessionsPerCaller: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "most MCP sessions one caller (client gateway) may hold; at its share a caller's new session " +
          'takes the place of its own least recently used idle one (default: maxSessions)',
      ),
    abandonedTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .optional()
      .describe(
        'an MCP session whose client looks gone (its Listen stream ended and nothing came since, or ' +
          `nothing came after its initialize) is closed after this long, in milliseconds (default ` +
          `${DEFAULTS.mcpAbandonedTimeoutMs}; at most idleTimeoutMs)`,
      ),
  })
  .describe('a local MCP server: { command, args } (stdio) or { url } (Streamable HTTP)');

const a2aBackendSchema = z
  .strictObject({
    url: httpUrl('a2a.url').describe('base URL of the A2A agent (JSON-RPC)'),
    headers: stringMap.optional().describe('HTTP headers sent to the agent'),
  })
  .describe('a local A2A agent');

const spawnSchema = z
  .strictObject({
    command: nonEmpty,
    args: z.array(z.string()).optional(),
    env: envMap.optional(),
    cwd: nonEmpty.optional().describe('working directory, relative to this file (default: its directory)'),
    readyTimeoutMs: ms('how long to wait for the service URL to accept connections').default(
      DEFAULTS.spawnReadyTimeoutMs,
    ),
  })
  .describe('a process the gateway starts (and stops) for a service with a url, e.g. an A2A agent');

/** A name pattern of the access rules (src/util/name-pattern.ts: `*` within a segment, `**` segments). */
const namePattern = z
  .string()
  .superRefine((text, ctx) => {
    const problem = patternProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ examples: ['acme/clients/*', 'get_*'] });

const patternList = (what: string) =>
  z.array(namePattern).min(1, `${what} needs at least one pattern (or leave it out)`);

const toolFilterSchema = z
  .strictObject({
    allow: patternList('tools.allow')
      .optional()
      .describe('only tools whose name matches one of these are listed and callable (default: all)'),
    deny: patternList('tools.deny')
      .optional()
      .describe('tools whose name matches one of these are hidden from tools/list and refused at call'),
  })
  .describe('MCP only: which tools are offered (patterns: * within a name segment, ** for whole segments)');

const serviceSchema = z
  .strictObject({
    name: slimName(false).describe('the SLIM name the service is offered under'),
    description: z.string().optional(),
    mcp: mcpBackendSchema.optional(),
    a2a: a2aBackendSchema.optional(),
    spawn: spawnSchema.optional(),
    forwardAuthorization: z
      .boolean()
      .default(false)
      .describe(
        "pass a caller's Authorization header on to the server or agent (carried inside the encrypted " +
          'call); off: such a header is dropped',
      ),
    allow: patternList('allow')
      .optional()
      .describe(
        "who may call: patterns on the caller's verified identity (JWT subject; with sharedSecret, " +
          'the name it claims); * matches within one name segment, ** any number of whole segments. ' +
          'Default: any identity this gateway trusts',
      ),
    tools: toolFilterSchema.optional(),
  })
  .describe('a local server or agent offered on SLIM (exactly one of mcp, a2a)');

const routeTargetSchema = z.union(
  [
    slimName(true),
    z.strictObject({
      group: z.array(slimName(true)).min(1).describe('every member gets each call'),
    }),
  ],
  { error: 'must be a SLIM name (org/namespace/app) or { group: [names] }' },
);

const routeSchema = z
  .strictObject({
    path: routePath.describe('local path, e.g. /mcp/weather'),
    description: z.string().optional(),
    mcp: routeTargetSchema.optional().describe('SLIM name of an MCP service, or { group: [names] }'),
    a2a: routeTargetSchema.optional().describe('SLIM name of an A2A agent, or { group: [names] }'),
    timeoutMs: ms('deadline of each call through this route')
      .min(1, 'a route timeoutMs must be at least 1 (0 would fail every call at once)')
      .default(DEFAULTS.routeTimeoutMs),
    tools: toolFilterSchema
      .optional()
      .describe('MCP routes only: tools hidden from tools/list and refused at call, on the client side'),
  })
  .describe('a local endpoint that reaches services on SLIM (exactly one of mcp, a2a)');

const logSchema = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    format: z
      .enum(['auto', 'json', 'pretty'])
      .default('auto')
      .describe('auto: pretty on a terminal, JSON otherwise'),
  })
  .describe('logging (SLIM_GATEWAY_LOG_LEVEL and SLIM_GATEWAY_LOG_FORMAT override)');

const telemetrySchema = z
  .strictObject({
    otlpEndpoint: httpUrl('telemetry.otlpEndpoint').describe(
      'OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318 (spans go to /v1/traces)',
    ),
  })
  .describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT is honoured when this is absent)');

export const configSchema = z
  .strictObject({
    slim: slimSchema,
    http: httpSchema.prefault({}),
    services: z.array(serviceSchema).default([]),
    routes: z.array(routeSchema).default([]),
    log: logSchema.prefault({}),
    telemetry: telemetrySchema.optional(),
    shutdownGraceMs: ms('how long in-flight calls may finish at shutdown').default(DEFAULTS.shutdownGraceMs),
    reload: z.boolean().default(true).describe('apply changes to services and routes when this file changes'),
    warmUp: z
      .boolean()
      .default(true)
      .describe(
        'before reporting ready, run the per-call path on throw-away objects for up to 300 ms of CPU so the first calls are faster',
      ),
  })
  .meta({ title: 'slim-gateway configuration' });

/** The file as validated, with defaults applied (before names and addresses are resolved). */
export type FileConfig = z.output<typeof configSchema>;
