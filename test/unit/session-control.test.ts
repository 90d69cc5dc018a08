// The pure control machines of the session layer: liveness (heartbeats), commit ordering, the
// replay guard with remembered replies, and the moderator's task queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitOrder } from '../../src/slim/session/state/commit-order.js';
import { Liveness } from '../../src/slim/session/state/liveness.js';
import { ReplayGuard, TokenMemory } from '../../src/slim/session/state/replay.js';
import { TaskQueue } from '../../src/slim/session/state/task-queue.js';

test('liveness: offline after 3 silent ticks, any traffic resets, heartbeat skipped after sending', () => {
  const l = new Liveness(10_000);
  assert.equal(l.tick(0), undefined); // not started
  l.start(0);
  l.track('bob');
  l.track('carol');
  assert.deepEqual(l.tick(10_000), { offline: [], sendHeartbeat: true });
  l.heard('bob');
  l.sent();
  assert.deepEqual(l.tick(20_000), { offline: [], sendHeartbeat: false });
  assert.deepEqual(l.tick(30_000), { offline: ['carol'], sendHeartbeat: true });
  assert.deepEqual(l.tick(40_000), { offline: ['bob'], sendHeartbeat: true });
  l.sent();
  assert.deepEqual(l.tick(50_000), { offline: [], sendHeartbeat: true }, 'all peers offline: always send');
});

test('commit order: strictly last+1, stale and duplicate refused, nothing before the welcome', () => {
  const c = new CommitOrder<string>();
  assert.equal(c.offer(1, 'c1'), 'not-joined');
  c.joined(1);
  assert.equal(c.offer(1, 'c1'), 'stale');
  assert.equal(c.offer(3, 'c3'), 'stored');
  assert.equal(c.offer(3, 'c3'), 'duplicate');
  assert.equal(c.peek(), undefined);
  assert.equal(c.offer(2, 'c2'), 'stored');
  const applied: string[] = [];
  for (let n = c.peek(); n; n = c.peek()) {
    applied.push(n);
    c.applied();
  }
  assert.deepEqual(applied, ['c2', 'c3']);
  assert.equal(c.lastApplied, 3);
});

test('replay guard: id 0 invalid, resends get the remembered reply, exact copies nothing', () => {
  const g = new ReplayGuard<string>(2, 2);
  assert.deepEqual(g.check('bob', 0, 't0'), { kind: 'invalid' });
  assert.deepEqual(g.check('bob', 5, 't1'), { kind: 'new' });
  assert.deepEqual(g.check('bob', 5, 't2'), { kind: 'replay', reply: undefined });
  g.remember('bob', 5, 'ack5');
  assert.deepEqual(g.check('bob', 5, 't3'), { kind: 'replay', reply: 'ack5' });
  assert.deepEqual(g.check('bob', 5, 't1'), { kind: 'copy' });
  assert.deepEqual(g.check('carol', 5, 't1'), { kind: 'new' });
  g.check('bob', 6, 't');
  g.check('bob', 7, 't'); // only two ids per sender: 5 is forgotten
  assert.deepEqual(g.check('bob', 5, 't9'), { kind: 'new' });
  g.check('dave', 1, 't'); // only two senders: carol (least recent) is forgotten
  assert.deepEqual(g.check('carol', 5, 't1'), { kind: 'new' });
});

test('token memory: a token is refused the second time while remembered', () => {
  const m = new TokenMemory(1000, 2);
  assert.equal(m.repeat('a', 0), false);
  assert.equal(m.repeat('a', 500), true);
  assert.equal(m.repeat('a', 1001), false, 'expired memory (the token itself is expired by then)');
  m.repeat('b', 1001);
  m.repeat('c', 1001);
  assert.equal(m.repeat('a', 1002), false, 'evicted: bounded memory');
});

test('task queue: one task at a time in arrival order; close hands back the waiting ones', () => {
  const q = new TaskQueue<string>();
  assert.equal(q.push('a'), 'a');
  assert.equal(q.push('b'), undefined);
  assert.equal(q.push('c'), undefined);
  assert.equal(q.finish(), 'b');
  assert.deepEqual(q.close(), ['c']);
  assert.equal(q.push('d'), undefined);
  assert.equal(q.finish(), undefined);
});
