// The SLIMRPC behavioural contract, written once and run against every implementation of
// src/slim/rpc/types.ts (the in-memory network that adapter tests stand on, SLIMRPC over in-memory
// sessions, SLIMRPC over real sessions): same status codes and messages for the same situations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import type {
  MulticastClient,
  MulticastItem,
  RpcClient,
  RpcServer,
  ServiceDefinition,
} from '../../src/slim/rpc/types.js';
import { sameComponents } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';

export interface RpcEnv {
  /** A server reachable under `name` (org/ns/app) serving `services`. */
  server(name: string, services: ServiceDefinition[]): Promise<RpcServer>;
  client(target: string): RpcClient;
  multicast(members: string[]): MulticastClient;
  /** The caller's name as servers see it (ctx.source). */
  readonly callerName: SlimName;
  close(): Promise<void>;
}

const te = new TextEncoder();
const td = new TextDecoder();

/** Calls that reached a handler of testService(), by method (tests wait on it, never on time). */
export const started = new Map<string, number>();
const mark = (method: string) => started.set(method, (started.get(method) ?? 0) + 1);

/** Resolves once `predicate` holds (polled), or rejects after a generous hang guard. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The contract's service; `label` tags the answers of `Who` (multicast attribution checks). */
export function testService(label = 'ours'): ServiceDefinition {
  return {
    name: 'test.Contract',
    methods: {
      Who: { kind: 'unary', handler: (req) => Promise.resolve(te.encode(`${label}:${td.decode(req)}`)) },
      Meta: {
        kind: 'unary',
        handler: (_req, ctx) => Promise.resolve(te.encode(JSON.stringify(ctx.metadata))),
      },
      Echo: {
        kind: 'unary',
        handler: (req, ctx) => Promise.resolve(te.encode(`${ctx.metadata['who'] ?? ''}:${td.decode(req)}`)),
      },
      Source: { kind: 'unary', handler: (_req, ctx) => Promise.resolve(te.encode(ctx.source.app)) },
      Empty: { kind: 'unary', handler: () => Promise.resolve(new Uint8Array(0)) },
      Count: {
        kind: 'serverStream',
        async *handler(req) {
          const n = Number(td.decode(req));
          for (let i = 0; i < n; i++) yield te.encode(String(i));
        },
      },
      CountThenFail: {
        kind: 'serverStream',
        async *handler() {
          yield te.encode('a');
          yield te.encode('b');
          throw new RpcError(StatusCode.ABORTED, 'stopped after two');
        },
      },
      Sum: {
        kind: 'clientStream',
        async handler(reqs) {
          let sum = 0;
          for await (const r of reqs) sum += Number(td.decode(r));
          return te.encode(String(sum));
        },
      },
      Upper: {
        kind: 'bidiStream',
        async *handler(reqs) {
          for await (const r of reqs) yield te.encode(td.decode(r).toUpperCase());
        },
      },
      Fail: {
        kind: 'unary',
        handler: () => Promise.reject(new RpcError(StatusCode.NOT_FOUND, 'TaskNotFoundError: t1')),
      },
      Throw: { kind: 'unary', handler: () => Promise.reject(new TypeError('boom')) },
      ThrowSync: {
        kind: 'unary',
        handler: () => {
          throw new Error('sync boom');
        },
      },
      Slow: {
        kind: 'unary',
        handler: (_req, ctx) => {
          mark('Slow');
          return new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        },
      },
      Wait: {
        kind: 'unary',
        handler: (req) => {
          mark('Wait');
          return new Promise((r) => setTimeout(() => r(req), Number(td.decode(req))));
        },
      },
    },
  };
}

async function* items(...xs: string[]): AsyncIterable<Uint8Array> {
  for (const x of xs) yield te.encode(x);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const status = (code: StatusCode, message?: RegExp | string) => (e: unknown) => {
  assert.ok(e instanceof RpcError, `expected an RpcError, got ${String(e)}`);
  assert.equal(e.status, code, `status ${e.status} (${e.message})`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return true;
};

/** Registers the contract's tests, each on a fresh environment from `make`. */
export function rpcContract(label: string, make: () => Promise<RpcEnv>): void {
  const withEnv = (name: string, body: (env: RpcEnv) => Promise<void>): void => {
    test(`${label}: ${name}`, async () => {
      const env = await make();
      try {
        await body(env);
      } finally {
        await env.close();
      }
    });
  };

  withEnv('all four patterns carry payloads, metadata and the caller name', async (env) => {
    await env.server('acme/demo/svc', [testService()]);
    const c = env.client('acme/demo/svc');
    assert.equal(
      td.decode(await c.unary('test.Contract', 'Echo', te.encode('hi'), { metadata: { who: 'me' } })),
      'me:hi',
    );
    assert.equal(td.decode(await c.unary('test.Contract', 'Source', new Uint8Array(0))), env.callerName.app);
    const counted = await collect(c.serverStream('test.Contract', 'Count', te.encode('3')));
    assert.deepEqual(
      counted.map((b) => td.decode(b)),
      ['0', '1', '2'],
    );
    assert.equal(td.decode(await c.clientStream('test.Contract', 'Sum', items('1', '2', '39'))), '42');
    const upper = await collect(c.bidiStream('test.Contract', 'Upper', items('a', 'b')));
    assert.deepEqual(
      upper.map((b) => td.decode(b)),
      ['A', 'B'],
    );
    assert.deepEqual(await collect(c.serverStream('test.Contract', 'Count', te.encode('0'))), []);
    assert.equal(td.decode(await c.clientStream('test.Contract', 'Sum', items())), '0');
  });

  withEnv('a zero-byte response is delivered as such', async (env) => {
    await env.server('acme/demo/svc', [testService()]);
    const res = await env.client('acme/demo/svc').unary('test.Contract', 'Empty', te.encode('x'));
    assert.equal(res.length, 0);
  });

  withEnv(
    'errors keep status and message; unknown methods are UNIMPLEMENTED; throws are INTERNAL',
    async (env) => {
      await env.server('acme/demo/svc', [testService()]);
      const c = env.client('acme/demo/svc');
      await assert.rejects(
        c.unary('test.Contract', 'Fail', te.encode('')),
        status(StatusCode.NOT_FOUND, 'TaskNotFoundError: t1'),
      );
      await assert.rejects(
        c.unary('test.Contract', 'Nope', te.encode('')),
        status(StatusCode.UNIMPLEMENTED, 'Method not found: test.Contract/Nope'),
      );
      await assert.rejects(
        c.unary('other.Service', 'Echo', te.encode('')),
        status(StatusCode.UNIMPLEMENTED, 'Method not found: other.Service/Echo'),
      );
      await assert.rejects(
        c.unary('test.Contract', 'Throw', te.encode('')),
        status(StatusCode.INTERNAL, 'boom'),
      );
      await assert.rejects(
        c.unary('test.Contract', 'ThrowSync', te.encode('')),
        status(StatusCode.INTERNAL, 'sync boom'),
      );
      const got: string[] = [];
      await assert.rejects(
        async () => {
          for await (const x of c.serverStream('test.Contract', 'CountThenFail', te.encode('')))
            got.push(td.decode(x));
        },
        status(StatusCode.ABORTED, 'stopped after two'),
      );
      assert.deepEqual(got, ['a', 'b']);
    },
  );

  withEnv('a deadline ends the call with DEADLINE_EXCEEDED; aborting ends it with CANCELLED', async (env) => {
    await env.server('acme/demo/svc', [testService()]);
    const c = env.client('acme/demo/svc');
    await c.unary('test.Contract', 'Echo', te.encode('warm-up'));
    await assert.rejects(
      c.unary('test.Contract', 'Slow', te.encode(''), { timeoutMs: 50 }),
      status(StatusCode.DEADLINE_EXCEEDED),
    );
    const ac = new AbortController();
    const p = c.unary('test.Contract', 'Slow', te.encode(''), { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, status(StatusCode.CANCELLED));
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(
      c.unary('test.Contract', 'Echo', te.encode(''), { signal: pre.signal }),
      status(StatusCode.CANCELLED),
    );
  });

  withEnv('a name nobody serves is UNAVAILABLE', async (env) => {
    await assert.rejects(
      env.client('acme/demo/nobody').unary('x.Y', 'Z', te.encode(''), { timeoutMs: 10_000 }),
      status(StatusCode.UNAVAILABLE),
    );
  });

  withEnv('close(grace) lets in-flight calls finish, then cancels the rest', async (env) => {
    const server = await env.server('acme/demo/svc', [testService()]);
    const c = env.client('acme/demo/svc');
    await c.unary('test.Contract', 'Echo', te.encode('warm-up'));
    const [waits, slows] = [started.get('Wait') ?? 0, started.get('Slow') ?? 0];
    const quick = c.unary('test.Contract', 'Wait', te.encode('100'));
    const stuck = assert.rejects(
      c.unary('test.Contract', 'Slow', te.encode(''), { timeoutMs: 20_000 }),
      status(StatusCode.CANCELLED, 'Server shutting down'),
    );
    await waitFor(
      () => (started.get('Wait') ?? 0) > waits && (started.get('Slow') ?? 0) > slows,
      'both calls to reach their handlers',
    );
    await server.close(3_000);
    assert.equal(td.decode(await quick), '100');
    await stuck;
  });

  withEnv('multicast attributes every answer to its member and isolates failures', async (env) => {
    await env.server('acme/demo/m1', [testService()]);
    await env.server('acme/demo/m2', [testService()]);
    await env.server('acme/demo/m3', [{ name: 'test.Contract', methods: {} }]);
    const mc = env.multicast(['acme/demo/m1', 'acme/demo/m2', 'acme/demo/m3']);
    const got = await collect(
      mc.unary('test.Contract', 'Echo', te.encode('x'), { metadata: { who: 'all' } }),
    );
    const by = (app: string) => got.filter((i) => i.member.app === app);
    for (const app of ['m1', 'm2']) {
      const mine = by(app);
      assert.deepEqual(
        mine.map((i) => i.kind),
        ['data', 'end'],
        app,
      );
      assert.equal(td.decode((mine[0] as Extract<MulticastItem, { kind: 'data' }>).payload), 'all:x');
    }
    const failed = by('m3');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.kind, 'error');
    status(
      StatusCode.UNIMPLEMENTED,
      'Method not found: test.Contract/Echo',
    )((failed[0] as { error: RpcError }).error);
    assert.equal(mc.members().length, 3);
    await mc.close();
  });

  withEnv('multicast: the deadline reports only the members that did not answer', async (env) => {
    await env.server('acme/demo/m1', [testService()]);
    await env.server('acme/demo/m2', [
      { name: 'test.Contract', methods: { Echo: testService().methods['Slow']! } },
    ]);
    const mc = env.multicast(['acme/demo/m1', 'acme/demo/m2']);
    await collect(mc.unary('test.Contract', 'Source', te.encode('warm-up')));
    const got = await collect(mc.unary('test.Contract', 'Echo', te.encode('x'), { timeoutMs: 2_000 }));
    const m1 = got.filter((i) => i.member.app === 'm1').map((i) => i.kind);
    assert.deepEqual(m1, ['data', 'end']);
    const m2 = got.filter((i) => sameComponents(i.member, { ...i.member, app: 'm2' }));
    assert.equal(m2.length, 1);
    status(StatusCode.DEADLINE_EXCEEDED)((m2[0] as { error: RpcError }).error);
    await mc.close();
  });
}
