// Scenario: the v2 SDK client (@modelcontextprotocol/client 2.4.0, version negotiation 'auto')
// through a gateway pair. Against a v2 server that speaks 2026-07-28 it must end up modern
// (stateless POSTs, no session) with every call working, the server really receiving 2026-07-28;
// against server-everything (2025-era) it must negotiate down to a legacy revision. Run over
// in-memory SLIMRPC (component) and over real SLIM with MLS (integration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { everythingBackend } from '../gateway.js';
import type { StartPair } from '../gateway.js';
import { startModernServer } from '../modern-server.js';
import { startTestHttpServer } from '../test-server.js';
import { assertProgress, recordIncoming } from '../record.js';

/** A hang guard only, never a timing assertion. */
const HANG_GUARD = { timeout: 180_000 };

function v2Client() {
  const client = new Client(
    { name: 'sdk-v2-test-client', version: '2.0.0' },
    { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {} } },
  );
  client.setRequestHandler('sampling/createMessage', () => ({
    model: 'm',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'forty-two' },
  }));
  return client;
}

/** Registers the scenario's tests; `via` names the pair in the test names. */
export function v2ClientScenario(start: StartPair, via: string): void {
  test(`v2 client on 2026-07-28 through ${via} to a modern v2 server`, HANG_GUARD, async (t) => {
    const server = await startModernServer();
    t.after(() => server.close());
    const gw = await start({ kind: 'http', url: server.url });
    t.after(() => gw.close());
    const client = v2Client();
    const transport = new StreamableHTTPClientTransport(new URL(gw.url));
    await client.connect(transport);
    t.after(() => client.close());
    const wire = recordIncoming(transport);

    await t.test('the modern revision was negotiated and is what the server received', () => {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      assert.deepEqual([...server.versions], ['2026-07-28']);
      assert.equal(gw.ingress.sessionCount(), 0, 'no HTTP session: the revision is stateless');
    });

    await t.test('tools, resources and prompts (2026-07-28 has no ping)', async () => {
      const { tools } = await client.listTools();
      assert.ok(tools.some((x) => x.name === 'echo'));
      const res = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'modern' }]);
      const read = await client.readResource({ uri: 'test://greeting' });
      assert.equal((read.contents[0] as { text: string }).text, 'hello, resource');
      const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } });
      assert.match(JSON.stringify(prompt.messages), /hello to Ada/);
    });

    await t.test('progress notifications on the request stream', async () => {
      const seen: number[] = [];
      wire.reset();
      await client.callTool(
        { name: 'progress', arguments: { steps: 3 } },
        { onprogress: (p) => seen.push(p.progress) },
      );
      assertProgress(wire, seen, [1, 2, 3]);
    });

    await t.test('sampling the modern way (input_required, fulfilled by the client, retried)', async () => {
      const res = await client.callTool({ name: 'sample', arguments: { prompt: 'meaning?' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'sampled: forty-two' }]);
    });

    await t.test('an unknown tool fails with the JSON-RPC error of the server', async () => {
      await assert.rejects(
        client.callTool({ name: 'nope', arguments: {} }),
        (e: { code?: number; message: string }) => {
          return e.code === -32602 && /Tool nope not found/.test(e.message);
        },
      );
    });

    await t.test('closing the stream cancels the call at the server', async () => {
      const ac = new AbortController();
      await assert.rejects(
        client.callTool(
          { name: 'slow', arguments: { seconds: 60 } },
          { signal: ac.signal, onprogress: () => ac.abort() },
        ),
      );
      for (let i = 0; i < 200 && server.stats.cancelled === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.equal(server.stats.cancelled, 1);
    });

    await t.test('a 1 MB result', async () => {
      const res = await client.callTool({ name: 'big', arguments: { bytes: 1_000_000 } });
      assert.equal((res.content as { text: string }[])[0]!.text.length, 1_000_000);
    });
  });

  test(
    `v2 client through ${via} negotiates down to a legacy revision against server-everything`,
    HANG_GUARD,
    async (t) => {
      const gw = await start(everythingBackend());
      t.after(() => gw.close());
      const client = v2Client();
      const transport = new StreamableHTTPClientTransport(new URL(gw.url));
      await client.connect(transport);
      t.after(() => client.close());
      const wire = recordIncoming(transport);
      const version = client.getNegotiatedProtocolVersion();
      assert.ok(
        version !== undefined && version < '2026-07-28',
        `legacy revision negotiated (got ${version})`,
      );
      assert.equal(gw.ingress.sessionCount(), 1, 'a legacy session was opened');
      const res = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'Echo: legacy' }]);
      const seen: number[] = [];
      wire.reset();
      await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
        { onprogress: (p) => seen.push(p.progress) },
      );
      assertProgress(wire, seen, [1, 2]);
      const read = await client.readResource({ uri: 'demo://resource/dynamic/text/1' });
      assert.equal(read.contents[0]?.uri, 'demo://resource/dynamic/text/1');
      const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lisbon' } });
      assert.match(JSON.stringify(prompt.messages), /Lisbon/);
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'q' } });
      assert.match(JSON.stringify(sampled.content), /forty-two/);
      assert.deepEqual(await client.ping(), {});
    },
  );

  test(
    `v2 client through ${via} negotiates down against a legacy Streamable HTTP server (SDK v1) too`,
    HANG_GUARD,
    async (t) => {
      const server = await startTestHttpServer();
      t.after(() => server.close());
      const gw = await start({ kind: 'http', url: server.url });
      t.after(() => gw.close());
      const client = v2Client();
      await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
      t.after(() => client.close());
      const version = client.getNegotiatedProtocolVersion();
      assert.ok(
        version !== undefined && version < '2026-07-28',
        `legacy revision negotiated (got ${version})`,
      );
      const res = await client.callTool({ name: 'sample', arguments: { prompt: 'q' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'sampled: forty-two' }]);
    },
  );
}
