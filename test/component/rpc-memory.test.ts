// Component: the in-memory SLIMRPC network that adapter tests stand on behaves like SLIMRPC:
// patterns, metadata, status codes, deadlines, cancellation and multicast attribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import { parseName } from '../../src/slim/dataplane/name.js';

const te = new TextEncoder();
const td = new TextDecoder();
const caller = parseName('acme/demo/client');

function echoNetwork() {
  const net = new MemoryRpcNetwork();
  const server = net.server(parseName('acme/demo/echo'));
  server.register({
    name: 'test.Echo',
    methods: {
      Say: {
        kind: 'unary',
        handler: (req, ctx) => Promise.resolve(te.encode(`${ctx.metadata['who'] ?? ''}:${td.decode(req)}`)),
      },
      Count: {
        kind: 'serverStream',
        async *handler(req) {
          for (let i = 0; i < Number(td.decode(req)); i++) yield te.encode(String(i));
        },
      },
      Fail: {
        kind: 'unary',
        handler: () => Promise.reject(new RpcError(StatusCode.NOT_FOUND, 'TaskNotFoundError: t1')),
      },
      Throw: { kind: 'unary', handler: () => Promise.reject(new TypeError('boom')) },
      Slow: {
        kind: 'unary',
        handler: (_req, ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
          ),
      },
    },
  });
  return net;
}

test('unary and server-streaming calls carry payloads and metadata', async () => {
  const client = echoNetwork().client(parseName('acme/demo/echo'), caller);
  const res = await client.unary('test.Echo', 'Say', te.encode('hi'), { metadata: { who: 'me' } });
  assert.equal(td.decode(res), 'me:hi');
  const items: string[] = [];
  for await (const item of client.serverStream('test.Echo', 'Count', te.encode('3')))
    items.push(td.decode(item));
  assert.deepEqual(items, ['0', '1', '2']);
});

test('errors keep their status; unknown methods are UNIMPLEMENTED; throws become INTERNAL', async () => {
  const client = echoNetwork().client(parseName('acme/demo/echo'), caller);
  await assert.rejects(client.unary('test.Echo', 'Fail', te.encode('')), (e: RpcError) => {
    return e.status === StatusCode.NOT_FOUND && e.message === 'TaskNotFoundError: t1';
  });
  await assert.rejects(client.unary('test.Echo', 'Nope', te.encode('')), (e: RpcError) => {
    return e.status === StatusCode.UNIMPLEMENTED && /Method not found: test.Echo\/Nope/.test(e.message);
  });
  await assert.rejects(
    client.unary('test.Echo', 'Throw', te.encode('')),
    (e: RpcError) => e.status === StatusCode.INTERNAL,
  );
  const nobody = new MemoryRpcNetwork().client(parseName('acme/demo/none'), caller);
  await assert.rejects(
    nobody.unary('x.Y', 'Z', te.encode('')),
    (e: RpcError) => e.status === StatusCode.UNAVAILABLE,
  );
});

test('deadlines and cancellation end the call with the right status', async () => {
  const client = echoNetwork().client(parseName('acme/demo/echo'), caller);
  await assert.rejects(client.unary('test.Echo', 'Slow', te.encode(''), { timeoutMs: 30 }), (e: RpcError) => {
    return e.status === StatusCode.DEADLINE_EXCEEDED;
  });
  const ac = new AbortController();
  const p = client.unary('test.Echo', 'Slow', te.encode(''), { signal: ac.signal });
  ac.abort();
  await assert.rejects(p, (e: RpcError) => e.status === StatusCode.CANCELLED);
});

test('multicast attributes every answer and isolates failures', async () => {
  const net = echoNetwork();
  const other = net.server(parseName('acme/demo/other'));
  other.register({ name: 'test.Echo', methods: {} });
  const a = parseName('acme/demo/echo');
  const b = parseName('acme/demo/other');
  const items = [];
  for await (const item of net.multicast([a, b], caller).unary('test.Echo', 'Say', te.encode('x')))
    items.push(item);
  const data = items.filter((i) => i.kind === 'data');
  const errors = items.filter((i) => i.kind === 'error');
  assert.equal(data.length, 1);
  assert.equal(data[0]!.member, a);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.member, b);
});
