// The production GatewayDeps (ARCHITECTURE.md, Seams): our SLIM stack and the MCP and A2A adapters.
//   startNode       -> SlimNode (src/slim/node) listening on `slim.listen`, with the TLS,
//                      authentication and limits of `slim.server`
//   connectLink     -> embedded: an in-process link to that node; remote: the gRPC link
//                      (src/slim/dataplane) with the TLS material of `slim.tls` and the
//                      credentials of `slim.nodeAuth`; started here
//   createApp       -> createSlimApp (src/slim/session) with the identity of `slim.sharedSecret` or
//                      `slim.jwt` (identity.ts, src/slim/auth) and an MLS client (src/slim/mls)
//   createRpcServer / createRpcClient / createMulticast -> src/slim/rpc, MLS as configured
//   mcp.*, a2a.*    -> real-adapters.ts
// Every app gets a fresh token id, hence a fresh instance id (with JWT: the subject and a random
// suffix, docs/security.md): two processes (or two units of one process) with the same name are
// distinct instances on SLIM.
import { formatHostPort } from '../config/host-port.js';
import {
  BasicAuthenticator,
  BearerAuthenticator,
  BearerFileCredentials,
  GrpcLink,
  baseName,
  basicCredentials,
  bearerCredentials,
} from '../slim/dataplane/index.js';
import type { Link, LinkAuthenticator, LinkCredentials, SlimName } from '../slim/dataplane/index.js';
import type { EmbeddedServerConfig, NodeAuthConfig, ServerAuthConfig } from '../config/types.js';
import { JwtSigner } from '../slim/auth/index.js';
import type { Logger } from '../util/log.js';
import { createMlsClient } from '../slim/mls/index.js';
import { SlimNode } from '../slim/node/index.js';
import type { SlimNodeOptions } from '../slim/node/index.js';
import { createChannel, createMulticastChannel, createRpcServer, requireMls } from '../slim/rpc/index.js';
import { createSlimApp } from '../slim/session/index.js';
import type { SlimApp } from '../slim/session/index.js';
import { raceSignal } from '../util/abort.js';
import { GatewayError } from '../util/errors.js';
import { compilePatterns } from '../util/name-pattern.js';
import type { NameMatcher } from '../util/name-pattern.js';
import type { AppHandle, GatewayDeps, NodeHandle } from './deps.js';
import { GatewayIdentities, jwtSignerOptions } from './identity.js';
import { realA2aAdapter, realMcpAdapter } from './real-adapters.js';

export interface RealNode extends NodeHandle {
  readonly node: SlimNode;
}

export interface RealApp extends AppHandle {
  readonly app: SlimApp;
  /** Whether this gateway wants MLS (`slim.mls`): its channels use it and its servers demand it. */
  readonly mls: boolean;
}

/**
 * Calls a route's channel runs at once on its session. The SLIMRPC default (32) suits one program
 * calling one server; a route's channel is shared by every local client of the route, and MCP
 * `Listen` streams (one per open MCP session) and A2A streams hold their slot for minutes. With 32,
 * the 33rd open MCP session would wait for a slot its own requests never get. The local clients
 * (HTTP connections, at most `maxSessions` MCP sessions per route) are the real bound.
 */
export const ROUTE_MAX_CONCURRENT_CALLS = 4096;

/** When `signal` wins the race with `starting`, whatever `starting` later yields is closed. */
async function startOrDiscard<T extends { close(): Promise<unknown> }>(
  starting: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  try {
    return await raceSignal(starting, signal);
  } catch (err) {
    if (signal.aborted) void starting.then((late) => late.close()).catch(() => {});
    throw err;
  }
}

/** Why `identity` may not call the service `name` (services[].allow), or undefined when it may. */
function allowIt(allowed: NameMatcher, identity: string, name: SlimName): string | undefined {
  return allowed(identity) ? undefined : `not in the allow list of ${baseName(name)}`;
}

/** The SlimNode options of `slim.server`: TLS (mTLS with a client CA), Basic users, limits. */
async function nodeServerOptions(
  server: EmbeddedServerConfig | undefined,
  identities: GatewayIdentities,
  logger: Logger,
): Promise<Partial<SlimNodeOptions>> {
  if (!server) return {};
  const { tls, limits } = server;
  return {
    limits,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa } : {}) } } : {}),
    ...(server.auth ? { auth: await linkAuthenticator(server.auth, identities, logger) } : {}),
  };
}

/** Basic users, or bearer JWTs checked by the gateway's verifier of `slim.trust` (subject logged). */
async function linkAuthenticator(
  auth: ServerAuthConfig,
  identities: GatewayIdentities,
  logger: Logger,
): Promise<LinkAuthenticator> {
  if (auth.kind === 'basic') return new BasicAuthenticator(auth.users);
  const verifier = await identities.verifier(auth.identity, logger);
  return new BearerAuthenticator('jwt', (token) => verifier.verify(token).sub);
}

/** What our links present: Basic, a bearer token file, or a JWT of `slim.jwt` re-minted when due. */
function linkCredentials(auth: NodeAuthConfig): LinkCredentials {
  if (auth.kind === 'basic') return basicCredentials(auth);
  if (auth.kind === 'bearer') return new BearerFileCredentials(auth.tokenFile);
  const signer = new JwtSigner(jwtSignerOptions(auth.identity));
  return bearerCredentials('jwt', () => signer.current());
}

export function realDeps(): GatewayDeps<RealNode, RealApp> {
  const identities = new GatewayIdentities();
  return {
    async startNode({ listen, server, logger, signal }) {
      const node = await startOrDiscard(
        nodeServerOptions(server, identities, logger).then((o) =>
          SlimNode.create({ listen: formatHostPort(listen), logger, ...o }),
        ),
        signal,
      );
      return {
        node,
        // The bound port (the configured one, or the one the OS picked for port 0).
        address: formatHostPort({ host: listen.host, port: node.port ?? listen.port }),
        close: () => node.close(),
      };
    },

    async connectLink({ endpoint, timeoutMs, logger, signal }) {
      let link: Link;
      if (endpoint.kind === 'embedded') link = endpoint.node.node.connectInProcess();
      else {
        const tls = endpoint.tls;
        link = new GrpcLink({
          endpoint: endpoint.url,
          logger,
          connectTimeoutMs: timeoutMs,
          ...(tls ? { tls: { ...tls } } : {}),
          ...(endpoint.auth ? { auth: linkCredentials(endpoint.auth) } : {}),
        });
      }
      try {
        await link.start(signal);
      } catch (err) {
        await link.close();
        throw err;
      }
      return link;
    },

    async createApp({ link, name, identity: identityConfig, mls, logger, signal, allow }) {
      const identity = await raceSignal(identities.forApp(identityConfig, baseName(name), logger), signal);
      const allowed = allow ? compilePatterns(allow) : undefined;
      const app = await startOrDiscard(
        createSlimApp({
          name,
          link,
          identity,
          // A group the caller may not use is not joined. A point-to-point session is: the
          // reference has no refusal on the wire, so its caller learns why per call (server).
          ...(allowed ? { acceptPolicy: (r) => r.kind === 'p2p' || allowed(r.identity) } : {}),
          // Always able to join MLS sessions; whether ours use MLS is `mls` (channels, servers).
          mls: () => createMlsClient({ identity, verifier: identity, logger }),
          logger,
        }),
        signal,
      );
      return { name: app.name, app, mls, close: () => app.close() };
    },

    createRpcServer: (app, { logger, allow }) => {
      const allowed = allow ? compilePatterns(allow) : undefined;
      return createRpcServer(app.app, {
        logger,
        acceptSession: app.mls ? requireMls : () => true,
        ...(allowed ? { authorize: (c) => allowIt(allowed, c.identity, app.name) } : {}),
      });
    },

    createRpcClient: (app, target: SlimName, { logger }) =>
      createChannel(app.app, target, {
        mls: app.mls,
        logger,
        maxConcurrentCalls: ROUTE_MAX_CONCURRENT_CALLS,
      }),

    createMulticast: (app, members, { logger, signal }) => {
      if (signal.aborted) return Promise.reject(new GatewayError('CANCELLED', 'route start cancelled'));
      return Promise.resolve(
        createMulticastChannel(app.app, members, {
          mls: app.mls,
          logger,
          maxConcurrentCalls: ROUTE_MAX_CONCURRENT_CALLS,
        }),
      );
    },

    mcp: realMcpAdapter(),
    a2a: realA2aAdapter(),
  };
}
