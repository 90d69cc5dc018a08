// Unit: names read from frames are interned (the same name read twice is one object), and the
// interning never confuses two different wire names, whatever their components hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromProtoName, makeName, toProtoName } from '../../src/slim/dataplane/name.js';

test('a wire name read twice is the same object; names whose components differ stay apart', () => {
  const a = makeName('a/b', 'c', 'd', 7n);
  const b = makeName('a', 'b/c', 'd', 7n);
  const readA = fromProtoName(toProtoName(a));
  const readB = fromProtoName(toProtoName(b));
  assert.deepEqual([readA.org, readA.namespace, readA.app], ['a/b', 'c', 'd']);
  assert.deepEqual([readB.org, readB.namespace, readB.app], ['a', 'b/c', 'd']);
  assert.equal(fromProtoName(toProtoName(a)), readA);
  assert.notEqual(readA, readB);
});

test('interning is bounded: names arriving with ever new ids are still read correctly', () => {
  for (let i = 0n; i < 20_000n; i++) {
    const n = fromProtoName(toProtoName(makeName('acme', 'demo', 'app', i)));
    assert.equal(n.id, i);
  }
  assert.equal(fromProtoName(toProtoName(makeName('acme', 'demo', 'app', 5n))).id, 5n);
});
