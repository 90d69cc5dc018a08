// Component: the v2 SDK client (@modelcontextprotocol/client, version negotiation 'auto') on a group
// route over the in-memory SLIMRPC network's multicast. When every member speaks the stateless
// 2026-07-28 revision the client ends up on it too (no HTTP session) and sees one server: the union
// of the lists, calls on an owner (multi round-trip sampling included) and on all_<tool>. When one
// member is 2025-era the client negotiates down to a session-based revision and still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { startMcpGroup } from '../support/mcp/group.js';
import { startModernServer } from '../support/mcp/modern-server.js';

const ALPHA = 'acme/demo/alpha';
const BETA = 'acme/team/beta';

type Results = { results: { member: string; tool: string; status: string; result?: { content: unknown } }[] };

function v2Client() {
  const client = new Client(
    { name: 'group-v2-modern', version: '2.0.0' },
    { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {} } },
  );
  client.setRequestHandler('sampling/createMessage', () => ({
    model: 'm',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'forty-two' },
  }));
  return client;
}

test('the v2 client on 2026-07-28 uses a group of modern servers', { timeout: 120_000 }, async (t) => {
  const alpha = await startModernServer();
  t.after(() => alpha.close());
  const beta = await startModernServer();
  t.after(() => beta.close());
  const group = await startMcpGroup([
    { name: ALPHA, backend: { kind: 'http', url: alpha.url } },
    { name: BETA, backend: { kind: 'http', url: beta.url } },
  ]);
  t.after(() => group.close());
  const client = v2Client();
  await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
  t.after(() => client.close());

  await t.test('the modern revision is negotiated, end to end and without a session', () => {
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.equal(group.ingress.sessionCount(), 0, 'no HTTP session: the revision is stateless');
    assert.deepEqual([...alpha.versions], ['2026-07-28']);
    assert.deepEqual([...beta.versions], ['2026-07-28']);
    assert.equal(client.getServerVersion()?.name, 'slim-gateway-group');
    assert.ok(client.getServerCapabilities()?.tools, 'the group offers tools');
    const instructions = client.getInstructions() ?? '';
    for (const m of [ALPHA, BETA]) assert.ok(instructions.includes(m), `instructions name ${m}`);
  });

  await t.test('tools/list is the union of the members', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((x) => x.name);
    for (const n of ['alpha_echo', 'beta_echo', 'alpha_sample', 'beta_big', 'all_echo'])
      assert.ok(names.includes(n), `${n} is listed`);
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ['alpha_greet', 'beta_greet']);
  });

  await t.test('a call on one owner, and one on every member at once', async () => {
    const one = await client.callTool({ name: 'beta_echo', arguments: { text: 'to beta' } });
    assert.deepEqual(one.content, [{ type: 'text', text: 'to beta' }]);
    const all = await client.callTool({ name: 'all_echo', arguments: { text: 'to all' } });
    const { results } = all.structuredContent as Results;
    assert.deepEqual(
      results.map((r) => [r.member, r.status, r.result?.content]),
      [
        [ALPHA, 'ok', [{ type: 'text', text: 'to all' }]],
        [BETA, 'ok', [{ type: 'text', text: 'to all' }]],
      ],
    );
    assert.notEqual(all.isError, true);
  });

  await t.test('resources, prompts and multi round-trip sampling through an owner', async () => {
    const { resources } = await client.listResources();
    const uri = resources.find((r) => r.uri.includes('test://greeting') && r.uri.startsWith('alpha'))?.uri;
    assert.ok(uri, 'the member resource is listed under its prefix');
    const read = await client.readResource({ uri });
    assert.equal((read.contents[0] as { text: string }).text, 'hello, resource');
    assert.equal(read.contents[0]?.uri, uri, 'the content names the prefixed URI');
    const prompt = await client.getPrompt({ name: 'beta_greet', arguments: { who: 'Ada' } });
    assert.match(JSON.stringify(prompt.messages), /hello to Ada/);
    const sampled = await client.callTool({ name: 'alpha_sample', arguments: { prompt: 'meaning?' } });
    assert.deepEqual(sampled.content, [{ type: 'text', text: 'sampled: forty-two' }]);
  });

  await t.test('a member asking for input in an all_<tool> call is reported, not relayed', async () => {
    const res = await client.callTool({ name: 'all_sample', arguments: { prompt: 'q' } });
    const { results } = res.structuredContent as {
      results: { status: string; error?: { message: string } }[];
    };
    assert.deepEqual(
      results.map((r) => r.status),
      ['failed', 'failed'],
    );
    assert.match(results[0]?.error?.message ?? '', /client input/);
    assert.equal(res.isError, true);
  });

  await t.test('unknown names fail with a JSON-RPC error', async () => {
    await assert.rejects(client.callTool({ name: 'gamma_echo', arguments: {} }), /Unknown tool/);
    await assert.rejects(client.readResource({ uri: 'gamma+test://x' }), /names no group member/);
  });
});

test(
  'a group with a 2025-era member is served in a session-based revision',
  { timeout: 120_000 },
  async (t) => {
    const alpha = await startModernServer();
    t.after(() => alpha.close());
    const group = await startMcpGroup([
      { name: ALPHA, backend: { kind: 'http', url: alpha.url } },
      { name: BETA, backend: testStdioBackend() },
    ]);
    t.after(() => group.close());
    const client = v2Client();
    await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
    t.after(() => client.close());
    const version = client.getNegotiatedProtocolVersion() ?? '';
    assert.ok(version < '2026-07-28', `a legacy revision every member speaks (got ${version})`);
    assert.equal(group.ingress.sessionCount(), 1);
    const all = await client.callTool({ name: 'all_echo', arguments: { text: 'mixed' } });
    const { results } = all.structuredContent as Results;
    assert.deepEqual(
      results.map((r) => [r.member, r.status]),
      [
        [ALPHA, 'ok'],
        [BETA, 'ok'],
      ],
    );
  },
);
