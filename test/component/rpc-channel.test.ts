// Component: the SLIMRPC channel's behaviour over in-memory sessions: one shared session, re-created
// when it dies; thousands of calls issued in one tick; setup deadline; bounded buffering both ways;
// a failing request stream; consumers that stop early; close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChannel, createRpcServer, RpcError, StatusCode } from '../../src/slim/rpc/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MemorySessionNetwork } from '../support/memory-sessions.js';

const te = new TextEncoder();
const td = new TextDecoder();

let generatorFinished = 0;
const service: ServiceDefinition = {
  name: 'svc.S',
  methods: {
    Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) },
    Many: {
      kind: 'serverStream',
      async *handler(r) {
        try {
          for (let i = 0; i < Number(td.decode(r)); i++) yield te.encode(String(i));
        } finally {
          generatorFinished++;
        }
      },
    },
    Collect: {
      kind: 'clientStream',
      async handler(reqs) {
        const got: string[] = [];
        try {
          for await (const r of reqs) got.push(td.decode(r));
        } catch (e) {
          throw new RpcError(StatusCode.ABORTED, `request stream failed with ${(e as RpcError).status}`);
        }
        return te.encode(got.join(','));
      },
    },
    Hang: { kind: 'unary', handler: () => new Promise(() => undefined) },
    HangStream: {
      kind: 'serverStream',
      async *handler(_r, ctx) {
        yield te.encode('first');
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
      },
    },
  },
};

function fixture() {
  const net = new MemorySessionNetwork();
  const serverApp = net.app('acme/demo/srv');
  const server = createRpcServer(serverApp, { services: [service] });
  const clientApp = net.app('acme/demo/client');
  return { net, serverApp, server, clientApp };
}

test('2,000 unary calls issued in the same tick on one channel all complete, on one session', async () => {
  const { server, clientApp, serverApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  const n = 2000;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ch.unary('svc.S', 'Echo', te.encode(`call-${i}`), { timeoutMs: 60_000 }),
    ),
  );
  results.forEach((r, i) => assert.equal(td.decode(r), `call-${i}`));
  assert.equal(serverApp.sessions.size, 1, 'every call shared one session');
  await ch.close();
  await server.close();
});

test('the session is re-created when it dies', async () => {
  const { server, clientApp, serverApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('1'))), '1');
  const [first] = [...serverApp.sessions];
  const pending = ch.unary('svc.S', 'Hang', te.encode(''));
  await first!.close(); // the peer closes the session under a live call
  await assert.rejects(pending, (e: RpcError) => e.status === StatusCode.UNAVAILABLE);
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('2'))), '2');
  assert.equal(serverApp.sessions.size, 1);
  assert.notEqual([...serverApp.sessions][0], first);
  await ch.close();
  await server.close();
});

test('the call deadline covers session setup', async () => {
  const { net, server, clientApp } = fixture();
  net.setupDelayMs = 300;
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  await assert.rejects(
    ch.unary('svc.S', 'Echo', te.encode(''), { timeoutMs: 20 }),
    (e: RpcError) =>
      e.status === StatusCode.DEADLINE_EXCEEDED &&
      e.message === 'Client deadline exceeded during session setup',
  );
  // The setup went on for later calls.
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('ok'))), 'ok');
  await ch.close();
  await server.close();
});

test('a caller that does not read a stream fails that call only, with RESOURCE_EXHAUSTED', async () => {
  const { server, clientApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'), { maxBufferedMessages: 4 });
  const finishedAtStart = generatorFinished;
  const stream = ch.serverStream('svc.S', 'Many', te.encode('100'));
  // Meanwhile other calls on the same channel are unaffected.
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('other'))), 'other');
  // Read only once the server has sent everything (its generator has finished).
  for (let i = 0; i < 500 && generatorFinished === finishedAtStart; i++)
    await new Promise((r) => setTimeout(r, 5));
  const got: string[] = [];
  await assert.rejects(
    async () => {
      for await (const x of stream) got.push(td.decode(x));
    },
    (e: RpcError) => e.status === StatusCode.RESOURCE_EXHAUSTED,
  );
  assert.ok(got.length <= 4, `buffered ${got.length}`);
  await ch.close();
  await server.close();
});

test('a consumer that stops early releases the call; the server generator is stopped at its deadline or end', async () => {
  const { server, clientApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  for await (const x of ch.serverStream('svc.S', 'Many', te.encode('50'))) {
    assert.equal(td.decode(x), '0');
    break;
  }
  // The channel still works and late frames of the abandoned call are discarded.
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('after'))), 'after');
  await ch.close();
  await server.close();
  assert.ok(generatorFinished >= 1);
});

test('a request iterable that throws fails the call and tells the server', async () => {
  const { server, clientApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  async function* broken() {
    yield te.encode('a');
    await new Promise((r) => setTimeout(r, 10));
    throw new RpcError(StatusCode.DATA_LOSS, 'source vanished');
  }
  await assert.rejects(
    ch.clientStream('svc.S', 'Collect', broken()),
    (e: RpcError) =>
      // Either the local failure or the server's answer to the client's error frame, whichever first.
      e.status === StatusCode.DATA_LOSS || (e.status === StatusCode.ABORTED && /with 1/.test(e.message)),
  );
  async function* fine() {
    yield te.encode('x');
    yield te.encode('y');
  }
  assert.equal(td.decode(await ch.clientStream('svc.S', 'Collect', fine())), 'x,y');
  await ch.close();
  await server.close();
});

test('closing the channel cancels in-flight calls; later calls are UNAVAILABLE', async () => {
  const { server, clientApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'));
  await ch.unary('svc.S', 'Echo', te.encode('warm'));
  const pending = ch.unary('svc.S', 'Hang', te.encode(''));
  const stream = ch.serverStream('svc.S', 'HangStream', te.encode(''))[Symbol.asyncIterator]();
  assert.equal(td.decode((await stream.next()).value as Uint8Array), 'first');
  await ch.close();
  await ch.close();
  await assert.rejects(
    pending,
    (e: RpcError) => e.status === StatusCode.CANCELLED && e.message === 'channel closed',
  );
  await assert.rejects(
    ch.unary('svc.S', 'Echo', te.encode('')),
    (e: RpcError) => e.status === StatusCode.UNAVAILABLE,
  );
  await assert.rejects(stream.next(), (e: RpcError) => e.status === StatusCode.CANCELLED);
  await server.close();
  await server.closed();
});

test('calls beyond the concurrency limit wait their turn, within their deadline and cancellable', async () => {
  const { server, clientApp } = fixture();
  const ch = createChannel(clientApp, parseName('acme/demo/srv'), { maxConcurrentCalls: 2 });
  const hanging = [0, 1].map(() => ch.unary('svc.S', 'Hang', te.encode(''), { timeoutMs: 400 }));
  // Checked from the start: either may fail first (its own timer or the server's status), and a
  // rejection nobody listens to yet would fail the test as unhandled.
  const hangingChecked = hanging.map((h) =>
    assert.rejects(h, (e: RpcError) => e.status === StatusCode.DEADLINE_EXCEEDED),
  );
  // Both slots are taken until the hanging calls time out: this one waits, then fails in its turn.
  await assert.rejects(
    ch.unary('svc.S', 'Echo', te.encode('queued'), { timeoutMs: 100 }),
    (e: RpcError) => e.status === StatusCode.DEADLINE_EXCEEDED,
  );
  const ac = new AbortController();
  const cancelled = ch.unary('svc.S', 'Echo', te.encode('queued'), { signal: ac.signal });
  ac.abort();
  await assert.rejects(cancelled, (e: RpcError) => e.status === StatusCode.CANCELLED);
  const later = ch.unary('svc.S', 'Echo', te.encode('later'));
  await Promise.all(hangingChecked);
  assert.equal(td.decode(await later), 'later');
  await ch.close();
  await server.close();
});
