// Component: the production GatewayDeps (src/gateway/real-deps.ts, real-adapters.ts) piece by piece,
// on our real node: the node reports the port it bound; apps with the same name are distinct
// instances; an unreachable node fails the link within its deadline; `slim.mls` decides whether a
// service demands MLS; group routes are refused clearly; an A2A service's headers reach the agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realDeps, ROUTE_MAX_CONCURRENT_CALLS } from '../../src/gateway/real-deps.js';
import type { RealApp, RealNode } from '../../src/gateway/real-deps.js';
import { realMcpAdapter } from '../../src/gateway/real-adapters.js';
import { A2aAgentClient } from '../../src/adapters/a2a/egress/agent-client.js';
import { formatName, parseName } from '../../src/slim/dataplane/name.js';
import { createChannel } from '../../src/slim/rpc/index.js';
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { isGatewayError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { SHARED_SECRET } from '../support/real-gateway.js';
import { freePort } from '../support/reference.js';

const ctx = { logger: silentLogger, metrics: new MetricsRegistry() };
const signal = new AbortController().signal;
const te = new TextEncoder();
const td = new TextDecoder();

async function nodeAndApps(t: { after: (fn: () => Promise<void>) => void }, mls: boolean) {
  const deps = realDeps();
  const node: RealNode = await deps.startNode({ ...ctx, listen: { host: '127.0.0.1', port: 0 }, signal });
  t.after(() => node.close());
  const app = async (name: string): Promise<RealApp> => {
    const link = await deps.connectLink({
      ...ctx,
      endpoint: { kind: 'embedded', node },
      timeoutMs: 5_000,
      signal,
    });
    const a = await deps.createApp({
      ...ctx,
      link,
      name: parseName(name),
      identity: { kind: 'sharedSecret', secret: SHARED_SECRET },
      mls,
      signal,
    });
    t.after(() => a.close());
    return a;
  };
  return { deps, node, app };
}

test('the embedded node reports the port it bound, and accepts gRPC links there', async (t) => {
  const { deps, node } = await nodeAndApps(t, true);
  assert.match(node.address, /^127\.0\.0\.1:[1-9]\d*$/);
  const link = await deps.connectLink({
    ...ctx,
    endpoint: { kind: 'remote', url: `http://${node.address}` },
    timeoutMs: 5_000,
    signal,
  });
  assert.equal(link.state, 'ready');
  await link.close();
});

test('two apps with the same name are distinct instances', async (t) => {
  const { app } = await nodeAndApps(t, true);
  const [a, b] = [await app('acme/demo/gateway'), await app('acme/demo/gateway')];
  assert.equal(formatName(a.name).slice(0, 18), 'acme/demo/gateway/');
  assert.notEqual(a.name.id, b.name.id);
});

test('an unreachable node fails the link within its deadline, never hangs', async () => {
  const port = await freePort();
  await assert.rejects(
    realDeps().connectLink({
      ...ctx,
      endpoint: { kind: 'remote', url: `http://127.0.0.1:${port}` },
      timeoutMs: 500,
      signal,
    }),
    (err: unknown) => isGatewayError(err, 'UNREACHABLE') || isGatewayError(err, 'TIMEOUT'),
  );
});

test('with mls: true a service refuses plaintext sessions; with mls: false it serves them', async (t) => {
  for (const mls of [true, false]) {
    const { deps, app } = await nodeAndApps(t, mls);
    const service = await app('acme/demo/svc');
    const server = deps.createRpcServer(service, ctx);
    server.register({
      name: 'svc.S',
      methods: { Echo: { kind: 'unary', handler: (r: Uint8Array) => Promise.resolve(r) } },
    });
    t.after(() => server.close(0));
    const caller = await app('acme/demo/caller');
    const plain = createChannel(caller.app, parseName('acme/demo/svc'), {
      mls: false,
      setupTimeoutMs: 10_000,
    });
    const call = plain.unary('svc.S', 'Echo', te.encode('plain'), { timeoutMs: 20_000 });
    if (mls) await assert.rejects(call);
    else assert.equal(td.decode(await call), 'plain');
    await plain.close();
    // The gateway's own channels follow slim.mls (the app's), and are not held to 32 calls.
    const own = deps.createRpcClient(caller, parseName('acme/demo/svc'), ctx);
    assert.equal(td.decode(await own.unary('svc.S', 'Echo', te.encode('ok'), { timeoutMs: 20_000 })), 'ok');
    await own.close();
  }
  assert.ok(ROUTE_MAX_CONCURRENT_CALLS > 1000);
});

test('a group route reaches the adapters as a group (multicast client and per-member channels)', async () => {
  const net = new MemoryRpcNetwork();
  const members = [parseName('a/b/c'), parseName('a/b/d')];
  const caller = parseName('a/b/gw');
  const ingress = realMcpAdapter().createIngress({
    ...ctx,
    route: '/mcp/all',
    timeoutMs: 1000,
    maxBodyBytes: 1000,
    target: members,
    client: net.multicast(members, caller),
    memberClient: (name) => net.client(name, caller),
  });
  const resolved = await ingress;
  assert.equal(typeof resolved.handler, 'function');
  assert.equal(typeof resolved.setMembers, 'function', 'group ingresses accept membership changes');
  await resolved.close();
});

test("an A2A service's headers are added to each request; the request's own headers win", async (t) => {
  const seen: Record<string, string | string[] | undefined>[] = [];
  const card = {
    name: 'a',
    description: 'd',
    version: '1',
    supportedInterfaces: [{ url: 'http://127.0.0.1/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: {},
    defaultInputModes: [],
    defaultOutputModes: [],
    skills: [],
  };
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET') res.end(JSON.stringify(card));
    else res.end('{"jsonrpc":"2.0","id":1,"result":{"ok":true}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const agent = new A2aAgentClient({
    url,
    logger: silentLogger,
    headers: { 'X-Api-Key': 'k1', 'a2a-version': 'configured', 'x-tenant': 't1' },
  });
  t.after(() => agent.close());
  const result = await agent.call('1.0', 'SendMessage', {}, { 'X-Tenant': 't2' }, signal);
  assert.deepEqual(result, { ok: true });
  await agent.call('0.3', 'message/send', {}, {}, signal);
  assert.equal(seen[0]!['x-api-key'], 'k1');
  assert.equal(seen[0]!['a2a-version'], '1.0', 'the call sets its version');
  assert.equal(seen[0]!['x-tenant'], 't2', "sent once, with the call's value");
  assert.equal(seen[1]!['x-api-key'], 'k1');
  assert.equal(seen[1]!['a2a-version'], '0.3');
  assert.equal(seen[1]!['x-tenant'], 't1');
  const info = await agent.info(signal);
  assert.deepEqual([...info.versions], ['1.0']);
  assert.equal(seen[2]!['x-api-key'], 'k1', 'the card request carries them too');
  assert.equal(seen[2]!['a2a-version'], '1.0');
});
