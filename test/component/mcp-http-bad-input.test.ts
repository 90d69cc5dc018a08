// Component: what the Streamable HTTP ingress answers to bad or hostile input, and what a client
// of a service whose server cannot start sees (raw HTTP, as any client or attacker would send it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startGateway, testStdioBackend } from '../support/mcp/gateway.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });
  let text = await res.text();
  if (res.headers.get('content-type') === 'text/event-stream') {
    // The last message of the stream is the response.
    text =
      text
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .pop()
        ?.slice(6) ?? '';
  }
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

test('bad input gets the right HTTP status and JSON-RPC error', async (t) => {
  const gw = await startGateway(testStdioBackend(), { maxBodyBytes: 10_000, keepAliveMs: 50 });
  t.after(() => gw.close());

  await t.test('malformed JSON: 400, -32700', async () => {
    const r = await post(gw.url, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error: invalid JSON' },
    });
  });

  await t.test('valid JSON that is not JSON-RPC: 400, -32600', async () => {
    for (const body of [
      '{"hello":"world"}',
      '42',
      '{"jsonrpc":"2.0","id":3}',
      '{"jsonrpc":"2.0","id":{},"method":"x"}',
    ]) {
      const r = await post(gw.url, body);
      assert.equal(r.status, 400, body);
      assert.equal((r.body?.['error'] as { code: number }).code, -32600, body);
    }
  });

  await t.test('a body over the limit: 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { pad: 'x'.repeat(20_000) },
    });
    const r = await post(gw.url, big);
    assert.equal(r.status, 413);
    assert.equal((r.body?.['error'] as { code: number }).code, -32600);
  });

  await t.test('an unknown session: 404, -32001; a path below the route: 404', async () => {
    const r = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      'mcp-session-id': 'no-such-session',
    });
    assert.equal(r.status, 404);
    assert.equal((r.body?.['error'] as { code: number }).code, -32001);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(gw.url, {
        method,
        headers: { accept: 'text/event-stream', 'mcp-session-id': 'nope' },
      });
      assert.equal(res.status, 404, method);
      await res.body?.cancel();
    }
    const below = await post(`${gw.url}/extra`, JSON.stringify(INIT));
    assert.equal(below.status, 404);
  });

  await t.test('a foreign Origin is refused (DNS rebinding); loopback origins pass', async () => {
    const evil = await post(gw.url, JSON.stringify(INIT), { origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    const local = await post(gw.url, JSON.stringify(INIT), { origin: gw.origin });
    assert.equal(local.status, 200);
    assert.ok(local.headers.get('mcp-session-id'));
  });

  await t.test('other methods, GET without a session or without Accept', async () => {
    const put = await fetch(gw.url, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST, DELETE');
    await put.body?.cancel();
    const get = await fetch(gw.url, { headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    await get.body?.cancel();
    const noAccept = await fetch(gw.url, { headers: { accept: 'application/json' } });
    assert.equal(noAccept.status, 406);
    await noAccept.body?.cancel();
  });

  await t.test('a modern request whose headers contradict its body: 400, -32020', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: {},
        _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
      },
    });
    const r = await post(gw.url, body, {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'other',
    });
    assert.equal(r.status, 400);
    assert.equal((r.body?.['error'] as { code: number }).code, -32020);
    assert.equal(r.body?.['id'], 9);
  });

  await t.test('a quiet call turns into SSE with keep-alive comments and no proxy buffering', async () => {
    const init = await post(gw.url, JSON.stringify(INIT));
    const sid = init.headers.get('mcp-session-id')!;
    const h = { ...JSON_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    await fetch(gw.url, {
      method: 'POST',
      headers: h,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    });
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'slow', arguments: { seconds: 0.4 } },
      }),
    });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const text = await res.text();
    assert.match(text, /^: keepalive$/m);
    assert.match(text, /"id":5,"result":\{"content":\[\{"type":"text","text":"slow finished"\}\]\}/);
  });
});

test('a service whose command does not exist answers with a JSON-RPC error and keeps serving', async (t) => {
  const gw = await startGateway({ kind: 'stdio', command: '/nonexistent/mcp-server-binary', args: [] });
  t.after(() => gw.close());
  for (let attempt = 0; attempt < 2; attempt++) {
    const client = new Client({ name: 'c', version: '1' });
    await assert.rejects(
      client.connect(new StreamableHTTPClientTransport(new URL(gw.url))),
      /MCP server failed to start: cannot run "\/nonexistent\/mcp-server-binary"/,
    );
    await client.close();
  }
  assert.equal(gw.service.sessionCount(), 0, 'failed sessions are not kept');
  assert.equal(gw.ingress.sessionCount(), 0);
  assert.match(
    await gw.metrics.render(),
    /slim_gateway_mcp_egress_errors_total\{code="-32603",method="initialize",service="acme\/demo\/mcp-test"\} 2/,
  );
});

test('a body the HTTP edge allows but one SLIM message cannot carry is 413, not a relay failure', async (t) => {
  // The gateway's HTTP limit (http.maxBodyBytes, 4 MiB by default) is above an MCP message's
  // (3,000,000 bytes): the route's limit is the smaller of the two.
  const gw = await startGateway(testStdioBackend(), { maxBodyBytes: 4 * 1024 * 1024, keepAliveMs: 50 });
  t.after(() => gw.close());
  const big = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { pad: 'x'.repeat(3_200_000) },
  });
  const r = await post(gw.url, big);
  assert.equal(r.status, 413);
  assert.equal((r.body?.['error'] as { code: number }).code, -32600);
  const ok = await post(gw.url, JSON.stringify(INIT));
  assert.equal(ok.status, 200);
});
