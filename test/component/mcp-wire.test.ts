// Component: the mcp.v1.McpService wire contract of docs/mcp-over-slimrpc.md, exercised with raw
// SLIMRPC calls (as an independent implementation would make them): payloads, metadata, the `{}`
// ack, Listen ending cleanly before its deadline, Close, and every status of the error table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMcpService, MCP_SERVICE } from '../../src/adapters/mcp/index.js';
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import type { RpcClient } from '../../src/slim/rpc/types.js';
import { CALLER_NAME, SERVICE_NAME, testStdioBackend } from '../support/mcp/gateway.js';

const te = new TextEncoder();
const td = new TextDecoder();
const enc = (v: unknown) => te.encode(JSON.stringify(v));
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'wire', version: '1' } },
};

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const b of stream) out.push(JSON.parse(td.decode(b)) as Record<string, unknown>);
  return out;
}

function status(code: StatusCode, pattern: RegExp) {
  return (e: unknown) => e instanceof RpcError && e.status === code && pattern.test(e.message);
}

function setup(t: { after: (fn: () => Promise<void>) => void }, maxSessions = 4) {
  const network = new MemoryRpcNetwork();
  const server = network.server(SERVICE_NAME);
  const service = createMcpService({ name: SERVICE_NAME, backend: testStdioBackend(), maxSessions });
  server.register(service.service);
  t.after(async () => {
    await server.close(0);
    await service.close();
  });
  return { service, client: network.client(SERVICE_NAME, CALLER_NAME) };
}

async function initialize(client: RpcClient, sessionId: string) {
  const md = { 'mcp-session-id': sessionId };
  const frames = await collect(client.serverStream(MCP_SERVICE, 'Request', enc(INIT), { metadata: md }));
  const ack = await client.unary(
    MCP_SERVICE,
    'Notify',
    enc({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    { metadata: { ...md, 'mcp-protocol-version': '2025-06-18' } },
  );
  return { frames, ack: td.decode(ack) };
}

test('Request streams exactly one response with the caller id; Notify answers {}', async (t) => {
  const { client, service } = setup(t);
  const { frames, ack } = await initialize(client, 'session-1');
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!['id'], 1);
  assert.equal(
    (frames[0]!['result'] as { serverInfo: { name: string } }).serverInfo.name,
    'slim-gateway-test-server',
  );
  assert.equal(ack, '{}');
  const md = { 'mcp-session-id': 'session-1', 'mcp-protocol-version': '2025-06-18' };
  const call = {
    jsonrpc: '2.0',
    id: 'abc',
    method: 'tools/call',
    params: { name: 'progress', arguments: { steps: 2 }, _meta: { progressToken: 'tok' } },
  };
  const out = await collect(client.serverStream(MCP_SERVICE, 'Request', enc(call), { metadata: md }));
  assert.deepEqual(
    out.map((m) => m['method'] ?? `response ${String(m['id'])}`),
    ['notifications/progress', 'notifications/progress', 'response abc'],
  );
  // JSON-RPC ids travel end to end: the MCP server sees the client's own id.
  const whoami = { jsonrpc: '2.0', id: 'client-id-7', method: 'tools/call', params: { name: 'request-id' } };
  const [answer] = await collect(client.serverStream(MCP_SERVICE, 'Request', enc(whoami), { metadata: md }));
  assert.equal(answer!['id'], 'client-id-7');
  assert.deepEqual((answer!['result'] as { content: unknown }).content, [
    { type: 'text', text: '"client-id-7"' },
  ]);
  assert.equal(service.sessionCount(), 1);
  assert.equal(td.decode(await client.unary(MCP_SERVICE, 'Close', enc({}), { metadata: md })), '{}');
  assert.equal(service.sessionCount(), 0);
  await assert.rejects(
    collect(client.serverStream(MCP_SERVICE, 'Request', enc(call), { metadata: md })),
    status(StatusCode.NOT_FOUND, /^SessionNotFound: /),
  );
});

test('the status table: wrong kinds, unknown or duplicate sessions, limits', async (t) => {
  const { client } = setup(t, 2);
  const req = (body: unknown, md: Record<string, string> = {}) =>
    collect(
      client.serverStream(MCP_SERVICE, 'Request', typeof body === 'string' ? te.encode(body) : enc(body), {
        metadata: md,
      }),
    );
  await assert.rejects(req('{oops'), status(StatusCode.INVALID_ARGUMENT, /^InvalidMessage: Parse error/));
  await assert.rejects(
    req({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    status(StatusCode.INVALID_ARGUMENT, /Request carries a request, not a notification/),
  );
  await assert.rejects(
    client.unary(MCP_SERVICE, 'Notify', enc({ jsonrpc: '2.0', id: 1, method: 'ping' })),
    status(StatusCode.INVALID_ARGUMENT, /Notify carries a notification or response, not a request/),
  );
  await assert.rejects(
    req({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'never-initialized' }),
    status(StatusCode.NOT_FOUND, /no MCP session never-initialized/),
  );
  await assert.rejects(
    req(INIT, { 'mcp-session-id': 'bad id with spaces' }),
    status(StatusCode.INVALID_ARGUMENT, /mcp-session-id/),
  );
  await initialize(client, 's1');
  await assert.rejects(
    req(INIT, { 'mcp-session-id': 's1' }),
    status(StatusCode.FAILED_PRECONDITION, /^SessionExists: /),
  );
  await initialize(client, 's2');
  // Both sessions have work in flight (a slow call each, seen running by its first progress
  // message): neither can give its place to a newcomer.
  const calling = new AbortController();
  const calls = await Promise.all(
    ['s1', 's2'].map(async (sid) => {
      const call = client.serverStream(
        MCP_SERVICE,
        'Request',
        enc({
          jsonrpc: '2.0',
          id: 50,
          method: 'tools/call',
          params: { name: 'slow', arguments: { seconds: 60 }, _meta: { progressToken: 'p' } },
        }),
        {
          metadata: { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
          signal: calling.signal,
        },
      );
      const stream = call[Symbol.asyncIterator]();
      await stream.next();
      return stream;
    }),
  );
  await assert.rejects(
    req(INIT, { 'mcp-session-id': 's3' }),
    status(StatusCode.RESOURCE_EXHAUSTED, /^TooManySessions: /),
  );
  calling.abort();
  await Promise.all(calls.map((c) => c.return?.(undefined).catch(() => undefined)));
  await assert.rejects(
    req({ jsonrpc: '2.0', id: 9, method: 'ping', x: 1 }, { 'mcp-session-id': 's1' }),
    status(StatusCode.INVALID_ARGUMENT, /^InvalidMessage: Invalid Request: unknown member "x"/),
  );
  await assert.rejects(
    collect(client.serverStream(MCP_SERVICE, 'Listen', enc({}))),
    status(StatusCode.INVALID_ARGUMENT, /Listen needs mcp-session-id/),
  );
  await assert.rejects(
    client.unary(MCP_SERVICE, 'Close', enc({}), { metadata: { 'mcp-session-id': 'zzz' } }),
    status(StatusCode.NOT_FOUND, /zzz/),
  );
});

test('a stateless Request (no mcp-session-id) is served on the caller lane', async (t) => {
  const { client, service } = setup(t);
  const out = await collect(
    client.serverStream(MCP_SERVICE, 'Request', enc({ jsonrpc: '2.0', id: 5, method: 'ping' }), {}),
  );
  assert.deepEqual(out, [{ jsonrpc: '2.0', id: 5, result: {} }]);
  assert.equal(service.sessionCount(), 1);
});

test('stateless Requests waiting together for a place share the one lane they get', async (t) => {
  const { client, service } = setup(t, 1);
  await initialize(client, 'busy');
  const calling = new AbortController();
  const slowCall = client.serverStream(
    MCP_SERVICE,
    'Request',
    enc({
      jsonrpc: '2.0',
      id: 50,
      method: 'tools/call',
      params: { name: 'slow', arguments: { seconds: 60 }, _meta: { progressToken: 'p' } },
    }),
    {
      metadata: { 'mcp-session-id': 'busy', 'mcp-protocol-version': '2025-06-18' },
      signal: calling.signal,
    },
  );
  const slow = slowCall[Symbol.asyncIterator]();
  await slow.next();
  // Both wait: the only place is held by a session with work in flight.
  const pings = [6, 7].map((id) =>
    collect(client.serverStream(MCP_SERVICE, 'Request', enc({ jsonrpc: '2.0', id, method: 'ping' }), {})),
  );
  calling.abort();
  await slow.return?.(undefined).catch(() => undefined);
  assert.deepEqual(await Promise.all(pings), [
    [{ jsonrpc: '2.0', id: 6, result: {} }],
    [{ jsonrpc: '2.0', id: 7, result: {} }],
  ]);
  assert.equal(service.sessionCount(), 1, 'one stateless lane took the place of the idle session');
});

test('Listen carries unsolicited traffic and ends with OK before its deadline', async (t) => {
  const { client } = setup(t);
  await initialize(client, 'L');
  const md = { 'mcp-session-id': 'L' };
  // Resolving (rather than failing with DEADLINE_EXCEEDED) means the server ended it with OK.
  const frames = await collect(
    client.serverStream(MCP_SERVICE, 'Listen', enc({}), { metadata: md, timeoutMs: 400 }),
  );
  assert.deepEqual(frames, []);
});

test('notifications/cancelled via Notify ends the matching Request with CANCELLED', async (t) => {
  const { client } = setup(t);
  await initialize(client, 'C');
  const md = { 'mcp-session-id': 'C', 'mcp-protocol-version': '2025-06-18' };
  const call = {
    jsonrpc: '2.0',
    id: 42,
    method: 'tools/call',
    params: { name: 'slow', arguments: { seconds: 60 }, _meta: { progressToken: 1 } },
  };
  const frames: unknown[] = [];
  const stream = client.serverStream(MCP_SERVICE, 'Request', enc(call), { metadata: md });
  const done = (async () => {
    for await (const b of stream) {
      frames.push(JSON.parse(td.decode(b)));
      const cancel = {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 42, reason: 'stop' },
      };
      await client.unary(MCP_SERVICE, 'Notify', enc(cancel), { metadata: md });
    }
  })();
  await assert.rejects(done, status(StatusCode.CANCELLED, /^Cancelled: /));
  assert.equal(frames.length, 1, 'the progress frame only: no JSON-RPC response after a cancel');
  const stats = await collect(
    client.serverStream(
      MCP_SERVICE,
      'Request',
      enc({ jsonrpc: '2.0', id: 43, method: 'tools/call', params: { name: 'stats' } }),
      { metadata: md },
    ),
  );
  assert.match(JSON.stringify(stats), /\\"cancelled\\":1/);
});
