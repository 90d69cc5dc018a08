// MCP authorization through two gateway processes (`slim-gateway run`, MLS on), with real peers:
// an MCP server that requires OAuth (the MCP SDK's requireBearerAuth and protected resource
// metadata), an authorization server built from the SDK's mcpAuthRouter with its in-memory
// provider, and the SDK's own client doing the OAuth flow through an OAuthClientProvider.
//   - the route relays the server's 401 with a resource_metadata URL at the route, serves the
//     metadata with `resource` set to the route URL; the client registers, gets a token from the
//     authorization server and its calls then succeed; the server saw exactly that token;
//   - a service without forwardAuthorization drops a client's Authorization header (MCP and A2A);
//     an A2A service with it passes the header to the agent;
//   - an A2A agent that wants a token: its 401 and WWW-Authenticate reach the route's client, and
//     the @a2a-js/sdk client's authentication handler retries with a token that then works;
//   - no token appears in either gateway's log (debug level).
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  createOAuthMetadata,
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
  mcpAuthRouter,
} from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import { startGatewayProcess } from '../support/a2a-gateways.js';
import type { GatewayProcess } from '../support/a2a-gateways.js';
import { startTestHttpServer } from '../support/mcp/test-server.js';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { createAuthenticatingFetchWithRetry } from '@a2a-js/sdk/client';
import { messageAnswer } from '../support/a2a-scenarios.js';
import { startRecordingProxy, TEST_CHALLENGE } from '../support/recording-proxy.js';
import type { RecordingProxy } from '../support/recording-proxy.js';
import { freePort } from '../support/reference.js';
import { SHARED_SECRET } from '../support/real-gateway.js';
import { until } from '../support/until.js';

const HANG_GUARD = { timeout: 120_000 };

/** An authorization server and an MCP server that requires its tokens. */
async function protectedMcpServer(t: TestContext) {
  const provider = new DemoInMemoryAuthProvider();
  const asApp = express();
  const asPort = await freePort();
  const issuerUrl = new URL(`http://127.0.0.1:${asPort}`);
  asApp.use(mcpAuthRouter({ provider, issuerUrl, scopesSupported: ['mcp:tools'] }));
  const asServer: Server = await new Promise((resolve) => {
    const s = asApp.listen(asPort, '127.0.0.1', () => resolve(s));
  });
  t.after(() => {
    asServer.closeAllConnections();
    asServer.close();
  });

  const seenAuthorization: string[] = [];
  const rsApp = express();
  const rsPort = await freePort();
  const mcpUrl = new URL(`http://127.0.0.1:${rsPort}/mcp`);
  rsApp.use(
    mcpAuthMetadataRouter({
      oauthMetadata: createOAuthMetadata({ provider, issuerUrl, scopesSupported: ['mcp:tools'] }),
      resourceServerUrl: mcpUrl,
      scopesSupported: ['mcp:tools'],
    }),
  );
  rsApp.use((req, _res, next) => {
    if (req.headers.authorization) seenAuthorization.push(req.headers.authorization);
    next();
  });
  const auth = requireBearerAuth({
    verifier: provider,
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
  });
  rsApp.use('/mcp', auth, express.json(), (req, res) => {
    void (async () => {
      const server = new McpServer({ name: 'protected', version: '1.0.0' });
      server.registerTool('whoami', { description: 'who is calling' }, (extra) => ({
        content: [{ type: 'text', text: `client ${extra.authInfo?.clientId ?? 'unknown'}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    })();
  });
  const rsServer: Server = await new Promise((resolve) => {
    const s = rsApp.listen(rsPort, '127.0.0.1', () => resolve(s));
  });
  t.after(() => {
    rsServer.closeAllConnections();
    rsServer.close();
  });
  return { url: mcpUrl.href, issuer: issuerUrl.href, seenAuthorization };
}

/** The SDK client's OAuth state, kept in memory; the "user" approves by following the redirect. */
class TestOAuthClient implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  code: string | undefined;
  authorizationUrl: URL | undefined;
  readonly redirectUrl = 'http://127.0.0.1:1/callback';
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'auth-passthrough-test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    assert.ok(location, `the authorization server redirected (HTTP ${res.status})`);
    this.code = new URL(location).searchParams.get('code') ?? undefined;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

async function deploy(t: TestContext, services: string, routes: string) {
  const port = await freePort();
  const debug = { SLIM_GATEWAY_LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
  const server = await startGatewayProcess(
    `
slim: { node: embedded, listen: 127.0.0.1:${port}, name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: 127.0.0.1:0 }
services:
${services}`,
    debug,
  );
  t.after(() => server.stop());
  const client = await startGatewayProcess(
    `
slim: { node: "http://127.0.0.1:${port}", name: acme/demo/client-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: 127.0.0.1:0 }
routes:
${routes}`,
    debug,
  );
  t.after(() => client.stop());
  await until(
    async () => (await fetch(`${client.url}/readyz`).catch(() => undefined))?.status === 200,
    'the route side to be ready',
    30_000,
  );
  return { server, client };
}

function assertNotLogged(gateways: GatewayProcess[], secret: string): void {
  for (const g of gateways)
    assert.ok(
      !g.child.stderrText.some((line) => line.includes(secret)),
      'the token appears in no gateway log line',
    );
}

test(
  'an MCP server that requires OAuth, through two gateways, with the SDK OAuth client',
  HANG_GUARD,
  async (t) => {
    const upstream = await protectedMcpServer(t);
    const { server, client } = await deploy(
      t,
      `  - { name: acme/demo/protected, mcp: { url: "${upstream.url}" }, forwardAuthorization: true }`,
      `  - { path: /mcp/protected, mcp: acme/demo/protected }`,
    );
    const routeUrl = `${client.url}/mcp/protected`;

    // Without a token: a 401 whose resource_metadata is at the route, and that metadata names the
    // route as the resource and the authorization server as the server named it.
    const bare = await fetch(routeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });
    assert.equal(bare.status, 401);
    const challenge = bare.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.ok(
      challenge.includes(`resource_metadata="${routeUrl}/.well-known/oauth-protected-resource"`),
      challenge,
    );
    const prm = (await (await fetch(`${routeUrl}/.well-known/oauth-protected-resource`)).json()) as {
      resource: string;
      authorization_servers: string[];
    };
    assert.equal(prm.resource, routeUrl);
    assert.deepEqual(prm.authorization_servers, [upstream.issuer]);

    // The SDK client: 401, discovery, registration, authorization, token; then the call succeeds.
    const oauth = new TestOAuthClient();
    const first = new StreamableHTTPClientTransport(new URL(routeUrl), { authProvider: oauth });
    await assert.rejects(
      new Client({ name: 'oauth-test', version: '1.0.0' }).connect(first),
      (err: unknown) => err instanceof UnauthorizedError,
    );
    assert.ok(oauth.code, 'the client went through the authorization endpoint');
    assert.equal(oauth.authorizationUrl?.origin, new URL(upstream.issuer).origin);
    await first.finishAuth(oauth.code);
    const token = oauth.saved?.access_token;
    assert.ok(token, 'the client obtained a token');

    const mcp = new Client({ name: 'oauth-test', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(routeUrl), { authProvider: oauth }));
    t.after(() => mcp.close());
    const result = await mcp.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: `client ${String(oauth.info?.client_id)}` }]);
    assert.ok(upstream.seenAuthorization.includes(`Bearer ${token}`), 'the MCP server got the token');
    await mcp.close();
    assertNotLogged([client, server], token);
  },
);

test(
  'Authorization is dropped without forwardAuthorization, passed to an A2A agent with it',
  HANG_GUARD,
  async (t) => {
    const mcp = await startTestHttpServer();
    t.after(() => mcp.close());
    const mcpProxy = await startRecordingProxy(mcp.url);
    t.after(() => mcpProxy.close());
    const agent = await startPlannerAgent({ stepDelayMs: 0 });
    t.after(() => agent.close());
    const plain: RecordingProxy = await startRecordingProxy(agent.url);
    t.after(() => plain.close());
    const forwarding: RecordingProxy = await startRecordingProxy(agent.url);
    t.after(() => forwarding.close());
    const { server, client } = await deploy(
      t,
      `  - { name: acme/demo/tools, mcp: { url: "${mcpProxy.url}/mcp" } }
  - { name: acme/demo/plain-agent, a2a: { url: "${plain.url}" } }
  - { name: acme/demo/agent, a2a: { url: "${forwarding.url}" }, forwardAuthorization: true }`,
      `  - { path: /mcp/tools, mcp: acme/demo/tools }
  - { path: /a2a/plain, a2a: acme/demo/plain-agent }
  - { path: /a2a/agent, a2a: acme/demo/agent }`,
    );
    const secret = `Bearer ${randomUUID()}`;

    const mcpClient = new Client({ name: 'no-forward', version: '1.0.0' });
    await mcpClient.connect(
      new StreamableHTTPClientTransport(new URL(`${client.url}/mcp/tools`), {
        requestInit: { headers: { authorization: secret } },
      }),
    );
    const echoed = await mcpClient.callTool({ name: 'echo', arguments: { text: 'hi' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'hi' }]);
    await mcpClient.close();
    assert.ok(mcpProxy.requests.length > 0);
    assert.ok(
      mcpProxy.requests.every((r) => r.headers.authorization === undefined),
      'MCP server got no Authorization',
    );

    const send = async (path: string) => {
      const res = await fetch(`${client.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: secret },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'plan' }] } },
        }),
      });
      const body = (await res.json()) as { result?: unknown; error?: unknown };
      assert.ok(body.result, `SendMessage answered ${JSON.stringify(body.error)}`);
    };
    await send('/a2a/plain');
    await send('/a2a/agent');
    const posts = (p: RecordingProxy) => p.requests.filter((r) => r.method === 'POST');
    assert.ok(posts(plain).length > 0 && posts(forwarding).length > 0);
    assert.ok(
      posts(plain).every((r) => r.headers.authorization === undefined),
      'plain agent got no Authorization',
    );
    assert.ok(
      posts(forwarding).every((r) => r.headers.authorization === secret),
      'the agent got the header',
    );
    assertNotLogged([client, server], secret.slice('Bearer '.length));
  },
);

test(
  "an A2A agent's 401 reaches the client with its challenge; the SDK's auth handler then succeeds",
  HANG_GUARD,
  async (t) => {
    const agent = await startPlannerAgent({ stepDelayMs: 0 });
    t.after(() => agent.close());
    const token = `Bearer ${randomUUID()}`;
    const locked = await startRecordingProxy(agent.url, { requireAuthorization: token });
    t.after(() => locked.close());
    const { server, client } = await deploy(
      t,
      `  - { name: acme/demo/locked-agent, a2a: { url: "${locked.url}" }, forwardAuthorization: true }`,
      `  - { path: /a2a/locked, a2a: acme/demo/locked-agent }`,
    );
    const routeUrl = `${client.url}/a2a/locked`;

    // Without a token: the agent's status and challenge, unary and streaming alike.
    for (const method of ['SendMessage', 'SendStreamingMessage']) {
      const res = await fetch(routeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0', accept: 'text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method,
          params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hi' }] } },
        }),
      });
      assert.equal(res.status, 401, `${method}: HTTP status`);
      assert.equal(res.headers.get('www-authenticate'), TEST_CHALLENGE, `${method}: the agent's challenge`);
      const body = (await res.json()) as { id?: unknown; error?: { message?: string } };
      assert.equal(body.id, 7);
      assert.match(body.error?.message ?? '', /requires authentication/);
    }

    // The SDK client: its handler sees the 401, answers the challenge with a token, retries.
    const challenges: string[] = [];
    const fetchImpl = createAuthenticatingFetchWithRetry(fetch, {
      headers: () => Promise.resolve({}),
      shouldRetryWithHeaders: (_req, res) => {
        if (res.status !== 401) return Promise.resolve(undefined);
        challenges.push(res.headers.get('www-authenticate') ?? '');
        return Promise.resolve({ authorization: token });
      },
    });
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
      }),
    );
    const a2a = await factory.createFromUrl(`${routeUrl}/`);
    await messageAnswer(a2a);
    assert.deepEqual(challenges, [TEST_CHALLENGE], 'one challenge, answered once');
    const posts = locked.requests.filter((r) => r.method === 'POST');
    assert.equal(
      posts.filter((r) => r.headers.authorization === token).length,
      1,
      'the agent got the token once',
    );
    assertNotLogged([client, server], token.slice('Bearer '.length));
  },
);
