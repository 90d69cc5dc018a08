// Interop, over real SLIM with MLS (our node, our apps, and a reference SLIMRPC server): one MCP
// group route of three members — two MCP servers behind our egress (the SDK test server, and
// server-everything) and a reference `Server` speaking mcp.v1.McpService with raw-bytes handlers —
// driven by the official MCP client. The client lists the union, calls each owner, calls the tool
// all three share on all of them at once; the reference process is killed mid-session and the
// client is told while the others keep answering; a member added appears after list_changed; a
// member removed from the group cannot decrypt what the group sends afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { createMcpIngress, createMcpService } from '../../src/adapters/mcp/index.js';
import type { BackendSpec } from '../../src/adapters/mcp/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { MlsGroup } from '../../src/slim/mls/index.js';
import { inspectMlsMessage } from '../../src/slim/mls/index.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { everythingBackend, testStdioBackend } from '../support/mcp/gateway.js';
import { startEdge } from '../support/mcp/http-edge.js';
import { REPO_ROOT } from '../support/paths.js';
import { referenceMcpServer } from '../support/reference-mcp.js';
import { groupChannels, names, startSlimFabric } from '../support/slim-group.js';
import type { TapLink } from '../support/tap-link.js';
import { until } from '../support/until.js';

const ALPHA = 'org/ns/alpha';
const EVERYTHING = 'org/ns/everything';
const REF = 'org/ns/refmcp';
const WEATHER = 'org/ns/weather';
const weather: BackendSpec = {
  kind: 'stdio',
  command: process.execPath,
  args: [join(REPO_ROOT, 'examples', 'servers', 'weather.js')],
};

type Results = { results: { member: string; status: string; result?: { content: unknown } }[] };
const statusOf = (r: unknown) => (r as Results).results.map((x) => [x.member, x.status] as const);

test('MCP group route over real SLIM with a reference member', { timeout: 240_000 }, async (t) => {
  const fabric = await startSlimFabric();
  t.after(() => fabric.close());
  const metrics = new MetricsRegistry();
  const alphaGroups: MlsGroup[] = [];
  const services = new Map<string, () => Promise<void>>();
  const serve = async (name: string, backend: BackendSpec, keep?: MlsGroup[]) => {
    const svc = createMcpService({ name: parseName(name), backend, metrics });
    const stop = await fabric.serve(name, [svc.service], keep);
    services.set(name, async () => {
      await stop();
      await svc.close();
    });
  };
  t.after(async () => {
    for (const stop of services.values()) await stop();
  });
  await serve(ALPHA, testStdioBackend(), alphaGroups);
  await serve(EVERYTHING, everythingBackend());
  const ref = await referenceMcpServer('refmcp', fabric.endpoint, 'ref');
  t.after(() => ref.stop());

  const gateway = await fabric.app('org/ns/gateway', { tap: true });
  const tap = gateway.link as TapLink;
  const { multicast, memberClient } = groupChannels(gateway, names(ALPHA, EVERYTHING, REF));
  t.after(() => multicast.close());
  const ingress = createMcpIngress({
    route: '/mcp/group',
    target: names(ALPHA, EVERYTHING, REF),
    client: multicast,
    memberClient,
    metrics,
    timeoutMs: 15_000,
  });
  t.after(() => ingress.close());
  const edge = await startEdge({ '/mcp/group': ingress.handler });
  t.after(() => edge.close());

  const client = new Client({ name: 'group-slim-test', version: '1.0.0' });
  let changed = 0;
  const warnings: string[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n) => void warnings.push(JSON.stringify(n.params)),
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(`${edge.origin}/mcp/group`)));
  t.after(() => client.close());

  await t.test('the client lists the union of the three members', async () => {
    const names = (await client.listTools()).tools.map((x) => x.name);
    for (const n of ['alpha_echo', 'everything_echo', 'refmcp_echo', 'refmcp_whoami', 'all_echo'])
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  });

  await t.test('a call reaches the owner of each name', async () => {
    const r = await client.callTool({ name: 'refmcp_echo', arguments: { text: 'hi' } });
    assert.deepEqual(r.content, [{ type: 'text', text: 'ref:hi' }]);
    const a = await client.callTool({ name: 'alpha_echo', arguments: { text: 'hi' } });
    assert.deepEqual(a.content, [{ type: 'text', text: 'hi' }]);
    const e = await client.callTool({ name: 'everything_echo', arguments: { message: 'hi' } });
    assert.deepEqual(e.content, [{ type: 'text', text: 'Echo: hi' }]);
  });

  await t.test('all_echo runs on all three at once, one attributed result each', async () => {
    const r = await client.callTool({ name: 'all_echo', arguments: { text: 'x', message: 'x' } });
    assert.deepEqual(statusOf(r.structuredContent), [
      [ALPHA, 'ok'],
      [EVERYTHING, 'ok'],
      [REF, 'ok'],
    ]);
    const results = (r.structuredContent as Results).results;
    assert.deepEqual(results[2]?.result?.content, [{ type: 'text', text: 'ref:x' }]);
    assert.deepEqual(results[1]?.result?.content, [{ type: 'text', text: 'Echo: x' }]);
  });

  await t.test('the reference member killed mid-session: the others answer, the client is told', async () => {
    const before = changed;
    await ref.stop();
    const r = await client.callTool({ name: 'all_echo', arguments: { text: 'y', message: 'y' } });
    assert.deepEqual(statusOf(r.structuredContent), [
      [ALPHA, 'ok'],
      [EVERYTHING, 'ok'],
      [REF, 'failed'],
    ]);
    assert.ok(
      warnings.some((w) => w.includes(REF)),
      'a warning names the member',
    );
    await until(() => changed > before, 'list_changed once the member is down');
    const list = await client.listTools();
    assert.ok(!list.tools.some((x) => x.name.startsWith('refmcp_')));
    const meta = (list._meta?.['slim-gateway/group'] as { members: { member: string; status: string }[] })
      .members;
    assert.equal(meta.find((m) => m.member === REF)?.status, 'failed');
  });

  await t.test('a member added to the group appears after list_changed', async () => {
    await serve(WEATHER, weather);
    const before = changed;
    await ingress.setMembers!(names(ALPHA, EVERYTHING, REF, WEATHER));
    await until(() => changed > before, 'list_changed after the member joined');
    const tools = (await client.listTools()).tools.map((x) => x.name);
    assert.ok(tools.includes('weather_get_forecast'));
    const f = await client.callTool({
      name: 'weather_get_forecast',
      arguments: { city: 'Nairobi', days: 1 },
    });
    assert.match(JSON.stringify(f.content), /Nairobi/);
  });

  await t.test('a member removed from the group cannot decrypt what the group sends next', async () => {
    let mark = tap.toNode.length;
    await client.listTools(); // group traffic while alpha is a member
    const before = groupFrames(tap.toNode.slice(mark));
    await ingress.setMembers!(names(EVERYTHING, WEATHER));
    mark = tap.toNode.length;
    assert.ok(!multicast.members().some((m) => m.app === 'alpha'));
    const list = await client.listTools(); // group traffic after alpha was removed
    assert.ok(list.tools.some((x) => x.name === 'weather_get_forecast'));
    assert.ok(!list.tools.some((x) => x.name.startsWith('alpha_')));
    const after = groupFrames(tap.toNode.slice(mark));
    assert.ok(before.length > 0 && after.length > 0, 'group messages were captured');
    const groupId = Buffer.from(before[0]!.groupId).toString('hex');
    assert.ok(
      after.every((f) => Buffer.from(f.groupId).toString('hex') === groupId),
      'the same MLS group',
    );
    assert.ok(alphaGroups.length > 0);
    for (const f of after) {
      assert.equal(Buffer.from(f.blob).indexOf(Buffer.from('tools/list')), -1, 'ciphertext only');
      for (const g of alphaGroups) {
        assert.ok(f.epoch > g.epoch, 'sent in a later epoch than any alpha holds');
        await assert.rejects(g.decrypt(f.blob), 'alpha decrypted group traffic after its removal');
      }
    }
  });
});

/** The MLS application messages the gateway sent to a group channel (a `<org>/<ns>/<uuid>` name). */
function groupFrames(published: Uint8Array[]): { groupId: Uint8Array; epoch: bigint; blob: Uint8Array }[] {
  const out = [];
  for (const bytes of published) {
    const f = readFrame(decodeMessage(bytes));
    if (!f || f.type !== MsgType.MSG || !f.app) continue;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(f.destination.app)) continue;
    const info = inspectMlsMessage(f.app.blob);
    if (info.kind !== 'private_message') continue;
    out.push({ groupId: info.groupId!, epoch: info.epoch!, blob: f.app.blob });
  }
  return out;
}
