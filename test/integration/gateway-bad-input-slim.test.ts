// Bad input at the gateway level, over real SLIM (two whole gateways, production wiring, MLS on), as
// raw HTTP clients send it: malformed JSON -32700; JSON that is not JSON-RPC -32600; an unknown route
// 404 listing the routes; an unknown MCP session 404; a body over http.maxBodyBytes 413 (declared
// or streamed); a service whose command does not exist answers its callers with an error while the
// gateways stay up and the other route keeps working. (`check` on a broken file: test/integration/cli.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import type { RealGateway } from '../support/real-gateway.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const LIMIT = 10_000;

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const errorCode = (body: Record<string, unknown> | undefined) => (body?.['error'] as { code: unknown }).code;

/** A POST whose body is streamed (chunked, no Content-Length), so only the ingress can count it. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...HEADERS, 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (err) =>
      String(err).includes('EPIPE') || String(err).includes('ECONNRESET') ? undefined : reject(err),
    );
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test('bad input at the gateway, over real SLIM', { timeout: 180_000 }, async (t) => {
  const server = await startRealGateway(
    `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
  - { name: acme/demo/broken, mcp: { command: /nonexistent/mcp-server-binary } }
`,
    { label: 'server' },
  );
  const started: { client?: RealGateway } = {};
  // The client side first: closed after its node, it would wait for a node that is gone.
  t.after(async () => {
    await started.client?.close();
    await server.close();
  });
  const client = await startRealGateway(
    `slim: { node: "${server.nodeUrl}", name: acme/demo/gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0", maxBodyBytes: ${LIMIT} }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
  - { path: /mcp/broken, mcp: acme/demo/broken }
`,
    { label: 'client' },
  );
  started.client = client;
  const tools = `${client.url}/mcp/tools`;

  await t.test('malformed JSON: 400, -32700', async () => {
    const r = await post(tools, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.equal(r.status, 400);
    assert.equal(errorCode(r.body), -32700);
  });

  await t.test('valid JSON that is not JSON-RPC: 400, -32600', async () => {
    for (const body of ['{"hello":"world"}', '[]', '"text"', '{"jsonrpc":"1.0","id":1,"method":"x"}']) {
      const r = await post(tools, body);
      assert.equal(r.status, 400, body);
      assert.equal(errorCode(r.body), -32600, body);
    }
  });

  await t.test('an unknown route: 404 naming the routes there are', async () => {
    const r = await post(`${client.url}/mcp/nope`, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    assert.equal(r.status, 404);
    assert.equal(errorCode(r.body), 'NOT_FOUND');
    assert.match(JSON.stringify(r.body?.['routes']), /\/mcp\/tools/);
  });

  await t.test('an unknown MCP session: 404, -32001', async () => {
    const r = await post(tools, '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', {
      'mcp-session-id': 'no-such-session',
      'mcp-protocol-version': '2025-06-18',
    });
    assert.equal(r.status, 404);
    assert.equal(errorCode(r.body), -32001);
  });

  await t.test('a body over the limit: 413, declared or streamed', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { pad: 'x'.repeat(2 * LIMIT) },
    });
    assert.equal((await post(tools, big)).status, 413);
    const streamed = await postChunked(tools, [big.slice(0, LIMIT / 2), big.slice(LIMIT / 2)]);
    assert.equal(streamed.status, 413);
  });

  await t.test(
    'a service whose command does not exist: its callers get an error; all else stays up',
    async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const c = new Client({ name: 'c', version: '1' });
        await assert.rejects(
          c.connect(new StreamableHTTPClientTransport(new URL(`${client.url}/mcp/broken`))),
          /MCP server failed to start: cannot run "\/nonexistent\/mcp-server-binary"/,
        );
        await c.close();
      }
      assert.equal((await fetch(`${client.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const ok = new Client({ name: 'ok', version: '1' });
      await ok.connect(new StreamableHTTPClientTransport(new URL(tools)));
      const res = await ok.callTool({ name: 'echo', arguments: { text: 'still here' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'still here' }]);
      await ok.close();
    },
  );
});
