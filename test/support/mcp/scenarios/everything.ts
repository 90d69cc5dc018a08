// Scenario: the official MCP SDK client (v1, Streamable HTTP) through a gateway pair to
// @modelcontextprotocol/server-everything spawned over stdio. Everything a user of Claude Desktop or
// an IDE would do. Run over in-memory SLIMRPC (test/component/mcp-everything.test.ts) and over real
// SLIM with MLS (test/integration/mcp-slim-everything.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { everythingBackend } from '../gateway.js';
import type { StartPair } from '../gateway.js';
import { assertProgress, recordIncoming } from '../record.js';

/** A hang guard only, never a timing assertion. */
const HANG_GUARD = { timeout: 180_000 };

/** Registers the scenario's tests; `via` names the pair in the test names. */
export function everythingScenario(start: StartPair, via: string): void {
  test(`server-everything through ${via}, driven by the v1 SDK client`, HANG_GUARD, async (t) => {
    const gw = await start(everythingBackend());
    t.after(() => gw.close());
    const client = new Client(
      { name: 'sdk-v1-test-client', version: '1.0.0' },
      { capabilities: { sampling: {}, roots: { listChanged: true }, elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept' as const,
      content: { name: 'Ada' },
    }));
    let rootsAsked = 0;
    client.setRequestHandler(ListRootsRequestSchema, () => {
      rootsAsked++;
      return { roots: [{ uri: 'file:///tmp', name: 'tmp' }] };
    });
    client.setRequestHandler(CreateMessageRequestSchema, (req) => {
      const first = req.params.messages[0]?.content as { text?: string } | undefined;
      return {
        model: 'test-model',
        role: 'assistant',
        content: { type: 'text', text: `echo of ${first?.text ?? ''}` },
      };
    });
    const transport = new StreamableHTTPClientTransport(new URL(gw.url));
    await client.connect(transport);
    t.after(() => client.close());
    const wire = recordIncoming(transport);
    assert.ok(transport.sessionId, 'the ingress issued an Mcp-Session-Id');
    assert.equal(client.getServerVersion()?.name, 'mcp-servers/everything');

    await t.test('tools/list and tools/call', async () => {
      const { tools } = await client.listTools();
      assert.ok(tools.some((x) => x.name === 'echo'));
      const res = await client.callTool({ name: 'echo', arguments: { message: 'over SLIM' } });
      assert.deepEqual(res.content, [{ type: 'text', text: 'Echo: over SLIM' }]);
      const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } });
      assert.match(JSON.stringify(sum.content), /42/);
    });

    await t.test('resources/list and resources/read; prompts/get', async () => {
      const { resources } = await client.listResources();
      assert.ok(resources.length > 0);
      const uri = 'demo://resource/dynamic/text/1';
      const read = await client.readResource({ uri });
      assert.equal(read.contents[0]?.uri, uri);
      const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lisbon' } });
      assert.match(JSON.stringify(prompt.messages), /Lisbon/);
    });

    await t.test('progress notifications arrive while the call runs', async () => {
      const seen: number[] = [];
      wire.reset();
      const res = await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
        undefined,
        { onprogress: (p) => seen.push(p.progress) },
      );
      assertProgress(wire, seen, [1, 2, 3]);
      assert.match(JSON.stringify(res.content), /completed/);
    });

    await t.test('a sampling request from the server is answered by the client', async () => {
      const res = await client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'weather?' },
      });
      assert.match(JSON.stringify(res.content), /echo of .*weather\?/);
    });

    await t.test('an elicitation request from the server is answered by the client', async () => {
      const res = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(JSON.stringify(res.content), /accept/);
      assert.match(JSON.stringify(res.content), /Ada/);
    });

    await t.test('unsolicited server requests (roots/list) reach the client through Listen', async () => {
      for (let i = 0; i < 200 && rootsAsked === 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(rootsAsked >= 1, 'server-everything asked for roots after initialize');
      const res = await client.callTool({ name: 'get-roots-list', arguments: {} });
      assert.match(JSON.stringify(res.content), /file:\/\/\/tmp/);
    });

    await t.test(
      'ping, and an unknown tool answered as the server answers it (an error result)',
      async () => {
        assert.deepEqual(await client.ping(), {});
        const res = await client.callTool({ name: 'no-such-tool', arguments: {} });
        assert.equal(res.isError, true);
        assert.match(JSON.stringify(res.content), /no-such-tool/);
      },
    );

    await t.test('cancelling a long call aborts it; the session keeps working', async () => {
      const ac = new AbortController();
      const call = client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } },
        undefined,
        { signal: ac.signal, onprogress: () => ac.abort() },
      );
      await assert.rejects(call, /abort/i);
      assert.deepEqual(await client.ping(), {});
    });

    await t.test('metrics count calls by method on both sides', async () => {
      const text = await gw.metrics.render();
      assert.match(
        text,
        /slim_gateway_mcp_ingress_requests_total\{method="tools\/call",route="\/mcp\/test"\} \d+/,
      );
      assert.match(
        text,
        /slim_gateway_mcp_egress_requests_total\{method="tools\/call",service="acme\/demo\/mcp-test"\} \d+/,
      );
      assert.match(text, /slim_gateway_mcp_egress_sessions\{service="acme\/demo\/mcp-test"\} 1/);
    });

    await t.test('DELETE ends the session on both sides', async () => {
      await transport.terminateSession();
      assert.equal(gw.ingress.sessionCount(), 0);
      for (let i = 0; i < 100 && gw.service.sessionCount() > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(gw.service.sessionCount(), 0);
    });
  });
}
