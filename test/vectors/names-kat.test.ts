// Vectors: name component hashes, instance ids from token ids and group channel ids reproduce
// the known answers in kat.json (worked out from reference captures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NULL_ID,
  formatName,
  fromProtoName,
  groupChannelIds,
  hashComponent,
  makeName,
  nameIdFromTokenId,
  parseName,
  toProtoName,
} from '../../src/slim/dataplane/name.js';
import { loadKat } from '../support/vectors.js';

interface Values<T> {
  values: Record<string, T>;
}

test('component hashes match the reference (XXH64 + 0xFF)', () => {
  const kat = loadKat()['component_hash'] as Values<{ dec: string }>;
  const entries = Object.entries(kat.values);
  assert.ok(entries.length >= 5);
  for (const [component, v] of entries) assert.equal(hashComponent(component), BigInt(v.dec), component);
  // Plain XXH64 would give 0xc38126cd35e92b15 for "org".
  assert.notEqual(hashComponent('org'), 0xc38126cd35e92b15n);
});

test('NULL id is all ones', () => {
  const kat = loadKat()['null_name_id'] as { u128_hex: string };
  assert.equal(NULL_ID, BigInt('0x' + kat.u128_hex));
});

test('instance ids from token ids match the reference (XXH3-128)', () => {
  const kat = loadKat()['name_id_from_token_id'] as Values<{ u128_hex: string; id_0: string; id_1: string }>;
  for (const [tokenId, v] of Object.entries(kat.values)) {
    const id = nameIdFromTokenId(tokenId);
    assert.equal(id, BigInt('0x' + v.u128_hex), tokenId);
    const proto = toProtoName(makeName('a', 'b', 'c', id));
    assert.equal(proto.name?.nameId?.id0, BigInt(v.id_0));
    assert.equal(proto.name?.nameId?.id1, BigInt(v.id_1));
  }
});

test('group channel ids match the reference', () => {
  const kat = loadKat()['group_channel_ids'] as Values<{ u128_hex: string }>;
  const entries = Object.entries(kat.values);
  assert.ok(entries.length >= 2);
  for (const [key, v] of entries) {
    const m = /^(.+_[A-Za-z0-9]{8})\/([^/]+)\/([^/]+)\/([^/]+)\/(data|control)$/.exec(key);
    assert.ok(m, key);
    const [, tokenId, o, n, a, which] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      'data' | 'control',
    ];
    const ids = groupChannelIds(tokenId, makeName(o, n, a));
    assert.equal(ids[which], BigInt('0x' + v.u128_hex), key);
  }
});

test('names parse, format and round-trip through the wire form', () => {
  const n = parseName('acme/demo/weather');
  assert.equal(n.id, NULL_ID);
  assert.equal(formatName(n), 'acme/demo/weather');
  const withId = parseName('acme/demo/weather/000000000000000000000000000000ff');
  assert.equal(withId.id, 255n);
  assert.deepEqual(fromProtoName(toProtoName(withId)), withId);
  for (const bad of ['', 'a/b', 'a//c', 'a/b/c/d/e', 'a/b/c d', 'a/b/c/xyz']) {
    assert.throws(() => parseName(bad), /SLIM name/, bad);
  }
});
