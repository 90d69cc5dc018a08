// Component: an MCP service's session bound and idle timeout, as configured
// (`services[].mcp.maxSessions`, `idleTimeoutMs`), through the whole gateway (config → HTTP edge →
// route → in-memory SLIMRPC → service → a real stdio MCP server per session) with the real
// adapters. A session over the bound is refused with TooManySessions, which the SDK client sees
// as the answer to its initialize, and /metrics counts; a session ended by its client frees its
// place; an idle session is closed after idleTimeoutMs, and its client then gets 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createGateway } from '../../src/gateway/index.js';
import { memoryDeps } from '../support/memory-deps.js';
import { realA2aAdapter, realMcpAdapter } from '../../src/gateway/real-adapters.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { REPO_ROOT } from '../support/paths.js';
import { until } from '../support/until.js';

const NODE = JSON.stringify(process.execPath);
const ROOT = JSON.stringify(REPO_ROOT);
const TEST_SERVER = JSON.stringify(join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js'));

const CONFIG = `
slim: { name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - name: acme/demo/bounded
    mcp: { command: ${NODE}, args: [${TEST_SERVER}], cwd: ${ROOT}, maxSessions: 2 }
  - name: acme/demo/brief
    mcp: { command: ${NODE}, args: [${TEST_SERVER}], cwd: ${ROOT}, idleTimeoutMs: 1000 }
routes:
  - { path: /mcp/bounded, mcp: acme/demo/bounded }
  - { path: /mcp/brief, mcp: acme/demo/brief }
`;

async function start(t: { after: (fn: () => Promise<void>) => void }) {
  const deps = memoryDeps({ mcp: realMcpAdapter(), a2a: realA2aAdapter() });
  const gw = await createGateway(configFrom(CONFIG), deps, { logger: silentLogger });
  t.after(() => gw.close(0));
  const metric = async (name: string, service: string): Promise<number> => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`service="${service}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  return { gw, metric };
}

test('a session over the configured maxSessions is refused with TooManySessions', async (t) => {
  const { gw, metric } = await start(t);
  const url = new URL(`${gw.url}/mcp/bounded`);
  const connect = async () => {
    const client = new Client({ name: 'bounded-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(url);
    await client.connect(transport);
    return { client, transport };
  };
  const a = await connect();
  const b = await connect();
  t.after(() => Promise.all([a.client.close(), b.client.close()]));
  assert.equal(await metric('slim_gateway_mcp_egress_sessions', 'acme/demo/bounded'), 2);

  const third = new Client({ name: 'bounded-test', version: '1.0.0' });
  await assert.rejects(third.connect(new StreamableHTTPClientTransport(url)), (err: Error) => {
    assert.match(
      err.message,
      /TooManySessions: MCP service acme\/demo\/bounded holds its limit of 2 MCP sessions/,
    );
    return true;
  });
  assert.equal(await metric('slim_gateway_mcp_egress_sessions_refused_total', 'acme/demo/bounded'), 1);
  // The two sessions held are unaffected.
  assert.deepEqual((await a.client.callTool({ name: 'echo', arguments: { text: 'still here' } })).content, [
    { type: 'text', text: 'still here' },
  ]);

  // A client that ends its session frees its place.
  await a.transport.terminateSession();
  await until(
    async () => (await metric('slim_gateway_mcp_egress_sessions', 'acme/demo/bounded')) === 1,
    'the ended session to leave the service',
  );
  const c = await connect();
  t.after(() => c.client.close());
  assert.deepEqual((await c.client.callTool({ name: 'echo', arguments: { text: 'in' } })).content, [
    { type: 'text', text: 'in' },
  ]);
});

test('a session idle for the configured idleTimeoutMs is closed at the service', async (t) => {
  const { gw, metric } = await start(t);
  // A raw client without a GET stream: an open GET holds a Listen, and a Listen is activity.
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(`${gw.url}/mcp/brief`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  assert.equal(init.status, 200);
  const session = init.headers.get('mcp-session-id')!;
  await init.text();
  assert.equal(await metric('slim_gateway_mcp_egress_sessions', 'acme/demo/brief'), 1);
  await until(
    async () => (await metric('slim_gateway_mcp_egress_sessions', 'acme/demo/brief')) === 0,
    'the idle session to be closed',
  );
  // The client learns its session is gone as from any Streamable HTTP server: 404.
  const later = await fetch(`${gw.url}/mcp/brief`, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  assert.equal(later.status, 404);
  await later.text();
});
