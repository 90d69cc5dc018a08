// Component: the whole gateway (config -> HTTP edge -> route -> SLIMRPC -> service -> adapter) on
// in-memory deps: routes reach services by SLIM name (one or a group), readiness follows links and
// services, metrics, hot reload of routes, services and tokens, and shutdown (drain, then fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGateway } from '../../src/gateway/index.js';
import type { Gateway } from '../../src/gateway/index.js';
import { memoryDeps } from '../support/memory-deps.js';
import type { MemoryDeps } from '../support/memory-deps.js';
import { runStdio } from '../../src/gateway/stdio.js';
import { GatewayError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { fakeA2a, fakeMcp, fakeState, hold } from '../support/fake-adapters.js';
import type { FakeState } from '../support/fake-adapters.js';
import { http, prometheusProblems } from '../support/http.js';
import { until } from '../support/until.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 120_000;

const TOKEN = 'tok-0123456789-0123456789-0123456789';

const yaml = (services: string, routes: string, extra = '') => `
slim: { name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
shutdownGraceMs: 30000
services:
${services}
routes:
${routes}
${extra}`;

const SERVICES = `  - { name: acme/demo/weather, mcp: { command: node, args: [weather.js] } }
  - { name: acme/demo/weather-eu, mcp: { url: http://127.0.0.1:1/mcp } }
  - { name: acme/demo/planner, a2a: { url: http://127.0.0.1:2 } }`;

const ROUTES = `  - { path: /mcp/weather, mcp: acme/demo/weather }
  - { path: /mcp/all, mcp: { group: [acme/demo/weather, acme/demo/weather-eu] } }
  - { path: /a2a/planner, a2a: acme/demo/planner }`;

interface Setup {
  gw: Gateway;
  deps: MemoryDeps;
  state: FakeState;
  url: string;
}

async function start(
  t: { after: (fn: () => Promise<void>) => void },
  text = yaml(SERVICES, ROUTES),
  state = fakeState(),
): Promise<Setup> {
  const deps = memoryDeps({ mcp: fakeMcp(state), a2a: fakeA2a(state) });
  const gw = await createGateway(configFrom(text), deps, { logger: silentLogger });
  t.after(() => gw.close(0));
  return { gw, deps, state, url: gw.url };
}

const rpc = (method: string, params: unknown = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id: 7, method, params });

test(
  'an MCP route reaches its service by SLIM name through SLIMRPC',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url, gw } = await start(t);
    assert.ok(gw.readiness().ready, gw.readiness().reasons.join('; '));
    const res = await http(`${url}/mcp/weather`, {
      method: 'POST',
      body: rpc('tools/call', { name: 'forecast' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      jsonrpc: '2.0',
      id: 7,
      result: { server: 'acme/demo/weather', echo: { name: 'forecast' } },
    });
  },
);

test(
  'a group route fans each call out to every member and attributes the answers',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url } = await start(t);
    const res = await http(`${url}/mcp/all`, { method: 'POST', body: rpc('tools/list') });
    const answers = res.json<{ member: string; response: { result: { server: string } } }[]>();
    assert.deepEqual(
      answers.map((a) => [a.member.split('/').slice(0, 3).join('/'), a.response.result.server]).sort(),
      [
        ['acme/demo/weather', 'acme/demo/weather'],
        ['acme/demo/weather-eu', 'acme/demo/weather-eu'],
      ],
    );
  },
);

test(
  'an A2A route serves the agent card at the external URL and relays SendMessage',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url } = await start(t);
    const card = await http(`${url}/a2a/planner/.well-known/agent-card.json`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'agents.example.com' },
    });
    assert.deepEqual(card.json(), { name: '/a2a/planner', url: 'https://agents.example.com/a2a/planner' });
    const sent = await http(`${url}/a2a/planner`, {
      method: 'POST',
      body: rpc('SendMessage', { text: 'hi' }),
    });
    assert.deepEqual(sent.json<{ result: unknown }>().result, {
      server: 'acme/demo/planner',
      echo: { text: 'hi' },
    });
  },
);

test(
  'the startup summary lists routes with their URLs and services with their SLIM names',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { gw, url } = await start(t);
    const s = gw.summary();
    assert.match(s.node, /^embedded node on 127\.0\.0\.1:46357$/);
    assert.match(s.name, /^acme\/demo\/gateway\/[0-9a-f]{32}$/);
    assert.deepEqual(
      s.routes.map((r) => [r.url, r.protocol, r.target, r.state]),
      [
        [`${url}/mcp/weather`, 'mcp', 'acme/demo/weather', 'up'],
        [`${url}/mcp/all`, 'mcp', 'group [acme/demo/weather, acme/demo/weather-eu]', 'up'],
        [`${url}/a2a/planner`, 'a2a', 'acme/demo/planner', 'up'],
      ],
    );
    assert.deepEqual(
      s.services.map((v) => [v.name, v.protocol, v.state]),
      [
        ['acme/demo/weather', 'mcp', 'up'],
        ['acme/demo/weather-eu', 'mcp', 'up'],
        ['acme/demo/planner', 'a2a', 'up'],
      ],
    );
  },
);

test(
  '/readyz: 503 with reasons while the link is down or a service cannot start, 200 once recovered',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const state = fakeState();
    state.failing.add('acme/demo/planner');
    const { url, deps, gw } = await start(t, yaml(SERVICES, ROUTES), state);
    const down = await http(`${url}/readyz`);
    assert.equal(down.status, 503);
    const reasons = down.json<{ reasons: string[] }>().reasons;
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /^service acme\/demo\/planner retrying: agent acme\/demo\/planner is down$/);
    assert.equal(gw.summary().services[2]!.state, 'retrying');
    // The A2A route is up (it is a client); its calls fail until the service exists.
    const call = await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('SendMessage') });
    assert.equal(call.status, 503);

    state.failing.clear();
    await until(async () => (await http(`${url}/readyz`)).status === 200, 'the service to be retried');
    assert.equal(
      (await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('SendMessage') })).status,
      200,
    );

    deps.links[0]!.setState('reconnecting');
    const linkDown = await http(`${url}/readyz`);
    assert.equal(linkDown.status, 503);
    assert.deepEqual(linkDown.json<{ reasons: string[] }>().reasons, [
      'not connected to the SLIM node (link reconnecting)',
    ]);
    deps.links[0]!.setState('ready');
    assert.equal((await http(`${url}/readyz`)).status, 200);
  },
);

test(
  "/metrics carries the gateway's own series next to the HTTP ones",
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url } = await start(t);
    await http(`${url}/mcp/weather`, { method: 'POST', body: rpc('ping') });
    const text = (await http(`${url}/metrics`)).text;
    assert.deepEqual(prometheusProblems(text), []);
    const lines = text.split('\n');
    for (const want of [
      'slim_gateway_services{state="up"} 3',
      'slim_gateway_routes{state="up"} 3',
      'slim_gateway_slim_connected 1',
      'slim_gateway_http_requests_total{method="POST",route="/mcp/weather",status="200"} 1',
    ])
      assert.ok(lines.includes(want), `missing ${want}\n${text}`);
  },
);

test(
  'reload adds and removes routes and services, changes targets and tokens, while running',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url, gw, state } = await start(t, yaml(SERVICES, ROUTES));
    const diff = await gw.reload(
      configFrom(
        yaml(
          `  - { name: acme/demo/weather, mcp: { command: node, args: [weather.js] } }
  - { name: acme/demo/files, mcp: { url: http://127.0.0.1:3/mcp } }`,
          `  - { path: /mcp/weather, mcp: acme/demo/files }
  - { path: /mcp/files, mcp: acme/demo/files }`,
          `  # and a token\n`,
        ).replace('http: { listen: 127.0.0.1:0 }', `http: { listen: 127.0.0.1:0, bearerTokens: [${TOKEN}] }`),
      ),
    );
    assert.deepEqual(
      [diff.routes.added.length, diff.routes.removed.length, diff.routes.changed.length],
      [1, 2, 1],
    );
    assert.deepEqual(diff.restartNeeded, []);
    assert.deepEqual([...state.openServices].sort(), ['acme/demo/files', 'acme/demo/weather']);
    assert.deepEqual([...state.openIngresses].sort(), ['/mcp/files', '/mcp/weather']);
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await http(`${url}/mcp/files`, { method: 'POST', body: rpc('x') })).status, 401);
    const files = await http(`${url}/mcp/files`, { method: 'POST', body: rpc('x'), headers: auth });
    assert.equal(files.json<{ result: { server: string } }>().result.server, 'acme/demo/files');
    const retargeted = await http(`${url}/mcp/weather`, { method: 'POST', body: rpc('x'), headers: auth });
    assert.equal(retargeted.json<{ result: { server: string } }>().result.server, 'acme/demo/files');
    assert.equal(
      (await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('x'), headers: auth })).status,
      404,
    );
    assert.equal(gw.summary().services.length, 2);
    assert.equal(gw.config.http.bearerTokens[0], TOKEN);
  },
);

test(
  'reload: settings that need a restart are reported and keep their running values',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { gw } = await start(t);
    const next = configFrom(yaml(SERVICES, ROUTES).replace('acme/demo/gateway', 'acme/demo/other'));
    const diff = await gw.reload(next);
    assert.deepEqual(diff.restartNeeded, ['slim']);
    assert.equal(gw.config.slim.name.app, 'gateway');
  },
);

test(
  'shutdown drains: a call in flight finishes, then everything is closed',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url, gw, state, deps } = await start(t);
    const call = http(`${url}/mcp/weather`, { method: 'POST', body: rpc('slow') });
    await until(() => state.slowStarted === 1, 'the call to arrive');
    const closing = gw.close();
    await until(() => !gw.readiness().ready, 'readiness to drop');
    assert.ok(gw.readiness().reasons.includes('the gateway is shutting down'));
    state.releaseNow();
    assert.equal((await call).status, 200);
    await closing;
    await gw.closed();
    await gw.close(); // idempotent
    assert.deepEqual([...state.openServices], []);
    assert.deepEqual([...state.openIngresses], []);
    assert.ok(deps.apps.every((a) => a.closedApp));
    assert.ok(deps.links.every((l) => l.state === 'closed'));
    await assert.rejects(http(`${url}/healthz`));
  },
);

test(
  'shutdown after the grace period fails calls still in flight with a clear error',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url, gw, state } = await start(t);
    hold(state);
    const call = http(`${url}/mcp/weather`, { method: 'POST', body: rpc('slow') });
    await until(() => state.slowStarted === 1, 'the call to arrive');
    await gw.close(20);
    const res = await call;
    assert.equal(res.status, 503);
    assert.deepEqual(res.json(), { error: { code: 'CLOSED', message: 'the gateway is shutting down' } });
  },
);

test(
  'a gateway that cannot reach its SLIM node fails to start and releases what it started',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const state = fakeState();
    const base = memoryDeps({ mcp: fakeMcp(state), a2a: fakeA2a(state) });
    let node: { closedNode: boolean } | undefined;
    const deps: MemoryDeps = {
      ...base,
      startNode: async (o) => (node = await base.startNode(o)),
      connectLink: () => Promise.reject(new GatewayError('UNREACHABLE', 'cannot reach http://127.0.0.1:1')),
    };
    const config = configFrom(yaml(SERVICES, ROUTES).replace('127.0.0.1:0', '127.0.0.1:0'));
    await assert.rejects(createGateway(config, deps, { logger: silentLogger }), /cannot reach/);
    assert.equal(node?.closedNode, true);
    assert.deepEqual([...state.openServices], []);
    t.diagnostic('startup failure cleaned up');
  },
);

test('stdio: one MCP route spoken over a stdin/stdout pair', { timeout: HANG_GUARD_MS }, async (t) => {
  const { deps } = await start(t);
  const config = configFrom(yaml(SERVICES, ROUTES));
  const input = new PassThrough();
  const output = new PassThrough();
  const stop = new AbortController();
  const serving = runStdio(config, '/mcp/weather', deps, {
    logger: silentLogger,
    input,
    output,
    signal: stop.signal,
  });
  const lines = createInterface({ input: output })[Symbol.asyncIterator]();
  input.write(rpc('tools/list') + '\n');
  const reply = JSON.parse(((await lines.next()).value as string) ?? '') as { result: { server: string } };
  assert.equal(reply.result.server, 'acme/demo/weather');
  input.end();
  await serving;
  await assert.rejects(
    runStdio(config, '/a2a/planner', deps, { logger: silentLogger, input, output, signal: stop.signal }),
    /route \/a2a\/planner is an A2A route; stdio speaks MCP \(MCP routes in this file: \/mcp\/weather, \/mcp\/all\)/,
  );
});
