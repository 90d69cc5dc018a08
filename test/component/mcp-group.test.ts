// Component: an unmodified MCP client (the official v1 SDK, Streamable HTTP) on a group route of
// three MCP servers behind our egress, over the in-memory SLIMRPC network's multicast. The client
// sees one server: the union of the lists under predictable names, calls on each owner, one call
// on every member at once with attributed results; a member that dies is named to the client and
// the others keep answering; members added or removed show up after list_changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { TOOL_NAME_RE } from '../../src/adapters/group/names.js';
import { MCP_SERVICE } from '../../src/adapters/mcp/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/types.js';
import { REPO_ROOT } from '../support/paths.js';
import { everythingBackend, testStdioBackend } from '../support/mcp/gateway.js';
import { startMcpGroup } from '../support/mcp/group.js';
import { until } from '../support/until.js';

const ALPHA = 'acme/demo/alpha';
const BETA = 'acme/team/beta';
const EVERYTHING = 'acme/demo/everything';
const WEATHER = 'acme/demo/weather';

const weatherBackend = () => ({
  kind: 'stdio' as const,
  command: process.execPath,
  args: [join(REPO_ROOT, 'examples', 'servers', 'weather.js')],
});

type Results = { results: { member: string; tool: string; status: string; result?: { content: unknown } }[] };
const groupMeta = (r: { _meta?: Record<string, unknown> }) =>
  (r._meta?.['slim-gateway/group'] as { members: { member: string; status: string; error?: string }[] })
    .members;

test(
  'three MCP servers behind one group route, driven by the v1 SDK client',
  { timeout: 120_000 },
  async (t) => {
    const group = await startMcpGroup([
      { name: ALPHA, backend: testStdioBackend() },
      { name: BETA, backend: testStdioBackend() },
      { name: EVERYTHING, backend: everythingBackend() },
    ]);
    t.after(() => group.close());
    const client = new Client({ name: 'group-test-client', version: '1.0.0' });
    const listChanged: number[] = [];
    const warnings: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged.push(Date.now()));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      warnings.push(JSON.stringify(n.params.data));
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
    t.after(() => client.close());

    await t.test('initialize presents one server that names its members', () => {
      assert.equal(client.getServerVersion()?.name, 'slim-gateway-group');
      assert.ok(client.getServerCapabilities()?.tools?.listChanged);
      const instructions = client.getInstructions() ?? '';
      for (const m of [ALPHA, BETA, EVERYTHING])
        assert.ok(instructions.includes(m), `instructions name ${m}`);
    });

    await t.test('tools/list is the union, every name prefixed and valid', async () => {
      const res = await client.listTools();
      const names = res.tools.map((x) => x.name);
      for (const n of names) assert.match(n, TOOL_NAME_RE);
      assert.ok(names.includes('alpha_echo'));
      assert.ok(names.includes('beta_echo'));
      assert.ok(names.includes('everything_echo'));
      assert.ok(names.includes('everything_get-sum'));
      assert.ok(names.includes('all_echo'), 'a tool all three share can be called on all');
      assert.ok(names.includes('all_slow'), 'alpha and beta share slow');
      assert.ok(!names.includes('all_get-sum'), 'a tool only one member has gets no fan-out tool');
      assert.equal(new Set(names).size, names.length, 'no duplicates');
      assert.deepEqual(
        groupMeta(res).map((m) => [m.member, m.status]),
        [
          [ALPHA, 'ok'],
          [BETA, 'ok'],
          [EVERYTHING, 'ok'],
        ],
      );
    });

    await t.test('a call goes to the member that owns the name', async () => {
      const a = await client.callTool({ name: 'alpha_echo', arguments: { text: 'to alpha' } });
      assert.deepEqual(a.content, [{ type: 'text', text: 'to alpha' }]);
      const e = await client.callTool({ name: 'everything_echo', arguments: { message: 'to everything' } });
      assert.deepEqual(e.content, [{ type: 'text', text: 'Echo: to everything' }]);
      const sum = await client.callTool({ name: 'everything_get-sum', arguments: { a: 2, b: 40 } });
      assert.match(JSON.stringify(sum.content), /42/);
    });

    await t.test('prompts, resources and resource reads are routed by prefix', async () => {
      const { prompts } = await client.listPrompts();
      assert.ok(prompts.some((p) => p.name.startsWith('alpha_')));
      assert.ok(prompts.some((p) => p.name === 'everything_simple-prompt'));
      const { resources } = await client.listResources();
      const mine = resources.find((r) => r.uri.startsWith('everything+'));
      assert.ok(mine, 'resources carry their member prefix');
      const read = await client.readResource({ uri: mine.uri });
      assert.equal(read.contents[0]?.uri, mine.uri, 'read results carry the presented URI');
    });

    await t.test('all_echo calls every member at once; each result names its member', async () => {
      const res = await client.callTool({ name: 'all_echo', arguments: { text: 'hello', message: 'hello' } });
      assert.equal(res.isError, false);
      const { results } = res.structuredContent as Results;
      assert.deepEqual(
        results.map((r) => [r.member, r.status]),
        [
          [ALPHA, 'ok'],
          [BETA, 'ok'],
          [EVERYTHING, 'ok'],
        ],
      );
      assert.deepEqual(results[0]?.result?.content, [{ type: 'text', text: 'hello' }]);
      assert.deepEqual(results[2]?.result?.content, [{ type: 'text', text: 'Echo: hello' }]);
      const text = JSON.stringify(res.content);
      for (const m of [ALPHA, BETA, EVERYTHING]) assert.ok(text.includes(`[${m}] ok`));
    });

    await t.test('a member killed mid-session: the others keep answering, the client is told', async () => {
      const changedBefore = listChanged.length;
      await group.stop(BETA);
      const res = await client.callTool({
        name: 'all_echo',
        arguments: { text: 'still there?', message: 'x' },
      });
      const { results } = res.structuredContent as Results;
      assert.deepEqual(
        results.map((r) => [r.member, r.status]),
        [
          [ALPHA, 'ok'],
          [BETA, 'failed'],
          [EVERYTHING, 'ok'],
        ],
      );
      assert.ok(
        warnings.some((w) => w.includes(BETA)),
        'a warning names the failed member',
      );
      await until(() => listChanged.length > changedBefore, 'list_changed after the member went down');
      const list = await client.listTools();
      const names = list.tools.map((x) => x.name);
      assert.ok(names.includes('alpha_echo') && names.includes('everything_echo'));
      assert.ok(!names.includes('beta_echo'), "the dead member's tools are not listed");
      const beta = groupMeta(list).find((m) => m.member === BETA);
      assert.equal(beta?.status, 'failed');
      assert.match(beta?.error ?? '', /unavailable/i);
      const direct = await client.callTool({ name: 'alpha_echo', arguments: { text: 'alive' } });
      assert.deepEqual(direct.content, [{ type: 'text', text: 'alive' }]);
      const failures = await group.metrics.render();
      assert.match(failures, /slim_gateway_group_member_failures_total\{[^}]*member="acme\/team\/beta"/);
    });

    await t.test('a member added to the group appears after list_changed', async () => {
      group.start(WEATHER, weatherBackend());
      const changedBefore = listChanged.length;
      await group.setMembers([ALPHA, BETA, EVERYTHING, WEATHER]);
      await until(() => listChanged.length > changedBefore, 'list_changed after the member was added');
      const { tools } = await client.listTools();
      assert.ok(tools.some((x) => x.name === 'weather_get_forecast'));
      const f = await client.callTool({
        name: 'weather_get_forecast',
        arguments: { city: 'Lisbon', days: 1 },
      });
      assert.match(JSON.stringify(f.content), /Lisbon/);
    });

    await t.test('a member removed from the group leaves the MLS group and the lists', async () => {
      const changedBefore = listChanged.length;
      await group.setMembers([ALPHA, EVERYTHING, WEATHER]);
      await until(() => listChanged.length > changedBefore, 'list_changed after the member was removed');
      assert.ok(
        !group.multicast.members().some((m) => m.app === 'beta'),
        'not a member of the group any more',
      );
      const list = await client.listTools();
      assert.ok(!groupMeta(list).some((m) => m.member === BETA));
      assert.ok(!list.tools.some((x) => x.name.startsWith('beta_')));
    });
  },
);

test('the v2 SDK client (version negotiation auto) uses a group route', { timeout: 60_000 }, async (t) => {
  const group = await startMcpGroup([
    { name: ALPHA, backend: testStdioBackend() },
    { name: EVERYTHING, backend: everythingBackend() },
  ]);
  t.after(() => group.close());
  const client = new V2Client(
    { name: 'group-v2', version: '2.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(new V2Transport(new URL(group.url)));
  t.after(() => client.close());
  assert.ok(
    (client.getNegotiatedProtocolVersion() ?? '') < '2026-07-28',
    'a group is served in the session-based revisions',
  );
  const { tools } = await client.listTools();
  assert.ok(tools.some((x) => x.name === 'all_echo'));
  const res = await client.callTool({ name: 'all_echo', arguments: { text: 'v2', message: 'v2' } });
  const { results } = res.structuredContent as Results;
  assert.deepEqual(
    results.map((r) => [r.member, r.status]),
    [
      [ALPHA, 'ok'],
      [EVERYTHING, 'ok'],
    ],
  );
});

test('a group route over stdio (slim-gateway stdio)', { timeout: 60_000 }, async (t) => {
  const group = await startMcpGroup([
    { name: ALPHA, backend: testStdioBackend() },
    { name: BETA, backend: testStdioBackend() },
  ]);
  t.after(() => group.close());
  const input = new PassThrough();
  const output = new PassThrough();
  const answers = new Map<number, Record<string, unknown>>();
  let buf = '';
  output.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const m = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      if (typeof m['id'] === 'number') answers.set(m['id'], m);
      buf = buf.slice(nl + 1);
    }
  });
  const stop = new AbortController();
  const served = group.ingress.serveStdio(input, output, stop.signal);
  t.after(async () => {
    stop.abort();
    await served;
  });
  const send = (m: object) => input.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n');
  send({
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stdio', version: '1' } },
  });
  await until(() => answers.has(1), 'initialize answered');
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/call', params: { name: 'all_echo', arguments: { text: 'over stdio' } } });
  await until(() => answers.has(2), 'all_echo answered');
  const result = answers.get(2)!['result'] as { structuredContent: Results };
  assert.deepEqual(
    result.structuredContent.results.map((r) => [r.member, r.status, r.result?.content]),
    [
      [ALPHA, 'ok', [{ type: 'text', text: 'over stdio' }]],
      [BETA, 'ok', [{ type: 'text', text: 'over stdio' }]],
    ],
  );
});

test(
  'a member that does not answer in time: lists carry what answered, and say so',
  { timeout: 60_000 },
  async (t) => {
    // A member that accepts every MCP request and never answers (until the call is abandoned).
    const silent: ServiceDefinition = {
      name: MCP_SERVICE,
      methods: {
        Request: {
          kind: 'serverStream',
          handler: async function* (_req, ctx) {
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
            yield* [];
          },
        },
        Notify: { kind: 'unary', handler: () => Promise.resolve(new TextEncoder().encode('{}')) },
      },
    };
    const group = await startMcpGroup(
      [
        { name: ALPHA, backend: testStdioBackend() },
        { name: 'acme/demo/silent', service: silent },
      ],
      { timeoutMs: 1_500 },
    );
    t.after(() => group.close());
    const client = new Client({ name: 'slow-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
    t.after(() => client.close());
    const list = await client.listTools();
    assert.ok(
      list.tools.some((x) => x.name === 'alpha_echo'),
      'the member that answered is listed',
    );
    const silentStatus = groupMeta(list).find((m) => m.member === 'acme/demo/silent');
    assert.equal(silentStatus?.status, 'failed');
    assert.match(silentStatus?.error ?? '', /timed out|deadline/i);
    const r = await client.callTool({ name: 'alpha_echo', arguments: { text: 'not blocked' } });
    assert.deepEqual(r.content, [{ type: 'text', text: 'not blocked' }]);
  },
);
