// Component: MCP session isolation and lifetime through the gateway pair: two clients get two
// server processes; the stateless lane shared by several 2026-07-28 clients keeps their ids and
// progress apart; an idle session is reaped on both sides and the client is told (404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { REPO_ROOT } from '../support/paths.js';
import { startGateway, testStdioBackend } from '../support/mcp/gateway.js';
import { assertProgress, recordIncoming } from '../support/mcp/record.js';

async function pidOf(client: Client): Promise<number> {
  const res = await client.callTool({ name: 'stats', arguments: {} });
  return (JSON.parse((res.content as { text: string }[])[0]!.text) as { pid: number }).pid;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

test('each MCP session gets its own server process', async (t) => {
  const gw = await startGateway(testStdioBackend());
  t.after(() => gw.close());
  const a = new Client({ name: 'a', version: '1' });
  const b = new Client({ name: 'b', version: '1' });
  await a.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
  await b.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
  t.after(() => Promise.all([a.close(), b.close()]));
  const [pa, pb] = await Promise.all([pidOf(a), pidOf(b)]);
  assert.notEqual(pa, pb);
  assert.equal(gw.service.sessionCount(), 2);
  assert.equal(gw.ingress.sessionCount(), 2);
});

test('several 2026-07-28 clients share the stateless lane without mixing ids or progress', async (t) => {
  const weather = join(REPO_ROOT, 'examples', 'servers', 'weather.js');
  const gw = await startGateway({ kind: 'stdio', command: process.execPath, args: [weather] });
  t.after(() => gw.close());
  const clients = ['Lisbon', 'Osaka', 'Nairobi'].map((city) => ({
    city,
    client: new V2Client({ name: city, version: '1' }, { versionNegotiation: { mode: 'auto' } }),
    transport: new V2Transport(new URL(gw.url)),
  }));
  for (const c of clients) await c.client.connect(c.transport);
  const wires = clients.map((c) => recordIncoming(c.transport));
  t.after(() => Promise.all(clients.map((c) => c.client.close())));
  const results = await Promise.all(
    clients.map(async ({ city, client }, i) => {
      const progress: number[] = [];
      const wire = wires[i]!;
      wire.reset();
      const res = await client.callTool(
        { name: 'get_forecast', arguments: { city, days: 4 } },
        { onprogress: (p) => void progress.push(p.progress) },
      );
      return { city, progress, wire, text: (res.content as { text: string }[])[0]!.text };
    }),
  );
  for (const r of results) {
    assertProgress(r.wire, r.progress, [1, 2, 3, 4]);
    assert.ok(r.text.startsWith(`Forecast for ${r.city}:`), r.city);
  }
  assert.equal(gw.service.sessionCount(), 1, 'one stateless lane (one process) for the calling gateway');
});

test('an idle session is reaped on both sides; the client then gets 404', async (t) => {
  const gw = await startGateway(testStdioBackend(), { sessionIdleMs: 60 * 60_000 }, { idleTimeoutMs: 1_000 });
  t.after(() => gw.close());
  // A raw client that holds no GET stream (an open GET keeps a Listen in flight: never idle).
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(gw.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'idle', version: '1' } },
    }),
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id')!;
  assert.equal(gw.service.sessionCount(), 1);
  await until(() => gw.service.sessionCount() === 0);
  assert.equal(gw.service.sessionCount(), 0, 'the egress reaped the idle session');
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { error: { code: number } }).error.code, -32001);
  assert.equal(gw.ingress.sessionCount(), 0, 'the ingress dropped its session on the 404');
});
