// Unit: SLIMRPC frame builders and classifiers (docs/slimrpc.md#framing to #terminal-frames): the
// exact metadata each frame carries and the terminal rule that reads both current and pre-2.1
// peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TIMEOUT_MS,
  classifyFrame,
  clientEosFrame,
  clientErrorFrame,
  continuationFrame,
  firstRequestFrame,
  formatDeadline,
  parseDeadline,
  responseDataFrame,
  responseEosFrame,
  responseErrorFrame,
  wireCode,
} from '../../src/slim/rpc/frames.js';
import { StatusCode } from '../../src/slim/rpc/status.js';

const te = new TextEncoder();
const empty = new Uint8Array(0);

test('the first request frame carries the reserved keys over caller metadata, deadline overridable', () => {
  const f = firstRequestFrame(te.encode('x'), {
    service: 'svc.S',
    method: 'M',
    rpcId: 'id-1',
    deadlineEpochMs: 1_795_232_544_344,
    user: { 'x-trace': 't', service: 'spoofed', 'rpc-id': 'spoofed', 'slimrpc-dir': 'resp' },
  });
  assert.deepEqual(f.metadata, {
    'x-trace': 't',
    service: 'svc.S',
    method: 'M',
    'rpc-id': 'id-1',
    'slimrpc-dir': 'req',
    'slimrpc-timeout': '1795232544.344',
  });
  assert.equal('slimrpc-code' in f.metadata, false);
  const overridden = firstRequestFrame(empty, {
    service: 's',
    method: 'm',
    rpcId: 'i',
    deadlineEpochMs: 5_000,
    user: { 'slimrpc-timeout': '1.5' },
  });
  assert.equal(overridden.metadata['slimrpc-timeout'], '1.5');
});

test('continuation frames, client EOS and client errors carry rpc-id and slimrpc-dir=req', () => {
  assert.deepEqual(continuationFrame(te.encode('a'), 'i').metadata, { 'rpc-id': 'i', 'slimrpc-dir': 'req' });
  const eos = clientEosFrame('i');
  assert.deepEqual(eos.metadata, { 'rpc-id': 'i', 'slimrpc-code': '0', 'slimrpc-dir': 'req' });
  assert.equal(eos.payload.length, 0);
  const opening = clientEosFrame('i', { service: 's', method: 'm', 'rpc-id': 'i', 'slimrpc-dir': 'req' });
  assert.equal(opening.metadata['service'], 's');
  assert.equal(opening.metadata['slimrpc-code'], '0');
  const err = clientErrorFrame('i', StatusCode.CANCELLED, 'stop');
  assert.deepEqual(err.metadata, { 'rpc-id': 'i', 'slimrpc-code': '1', 'slimrpc-dir': 'req' });
});

test('server frames: data without a status, EOS with code 0, errors with the message as payload', () => {
  assert.deepEqual(responseDataFrame(te.encode('r'), 'i').metadata, { 'rpc-id': 'i' });
  assert.deepEqual(responseDataFrame(empty, 'i').metadata, { 'rpc-id': 'i' });
  const eos = responseEosFrame('i');
  assert.deepEqual(eos.metadata, { 'rpc-id': 'i', 'slimrpc-code': '0' });
  assert.equal(eos.payload.length, 0);
  const err = responseErrorFrame('i', StatusCode.NOT_FOUND, 'gone');
  assert.deepEqual(err.metadata, { 'rpc-id': 'i', 'slimrpc-code': '5' });
  assert.equal(new TextDecoder().decode(err.payload), 'gone');
  // An "error" with status OK would read as EOS or data: it goes out as UNKNOWN.
  assert.equal(responseErrorFrame('i', StatusCode.OK, 'x').metadata['slimrpc-code'], '2');
  assert.equal('rpc-id' in responseErrorFrame('', StatusCode.INTERNAL, 'x').metadata, false);
});

test('terminal rule: code present and (code ≠ 0 or empty payload); legacy data frames accepted', () => {
  assert.deepEqual(classifyFrame({ 'rpc-id': 'i' }, te.encode('d')), {
    kind: 'data',
    payload: te.encode('d'),
    legacy: false,
  });
  // Zero bytes without a status are data (2.1+ rule), not the end.
  assert.equal(classifyFrame({ 'rpc-id': 'i' }, empty).kind, 'data');
  assert.deepEqual(classifyFrame({ 'slimrpc-code': '0' }, empty), { kind: 'end' });
  // Pre-2.1 servers put code 0 on data frames.
  assert.deepEqual(classifyFrame({ 'slimrpc-code': '0' }, te.encode('d')), {
    kind: 'data',
    payload: te.encode('d'),
    legacy: true,
  });
  assert.deepEqual(classifyFrame({ 'slimrpc-code': '12' }, te.encode('Method not found: a/b')), {
    kind: 'error',
    status: StatusCode.UNIMPLEMENTED,
    message: 'Method not found: a/b',
  });
  assert.deepEqual(classifyFrame({ 'slimrpc-code': '4' }, empty), { kind: 'error', status: 4, message: '' });
  // Unparsable or out-of-range codes read as OK, as the reference reads them.
  assert.equal(classifyFrame({ 'slimrpc-code': 'x' }, empty).kind, 'end');
  assert.equal(classifyFrame({ 'slimrpc-code': '99' }, te.encode('d')).kind, 'data');
  assert.equal(wireCode(' 7 '), StatusCode.PERMISSION_DENIED);
  assert.equal(wireCode('-1'), StatusCode.OK);
});

test('deadlines: epoch seconds as a decimal float, parsed back to epoch ms, 10 h when missing', () => {
  assert.equal(formatDeadline(1_795_232_544_000), '1795232544');
  assert.equal(formatDeadline(1_795_232_544_344.4402), '1795232544.3444402');
  assert.equal(parseDeadline({ 'slimrpc-timeout': '1795232544.3444402' }, 0), 1_795_232_544_344.4402);
  assert.equal(parseDeadline({ 'slimrpc-timeout': '1795232544' }, 0), 1_795_232_544_000);
  assert.equal(parseDeadline({}, 1000), 1000 + DEFAULT_TIMEOUT_MS);
  assert.equal(parseDeadline({ 'slimrpc-timeout': 'soon' }, 1000), 1000 + DEFAULT_TIMEOUT_MS);
  assert.equal(parseDeadline({ 'slimrpc-timeout': '' }, 1000), 1000 + DEFAULT_TIMEOUT_MS);
  assert.equal(parseDeadline({ 'slimrpc-timeout': 'inf' }, 1000), 1000 + DEFAULT_TIMEOUT_MS);
  assert.equal(parseDeadline({ 'slimrpc-timeout': '-5' }, 1000), 0);
});
