// The adapters' small HTTP client (src/util/http-client.ts) against a local node:http server:
// a response released before its end lets the connection be reused when the server ends it, an
// abort rejects, a refused connection rejects with the socket error, and a body is read whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpSend } from '../../src/util/http-client.js';

async function server(handler: Parameters<typeof createServer>[1]) {
  const s = createServer(handler);
  const sockets = new Set<unknown>();
  s.on('connection', (c) => sockets.add(c));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/mcp`);
  return {
    url,
    connections: () => sockets.size,
    close: () => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}

test('a response released after its first event keeps the connection for the next request', async (t) => {
  const srv = await server((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: message\ndata: {"n":1}\n\n');
    // The rest of the stream comes later, as a server ends a POST's stream after its response.
    setTimeout(() => res.end('event: message\ndata: {"n":2}\n\n'), 20);
  });
  t.after(() => srv.close());
  for (let i = 0; i < 3; i++) {
    const res = await httpSend(srv.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'text/event-stream');
    for await (const chunk of res.chunks()) {
      assert.match(chunk.toString(), /"n":1/);
      break; // what a relay does once it has the response
    }
    res.cancel();
    // Let the server's end arrive and the socket go back to the agent.
    await new Promise((r) => setTimeout(r, 60));
  }
  assert.equal(srv.connections(), 1, 'one connection for the three requests');
});

test('a body is read whole; status and headers are reported', async (t) => {
  const srv = await server((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(404, { 'content-type': 'application/json', 'mcp-session-id': 'abc' });
      res.end(Buffer.concat(chunks));
    });
  });
  t.after(() => srv.close());
  const body = JSON.stringify({ text: 'x'.repeat(100_000) });
  const res = await httpSend(srv.url, { method: 'POST', headers: {}, body });
  assert.equal(res.status, 404);
  assert.equal(res.ok, false);
  assert.equal(res.header('mcp-session-id'), 'abc');
  const got: Buffer[] = [];
  for await (const c of res.chunks()) got.push(c);
  assert.equal(Buffer.concat(got).toString(), body);
});

test('an abort rejects a request waiting for its answer, and a refused connection rejects', async (t) => {
  const srv = await server(() => {}); // never answers
  t.after(() => srv.close());
  const ac = new AbortController();
  const pending = httpSend(srv.url, { method: 'GET', headers: {}, signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop')), 20);
  await assert.rejects(pending, /stop/);
  await assert.rejects(httpSend(srv.url, { method: 'GET', headers: {}, signal: ac.signal }), /stop/);
  const closed = await server(() => {});
  await closed.close();
  await assert.rejects(httpSend(closed.url, { method: 'GET', headers: {} }), /ECONNREFUSED/);
});
