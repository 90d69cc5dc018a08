// Component: the multicast SLIMRPC channel over in-memory sessions: group naming, attribution,
// members that cannot be invited, crash silently, leave, or are added and removed on a live group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMulticastChannel, createRpcServer, StatusCode } from '../../src/slim/rpc/index.js';
import type { MulticastItem, ServiceDefinition, RpcError } from '../../src/slim/rpc/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MemorySessionNetwork } from '../support/memory-sessions.js';
import type { MemoryApp } from '../support/memory-sessions.js';

const te = new TextEncoder();
const td = new TextDecoder();

function service(label: string): ServiceDefinition {
  return {
    name: 'svc.S',
    methods: {
      Who: { kind: 'unary', handler: (r) => Promise.resolve(te.encode(`${label}:${td.decode(r)}`)) },
      Count: {
        kind: 'serverStream',
        async *handler() {
          yield te.encode(`${label}-1`);
          yield te.encode(`${label}-2`);
        },
      },
    },
  };
}

async function collect(it: AsyncIterable<MulticastItem>): Promise<MulticastItem[]> {
  const out: MulticastItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Per member app name: its items rendered as "data:<text>", "end", "error:<code>". */
function byMember(items: MulticastItem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of items) {
    const row = (out[i.member.app] ??= []);
    row.push(
      i.kind === 'data'
        ? `data:${td.decode(i.payload)}`
        : i.kind === 'end'
          ? 'end'
          : `error:${i.error.status}`,
    );
  }
  return out;
}

function fixture(names: string[]) {
  const net = new MemorySessionNetwork();
  const apps: Record<string, MemoryApp> = {};
  const servers = names.map((n) => {
    const app = net.app(`acme/demo/${n}`);
    apps[n] = app;
    return createRpcServer(app, { services: [service(n)] });
  });
  const caller = net.app('acme/demo/caller');
  const stop = () => Promise.all(servers.map((s) => s.close()));
  return { net, apps, caller, stop };
}

test('one group on a generated channel name; every member answers, attributed; streams too', async () => {
  const { apps, caller, stop } = fixture(['a', 'b', 'c']);
  const mc = createMulticastChannel(
    caller,
    ['a', 'b', 'c'].map((n) => parseName(`acme/demo/${n}`)),
  );
  assert.deepEqual(byMember(await collect(mc.unary('svc.S', 'Who', te.encode('x')))), {
    a: ['data:a:x', 'end'],
    b: ['data:b:x', 'end'],
    c: ['data:c:x', 'end'],
  });
  const session = [...apps['a']!.sessions][0]!;
  assert.equal(session.kind, 'group');
  assert.equal(session.mls, true);
  assert.equal(session.destination.org, 'acme');
  assert.equal(session.destination.namespace, 'demo');
  assert.match(
    session.destination.app,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.deepEqual(byMember(await collect(mc.serverStream('svc.S', 'Count', te.encode('')))), {
    a: ['data:a-1', 'data:a-2', 'end'],
    b: ['data:b-1', 'data:b-2', 'end'],
    c: ['data:c-1', 'data:c-2', 'end'],
  });
  // Members are reported with their full names once joined.
  assert.ok(mc.members().every((m) => m.id !== parseName('acme/demo/a').id));
  await mc.close();
  await stop();
});

test('a member that cannot be invited is reported for itself only, on every call', async () => {
  const { caller, stop } = fixture(['a', 'b']);
  const mc = createMulticastChannel(
    caller,
    ['a', 'b', 'ghost'].map((n) => parseName(`acme/demo/${n}`)),
  );
  for (let i = 0; i < 2; i++) {
    const got = await collect(mc.unary('svc.S', 'Who', te.encode(String(i))));
    const rows = byMember(got);
    assert.deepEqual(rows['a'], [`data:a:${i}`, 'end']);
    assert.deepEqual(rows['b'], [`data:b:${i}`, 'end']);
    assert.deepEqual(rows['ghost'], [`error:${StatusCode.UNAVAILABLE}`]);
    const ghost = got.find((g) => g.member.app === 'ghost') as { error: RpcError };
    assert.match(ghost.error.message, /could not invite acme\/demo\/ghost/);
  }
  await mc.close();
  await stop();
});

test(
  'a member that leaves is UNAVAILABLE at once, before or during a call',
  { timeout: 60_000 },
  async () => {
    const { net, apps, caller, stop } = fixture(['a', 'b', 'c']);
    const hang = createRpcServer(net.app('acme/demo/hang'), {
      services: [
        { name: 'svc.S', methods: { Who: { kind: 'unary', handler: () => new Promise(() => undefined) } } },
      ],
    });
    const names = ['a', 'b', 'c', 'hang'].map((n) => parseName(`acme/demo/${n}`));
    const mc = createMulticastChannel(caller, names);
    const warm = byMember(await collect(mc.unary('svc.S', 'Who', te.encode('w'), { timeoutMs: 1000 })));
    assert.deepEqual(warm['hang'], [`error:${StatusCode.DEADLINE_EXCEEDED}`]);
    net.crash(apps['c']!, 'left');
    // The call would wait for its 10 h default deadline if "c" or "hang" were awaited.
    const during = mc.unary('svc.S', 'Who', te.encode('1'));
    const hangApp = net.apps.find((a) => a.name.app === 'hang')!;
    setTimeout(() => net.crash(hangApp, 'left'), 20);
    const rows = byMember(await collect(during));
    assert.deepEqual(rows, {
      c: [`error:${StatusCode.UNAVAILABLE}`],
      a: ['data:a:1', 'end'],
      b: ['data:b:1', 'end'],
      hang: [`error:${StatusCode.UNAVAILABLE}`],
    });
    await mc.close();
    await hang.close();
    await stop();
  },
);

test('a member that vanishes silently gets DEADLINE_EXCEEDED, the others answer', async () => {
  const { net, apps, caller, stop } = fixture(['a', 'b', 'c']);
  const mc = createMulticastChannel(
    caller,
    ['a', 'b', 'c'].map((n) => parseName(`acme/demo/${n}`)),
  );
  await collect(mc.unary('svc.S', 'Who', te.encode('warm-up')));
  net.crash(apps['b']!, 'none');
  const silent = byMember(await collect(mc.unary('svc.S', 'Who', te.encode('1'), { timeoutMs: 1000 })));
  assert.deepEqual(silent, {
    a: ['data:a:1', 'end'],
    c: ['data:c:1', 'end'],
    b: [`error:${StatusCode.DEADLINE_EXCEEDED}`],
  });
  await mc.close();
  await stop();
});

test('members added and removed on a live group', async () => {
  const { caller, stop } = fixture(['a', 'b', 'c']);
  const mc = createMulticastChannel(caller, [parseName('acme/demo/a')]);
  // Before the first call, a new member just joins the list.
  await mc.addMember(parseName('acme/demo/b'));
  assert.deepEqual(Object.keys(byMember(await collect(mc.unary('svc.S', 'Who', te.encode('1'))))).sort(), [
    'a',
    'b',
  ]);
  await mc.addMember(parseName('acme/demo/c'));
  assert.deepEqual(Object.keys(byMember(await collect(mc.unary('svc.S', 'Who', te.encode('2'))))).sort(), [
    'a',
    'b',
    'c',
  ]);
  await mc.removeMember(parseName('acme/demo/a'));
  assert.deepEqual(Object.keys(byMember(await collect(mc.unary('svc.S', 'Who', te.encode('3'))))).sort(), [
    'b',
    'c',
  ]);
  assert.deepEqual(
    mc
      .members()
      .map((m) => m.app)
      .sort(),
    ['b', 'c'],
  );
  await assert.rejects(
    mc.addMember(parseName('acme/demo/ghost')),
    (e: RpcError) => e.status === StatusCode.UNAVAILABLE,
  );
  assert.deepEqual(
    mc
      .members()
      .map((m) => m.app)
      .sort(),
    ['b', 'c'],
  );
  await mc.close();
  await assert.rejects(
    collect(mc.unary('svc.S', 'Who', te.encode(''))),
    (e: RpcError) => e.status === StatusCode.UNAVAILABLE,
  );
  await stop();
});

test('removing a member during a call reports it as removed, the others still answer', async () => {
  const { caller, stop } = fixture(['a', 'b']);
  const mc = createMulticastChannel(caller, [parseName('acme/demo/a'), parseName('acme/demo/b')]);
  await collect(mc.unary('svc.S', 'Who', te.encode('warm-up')));
  const it = mc.unary('svc.S', 'Who', te.encode('x'), { timeoutMs: 30_000 });
  await mc.removeMember(parseName('acme/demo/a'));
  const rows = byMember(await collect(it));
  assert.deepEqual(rows['b'], ['data:b:x', 'end']);
  // "a" was removed before or after answering: either way it ends once, never twice.
  assert.equal(rows['a']!.filter((r) => r === 'end' || r.startsWith('error')).length, 1);
  await mc.close();
  await stop();
});
