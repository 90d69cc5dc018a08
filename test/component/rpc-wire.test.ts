// Component: what our SLIMRPC channel and server put on the wire, and how they read frames from
// hand-written peers (raw sessions, frames built by hand after docs/slimrpc.md#frame-sequences,
// including pre-2.1 and malformed ones). Everything runs over in-memory sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChannel, createRpcServer, RpcError, StatusCode } from '../../src/slim/rpc/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { Session, SessionMessage } from '../../src/slim/session/types.js';
import { MemorySessionNetwork } from '../support/memory-sessions.js';

const te = new TextEncoder();
const td = new TextDecoder();
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function firstSession(it: AsyncIterable<Session>): Promise<Session> {
  for await (const s of it) return s;
  throw new Error('no session');
}

/** Reads `n` frames from a raw session. */
async function read(session: Session, n: number): Promise<SessionMessage[]> {
  const out: SessionMessage[] = [];
  if (n === 0) return out;
  for await (const m of session.messages()) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

function rawReader(session: Session) {
  const it = session.messages()[Symbol.asyncIterator]();
  return async () => {
    const r = await it.next();
    if (r.done) throw new Error('session ended');
    return r.value;
  };
}

test('our channel: every frame of every pattern, as the reference frames them but for the client EOS of a single request', async () => {
  const net = new MemorySessionNetwork();
  const rawServer = net.app('acme/demo/raw');
  const ch = createChannel(net.app('acme/demo/client'), parseName('acme/demo/raw'));
  const before = Date.now();
  const unary = ch.unary('svc.S', 'M', te.encode('req'), { timeoutMs: 5000, metadata: { 'x-trace': 't' } });
  const session = await firstSession(rawServer.incoming());
  assert.equal(session.kind, 'p2p');
  assert.equal(session.mls, true, 'MLS on by default');
  assert.deepEqual(session.metadata, {});
  const next = rawReader(session);
  const f1 = await next();
  const id = f1.metadata['rpc-id']!;
  assert.match(id, UUID4);
  assert.deepEqual(Object.keys(f1.metadata).sort(), [
    'method',
    'rpc-id',
    'service',
    'slim-gateway-ends-on-data',
    'slimrpc-dir',
    'slimrpc-timeout',
    'x-trace',
  ]);
  assert.equal(f1.metadata['slim-gateway-ends-on-data'], '1', 'a single response: ends on its data frame');
  assert.equal(f1.metadata['slimrpc-dir'], 'req');
  assert.equal(td.decode(f1.payload), 'req');
  const deadline = Number(f1.metadata['slimrpc-timeout']) * 1000;
  assert.ok(deadline >= before + 5000 && deadline <= Date.now() + 5000, 'absolute deadline, epoch seconds');
  // Answer like a pre-2.1 server (code 0 on the data frame): still data.
  await session.publish(te.encode('res'), { metadata: { 'rpc-id': id, 'slimrpc-code': '0' } });
  await session.publish(new Uint8Array(0), { metadata: { 'rpc-id': id, 'slimrpc-code': '0' } });
  assert.equal(td.decode(await unary), 'res');

  // Client streaming: first frame, continuations without a status, EOS.
  async function* reqs() {
    yield te.encode('a');
    yield te.encode('b');
  }
  const cs = ch.clientStream('svc.S', 'Up', reqs());
  const frames = [await next(), await next(), await next()];
  const sid = frames[0]!.metadata['rpc-id']!;
  // The unary call sent no EOS (every server reads a unary-input call from its first frame): the
  // frame after its request is the next call's.
  assert.notEqual(sid, id, 'no client EOS after a single request');
  assert.equal(frames[0]!.metadata['slimrpc-code'], undefined);
  assert.equal(frames[0]!.metadata['service'], 'svc.S');
  assert.deepEqual(frames[1]!.metadata, { 'rpc-id': sid, 'slimrpc-dir': 'req' });
  assert.deepEqual(frames[2]!.metadata, { 'rpc-id': sid, 'slimrpc-code': '0', 'slimrpc-dir': 'req' });
  for (const f of frames) assert.equal(f.metadata['slimrpc-dir'], 'req');
  // A 2.1+ server: zero-byte data frame without a status, then the EOS.
  await session.publish(new Uint8Array(0), { metadata: { 'rpc-id': sid } });
  await session.publish(new Uint8Array(0), { metadata: { 'rpc-id': sid, 'slimrpc-code': '0' } });
  assert.equal((await cs).length, 0, 'a zero-byte response is a response');

  // An empty request stream: the EOS opens the call and names service and method.
  const emptyCall = ch.clientStream('svc.S', 'Up', (async function* () {})(), { metadata: { k: 'v' } });
  const opening = await next();
  assert.equal(opening.metadata['service'], 'svc.S');
  assert.equal(opening.metadata['method'], 'Up');
  assert.equal(opening.metadata['slimrpc-code'], '0');
  assert.equal(opening.metadata['k'], 'v');
  const eid = opening.metadata['rpc-id']!;
  await session.publish(new Uint8Array(0), { metadata: { 'rpc-id': eid, 'slimrpc-code': '0' } });
  await assert.rejects(
    emptyCall,
    (e: RpcError) => e.status === StatusCode.INTERNAL && e.message === 'No response received',
  );

  // Errors: status and message from the frame; unknown rpc-ids are ignored.
  const failing = ch.unary('svc.S', 'M', te.encode('x'));
  const ff = await next();
  await session.publish(te.encode('late'), { metadata: { 'rpc-id': 'no-such-call' } });
  await session.publish(te.encode('TaskNotFoundError'), {
    metadata: { 'rpc-id': ff.metadata['rpc-id']!, 'slimrpc-code': '5' },
  });
  await assert.rejects(
    failing,
    (e: RpcError) => e.status === StatusCode.NOT_FOUND && e.message === 'TaskNotFoundError',
  );
  await ch.close();
});

test('our channel refuses to stream zero-byte requests to a server known to be pre-2.1', async () => {
  const net = new MemorySessionNetwork();
  const rawServer = net.app('acme/demo/raw');
  const ch = createChannel(net.app('acme/demo/client'), parseName('acme/demo/raw'));
  const first = ch.unary('svc.S', 'M', te.encode('x'));
  const session = await firstSession(rawServer.incoming());
  const next = rawReader(session);
  const f = await next();
  await session.publish(te.encode('legacy'), {
    metadata: { 'rpc-id': f.metadata['rpc-id']!, 'slimrpc-code': '0' },
  });
  await first;
  async function* withEmpty() {
    yield te.encode('a');
    yield new Uint8Array(0);
  }
  await assert.rejects(
    ch.clientStream('svc.S', 'Up', withEmpty()),
    (e: RpcError) => e.status === StatusCode.INVALID_ARGUMENT && /pre-2.1/.test(e.message),
  );
  // A zero-byte unary request is fine (a unary handler reads the first frame's payload).
  const u = ch.unary('svc.S', 'M', new Uint8Array(0));
  await next(); // the stream call's first frame
  const uf = await next();
  assert.equal(uf.payload.length, 0);
  assert.equal(uf.metadata['method'], 'M');
  await session.publish(te.encode('ok'), { metadata: { 'rpc-id': uf.metadata['rpc-id']! } });
  assert.equal(td.decode(await u), 'ok');
  await ch.close();
});

function rawClientFixture(
  services: ServiceDefinition[],
  serverOptions: Parameters<typeof createRpcServer>[1] = {},
) {
  const net = new MemorySessionNetwork();
  const serverApp = net.app('acme/demo/srv');
  const server = createRpcServer(serverApp, { services, ...serverOptions });
  const client = net.app('acme/demo/rawclient');
  return { net, server, client };
}

const req = (id: string, method: string, extra: Record<string, string> = {}) => ({
  'rpc-id': id,
  'slimrpc-dir': 'req',
  service: 'svc.S',
  method,
  ...extra,
});

test('our server: answers, errors, deadlines and the demux rules, frame by frame', async () => {
  let slowSignal: AbortSignal | undefined;
  let seen: Readonly<Record<string, string>> | undefined;
  const { server, client } = rawClientFixture([
    {
      name: 'svc.S',
      methods: {
        Echo: {
          kind: 'unary',
          handler: (r, ctx) => {
            seen = ctx.metadata;
            return Promise.resolve(r);
          },
        },
        Slow: {
          kind: 'unary',
          handler: (_r, ctx) => {
            slowSignal = ctx.signal;
            return new Promise(() => undefined);
          },
        },
        Bad: { kind: 'unary', handler: () => Promise.resolve('text' as unknown as Uint8Array) },
        Undef: { kind: 'unary', handler: () => Promise.reject(undefined as unknown as Error) },
        Num: {
          kind: 'unary',
          handler: () => {
            throw 42 as unknown as Error;
          },
        },
      },
    },
  ]);
  const s = await client.createSession(parseName('acme/demo/srv'), { kind: 'p2p', metadata: { sess: '1' } });
  const next = rawReader(s);
  const send = (md: Record<string, string>, payload = te.encode('p')) => s.publish(payload, { metadata: md });
  // Dropped silently: no rpc-id, no slimrpc-dir, no service/method.
  await send({ 'slimrpc-dir': 'req', service: 'svc.S', method: 'Echo' });
  await send({ 'rpc-id': 'nodir', service: 'svc.S', method: 'Echo' });
  await send({ 'rpc-id': 'nomethod', 'slimrpc-dir': 'req' });
  // A unary call with caller metadata.
  await send(req('a', 'Echo', { 'x-trace': 't', 'slimrpc-timeout': String(Date.now() / 1000 + 30) }));
  await send({ 'rpc-id': 'a', 'slimrpc-dir': 'req', 'slimrpc-code': '0' }, new Uint8Array(0));
  await send({ 'rpc-id': 'a', 'slimrpc-code': '0' }, new Uint8Array(0)); // the reference's redundant EOS
  const d = await next();
  assert.deepEqual(d.metadata, { 'rpc-id': 'a' }, 'data frames carry no status');
  assert.equal(td.decode(d.payload), 'p');
  assert.deepEqual((await next()).metadata, { 'rpc-id': 'a', 'slimrpc-code': '0' });
  assert.equal(seen?.['x-trace'], 't');
  assert.equal(seen?.['sess'], '1', 'session metadata merged with the first frame');
  assert.equal(seen?.['method'], 'Echo');
  // Unknown method.
  await send(req('u', 'Nope'));
  let f = await next();
  assert.deepEqual(f.metadata, { 'rpc-id': 'u', 'slimrpc-code': '12' });
  assert.equal(td.decode(f.payload), 'Method not found: svc.S/Nope');
  // Deadline already past on arrival.
  await send(req('e', 'Echo', { 'slimrpc-timeout': String(Date.now() / 1000 - 1) }));
  f = await next();
  assert.deepEqual(f.metadata, { 'rpc-id': 'e', 'slimrpc-code': '4' });
  assert.equal(td.decode(f.payload), 'Deadline exceeded');
  // Overrun: the handler's signal fires and the client gets the reference's message.
  await send(req('o', 'Slow', { 'slimrpc-timeout': String((Date.now() + 100) / 1000) }));
  f = await next();
  assert.deepEqual(f.metadata, { 'rpc-id': 'o', 'slimrpc-code': '4' });
  assert.equal(td.decode(f.payload), 'Deadline exceeded during RPC execution');
  assert.equal(slowSignal?.aborted, true);
  // Whatever a handler throws or returns, the client gets an error frame.
  for (const m of ['Bad', 'Undef', 'Num']) {
    await send(req(m, m));
    f = await next();
    assert.equal(f.metadata['rpc-id'], m);
    assert.equal(f.metadata['slimrpc-code'], '13', m);
  }
  await s.close();
  await server.close();
});

test('our server: no EOS after the response when the caller ends the call on it, and only then', async () => {
  const ENDS = { 'slim-gateway-ends-on-data': '1' };
  const { server, client } = rawClientFixture([
    {
      name: 'svc.S',
      methods: {
        Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) },
        Bad: { kind: 'unary', handler: () => Promise.reject(new Error('broken')) },
        // A stream whose caller ends it on its last message (as an MCP route does).
        Two: {
          kind: 'serverStream',
          handler: async function* (_r, ctx) {
            ctx.omitEos();
            yield te.encode('1');
            yield te.encode('2');
          },
        },
        None: {
          kind: 'serverStream',
          handler: async function* (_r, ctx) {
            ctx.omitEos();
            yield* [];
          },
        },
        Fails: {
          kind: 'serverStream',
          handler: async function* (_r, ctx) {
            ctx.omitEos();
            yield te.encode('partial');
            throw new Error('midway');
          },
        },
      },
    },
  ]);
  const s = await client.createSession(parseName('acme/demo/srv'), { kind: 'p2p' });
  const next = rawReader(s);
  const send = (md: Record<string, string>) => s.publish(te.encode('p'), { metadata: md });
  // One call at a time: read its data and error frames, let the server finish the call (its EOS,
  // if any, is queued as soon as the handler ends, before another turn of the event loop), then a
  // fence call: the session carries frames in order, so whatever the call still sent comes before
  // the fence's answer.
  const framesOf = async (id: string, method: string, extra: Record<string, string>, leading: number) => {
    await send(req(id, method, extra));
    const out: string[] = [];
    const take = async () => {
      const f = await next();
      const code = f.metadata['slimrpc-code'];
      return { id: f.metadata['rpc-id']!, what: code === undefined ? 'data' : `code ${code}` };
    };
    for (let k = 0; k < leading; k++) {
      const f = await take();
      assert.equal(f.id, id);
      out.push(f.what);
    }
    await new Promise<void>((r) => setImmediate(r));
    await send(req(`fence-${id}`, 'Echo'));
    for (;;) {
      const f = await take();
      if (f.id === `fence-${id}`) {
        assert.equal(f.what, 'data');
        assert.deepEqual(await take(), { id: f.id, what: 'code 0' }, "the fence's EOS");
        return out;
      }
      assert.equal(f.id, id);
      out.push(f.what);
    }
  };
  assert.deepEqual(await framesOf('a', 'Echo', ENDS, 1), ['data'], 'the response alone with the key');
  assert.deepEqual(await framesOf('b', 'Echo', {}, 1), ['data', 'code 0'], 'the EOS without it');
  assert.deepEqual(
    await framesOf('c', 'Echo', { 'slim-gateway-ends-on-data': 'yes' }, 1),
    ['data', 'code 0'],
    'the EOS with any other value',
  );
  assert.deepEqual(await framesOf('d', 'Bad', ENDS, 1), ['code 13'], 'a failure still answers');
  assert.deepEqual(await framesOf('e', 'Two', ENDS, 2), ['data', 'data'], 'the handler asked for no EOS');
  assert.deepEqual(
    await framesOf('f', 'Two', {}, 2),
    ['data', 'data'],
    'the key does not decide for a stream',
  );
  assert.deepEqual(await framesOf('g', 'None', {}, 1), ['code 0'], 'nothing sent: still an EOS');
  assert.deepEqual(await framesOf('h', 'Fails', {}, 2), ['data', 'code 13'], 'a failed stream: its error');
  await s.close();
  await server.close();
});

test('our server: interleaved streaming calls on one session, a client error frame, request overflow', async () => {
  const { server, client } = rawClientFixture(
    [
      {
        name: 'svc.S',
        methods: {
          Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) },
          Bidi: {
            kind: 'bidiStream',
            async *handler(reqs) {
              for await (const r of reqs) yield te.encode(td.decode(r).toUpperCase());
            },
          },
          Collect: {
            kind: 'clientStream',
            async handler(reqs) {
              const got: string[] = [];
              try {
                for await (const r of reqs) got.push(td.decode(r));
              } catch (e) {
                throw new RpcError(StatusCode.ABORTED, `saw ${(e as RpcError).status} after ${got.join('')}`);
              }
              return te.encode(got.join(''));
            },
          },
          Ignore: {
            kind: 'clientStream',
            handler: (_r, ctx) =>
              new Promise((r) => ctx.signal.addEventListener('abort', () => r(new Uint8Array(0)))),
          },
        },
      },
    ],
    { maxBufferedMessages: 4 },
  );
  const s = await client.createSession(parseName('acme/demo/srv'), { kind: 'p2p' });
  const next = rawReader(s);
  const send = (md: Record<string, string>, text = '') => s.publish(te.encode(text), { metadata: md });
  const cont = (id: string) => ({ 'rpc-id': id, 'slimrpc-dir': 'req' });
  const eos = (id: string) => ({ 'rpc-id': id, 'slimrpc-dir': 'req', 'slimrpc-code': '0' });
  await send(req('A', 'Bidi'), 'a1');
  await send(req('B', 'Bidi'), 'b1');
  await send(req('C', 'Echo'), 'c');
  await send(cont('B'), 'b2');
  await send(eos('C'));
  await send(eos('B'));
  await send(cont('A'), 'a2');
  await send(eos('A'));
  const got: string[] = [];
  for (let i = 0; i < 8; i++) {
    const m = await next();
    got.push(`${m.metadata['rpc-id']}:${m.metadata['slimrpc-code'] ?? 'd'}:${td.decode(m.payload)}`);
  }
  for (const [id, want] of [
    ['A', ['A:d:A1', 'A:d:A2', 'A:0:']],
    ['B', ['B:d:B1', 'B:d:B2', 'B:0:']],
    ['C', ['C:d:c', 'C:0:']],
  ] as const)
    assert.deepEqual(
      got.filter((g) => g.startsWith(`${id}:`)),
      want,
    );
  // A client-side error frame inside a request stream reaches the handler as an error.
  await send(req('X', 'Collect'), 'x1');
  await s.publish(te.encode('client request stream failed'), {
    metadata: { 'rpc-id': 'X', 'slimrpc-dir': 'req', 'slimrpc-code': '1' },
  });
  let f = await next();
  assert.equal(f.metadata['slimrpc-code'], '10');
  assert.equal(td.decode(f.payload), 'saw 1 after x1');
  // A handler that does not read its request stream: the call fails once the buffer is full.
  await send(req('F', 'Ignore'), '0');
  for (let i = 1; i < 10; i++) await send(cont('F'), String(i));
  f = await next();
  assert.equal(f.metadata['rpc-id'], 'F');
  assert.equal(f.metadata['slimrpc-code'], '8');
  await s.close();
  await server.close();
});

test('our server refuses sessions without MLS unless its policy allows them', async () => {
  const strict = rawClientFixture([
    { name: 'svc.S', methods: { Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) } } },
  ]);
  const s = await strict.client.createSession(parseName('acme/demo/srv'), { kind: 'p2p', mls: false });
  assert.equal((await s.closed()).reason, 'remote');
  await strict.server.close();

  const lax = rawClientFixture(
    [{ name: 'svc.S', methods: { Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) } } }],
    {
      acceptSession: () => true,
    },
  );
  const ch = createChannel(lax.client, parseName('acme/demo/srv'), { mls: false });
  assert.equal(td.decode(await ch.unary('svc.S', 'Echo', te.encode('plain'))), 'plain');
  await ch.close();
  await lax.server.close();
});

test('our server answers a group member by unicast: other members never see the reply', async () => {
  const net = new MemorySessionNetwork();
  const server = createRpcServer(net.app('acme/demo/srv'), {
    services: [{ name: 'svc.S', methods: { Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) } } }],
  });
  const other = net.app('acme/demo/other');
  const caller = net.app('acme/demo/caller');
  const g = await caller.createSession(parseName('acme/demo/chan'), { kind: 'group' });
  await g.invite(parseName('acme/demo/srv'));
  await g.invite(parseName('acme/demo/other'));
  const otherSession = await firstSession(other.incoming());
  await g.publish(te.encode('hi'), { metadata: req('g1', 'Echo') });
  await g.publish(new Uint8Array(0), {
    metadata: { 'rpc-id': 'g1', 'slimrpc-dir': 'req', 'slimrpc-code': '0' },
  });
  const next = rawReader(g);
  assert.equal(td.decode((await next()).payload), 'hi');
  assert.equal((await next()).metadata['slimrpc-code'], '0');
  // The other member saw the caller's two frames, then the caller's marker: no reply in between.
  await g.publish(te.encode('marker'), { metadata: {} });
  const seenByOther = await read(otherSession, 3);
  assert.deepEqual(
    seenByOther.map((m) => m.metadata['slimrpc-dir'] ?? td.decode(m.payload)),
    ['req', 'req', 'marker'],
  );
  await g.close();
  await server.close();
});
