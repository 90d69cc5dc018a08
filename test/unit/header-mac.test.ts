// Unit: the header-MAC preimage layout (docs/dataplane.md#header-mac) on hand-built headers:
// presence bytes for absent names, ids and optional fields; fields outside the MAC do not change
// it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { SLIMHeaderSchema } from '../../src/slim/proto/index.js';
import type { SLIMHeader } from '../../src/slim/proto/index.js';
import { HeaderMac, headerMacPreimage } from '../../src/slim/dataplane/header-mac.js';
import { makeName, toProtoName } from '../../src/slim/dataplane/name.js';

const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b.toString('hex');
};
const le64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b.toString('hex');
};
const str = (s: string) => le32(Buffer.byteLength(s)) + Buffer.from(s).toString('hex');

test('preimage of an empty header: domain, link id, absent names, zero scalars', () => {
  const h = create(SLIMHeaderSchema, {});
  const expected =
    Buffer.from('SLIM-DP-HDR-v1\0').toString('hex') +
    str('L') +
    '00' +
    '00' +
    str('') +
    le32(0) +
    '00' +
    '00' +
    '00' +
    le32(0);
  assert.equal(headerMacPreimage(h, 'L').toString('hex'), expected);
});

test('preimage encodes names, optional fields with presence bytes, little-endian', () => {
  const src = toProtoName(makeName('a', 'b', 'c', (5n << 64n) | 6n));
  const dst = toProtoName(makeName('x', 'y', 'z'));
  dst.strName = undefined; // a name without its strings
  dst.name!.nameId = undefined; // and without an id
  const h = create(SLIMHeaderSchema, {
    source: src,
    destination: dst,
    identity: 'tok',
    fanout: 256,
    ttl: 7,
    recvFrom: 3n,
    error: false,
    version: 'not covered',
    incomingConn: 9n,
  });
  const name = (n: typeof src) =>
    '01' +
    '01' +
    le64(n.name!.component0) +
    le64(n.name!.component1) +
    le64(n.name!.component2) +
    (n.name!.nameId ? '01' + le64(n.name!.nameId.id0) + le64(n.name!.nameId.id1) : '00') +
    (n.strName
      ? '01' + str(n.strName.strComponent0) + str(n.strName.strComponent1) + str(n.strName.strComponent2)
      : '00');
  const expected =
    Buffer.from('SLIM-DP-HDR-v1\0').toString('hex') +
    str('link-1') +
    name(src) +
    name(dst) +
    str('tok') +
    le32(256) +
    '01' +
    le64(3n) +
    '00' +
    '0100' +
    le32(7);
  assert.equal(headerMacPreimage(h, 'link-1').toString('hex'), expected);
});

test('the MAC ignores version, incoming_conn and e2e signature, and covers TTL and forward_to', () => {
  const mac = new HeaderMac(new Uint8Array(32).fill(7), 'link');
  const h = create(SLIMHeaderSchema, { source: toProtoName(makeName('a', 'b', 'c', 1n)), ttl: 8, fanout: 1 });
  mac.sign(h);
  assert.ok(mac.verify(h));
  const outside: SLIMHeader = { ...h, version: 'other', incomingConn: 4n, e2eHeaderSig: new Uint8Array(3) };
  assert.ok(mac.verify(outside));
  assert.equal(mac.verify({ ...h, ttl: 7 }), false);
  assert.equal(mac.verify({ ...h, forwardTo: 0n }), false);
  assert.equal(new HeaderMac(new Uint8Array(32).fill(7), 'other-link').verify(h), false);
  assert.equal(mac.verify({ ...h, headerMac: undefined }), false);
});
