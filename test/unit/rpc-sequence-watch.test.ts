// Unit: loss detection on a session without acknowledgements (src/slim/rpc/sequence-watch.ts):
// a point-to-point peer's data messages are numbered 1, 2, ... and wrap after MAX_PUBLISH_ID;
// any other number than the next one means messages were lost; publish_to numbers (above
// MAX_PUBLISH_ID, random) carry no sequence. Only point-to-point sessions without
// acknowledgements are watched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceWatch } from '../../src/slim/rpc/sequence-watch.js';
import { MAX_PUBLISH_ID } from '../../src/slim/session/constants.js';

test('consecutive numbers from 1 pass; a skipped number is a loss, then the count goes on from there', () => {
  const w = new SequenceWatch();
  assert.deepEqual(
    [1, 2, 3].map((id) => w.accept(id)),
    [true, true, true],
  );
  assert.equal(w.accept(5), false, '4 was lost');
  assert.equal(w.accept(6), true);
});

test('a first message other than 1 means the ones before it were lost', () => {
  assert.equal(new SequenceWatch().accept(2), false);
});

test('numbers wrap after MAX_PUBLISH_ID to 0', () => {
  // Jump the count close to the end, as a long-lived session would get there.
  const late = new SequenceWatch();
  assert.equal(late.accept(1), true);
  (late as unknown as { last: number }).last = MAX_PUBLISH_ID - 1;
  assert.equal(late.accept(MAX_PUBLISH_ID), true);
  assert.equal(late.accept(0), true, 'wrapped');
  assert.equal(late.accept(1), true);
});

test('publish_to numbers (above MAX_PUBLISH_ID) are not checked and do not move the count', () => {
  const w = new SequenceWatch();
  assert.equal(w.accept(1), true);
  assert.equal(w.accept(MAX_PUBLISH_ID + 12345), true);
  assert.equal(w.accept(2), true);
});

test('only point-to-point sessions without acknowledgements are watched', () => {
  assert.equal(SequenceWatch.needed({ kind: 'p2p', reliable: false }), true);
  assert.equal(SequenceWatch.needed({ kind: 'p2p', reliable: true }), false);
  assert.equal(SequenceWatch.needed({ kind: 'group', reliable: true }), false);
});
