// Real deployments with reference SLIM nodes (Rust core 2.2.0 from npm) and two gateway processes
// (`slim-gateway run`, production wiring): a client side with the route and a server side with the
// service (the SDK test server over stdio), MLS on.
//   1. both gateways on one reference node;
//   2. two reference nodes linked as peers, one gateway on each (the multi-node deployment).
// The official MCP SDK client drives each: tools, progress, sampling, cancellation seen by the
// server, a 1 MB result, ping. Fails (never skips) if the reference cannot load.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { assertProgress, recordIncoming } from '../support/mcp/record.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { startRun, stop, writeConfig } from '../support/gateway-process.js';
import { startLinkedReferenceNodes } from '../support/reference-nodes.js';
import { startReferenceNode } from '../support/reference.js';
import { SHARED_SECRET } from '../support/real-gateway.js';

const HANG_GUARD = { timeout: 240_000 };

/** Server side (the service) attached to `serverNode`, client side (the route) to `clientNode`. */
async function gatewayProcesses(t: TestContext, serverNode: string, clientNode: string) {
  const server = await startRun(
    t,
    writeConfig(
      t,
      `slim: { node: "${serverNode}", name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`,
    ),
  );
  const client = await startRun(
    t,
    writeConfig(
      t,
      `slim: { node: "${clientNode}", name: acme/demo/client-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`,
    ),
  );
  return { server, client, url: `${client.url}/mcp/tools` };
}

async function stats(client: Client): Promise<{ cancelled: number }> {
  const res = await client.callTool({ name: 'stats', arguments: {} });
  return JSON.parse((res.content as { text: string }[])[0]!.text) as { cancelled: number };
}

/** What an MCP user does, through the deployment at `url`. */
async function drive(t: TestContext, url: string): Promise<void> {
  const client = new Client({ name: 'sdk-v1', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: 'm',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'forty-two' },
  }));
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  t.after(() => client.close());
  const wire = recordIncoming(transport);

  await t.test('tools/list, tools/call, progress and sampling', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'echo'));
    assert.deepEqual((await client.callTool({ name: 'echo', arguments: { text: 'across' } })).content, [
      { type: 'text', text: 'across' },
    ]);
    const seen: number[] = [];
    wire.reset();
    await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    assertProgress(wire, seen, [1, 2, 3]);
    const sampled = await client.callTool({ name: 'sample', arguments: { prompt: 'q' } });
    assert.deepEqual(sampled.content, [{ type: 'text', text: 'sampled: forty-two' }]);
  });

  await t.test('cancellation reaches the server; a 1 MB result; ping', async () => {
    const before = (await stats(client)).cancelled;
    const ac = new AbortController();
    await assert.rejects(
      client.callTool({ name: 'slow', arguments: { seconds: 60 } }, undefined, {
        signal: ac.signal,
        onprogress: () => ac.abort('stop'),
      }),
    );
    let cancelled = before;
    for (let i = 0; i < 400 && cancelled === before; i++) {
      await new Promise((r) => setTimeout(r, 25));
      cancelled = (await stats(client)).cancelled;
    }
    assert.equal(cancelled, before + 1, 'the server saw the cancel');
    const big = await client.callTool({ name: 'big', arguments: { bytes: 1_000_000 } });
    assert.equal((big.content as { text: string }[])[0]!.text.length, 1_000_000);
    assert.deepEqual(await client.ping(), {});
  });
  await client.close();
}

test('two gateway processes through a reference SLIM node', HANG_GUARD, async (t) => {
  const ref = await startReferenceNode();
  t.after(() => ref.peer.stop());
  const { server, client, url } = await gatewayProcesses(t, ref.endpoint, ref.endpoint);
  await drive(t, url);
  assert.equal(await stop(client.child), 0);
  assert.equal(await stop(server.child), 0);
});

test('two reference nodes linked as peers, one gateway process on each', HANG_GUARD, async (t) => {
  const { a, b } = await startLinkedReferenceNodes(t);
  // The service on B, the route on A: every call crosses the peer link.
  const { server, client, url } = await gatewayProcesses(t, b.url, a.url);
  await drive(t, url);
  assert.equal(await stop(client.child), 0);
  assert.equal(await stop(server.child), 0);
});
