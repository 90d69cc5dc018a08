// The HTTP edge's own endpoints, driven with supertest through the edge's request listener (on a
// server of the test's, 127.0.0.1 port 0): /healthz, /readyz, /metrics, bearer tokens, 404 for an
// unknown path, 405 for a method a probe does not answer; and a route's handler never sees the
// gateway's own bearer token (it is not the client's to pass on).
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import request from 'supertest';
import { HttpEdge } from '../../src/http/edge.js';
import type { HttpEdgeOptions, Readiness } from '../../src/http/edge.js';
import { sendJson } from '../../src/util/http.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { prometheusProblems } from '../support/http.js';

const TOKEN = 'tok-0123456789-0123456789-0123456789';

function edgeFor(over: Partial<HttpEdgeOptions> = {}) {
  const state = { readiness: { ready: true, reasons: [] } as Readiness };
  const metrics = new MetricsRegistry();
  const edge = new HttpEdge({
    listen: { host: '127.0.0.1', port: 0 },
    access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
    maxBodyBytes: 1024,
    trustForwardedHeaders: true,
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    requestTimeoutMs: 300_000,
    readiness: () => state.readiness,
    metrics,
    logger: silentLogger,
    ...over,
  });
  return { edge, metrics, state };
}

/** A server of the test's running the edge's listener on loopback. */
async function serve(t: TestContext, edge: HttpEdge): Promise<Server> {
  const server = createServer(edge.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return server;
}

test('/healthz answers 200 and only GET/HEAD', async (t) => {
  const server = await serve(t, edgeFor().edge);
  await request(server).get('/healthz').expect(200).expect('content-type', /json/).expect({ status: 'ok' });
  await request(server).head('/healthz').expect(200);
  const res = await request(server).post('/healthz').send('{}').expect(405);
  assert.equal(res.headers['allow'], 'GET, HEAD');
  assert.equal((res.body as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
});

test('/readyz follows readiness: 200 when ready, 503 with the reasons otherwise', async (t) => {
  const { edge, state } = edgeFor();
  const server = await serve(t, edge);
  await request(server).get('/readyz').expect(200).expect({ status: 'ready' });
  state.readiness = { ready: false, reasons: ['not connected to the SLIM node'] };
  await request(server)
    .get('/readyz')
    .expect(503)
    .expect({ status: 'not ready', reasons: ['not connected to the SLIM node'] });
  await request(server).delete('/readyz').expect(405);
});

test('/metrics is Prometheus text, counting the requests answered', async (t) => {
  const server = await serve(t, edgeFor().edge);
  await request(server).get('/healthz').expect(200);
  await request(server).get('/nowhere').expect(404);
  const res = await request(server)
    .get('/metrics')
    .expect(200)
    .expect('content-type', 'text/plain; version=0.0.4; charset=utf-8');
  assert.deepEqual(prometheusProblems(res.text), []);
  const lines = res.text.split('\n');
  assert.ok(lines.includes('slim_gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1'));
  assert.ok(
    lines.includes('slim_gateway_http_requests_total{method="GET",route="unmatched",status="404"} 1'),
  );
  const head = await request(server).head('/metrics').expect(200);
  assert.equal(head.text, undefined);
  await request(server).put('/metrics').expect(405);
});

test('an unknown path is a 404 naming the routes', async (t) => {
  const { edge } = edgeFor();
  edge.mount('/mcp/a', (_req, res) => Promise.resolve(sendJson(res, 200, {})));
  const server = await serve(t, edge);
  const res = await request(server).get('/mcp/b').expect(404);
  assert.deepEqual(res.body, {
    error: { code: 'NOT_FOUND', message: 'no route for /mcp/b' },
    routes: ['/mcp/a'],
  });
});

test('bearer tokens: 401 with WWW-Authenticate unless the token is right; probes stay open', async (t) => {
  const server = await serve(
    t,
    edgeFor({ access: { bearerTokens: [TOKEN], allowedOrigins: [], allowedHosts: [] } }).edge,
  );
  await request(server).get('/healthz').expect(200);
  await request(server).get('/readyz').expect(200);
  const missing = await request(server).get('/metrics').expect(401);
  assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
  const wrong = await request(server).get('/metrics').set('authorization', 'Bearer nope').expect(401);
  assert.match(String(wrong.headers['www-authenticate']), /invalid_token/);
  await request(server).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
  await request(server).get('/nowhere').set('authorization', `Bearer ${TOKEN}`).expect(404);
  await request(server).get('/nowhere').expect(401);
});

test("a route never sees the gateway's own bearer token; without bearerTokens the client's header reaches it", async (t) => {
  const seen: (string | undefined)[] = [];
  const handler = (req: { headers: { authorization?: string } }, res: Parameters<typeof sendJson>[0]) => {
    seen.push(req.headers.authorization);
    sendJson(res, 200, {});
    return Promise.resolve();
  };
  for (const bearerTokens of [[TOKEN], []]) {
    const { edge } = edgeFor({ access: { bearerTokens, allowedOrigins: [], allowedHosts: [] } });
    edge.mount('/mcp/x', handler);
    await edge.start(); // routes are given their base URL from the bound address
    t.after(() => edge.close(0));
    await request(edge.url).post('/mcp/x').set('authorization', `Bearer ${TOKEN}`).send('{}').expect(200);
  }
  assert.deepEqual(seen, [undefined, `Bearer ${TOKEN}`]);
});
