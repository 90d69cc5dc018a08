// Component: one set of input rules on both local JSON-RPC routes (docs/security.md, "Input rules"):
// Content-Type application/json (415), Accept as each protocol requires (406), UTF-8 bodies
// (-32700), members JSON-RPC does not define refused at once (-32600, MCP), and request paths
// routed as written (dot segments, encoded or not, refused with 400 before routing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { HttpEdge } from '../../src/http/edge.js';
import { sendJson } from '../../src/util/http.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { startChain } from '../support/a2a-chain.js';
import { startGateway, testStdioBackend } from '../support/mcp/gateway.js';

const BOTH = 'application/json, text/event-stream';
const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

interface Answer {
  status: number;
  headers: Headers;
  error?: { code: number; message: string };
}

/** A request with exactly these headers (fetch would add an Accept of its own). */
function send(
  url: string,
  method: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        if (res.headers['content-type'] === 'text/event-stream')
          text =
            text
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .pop()
              ?.slice(6) ?? '';
        const json = text ? (JSON.parse(text) as { error?: Answer['error'] }) : {};
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, ...(json.error ? { error: json.error } : {}) });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer (hang guard)')));
    req.on('error', reject);
    req.end(body);
  });
}

const post = (url: string, body: string | Uint8Array, headers: Record<string, string>) =>
  send(url, 'POST', body, headers);

const NOT_UTF8 = Buffer.concat([
  Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"'),
  Buffer.from([0xc3, 0x28, 0xff]),
  Buffer.from('"}}'),
]);

test('MCP route: Accept, Content-Type and UTF-8 rules', async (t) => {
  const gw = await startGateway(testStdioBackend());
  t.after(() => gw.close());
  const json = { 'content-type': 'application/json' };

  await t.test('a POST without Accept, or accepting only text/html or only JSON: 406', async () => {
    for (const accept of [undefined, 'text/html', 'application/json', 'text/event-stream', '*/*;q=0']) {
      const r = await post(gw.url, PING, { ...json, ...(accept ? { accept } : {}) });
      assert.equal(r.status, 406, String(accept));
      assert.equal(r.error?.code, -32600, String(accept));
    }
  });
  await t.test('wildcards that allow both are fine', async () => {
    for (const accept of ['*/*', 'application/*, text/*']) {
      const r = await post(gw.url, INIT, { ...json, accept });
      assert.equal(r.status, 200, accept);
    }
  });
  await t.test(
    'a POST without Content-Type, with text/plain or a charset other than UTF-8: 415',
    async () => {
      for (const type of [undefined, 'text/plain', 'application/json; charset=iso-8859-1']) {
        const r = await post(gw.url, PING, { accept: BOTH, ...(type ? { 'content-type': type } : {}) });
        assert.equal(r.status, 415, String(type));
        assert.equal(r.error?.code, -32600, String(type));
      }
      const ok = await post(gw.url, INIT, {
        accept: BOTH,
        'content-type': 'application/json; charset=UTF-8',
      });
      assert.equal(ok.status, 200);
    },
  );
  await t.test('bytes that are not UTF-8: 400, -32700', async () => {
    const r = await post(gw.url, NOT_UTF8, { ...json, accept: BOTH });
    assert.equal(r.status, 400);
    assert.equal(r.error?.code, -32700);
  });
  await t.test('a GET without Accept: text/event-stream: 406', async () => {
    const r = await send(gw.url, 'GET', undefined, { 'mcp-session-id': 'x' });
    assert.equal(r.status, 406);
  });
});

test('MCP route: a request with a member JSON-RPC does not define is answered at once with -32600', async (t) => {
  const gw = await startGateway(testStdioBackend());
  t.after(() => gw.close());
  const headers = { 'content-type': 'application/json', accept: BOTH };
  const init = await post(gw.url, INIT, headers);
  const sid = init.headers.get('mcp-session-id')!;
  assert.ok(sid);
  for (const extra of ['"x":1', '"__proto__":{"a":1}', '"constructor":1']) {
    for (const session of [{ 'mcp-session-id': sid }, {}] as Record<string, string>[]) {
      const body = `{"jsonrpc":"2.0","id":5,"method":"ping",${extra}}`;
      const r = await post(gw.url, body, { ...headers, ...session });
      assert.equal(r.status, 400, body);
      assert.equal(r.error?.code, -32600, body);
      assert.match(r.error!.message, /unknown member "(x|__proto__|constructor)"/, body);
    }
  }
  // The session still works.
  const ok = await post(gw.url, PING, { ...headers, 'mcp-session-id': sid });
  assert.equal(ok.status, 200);
  assert.equal(ok.error, undefined);
});

test('A2A route: the same Content-Type, Accept and UTF-8 rules', async (t) => {
  const chain = await startChain();
  t.after(() => chain.close());
  const get = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'nope' } });

  for (const type of [undefined, 'text/plain', 'application/json; charset=latin1']) {
    const r = await post(chain.url, get, type ? { 'content-type': type } : {});
    assert.equal(r.status, 415, String(type));
    assert.equal(r.error?.code, -32600, String(type));
  }
  const html = await post(chain.url, get, { 'content-type': 'application/json', accept: 'text/html' });
  assert.equal(html.status, 406);
  assert.equal(html.error?.code, -32600);
  const bad = await post(chain.url, NOT_UTF8, { 'content-type': 'application/json' });
  assert.equal(bad.error?.code, -32700);
  // What an A2A client sends is served.
  for (const accept of [undefined, 'application/json', 'text/event-stream', '*/*']) {
    const r = await post(chain.url, get, {
      'content-type': 'application/json',
      ...(accept ? { accept } : {}),
    });
    assert.notEqual(r.status, 406, String(accept));
    assert.notEqual(r.status, 415, String(accept));
    assert.notEqual(r.error?.code, -32600, String(accept));
  }
});

/** A raw request, so the path goes out exactly as written (fetch would resolve dot segments). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the edge refuses dot segments (plain or encoded) instead of resolving them to another route', async (t) => {
  const edge = new HttpEdge({
    listen: { host: '127.0.0.1', port: 0 },
    access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
    maxBodyBytes: 1024,
    trustForwardedHeaders: true,
    keepAliveTimeoutMs: 5_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    readiness: () => ({ ready: true, reasons: [] }),
    metrics: new MetricsRegistry(),
    logger: silentLogger,
  });
  await edge.start();
  t.after(() => edge.close(0));
  const reached: string[] = [];
  edge.mount('/mcp', async (_req, res) => {
    reached.push('mcp');
    sendJson(res, 200, {});
  });
  edge.mount('/a2a/x', async (_req, res) => {
    reached.push('a2a');
    sendJson(res, 200, {});
  });
  const port = edge.address.port;
  for (const path of [
    '/a2a/x/%2e%2e/%2e%2e/mcp',
    '/a2a/x/%2E%2E/%2E%2E/mcp',
    '/a2a/x/../../mcp',
    '/a2a/x/./y',
    '/a2a/x/.%2e/.%2E/mcp',
    '/a2a/x/%2f..%2fmcp',
    '/a2a/x\\..\\..\\mcp',
    '/a2a/x/%zz',
  ]) {
    const r = await rawGet(port, path);
    assert.equal(r.status, 400, path);
    assert.match(r.body, /bad request path/, path);
  }
  assert.deepEqual(reached, [], 'no handler saw a refused path');
  assert.equal((await rawGet(port, '/a2a/x/sub%20path')).status, 200);
  assert.equal((await rawGet(port, '/mcp?x=../..')).status, 200);
  assert.deepEqual(reached, ['a2a', 'mcp']);
});
