// Unit: SSE parsing (split anywhere, CRLF, comments, multi-line data, size bound), stdio line
// framing, the modern request headers, id rewriting for shared lanes, and the Origin check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, sseMessage } from '../../src/adapters/mcp/sse.js';
import { LineSplitter } from '../../src/adapters/mcp/ingress/lines.js';
import {
  checkModernHeaders,
  decodeHeaderValue,
  encodeHeaderValue,
  modernHeadersFor,
} from '../../src/adapters/mcp/headers.js';
import { IdRewriter } from '../../src/adapters/mcp/ingress/ids.js';
import { originAllowed } from '../../src/adapters/mcp/ingress/http-util.js';
import { isGatewayError } from '../../src/util/errors.js';
import type { JsonRpcRequest } from '../../src/adapters/mcp/jsonrpc.js';

test('SSE: events survive being split at every position, CRLF included', () => {
  const stream =
    ': keepalive\r\n\r\nevent: message\r\nid: 7\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata: line2\n\n';
  for (let cut = 0; cut <= stream.length; cut++) {
    const p = new SseParser(1000);
    const events = [...p.push(stream.slice(0, cut)), ...p.push(stream.slice(cut))];
    assert.deepEqual(
      events,
      [
        { event: 'message', data: '{"a":1}', id: '7' },
        { event: 'message', data: 'line1\nline2', id: '7' },
      ],
      `cut at ${cut}`,
    );
  }
});

test('SSE: one byte at a time, a lone CR as line end, and our own writer round-trips', () => {
  const p = new SseParser(1000);
  const out = [...'data: x\r\rdata: y\n\n'].flatMap((ch) => p.push(ch));
  assert.deepEqual(
    out.map((e) => e.data),
    ['x', 'y'],
  );
  const q = new SseParser(1000);
  assert.deepEqual(
    q.push(sseMessage('{"pretty":\n true}')).map((e) => e.data),
    ['{"pretty":\n true}'],
  );
});

test('SSE: an event over the bound fails with RESOURCE_EXHAUSTED', () => {
  const p = new SseParser(10);
  assert.throws(
    () => p.push('data: 0123456789abc\n'),
    (e) => isGatewayError(e, 'RESOURCE_EXHAUSTED'),
  );
  const q = new SseParser(10);
  assert.throws(
    () => q.push('data: 0123456789abcdef'),
    (e) => isGatewayError(e, 'RESOURCE_EXHAUSTED'),
  );
});

test('lines: split anywhere, CRLF tolerated, blank lines skipped, long lines reported once', () => {
  const s = new LineSplitter(8);
  const out = [
    ...s.push(Buffer.from('ab')),
    ...s.push(Buffer.from('c\r\n\n12345678901234')),
    ...s.push(Buffer.from('5\nok\n')),
  ];
  assert.deepEqual(
    out.map((e) => (e.kind === 'line' ? { kind: 'line', text: e.bytes.toString('utf8') } : e)),
    [
      { kind: 'line', text: 'abc' },
      { kind: 'too-long', bytes: 14 },
      { kind: 'line', text: 'ok' },
    ],
  );
});

test('headers: plain values as is, others in the base64 sentinel form; checks against the body', () => {
  assert.equal(encodeHeaderValue('get_weather'), 'get_weather');
  for (const v of ['Hello, 世界', ' padded ', 'line1\nline2', '=?base64?literal?=']) {
    const enc = encodeHeaderValue(v);
    assert.match(enc, /^=\?base64\?.*\?=$/);
    assert.equal(decodeHeaderValue(enc), v);
  }
  assert.equal(encodeHeaderValue('Hello, 世界'), '=?base64?SGVsbG8sIOS4lueVjA==?=');
  const call: JsonRpcRequest = {
    jsonrpc: '2.0',
    id: 1,
    method: 'resources/read',
    params: { uri: 'file:///ä' },
  };
  const h = modernHeadersFor(call);
  assert.equal(h['mcp-method'], 'resources/read');
  const get = (all: Record<string, string>) => (n: string) => all[n];
  assert.equal(
    checkModernHeaders(call, get({ ...h, 'mcp-protocol-version': '2026-07-28' }), '2026-07-28'),
    undefined,
  );
  assert.match(checkModernHeaders(call, get(h), undefined)!, /MCP-Protocol-Version header is required/);
  assert.match(
    checkModernHeaders(call, get({ ...h, 'mcp-protocol-version': '2027-01-01' }), '2026-07-28')!,
    /does not match/,
  );
  assert.match(
    checkModernHeaders(
      call,
      get({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'resources/read' }),
      undefined,
    )!,
    /Mcp-Name header is required/,
  );
  const list: JsonRpcRequest = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
  assert.deepEqual(modernHeadersFor(list), { 'mcp-method': 'tools/list' });
  assert.match(
    checkModernHeaders(list, get({ 'mcp-protocol-version': 'v', 'mcp-method': 'tools/call' }), undefined)!,
    /Mcp-Method/,
  );
});

test('id rewriting: unique ids and tokens out, the originals back in', () => {
  const r = new IdRewriter('lane');
  const a = r.rewrite({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { _meta: { progressToken: 1 } },
  });
  const b = r.rewrite({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  assert.notEqual(a.message.id, b.message.id);
  assert.notEqual(a.message.id, 1);
  const token = (a.message.params?.['_meta'] as { progressToken: string }).progressToken;
  assert.notEqual(token, 1);
  const back = a.restore({ kind: 'response', message: { jsonrpc: '2.0', id: a.message.id, result: {} } });
  assert.deepEqual(back, { kind: 'response', message: { jsonrpc: '2.0', id: 1, result: {} } });
  const progress = a.restore({
    kind: 'notification',
    message: {
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: token, progress: 1 },
    },
  });
  assert.deepEqual(progress?.message.params, { progressToken: 1, progress: 1 });
  assert.equal(
    b.restore({ kind: 'response', message: { jsonrpc: '2.0', id: a.message.id, result: {} } }),
    undefined,
  );
  assert.equal(b.message.params, undefined, 'no progress token invented');
});

test('Origin: absent or loopback allowed by default; a list is exact; * allows any', () => {
  assert.equal(originAllowed(undefined, undefined), true);
  for (const o of ['http://localhost:3000', 'http://127.0.0.1', 'https://[::1]:8443'])
    assert.equal(originAllowed(o, undefined), true, o);
  for (const o of ['http://evil.example', 'null', 'file://', 'http://127.0.0.1.evil.example']) {
    assert.equal(originAllowed(o, undefined), false, o);
  }
  assert.equal(originAllowed('https://app.example', ['https://app.example']), true);
  assert.equal(originAllowed('http://localhost', ['https://app.example']), false);
  assert.equal(originAllowed('http://anything', ['*']), true);
});
