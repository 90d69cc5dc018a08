// The discovery refusal budget (src/slim/session/state/refusal-limit.ts): a burst, then the rate, in
// total and per source name; names beyond the remembered ones start afresh but stay under the total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalLimit } from '../../src/slim/session/state/refusal-limit.js';

const limits = { perSecond: 2, burst: 4, perSourcePerSecond: 1, sourceBurst: 2, sources: 3 };

function allowed(limit: RefusalLimit, source: string, n: number, now: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (limit.allow(source, now)) ok++;
  return ok;
}

test('one source: its burst, then its rate', () => {
  const limit = new RefusalLimit(0, limits);
  assert.equal(allowed(limit, 'a', 10, 0), 2);
  assert.equal(allowed(limit, 'a', 10, 500), 0, 'half a token');
  assert.equal(allowed(limit, 'a', 10, 1000), 1);
  assert.equal(limit.suppressed, 27);
});

test('many sources: the total burst, then the total rate', () => {
  const limit = new RefusalLimit(0, limits);
  let ok = 0;
  for (const s of ['a', 'b', 'c', 'd']) ok += allowed(limit, s, 2, 0);
  assert.equal(ok, 4, 'the total burst');
  assert.equal(allowed(limit, 'e', 1, 0), 0);
  assert.equal(allowed(limit, 'e', 5, 1000), 2, 'two per second in total');
});

test('a forgotten source starts afresh, still under the total', () => {
  const limit = new RefusalLimit(0, { ...limits, burst: 100 });
  assert.equal(allowed(limit, 'a', 5, 0), 2);
  for (const s of ['b', 'c', 'd']) allowed(limit, s, 1, 0); // 'a' is the least recent of 3: forgotten
  assert.equal(allowed(limit, 'a', 5, 0), 2);
});
