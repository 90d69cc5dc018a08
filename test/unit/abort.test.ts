// Unit: combined signals leave nothing attached to their inputs once they have fired, including
// when one input was already aborted at the time of combining.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { combineSignals } from '../../src/util/abort.js';

test('an input already aborted fires the combination and leaves no listener on the others', () => {
  const live = new AbortController();
  const done = AbortSignal.abort(new Error('gone'));
  const c = combineSignals([live.signal, done]);
  assert.equal(c.signal.aborted, true);
  assert.equal((c.signal.reason as Error).message, 'gone');
  assert.equal(getEventListeners(live.signal, 'abort').length, 0);
});

test('a combination that fires later releases its listeners and timer by itself', () => {
  const a = new AbortController();
  const b = new AbortController();
  const c = combineSignals([a.signal, b.signal], 60_000);
  assert.equal(getEventListeners(b.signal, 'abort').length, 1);
  a.abort(new Error('first'));
  assert.equal((c.signal.reason as Error).message, 'first');
  assert.equal(getEventListeners(b.signal, 'abort').length, 0);
});
