// Unit: the session table (bounds, idle reaping with time as input, replaced records) and the
// router that relates a server's messages to client requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionTable } from '../../src/adapters/mcp/sessions.js';
import { routeServerMessage } from '../../src/adapters/mcp/egress/router.js';
import type { RouterState, Target } from '../../src/adapters/mcp/egress/router.js';
import { idKey, parseMessage } from '../../src/adapters/mcp/jsonrpc.js';
import type { Classified } from '../../src/adapters/mcp/jsonrpc.js';

test('sessions: keyed by caller and id, bounded, never reclaiming one with work in flight', () => {
  const t = new SessionTable<string>({ maxSessions: 2, idleMs: 1000 });
  const a = t.add('alice', 's1', 'A', 0)!;
  const b = t.add('bob', 's1', 'B', 0)!;
  assert.ok(b, 'the same session id under another caller is another session');
  t.acquire(a, 0);
  t.acquire(b, 0, true);
  assert.equal(t.add('carol', undefined, 'C', 0), undefined, 'full of busy sessions');
  assert.equal(t.get('alice', 's1'), a);
  assert.equal(t.get('bob', 's2'), undefined);
  assert.throws(() => t.add('alice', 's1', 'again', 0));
  assert.equal(t.size, 2);
});

test('sessions: a newcomer takes the place of the least recently used idle session', () => {
  const t = new SessionTable<string>({ maxSessions: 3, idleMs: 60_000 });
  const old = t.add('a', 'old', 'x', 0)!;
  const recent = t.add('b', 'recent', 'y', 0)!;
  const busy = t.add('c', 'busy', 'z', 0)!;
  t.touch(old, 10);
  t.touch(recent, 20);
  t.acquire(busy, 5);
  const gone: string[] = [];
  const n = t.add('d', 'new', 'w', 30, (r) => gone.push(r.sessionId!));
  assert.ok(n);
  assert.deepEqual(gone, ['old']);
  assert.equal(t.get('a', 'old'), undefined);
  assert.equal(t.size, 3);
  assert.equal(t.remove(old), false, 'already out of the table');
});

test('sessions: the caller holding the most loses its idle session first; a caller has its share', () => {
  const t = new SessionTable<string>({ maxSessions: 4, idleMs: 60_000, maxPerCaller: 3 });
  const quiet = t.add('quiet', 'q', 'q', 0)!; // the oldest, but its caller holds one
  t.add('greedy', 'g1', 'g', 1);
  t.add('greedy', 'g2', 'g', 2);
  t.add('greedy', 'g3', 'g', 3);
  const gone: string[] = [];
  assert.ok(t.add('other', 'o', 'o', 4, (r) => gone.push(r.sessionId!)));
  assert.deepEqual(gone, ['g1'], 'not the oldest overall: the greedy caller pays');
  assert.equal(t.get('quiet', 'q'), quiet);
  // At its share (3), a caller's next session replaces its own least recently used idle one.
  const t2 = new SessionTable<string>({ maxSessions: 10, idleMs: 60_000, maxPerCaller: 2 });
  t2.add('x', '1', '', 0);
  const busy = t2.add('x', '2', '', 1)!;
  t2.add('y', '1', '', 0);
  const gone2: string[] = [];
  assert.ok(t2.add('x', '3', '', 5, (r) => gone2.push(`${r.caller}/${r.sessionId}`)));
  assert.deepEqual(gone2, ['x/1']);
  t2.acquire(t2.get('x', '3')!, 6);
  t2.acquire(busy, 6);
  assert.equal(t2.add('x', '4', '', 7), undefined, 'both of its sessions are busy');
  assert.equal(t2.size, 3);
});

test('sessions: reaped when idle, and early when the client looks gone', () => {
  const t = new SessionTable<string>({ maxSessions: 10, idleMs: 10_000, abandonedMs: 1000 });
  const busy = t.add('c', 'busy', 'x', 0)!;
  const bare = t.add('c', 'bare', 'y', 0)!; // only its initialize ever came
  const used = t.add('c', 'used', 'z', 0)!; // used, never streamed: only the idle timeout applies
  const streamed = t.add('c', 'streamed', 'w', 0)!; // its GET/Listen ended
  for (const r of [busy, bare, used, streamed]) t.acquire(r, 0);
  for (const r of [bare, used, streamed]) t.release(r, 0);
  t.touch(used, 0);
  t.acquire(streamed, 0, true);
  t.release(streamed, 500);
  const names = (now: number) => t.reap(now).map((r) => `${r.record.sessionId}:${r.reason}`);
  assert.deepEqual(names(999), []);
  assert.deepEqual(names(1000), ['bare:abandoned']);
  assert.deepEqual(names(1500), ['streamed:abandoned']);
  assert.deepEqual(names(9999), []);
  assert.deepEqual(names(10_000), ['used:idle']);
  t.touch(busy, 14_000);
  t.release(busy, 15_000);
  assert.deepEqual(names(16_000), [], 'used more than once and never streamed');
  assert.deepEqual(names(25_000), ['busy:idle']);
  assert.equal(t.size, 0);
});

test('sessions: removing a replaced record leaves its successor alone', () => {
  const t = new SessionTable<string>({ maxSessions: 10, idleMs: 1000 });
  const first = t.add('c', 's', 'old', 0)!;
  assert.equal(t.remove(first), true);
  const second = t.add('c', 's', 'new', 0)!;
  assert.equal(t.remove(first), false);
  assert.equal(t.get('c', 's'), second);
  assert.deepEqual(
    t.drain().map((r) => r.value),
    ['new'],
  );
});

const msg = (json: string): Classified => {
  const r = parseMessage(json);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const state = (over: Partial<RouterState> = {}): RouterState => ({
  inflight: [
    { key: idKey(1), tokenKey: idKey('t1') },
    { key: idKey(2), tokenKey: undefined },
  ],
  serverRequests: new Map<string, Target>(),
  listening: false,
  ...over,
});
const unknown = { kind: 'unknown' } as const;

test('router: responses by id, progress by token, lists always unsolicited', () => {
  assert.deepEqual(routeServerMessage(msg('{"jsonrpc":"2.0","id":2,"result":{}}'), unknown, state()), {
    kind: 'request',
    key: idKey(2),
  });
  assert.equal(
    routeServerMessage(msg('{"jsonrpc":"2.0","id":3,"result":{}}'), unknown, state()).kind,
    'drop',
  );
  const progress = msg(
    '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t1","progress":1}}',
  );
  assert.deepEqual(routeServerMessage(progress, unknown, state()), { kind: 'request', key: idKey(1) });
  const stray = msg(
    '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"zz","progress":1}}',
  );
  assert.deepEqual(routeServerMessage(stray, unknown, state()), { kind: 'listen' });
  const changed = msg('{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}');
  assert.deepEqual(
    routeServerMessage(changed, unknown, state({ inflight: [{ key: idKey(1), tokenKey: undefined }] })),
    {
      kind: 'listen',
    },
  );
});

test('router: what the transport knows wins; otherwise the only request, Listen, or the newest', () => {
  const log = msg('{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}');
  assert.deepEqual(routeServerMessage(log, { kind: 'request', key: idKey(1) }, state()), {
    kind: 'request',
    key: idKey(1),
  });
  assert.deepEqual(routeServerMessage(log, { kind: 'unsolicited' }, state()), { kind: 'listen' });
  const one = state({ inflight: [{ key: idKey(7), tokenKey: undefined }] });
  assert.deepEqual(routeServerMessage(log, unknown, one), { kind: 'request', key: idKey(7) });
  assert.deepEqual(routeServerMessage(log, unknown, state({ listening: true })), { kind: 'listen' });
  assert.deepEqual(routeServerMessage(log, unknown, state()), { kind: 'request', key: idKey(2) });
  assert.deepEqual(routeServerMessage(log, unknown, state({ inflight: [] })), { kind: 'listen' });
  const sampling = msg('{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{}}');
  assert.deepEqual(routeServerMessage(sampling, unknown, one), { kind: 'request', key: idKey(7) });
});

test('router: a server cancelling its own request follows where that request went', () => {
  const went = new Map<string, Target>([[idKey('s1'), { kind: 'request', key: idKey(2) }]]);
  const cancel = msg('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s1"}}');
  assert.deepEqual(routeServerMessage(cancel, unknown, state({ serverRequests: went })), {
    kind: 'request',
    key: idKey(2),
  });
  assert.deepEqual(routeServerMessage(cancel, unknown, state()), { kind: 'listen' });
});
