// Unit: the session table (bounds, idle reaping with time as input, replaced records) and the
// router that relates a server's messages to client requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionTable } from '../../src/adapters/mcp/sessions.js';
import { routeServerMessage } from '../../src/adapters/mcp/egress/router.js';
import type { RouterState, Target } from '../../src/adapters/mcp/egress/router.js';
import { idKey, parseMessage } from '../../src/adapters/mcp/jsonrpc.js';
import type { Classified } from '../../src/adapters/mcp/jsonrpc.js';

test('sessions: keyed by caller and id, bounded, never evicting a live one', () => {
  const t = new SessionTable<string>({ maxSessions: 2, idleMs: 1000 });
  const a = t.add('alice', 's1', 'A', 0)!;
  assert.ok(t.add('bob', 's1', 'B', 0), 'the same session id under another caller is another session');
  assert.equal(t.add('carol', undefined, 'C', 0), undefined, 'full');
  assert.equal(t.get('alice', 's1'), a);
  assert.equal(t.get('bob', 's2'), undefined);
  assert.throws(() => t.add('alice', 's1', 'again', 0));
  assert.equal(t.size, 2);
});

test('sessions: reaped when idle and nothing is in flight', () => {
  const t = new SessionTable<string>({ maxSessions: 10, idleMs: 1000 });
  const busy = t.add('c', 'busy', 'x', 0)!;
  const idle = t.add('c', 'idle', 'y', 0)!;
  const used = t.add('c', 'used', 'z', 0)!;
  t.acquire(busy, 0);
  t.touch(used, 900);
  assert.deepEqual(
    t.reap(999).map((r) => r.sessionId),
    [],
  );
  assert.deepEqual(
    t.reap(1000).map((r) => r.sessionId),
    ['idle'],
  );
  t.release(busy, 1500);
  assert.deepEqual(
    t.reap(2000).map((r) => r.sessionId),
    ['used'],
  );
  assert.deepEqual(
    t.reap(2500).map((r) => r.sessionId),
    ['busy'],
  );
  assert.equal(t.remove(idle), false, 'already gone');
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
