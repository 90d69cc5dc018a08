// Gateways configured as a user would for authenticated links: one runs the embedded node with
// `slim.server` (mTLS with a client CA, Basic users), another attaches to it with `node: https://`,
// `slim.tls` and `slim.nodeAuth`. An MCP call crosses; a gateway without nodeAuth fails to start
// with an AUTH error that names the missing setting. The same with JWT identities: `nodeAuth:
// { jwt: true }` presents the gateway's slim.jwt token, `server.auth: { jwt: true }` checks it with
// slim.trust, and a gateway whose key the node does not trust cannot attach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isGatewayError } from '../../src/util/errors.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import type { RealGateway } from '../support/real-gateway.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtWorld } from '../support/reference-jwt.js';

const TLS = 'test/fixtures/tls';
const env = { NODE_PASSWORD: 'node-password-0123456789-0123456789' };
const mtls = `{ caFile: ${TLS}/ca.pem, certFile: ${TLS}/client.pem, keyFile: ${TLS}/client.key }`;

test(
  'a gateway attaches with nodeAuth to an embedded node requiring mTLS and Basic; without it, it cannot',
  { timeout: 180_000 },
  async (t) => {
    const started: RealGateway[] = [];
    t.after(async () => {
      for (const g of started.reverse()) await g.close();
    });
    const server = await startRealGateway(
      `slim:
  name: acme/demo/server-gateway
  sharedSecret: ${SHARED_SECRET}
  listen: "127.0.0.1:0"
  server:
    tls: { certFile: ${TLS}/node.pem, keyFile: ${TLS}/node.key, clientCaFile: ${TLS}/ca.pem }
    auth: { basic: [{ username: gw1, password: \${NODE_PASSWORD} }] }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`,
      { env },
    );
    started.push(server);
    const nodeUrl = server.nodeUrl!.replace('http://', 'https://');
    const slim = (name: string, extra: string) =>
      `slim: { node: "${nodeUrl}", name: ${name}, sharedSecret: ${SHARED_SECRET}, tls: ${mtls}${extra} }`;
    const client = await startRealGateway(
      `${slim('acme/demo/gateway', ', nodeAuth: { basic: { username: gw1, password: "${NODE_PASSWORD}" } }')}
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`,
      { env },
    );
    started.push(client);
    const mcp = new Client({ name: 'c', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${client.url}/mcp/tools`)));
    const res = await mcp.callTool({ name: 'echo', arguments: { text: 'authenticated' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'authenticated' }]);
    await mcp.close();

    await assert.rejects(
      startRealGateway(`${slim('acme/demo/other', ', connectTimeoutMs: 5000')}
http: { listen: "127.0.0.1:0" }
`),
      (err: unknown) =>
        isGatewayError(err, 'AUTH') && /requires credentials \(set slim.nodeAuth\)/.test(String(err)),
    );
    await assert.rejects(
      startRealGateway(
        `${slim('acme/demo/other', ', connectTimeoutMs: 5000, nodeAuth: { basic: { username: gw1, password: wrong } }')}
http: { listen: "127.0.0.1:0" }
`,
      ),
      (err: unknown) => isGatewayError(err, 'AUTH') && /refused our basic credentials/.test(String(err)),
    );
  },
);

test(
  'gateways with JWT identities: nodeAuth jwt to an embedded node with server.auth jwt; an untrusted key is refused',
  { timeout: 180_000 },
  async (t) => {
    const world = await jwtWorld(['acme/demo/server-gateway', 'acme/demo/gateway']);
    const started: RealGateway[] = [];
    t.after(async () => {
      for (const g of started.reverse()) await g.close();
      world.close();
    });
    const identity = (subject: string, keyFile: string) => `
  jwt: { keyFile: "${keyFile}", subject: ${subject}, issuer: "${JWT_ISSUER}", audience: [${JWT_AUDIENCE}] }
  trust: { keyFiles: ["${world.jwksFile}"], issuers: ["${JWT_ISSUER}"], audience: ${JWT_AUDIENCE} }`;
    const server = await startRealGateway(`slim:
  name: acme/demo/server-gateway
  listen: "127.0.0.1:0"${identity('acme/demo/server-gateway', world.parties.get('acme/demo/server-gateway')!.keyFile)}
  server:
    tls: { certFile: ${TLS}/node.pem, keyFile: ${TLS}/node.key }
    auth: { jwt: true }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`);
    started.push(server);
    const nodeUrl = server.nodeUrl!.replace('http://', 'https://');
    const client = (keyFile: string, extra = '') => `slim:
  node: "${nodeUrl}"
  name: acme/demo/gateway
  tls: { caFile: ${TLS}/ca.pem }
  nodeAuth: { jwt: true }${identity('acme/demo/gateway', keyFile)}${extra}
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`;
    const gw = await startRealGateway(client(world.parties.get('acme/demo/gateway')!.keyFile));
    started.push(gw);
    const mcp = new Client({ name: 'c', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/tools`)));
    const res = await mcp.callTool({ name: 'echo', arguments: { text: 'with JWTs' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'with JWTs' }]);
    await mcp.close();

    await assert.rejects(
      startRealGateway(client(world.untrusted.keyFile, '\n  connectTimeoutMs: 5000')),
      (err: unknown) => isGatewayError(err, 'AUTH') && /refused our jwt credentials/.test(String(err)),
    );
  },
);
