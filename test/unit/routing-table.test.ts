// Unit: the node's pure routing table (docs/dataplane.md#subscriptions, #publish): exact ids, the
// NULL id, fanout 1 round robin (local first), fanout 0/>1 to everyone once, ingress exclusion,
// per- connection subscription records (ids cannot collide across connections), cleanup on
// disconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NULL_NAME_ID, RoutingTable } from '../../src/slim/node/routing-table.js';
import type { RouteName } from '../../src/slim/node/routing-table.js';

const n = (app: bigint, id: bigint = NULL_NAME_ID): RouteName => ({ c0: 1n, c1: 2n, c2: app, id });

function table(...conns: [number, 'local' | 'remote'][]): RoutingTable {
  const t = new RoutingTable();
  for (const [c, k] of conns) t.addConnection(c, k);
  return t;
}

test('an exact id reaches only subscribers of that id; the NULL id reaches any id', () => {
  const t = table([1, 'remote'], [2, 'remote'], [3, 'remote']);
  t.subscribe(1, n(9n, 100n), 11n);
  t.subscribe(2, n(9n, 200n), 12n);
  assert.deepEqual(t.match(n(9n, 100n), 1, 3), [1]);
  assert.deepEqual(t.match(n(9n, 200n), 1, 3), [2]);
  assert.deepEqual(t.match(n(9n, 300n), 1, 3), []);
  assert.deepEqual(t.match(n(8n, 100n), 1, 3), []);
  assert.deepEqual(t.match(n(9n), 2, 3).sort(), [1, 2]);
});

test('fanout 1 to the NULL id alternates between instances; fanout 0 and >1 reach all, once', () => {
  const t = table([1, 'remote'], [2, 'remote'], [3, 'remote']);
  t.subscribe(1, n(9n, 100n), 11n);
  t.subscribe(1, n(9n, 101n), 13n); // one connection holding two ids of the prefix
  t.subscribe(2, n(9n, 200n), 12n);
  const picks = Array.from({ length: 6 }, () => t.match(n(9n), 1, 3)[0]);
  assert.deepEqual(picks.filter((p) => p === 1).length, 3);
  assert.deepEqual(picks.filter((p) => p === 2).length, 3);
  assert.deepEqual(t.match(n(9n), 0, 3).sort(), [1, 2]);
  assert.deepEqual(t.match(n(9n), 256, 3).sort(), [1, 2]);
});

test('the ingress connection is never a candidate', () => {
  const t = table([1, 'remote'], [2, 'remote']);
  t.subscribe(1, n(9n, 5n), 1n);
  t.subscribe(2, n(9n, 5n), 2n);
  for (let i = 0; i < 4; i++) assert.deepEqual(t.match(n(9n, 5n), 1, 1), [2]);
  assert.deepEqual(t.match(n(9n, 5n), 256, 2), [1]);
  assert.deepEqual(table([1, 'remote']).match(n(9n, 5n), 1, 1), []);
});

test('fanout 1 prefers local (in-process) connections, as the reference does', () => {
  const t = table([1, 'remote'], [2, 'local']);
  t.subscribe(1, n(9n, 5n), 1n);
  t.subscribe(2, n(9n, 5n), 2n);
  for (let i = 0; i < 3; i++) assert.deepEqual(t.match(n(9n, 5n), 1, 99), [2]);
  assert.deepEqual(t.match(n(9n, 5n), 2, 99).sort(), [1, 2]);
});

test('subscription ids are per connection: reuse across connections does not collide', () => {
  const t = table([1, 'remote'], [2, 'remote']);
  assert.deepEqual(t.subscribe(1, n(9n, 5n), 7n), { ok: true });
  assert.deepEqual(t.subscribe(2, n(9n, 6n), 7n), { ok: true });
  assert.deepEqual(t.unsubscribe(1, n(9n, 5n), 7n), { ok: true });
  assert.deepEqual(t.match(n(9n, 6n), 1, 0), [2]);
  assert.deepEqual(t.match(n(9n, 5n), 1, 0), []);
  assert.deepEqual(t.unsubscribe(1, n(9n, 5n), 7n), { ok: false, error: 'subscription id not found: 7' });
  assert.deepEqual(t.unsubscribe(9, n(9n, 5n), 7n), { ok: false, error: 'connection id not found: 9' });
});

test('a route stays while any record holds it (two ids, or id 0 twice for different names)', () => {
  const t = table([1, 'remote']);
  t.subscribe(1, n(9n, 5n), 1n);
  t.subscribe(1, n(9n, 5n), 2n);
  t.subscribe(1, n(9n, 5n), 2n); // duplicate record: no second reference
  t.unsubscribe(1, n(9n, 5n), 1n);
  assert.deepEqual(t.match(n(9n, 5n), 1, 0), [1]);
  t.unsubscribe(1, n(9n, 5n), 2n);
  assert.deepEqual(t.match(n(9n, 5n), 1, 0), []);
  t.subscribe(1, n(7n, 1n), 0n);
  t.subscribe(1, n(8n, 1n), 0n);
  assert.equal(t.subscriptionCount, 2);
  assert.deepEqual(t.unsubscribe(1, n(7n, 1n), 0n), { ok: true });
  assert.deepEqual(t.match(n(8n, 1n), 1, 0), [1]);
});

test('removing a connection removes all its routes and nothing else', () => {
  const t = table([1, 'remote'], [2, 'remote']);
  t.subscribe(1, n(9n, 5n), 1n);
  t.subscribe(1, n(9n), 0n);
  t.subscribe(1, n(4n, 5n), 0n);
  t.subscribe(2, n(9n, 6n), 1n);
  assert.equal(t.removeConnection(1), 3);
  assert.deepEqual(t.match(n(9n), 256, 0), [2]);
  assert.deepEqual(t.match(n(4n, 5n), 1, 0), []);
  assert.equal(t.connectionCount, 1);
  assert.equal(t.subscriptionCount, 1);
  assert.equal(t.removeConnection(1), 0);
  t.removeConnection(2);
  assert.deepEqual(t.match(n(9n), 256, 0), []);
});

test('a subscription to the NULL id receives NULL-id frames only, not other exact ids', () => {
  const t = table([1, 'remote']);
  t.subscribe(1, n(9n), 1n);
  assert.deepEqual(t.match(n(9n), 1, 0), [1]);
  assert.deepEqual(t.match(n(9n, 5n), 1, 0), []);
});
