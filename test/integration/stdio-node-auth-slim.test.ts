// `slim-gateway stdio` next to a `run` gateway whose embedded node serves TLS and requires Basic
// (one configuration file for both, as a user writes it): the stdio side attaches to the node's
// listener with https://, trusting slim.tls and presenting slim.nodeAuth, and an MCP call crosses.
// Without nodeAuth it cannot attach, and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../src/config/parse.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import { runStdio } from '../../src/gateway/stdio.js';
import { silentLogger } from '../../src/util/log.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';

const TLS = 'test/fixtures/tls';
const env = { NODE_PASSWORD: 'node-password-0123456789-0123456789' };

test(
  'stdio attaches to an embedded node with TLS and Basic through slim.tls and slim.nodeAuth',
  { timeout: 180_000 },
  async (t) => {
    const port = await freePort();
    const yaml = (nodeAuth: boolean) => `slim:
  name: acme/demo/gateway
  sharedSecret: ${SHARED_SECRET}
  listen: "127.0.0.1:${port}"
  connectTimeoutMs: 5000
  tls: { caFile: ${TLS}/ca.pem }
${nodeAuth ? '  nodeAuth: { basic: { username: gw1, password: "${NODE_PASSWORD}" } }\n' : ''}  server:
    tls: { certFile: ${TLS}/node.pem, keyFile: ${TLS}/node.key }
    auth: { basic: [{ username: gw1, password: "\${NODE_PASSWORD}" }] }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`;
    const run = await startRealGateway(yaml(true), { env });
    t.after(() => run.close());
    const config = (nodeAuth: boolean) => {
      const r = parseConfig(yaml(nodeAuth), { env, baseDir: REPO_ROOT });
      assert.ok(r.ok);
      return r.config;
    };

    const input = new PassThrough();
    const output = new PassThrough();
    const serving = runStdio(config(true), '/mcp/tools', realDeps(), {
      logger: silentLogger,
      input,
      output,
      signal: new AbortController().signal,
    });
    const lines = createInterface({ input: output })[Symbol.asyncIterator]();
    const send = (msg: object) => input.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    assert.ok((JSON.parse(String((await lines.next()).value)) as { result?: unknown }).result);
    send({ method: 'notifications/initialized' });
    send({
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'over stdio, TLS and Basic' } },
    });
    const reply = JSON.parse(String((await lines.next()).value)) as { result: { content: unknown } };
    assert.deepEqual(reply.result.content, [{ type: 'text', text: 'over stdio, TLS and Basic' }]);
    input.end();
    await serving;

    await assert.rejects(
      runStdio(config(false), '/mcp/tools', realDeps(), {
        logger: silentLogger,
        input: new PassThrough(),
        output: new PassThrough(),
        signal: new AbortController().signal,
      }),
      /requires credentials \(set slim.nodeAuth\)/,
    );
  },
);
