// Integration: the HTTP edge against slow and greedy clients on a real socket: a client slow to
// send its headers or its body gets 408 and loses its connection at the configured deadline, while
// a long answer (an SSE stream, a slow call) is never cut by those deadlines; one client address
// holding http.maxConnectionsPerClient connections gets 503 for the next one until it closes one.
// The defaults are the ones docs/security.md lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { HttpEdge } from '../../src/http/edge.js';
import type { HttpEdgeOptions } from '../../src/http/edge.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 60_000;

async function startEdge(t: { after: (fn: () => Promise<void>) => void }, over: Partial<HttpEdgeOptions>) {
  const metrics = new MetricsRegistry();
  const edge = new HttpEdge({
    listen: { host: '127.0.0.1', port: 0 },
    access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
    maxBodyBytes: 1024,
    trustForwardedHeaders: true,
    keepAliveTimeoutMs: 5_000,
    headersTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    readiness: () => ({ ready: true, reasons: [] }),
    metrics,
    logger: silentLogger,
    ...over,
  });
  await edge.start();
  t.after(() => edge.close(0));
  return { edge, metrics, port: edge.address.port };
}

/** A raw connection; collects what the server writes; `closed` settles when the server closes. */
function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, data: () => data, closed, connected };
}

const dribble = (socket: Socket, text: string, everyMs: number) => {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
};

test('defaults: 10 s for headers, 30 s for a whole request, 256 connections per client', () => {
  const parsed = parseConfig(`slim:\n  name: acme/demo/gw\n  sharedSecret: "${'s'.repeat(32)}"\n`, {
    env: {},
  });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.map((p) => p.message).join('; '));
  const http = parsed.config.http;
  assert.equal(http.headersTimeoutMs, 10_000);
  assert.equal(http.requestTimeoutMs, 30_000);
  assert.equal(http.maxConnectionsPerClient, 256);
});

test(
  'slow headers, a slow body and an idle new connection get 408 and are closed',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, port } = await startEdge(t, {});
    edge.mount('/x', async (req, res) => {
      req.resume();
      await new Promise((r) => req.once('end', r));
      res.writeHead(200).end('ok');
    });
    const idle = open(port);
    const headers = open(port);
    await headers.connected;
    headers.socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    dribble(headers.socket, 'X-Slow: ' + 'a'.repeat(200) + '\r\n\r\n', 200);
    const body = open(port);
    await body.connected;
    body.socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200\r\n\r\n');
    dribble(body.socket, 'b'.repeat(200), 200);
    await Promise.all([idle.closed, headers.closed, body.closed]);
    for (const [what, c] of [
      ['idle', idle],
      ['slow headers', headers],
      ['slow body', body],
    ] as const)
      assert.match(c.data(), /^HTTP\/1\.1 408/, what);
  },
);

test(
  'a long answer is not cut by the request deadline (only receiving the request is)',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, port } = await startEdge(t, {});
    edge.mount('/stream', async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // 3 s: longer than the 2 s request deadline.
      for (let i = 0; i < 20; i++) {
        res.write(`data: ${i}\n\n`);
        await new Promise((r) => setTimeout(r, 150));
      }
      res.end('data: end\n\n');
    });
    const c = open(port);
    await c.connected;
    c.socket.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    for (let i = 0; i < 200 && !c.data().includes('data: end'); i++)
      await new Promise((r) => setTimeout(r, 100));
    c.socket.destroy();
    assert.match(c.data(), /^HTTP\/1\.1 200/);
    assert.ok(c.data().includes('data: 19'), 'every event arrived');
    assert.ok(c.data().includes('data: end'), 'the stream ended normally');
  },
);

test(
  'one client address past maxConnectionsPerClient gets 503 until it closes a connection',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { edge, port, metrics } = await startEdge(t, {
      maxConnectionsPerClient: 4,
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 30_000,
    });
    edge.mount('/x', async (req, res) => {
      req.resume();
      res.writeHead(200).end('ok');
    });
    const held = [open(port), open(port), open(port), open(port)];
    await Promise.all(held.map((c) => c.connected));
    // Wait until the server has counted them (its 'connection' event follows the client's connect).
    await new Promise((r) => setTimeout(r, 100));
    const extra = open(port);
    await extra.connected;
    extra.socket.write('GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await extra.closed;
    assert.match(extra.data(), /^HTTP\/1\.1 503/);
    assert.match(extra.data(), /too many open connections/);
    assert.match(await metrics.render(), /slim_gateway_http_connections_refused_total 1/);
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 100));
    const next = open(port);
    await next.connected;
    next.socket.write('GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await next.closed;
    assert.match(next.data(), /^HTTP\/1\.1 200/);
    for (const c of held) c.socket.destroy();
  },
);
