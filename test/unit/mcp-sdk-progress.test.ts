// Why progress is asserted on the wire (test/support/mcp/record.ts): the official MCP SDK clients,
// v1 and v2, drop every progress notification that they read in the same chunk as the response of
// its request, although it came first. They dispatch notifications in a microtask and responses
// synchronously, and handling the response deletes the progress handler
// (modelcontextprotocol/typescript-sdk#2580). A relay cannot prevent it: a pipe or socket read may
// hold several lines or SSE events whatever the writer does. Shown here with a scripted transport,
// no timing involved; if an SDK upgrade fixes it, this test says so and the progress assertions can
// check the SDK's callback too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Client as V2Client } from '@modelcontextprotocol/client';

type Message = Record<string, unknown> & { id?: number; method?: string; params?: Record<string, unknown> };

/** Answers initialize; a tools/call gets progress 1, 2 and its response, in one read or in three. */
function scriptedTransport(oneRead: boolean) {
  const t = {
    onmessage: undefined as ((m: Message) => void) | undefined,
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    send(m: Message): Promise<void> {
      const deliver = (batch: Message[]) => setImmediate(() => batch.forEach((x) => t.onmessage?.(x)));
      if (m.method === 'initialize') {
        const version = m.params?.['protocolVersion'];
        const result = {
          protocolVersion: version,
          capabilities: { tools: {} },
          serverInfo: { name: 's', version: '1' },
        };
        deliver([{ jsonrpc: '2.0', id: m.id, result }]);
      } else if (m.method === 'server/discover') {
        deliver([{ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } }]);
      } else if (m.method === 'tools/call') {
        const token = (m.params?.['_meta'] as { progressToken: unknown }).progressToken;
        const progress = (p: number) => ({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: p, total: 2 },
        });
        const all = [progress(1), progress(2), { jsonrpc: '2.0', id: m.id, result: { content: [] } }];
        if (oneRead) deliver(all);
        else {
          // Each in its own read, one after the other.
          let chain = Promise.resolve();
          for (const x of all)
            chain = chain.then(() => new Promise<void>((r) => setImmediate(() => (t.onmessage?.(x), r()))));
        }
      }
      return Promise.resolve();
    },
  };
  return t;
}

for (const generation of ['v1', 'v2'] as const) {
  test(`the ${generation} SDK client drops progress read together with the response`, async () => {
    const seen: Record<string, number[]> = {};
    for (const oneRead of [false, true]) {
      const progress: number[] = [];
      const onprogress = (p: { progress: number }) => void progress.push(p.progress);
      const transport = scriptedTransport(oneRead);
      if (generation === 'v1') {
        const client = new V1Client({ name: 'c', version: '1' });
        client.onerror = () => {}; // "Received a progress notification for an unknown token"
        await client.connect(transport as unknown as Transport);
        await client.callTool({ name: 'x', arguments: {} }, undefined, { onprogress });
        await client.close();
      } else {
        const client = new V2Client({ name: 'c', version: '1' }, { versionNegotiation: { mode: 'auto' } });
        client.onerror = () => {};
        await client.connect(transport as never);
        await client.callTool({ name: 'x', arguments: {} }, { onprogress });
        await client.close();
      }
      await new Promise((r) => setImmediate(r));
      seen[oneRead ? 'one read' : 'three reads'] = progress;
    }
    assert.deepEqual(seen, { 'three reads': [1, 2], 'one read': [] });
  });
}
