// "Did you mean": the known key closest to an unknown one, from the schema at the key's place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { closestKey, knownKeysAt } from '../../src/config/suggest.js';

test('known keys follow the schema through lists, unions and defaults', () => {
  assert.ok(knownKeysAt(configSchema, ['slim']).includes('sharedSecret'));
  assert.ok(knownKeysAt(configSchema, ['http']).includes('allowNonLoopback'));
  assert.ok(knownKeysAt(configSchema, ['services', 0, 'spawn']).includes('readyTimeoutMs'));
  assert.deepEqual(knownKeysAt(configSchema, ['routes', 3, 'mcp']), ['group']);
  assert.deepEqual(knownKeysAt(configSchema, ['nowhere']), []);
});

test('a close key is suggested, a far one is not', () => {
  const known = ['listen', 'name', 'sharedSecret', 'mls'];
  assert.equal(closestKey('lisen', known), 'listen');
  assert.equal(closestKey('SharedSecret', known), 'sharedSecret');
  assert.equal(closestKey('shared_secret', known), 'sharedSecret');
  assert.equal(closestKey('color', known), undefined);
  assert.equal(closestKey('x', known), undefined);
});
