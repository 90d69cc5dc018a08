// Unit: the bounded per-call inbox (src/slim/rpc/inbox.ts): order, limits in messages and bytes,
// explicit refusal instead of silent drops, end/fail after the queued items, early-return hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox } from '../../src/slim/rpc/inbox.js';

const size = (b: Uint8Array) => b.byteLength;
const bytes = (n: number) => new Uint8Array(n);

test('delivers in order, then ends or fails after the queued items', async () => {
  const a = new Inbox<Uint8Array>({ maxMessages: 10, maxBytes: 100 }, size);
  a.offer(bytes(1));
  a.offer(bytes(2));
  a.end();
  const got: number[] = [];
  for await (const x of a) got.push(x.length);
  assert.deepEqual(got, [1, 2]);

  const b = new Inbox<Uint8Array>({ maxMessages: 10, maxBytes: 100 }, size);
  b.offer(bytes(3));
  b.fail(new Error('x'));
  const it = b[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.length, 3);
  await assert.rejects(it.next(), /x/);
});

test('refuses what exceeds the message or byte limit; one item always fits when empty', async () => {
  const a = new Inbox<Uint8Array>({ maxMessages: 2, maxBytes: 10 }, size);
  assert.equal(a.offer(bytes(50)), true);
  assert.equal(a.offer(bytes(1)), false);
  await a.next();
  assert.equal(a.offer(bytes(4)), true);
  assert.equal(a.offer(bytes(4)), true);
  assert.equal(a.offer(bytes(1)), false);
});

test('a waiting consumer gets items directly; breaking out early runs the hook once', async () => {
  let returned = 0;
  const a = new Inbox<Uint8Array>({ maxMessages: 1, maxBytes: 1 }, size, () => returned++);
  const pending = a.next();
  a.offer(bytes(7));
  assert.equal((await pending).value?.length, 7);
  a.offer(bytes(1));
  for await (const _ of a) break;
  assert.equal(returned, 1);
  assert.equal(a.finished, true);
});
