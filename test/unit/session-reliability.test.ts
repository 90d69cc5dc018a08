// The pure reliability machines of the session layer: retry schedule, control tracker, data
// sender (ids, ring buffer, per-endpoint acks, unicast resends), reorder buffer and receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PUBLISH_ID } from '../../src/slim/session/constants.js';
import { ControlTracker } from '../../src/slim/session/state/control-tracker.js';
import { DataReceiver } from '../../src/slim/session/state/data-receiver.js';
import { DataSender } from '../../src/slim/session/state/data-sender.js';
import { LOST, ReorderBuffer } from '../../src/slim/session/state/reorder.js';
import { RetrySchedule } from '../../src/slim/session/state/retry.js';

const policy = { intervalMs: 1000, maxRetries: 3 };

test('retry schedule: resend at each interval, fail after maxRetries+1 intervals', () => {
  const s = new RetrySchedule<string>(policy);
  s.start('a', 0);
  assert.equal(s.nextDeadline(), 1000);
  assert.deepEqual(s.due(999), []);
  assert.deepEqual(s.due(1000), [{ key: 'a', action: 'retry', attempt: 1 }]);
  assert.deepEqual(s.due(2000), [{ key: 'a', action: 'retry', attempt: 2 }]);
  assert.deepEqual(s.due(3000), [{ key: 'a', action: 'retry', attempt: 3 }]);
  assert.deepEqual(s.due(4000), [{ key: 'a', action: 'fail' }]);
  assert.equal(s.size, 0);
});

test('control tracker: completes when every expected member replied, else names the missing', () => {
  const c = new ControlTracker<string>(policy);
  c.track(7, 'frame7', ['bob', 'carol'], 0);
  assert.equal(c.reply(7, 'mallory'), 'unknown');
  assert.equal(c.reply(7, 'bob'), 'progress');
  assert.equal(c.reply(7, 'bob'), 'unknown');
  c.track(8, 'frame8', ['bob'], 0);
  assert.deepEqual(c.tick(1000).resend.sort(), ['frame7', 'frame8']);
  assert.equal(c.reply(7, 'carol'), 'complete');
  assert.equal(c.isPending(7), false);
  c.tick(2000);
  c.tick(3000);
  assert.deepEqual(c.tick(4000).failed, [{ id: 8, missing: ['bob'] }]);
  assert.equal(c.size, 0);
});

test('data sender: ids 1.., wrap after MAX_PUBLISH_ID, publish_to ids above it', () => {
  const s = new DataSender<string, string>(true, policy);
  assert.equal(s.nextId(), 1);
  assert.equal(s.nextId(), 2);
  for (let i = 0; i < 5; i++) assert.ok(s.publishToId() > MAX_PUBLISH_ID);
  (s as unknown as { counter: number }).counter = MAX_PUBLISH_ID;
  assert.equal(s.nextId(), 0);
});

test('data sender: queued until an endpoint exists, then resent unicast to who did not ack', () => {
  const s = new DataSender<string, string>(true, policy);
  assert.deepEqual(s.publish(1, 'm1', 0), []);
  assert.deepEqual(s.addEndpoint('bob', 'Bob', 0), [{ frame: 'm1' }]);
  s.addEndpoint('carol', 'Carol', 0);
  assert.deepEqual(s.publish(2, 'm2', 0), [{ frame: 'm2' }]);
  s.ack(2, 'bob', 0);
  s.ack(1, 'bob', 0);
  const t1 = s.tick(1000);
  assert.deepEqual(t1.resend, [{ frame: 'm2', to: 'Carol' }]);
  s.ack(2, 'carol', 1000);
  assert.equal(s.isPending(2), false);
  assert.equal(s.retransmission(2, 'carol', 1000), 'm2');
  s.tick(2000);
  s.tick(3000);
  assert.deepEqual(s.tick(4000).failed, []);
});

test('data sender: retries exhausted names the silent endpoint; the ring keeps 512 messages', () => {
  const s = new DataSender<string, string>(true, { intervalMs: 10, maxRetries: 0 });
  s.addEndpoint('bob', 'Bob', 0);
  s.publish(1, 'm1', 0);
  assert.deepEqual(s.tick(10).failed, [{ id: 1, missing: ['bob'] }]);
  for (let id = 2; id <= 600; id++) s.publish(id, `m${id}`, 0);
  assert.equal(s.retransmission(2, 'bob', 10), undefined);
  assert.equal(s.retransmission(600 - 511, 'bob', 10), `m${600 - 511}`);
});

test('data sender: an endpoint that acknowledges other messages is busy, not offline', () => {
  const s = new DataSender<string, string>(true, { intervalMs: 100, maxRetries: 2 });
  s.addEndpoint('bob', 'Bob', 0);
  for (let id = 1; id <= 20; id++) s.publish(id, `m${id}`, 0);
  // bob acknowledges one message per interval (a slow receiver working through a backlog)
  for (let k = 1; k <= 8; k++) {
    s.ack(k, 'bob', k * 100 - 1);
    const t = s.tick(k * 100);
    assert.deepEqual(t.failed, [], `tick ${k}: nothing given up while bob makes progress`);
  }
  // bob goes silent: the retries now count, and bob is reported after maxRetries
  let failed: string[] = [];
  for (let k = 9; k <= 14 && failed.length === 0; k++)
    failed = s.tick(k * 100).failed.flatMap((f) => f.missing);
  assert.ok(failed.includes('bob'));
});

test('data sender without reliability: no tracking, still queues before the first endpoint', () => {
  const s = new DataSender<string, string>(false, policy);
  s.publish(1, 'm1', 0);
  assert.deepEqual(s.addEndpoint('bob', 'Bob', 0), [{ frame: 'm1' }]);
  s.publish(2, 'm2', 0);
  assert.equal(s.pendingCount(), 0);
  assert.equal(s.nextDeadline(), undefined);
});

test('reorder buffer: in order, gaps named once, duplicates and old ids dropped', () => {
  const b = new ReorderBuffer<string>(1);
  assert.deepEqual(b.receive(1, 'a'), { release: ['a'], missing: [] });
  assert.deepEqual(b.receive(4, 'd'), { release: [], missing: [2, 3] });
  assert.deepEqual(b.receive(5, 'e'), { release: [], missing: [] });
  assert.deepEqual(b.receive(4, 'd'), { release: [], missing: [] });
  assert.deepEqual(b.receive(3, 'c'), { release: [], missing: [] });
  assert.deepEqual(b.receive(2, 'b'), { release: ['b', 'c', 'd', 'e'], missing: [] });
  assert.deepEqual(b.receive(2, 'b'), { release: [], missing: [] });
  assert.deepEqual(b.receive(1, 'a'), { release: [], missing: [] });
});

test('reorder buffer: a known first id recovers a lost first message; lost ids release the rest', () => {
  const b = new ReorderBuffer<string>(1);
  assert.deepEqual(b.receive(3, 'c'), { release: [], missing: [1, 2] });
  assert.deepEqual(b.markLost(1), [LOST]);
  assert.deepEqual(b.receive(2, 'b'), { release: ['b', 'c'], missing: [] });
  const u = new ReorderBuffer<string>();
  assert.deepEqual(u.receive(7, 'g'), { release: ['g'], missing: [] });
});

test('reorder buffer: ids wrap after MAX_PUBLISH_ID', () => {
  const b = new ReorderBuffer<string>(MAX_PUBLISH_ID - 1);
  assert.deepEqual(b.receive(MAX_PUBLISH_ID - 1, 'x').release, ['x']);
  assert.deepEqual(b.receive(0, 'z'), { release: [], missing: [MAX_PUBLISH_ID] });
  assert.deepEqual(b.receive(MAX_PUBLISH_ID, 'y').release, ['y', 'z']);
  assert.deepEqual(b.receive(1, 'w').release, ['w']);
});

test('data receiver: RTX requests retried, then the id is given up and later messages flow', () => {
  const r = new DataReceiver<string, string>(true, { intervalMs: 100, maxRetries: 1 });
  assert.deepEqual(r.onMessage('bob', 'Bob', 1, 'a', 0, 1).deliver, ['a']);
  const gap = r.onMessage('bob', 'Bob', 3, 'c', 0);
  assert.deepEqual(gap.rtx, [{ to: 'Bob', id: 2 }]);
  assert.deepEqual(r.tick(100).rtx, [{ to: 'Bob', id: 2 }]);
  const given = r.tick(200);
  assert.deepEqual(given, { deliver: ['c'], lost: 1, rtx: [] });
  assert.equal(r.nextDeadline(), undefined);
});

test('data receiver: an RTX reply fills the gap; an error reply marks it lost; direct messages dedup', () => {
  const r = new DataReceiver<string, string>(true, policy);
  r.onMessage('bob', 'Bob', 1, 'a', 0, 1);
  r.onMessage('bob', 'Bob', 4, 'd', 0);
  assert.deepEqual(r.onRetransmission('bob', 'Bob', 2, 'b', 0).deliver, ['b']);
  assert.deepEqual(r.onRetransmission('bob', 'Bob', 3, undefined, 0), { deliver: ['d'], lost: 1, rtx: [] });
  assert.equal(r.nextDeadline(), undefined);
  assert.deepEqual(r.onDirect('bob', 3_000_000_000, 'x'), ['x']);
  assert.deepEqual(r.onDirect('bob', 3_000_000_000, 'x'), []);
});
