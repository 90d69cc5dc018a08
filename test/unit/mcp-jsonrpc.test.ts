// Unit: JSON-RPC classification (what a relay answers to bad input) and the helpers on ids,
// progress tokens and protocol versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classify,
  echoableId,
  idKey,
  isModernVersion,
  metaProtocolVersion,
  parseMessage,
  progressTokenOf,
  withProgressToken,
} from '../../src/adapters/mcp/jsonrpc.js';

test('requests, notifications and responses are told apart; unknown members are kept', () => {
  const req = parseMessage('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{},"x-extra":true}');
  assert.ok(req.ok && req.value.kind === 'request');
  assert.equal(req.value.message['x-extra'], true);
  const note = parseMessage('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  assert.ok(note.ok && note.value.kind === 'notification');
  const result = parseMessage('{"jsonrpc":"2.0","id":"a","result":{}}');
  assert.ok(result.ok && result.value.kind === 'response');
  const error = parseMessage('{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}');
  assert.ok(error.ok && error.value.kind === 'response');
});

test('not JSON is -32700; JSON that is not one JSON-RPC message is -32600 (with the id when readable)', () => {
  const cases: [string | Uint8Array, number, string | number | null][] = [
    ['{', -32700, null],
    [new Uint8Array([0xff, 0xfe]), -32700, null],
    ['[]', -32600, null],
    ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600, null],
    ['"text"', -32600, null],
    ['{"jsonrpc":"1.0","id":4,"method":"ping"}', -32600, 4],
    ['{"jsonrpc":"2.0","id":5,"method":7}', -32600, 5],
    ['{"jsonrpc":"2.0","id":6,"method":"x","params":[1]}', -32600, 6],
    ['{"jsonrpc":"2.0","id":true,"method":"x"}', -32600, null],
    ['{"jsonrpc":"2.0","id":"","method":"x"}', -32600, null],
    ['{"jsonrpc":"2.0","id":8}', -32600, 8],
    ['{"jsonrpc":"2.0","id":9,"result":1,"error":{"code":1,"message":"m"}}', -32600, 9],
    ['{"jsonrpc":"2.0","id":10,"error":{"code":"x","message":"m"}}', -32600, 10],
    ['{"jsonrpc":"2.0","result":{}}', -32600, null],
  ];
  for (const [input, code, id] of cases) {
    const r = parseMessage(input);
    assert.ok(!r.ok, String(input));
    assert.equal(r.code, code, String(input));
    assert.equal(r.id, id, String(input));
  }
  assert.ok(!classify(null).ok);
});

test('ids: 1 and "1" are different keys; progress tokens and versions are read from _meta', () => {
  assert.notEqual(idKey(1), idKey('1'));
  const r = parseMessage(
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"p1","io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}',
  );
  assert.ok(r.ok && r.value.kind === 'request');
  assert.equal(progressTokenOf(r.value.message), 'p1');
  assert.equal(metaProtocolVersion(r.value.message), '2026-07-28');
  const moved = withProgressToken(r.value.message, 'p2');
  assert.equal(progressTokenOf(moved), 'p2');
  assert.equal(metaProtocolVersion(moved), '2026-07-28', 'other _meta keys are kept');
  assert.equal(progressTokenOf(r.value.message), 'p1', 'the original is untouched');
  assert.equal(echoableId({ method: 'x', id: 3 }), 3);
  assert.equal(echoableId({ id: 3 }), null);
});

test('modern revisions are 2026-07-28 and later dates', () => {
  assert.equal(isModernVersion('2026-07-28'), true);
  assert.equal(isModernVersion('2027-01-01'), true);
  assert.equal(isModernVersion('2025-11-25'), false);
  assert.equal(isModernVersion('garbage'), false);
  assert.equal(isModernVersion(undefined), false);
});
