// Component: serveStdio, as `slim-gateway stdio` runs it, driven by the official SDK's stdio client
// transport (it launches test/fixtures/mcp/stdio-gateway.ts: ingress on stdin/stdout → in-memory
// SLIMRPC → egress → a spawned MCP server). Also bad lines on in-process streams, and a server
// process that dies: the client gets a JSON-RPC error, then the session comes back by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createMcpIngress } from '../../src/adapters/mcp/index.js';
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { REPO_ROOT } from '../support/paths.js';
import { CALLER_NAME, SERVICE_NAME } from '../support/mcp/gateway.js';
import { assertProgress, recordIncoming } from '../support/mcp/record.js';
import type { Recorder } from '../support/mcp/record.js';

const LAUNCHER = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-gateway.js');

async function launch(backend: 'test' | 'everything') {
  const client = new Client({ name: 'stdio-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: 'm',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'forty-two' },
  }));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [LAUNCHER],
    env: { MCP_TEST_BACKEND: backend, PATH: process.env['PATH'] ?? '' },
    stderr: 'ignore',
  });
  await client.connect(transport);
  wires.set(client, recordIncoming(transport));
  return client;
}

const wires = new Map<Client, Recorder>();

test('the SDK stdio client through serveStdio to server-everything', async (t) => {
  const client = await launch('everything');
  t.after(() => client.close());
  assert.equal(client.getServerVersion()?.name, 'mcp-servers/everything');
  const res = await client.callTool({ name: 'echo', arguments: { message: 'stdio' } });
  assert.deepEqual(res.content, [{ type: 'text', text: 'Echo: stdio' }]);
  const seen: number[] = [];
  const wire = wires.get(client)!;
  wire.reset();
  await client.callTool(
    { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
    undefined,
    { onprogress: (p) => seen.push(p.progress) },
  );
  assertProgress(wire, seen, [1, 2]);
  const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'q' } });
  assert.match(JSON.stringify(sampled.content), /forty-two/);
  assert.deepEqual(await client.ping(), {});
});

test('through serveStdio: cancellation reaches the server; a dead server process is replaced', async (t) => {
  const client = await launch('test');
  t.after(() => client.close());
  const stats = async () =>
    JSON.parse(
      ((await client.callTool({ name: 'stats', arguments: {} })).content as { text: string }[])[0]!.text,
    ) as {
      cancelled: number;
      sessions: number;
    };
  const ac = new AbortController();
  await assert.rejects(
    client.callTool({ name: 'slow', arguments: { seconds: 60 } }, undefined, {
      signal: ac.signal,
      onprogress: () => ac.abort(),
    }),
  );
  let s = await stats();
  for (let i = 0; i < 200 && s.cancelled === 0; i++) {
    await new Promise((r) => setTimeout(r, 25));
    s = await stats();
  }
  assert.equal(s.cancelled, 1);

  await assert.rejects(
    client.callTool({ name: 'crash', arguments: {} }),
    /MCP server exited before answering/,
  );
  // The next call finds the session gone at the server; the ingress re-initializes it in place.
  const res = await client.callTool({ name: 'echo', arguments: { text: 'back' } });
  assert.deepEqual(res.content, [{ type: 'text', text: 'back' }]);
  assert.equal((await stats()).cancelled, 0, 'a fresh server process answers');
});

test('serveStdio answers bad lines with -32700 / -32600 and keeps going', async () => {
  const network = new MemoryRpcNetwork();
  const ingress = createMcpIngress({
    route: '/x',
    target: SERVICE_NAME,
    client: network.client(SERVICE_NAME, CALLER_NAME),
  });
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: unknown[] = [];
  let buf = '';
  output.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  const served = ingress.serveStdio(input, output);
  input.write('{not json\n');
  input.write('{"hello":"world"}\n');
  input.write('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n');
  input.write('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
  input.end();
  await served;
  await ingress.close();
  assert.deepEqual(lines.slice(0, 3), [
    { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: invalid JSON' } },
    {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: "jsonrpc" must be "2.0"' },
    },
    {
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'Invalid Request: batches are not supported; send one message at a time',
      },
    },
  ]);
  // No service is reachable on this network: the request gets a clear JSON-RPC error with its id.
  const last = lines[3] as { id: number; error: { code: number; message: string } };
  assert.equal(last.id, 7);
  assert.equal(last.error.code, -32603);
  assert.match(last.error.message, /unavailable over SLIM/);
});
