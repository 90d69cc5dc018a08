// Component: MCP sessions left behind do not lock a service. An ordinary MCP SDK client's close()
// sends no DELETE, and a flood of bare `initialize` POSTs opens sessions nobody uses: a new client
// still gets a session (an idle one is reclaimed, least recently used first, from the caller
// holding the most), a session whose client is gone ends early on both sides (its server process
// stopped), and the memory of each session's server process is reported in /metrics.
import { test } from 'node:test';
import { request } from 'node:http';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startGateway, testStdioBackend } from '../support/mcp/gateway.js';
import type { McpTestGateway } from '../support/mcp/gateway.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bare', version: '1' } },
});

async function bareInitialize(url: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: HEADERS, body: INIT });
  await res.text();
  assert.equal(res.status, 200);
  return res.headers.get('mcp-session-id')!;
}

async function sdkClient(url: string) {
  const client = new Client({ name: 'reclaim-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

async function echo(client: Client, text: string): Promise<string> {
  const res = await client.callTool({ name: 'echo', arguments: { text } });
  return (res.content as { text: string }[])[0]!.text;
}

/** A metric's value for the test service (0 when absent). */
async function metric(gw: McpTestGateway, name: string, extra = ''): Promise<number> {
  const line = (await gw.metrics.render())
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes('service="acme/demo/mcp-test"') && l.includes(extra));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`gave up waiting for ${what}`);
}

test(
  'bare initialize POSTs filling the service do not lock new clients out',
  { timeout: 90_000 },
  async (t) => {
    const gw = await startGateway(testStdioBackend(), {}, { maxSessions: 4 });
    t.after(() => gw.close());
    const bare: string[] = [];
    for (let i = 0; i < 4; i++) bare.push(await bareInitialize(gw.url));
    assert.equal(gw.service.sessionCount(), 4, 'the service is full');

    const a = await sdkClient(gw.url);
    t.after(() => a.client.close());
    assert.equal(await echo(a.client, 'in'), 'in');
    assert.ok(
      (await metric(gw, 'slim_gateway_mcp_egress_sessions_reclaimed_total', 'reason="reclaimed"')) >= 1,
    );
    assert.equal(gw.service.sessionCount(), 4, 'still within the bound');

    // The reclaimed session's client learns it on its next request (404: start a new session).
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': bare[0]!, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    const text = await res.text();
    assert.ok(res.status === 404 || /-32001|SessionNotFound|session/i.test(text), `${res.status} ${text}`);
  },
);

test(
  'two rounds of clients that close without DELETE: the second round is served',
  { timeout: 90_000 },
  async (t) => {
    const gw = await startGateway(testStdioBackend(), {}, { maxSessions: 3 });
    t.after(() => gw.close());
    for (const round of [1, 2]) {
      const clients = await Promise.all([0, 1, 2].map(() => sdkClient(gw.url)));
      const answers = await Promise.all(clients.map((c, i) => echo(c.client, `r${round}c${i}`)));
      assert.deepEqual(answers, [`r${round}c0`, `r${round}c1`, `r${round}c2`]);
      // The SDK's close(): no DELETE, the GET stream simply ends.
      await Promise.all(clients.map((c) => c.client.close()));
    }
    assert.equal(await metric(gw, 'slim_gateway_mcp_egress_sessions_refused_total'), 0, 'nobody was refused');
  },
);

test(
  'a session whose client is gone ends early on both sides, its process stopped',
  { timeout: 90_000 },
  async (t) => {
    const gw = await startGateway(
      testStdioBackend(),
      { sessionAbandonedMs: 1_000 },
      { abandonedTimeoutMs: 1_000 },
    );
    t.after(() => gw.close());
    const a = await sdkClient(gw.url);
    assert.equal(await echo(a.client, 'hello'), 'hello');
    await until(
      async () => (await metric(gw, 'slim_gateway_mcp_egress_session_processes')) === 1,
      'the process to be measured',
    );
    const rss = await metric(gw, 'slim_gateway_mcp_egress_session_memory_bytes');
    assert.ok(rss > 1_000_000, `the server process's resident memory is reported (${rss} bytes)`);
    assert.equal(await metric(gw, 'slim_gateway_mcp_egress_session_memory_max_bytes'), rss);
    await a.client.close();
    await until(
      () => gw.ingress.sessionCount() === 0 && gw.service.sessionCount() === 0,
      'the session to end',
    );
    assert.equal(await metric(gw, 'slim_gateway_mcp_egress_session_processes'), 0, 'no server process left');

    // A client that keeps its GET stream open is not abandoned, however quiet.
    const b = await sdkClient(gw.url);
    t.after(() => b.client.close());
    assert.equal(await echo(b.client, 'x'), 'x');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await echo(b.client, 'still'), 'still');
    assert.equal(gw.service.sessionCount(), 1);
  },
);

/** A bare initialize from a given local address (127.0.0.x are distinct clients on loopback). */
function initializeFrom(
  url: string,
  localAddress: string,
  sid?: string,
): Promise<{ status: number; sid: string }> {
  const body = sid ? JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) : INIT;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          ...HEADERS,
          ...(sid ? { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, sid: String(res.headers['mcp-session-id'] ?? sid ?? '') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test(
  'a full route takes the place for a newcomer from the client address holding the most',
  { timeout: 90_000 },
  async (t) => {
    const gw = await startGateway(testStdioBackend(), { maxSessions: 3 });
    t.after(() => gw.close());
    // The modest client's session is the oldest: plain LRU would take it.
    const modest = await initializeFrom(gw.url, '127.0.0.2');
    const greedy1 = await initializeFrom(gw.url, '127.0.0.1');
    const greedy2 = await initializeFrom(gw.url, '127.0.0.1');
    assert.equal(gw.ingress.sessionCount(), 3);
    // Idle long enough to be reclaimable (a client between two calls keeps its place).
    await new Promise((r) => setTimeout(r, 2_500));
    const newcomer = await initializeFrom(gw.url, '127.0.0.2');
    assert.equal(newcomer.status, 200);
    assert.equal(gw.ingress.sessionCount(), 3);
    assert.equal(
      (await initializeFrom(gw.url, '127.0.0.2', modest.sid)).status,
      200,
      'the modest client kept its session',
    );
    assert.equal((await initializeFrom(gw.url, '127.0.0.1', greedy2.sid)).status, 200);
    assert.equal(
      (await initializeFrom(gw.url, '127.0.0.1', greedy1.sid)).status,
      404,
      "the greedy client's least recently used session gave its place",
    );
  },
);
