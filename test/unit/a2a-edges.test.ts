// Unit: the pure pieces at the A2A edges. JSON-RPC envelope parsing, the SSE parser (chunking,
// line endings, comments, multi-line data, size bound), service parameters to and from SLIMRPC
// metadata, and the binding client's version fallback and memory (fake RPC client, fake clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { silentLogger } from '../../src/util/log.js';
import { isGatewayError } from '../../src/util/errors.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import type { RpcClient } from '../../src/slim/rpc/types.js';
import * as v1 from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import { parseRequest } from '../../src/adapters/a2a/jsonrpc.js';
import { SseParser } from '../../src/adapters/a2a/sse.js';
import { agentHeaders, forwardedMetadata, supportedVersionHeader } from '../../src/adapters/a2a/params.js';
import { A2aBindingClient, isMethodNotFound } from '../../src/adapters/a2a/ingress/binding-client.js';
import { encode, opByName } from '../../src/adapters/a2a/methods/table.js';
import { checkFinite } from '../../src/adapters/a2a/json.js';
import { A2aError } from '../../src/adapters/a2a/errors.js';

test('JSON-RPC requests: the method decides the operation and the A2A version', () => {
  const ok = parseRequest('{"jsonrpc":"2.0","id":"x","method":"tasks/get","params":{"id":"t"}}');
  assert.ok(ok.ok);
  assert.equal(ok.call.op.name, 'GetTask');
  assert.equal(ok.call.version, '0.3');
  const v1Call = parseRequest('{"jsonrpc":"2.0","id":3,"method":"GetExtendedAgentCard"}');
  assert.ok(v1Call.ok && v1Call.call.version === '1.0' && v1Call.call.params === undefined);
  const bad = (body: string) => {
    const r = parseRequest(body);
    assert.ok(!r.ok, body);
    return r;
  };
  assert.equal(bad('{').error.a2aName, 'JSONParseError');
  assert.equal(bad('[]').error.a2aName, 'InvalidRequestError');
  assert.equal(bad('{"jsonrpc":"2.0","id":1.5,"method":"GetTask"}').error.a2aName, 'InvalidRequestError');
  assert.equal(bad('{"jsonrpc":"2.0","id":2,"method":""}').error.a2aName, 'InvalidRequestError');
  const unknown = bad('{"jsonrpc":"2.0","id":2,"method":"tasks/list"}');
  assert.equal(unknown.error.a2aName, 'MethodNotFoundError');
  assert.equal(unknown.id, 2);
  assert.equal(unknown.version, '0.3');
  assert.equal(
    bad('{"jsonrpc":"2.0","id":2,"method":"GetTask","params":"t1"}').error.a2aName,
    'InvalidParamsError',
  );
});

test('non-finite numbers (JSON.parse makes Infinity of 1e400) are invalid params, named by their path', () => {
  const bad = (v: unknown, where: string) =>
    assert.throws(
      () => checkFinite(v, 'params'),
      (e: unknown) =>
        e instanceof A2aError && e.a2aName === 'InvalidParamsError' && e.message.startsWith(`${where}:`),
      where,
    );
  bad(JSON.parse('1e400'), 'params');
  bad(
    JSON.parse('{"message":{"parts":[{"data":{"n":1}},{"data":{"xs":[1,-1e400]}}]}}'),
    'params.message.parts[1].data.xs[1]',
  );
  bad({ a: NaN }, 'params.a');
  // Finite numbers, strings, nulls, nested empties and inherited keys pass.
  const proto = Object.create({ inherited: Infinity }) as Record<string, unknown>;
  proto['own'] = [0, 1.5, -2e300, 'Infinity', null, {}, []];
  checkFinite(proto, 'params');
  checkFinite(JSON.parse('{"a":[{"b":1e308}],"c":"x"}'), 'params');
});

test('SSE: events split anywhere, any line ending, comments skipped, multi-line data joined', () => {
  const p = new SseParser();
  const text =
    ': keepalive\r\n\r\ndata: {"a":1}\r\n\r\nevent: error\ndata: x\ndata: y\n\ndata:z\r\rdata: tail';
  const events = [];
  for (const ch of text) events.push(...p.push(ch));
  events.push(...p.end());
  assert.deepEqual(events, [
    { event: 'message', data: '{"a":1}' },
    { event: 'error', data: 'x\ny' },
    { event: 'message', data: 'z' },
    { event: 'message', data: 'tail' },
  ]);
});

test('SSE: an event over the bound fails instead of growing without limit', () => {
  const p = new SseParser(64);
  assert.throws(
    () => p.push(`data: ${'x'.repeat(100)}`),
    (e) => isGatewayError(e, 'RESOURCE_EXHAUSTED'),
  );
  const q = new SseParser(64);
  assert.throws(
    () => {
      for (let i = 0; i < 10; i++) q.push(`data: ${'y'.repeat(20)}\n`);
    },
    (e) => isGatewayError(e, 'RESOURCE_EXHAUSTED'),
  );
});

test('service parameters: headers -> lower-case metadata (+ X-A2A-Extensions) -> agent headers', () => {
  const md = forwardedMetadata({
    'a2a-extensions': 'urn:a,urn:b',
    traceparent: 'tp',
    authorization: 'Bearer secret',
  });
  assert.deepEqual(md, {
    'a2a-extensions': 'urn:a,urn:b',
    'X-A2A-Extensions': 'urn:a,urn:b',
    traceparent: 'tp',
  });
  assert.deepEqual(forwardedMetadata({ 'x-a2a-extensions': 'urn:v03' })['a2a-extensions'], 'urn:v03');
  assert.deepEqual(agentHeaders({ 'A2A-Extensions': 'urn:a', 'rpc-id': 'r', tracestate: 'ts' }, '1.0'), {
    'A2A-Version': '1.0',
    'A2A-Extensions': 'urn:a',
    tracestate: 'ts',
  });
  assert.deepEqual(agentHeaders({ 'X-A2A-Extensions': 'urn:a' }, '0.3'), {
    'A2A-Version': '0.3',
    'X-A2A-Extensions': 'urn:a',
  });
  for (const ok of [undefined, '', '1.0', '1', '0.3', '0.3.0', '1.1']) supportedVersionHeader(ok);
  for (const bad of ['2.0', '0.2', 'latest'])
    assert.throws(
      () => supportedVersionHeader(bad),
      (e: { a2aName?: string }) => e.a2aName === 'VersionNotSupportedError',
    );
});

/** A fake remote serving the given services; records each call. */
function fakeRemote(serves: string[], calls: string[]): RpcClient {
  const card = encode(v1.AgentCardSchema, create(v1.AgentCardSchema, { name: 'fake' }));
  const answer = (service: string, method: string) => {
    calls.push(`${service}/${method}`);
    if (!serves.includes(service))
      return Promise.reject(new RpcError(StatusCode.UNIMPLEMENTED, `Method not found: ${service}/${method}`));
    return Promise.resolve(card);
  };
  return {
    target: parseName('acme/demo/fake'),
    unary: (s, m) => answer(s, m),
    serverStream: () => {
      throw new Error('unused');
    },
    clientStream: () => Promise.reject(new Error('unused')),
    bidiStream: () => {
      throw new Error('unused');
    },
    close: () => Promise.resolve(),
  };
}

test('binding client: falls back on a missing service, remembers it for a while, then tries again', async () => {
  const calls: string[] = [];
  let now = 1_000;
  const client = new A2aBindingClient(
    fakeRemote(['a2a.v1.A2AService'], calls),
    silentLogger,
    60_000,
    () => now,
  );
  const op = opByName('GetExtendedAgentCard');
  const call = { metadata: {}, timeoutMs: 1000, signal: new AbortController().signal };
  const req = create(v1.GetExtendedAgentCardRequestSchema);
  const card = (await client.unary(op, '1.0', req, call)) as v1.AgentCard;
  assert.equal(card.name, 'fake');
  assert.deepEqual(calls, ['lf.a2a.v1.A2AService/GetExtendedAgentCard', 'a2a.v1.A2AService/GetAgentCard']);
  assert.equal(client.preferredVersion(), '0.3');
  await client.unary(op, '1.0', req, call);
  assert.equal(calls.length, 3);
  now += 60_001;
  await client.unary(op, '1.0', req, call);
  assert.deepEqual(calls.slice(3), [
    'lf.a2a.v1.A2AService/GetExtendedAgentCard',
    'a2a.v1.A2AService/GetAgentCard',
  ]);
});

test('binding client: a remote serving neither version fails with the method-not-found error', async () => {
  const calls: string[] = [];
  const client = new A2aBindingClient(fakeRemote([], calls), silentLogger);
  const call = { metadata: {}, timeoutMs: 1000, signal: new AbortController().signal };
  await assert.rejects(
    client.unary(opByName('GetExtendedAgentCard'), '0.3', create(v1.GetExtendedAgentCardRequestSchema), call),
    (e) => isMethodNotFound(e),
  );
  assert.equal(calls.length, 2);
  assert.ok(!isMethodNotFound(new RpcError(StatusCode.UNIMPLEMENTED, 'UnsupportedOperationError: no')));
  assert.ok(isMethodNotFound(new RpcError(StatusCode.UNIMPLEMENTED, 'MethodNotFoundError: no')));
});

test('binding client: a card listing only one SLIMRPC version sends calls there first', async () => {
  const calls: string[] = [];
  const client = new A2aBindingClient(fakeRemote(['a2a.v1.A2AService'], calls), silentLogger);
  client.learn(new Set(['0.3']));
  const call = { metadata: {}, timeoutMs: 1000, signal: new AbortController().signal };
  await client.unary(
    opByName('GetExtendedAgentCard'),
    '1.0',
    create(v1.GetExtendedAgentCardRequestSchema),
    call,
  );
  assert.deepEqual(calls, ['a2a.v1.A2AService/GetAgentCard']);
  client.learn(new Set());
  assert.deepEqual(client.versionsFor(opByName('GetTask'), '1.0'), ['0.3'], 'an empty card changes nothing');
});
