// Unit: call slots (src/slim/rpc/call-slots.ts): at most `limit` calls run, the rest wait in FIFO
// order, a waiter can be cancelled without taking a slot, a release is counted once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallSlots } from '../../src/slim/rpc/call-slots.js';

test('at most `limit` run; the rest are granted in order as slots free up', async () => {
  const slots = new CallSlots(2);
  const never = new AbortController().signal;
  const r1 = await slots.acquire(never);
  const r2 = await slots.acquire(never);
  const order: number[] = [];
  const w3 = slots.acquire(never).then((r) => (order.push(3), r));
  const w4 = slots.acquire(never).then((r) => (order.push(4), r));
  assert.equal(slots.running, 2);
  assert.equal(slots.queued, 2);
  r1();
  r1(); // a second release of the same slot changes nothing
  const r3 = await w3;
  assert.equal(slots.queued, 1);
  r2();
  const r4 = await w4;
  assert.deepEqual(order, [3, 4]);
  r3();
  r4();
  assert.equal(slots.running, 0);
});

test('a waiter cancelled through its signal leaves the queue and never holds a slot', async () => {
  const slots = new CallSlots(1);
  const release = await slots.acquire(new AbortController().signal);
  const ac = new AbortController();
  const waiting = slots.acquire(ac.signal);
  ac.abort();
  await assert.rejects(waiting);
  assert.equal(slots.queued, 0);
  release();
  assert.equal(slots.running, 0);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(slots.acquire(pre.signal));
});
