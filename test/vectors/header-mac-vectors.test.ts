// Vectors: the per-link header MAC (docs/dataplane.md#header-mac) against real traffic. The
// preimages and MACs in kat.json reproduce byte for byte, the link key derives from the captured
// X25519 keys, and every header_mac on the captured HMAC link (both directions: our raw client's
// and the reference node's) verifies. Provenance: test/fixtures/vectors/slim-v2/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { HeaderMac, headerMacPreimage } from '../../src/slim/dataplane/header-mac.js';
import { deriveHeaderMacKey, linkKeyPairFromPrivate } from '../../src/slim/dataplane/link-key.js';
import { headerOf } from '../../src/slim/dataplane/wire.js';
import { loadKat } from '../support/vectors.js';
import { vectorsDir } from '../support/paths.js';

interface MacKat {
  link_id: string;
  client_x25519_private_hex: string;
  client_x25519_public_hex: string;
  node_x25519_public_hex: string;
  hmac_key_hex: string;
  examples: { frame_seq: number; preimage_hex: string; header_mac_on_wire_hex: string }[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function captureFrames(file: string): { seq: number; stream: number; dir: string; bytes: Uint8Array }[] {
  return readFileSync(join(vectorsDir(), file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; seq: number; stream: number; dir: string; hex?: string })
    .filter((r) => r.kind === 'frame' && r.hex)
    .map((r) => ({ seq: r.seq, stream: r.stream, dir: r.dir, bytes: unhex(r.hex!) }));
}

test('kat header_mac: the link key derives from the captured X25519 keys', () => {
  const kat = loadKat()['header_mac'] as MacKat;
  const own = linkKeyPairFromPrivate(unhex(kat.client_x25519_private_hex));
  assert.equal(hex(own.publicKey), kat.client_x25519_public_hex);
  const key = deriveHeaderMacKey(own, unhex(kat.node_x25519_public_hex), kat.link_id);
  assert.equal(hex(key), kat.hmac_key_hex);
});

test('kat header_mac: preimages and MACs of the captured frames reproduce', () => {
  const kat = loadKat()['header_mac'] as MacKat;
  const frames = new Map(captureFrames('thirdparty-p2p-carol-bob-hmac.jsonl').map((f) => [f.seq, f]));
  const mac = new HeaderMac(unhex(kat.hmac_key_hex), kat.link_id);
  assert.ok(kat.examples.length >= 2);
  for (const ex of kat.examples) {
    const frame = frames.get(ex.frame_seq);
    assert.ok(frame, `frame ${ex.frame_seq} in the capture`);
    const header = headerOf(decodeMessage(frame.bytes))!;
    assert.equal(
      hex(headerMacPreimage(header, kat.link_id)),
      ex.preimage_hex,
      `preimage of frame ${ex.frame_seq}`,
    );
    assert.equal(hex(mac.compute(header)), ex.header_mac_on_wire_hex);
    assert.equal(hex(header.headerMac!), ex.header_mac_on_wire_hex);
  }
});

test('every header_mac on the captured HMAC link verifies with its keys file, and tampering breaks it', () => {
  const keys = JSON.parse(
    readFileSync(join(vectorsDir(), 'thirdparty-p2p-carol-bob-hmac.keys.json'), 'utf8'),
  ) as {
    link_id: string;
    hmac_key_hex: string;
  };
  const mac = new HeaderMac(unhex(keys.hmac_key_hex), keys.link_id);
  let verified = 0;
  let otherLink = 0;
  const dirs = new Set<string>();
  for (const f of captureFrames('thirdparty-p2p-carol-bob-hmac.jsonl')) {
    const header = headerOf(decodeMessage(f.bytes));
    if (!header?.headerMac) continue;
    if (f.stream !== 2) {
      // bob's link (stream 1) has its own key: carol's key must not verify its tags
      assert.equal(mac.verify(header), false, `frame ${f.seq} of another link`);
      otherLink++;
      continue;
    }
    assert.ok(mac.verify(header), `frame ${f.seq} (${f.dir}) verifies`);
    const tampered = { ...header, ttl: header.ttl + 1 };
    assert.equal(mac.verify(tampered), false, `frame ${f.seq} with another TTL fails`);
    dirs.add(f.dir);
    verified++;
  }
  assert.ok(verified >= 19, `expected the 19+ tagged frames of the capture, verified ${verified}`);
  assert.deepEqual([...dirs].sort(), ['c2s', 's2c']);
  assert.ok(otherLink > 0);
});

test('the reference 2.2.0 capture: every tag has the 32-byte shape and the reference version', () => {
  let tagged = 0;
  for (const f of captureFrames('p2p-alice-bob-core2.2.0.jsonl')) {
    const h = headerOf(decodeMessage(f.bytes));
    if (!h) continue;
    assert.equal(h.version, '2.2.0');
    assert.equal(h.headerMac?.length, 32);
    tagged++;
  }
  assert.ok(tagged > 10);
});
