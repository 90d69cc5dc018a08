// The pure control machines of the session layer: liveness (heartbeats), commit ordering, the
// replay guard with remembered replies, and the moderator's task queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitOrder } from '../../src/slim/session/commit-order.js';
import { Liveness } from '../../src/slim/session/liveness.js';
import { ReplayGuard } from '../../src/slim/session/replay.js';
import { TaskQueue } from '../../src/slim/session/task-queue.js';

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

test('replay guard: id 0 invalid, repeats are replays that carry the remembered reply', () => {
  const g = new ReplayGuard<string>(2, 2);
  assert.deepEqual(g.check('bob', 0), { kind: 'invalid' });
  assert.deepEqual(g.check('bob', 5), { kind: 'new' });
  assert.deepEqual(g.check('bob', 5), { kind: 'replay', reply: undefined });
  g.remember('bob', 5, 'ack5');
  assert.deepEqual(g.check('bob', 5), { kind: 'replay', reply: 'ack5' });
  assert.deepEqual(g.check('carol', 5), { kind: 'new' });
  g.check('bob', 6);
  g.check('bob', 7); // only two ids per sender: 5 is forgotten
  assert.deepEqual(g.check('bob', 5), { kind: 'new' });
  g.check('dave', 1); // only two senders: carol (least recent) is forgotten
  assert.deepEqual(g.check('carol', 5), { kind: 'new' });
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
