// Two gateways attached to a SLIM node that requires mTLS (our node, test certificates from
// test/fixtures/tls), configured as a user would: `node: https://...` and `slim.tls` with caFile,
// certFile and keyFile. An MCP call crosses; a gateway without a client certificate cannot attach
// and fails to start with a clear error within its connect deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { isGatewayError } from '../../src/util/errors.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { REPO_ROOT } from '../support/paths.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import type { RealGateway } from '../support/real-gateway.js';

const TLS = 'test/fixtures/tls';
const pem = (f: string) => new Uint8Array(readFileSync(join(REPO_ROOT, TLS, f)));

test(
  'gateways attach to an mTLS node with slim.tls; without a client certificate they cannot',
  { timeout: 180_000 },
  async (t) => {
    const node = await SlimNode.create({
      listen: '127.0.0.1:0',
      tls: { cert: pem('node.pem'), key: pem('node.key'), ca: pem('ca.pem') },
    });
    const started: RealGateway[] = [];
    t.after(async () => {
      for (const g of started.reverse()) await g.close();
      await node.close();
    });
    const slim = (name: string, tls: string, extra = '') =>
      `slim: { node: "${node.endpoint}", name: ${name}, sharedSecret: ${SHARED_SECRET}, tls: ${tls}${extra} }`;
    const mtls = `{ caFile: ${TLS}/ca.pem, certFile: ${TLS}/client.pem, keyFile: ${TLS}/client.key }`;

    const server = await startRealGateway(`${slim('acme/demo/server-gateway', mtls)}
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`);
    started.push(server);
    const client = await startRealGateway(`${slim('acme/demo/gateway', mtls)}
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`);
    started.push(client);
    const mcp = new Client({ name: 'c', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${client.url}/mcp/tools`)));
    const res = await mcp.callTool({ name: 'echo', arguments: { text: 'over mTLS' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'over mTLS' }]);
    await mcp.close();

    await assert.rejects(
      startRealGateway(`${slim('acme/demo/other', `{ caFile: ${TLS}/ca.pem }`, ', connectTimeoutMs: 3000')}
http: { listen: "127.0.0.1:0" }
`),
      (err: unknown) => isGatewayError(err, 'UNREACHABLE') && /unreachable/.test(String(err)),
    );
  },
);
