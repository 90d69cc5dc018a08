// Integration: the HTTP edge on a real socket (127.0.0.1, port 0): routing and 404, body limits,
// bearer tokens, Origin and Host checks, X-Forwarded base URLs, probes, Prometheus metrics,
// request ids, per-request cancellation, and graceful shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ClientRequest } from 'node:http';
import { createServer } from 'node:net';
import { HttpEdge } from '../../src/http/edge.js';
import type { HttpEdgeOptions, Readiness } from '../../src/http/edge.js';
import { GatewayError } from '../../src/util/errors.js';
import { readBody, sendJson } from '../../src/util/http.js';
import type { HttpHandler, HttpRequestContext } from '../../src/util/http.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { http, prometheusProblems } from '../support/http.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 120_000;

const TOKEN = 'tok-0123456789-0123456789-0123456789';

async function startEdge(
  t: { after: (fn: () => Promise<void>) => void },
  over: Partial<HttpEdgeOptions> = {},
) {
  let readiness: Readiness = { ready: true, reasons: [] };
  const metrics = new MetricsRegistry();
  const edge = new HttpEdge({
    listen: { host: '127.0.0.1', port: 0 },
    access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
    maxBodyBytes: 1024,
    trustForwardedHeaders: true,
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    requestTimeoutMs: 300_000,
    readiness: () => readiness,
    metrics,
    logger: silentLogger,
    ...over,
  });
  await edge.start();
  t.after(() => edge.close(0));
  return { edge, metrics, url: edge.url, setReadiness: (r: Readiness) => (readiness = r) };
}

/** Echoes what the edge told it: subpath, base URL, body size. */
const echo: HttpHandler = async (req, res, ctx) => {
  const body = await readBody(req, 1024);
  sendJson(res, 200, {
    subpath: ctx.subpath,
    baseUrl: ctx.baseUrl,
    bytes: body.length,
    id: req.headers['x-request-id'],
  });
};

test(
  'routes match by longest whole-segment prefix; unknown paths get a 404 JSON',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    edge.mount('/mcp', echo);
    edge.mount('/mcp/weather', async (_req, res, ctx) =>
      sendJson(res, 200, { route: 'weather', subpath: ctx.subpath }),
    );
    assert.deepEqual((await http(`${url}/mcp/weather/x/y?q=1`)).json(), {
      route: 'weather',
      subpath: '/x/y',
    });
    assert.deepEqual((await http(`${url}/mcp/weather`)).json(), { route: 'weather', subpath: '' });
    assert.equal((await http(`${url}/mcp/weatherx`)).json<{ subpath: string }>().subpath, '/weatherx');
    const miss = await http(`${url}/nothing/here`);
    assert.equal(miss.status, 404);
    assert.equal(miss.headers['content-type'], 'application/json');
    assert.deepEqual(miss.json(), {
      error: { code: 'NOT_FOUND', message: 'no route for /nothing/here' },
      routes: ['/mcp', '/mcp/weather'],
    });
    edge.unmount('/mcp/weather');
    assert.equal((await http(`${url}/mcp/weather`)).json<{ subpath: string }>().subpath, '/weather');
  },
);

test(
  'the base URL honours X-Forwarded-Proto/Host/Prefix when trusted',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    edge.mount('/a2a/planner', echo);
    const direct = (await http(`${url}/a2a/planner`)).json<{ baseUrl: string }>();
    assert.equal(direct.baseUrl, `${url}/a2a/planner`);
    const proxied = await http(`${url}/a2a/planner/.well-known/agent-card.json`, {
      headers: {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'agents.example.com, inner.proxy',
        'x-forwarded-prefix': '/gw/',
      },
    });
    assert.deepEqual(
      proxied.json<{ baseUrl: string; subpath: string }>().baseUrl,
      'https://agents.example.com/gw/a2a/planner',
    );
    // Garbage in forwarded headers is ignored, never pasted into URLs.
    const bad = await http(`${url}/a2a/planner`, {
      headers: {
        'x-forwarded-host': 'evil.com/path?x',
        'x-forwarded-proto': 'javascript',
        'x-forwarded-prefix': 'nope',
      },
    });
    assert.equal(bad.json<{ baseUrl: string }>().baseUrl, `${url}/a2a/planner`);

    const off = await startEdge(t, { trustForwardedHeaders: false });
    off.edge.mount('/a2a/planner', echo);
    const ignored = await http(`${off.url}/a2a/planner`, {
      headers: { 'x-forwarded-host': 'agents.example.com' },
    });
    assert.equal(ignored.json<{ baseUrl: string }>().baseUrl, `${off.url}/a2a/planner`);
  },
);

test(
  'a body over the limit gets 413, streamed (readBody) or declared (content-length)',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    let calls = 0;
    edge.mount('/mcp/x', async (req, res, ctx) => {
      calls++;
      return echo(req, res, ctx);
    });
    const ok = await http(`${url}/mcp/x`, { method: 'POST', body: 'x'.repeat(1024), chunked: true });
    assert.equal(ok.json<{ bytes: number }>().bytes, 1024);
    const streamed = await http(`${url}/mcp/x`, { method: 'POST', body: 'x'.repeat(200_000), chunked: true });
    assert.equal(streamed.status, 413);
    assert.equal(streamed.json<{ error: { code: string } }>().error.code, 'RESOURCE_EXHAUSTED');
    assert.equal(calls, 2);
    const declared = await http(`${url}/mcp/x`, { method: 'POST', body: 'x'.repeat(2000) });
    assert.equal(declared.status, 413);
    assert.equal(calls, 2, 'a declared oversize body never reaches the handler');
  },
);

test(
  'bearer tokens: 401 with WWW-Authenticate unless the token is right; probes stay open',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t, {
      access: {
        bearerTokens: [TOKEN, 'other-0123456789-0123456789-0123456789'],
        allowedOrigins: [],
        allowedHosts: [],
      },
    });
    edge.mount('/mcp/x', echo);
    const none = await http(`${url}/mcp/x`);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="slim-gateway"');
    const wrong = await http(`${url}/mcp/x`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.headers['www-authenticate']), /error="invalid_token"/);
    assert.equal((await http(`${url}/mcp/x`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.equal((await http(`${url}/nope`, { headers: { authorization: `bearer ${TOKEN}` } })).status, 404);
    assert.equal((await http(`${url}/nope`)).status, 401, 'unknown paths do not leak the route list');
    assert.equal((await http(`${url}/healthz`)).status, 200);
    assert.equal((await http(`${url}/readyz`)).status, 200);
    assert.equal((await http(`${url}/metrics`)).status, 401);
    // Tokens can change while running (reload).
    edge.setAccess({ bearerTokens: [], allowedOrigins: [], allowedHosts: [] });
    assert.equal((await http(`${url}/mcp/x`)).status, 200);
  },
);

test(
  'browser Origins other than loopback or allowed ones are rejected (DNS rebinding)',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t, {
      access: { bearerTokens: [], allowedOrigins: ['https://app.example.com'], allowedHosts: [] },
    });
    edge.mount('/mcp/x', echo);
    const evil = await http(`${url}/mcp/x`, {
      method: 'POST',
      body: '{}',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(evil.status, 403);
    assert.match(
      evil.json<{ error: { message: string } }>().error.message,
      /origin http:\/\/evil.example is not allowed/,
    );
    assert.equal((await http(`${url}/mcp/x`, { headers: { origin: 'null' } })).status, 403);
    const local = await http(`${url}/mcp/x`, { headers: { origin: 'http://localhost:6274' } });
    assert.equal(local.status, 200);
    assert.equal(local.headers['access-control-allow-origin'], 'http://localhost:6274');
    assert.match(String(local.headers['access-control-expose-headers']), /Mcp-Session-Id/);
    assert.equal(
      (await http(`${url}/mcp/x`, { headers: { origin: 'https://app.example.com' } })).status,
      200,
    );
    const preflight = await http(`${url}/mcp/x`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-headers': 'content-type, mcp-session-id',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type, mcp-session-id');
    assert.equal((await http(`${url}/healthz`, { headers: { origin: 'http://evil.example' } })).status, 403);
  },
);

test(
  'while on loopback, a Host header naming another site is rejected',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t, {
      access: { bearerTokens: [], allowedOrigins: [], allowedHosts: ['gw.internal'] },
    });
    edge.mount('/mcp/x', echo);
    assert.equal((await http(`${url}/mcp/x`, { headers: { host: 'attacker.example:8080' } })).status, 403);
    assert.equal((await http(`${url}/mcp/x`, { headers: { host: 'localhost:8080' } })).status, 200);
    assert.equal((await http(`${url}/mcp/x`, { headers: { host: 'gw.internal:8080' } })).status, 200);
  },
);

test(
  '/healthz, /readyz (flipping with readiness) and method checks',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { url, setReadiness } = await startEdge(t);
    assert.deepEqual((await http(`${url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual((await http(`${url}/readyz`)).json(), { status: 'ready' });
    setReadiness({ ready: false, reasons: ['not connected to the SLIM node (link reconnecting)'] });
    const down = await http(`${url}/readyz`);
    assert.equal(down.status, 503);
    assert.deepEqual(down.json(), {
      status: 'not ready',
      reasons: ['not connected to the SLIM node (link reconnecting)'],
    });
    assert.equal(
      (await http(`${url}/healthz`)).status,
      200,
      'health is about the process, not its dependencies',
    );
    setReadiness({ ready: true, reasons: [] });
    assert.equal((await http(`${url}/readyz`)).status, 200);
    const post = await http(`${url}/healthz`, { method: 'POST', body: '' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  },
);

test(
  "/metrics is valid Prometheus text with requests by route and status, and other components' series",
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url, metrics } = await startEdge(t);
    edge.mount('/mcp/x', echo);
    edge.mount('/mcp/fail', () => Promise.reject(new GatewayError('UNAVAILABLE', 'backend down')));
    metrics
      .counter('slim_gateway_test_calls_total', 'a series registered by another component', ['service'])
      .inc({ service: 'a"b\\c' }, 3);
    await http(`${url}/mcp/x`);
    await http(`${url}/mcp/x`);
    await http(`${url}/mcp/fail`);
    await http(`${url}/nowhere/${'x'.repeat(50)}`);
    const res = await http(`${url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.deepEqual(prometheusProblems(res.text), []);
    const lines = res.text.split('\n');
    assert.ok(
      lines.includes('slim_gateway_http_requests_total{method="GET",route="/mcp/x",status="200"} 2'),
      res.text,
    );
    assert.ok(
      lines.includes('slim_gateway_http_requests_total{method="GET",route="/mcp/fail",status="503"} 1'),
    );
    assert.ok(
      lines.includes('slim_gateway_http_requests_total{method="GET",route="unmatched",status="404"} 1'),
    );
    assert.ok(lines.includes('slim_gateway_http_request_duration_seconds_count{route="/mcp/x"} 2'));
    assert.ok(lines.includes('slim_gateway_test_calls_total{service="a\\"b\\\\c"} 3'));
    assert.ok(!res.text.includes('xxxxxxxxxx'), 'raw paths never become labels');
  },
);

test(
  'errors map to statuses without leaking internals; request ids are echoed or made',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    edge.mount('/e/notfound', () => Promise.reject(new GatewayError('NOT_FOUND', 'no such task')));
    edge.mount('/e/bug', () => Promise.reject(new TypeError('secret internal detail')));
    edge.mount('/e/ok', echo);
    const nf = await http(`${url}/e/notfound`);
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json(), { error: { code: 'NOT_FOUND', message: 'no such task' } });
    const bug = await http(`${url}/e/bug`);
    assert.equal(bug.status, 500);
    assert.deepEqual(bug.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
    const given = await http(`${url}/e/ok`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    assert.equal(given.json<{ id: string }>().id, 'abc-123');
    const made = await http(`${url}/e/ok`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  },
);

test('the request signal fires when the client goes away', { timeout: HANG_GUARD_MS }, async (t) => {
  const { edge, url } = await startEdge(t);
  let started!: () => void;
  const arrived = new Promise<void>((r) => (started = r));
  let seen: unknown;
  const aborted = new Promise<void>((resolve) => {
    edge.mount('/slow', (_req, _res, ctx: HttpRequestContext) => {
      started();
      return new Promise<void>((r) =>
        ctx.signal.addEventListener('abort', () => {
          seen = ctx.signal.reason;
          resolve();
          r();
        }),
      );
    });
  });
  let clientReq: ClientRequest | undefined;
  const client = http(`${url}/slow`, { onRequest: (req) => (clientReq = req) }).catch(() => 'gone');
  await arrived;
  clientReq!.destroy();
  await aborted;
  assert.equal(await client, 'gone');
  assert.ok(seen instanceof GatewayError && seen.code === 'CANCELLED');
});

test(
  'shutdown lets in-flight calls finish within the grace period',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const arrived = new Promise<void>((r) => (started = r));
    edge.mount('/call', async (_req, res) => {
      started();
      await held;
      sendJson(res, 200, { done: true });
    });
    const call = http(`${url}/call`, { method: 'POST', body: '{}' });
    await arrived;
    const closing = edge.close(60_000);
    // Closed to new connections at once, still answering the call in flight.
    await assert.rejects(http(`${url}/healthz`));
    assert.equal(edge.inFlightCount, 1);
    release();
    assert.deepEqual((await call).json(), { done: true });
    await closing;
    await edge.closed();
  },
);

test(
  'after the grace period, calls still in flight fail with a clear 503; event streams end at once',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, url } = await startEdge(t);
    let arrivals = 0;
    let both!: () => void;
    const ready = new Promise<void>((r) => (both = r));
    const waitForAbort: HttpHandler = async (_req, _res, ctx) => {
      if (++arrivals === 2) both();
      await new Promise<void>((resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
      );
    };
    edge.mount('/call', waitForAbort);
    edge.mount('/events', async (req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      await waitForAbort(req, res, ctx).catch(() => res.end());
    });
    const call = http(`${url}/call`, { method: 'POST', body: '{}' });
    const stream = http(`${url}/events`, { headers: { accept: 'text/event-stream' } });
    await ready;
    const streamDone = stream.then((r) => r.status);
    await edge.close(50);
    const failed = await call;
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.json(), { error: { code: 'CLOSED', message: 'the gateway is shutting down' } });
    assert.equal(await streamDone, 200);
  },
);

test('listening on a taken address fails with a clear error', { timeout: HANG_GUARD_MS }, async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const edge = new HttpEdge({
    listen: { host: '127.0.0.1', port },
    access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
    maxBodyBytes: 1024,
    trustForwardedHeaders: true,
    keepAliveTimeoutMs: 5000,
    headersTimeoutMs: 6000,
    requestTimeoutMs: 10000,
    readiness: () => ({ ready: true, reasons: [] }),
    metrics: new MetricsRegistry(),
    logger: silentLogger,
  });
  await assert.rejects(edge.start(), (e: GatewayError) => {
    return (
      e.code === 'UNAVAILABLE' &&
      e.message === `cannot listen on 127.0.0.1:${port}: the address is already in use`
    );
  });
  await edge.close(0);
});
