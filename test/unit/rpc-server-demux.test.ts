// Unit: server demultiplexing (src/slim/rpc/server-demux.ts), rule by rule against the reference's
// run_session_demux (docs/slimrpc.md#server-demux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerDemux, MSG_SHUTTING_DOWN, MSG_TOO_MANY_CALLS } from '../../src/slim/rpc/server-demux.js';
import type { HandlerInput } from '../../src/slim/rpc/server-demux.js';
import { StatusCode } from '../../src/slim/rpc/status.js';

const te = new TextEncoder();
const empty = new Uint8Array(0);
const methods: Record<string, HandlerInput> = { 'svc/Unary': 'unary', 'svc/Stream': 'stream' };
const make = (admit?: () => boolean) => new ServerDemux((s, m) => methods[`${s}/${m}`], admit);
const first = (id: string, method: string, extra: Record<string, string> = {}) => ({
  'rpc-id': id,
  'slimrpc-dir': 'req',
  service: 'svc',
  method,
  ...extra,
});
const cont = (id: string) => ({ 'rpc-id': id, 'slimrpc-dir': 'req' });
const eos = (id: string) => ({ 'rpc-id': id, 'slimrpc-dir': 'req', 'slimrpc-code': '0' });

test('frames without rpc-id, without slimrpc-dir=req, or without service/method are dropped', () => {
  const d = make();
  assert.equal(
    d.handle({ service: 'svc', method: 'Unary', 'slimrpc-dir': 'req' }, te.encode('x')).type,
    'drop',
  );
  assert.equal(d.handle({ ...first('', 'Unary') }, te.encode('x')).type, 'drop');
  assert.equal(d.handle({ 'rpc-id': 'a', service: 'svc', method: 'Unary' }, te.encode('x')).type, 'drop');
  assert.equal(d.handle(cont('b'), te.encode('x')).type, 'drop');
  // The reference client's redundant second EOS (no slimrpc-dir).
  assert.equal(d.handle({ 'rpc-id': 'c', 'slimrpc-code': '0' }, empty).type, 'drop');
  assert.equal(d.liveCalls, 0);
});

test('unknown methods are rejected with UNIMPLEMENTED "Method not found: svc/method"', () => {
  assert.deepEqual(make().handle(first('a', 'Nope'), te.encode('x')), {
    type: 'reject',
    rpcId: 'a',
    status: StatusCode.UNIMPLEMENTED,
    message: 'Method not found: svc/Nope',
  });
});

test('a unary call starts once; its EOS and duplicates are dropped until released', () => {
  const d = make();
  const s = d.handle(first('a', 'Unary'), te.encode('req'));
  assert.equal(s.type, 'start');
  assert.equal(s.type === 'start' && s.streaming, false);
  assert.equal(d.handle(eos('a'), empty).type, 'drop');
  assert.equal(d.handle(first('a', 'Unary'), te.encode('dup')).type, 'drop');
  d.release('a');
  assert.equal(d.handle(first('a', 'Unary'), te.encode('again')).type, 'start');
});

test('a stream-input call takes request frames until its terminal frame, not server frames', () => {
  const d = make();
  assert.equal(d.handle(first('s', 'Stream'), te.encode('1')).type, 'start');
  assert.deepEqual(d.handle(cont('s'), te.encode('2')), {
    type: 'route',
    rpcId: 's',
    frame: { kind: 'data', payload: te.encode('2'), legacy: false },
    last: false,
  });
  // An echo of a server frame in a group session.
  assert.equal(d.handle({ 'rpc-id': 's', 'slimrpc-code': '0' }, empty).type, 'drop');
  // Zero bytes without a status are data (2.1+ rule).
  assert.equal(d.handle(cont('s'), empty).type, 'route');
  const last = d.handle(eos('s'), empty);
  assert.equal(last.type === 'route' && last.last, true);
  assert.equal(d.handle(cont('s'), te.encode('late')).type, 'drop');
});

test('a client error frame ends the request stream with that error', () => {
  const d = make();
  d.handle(first('s', 'Stream'), te.encode('1'));
  const r = d.handle({ ...cont('s'), 'slimrpc-code': '1' }, te.encode('gave up'));
  assert.deepEqual(r, {
    type: 'route',
    rpcId: 's',
    frame: { kind: 'error', status: StatusCode.CANCELLED, message: 'gave up' },
    last: true,
  });
});

test('an empty request stream: the EOS is the first frame and carries service and method', () => {
  const d = make();
  const s = d.handle({ ...eos('e'), service: 'svc', method: 'Stream' }, empty);
  assert.equal(s.type, 'start');
  assert.equal(s.type === 'start' && s.streaming, false);
  assert.deepEqual(s.type === 'start' && s.frame, { kind: 'end' });
});

test('draining and the concurrency limit refuse new calls, not in-flight ones', () => {
  let room = true;
  const d = make(() => room);
  d.handle(first('s', 'Stream'), te.encode('1'));
  room = false;
  assert.deepEqual(d.handle(first('x', 'Unary'), te.encode('x')), {
    type: 'reject',
    rpcId: 'x',
    status: StatusCode.RESOURCE_EXHAUSTED,
    message: MSG_TOO_MANY_CALLS,
  });
  d.drain();
  assert.deepEqual(d.handle(first('y', 'Unary'), te.encode('x')), {
    type: 'reject',
    rpcId: 'y',
    status: StatusCode.UNAVAILABLE,
    message: MSG_SHUTTING_DOWN,
  });
  assert.equal(d.handle(cont('s'), te.encode('2')).type, 'route');
});
