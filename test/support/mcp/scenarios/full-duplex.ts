// Scenario: the v1 SDK client through a gateway pair to an MCP server we start with the official
// SDK on Streamable HTTP (and the same server spawned over stdio): progress, logging, sampling,
// cancellation seen by the server, ids end to end, a 1 MB result, a result over the SLIM frame limit
// failing with a clear error, an unknown tool as a JSON-RPC error. Run over in-memory SLIMRPC
// (component) and over real SLIM with MLS (integration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { MAX_MCP_MESSAGE_BYTES } from '../../../../src/adapters/mcp/index.js';
import type { BackendSpec } from '../../../../src/adapters/mcp/index.js';
import { testStdioBackend } from '../gateway.js';
import type { StartPair } from '../gateway.js';
import { startTestHttpServer } from '../test-server.js';
import { assertProgress, recordIncoming } from '../record.js';

/** A hang guard only, never a timing assertion. */
const HANG_GUARD = { timeout: 180_000 };

async function connect(url: string) {
  const client = new Client({ name: 'sdk-v1', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: 'm',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'forty-two' },
  }));
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, logs, wire: recordIncoming(transport) };
}

async function stats(client: Client): Promise<{ cancelled: number; sessions: number }> {
  const res = await client.callTool({ name: 'stats', arguments: {} });
  return JSON.parse((res.content as { text: string }[])[0]!.text) as { cancelled: number; sessions: number };
}

async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Registers the scenario's tests; `via` names the pair in the test names. */
export function fullDuplexScenario(start: StartPair, via: string): void {
  for (const kind of ['http', 'stdio'] as const) {
    test(`full duplex through ${via} to a ${kind} MCP server`, HANG_GUARD, async (t) => {
      let backend: BackendSpec;
      if (kind === 'http') {
        const server = await startTestHttpServer();
        t.after(() => server.close());
        backend = { kind: 'http', url: server.url };
      } else backend = testStdioBackend();
      const gw = await start(backend);
      t.after(() => gw.close());
      const { client, logs, wire } = await connect(gw.url);
      t.after(() => client.close());

      await t.test('tools, resources and prompts', async () => {
        const { tools } = await client.listTools();
        assert.deepEqual(
          tools.map((x) => x.name),
          ['echo', 'progress', 'log', 'sample', 'slow', 'big', 'stats'],
        );
        assert.deepEqual((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content, [
          { type: 'text', text: 'hi' },
        ]);
        const { resources } = await client.listResources();
        assert.equal(resources[0]?.uri, 'test://greeting');
        const read = await client.readResource({ uri: 'test://greeting' });
        assert.equal((read.contents[0] as { text: string }).text, 'hello, resource');
        const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } });
        assert.match(JSON.stringify(prompt.messages), /hello to Ada/);
      });

      await t.test('progress, logging and sampling travel with their request', async () => {
        const seen: number[] = [];
        wire.reset();
        await client.callTool({ name: 'progress', arguments: { steps: 4 } }, undefined, {
          onprogress: (p) => seen.push(p.progress),
        });
        assertProgress(wire, seen, [1, 2, 3, 4]);
        await client.callTool({ name: 'log', arguments: {} });
        assert.deepEqual(logs, ['hello from the server']);
        const sampled = await client.callTool({ name: 'sample', arguments: { prompt: 'meaning?' } });
        assert.deepEqual(sampled.content, [{ type: 'text', text: 'sampled: forty-two' }]);
      });

      await t.test(
        'an unknown tool is a JSON-RPC error (-32602) from the server, relayed as is',
        async () => {
          await assert.rejects(
            client.callTool({ name: 'nope', arguments: {} }),
            (err: { code?: number; message: string }) => {
              return err.code === -32602 && /Unknown tool: nope/.test(err.message);
            },
          );
        },
      );

      await t.test('cancellation reaches the server and aborts its work', async () => {
        const before = (await stats(client)).cancelled;
        const ac = new AbortController();
        const call = client.callTool({ name: 'slow', arguments: { seconds: 60 } }, undefined, {
          signal: ac.signal,
          onprogress: () => ac.abort('user pressed stop'),
        });
        await assert.rejects(call);
        assert.ok(
          await waitFor(async () => (await stats(client)).cancelled === before + 1),
          'the server saw the cancel',
        );
        assert.deepEqual(await client.ping(), {});
      });

      await t.test('a 1 MB result arrives whole', async () => {
        const res = await client.callTool({ name: 'big', arguments: { bytes: 1_000_000 } });
        assert.equal((res.content as { text: string }[])[0]!.text.length, 1_000_000);
      });

      await t.test(
        'a result over the SLIM frame limit fails with a clear error, and the link stays up',
        async () => {
          await assert.rejects(
            client.callTool({ name: 'big', arguments: { bytes: MAX_MCP_MESSAGE_BYTES + 1000 } }),
            /exceeds the 3000000-byte limit of one SLIM frame/,
          );
          assert.deepEqual(await client.ping(), {});
        },
      );
    });
  }
}
